//! Execution: process instances, their step executions, tasks, comments and exceptions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::TaskPriority;

text_enum!(
    /// Where an instance stands.
    InstanceStatus {
        NotStarted = "not_started",
        Running = "running",
        Paused = "paused",
        Completed = "completed",
        Failed = "failed",
        Cancelled = "cancelled",
    }
);

impl InstanceStatus {
    /// Whether nothing more will happen to it.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

text_enum!(
    /// Where a step execution stands.
    StepStatus {
        Pending = "pending",
        Running = "running",
        AwaitingApproval = "awaiting_approval",
        Completed = "completed",
        Failed = "failed",
        Skipped = "skipped",
        Overridden = "overridden",
    }
);

impl StepStatus {
    /// Finished for its dependants: completed, skipped or overridden.
    ///
    /// `awaiting_approval` is not: its output is held until an approval rule's approver decides.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Skipped | Self::Overridden)
    }
}

text_enum!(
    /// Kinds of tasks.
    TaskType {
        Manual = "manual",
        Review = "review",
        Approval = "approval",
        DataEntry = "data_entry",
        Decision = "decision",
        Escalation = "escalation",
    }
);

impl TaskType {
    /// Whether a task of this type is the work of its step (not an escalation of it, nor the
    /// approval of its output).
    pub fn is_step_work(self) -> bool {
        !matches!(self, Self::Escalation | Self::Approval)
    }
}

text_enum!(
    /// Where a task stands.
    TaskStatus {
        Open = "open",
        InProgress = "in_progress",
        Completed = "completed",
        Cancelled = "cancelled",
        Escalated = "escalated",
    }
);

impl TaskStatus {
    /// Whether work on it is still possible.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::InProgress | Self::Escalated)
    }
}

text_enum!(
    /// Kinds of process exceptions.
    ExceptionType {
        ValidationFailure = "validation_failure",
        Timeout = "timeout",
        ResourceUnavailable = "resource_unavailable",
        ManualOverride = "manual_override",
        BusinessRuleViolation = "business_rule_violation",
    }
);

text_enum!(
    /// How bad an exception is.
    Severity {
        Warning = "warning",
        Error = "error",
        Critical = "critical",
    }
);

text_enum!(
    /// How an exception is handled.
    Strategy {
        Retry = "retry",
        Skip = "skip",
        Override = "override",
        Reassign = "reassign",
        Cancel = "cancel",
        Escalated = "escalated",
    }
);

/// One run of one step. A retry makes a new execution with the next `iteration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StepExecution {
    pub id: Uuid,
    pub process_instance_id: Uuid,
    pub step_id: String,
    pub iteration: i64,
    pub status: StepStatus,
    pub assigned_to: Option<Uuid>,
    /// The step's computed inputs.
    #[schema(value_type = Object)]
    pub input_data: Value,
    #[schema(value_type = Option<Object>)]
    pub output_data: Option<Value>,
    /// Why it was skipped, overridden, retried or failed.
    pub reason: Option<String>,
    /// Who completed, skipped or overrode it.
    pub completed_by: Option<Uuid>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    /// When its SLA is breached.
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A running (or finished) playbook, pinned to the version it started on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProcessInstance {
    pub id: Uuid,
    pub team_id: Uuid,
    pub playbook_id: Uuid,
    /// The commit the instance is pinned to.
    pub playbook_version: String,
    pub name: String,
    pub status: InstanceStatus,
    pub business_key: Option<String>,
    /// The first step that is running, if any.
    pub current_step_id: Option<String>,
    pub initiated_by: Uuid,
    #[schema(value_type = Object)]
    pub variables: Value,
    /// Why it was paused or cancelled.
    pub reason: Option<String>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The ref it was started from: `main`, another branch, or a commit id.
    pub started_from: String,
    /// Started from something other than `main`, to try a change out.
    pub trial: bool,
    /// Every step execution, oldest first (with one instance; empty in lists).
    #[serde(default)]
    pub step_executions: Vec<StepExecution>,
}

/// A unit of work for a person or an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Task {
    pub id: Uuid,
    pub team_id: Uuid,
    pub process_instance_id: Option<Uuid>,
    pub step_execution_id: Option<Uuid>,
    pub step_id: Option<String>,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: TaskType,
    pub priority: TaskPriority,
    pub status: TaskStatus,
    pub assigned_to: Option<Uuid>,
    /// The business role whose holders may claim it.
    pub assigned_role: Option<Uuid>,
    pub assigned_by: Option<Uuid>,
    pub due_date: Option<DateTime<Utc>>,
    pub tags: Vec<String>,
    /// The step's computed inputs, its form and agent hints.
    #[schema(value_type = Object)]
    pub context: Value,
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
    pub completed_by: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A comment on a task.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaskComment {
    pub id: Uuid,
    pub task_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A problem on an instance, open until handled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProcessException {
    pub id: Uuid,
    pub team_id: Uuid,
    pub process_instance_id: Uuid,
    pub step_execution_id: Option<Uuid>,
    pub step_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: ExceptionType,
    pub severity: Severity,
    pub message: String,
    #[schema(value_type = Object)]
    pub context: Value,
    pub handled: bool,
    pub resolution_strategy: Option<Strategy>,
    #[schema(value_type = Option<Object>)]
    pub resolution: Option<Value>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// `POST …/processes/{process_id}/instances`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct StartInstance {
    #[serde(default)]
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub variables: Option<Value>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub business_key: Option<String>,
    /// A branch name or commit id (default `main`).
    #[serde(default, rename = "ref")]
    #[schema(max_length = 100)]
    pub reference: Option<String>,
}

/// `POST …/steps/{step_id}/execute`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ExecuteStep {
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub comment: Option<String>,
}

