#!/usr/bin/env bash
# Drives a freshly started `orgata` on one backend with MCP clients nobody on the team wrote
# (../shared/acceptance/mcp/): the official Python SDK over Streamable HTTP (modern and legacy)
# and over stdio — listing, reading every resource, and a real agent flow — the MCP Inspector
# CLI in --strict mode, and the official conformance suite's server scenarios of both eras.
#   usage: scripts/mcp-acceptance.sh sqlite|postgres
# Needs target/debug/orgata (built by scripts/test.sh) and the clients `setup.sh python node`
# installs.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:?sqlite or postgres}"
bin=target/debug/orgata
acceptance=../shared/acceptance
[ -x "$bin" ] || cargo build -p orgata
[ -d "$acceptance/mcp" ] || { echo "missing $acceptance/mcp"; exit 1; }
clients="$(bash "$acceptance/setup.sh" python node)"
python="$clients/venv/bin/python"

# shellcheck source=lib/serve.sh
source scripts/lib/serve.sh
# The conformance suite calls its diagnostic tools (test_*), served only with this setting.
start_orgata "$backend" ORGATA_MCP_DIAGNOSTICS=true ORGATA_RATE_LIMIT_PER_MINUTE=100000 \
  ORGATA_RATE_LIMIT_BURST=10000

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fs -X POST "$base$1" -H "authorization: Bearer $2" -H 'content-type: application/json' -d "$3"; }
session=$(curl -fs -X POST "$base/v1/auth/register" -H 'content-type: application/json' \
  -d '{"email":"owner@example.com","password":"correct horse battery staple","display_name":"Owner","organization_name":"MCP Org","team_name":"MCP Team"}')
jwt=$(echo "$session" | json "['data']['access_token']")
team=$(echo "$session" | json "['data']['team']['id']")
# Personal access tokens: a login's access token would expire during the run.
owner=$(post /v1/me/tokens "$jwt" '{"name":"mcp acceptance"}' | json "['data']['token']")
playbook=$(post "/v1/teams/$team/processes" "$owner" '{"name":"Reply to a customer","description":"Draft and approve a reply","steps":[{"id":"draft","name":"Draft the reply","type":"agent"},{"id":"approve","name":"Approve the reply","type":"human"}]}' | json "['data']['id']")
agent=$(post "/v1/teams/$team/agents" "$owner" '{"display_name":"Drafting agent","access_role":"editor"}' | json "['data']['token']")
stdio=(env "ORGATA_TOKEN=$agent" "ORGATA_DATABASE_URL=$url" "ORGATA_MASTER_KEY_FILE=$work/master.key" ORGATA_LOG=warn "$PWD/$bin" mcp --stdio)

fail=0
# Runs one client; prints its summary and findings, or all it said when it failed.
run() {
  local label="$1" rc=0; shift
  "$@" >"$work/out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "ok   $label: $(grep -E 'failure|failed|protocol:' "$work/out" | tr '\n' ' ')"
  else
    echo "FAIL $label (exit $rc):"; grep -Ev $'^(ok |\e\[90m|$)' "$work/out" || true
    fail=$((fail+1))
  fi
}
run "Python SDK, Streamable HTTP" "$python" "$acceptance/mcp/smoke.py" --url "$base/mcp" --token "$owner"
run "Python SDK, Streamable HTTP legacy" "$python" "$acceptance/mcp/smoke.py" --url "$base/mcp" --token "$owner" --mode legacy
run "Python SDK, stdio" "$python" "$acceptance/mcp/smoke.py" --stdio -- "${stdio[@]}"
run "agent flow, Streamable HTTP" "$python" scripts/mcp_flow.py --url "$base/mcp" --token "$agent" --playbook "$playbook"
run "agent flow, Streamable HTTP legacy" "$python" scripts/mcp_flow.py --url "$base/mcp" --token "$agent" --playbook "$playbook" --mode legacy
run "agent flow, stdio" "$python" scripts/mcp_flow.py --playbook "$playbook" --stdio -- "${stdio[@]}"
run "MCP Inspector --strict" bash "$acceptance/mcp/inspector.sh" "$base/mcp" "$owner"
run "conformance 2026-07-28 and 2025-11-25" bash "$acceptance/mcp/conformance.sh" "$base/mcp" "$owner"
if [ "$fail" -ne 0 ]; then
  echo "mcp acceptance failed on $backend ($fail run(s)); server log tail:"; tail -n 40 "$work/server.log"
  exit 1
fi
echo "mcp acceptance passed on $backend"
