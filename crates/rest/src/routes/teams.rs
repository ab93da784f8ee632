//! `/v1/teams` and `/v1/teams/{team_id}`.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{
    created_at, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope,
};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The caller's teams.
#[utoipa::path(get, path = "/v1/teams", tag = "teams", params(crate::openapi::PageParams),
    responses((status = 200, description = "Teams, newest first", body = PagedEnvelope<Team>)))]
pub async fn list(State(s): State<AppState>, Auth(ctx): Auth, q: QueryMap) -> ApiResult {
    Ok(paged(s.services.list_teams(&ctx, q.page()?).await?))
}

/// Create a team in an organization the caller owns or administers; the caller owns the team.
#[utoipa::path(post, path = "/v1/teams", tag = "teams", request_body = NewTeam,
    responses((status = 201, description = "The team", body = Envelope<Team>)))]
pub async fn create(State(s): State<AppState>, Auth(ctx): Auth, body: Body) -> ApiResult {
    let team = s.services.create_team(&ctx, body.parse()?).await?;
    Ok(created_at(format!("/v1/teams/{}", team.id), team))
}

/// One team.
#[utoipa::path(get, path = "/v1/teams/{team_id}", tag = "teams", params(crate::openapi::TeamPath),
    responses((status = 200, description = "The team", body = Envelope<Team>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
) -> ApiResult {
    Ok(ok(s
        .services
        .team(&ctx, path_id(&team_id, "team_id")?)
        .await?))
}

/// Change a team's name, description or settings (owners).
#[utoipa::path(put, path = "/v1/teams/{team_id}", tag = "teams", params(crate::openapi::TeamPath), request_body = TeamUpdate,
    responses((status = 200, description = "The team", body = Envelope<Team>)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Own).await?;
    Ok(ok(s
        .services
        .update_team(&ctx, team_id, body.parse()?)
        .await?))
}

/// Delete a team (owners).
#[utoipa::path(delete, path = "/v1/teams/{team_id}", tag = "teams", params(crate::openapi::TeamPath),
    responses((status = 200, description = "Deleted", body = Envelope<Deleted>)))]
pub async fn delete(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.delete_team(&ctx, team_id).await?;
    Ok(deleted(team_id))
}
