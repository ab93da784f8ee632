//! Teams, members, invitations, agents, business roles, secrets, the access-role table and
//! cross-team isolation.

mod common;

use common::TestApp;
use serde_json::json;

async fn the_access_role_table(app: TestApp) {
    let owner = app.register("owner@example.com", Some("Ops")).await;
    let team = owner.team_id.clone().unwrap();
    let t = |p: &str| format!("/v1/teams/{team}{p}");
    let viewer = app
        .member(&owner.token, &team, "viewer@example.com", "viewer")
        .await;
    let member = app
        .member(&owner.token, &team, "member@example.com", "member")
        .await;
    let editor = app
        .member(&owner.token, &team, "editor@example.com", "editor")
        .await;
    let admin = app
        .member(&owner.token, &team, "admin@example.com", "admin")
        .await;

    // Everyone reads the team, members and roles; nobody below admin reads audit or secrets.
    for who in [&viewer, &member, &editor, &admin, &owner] {
        app.get(&t(""), &who.token).await.expect(200);
        app.get(&t("/members"), &who.token).await.expect(200);
        app.get(&t("/roles"), &who.token).await.expect(200);
    }
    for who in [&viewer, &member, &editor] {
        app.get(&t("/audit"), &who.token)
            .await
            .expect_error(403, "FORBIDDEN");
        app.get(&t("/secrets"), &who.token)
            .await
            .expect_error(403, "FORBIDDEN");
        app.post(&t("/roles"), &who.token, json!({"name": "R"}))
            .await
            .expect_error(403, "FORBIDDEN");
        app.post(
            &t("/members"),
            &who.token,
            json!({"email": "x@example.com", "access_role": "viewer"}),
        )
        .await
        .expect_error(403, "FORBIDDEN");
        app.post(&t("/agents"), &who.token, json!({"display_name": "Bot"}))
            .await
            .expect_error(403, "FORBIDDEN");
        app.post(
            &t("/secrets"),
            &who.token,
            json!({"name": "K", "value": "v"}),
        )
        .await
        .expect_error(403, "FORBIDDEN");
        app.put(&t(""), &who.token, json!({"name": "New"}))
            .await
            .expect_error(403, "FORBIDDEN");
    }
    // Admins manage members, roles, agents, secrets and read the audit trail ...
    app.get(&t("/audit"), &admin.token).await.expect(200);
    app.post(&t("/roles"), &admin.token, json!({"name": "Approver"}))
        .await
        .expect(201);
    app.post(
        &t("/secrets"),
        &admin.token,
        json!({"name": "API_KEY", "value": "v"}),
    )
    .await
    .expect(201);
    app.post(&t("/agents"), &admin.token, json!({"display_name": "Bot"}))
        .await
        .expect(201);
    app.put(
        &t(&format!("/members/{}", viewer.id)),
        &admin.token,
        json!({"access_role": "member"}),
    )
    .await
    .expect(200);
    // ... but not team settings, deletion or owners.
    app.put(&t(""), &admin.token, json!({"name": "New"}))
        .await
        .expect_error(403, "FORBIDDEN");
    app.delete(&t(""), &admin.token)
        .await
        .expect_error(403, "FORBIDDEN");
    app.put(
        &t(&format!("/members/{}", editor.id)),
        &admin.token,
        json!({"access_role": "owner"}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    app.put(
        &t(&format!("/members/{}", owner.id)),
        &admin.token,
        json!({"access_role": "viewer"}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    app.delete(&t(&format!("/members/{}", owner.id)), &admin.token)
        .await
        .expect_error(403, "FORBIDDEN");
    app.post(
        &t("/members"),
        &admin.token,
        json!({"email": "o2@example.com", "access_role": "owner"}),
    )
    .await
    .expect_error(403, "FORBIDDEN");

    // The owner changes settings; the last owner can neither leave nor step down.
    let updated = app
        .put(&t(""), &owner.token, json!({"name": "Operations", "settings": {"timezone": "Europe/Berlin", "working_calendar": {"working_days": [5, 1, 1], "start_time": "08:00", "end_time": "16:30", "holidays": ["2026-12-25"]}}}))
        .await
        .expect(200);
    assert_eq!(
        updated.data()["settings"]["working_calendar"]["working_days"],
        json!([1, 5])
    );
    app.put(
        &t(""),
        &owner.token,
        json!({"settings": {"timezone": "not a zone"}}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    app.delete(&t(&format!("/members/{}", owner.id)), &owner.token)
        .await
        .expect_error(409, "CONFLICT");
    app.put(
        &t(&format!("/members/{}", owner.id)),
        &owner.token,
        json!({"access_role": "admin"}),
    )
    .await
    .expect_error(409, "CONFLICT");
    // With a second owner, the first may step down.
    app.put(
        &t(&format!("/members/{}", admin.id)),
        &owner.token,
        json!({"access_role": "owner"}),
    )
    .await
    .expect(200);
    app.put(
        &t(&format!("/members/{}", owner.id)),
        &owner.token,
        json!({"access_role": "admin"}),
    )
    .await
    .expect(200);
    // Anyone may leave.
    app.delete(&t(&format!("/members/{}", member.id)), &member.token)
        .await
        .expect(200);
    app.get(&t(""), &member.token)
        .await
        .expect_error(404, "NOT_FOUND");
    // Only an owner deletes the team; then it is gone for everyone.
    app.delete(&t(""), &admin.token).await.expect(200);
    app.get(&t(""), &viewer.token)
        .await
        .expect_error(404, "NOT_FOUND");
}

async fn other_teams_answer_404(app: TestApp) {
    let mine = app.register("me@example.com", Some("Mine")).await;
    let theirs = app.register("them@example.com", Some("Theirs")).await;
    let their_team = theirs.team_id.clone().unwrap();
    let role = app
        .post(
            &format!("/v1/teams/{their_team}/roles"),
            &theirs.token,
            json!({"name": "Secret Role"}),
        )
        .await
        .expect(201);
    let role_id = role.data()["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/v1/teams/{their_team}/secrets"),
        &theirs.token,
        json!({"name": "K", "value": "hidden"}),
    )
    .await
    .expect(201);
    let t = |p: &str| format!("/v1/teams/{their_team}{p}");
    let answers = vec![
        app.get(&t(""), &mine.token).await,
        app.put(&t(""), &mine.token, json!({"name": "x"})).await,
        app.delete(&t(""), &mine.token).await,
        app.get(&t("/members"), &mine.token).await,
        app.post(
            &t("/members"),
            &mine.token,
            json!({"email": "x@example.com", "access_role": "viewer"}),
        )
        .await,
        app.get(&t(&format!("/members/{}", theirs.id)), &mine.token)
            .await,
        app.put(
            &t(&format!("/members/{}", theirs.id)),
            &mine.token,
            json!({"access_role": "viewer"}),
        )
        .await,
        app.delete(&t(&format!("/members/{}", theirs.id)), &mine.token)
            .await,
        app.get(&t("/invitations"), &mine.token).await,
        app.post(&t("/agents"), &mine.token, json!({"display_name": "Bot"}))
            .await,
        app.get(&t("/roles"), &mine.token).await,
        app.post(&t("/roles"), &mine.token, json!({"name": "R"}))
            .await,
        app.get(&t(&format!("/roles/{role_id}")), &mine.token).await,
        app.put(
            &t(&format!("/roles/{role_id}")),
            &mine.token,
            json!({"name": "R"}),
        )
        .await,
        app.delete(&t(&format!("/roles/{role_id}")), &mine.token)
            .await,
        app.get(&t("/secrets"), &mine.token).await,
        app.post(
            &t("/secrets"),
            &mine.token,
            json!({"name": "K2", "value": "v"}),
        )
        .await,
        app.put(&t("/secrets/K"), &mine.token, json!({"value": "v"}))
            .await,
        app.delete(&t("/secrets/K"), &mine.token).await,
        app.get(&t("/audit"), &mine.token).await,
        app.get(&t("/audit/verify"), &mine.token).await,
    ];
    for answer in answers {
        let answer = answer.expect_error(404, "NOT_FOUND");
        assert!(answer.body.get("data").is_none());
        assert!(!answer.body.to_string().contains("Secret Role"));
    }
    // The other team's things are untouched.
    app.get(&t(&format!("/roles/{role_id}")), &theirs.token)
        .await
        .expect(200);
    app.get(
        &format!("/v1/teams/{}", mine.team_id.clone().unwrap()),
        &mine.token,
    )
    .await
    .expect(200);
}

async fn members_invitations_and_agents(app: TestApp) {
    let owner = app.register("owner@example.com", Some("Ops")).await;
    let team = owner.team_id.clone().unwrap();
    let t = |p: &str| format!("/v1/teams/{team}{p}");
    app.register("known@example.com", None).await;
    let joined = app
        .post(
            &t("/members"),
            &owner.token,
            json!({"email": "known@example.com", "access_role": "editor"}),
        )
        .await
        .expect(201);
    assert_eq!(joined.data()["status"], "active");
    assert!(joined.headers["location"]
        .to_str()
        .unwrap()
        .ends_with(joined.data()["user_id"].as_str().unwrap()));
    app.post(
        &t("/members"),
        &owner.token,
        json!({"email": "known@example.com", "access_role": "viewer"}),
    )
    .await
    .expect_error(409, "CONFLICT");

    let invited = app
        .post(
            &t("/members"),
            &owner.token,
            json!({"email": "new@example.com", "access_role": "member"}),
        )
        .await
        .expect(201);
    assert_eq!(invited.data()["status"], "pending");
    app.post(
        &t("/members"),
        &owner.token,
        json!({"email": "new@example.com", "access_role": "member"}),
    )
    .await
    .expect_error(409, "CONFLICT");
    let invitations = app.get(&t("/invitations"), &owner.token).await.expect(200);
    assert_eq!(invitations.data()[0]["email"], "new@example.com");
    let invitation_id = invitations.data()[0]["id"].as_str().unwrap().to_string();
    app.delete(&t(&format!("/invitations/{invitation_id}")), &owner.token)
        .await
        .expect(200);
    let late = app.register("new@example.com", None).await;
    app.get(&t(""), &late.token)
        .await
        .expect_error(404, "NOT_FOUND");

    // Agents: a member with their own token, bound to the team.
    let agent = app
        .post(
            &t("/agents"),
            &owner.token,
            json!({"display_name": "Triage Bot"}),
        )
        .await
        .expect(201);
    assert_eq!(agent.data()["user"]["kind"], "agent");
    let agent_token = agent.data()["token"].as_str().unwrap().to_string();
    let agent_id = agent.data()["user"]["id"].as_str().unwrap().to_string();
    let seen = app
        .get(&t(&format!("/members/{agent_id}")), &agent_token)
        .await
        .expect(200);
    assert_eq!(seen.data()["access_role"], "member");
    app.post(&t("/roles"), &agent_token, json!({"name": "R"}))
        .await
        .expect_error(403, "FORBIDDEN");
    let elsewhere = app
        .post(
            "/v1/teams",
            &owner.token,
            json!({"organization_id": owner.organization_id, "name": "Elsewhere"}),
        )
        .await
        .expect(201);
    app.get(
        &format!("/v1/teams/{}", elsewhere.data()["id"].as_str().unwrap()),
        &agent_token,
    )
    .await
    .expect_error(404, "NOT_FOUND");
    app.post(
        &t("/agents"),
        &owner.token,
        json!({"display_name": "Boss Bot", "access_role": "admin"}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    app.put(
        &t(&format!("/members/{agent_id}")),
        &owner.token,
        json!({"access_role": "admin"}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    // Removing the agent revokes its token for the team.
    app.delete(&t(&format!("/members/{agent_id}")), &owner.token)
        .await
        .expect(200);
    app.get(&t(""), &agent_token)
        .await
        .expect_error(401, "UNAUTHENTICATED");
}

async fn business_roles(app: TestApp) {
    let owner = app.register("owner@example.com", Some("Ops")).await;
    let team = owner.team_id.clone().unwrap();
    let t = |p: &str| format!("/v1/teams/{team}{p}");
    let lead = app
        .post(&t("/roles"), &owner.token, json!({"name": "Lead", "hierarchy_level": 2, "capabilities": [{"name": "Sign off", "type": "approval_authority", "level": "expert"}]}))
        .await
        .expect(201);
    let lead_id = lead.data()["id"].as_str().unwrap().to_string();
    let clerk = app
        .post(
            &t("/roles"),
            &owner.token,
            json!({"name": "Clerk", "reports_to": lead_id}),
        )
        .await
        .expect(201);
    let clerk_id = clerk.data()["id"].as_str().unwrap().to_string();
    app.post(&t("/roles"), &owner.token, json!({"name": "Lead"}))
        .await
        .expect_error(409, "CONFLICT");
    app.post(
        &t("/roles"),
        &owner.token,
        json!({"name": "X", "reports_to": "01900000-0000-7000-8000-000000000000"}),
    )
    .await
    .expect_error(404, "NOT_FOUND");
    app.put(
        &t(&format!("/roles/{lead_id}")),
        &owner.token,
        json!({"name": "Lead", "reports_to": clerk_id}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    app.post(
        &t("/roles"),
        &owner.token,
        json!({"name": "Y", "capabilities": [{"name": "c", "type": "magic", "level": "basic"}]}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");

    let holder = app.register("holder@example.com", None).await;
    app.post(&t("/members"), &owner.token, json!({"email": "holder@example.com", "access_role": "member", "roles": [clerk_id, "01900000-0000-7000-8000-000000000000"]}))
        .await
        .expect_error(404, "NOT_FOUND");
    app.post(
        &t("/members"),
        &owner.token,
        json!({"email": "holder@example.com", "access_role": "member", "roles": [clerk_id]}),
    )
    .await
    .expect(201);
    let listed = app.get(&t("/roles"), &holder.token).await.expect(200);
    assert_eq!(listed.body["pagination"]["total_count"], 2);
    assert_eq!(listed.data()[0]["name"], "Clerk", "newest first");

    app.delete(&t(&format!("/roles/{clerk_id}")), &owner.token)
        .await
        .expect(200);
    let member = app
        .get(&t(&format!("/members/{}", holder.id)), &owner.token)
        .await
        .expect(200);
    assert_eq!(member.data()["roles"], json!([]));
    app.get(&t(&format!("/roles/{clerk_id}")), &owner.token)
        .await
        .expect_error(404, "NOT_FOUND");
}

async fn secrets_are_write_only_and_sealed(app: TestApp) {
    let owner = app.register("owner@example.com", Some("Ops")).await;
    let team = owner.team_id.clone().unwrap();
    let t = |p: &str| format!("/v1/teams/{team}{p}");
    let value = "sk_live_7f3c9a1e5b2d4c6e8f0a";
    let created = app
        .post(
            &t("/secrets"),
            &owner.token,
            json!({"name": "STRIPE_KEY", "value": value}),
        )
        .await
        .expect(201);
    app.post(
        &t("/secrets"),
        &owner.token,
        json!({"name": "STRIPE_KEY", "value": "x"}),
    )
    .await
    .expect_error(409, "CONFLICT");
    app.post(
        &t("/secrets"),
        &owner.token,
        json!({"name": "9bad", "value": "x"}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    let rotated = app
        .put(
            &t("/secrets/STRIPE_KEY"),
            &owner.token,
            json!({"value": format!("{value}-rotated")}),
        )
        .await
        .expect(200);
    // the answer is the secret as stored, read in the same transaction (not looked up in a list)
    assert_eq!(rotated.body["data"]["name"], "STRIPE_KEY");
    assert_eq!(
        rotated.body["data"]["created_at"],
        created.body["data"]["created_at"]
    );
    assert!(
        rotated.body["data"]["updated_at"].as_str() >= created.body["data"]["updated_at"].as_str()
    );
    app.put(&t("/secrets/NOPE"), &owner.token, json!({"value": "x"}))
        .await
        .expect_error(404, "NOT_FOUND");
    let list = app.get(&t("/secrets"), &owner.token).await.expect(200);
    let audit = app.get(&t("/audit"), &owner.token).await.expect(200);
    for body in [&created.body, &list.body, &audit.body] {
        assert!(
            !body.to_string().contains(value),
            "a secret value leaked: {body}"
        );
    }
    assert_eq!(list.data()[0]["name"], "STRIPE_KEY");
    for table in ["team_secrets", "events"] {
        let bytes = app.dump(table).await;
        assert!(!bytes.is_empty());
        assert!(
            !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
            "plaintext in {table}"
        );
    }
    app.delete(&t("/secrets/STRIPE_KEY"), &owner.token)
        .await
        .expect(200);
    app.delete(&t("/secrets/STRIPE_KEY"), &owner.token)
        .await
        .expect_error(404, "NOT_FOUND");
}

both_backends!(
    the_access_role_table,
    other_teams_answer_404,
    members_invitations_and_agents,
    business_roles,
    secrets_are_write_only_and_sealed
);
