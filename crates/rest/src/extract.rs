//! Extractors: the authenticated caller, the request body (parsed only after authorization),
//! query parameters and path ids — each failing with the contract's error codes.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use orgata_core::page::{PageRequest, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use orgata_core::services::Ctx;
use orgata_core::store::RequestMeta;
use orgata_core::{Error, FieldError};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::context;
use crate::envelope::ApiError;
use crate::rate_limit::Take;
use crate::AppState;

/// Where the request came from.
pub fn request_meta(parts: &Parts) -> RequestMeta {
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let user_agent = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(512).collect());
    RequestMeta {
        request_id: Some(context::request_id()),
        ip_address: ip,
        user_agent,
        via: None,
    }
}

/// The bearer token of a request, if it sent one.
pub fn bearer_token(parts: &Parts) -> Option<String> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn limit(result: Take) -> Result<(), ApiError> {
    match result {
        Take::Allowed(info) => {
            context::set_rate_limit(info);
            Ok(())
        }
        Take::Denied {
            retry_after_secs,
            info,
        } => {
            context::set_rate_limit(info);
            Err(ApiError(Error::RateLimited { retry_after_secs }))
        }
    }
}

/// The authenticated caller; also takes one request from the token's rate-limit bucket.
pub struct Auth(pub Ctx);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts).ok_or_else(|| {
            Error::unauthenticated(
                "send Authorization: Bearer <token> (an access token or a personal access token)",
            )
        })?;
        authenticate(state, parts, &token).await.map(Auth)
    }
}

/// Takes one request from `token`'s rate-limit bucket and authenticates it.
pub async fn authenticate(state: &AppState, parts: &Parts, token: &str) -> Result<Ctx, ApiError> {
    authenticate_with(&state.services, &state.token_limiter, parts, token)
        .await
        .map_err(ApiError)
}

/// [`authenticate`] for a door with its own state (the MCP gate shares the services and the
/// token buckets).
pub async fn authenticate_with(
    services: &orgata_core::services::Services,
    limiter: &crate::rate_limit::RateLimiter,
    parts: &Parts,
    token: &str,
) -> Result<Ctx, Error> {
    let key = hex::encode(Sha256::digest(token.as_bytes()));
    limit(limiter.take(&key)).map_err(|e| e.0)?;
    let actor = services.authenticate(token).await?;
    Ok(Ctx {
        actor,
        meta: request_meta(parts),
    })
}

/// An unauthenticated auth endpoint's caller, limited per client address.
pub struct Public(pub RequestMeta);

impl FromRequestParts<AppState> for Public {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let meta = request_meta(parts);
        let key = meta.ip_address.clone().unwrap_or_else(|| "unknown".into());
        limit(state.ip_limiter.take(&key))?;
        Ok(Public(meta))
    }
}

/// The raw request body, parsed with [`Body::parse`] once the caller is authorized.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError(Error::Coded {
                        code: orgata_core::ErrorCode::PayloadTooLarge,
                        message: "the body is too large".into(),
                        details: None,
                    })
                } else {
                    ApiError(Error::bad_request("the body could not be read"))
                }
            })
    }
}

impl Body {
    fn is_empty(&self) -> bool {
        self.0.iter().all(|b| b.is_ascii_whitespace())
    }

    /// Parses a required JSON body: a missing or malformed one is 400; a body of the wrong
    /// shape is 422 with a pointer to the field.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.is_empty() {
            return Err(Error::bad_request("this request needs a JSON body").into());
        }
        let value = serde_json::from_slice(&self.0)
            .map_err(|e| Error::bad_request(format!("the body is not valid JSON: {e}")))?;
        Self::shape(value)
    }

    /// Parses an optional JSON body (actions): an empty one reads as `{}`.
    pub fn parse_or_default<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.is_empty() {
            return Self::shape(serde_json::Value::Object(Default::default()));
        }
        self.parse()
    }

    fn shape<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
        parse_object(value).map_err(ApiError)
    }
}

