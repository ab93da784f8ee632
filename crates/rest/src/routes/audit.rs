//! The audit trail of a team (owners and admins).

use axum::extract::{Path, State};
use orgata_core::model::*;

use crate::envelope::{ok, paged, ApiResult, Envelope, PagedEnvelope};
use crate::extract::{path_id, Auth, QueryMap};
use crate::AppState;

/// Filters of the audit list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries about this kind of entity (`team`, `user`, `role`, …).
    #[param(max_length = 200)]
    pub entity_type: Option<String>,
    /// Only entries about this entity.
    pub entity_id: Option<uuid::Uuid>,
    /// Only entries caused by this user or agent.
    pub actor_id: Option<uuid::Uuid>,
}

/// The team's audit entries, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/audit", tag = "audit", params(crate::openapi::TeamPath, AuditParams, crate::openapi::PageParams),
    responses((status = 200, description = "Entries", body = PagedEnvelope<AuditEntry>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let filter = AuditFilter {
        entity_type: q.text("entity_type")?,
        entity_id: q.uuid("entity_id")?,
        actor_id: q.uuid("actor_id")?,
    };
    Ok(paged(
        s.services
            .list_audit(&ctx, team_id, filter, q.page()?)
            .await?,
    ))
}

/// Recompute the team's hash chain and say whether (and where) it breaks.
#[utoipa::path(get, path = "/v1/teams/{team_id}/audit/verify", tag = "audit", params(crate::openapi::TeamPath),
    responses((status = 200, description = "The verdict", body = Envelope<AuditVerification>)))]
pub async fn verify(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(ok(s.services.verify_audit(&ctx, team_id).await?))
}
