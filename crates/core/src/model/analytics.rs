//! Analytics payloads: measures of a team's execution history. How each number is computed is
//! documented on the computation in `crate::analytics`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

text_enum!(
    /// The unit of an analytics duration: always seconds.
    SecondsUnit { Seconds = "seconds" }
);

/// A Duration object in seconds: `{value, unit: "seconds"}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Seconds {
    pub value: f64,
    pub unit: SecondsUnit,
}

impl Seconds {
    /// `value` seconds.
    pub fn new(value: f64) -> Self {
        Seconds {
            value,
            unit: SecondsUnit::Seconds,
        }
    }

    /// `value` seconds, when there is a value.
    pub fn of(value: Option<f64>) -> Option<Self> {
        value.map(Self::new)
    }
}

/// Mean, median and 90th percentile of a set of durations (absent with no values).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DurationSummary {
    /// How many durations.
    pub count: u64,
    pub mean: Option<Seconds>,
    pub median: Option<Seconds>,
    pub p90: Option<Seconds>,
}

/// A playbook's measures over a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProcessMetrics {
    /// Instances in the period.
    pub total_executions: u64,
    /// Instances that completed.
    pub successful_executions: u64,
    pub failed_executions: u64,
    pub cancelled_executions: u64,
    /// Instances not finished yet (running, paused or not started).
    pub running_executions: u64,
    /// Mean cycle time of completed instances (first event to last).
    pub average_duration: Option<Seconds>,
    pub median_duration: Option<Seconds>,
    pub p90_duration: Option<Seconds>,
    /// Completed instances over finished ones (completed, failed or cancelled).
    pub completion_rate: Option<f64>,
    /// Instances with at least one step past its SLA over instances with a step that has one.
    pub sla_breach_rate: Option<f64>,
    /// Mean over completed instances of the share of the cycle time during which at least one
    /// step was being worked on (flow efficiency, 0 to 1).
    pub efficiency_score: Option<f64>,
    /// Mean over completed instances of Σ work hours × the hourly cost of each step's role;
    /// absent when no step's role has a cost.
    pub cost_per_execution: Option<f64>,
}

/// One step's measures over a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StepMetrics {
    pub step_id: String,
    /// The step's name in the playbook's current version (its id when it has been removed).
    pub name: String,
    /// Step executions (every iteration counts).
    pub executions: u64,
    pub completed: u64,
    pub skipped: u64,
    pub failed: u64,
    /// From ready until work started (a claim; the ready time when none was recorded).
    pub waiting_time: DurationSummary,
    /// From the start of work until the step finished.
    pub work_time: DurationSummary,
    /// Skipped executions over finished ones.
    pub skip_rate: Option<f64>,
    /// Failed executions over finished ones.
    pub failure_rate: Option<f64>,
    /// Executions that finished after their SLA's due time, or are open past it.
    pub sla_breaches: u64,
    /// `sla_breaches` over executions that had an SLA.
    pub sla_breach_rate: Option<f64>,
}

/// A step that holds a large share of the process's time, with the numbers that put it there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Bottleneck {
    /// 1 for the step holding the largest share of cycle time.
    pub rank: u32,
    pub step_id: String,
    pub name: String,
    /// Σ of the step's durations (ready to finish) over Σ cycle time of completed instances.
    pub share_of_cycle_time: f64,
    /// Σ of the step's waiting time over Σ waiting time of every step.
    pub share_of_waiting_time: Option<f64>,
    pub mean_waiting_time: Option<Seconds>,
    pub mean_work_time: Option<Seconds>,
    pub executions: u64,
}

/// `GET /v1/teams/{team_id}/analytics/processes?process_id=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProcessAnalytics {
    pub process_id: Uuid,
    pub name: String,
    pub metrics: ProcessMetrics,
    pub steps: Vec<StepMetrics>,
    pub bottlenecks: Vec<Bottleneck>,
}

/// One playbook in `GET /v1/teams/{team_id}/analytics/processes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProcessSummary {
    pub process_id: Uuid,
    pub name: String,
    pub metrics: ProcessMetrics,
}

/// A distinct path through a playbook: the steps its instances ran, in order of completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Variant {
    pub steps: Vec<String>,
    /// Instances that took this path.
    pub count: u64,
    /// `count` over all instances counted.
    pub share: f64,
    /// Their cycle times.
    pub duration: DurationSummary,
}

/// An edge of the directly-follows graph: `to` completed right after `from` in one instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FollowsEdge {
    pub from: String,
    pub to: String,
    pub frequency: u64,
    /// Mean time from `from`'s completion to `to`'s.
    pub mean_time: Seconds,
    pub median_time: Seconds,
}

/// How often a step starts or ends an instance's path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StepCount {
    pub step_id: String,
    pub count: u64,
}

/// The directly-follows graph of a playbook's instances.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FollowsGraph {
    pub edges: Vec<FollowsEdge>,
    pub start_steps: Vec<StepCount>,
    pub end_steps: Vec<StepCount>,
}

/// Instances started on one day (UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DayCount {
    pub date: NaiveDate,
    pub count: u64,
}

/// `GET /v1/teams/{team_id}/analytics/variants?process_id=`: process mining over finished
/// instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProcessMining {
    pub process_id: Uuid,
    /// Finished instances counted.
    pub cases: u64,
    /// Most frequent first (ties by path).
    pub variants: Vec<Variant>,
    /// Whether `variants` was cut at the `limit`.
    pub variants_truncated: bool,
    pub directly_follows: FollowsGraph,
    /// Mean time each step took from start to finish (service time), by step id.
    pub service_times: Vec<StepDuration>,
    pub cases_per_day: Vec<DayCount>,
}

/// A step with a mean duration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StepDuration {
    pub step_id: String,
    pub mean: Seconds,
}

/// `POST /v1/teams/{team_id}/analytics/imports`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImportResult {
    pub playbook_id: Uuid,
    /// The commit the discovered playbook was saved in (absent when one was named).
    pub commit_id: Option<String>,
    pub cases: u64,
    pub events: u64,
}
