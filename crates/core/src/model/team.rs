use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::AccessRole;

/// A team: the unit that owns playbooks, instances, tasks and the audit trail.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Team {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: String,
    pub settings: TeamSettings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Team settings: time zone and working calendar (used for working-time SLAs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TeamSettings {
    /// An IANA time zone name, e.g. `Europe/Berlin`.
    #[schema(value_type = super::TimeZoneName, example = "UTC")]
    pub timezone: String,
    pub working_calendar: WorkingCalendar,
}

impl Default for TeamSettings {
    fn default() -> Self {
        Self {
            timezone: "UTC".into(),
            working_calendar: WorkingCalendar::default(),
        }
    }
}

/// Working days and hours, and holidays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct WorkingCalendar {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    #[serde(deserialize_with = "super::lenient::small_ints")]
    #[schema(value_type = Vec<Weekday>, max_items = 7)]
    pub working_days: Vec<u8>,
    /// Start of the working day, `HH:MM`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "09:00")]
    pub start_time: String,
    /// End of the working day, `HH:MM`, after the start.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "17:00")]
    pub end_time: String,
    #[schema(value_type = Vec<super::DateText>, max_items = 366)]
    pub holidays: Vec<NaiveDate>,
}

impl Default for WorkingCalendar {
    fn default() -> Self {
        Self {
            working_days: vec![1, 2, 3, 4, 5],
            start_time: "09:00".into(),
            end_time: "17:00".into(),
            holidays: vec![],
        }
    }
}

/// An ISO weekday, 1 = Monday … 7 = Sunday (documentation type of `working_days`).
pub struct Weekday;

impl utoipa::PartialSchema for Weekday {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(1))
            .maximum(Some(7))
            .into()
    }
}

impl ToSchema for Weekday {}

/// `POST /v1/teams`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewTeam {
    #[schema(value_type = super::UuidText)]
    pub organization_id: Uuid,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    pub settings: Option<TeamSettings>,
}

/// `PUT /v1/teams/{team_id}`: omitted fields keep their value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TeamUpdate {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    pub settings: Option<TeamSettings>,
}

/// Whether a membership is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    Inactive,
    Pending,
}

/// A member of a team (a person or an agent), or a pending invitation (`status: pending`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamMember {
    pub team_id: Uuid,
    /// Absent while the invitation is pending.
    pub user_id: Option<Uuid>,
    pub email: String,
    pub display_name: Option<String>,
    pub kind: Option<super::UserKind>,
    pub access_role: AccessRole,
    pub roles: Vec<Uuid>,
    pub status: MemberStatus,
    /// Set for a pending invitation.
    pub invitation_id: Option<Uuid>,
    pub joined_at: Option<DateTime<Utc>>,
}

/// `POST /v1/teams/{team_id}/members`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewMember {
    #[schema(
        format = "email",
        min_length = 3,
        max_length = 254,
        pattern = "^[A-Za-z0-9_%+-]+(\\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub email: String,
    pub access_role: AccessRole,
    #[serde(default)]
    #[schema(value_type = Vec<super::UuidText>, max_items = 100)]
    pub roles: Vec<Uuid>,
}

/// `PUT /v1/teams/{team_id}/members/{user_id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MemberUpdate {
    pub access_role: Option<AccessRole>,
    #[schema(value_type = Option<Vec<super::UuidText>>, max_items = 100)]
    pub roles: Option<Vec<Uuid>>,
}

/// A pending invitation by email.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub team_id: Uuid,
    pub email: String,
    pub access_role: AccessRole,
    pub roles: Vec<Uuid>,
    pub invited_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// `POST /v1/teams/{team_id}/agents`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAgent {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub display_name: String,
    /// `member` (the default) or `editor`.
    pub access_role: Option<AgentRole>,
    #[serde(default)]
    #[schema(value_type = Vec<super::UuidText>, max_items = 100)]
    pub roles: Vec<Uuid>,
}

/// The access roles an agent may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentRole {
    Member,
    Editor,
}

impl From<AgentRole> for AccessRole {
    fn from(r: AgentRole) -> Self {
        match r {
            AgentRole::Member => AccessRole::Member,
            AgentRole::Editor => AccessRole::Editor,
        }
    }
}

/// The answer to creating an agent: its user and its token, shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedAgent {
    pub user: super::User,
    pub token: String,
}

/// A team secret as listed: the value is write-only and never returned.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SecretInfo {
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/teams/{team_id}/secrets`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewSecret {
    #[schema(pattern = "^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    pub name: String,
    #[schema(min_length = 1, max_length = 65536)]
    pub value: String,
}

/// `PUT /v1/teams/{team_id}/secrets/{name}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SecretValue {
    #[schema(min_length = 1, max_length = 65536)]
    pub value: String,
}
