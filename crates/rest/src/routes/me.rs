//! `/v1/me*`: the caller, their personal access tokens and their second factor.

use axum::extract::{Path, State};
use orgata_core::model::*;

use crate::envelope::{created, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The caller and their team memberships.
#[utoipa::path(get, path = "/v1/me", tag = "me",
    responses((status = 200, description = "The caller", body = Envelope<Me>)))]
pub async fn me(State(s): State<AppState>, Auth(ctx): Auth) -> ApiResult {
    Ok(ok(s.services.me(&ctx).await?))
}

/// Create a personal access token; its secret is shown this once.
#[utoipa::path(post, path = "/v1/me/tokens", tag = "me", request_body = NewPersonalToken,
    responses((status = 201, description = "The token", body = Envelope<CreatedPersonalToken>)))]
pub async fn create_token(State(s): State<AppState>, Auth(ctx): Auth, body: Body) -> ApiResult {
    Ok(created(
        s.services
            .create_personal_token(&ctx, body.parse()?)
            .await?,
    ))
}

/// The caller's live personal access tokens.
#[utoipa::path(get, path = "/v1/me/tokens", tag = "me", params(crate::openapi::PageParams),
    responses((status = 200, description = "Tokens, newest first", body = PagedEnvelope<PersonalToken>)))]
pub async fn list_tokens(State(s): State<AppState>, Auth(ctx): Auth, q: QueryMap) -> ApiResult {
    Ok(paged(
        s.services.list_personal_tokens(&ctx, q.page()?).await?,
    ))
}

/// Revoke a personal access token.
#[utoipa::path(delete, path = "/v1/me/tokens/{token_id}", tag = "me",
    params(("token_id" = uuid::Uuid, Path, description = "Token id")),
    responses((status = 200, description = "Revoked", body = Envelope<Deleted>)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(token_id): Path<String>,
) -> ApiResult {
    let token_id = path_id(&token_id, "token_id")?;
    s.services.revoke_personal_token(&ctx, token_id).await?;
    Ok(deleted(token_id))
}

/// Start TOTP enrolment: a secret and recovery codes; active once verified.
#[utoipa::path(post, path = "/v1/me/mfa/totp", tag = "me",
    responses((status = 201, description = "The enrolment", body = Envelope<TotpEnrolment>)))]
pub async fn enrol_totp(State(s): State<AppState>, Auth(ctx): Auth) -> ApiResult {
    Ok(created(s.services.enrol_totp(&ctx).await?))
}

/// Verify a code from the authenticator, which turns TOTP on.
#[utoipa::path(post, path = "/v1/me/mfa/totp/verify", tag = "me", request_body = TotpCode,
    responses((status = 200, description = "TOTP is on", body = Envelope<User>)))]
pub async fn verify_totp(State(s): State<AppState>, Auth(ctx): Auth, body: Body) -> ApiResult {
    Ok(ok(s.services.verify_totp(&ctx, body.parse()?).await?))
}

/// Turn TOTP off (needs a current code or a recovery code).
#[utoipa::path(delete, path = "/v1/me/mfa/totp", tag = "me", request_body = TotpCode,
    responses((status = 200, description = "TOTP is off", body = Envelope<User>)))]
pub async fn disable_totp(State(s): State<AppState>, Auth(ctx): Auth, body: Body) -> ApiResult {
    Ok(ok(s.services.disable_totp(&ctx, body.parse()?).await?))
}
