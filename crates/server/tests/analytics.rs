//! Analytics over REST: the two shared event logs imported and measured as pm4py measures them
//! (reference figures in `fixtures/pm4py`, made by `scripts/pm4py_reference.py`, which the test
//! command checks against pm4py), a playbook's measures on a history run here with a clock the
//! test moves, and imports that are refused whole.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use common::{team, Team, TestApp};
use orgata_core::clock::{Clock, ManualClock};
use serde_json::{json, Value};
use uuid::Uuid;

fn shared(name: &str) -> Vec<u8> {
    let path = format!("{}/../../../shared/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn reference(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/pm4py/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Within 0.1% (or 1 ms for values near zero).
fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= (want.abs() * 1e-3).max(1e-3),
        "{what}: got {got}, pm4py {want}"
    );
}

/// Imports `file` and checks every figure pm4py gives for it.
async fn import_matches_pm4py(app: &TestApp, file: &str, content_type: &str, fixture: &str) {
    let t = team(app).await;
    let want = reference(fixture);
    let done = app
        .upload(
            &t.p("/analytics/imports"),
            &t.token,
            shared(file),
            content_type,
        )
        .await
        .expect(201);
    let r = done.data().clone();
    assert_eq!(r["cases"], want["cases"]);
    assert_eq!(r["events"], want["events"]);
    let pb = r["playbook_id"].as_str().unwrap();
    // Step ids back to activity names, from the discovered playbook.
    let playbook = app
        .get(&t.p(&format!("/processes/{pb}")), &t.token)
        .await
        .expect(200);
    let names: BTreeMap<String, String> = playbook.data()["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().into(),
                s["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    let name = |id: &Value| names[id.as_str().unwrap()].clone();

    let a = app
        .get(
            &t.p(&format!("/analytics/processes?process_id={pb}")),
            &t.token,
        )
        .await
        .expect(200);
    let m = &a.data()["metrics"];
    assert_eq!(m["total_executions"], want["cases"]);
    assert_eq!(m["successful_executions"], want["cases"]);
    assert_eq!(m["average_duration"]["unit"], "seconds");
    close(
        m["average_duration"]["value"].as_f64().unwrap(),
        want["case_duration_mean"].as_f64().unwrap(),
        "mean case duration",
    );
    close(
        m["median_duration"]["value"].as_f64().unwrap(),
        want["case_duration_median"].as_f64().unwrap(),
        "median case duration",
    );

    let mining = app
        .get(
            &t.p(&format!("/analytics/variants?process_id={pb}&limit=1000")),
            &t.token,
        )
        .await
        .expect(200);
    let d = mining.data();
    assert_eq!(d["cases"], want["cases"]);
    let variants: BTreeMap<String, u64> = d["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let path: Vec<String> = v["steps"].as_array().unwrap().iter().map(name).collect();
            (path.join(" > "), v["count"].as_u64().unwrap())
        })
        .collect();
    let want_variants: BTreeMap<String, u64> =
        serde_json::from_value(want["variants"].clone()).unwrap();
    assert_eq!(variants, want_variants);
    let graph = &d["directly_follows"];
    let mut frequencies = BTreeMap::new();
    for e in graph["edges"].as_array().unwrap() {
        let key = format!("{} > {}", name(&e["from"]), name(&e["to"]));
        close(
            e["mean_time"]["value"].as_f64().unwrap(),
            want["dfg_mean_seconds"][&key].as_f64().unwrap(),
            &format!("mean time {key}"),
        );
        frequencies.insert(key, e["frequency"].as_u64().unwrap());
    }
    let want_dfg: BTreeMap<String, u64> = serde_json::from_value(want["dfg"].clone()).unwrap();
    assert_eq!(frequencies, want_dfg);
    for (key, list) in [
        ("start_activities", "start_steps"),
        ("end_activities", "end_steps"),
    ] {
        let got: BTreeMap<String, u64> = graph[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (name(&s["step_id"]), s["count"].as_u64().unwrap()))
            .collect();
        let expected: BTreeMap<String, u64> = serde_json::from_value(want[key].clone()).unwrap();
        assert_eq!(got, expected, "{key}");
    }
    for s in d["service_times"].as_array().unwrap() {
        let activity = name(&s["step_id"]);
        close(
            s["mean"]["value"].as_f64().unwrap(),
            want["service_time_mean_seconds"][&activity]
                .as_f64()
                .unwrap(),
            &format!("service time of {activity}"),
        );
    }
    let days: BTreeMap<String, u64> = d["cases_per_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["date"].as_str().unwrap().into(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let want_days: BTreeMap<String, u64> =
        serde_json::from_value(want["cases_per_day"].clone()).unwrap();
    assert_eq!(days, want_days);
}

async fn the_running_example_as_pm4py_measures_it(app: TestApp) {
    import_matches_pm4py(
        &app,
        "running-example.xes",
        "application/xml",
        "running-example",
    )
    .await;
}

async fn the_helpdesk_log_gzipped_as_pm4py_measures_it(app: TestApp) {
    import_matches_pm4py(&app, "helpdesk.xes.gz", "application/gzip", "helpdesk").await;
}

/// A broken log, an unknown activity for a named playbook, an empty log: 422 and nothing kept.
async fn a_bad_log_is_refused_whole(app: TestApp) {
    let t = team(&app).await;
    let mut log = String::from_utf8(shared("running-example.xes")).unwrap();
    let cut = log.rfind("<trace>").unwrap();
    log.truncate(cut + 200);
    let e = app
        .upload(
            &t.p("/analytics/imports"),
            &t.token,
            log.into_bytes(),
            "application/xml",
        )
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert!(e.body.to_string().contains("invalid_xes"), "{}", e.body);
    let pb = app
        .post(
            &t.p("/processes"),
            &t.token,
            json!({"name": "Claims", "steps": [
            {"id": "register", "name": "register request", "type": "human"}]}),
        )
        .await
        .expect(201);
    let pb = pb.data()["id"].as_str().unwrap().to_string();
    let e = app
        .upload(
            &t.p(&format!("/analytics/imports?process_id={pb}")),
            &t.token,
            shared("running-example.xes"),
            "application/xml",
        )
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert!(e.body.to_string().contains("examine"), "{}", e.body);
    let empty = br#"<?xml version="1.0"?><log><trace/></log>"#.to_vec();
    app.upload(
        &t.p("/analytics/imports"),
        &t.token,
        empty,
        "application/xml",
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    let instances = app
        .get(&t.p("/process-instances"), &t.token)
        .await
        .expect(200);
    assert_eq!(
        instances.body["pagination"]["total_count"], 0,
        "nothing kept"
    );
    let playbooks = app.get(&t.p("/processes"), &t.token).await.expect(200);
    assert_eq!(playbooks.body["pagination"]["total_count"], 1);
}

/// An imported case shows the completed executions its events make, the same at every read,
/// and is history: the engine refuses to act on it.
async fn an_imported_case_shows_its_executions(app: TestApp) {
    let t = team(&app).await;
    let event = |activity: &str, lifecycle: &str, at: &str| {
        format!(
            "<event><string key=\"concept:name\" value=\"{activity}\"/>\
             <string key=\"lifecycle:transition\" value=\"{lifecycle}\"/>\
             <string key=\"org:resource\" value=\"Ann\"/>\
             <date key=\"time:timestamp\" value=\"2024-01-01T{at}:00Z\"/></event>"
        )
    };
    let log = format!(
        "<?xml version=\"1.0\"?><log><trace><string key=\"concept:name\" value=\"c1\"/>{}{}{}{}{}</trace></log>",
        event("Check", "complete", "09:00"),
        event("Pay", "start", "09:30"),
        event("Check", "complete", "09:40"),
        event("Pay", "complete", "10:00"),
        event("Check", "start", "10:05"),
    );
    app.upload(
        &t.p("/analytics/imports"),
        &t.token,
        log.into_bytes(),
        "application/xml",
    )
    .await
    .expect(201);
    let list = app
        .get(&t.p("/process-instances"), &t.token)
        .await
        .expect(200);
    let id = list.body["data"][0]["id"].as_str().unwrap().to_string();
    let read = || async {
        app.get(&t.p(&format!("/process-instances/{id}")), &t.token)
            .await
            .expect(200)
            .data()
            .clone()
    };
    let instance = read().await;
    assert_eq!(instance["status"], "completed");
    let executions = instance["step_executions"].as_array().unwrap();
    let seen: Vec<_> = executions
        .iter()
        .map(|e| {
            (
                e["step_id"].as_str().unwrap(),
                e["iteration"].as_i64().unwrap(),
                e["status"].as_str().unwrap(),
                e["start_time"].as_str().unwrap()[11..16].to_string(),
                e["end_time"].as_str().unwrap()[11..16].to_string(),
            )
        })
        .collect();
    // Ready when the case's previous event completed; the unfinished start makes no run.
    assert_eq!(
        seen,
        [
            ("check", 1, "completed", "09:00".into(), "09:00".into()),
            ("check", 2, "completed", "09:00".into(), "09:40".into()),
            ("pay", 1, "completed", "09:00".into(), "10:00".into()),
        ]
    );
    assert_eq!(
        read().await,
        instance,
        "the same executions, ids and all, every read"
    );
    app.post(
        &t.p(&format!("/process-instances/{id}/steps/check/retry")),
        &t.token,
        json!({}),
    )
    .await
    .expect_error(409, "CONFLICT");
    app.post(
        &t.p(&format!("/process-instances/{id}/cancel")),
        &t.token,
        json!({}),
    )
    .await
    .expect_error(409, "CONFLICT");
    assert_eq!(read().await, instance);
}

/// A log of `cases` cases of two events each, then a trace whose event has no timestamp.
fn log_broken_at_the_end(cases: usize) -> Vec<u8> {
    let mut xml = String::from("<?xml version=\"1.0\"?><log>");
    for c in 0..cases {
        xml.push_str(&format!(
            "<trace><string key=\"concept:name\" value=\"c{c}\"/>\
             <event><string key=\"concept:name\" value=\"A\"/><date key=\"time:timestamp\" value=\"2024-01-01T10:00:00Z\"/></event>\
             <event><string key=\"concept:name\" value=\"B\"/><date key=\"time:timestamp\" value=\"2024-01-01T11:00:00Z\"/></event></trace>"
        ));
    }
    xml.push_str("<trace><event><string key=\"concept:name\" value=\"A\"/></event></trace></log>");
    xml.into_bytes()
}

/// Rows are written in batches while the log streams in; a log that breaks after several
/// batches leaves none of them behind.
async fn an_import_that_fails_late_keeps_nothing(app: TestApp) {
    let t = team(&app).await;
    // 2,000 cases are 10,000 rows: more than one batch is written before the broken trace.
    let e = app
        .upload(
            &t.p("/analytics/imports"),
            &t.token,
            log_broken_at_the_end(2000),
            "application/xml",
        )
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(
        e.body["error"]["details"][0]["field"],
        "/traces/2000/events/0"
    );
    for table in ["history_traces", "step_executions", "process_instances"] {
        assert!(app.dump(table).await.is_empty(), "{table} keeps rows");
    }
    let done = app
        .upload(
            &t.p("/analytics/imports"),
            &t.token,
            log_broken_at_the_end(3),
            "application/xml",
        )
        .await;
    assert_eq!(
        done.status, 422,
        "the same log, shorter, fails the same way"
    );
}

async fn post(app: &TestApp, token: &str, path: String, body: Value) -> Value {
    app.post(&path, token, body)
        .await
        .expect(200)
        .data()
        .clone()
}

/// Claims or completes (with an empty output) a task as the holder of `token`.
async fn act(app: &TestApp, token: &str, t: &Team, task: &str, what: &str) {
    let body = if what == "complete" {
        json!({"output": {}})
    } else {
        json!({})
    };
    post(app, token, t.p(&format!("/tasks/{task}/{what}")), body).await;
}

/// The open task of `step` in `instance`.
async fn task_of(app: &TestApp, t: &Team, instance: &str, step: &str) -> String {
    let tasks = app
        .get(
            &t.p(&format!(
                "/tasks?process_instance_id={instance}&status=open"
            )),
            &t.token,
        )
        .await
        .expect(200);
    tasks
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|task| task["step_id"] == step)
        .unwrap_or_else(|| panic!("no open task of {step}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn secs(v: &Value) -> f64 {
    assert_eq!(v["unit"], "seconds", "{v}");
    v["value"].as_f64().unwrap()
}

async fn start_instance(app: &TestApp, t: &Team, playbook: &str) -> String {
    let path = t.p(&format!("/processes/{playbook}/instances"));
    let i = app.post(&path, &t.token, json!({})).await.expect(201);
    i.data()["id"].as_str().unwrap().to_string()
}

/// A playbook's measures with more query parameters.
async fn measures(app: &TestApp, t: &Team, playbook: &str, query: &str) -> Value {
    let path = t.p(&format!(
        "/analytics/processes?process_id={playbook}{query}"
    ));
    app.get(&path, &t.token).await.expect(200).data().clone()
}

/// Three instances of a → b run here, at times the test sets (minutes from the start):
/// 1: a ready 0, claimed 10 (by its role's holder), done 30; b claimed at 30, done 100.
/// 2: a ready 100, claimed 190 (past its one-hour SLA), done 200; b done at 220, never claimed.
/// 3: started at 220 and cancelled at once.
async fn measures_of_a_history_run_here(app: TestApp, clock: ManualClock) {
    let t = team(&app).await;
    let role = app
        .post(
            &t.p("/roles"),
            &t.token,
            json!({"name": "Clerk", "hourly_cost": 60}),
        )
        .await
        .expect(201);
    let role = role.data()["id"].as_str().unwrap().to_string();
    app.post(
        &t.p("/roles"),
        &t.token,
        json!({"name": "Free", "hourly_cost": -1}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    let clerk = app
        .member(&t.token, &t.id, "clerk@example.com", "member")
        .await;
    app.put(
        &t.p(&format!("/members/{}", clerk.id)),
        &t.token,
        json!({"roles": [role]}),
    )
    .await
    .expect(200);
    let pb = app
        .post(
            &t.p("/processes"),
            &t.token,
            json!({"name": "Claims", "steps": [
            {"id": "a", "name": "Assess", "type": "human", "assigned_role": role,
             "due": {"value": 1, "unit": "hours"}},
            {"id": "b", "name": "Book", "type": "human"}]}),
        )
        .await
        .expect(201);
    let pb = pb.data()["id"].as_str().unwrap().to_string();
    let minutes = |m: i64| clock.advance(Duration::minutes(m));
    let t0: DateTime<Utc> = clock.now();
    // 1
    let i1 = start_instance(&app, &t, &pb).await;
    minutes(10);
    let a = task_of(&app, &t, &i1, "a").await;
    act(&app, &clerk.token, &t, &a, "claim").await;
    minutes(20);
    act(&app, &clerk.token, &t, &a, "complete").await;
    let b = task_of(&app, &t, &i1, "b").await;
    act(&app, &t.token, &t, &b, "claim").await;
    minutes(70);
    act(&app, &t.token, &t, &b, "complete").await;
    // 2
    let i2 = start_instance(&app, &t, &pb).await;
    minutes(90);
    let a = task_of(&app, &t, &i2, "a").await;
    act(&app, &clerk.token, &t, &a, "claim").await;
    minutes(10);
    act(&app, &clerk.token, &t, &a, "complete").await;
    minutes(20);
    let b = task_of(&app, &t, &i2, "b").await;
    act(&app, &t.token, &t, &b, "complete").await;
    // 3
    let i3 = start_instance(&app, &t, &pb).await;
    post(
        &app,
        &t.token,
        t.p(&format!("/process-instances/{i3}/cancel")),
        json!({"reason": "duplicate"}),
    )
    .await;

    let all = measures(&app, &t, &pb, "").await;
    let m = &all["metrics"];
    assert_eq!(
        (
            &m["total_executions"],
            &m["successful_executions"],
            &m["cancelled_executions"]
        ),
        (&json!(3), &json!(2), &json!(1))
    );
    // Cycle times 100 and 120 minutes.
    assert_eq!(secs(&m["average_duration"]), 6600.0);
    assert_eq!(secs(&m["median_duration"]), 6600.0);
    assert_eq!(m["completion_rate"].as_f64().unwrap(), 2.0 / 3.0);
    // Every instance had a's SLA; only 2 breached it (3 was cancelled before it fell due).
    assert_eq!(m["sla_breach_rate"].as_f64().unwrap(), 1.0 / 3.0);
    // Worked: 1 → [10, 100] of 100 = 0.9; 2 → [190, 220] of 120 = 0.25.
    assert!(
        (m["efficiency_score"].as_f64().unwrap() - 0.575).abs() < 1e-9,
        "{m}"
    );
    // a's role costs 60 an hour and b has no role: 20 and 10 minutes of a → 20 and 10.
    assert!(
        (m["cost_per_execution"].as_f64().unwrap() - 15.0).abs() < 1e-9,
        "{m}"
    );
    let a = &all["steps"][0];
    assert_eq!(
        (&a["step_id"], &a["name"], &a["executions"]),
        (&json!("a"), &json!("Assess"), &json!(3))
    );
    // Waiting 10 and 90 minutes (3's a was never claimed: no waiting yet); work 20 and 10.
    assert_eq!(a["waiting_time"]["count"], 2);
    assert_eq!(secs(&a["waiting_time"]["mean"]), 3000.0);
    assert_eq!(secs(&a["work_time"]["mean"]), 900.0);
    assert_eq!(
        (&a["sla_breaches"], a["sla_breach_rate"].as_f64().unwrap()),
        (&json!(1), 1.0 / 3.0)
    );
    let b = &all["steps"][1];
    // b: claimed at once in 1 (work 70), completed unclaimed in 2 (work from ready: 20).
    assert_eq!(secs(&b["waiting_time"]["mean"]), 0.0);
    assert_eq!(secs(&b["work_time"]["mean"]), 2700.0);
    // b holds (70 + 20) of 220 minutes of cycle time, a (30 + 100) — a ranks first.
    let ranks: Vec<(&str, f64)> = all["bottlenecks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["step_id"].as_str().unwrap(),
                x["share_of_cycle_time"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ranks, [("a", 130.0 / 220.0), ("b", 90.0 / 220.0)]);

    // Filters: the role keeps its steps only; a period keeps the instances started in it.
    let clerk_only = measures(&app, &t, &pb, &format!("&role={role}")).await;
    assert_eq!(clerk_only["steps"][0]["executions"], 3);
    assert_eq!(clerk_only["steps"][1]["executions"], 0);
    let from = (t0 + Duration::minutes(50)).to_rfc3339();
    let later = measures(
        &app,
        &t,
        &pb,
        &format!("&from={}", from.replace('+', "%2B")),
    )
    .await;
    assert_eq!(later["metrics"]["total_executions"], 2);
    let other_branch = measures(&app, &t, &pb, "&branch=try-out").await;
    assert_eq!(other_branch["metrics"]["total_executions"], 0);
    // Every playbook at once.
    let list = app
        .get(&t.p("/analytics/processes"), &t.token)
        .await
        .expect(200);
    let mine = list
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["process_id"] == json!(pb))
        .unwrap()
        .clone();
    assert_eq!(mine["metrics"], all["metrics"]);

    // A minute later: periods end before now, and the last completion was at minute 220.
    clock.advance(Duration::minutes(1));
    findings_of_the_history_run_here(&app, &t, &pb, &clerk, t0).await;
}

/// The rest of the analytics over the same history, at minute 221.
async fn findings_of_the_history_run_here(
    app: &TestApp,
    t: &Team,
    pb: &str,
    clerk: &common::Account,
    t0: DateTime<Utc>,
) {
    let get = |path: String| async move {
        app.get(&t.p(&path), &t.token)
            .await
            .expect(200)
            .data()
            .clone()
    };
    // People: the clerk did a twice (claimed → done: 20 and 10 minutes; the second after its
    // due time, minute 160); the owner did b twice (70 minutes claimed; 20 unclaimed, from
    // the task's creation).
    let people = get("/analytics/users".into()).await;
    let user = |id: &str| {
        people["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["user_id"] == id)
            .unwrap()
            .clone()
    };
    let c = user(&clerk.id);
    assert_eq!(
        (
            &c["tasks_completed"],
            &c["completed_late"],
            &c["open_tasks"]
        ),
        (&json!(2), &json!(1), &json!(0))
    );
    assert_eq!(secs(&c["median_handling_time"]), 900.0);
    let o = user(&t.owner_id);
    assert_eq!(
        (&o["tasks_completed"], &o["completed_late"]),
        (&json!(2), &json!(0))
    );
    assert_eq!(secs(&o["median_handling_time"]), 2700.0);
    let team = &people["team"];
    assert_eq!(
        (&team["tasks_completed"], &team["instances_completed"]),
        (&json!(4), &json!(2))
    );
    assert!((team["tasks_per_day"].as_f64().unwrap() - 4.0 / 30.0).abs() < 1e-12);
    assert_eq!(secs(&team["median_handling_time"]), 1200.0);
    assert_eq!(
        (
            &team["workload"]["members"],
            &team["workload"]["open_tasks"]
        ),
        (&json!(2), &json!(0))
    );
    assert_eq!(team["workload"]["coefficient_of_variation"], Value::Null);
    let clerks = &team["roles"][0];
    assert_eq!(
        (
            &clerks["name"],
            &clerks["holders"],
            &clerks["tasks_completed"]
        ),
        (&json!("Clerk"), &json!(1), &json!(2))
    );

    // Performance: the three instances, every playbook together.
    let perf = get("/analytics/performance".into()).await;
    let metric = |name: &str| {
        perf["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))["value"]
            .clone()
    };
    assert_eq!(
        (metric("instances_started"), metric("instances_completed")),
        (json!(3.0), json!(2.0))
    );
    assert_eq!(metric("median_cycle_time"), json!(6600.0));
    assert_eq!(metric("tasks_completed"), json!(4.0));
    assert!((metric("cost_per_execution").as_f64().unwrap() - 15.0).abs() < 1e-9);
    assert_eq!(perf["processes"][0]["process_id"], pb);

    // Trends: both completions fall on the first day.
    let trends = get(format!("/analytics/trends?process_id={pb}")).await;
    let throughput = &trends["trends"][0];
    assert_eq!(throughput["metric"], "throughput");
    assert_eq!(
        throughput["points"],
        json!([{"period_start": "2026-03-02", "value": 2.0}])
    );
    assert_eq!(
        (&throughput["direction"], &throughput["slope"]),
        (&json!("no_trend"), &Value::Null)
    );
    assert_eq!(trends["trends"][1]["points"][0]["value"], json!(6600.0));

    // Two completed instances are too few to call anything unusual or recommend anything.
    let anomalies = get(format!("/analytics/anomalies?process_id={pb}")).await;
    assert_eq!(
        (&anomalies["threshold"], &anomalies["anomalies"]),
        (&json!(3.5), &json!([]))
    );
    let recs = get(format!("/analytics/recommendations?process_id={pb}")).await;
    assert_eq!(recs["recommendations"], json!([]));

    // A fourth instance, just started: a took 30 or 100 minutes (ready to done) and b 70 or
    // 20, so it ends 50, 100, 120 or 170 minutes from now, each a quarter of the time.
    // (The reads above left this history cached; starting an instance moves the team's chain,
    // so the next read loads it again and sees the new instance.)
    let i4 = start_instance(app, t, pb).await;
    let p = get(format!("/analytics/predictions?instance_id={i4}")).await;
    let one = &p["predictions"][0];
    let now = t0 + Duration::minutes(221);
    let at = |field: &str| {
        (one[field]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap()
            - now)
            .num_minutes()
    };
    assert_eq!(
        (at("interval_low"), at("interval_high")),
        (50, 170),
        "{one}"
    );
    assert!(
        [100, 110, 120].contains(&at("expected_completion")),
        "{one}"
    );
    assert_eq!(one["remaining_steps"], json!(["a", "b"]));
    // Two of the three finished instances completed.
    assert_eq!(
        (
            one["completion_probability"].as_f64().unwrap(),
            &one["completion_basis"]
        ),
        (2.0 / 3.0, &json!(3))
    );
    assert_eq!(
        one["coverage"],
        json!({"level": 0.8, "measured": null, "evaluated": 0})
    );
    let all = get("/analytics/predictions".into()).await;
    assert_eq!(all["predictions"].as_array().unwrap().len(), 1);
    // A finished instance is not predicted; an unknown one is not found.
    let finished = app
        .get(
            &t.p(&format!(
                "/analytics/predictions?instance_id={}",
                Uuid::nil()
            )),
            &t.token,
        )
        .await;
    finished.expect_error(404, "NOT_FOUND");
}

/// The running example exported as XES and imported again gives the same process mining
/// figures; as CSV it has a start and a complete row per step run.
async fn an_exported_history_imports_back_the_same(app: TestApp) {
    let t = team(&app).await;
    let first = app
        .upload(
            &t.p("/analytics/imports?name=Original"),
            &t.token,
            shared("running-example.xes"),
            "application/xml",
        )
        .await
        .expect(201);
    let pb = first.data()["playbook_id"].as_str().unwrap().to_string();
    let xes = app
        .get(
            &t.p(&format!("/analytics/exports?process_id={pb}")),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(xes.headers["content-type"], "application/xml");
    assert_eq!(
        xes.headers["content-disposition"],
        "attachment; filename=\"original.xes\""
    );
    let again = app
        .upload(
            &t.p("/analytics/imports?name=Again"),
            &t.token,
            xes.text.into_bytes(),
            "application/xml",
        )
        .await
        .expect(201);
    // Every run gives a start and a complete: twice the log's 42 completions.
    assert_eq!(
        (&again.data()["cases"], &again.data()["events"]),
        (&json!(6), &json!(84))
    );
    let copy = again.data()["playbook_id"].as_str().unwrap().to_string();
    let mining = |id: String| {
        let (app, t) = (&app, &t);
        async move {
            app.get(
                &t.p(&format!("/analytics/variants?process_id={id}")),
                &t.token,
            )
            .await
            .expect(200)
            .data()
            .clone()
        }
    };
    let (a, b) = (mining(pb.clone()).await, mining(copy).await);
    for key in [
        "cases",
        "variants",
        "directly_follows",
        "service_times",
        "cases_per_day",
    ] {
        assert_eq!(a[key], b[key], "{key}");
    }
    let csv = app
        .get(
            &t.p(&format!("/analytics/exports?process_id={pb}&format=csv")),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    let rows: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        rows[0],
        "case_id,case_status,activity,step_id,lifecycle,timestamp"
    );
    assert_eq!(rows.len(), 1 + 84);
    assert_eq!(rows.iter().filter(|r| r.contains(",complete,")).count(), 42);
    app.get(
        &t.p(&format!("/analytics/exports?process_id={pb}&format=pdf")),
        &t.token,
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
}

/// Queues a report and waits for the job runner to write it; returns the finished execution.
async fn run_report(app: &TestApp, t: &Team, body: Value) -> (Value, Value) {
    let made = app
        .post(&t.p("/analytics/reports"), &t.token, body)
        .await
        .expect(201);
    let report = made.data()["report"].clone();
    let execution = made.data()["execution"]["id"].as_str().unwrap().to_string();
    let path = t.p(&format!(
        "/analytics/reports/{}/executions/{execution}",
        report["id"].as_str().unwrap()
    ));
    let done = app
        .wait_for(&path, &t.token, |e| e["status"] != "pending")
        .await;
    (report, done)
}

/// Reports in every format over an imported history, written by the job runner and kept;
/// dashboards whose widgets answer the analytics queries.
async fn reports_and_dashboards(app: TestApp) {
    let t = team(&app).await;
    let done = app
        .upload(
            &t.p("/analytics/imports?name=Loans"),
            &t.token,
            synthetic_log(),
            "application/xml",
        )
        .await
        .expect(201);
    let pb = done.data()["playbook_id"].as_str().unwrap().to_string();
    // A year back covers the log's January.
    let (report, run) = run_report(
        &app,
        &t,
        json!({"name": "Monthly review", "type": "performance", "format": "json", "period_days": 366}),
    )
    .await;
    assert_eq!(run["status"], "completed", "{run}");
    assert_eq!(
        report["sections"],
        json!(["performance", "processes", "trends", "recommendations"])
    );
    let output = |report: &Value, run: &Value| {
        let path = t.p(&format!(
            "/analytics/reports/{}/executions/{}/output",
            report["id"].as_str().unwrap(),
            run["id"].as_str().unwrap()
        ));
        let (app, t) = (&app, &t);
        async move { app.get(&path, &t.token).await.expect(200) }
    };
    let doc = output(&report, &run).await;
    assert_eq!(doc.headers["content-type"], "application/json");
    assert_eq!(run["size_bytes"].as_u64().unwrap() as usize, doc.text.len());
    let sections = doc.body["sections"].as_array().unwrap();
    let metric = |name: &str| {
        sections[0]["data"]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(metric("instances_started"), json!(13.0));
    assert_eq!(sections[1]["data"]["playbooks"][0]["name"], "Loans");
    assert_eq!(
        sections[3]["data"]["recommendations"][0]["rule"],
        "slow_variant"
    );

    // Every other format, over custom sections.
    let custom = |format: &str| {
        json!({"name": "Health check", "type": "custom", "format": format, "period_days": 366,
               "sections": ["anomalies", "sla", "variants"], "process_id": pb})
    };
    let (r, e) = run_report(&app, &t, custom("csv")).await;
    let csv = output(&r, &e).await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.text.starts_with("section,table,row,column,value\n"),
        "{}",
        csv.text
    );
    // Five anomalies (see findings_of_an_imported_log), each with its kind.
    let kinds = csv
        .text
        .lines()
        .filter(|l| l.starts_with("anomalies,") && l.contains(",kind,"))
        .count();
    assert_eq!(kinds, 5);
    let (r, e) = run_report(&app, &t, custom("html")).await;
    let html = output(&r, &e).await.text;
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("<h2>Anomalies</h2>")
            && html.contains("<h2>Process mining</h2>")
    );
    assert!(!html.contains("http"), "no outside resources");
    let (r, e) = run_report(&app, &t, custom("pdf")).await;
    assert_eq!(e["content_type"], "application/pdf");
    let pdf = app
        .client
        .get(format!(
            "{}{}",
            app.base,
            t.p(&format!(
                "/analytics/reports/{}/executions/{}/output",
                r["id"].as_str().unwrap(),
                e["id"].as_str().unwrap()
            ))
        ))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 1000);
    let (_, e) = run_report(&app, &t, custom("excel")).await;
    assert_eq!(
        (
            &e["status"],
            e["file_name"].as_str().unwrap().ends_with(".xlsx")
        ),
        (&json!("completed"), true)
    );

    // Refused whole: a preset with sections, process mining without a playbook, a bad cron.
    for bad in [
        json!({"name": "x", "type": "operational", "format": "json", "sections": ["users"]}),
        json!({"name": "x", "type": "custom", "format": "json", "sections": ["variants"]}),
        json!({"name": "x", "type": "custom", "format": "json", "sections": []}),
        json!({"name": "x", "type": "operational", "format": "json", "schedule": "0 25 * * *"}),
        json!({"name": "x", "type": "operational", "format": "json", "period_days": 0}),
        // 31 February never comes.
        json!({"name": "x", "type": "operational", "format": "json", "schedule": "0 0 31 2 *"}),
    ] {
        app.post(&t.p("/analytics/reports"), &t.token, bad)
            .await
            .expect_error(422, "VALIDATION_FAILED");
    }
    app.post(
        &t.p("/analytics/reports"),
        &t.token,
        json!({"name": "x", "type": "custom", "format": "json", "sections": ["sla"], "process_id": Uuid::nil()}),
    )
    .await
    .expect_error(404, "NOT_FOUND");
    let all = app
        .get(&t.p("/analytics/reports"), &t.token)
        .await
        .expect(200);
    assert_eq!(all.body["pagination"]["total_count"], 5);

    // A dashboard: one widget per kind of query.
    let d = app
        .post(
            &t.p("/dashboards"),
            &t.token,
            json!({"name": "Ops", "widgets": [
                {"type": "metric", "title": "Performance", "source": "performance", "period_days": 366,
                 "position": {"x": 0, "y": 0, "w": 4, "h": 2}},
                {"type": "heatmap", "title": "Bottlenecks", "source": "processes", "process_id": pb, "period_days": 366,
                 "position": {"x": 4, "y": 0, "w": 8, "h": 4}},
                {"id": "paths", "type": "table", "title": "Paths", "source": "variants", "process_id": pb, "period_days": 366,
                 "position": {"x": 0, "y": 2, "w": 4, "h": 4}}]}),
        )
        .await
        .expect(201);
    let id = d.data()["id"].as_str().unwrap().to_string();
    let ids: Vec<&str> = d.data()["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["w1", "w2", "paths"]);
    let data = app
        .get(&t.p(&format!("/dashboards/{id}/data")), &t.token)
        .await
        .expect(200);
    let w = &data.data()["widgets"];
    let direct = app
        .get(
            &t.p(&format!(
                "/analytics/processes?process_id={pb}&from=2025-11-22T00:00:00Z"
            )),
            &t.token,
        )
        .await
        .expect(200);
    assert_eq!(
        w[1]["data"]["bottlenecks"][0]["step_id"],
        direct.data()["bottlenecks"][0]["step_id"]
    );
    assert_eq!(w[2]["data"]["cases"], 13);
    app.put(
        &t.p(&format!("/dashboards/{id}")),
        &t.token,
        json!({"name": "Ops", "widgets": [{"type": "chart", "title": "x", "source": "trends",
               "position": {"x": 10, "y": 0, "w": 4, "h": 2}}]}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    app.delete(&t.p(&format!("/dashboards/{id}")), &t.token)
        .await
        .expect(200);
    app.get(&t.p(&format!("/dashboards/{id}")), &t.token)
        .await
        .expect_error(404, "NOT_FOUND");
}

/// A report on a cron schedule in the team's time zone runs when its time comes, and the next
/// run is queued.
async fn scheduled_reports_run_in_the_team_time_zone(app: TestApp, clock: ManualClock) {
    let t = team(&app).await;
    app.put(
        &t.p(""),
        &t.token,
        json!({"settings": {"timezone": "Europe/Berlin"}}),
    )
    .await
    .expect(200);
    let made = app
        .post(
            &t.p("/analytics/reports"),
            &t.token,
            json!({"name": "Daily", "type": "operational", "format": "html", "schedule": "30 9 * * *"}),
        )
        .await
        .expect(201);
    // 09:30 in Berlin is 08:30 UTC in March; it is 09:00 UTC now.
    let report = made.data()["report"].clone();
    assert_eq!(made.data()["execution"], Value::Null);
    assert_eq!(report["next_run_at"], "2026-03-03T08:30:00Z");
    let id = report["id"].as_str().unwrap().to_string();
    let runs = t.p(&format!("/analytics/reports/{id}/executions"));
    let queued = app.get(&runs, &t.token).await.expect(200);
    assert_eq!(queued.data()[0]["status"], "pending");
    assert_eq!(queued.data()[0]["trigger"], "schedule");
    clock.advance(Duration::days(1));
    let done = app
        .wait_for(&runs, &t.token, |list| {
            list.as_array()
                .unwrap()
                .iter()
                .any(|e| e["status"] == "completed")
        })
        .await;
    let list = done.as_array().unwrap();
    assert_eq!(list.len(), 2, "{done:#}");
    let next = list.iter().find(|e| e["status"] == "pending").unwrap();
    assert_eq!(next["scheduled_for"], "2026-03-04T08:30:00Z");
    let again = app
        .get(&t.p(&format!("/analytics/reports/{id}")), &t.token)
        .await
        .expect(200);
    assert_eq!(again.data()["next_run_at"], "2026-03-04T08:30:00Z");
    // Dropping the schedule cancels the queued run.
    app.put(
        &t.p(&format!("/analytics/reports/{id}")),
        &t.token,
        json!({"name": "Daily", "type": "operational", "format": "html"}),
    )
    .await
    .expect(200);
    let after = app.get(&runs, &t.token).await.expect(200);
    assert!(after
        .data()
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["status"] != "pending"));
    app.delete(&t.p(&format!("/analytics/reports/{id}")), &t.token)
        .await
        .expect(200);
    app.get(&runs, &t.token)
        .await
        .expect_error(404, "NOT_FOUND");
}

/// Thirteen cases, one a day from Monday 2026-01-05, each with start and complete events:
/// cases 0–8 are Apply (10 min) then Book (10 + k min); case 9 is Apply then a 300-minute
/// Book; cases 10–12 are Apply, Check (60 min), Book (10 min).
fn synthetic_log() -> Vec<u8> {
    let mut xml = String::from("<?xml version=\"1.0\"?><log>");
    let event = |activity: &str, lifecycle: &str, t: DateTime<Utc>| {
        format!(
            "<event><string key=\"concept:name\" value=\"{activity}\"/>\
             <string key=\"lifecycle:transition\" value=\"{lifecycle}\"/>\
             <date key=\"time:timestamp\" value=\"{}\"/></event>",
            t.to_rfc3339()
        )
    };
    let day0: DateTime<Utc> = "2026-01-05T09:00:00Z".parse().unwrap();
    for k in 0..13i64 {
        let start = day0 + Duration::days(k);
        let mut steps = vec![("Apply", 10)];
        match k {
            0..=8 => steps.push(("Book", 10 + k)),
            9 => steps.push(("Book", 300)),
            _ => steps.extend([("Check", 60), ("Book", 10)]),
        }
        xml.push_str(&format!(
            "<trace><string key=\"concept:name\" value=\"case {k}\"/>"
        ));
        let mut t = start;
        for (activity, minutes) in steps {
            xml.push_str(&event(activity, "start", t));
            t += Duration::minutes(minutes);
            xml.push_str(&event(activity, "complete", t));
        }
        xml.push_str("</trace>");
    }
    xml.push_str("</log>");
    xml.into_bytes()
}

/// Anomalies, recommendations, weekly trends and the predictions' coverage over an imported
/// history worked by hand.
async fn findings_of_an_imported_log(app: TestApp) {
    let t = team(&app).await;
    let done = app
        .upload(
            &t.p("/analytics/imports?name=Loans"),
            &t.token,
            synthetic_log(),
            "application/xml",
        )
        .await
        .expect(201);
    let pb = done.data()["playbook_id"].as_str().unwrap().to_string();
    let get = |path: String| {
        let t = &t;
        let app = &app;
        async move {
            app.get(&t.p(&path), &t.token)
                .await
                .expect(200)
                .data()
                .clone()
        }
    };
    let instances = get("/process-instances?page_size=100".into()).await;
    let case = |name: &str| {
        instances
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap()["id"]
            .clone()
    };
    // Cycle times (min): 20–28, 310, 80 ×3 → median 26, MAD 4 → spread 1.4826 × 240 s.
    // Book (min): 10–18, 300, 10 ×3 → median 13, MAD 3 → spread 1.4826 × 180 s.
    // Apply is always 10 minutes (MAD 0) and Check has three runs: neither is judged.
    let a = get(format!("/analytics/anomalies?process_id={pb}")).await;
    let found: Vec<(String, Value, f64)> = a["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["kind"].as_str().unwrap().to_string(),
                x["instance_id"].clone(),
                x["score"].as_f64().unwrap(),
            )
        })
        .collect();
    let spread_cycle = 1.4826 * 240.0;
    let spread_book = 1.4826 * 180.0;
    let want = [
        (
            "step_duration",
            case("case 9"),
            (18000.0 - 780.0) / spread_book,
        ),
        (
            "instance_duration",
            case("case 9"),
            (18600.0 - 1560.0) / spread_cycle,
        ),
        (
            "instance_duration",
            case("case 10"),
            (4800.0 - 1560.0) / spread_cycle,
        ),
        (
            "instance_duration",
            case("case 11"),
            (4800.0 - 1560.0) / spread_cycle,
        ),
        (
            "instance_duration",
            case("case 12"),
            (4800.0 - 1560.0) / spread_cycle,
        ),
    ];
    assert_eq!(found.len(), want.len(), "{a:#}");
    for (got, want) in found.iter().zip(&want) {
        assert_eq!((got.0.as_str(), &got.1), (want.0, &want.1));
        assert!((got.2 - want.2).abs() < 1e-9, "{} vs {}", got.2, want.2);
    }
    // A higher threshold keeps the two scores above 40.
    let strict = get(format!("/analytics/anomalies?process_id={pb}&threshold=40")).await;
    assert_eq!(strict["anomalies"].as_array().unwrap().len(), 2);

    // The Check path: 3 instances, median 80 minutes, 3.27× the main path's 24.5.
    let r = get(format!("/analytics/recommendations?process_id={pb}")).await;
    let recs = r["recommendations"].as_array().unwrap();
    assert_eq!(recs.len(), 1, "{r:#}");
    assert_eq!(
        (&recs[0]["rule"], &recs[0]["evidence"]["count"]),
        (&json!("slow_variant"), &json!(3))
    );
    assert!((recs[0]["evidence"]["ratio"].as_f64().unwrap() - 4800.0 / 1470.0).abs() < 1e-9);
    assert_eq!(recs[0]["process_name"], "Loans");

    // Times outside the years 1 to 9999 are refused, not computed with.
    for far in ["-262144-01-01T00:00:00", "%2B10000-01-01T00:00:00Z"] {
        app.get(
            &t.p(&format!("/analytics/trends?period=week&from={far}")),
            &t.token,
        )
        .await
        .expect_error(400, "BAD_REQUEST");
    }
    // Weekly: 7 completions in the week of 5 January, 6 in the next.
    let w = get(format!(
        "/analytics/trends?process_id={pb}&period=week&to=2026-01-18T00:00:00Z"
    ))
    .await;
    let tp = &w["trends"][0];
    assert_eq!(
        tp["points"],
        json!([{"period_start": "2026-01-05", "value": 7.0}, {"period_start": "2026-01-12", "value": 6.0}])
    );
    assert_eq!((&tp["slope"], &tp["p_value"]), (&json!(-1.0), &Value::Null));
    // Daily over the 13 days, cycle time: 20…28, 310, 80, 80, 80 minutes.
    let d = get(format!(
        "/analytics/trends?process_id={pb}&to=2026-01-18T00:00:00Z"
    ))
    .await;
    let ct = &d["trends"][1];
    // 5 to 17 January: 18 January begins at `to`.
    assert_eq!(ct["points"].as_array().unwrap().len(), 13);
    assert_eq!(ct["points"][12]["value"], json!(4800.0));

    // A new instance: Apply, Check and Book are all ready at once (a discovered playbook has
    // no dependencies), so it ends when Check does, 60 minutes on, unless Book takes 300.
    let started = app
        .post(
            &t.p(&format!("/processes/{pb}/instances")),
            &t.token,
            json!({}),
        )
        .await
        .expect(201);
    let id = started.data()["id"].as_str().unwrap().to_string();
    let begun: DateTime<Utc> = started.data()["start_time"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let p = get(format!("/analytics/predictions?instance_id={id}")).await;
    let one = &p["predictions"][0];
    let minutes = |field: &str| {
        let at: DateTime<Utc> = one[field].as_str().unwrap().parse().unwrap();
        (at - begun).num_seconds() as f64 / 60.0
    };
    assert!((minutes("expected_completion") - 60.0).abs() < 1.0, "{one}");
    assert!((minutes("interval_low") - 60.0).abs() < 1.0, "{one}");
    // Held out: cases 11 and 12, each predicted at its start, after Apply and after Check.
    assert_eq!(one["coverage"]["evaluated"], 6);
    let measured = one["coverage"]["measured"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&measured));
    assert_eq!(
        (&one["completion_probability"], &one["completion_basis"]),
        (&json!(1.0), &json!(13))
    );
}

with_clock_on_both_backends!(
    start = "2026-03-02T09:00:00Z".parse().unwrap();
    measures_of_a_history_run_here,
    scheduled_reports_run_in_the_team_time_zone
);

both_backends!(
    the_running_example_as_pm4py_measures_it,
    the_helpdesk_log_gzipped_as_pm4py_measures_it,
    a_bad_log_is_refused_whole,
    an_imported_case_shows_its_executions,
    an_import_that_fails_late_keeps_nothing,
    findings_of_an_imported_log,
    an_exported_history_imports_back_the_same,
    reports_and_dashboards,
);
