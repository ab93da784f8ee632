//! Analytics over REST: the two shared event logs imported and measured as pm4py measures them
//! (reference figures in `fixtures/pm4py`, made by `scripts/pm4py_reference.py`), a playbook's
//! measures on a history run here, and imports that are refused whole.

mod common;

use std::collections::BTreeMap;

use common::{team, TestApp};
use serde_json::{json, Value};

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

both_backends!(
    the_running_example_as_pm4py_measures_it,
    the_helpdesk_log_gzipped_as_pm4py_measures_it,
    a_bad_log_is_refused_whole,
);
