//! Dashboards: widgets whose data are analytics queries, stored per team.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{
    created_at, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope,
};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::openapi::{DashboardPath, TeamPath};
use crate::AppState;

/// Create a dashboard (editors).
#[utoipa::path(post, path = "/v1/teams/{team_id}/dashboards", tag = "analytics", params(TeamPath),
    request_body = DashboardInput,
    responses((status = 201, description = "The dashboard", body = Envelope<Dashboard>)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let d = s
        .services
        .create_dashboard(&ctx, team_id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/dashboards/{}", d.id),
        d,
    ))
}

/// The team's dashboards, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/dashboards", tag = "analytics",
    params(TeamPath, crate::openapi::PageParams),
    responses((status = 200, description = "Dashboards", body = PagedEnvelope<Dashboard>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(paged(
        s.services.list_dashboards(&ctx, team_id, q.page()?).await?,
    ))
}

/// One dashboard.
#[utoipa::path(get, path = "/v1/teams/{team_id}/dashboards/{dashboard_id}", tag = "analytics",
    params(TeamPath, DashboardPath),
    responses((status = 200, description = "The dashboard", body = Envelope<Dashboard>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, dashboard_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&dashboard_id, "dashboard_id")?,
    );
    Ok(ok(s.services.get_dashboard(&ctx, team_id, id).await?))
}

/// Replace a dashboard (editors).
#[utoipa::path(put, path = "/v1/teams/{team_id}/dashboards/{dashboard_id}", tag = "analytics",
    params(TeamPath, DashboardPath), request_body = DashboardInput,
    responses((status = 200, description = "The dashboard", body = Envelope<Dashboard>)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, dashboard_id)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&dashboard_id, "dashboard_id")?,
    );
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    Ok(ok(s
        .services
        .update_dashboard(&ctx, team_id, id, body.parse()?)
        .await?))
}

/// Delete a dashboard (editors).
#[utoipa::path(delete, path = "/v1/teams/{team_id}/dashboards/{dashboard_id}", tag = "analytics",
    params(TeamPath, DashboardPath),
    responses((status = 200, description = "Deleted", body = Envelope<Deleted>)))]
pub async fn delete(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, dashboard_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&dashboard_id, "dashboard_id")?,
    );
    s.services.delete_dashboard(&ctx, team_id, id).await?;
    Ok(deleted(id))
}

/// Every widget's data, answered now by its analytics query.
#[utoipa::path(get, path = "/v1/teams/{team_id}/dashboards/{dashboard_id}/data", tag = "analytics",
    params(TeamPath, DashboardPath),
    responses((status = 200, description = "The widgets' data", body = Envelope<DashboardData>)))]
pub async fn data(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, dashboard_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&dashboard_id, "dashboard_id")?,
    );
    Ok(ok(s.services.dashboard_data(&ctx, team_id, id).await?))
}
