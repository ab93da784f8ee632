//! Playbooks and the process engine over REST: definitions and their versions, instances run
//! through tasks and step commands, conditions, parallel joins, exceptions and callbacks.

mod common;

use common::{status_of, team, Team, TestApp};
use serde_json::{json, Value};

async fn create_playbook(app: &TestApp, t: &Team, body: Value) -> Value {
    app.post(&t.p("/processes"), &t.token, body)
        .await
        .expect(201)
        .data()
        .clone()
}

async fn start(app: &TestApp, t: &Team, playbook: &Value, body: Value) -> Value {
    let id = playbook["id"].as_str().unwrap();
    app.post(&t.p(&format!("/processes/{id}/instances")), &t.token, body)
        .await
        .expect(201)
        .data()
        .clone()
}

async fn open_tasks(app: &TestApp, t: &Team, instance: &Value) -> Vec<Value> {
    let id = instance["id"].as_str().unwrap();
    app.get(
        &t.p(&format!("/tasks?process_instance_id={id}&status=open")),
        &t.token,
    )
    .await
    .expect(200)
    .data()
    .as_array()
    .unwrap()
    .clone()
}

async fn execute(
    app: &TestApp,
    t: &Team,
    instance: &Value,
    step: &str,
    output: Value,
) -> common::Answer {
    let id = instance["id"].as_str().unwrap();
    app.post(
        &t.p(&format!("/process-instances/{id}/steps/{step}/execute")),
        &t.token,
        json!({"output": output}),
    )
    .await
}

async fn a_sequential_playbook_runs_to_completion_through_tasks(app: TestApp) {
    let t = team(&app).await;
    let steps: Vec<Value> = (1..=5)
        .map(|i| json!({"name": format!("Step {i}"), "type": "human"}))
        .collect();
    let pb = create_playbook(&app, &t, json!({"name": "Five", "steps": steps})).await;
    assert_eq!(pb["steps"][1]["dependencies"], json!(["step_1"]));
    assert!(pb["version"].as_str().unwrap().len() == 64);
    let mut instance = start(&app, &t, &pb, json!({"business_key": "K-1"})).await;
    assert_eq!(instance["status"], "running");
    assert_eq!(instance["playbook_version"], pb["version"]);
    // A second live instance with the same business key is refused.
    let id = pb["id"].as_str().unwrap();
    app.post(
        &t.p(&format!("/processes/{id}/instances")),
        &t.token,
        json!({"business_key": "K-1"}),
    )
    .await
    .expect_error(409, "CONFLICT");
    for i in 1..=5 {
        assert_eq!(status_of(&instance, &format!("step_{i}")), "running");
        if i < 5 {
            assert_eq!(status_of(&instance, &format!("step_{}", i + 1)), "pending");
        }
        let tasks = open_tasks(&app, &t, &instance).await;
        assert_eq!(tasks.len(), 1, "one open task at a time");
        let task_id = tasks[0]["id"].as_str().unwrap();
        app.post(
            &t.p(&format!("/tasks/{task_id}/claim")),
            &t.token,
            json!({}),
        )
        .await
        .expect(200);
        let done = app
            .post(
                &t.p(&format!("/tasks/{task_id}/complete")),
                &t.token,
                json!({"output": {"n": i}}),
            )
            .await
            .expect(200);
        assert_eq!(done.data()["status"], "completed");
        // Completing the task again is 409.
        app.post(
            &t.p(&format!("/tasks/{task_id}/complete")),
            &t.token,
            json!({}),
        )
        .await
        .expect_error(409, "CONFLICT");
        let iid = instance["id"].as_str().unwrap();
        instance = app
            .get(&t.p(&format!("/process-instances/{iid}")), &t.token)
            .await
            .expect(200)
            .data()
            .clone();
        assert_eq!(status_of(&instance, &format!("step_{i}")), "completed");
    }
    assert_eq!(instance["status"], "completed");
    // The events tell the story.
    let kinds = app.event_types(&t.id, &t.token).await;
    for kind in [
        "playbook.committed",
        "process_instance.started",
        "step.ready",
        "task.created",
        "task.completed",
        "step.completed",
        "process_instance.completed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing");
    }
    // Served at /playbooks too.
    app.get(&t.p(&format!("/playbooks/{id}")), &t.token)
        .await
        .expect(200);
}

