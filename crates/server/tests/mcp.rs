//! The MCP door over real HTTP (and stdio): the gate (Host, Origin, token, RFC 9728), an agent
//! member working a process end to end, tool errors, idempotency, read-only sessions and
//! toolsets, resources, prompts, and the snapshot of every list with its schemas.

mod common;

use common::{team, Team, TestApp};
use serde_json::{json, Value};

/// A JSON-RPC call to `/mcp` (stateless, as a client that sends no protocol headers).
async fn rpc_with(
    app: &TestApp,
    token: Option<&str>,
    headers: &[(&str, &str)],
    method: &str,
    params: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = app
        .client
        .post(format!("{}/mcp", app.base))
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn rpc(app: &TestApp, token: &str, method: &str, params: Value) -> Value {
    let (status, _, body) = rpc_with(app, Some(token), &[], method, params).await;
    assert_eq!(status, 200, "{method}: {body}");
    body
}

/// Calls a tool; answers `(is_error, structured content or the parsed error text)`.
async fn call(app: &TestApp, token: &str, name: &str, args: Value) -> (bool, Value) {
    let body = rpc(
        app,
        token,
        "tools/call",
        json!({"name": name, "arguments": args}),
    )
    .await;
    let result = &body["result"];
    assert!(result.is_object(), "{name}: {body}");
    let is_error = result["isError"].as_bool().unwrap_or(false);
    if is_error {
        let text = result["content"][0]["text"].as_str().unwrap_or("{}");
        (true, serde_json::from_str(text).unwrap_or(Value::Null))
    } else {
        check_output(app, token, name, &result["structuredContent"]).await;
        (false, result["structuredContent"].clone())
    }
}

/// A tool call that must succeed.
async fn ok(app: &TestApp, token: &str, name: &str, args: Value) -> Value {
    let (is_error, value) = call(app, token, name, args).await;
    assert!(!is_error, "{name} failed: {value}");
    value
}

/// A tool call that must fail with `code`; answers the error.
async fn fails(app: &TestApp, token: &str, name: &str, args: Value, code: &str) -> Value {
    let (is_error, value) = call(app, token, name, args).await;
    assert!(is_error, "{name} should fail with {code}: {value}");
    assert_eq!(value["code"], code, "{name}: {value}");
    assert!(
        value["next"].as_str().is_some_and(|n| !n.is_empty()),
        "{name}: {value}"
    );
    value
}

/// Every structured answer validates against the output schema its tool declares.
async fn check_output(app: &TestApp, token: &str, name: &str, value: &Value) {
    let tools = rpc(app, token, "tools/list", json!({})).await;
    let tool = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .cloned()
        .unwrap();
    let schema = &tool["outputSchema"];
    let validator = jsonschema::validator_for(schema).expect("a valid output schema");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{value}");
}

/// Reads a resource as parsed JSON.
async fn read(app: &TestApp, token: &str, uri: &str) -> Value {
    let body = rpc(app, token, "resources/read", json!({ "uri": uri })).await;
    let text = body["result"]["contents"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{uri}: {body}"));
    serde_json::from_str(text).unwrap()
}

/// A playbook with an agent step (`draft`) then a human step (`approve`).
async fn playbook(app: &TestApp, t: &Team) -> String {
    app.post(
        &t.p("/processes"),
        &t.token,
        json!({"name": "Reply to a customer", "description": "Draft and approve a reply", "steps": [
            {"id": "draft", "name": "Draft the reply", "type": "agent"},
            {"id": "approve", "name": "Approve the reply", "type": "human"},
        ]}),
    )
    .await
    .expect(201)
    .data()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An agent member with `role`, and its token.
async fn agent(app: &TestApp, t: &Team, role: &str) -> (String, String) {
    let a = app
        .post(
            &t.p("/agents"),
            &t.token,
            json!({"display_name": "Drafting agent", "access_role": role}),
        )
        .await
        .expect(201);
    (
        a.data()["user"]["id"].as_str().unwrap().to_string(),
        a.data()["token"].as_str().unwrap().to_string(),
    )
}

async fn gate(app: TestApp) {
    let t = team(&app).await;
    // No token: 401 with the challenge naming the resource metadata; on every method.
    for method in ["tools/list", "resources/list", "prompts/list", "tools/call"] {
        let (status, headers, _) = rpc_with(&app, None, &[], method, json!({})).await;
        assert_eq!(status, 401, "{method}");
        let challenge = headers["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.starts_with("Bearer resource_metadata=\"http://127.0.0.1:")
                && challenge.contains("/.well-known/oauth-protected-resource/mcp\""),
            "{challenge}"
        );
    }
    let (status, headers, _) =
        rpc_with(&app, Some("orgata_pat_nope"), &[], "tools/list", json!({})).await;
    assert_eq!(status, 401);
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("error=\"invalid_token\""));
    // RFC 9728 metadata, at both addresses.
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let meta: Value = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(meta["resource"], format!("{}/mcp", app.base));
        assert_eq!(meta["bearer_methods_supported"], json!(["header"]));
    }
    // DNS rebinding: a foreign Host is refused before the token is even looked at; so is a
    // foreign Origin, while a loopback one on any port is welcome.
    let token = Some(t.token.as_str());
    for (token, header, expected) in [
        (None, ("host", "evil.example:80"), 403),
        (token, ("host", "evil.example:80"), 403),
        (token, ("origin", "http://evil.example"), 403),
        (token, ("origin", "http://localhost:5173"), 200),
    ] {
        let (status, _, _) = rpc_with(&app, token, &[header], "tools/list", json!({})).await;
        assert_eq!(status, expected, "{header:?}");
    }
    // The modern protocol (2026-07-28): per-request metadata, no session.
    let (status, _, body) = rpc_with(
        &app,
        Some(&t.token),
        &[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/list"),
        ],
        "tools/list",
        json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "test-client", "version": "1.0"},
            "io.modelcontextprotocol/clientCapabilities": {}}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["tools"].as_array().unwrap().len(), 16);
    assert_eq!(body["result"]["resultType"], "complete");
    // The legacy handshake still works.
    let body = rpc(
        &app,
        &t.token,
        "initialize",
        json!({"protocolVersion": "2025-06-18",
        "capabilities": {}, "clientInfo": {"name": "old-client", "version": "0.9"}}),
    )
    .await;
    assert_eq!(body["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(body["result"]["serverInfo"]["name"], "orgata");
    assert!(body["result"]["capabilities"]["tools"]
        .get("listChanged")
        .is_none());
}

async fn agent_flow(app: TestApp) {
    let t = team(&app).await;
    let playbook_id = playbook(&app, &t).await;
    let (agent_id, agent_token) = agent(&app, &t, "editor").await;

    // The agent sees the library and starts an instance (its team is its only team).
    let library = read(&app, &agent_token, "playbooks://library").await;
    assert_eq!(library["items"][0]["id"], playbook_id.as_str());
    let instance = ok(
        &app,
        &agent_token,
        "create_process",
        json!({"playbook_id": playbook_id, "name": "Ticket 42", "variables": {"ticket": 42}}),
    )
    .await;
    let instance_id = instance["id"].as_str().unwrap().to_string();
    assert_eq!(instance["status"], "running");

    // The agent step's task is offered to the agent, which completes it.
    let tasks = read(&app, &agent_token, "tasks://assigned").await;
    let task = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["step_id"] == "draft")
        .expect("the agent step's task is offered")
        .clone();
    // People are not offered agent steps' tasks.
    let owners = read(&app, &t.token, "tasks://assigned").await;
    assert!(owners["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["step_id"] != "draft"));
    let current = read(&app, &agent_token, "process://current").await;
    assert_eq!(current["items"][0]["id"], instance_id.as_str());
    let done = ok(
        &app,
        &agent_token,
        "complete_task",
        json!({"task_id": task["id"], "output": {"reply": "Thanks, fixed."}}),
    )
    .await;
    assert_eq!(done["status"], "completed");
    let status = ok(
        &app,
        &agent_token,
        "get_process_status",
        json!({"instance_id": instance_id}),
    )
    .await;
    assert_eq!(status["instance"]["current_step_id"], "approve");
    assert!(status["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["step_id"] == "approve" && t["status"] == "open"));
    let owners = read(&app, &t.token, "tasks://assigned").await;
    assert_eq!(owners["items"][0]["step_id"], "approve");
    let agents = read(&app, &agent_token, "tasks://assigned").await;
    assert!(agents["items"].as_array().unwrap().is_empty(), "{agents}");

    // The audit trail says it came through MCP, as the agent.
    let audit = app
        .get(&t.p("/audit?page_size=100"), &t.token)
        .await
        .expect(200);
    let completed = audit
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "task.completed")
        .expect("a task.completed event")
        .clone();
    assert_eq!(completed["actor"]["id"], agent_id.as_str());
    assert!(
        completed["via"].as_str().unwrap().starts_with("MCP"),
        "{completed}"
    );

    // As an editor, the agent branches the playbook and opens a proposal people review.
    let mut body = app
        .get(&t.p(&format!("/processes/{playbook_id}")), &t.token)
        .await
        .expect(200)
        .data()
        .clone();
    body["steps"][1]["name"] = json!("Approve and send the reply");
    for k in ["id", "team_id", "version", "created_at", "updated_at"] {
        body.as_object_mut().unwrap().remove(k);
    }
    fails(
        &app,
        &agent_token,
        "update_process",
        json!({"playbook_id": playbook_id, "branch": "main", "playbook": body}),
        "VALIDATION_FAILED",
    )
    .await;
    let saved = ok(&app, &agent_token, "update_process",
        json!({"playbook_id": playbook_id, "branch": "agent-reply", "playbook": body, "message": "Name the sending"})).await;
    assert_eq!(saved["steps"][1]["name"], "Approve and send the reply");
    let proposal = ok(
        &app,
        &agent_token,
        "create_proposal",
        json!({"title": "Send on approval", "branch": "agent-reply"}),
    )
    .await;
    let proposal_id = proposal["id"].as_str().unwrap().to_string();
    assert_eq!(proposal["target_branch"], "main");
    let diff = read(
        &app,
        &agent_token,
        &format!("proposal://{proposal_id}/diff"),
    )
    .await;
    assert!(diff["ahead_by"].as_i64().unwrap() >= 1, "{diff}");

    // The owner reviews and merges through MCP too.
    let review = ok(
        &app,
        &t.token,
        "review_change",
        json!({"proposal_id": proposal_id, "decision": "approved", "comments": "Good"}),
    )
    .await;
    assert_eq!(review["status"], "approved");
    let merged = ok(
        &app,
        &t.token,
        "merge_branch",
        json!({"proposal_id": proposal_id}),
    )
    .await;
    assert_eq!(merged["status"], "merged");
    let main = read(&app, &t.token, &format!("playbook://{playbook_id}")).await;
    assert_eq!(main["steps"][1]["name"], "Approve and send the reply");

    // The analytics tools answer from the engine, saying when there is no data yet.
    let perf = ok(&app, &agent_token, "analyze_performance", json!({})).await;
    assert!(perf["overview"]["processes"].is_array());
    let one = ok(
        &app,
        &agent_token,
        "analyze_performance",
        json!({"playbook_id": playbook_id}),
    )
    .await;
    assert_eq!(one["process"]["metrics"]["total_executions"], 1);
    for name in [
        "identify_bottlenecks",
        "predict_outcomes",
        "detect_anomalies",
        "recommend_improvements",
        "generate_insights",
    ] {
        ok(&app, &agent_token, name, json!({})).await;
    }
    let members = ok(&app, &agent_token, "list_team_members", json!({})).await;
    assert_eq!(members["items"].as_array().unwrap().len(), 2);
}

async fn errors_and_idempotency(app: TestApp) {
    let t = team(&app).await;
    let playbook_id = playbook(&app, &t).await;
    let missing = uuid::Uuid::now_v7();
    let e = fails(
        &app,
        &t.token,
        "complete_task",
        json!({"task_id": missing}),
        "NOT_FOUND",
    )
    .await;
    assert!(e["next"].as_str().unwrap().contains("tasks://assigned"));
    let e = fails(
        &app,
        &t.token,
        "create_process",
        json!({"playbook_id": playbook_id, "colour": "red"}),
        "VALIDATION_FAILED",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("colour"), "{e}");
    fails(
        &app,
        &t.token,
        "create_process",
        json!({}),
        "VALIDATION_FAILED",
    )
    .await;
    fails(
        &app,
        &t.token,
        "execute_step",
        json!({"instance_id": missing, "step_id": "a", "action": "skip"}),
        "VALIDATION_FAILED",
    )
    .await;
    fails(&app, &t.token, "no_such_tool", json!({}), "NOT_FOUND").await;

    // The same key twice: one instance; the key with other arguments: refused.
    let args = json!({"playbook_id": playbook_id, "name": "once", "idempotency_key": "k-1"});
    let first = ok(&app, &t.token, "create_process", args.clone()).await;
    let second = ok(&app, &t.token, "create_process", args).await;
    assert_eq!(first["id"], second["id"]);
    fails(
        &app,
        &t.token,
        "create_process",
        json!({"playbook_id": playbook_id, "name": "other", "idempotency_key": "k-1"}),
        "VALIDATION_FAILED",
    )
    .await;
    let page = app
        .get(&t.p("/process-instances"), &t.token)
        .await
        .expect(200);
    assert_eq!(page.data().as_array().unwrap().len(), 1);

    // Another team's member learns nothing of this team's records.
    let other = app.register("other@example.com", Some("Elsewhere")).await;
    fails(
        &app,
        &other.token,
        "get_process_status",
        json!({"team_id": t.id, "instance_id": first["id"]}),
        "NOT_FOUND",
    )
    .await;
    // Someone in two teams must say which.
    app.post(
        &t.p("/members"),
        &t.token,
        json!({"email": "other@example.com", "access_role": "member"}),
    )
    .await
    .expect(201);
    let e = fails(
        &app,
        &other.token,
        "list_team_members",
        json!({}),
        "VALIDATION_FAILED",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("team_id"));
    ok(
        &app,
        &other.token,
        "list_team_members",
        json!({"team_id": t.id}),
    )
    .await;
}

async fn read_only_and_toolsets(app: TestApp) {
    let t = team(&app).await;
    let playbook_id = playbook(&app, &t).await;
    let names = |body: &Value| -> Vec<String> {
        body["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, _, body) = rpc_with(
        &app,
        Some(&t.token),
        &[("x-mcp-readonly", "true")],
        "tools/list",
        json!({}),
    )
    .await;
    let listed = names(&body);
    assert_eq!(listed.len(), 8, "{listed:?}");
    assert!(!listed.contains(&"create_process".to_string()));
    let (_, _, body) = rpc_with(
        &app,
        Some(&t.token),
        &[("x-mcp-readonly", "true")],
        "tools/call",
        json!({"name": "create_process", "arguments": {"playbook_id": playbook_id}}),
    )
    .await;
    assert_eq!(body["result"]["isError"], true);
    assert!(body["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("FORBIDDEN"));
    let (_, _, body) = rpc_with(
        &app,
        Some(&t.token),
        &[("x-mcp-toolsets", "analytics,team")],
        "tools/list",
        json!({}),
    )
    .await;
    assert_eq!(names(&body).len(), 7, "{:?}", names(&body));

    // A token that may only read makes a read-only session.
    let pat = app
        .post(
            "/v1/me/tokens",
            &t.token,
            json!({"name": "reader", "scopes": ["read"]}),
        )
        .await
        .expect(201);
    let reader = pat.data()["token"].as_str().unwrap().to_string();
    let body = rpc(&app, &reader, "tools/list", json!({})).await;
    assert_eq!(names(&body).len(), 8);
    fails(
        &app,
        &reader,
        "create_process",
        json!({"playbook_id": playbook_id}),
        "FORBIDDEN",
    )
    .await;
}

async fn resources_and_prompts(app: TestApp) {
    let t = team(&app).await;
    let playbook_id = playbook(&app, &t).await;
    let instance = app
        .post(
            &t.p(&format!("/processes/{playbook_id}/instances")),
            &t.token,
            json!({}),
        )
        .await
        .expect(201);
    let instance_id = instance.data()["id"].as_str().unwrap().to_string();

    let listed = rpc(&app, &t.token, "resources/list", json!({})).await;
    let uris: Vec<String> = listed["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(uris.len(), 16);
    for uri in &uris {
        let value = read(&app, &t.token, uri).await;
        assert!(value.is_object(), "{uri}: {value}");
    }
    assert_eq!(
        read(&app, &t.token, "processes://active").await["items"][0]["id"],
        instance_id.as_str()
    );
    assert_eq!(
        read(&app, &t.token, "team://permissions").await["effective_role"],
        "owner"
    );
    assert_eq!(
        read(&app, &t.token, "team://current").await["team"]["name"],
        "Ops"
    );
    assert_eq!(
        read(&app, &t.token, &format!("instance://{instance_id}")).await["id"],
        instance_id.as_str()
    );
    let templates = read(&app, &t.token, "process://templates").await;
    assert_eq!(templates["items"][0]["steps"], 2);

    // Unknown resources: the protocol's not-found error with the URI.
    for uri in [
        "test://nope",
        &format!("playbook://{}", uuid::Uuid::now_v7()),
        "playbook://not-a-uuid",
    ] {
        let body = rpc(&app, &t.token, "resources/read", json!({ "uri": uri })).await;
        assert_eq!(body["error"]["data"]["uri"], *uri, "{body}");
    }
    // Paging with cursors.
    for i in 0..30 {
        app.post(
            &t.p("/processes"),
            &t.token,
            json!({"name": format!("P{i}"), "steps": [{"id": "a", "name": "A", "type": "human"}]}),
        )
        .await
        .expect(201);
    }
    let page1 = read(&app, &t.token, "playbooks://library").await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 25);
    let page2 = read(
        &app,
        &t.token,
        &format!(
            "playbooks://library?cursor={}",
            page1["next_cursor"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 6);
    assert!(page2.get("next_cursor").is_none());

    // Completion of template ids.
    let prefix = &playbook_id[..8];
    let body = rpc(
        &app,
        &t.token,
        "completion/complete",
        json!({
        "ref": {"type": "ref/resource", "uri": "playbook://{playbook_id}"},
        "argument": {"name": "playbook_id", "value": prefix}}),
    )
    .await;
    assert!(
        body["result"]["completion"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == playbook_id.as_str()),
        "{body}"
    );

    // Prompts: every one, filled with the team's records.
    let prompts = rpc(&app, &t.token, "prompts/list", json!({})).await;
    let prompts = prompts["result"]["prompts"].as_array().unwrap().clone();
    assert_eq!(prompts.len(), 11);
    let task = app.get(&t.p("/tasks"), &t.token).await.expect(200).data()[0].clone();
    for p in &prompts {
        let name = p["name"].as_str().unwrap();
        let mut args = serde_json::Map::new();
        for a in p["arguments"].as_array().unwrap() {
            let arg = a["name"].as_str().unwrap();
            let value = match arg {
                "playbook_id" => json!(playbook_id),
                "instance_id" => json!(instance_id),
                "task_id" => task["id"].clone(),
                _ => continue,
            };
            args.insert(arg.into(), value);
        }
        if p["arguments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "proposal_id")
        {
            continue; // covered below, with a real proposal
        }
        let body = rpc(
            &app,
            &t.token,
            "prompts/get",
            json!({"name": name, "arguments": args}),
        )
        .await;
        let text = body["result"]["messages"][0]["content"]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: {body}"));
        // The context holds at least one section of the team's records.
        let context = text.split_once("# Context").map_or("", |(_, c)| c);
        assert!(
            context.contains("\n## ") && context.contains("```json"),
            "{name}: {text}"
        );
    }
    let body = rpc(
        &app,
        &t.token,
        "prompts/get",
        json!({"name": "process_optimization", "arguments": {"playbook_id": playbook_id}}),
    )
    .await;
    assert!(body["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap()
        .contains("Reply to a customer"));
    let body = rpc(
        &app,
        &t.token,
        "prompts/get",
        json!({"name": "task_guidance", "arguments": {}}),
    )
    .await;
    assert!(body["error"]["message"].is_string(), "{body}");
    let body = rpc(
        &app,
        &t.token,
        "prompts/get",
        json!({"name": "process_help", "arguments": {"colour": "red"}}),
    )
    .await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("colour"));
}

async fn proposal_prompts(app: TestApp) {
    let t = team(&app).await;
    let playbook_id = playbook(&app, &t).await;
    let mut body = app
        .get(&t.p(&format!("/processes/{playbook_id}")), &t.token)
        .await
        .expect(200)
        .data()
        .clone();
    body["description"] = json!("Changed");
    ok(
        &app,
        &t.token,
        "update_process",
        json!({"playbook_id": playbook_id, "branch": "desc", "playbook": body}),
    )
    .await;
    let p = ok(
        &app,
        &t.token,
        "create_proposal",
        json!({"title": "Describe", "branch": "desc"}),
    )
    .await;
    for name in [
        "change_impact_analysis",
        "review_assistance",
        "merge_conflict_resolution",
    ] {
        let body = rpc(
            &app,
            &t.token,
            "prompts/get",
            json!({"name": name, "arguments": {"proposal_id": p["id"]}}),
        )
        .await;
        let text = body["result"]["messages"][0]["content"]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: {body}"));
        assert!(
            text.contains("Describe") && text.contains("Changed"),
            "{name}"
        );
    }
}

async fn stdio(app: TestApp) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let t = team(&app).await;
    let pat = app
        .post("/v1/me/tokens", &t.token, json!({"name": "stdio"}))
        .await
        .expect(201);
    let pat = pat.data()["token"].as_str().unwrap().to_string();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_orgata"))
        .args(["mcp", "--stdio"])
        .env("ORGATA_TOKEN", &pat)
        .env("ORGATA_DATABASE_URL", &app.database_url)
        .env("ORGATA_MASTER_KEY_FILE", app.key_file())
        .env("ORGATA_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("orgata mcp --stdio starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut ask = async |id: u32, method: &str, params: Value| -> Value {
        let line = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
            .to_string()
            + "\n";
        stdin.write_all(line.as_bytes()).await.unwrap();
        let answer = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .expect("an answer in time")
            .unwrap()
            .expect("a line");
        serde_json::from_str(&answer).unwrap()
    };
    let init = ask(1, "initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "stdio-test", "version": "1"}})).await;
    assert_eq!(init["result"]["serverInfo"]["name"], "orgata");
    let tools = ask(2, "tools/list", json!({})).await;
    assert_eq!(tools["result"]["tools"].as_array().unwrap().len(), 16);
    let members = ask(
        3,
        "tools/call",
        json!({"name": "list_team_members", "arguments": {}}),
    )
    .await;
    assert_eq!(
        members["result"]["structuredContent"]["items"][0]["email"],
        "owner@example.com"
    );
    // Revoking the token stops the session at its next call.
    let id = app.get("/v1/me/tokens", &t.token).await.expect(200).data()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.delete(&format!("/v1/me/tokens/{id}"), &t.token)
        .await
        .expect(200);
    let refused = ask(
        4,
        "tools/call",
        json!({"name": "list_team_members", "arguments": {}}),
    )
    .await;
    assert_eq!(refused["result"]["isError"], true);
    assert!(refused["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("UNAUTHENTICATED"));
}

both_backends!(
    gate,
    agent_flow,
    errors_and_idempotency,
    read_only_and_toolsets,
    resources_and_prompts,
    proposal_prompts,
    stdio
);

/// MCP requests draw on the token's REST bucket: an empty bucket answers 429 with Retry-After.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited() {
    let app = common::spawn_with(common::Backend::Sqlite, |a| {
        a.rate_limit_burst = Some(3);
        a.rate_limit_per_minute = Some(1);
    })
    .await
    .unwrap();
    let t = team(&app).await;
    // Three requests empty the bucket, whichever door they use.
    app.get("/v1/me", &t.token).await.expect(200);
    rpc(&app, &t.token, "tools/list", json!({})).await;
    rpc(&app, &t.token, "resources/list", json!({})).await;
    let (status, headers, _) = rpc_with(&app, Some(&t.token), &[], "tools/list", json!({})).await;
    assert_eq!(status, 429);
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
}

/// An operator's read-only bound holds whatever the request asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_read_only() {
    let app = common::spawn_with(common::Backend::Sqlite, |a| a.mcp_read_only = Some(true))
        .await
        .unwrap();
    let t = team(&app).await;
    let body = rpc(&app, &t.token, "tools/list", json!({})).await;
    assert_eq!(body["result"]["tools"].as_array().unwrap().len(), 8);
}

/// The tool, resource and prompt lists with their schemas are a public surface: a change must
/// show as a diff of `tests/snapshots/mcp.json` (`UPDATE_SNAPSHOTS=1` rewrites it). The whole
/// `tools/list` stays under about 6,000 tokens, counted as JSON tokenizes at worst (3 characters
/// a token; prose runs nearer 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_snapshot() {
    let app = common::spawn(common::Backend::Sqlite).await.unwrap();
    let t = team(&app).await;
    let tools = rpc(&app, &t.token, "tools/list", json!({})).await["result"]["tools"].clone();
    let size = serde_json::to_string(&tools).unwrap().len();
    assert!(
        size < 18_000,
        "tools/list is {size} characters (about {} tokens)",
        size / 3
    );
    let current = serde_json::to_string_pretty(&json!({
        "tools": tools,
        "resources": rpc(&app, &t.token, "resources/list", json!({})).await["result"]["resources"],
        "resourceTemplates": rpc(&app, &t.token, "resources/templates/list", json!({})).await["result"]["resourceTemplates"],
        "prompts": rpc(&app, &t.token, "prompts/list", json!({})).await["result"]["prompts"],
    }))
    .unwrap()
        + "\n";
    common::snapshot("mcp.json", &current);
}
