//! The event stream (SSE) over real HTTP: it starts now or resumes after `Last-Event-ID` with
//! nothing lost or repeated, filters, authenticates (header or `?access_token=`), and on
//! PostgreSQL a node receives the events committed on another.

mod common;

use std::time::Duration;

use common::{team, Team, TestApp};
use serde_json::Value;

/// An open event stream, read frame by frame.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

/// One event as it arrived: `(id, event, data)`.
type Frame = (i64, String, Value);

impl Stream {
    async fn open(app: &TestApp, t: &Team, query: &str, last: Option<i64>) -> Stream {
        let mut request = app
            .client
            .get(format!("{}{}{query}", app.base, t.p("/events")))
            .bearer_auth(&t.token);
        if let Some(seq) = last {
            request = request.header("last-event-id", seq.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (heartbeats skipped), or `None` when none comes within `wait`.
    async fn next_within(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (None, String::new(), String::new());
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                match id {
                    Some(id) => return Some((id, event, serde_json::from_str(&data).unwrap())),
                    None => continue, // a heartbeat comment
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .unwrap()
                .expect("the stream stays open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    async fn next(&mut self) -> Frame {
        self.next_within(Duration::from_secs(15))
            .await
            .expect("an event within 15 s")
    }

    /// Events until one of type `kind` (included).
    async fn until(&mut self, kind: &str) -> Vec<Frame> {
        let mut seen = Vec::new();
        loop {
            let frame = self.next().await;
            let done = frame.1 == kind;
            seen.push(frame);
            if done {
                return seen;
            }
        }
    }
}

/// The team's event seqs in `(from, to]`, from the audit trail.
async fn logged(app: &TestApp, t: &Team, from: i64, to: i64) -> Vec<i64> {
    let audit = app
        .get(&t.p("/audit?page_size=200"), &t.token)
        .await
        .expect(200);
    let mut seqs: Vec<i64> = audit
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .filter(|s| *s > from && *s <= to)
        .collect();
    seqs.sort();
    seqs
}

async fn resumes_without_loss(app: TestApp) {
    let t = team(&app).await;
    let head = logged(&app, &t, 0, i64::MAX).await.last().copied().unwrap();
    // Without Last-Event-ID the stream starts now: nothing of the past.
    let mut s = Stream::open(&app, &t, "", None).await;
    let instance = common::start_two_steps(&app, &t).await;
    let first = s.until("task.created").await;
    assert_eq!(first[0].0, head + 1, "the first event after the head");
    let envelope = &first[0].2;
    for key in [
        "id",
        "seq",
        "type",
        "version",
        "team_id",
        "occurred_at",
        "actor",
        "entity",
        "data",
    ] {
        assert!(envelope.get(key).is_some(), "{key} in {envelope}");
    }
    assert_eq!(envelope["team_id"], t.id.as_str());
    let last = first.last().unwrap().0;
    drop(s);

    // Events committed while nobody listens arrive on resumption, once each, in order.
    common::complete_step(&app, &t, &instance, "a").await;
    common::complete_step(&app, &t, &instance, "b").await;
    let mut s = Stream::open(&app, &t, "", Some(last)).await;
    let rest = s.until("process_instance.completed").await;
    let all: Vec<i64> = first.iter().chain(rest.iter()).map(|f| f.0).collect();
    let end = *all.last().unwrap();
    assert_eq!(
        all,
        logged(&app, &t, head, end).await,
        "every event once, in seq order"
    );
    assert!(s.next_within(Duration::from_millis(300)).await.is_none());
}

async fn filters_and_access(app: TestApp) {
    let t = team(&app).await;
    let mut tasks_only = Stream::open(&app, &t, "?types=task.*", None).await;
    let instance = common::start_two_steps(&app, &t).await;
    let mut of_instance = Stream::open(&app, &t, &format!("?entity_id={instance}"), Some(0)).await;
    common::complete_step(&app, &t, &instance, "a").await;
    for _ in 0..3 {
        let (_, kind, _) = tasks_only.next().await;
        assert!(kind.starts_with("task."), "{kind}");
    }
    let (_, _, event) = of_instance.next().await;
    assert_eq!(event["entity"]["id"], instance.as_str());

    // A browser's EventSource sends the token in the URL.
    let url = format!("{}{}?access_token={}", app.base, t.p("/events"), t.token);
    let answer = app.client.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    // No token, a bad resume point, a bad type: refused with the contract's errors.
    let url = format!("{}{}", app.base, t.p("/events"));
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);
    let bad = app
        .client
        .get(&url)
        .bearer_auth(&t.token)
        .header("last-event-id", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let bad = app
        .get(&t.p("/events?types=task%20completed"), &t.token)
        .await;
    assert_eq!(bad.status, 422);
    // Another team's member sees nothing of this team.
    let other = app.register("other@example.com", Some("Elsewhere")).await;
    app.get(&t.p("/events"), &other.token)
        .await
        .expect_error(404, "NOT_FOUND");
}

both_backends!(resumes_without_loss, filters_and_access);

/// Two nodes on one PostgreSQL database: a client of node B receives every event of a flow
/// driven on node A, as it is committed (LISTEN/NOTIFY), in order. The readers never re-read
/// the log on their own here, so the events can only arrive through the notifications.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_node_receives_every_event() {
    let Some(a) = common::spawn_with(common::Backend::Postgres, common::SIGNALS_ONLY).await else {
        return;
    };
    let b = a.another_node_with(common::SIGNALS_ONLY).await;
    let t = team(&a).await;
    let head = logged(&a, &t, 0, i64::MAX).await.last().copied().unwrap();
    let mut s = Stream::open(&b, &t, "", None).await;
    let instance = common::start_two_steps(&a, &t).await;
    common::complete_step(&a, &t, &instance, "a").await;
    common::complete_step(&a, &t, &instance, "b").await;
    let frames = s.until("process_instance.completed").await;
    let seqs: Vec<i64> = frames.iter().map(|f| f.0).collect();
    assert_eq!(seqs, logged(&a, &t, head, *seqs.last().unwrap()).await);
}
