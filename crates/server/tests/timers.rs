//! The durable job runner over REST, with a clock the tests move: webhooks against a local
//! server (retries, idempotency, secrets), SLA breaches in calendar and working time, waits,
//! and timers that survive a restart.

mod common;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use common::{execution, status_of, team, Team, TestApp};
use orgata_core::clock::ManualClock;
use serde_json::{json, Value};

/// Friday 2026-11-20 15:00 UTC (16:00 in Berlin): an hour before the end of a working week.
fn friday_afternoon() -> DateTime<Utc> {
    "2026-11-20T15:00:00Z".parse().unwrap()
}

async fn start(app: &TestApp, t: &Team, steps: Value) -> Value {
    let pb = app
        .post(
            &t.p("/processes"),
            &t.token,
            json!({"name": "Timed", "steps": steps}),
        )
        .await
        .expect(201);
    let id = pb.data()["id"].as_str().unwrap().to_string();
    app.post(
        &t.p(&format!("/processes/{id}/instances")),
        &t.token,
        json!({}),
    )
    .await
    .expect(201)
    .data()
    .clone()
}

fn instance_path(t: &Team, instance: &Value) -> String {
    t.p(&format!(
        "/process-instances/{}",
        instance["id"].as_str().unwrap()
    ))
}

/// Gives the job runner (200 ms poll) time to act on something it must not act on.
async fn let_the_runner_look() {
    tokio::time::sleep(Duration::from_millis(700)).await;
}

// ---------------------------------------------------------------------------------------------
// A local webhook endpoint whose first answer is lost (503 after doing the work), then succeeds.

#[derive(Default)]
struct Endpoint {
    calls: Vec<(Option<String>, Option<String>, Value)>,
    /// Idempotency keys whose effect was applied (a ticket was opened).
    applied: Vec<String>,
}

type Shared = Arc<Mutex<Endpoint>>;

async fn flaky_crm(
    State(endpoint): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let key = header("idempotency-key");
    let mut e = endpoint.lock().unwrap();
    e.calls.push((key.clone(), header("authorization"), body));
    // The effect is applied once per idempotency key, even by the first call, whose answer is
    // then lost (503): a retry with another key would open a second ticket.
    let key = key.unwrap_or_default();
    if !e.applied.contains(&key) {
        e.applied.push(key);
    }
    if e.calls.len() == 1 {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": "the answer was lost"})),
        );
    }
    (StatusCode::OK, Json(json!({"ticket": "T-42"})))
}

async fn serve_endpoint() -> (String, Shared) {
    let shared: Shared = Arc::default();
    let router = axum::Router::new()
        .route("/tickets", axum::routing::post(flaky_crm))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/tickets", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, shared)
}

/// Every log line the process writes, at debug level and up.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || LogSink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        logs
    })
    .clone()
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

