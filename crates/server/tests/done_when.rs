//! The "done when" walk-through, on both backends.

mod common;

use common::{Answer, TestApp};
use serde_json::json;

async fn a_new_team_works_end_to_end(app: TestApp) {
    let owner = app.register("owner@example.com", Some("Operations")).await;
    let team = owner.team_id.clone().unwrap();

    // Invite a second user (not registered yet) as viewer; registering accepts it.
    let invited = app
        .post(
            &format!("/v1/teams/{team}/members"),
            &owner.token,
            json!({"email": "Viewer@Example.com", "access_role": "viewer"}),
        )
        .await
        .expect(201);
    assert_eq!(invited.data()["status"], "pending");
    let viewer = app.register("viewer@example.com", None).await;
    let me = app.get("/v1/me", &viewer.token).await.expect(200);
    assert_eq!(me.data()["memberships"][0]["team_id"], json!(team));
    assert_eq!(me.data()["memberships"][0]["access_role"], "viewer");

    // The viewer reads but may not write.
    app.get(&format!("/v1/teams/{team}"), &viewer.token)
        .await
        .expect(200);
    app.put(
        &format!("/v1/teams/{team}"),
        &viewer.token,
        json!({"name": "Mine now"}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    app.post(
        &format!("/v1/teams/{team}/roles"),
        &viewer.token,
        json!({"name": "Approver"}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    app.post(
        &format!("/v1/teams/{team}/members"),
        &viewer.token,
        json!({"email": "x@example.com", "access_role": "member"}),
    )
    .await
    .expect_error(403, "FORBIDDEN");

    // Every other team's data answers 404.
    let stranger = app
        .register("stranger@example.com", Some("Elsewhere"))
        .await;
    let other = stranger.team_id.clone().unwrap();
    for path in [
        format!("/v1/teams/{other}"),
        format!("/v1/teams/{other}/members"),
        format!("/v1/teams/{other}/roles"),
    ] {
        app.get(&path, &viewer.token)
            .await
            .expect_error(404, "NOT_FOUND");
        app.get(&path, &owner.token)
            .await
            .expect_error(404, "NOT_FOUND");
    }

    // Paginated members.
    for i in 0..3 {
        app.member(&owner.token, &team, &format!("m{i}@example.com"), "member")
            .await;
    }
    let page: Answer = app
        .get(
            &format!("/v1/teams/{team}/members?page=2&page_size=2"),
            &viewer.token,
        )
        .await
        .expect(200);
    assert_eq!(page.body["pagination"]["total_count"], 5);
    assert_eq!(page.body["pagination"]["total_pages"], 3);
    assert_eq!(page.body["pagination"]["has_next"], true);
    assert_eq!(page.body["pagination"]["has_previous"], true);
    assert_eq!(page.data().as_array().unwrap().len(), 2);
    assert!(page.body["links"]["next"]
        .as_str()
        .unwrap()
        .contains("page=3"));

    // TOTP: enrol, verify, then login needs the code.
    let enrol = app
        .call(
            reqwest::Method::POST,
            "/v1/me/mfa/totp",
            Some(&owner.token),
            None,
        )
        .await
        .expect(201);
    let secret = totp_rs::Secret::Encoded(enrol.data()["secret"].as_str().unwrap().to_string())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).unwrap();
    let now = chrono::Utc::now().timestamp() as u64;
    app.post(
        "/v1/me/mfa/totp/verify",
        &owner.token,
        json!({"code": totp.generate(now)}),
    )
    .await
    .expect(200);
    app.public_post(
        "/v1/auth/login",
        json!({"email": owner.email, "password": owner.password}),
    )
    .await
    .expect_error(401, "UNAUTHENTICATED");
    let login = app
        .public_post("/v1/auth/login", json!({"email": owner.email, "password": owner.password, "totp_code": totp.generate(now + 30)}))
        .await
        .expect(200);
    assert!(login.data()["access_token"].is_string());

    // The audit chain is intact and records what happened.
    let verify = app
        .get(&format!("/v1/teams/{team}/audit/verify"), &owner.token)
        .await
        .expect(200);
    assert_eq!(verify.data()["intact"], true, "{:#}", verify.body);
    assert!(verify.data()["checked"].as_i64().unwrap() >= 6);
    let audit = app
        .get(
            &format!("/v1/teams/{team}/audit?entity_type=invitation"),
            &owner.token,
        )
        .await
        .expect(200);
    assert_eq!(audit.data()[0]["type"], "invitation.created");
    app.get(&format!("/v1/teams/{team}/audit"), &viewer.token)
        .await
        .expect_error(403, "FORBIDDEN");
}

both_backends!(a_new_team_works_end_to_end);
