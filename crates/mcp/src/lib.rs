//! The MCP door: the service's tools, resources and prompts for AI agents, over Streamable HTTP
//! at `/mcp` and over stdio (`orgata mcp --stdio`). It calls the same service layer as REST.
//!
//! - [`gate`]: what an HTTP request passes before the MCP server sees it (Host and Origin,
//!   rate limit, bearer token), and the RFC 9728 protected-resource metadata.
//! - [`server`]: the `ServerHandler`: who calls, which team, which tools are on.
//! - [`tools`], [`resources`], [`prompts`]: the catalogue and what each entry does.
//! - [`schema`]: compact JSON Schemas for tool inputs and outputs.
//! - [`failure`]: the service error as a tool error that says what to do next.

pub mod diagnostics;
pub mod failure;
pub mod gate;
pub mod prompts;
pub mod resources;
pub mod schema;
pub mod server;
pub mod tools;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use orgata_core::services::Services;
use orgata_rest::rate_limit::RateLimiter;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServiceExt;

pub use server::OrgataMcp;

/// The toolsets a session can switch on or off.
pub const TOOLSETS: &[&str] = &["processes", "tasks", "collaboration", "analytics", "team"];

/// Limits and policies of the MCP door, set by the operator.
#[derive(Debug, Clone)]
pub struct McpConfig {
    /// Host names (optionally `host:port`) a request's `Host` may name; `*` allows any.
    pub allowed_hosts: Vec<String>,
    /// Origins (`scheme://host[:port]`, port `*` for any) a browser request may come from.
    pub allowed_origins: Vec<String>,
    /// The largest request body.
    pub max_body_bytes: usize,
    /// The operator's upper bound: when true, no session may use a tool that changes data.
    pub read_only: bool,
    /// The operator's upper bound on toolsets (empty: all).
    pub toolsets: Vec<String>,
    /// Serve the conformance suite's diagnostic tools (`test_*`); off in production.
    pub diagnostics: bool,
}

impl Default for McpConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()],
            allowed_origins: vec![
                "http://localhost:*".into(),
                "http://127.0.0.1:*".into(),
                "http://[::1]:*".into(),
                "https://localhost:*".into(),
                "https://127.0.0.1:*".into(),
                "https://[::1]:*".into(),
            ],
            max_body_bytes: 2 * 1024 * 1024,
            read_only: false,
            toolsets: Vec::new(),
            diagnostics: false,
        }
    }
}

/// `/mcp` and the protected-resource metadata, as an axum router. `limiter` is the REST door's
/// per-token bucket, so a token has one budget whichever door it uses.
pub fn router(services: Arc<Services>, config: McpConfig, limiter: Arc<RateLimiter>) -> Router {
    let config = Arc::new(config);
    let handler = OrgataMcp::new(services.clone(), config.clone(), None);
    let http = StreamableHttpServerConfig::default()
        // Stateless: every request stands alone (2026-07-28), and clients that open with
        // `initialize` are answered without a session to keep.
        .with_legacy_session_mode(false)
        .with_json_response(true)
        // The gate checks Host and Origin (before authentication), with the same lists.
        .disable_allowed_hosts()
        .disable_allowed_origins()
        .with_max_request_body_bytes(config.max_body_bytes);
    let service = StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::new(NeverSessionManager::default()),
        http,
    );
    let state = gate::GateState {
        services,
        config,
        limiter,
    };
    Router::new()
        .route_service("/mcp", service)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::check_host_and_origin,
        ))
        .layer(axum::middleware::from_fn(
            orgata_rest::middleware::request_context,
        ))
        .merge(
            Router::new()
                .route(
                    "/.well-known/oauth-protected-resource",
                    get(gate::resource_metadata),
                )
                .route(
                    "/.well-known/oauth-protected-resource/mcp",
                    get(gate::resource_metadata),
                )
                .with_state(state),
        )
}

/// Serves MCP over stdin and stdout until the client closes them. Every request is
/// authenticated again with `token`, so a revoked token stops working at once.
pub async fn serve_stdio(
    services: Arc<Services>,
    config: McpConfig,
    token: String,
) -> Result<(), String> {
    let handler = OrgataMcp::new(services, Arc::new(config), Some(Arc::from(token)));
    let running = handler
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| format!("mcp: {e}"))?;
    running
        .waiting()
        .await
        .map(|_| ())
        .map_err(|e| format!("mcp: {e}"))
}
