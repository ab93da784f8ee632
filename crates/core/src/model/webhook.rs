//! Webhooks: endpoints a team registers to receive its events, and the record of each
//! delivery (signed POSTs, retried with backoff by the job runner, replayable).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A registered endpoint. Its secret is never shown again after creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    pub team_id: Uuid,
    pub url: String,
    /// Event types (`task.completed`), `task.*` for every type of an entity, or `*` for all.
    pub event_types: Vec<String>,
    pub description: String,
    /// Inactive endpoints receive nothing (deliveries queued before are not sent).
    pub active: bool,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/teams/{team_id}/webhooks`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// An `http` or `https` URL.
    #[schema(min_length = 1, max_length = 2000, pattern = "^https?://[^\\s/]+")]
    pub url: String,
    #[schema(min_items = 1, max_items = 50)]
    pub event_types: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

/// `PUT /v1/teams/{team_id}/webhooks/{webhook_id}`: the fields given change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookUpdate {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000, pattern = "^https?://[^\\s/]+")]
    pub url: Option<String>,
    #[serde(default)]
    #[schema(min_items = 1, max_items = 50)]
    pub event_types: Option<Vec<String>>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// The answer to registering a webhook: the endpoint and its signing secret, shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The key of `Orgata-Signature` (its UTF-8 bytes), never shown again.
    pub secret: String,
}

text_enum!(
    /// Where a delivery stands: `pending` (queued, or waiting to be retried), `delivered`
    /// (answered 2xx) or `failed` (every attempt failed, or the endpoint is gone).
    DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
);

/// One event sent (or to be sent) to one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub team_id: Uuid,
    pub webhook_id: Uuid,
    pub event_id: Uuid,
    pub event_seq: i64,
    pub event_type: String,
    pub status: DeliveryStatus,
    /// Attempts made so far (a replay adds more).
    pub attempts: i32,
    /// The last answer's status, if the endpoint answered.
    pub response_status: Option<i32>,
    /// The start of the last answer's body (at most 2,000 characters).
    pub response_body: Option<String>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
