//! Personal access tokens: created (shown once), listed, revoked.

use serde_json::json;
use uuid::Uuid;

use super::{Ctx, Services};
use crate::access::Permission;
use crate::auth::opaque;
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::validate;

impl Services {
    pub(super) fn require_account_rights(ctx: &Ctx) -> Result<()> {
        if ctx.actor.may_manage_account() {
            Ok(())
        } else {
            Err(Error::forbidden(
                "this token may not manage the account; sign in or use an unscoped token",
            ))
        }
    }

    /// `POST /v1/me/tokens`.
    pub async fn create_personal_token(
        &self,
        ctx: &Ctx,
        input: NewPersonalToken,
    ) -> Result<CreatedPersonalToken> {
        Self::require_account_rights(ctx)?;
        let mut v = Violations::new();
        validate::text(&mut v, "/name", &input.name, 1, 200);
        if input.expires_at.is_some_and(|at| at <= now()) {
            v.add("/expires_at", "in_the_past", "must be in the future");
        }
        v.finish()?;
        let mut tx = self.store.begin().await?;
        if let Some(team_id) = input.team_id {
            if tx.member(team_id, ctx.actor.user.id).await?.is_none()
                || tx.team(team_id).await?.is_none()
            {
                return Err(Error::unknown_reference(
                    "/team_id",
                    "you are not a member of this team",
                ));
            }
        }
        let mut scopes = input.scopes.unwrap_or_default();
        scopes.sort();
        scopes.dedup();
        let secret = opaque::generate(opaque::PAT_PREFIX);
        let token = PersonalToken {
            id: new_id(),
            user_id: ctx.actor.user.id,
            name: input.name.trim().to_string(),
            scopes: scopes.clone(),
            team_id: input.team_id,
            expires_at: input
                .expires_at
                .map(|t| chrono::SubsecRound::trunc_subsecs(t, 6)),
            last_used_at: None,
            created_at: now(),
        };
        tx.insert_personal_token(&token, &opaque::digest(&secret))
            .await?;
        let data = json!({"scopes": scopes, "team_id": token.team_id});
        tx.append_event(ctx.account_event("token.created", ("token", token.id), data))
            .await?;
        tx.commit().await?;
        Ok(CreatedPersonalToken {
            id: token.id,
            name: token.name,
            token: secret,
            scopes: token.scopes,
            team_id: token.team_id,
            expires_at: token.expires_at,
        })
    }

    /// `GET /v1/me/tokens`.
    pub async fn list_personal_tokens(
        &self,
        ctx: &Ctx,
        page: PageRequest,
    ) -> Result<Page<PersonalToken>> {
        let mut tx = self.store.read().await?;
        tx.list_personal_tokens(ctx.actor.user.id, page).await
    }

    /// `DELETE /v1/me/tokens/{token_id}`.
    pub async fn revoke_personal_token(&self, ctx: &Ctx, token_id: Uuid) -> Result<()> {
        Self::require_account_rights(ctx)?;
        let mut tx = self.store.begin().await?;
        if !tx
            .revoke_personal_token(ctx.actor.user.id, token_id)
            .await?
        {
            return Err(Error::not_found("token"));
        }
        tx.append_event(ctx.account_event("token.revoked", ("token", token_id), json!({})))
            .await?;
        tx.commit().await
    }

    /// Team permission check for a door that reads nothing else first.
    pub async fn require(&self, ctx: &Ctx, team_id: Uuid, permission: Permission) -> Result<()> {
        self.authorize(ctx, team_id, permission).await.map(|_| ())
    }
}
