use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A function a business role performs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleFunction {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    /// `primary|secondary|occasional`
    #[schema(pattern = "^(primary|secondary|occasional)$")]
    pub category: String,
    /// Share of the holder's time, 0 to 1.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub estimated_time_allocation: Option<f64>,
}

/// A capability a business role needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleCapability {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// `skill|system_access|approval_authority|resource_access`
    #[serde(rename = "type")]
    #[schema(pattern = "^(skill|system_access|approval_authority|resource_access)$")]
    pub kind: String,
    /// `basic|intermediate|advanced|expert`
    #[schema(pattern = "^(basic|intermediate|advanced|expert)$")]
    pub level: String,
}

/// A business role: what steps are assigned to, held by members.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Role {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub description: String,
    pub functions: Vec<RoleFunction>,
    pub capabilities: Vec<RoleCapability>,
    pub hierarchy_level: i64,
    pub reports_to: Option<Uuid>,
    /// What an hour of this role's work costs (in the team's currency); analytics multiply
    /// work time by it for `cost_per_execution`.
    pub hourly_cost: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST` and `PUT /v1/teams/{team_id}/roles…`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RoleInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    #[serde(default)]
    pub functions: Vec<RoleFunction>,
    #[serde(default)]
    pub capabilities: Vec<RoleCapability>,
    #[serde(default, deserialize_with = "super::lenient::int")]
    #[schema(minimum = 0, maximum = 100)]
    pub hierarchy_level: i64,
    #[schema(value_type = Option<super::UuidText>)]
    pub reports_to: Option<Uuid>,
    /// What an hour of this role's work costs (0 to 1,000,000).
    #[schema(minimum = 0, maximum = 1000000)]
    pub hourly_cost: Option<f64>,
}
