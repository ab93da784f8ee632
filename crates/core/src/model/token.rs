use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::TokenScope;

/// A personal access token as listed (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonalToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub scopes: Vec<TokenScope>,
    pub team_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A stored personal access token with its hash, for authentication.
#[derive(Debug, Clone)]
pub struct PersonalTokenRecord {
    pub token: PersonalToken,
    pub revoked: bool,
}

/// `POST /v1/me/tokens`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewPersonalToken {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    pub scopes: Option<Vec<TokenScope>>,
    #[schema(value_type = Option<super::UuidText>)]
    pub team_id: Option<Uuid>,
    #[schema(value_type = Option<super::DateTimeText>)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The answer to creating a token: the secret is shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedPersonalToken {
    pub id: Uuid,
    pub name: String,
    pub token: String,
    pub scopes: Vec<TokenScope>,
    pub team_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A stored refresh token (only its hash is kept).
#[derive(Debug, Clone)]
pub struct RefreshTokenRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    pub revoked: bool,
}

/// `POST /v1/auth/register`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Registration {
    #[schema(
        format = "email",
        min_length = 3,
        max_length = 254,
        pattern = "^[A-Za-z0-9_%+-]+(\\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub email: String,
    #[schema(min_length = 12, max_length = 1024)]
    pub password: String,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub display_name: String,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub organization_name: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub team_name: Option<String>,
}

/// `POST /v1/auth/login`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Login {
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
    /// A current TOTP code, or one of the recovery codes.
    #[schema(max_length = 64)]
    pub totp_code: Option<String>,
}

/// `POST /v1/auth/refresh` and `/logout`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: String,
}

/// A fresh pair of tokens and who they belong to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Session {
    pub user: super::User,
    pub access_token: String,
    pub refresh_token: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: i64,
    pub token_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<super::Organization>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<super::Team>,
}

/// The answer to starting TOTP enrolment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32 secret for authenticator apps.
    pub secret: String,
    pub otpauth_url: String,
    /// Single-use codes that stand in for a TOTP code; shown this once.
    pub recovery_codes: Vec<String>,
}

/// `POST /v1/me/mfa/totp/verify` and `DELETE /v1/me/mfa/totp`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TotpCode {
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
}
