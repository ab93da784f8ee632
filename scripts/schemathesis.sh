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

work="$(mktemp -d)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
schema=""
case "$backend" in
  sqlite) url="sqlite://$work/orgata.db?mode=rwc" ;;
  postgres)
    base_url="${ORGATA_TEST_POSTGRES_URL:?set ORGATA_TEST_POSTGRES_URL}"
    schema="st_$(date +%s)_$$"
    psql -q "$base_url" -c "CREATE SCHEMA $schema"
    sep='?'; [[ "$base_url" == *\?* ]] && sep='&'
    url="${base_url}${sep}options=-c%20search_path%3D${schema}" ;;
  *) echo "unknown backend $backend"; exit 2 ;;
esac

cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "$schema" ] && psql -q "$ORGATA_TEST_POSTGRES_URL" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Generous limits: schemathesis sends many requests from one address with one token.
ORGATA_DATABASE_URL="$url" ORGATA_LISTEN="127.0.0.1:$port" ORGATA_MASTER_KEY_FILE="$work/master.key" \
ORGATA_RATE_LIMIT_PER_MINUTE=1000000 ORGATA_RATE_LIMIT_BURST=100000 ORGATA_AUTH_RATE_LIMIT_PER_MINUTE=1000000 \
ORGATA_ACCESS_TOKEN_TTL=7200 ORGATA_LOG=warn "$bin" serve >"$work/server.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$base/readyz" >/dev/null || { cat "$work/server.log"; exit 1; }

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
