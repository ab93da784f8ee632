//! Registration, login, token refresh and rotation, logout, authentication of a bearer token.

use chrono::Duration;
use serde_json::json;
use uuid::Uuid;

use super::{event, Actor, Credential, Ctx, Services};
use crate::access::AccessRole;
use crate::auth::{opaque, password, totp};
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::store::{RequestMeta, Tx};
use crate::validate;

/// The password identity provider.
pub(crate) const PASSWORD_PROVIDER: &str = "password";

impl Services {
    /// `POST /v1/auth/register`: a new account, optionally with its organization and team;
    /// pending invitations for the email are accepted.
    pub async fn register(&self, input: Registration, meta: &RequestMeta) -> Result<Session> {
        let mut v = Violations::new();
        validate::email(&mut v, "/email", input.email.trim());
        validate::password(&mut v, "/password", &input.password);
        validate::text(&mut v, "/display_name", &input.display_name, 1, 200);
        if let Some(name) = &input.organization_name {
            validate::text(&mut v, "/organization_name", name, 1, 200);
        }
        if let Some(name) = &input.team_name {
            validate::text(&mut v, "/team_name", name, 1, 200);
        }
        v.finish()?;
        let email = validate::normalize_email(&input.email);
        let hash = password::hash(&input.password)?;
        let now = now();
        let user = User {
            id: new_id(),
            email: email.clone(),
            display_name: input.display_name.trim().to_string(),
            kind: UserKind::Human,
            mfa_enabled: false,
            created_at: now,
            updated_at: now,
        };
        let system_actor = EventActor {
            id: Some(user.id),
            kind: ActorType::User,
        };

        let mut tx = self.store.begin().await?;
        if tx.user_by_email(&email).await?.is_some() {
            return Err(Error::conflict("an account with this email exists"));
        }
        tx.insert_user(&user).await?;
        tx.insert_identity(&Identity {
            id: new_id(),
            user_id: user.id,
            provider: PASSWORD_PROVIDER.into(),
            subject: email.clone(),
            secret_hash: Some(hash),
        })
        .await?;
        tx.append_event(event(
            user.id,
            None,
            "user.registered",
            system_actor.clone(),
            ("user", user.id),
            json!({}),
            meta,
        ))
        .await?;

        let mut organization = None;
        let mut team = None;
        // A team needs an organization: without organization_name, it takes the team's name.
        if let Some(org_name) = input
            .organization_name
            .as_ref()
            .or(input.team_name.as_ref())
        {
            let org = Organization {
                id: new_id(),
                name: org_name.trim().to_string(),
                domain: None,
                industry: None,
                size: None,
                compliance_requirements: vec![],
                created_at: now,
                updated_at: now,
            };
            tx.insert_organization(&org).await?;
            tx.put_organization_member(org.id, user.id, "owner").await?;
            tx.append_event(event(
                user.id,
                None,
                "organization.created",
                system_actor.clone(),
                ("organization", org.id),
                json!({}),
                meta,
            ))
            .await?;
            if let Some(team_name) = &input.team_name {
                let t = Team {
                    id: new_id(),
                    organization_id: org.id,
                    name: team_name.trim().to_string(),
                    description: String::new(),
                    settings: TeamSettings::default(),
                    created_at: now,
                    updated_at: now,
                };
                tx.insert_team(&t).await?;
                tx.insert_member(t.id, user.id, AccessRole::Owner, &[], now)
                    .await?;
                let data = json!({"organization_id": org.id});
                tx.append_event(event(
                    t.id,
                    Some(t.id),
                    "team.created",
                    system_actor.clone(),
                    ("team", t.id),
                    data,
                    meta,
                ))
                .await?;
                let data = json!({"user_id": user.id, "access_role": "owner"});
                tx.append_event(event(
                    t.id,
                    Some(t.id),
                    "member.added",
                    system_actor.clone(),
                    ("user", user.id),
                    data,
                    meta,
                ))
                .await?;
                team = Some(t);
            }
            organization = Some(org);
        }
        self.accept_invitations(tx.as_mut(), &user, &system_actor, meta)
            .await?;
        let session = self.open_session(tx.as_mut(), user, None).await?;
        tx.commit().await?;
        Ok(Session {
            organization,
            team,
            ..session
        })
    }

