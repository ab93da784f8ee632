//! Files embedded gzipped (the web UI, the GraphQL explorer), served as they are stored when
//! the client accepts gzip and unpacked otherwise.

use std::io::Read;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Answers `gz` (gzipped bytes of a `content_type` file) with `cache` as its `Cache-Control`.
pub fn gzipped(
    headers: &HeaderMap,
    content_type: &'static str,
    gz: &'static [u8],
    cache: &'static str,
) -> Response {
    let gzip_ok = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    let common = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if gzip_ok {
        let encoding = [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))];
        return (common, encoding, gz).into_response();
    }
    let mut plain = Vec::new();
    if flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut plain)
        .is_err()
    {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (common, plain).into_response()
}
