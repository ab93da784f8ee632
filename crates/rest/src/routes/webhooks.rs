//! Webhooks (team admins): endpoints for chosen event types, and their deliveries.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{
    created_at, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope,
};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::openapi::{DeliveryPath, TeamPath, WebhookPath};
use crate::AppState;

/// Register an endpoint for event types (`task.completed`, `task.*`, or `*`). The answer
/// holds its signing secret, shown this once. Each delivery is a POST of the event envelope
/// with `Orgata-Event`, `Orgata-Delivery` and `Orgata-Signature: t=<unix seconds>,v1=<hex
/// HMAC-SHA256(secret, "<t>.<body>")>`; a non-2xx answer is retried with backoff (10 s,
/// doubling, at most 8 attempts).
#[utoipa::path(post, path = "/v1/teams/{team_id}/webhooks", tag = "webhooks", params(TeamPath),
    request_body = NewWebhook,
    responses((status = 201, description = "The webhook and its secret", body = Envelope<CreatedWebhook>)))]
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
    let w = s
        .services
        .create_webhook(&ctx, team_id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/webhooks/{}", w.webhook.id),
        w,
    ))
}

/// The team's webhooks, newest first (without their secrets).
#[utoipa::path(get, path = "/v1/teams/{team_id}/webhooks", tag = "webhooks",
    params(TeamPath, crate::openapi::PageParams),
    responses((status = 200, description = "Webhooks", body = PagedEnvelope<Webhook>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(paged(
        s.services.list_webhooks(&ctx, team_id, q.page()?).await?,
    ))
}

/// One webhook (without its secret).
#[utoipa::path(get, path = "/v1/teams/{team_id}/webhooks/{webhook_id}", tag = "webhooks",
    params(TeamPath, WebhookPath),
    responses((status = 200, description = "The webhook", body = Envelope<Webhook>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, webhook_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&webhook_id, "webhook_id")?,
    );
    Ok(ok(s.services.get_webhook(&ctx, team_id, id).await?))
}

/// Change a webhook's URL, event types, description or whether it is active.
#[utoipa::path(put, path = "/v1/teams/{team_id}/webhooks/{webhook_id}", tag = "webhooks",
    params(TeamPath, WebhookPath), request_body = WebhookUpdate,
    responses((status = 200, description = "The webhook", body = Envelope<Webhook>)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, webhook_id)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&webhook_id, "webhook_id")?,
    );
    s.services
        .require(&ctx, team_id, Permission::Administer)
        .await?;
    Ok(ok(s
        .services
        .update_webhook(&ctx, team_id, id, body.parse()?)
        .await?))
}

/// Delete a webhook with its deliveries.
#[utoipa::path(delete, path = "/v1/teams/{team_id}/webhooks/{webhook_id}", tag = "webhooks",
    params(TeamPath, WebhookPath),
    responses((status = 200, description = "Deleted", body = Envelope<Deleted>)))]
pub async fn delete(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, webhook_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&webhook_id, "webhook_id")?,
    );
    s.services.delete_webhook(&ctx, team_id, id).await?;
    Ok(deleted(id))
}

/// A webhook's deliveries, newest first: status, attempts, the last answer.
#[utoipa::path(get, path = "/v1/teams/{team_id}/webhooks/{webhook_id}/deliveries", tag = "webhooks",
    params(TeamPath, WebhookPath, crate::openapi::PageParams),
    responses((status = 200, description = "Deliveries", body = PagedEnvelope<WebhookDelivery>)))]
pub async fn deliveries(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, webhook_id)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&webhook_id, "webhook_id")?,
    );
    Ok(paged(
        s.services
            .list_deliveries(&ctx, team_id, id, q.page()?)
            .await?,
    ))
}

/// Send a delivery again, now (one that was delivered or failed).
#[utoipa::path(post, path = "/v1/teams/{team_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", tag = "webhooks",
    params(TeamPath, WebhookPath, DeliveryPath),
    responses((status = 202, description = "Queued again", body = Envelope<WebhookDelivery>)))]
pub async fn replay(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, webhook_id, delivery_id)): Path<(String, String, String)>,
) -> ApiResult {
    let (team_id, webhook_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&webhook_id, "webhook_id")?,
        path_id(&delivery_id, "delivery_id")?,
    );
    let d = s
        .services
        .replay_delivery(&ctx, team_id, webhook_id, id)
        .await?;
    let mut answer = ok(d).into_response();
    *answer.status_mut() = StatusCode::ACCEPTED;
    Ok(answer)
}
