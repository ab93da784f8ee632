//! The GraphQL door over real HTTP and WebSocket: the spec's queries and mutations, every
//! error with its contract code in `extensions.code`, cursor pagination, limits, nested reads,
//! subscriptions fed by the event log (on PostgreSQL across two nodes), the explorer, and the
//! schema pinned as SDL.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{team, Team, TestApp};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// Sends a GraphQL request; answers the HTTP status and the body.
async fn gql(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
    gql_raw(app, token, &json!({"query": query, "variables": variables})).await
}

/// Posts a raw GraphQL body; answers the HTTP status and the body.
async fn gql_raw(app: &TestApp, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = app.client.post(format!("{}/graphql", app.base)).json(body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The data of a request that must succeed.
async fn data(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let (status, body) = gql(app, Some(token), query, variables).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{query}: {body}");
    body["data"].clone()
}

/// The `extensions.code` of a request that must fail.
async fn code(app: &TestApp, token: &str, query: &str, variables: Value) -> (String, Value) {
    let (_, body) = gql(app, Some(token), query, variables).await;
    let error = body["errors"][0].clone();
    assert!(error.is_object(), "{query}: expected an error, got {body}");
    (
        error["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        error,
    )
}

const TWO_STEPS: &str = r#"mutation($team: ID!) {
  createProcess(teamId: $team, input: {name: "Two steps", steps: [
    {id: "a", name: "A", type: human, form: {type: "object", required: ["ok"], properties: {ok: {type: "boolean"}}}},
    {id: "b", name: "B", type: human, dependencies: ["a"]}
  ]}) { id name version steps { id name type dependencies } }
}"#;

/// The spec's schema floor and the operations around it, end to end.
async fn spec_queries_and_mutations(app: TestApp) {
    let t = team(&app).await;
    let me = data(
        &app,
        &t.token,
        "{ me { id email memberships { teamId } } }",
        json!({}),
    )
    .await;
    assert_eq!(me["me"]["memberships"][0]["teamId"], t.id);

    // createProcess creates a definition; process reads it back.
    let created = data(&app, &t.token, TWO_STEPS, json!({"team": t.id})).await;
    let process = created["createProcess"].clone();
    assert_eq!(process["steps"][1]["dependencies"], json!(["a"]));
    let pid = process["id"].as_str().unwrap().to_string();
    let read = data(
        &app,
        &t.token,
        "query($t: ID!, $p: ID!) { process(teamId: $t, processId: $p) { id name version } }",
        json!({"t": t.id, "p": pid}),
    )
    .await;
    assert_eq!(read["process"]["version"], process["version"]);

    // startProcessInstance, then the instance with its tasks and playbook (nested reads).
    let started = data(
        &app,
        &t.token,
        "mutation($t: ID!, $p: ID!) { startProcessInstance(teamId: $t, processId: $p, input: {businessKey: \"K-1\"}) { id status } }",
        json!({"t": t.id, "p": pid}),
    )
    .await;
    let iid = started["startProcessInstance"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(started["startProcessInstance"]["status"], "running");
    let listed = data(
        &app,
        &t.token,
        r#"query($t: ID!) { processInstances(teamId: $t, filters: {status: running, businessKey: "K-1"}) {
             totalCount nodes { id businessKey process { name } tasks { stepId status processInstance { id } } } } }"#,
        json!({"t": t.id}),
    )
    .await;
    let node = &listed["processInstances"]["nodes"][0];
    assert_eq!(listed["processInstances"]["totalCount"], 1);
    assert_eq!(node["id"], iid);
    assert_eq!(node["process"]["name"], "Two steps");
    assert_eq!(node["tasks"][0]["stepId"], "a");
    assert_eq!(node["tasks"][0]["processInstance"]["id"], iid);

    // tasks with filters; executeStep checks the step's form and answers the execution.
    let tasks = data(
        &app,
        &t.token,
        "query($t: ID!, $i: ID!) { tasks(teamId: $t, filters: {processInstanceId: $i, status: open}) { nodes { id stepId } } }",
        json!({"t": t.id, "i": iid}),
    )
    .await;
    assert_eq!(tasks["tasks"]["nodes"].as_array().unwrap().len(), 1);
    let execute = "mutation($i: ID!, $o: JSON) { executeStep(instanceId: $i, stepId: \"a\", input: {output: $o}) { stepId status outputData } }";
    let (c, error) = code(
        &app,
        &t.token,
        execute,
        json!({"i": iid, "o": {"ok": "yes"}}),
    )
    .await;
    assert_eq!(c, "VALIDATION_FAILED", "{error}");
    assert!(
        error["extensions"]["details"][0]["field"].is_string(),
        "{error}"
    );
    let done = data(
        &app,
        &t.token,
        execute,
        json!({"i": iid, "o": {"ok": true}}),
    )
    .await;
    assert_eq!(done["executeStep"]["stepId"], "a");
    assert_eq!(done["executeStep"]["status"], "completed");

    // A branch, a change on it, a proposal, a review by another member, the merge.
    let reviewer = app
        .member(&t.token, &t.id, "reviewer@example.com", "editor")
        .await;
    data(
        &app,
        &t.token,
        "mutation($t: ID!) { createBranch(teamId: $t, input: {name: \"faster\"}) { name } }",
        json!({"t": t.id}),
    )
    .await;
    data(
        &app,
        &t.token,
        r#"mutation($t: ID!, $p: ID!, $v: String) { updateProcess(teamId: $t, processId: $p, ref: "faster", input: {
             name: "Two steps", version: $v, steps: [{id: "a", name: "A, quicker", type: human}, {id: "b", name: "B", type: human, dependencies: ["a"]}]}) { version } }"#,
        json!({"t": t.id, "p": pid, "v": process["version"]}),
    )
    .await;
    let proposal = data(
        &app,
        &t.token,
        r#"mutation($t: ID!) { createChangeProposal(teamId: $t, input: {title: "Quicker A", sourceBranch: "faster"}) { id status } }"#,
        json!({"t": t.id}),
    )
    .await["createChangeProposal"]
        .clone();
    let prop = proposal["id"].as_str().unwrap().to_string();
    data(
        &app,
        &t.token,
        "mutation($p: ID!) { submitChangeProposal(proposalId: $p) { status } }",
        json!({"p": prop}),
    )
    .await;
    let review = data(
        &app,
        &reviewer.token,
        "mutation($p: ID!) { reviewChange(proposalId: $p, input: {status: approved, comments: \"good\"}) { status reviewerId } }",
        json!({"p": prop}),
    )
    .await;
    assert_eq!(review["reviewChange"]["status"], "approved");
    assert_eq!(review["reviewChange"]["reviewerId"], reviewer.id);
    let merged = data(
        &app,
        &t.token,
        "mutation($p: ID!) { mergeChangeProposal(proposalId: $p) { status } }",
        json!({"p": prop}),
    )
    .await;
    assert_eq!(merged["mergeChangeProposal"]["status"], "merged");
    let now = data(
        &app,
        &t.token,
        "query($t: ID!, $p: ID!) { process(teamId: $t, processId: $p) { steps { name } } }",
        json!({"t": t.id, "p": pid}),
    )
    .await;
    assert_eq!(now["process"]["steps"][0]["name"], "A, quicker");

    // team with nested lists; analytics of each kind through the spec's entry point.
    let team_view = data(
        &app,
        &t.token,
        "query($t: ID!) { team(id: $t) { name members { totalCount } processes { nodes { id } } changeProposals { nodes { status } } } }",
        json!({"t": t.id}),
    )
    .await;
    assert_eq!(team_view["team"]["members"]["totalCount"], 2);
    assert_eq!(
        team_view["team"]["changeProposals"]["nodes"][0]["status"],
        "merged"
    );
    for kind in [
        "processes",
        "performance",
        "users",
        "trends",
        "anomalies",
        "predictions",
        "recommendations",
    ] {
        let a = data(
            &app,
            &t.token,
            &format!("query($t: ID!) {{ analytics(teamId: $t, type: {kind}) {{ type processes {{ processId }} performance {{ __typename }} users {{ __typename }} trends {{ __typename }} anomalies {{ __typename }} predictions {{ __typename }} recommendations {{ __typename }} }} }}"),
            json!({"t": t.id}),
        )
        .await;
        assert_eq!(a["analytics"]["type"], kind);
        assert!(!a["analytics"][kind].is_null(), "{kind}: {a}");
    }
    let one = data(
        &app,
        &t.token,
        "query($t: ID!, $p: ID!) { analytics(teamId: $t, type: processes, processId: $p) { process { metrics { totalExecutions } } } }",
        json!({"t": t.id, "p": pid}),
    )
    .await;
    assert_eq!(one["analytics"]["process"]["metrics"]["totalExecutions"], 1);

    // The audit trail says which door each change came through.
    let audit = data(
        &app,
        &t.token,
        "query($t: ID!) { audit(teamId: $t, entityType: \"process_instance\") { nodes { type via } } }",
        json!({"t": t.id}),
    )
    .await;
    assert_eq!(audit["audit"]["nodes"][0]["via"], "GraphQL");

    // The README's example and the explorer's first query run as written.
    let readme = "query($team: ID!) { team(id: $team) { name members { totalCount } }
      tasks(teamId: $team, filters: {assignedToMe: true, openOnly: true}, first: 20) {
        nodes { id title dueDate processInstance { id name process { name } } }
        pageInfo { hasNextPage endCursor } } }";
    data(&app, &t.token, readme, json!({"team": t.id})).await;
    let first = "{ me { id email displayName memberships { teamId teamName accessRole } } }";
    data(&app, &t.token, first, json!({})).await;
}

