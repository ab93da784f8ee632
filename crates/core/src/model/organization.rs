use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An organization: the company that owns teams.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    /// `solo|small|medium|large|enterprise`
    pub size: Option<String>,
    pub compliance_requirements: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/organizations`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewOrganization {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[schema(min_length = 1, max_length = 253, pattern = "\\S")]
    pub domain: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub industry: Option<String>,
    #[schema(pattern = "^(solo|small|medium|large|enterprise)$")]
    pub size: Option<String>,
    #[serde(default)]
    pub compliance_requirements: Vec<String>,
}
