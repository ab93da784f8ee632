//! Analytics findings over a team's history: trends, anomalies, predictions, recommendations,
//! and the measures of people and the team. How each is computed is documented in
//! `crate::analytics`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::analytics::Seconds;

text_enum!(
    /// The document a history export is written as.
    ExportFormat { Xes = "xes", Csv = "csv" }
);

text_enum!(
    /// The length of a trend's periods: a UTC day, or an ISO week (Monday to Sunday, UTC).
    TrendPeriod { Day = "day", Week = "week" }
);

text_enum!(
    /// What a trend measures per period.
    TrendMetric {
        /// Instances completed in the period.
        Throughput = "throughput",
        /// Median cycle time of the instances completed in the period (seconds).
        CycleTime = "cycle_time",
    }
);

text_enum!(
    /// Where a series is going: `increasing` or `decreasing` only when Mann–Kendall finds the
    /// trend significant, `no_trend` otherwise.
    TrendDirection {
        Increasing = "increasing",
        Decreasing = "decreasing",
        NoTrend = "no_trend",
    }
);

/// One period of a trend; `value` is absent when the period has nothing to measure (no
/// completed instance for a cycle time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrendPoint {
    /// The period's first day.
    pub period_start: NaiveDate,
    pub value: Option<f64>,
}

/// A measure per period with its robust slope and whether the slope is significant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Trend {
    pub metric: TrendMetric,
    pub period: TrendPeriod,
    pub points: Vec<TrendPoint>,
    /// Theil–Sen slope: the median of the slopes between every two points, in the metric's
    /// unit per period (absent with fewer than two points).
    pub slope: Option<f64>,
    /// Mann–Kendall two-sided p-value (absent with fewer than three points).
    pub p_value: Option<f64>,
    /// `p_value` below the significance level.
    pub significant: bool,
    pub direction: TrendDirection,
}

/// `GET /v1/teams/{team_id}/analytics/trends`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrendAnalysis {
    /// The playbook (absent: every playbook on `main` together).
    pub process_id: Option<Uuid>,
    pub period: TrendPeriod,
    /// The level below which a Mann–Kendall p-value is significant (0.05).
    pub significance_level: f64,
    pub trends: Vec<Trend>,
}

text_enum!(
    /// What an anomaly is about.
    AnomalyKind {
        /// A completed instance whose cycle time is a robust outlier.
        InstanceDuration = "instance_duration",
        /// A step execution whose duration (ready to finished) is a robust outlier among the
        /// step's executions.
        StepDuration = "step_duration",
        /// A running instance already older than the playbook's 95th percentile cycle time.
        RunningPastP95 = "running_past_p95",
    }
);

/// A duration far from the usual, with the numbers that make it so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    pub process_id: Uuid,
    pub instance_id: Uuid,
    pub step_id: Option<String>,
    /// The duration (for a running instance: its age now).
    pub value: Seconds,
    /// The median it is compared with (for `running_past_p95`: the median cycle time).
    pub median: Seconds,
    /// For outliers: the scaled median absolute deviation (1.4826 × MAD); for
    /// `running_past_p95`: the 95th percentile the age passed.
    pub spread: Seconds,
    /// (value − median) / spread for outliers; value / p95 for `running_past_p95`.
    pub score: f64,
    /// Longer than usual (`true`) or shorter.
    pub slow: bool,
}

/// `GET /v1/teams/{team_id}/analytics/anomalies`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnomalyReport {
    pub process_id: Option<Uuid>,
    /// |score| above which a duration is an outlier (default 3.5).
    pub threshold: f64,
    /// Largest |score| first.
    pub anomalies: Vec<Anomaly>,
}

/// How well the predictions' intervals did on history held out from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IntervalCoverage {
    /// The interval's nominal level (0.8).
    pub level: f64,
    /// The share of held-out completions that fell inside their interval (absent when there
    /// was too little history to hold some out).
    pub measured: Option<f64>,
    /// Predictions checked: every state of the held-out instances, after each completion.
    pub evaluated: u64,
}

