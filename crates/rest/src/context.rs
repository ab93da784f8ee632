//! Per-request facts the envelope needs (request id, URI, rate-limit figures), kept in a
//! task-local so that every response — success or error — can carry them.

use std::sync::Mutex;

use serde::Serialize;
use utoipa::ToSchema;

/// The rate-limit figures reported in `metadata.rate_limit` and the `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct RateLimitInfo {
    /// Requests the bucket holds when full.
    pub limit: u32,
    /// Requests left now.
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset: u64,
}

/// What the current request's responses need to know about it.
#[derive(Debug)]
pub struct RequestContext {
    pub request_id: String,
    /// Path and query of the request, for `links`.
    pub uri: String,
    pub rate_limit: Mutex<Option<RateLimitInfo>>,
}

tokio::task_local! {
    pub static REQUEST: std::sync::Arc<RequestContext>;
}

/// The current request's id (empty outside a request).
pub fn request_id() -> String {
    REQUEST
        .try_with(|r| r.request_id.clone())
        .unwrap_or_default()
}

/// The current request's path and query.
pub fn request_uri() -> String {
    REQUEST.try_with(|r| r.uri.clone()).unwrap_or_default()
}

/// The current request's rate-limit figures, if it was limited by a bucket.
pub fn rate_limit() -> Option<RateLimitInfo> {
    REQUEST
        .try_with(|r| *r.rate_limit.lock().expect("rate limit lock"))
        .ok()
        .flatten()
}

/// Records the figures for the current request.
pub fn set_rate_limit(info: RateLimitInfo) {
    let _ = REQUEST.try_with(|r| *r.rate_limit.lock().expect("rate limit lock") = Some(info));
}
