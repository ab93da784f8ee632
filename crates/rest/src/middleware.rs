//! Cross-cutting request handling: request ids and the envelope's context, metrics and logs,
//! body-size and time limits, idempotency keys, and envelopes for 404 and 405.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use orgata_core::services::idempotency::IdempotencyDecision;
use orgata_core::{Error, ErrorCode};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::context::{RequestContext, REQUEST};
use crate::envelope::error_response;
use crate::AppState;

/// Header that carries the request id.
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn valid_request_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (!s.is_empty() && s.len() <= 200 && s.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| s.to_string())
}

/// Outermost: gives the request its id and context, logs it, records metrics, and stamps the
/// id and rate-limit headers on the answer.
pub async fn request_context(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(valid_request_id)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let uri = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let ctx = Arc::new(RequestContext {
        request_id: request_id.clone(),
        uri,
        rate_limit: Mutex::new(None),
    });
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
    let started = Instant::now();
    let mut response = REQUEST
        .scope(ctx.clone(), next.run(request).instrument(span.clone()))
        .await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, elapsed_ms = elapsed.as_millis() as u64, "answered"));
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());

    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(X_REQUEST_ID.clone(), v);
    }
    if let Some(rl) = *ctx.rate_limit.lock().expect("rate limit lock") {
        for (name, value) in [
            ("ratelimit-limit", rl.limit as u64),
            ("ratelimit-remaining", rl.remaining as u64),
            ("ratelimit-reset", rl.reset),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
    response
}

/// Whether a request uploads a large body that its handler streams (event log imports): it
/// has its own size limit and no time limit, and `Idempotency-Key` does not apply.
fn is_upload(request: &Request) -> bool {
    request.method() == Method::POST && request.uri().path().ends_with("/analytics/imports")
}

/// Refuses bodies over the limit from `Content-Length`, before reading them.
pub async fn body_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = if is_upload(&request) {
        crate::routes::analytics::IMPORT_MAX_BYTES
    } else {
        state.config.max_body_bytes as u64
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return error_response(&Error::Coded {
            code: ErrorCode::PayloadTooLarge,
            message: format!("the body is larger than {limit} bytes"),
            details: None,
        });
    }
    next.run(request).await
}

/// Answers 503 `TIMEOUT` when a request takes longer than the configured limit. Streams are
/// exempt (they answer at once and go on).
pub async fn timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_upload(&request) {
        return next.run(request).await;
    }
    match tokio::time::timeout(state.config.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error_response(&Error::Coded {
            code: ErrorCode::Timeout,
            message: "the request took too long and was abandoned".into(),
            details: None,
        }),
    }
}

/// Gives the router's bare 405 answers the envelope (keeping `Allow`).
pub async fn method_not_allowed(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().get(header::CONTENT_TYPE).is_some()
    {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut answer = error_response(&Error::Coded {
        code: ErrorCode::MethodNotAllowed,
        message: "this method is not allowed here; see the Allow header".into(),
        details: None,
    });
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}

/// The answer for paths that do not exist.
pub async fn not_found() -> Response {
    error_response(&Error::not_found("route"))
}

/// Header of a replayed answer.
static IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// What the idempotency layer needs, for a door other than REST (GraphQL).
#[derive(Clone)]
pub struct Idempotency {
    pub services: Arc<orgata_core::services::Services>,
    pub max_body_bytes: usize,
    /// How the door answers the layer's own errors (bad key, key reused, key in flight).
    pub render: fn(&Error) -> Response,
}

/// Honours `Idempotency-Key` on POST: the same key and body within 24 h gets the first answer
/// again without doing anything; the same key with another body is 422.
pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let layer = Idempotency {
        services: state.services.clone(),
        max_body_bytes: state.config.max_body_bytes,
        render: error_response,
    };
    idempotent(layer, request, next).await
}

/// [`idempotency`] at another door, with its own error rendering.
pub async fn idempotency_at(
    State(layer): State<Idempotency>,
    request: Request,
    next: Next,
) -> Response {
    idempotent(layer, request, next).await
}

async fn idempotent(state: Idempotency, request: Request, next: Next) -> Response {
    let error_response = state.render;
    if request.method() != Method::POST || is_upload(&request) {
        return next.run(request).await;
    }
    let Some(key) = request
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return next.run(request).await;
    };
    if key.is_empty() || key.len() > 255 {
        return error_response(&Error::invalid(
            "/headers/Idempotency-Key",
            "invalid",
            "must be 1 to 255 characters",
        ));
    }
    let principal = match request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(auth) => format!("auth:{}", hex::encode(Sha256::digest(auth.as_bytes()))),
        None => format!(
            "ip:{}",
            request
                .extensions()
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_default()
        ),
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, state.max_body_bytes).await else {
        return error_response(&Error::Coded {
            code: ErrorCode::PayloadTooLarge,
            message: "the body is too large".into(),
            details: None,
        });
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.path());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());
    let decision = match state
        .services
        .begin_idempotent(&principal, &key, &request_hash)
        .await
    {
        Err(e) => return error_response(&e),
        Ok(d) => d,
    };
    if let Some(e) = decision.refusal("/headers/Idempotency-Key") {
        return error_response(&e);
    }
    if let IdempotencyDecision::Replay { status, body } = decision {
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response.headers_mut().insert(
            IDEMPOTENT_REPLAYED.clone(),
            HeaderValue::from_static("true"),
        );
        return response;
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            let _ = state
                .services
                .finish_idempotent(&principal, &key, None)
                .await;
            return error_response(&Error::internal("the answer could not be buffered"));
        }
    };
    let keep = (!status.is_server_error() && status != StatusCode::TOO_MANY_REQUESTS)
        .then_some((status.as_u16(), &bytes[..]));
    if let Err(e) = state
        .services
        .finish_idempotent(&principal, &key, keep)
        .await
    {
        tracing::error!(error = %e, "could not store the idempotent answer");
    }
    Response::from_parts(parts, Body::from(bytes)).into_response()
}

/// The timeout used when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
