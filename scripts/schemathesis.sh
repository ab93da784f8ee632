#!/usr/bin/env bash
# Runs schemathesis (all checks) against a freshly started `orgata` on one backend.
#   usage: scripts/schemathesis.sh sqlite|postgres
# Needs target/debug/orgata (built by scripts/test.sh) and ../shared/acceptance.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:?sqlite or postgres}"; shift
bin=target/debug/orgata
acceptance=../shared/acceptance
[ -x "$bin" ] || cargo build -p orgata
[ -d "$acceptance" ] || { echo "missing $acceptance"; exit 1; }

# shellcheck source=lib/serve.sh
source scripts/lib/serve.sh
# Generous limits: schemathesis sends many requests from one address with one token.
start_orgata "$backend" ORGATA_RATE_LIMIT_PER_MINUTE=1000000 ORGATA_RATE_LIMIT_BURST=100000 \
  ORGATA_AUTH_RATE_LIMIT_PER_MINUTE=1000000 ORGATA_ACCESS_TOKEN_TTL=7200

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
session=$(curl -fs -X POST "$base/v1/auth/register" -H 'content-type: application/json' \
  -d '{"email":"schemathesis@example.com","password":"correct horse battery staple","display_name":"Schemathesis","organization_name":"Fuzz Org","team_name":"Fuzz Team"}')
jwt=$(echo "$session" | json "['data']['access_token']")
# A session token rather than a personal access token: the run deletes what it can list, and a
# personal access token would be among it.
token="$jwt"

# The report directory lies inside the repository so that schemathesis finds ./schemathesis.toml.
export SCHEMATHESIS_REPORT_DIR="$PWD/target/schemathesis/$backend"
rm -rf "$SCHEMATHESIS_REPORT_DIR"
status=0
# One worker: hypothesis 6 can fail with "AST constructor recursion depth mismatch" when two
# threads describe strategies at once.
bash "$acceptance/schemathesis.sh" "$base" "$token" --workers 1 "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "schemathesis failed on $backend; server log tail:"; tail -n 40 "$work/server.log"
fi
exit "$status"
