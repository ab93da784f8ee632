//! No N+1 in the GraphQL door: a nested query over a page of tasks (each task's instance, each
//! instance's tasks and playbook) begins the same number of database transactions whether the
//! page holds 4 tasks or 16. Counted with `db_transactions_total` from `/metrics`; this file
//! holds one test so no other test's work lands in the count.

mod common;

use common::{team, Team, TestApp};
use serde_json::{json, Value};

const NESTED: &str = "query($t: ID!, $n: Int) { tasks(teamId: $t, first: $n) { nodes { id
    processInstance { id process { name } tasks { id processInstance { status } } } } } }";

/// The transactions begun so far (every backend of this process).
async fn transactions(app: &TestApp) -> f64 {
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with("db_transactions_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The fewest transactions one nested query over `n` tasks took in five runs (the job runner
/// begins its own now and then).
async fn cost(app: &TestApp, t: &Team, n: usize) -> f64 {
    let mut fewest = f64::MAX;
    for _ in 0..5 {
        let before = transactions(app).await;
        let answer: Value = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&t.token)
            .json(&json!({"query": NESTED, "variables": {"t": t.id, "n": n}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(answer.get("errors").is_none(), "{answer}");
        let nodes = answer["data"]["tasks"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), n);
        assert!(nodes
            .iter()
            .all(|t| t["processInstance"]["process"]["name"] == "One step"));
        fewest = fewest.min(transactions(app).await - before);
    }
    fewest
}

async fn nested_reads_are_batched(app: TestApp) {
    let t = team(&app).await;
    let playbook = app
        .post(
            &t.p("/processes"),
            &t.token,
            json!({"name": "One step", "steps": [{"id": "a", "name": "A", "type": "human"}]}),
        )
        .await
        .expect(201);
    let id = playbook.data()["id"].as_str().unwrap().to_string();
    for _ in 0..16 {
        app.post(
            &t.p(&format!("/processes/{id}/instances")),
            &t.token,
            json!({}),
        )
        .await
        .expect(201);
    }
    let (small, large) = (cost(&app, &t, 4).await, cost(&app, &t, 16).await);
    assert_eq!(
        small, large,
        "a nested query over 16 tasks took more transactions than over 4"
    );
    assert!(
        (1.0..=8.0).contains(&small),
        "a nested query took {small} transactions"
    );
    println!(
        "{:?}: a nested query over 4 or 16 tasks begins {small} transactions",
        app.backend
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_reads_are_batched_on_both_backends() {
    if let Some(app) = common::spawn(common::Backend::Sqlite).await {
        nested_reads_are_batched(app).await;
    }
    if let Some(app) = common::spawn(common::Backend::Postgres).await {
        nested_reads_are_batched(app).await;
    }
}
