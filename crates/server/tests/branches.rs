//! Git-like playbook development over REST: branches, history, compare, three-way merges with
//! their conflicts and resolutions, reverts, change proposals under branch protection, and
//! instances that keep their versions whatever happens to their branch.

mod common;

use common::{team, Team, TestApp};
use serde_json::{json, Value};

/// A playbook `P` on main with human steps a, b, c, d in sequence.
async fn playbook(app: &TestApp, t: &Team) -> String {
    let steps: Vec<Value> = ["a", "b", "c", "d"]
        .iter()
        .map(|id| json!({"id": id, "name": id.to_uppercase(), "type": "human"}))
        .collect();
    let pb = app
        .post(
            &t.p("/processes"),
            &t.token,
            json!({"name": "P", "steps": steps}),
        )
        .await
        .expect(201);
    pb.data()["id"].as_str().unwrap().to_string()
}

async fn branch(app: &TestApp, t: &Team, name: &str, from: &str) -> Value {
    app.post(
        &t.p("/branches"),
        &t.token,
        json!({"name": name, "from": from}),
    )
    .await
    .expect(201)
    .data()
    .clone()
}

async fn read(app: &TestApp, t: &Team, id: &str, reference: &str) -> Value {
    app.get(&t.p(&format!("/processes/{id}?ref={reference}")), &t.token)
        .await
        .expect(200)
        .data()
        .clone()
}

/// Reads the playbook at `reference`, changes it and saves it there.
async fn edit(
    app: &TestApp,
    t: &Team,
    id: &str,
    reference: &str,
    change: impl FnOnce(&mut Value),
) -> Value {
    let mut body = read(app, t, id, reference).await;
    change(&mut body);
    app.put(
        &t.p(&format!("/processes/{id}?ref={reference}")),
        &t.token,
        body,
    )
    .await
    .expect(200)
    .data()
    .clone()
}

fn steps(body: &mut Value) -> &mut Vec<Value> {
    body["steps"].as_array_mut().unwrap()
}

fn step<'a>(body: &'a mut Value, id: &str) -> &'a mut Value {
    steps(body).iter_mut().find(|s| s["id"] == id).unwrap()
}

/// Lets dependencies follow the list again (as a client that leaves them implicit).
fn implicit(body: &mut Value) {
    for s in steps(body) {
        s.as_object_mut().unwrap().remove("dependencies");
    }
}

fn remove(body: &mut Value, id: &str) {
    steps(body).retain(|s| s["id"] != id);
    implicit(body);
}

fn insert(body: &mut Value, at: usize, id: &str, name: &str) {
    steps(body).insert(at, json!({"id": id, "name": name, "type": "human"}));
    implicit(body);
}

fn move_to(body: &mut Value, id: &str, at: usize) {
    let list = steps(body);
    let i = list.iter().position(|s| s["id"] == id).unwrap();
    let s = list.remove(i);
    list.insert(at, s);
    implicit(body);
}

