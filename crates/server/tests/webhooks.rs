//! Webhooks over real HTTP: a receiver that verifies every signature gets each event of a
//! flow once; a failing receiver is retried with backoff (the clock moved by hand) until it
//! answers, and a delivery can be replayed; registration is checked and for admins only.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use common::{team, Team, TestApp};
use hmac::{Hmac, Mac};
use orgata_core::clock::ManualClock;
use serde_json::{json, Value};
use sha2::Sha256;

/// What a receiver got: `(headers, body)` of each POST.
#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    /// Answers 500 to this many requests first.
    failures: Arc<Mutex<u32>>,
}

async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> StatusCode {
    inbox.received.lock().unwrap().push((headers, body));
    let mut failures = inbox.failures.lock().unwrap();
    if *failures > 0 {
        *failures -= 1;
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// A receiver on 127.0.0.1: its URL and its inbox.
async fn receiver(failures: u32) -> (String, Inbox) {
    let inbox = Inbox::default();
    *inbox.failures.lock().unwrap() = failures;
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .route(
            "/moved",
            axum::routing::post(|| async {
                (StatusCode::TEMPORARY_REDIRECT, [("location", "/hook")])
            }),
        )
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, inbox)
}

/// Checks `Orgata-Signature` as a receiver would: HMAC-SHA256 over `"<t>.<body>"`.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = headers["orgata-signature"].to_str().unwrap();
    let (t, v1) = header.split_once(",v1=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&hex::decode(v1).unwrap()).is_ok()
}

async fn register(app: &TestApp, t: &Team, url: &str, types: Value) -> (String, String) {
    let created = app
        .post(
            &t.p("/webhooks"),
            &t.token,
            json!({"url": url, "event_types": types}),
        )
        .await
        .expect(201);
    let d = created.data();
    assert!(d["secret"].as_str().unwrap().starts_with("whsec_"));
    (
        d["id"].as_str().unwrap().to_string(),
        d["secret"].as_str().unwrap().to_string(),
    )
}

/// Waits until the inbox holds `n` requests.
async fn wait_for(inbox: &Inbox, n: usize) -> Vec<(HeaderMap, Bytes)> {
    for _ in 0..200 {
        let got = inbox.received.lock().unwrap().clone();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the receiver did not get {n} requests in 10 s");
}

async fn signed_deliveries_once_each(app: TestApp) {
    let t = team(&app).await;
    let (url, inbox) = receiver(0).await;
    let (id, secret) = register(
        &app,
        &t,
        &url,
        json!(["task.*", "process_instance.completed"]),
    )
    .await;
    let shown = app
        .get(&t.p(&format!("/webhooks/{id}")), &t.token)
        .await
        .expect(200);
    assert!(
        shown.data().get("secret").is_none(),
        "the secret is shown once"
    );
    let instance = common::start_two_steps(&app, &t).await;
    for step in ["a", "b"] {
        common::complete_step(&app, &t, &instance, step).await;
    }
    // task.created ×2, task.completed ×2, process_instance.completed
    let got = wait_for(&inbox, 5).await;
    let mut seqs = Vec::new();
    for (headers, body) in &got {
        assert!(verify(&secret, headers, body), "a valid signature");
        assert!(!verify("whsec_other", headers, body));
        let event: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(headers["orgata-event"].to_str().unwrap(), event["type"]);
        let kind = event["type"].as_str().unwrap();
        assert!(
            kind.starts_with("task.") || kind == "process_instance.completed",
            "{kind}"
        );
        seqs.push(event["seq"].as_i64().unwrap());
    }
    let mut unique = seqs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seqs.len(), "each event once");
    let deliveries = app
        .get(&t.p(&format!("/webhooks/{id}/deliveries")), &t.token)
        .await
        .expect(200);
    let deliveries = deliveries.data().as_array().unwrap().clone();
    assert_eq!(deliveries.len(), 5);
    for d in &deliveries {
        assert_eq!(d["status"], "delivered");
        assert_eq!(d["response_status"], 200);
        assert_eq!(d["attempts"], 1);
        assert!(got
            .iter()
            .any(|(h, _)| h["orgata-delivery"] == d["id"].as_str().unwrap()));
    }
    // Inactive: nothing more is sent.
    app.put(
        &t.p(&format!("/webhooks/{id}")),
        &t.token,
        json!({"active": false}),
    )
    .await
    .expect(200);
    common::start_two_steps(&app, &t).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(inbox.received.lock().unwrap().len(), 5);
}

async fn registration_rules(app: TestApp) {
    let t = team(&app).await;
    for (body, field) in [
        (
            json!({"url": "ftp://example.com/x", "event_types": ["*"]}),
            "/url",
        ),
        (
            json!({"url": "http://example.com/x", "event_types": []}),
            "/event_types",
        ),
        (
            json!({"url": "http://example.com/x", "event_types": ["task completed"]}),
            "/event_types/0",
        ),
    ] {
        let answer = app
            .post(&t.p("/webhooks"), &t.token, body)
            .await
            .expect_error(422, "VALIDATION_FAILED");
        let fields: Vec<&str> = answer.body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{fields:?}");
    }
    let member = app
        .member(&t.token, &t.id, "member@example.com", "member")
        .await;
    app.post(
        &t.p("/webhooks"),
        &member.token,
        json!({"url": "http://example.com/x", "event_types": ["*"]}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    app.get(
        &t.p(&format!("/webhooks/{}", uuid::Uuid::now_v7())),
        &t.token,
    )
    .await
    .expect_error(404, "NOT_FOUND");
}

fn friday() -> DateTime<Utc> {
    "2026-11-20T15:00:00Z".parse().unwrap()
}

async fn retried_then_replayed(app: TestApp, clock: ManualClock) {
    let t = team(&app).await;
    let (url, inbox) = receiver(1).await;
    let (id, secret) = register(&app, &t, &url, json!(["task.created"])).await;
    common::start_two_steps(&app, &t).await;
    wait_for(&inbox, 1).await;
    let path = t.p(&format!("/webhooks/{id}/deliveries"));
    let failed = app
        .wait_for(&path, &t.token, |d| {
            d[0]["attempts"] == 1 && d[0]["response_status"] == 500
        })
        .await;
    assert_eq!(failed[0]["status"], "pending", "waiting to be retried");
    let next: DateTime<Utc> = failed[0]["next_attempt_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(next - friday(), chrono::Duration::seconds(10));
    // Nothing happens before the backoff is over; then the retry succeeds.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(inbox.received.lock().unwrap().len(), 1);
    clock.advance(chrono::Duration::seconds(11));
    let done = app
        .wait_for(&path, &t.token, |d| d[0]["status"] == "delivered")
        .await;
    assert_eq!(done[0]["attempts"], 2);
    let got = wait_for(&inbox, 2).await;
    assert_eq!(got[0].1, got[1].1, "the same event both times");
    assert!(verify(&secret, &got[1].0, &got[1].1));
    // A replay sends it once more.
    let delivery = done[0]["id"].as_str().unwrap();
    app.post(&format!("{path}/{delivery}/replay"), &t.token, json!({}))
        .await
        .expect(202);
    let again = app
        .wait_for(&path, &t.token, |d| d[0]["attempts"] == 3)
        .await;
    assert_eq!(again[0]["status"], "delivered");
    assert_eq!(wait_for(&inbox, 3).await[2].1, got[0].1);
}

/// A redirect is an answer, not a way elsewhere: the delivery records the 3xx and is retried
/// later; the target it points to gets nothing (a public endpoint cannot bounce a delivery,
/// or its answer, to an inner address).
async fn redirects_are_not_followed(app: TestApp) {
    let t = team(&app).await;
    let (url, inbox) = receiver(0).await;
    let (id, _) = register(
        &app,
        &t,
        &url.replace("/hook", "/moved"),
        json!(["task.created"]),
    )
    .await;
    common::start_two_steps(&app, &t).await;
    let path = t.p(&format!("/webhooks/{id}/deliveries"));
    let tried = app
        .wait_for(&path, &t.token, |d| d[0]["attempts"] == 1)
        .await;
    assert_eq!(tried[0]["response_status"], 307);
    assert_eq!(tried[0]["status"], "pending", "to be tried again");
    assert!(inbox.received.lock().unwrap().is_empty());
}

both_backends!(
    signed_deliveries_once_each,
    registration_rules,
    redirects_are_not_followed
);
with_clock_on_both_backends!(start = friday(); retried_then_replayed);

/// With private targets denied (shared hosts), loopback URLs are refused at registration.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_targets_denied() {
    let app = common::spawn_with(common::Backend::Sqlite, |a| {
        a.webhooks_deny_private = Some(true)
    })
    .await
    .unwrap();
    let t = team(&app).await;
    for url in [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://[::1]/x",
        "http://10.0.0.8/x",
    ] {
        app.post(
            &t.p("/webhooks"),
            &t.token,
            json!({"url": url, "event_types": ["*"]}),
        )
        .await
        .expect_error(422, "VALIDATION_FAILED");
    }
}