async fn a_webhook_retries_once_takes_effect_once_and_keeps_its_secret(
    app: TestApp,
    clock: ManualClock,
) {
    let logs = captured_logs();
    let t = team(&app).await;
    let secret = format!("crm-{}", uuid::Uuid::new_v4().simple());
    app.post(
        &t.p("/secrets"),
        &t.token,
        json!({"name": "CRM_TOKEN", "value": secret}),
    )
    .await
    .expect(201);
    let (url, endpoint) = serve_endpoint().await;
    let i = start(
        &app,
        &t,
        json!([
            {"id": "open_ticket", "name": "Open a ticket", "type": "algorithm", "automation_config": {
                "action": "webhook", "url": url,
                "headers": {"Authorization": "Bearer {{secrets.CRM_TOKEN}}"},
                "body": {"customer": "ACME", "signature": "{{secrets.CRM_TOKEN}}"},
                "max_attempts": 3,
                "response_mapping": {"ticket": "output.body.ticket"}}},
            {"id": "follow_up", "name": "Follow up", "type": "human"}
        ]),
    )
    .await;
    let path = instance_path(&t, &i);
    // The first call fails: the job waits for its backoff (2 s on the engine's clock).
    for _ in 0..150 {
        if !endpoint.lock().unwrap().calls.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let_the_runner_look().await;
    assert_eq!(
        endpoint.lock().unwrap().calls.len(),
        1,
        "no retry before the backoff"
    );
    let running = app.get(&path, &t.token).await.expect(200);
    assert_eq!(status_of(running.data(), "open_ticket"), "running");
    clock.advance(chrono::Duration::seconds(3));
    let done = app
        .wait_for(&path, &t.token, |i| {
            status_of(i, "open_ticket") == "completed"
        })
        .await;
    assert_eq!(done["variables"]["ticket"], "T-42");
    assert_eq!(status_of(&done, "follow_up"), "running");
    let_the_runner_look().await;
    {
        let e = endpoint.lock().unwrap();
        assert_eq!(e.calls.len(), 2, "retried exactly once");
        assert_eq!(e.applied.len(), 1, "the effect happened once");
        let (first_key, auth, body) = &e.calls[0];
        assert!(first_key.is_some());
        assert_eq!(
            &e.calls[1].0, first_key,
            "both attempts carry one idempotency key"
        );
        assert_eq!(auth.as_deref(), Some(format!("Bearer {secret}").as_str()));
        assert_eq!(body["signature"], json!(secret));
    }
    let output = &execution(&done, "open_ticket")["output_data"];
    assert_eq!(output["status"], 200);

    // The secret is in no answer, no stored row (events included) and no log line.
    let mut answers = Vec::new();
    for p in [
        path.clone(),
        t.p("/process-instances"),
        t.p("/processes"),
        t.p("/tasks"),
        t.p("/audit?page_size=200"),
        t.p("/secrets"),
        format!("{path}/exceptions"),
    ] {
        answers.extend(
            app.get(&p, &t.token)
                .await
                .expect(200)
                .body
                .to_string()
                .into_bytes(),
        );
    }
    assert!(contains(&answers, "open_ticket"), "the answers were read");
    assert!(!contains(&answers, &secret), "a response holds the secret");
    for table in [
        "events",
        "snapshots",
        "commits",
        "process_instances",
        "step_executions",
        "tasks",
        "process_exceptions",
        "jobs",
        "team_secrets",
        "idempotency_keys",
    ] {
        let rows = app.dump(table).await;
        assert!(!contains(&rows, &secret), "table {table} holds the secret");
    }
    let logs = logs.lock().unwrap();
    assert!(!logs.is_empty(), "logs were captured");
    assert!(!contains(&logs, &secret), "a log line holds the secret");
}

async fn a_webhook_that_keeps_failing_raises_an_exception(app: TestApp, clock: ManualClock) {
    let t = team(&app).await;
    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let i = start(
        &app,
        &t,
        json!([{"id": "notify", "name": "Notify", "type": "algorithm", "automation_config": {
            "action": "webhook", "url": format!("http://{closed}/hook"), "max_attempts": 2}}]),
    )
    .await;
    let path = instance_path(&t, &i);
    let_the_runner_look().await;
    clock.advance(chrono::Duration::seconds(3));
    let failed = app
        .wait_for(&path, &t.token, |i| status_of(i, "notify") == "failed")
        .await;
    assert_eq!(failed["status"], "running");
    let exceptions = app
        .get(&format!("{path}/exceptions"), &t.token)
        .await
        .expect(200);
    let x = &exceptions.data()[0];
    assert_eq!(x["type"], "resource_unavailable");
    assert!(x["message"].as_str().unwrap().contains("after 2 attempts"));
}

/// Counts the calls of a slow endpoint by idempotency key.
async fn counting(State(calls): State<Arc<Mutex<Vec<String>>>>, headers: HeaderMap) -> StatusCode {
    tokio::time::sleep(Duration::from_millis(150)).await;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    calls.lock().unwrap().push(key);
    StatusCode::NO_CONTENT
}

/// Two nodes on one PostgreSQL database run every job once between them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_never_run_one_job_twice() {
    let Some(one) = common::spawn(common::Backend::Postgres).await else {
        return;
    };
    let two = one.another_node().await;
    let calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(counting))
        .with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let t = team(&one).await;
    let pb = one
        .post(
            &t.p("/processes"),
            &t.token,
            json!({"name": "Notify", "steps": [
            {"id": "notify", "name": "Notify", "type": "algorithm",
             "automation_config": {"action": "webhook", "url": url}}]}),
        )
        .await
        .expect(201);
    let pb = pb.data()["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for n in 0..12 {
        // Started through both nodes, so both runners see jobs at once.
        let node = if n % 2 == 0 { &one } else { &two };
        let i = node
            .post(
                &t.p(&format!("/processes/{pb}/instances")),
                &t.token,
                json!({}),
            )
            .await
            .expect(201);
        ids.push(i.data()["id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        let done = one
            .wait_for(&t.p(&format!("/process-instances/{id}")), &t.token, |i| {
                i["status"] == "completed"
            })
            .await;
        assert_eq!(status_of(&done, "notify"), "completed");
    }
    let_the_runner_look().await;
    let calls = calls.lock().unwrap();
    let mut keys = calls.clone();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(calls.len(), 12, "each job ran once: {calls:?}");
    assert_eq!(keys.len(), 12);
}

// ---------------------------------------------------------------------------------------------
// SLA timers.

/// A `Support` role reporting to `Support Lead`; returns (support, lead) ids.
async fn support_roles(app: &TestApp, t: &Team) -> (String, String) {
    let lead = app
        .post(&t.p("/roles"), &t.token, json!({"name": "Support Lead"}))
        .await
        .expect(201);
    let lead = lead.data()["id"].as_str().unwrap().to_string();
    let support = app
        .post(
            &t.p("/roles"),
            &t.token,
            json!({"name": "Support", "reports_to": lead}),
        )
        .await
        .expect(201);
    (support.data()["id"].as_str().unwrap().to_string(), lead)
}

async fn escalations(app: &TestApp, t: &Team) -> Vec<Value> {
    app.get(&t.p("/tasks?status=open"), &t.token)
        .await
        .expect(200)
        .data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["type"] == "escalation")
        .cloned()
        .collect()
}