    /// Turns the pending invitations for the user's email into memberships.
    async fn accept_invitations(
        &self,
        tx: &mut dyn Tx,
        user: &User,
        actor: &EventActor,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = now();
        for inv in tx.invitations_for_email(&user.email, now).await? {
            if tx.team(inv.team_id).await?.is_none()
                || tx.member(inv.team_id, user.id).await?.is_some()
            {
                continue;
            }
            let known = tx.count_roles(inv.team_id, &inv.roles).await?;
            let roles: Vec<Uuid> = if known == inv.roles.len() as i64 {
                inv.roles.clone()
            } else {
                vec![]
            };
            tx.insert_member(inv.team_id, user.id, inv.access_role, &roles, now)
                .await?;
            tx.delete_invitation(inv.team_id, inv.id).await?;
            if let Some(team) = tx.team(inv.team_id).await? {
                tx.put_organization_member(team.organization_id, user.id, "member")
                    .await?;
            }
            let data = json!({"user_id": user.id, "access_role": inv.access_role, "invitation_id": inv.id});
            tx.append_event(event(
                inv.team_id,
                Some(inv.team_id),
                "invitation.accepted",
                actor.clone(),
                ("user", user.id),
                data,
                meta,
            ))
            .await?;
        }
        Ok(())
    }

    /// Issues an access token and a refresh token (a new family unless `family` is given).
    async fn open_session(
        &self,
        tx: &mut dyn Tx,
        user: User,
        family: Option<Uuid>,
    ) -> Result<Session> {
        let refresh = opaque::generate(opaque::REFRESH_PREFIX);
        let record = RefreshTokenRecord {
            id: new_id(),
            user_id: user.id,
            family_id: family.unwrap_or_else(new_id),
            expires_at: now() + Duration::seconds(self.config.refresh_token_ttl_secs),
            used: false,
            revoked: false,
        };
        tx.insert_refresh_token(&record, &opaque::digest(&refresh))
            .await?;
        Ok(Session {
            access_token: self.jwt.issue(user.id)?,
            refresh_token: refresh,
            expires_in: self.jwt.ttl_secs(),
            token_type: "Bearer".into(),
            user,
            organization: None,
            team: None,
        })
    }

    /// `POST /v1/auth/login`: password, then the second factor when it is on.
    pub async fn login(&self, input: Login, meta: &RequestMeta) -> Result<Session> {
        let email = validate::normalize_email(&input.email);
        let account_key = format!("account:{email}");
        let mut keys = vec![account_key.clone()];
        if let Some(ip) = &meta.ip_address {
            keys.push(format!("ip:{ip}"));
        }
        self.login_guard.check(&keys)?;
        let refuse = |message: &str| {
            self.login_guard.fail(&keys);
            Error::unauthenticated(message)
        };

        let mut tx = self.store.begin().await?;
        let identity = tx.identity(PASSWORD_PROVIDER, &email).await?;
        let phc = identity.as_ref().and_then(|i| i.secret_hash.clone());
        let matches = password::verify(
            &input.password,
            phc.as_deref().unwrap_or(password::dummy_hash()),
        );
        let Some(identity) = identity.filter(|_| matches && phc.is_some()) else {
            return Err(refuse("wrong email or password"));
        };
        let user = tx
            .user(identity.user_id)
            .await?
            .ok_or_else(|| refuse("wrong email or password"))?;
        if user.mfa_enabled {
            let Some(code) = input.totp_code.as_deref().filter(|c| !c.trim().is_empty()) else {
                self.login_guard.fail(&keys);
                return Err(Error::Coded {
                    code: crate::ErrorCode::Unauthenticated,
                    message: "this account needs a second factor: send totp_code".into(),
                    details: Some(json!({"mfa_required": true})),
                });
            };
            if !self.check_second_factor(tx.as_mut(), &user, code).await? {
                tx.commit().await?;
                return Err(refuse(
                    "the second-factor code is wrong or was used already",
                ));
            }
        }
        self.login_guard.succeed(&account_key);
        let actor = EventActor {
            id: Some(user.id),
            kind: ActorType::User,
        };
        tx.append_event(event(
            user.id,
            None,
            "user.logged_in",
            actor,
            ("user", user.id),
            json!({}),
            meta,
        ))
        .await?;
        let session = self.open_session(tx.as_mut(), user, None).await?;
        tx.commit().await?;
        Ok(session)
    }

    /// A TOTP code (each step usable once) or an unused recovery code.
    pub(crate) async fn check_second_factor(
        &self,
        tx: &mut dyn Tx,
        user: &User,
        code: &str,
    ) -> Result<bool> {
        let Some(record) = tx.totp(user.id).await? else {
            return Ok(false);
        };
        let secret = self
            .master
            .open(&record.secret_enc, &totp_context(user.id))?;
        let unix = chrono::Utc::now().timestamp().max(0) as u64;
        if let Some(step) = totp::matching_step(&secret, code, unix)? {
            return tx.use_totp_step(user.id, step).await;
        }
        let normalized = opaque::normalize_recovery_code(code);
        if normalized.len() == 14 {
            return tx
                .use_recovery_code(user.id, &opaque::digest(&normalized))
                .await;
        }
        Ok(false)
    }

