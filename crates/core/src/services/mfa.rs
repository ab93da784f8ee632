//! TOTP second factor: enrol, verify (which turns it on), turn off; recovery codes.

use serde_json::json;

use super::accounts::totp_context;
use super::{Ctx, Services};
use crate::auth::{opaque, totp};
use crate::error::{Error, Result};
use crate::model::*;

/// How many recovery codes an enrolment gives.
const RECOVERY_CODES: usize = 10;

impl Services {
    /// `POST /v1/me/mfa/totp`: a new secret and recovery codes; not active until verified.
    pub async fn enrol_totp(&self, ctx: &Ctx) -> Result<TotpEnrolment> {
        Self::require_account_rights(ctx)?;
        let user = &ctx.actor.user;
        let mut tx = self.store.begin().await?;
        if tx.totp(user.id).await?.is_some_and(|t| t.enabled) {
            return Err(Error::conflict(
                "TOTP is on already; turn it off first to enrol again",
            ));
        }
        let secret = totp::new_secret();
        tx.put_totp(&TotpRecord {
            user_id: user.id,
            secret_enc: self.master.seal(&secret, &totp_context(user.id))?,
            enabled: false,
            last_step: 0,
        })
        .await?;
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| opaque::recovery_code())
            .collect();
        let hashes: Vec<String> = codes.iter().map(|c| opaque::digest(c)).collect();
        tx.replace_recovery_codes(user.id, &hashes).await?;
        tx.append_event(ctx.account_event(
            "mfa.enrolment_started",
            ("user", user.id),
            json!({"method": "totp"}),
        ))
        .await?;
        tx.commit().await?;
        Ok(TotpEnrolment {
            otpauth_url: totp::otpauth_url(&secret, &user.email),
            secret: totp::encode_secret(&secret),
            recovery_codes: codes,
        })
    }

    /// `POST /v1/me/mfa/totp/verify`: a correct code turns TOTP on.
    pub async fn verify_totp(&self, ctx: &Ctx, input: TotpCode) -> Result<User> {
        Self::require_account_rights(ctx)?;
        let user = &ctx.actor.user;
        let mut tx = self.store.begin().await?;
        let record = tx
            .totp(user.id)
            .await?
            .ok_or_else(|| Error::conflict("start TOTP enrolment first"))?;
        if record.enabled {
            return Err(Error::conflict("TOTP is on already"));
        }
        let secret = self
            .master
            .open(&record.secret_enc, &totp_context(user.id))?;
        let unix = chrono::Utc::now().timestamp().max(0) as u64;
        let step = totp::matching_step(&secret, &input.code, unix)?;
        let accepted = match step {
            Some(step) => tx.use_totp_step(user.id, step).await?,
            None => false,
        };
        if !accepted {
            return Err(Error::invalid(
                "/code",
                "wrong_code",
                "the code is wrong or was used already",
            ));
        }
        tx.put_totp(&TotpRecord {
            enabled: true,
            last_step: step.unwrap_or(0),
            ..record
        })
        .await?;
        tx.set_user_mfa(user.id, true).await?;
        tx.append_event(ctx.account_event(
            "mfa.enabled",
            ("user", user.id),
            json!({"method": "totp"}),
        ))
        .await?;
        let user = tx
            .user(user.id)
            .await?
            .ok_or_else(|| Error::not_found("user"))?;
        tx.commit().await?;
        Ok(user)
    }

    /// `DELETE /v1/me/mfa/totp`: needs a current code (or a recovery code).
    pub async fn disable_totp(&self, ctx: &Ctx, input: TotpCode) -> Result<User> {
        Self::require_account_rights(ctx)?;
        let user = &ctx.actor.user;
        let mut tx = self.store.begin().await?;
        let enabled = tx.totp(user.id).await?.is_some_and(|t| t.enabled);
        if !enabled {
            return Err(Error::conflict("TOTP is not on"));
        }
        if !self
            .check_second_factor(tx.as_mut(), user, &input.code)
            .await?
        {
            return Err(Error::invalid(
                "/code",
                "wrong_code",
                "the code is wrong or was used already",
            ));
        }
        tx.delete_totp(user.id).await?;
        tx.replace_recovery_codes(user.id, &[]).await?;
        tx.set_user_mfa(user.id, false).await?;
        tx.append_event(ctx.account_event(
            "mfa.disabled",
            ("user", user.id),
            json!({"method": "totp"}),
        ))
        .await?;
        let user = tx
            .user(user.id)
            .await?
            .ok_or_else(|| Error::not_found("user"))?;
        tx.commit().await?;
        Ok(user)
    }
}
