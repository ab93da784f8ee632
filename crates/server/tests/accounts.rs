//! Accounts: registration, sessions, refresh rotation and reuse, personal access tokens, TOTP.

mod common;

use common::{TestApp, PASSWORD};
use reqwest::Method;
use serde_json::json;

fn totp_for(secret_base32: &str) -> totp_rs::TOTP {
    let secret = totp_rs::Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).unwrap()
}

fn now() -> u64 {
    chrono::Utc::now().timestamp() as u64
}

async fn registration_rules(app: TestApp) {
    let a = app.register("Ada@Example.com", Some("Ops")).await;
    assert!(a.team_id.is_some() && a.organization_id.is_some());
    // The same address in other letters is taken.
    let again = app
        .public_post(
            "/v1/auth/register",
            json!({"email": "ada@example.COM", "password": PASSWORD, "display_name": "A"}),
        )
        .await
        .expect_error(409, "CONFLICT");
    assert!(again.body["metadata"]["request_id"].is_string());
    let short = app
        .public_post(
            "/v1/auth/register",
            json!({"email": "b@example.com", "password": "short", "display_name": "B"}),
        )
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(short.body["error"]["details"][0]["field"], "/password");
    let bad = app
        .public_post(
            "/v1/auth/register",
            json!({"email": "not-an-email", "password": PASSWORD, "display_name": "B"}),
        )
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(bad.body["error"]["details"][0]["field"], "/email");
    let missing = app
        .public_post("/v1/auth/register", json!({"email": "c@example.com"}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert!(missing.body["error"]["details"][0]["field"]
        .as_str()
        .unwrap()
        .starts_with('/'));
    // A team without an organization gets one named after it.
    let solo = app
        .public_post("/v1/auth/register", json!({"email": "d@example.com", "password": PASSWORD, "display_name": "D", "team_name": "Solo"}))
        .await
        .expect(201);
    assert_eq!(solo.data()["organization"]["name"], "Solo");
    assert_eq!(solo.data()["team"]["name"], "Solo");
}

async fn login_refresh_rotation_and_reuse(app: TestApp) {
    let a = app.register("ada@example.com", None).await;
    app.public_post(
        "/v1/auth/login",
        json!({"email": "ada@example.com", "password": "wrong password!!"}),
    )
    .await
    .expect_error(401, "UNAUTHENTICATED");
    app.public_post(
        "/v1/auth/login",
        json!({"email": "nobody@example.com", "password": PASSWORD}),
    )
    .await
    .expect_error(401, "UNAUTHENTICATED");
    let login = app
        .public_post(
            "/v1/auth/login",
            json!({"email": "ADA@example.com", "password": PASSWORD}),
        )
        .await
        .expect(200);
    let first = login.data()["refresh_token"].as_str().unwrap().to_string();
    app.get("/v1/me", login.data()["access_token"].as_str().unwrap())
        .await
        .expect(200);

    // Rotation: the new pair works, the old refresh token does not.
    let second = app
        .public_post("/v1/auth/refresh", json!({"refresh_token": first}))
        .await
        .expect(200);
    let second_refresh = second.data()["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(first, second_refresh);
    app.get("/v1/me", second.data()["access_token"].as_str().unwrap())
        .await
        .expect(200);
    // Reuse of the old one is refused and revokes the whole family, the newest token too.
    app.public_post("/v1/auth/refresh", json!({"refresh_token": first}))
        .await
        .expect_error(401, "UNAUTHENTICATED");
    app.public_post("/v1/auth/refresh", json!({"refresh_token": second_refresh}))
        .await
        .expect_error(401, "UNAUTHENTICATED");
    // Another session of the same user is untouched.
    let other = app
        .public_post(
            "/v1/auth/refresh",
            json!({"refresh_token": a.refresh_token}),
        )
        .await
        .expect(200);
    let other_refresh = other.data()["refresh_token"].as_str().unwrap().to_string();
    // Logout ends that session.
    app.public_post("/v1/auth/logout", json!({"refresh_token": other_refresh}))
        .await
        .expect(200);
    app.public_post("/v1/auth/refresh", json!({"refresh_token": other_refresh}))
        .await
        .expect_error(401, "UNAUTHENTICATED");
    app.public_post(
        "/v1/auth/refresh",
        json!({"refresh_token": "orgata_rt_garbage"}),
    )
    .await
    .expect_error(401, "UNAUTHENTICATED");

    // Without or with a bad token, /v1/me is 401.
    app.call(Method::GET, "/v1/me", None, None)
        .await
        .expect_error(401, "UNAUTHENTICATED");
    app.get("/v1/me", "garbage")
        .await
        .expect_error(401, "UNAUTHENTICATED");
    app.get("/v1/me", "orgata_pat_garbage")
        .await
        .expect_error(401, "UNAUTHENTICATED");
}

async fn personal_access_tokens(app: TestApp) {
    let owner = app.register("owner@example.com", Some("Ops")).await;
    let team = owner.team_id.clone().unwrap();
    let other = app
        .post(
            "/v1/teams",
            &owner.token,
            json!({"organization_id": owner.organization_id, "name": "Other"}),
        )
        .await
        .expect(201);
    let other_team = other.data()["id"].as_str().unwrap().to_string();

    let created = app
        .post("/v1/me/tokens", &owner.token, json!({"name": "ci"}))
        .await
        .expect(201);
    let pat = created.data()["token"].as_str().unwrap().to_string();
    let pat_id = created.data()["id"].as_str().unwrap().to_string();
    assert!(pat.starts_with("orgata_pat_"));
    app.get("/v1/me", &pat).await.expect(200);
    let list = app.get("/v1/me/tokens", &owner.token).await.expect(200);
    assert!(
        !list.body.to_string().contains(&pat),
        "the secret is shown only once"
    );
    assert_eq!(list.body["pagination"]["total_count"], 1);

    // A read-only token reads but does not write, even for an owner.
    let read = app
        .post(
            "/v1/me/tokens",
            &owner.token,
            json!({"name": "ro", "scopes": ["read"]}),
        )
        .await
        .expect(201);
    let read = read.data()["token"].as_str().unwrap().to_string();
    app.get(&format!("/v1/teams/{team}"), &read)
        .await
        .expect(200);
    app.put(&format!("/v1/teams/{team}"), &read, json!({"name": "x"}))
        .await
        .expect_error(403, "FORBIDDEN");
    app.post("/v1/me/tokens", &read, json!({"name": "more"}))
        .await
        .expect_error(403, "FORBIDDEN");

    // A token bound to one team sees only that team.
    let bound = app
        .post(
            "/v1/me/tokens",
            &owner.token,
            json!({"name": "bound", "team_id": team}),
        )
        .await
        .expect(201);
    let bound = bound.data()["token"].as_str().unwrap().to_string();
    app.get(&format!("/v1/teams/{other_team}"), &bound)
        .await
        .expect_error(404, "NOT_FOUND");
    let teams = app.get("/v1/teams", &bound).await.expect(200);
    assert_eq!(teams.body["pagination"]["total_count"], 1);
    assert_eq!(teams.data()[0]["id"], json!(team));
    let all = app.get("/v1/teams", &owner.token).await.expect(200);
    assert_eq!(all.body["pagination"]["total_count"], 2);

    // Expiry in the past is refused; revoking ends a token.
    app.post(
        "/v1/me/tokens",
        &owner.token,
        json!({"name": "old", "expires_at": "2020-01-01T00:00:00Z"}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    app.delete(&format!("/v1/me/tokens/{pat_id}"), &owner.token)
        .await
        .expect(200);
    app.get("/v1/me", &pat)
        .await
        .expect_error(401, "UNAUTHENTICATED");
    app.delete(&format!("/v1/me/tokens/{pat_id}"), &owner.token)
        .await
        .expect_error(404, "NOT_FOUND");
}

async fn totp_second_factor(app: TestApp) {
    let a = app.register("ada@example.com", None).await;
    let enrol = app
        .call(Method::POST, "/v1/me/mfa/totp", Some(&a.token), None)
        .await
        .expect(201);
    let totp = totp_for(enrol.data()["secret"].as_str().unwrap());
    assert!(enrol.data()["otpauth_url"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    let codes: Vec<String> = enrol.data()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    // Until verified, login needs no code.
    app.public_post(
        "/v1/auth/login",
        json!({"email": a.email, "password": PASSWORD}),
    )
    .await
    .expect(200);
    let wrong = if totp.generate(now()) == "000000" {
        "111111"
    } else {
        "000000"
    };
    app.post("/v1/me/mfa/totp/verify", &a.token, json!({"code": wrong}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    let me = app
        .post(
            "/v1/me/mfa/totp/verify",
            &a.token,
            json!({"code": totp.generate(now())}),
        )
        .await
        .expect(200);
    assert_eq!(me.data()["mfa_enabled"], true);

    let no_code = app
        .public_post(
            "/v1/auth/login",
            json!({"email": a.email, "password": PASSWORD}),
        )
        .await
        .expect_error(401, "UNAUTHENTICATED");
    assert_eq!(no_code.body["error"]["details"]["mfa_required"], true);
    // Each step once: the next step's code works once, then not again.
    let next = totp.generate(now() + 30);
    app.public_post(
        "/v1/auth/login",
        json!({"email": a.email, "password": PASSWORD, "totp_code": next}),
    )
    .await
    .expect(200);
    app.public_post(
        "/v1/auth/login",
        json!({"email": a.email, "password": PASSWORD, "totp_code": next}),
    )
    .await
    .expect_error(401, "UNAUTHENTICATED");
    // A recovery code works once.
    app.public_post(
        "/v1/auth/login",
        json!({"email": a.email, "password": PASSWORD, "totp_code": codes[0].to_uppercase()}),
    )
    .await
    .expect(200);
    app.public_post(
        "/v1/auth/login",
        json!({"email": a.email, "password": PASSWORD, "totp_code": codes[0]}),
    )
    .await
    .expect_error(401, "UNAUTHENTICATED");
    // Turning it off needs a code; then login needs none.
    app.call(
        Method::DELETE,
        "/v1/me/mfa/totp",
        Some(&a.token),
        Some(json!({"code": "123"})),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    let off = app
        .call(
            Method::DELETE,
            "/v1/me/mfa/totp",
            Some(&a.token),
            Some(json!({"code": codes[1]})),
        )
        .await
        .expect(200);
    assert_eq!(off.data()["mfa_enabled"], false);
    app.public_post(
        "/v1/auth/login",
        json!({"email": a.email, "password": PASSWORD}),
    )
    .await
    .expect(200);
}

both_backends!(
    registration_rules,
    login_refresh_rotation_and_reuse,
    personal_access_tokens,
    totp_second_factor
);

/// Ten failed logins for one account, then 429 with Retry-After (SQLite only: the guard lives in
/// the process, whatever the store).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_limited() {
    let app = common::spawn(common::Backend::Sqlite).await.unwrap();
    let a = app.register("ada@example.com", None).await;
    for _ in 0..10 {
        app.public_post(
            "/v1/auth/login",
            json!({"email": a.email, "password": "wrong password!!"}),
        )
        .await
        .expect_error(401, "UNAUTHENTICATED");
    }
    let limited = app
        .public_post(
            "/v1/auth/login",
            json!({"email": a.email, "password": PASSWORD}),
        )
        .await
        .expect_error(429, "RATE_LIMITED");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 300);
}

/// The per-address bucket of the unauthenticated auth endpoints, and the per-token bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_answer_429_and_report_themselves() {
    let app = common::spawn_with(common::Backend::Sqlite, |args| {
        args.auth_rate_limit_per_minute = Some(3);
        args.rate_limit_burst = Some(4);
        args.rate_limit_per_minute = Some(1);
    })
    .await
    .unwrap();
    let a = app.register("ada@example.com", None).await;
    app.public_post(
        "/v1/auth/login",
        json!({"email": a.email, "password": PASSWORD}),
    )
    .await
    .expect(200);
    app.public_post(
        "/v1/auth/login",
        json!({"email": a.email, "password": PASSWORD}),
    )
    .await
    .expect(200);
    let limited = app
        .public_post(
            "/v1/auth/login",
            json!({"email": a.email, "password": PASSWORD}),
        )
        .await
        .expect_error(429, "RATE_LIMITED");
    assert!(limited.headers.contains_key("retry-after"));

    let first = app.get("/v1/me", &a.token).await.expect(200);
    assert_eq!(first.body["metadata"]["rate_limit"]["limit"], 4);
    assert_eq!(first.body["metadata"]["rate_limit"]["remaining"], 3);
    assert_eq!(first.headers["ratelimit-limit"], "4");
    assert_eq!(first.headers["ratelimit-remaining"], "3");
    assert!(first.headers.contains_key("ratelimit-reset"));
    for _ in 0..3 {
        app.get("/v1/me", &a.token).await.expect(200);
    }
    let out = app
        .get("/v1/me", &a.token)
        .await
        .expect_error(429, "RATE_LIMITED");
    assert!(
        out.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
}