/// Errors carry the contract's codes; pages continue from their cursors; limits hold.
async fn errors_pages_and_limits(app: TestApp) {
    let t = team(&app).await;
    let (status, body) = gql(&app, None, "{ me { id } }", json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert!(body["errors"][0].get("locations").is_none(), "{body}");
    let (status, body) = gql(&app, Some("not-a-token"), "{ me { id } }", json!({})).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    let unknown = uuid::Uuid::now_v7().to_string();
    let (c, _) = code(
        &app,
        &t.token,
        "query($t: ID!, $i: ID!) { task(teamId: $t, taskId: $i) { id } }",
        json!({"t": t.id, "i": unknown}),
    )
    .await;
    assert_eq!(c, "NOT_FOUND");
    let (c, _) = code(
        &app,
        &t.token,
        "query($i: ID!) { team(id: $i) { id } }",
        json!({"i": unknown}),
    )
    .await;
    assert_eq!(c, "NOT_FOUND");
    let (c, _) = code(
        &app,
        &t.token,
        "query($t: ID!) { task(teamId: $t, taskId: \"nope\") { id } }",
        json!({"t": t.id}),
    )
    .await;
    assert_eq!(c, "VALIDATION_FAILED");
    let (c, e) = code(
        &app,
        &t.token,
        "mutation($t: ID!) { createTask(teamId: $t, input: {title: \"\"}) { id } }",
        json!({"t": t.id}),
    )
    .await;
    assert_eq!(c, "VALIDATION_FAILED");
    assert_eq!(e["extensions"]["details"][0]["field"], "/title", "{e}");
    // A viewer may read but not change.
    let viewer = app
        .member(&t.token, &t.id, "viewer@example.com", "viewer")
        .await;
    let (c, _) = code(
        &app,
        &viewer.token,
        "mutation($t: ID!) { createRole(teamId: $t, input: {name: \"R\"}) { id } }",
        json!({"t": t.id}),
    )
    .await;
    assert_eq!(c, "FORBIDDEN");
    // Another team's records do not exist for this caller.
    let other = app.register("other@example.com", Some("Other")).await;
    let (c, _) = code(
        &app,
        &other.token,
        "query($t: ID!) { tasks(teamId: $t) { totalCount } }",
        json!({"t": t.id}),
    )
    .await;
    assert_eq!(c, "NOT_FOUND");

    // GET runs queries only; a body over the limit is refused before it is read whole.
    let get = |query: &str| {
        app.client
            .get(format!("{}/graphql", app.base))
            .query(&[("query", query)])
            .bearer_auth(&t.token)
            .send()
    };
    assert_eq!(get("{ me { id } }").await.unwrap().status(), 200);
    let refused = get("mutation { createOrganization(input: {name: \"X\"}) { id } }")
        .await
        .unwrap();
    assert_eq!(refused.status(), 405);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "METHOD_NOT_ALLOWED"
    );
    let huge = json!({"query": format!("{{ me {{ id }} }} # {}", "x".repeat(3 * 1024 * 1024))});
    let refused = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&t.token)
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 413);
    // The unread body leaves the connection unusable: the answer closes it, so the client's
    // next request does not go out on it and fail.
    assert_eq!(refused.headers()["connection"], "close");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");

    // A removal answers what it removed.
    let role = data(
        &app,
        &t.token,
        "mutation($t: ID!) { createRole(teamId: $t, input: {name: \"Reviewer\"}) { id } }",
        json!({"t": t.id}),
    )
    .await;
    let role = role["createRole"]["id"].clone();
    let gone = data(
        &app,
        &t.token,
        "mutation($t: ID!, $r: ID!) { deleteRole(teamId: $t, roleId: $r) { id deleted } }",
        json!({"t": t.id, "r": role}),
    )
    .await;
    assert_eq!(gone["deleteRole"], json!({"id": role, "deleted": true}));

    // Cursor pagination over five tasks, two at a time.
    for i in 0..5 {
        data(
            &app,
            &t.token,
            "mutation($t: ID!, $n: String!) { createTask(teamId: $t, input: {title: $n}) { id } }",
            json!({"t": t.id, "n": format!("T{i}")}),
        )
        .await;
    }
    let page = "query($t: ID!, $a: String) { tasks(teamId: $t, first: 2, after: $a) { totalCount edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let mut after = Value::Null;
    let mut titles = Vec::new();
    loop {
        let p = data(&app, &t.token, page, json!({"t": t.id, "a": after})).await["tasks"].clone();
        assert_eq!(p["totalCount"], 5);
        for e in p["edges"].as_array().unwrap() {
            titles.push(e["node"]["title"].as_str().unwrap().to_string());
        }
        assert_eq!(p["pageInfo"]["hasPreviousPage"], !after.is_null());
        if p["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = p["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(titles, ["T4", "T3", "T2", "T1", "T0"]);
    let (c, _) = code(&app, &t.token, page, json!({"t": t.id, "a": "garbage"})).await;
    assert_eq!(c, "VALIDATION_FAILED");
    let (c, _) = code(
        &app,
        &t.token,
        "query($t: ID!) { tasks(teamId: $t, first: 1000) { totalCount } }",
        json!({"t": t.id}),
    )
    .await;
    assert_eq!(c, "VALIDATION_FAILED");

    // Depth and complexity limits answer clear errors before anything runs.
    let nested = "processInstance { tasks { ".repeat(6) + "id" + &" } }".repeat(6);
    let deep = format!("query($t: ID!) {{ tasks(teamId: $t) {{ nodes {{ {nested} }} }} }}");
    let (_, body) = gql(&app, Some(&t.token), &deep, json!({"t": t.id})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );
    let wide: String = (0..800)
        .map(|i| format!("a{i}: me {{ id email displayName }} "))
        .collect();
    let (_, body) = gql(&app, Some(&t.token), &format!("{{ {wide} }}"), json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too complex"),
        "{body}"
    );
}

/// `Idempotency-Key` on a mutation: the same request again gets the first answer and changes
/// nothing; the key with another request is refused in GraphQL's shape.
async fn idempotent_mutations(app: TestApp) {
    let t = team(&app).await;
    let create = "mutation($t: ID!, $n: String!) { createTask(teamId: $t, input: {title: $n}) { id title } }";
    let send = |title: &str| {
        app.client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&t.token)
            .header("idempotency-key", "create-once")
            .json(&json!({"query": create, "variables": {"t": t.id, "n": title}}))
            .send()
    };
    let first = send("Once").await.unwrap();
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = send("Once").await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let count = data(
        &app,
        &t.token,
        "query($t: ID!) { tasks(teamId: $t) { totalCount } }",
        json!({"t": t.id}),
    )
    .await;
    assert_eq!(count["tasks"]["totalCount"], 1);
    let other = send("Another").await.unwrap();
    assert_eq!(other.status(), 422);
    let other: Value = other.json().await.unwrap();
    assert_eq!(
        other["errors"][0]["extensions"]["code"], "VALIDATION_FAILED",
        "{other}"
    );
}

