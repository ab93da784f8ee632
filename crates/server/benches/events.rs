//! Event fan-out latency: 100 clients hold the team's event stream (SSE) open while instances
//! are started through REST; each client notes, for every event it receives, the time since the
//! event's `occurred_at` (taken in the transaction that commits it). Prints p50, p99 and max
//! on SQLite and (when a URL is given) on PostgreSQL, where the clients listen on a second node
//! so every event crosses `LISTEN/NOTIFY`.
//!
//! ```sh
//! cargo bench -p orgata --bench events
//! ORGATA_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p orgata --bench events
//! ```
//!
//! `ORGATA_BENCH_SUBSCRIBERS` (default 100) and `ORGATA_BENCH_INSTANCES` (default 100) set the
//! run. Server, clients and driver share this process and its cores.

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{post, register, sqlite_file, start, PgSchema};
use serde_json::{json, Value};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Reads one client's stream until the event `last_seq`; answers each event's latency (ms).
async fn subscriber(
    mut response: reqwest::Response,
    until: tokio::sync::watch::Receiver<i64>,
) -> Vec<f64> {
    let mut latencies = Vec::new();
    let mut buffer = String::new();
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data:")) else {
                continue;
            };
            let received = Utc::now();
            let event: Value = serde_json::from_str(data.trim()).unwrap();
            let at: DateTime<Utc> = event["occurred_at"].as_str().unwrap().parse().unwrap();
            latencies.push((received - at).num_microseconds().unwrap_or(0) as f64 / 1000.0);
            let last = *until.borrow();
            if last > 0 && event["seq"].as_i64().unwrap() >= last {
                return latencies;
            }
        }
        match tokio::time::timeout(Duration::from_secs(30), response.chunk()).await {
            Ok(Ok(Some(chunk))) => buffer.push_str(&String::from_utf8_lossy(&chunk)),
            _ => return latencies,
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Runs one measurement: clients on `listen_base`, instances driven on `drive_base`.
async fn measure(
    label: &str,
    drive_base: &str,
    listen_base: &str,
    subscribers: usize,
    instances: usize,
) {
    let client = reqwest::Client::new();
    let (token, team) = register(&client, drive_base).await;
    let playbook = post(
        &client,
        &format!("{team}/processes"),
        Some(&token),
        json!({"name": "One step", "steps": [{"id": "a", "name": "A", "type": "human"}]}),
    )
    .await;
    let playbook = playbook["data"]["id"].as_str().unwrap().to_string();
    let stream_url = format!("{}{}", listen_base, &team[drive_base.len()..]) + "/events";
    let (last_tx, last_rx) = tokio::sync::watch::channel(0i64);
    let mut readers = Vec::new();
    for _ in 0..subscribers {
        let response = client
            .get(&stream_url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("the stream opens");
        assert!(response.status().is_success());
        readers.push(tokio::spawn(subscriber(response, last_rx.clone())));
    }
    let mut last_seq = 0;
    for _ in 0..instances {
        post(
            &client,
            &format!("{team}/processes/{playbook}/instances"),
            Some(&token),
            json!({}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let audit = client
        .get(format!("{team}/audit?page_size=1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    if let Some(seq) = audit["data"][0]["seq"].as_i64() {
        last_seq = seq;
    }
    let _ = last_tx.send(last_seq);
    // Wakes the readers that already had every event (they check the last seq on the next one).
    post(
        &client,
        &format!("{team}/processes/{playbook}/instances"),
        Some(&token),
        json!({}),
    )
    .await;
    let mut all = Vec::new();
    for r in readers {
        all.extend(r.await.unwrap());
    }
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{label:<10} {subscribers} subscribers, {} deliveries: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        all.len(),
        percentile(&all, 50.0),
        percentile(&all, 99.0),
        all.last().copied().unwrap_or(f64::NAN)
    );
}

fn main() {
    let subscribers = env_number("ORGATA_BENCH_SUBSCRIBERS", 100);
    let instances = env_number("ORGATA_BENCH_INSTANCES", 100);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!("event fan-out latency, commit to SSE delivery ({instances} instances started through REST)");
        let (dir, sqlite) = sqlite_file();
        let server = start(sqlite, &dir).await;
        measure("sqlite", &server.base, &server.base, subscribers, instances).await;
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
        match PgSchema::create().await {
            Some(schema) => {
                let dir = std::env::temp_dir().join(format!("orgata-bench-{}", uuid::Uuid::now_v7().simple()));
                std::fs::create_dir_all(&dir).unwrap();
                let a = start(schema.url.clone(), &dir).await;
                let b = start(schema.url.clone(), &dir).await;
                measure("postgres", &a.base, &b.base, subscribers, instances).await;
                drop((a, b));
                schema.drop().await;
                let _ = std::fs::remove_dir_all(&dir);
            }
            None => println!("postgres   skipped: set ORGATA_BENCH_POSTGRES_URL to measure it"),
        }
    });
}
