//! Event fan-out latency: 100 clients hold the team's event stream open — as SSE, then as
//! GraphQL subscriptions (`teamActivity` over graphql-transport-ws) — while instances are started
//! through REST; each client notes, for every event it receives, the time since the event's
//! `occurred_at` (taken in the transaction that commits it). Prints p50, p99 and max on SQLite
//! and (when a URL is given) on PostgreSQL, where the clients listen on a second node so every
//! event crosses `LISTEN/NOTIFY`.
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
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// How the clients hold the stream.
#[derive(Clone, Copy)]
enum Transport {
    Sse,
    Subscription,
}

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
            let event: Value = serde_json::from_str(data.trim()).unwrap();
            let (latency, last) = arrived(&event, &until);
            latencies.push(latency);
            if last {
                return latencies;
            }
        }
        match tokio::time::timeout(Duration::from_secs(30), response.chunk()).await {
            Ok(Ok(Some(chunk))) => buffer.push_str(&String::from_utf8_lossy(&chunk)),
            _ => return latencies,
        }
    }
}

/// The latency (ms) of an event received now, and whether it is the last one awaited.
fn arrived(event: &Value, until: &tokio::sync::watch::Receiver<i64>) -> (f64, bool) {
    let received = Utc::now();
    let at: DateTime<Utc> = event["occurredAt"]
        .as_str()
        .or(event["occurred_at"].as_str())
        .unwrap()
        .parse()
        .unwrap();
    let latency = (received - at).num_microseconds().unwrap_or(0) as f64 / 1000.0;
    let last = *until.borrow();
    (latency, last > 0 && event["seq"].as_i64().unwrap() >= last)
}

/// One GraphQL `teamActivity` subscription until the event `last_seq`; answers each event's
/// latency (ms).
async fn subscription(
    base: String,
    token: String,
    team_id: String,
    after: i64,
    ready: tokio::sync::mpsc::Sender<()>,
    until: tokio::sync::watch::Receiver<i64>,
) -> Vec<f64> {
    let mut request = format!("{}/graphql", base.replacen("http", "ws", 1))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}),
    ))
    .await
    .unwrap();
    // From the head read before the run, so a feed that opens late still gets every event.
    let query =
        "subscription($t: ID!, $a: Int) { teamActivity(teamId: $t, afterSeq: $a) { seq occurredAt } }";
    let variables = json!({"t": team_id, "a": after});
    ws.send(send(json!({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}})))
        .await
        .unwrap();
    let _ = ready.send(()).await;
    let mut latencies = Vec::new();
    loop {
        let message = match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
            Ok(Some(Ok(m))) => m,
            _ => return latencies,
        };
        let Message::Text(text) = message else {
            continue;
        };
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["type"] == "ping" {
            let _ = ws.send(send(json!({"type": "pong"}))).await;
        }
        if v["type"] != "next" {
            continue;
        }
        let (latency, last) = arrived(&v["payload"]["data"]["teamActivity"], &until);
        latencies.push(latency);
        if last {
            return latencies;
        }
    }
}

/// The `seq` of the team's newest event (0 before the first).
async fn audit_head(client: &reqwest::Client, team: &str, token: &str) -> i64 {
    let audit = client
        .get(format!("{team}/audit?page_size=1"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    audit["data"][0]["seq"].as_i64().unwrap_or(0)
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
    transport: Transport,
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
    let team_id = team.rsplit('/').next().unwrap().to_string();
    let head = audit_head(&client, &team, &token).await;
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(subscribers.max(1));
    let mut readers = Vec::new();
    for _ in 0..subscribers {
        readers.push(match transport {
            Transport::Sse => {
                let response = client
                    .get(&stream_url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("the stream opens");
                assert!(response.status().is_success());
                tokio::spawn(subscriber(response, last_rx.clone()))
            }
            Transport::Subscription => tokio::spawn(subscription(
                listen_base.to_string(),
                token.clone(),
                team_id.clone(),
                head,
                ready_tx.clone(),
                last_rx.clone(),
            )),
        });
    }
    if let Transport::Subscription = transport {
        for _ in 0..subscribers {
            ready_rx.recv().await;
        }
        // The subscribe messages are sent; give the server a moment to open every feed.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
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
    let _ = last_tx.send(audit_head(&client, &team, &token).await);
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
    let via = match transport {
        Transport::Sse => "SSE",
        Transport::Subscription => "GraphQL",
    };
    println!(
        "{label:<10} {via:<8} {subscribers} subscribers, {} deliveries: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
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
        println!("event fan-out latency, commit to delivery ({instances} instances started through REST)");
        let (dir, sqlite) = sqlite_file();
        let server = start(sqlite, &dir).await;
        for transport in [Transport::Sse, Transport::Subscription] {
            measure("sqlite", transport, &server.base, &server.base, subscribers, instances).await;
        }
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
        match PgSchema::create().await {
            Some(schema) => {
                let dir = std::env::temp_dir().join(format!("orgata-bench-{}", uuid::Uuid::now_v7().simple()));
                std::fs::create_dir_all(&dir).unwrap();
                let a = start(schema.url.clone(), &dir).await;
                let b = start(schema.url.clone(), &dir).await;
                for transport in [Transport::Sse, Transport::Subscription] {
                    measure("postgres", transport, &a.base, &b.base, subscribers, instances).await;
                }
                drop((a, b));
                schema.drop().await;
                let _ = std::fs::remove_dir_all(&dir);
            }
            None => println!("postgres   skipped: set ORGATA_BENCH_POSTGRES_URL to measure it"),
        }
    });
}
