//! `/v1/auth/*`: registration, login, refresh, logout (unauthenticated, limited per address).

use axum::extract::State;
use orgata_core::model::*;

use crate::envelope::{created, ok, ApiResult, Envelope};
use crate::extract::{Body, Public};
use crate::AppState;

/// Create an account (and optionally its organization and team).
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", security(()),
    request_body = Registration,
    responses((status = 201, description = "The account and its first session", body = Envelope<Session>)))]
pub async fn register(State(s): State<AppState>, Public(meta): Public, body: Body) -> ApiResult {
    Ok(created(s.services.register(body.parse()?, &meta).await?))
}

/// Sign in with email and password (and a TOTP or recovery code when the second factor is on).
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", security(()),
    request_body = Login,
    responses((status = 200, description = "A new session", body = Envelope<Session>)))]
pub async fn login(State(s): State<AppState>, Public(meta): Public, body: Body) -> ApiResult {
    Ok(ok(s.services.login(body.parse()?, &meta).await?))
}

/// Exchange a refresh token for a new pair; the old one stops working.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", security(()),
    request_body = RefreshRequest,
    responses((status = 200, description = "A new pair of tokens", body = Envelope<Session>)))]
pub async fn refresh(State(s): State<AppState>, Public(meta): Public, body: Body) -> ApiResult {
    Ok(ok(s.services.refresh(body.parse()?, &meta).await?))
}

/// End the session a refresh token belongs to.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", security(()),
    request_body = RefreshRequest,
    responses((status = 200, description = "Signed out", body = Envelope<LoggedOut>)))]
pub async fn logout(State(s): State<AppState>, Public(meta): Public, body: Body) -> ApiResult {
    s.services.logout(body.parse()?, &meta).await?;
    Ok(ok(LoggedOut { logged_out: true }))
}

/// The answer to a logout.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LoggedOut {
    pub logged_out: bool,
}