    /// `POST /v1/auth/refresh`: rotates the refresh token. A reused token revokes its family.
    pub async fn refresh(&self, input: RefreshRequest, meta: &RequestMeta) -> Result<Session> {
        check_refresh_token(&input)?;
        let invalid =
            || Error::unauthenticated("the refresh token is invalid, expired or was used already");
        let mut tx = self.store.begin().await?;
        let Some(record) = tx
            .refresh_token(&opaque::digest(input.refresh_token.trim()))
            .await?
        else {
            return Err(invalid());
        };
        if record.used || record.revoked || !tx.use_refresh_token(record.id).await? {
            if record.used {
                revoke_session(tx.as_mut(), &record, "refresh token reused", meta).await?;
                tx.commit().await?;
            }
            return Err(invalid());
        }
        if record.expires_at <= now() {
            return Err(invalid());
        }
        let user = tx.user(record.user_id).await?.ok_or_else(invalid)?;
        let session = self
            .open_session(tx.as_mut(), user, Some(record.family_id))
            .await?;
        tx.commit().await?;
        Ok(session)
    }

    /// `POST /v1/auth/logout`: ends the session the refresh token belongs to.
    pub async fn logout(&self, input: RefreshRequest, meta: &RequestMeta) -> Result<()> {
        check_refresh_token(&input)?;
        let mut tx = self.store.begin().await?;
        if let Some(record) = tx
            .refresh_token(&opaque::digest(input.refresh_token.trim()))
            .await?
        {
            if !record.revoked {
                revoke_session(tx.as_mut(), &record, "logout", meta).await?;
            }
        }
        tx.commit().await
    }

    /// Who a bearer token (JWT access token or personal access token) belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<Actor> {
        let token = token.trim();
        if token.starts_with(opaque::PAT_PREFIX) {
            let mut tx = self.store.read().await?;
            let record = tx
                .personal_token_by_hash(&opaque::digest(token))
                .await?
                .filter(|r| !r.revoked && r.token.expires_at.is_none_or(|at| at > now()))
                .ok_or_else(|| {
                    Error::unauthenticated("the token is invalid, expired or revoked")
                })?;
            let user = tx
                .user(record.token.user_id)
                .await?
                .ok_or_else(|| Error::unauthenticated("the token's user is gone"))?;
            drop(tx);
            let stale = record
                .token
                .last_used_at
                .is_none_or(|at| now() - at > Duration::seconds(60));
            if stale {
                let mut tx = self.store.begin().await?;
                tx.touch_personal_token(record.token.id, now()).await?;
                tx.commit().await?;
            }
            let t = record.token;
            return Ok(Actor {
                user,
                credential: Credential::PersonalToken {
                    id: t.id,
                    scopes: t.scopes,
                    team_id: t.team_id,
                },
            });
        }
        let user_id = self.jwt.verify(token)?;
        let mut tx = self.store.read().await?;
        let user = tx
            .user(user_id)
            .await?
            .ok_or_else(|| Error::unauthenticated("the token's user is gone"))?;
        Ok(Actor {
            user,
            credential: Credential::Session,
        })
    }

    /// `GET /v1/me`.
    pub async fn me(&self, ctx: &Ctx) -> Result<Me> {
        let mut tx = self.store.read().await?;
        let user = tx
            .user(ctx.actor.user.id)
            .await?
            .ok_or_else(|| Error::not_found("user"))?;
        let mut memberships = tx.memberships(user.id).await?;
        if let Some(team) = ctx.actor.bound_team() {
            memberships.retain(|m| m.team_id == team);
        }
        Ok(Me { user, memberships })
    }
}

/// Revokes the session (refresh-token family) of `record`, recording why.
async fn revoke_session(
    tx: &mut dyn Tx,
    record: &RefreshTokenRecord,
    reason: &str,
    meta: &RequestMeta,
) -> Result<()> {
    tx.revoke_refresh_family(record.family_id).await?;
    let actor = EventActor {
        id: Some(record.user_id),
        kind: ActorType::User,
    };
    let data = json!({"family_id": record.family_id, "reason": reason});
    tx.append_event(event(
        record.user_id,
        None,
        "session.revoked",
        actor,
        ("user", record.user_id),
        data,
        meta,
    ))
    .await?;
    Ok(())
}

fn check_refresh_token(input: &RefreshRequest) -> Result<()> {
    let len = input.refresh_token.len();
    if len == 0 || len > 512 {
        return Err(Error::invalid(
            "/refresh_token",
            "invalid_length",
            "must be 1 to 512 characters",
        ));
    }
    Ok(())
}

/// What a user's sealed TOTP secret is bound to.
pub(crate) fn totp_context(user_id: Uuid) -> String {
    format!("totp/{user_id}")
}