/// Reads a JSON object into `T`: not an object, text with U+0000, or a field of the wrong shape
/// are each an error naming the field (a JSON Pointer). Shared by the doors that take JSON.
pub fn parse_object<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Error> {
    if !value.is_object() {
        return Err(Error::invalid(
            "",
            "not_an_object",
            "the body must be a JSON object",
        ));
    }
    if let Some(pointer) = nul_character(&value, String::new()) {
        return Err(Error::invalid(
            &pointer,
            "nul_character",
            "text must not contain U+0000",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut pointer = String::new();
        for segment in e.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
                Segment::Map { key } => {
                    pointer.push_str(&format!("/{}", key.replace('~', "~0").replace('/', "~1")))
                }
                Segment::Enum { variant } => pointer.push_str(&format!("/{variant}")),
                Segment::Unknown => {}
            }
        }
        let message = e.inner().to_string();
        let (code, field) = match message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            Some(name) => ("required", format!("{pointer}/{name}")),
            None => ("invalid", pointer),
        };
        Error::Validation(vec![FieldError::new(field, code, message)])
    })
}

/// Where the first U+0000 sits in a JSON value (keys included), as a JSON Pointer. No store can
/// keep it in text (PostgreSQL refuses it), so it is refused at the door.
fn nul_character(value: &serde_json::Value, at: String) -> Option<String> {
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(at),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_character(v, format!("{at}/{i}"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
            if k.contains('\0') {
                Some(here)
            } else {
                nul_character(v, here)
            }
        }),
        _ => None,
    }
}

/// Query parameters as text, for the typed readers below.
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let map: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        if map
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(Error::bad_request("query parameters must not contain U+0000").into());
        }
        Ok(QueryMap(map))
    }
}

impl QueryMap {
    /// `page` and `page_size`: unparseable is 400, out of range is 422.
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        Ok(PageRequest {
            page: self.count("page", 1, 1_000_000)?,
            page_size: self.count("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?,
            skip: 0,
        })
    }

    /// A whole number from 1 to `max` (`default` when absent): unparseable is 400, out of
    /// range is 422.
    pub fn count(&self, name: &str, default: u32, max: u32) -> Result<u32, ApiError> {
        let Some(raw) = self.0.get(name) else {
            return Ok(default);
        };
        let n: i64 = raw
            .trim()
            .parse()
            .map_err(|_| Error::bad_request(format!("{name} must be a whole number")))?;
        if n < 1 || n > max as i64 {
            return Err(Error::invalid(
                &format!("/{name}"),
                "out_of_range",
                format!("must be 1 to {max}"),
            )
            .into());
        }
        Ok(n as u32)
    }

    /// An optional text filter (at most 200 characters).
    pub fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(name) {
            Some(v) if v.chars().count() > 200 => {
                Err(
                    Error::invalid(&format!("/{name}"), "too_long", "at most 200 characters")
                        .into(),
                )
            }
            Some(v) => Ok(Some(v.clone())),
            None => Ok(None),
        }
    }

    /// An optional enum filter: a value outside `allowed` is 422.
    pub fn enumerated<T>(
        &self,
        name: &str,
        parse: fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Result<Option<T>, ApiError> {
        match self.text(name)? {
            Some(v) => Ok(Some(parse(&v).ok_or_else(|| {
                Error::invalid(
                    &format!("/{name}"),
                    "invalid",
                    format!("must be one of {allowed}"),
                )
            })?)),
            None => Ok(None),
        }
    }

    /// An optional id filter: unparseable is 400.
    pub fn uuid(&self, name: &str) -> Result<Option<Uuid>, ApiError> {
        self.0
            .get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| ApiError(Error::bad_request(format!("{name} must be a UUID"))))
            })
            .transpose()
    }
}

/// A path id: unparseable is 400.
pub fn path_id(raw: &str, name: &str) -> Result<Uuid, ApiError> {
    raw.parse()
        .map_err(|_| ApiError(Error::bad_request(format!("{name} must be a UUID"))))
}

/// The version named by an `If-Match` header (quotes and a weak `W/` prefix dropped).
pub fn if_match(headers: &axum::http::HeaderMap) -> Option<String> {
    let raw = headers.get(axum::http::header::IF_MATCH)?.to_str().ok()?;
    let v = raw.trim().trim_start_matches("W/").trim_matches('"');
    (!v.is_empty() && v != "*").then(|| v.to_string())
}
