//! The REST door: axum routes over `orgata_core::services::Services`, the contract's envelope,
//! and the OpenAPI document generated from the handlers.

pub mod context;
pub mod envelope;
pub mod extract;
pub mod middleware;
pub mod openapi;
pub mod rate_limit;
pub mod routes;
pub mod static_file;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use orgata_core::services::Services;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::rate_limit::{BucketConfig, RateLimiter};
use crate::routes::*;

/// Limits of the REST door.
#[derive(Debug, Clone)]
pub struct RestConfig {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Per-token bucket for authenticated requests.
    pub token_bucket: BucketConfig,
    /// Per-address bucket for the unauthenticated auth endpoints.
    pub ip_bucket: BucketConfig,
}

impl Default for RestConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 2 * 1024 * 1024,
            request_timeout: middleware::DEFAULT_TIMEOUT,
            token_bucket: BucketConfig {
                capacity: 300,
                per_minute: 1200,
            },
            ip_bucket: BucketConfig {
                capacity: 60,
                per_minute: 60,
            },
        }
    }
}

/// Renders the Prometheus text of the process's metrics.
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub config: Arc<RestConfig>,
    pub token_limiter: Arc<RateLimiter>,
    pub ip_limiter: Arc<RateLimiter>,
    pub metrics: Option<MetricsRender>,
}

impl AppState {
    pub fn new(
        services: Arc<Services>,
        config: RestConfig,
        metrics: Option<MetricsRender>,
    ) -> Self {
        Self {
            services,
            token_limiter: Arc::new(RateLimiter::new(config.token_bucket)),
            ip_limiter: Arc::new(RateLimiter::new(config.ip_bucket)),
            config: Arc::new(config),
            metrics,
        }
    }
}

/// Every REST route with its OpenAPI description.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(system::healthz))
        .routes(routes!(system::readyz))
        .routes(routes!(system::metrics))
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(me::me))
        .routes(routes!(me::create_token, me::list_tokens))
        .routes(routes!(me::revoke_token))
        .routes(routes!(me::enrol_totp, me::disable_totp))
        .routes(routes!(me::verify_totp))
        .routes(routes!(organizations::list, organizations::create))
        .routes(routes!(organizations::get))
        .routes(routes!(teams::list, teams::create))
        .routes(routes!(teams::get, teams::update, teams::delete))
        .routes(routes!(members::list, members::add))
        .routes(routes!(members::get, members::update, members::remove))
        .routes(routes!(members::list_invitations))
        .routes(routes!(members::revoke_invitation))
        .routes(routes!(members::create_agent))
        .routes(routes!(roles::list, roles::create))
        .routes(routes!(roles::get, roles::update, roles::delete))
        .routes(routes!(secrets::list, secrets::create))
        .routes(routes!(secrets::update, secrets::delete))
        .routes(routes!(audit::list))
        .routes(routes!(audit::verify))
        .routes(routes!(events::stream))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::get, webhooks::update, webhooks::delete))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::replay))
        .routes(routes!(processes::list, processes::create))
        .routes(routes!(
            processes::get,
            processes::update,
            processes::delete
        ))
        .routes(routes!(processes::history))
        .routes(routes!(processes::start))
        .routes(routes!(
            documents::list_document,
            documents::create_document
        ))
        .routes(routes!(
            documents::get_document,
            documents::update_document,
            documents::delete_document
        ))
        .routes(routes!(documents::list_rule, documents::create_rule))
        .routes(routes!(
            documents::get_rule,
            documents::update_rule,
            documents::delete_rule
        ))
        .routes(routes!(branches::list, branches::create))
        .routes(routes!(branches::get, branches::delete))
        .routes(routes!(branches::reset))
        .routes(routes!(branches::commits))
        .routes(routes!(branches::get_commit))
        .routes(routes!(branches::revert))
        .routes(routes!(branches::compare))
        .routes(routes!(branches::create_merge))
        .routes(routes!(branches::get_merge))
        .routes(routes!(branches::resolve))
        .routes(routes!(branches::commit_merge))
        .routes(routes!(
            branches::get_protection,
            branches::put_protection,
            branches::delete_protection
        ))
        .routes(routes!(proposals::list, proposals::create))
        .routes(routes!(proposals::get))
        .routes(routes!(proposals::submit))
        .routes(routes!(proposals::review))
        .routes(routes!(proposals::comment))
        .routes(routes!(proposals::resolve_comment))
        .routes(routes!(proposals::merge))
        .routes(routes!(instances::list))
        .routes(routes!(instances::get))
        .routes(routes!(instances::pause))
        .routes(routes!(instances::resume))
        .routes(routes!(instances::cancel))
        .routes(routes!(instances::execute))
        .routes(routes!(instances::skip))
        .routes(routes!(instances::override_step))
        .routes(routes!(instances::retry))
        .routes(routes!(instances::list_exceptions, instances::raise))
        .routes(routes!(instances::handle))
        .routes(routes!(instances::callback))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::get, tasks::update))
        .routes(routes!(tasks::claim))
        .routes(routes!(tasks::complete))
        .routes(routes!(tasks::list_comments, tasks::comment))
        .routes(routes!(analytics::processes))
        .routes(routes!(analytics::variants))
        .routes(routes!(analytics::import))
        .routes(routes!(insights::trends))
        .routes(routes!(insights::anomalies))
        .routes(routes!(insights::predictions))
        .routes(routes!(insights::recommendations))
        .routes(routes!(insights::users))
        .routes(routes!(insights::performance))
        .routes(routes!(insights::export))
        .routes(routes!(reports::list, reports::create))
        .routes(routes!(reports::get, reports::update, reports::delete))
        .routes(routes!(reports::executions, reports::run))
        .routes(routes!(reports::execution))
        .routes(routes!(reports::output))
        .routes(routes!(dashboards::list, dashboards::create))
        .routes(routes!(
            dashboards::get,
            dashboards::update,
            dashboards::delete
        ))
        .routes(routes!(dashboards::data))
        // `/playbooks…` serves exactly the routes of `/processes…` (documented once).
        .route(
            "/v1/teams/{team_id}/playbooks",
            axum::routing::get(processes::list).post(processes::create),
        )
        .route(
            "/v1/teams/{team_id}/playbooks/{process_id}",
            axum::routing::get(processes::get)
                .put(processes::update)
                .delete(processes::delete),
        )
        .route(
            "/v1/teams/{team_id}/playbooks/{process_id}/history",
            axum::routing::get(processes::history),
        )
        .route(
            "/v1/teams/{team_id}/playbooks/{process_id}/instances",
            axum::routing::post(processes::start),
        )
}

/// The OpenAPI document of the REST door, as served at `/openapi.json`.
pub fn openapi() -> serde_json::Value {
    let mut doc = api_routes().split_for_parts().1;
    openapi::complete(&mut doc);
    openapi::to_json(&doc)
}

/// The REST door as an axum router, with `/openapi.json` and `/docs`.
pub fn router(state: AppState) -> Router {
    let (api, mut doc) = api_routes().split_for_parts();
    openapi::complete(&mut doc);
    let max_body = state.config.max_body_bytes;
    api.merge(
        SwaggerUi::new("/docs").external_url_unchecked("/openapi.json", openapi::to_json(&doc)),
    )
    .fallback(middleware::not_found)
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        middleware::idempotency,
    ))
    .layer(axum::middleware::from_fn(middleware::method_not_allowed))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        middleware::timeout,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        middleware::body_limit,
    ))
    .layer(DefaultBodyLimit::max(max_body))
    .layer(axum::middleware::from_fn(middleware::request_context))
    .with_state(state)
}
