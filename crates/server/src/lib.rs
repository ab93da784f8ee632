//! The `orgata` process: opens the store, builds the services, and serves every door.

pub mod demo;
pub mod settings;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use orgata_core::crypto::MasterKey;
use orgata_core::services::{ServiceConfig, Services};
use orgata_rest::rate_limit::BucketConfig;
use orgata_rest::{AppState, RestConfig};
use secrecy::ExposeSecret;

pub use settings::{SettingArgs, Settings};

/// mimalloc rather than the system allocator: analytics builds and drops many small maps and
/// strings, which it serves markedly faster on every thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The master key: configured, or read from (and on first start written to) the key file.
pub fn master_key(settings: &Settings) -> Result<MasterKey, String> {
    if let Some(key) = &settings.master_key {
        return MasterKey::from_base64(key.expose_secret())
            .map_err(|e| format!("ORGATA_MASTER_KEY: {}", e.public_message()));
    }
    load_or_create_key_file(&settings.master_key_file)
}

fn load_or_create_key_file(path: &Path) -> Result<MasterKey, String> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return MasterKey::from_base64(&text)
            .map_err(|e| format!("{}: {}", path.display(), e.public_message()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let key = MasterKey::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(key.to_base64().as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::warn!(path = %path.display(), "created a new master key file; back it up: without it, team secrets cannot be read");
    Ok(key)
}

/// The process-wide Prometheus recorder (installed once, shared by every app in the process).
fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ])
                .expect("static buckets")
                .build_recorder();
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Opens the database (migrating it) and builds the router of every door.
pub async fn app(settings: &Settings) -> Result<Router, String> {
    app_with_clock(settings, None).await
}

/// Like [`app`], with the engine reading time from `clock` (tests move it by hand).
pub async fn app_with_clock(
    settings: &Settings,
    clock: Option<Arc<dyn orgata_core::clock::Clock>>,
) -> Result<Router, String> {
    Ok(router(open(settings, clock).await?, settings))
}

/// Opens the database (migrating it) and builds the services on it.
pub async fn open(
    settings: &Settings,
    clock: Option<Arc<dyn orgata_core::clock::Clock>>,
) -> Result<Arc<Services>, String> {
    let store = orgata_store::connect(&settings.database_url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let config = ServiceConfig {
        access_token_ttl_secs: settings.access_token_ttl,
        refresh_token_ttl_secs: settings.refresh_token_ttl,
        webhooks_deny_private: settings.webhooks_deny_private,
        events_recheck: Duration::from_secs(settings.events_recheck),
        ..ServiceConfig::default()
    };
    let services = Services::new(
        store,
        master_key(settings)?,
        settings.jwt_secret_bytes(),
        config,
    )
    .await
    .map_err(|e| format!("start-up: {e}"))?;
    Ok(Arc::new(match clock {
        Some(clock) => services.with_clock(clock),
        None => services,
    }))
}

/// The router of every door over `services`, with the background work (job runner,
/// housekeeping) started; that work ends when the router is dropped.
pub fn router(services: Arc<Services>, settings: &Settings) -> Router {
    spawn_housekeeping(Arc::downgrade(&services));
    spawn_job_runner(Arc::downgrade(&services), settings.webhooks_deny_private);
    let rest = RestConfig {
        max_body_bytes: settings.max_body_bytes,
        request_timeout: Duration::from_secs(settings.request_timeout.max(1)),
        token_bucket: BucketConfig {
            capacity: settings.rate_limit_burst,
            per_minute: settings.rate_limit_per_minute,
        },
        ip_bucket: BucketConfig {
            capacity: settings.auth_rate_limit_per_minute,
            per_minute: settings.auth_rate_limit_per_minute,
        },
    };
    let handle = prometheus();
    let render: orgata_rest::MetricsRender = Arc::new(move || handle.render());
    let state = AppState::new(services.clone(), rest, Some(render));
    let limiter = state.token_limiter.clone();
    let graphql = orgata_graphql::GraphqlConfig {
        max_body_bytes: settings.max_body_bytes,
        request_timeout: Duration::from_secs(settings.request_timeout.max(1)),
        ..orgata_graphql::GraphqlConfig::default()
    };
    // The schema is made from fixed types: a failure is a defect the test suite catches.
    let graphql = orgata_graphql::router(services.clone(), limiter.clone(), graphql)
        .expect("the GraphQL schema builds");
    orgata_mcp::router(services, settings.mcp.clone(), limiter)
        .merge(graphql)
        .merge(orgata_web::router())
        .merge(orgata_rest::router(state))
        .layer(axum::middleware::map_response(close_after_refused_body))
}

/// A body refused as too large was not read to its end, so the connection cannot carry another
/// request: the answer says so (`Connection: close`), or a client would reuse it and fail.
async fn close_after_refused_body(
    mut response: axum::response::Response,
) -> axum::response::Response {
    if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    response
}

/// Serves MCP over stdin and stdout as the user of `token` (`orgata mcp --stdio`), with the
/// job runner going as for `serve`.
pub async fn serve_mcp_stdio(settings: &Settings, token: String) -> Result<(), String> {
    let services = open(settings, None).await?;
    spawn_job_runner(Arc::downgrade(&services), settings.webhooks_deny_private);
    orgata_mcp::serve_stdio(services, settings.mcp.clone(), token).await
}

/// Hourly clean-up of expired idempotency answers; ends when the app is dropped.
fn spawn_housekeeping(services: Weak<Services>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let Some(services) = services.upgrade() else {
                return;
            };
            match services.purge_idempotency_keys().await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "expired idempotency keys removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "idempotency clean-up failed"),
            }
        }
    });
}

/// The durable job runner: leases due jobs (algorithm steps, timers) and runs them. Every
/// node runs one; leases keep two nodes from running a job at once. It ends when the app (the
/// router holding the services) is dropped, so a stopped server stops taking jobs.
fn spawn_job_runner(services: Weak<Services>, deny_private: bool) {
    let node = format!("node-{}", uuid::Uuid::now_v7().simple());
    let http = orgata_core::services::webhooks::outbound_client(deny_private)
        .expect("an HTTP client builds");
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(services) = services.upgrade() else {
                return;
            };
            if let Err(e) = services.fan_out_webhooks().await {
                tracing::warn!(error = %e, "webhook fan-out");
            }
            loop {
                match services.run_due_jobs(&node, &http).await {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "job runner");
                        break;
                    }
                }
            }
        }
    });
}

/// Serves `router` on `listener` until the future `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
