use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::AccessRole;

/// Whether an account is a person or an AI agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    Human,
    Agent,
}

impl UserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::Human => "human",
            UserKind::Agent => "agent",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "human" => Some(UserKind::Human),
            "agent" => Some(UserKind::Agent),
            _ => None,
        }
    }
}

/// An account. How it signs in (password today, SSO later) lives in separate identities.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub kind: UserKind,
    pub mfa_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /v1/me`: the user with their team memberships.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: User,
    pub memberships: Vec<Membership>,
}

/// One team the user belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Membership {
    pub team_id: Uuid,
    pub team_name: String,
    pub organization_id: Uuid,
    pub access_role: AccessRole,
    pub roles: Vec<Uuid>,
    pub joined_at: DateTime<Utc>,
}

/// How a sign-in method is kept: today only `password`.
#[derive(Debug, Clone)]
pub struct Identity {
    pub id: Uuid,
    pub user_id: Uuid,
    pub provider: String,
    pub subject: String,
    pub secret_hash: Option<String>,
}

/// A user's TOTP enrolment (the secret encrypted with the master key).
#[derive(Debug, Clone)]
pub struct TotpRecord {
    pub user_id: Uuid,
    pub secret_enc: Vec<u8>,
    pub enabled: bool,
    pub last_step: i64,
}
