//! What an HTTP request to `/mcp` passes before the MCP server reads it: a `Host` this server
//! answers to (DNS rebinding), an allowed `Origin`, the token's rate-limit bucket, and a valid
//! bearer token. The authenticated caller travels on in the request's extensions.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use orgata_core::services::{Ctx, Services};
use orgata_core::Error;
use orgata_rest::envelope::error_response;
use orgata_rest::extract::{authenticate_with, bearer_token};
use orgata_rest::rate_limit::RateLimiter;

use crate::McpConfig;

/// What the gate needs.
#[derive(Clone)]
pub struct GateState {
    pub services: Arc<Services>,
    pub config: Arc<McpConfig>,
    pub limiter: Arc<RateLimiter>,
}

/// The authenticated caller of an HTTP request, put in its extensions by [`authenticate`].
#[derive(Clone)]
pub struct Caller(pub Ctx);

/// Refuses a request whose `Host` this server does not answer to, or whose `Origin` is not
/// allowed, with 403 — before anything else, so a rebinding page learns nothing.
pub async fn check_host_and_origin(
    State(state): State<GateState>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    if !host
        .as_deref()
        .is_some_and(|h| host_allowed(&state.config, h))
    {
        return error_response(&Error::forbidden(
            "this server does not answer to that Host; an operator may add it to ORGATA_MCP_ALLOWED_HOSTS",
        ));
    }
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let allowed = origin
            .to_str()
            .is_ok_and(|o| origin_allowed(&state.config, o));
        if !allowed {
            return error_response(&Error::forbidden(
                "requests from this Origin are not allowed; an operator may add it to ORGATA_MCP_ALLOWED_ORIGINS",
            ));
        }
    }
    next.run(request).await
}

/// Takes one request from the token's bucket and authenticates it; without a valid token the
/// answer is 401 with a `WWW-Authenticate` challenge naming the resource metadata.
pub async fn authenticate(
    State(state): State<GateState>,
    mut request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let Some(token) = bearer_token(&parts) else {
        return challenge(
            &parts.headers,
            None,
            "send Authorization: Bearer <token> (an access token or a personal access token)",
        );
    };
    let mut ctx = match authenticate_with(&state.services, &state.limiter, &parts, &token).await {
        Ok(ctx) => ctx,
        Err(e) if e.code() == orgata_core::ErrorCode::Unauthenticated => {
            return challenge(&parts.headers, Some("invalid_token"), &e.public_message())
        }
        Err(e) => return error_response(&e),
    };
    ctx.meta.via = Some(crate::server::via(None, ctx.meta.user_agent.as_deref()));
    parts.extensions.insert(Caller(ctx));
    request = Request::from_parts(parts, body);
    next.run(request).await
}

/// 401 with `WWW-Authenticate: Bearer resource_metadata="…"` (RFC 9728 §5.1).
fn challenge(headers: &HeaderMap, error: Option<&str>, message: &str) -> Response {
    let mut value = format!(
        "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
        base_url(headers)
    );
    if let Some(error) = error {
        value.push_str(&format!(", error=\"{error}\""));
    }
    let mut response = error_response(&Error::unauthenticated(message));
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}

/// The protected-resource metadata of `/mcp` (RFC 9728): where it is and how to send a token.
/// Tokens are issued by this server itself (personal access tokens, or a login's access token).
pub async fn resource_metadata(headers: HeaderMap) -> Response {
    let base = base_url(&headers);
    (
        StatusCode::OK,
        Json(serde_json::json!({
            "resource": format!("{base}/mcp"),
            "bearer_methods_supported": ["header"],
            "resource_name": "Orgata Runtime MCP server",
            "resource_documentation": format!("{base}/docs"),
        })),
    )
        .into_response()
}

/// `scheme://host` of the request, as the client addressed it.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|s| *s == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// Splits `host[:port]` (IPv6 in brackets) into its host and port.
fn split_authority(authority: &str) -> (String, Option<&str>) {
    let authority = authority.trim();
    if let Some(rest) = authority.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            let port = after.strip_prefix(':');
            return (format!("[{}]", host.to_ascii_lowercase()), port);
        }
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host.to_ascii_lowercase(), Some(port)),
        _ => (authority.to_ascii_lowercase(), None),
    }
}

/// Whether `host` (a `Host` header) is one of the configured hosts; an entry without a port
/// allows every port.
pub fn host_allowed(config: &McpConfig, host: &str) -> bool {
    let (name, port) = split_authority(host);
    config.allowed_hosts.iter().any(|entry| {
        if entry == "*" {
            return true;
        }
        let (allowed, allowed_port) = split_authority(entry);
        let allowed = if allowed == "::1" {
            "[::1]".to_string()
        } else {
            allowed
        };
        allowed == name && allowed_port.is_none_or(|p| Some(p) == port)
    })
}

/// Whether `origin` matches an allowed origin (`scheme://host[:port]`, port `*` for any).
pub fn origin_allowed(config: &McpConfig, origin: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return config.allowed_origins.iter().any(|o| o == origin);
    };
    let (host, port) = split_authority(authority);
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        "443"
    } else {
        "80"
    };
    let port = port.unwrap_or(default_port);
    config.allowed_origins.iter().any(|entry| {
        if entry == "*" {
            return true;
        }
        let Some((s, a)) = entry.split_once("://") else {
            return false;
        };
        let (h, p) = split_authority(a);
        s.eq_ignore_ascii_case(scheme) && h == host && p.is_none_or(|p| p == "*" || p == port)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_origins() {
        let c = McpConfig::default();
        assert!(host_allowed(&c, "127.0.0.1:8080"));
        assert!(host_allowed(&c, "LOCALHOST"));
        assert!(host_allowed(&c, "[::1]:9"));
        assert!(!host_allowed(&c, "evil.example:8080"));
        assert!(!host_allowed(&c, "127.0.0.1.evil.example"));
        assert!(origin_allowed(&c, "http://localhost:3000"));
        assert!(!origin_allowed(&c, "http://evil.example"));
        assert!(!origin_allowed(&c, "null"));
        let c = McpConfig {
            allowed_hosts: vec!["orgata.example:443".into()],
            allowed_origins: vec!["https://orgata.example".into()],
            ..McpConfig::default()
        };
        assert!(host_allowed(&c, "orgata.example:443"));
        assert!(!host_allowed(&c, "orgata.example:80"));
        assert!(origin_allowed(&c, "https://orgata.example"));
        assert!(!origin_allowed(&c, "http://orgata.example"));
    }
}
