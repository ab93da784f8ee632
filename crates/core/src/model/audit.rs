use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Who caused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorType {
    User,
    Agent,
    System,
}

impl ActorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorType::User => "user",
            ActorType::Agent => "agent",
            ActorType::System => "system",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(ActorType::User),
            "agent" => Some(ActorType::Agent),
            "system" => Some(ActorType::System),
            _ => None,
        }
    }
}

/// `{id, type}` of the actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventActor {
    pub id: Option<Uuid>,
    #[serde(rename = "type")]
    pub kind: ActorType,
}

/// `{type, id}` of the entity an event is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventEntity {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Uuid,
}

/// One event of the log, in the contract's versioned envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub id: Uuid,
    /// Gap-free and increasing per chain (a team, or a user's account) in commit order.
    pub seq: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub version: i32,
    pub team_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub actor: EventActor,
    pub entity: EventEntity,
    pub data: serde_json::Value,
}

/// An audit trail entry: an event with where it came from and its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    #[serde(flatten)]
    pub event: Event,
    /// The chain this entry belongs to (the team id for team events).
    pub scope_id: Uuid,
    pub request_id: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    /// The door and client, when not plain REST: `MCP (client name version)`.
    pub via: Option<String>,
    /// Hex SHA-256 of the previous entry of the chain (64 zeros for the first).
    pub prev_hash: String,
    /// Hex SHA-256 over this entry and `prev_hash`.
    pub hash: String,
}

/// The result of checking a team's audit chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditVerification {
    pub intact: bool,
    /// How many entries were checked.
    pub checked: i64,
    pub first_broken: Option<BrokenLink>,
}

/// Where a chain first breaks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BrokenLink {
    pub seq: i64,
    pub event_id: Option<Uuid>,
    pub reason: String,
}

/// Filters of `GET /v1/teams/{team_id}/audit`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
}
