//! `/v1/organizations*`.

use axum::extract::{Path, State};
use orgata_core::model::*;

use crate::envelope::{created_at, ok, paged, ApiResult, Envelope, PagedEnvelope};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The organizations the caller belongs to.
#[utoipa::path(get, path = "/v1/organizations", tag = "organizations", params(crate::openapi::PageParams),
    responses((status = 200, description = "Organizations", body = PagedEnvelope<Organization>)))]
pub async fn list(State(s): State<AppState>, Auth(ctx): Auth, q: QueryMap) -> ApiResult {
    Ok(paged(s.services.list_organizations(&ctx, q.page()?).await?))
}

/// Create an organization; the caller owns it.
#[utoipa::path(post, path = "/v1/organizations", tag = "organizations", request_body = NewOrganization,
    responses((status = 201, description = "The organization", body = Envelope<Organization>)))]
pub async fn create(State(s): State<AppState>, Auth(ctx): Auth, body: Body) -> ApiResult {
    let org = s.services.create_organization(&ctx, body.parse()?).await?;
    Ok(created_at(format!("/v1/organizations/{}", org.id), org))
}

/// One organization of the caller's.
#[utoipa::path(get, path = "/v1/organizations/{organization_id}", tag = "organizations",
    params(("organization_id" = uuid::Uuid, Path, description = "Organization id")),
    responses((status = 200, description = "The organization", body = Envelope<Organization>)))]
pub async fn get(State(s): State<AppState>, Auth(ctx): Auth, Path(id): Path<String>) -> ApiResult {
    Ok(ok(s
        .services
        .organization(&ctx, path_id(&id, "organization_id")?)
        .await?))
}
