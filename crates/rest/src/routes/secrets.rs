//! Team secrets (admins): write-only values.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{created, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// Secret names and dates (never values).
#[utoipa::path(get, path = "/v1/teams/{team_id}/secrets", tag = "secrets", params(crate::openapi::TeamPath, crate::openapi::PageParams),
    responses((status = 200, description = "Secrets", body = PagedEnvelope<SecretInfo>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(paged(
        s.services.list_secrets(&ctx, team_id, q.page()?).await?,
    ))
}

/// Store a new secret.
#[utoipa::path(post, path = "/v1/teams/{team_id}/secrets", tag = "secrets", params(crate::openapi::TeamPath), request_body = NewSecret,
    responses((status = 201, description = "Stored", body = Envelope<SecretInfo>)))]
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
    Ok(created(
        s.services
            .create_secret(&ctx, team_id, body.parse()?)
            .await?,
    ))
}

/// Replace a secret's value.
#[utoipa::path(put, path = "/v1/teams/{team_id}/secrets/{name}", tag = "secrets", params(crate::openapi::TeamPath, crate::openapi::SecretPath),
    request_body = SecretValue,
    responses((status = 200, description = "Replaced", body = Envelope<SecretInfo>)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, name)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services
        .require(&ctx, team_id, Permission::Administer)
        .await?;
    Ok(ok(s
        .services
        .update_secret(&ctx, team_id, &name, body.parse()?)
        .await?))
}

/// Delete a secret.
#[utoipa::path(delete, path = "/v1/teams/{team_id}/secrets/{name}", tag = "secrets", params(crate::openapi::TeamPath, crate::openapi::SecretPath),
    responses((status = 200, description = "Deleted", body = Envelope<Deleted>)))]
pub async fn delete(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, name)): Path<(String, String)>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.delete_secret(&ctx, team_id, &name).await?;
    Ok(deleted(name))
}