/// `POST …/steps/{step_id}/skip`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SkipStep {
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

/// `POST …/steps/{step_id}/override`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OverrideStep {
    #[schema(value_type = Object)]
    pub output: Value,
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

/// `{reason?}` of retry, pause, resume and cancel.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Reason {
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// `POST …/process-instances/{instance_id}/exceptions`: raise one by hand.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RaiseException {
    #[serde(rename = "type", default = "manual")]
    pub kind: ExceptionType,
    #[serde(default = "error_severity")]
    pub severity: Severity,
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub message: String,
    #[serde(default)]
    #[schema(pattern = "^[a-z][a-z0-9_]{0,63}$")]
    pub step_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub context: Option<Value>,
}

fn manual() -> ExceptionType {
    ExceptionType::ManualOverride
}
fn error_severity() -> Severity {
    Severity::Error
}

/// `POST …/exceptions/{exception_id}/handle`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct HandleException {
    /// `retry|skip|override|reassign|cancel`
    #[schema(value_type = super::doc::HandlingStrategy)]
    pub strategy: Strategy,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
    /// The user to reassign the step's task to.
    #[serde(default)]
    #[schema(value_type = Option<super::UuidText>)]
    pub assignee: Option<Uuid>,
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

/// `POST /v1/teams/{team_id}/tasks`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewTask {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    #[serde(default = "manual_task", rename = "type")]
    pub kind: TaskType,
    #[serde(default)]
    pub priority: TaskPriority,
    #[serde(default)]
    #[schema(value_type = Option<super::UuidText>)]
    pub assigned_to: Option<Uuid>,
    #[serde(default)]
    #[schema(value_type = Option<super::DateTimeText>)]
    pub due_date: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<super::Tag>)]
    pub tags: Vec<String>,
}

fn manual_task() -> TaskType {
    TaskType::Manual
}

/// `PUT /v1/teams/{team_id}/tasks/{task_id}`: the fields given change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TaskUpdate {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[serde(default)]
    pub priority: Option<TaskPriority>,
    #[serde(default)]
    #[schema(value_type = Option<super::DateTimeText>)]
    pub due_date: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Option<super::UuidText>)]
    pub assigned_to: Option<Uuid>,
}

/// `POST …/tasks/{task_id}/complete`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CompleteTask {
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
}

/// `POST …/tasks/{task_id}/comments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewComment {
    #[schema(min_length = 1, max_length = 10000, pattern = "\\S")]
    pub body: String,
}

/// Filters of the instance list.
#[derive(Debug, Clone, Default)]
pub struct InstanceFilter {
    pub status: Option<InstanceStatus>,
    pub process_id: Option<Uuid>,
    pub business_key: Option<String>,
    /// Only these instances (empty: any); batch reads of nested fields.
    pub ids: Vec<Uuid>,
}

/// Filters of the task list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub status: Option<TaskStatus>,
    pub assigned_to: Option<Uuid>,
    pub process_instance_id: Option<Uuid>,
    /// Only tasks of these instances (empty: any); batch reads of nested fields.
    pub process_instance_ids: Vec<Uuid>,
    pub role: Option<Uuid>,
    pub kind: Option<TaskType>,
    /// Only tasks this member may see and work: assigned to them, to a role they hold, or
    /// unassigned (`None`: every task of the team).
    pub workable_by: Option<(Uuid, Vec<Uuid>)>,
    /// With `workable_by`, which unassigned tasks without a role count: those of `agent` steps
    /// (`Some(true)`, for agent members), those of other steps (`Some(false)`), or all (`None`).
    pub agent_steps: Option<bool>,
    /// Only tasks still to be done (open, in progress, escalated).
    pub open_only: bool,
}

/// A durable job: an algorithm step's work, a timer, or a report run.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: Uuid,
    pub team_id: Uuid,
    /// The instance (for a `report` job: the report).
    pub process_instance_id: Uuid,
    /// The step execution (for a `report` job: the report execution).
    pub step_execution_id: Uuid,
    /// `webhook|wait|sla|report`
    pub kind: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
}
