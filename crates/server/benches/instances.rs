//! Engine throughput through the REST API: process instances started and driven to completion
//! per second, on SQLite and (when a URL is given) on PostgreSQL.
//!
//! ```sh
//! cargo bench -p orgata --bench instances
//! ORGATA_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p orgata --bench instances
//! ```
//!
//! Each instance runs a three-step playbook: start (201), execute two human steps through
//! `…/steps/{id}/execute` (200 each; the second completes the instance after a `set_variables`
//! step runs inside the same transaction). `ORGATA_BENCH_SECONDS` (default 10) and
//! `ORGATA_BENCH_CLIENTS` (default 8) set the run. The server and the clients share this
//! process and its cores, so the figures are a floor for a dedicated server.

mod common;

use std::time::{Duration, Instant};

use common::{post, register, sqlite_file, start, PgSchema};

use serde_json::json;

/// Registers a team and creates the playbook; returns (token, team path, playbook id).
async fn prepare(client: &reqwest::Client, base: &str) -> (String, String, String) {
    let (token, team) = register(client, base).await;
    let playbook = post(
        client,
        &format!("{team}/processes"),
        Some(&token),
        json!({"name": "Expense claim", "steps": [
            {"id": "submit", "name": "Submit", "type": "human",
             "form": {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number"}}}},
            {"id": "review", "name": "Review", "type": "human"},
            {"id": "record", "name": "Record", "type": "algorithm",
             "automation_config": {"action": "set_variables", "variables": {"recorded": "steps.submit.output.amount > 0"}}}
        ]}),
    )
    .await;
    let id = playbook["data"]["id"].as_str().unwrap().to_string();
    (token, team, id)
}

/// Starts and completes one instance; returns how long it took.
async fn one_instance(
    client: &reqwest::Client,
    token: &str,
    team: &str,
    playbook: &str,
) -> Duration {
    let t0 = Instant::now();
    let started = post(
        client,
        &format!("{team}/processes/{playbook}/instances"),
        Some(token),
        json!({"variables": {}}),
    )
    .await;
    let instance = started["data"]["id"].as_str().unwrap();
    let step = |s: &str| format!("{team}/process-instances/{instance}/steps/{s}/execute");
    post(
        client,
        &step("submit"),
        Some(token),
        json!({"output": {"amount": 42.5}}),
    )
    .await;
    let done = post(client, &step("review"), Some(token), json!({"output": {}})).await;
    assert_eq!(done["data"]["status"], "completed", "{done}");
    t0.elapsed()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn measure(label: &str, database_url: String, seconds: u64, clients: usize) {
    let dir = std::env::temp_dir().join(format!("orgata-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = start(database_url, &dir).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let (token, team, playbook) = prepare(&client, &server.base).await;
    // Warm-up.
    for _ in 0..20 {
        one_instance(&client, &token, &team, &playbook).await;
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let t0 = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (client, token, team, playbook) = (
            client.clone(),
            token.clone(),
            team.clone(),
            playbook.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                latencies.push(one_instance(&client, &token, &team, &playbook).await);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.unwrap());
    }
    let elapsed = t0.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let n = latencies.len();
    println!(
        "{label:<10} {clients:>3} clients {elapsed:>6.1} s  {n:>6} instances  {:>8.1} instances/s  {:>8.1} requests/s  p50 {:>6.1} ms  p99 {:>6.1} ms",
        n as f64 / elapsed,
        3.0 * n as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let seconds: u64 = std::env::var("ORGATA_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let clients: usize = std::env::var("ORGATA_BENCH_CLIENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!("instances started and driven to completion through REST (3 requests each)");
        let (dir, sqlite) = sqlite_file();
        measure("sqlite", sqlite, seconds, clients).await;
        let _ = std::fs::remove_dir_all(&dir);
        match PgSchema::create().await {
            Some(schema) => {
                measure("postgres", schema.url.clone(), seconds, clients).await;
                schema.drop().await;
            }
            None => println!("postgres   skipped: set ORGATA_BENCH_POSTGRES_URL to measure it"),
        }
    });
}
