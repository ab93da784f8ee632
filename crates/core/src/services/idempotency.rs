//! Storage of `Idempotency-Key` answers, for the doors that honour the header.

use chrono::Duration;

use super::Services;
use crate::error::Result;
use crate::model::now;
use crate::store::IdempotencyRecord;

/// How long an answer is kept for replay.
pub const IDEMPOTENCY_TTL_HOURS: i64 = 24;

/// What to do with a request that carries an idempotency key.
#[derive(Debug)]
pub enum IdempotencyDecision {
    /// First time: go ahead, then `finish_idempotent` with the answer.
    Proceed,
    /// Seen with the same body: answer this again.
    Replay { status: u16, body: Vec<u8> },
    /// Seen with another body.
    Mismatch,
    /// The first request with this key is still being answered.
    InFlight,
}

impl IdempotencyDecision {
    /// The error a door answers instead of running the request: a key reused for another
    /// request (`field` names where the key was sent), or one still being answered.
    pub fn refusal(&self, field: &str) -> Option<crate::Error> {
        match self {
            Self::Mismatch => Some(crate::Error::invalid(
                field,
                "reused",
                "this key was used with a different request; use a new key",
            )),
            Self::InFlight => Some(crate::Error::conflict(
                "a request with this key is still being answered",
            )),
            Self::Proceed | Self::Replay { .. } => None,
        }
    }
}

fn sealing_context(principal: &str, key: &str) -> String {
    format!("idempotency/{principal}/{key}")
}

impl Services {
    /// Claims `key` for `principal`, or says how it was used before.
    pub async fn begin_idempotent(
        &self,
        principal: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<IdempotencyDecision> {
        let mut tx = self.store.begin().await?;
        let cutoff = now() - Duration::hours(IDEMPOTENCY_TTL_HOURS);
        let existing = tx.idempotency_record(principal, key).await?;
        let decision = match existing {
            Some(IdempotencyRecord { created_at, .. }) if created_at < cutoff => {
                tx.release_idempotency_key(principal, key).await?;
                tx.claim_idempotency_key(principal, key, request_hash, now())
                    .await?;
                IdempotencyDecision::Proceed
            }
            Some(r) if r.request_hash != request_hash => IdempotencyDecision::Mismatch,
            Some(IdempotencyRecord {
                status: Some(status),
                response: Some(sealed),
                ..
            }) => {
                let body = self
                    .master
                    .open(&sealed, &sealing_context(principal, key))?;
                IdempotencyDecision::Replay { status, body }
            }
            Some(_) => IdempotencyDecision::InFlight,
            None => {
                if tx
                    .claim_idempotency_key(principal, key, request_hash, now())
                    .await?
                {
                    IdempotencyDecision::Proceed
                } else {
                    IdempotencyDecision::InFlight
                }
            }
        };
        tx.commit().await?;
        Ok(decision)
    }

    /// Keeps the answer to a claimed key (or frees the key when the answer should not be kept).
    pub async fn finish_idempotent(
        &self,
        principal: &str,
        key: &str,
        answer: Option<(u16, &[u8])>,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        match answer {
            Some((status, body)) => {
                // Answers can hold secrets shown once (tokens), so they are kept sealed.
                let sealed = self.master.seal(body, &sealing_context(principal, key))?;
                tx.complete_idempotency_key(principal, key, status, &sealed)
                    .await?
            }
            None => tx.release_idempotency_key(principal, key).await?,
        }
        tx.commit().await
    }

    /// Drops answers older than the replay window.
    pub async fn purge_idempotency_keys(&self) -> Result<u64> {
        let mut tx = self.store.begin().await?;
        let n = tx
            .purge_idempotency_keys(now() - Duration::hours(IDEMPOTENCY_TTL_HOURS))
            .await?;
        tx.commit().await?;
        Ok(n)
    }
}
