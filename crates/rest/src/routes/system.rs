//! Health, readiness and metrics.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::envelope::{ok, ApiResult, Envelope};
use crate::AppState;

/// A health verdict.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

/// Whether the process is alive.
#[utoipa::path(get, path = "/healthz", tag = "system", security(()),
    responses((status = 200, description = "Alive", body = Envelope<Health>)))]
pub async fn healthz() -> ApiResult {
    Ok(ok(Health {
        status: "ok".into(),
        database: None,
    }))
}

/// Whether the database answers.
#[utoipa::path(get, path = "/readyz", tag = "system", security(()),
    responses((status = 200, description = "Ready", body = Envelope<Health>)))]
pub async fn readyz(State(s): State<AppState>) -> ApiResult {
    s.services.ready().await?;
    let (backend, _, _) = s.services.pool_stats();
    Ok(ok(Health {
        status: "ok".into(),
        database: Some(backend.into()),
    }))
}

/// Prometheus metrics: requests by route and status, latency histograms, pool gauges.
#[utoipa::path(get, path = "/metrics", tag = "system", security(()),
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(State(s): State<AppState>) -> Response {
    let (backend, size, idle) = s.services.pool_stats();
    metrics::gauge!("db_pool_connections", "backend" => backend).set(size as f64);
    metrics::gauge!("db_pool_idle_connections", "backend" => backend).set(idle as f64);
    let text = s
        .metrics
        .as_ref()
        .map(|render| render())
        .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
