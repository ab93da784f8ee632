//! The REST contract: envelope, request ids, errors, pagination, limits, idempotency keys,
//! operator endpoints, the audit chain under tampering, and a snapshot of the OpenAPI document.

mod common;

use common::TestApp;
use reqwest::Method;
use serde_json::json;

async fn envelope_request_ids_and_errors(app: TestApp) {
    let a = app.register("ada@example.com", Some("Ops")).await;
    let team = a.team_id.clone().unwrap();

    // The envelope and X-Request-Id, echoed or generated.
    let sent = app
        .client
        .get(format!("{}/v1/me", app.base))
        .bearer_auth(&a.token)
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap();
    assert_eq!(sent.headers()["x-request-id"], "trace-123");
    let body: serde_json::Value = sent.json().await.unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["metadata"]["request_id"], "trace-123");
    assert_eq!(body["metadata"]["api_version"], "v1");
    assert!(
        chrono::DateTime::parse_from_rfc3339(body["metadata"]["timestamp"].as_str().unwrap())
            .is_ok()
    );
    let generated = app.get("/v1/me", &a.token).await.expect(200);
    assert_eq!(
        generated.headers["x-request-id"].to_str().unwrap(),
        generated.body["metadata"]["request_id"].as_str().unwrap()
    );

    // 404 and 405 carry the envelope; 405 says what is allowed.
    app.get("/v1/nothing-here", &a.token)
        .await
        .expect_error(404, "NOT_FOUND");
    let wrong = app
        .call(Method::PATCH, "/v1/teams", Some(&a.token), Some(json!({})))
        .await
        .expect_error(405, "METHOD_NOT_ALLOWED");
    let allow = wrong.headers["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");

    // 400 for JSON that does not parse, 422 with a pointer for the wrong shape.
    let raw = app
        .client
        .post(format!("{}/v1/teams/{team}/roles", app.base))
        .bearer_auth(&a.token)
        .header("content-type", "application/json")
        .body("{\"name\":")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let shape = app
        .post(
            &format!("/v1/teams/{team}/roles"),
            &a.token,
            json!({"name": 5}),
        )
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(shape.body["error"]["details"][0]["field"], "/name");
    let nested = app
        .put(
            &format!("/v1/teams/{team}"),
            &a.token,
            json!({"settings": {"working_calendar": {"start_time": "25:00"}}}),
        )
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(
        nested.body["error"]["details"][0]["field"],
        "/settings/working_calendar/start_time"
    );
    app.post(
        &format!("/v1/teams/{team}/roles"),
        &a.token,
        json!({"name": "a\u{0}b"}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");

    // Authentication, then authorization, then the body.
    app.call(
        Method::POST,
        &format!("/v1/teams/{team}/roles"),
        None,
        Some(json!({"name": 5})),
    )
    .await
    .expect_error(401, "UNAUTHENTICATED");
    let viewer = app
        .member(&a.token, &team, "viewer@example.com", "viewer")
        .await;
    app.post(
        &format!("/v1/teams/{team}/roles"),
        &viewer.token,
        json!({"name": 5}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    let stranger = app.register("stranger@example.com", None).await;
    app.post(
        &format!("/v1/teams/{team}/roles"),
        &stranger.token,
        json!({"name": 5}),
    )
    .await
    .expect_error(404, "NOT_FOUND");

    // Bodies over 2 MiB are refused from Content-Length, before any of it is read: the
    // request is sent without its body, so the answer cannot race the upload.
    let answer = raw_request(
        &app.base,
        &format!(
            "POST /v1/teams/{team}/roles HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            a.token,
            2 * 1024 * 1024 + 10
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("PAYLOAD_TOO_LARGE"), "{answer}");

    // Path ids that do not parse are 400.
    app.get("/v1/teams/not-a-uuid", &a.token)
        .await
        .expect_error(400, "BAD_REQUEST");
}

/// Sends raw bytes to the server and reads the answer until it closes the connection.
async fn raw_request(base: &str, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

async fn pagination(app: TestApp) {
    let a = app.register("ada@example.com", Some("Ops")).await;
    let team = a.team_id.clone().unwrap();
    for i in 0..5 {
        app.post(
            &format!("/v1/teams/{team}/roles"),
            &a.token,
            json!({"name": format!("Role {i}")}),
        )
        .await
        .expect(201);
    }
    let roles = |q: &str| format!("/v1/teams/{team}/roles{q}");
    let first = app.get(&roles("?page_size=2"), &a.token).await.expect(200);
    assert_eq!(
        first.body["pagination"],
        json!({"page": 1, "page_size": 2, "total_count": 5, "total_pages": 3, "has_next": true, "has_previous": false})
    );
    assert_eq!(first.data()[0]["name"], "Role 4", "newest first");
    assert!(first.body["links"]["next"]
        .as_str()
        .unwrap()
        .contains("page=2"));
    assert!(first.body["links"]["last"]
        .as_str()
        .unwrap()
        .contains("page=3"));
    assert!(first.body["links"].get("previous").is_none());
    let last = app
        .get(&roles("?page_size=2&page=3"), &a.token)
        .await
        .expect(200);
    assert_eq!(last.data().as_array().unwrap().len(), 1);
    assert_eq!(last.body["pagination"]["has_next"], false);
    let past = app
        .get(&roles("?page_size=2&page=9"), &a.token)
        .await
        .expect(200);
    assert_eq!(past.data(), &json!([]));
    assert_eq!(past.body["pagination"]["total_count"], 5);
    app.get(&roles("?page_size=0"), &a.token)
        .await
        .expect_error(422, "VALIDATION_FAILED");
    app.get(&roles("?page_size=201"), &a.token)
        .await
        .expect_error(422, "VALIDATION_FAILED");
    app.get(&roles("?page=0"), &a.token)
        .await
        .expect_error(422, "VALIDATION_FAILED");
    app.get(&roles("?page=abc"), &a.token)
        .await
        .expect_error(400, "BAD_REQUEST");
    let default = app.get(&roles(""), &a.token).await.expect(200);
    assert_eq!(default.body["pagination"]["page_size"], 50);
}

async fn idempotency_keys(app: TestApp) {
    let a = app.register("ada@example.com", Some("Ops")).await;
    let team = a.team_id.clone().unwrap();
    let send = |key: &str, name: &str| {
        app.client
            .post(format!("{}/v1/teams/{team}/roles", app.base))
            .bearer_auth(&a.token)
            .header("idempotency-key", key)
            .json(&json!({"name": name}))
            .send()
    };
    let first: serde_json::Value = send("k-1", "Approver").await.unwrap().json().await.unwrap();
    let again = send("k-1", "Approver").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(first["data"]["id"], again["data"]["id"]);
    let other = send("k-1", "Reviewer").await.unwrap();
    assert_eq!(other.status(), 422);
    let list = app
        .get(&format!("/v1/teams/{team}/roles"), &a.token)
        .await
        .expect(200);
    assert_eq!(
        list.body["pagination"]["total_count"], 1,
        "the replay created nothing"
    );
    assert_eq!(send("k-2", "Reviewer").await.unwrap().status(), 201);
}

async fn the_audit_chain_finds_tampering(app: TestApp) {
    let a = app.register("ada@example.com", Some("Ops")).await;
    let team = a.team_id.clone().unwrap();
    for i in 0..3 {
        app.post(
            &format!("/v1/teams/{team}/roles"),
            &a.token,
            json!({"name": format!("R{i}")}),
        )
        .await
        .expect(201);
    }
    let verify_path = format!("/v1/teams/{team}/audit/verify");
    let verify = || app.get(&verify_path, &a.token);
    let intact = verify().await.expect(200);
    assert_eq!(intact.data()["intact"], true);
    assert_eq!(intact.data()["checked"], 5);

    let entries = app
        .get(
            &format!("/v1/teams/{team}/audit?entity_type=role"),
            &a.token,
        )
        .await
        .expect(200);
    assert_eq!(entries.body["pagination"]["total_count"], 3);
    let newest = &entries.data()[0];
    assert_eq!(newest["type"], "role.created");
    assert_eq!(newest["actor"]["id"], json!(a.id));
    assert_eq!(newest["seq"], 5);
    let by_entity = app
        .get(
            &format!(
                "/v1/teams/{team}/audit?entity_id={}",
                newest["entity"]["id"].as_str().unwrap()
            ),
            &a.token,
        )
        .await
        .expect(200);
    assert_eq!(by_entity.body["pagination"]["total_count"], 1);
    let by_actor = app
        .get(
            &format!("/v1/teams/{team}/audit?actor_id={}", a.id),
            &a.token,
        )
        .await
        .expect(200);
    assert_eq!(by_actor.body["pagination"]["total_count"], 5);

    // Change one stored entry: the chain breaks exactly there.
    let id_literal = |id: &str| match app.backend {
        common::Backend::Sqlite => format!("X'{}'", id.replace('-', "")),
        common::Backend::Postgres => format!("'{id}'"),
    };
    let changed = app
        .sql(&format!(
            "UPDATE events SET type = 'role.deleted' WHERE scope_id = {} AND seq = 3",
            id_literal(&team)
        ))
        .await;
    assert_eq!(changed, 1);
    let broken = verify().await.expect(200);
    assert_eq!(broken.data()["intact"], false);
    assert_eq!(broken.data()["first_broken"]["seq"], 3);
    app.sql(&format!(
        "UPDATE events SET type = 'role.created' WHERE scope_id = {} AND seq = 3",
        id_literal(&team)
    ))
    .await;
    assert_eq!(verify().await.expect(200).data()["intact"], true);

    // Remove an entry: the gap is found.
    app.sql(&format!(
        "DELETE FROM events WHERE scope_id = {} AND seq = 2",
        id_literal(&team)
    ))
    .await;
    let gap = verify().await.expect(200);
    assert_eq!(gap.data()["intact"], false);
    assert_eq!(gap.data()["first_broken"]["seq"], 2);
}

async fn operator_endpoints(app: TestApp) {
    let health = app
        .call(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
    assert_eq!(health.data()["status"], "ok");
    let ready = app
        .call(Method::GET, "/readyz", None, None)
        .await
        .expect(200);
    assert_eq!(
        ready.data()["database"],
        match app.backend {
            common::Backend::Sqlite => "sqlite",
            common::Backend::Postgres => "postgres",
        }
    );
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
    assert!(metrics.contains("db_pool_connections"));
    let docs = app
        .client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap();
    assert!(
        html.contains("swagger") && !html.contains("cdn."),
        "docs must work offline"
    );
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["responses"].get("429").is_some(),
                "{method} {path} documents no 429"
            );
        }
    }
}

both_backends!(
    envelope_request_ids_and_errors,
    pagination,
    idempotency_keys,
    the_audit_chain_finds_tampering,
    operator_endpoints
);

/// The OpenAPI document is a public surface: a change to it must show as a diff of
/// `tests/snapshots/openapi.json`. `UPDATE_SNAPSHOTS=1` rewrites the file.
#[test]
fn openapi_snapshot() {
    let current = serde_json::to_string_pretty(&orgata_rest::openapi()).unwrap() + "\n";
    common::snapshot("openapi.json", &current);
}
