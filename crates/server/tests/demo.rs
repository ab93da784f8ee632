//! `orgata demo`: the demo loads on each backend, shows finished and running work, and loads
//! only once.

mod common;

use common::{status_of, TestApp};
use serde_json::{json, Value};

async fn list(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    app.get(path, token)
        .await
        .expect(200)
        .data()
        .as_array()
        .unwrap()
        .clone()
}

async fn the_demo_shows_a_living_team(app: TestApp) {
    let session = app
        .public_post(
            "/v1/auth/login",
            json!({"email": orgata::demo::EMAIL, "password": orgata::demo::PASSWORD}),
        )
        .await
        .expect(200);
    let token = session.data()["access_token"].as_str().unwrap().to_string();
    let teams = list(&app, &token, "/v1/teams").await;
    assert_eq!(teams.len(), 1);
    let team = format!("/v1/teams/{}", teams[0]["id"].as_str().unwrap());

    let playbooks = list(&app, &token, &format!("{team}/processes")).await;
    let mut names: Vec<&str> = playbooks
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Employee onboarding",
            "Incident response",
            "Purchase approval"
        ]
    );

    let instances = list(
        &app,
        &token,
        &format!("{team}/process-instances?page_size=100"),
    )
    .await;
    let by_name = |name: &str| {
        let summary = instances
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("no instance {name}"));
        summary["id"].as_str().unwrap().to_string()
    };
    let get = |id: String| {
        let app = &app;
        let token = &token;
        let team = &team;
        async move {
            app.get(&format!("{team}/process-instances/{id}"), token)
                .await
                .expect(200)
                .data()
                .clone()
        }
    };
    let statuses: Vec<&str> = instances
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == "completed").count(), 3);
    assert_eq!(statuses.iter().filter(|s| **s == "running").count(), 3);

    // The condition took each way.
    let chairs = get(by_name("Office chairs")).await;
    assert_eq!(status_of(&chairs, "finance_approval"), "skipped");
    assert_eq!(status_of(&chairs, "auto_approval"), "completed");
    let laptops = get(by_name("Developer laptops")).await;
    assert_eq!(status_of(&laptops, "finance_approval"), "running");
    assert_eq!(status_of(&laptops, "auto_approval"), "skipped");

    // The new incident waits for its agent, with an SLA.
    let incident = get(by_name("Checkout latency above 2 s")).await;
    assert_eq!(status_of(&incident, "triage"), "running");
    let triage = incident["step_executions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step_id"] == "triage")
        .unwrap();
    assert!(triage["due_at"].is_string());
    let tasks = list(&app, &token, &format!("{team}/tasks?status=open")).await;
    assert!(tasks
        .iter()
        .any(|t| t["step_id"] == "triage" && t["title"] == "Triage the alert"));
    let members = list(&app, &token, &format!("{team}/members")).await;
    assert!(members
        .iter()
        .any(|m| m["display_name"] == "Triage Assistant" && m["kind"] == "agent"));

    // Loading it again changes nothing.
    let settings = orgata::Settings::load(&orgata::SettingArgs {
        database_url: Some(app.database_url.clone()),
        master_key_file: Some(app.key_file()),
        ..Default::default()
    })
    .unwrap();
    let services = orgata::open(&settings, None).await.unwrap();
    assert_eq!(
        orgata::demo::seed(&services).await.unwrap(),
        orgata::demo::Seeded::AlreadyThere
    );
    let again = list(
        &app,
        &token,
        &format!("{team}/process-instances?page_size=100"),
    )
    .await;
    assert_eq!(again.len(), 6);
}

mod the_demo_shows_a_living_team {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if let Some(app) = crate::common::spawn_demo(crate::common::Backend::Sqlite).await {
            super::the_demo_shows_a_living_team(app).await
        }
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(app) = crate::common::spawn_demo(crate::common::Backend::Postgres).await {
            super::the_demo_shows_a_living_team(app).await
        }
    }
}