async fn parallel_split_and_join(app: TestApp) {
    let t = team(&app).await;
    let pb = create_playbook(
        &app,
        &t,
        json!({"name": "Fan", "steps": [
            {"id": "start", "name": "Start", "type": "human"},
            {"id": "a", "name": "A", "type": "human", "execution_type": "parallel"},
            {"id": "b", "name": "B", "type": "human", "execution_type": "parallel"},
            {"id": "join", "name": "Join", "type": "human"}
        ]}),
    )
    .await;
    let i = start(&app, &t, &pb, json!({})).await;
    let i = execute(&app, &t, &i, "start", json!({}))
        .await
        .expect(200)
        .data()
        .clone();
    assert_eq!(status_of(&i, "a"), "running");
    assert_eq!(status_of(&i, "b"), "running");
    assert_eq!(open_tasks(&app, &t, &i).await.len(), 2);
    let i = execute(&app, &t, &i, "a", json!({}))
        .await
        .expect(200)
        .data()
        .clone();
    assert_eq!(status_of(&i, "join"), "pending", "waits for every branch");
    let i = execute(&app, &t, &i, "b", json!({}))
        .await
        .expect(200)
        .data()
        .clone();
    assert_eq!(status_of(&i, "join"), "running");
}

async fn a_conditional_branch_takes_each_way(app: TestApp) {
    let t = team(&app).await;
    let pb = create_playbook(
        &app,
        &t,
        json!({"name": "Purchase", "variables_schema": {"type": "object", "required": ["amount"],
                "properties": {"amount": {"type": "number"}}},
            "steps": [
            {"id": "request", "name": "Request", "type": "human"},
            {"id": "approve", "name": "Approve", "type": "human", "execution_type": "conditional",
             "condition": "variables.amount > 100"},
            {"id": "auto", "name": "Auto-approve", "type": "algorithm", "execution_type": "conditional",
             "dependencies": ["request"], "condition": "variables.amount <= 100",
             "automation_config": {"action": "set_variables", "variables": {"approved": "true"}}},
            {"id": "order", "name": "Order", "type": "human", "dependencies": ["approve", "auto"]}
        ]}),
    )
    .await;
    // Variables are checked against the schema.
    let id = pb["id"].as_str().unwrap();
    let bad = app
        .post(
            &t.p(&format!("/processes/{id}/instances")),
            &t.token,
            json!({"variables": {"amount": "lots"}}),
        )
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(
        bad.body["error"]["details"][0]["field"],
        "/variables/amount"
    );

    let big = start(&app, &t, &pb, json!({"variables": {"amount": 500}})).await;
    let big = execute(&app, &t, &big, "request", json!({}))
        .await
        .expect(200)
        .data()
        .clone();
    assert_eq!(status_of(&big, "approve"), "running");
    assert_eq!(status_of(&big, "auto"), "skipped");
    assert_eq!(status_of(&big, "order"), "pending");

    let small = start(&app, &t, &pb, json!({"variables": {"amount": 50}})).await;
    let small = execute(&app, &t, &small, "request", json!({}))
        .await
        .expect(200)
        .data()
        .clone();
    assert_eq!(status_of(&small, "approve"), "skipped");
    assert_eq!(status_of(&small, "auto"), "completed");
    assert_eq!(small["variables"]["approved"], true);
    assert_eq!(status_of(&small, "order"), "running");
}

