#!/usr/bin/env bash
# Drives a freshly started `orgata` on one backend with a GraphQL client nobody on the team wrote
# (`gql`, ../shared/acceptance/graphql/): the spec's queries and mutations over HTTP, and its
# subscriptions over WebSocket (graphql-transport-ws, token in connection_init) receiving the
# events of a flow run through REST; on PostgreSQL also a second `orgata` process, whose SSE
# stream and subscriptions receive every event of a flow driven on the first.
#   usage: scripts/graphql-acceptance.sh sqlite|postgres
# Needs target/debug/orgata (built by scripts/test.sh) and the clients `setup.sh python` installs.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:?sqlite or postgres}"
bin=target/debug/orgata
acceptance=../shared/acceptance
[ -x "$bin" ] || cargo build -p orgata
[ -f "$acceptance/graphql/graphql_check.py" ] || { echo "missing $acceptance/graphql"; exit 1; }
clients="$(bash "$acceptance/setup.sh" python)"
python="$clients/venv/bin/python"
check=("$python" "$acceptance/graphql/graphql_check.py")

# shellcheck source=lib/serve.sh
source scripts/lib/serve.sh
start_orgata "$backend"
ws="${base/http/ws}/graphql"

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fs -X POST "$base$1" -H "authorization: Bearer $2" -H 'content-type: application/json' -d "$3"; }
register() {
  curl -fs -X POST "$base/v1/auth/register" -H 'content-type: application/json' -d "$1"
}
session=$(register '{"email":"owner@example.com","password":"correct horse battery staple","display_name":"Owner","organization_name":"GraphQL Org","team_name":"GraphQL Team"}')
jwt=$(echo "$session" | json "['data']['access_token']")
team=$(echo "$session" | json "['data']['team']['id']")
owner=$(post /v1/me/tokens "$jwt" '{"name":"graphql acceptance"}' | json "['data']['token']")
reviewer_session=$(register '{"email":"reviewer@example.com","password":"correct horse battery staple","display_name":"Reviewer"}')
post "/v1/teams/$team/members" "$owner" '{"email":"reviewer@example.com","access_role":"editor"}' >/dev/null
reviewer=$(echo "$reviewer_session" | json "['data']['access_token']")

fail=0
out="$work/out"
# Runs one query or mutation as `token`; keeps its data in $out; prints a line.
q() {
  local label="$1" token="$2" query="$3" variables="${4:-{\}}" rc=0
  "${check[@]}" query --url "$base/graphql" --token "$token" --query "$query" --variables "$variables" >"$out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then echo "ok   $label"; else echo "FAIL $label:"; cat "$out"; fail=$((fail+1)); fi
  return 0
}
field() { python3 -c "import json,sys; d=json.load(open('$out')); print(d$1)"; }

q "team" "$owner" 'query($t: ID!) { team(id: $t) { id name members { totalCount } } }' "{\"t\":\"$team\"}"
q "createProcess" "$owner" 'mutation($t: ID!) { createProcess(teamId: $t, input: {name: "Onboard a customer", steps: [
    {id: "collect", name: "Collect documents", type: human, form: {type: "object", properties: {complete: {type: "boolean"}}}},
    {id: "approve", name: "Approve", type: human, dependencies: ["collect"]}]}) { id version steps { id } } }' "{\"t\":\"$team\"}"
process=$(field "['createProcess']['id']")
version=$(field "['createProcess']['version']")
q "process" "$owner" 'query($t: ID!, $p: ID!) { process(teamId: $t, processId: $p) { name steps { id name type } } }' "{\"t\":\"$team\",\"p\":\"$process\"}"
q "startProcessInstance" "$owner" 'mutation($t: ID!, $p: ID!) { startProcessInstance(teamId: $t, processId: $p) { id status } }' "{\"t\":\"$team\",\"p\":\"$process\"}"
instance=$(field "['startProcessInstance']['id']")
q "processInstances" "$owner" 'query($t: ID!) { processInstances(teamId: $t, filters: {status: running}) { totalCount nodes { id process { name } tasks { stepId status } } } }' "{\"t\":\"$team\"}"
q "tasks" "$owner" 'query($t: ID!, $i: ID!) { tasks(teamId: $t, filters: {processInstanceId: $i, status: open}) { nodes { id title stepId processInstance { id } } pageInfo { hasNextPage endCursor } } }' "{\"t\":\"$team\",\"i\":\"$instance\"}"
q "executeStep" "$owner" 'mutation($i: ID!) { executeStep(instanceId: $i, stepId: "collect", input: {output: {complete: true}}) { stepId status outputData } }' "{\"i\":\"$instance\"}"
q "createBranch" "$owner" 'mutation($t: ID!) { createBranch(teamId: $t, input: {name: "faster"}) { name head } }' "{\"t\":\"$team\"}"
q "updateProcess on the branch" "$owner" 'mutation($t: ID!, $p: ID!, $v: String) { updateProcess(teamId: $t, processId: $p, ref: "faster", input: {name: "Onboard a customer", version: $v, steps: [
    {id: "collect", name: "Collect documents", type: human}, {id: "approve", name: "Approve quickly", type: human, dependencies: ["collect"]}]}) { version } }' "{\"t\":\"$team\",\"p\":\"$process\",\"v\":\"$version\"}"
