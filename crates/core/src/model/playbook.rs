//! Definitions: playbooks (process definitions), documents and business rules. All three are
//! versioned together: every save is a commit on a branch (`main` by default).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::engine::due::DurationSpec;

/// Who or what does a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepType {
    /// A person, through a task.
    Human,
    /// An AI agent member, through a task it picks up (MCP).
    Agent,
    /// The runtime, per `automation_config`.
    Algorithm,
}

/// How a step runs relative to its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepExecutionType {
    #[default]
    Sequential,
    Parallel,
    Conditional,
}

/// A value computed with CEL when the step becomes ready.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StepInput {
    #[schema(pattern = "^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    pub name: String,
    #[schema(min_length = 1, max_length = 4000)]
    pub expression: String,
}

/// A CEL check over `output`, `variables` and `steps` that must hold when the step completes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ValidationRule {
    #[schema(min_length = 1, max_length = 4000)]
    pub expression: String,
    #[schema(min_length = 1, max_length = 1000)]
    pub message: String,
}

/// One step of a playbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlaybookStep {
    /// Chosen by the client or generated once; kept across versions.
    #[serde(default)]
    #[schema(pattern = "^[a-z][a-z0-9_]{0,63}$")]
    pub id: String,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    #[serde(rename = "type")]
    pub kind: StepType,
    #[serde(default)]
    pub execution_type: StepExecutionType,
    /// Business role id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<super::UuidText>)]
    pub assigned_role: Option<Uuid>,
    /// Step ids that must finish first; resolved and stored explicitly on save.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 500)]
    pub dependencies: Option<Vec<String>>,
    /// CEL over `variables` and `steps` (required for `conditional` steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 100)]
    pub inputs: Vec<StepInput>,
    /// The JSON Schema (2020-12) the step's output must satisfy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub form: Option<Value>,
    /// A document whose `schema` is the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<super::UuidText>)]
    pub form_document_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 100)]
    pub validation_rules: Vec<ValidationRule>,
    /// The SLA, from the moment the step becomes ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DurationSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_duration: Option<DurationSpec>,
    /// For `algorithm` steps: `{action: set_variables|webhook|wait|wait_for_callback, …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub automation_config: Option<Value>,
    /// For `agent` steps: instructions and hints for the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub agent_config: Option<Value>,
}

/// `L0` operational, `L1` management, `L2` strategic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub enum Layer {
    #[default]
    L0,
    L1,
    L2,
}

/// Lifecycle of a definition: `draft` and `active` start instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaybookStatus {
    Draft,
    #[default]
    Active,
    Deprecated,
    Archived,
}

impl PlaybookStatus {
    /// Whether instances may start from a playbook in this status.
    pub fn startable(self) -> bool {
        matches!(self, Self::Draft | Self::Active)
    }
}

/// The versioned content of a playbook: what its snapshot holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlaybookBody {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub category: String,
    #[serde(default)]
    pub layer: Layer,
    #[serde(default)]
    pub status: PlaybookStatus,
    #[serde(default)]
    #[schema(max_items = 50, value_type = Vec<super::Tag>)]
    pub compliance_tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_duration: Option<DurationSpec>,
    /// JSON Schema checked against an instance's variables at start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub variables_schema: Option<Value>,
    #[schema(max_items = 500)]
    pub steps: Vec<PlaybookStep>,
}