fn order(body: &Value) -> Vec<String> {
    body["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

async fn draft(app: &TestApp, t: &Team, source: &str, target: &str) -> Value {
    app.post(
        &t.p("/merges"),
        &t.token,
        json!({"source": source, "target": target}),
    )
    .await
    .expect(201)
    .data()
    .clone()
}

async fn commit(app: &TestApp, t: &Team, merge: &Value) -> common::Answer {
    let id = merge["id"].as_str().unwrap();
    app.post(&t.p(&format!("/merges/{id}/commit")), &t.token, json!({}))
        .await
}

async fn resolve(app: &TestApp, t: &Team, merge: &Value, body: Value) -> Value {
    let id = merge["id"].as_str().unwrap();
    app.put(&t.p(&format!("/merges/{id}/resolutions")), &t.token, body)
        .await
        .expect(200)
        .data()
        .clone()
}

/// Merges `source` into `target`, expecting a clean merge.
async fn merge_clean(app: &TestApp, t: &Team, source: &str, target: &str) -> Value {
    let d = draft(app, t, source, target).await;
    assert_eq!(d["status"], "clean", "{d:#}");
    commit(app, t, &d).await.expect(200).data().clone()
}

async fn head(app: &TestApp, t: &Team, name: &str) -> String {
    app.get(&t.p(&format!("/branches/{name}")), &t.token)
        .await
        .expect(200)
        .data()["head"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn branches_and_history(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    let f = branch(&app, &t, "feature-x", "main").await;
    assert_eq!(f["type"], "feature");
    assert_eq!(f["base_branch"], "main");
    assert_eq!(f["status"], "active");
    let main_head = head(&app, &t, "main").await;
    assert_eq!(f["head"], json!(main_head));
    // A duplicate name is 409; a bad one 422; a type of main 422.
    app.post(&t.p("/branches"), &t.token, json!({"name": "feature-x"}))
        .await
        .expect_error(409, "CONFLICT");
    app.post(&t.p("/branches"), &t.token, json!({"name": "Bad/Name"}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    // A name that reads as a commit id would make refs ambiguous.
    app.post(&t.p("/branches"), &t.token, json!({"name": "a".repeat(64)}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    // A branch taken from a commit has no base branch, and starts at that commit.
    let at_commit = branch(&app, &t, "from-commit", &main_head).await;
    assert_eq!(at_commit["base_branch"], Value::Null);
    assert_eq!(at_commit["head"], json!(main_head));
    app.post(
        &t.p("/branches"),
        &t.token,
        json!({"name": "m2", "type": "main"}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");

    // Edits on the branch leave main alone; history follows each ref.
    let edited = edit(&app, &t, &id, "feature-x", |b| {
        step(b, "b")["description"] = json!("on the branch");
    })
    .await;
    assert_eq!(
        read(&app, &t, &id, "main").await["steps"][1]["description"],
        ""
    );
    let on_branch = app
        .get(
            &t.p(&format!("/processes/{id}/history?ref=feature-x")),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(on_branch.body["pagination"]["total_count"], 2);
    let on_main = app
        .get(&t.p(&format!("/processes/{id}/history")), &t.token)
        .await
        .expect(200);
    assert_eq!(on_main.body["pagination"]["total_count"], 1);
    let of_step = app
        .get(
            &t.p(&format!("/processes/{id}/history?ref=feature-x&step_id=b")),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(of_step.body["pagination"]["total_count"], 2);
    let of_other = app
        .get(
            &t.p(&format!("/processes/{id}/history?ref=feature-x&step_id=c")),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(of_other.body["pagination"]["total_count"], 1);
    let commits = app
        .get(&t.p("/branches/feature-x/commits"), &t.token)
        .await
        .expect(200);
    assert_eq!(commits.data()[0]["id"], edited["version"]);
    // Any commit can be read, and any definition at it.
    let c = edited["version"].as_str().unwrap();
    let one = app
        .get(&t.p(&format!("/commits/{c}")), &t.token)
        .await
        .expect(200);
    assert_eq!(one.data()["parents"], json!([main_head]));
    let at = read(&app, &t, &id, &main_head).await;
    assert_eq!(at["steps"][1]["description"], "");
    // A write based on a stale version is 409 with the current version.
    let mut stale = read(&app, &t, &id, &main_head).await;
    stale["name"] = json!("stale");
    let answer = app
        .put(
            &t.p(&format!("/processes/{id}?ref=feature-x")),
            &t.token,
            stale,
        )
        .await
        .expect_error(409, "CONFLICT");
    assert_eq!(
        answer.body["error"]["details"]["current_version"],
        edited["version"]
    );

    // Compare: the changed field with old and new values, and a JSON Patch.
    let cmp = app
        .get(&t.p("/compare?base=main&head=feature-x"), &t.token)
        .await
        .expect(200);
    let d = &cmp.data()["diff"]["playbooks"][0];
    assert_eq!(d["status"], "modified");
    let changed = &d["steps"]["changed"][0];
    assert_eq!(changed["id"], "b");
    assert_eq!(changed["fields"][0]["field"], "/description");
    assert_eq!(changed["fields"][0]["old"], "");
    assert_eq!(changed["fields"][0]["new"], "on the branch");
    let patch = cmp.data()["diff"]["json_patch"].as_array().unwrap();
    assert!(patch
        .iter()
        .any(|op| op["path"] == format!("/playbooks/{id}/steps/b/description")));
    assert_eq!(cmp.data()["ahead_by"], 1);
    assert_eq!(cmp.data()["behind_by"], 0);

    // Deleting abandons it; the name can be used again.
    app.delete(&t.p("/branches/feature-x"), &t.token)
        .await
        .expect(200);
    app.delete(&t.p("/branches/main"), &t.token)
        .await
        .expect_error(409, "CONFLICT");
    let abandoned = app
        .get(&t.p("/branches?status=abandoned"), &t.token)
        .await
        .expect(200);
    assert_eq!(abandoned.data()[0]["name"], "feature-x");
    branch(&app, &t, "feature-x", "main").await;
}

async fn different_fields_merge_and_the_same_field_conflicts(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    branch(&app, &t, "f", "main").await;
    edit(&app, &t, &id, "main", |b| {
        step(b, "b")["name"] = json!("B main")
    })
    .await;
    edit(&app, &t, &id, "f", |b| {
        step(b, "b")["description"] = json!("from f")
    })
    .await;
    merge_clean(&app, &t, "f", "main").await;
    let merged = read(&app, &t, &id, "main").await;
    assert_eq!(merged["steps"][1]["name"], "B main");
    assert_eq!(merged["steps"][1]["description"], "from f");

    branch(&app, &t, "g", "main").await;
    edit(&app, &t, &id, "main", |b| {
        step(b, "c")["name"] = json!("C one")
    })
    .await;
    edit(&app, &t, &id, "g", |b| {
        step(b, "c")["name"] = json!("C two")
    })
    .await;
    let d = draft(&app, &t, "g", "main").await;
    assert_eq!(d["status"], "conflicted");
    let conflicts = d["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{d:#}");
    let c = &conflicts[0];
    assert_eq!(c["path"], format!("/playbooks/{id}/steps/c/name"));
    assert_eq!(c["kind"], "modify_modify");
    assert_eq!(c["base"], json!({"present": true, "value": "C"}));
    assert_eq!(c["ours"], json!({"present": true, "value": "C one"}));
    assert_eq!(c["theirs"], json!({"present": true, "value": "C two"}));
    commit(&app, &t, &d).await.expect_error(409, "CONFLICT");
    // The draft survives across requests; a given value resolves it.
    let resolved = resolve(
        &app,
        &t,
        &d,
        json!({"resolutions": [{"conflict_id": c["id"], "choice": "value", "value": "C both"}]}),
    )
    .await;
    assert_eq!(resolved["status"], "clean");
    let again = app
        .get(
            &t.p(&format!("/merges/{}", d["id"].as_str().unwrap())),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(
        again.data()["conflicts"][0]["resolution"]["choice"],
        "value"
    );
    let done = commit(&app, &t, &d).await.expect(200);
    assert_eq!(done.data()["status"], "merged");
    assert_eq!(
        read(&app, &t, &id, "main").await["steps"][2]["name"],
        "C both"
    );
    let merge_commit = done.data()["commit_id"].as_str().unwrap().to_string();
    let mc = app
        .get(&t.p(&format!("/commits/{merge_commit}")), &t.token)
        .await
        .expect(200);
    assert_eq!(mc.data()["parents"].as_array().unwrap().len(), 2);
    // The branch is marked merged; merging it again does nothing.
    let g = app.get(&t.p("/branches/g"), &t.token).await.expect(200);
    assert_eq!(g.data()["status"], "merged");
    let before = head(&app, &t, "main").await;
    let d = draft(&app, &t, "g", "main").await;
    assert_eq!(d["up_to_date"], true);
    assert_eq!(d["diff"]["playbooks"], json!([]));
    commit(&app, &t, &d).await.expect(200);
    assert_eq!(head(&app, &t, "main").await, before);
}

/// A draft goes stale when a head moves; a new one carries the resolutions of the conflicts
/// that did not change and leaves the changed one open.
async fn resolutions_carry_to_a_new_draft(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    branch(&app, &t, "f", "main").await;
    edit(&app, &t, &id, "main", |b| {
        step(b, "a")["name"] = json!("A main");
        step(b, "b")["name"] = json!("B main");
    })
    .await;
    edit(&app, &t, &id, "f", |b| {
        step(b, "a")["name"] = json!("A f");
        step(b, "b")["name"] = json!("B f");
    })
    .await;
    let d = draft(&app, &t, "f", "main").await;
    let conflict = |d: &Value, step: &str| {
        d["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == format!("/playbooks/{id}/steps/{step}/name"))
            .unwrap()
            .clone()
    };
    let (a, b) = (conflict(&d, "a"), conflict(&d, "b"));
    let resolved = resolve(
        &app,
        &t,
        &d,
        json!({"resolutions": [
            {"conflict_id": a["id"], "choice": "theirs"},
            {"conflict_id": b["id"], "choice": "value", "value": "B both"}]}),
    )
    .await;
    assert_eq!(resolved["status"], "clean");
    // Main moves: b's conflict changes (ours is new), a's does not.
    edit(&app, &t, &id, "main", |b| {
        step(b, "b")["name"] = json!("B main 2")
    })
    .await;
    let stale = app
        .get(
            &t.p(&format!("/merges/{}", d["id"].as_str().unwrap())),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(stale.data()["status"], "stale");
    commit(&app, &t, &d).await.expect_error(409, "CONFLICT");
    let again = app
        .post(
            &t.p("/merges"),
            &t.token,
            json!({"source": "f", "target": "main", "resolutions_from": d["id"]}),
        )
        .await
        .expect(201)
        .data()
        .clone();
    assert_eq!(again["status"], "conflicted");
    let (a2, b2) = (conflict(&again, "a"), conflict(&again, "b"));
    assert_eq!(a2["id"], a["id"], "ids derive from paths");
    assert_eq!(a2["resolution"], json!({"choice": "theirs"}));
    assert_eq!(b2["ours"]["value"], "B main 2");
    assert!(
        b2.get("resolution").is_none() || b2["resolution"].is_null(),
        "{b2}"
    );
    resolve(
        &app,
        &t,
        &again,
        json!({"resolutions": [{"conflict_id": b2["id"], "choice": "ours"}]}),
    )
    .await;
    commit(&app, &t, &again).await.expect(200);
    let merged = read(&app, &t, &id, "main").await;
    assert_eq!(merged["steps"][0]["name"], "A f");
    assert_eq!(merged["steps"][1]["name"], "B main 2");
    // Only a draft of the same merge, and one that exists.
    branch(&app, &t, "g", "main").await;
    app.post(
        &t.p("/merges"),
        &t.token,
        json!({"source": "g", "target": "main", "resolutions_from": d["id"]}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    app.post(
        &t.p("/merges"),
        &t.token,
        json!({"source": "g", "target": "main",
               "resolutions_from": "00000000-0000-4000-8000-000000000000"}),
    )
    .await
    .expect_error(404, "NOT_FOUND");
}

async fn identical_changes_and_deletes_are_no_conflict(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    branch(&app, &t, "f", "main").await;
    for r in ["main", "f"] {
        edit(&app, &t, &id, r, |b| {
            step(b, "a")["name"] = json!("Same");
            remove(b, "c");
        })
        .await;
    }
    merge_clean(&app, &t, "f", "main").await;
    let merged = read(&app, &t, &id, "main").await;
    assert_eq!(order(&merged), ["a", "b", "d"]);
    assert_eq!(merged["steps"][0]["name"], "Same");
}

async fn delete_modify_both_ways_with_both_resolutions(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    // Ours (main) deletes c, theirs (f) changes it: keep theirs.
    branch(&app, &t, "f", "main").await;
    edit(&app, &t, &id, "main", |b| remove(b, "c")).await;
    edit(&app, &t, &id, "f", |b| {
        step(b, "c")["name"] = json!("C kept")
    })
    .await;
    let d = draft(&app, &t, "f", "main").await;
    let c = &d["conflicts"][0];
    assert_eq!(c["kind"], "delete_modify");
    assert_eq!(c["path"], format!("/playbooks/{id}/steps/c"));
    assert_eq!(c["ours"], json!({"present": false, "value": null}));
    let d = resolve(
        &app,
        &t,
        &d,
        json!({"resolutions": [{"conflict_id": c["id"], "choice": "theirs"}]}),
    )
    .await;
    assert_eq!(d["status"], "clean", "{d:#}");
    commit(&app, &t, &d).await.expect(200);
    let merged = read(&app, &t, &id, "main").await;
    assert_eq!(order(&merged), ["a", "b", "c", "d"]);
    assert_eq!(merged["steps"][2]["name"], "C kept");

    // Ours changes b, theirs deletes it: resolving in bulk to theirs deletes it.
    branch(&app, &t, "g", "main").await;
    edit(&app, &t, &id, "main", |b| {
        step(b, "b")["name"] = json!("B changed")
    })
    .await;
    edit(&app, &t, &id, "g", |b| remove(b, "b")).await;
    let d = draft(&app, &t, "g", "main").await;
    assert_eq!(d["conflicts"][0]["kind"], "modify_delete");
    assert_eq!(d["conflicts"][0]["theirs"]["present"], false);
    let d = resolve(&app, &t, &d, json!({"all": "theirs"})).await;
    assert_eq!(d["status"], "clean", "{d:#}");
    commit(&app, &t, &d).await.expect(200);
    let merged = read(&app, &t, &id, "main").await;
    assert!(!order(&merged).contains(&"b".to_string()));
}

async fn a_deleted_step_still_linked_is_a_violation(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    branch(&app, &t, "f", "main").await;
    edit(&app, &t, &id, "main", |b| remove(b, "c")).await;
    edit(&app, &t, &id, "f", |b| {
        steps(b).push(json!({"id": "e", "name": "E", "type": "human", "dependencies": ["c"]}));
    })
    .await;
    let d = draft(&app, &t, "f", "main").await;
    assert_eq!(d["conflicts"], json!([]));
    assert_eq!(d["status"], "conflicted");
    let v = &d["violations"][0];
    assert_eq!(v["path"], format!("/playbooks/{id}/steps/e/dependencies/0"));
    assert_eq!(v["code"], "unknown_step");
    let before = head(&app, &t, "main").await;
    commit(&app, &t, &d).await.expect_error(409, "CONFLICT");
    assert_eq!(head(&app, &t, "main").await, before, "nothing committed");
}

/// Ours drops a form field (from an inline form and from a form document), theirs adds
/// conditions that read it: each is a violation after the merge, and nothing is committed.
async fn a_condition_on_a_removed_form_field_is_a_violation(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    let form = |fields: &[&str]| {
        let properties: serde_json::Map<String, Value> = fields
            .iter()
            .map(|f| (f.to_string(), json!({"type": "number"})))
            .collect();
        json!({"type": "object", "properties": properties})
    };
    let doc = app
        .post(
            &t.p("/documents"),
            &t.token,
            json!({"name": "Order", "type": "form", "schema": form(&["total", "tax"])}),
        )
        .await
        .expect(201)
        .data()["id"]
        .as_str()
        .unwrap()
        .to_string();
    edit(&app, &t, &id, "main", |b| {
        step(b, "a")["form"] = form(&["amount", "count"]);
        step(b, "b")["form_document_id"] = json!(doc);
    })
    .await;
    branch(&app, &t, "f", "main").await;
    edit(&app, &t, &id, "main", |b| {
        step(b, "a")["form"] = form(&["count"]);
    })
    .await;
    app.put(
        &t.p(&format!("/documents/{doc}?ref=main")),
        &t.token,
        json!({"name": "Order", "type": "form", "schema": form(&["total"])}),
    )
    .await
    .expect(200);
    edit(&app, &t, &id, "f", |b| {
        step(b, "c")["execution_type"] = json!("conditional");
        step(b, "c")["condition"] = json!("steps.a.output.amount > 100");
        step(b, "d")["execution_type"] = json!("conditional");
        step(b, "d")["condition"] = json!("steps.b.output.tax > 0 && steps.a.output.count > 0");
    })
    .await;
    let d = draft(&app, &t, "f", "main").await;
    assert_eq!(d["conflicts"], json!([]), "{d:#}");
    assert_eq!(d["status"], "conflicted");
    let mut found: Vec<(String, String)> = d["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            assert!(
                v["message"].as_str().unwrap().contains("is not a field"),
                "{v}"
            );
            (
                v["path"].as_str().unwrap().into(),
                v["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                format!("/playbooks/{id}/steps/c/condition"),
                "unknown_field".into()
            ),
            (
                format!("/playbooks/{id}/steps/d/condition"),
                "unknown_field".into()
            ),
        ]
    );
    let before = head(&app, &t, "main").await;
    commit(&app, &t, &d).await.expect_error(409, "CONFLICT");
    assert_eq!(head(&app, &t, "main").await, before, "nothing committed");
    // The same condition saved directly on main is refused the same way.
    let mut body = read(&app, &t, &id, "main").await;
    step(&mut body, "c")["condition"] = json!("steps.a.output.amount > 100");
    let e = app
        .put(&t.p(&format!("/processes/{id}?ref=main")), &t.token, body)
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert!(e.body.to_string().contains("unknown_field"), "{}", e.body);
}

async fn moves_inserts_and_adds(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    // A move and an edit merge.
    branch(&app, &t, "f", "main").await;
    edit(&app, &t, &id, "main", |b| move_to(b, "d", 1)).await;
    edit(&app, &t, &id, "f", |b| step(b, "b")["name"] = json!("B2")).await;
    merge_clean(&app, &t, "f", "main").await;
    let merged = read(&app, &t, &id, "main").await;
    assert_eq!(order(&merged), ["a", "d", "b", "c"]);
    assert_eq!(merged["steps"][2]["name"], "B2");

    // Two moves of one step conflict at its position.
    branch(&app, &t, "g", "main").await;
    edit(&app, &t, &id, "main", |b| move_to(b, "c", 0)).await;
    edit(&app, &t, &id, "g", |b| move_to(b, "c", 1)).await;
    let d = draft(&app, &t, "g", "main").await;
    let moves: Vec<&Value> = d["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "move_move")
        .collect();
    assert_eq!(moves.len(), 1, "{d:#}");
    assert_eq!(
        moves[0]["path"],
        format!("/playbooks/{id}/steps/c/position")
    );
    assert_eq!(moves[0]["ours"]["value"], json!({"after": null}));
    assert_eq!(moves[0]["theirs"]["value"], json!({"after": "a"}));
    let d = resolve(&app, &t, &d, json!({"all": "ours"})).await;
    assert_eq!(d["status"], "clean", "{d:#}");
    commit(&app, &t, &d).await.expect(200);
    assert_eq!(
        order(&read(&app, &t, &id, "main").await),
        ["c", "a", "d", "b"]
    );

    // Both sides insert at the same place: both kept, ordered by id, whichever way it merges.
    for (n, (ours, theirs)) in [("x", "y"), ("y", "x")].iter().enumerate() {
        let name = format!("h{n}");
        branch(&app, &t, &name, "main").await;
        let base = read(&app, &t, &id, "main").await;
        edit(&app, &t, &id, "main", |b| {
            insert(b, 1, &format!("{ours}{n}"), "Ours")
        })
        .await;
        edit(&app, &t, &id, &name, |b| {
            insert(b, 1, &format!("{theirs}{n}"), "Theirs")
        })
        .await;
        merge_clean(&app, &t, &name, "main").await;
        let merged = order(&read(&app, &t, &id, "main").await);
        let mut expected = order(&base);
        expected.insert(1, format!("x{n}"));
        expected.insert(2, format!("y{n}"));
        assert_eq!(merged, expected);
    }

    // The same step id added on both sides: identical is one step, different is add_add.
    branch(&app, &t, "k", "main").await;
    for r in ["main", "k"] {
        edit(&app, &t, &id, r, |b| {
            steps(b).push(json!({"id": "review", "name": "Review", "type": "human"}));
            implicit(b);
        })
        .await;
    }
    merge_clean(&app, &t, "k", "main").await;
    branch(&app, &t, "m", "main").await;
    for (r, name) in [("main", "Audit one"), ("m", "Audit two")] {
        edit(&app, &t, &id, r, |b| {
            steps(b).push(json!({"id": "audit", "name": name, "type": "human"}));
            implicit(b);
        })
        .await;
    }
    let d = draft(&app, &t, "m", "main").await;
    let c = &d["conflicts"][0];
    assert_eq!(c["kind"], "add_add");
    assert_eq!(c["path"], format!("/playbooks/{id}/steps/audit/name"));
    assert_eq!(c["base"], json!({"present": false, "value": null}));
}

async fn a_criss_cross_history_merges_deterministically(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    branch(&app, &t, "a", "main").await;
    branch(&app, &t, "b", "main").await;
    let a1 = edit(&app, &t, &id, "a", |b| step(b, "a")["name"] = json!("A1")).await;
    let b1 = edit(&app, &t, &id, "b", |b| step(b, "b")["name"] = json!("B1")).await;
    // Each side merges the other's first commit: the criss-cross.
    merge_clean(&app, &t, b1["version"].as_str().unwrap(), "a").await;
    merge_clean(&app, &t, a1["version"].as_str().unwrap(), "b").await;
    edit(&app, &t, &id, "a", |b| {
        step(b, "c")["description"] = json!("a2")
    })
    .await;
    edit(&app, &t, &id, "b", |b| {
        step(b, "d")["description"] = json!("b2")
    })
    .await;
    let one = draft(&app, &t, "b", "a").await;
    let two = draft(&app, &t, "b", "a").await;
    assert_eq!(one["merge_bases"].as_array().unwrap().len(), 2, "{one:#}");
    let mut bases = vec![
        a1["version"].as_str().unwrap().to_string(),
        b1["version"].as_str().unwrap().to_string(),
    ];
    bases.sort();
    assert_eq!(one["merge_bases"], json!(bases));
    assert_eq!(one["diff"], two["diff"]);
    assert_eq!(one["status"], "clean", "{one:#}");
    let other_way = draft(&app, &t, "a", "b").await;
    assert_eq!(other_way["status"], "clean");
    commit(&app, &t, &one).await.expect(200);
    let merged = read(&app, &t, &id, "a").await;
    let names: Vec<&str> = merged["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["A1", "B1", "C", "D"]);
    assert_eq!(merged["steps"][2]["description"], "a2");
    assert_eq!(merged["steps"][3]["description"], "b2");
}

async fn merge_after_a_revert_behaves_as_git(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    branch(&app, &t, "f", "main").await;
    edit(&app, &t, &id, "f", |b| insert(b, 4, "x", "X")).await;
    edit(&app, &t, &id, "main", |b| {
        step(b, "a")["description"] = json!("main")
    })
    .await;
    let merged = merge_clean(&app, &t, "f", "main").await;
    assert!(order(&read(&app, &t, &id, "main").await).contains(&"x".to_string()));
    // Revert the merge on main: x goes, main's own change stays.
    let m = merged["commit_id"].as_str().unwrap();
    let revert = app
        .post(
            &t.p(&format!("/commits/{m}/revert")),
            &t.token,
            json!({"branch": "main"}),
        )
        .await
        .expect(201);
    let after = read(&app, &t, &id, "main").await;
    assert_eq!(order(&after), ["a", "b", "c", "d"]);
    assert_eq!(after["steps"][0]["description"], "main");
    // Merging the branch again brings nothing back: its commits are already in main.
    let d = draft(&app, &t, "f", "main").await;
    assert_eq!(d["up_to_date"], true);
    // A new commit on the branch brings only itself.
    edit(&app, &t, &id, "f", |b| {
        step(b, "b")["name"] = json!("B new")
    })
    .await;
    merge_clean(&app, &t, "f", "main").await;
    let after = read(&app, &t, &id, "main").await;
    assert_eq!(order(&after), ["a", "b", "c", "d"]);
    assert_eq!(after["steps"][1]["name"], "B new");
    // Reverting the revert brings x back.
    let r = revert.data()["id"].as_str().unwrap();
    app.post(
        &t.p(&format!("/commits/{r}/revert")),
        &t.token,
        json!({"branch": "main"}),
    )
    .await
    .expect(201);
    assert!(order(&read(&app, &t, &id, "main").await).contains(&"x".to_string()));
}

async fn two_merges_racing_on_one_head(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    edit(&app, &t, &id, "main", |b| {
        step(b, "a")["description"] = json!("m")
    })
    .await;
    branch(&app, &t, "f1", "main").await;
    branch(&app, &t, "f2", "main").await;
    edit(&app, &t, &id, "main", |b| {
        step(b, "a")["name"] = json!("A main")
    })
    .await;
    edit(&app, &t, &id, "f1", |b| {
        step(b, "b")["name"] = json!("B f1")
    })
    .await;
    edit(&app, &t, &id, "f2", |b| {
        step(b, "c")["name"] = json!("C f2")
    })
    .await;
    let d1 = draft(&app, &t, "f1", "main").await;
    let d2 = draft(&app, &t, "f2", "main").await;
    let (r1, r2) = tokio::join!(commit(&app, &t, &d1), commit(&app, &t, &d2));
    let mut statuses = [r1.status.as_u16(), r2.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{:#} {:#}", r1.body, r2.body);
    let loser = if r1.status.as_u16() == 409 { &d1 } else { &d2 };
    let stale = app
        .get(
            &t.p(&format!("/merges/{}", loser["id"].as_str().unwrap())),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(stale.data()["status"], "stale");
}

async fn proposals_under_branch_protection(app: TestApp) {
    let t = team(&app).await;
    let reviewer = app
        .member(&t.token, &t.id, "reviewer@example.com", "editor")
        .await;
    let id = playbook(&app, &t).await;
    app.put(
        &t.p("/branch-protection/main"),
        &t.token,
        json!({"required_approvals": 1, "require_resolved_discussions": true}),
    )
    .await
    .expect(200);
    // Protected: direct writes are 403.
    let mut body = read(&app, &t, &id, "main").await;
    body["name"] = json!("direct");
    app.put(&t.p(&format!("/processes/{id}")), &t.token, body)
        .await
        .expect_error(403, "FORBIDDEN");
    branch(&app, &t, "f", "main").await;
    edit(&app, &t, &id, "f", |b| {
        step(b, "b")["name"] = json!("B proposed")
    })
    .await;
    let p = app
        .post(
            &t.p("/change-proposals"),
            &t.token,
            json!({"title": "Rename B", "description": "clearer", "type": "process_update",
                   "priority": "high", "source_branch": "f"}),
        )
        .await
        .expect(201);
    let pid = p.data()["id"].as_str().unwrap().to_string();
    assert_eq!(p.data()["status"], "draft");
    assert_eq!(
        p.data()["impact_assessment"]["playbooks"][0]["steps_changed"],
        1
    );
    let pp = |s: &str| t.p(&format!("/change-proposals/{pid}{s}"));
    app.post(
        &pp("/review"),
        &reviewer.token,
        json!({"status": "approved"}),
    )
    .await
    .expect_error(409, "CONFLICT");
    app.post(&pp("/submit"), &t.token, json!({}))
        .await
        .expect(200);
    // No self-approval.
    app.post(&pp("/review"), &t.token, json!({"status": "approved"}))
        .await
        .expect_error(403, "FORBIDDEN");
    // A comment anchored to a step must be resolved before merging.
    let c = app
        .post(
            &pp("/comments"),
            &reviewer.token,
            json!({"body": "Is B the right name?", "anchor": {"playbook_id": id, "step_id": "b", "path": "/name"}}),
        )
        .await
        .expect(201);
    let cid = c.data()["id"].as_str().unwrap().to_string();
    app.post(
        &pp("/comments"),
        &t.token,
        json!({"body": "Yes", "reply_to": cid}),
    )
    .await
    .expect(201);
    app.post(
        &pp("/review"),
        &reviewer.token,
        json!({"status": "approved", "comments": "ok"}),
    )
    .await
    .expect(201);
    let now = app.get(&pp(""), &t.token).await.expect(200);
    assert_eq!(now.data()["status"], "under_review");
    assert!(now.data()["requirements"]["unmet"][0]
        .as_str()
        .unwrap()
        .contains("unresolved"));
    app.post(&pp("/merge"), &t.token, json!({}))
        .await
        .expect_error(409, "CONFLICT");
    app.post(
        &pp(&format!("/comments/{cid}/resolve")),
        &t.token,
        json!({}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&pp(""), &t.token).await.data()["status"],
        "approved"
    );
    // A new commit dismisses the approval.
    edit(&app, &t, &id, "f", |b| {
        step(b, "c")["name"] = json!("C too")
    })
    .await;
    let now = app.get(&pp(""), &t.token).await.expect(200);
    assert_eq!(now.data()["status"], "under_review");
    assert_eq!(now.data()["reviews"][0]["dismissed"], true);
    assert_eq!(now.data()["requirements"]["approvals"], 0);
    app.post(&pp("/merge"), &t.token, json!({}))
        .await
        .expect_error(409, "CONFLICT");
    // A protected branch cannot take a plain merge either.
    let d = draft(&app, &t, "f", "main").await;
    commit(&app, &t, &d).await.expect_error(403, "FORBIDDEN");
    app.post(
        &pp("/review"),
        &reviewer.token,
        json!({"status": "approved"}),
    )
    .await
    .expect(201);
    let merged = app
        .post(&pp("/merge"), &t.token, json!({}))
        .await
        .expect(200);
    assert_eq!(merged.data()["status"], "merged");
    let main = read(&app, &t, &id, "main").await;
    assert_eq!(main["steps"][1]["name"], "B proposed");
    assert_eq!(main["steps"][2]["name"], "C too");
    let kinds = app.event_types(&t.id, &t.token).await;
    for kind in [
        "branch.protected",
        "proposal.opened",
        "proposal.submitted",
        "proposal.reviewed",
        "proposal.commented",
        "proposal.comment_resolved",
        "proposal.merged",
        "merge.committed",
    ] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "{kind} missing from {kinds:?}"
        );
    }
}

async fn instances_keep_their_versions(app: TestApp) {
    let t = team(&app).await;
    let id = playbook(&app, &t).await;
    branch(&app, &t, "try", "main").await;
    edit(&app, &t, &id, "try", |b| {
        step(b, "a")["name"] = json!("A trial")
    })
    .await;
    let started = app
        .post(
            &t.p(&format!("/processes/{id}/instances")),
            &t.token,
            json!({"ref": "try"}),
        )
        .await
        .expect(201);
    let instance = started.data().clone();
    assert_eq!(instance["trial"], true);
    assert_eq!(instance["started_from"], "try");
    let version = instance["playbook_version"].clone();
    let iid = instance["id"].as_str().unwrap();
    // Merged, reset and deleted: the instance keeps its version and runs on.
    merge_clean(&app, &t, "try", "main").await;
    run_step(&app, &t, iid, "a").await;
    // Main drops b and c: only an instance still on its own version can run them.
    edit(&app, &t, &id, "main", |b| {
        remove(b, "b");
        remove(b, "c");
    })
    .await;
    edit(&app, &t, &id, "try", |b| remove(b, "b")).await;
    let first = app
        .get(&t.p("/branches/try/commits"), &t.token)
        .await
        .expect(200)
        .data()
        .as_array()
        .unwrap()
        .last()
        .unwrap()["id"]
        .clone();
    app.post(&t.p("/branches/try/reset"), &t.token, json!({"to": first}))
        .await
        .expect(200);
    run_step(&app, &t, iid, "b").await;
    app.delete(&t.p("/branches/try"), &t.token)
        .await
        .expect(200);
    run_step(&app, &t, iid, "c").await;
    run_step(&app, &t, iid, "d").await;
    let done = app
        .get(&t.p(&format!("/process-instances/{iid}")), &t.token)
        .await
        .expect(200);
    assert_eq!(done.data()["status"], "completed");
    assert_eq!(done.data()["playbook_version"], version);
}

async fn run_step(app: &TestApp, t: &Team, instance: &str, step: &str) {
    let path = t.p(&format!(
        "/process-instances/{instance}/steps/{step}/execute"
    ));
    app.post(&path, &t.token, json!({"output": {}}))
        .await
        .expect(200);
}

async fn the_same_logical_playbook_hashes_the_same(app: TestApp) {
    let t = team(&app).await;
    let one = json!({"name": "Same", "steps": [{"id": "s", "name": "S", "type": "human"}]});
    let two = json!({"steps": [{"type": "human", "execution_type": "sequential", "name": "S",
                                 "description": "", "id": "s"}],
                     "layer": "L0", "status": "active", "description": "", "name": "Same"});
    let mut hashes = Vec::new();
    for body in [one, two] {
        let pb = app
            .post(&t.p("/processes"), &t.token, body)
            .await
            .expect(201);
        let c = pb.data()["version"].as_str().unwrap();
        let commit = app
            .get(&t.p(&format!("/commits/{c}")), &t.token)
            .await
            .expect(200);
        hashes.push(commit.data()["changes"][0]["hash"].clone());
    }
    assert_eq!(hashes[0], hashes[1]);
}

both_backends!(
    branches_and_history,
    different_fields_merge_and_the_same_field_conflicts,
    resolutions_carry_to_a_new_draft,
    identical_changes_and_deletes_are_no_conflict,
    delete_modify_both_ways_with_both_resolutions,
    a_deleted_step_still_linked_is_a_violation,
    a_condition_on_a_removed_form_field_is_a_violation,
    moves_inserts_and_adds,
    a_criss_cross_history_merges_deterministically,
    merge_after_a_revert_behaves_as_git,
    two_merges_racing_on_one_head,
    proposals_under_branch_protection,
    instances_keep_their_versions,
    the_same_logical_playbook_hashes_the_same,
);