/// Checks the breach of `triage`: a `timeout` exception, an escalation task for the lead.
async fn assert_breached(app: &TestApp, t: &Team, instance: &Value, lead: &str) {
    let path = instance_path(t, instance);
    let exceptions = app
        .wait_for(&format!("{path}/exceptions"), &t.token, |x| {
            x.as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    let x = &exceptions[0];
    assert_eq!(x["type"], "timeout");
    assert_eq!(x["step_id"], "triage");
    assert_eq!(x["handled"], false);
    let tasks = escalations(app, t).await;
    assert_eq!(tasks.len(), 1, "one escalation task");
    assert_eq!(tasks[0]["assigned_role"], json!(lead));
    assert_eq!(tasks[0]["step_id"], "triage");
    // The step itself is still there to be done.
    let now = app.get(&path, &t.token).await.expect(200);
    assert_eq!(status_of(now.data(), "triage"), "running");
    let audit = app
        .get(&t.p("/audit?page_size=200"), &t.token)
        .await
        .expect(200);
    assert!(audit
        .data()
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["type"] == "step.sla_breached"));
}

async fn an_sla_breach_in_calendar_time_escalates(app: TestApp, clock: ManualClock) {
    let t = team(&app).await;
    let (support, lead) = support_roles(&app, &t).await;
    let i = start(
        &app,
        &t,
        json!([{"id": "triage", "name": "Triage", "type": "human", "assigned_role": support,
                "due": {"value": 2, "unit": "hours"}}]),
    )
    .await;
    let due = execution(&i, "triage")["due_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        due.parse::<DateTime<Utc>>().unwrap(),
        "2026-11-20T17:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    clock.advance(chrono::Duration::minutes(119));
    let_the_runner_look().await;
    assert!(escalations(&app, &t).await.is_empty(), "not due yet");
    clock.advance(chrono::Duration::minutes(2));
    assert_breached(&app, &t, &i, &lead).await;
}

async fn an_sla_breach_in_working_time_escalates(app: TestApp, clock: ManualClock) {
    let t = team(&app).await;
    app.put(
        &format!("/v1/teams/{}", t.id),
        &t.token,
        json!({"settings": {"timezone": "Europe/Berlin", "working_calendar": {
            "working_days": [1, 2, 3, 4, 5], "start_time": "09:00", "end_time": "17:00", "holidays": []}}}),
    )
    .await
    .expect(200);
    let (support, lead) = support_roles(&app, &t).await;
    let i = start(
        &app,
        &t,
        json!([{"id": "triage", "name": "Triage", "type": "human", "assigned_role": support,
                "due": {"value": 2, "unit": "hours", "working_time": true}}]),
    )
    .await;
    // One working hour is left on Friday (16:00–17:00 Berlin); the second is Monday 09:00–10:00.
    let due = execution(&i, "triage")["due_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        due.parse::<DateTime<Utc>>().unwrap(),
        "2026-11-23T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    clock.set("2026-11-22T20:00:00Z".parse().unwrap()); // Sunday: long past in calendar time
    let_the_runner_look().await;
    assert!(
        escalations(&app, &t).await.is_empty(),
        "weekends do not count"
    );
    clock.set("2026-11-23T09:01:00Z".parse().unwrap());
    assert_breached(&app, &t, &i, &lead).await;
}

// ---------------------------------------------------------------------------------------------
// Waits, and timers across a restart.

async fn a_wait_step_fires_after_a_restart(app: TestApp, clock: ManualClock) {
    let t = team(&app).await;
    let i = start(
        &app,
        &t,
        json!([
            {"id": "cool_off", "name": "Cooling-off period", "type": "algorithm",
             "automation_config": {"action": "wait", "duration": {"value": 1, "unit": "hours"}}},
            {"id": "confirm", "name": "Confirm", "type": "human"}
        ]),
    )
    .await;
    let path = instance_path(&t, &i);
    clock.advance(chrono::Duration::minutes(30));
    let_the_runner_look().await;
    let halfway = app.get(&path, &t.token).await.expect(200);
    assert_eq!(status_of(halfway.data(), "cool_off"), "running");

    // The process stops half-way through the wait; a new one starts on the same database, with
    // its own clock, an hour later. The old clock is never moved again.
    let later = ManualClock::new(friday_afternoon() + chrono::Duration::minutes(90));
    let app = app.restart(later).await;
    // Access tokens outlive the restart: the signing key is kept in the database.
    let done = app
        .wait_for(&path, &t.token, |i| status_of(i, "cool_off") == "completed")
        .await;
    assert_eq!(status_of(&done, "confirm"), "running");
    let waited = &execution(&done, "cool_off")["output_data"]["waited_until"];
    assert_eq!(
        waited.as_str().unwrap().parse::<DateTime<Utc>>().unwrap(),
        friday_afternoon() + chrono::Duration::minutes(90)
    );
}

async fn a_paused_instance_holds_its_timers(app: TestApp, clock: ManualClock) {
    let t = team(&app).await;
    let i = start(
        &app,
        &t,
        json!([
            {"id": "cool_off", "name": "Cooling-off period", "type": "algorithm",
             "automation_config": {"action": "wait", "duration": {"value": 10, "unit": "minutes"}}},
            {"id": "confirm", "name": "Confirm", "type": "human"}
        ]),
    )
    .await;
    let path = instance_path(&t, &i);
    app.post(
        &format!("{path}/pause"),
        &t.token,
        json!({"reason": "hold"}),
    )
    .await
    .expect(200);
    clock.advance(chrono::Duration::minutes(11));
    let_the_runner_look().await;
    let paused = app.get(&path, &t.token).await.expect(200);
    assert_eq!(status_of(paused.data(), "cool_off"), "running");
    app.post(&format!("{path}/resume"), &t.token, json!({}))
        .await
        .expect(200);
    // The held job comes back 30 s (engine time) later.
    clock.advance(chrono::Duration::seconds(31));
    let done = app
        .wait_for(&path, &t.token, |i| status_of(i, "cool_off") == "completed")
        .await;
    assert_eq!(status_of(&done, "confirm"), "running");
}

// Each with the engine's clock standing at `friday_afternoon`.
with_clock_on_both_backends!(
    start = friday_afternoon();
    a_webhook_retries_once_takes_effect_once_and_keeps_its_secret,
    a_webhook_that_keeps_failing_raises_an_exception,
    an_sla_breach_in_calendar_time_escalates,
    an_sla_breach_in_working_time_escalates,
    a_wait_step_fires_after_a_restart,
    a_paused_instance_holds_its_timers,
);