/// A playbook (process definition) as read from a ref.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Playbook {
    pub id: Uuid,
    pub team_id: Uuid,
    #[serde(flatten)]
    pub body: PlaybookBody,
    /// The last commit that changed this playbook on the ref it was read from.
    pub version: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST` and `PUT /v1/teams/{team_id}/processes…`: a playbook document. Read-only fields
/// (`id`, `team_id`, timestamps) are ignored; `version`, when given, is the version the edit was
/// based on (409 if the playbook has changed since).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PlaybookInput {
    #[serde(flatten)]
    pub body: PlaybookBody,
    #[serde(default)]
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub version: Option<String>,
    /// The commit message (default: "Update <name>").
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub message: Option<String>,
}

/// Kinds of documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Template,
    #[default]
    Form,
    Contract,
    Policy,
    Procedure,
    Report,
}

/// The versioned content of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DocumentBody {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: DocumentType,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub category: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    /// A JSON Schema (2020-12); steps may use it as their form.
    #[serde(default = "empty_object")]
    #[schema(value_type = Object)]
    pub schema: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100000)]
    pub template_content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub retention_policy: Option<Value>,
    #[serde(default)]
    #[schema(max_items = 50, value_type = Vec<super::Tag>)]
    pub compliance_tags: Vec<String>,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// A document as read from a ref.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Document {
    pub id: Uuid,
    pub team_id: Uuid,
    #[serde(flatten)]
    pub body: DocumentBody,
    pub version: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST` and `PUT /v1/teams/{team_id}/documents…`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DocumentInput {
    #[serde(flatten)]
    pub body: DocumentBody,
    #[serde(default)]
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub version: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub message: Option<String>,
}

/// Kinds of business rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleCategory {
    #[default]
    Validation,
    Approval,
    Escalation,
    Automation,
    Compliance,
}

/// Where and when a rule applies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct RuleConditions {
    /// CEL over `output`, `variables` and `steps`. Validation rules: must hold when a step in
    /// scope completes. Approval rules: when it holds over the output of a step in scope, the
    /// step waits for an approver before it completes. Escalation rules: when it holds at an
    /// SLA breach, the rule's action decides who is escalated to.
    #[serde(default = "always")]
    #[schema(min_length = 1, max_length = 4000)]
    pub expression: String,
    /// Playbooks the rule applies to (all when empty).
    #[serde(default)]
    #[schema(value_type = Vec<super::UuidText>, max_items = 100)]
    pub playbook_ids: Vec<Uuid>,
    /// Step ids the rule applies to (all when empty).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub step_ids: Vec<String>,
}

fn always() -> String {
    "true".into()
}

/// What a rule does when it applies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct RuleActions {
    /// Validation rules: the message given when the rule does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000)]
    pub message: Option<String>,
    /// Escalation rules: the business role escalation tasks go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<super::UuidText>)]
    pub escalate_to_role: Option<Uuid>,
    /// Approval rules: the business role whose members approve (default: the superior of the
    /// step's role, else the step's role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<super::UuidText>)]
    pub approver_role: Option<Uuid>,
    /// Escalation rules: the priority of the escalation task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<TaskPriority>,
}

/// The versioned content of a business rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BusinessRuleBody {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    #[serde(default)]
    pub category: RuleCategory,
    #[serde(default)]
    pub conditions: RuleConditions,
    #[serde(default)]
    pub actions: RuleActions,
    /// Higher first.
    #[serde(default, deserialize_with = "super::lenient::int")]
    #[schema(minimum = -1000, maximum = 1000)]
    pub priority: i64,
    #[serde(default = "yes")]
    pub is_active: bool,
}

fn yes() -> bool {
    true
}

/// A business rule as read from a ref.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BusinessRule {
    pub id: Uuid,
    pub team_id: Uuid,
    #[serde(flatten)]
    pub body: BusinessRuleBody,
    pub version: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST` and `PUT /v1/teams/{team_id}/rules…`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BusinessRuleInput {
    #[serde(flatten)]
    pub body: BusinessRuleBody,
    #[serde(default)]
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub version: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub message: Option<String>,
}

/// Priority of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskPriority {
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

/// One change a commit made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommitChange {
    /// `playbook|document|rule`
    pub kind: String,
    pub id: Uuid,
    /// `added|modified|deleted`
    pub op: String,
    /// The snapshot hash after the change (none when deleted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

/// A commit: one save of one or more definitions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Commit {
    /// SHA-256 of the commit's canonical JSON (parents, author, message, time, changes).
    pub id: String,
    pub team_id: Uuid,
    pub parents: Vec<String>,
    pub author_id: Option<Uuid>,
    pub message: String,
    pub changes: Vec<CommitChange>,
    pub created_at: DateTime<Utc>,
}