/// A `graphql-transport-ws` client.
struct Ws {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Ws {
    async fn connect(app: &TestApp, token: &str) -> Result<Ws, String> {
        let url = format!("{}/graphql", app.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| e.to_string())?;
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        let mut ws = Ws { socket };
        ws.send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}})).await;
        match ws.next().await {
            Some(m) if m["type"] == "connection_ack" => Ok(ws),
            other => Err(format!("{other:?}")),
        }
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    /// The next message (pings answered), `None` when the socket closes or 10 s pass.
    async fn next(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .ok()??
                .ok()?;
            match message {
                Message::Text(text) => {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    if v["type"] == "ping" {
                        self.send(json!({"type": "pong"})).await;
                        continue;
                    }
                    return Some(v);
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}})).await;
    }
}

const ACTIVITY: &str =
    "subscription($t: ID!) { teamActivity(teamId: $t) { seq type entity { type id } } }";
const UPDATES: &str = "subscription($t: ID!) { processUpdates(teamId: $t) { event { seq type } instanceId instance { status } } }";

/// Reads `next` messages of subscription `id` until one of type `until`; answers their payloads.
async fn collect(ws: &mut Ws, id: &str, field: &str, until: &str) -> Vec<Value> {
    let mut got = Vec::new();
    while let Some(m) = ws.next().await {
        if m["id"] != id {
            continue;
        }
        assert_eq!(m["type"], "next", "{m}");
        assert!(m["payload"].get("errors").is_none(), "{m}");
        let item = m["payload"]["data"][field].clone();
        let kind = item["type"]
            .as_str()
            .or(item["event"]["type"].as_str())
            .unwrap()
            .to_string();
        got.push(item);
        if kind == until {
            return got;
        }
    }
    panic!("the subscription ended before {until}; got {got:?}");
}

