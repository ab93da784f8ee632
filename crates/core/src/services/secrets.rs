//! Team secrets: write-only values, encrypted at rest with the master key, referred to by name.

use serde_json::json;
use uuid::Uuid;

use super::{Ctx, Services};
use crate::access::Permission;
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "/name",
            "invalid_name",
            "letters, digits and _, not starting with a digit, at most 64",
        ))
    }
}

fn check_value(v: &mut Violations, value: &str) {
    if value.is_empty() {
        v.add("/value", "too_short", "must not be empty");
    } else if value.chars().count() > 65536 {
        v.add("/value", "too_long", "must be at most 65536 characters");
    }
}

fn context(team_id: Uuid, name: &str) -> String {
    format!("secret/{team_id}/{name}")
}

impl Services {
    /// `GET /v1/teams/{team_id}/secrets`: names and dates, never values.
    pub async fn list_secrets(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<SecretInfo>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        tx.list_secrets(team_id, page).await
    }

    /// `POST /v1/teams/{team_id}/secrets`.
    pub async fn create_secret(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        input: NewSecret,
    ) -> Result<SecretInfo> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        check_name(&input.name)?;
        let mut v = Violations::new();
        check_value(&mut v, &input.value);
        v.finish()?;
        let sealed = self
            .master
            .seal(input.value.as_bytes(), &context(team_id, &input.name))?;
        let now = now();
        tx.insert_secret(team_id, &input.name, &sealed, now)
            .await
            .map_err(|e| match e.code() {
                crate::ErrorCode::Conflict => {
                    Error::conflict("a secret with this name exists; PUT to change it")
                }
                _ => e,
            })?;
        tx.append_event(ctx.team_event(
            team_id,
            "secret.created",
            ("team", team_id),
            json!({"name": input.name}),
        ))
        .await?;
        tx.commit().await?;
        Ok(SecretInfo {
            name: input.name,
            created_at: now,
            updated_at: now,
        })
    }

    /// `PUT /v1/teams/{team_id}/secrets/{name}`: replaces the value.
    pub async fn update_secret(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        name: &str,
        input: SecretValue,
    ) -> Result<SecretInfo> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        check_name(name).map_err(|_| Error::not_found("secret"))?;
        let mut v = Violations::new();
        check_value(&mut v, &input.value);
        v.finish()?;
        let sealed = self
            .master
            .seal(input.value.as_bytes(), &context(team_id, name))?;
        let at = now();
        let created_at = tx
            .update_secret(team_id, name, &sealed, at)
            .await?
            .ok_or_else(|| Error::not_found("secret"))?;
        tx.append_event(ctx.team_event(
            team_id,
            "secret.updated",
            ("team", team_id),
            json!({"name": name}),
        ))
        .await?;
        tx.commit().await?;
        Ok(SecretInfo {
            name: name.to_string(),
            created_at,
            updated_at: at,
        })
    }

    /// `DELETE /v1/teams/{team_id}/secrets/{name}`.
    pub async fn delete_secret(&self, ctx: &Ctx, team_id: Uuid, name: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        if check_name(name).is_err() || !tx.delete_secret(team_id, name).await? {
            return Err(Error::not_found("secret"));
        }
        tx.append_event(ctx.team_event(
            team_id,
            "secret.deleted",
            ("team", team_id),
            json!({"name": name}),
        ))
        .await?;
        tx.commit().await
    }

    /// A secret's value, for the runtime's own automation (never for a door).
    pub async fn reveal_secret(&self, team_id: Uuid, name: &str) -> Result<Option<String>> {
        let mut tx = self.store.read().await?;
        let Some(sealed) = tx.secret_ciphertext(team_id, name).await? else {
            return Ok(None);
        };
        let plain = self.master.open(&sealed, &context(team_id, name))?;
        String::from_utf8(plain).map(Some).map_err(Error::internal)
    }
}
