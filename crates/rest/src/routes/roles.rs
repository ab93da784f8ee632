//! Business roles of a team.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{
    created_at, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope,
};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The team's business roles.
#[utoipa::path(get, path = "/v1/teams/{team_id}/roles", tag = "roles", params(crate::openapi::TeamPath, crate::openapi::PageParams),
    responses((status = 200, description = "Roles", body = PagedEnvelope<Role>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(paged(
        s.services.list_roles(&ctx, team_id, q.page()?).await?,
    ))
}

/// Create a business role (admins).
#[utoipa::path(post, path = "/v1/teams/{team_id}/roles", tag = "roles", params(crate::openapi::TeamPath), request_body = RoleInput,
    responses((status = 201, description = "The role", body = Envelope<Role>)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services
        .require(&ctx, team_id, Permission::Administer)
        .await?;
    let role = s.services.create_role(&ctx, team_id, body.parse()?).await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/roles/{}", role.id),
        role,
    ))
}

/// One business role.
#[utoipa::path(get, path = "/v1/teams/{team_id}/roles/{role_id}", tag = "roles", params(crate::openapi::TeamPath, crate::openapi::RolePath),
    responses((status = 200, description = "The role", body = Envelope<Role>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, role_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, role_id) = (path_id(&team_id, "team_id")?, path_id(&role_id, "role_id")?);
    Ok(ok(s.services.role(&ctx, team_id, role_id).await?))
}

/// Replace a business role (admins).
#[utoipa::path(put, path = "/v1/teams/{team_id}/roles/{role_id}", tag = "roles", params(crate::openapi::TeamPath, crate::openapi::RolePath),
    request_body = RoleInput,
    responses((status = 200, description = "The role", body = Envelope<Role>)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, role_id)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, role_id) = (path_id(&team_id, "team_id")?, path_id(&role_id, "role_id")?);
    s.services
        .require(&ctx, team_id, Permission::Administer)
        .await?;
    Ok(ok(s
        .services
        .update_role(&ctx, team_id, role_id, body.parse()?)
        .await?))
}

/// Delete a business role (admins); its holders lose it.
#[utoipa::path(delete, path = "/v1/teams/{team_id}/roles/{role_id}", tag = "roles", params(crate::openapi::TeamPath, crate::openapi::RolePath),
    responses((status = 200, description = "Deleted", body = Envelope<Deleted>)))]
pub async fn delete(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, role_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, role_id) = (path_id(&team_id, "team_id")?, path_id(&role_id, "role_id")?);
    s.services.delete_role(&ctx, team_id, role_id).await?;
    Ok(deleted(role_id))
}