q "createChangeProposal" "$owner" 'mutation($t: ID!) { createChangeProposal(teamId: $t, input: {title: "Approve quickly", sourceBranch: "faster"}) { id status } }' "{\"t\":\"$team\"}"
proposal=$(field "['createChangeProposal']['id']")
q "submitChangeProposal" "$owner" 'mutation($p: ID!) { submitChangeProposal(proposalId: $p) { status } }' "{\"p\":\"$proposal\"}"
q "reviewChange" "$reviewer" 'mutation($p: ID!) { reviewChange(proposalId: $p, input: {status: approved, comments: "Looks right"}) { status reviewerId } }' "{\"p\":\"$proposal\"}"
q "mergeChangeProposal" "$owner" 'mutation($p: ID!) { mergeChangeProposal(proposalId: $p) { status } }' "{\"p\":\"$proposal\"}"
q "analytics" "$owner" 'query($t: ID!) { analytics(teamId: $t, type: processes) { type processes { processId name } } }' "{\"t\":\"$team\"}"

# The subscriptions receive the events of a flow driven through REST: an instance of a fresh
# two-step playbook, started and both steps completed.
flow=(bash -c '
  set -euo pipefail
  post() { curl -fs -X POST "$B$1" -H "authorization: Bearer $K" -H "content-type: application/json" -d "$2"; }
  get() { curl -fs "$B$1" -H "authorization: Bearer $K"; }
  id() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"data\"][\"id\"])"; }
  p=$(post "/v1/teams/$T/processes" "{\"name\":\"Flow\",\"steps\":[{\"id\":\"a\",\"name\":\"A\",\"type\":\"human\"},{\"id\":\"b\",\"name\":\"B\",\"type\":\"human\",\"dependencies\":[\"a\"]}]}" | id)
  i=$(post "/v1/teams/$T/processes/$p/instances" "{}" | id)
  for step in a b; do
    task=$(get "/v1/teams/$T/tasks?process_instance_id=$i&status=open" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"data\"][0][\"id\"])")
    post "/v1/teams/$T/tasks/$task/complete" "{\"output\":{}}" >/dev/null
  done')
export B="$base" K="$owner" T="$team"
sub() {
  local label="$1" expect="$2" query="$3" rc=0
  "${check[@]}" subscribe --url "$ws" --token "$owner" --query "$query" --expect "$expect" --timeout 30 -- "${flow[@]}" >"$out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ] && grep -q "process_instance.completed" "$out"; then
    echo "ok   $label: $(tail -n 1 "$out")"
  else
    echo "FAIL $label:"; cat "$out"; fail=$((fail+1))
  fi
}
sub "teamActivity subscription" 2 "subscription { teamActivity(teamId: \"$team\", types: [\"process_instance.*\"]) { seq type entity { type id } } }"
sub "processUpdates subscription" 6 "subscription { processUpdates(teamId: \"$team\") { event { seq type } instanceId instance { status } } }"

# PostgreSQL: a second `orgata` process on the same database. An SSE client and a subscription
# on node B receive every event of a flow driven on node A, each once and in order.
if [ "$backend" = postgres ]; then
  start_second_node
  ws2="${base2/http/ws}/graphql"
  rc=0
  "${check[@]}" subscribe --url "$ws2" --token "$owner" --expect 6 --timeout 30 \
    --query "subscription { processUpdates(teamId: \"$team\") { event { seq type } } }" -- "${flow[@]}" >"$out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ] && grep -q "process_instance.completed" "$out"; then
    echo "ok   subscription on node B, flow on node A: $(tail -n 1 "$out")"
  else
    echo "FAIL subscription on node B, flow on node A:"; cat "$out"; fail=$((fail+1))
  fi
  rc=0
  "$python" - "$base2" "$base" "$owner" "$team" "${flow[@]}" >"$out" 2>&1 <<'PY' || rc=$?
import json, subprocess, sys, threading, httpx
from httpx_sse import connect_sse
node_b, node_a, token, team, flow = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
auth = {"authorization": f"Bearer {token}"}
seqs, started = [], threading.Event()
def listen():
    with httpx.Client(timeout=30) as client:
        with connect_sse(client, "GET", f"{node_b}/v1/teams/{team}/events", headers=auth) as source:
            started.set()
            for event in source.iter_sse():
                seqs.append(int(event.id))
                if event.event == "process_instance.completed":
                    return
reader = threading.Thread(target=listen, daemon=True)
reader.start()
started.wait(10)
subprocess.run(flow, check=True)
reader.join(30)
audit = httpx.get(f"{node_a}/v1/teams/{team}/audit?page_size=200", headers=auth).json()["data"]
logged = sorted(e["seq"] for e in audit if seqs and e["seq"] >= seqs[0])
assert seqs and seqs == logged[: len(seqs)] and logged[-1] == seqs[-1], (seqs, logged)
print(f"{len(seqs)} events, seq {seqs[0]} to {seqs[-1]}, each once and in order")
PY
  if [ "$rc" -eq 0 ]; then
    echo "ok   SSE on node B, flow on node A: $(tail -n 1 "$out")"
  else
    echo "FAIL SSE on node B, flow on node A:"; cat "$out"; fail=$((fail+1))
  fi
fi

if [ "$fail" -ne 0 ]; then
  echo "graphql acceptance failed on $backend ($fail check(s)); server log tail:"; tail -n 40 "$work/server.log"
  exit 1
fi
echo "graphql acceptance passed on $backend"