/// Runs a two-step flow through REST (on `driver`) while subscriptions (on `watcher`) receive
/// every event of it in order; both nodes may be the same.
async fn flow_reaches_subscriptions(driver: &TestApp, watcher: &TestApp, t: &Team) {
    let mut ws = Ws::connect(watcher, &t.token).await.unwrap();
    ws.subscribe("activity", ACTIVITY, json!({"t": t.id})).await;
    ws.subscribe("updates", UPDATES, json!({"t": t.id})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let instance = common::start_two_steps(driver, t).await;
    common::complete_step(driver, t, &instance, "a").await;
    common::complete_step(driver, t, &instance, "b").await;
    let mut activity = Vec::new();
    let mut updates = Vec::new();
    // The two subscriptions interleave on one socket: read until both saw the completion.
    while activity.last().map(|e: &Value| e["type"].clone())
        != Some(json!("process_instance.completed"))
        || updates.last().map(|u: &Value| u["event"]["type"].clone())
            != Some(json!("process_instance.completed"))
    {
        let m = ws.next().await.expect("an event");
        assert_eq!(m["type"], "next", "{m}");
        assert!(m["payload"].get("errors").is_none(), "{m}");
        match m["id"].as_str().unwrap() {
            "activity" => activity.push(m["payload"]["data"]["teamActivity"].clone()),
            _ => updates.push(m["payload"]["data"]["processUpdates"].clone()),
        }
    }
    // Every event of the flow, each once and in order, as the audit trail has them.
    let audit = driver
        .get(&t.p("/audit?page_size=200"), &t.token)
        .await
        .expect(200);
    let mut logged: Vec<i64> = audit
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    logged.sort();
    let first = activity[0]["seq"].as_i64().unwrap();
    let seqs: Vec<i64> = activity
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    let expected: Vec<i64> = logged.into_iter().filter(|s| *s >= first).collect();
    assert_eq!(seqs, expected);
    assert!(updates.iter().all(|u| u["instanceId"] == instance.as_str()));
    assert_eq!(updates.last().unwrap()["instance"]["status"], "completed");
    ws.send(json!({"id": "activity", "type": "complete"})).await;
}

async fn subscriptions(app: TestApp) {
    let t = team(&app).await;
    flow_reaches_subscriptions(&app, &app, &t).await;

    // No or a bad token in connection_init: the connection is refused.
    assert!(Ws::connect(&app, "not-a-token").await.is_err());
    // Another team's activity is not the caller's.
    let other = app.register("other@example.com", Some("Other")).await;
    let mut ws = Ws::connect(&app, &other.token).await.unwrap();
    ws.subscribe("x", ACTIVITY, json!({"t": t.id})).await;
    let m = ws.next().await.unwrap();
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{m}"
    );
    assert_eq!(ws.next().await.unwrap()["type"], "complete");

    // taskUpdates of a user: resumed after a seq, only that user's tasks.
    let mut ws = Ws::connect(&app, &t.token).await.unwrap();
    ws.subscribe("mine", "subscription($t: ID!, $u: ID!) { taskUpdates(teamId: $t, userId: $u, afterSeq: 0) { event { type } task { title assignedTo } } }",
        json!({"t": t.id, "u": t.owner_id})).await;
    app.post(&t.p("/tasks"), &t.token, json!({"title": "Not mine"}))
        .await
        .expect(201);
    app.post(
        &t.p("/tasks"),
        &t.token,
        json!({"title": "Mine", "assigned_to": t.owner_id}),
    )
    .await
    .expect(201);
    let got = collect(&mut ws, "mine", "taskUpdates", "task.created").await;
    assert!(
        got.iter()
            .all(|u| u["task"]["assignedTo"] == t.owner_id.as_str()),
        "{got:?}"
    );
}

