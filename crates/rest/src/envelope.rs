//! The response envelope of the contract, for successes, pages and errors.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use orgata_core::page::{Page, PageInfo};
use orgata_core::{Error, ErrorCode};
use serde::Serialize;
use utoipa::ToSchema;

use crate::context::{self, RateLimitInfo};

/// The API version reported in every envelope.
pub const API_VERSION: &str = "v1";

/// `metadata` of every envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Metadata {
    pub timestamp: chrono::DateTime<chrono::Utc>,
    pub request_id: String,
    pub api_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitInfo>,
}

impl Metadata {
    fn now() -> Self {
        Metadata {
            timestamp: chrono::Utc::now(),
            request_id: context::request_id(),
            api_version: API_VERSION.into(),
            rate_limit: context::rate_limit(),
        }
    }
}

/// `links` of an envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

/// `error` of a failed request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

/// A successful answer: `{success: true, data, metadata, links}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Envelope<T> {
    pub success: bool,
    pub data: T,
    pub metadata: Metadata,
    pub links: Links,
}

/// A page of a list: the envelope plus `pagination`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PagedEnvelope<T> {
    pub success: bool,
    pub data: Vec<T>,
    pub pagination: PageInfo,
    pub metadata: Metadata,
    pub links: Links,
}

/// A failed answer: `{success: false, error, metadata}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub success: bool,
    pub error: ErrorBody,
    pub metadata: Metadata,
}

/// What `DELETE` answers with.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    pub id: String,
    pub deleted: bool,
}

fn self_links() -> Links {
    Links {
        self_: context::request_uri(),
        first: None,
        last: None,
        next: None,
        previous: None,
    }
}

/// 200 with `data`.
pub fn ok<T: Serialize>(data: T) -> Response {
    Json(Envelope {
        success: true,
        data,
        metadata: Metadata::now(),
        links: self_links(),
    })
    .into_response()
}

/// 201 with `data`.
pub fn created<T: Serialize>(data: T) -> Response {
    (
        StatusCode::CREATED,
        Json(Envelope {
            success: true,
            data,
            metadata: Metadata::now(),
            links: self_links(),
        }),
    )
        .into_response()
}

/// 201 with `data` and a `Location` header naming where the new resource is read.
pub fn created_at<T: Serialize>(location: String, data: T) -> Response {
    let mut response = created(data);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, value);
    }
    response
}

/// 200 with the answer to a DELETE.
pub fn deleted(id: impl ToString) -> Response {
    ok(Deleted {
        id: id.to_string(),
        deleted: true,
    })
}

/// Replaces (or adds) `page` in a path-and-query.
fn with_page(uri: &str, page: i64) -> String {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "page")
        .collect();
    pairs.push(("page".into(), page.to_string()));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{query}")
}

/// 200 with a page of a list, its totals and its links.
pub fn paged<T: Serialize>(page: Page<T>) -> Response {
    let info = page.info();
    let uri = context::request_uri();
    let last = info.total_pages.max(1);
    let links = Links {
        self_: uri.clone(),
        first: Some(with_page(&uri, 1)),
        last: Some(with_page(&uri, last)),
        next: info.has_next.then(|| with_page(&uri, info.page as i64 + 1)),
        previous: info
            .has_previous
            .then(|| with_page(&uri, (info.page as i64 - 1).min(last))),
    };
    Json(PagedEnvelope {
        success: true,
        data: page.items,
        pagination: info,
        metadata: Metadata::now(),
        links,
    })
    .into_response()
}

/// The error answer; internal causes are logged here and never sent.
pub fn error_response(err: &Error) -> Response {
    let code = err.code();
    if let Error::Internal(cause) = err {
        tracing::error!(request_id = %context::request_id(), %cause, "internal error");
    }
    let body = ErrorEnvelope {
        success: false,
        error: ErrorBody {
            code,
            message: err.public_message(),
            details: err.public_details(),
        },
        metadata: Metadata::now(),
    };
    let status =
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(body)).into_response();
    if let Error::RateLimited { retry_after_secs } = err {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            response.headers_mut().insert("retry-after", v);
        }
    }
    response
}

/// The service error at the REST door.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self.0)
    }
}

/// What every handler returns.
pub type ApiResult = Result<Response, ApiError>;

#[cfg(test)]
mod tests {
    #[test]
    fn page_links_keep_other_parameters() {
        assert_eq!(
            super::with_page("/v1/teams?page=2&page_size=5", 3),
            "/v1/teams?page_size=5&page=3"
        );
        assert_eq!(super::with_page("/v1/teams", 1), "/v1/teams?page=1");
    }
}
