//! The audit trail: listing a team's entries and verifying its hash chain.

use uuid::Uuid;

use super::{Ctx, Services};
use crate::access::Permission;
use crate::chain::ChainVerifier;
use crate::error::Result;
use crate::model::*;
use crate::page::{Page, PageRequest};

/// Entries read per round while verifying.
const VERIFY_BATCH: i64 = 1000;

impl Services {
    /// `GET /v1/teams/{team_id}/audit`: newest first.
    pub async fn list_audit(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        filter: AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        tx.list_audit(team_id, &filter, page).await
    }

    /// `GET /v1/teams/{team_id}/audit/verify`: recomputes every hash of the team's chain.
    pub async fn verify_audit(&self, ctx: &Ctx, team_id: Uuid) -> Result<AuditVerification> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        let head = tx.chain_head(team_id).await?;
        let mut verifier = ChainVerifier::default();
        let mut after = 0;
        loop {
            let batch = tx.audit_segment(team_id, after, VERIFY_BATCH).await?;
            for entry in &batch {
                verifier.check(entry);
                after = entry.event.seq;
            }
            if (batch.len() as i64) < VERIFY_BATCH {
                break;
            }
        }
        verifier.finish(head);
        Ok(AuditVerification {
            intact: verifier.first_broken.is_none(),
            checked: verifier.checked,
            first_broken: verifier.first_broken,
        })
    }
}