/// Two nodes on one PostgreSQL database: a subscription on node B receives every event of a
/// flow driven through node A, through the notifications alone (no rechecks of the log).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_node_feeds_subscriptions() {
    let Some(a) = common::spawn_with(common::Backend::Postgres, common::SIGNALS_ONLY).await else {
        return;
    };
    let b = a.another_node_with(common::SIGNALS_ONLY).await;
    let t = team(&a).await;
    flow_reaches_subscriptions(&a, &b, &t).await;
}

/// The explorer is served with its files from the binary, nothing from elsewhere.
async fn explorer(app: TestApp) {
    let page = app
        .client
        .get(format!("{}/graphql", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("GraphiQL"));
    for src in html
        .split("src=\"")
        .skip(1)
        .chain(html.split("href=\"").skip(1))
    {
        let url = src.split('"').next().unwrap();
        if url.starts_with("data:") {
            continue; // inline (the empty favicon)
        }
        assert!(
            url.starts_with("/graphql/assets/"),
            "{url} is not served by orgata"
        );
        let asset = app
            .client
            .get(format!("{}{url}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(asset.status(), 200, "{url}");
        assert!(asset.bytes().await.unwrap().len() > 1000);
    }
    assert_eq!(
        app.client
            .get(format!("{}/graphql/assets/nope.js", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

both_backends!(
    spec_queries_and_mutations,
    errors_pages_and_limits,
    idempotent_mutations,
    mutations_answer_their_types,
    subscriptions,
    explorer
);

const INTROSPECT: &str = "{ __schema { queryType { name } types { name kind fields {
    name args { name type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

/// The named type under `NON_NULL` and `LIST` wrappers.
fn named_type(t: &Value) -> (&str, &str) {
    let mut t = t;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    (t["kind"].as_str().unwrap(), t["name"].as_str().unwrap())
}

/// A selection of every field of `name` that takes no required argument, objects `depth` deep.
fn selection(types: &HashMap<String, Value>, name: &str, depth: usize) -> String {
    let mut fields = Vec::new();
    for f in types[name]["fields"].as_array().unwrap() {
        if f["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["type"]["kind"] == "NON_NULL")
        {
            continue;
        }
        let field = f["name"].as_str().unwrap();
        match named_type(&f["type"]) {
            ("OBJECT", inner) if depth > 0 => fields.push(format!(
                "{field} {{ {} }}",
                selection(types, inner, depth - 1)
            )),
            ("OBJECT", _) => {}
            _ => fields.push(field.to_string()),
        }
    }
    fields.join(" ")
}

/// Every team-wide query, selecting every field two levels deep, answers the demo team's
/// records without an error: the types made from the REST components fit the data.
async fn every_team_query_answers(app: TestApp) {
    let session = app
        .public_post(
            "/v1/auth/login",
            json!({"email": orgata::demo::EMAIL, "password": orgata::demo::PASSWORD}),
        )
        .await
        .expect(200);
    let token = session.data()["access_token"].as_str().unwrap().to_string();
    let teams = data(&app, &token, "{ teams { nodes { id } } }", json!({})).await;
    let team = teams["teams"]["nodes"][0]["id"].clone();
    let schema = data(&app, &token, INTROSPECT, json!({})).await;
    let types: HashMap<String, Value> = schema["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t.clone()))
        .collect();
    let mut asked = 0;
    for f in types["Query"]["fields"].as_array().unwrap() {
        let required: Vec<&str> = f["args"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["type"]["kind"] == "NON_NULL")
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        if required.iter().any(|a| *a != "teamId") {
            continue;
        }
        let name = f["name"].as_str().unwrap();
        let (kind, inner) = named_type(&f["type"]);
        let args = if required.is_empty() {
            String::new()
        } else {
            "(teamId: $t)".to_string()
        };
        let body = match kind {
            "OBJECT" => format!(" {{ {} }}", selection(&types, inner, 2)),
            _ => String::new(),
        };
        let query = if required.is_empty() {
            format!("{{ {name}{body} }}")
        } else {
            format!("query($t: ID!) {{ {name}{args}{body} }}")
        };
        data(&app, &token, &query, json!({"t": team})).await;
        asked += 1;
    }
    assert!(asked >= 25, "only {asked} queries asked");
}

/// Runs `mutation { name(args) { every field, two levels deep } }`; answers its data.
async fn mutate(
    app: &TestApp,
    token: &str,
    types: &HashMap<String, Value>,
    name: &str,
    args: &str,
) -> Value {
    let field = types["Mutation"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no mutation {name}"));
    let body = match named_type(&field["type"]) {
        ("OBJECT", inner) => format!(" {{ {} }}", selection(types, inner, 2)),
        _ => String::new(),
    };
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({args})")
    };
    data(
        app,
        token,
        &format!("mutation {{ {name}{args}{body} }}"),
        json!({}),
    )
    .await[name]
        .clone()
}

/// Mutations of every kind answer their whole types (every field, two levels deep).
async fn mutations_answer_their_types(app: TestApp) {
    let t = team(&app).await;
    let schema = data(&app, &t.token, INTROSPECT, json!({})).await;
    let types: HashMap<String, Value> = schema["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t.clone()))
        .collect();
    let (tok, team) = (t.token.as_str(), t.id.as_str());
    let m = |name: &'static str, args: String| {
        let types = &types;
        let app = &app;
        async move { mutate(app, tok, types, name, &args).await }
    };
    m(
        "createPersonalToken",
        r#"input: {name: "ci", scopes: [read]}"#.into(),
    )
    .await;
    m(
        "createAgent",
        format!(r#"teamId: "{team}", input: {{displayName: "Bot", accessRole: editor}}"#),
    )
    .await;
    let hook = m(
        "createWebhook",
        format!(
            r#"teamId: "{team}", input: {{url: "http://127.0.0.1:9/hook", eventTypes: ["task.*"]}}"#
        ),
    )
    .await;
    assert!(hook["secret"].as_str().unwrap().starts_with("whsec_"));
    m(
        "createSecret",
        format!(r#"teamId: "{team}", input: {{name: "API_KEY", value: "s3cret"}}"#),
    )
    .await;
    m(
        "createDocument",
        format!(r#"teamId: "{team}", input: {{name: "Policy", templateContent: "Be kind"}}"#),
    )
    .await;
    m(
        "createRule",
        format!(r#"teamId: "{team}", input: {{name: "Big orders", conditions: {{expression: "output.amount > 1000"}}}}"#),
    )
    .await;
    let report = m("createReport", format!(r#"teamId: "{team}", input: {{name: "Weekly", type: performance, format: json, runNow: true}}"#)).await;
    let report_id = report["report"]["id"].as_str().unwrap().to_string();
    m(
        "runReport",
        format!(r#"teamId: "{team}", reportId: "{report_id}""#),
    )
    .await;
    m(
        "createDashboard",
        format!(r#"teamId: "{team}", input: {{name: "Ops"}}"#),
    )
    .await;
    m("enrolTotp", String::new()).await;
    m(
        "createBranch",
        format!(r#"teamId: "{team}", input: {{name: "try"}}"#),
    )
    .await;
    m(
        "createMerge",
        format!(r#"teamId: "{team}", input: {{source: "try", target: "main"}}"#),
    )
    .await;

    let other = common::start_two_steps(&app, &t).await;
    let raised = m("raiseException", format!(r#"teamId: "{team}", instanceId: "{other}", input: {{message: "Stuck", type: manual_override}}"#)).await;
    let exception = raised["id"].as_str().unwrap().to_string();
    let handled = m("handleException", format!(r#"teamId: "{team}", instanceId: "{other}", exceptionId: "{exception}", input: {{strategy: cancel, reason: "Not needed"}}"#)).await;
    assert_eq!(handled["handled"], true);
    let instance = common::start_two_steps(&app, &t).await;
    m(
        "pauseProcessInstance",
        format!(r#"teamId: "{team}", instanceId: "{instance}", input: {{reason: "Wait"}}"#),
    )
    .await;
    m(
        "resumeProcessInstance",
        format!(r#"teamId: "{team}", instanceId: "{instance}""#),
    )
    .await;
    let tasks = data(
        &app,
        tok,
        "query($t: ID!) { tasks(teamId: $t, filters: {openOnly: true}) { nodes { id } } }",
        json!({"t": team}),
    )
    .await;
    let task = tasks["tasks"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    m(
        "claimTask",
        format!(r#"teamId: "{team}", taskId: "{task}""#),
    )
    .await;
    m(
        "commentTask",
        format!(r#"teamId: "{team}", taskId: "{task}", input: {{body: "On it"}}"#),
    )
    .await;
    m(
        "updateTask",
        format!(r#"teamId: "{team}", taskId: "{task}", input: {{priority: high}}"#),
    )
    .await;
    let cancelled = m(
        "cancelProcessInstance",
        format!(r#"teamId: "{team}", instanceId: "{instance}", input: {{reason: "Done"}}"#),
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
}

mod every_team_query_answers {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if let Some(app) = crate::common::spawn_demo(crate::common::Backend::Sqlite).await {
            super::every_team_query_answers(app).await
        }
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(app) = crate::common::spawn_demo(crate::common::Backend::Postgres).await {
            super::every_team_query_answers(app).await
        }
    }
}

/// The schema, pinned: a change to it is a change to the contract.
#[test]
fn schema_snapshot() {
    common::snapshot("schema.graphql", &orgata_graphql::sdl());
}