async fn invalid_output_is_refused_and_nothing_changes(app: TestApp) {
    let t = team(&app).await;
    let pb = create_playbook(
        &app,
        &t,
        json!({"name": "Form", "steps": [
            {"id": "fill", "name": "Fill", "type": "human",
             "form": {"type": "object", "required": ["score"], "properties": {"score": {"type": "integer", "maximum": 10}}},
             "validation_rules": [{"expression": "output.score >= 1", "message": "score must be at least 1"}]},
            {"id": "next", "name": "Next", "type": "human"}
        ]}),
    )
    .await;
    let i = start(&app, &t, &pb, json!({})).await;
    let bad = execute(&app, &t, &i, "fill", json!({"score": 99}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(bad.body["error"]["details"][0]["field"], "/output/score");
    let rule = execute(&app, &t, &i, "fill", json!({"score": 0}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert!(rule.body.to_string().contains("score must be at least 1"));
    let iid = i["id"].as_str().unwrap();
    let after = app
        .get(&t.p(&format!("/process-instances/{iid}")), &t.token)
        .await
        .expect(200);
    assert_eq!(
        after.data()["step_executions"],
        i["step_executions"],
        "nothing changed"
    );
    execute(&app, &t, &i, "fill", json!({"score": 7}))
        .await
        .expect(200);
    // Executing a finished step is 409.
    execute(&app, &t, &i, "fill", json!({"score": 7}))
        .await
        .expect_error(409, "CONFLICT");
}

async fn skip_override_retry_and_exceptions(app: TestApp) {
    let t = team(&app).await;
    let pb = create_playbook(
        &app,
        &t,
        json!({"name": "Ops", "steps": [
            {"id": "a", "name": "A", "type": "human"},
            {"id": "b", "name": "B", "type": "human"},
            {"id": "c", "name": "C", "type": "human"}
        ]}),
    )
    .await;
    let i = start(&app, &t, &pb, json!({})).await;
    let iid = i["id"].as_str().unwrap().to_string();
    let path = |s: &str| t.p(&format!("/process-instances/{iid}{s}"));
    let skipped = app
        .post(
            &path("/steps/a/skip"),
            &t.token,
            json!({"reason": "not needed"}),
        )
        .await
        .expect(200);
    assert_eq!(status_of(skipped.data(), "a"), "skipped");
    app.post(&path("/steps/a/skip"), &t.token, json!({"reason": "again"}))
        .await
        .expect_error(409, "CONFLICT");
    let over = app
        .post(
            &path("/steps/b/override"),
            &t.token,
            json!({"output": {"ok": true}, "reason": "done offline"}),
        )
        .await
        .expect(200);
    assert_eq!(status_of(over.data(), "b"), "overridden");
    // Raise an exception on c by hand, handle it by retrying: the old execution stays.
    let x = app
        .post(
            &path("/exceptions"),
            &t.token,
            json!({"type": "resource_unavailable", "message": "system down", "step_id": "c"}),
        )
        .await
        .expect(201);
    let xid = x.data()["id"].as_str().unwrap();
    let handled = app
        .post(
            &path(&format!("/exceptions/{xid}/handle")),
            &t.token,
            json!({"strategy": "retry", "reason": "try again"}),
        )
        .await
        .expect(200);
    assert_eq!(handled.data()["handled"], true);
    let after = app.get(&path(""), &t.token).await.expect(200);
    let c_execs: Vec<&Value> = after.data()["step_executions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["step_id"] == "c")
        .collect();
    assert_eq!(c_execs.len(), 2);
    assert_eq!(c_execs[0]["status"], "failed");
    assert_eq!(c_execs[1]["status"], "running");
    assert_eq!(c_execs[1]["iteration"], 2);
    app.post(
        &path(&format!("/exceptions/{xid}/handle")),
        &t.token,
        json!({"strategy": "skip", "reason": "x"}),
    )
    .await
    .expect_error(409, "CONFLICT");
    // Pause blocks work; resume allows it; cancel ends it.
    app.post(&path("/pause"), &t.token, json!({"reason": "audit"}))
        .await
        .expect(200);
    execute(&app, &t, &i, "c", json!({}))
        .await
        .expect_error(409, "CONFLICT");
    app.post(&path("/resume"), &t.token, json!({}))
        .await
        .expect(200);
    app.post(&path("/cancel"), &t.token, json!({"reason": "stop"}))
        .await
        .expect(200);
    let gone = app.get(&path(""), &t.token).await.expect(200);
    assert_eq!(gone.data()["status"], "cancelled");
    assert!(
        open_tasks(&app, &t, &i).await.is_empty(),
        "open tasks are cancelled"
    );
    app.post(&path("/cancel"), &t.token, json!({}))
        .await
        .expect_error(409, "CONFLICT");
}

async fn edits_make_versions_and_instances_keep_theirs(app: TestApp) {
    let t = team(&app).await;
    let pb = create_playbook(
        &app,
        &t,
        json!({"name": "V", "steps": [{"id": "one", "name": "One", "type": "human"}]}),
    )
    .await;
    let id = pb["id"].as_str().unwrap();
    let i = start(&app, &t, &pb, json!({})).await;
    let mut edited = pb.clone();
    edited["steps"] = json!([{"id": "one", "name": "One", "type": "human"}, {"id": "two", "name": "Two", "type": "human"}]);
    let v2 = app
        .put(&t.p(&format!("/processes/{id}")), &t.token, edited.clone())
        .await
        .expect(200);
    assert_ne!(v2.data()["version"], pb["version"]);
    // A stale version is 409 with the current one.
    let stale = app
        .put(&t.p(&format!("/processes/{id}")), &t.token, edited)
        .await
        .expect_error(409, "CONFLICT");
    assert_eq!(
        stale.body["error"]["details"]["current_version"],
        v2.data()["version"]
    );
    // The document returned by GET can be PUT back unchanged: no new version.
    let current = app
        .get(&t.p(&format!("/processes/{id}")), &t.token)
        .await
        .expect(200);
    let same = app
        .put(
            &t.p(&format!("/processes/{id}")),
            &t.token,
            current.data().clone(),
        )
        .await
        .expect(200);
    assert_eq!(same.data()["version"], v2.data()["version"]);
    let history = app
        .get(&t.p(&format!("/processes/{id}/history")), &t.token)
        .await
        .expect(200);
    assert_eq!(history.body["pagination"]["total_count"], 2);
    // The old version is readable by commit id.
    let old = app
        .get(
            &t.p(&format!(
                "/processes/{id}?ref={}",
                pb["version"].as_str().unwrap()
            )),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(old.data()["steps"].as_array().unwrap().len(), 1);
    // The running instance keeps its version: completing its only step completes it.
    let done = execute(&app, &t, &i, "one", json!({})).await.expect(200);
    assert_eq!(done.data()["status"], "completed");
    // Archiving: running instances continue, new ones do not start.
    let j = start(&app, &t, &v2.data().clone(), json!({})).await;
    // Archiving from a stale version (If-Match) is 409 and archives nothing.
    let stale = app
        .client
        .delete(format!("{}{}", app.base, t.p(&format!("/processes/{id}"))))
        .bearer_auth(&t.token)
        .header(
            "if-match",
            format!("\"{}\"", pb["version"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 409);
    app.delete(&t.p(&format!("/processes/{id}")), &t.token)
        .await
        .expect(200);
    app.post(
        &t.p(&format!("/processes/{id}/instances")),
        &t.token,
        json!({}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    execute(&app, &t, &j, "one", json!({})).await.expect(200);
}

async fn invalid_definitions_name_each_problem(app: TestApp) {
    let t = team(&app).await;
    let bad = app
        .post(&t.p("/processes"), &t.token, json!({"name": "Bad", "steps": [
            {"id": "a", "name": "A", "type": "human", "dependencies": ["b"]},
            {"id": "b", "name": "B", "type": "human", "dependencies": ["a"]},
            {"id": "c", "name": "C", "type": "human", "condition": "variables.x >", "form": {"type": "nope"}},
            {"id": "d", "name": "D", "type": "human", "inputs": [{"name": "x", "expression": "steps.zz.output"}]}
        ]}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    let fields: Vec<(String, String)> = bad.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (f, c) in [
        ("/steps/0/dependencies", "cycle"),
        ("/steps/2/condition", "invalid_expression"),
        ("/steps/2/form", "invalid_schema"),
        ("/steps/3/inputs/0/expression", "unknown_step"),
    ] {
        assert!(
            fields.iter().any(|(ff, cc)| ff == f && cc == c),
            "{f} {c} missing in {fields:?}"
        );
    }
    assert_eq!(
        app.get(&t.p("/processes"), &t.token).await.expect(200).body["pagination"]["total_count"],
        0
    );
    // A document can be a step's form.
    let doc = app
        .post(
            &t.p("/documents"),
            &t.token,
            json!({"name": "Expense form", "type": "form",
            "schema": {"type": "object", "required": ["total"]}}),
        )
        .await
        .expect(201);
    let doc_id = doc.data()["id"].as_str().unwrap();
    let pb = create_playbook(
        &app,
        &t,
        json!({"name": "Expenses", "steps": [
        {"id": "claim", "name": "Claim", "type": "human", "form_document_id": doc_id}]}),
    )
    .await;
    let i = start(&app, &t, &pb, json!({})).await;
    execute(&app, &t, &i, "claim", json!({}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    execute(&app, &t, &i, "claim", json!({"total": 12}))
        .await
        .expect(200);
    // A business rule of the validation kind applies to every step in its scope.
    app.post(
        &t.p("/rules"),
        &t.token,
        json!({"name": "Cap", "category": "validation",
        "conditions": {"expression": "output.total < 1000", "step_ids": ["claim"]},
        "actions": {"message": "totals of 1000 or more need a purchase order"}}),
    )
    .await
    .expect(201);
    let pb2 = app
        .get(
            &t.p(&format!("/processes/{}", pb["id"].as_str().unwrap())),
            &t.token,
        )
        .await
        .expect(200);
    let mut body = pb2.data().clone();
    body["description"] = json!("with the cap");
    let pb2 = app
        .put(
            &t.p(&format!("/processes/{}", pb["id"].as_str().unwrap())),
            &t.token,
            body,
        )
        .await
        .expect(200);
    let i = start(&app, &t, pb2.data(), json!({})).await;
    let refused = execute(&app, &t, &i, "claim", json!({"total": 5000}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert!(refused.body.to_string().contains("purchase order"));
}

async fn concurrent_executes_one_wins(app: TestApp) {
    let t = team(&app).await;
    let pb = create_playbook(&app, &t, json!({"name": "Race", "steps": [{"id": "only", "name": "Only", "type": "human"}, {"id": "after", "name": "After", "type": "human"}]})).await;
    let i = start(&app, &t, &pb, json!({})).await;
    let (a, b) = tokio::join!(
        execute(&app, &t, &i, "only", json!({"by": "a"})),
        execute(&app, &t, &i, "only", json!({"by": "b"}))
    );
    let mut codes = [a.status.as_u16(), b.status.as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409]);
    let iid = i["id"].as_str().unwrap();
    let after = app
        .get(&t.p(&format!("/process-instances/{iid}")), &t.token)
        .await
        .expect(200);
    let execs = after.data()["step_executions"].as_array().unwrap();
    assert_eq!(
        execs.iter().filter(|e| e["step_id"] == "after").count(),
        1,
        "the next step opened once"
    );
}

async fn a_callback_step_is_completed_from_outside(app: TestApp) {
    let t = team(&app).await;
    let pb = create_playbook(&app, &t, json!({"name": "Sign", "steps": [
        {"id": "wait", "name": "Wait for signature", "type": "algorithm", "automation_config": {"action": "wait_for_callback"}},
        {"id": "file", "name": "File", "type": "human"}]})).await;
    let i = start(&app, &t, &pb, json!({})).await;
    let exec = i["step_executions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step_id"] == "wait")
        .unwrap();
    let url = exec["input_data"]["callback_url"]
        .as_str()
        .unwrap()
        .to_string();
    let done = app
        .public_post(&url, json!({"signed": true}))
        .await
        .expect(200);
    assert_eq!(status_of(done.data(), "wait"), "completed");
    assert_eq!(status_of(done.data(), "file"), "running");
    // The token works once.
    app.public_post(&url, json!({"signed": true}))
        .await
        .expect_error(404, "NOT_FOUND");
}

async fn members_work_only_their_tasks(app: TestApp) {
    let t = team(&app).await;
    let role = app
        .post(&t.p("/roles"), &t.token, json!({"name": "Finance"}))
        .await
        .expect(201);
    let role_id = role.data()["id"].as_str().unwrap().to_string();
    let alice = app
        .member(&t.token, &t.id, "alice@example.com", "member")
        .await;
    let bob = app
        .member(&t.token, &t.id, "bob@example.com", "member")
        .await;
    app.put(
        &t.p(&format!("/members/{}", alice.id)),
        &t.token,
        json!({"roles": [role_id]}),
    )
    .await
    .expect(200);
    let pb = create_playbook(
        &app,
        &t,
        json!({"name": "Pay", "steps": [
        {"id": "pay", "name": "Pay", "type": "human", "assigned_role": role_id}]}),
    )
    .await;
    let i = start(&app, &t, &pb, json!({})).await;
    let task = &open_tasks(&app, &t, &i).await[0];
    assert_eq!(task["assigned_role"], json!(role_id));
    let task_id = task["id"].as_str().unwrap();
    app.post(
        &t.p(&format!("/tasks/{task_id}/claim")),
        &bob.token,
        json!({}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    app.post(
        &t.p(&format!("/tasks/{task_id}/claim")),
        &alice.token,
        json!({}),
    )
    .await
    .expect(200);
    let mine = app
        .get(&t.p("/tasks?assigned_to=me"), &alice.token)
        .await
        .expect(200);
    assert_eq!(mine.body["pagination"]["total_count"], 1);
    app.post(
        &t.p(&format!("/tasks/{task_id}/complete")),
        &alice.token,
        json!({"output": {}}),
    )
    .await
    .expect(200);
}

async fn an_approval_rule_holds_large_outputs_for_an_approver(app: TestApp) {
    let t = team(&app).await;
    let role = |name: &str, reports_to: Option<String>| {
        let (app, t) = (&app, &t);
        let name = name.to_string();
        async move {
            app.post(
                &t.p("/roles"),
                &t.token,
                json!({"name": name, "reports_to": reports_to}),
            )
            .await
            .expect(201)
            .data()["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let finance = role("Finance Lead", None).await;
    // The buyer's superior is another role, so an approval routed to Finance shows the rule's
    // approver_role is used, not the fallback to the superior.
    let manager = role("Purchasing Manager", None).await;
    let buyer = role("Buyer", Some(manager)).await;
    let pb = create_playbook(&app, &t, json!({"name": "Buy", "steps": [
        {"id": "request", "name": "Request", "type": "human", "assigned_role": buyer,
         "form": {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number"}}}},
        {"id": "order", "name": "Order", "type": "human"}]}))
    .await;
    // An instance started before the rule exists keeps running without it.
    let earlier = start(&app, &t, &pb, json!({})).await;
    // An approver role that does not exist is refused.
    app.post(
        &t.p("/rules"),
        &t.token,
        json!({"name": "Bad", "category": "approval",
        "actions": {"approver_role": "01900000-0000-7000-8000-000000000000"}}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    app.post(
        &t.p("/rules"),
        &t.token,
        json!({
        "name": "Large purchases", "category": "approval",
        "conditions": {"expression": "output.amount > 1000", "step_ids": ["request"]},
        "actions": {"approver_role": finance}}),
    )
    .await
    .expect(201);

    let unruled = execute(&app, &t, &earlier, "request", json!({"amount": 5000}))
        .await
        .expect(200);
    assert_eq!(status_of(unruled.data(), "request"), "completed");

    // The rule, saved after the playbook's last edit, applies to instances started now.
    // Small: no approval.
    let small = start(&app, &t, &pb, json!({})).await;
    let done = execute(&app, &t, &small, "request", json!({"amount": 500}))
        .await
        .expect(200);
    assert_eq!(status_of(done.data(), "request"), "completed");

    // Large: held until the Finance Lead decides; a rejection sends it back for rework.
    let large = start(&app, &t, &pb, json!({})).await;
    let held = execute(&app, &t, &large, "request", json!({"amount": 5000}))
        .await
        .expect(200);
    assert_eq!(status_of(held.data(), "request"), "awaiting_approval");
    assert_eq!(status_of(held.data(), "order"), "pending");
    execute(&app, &t, &large, "request", json!({"amount": 10}))
        .await
        .expect_error(409, "CONFLICT");
    let tasks = open_tasks(&app, &t, &large).await;
    assert_eq!(tasks.len(), 1, "only the approval is open: {tasks:#?}");
    let approval = &tasks[0];
    assert_eq!(approval["type"], "approval");
    assert_eq!(approval["assigned_role"], json!(finance));
    assert_eq!(approval["context"]["output"]["amount"], 5000);
    let approval_id = approval["id"].as_str().unwrap().to_string();
    // A rejection must say why.
    app.post(
        &t.p(&format!("/tasks/{approval_id}/complete")),
        &t.token,
        json!({"output": {"approved": false}}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    let rejected = app
        .post(
            &t.p(&format!("/tasks/{approval_id}/complete")),
            &t.token,
            json!({"output": {"approved": false, "comment": "Too much; split the order"}}),
        )
        .await
        .expect(200);
    assert_eq!(rejected.data()["status"], "completed");
    assert_eq!(rejected.data()["output"]["approved"], false);
    let id = large["id"].as_str().unwrap();
    let now = app
        .get(&t.p(&format!("/process-instances/{id}")), &t.token)
        .await
        .expect(200);
    let execs: Vec<&Value> = now.data()["step_executions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["step_id"] == "request")
        .collect();
    assert_eq!(
        execs.len(),
        2,
        "the rejected execution stays in the history"
    );
    let first = execs.iter().find(|e| e["iteration"] == 1).unwrap();
    assert_eq!(first["status"], "failed");
    assert!(first["reason"]
        .as_str()
        .unwrap()
        .contains("split the order"));
    assert_eq!(first["output_data"]["amount"], 5000);
    assert_eq!(status_of(now.data(), "request"), "running");
    let rework = open_tasks(&app, &t, &large).await;
    assert_eq!(rework.len(), 1);
    assert_eq!(rework[0]["title"], "Request");
    // Resubmitted large again, and approved: the held output completes the step.
    let rework_id = rework[0]["id"].as_str().unwrap().to_string();
    app.post(
        &t.p(&format!("/tasks/{rework_id}/complete")),
        &t.token,
        json!({"output": {"amount": 2500}}),
    )
    .await
    .expect(200);
    let approval = open_tasks(&app, &t, &large).await;
    let approval_id = approval[0]["id"].as_str().unwrap().to_string();
    app.post(
        &t.p(&format!("/tasks/{approval_id}/complete")),
        &t.token,
        json!({"output": {"approved": true}}),
    )
    .await
    .expect(200);
    let now = app
        .get(&t.p(&format!("/process-instances/{id}")), &t.token)
        .await
        .expect(200);
    assert_eq!(status_of(now.data(), "request"), "completed");
    assert_eq!(status_of(now.data(), "order"), "running");
    let last = now.data()["step_executions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step_id"] == "request" && e["iteration"] == 2)
        .unwrap()
        .clone();
    assert_eq!(last["output_data"]["amount"], 2500);
    let kinds = app.event_types(&t.id, &t.token).await;
    assert!(kinds.iter().any(|k| k == "step.approval_requested"));
    assert!(kinds.iter().any(|k| k == "step.approval_decided"));
}

both_backends!(
    a_sequential_playbook_runs_to_completion_through_tasks,
    parallel_split_and_join,
    a_conditional_branch_takes_each_way,
    invalid_output_is_refused_and_nothing_changes,
    skip_override_retry_and_exceptions,
    edits_make_versions_and_instances_keep_theirs,
    invalid_definitions_name_each_problem,
    concurrent_executes_one_wins,
    a_callback_step_is_completed_from_outside,
    members_work_only_their_tasks,
    an_approval_rule_holds_large_outputs_for_an_approver,
);