/// When a running instance is expected to complete, and how likely it is to complete at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Prediction {
    pub process_id: Uuid,
    pub instance_id: Uuid,
    /// Median of the simulated completion times (absent with no completed history).
    pub expected_completion: Option<DateTime<Utc>>,
    /// 10th and 90th percentiles of the simulated completion times: an 80% interval.
    pub interval_low: Option<DateTime<Utc>>,
    pub interval_high: Option<DateTime<Utc>>,
    /// Steps still to run along the instance's graph.
    pub remaining_steps: Vec<String>,
    /// Remaining steps with no finished execution in the history (counted as taking no time).
    pub steps_without_history: Vec<String>,
    /// Share of finished instances that reached the same completed steps and then completed
    /// (rather than being cancelled or failing).
    pub completion_probability: Option<f64>,
    /// How many finished instances `completion_probability` rests on.
    pub completion_basis: u64,
    pub coverage: IntervalCoverage,
}

/// `GET /v1/teams/{team_id}/analytics/predictions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PredictionReport {
    pub process_id: Option<Uuid>,
    pub predictions: Vec<Prediction>,
}

text_enum!(
    /// How urgent a recommendation is.
    RecommendationPriority { High = "high", Medium = "medium" }
);

/// A change a rule over the measures suggests, citing the numbers that triggered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Recommendation {
    /// The rule: `single_holder_waiting`, `sla_breaches`, `slow_variant`, `failing_step` or
    /// `slowing_down`.
    pub rule: String,
    pub priority: RecommendationPriority,
    pub process_id: Uuid,
    pub process_name: String,
    pub step_id: Option<String>,
    pub title: String,
    /// What was found, with its numbers.
    pub description: String,
    /// The numbers, by name.
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
}

/// `GET /v1/teams/{team_id}/analytics/recommendations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RecommendationReport {
    pub process_id: Option<Uuid>,
    pub recommendations: Vec<Recommendation>,
}

/// One member's work in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserAnalytics {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    /// Tasks they completed in the period.
    pub tasks_completed: u64,
    /// Median time from the start of work (a claim; the task's creation when none was
    /// recorded) to completion, over those tasks.
    pub median_handling_time: Option<Seconds>,
    /// Of those, completed after their due date.
    pub completed_late: u64,
    /// Tasks assigned to them and open now.
    pub open_tasks: u64,
    /// Of those, past their due date now.
    pub overdue: u64,
}

/// A business role's share of the work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleWorkload {
    pub role_id: Uuid,
    pub name: String,
    /// Active members holding it.
    pub holders: u64,
    /// Open tasks offered to the role or assigned to it.
    pub open_tasks: u64,
    pub tasks_completed: u64,
}

/// How open work is spread over the team's active members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WorkloadSpread {
    pub members: u64,
    /// Open tasks assigned to a member.
    pub open_tasks: u64,
    pub mean_per_member: Option<f64>,
    pub max_per_member: u64,
    /// Standard deviation over mean of open tasks per member (0: perfectly even).
    pub coefficient_of_variation: Option<f64>,
    /// The busiest member's share of the assigned open tasks.
    pub busiest_share: Option<f64>,
}

/// The team's measures in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TeamAnalytics {
    pub team_id: Uuid,
    /// Tasks completed in the period.
    pub tasks_completed: u64,
    /// Instances completed in the period.
    pub instances_completed: u64,
    /// `tasks_completed` per day of the period.
    pub tasks_per_day: Option<f64>,
    pub instances_per_day: Option<f64>,
    pub median_handling_time: Option<Seconds>,
    pub workload: WorkloadSpread,
    pub roles: Vec<RoleWorkload>,
}

/// `GET /v1/teams/{team_id}/analytics/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PeopleAnalytics {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub users: Vec<UserAnalytics>,
    pub team: TeamAnalytics,
}

/// A named measure of the team's performance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PerformanceMetric {
    pub name: String,
    pub value: Option<f64>,
    /// `count`, `ratio`, `seconds`, `per_day` or `currency` (the unit of roles' hourly costs).
    pub unit: String,
    pub description: String,
}

/// `GET /v1/teams/{team_id}/analytics/performance`: the team's headline measures over every
/// playbook together, and each playbook's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PerformanceOverview {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub metrics: Vec<PerformanceMetric>,
    pub processes: Vec<super::ProcessSummary>,
}
