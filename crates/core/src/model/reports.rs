//! Reports (analytics written as a document, now or on a schedule) and dashboards (widgets
//! whose data are analytics queries). Team records, not versioned.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

text_enum!(
    /// What a report covers: `operational` (performance, anomalies, predictions, people),
    /// `performance` (performance, each playbook's measures, trends, recommendations),
    /// `compliance` (SLA breaches, anomalies) or `custom` (the `sections` named).
    ReportType {
        Operational = "operational",
        Performance = "performance",
        Compliance = "compliance",
        Custom = "custom",
    }
);

text_enum!(
    /// The document a report is written as.
    ReportFormat {
        Json = "json",
        Csv = "csv",
        Html = "html",
        Pdf = "pdf",
        Excel = "excel",
    }
);

text_enum!(
    /// An analytics query a report section or a dashboard widget shows.
    AnalyticsSource {
        /// The team's headline measures (`/analytics/performance`).
        Performance = "performance",
        /// Each playbook's measures, steps and bottlenecks (`/analytics/processes`).
        Processes = "processes",
        Trends = "trends",
        Anomalies = "anomalies",
        Predictions = "predictions",
        Recommendations = "recommendations",
        /// People and the team (`/analytics/users`).
        Users = "users",
        /// SLA breaches per playbook and step.
        Sla = "sla",
        /// Process mining of one playbook (`/analytics/variants`; needs `process_id`).
        Variants = "variants",
    }
);

impl ReportType {
    /// The sections of a preset type (empty for `custom`).
    pub fn sections(self) -> &'static [AnalyticsSource] {
        use AnalyticsSource::*;
        match self {
            Self::Operational => &[Performance, Anomalies, Predictions, Users],
            Self::Performance => &[Performance, Processes, Trends, Recommendations],
            Self::Compliance => &[Sla, Anomalies],
            Self::Custom => &[],
        }
    }
}

impl ReportFormat {
    /// The media type of the document.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
            Self::Pdf => "application/pdf",
            Self::Excel => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Excel => "xlsx",
            other => other.as_str(),
        }
    }
}

/// A report definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub report_type: ReportType,
    pub format: ReportFormat,
    /// One playbook (absent: every playbook on `main`).
    pub process_id: Option<Uuid>,
    /// The days before the run that the report covers.
    pub period_days: i64,
    /// What it shows, in order (the type's preset unless `custom`).
    pub sections: Vec<AnalyticsSource>,
    /// A 5-field cron expression read in the team's time zone.
    pub schedule: Option<String>,
    /// When the schedule next runs it.
    pub next_run_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/teams/{team_id}/analytics/reports` and `PUT …/{report_id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    #[serde(rename = "type")]
    pub report_type: ReportType,
    pub format: ReportFormat,
    #[schema(value_type = Option<super::UuidText>)]
    pub process_id: Option<Uuid>,
    /// 1 to 366 (default 30).
    #[serde(default, deserialize_with = "super::lenient::opt_int")]
    #[schema(minimum = 1, maximum = 366)]
    pub period_days: Option<i64>,
    /// For `custom` reports: 1 to 9 sections.
    #[serde(default)]
    #[schema(max_items = 9)]
    pub sections: Vec<AnalyticsSource>,
    /// A 5-field cron expression (`minute hour day-of-month month day-of-week`) in the team's
    /// time zone.
    #[schema(max_length = 200)]
    pub schedule: Option<String>,
    /// Run it once now as well (always, when it has no schedule, on creation).
    #[serde(default)]
    pub run_now: bool,
}

text_enum!(
    /// Where a report execution is.
    ReportExecutionStatus {
        Pending = "pending",
        Completed = "completed",
        Failed = "failed",
        Cancelled = "cancelled",
    }
);

text_enum!(
    /// What started a report execution.
    ReportTrigger { Manual = "manual", Schedule = "schedule" }
);

/// One run of a report; its output is downloadable once `completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportExecution {
    pub id: Uuid,
    pub report_id: Uuid,
    pub team_id: Uuid,
    pub status: ReportExecutionStatus,
    pub trigger: ReportTrigger,
    pub format: ReportFormat,
    /// When it is due to run.
    pub scheduled_for: DateTime<Utc>,
    pub requested_by: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub content_type: Option<String>,
    pub file_name: Option<String>,
    pub size_bytes: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

text_enum!(
    /// How a dashboard widget draws its data.
    WidgetType {
        Chart = "chart",
        Table = "table",
        Metric = "metric",
        List = "list",
        Calendar = "calendar",
        Heatmap = "heatmap",
    }
);

/// Where a widget sits on the dashboard's grid (12 columns).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WidgetPosition {
    #[schema(minimum = 0, maximum = 11)]
    pub x: i64,
    #[schema(minimum = 0, maximum = 1000)]
    pub y: i64,
    #[schema(minimum = 1, maximum = 12)]
    pub w: i64,
    #[schema(minimum = 1, maximum = 100)]
    pub h: i64,
}

/// A widget: an analytics query drawn one way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Widget {
    /// Unique in the dashboard (generated when absent).
    #[serde(default)]
    #[schema(max_length = 100)]
    pub id: String,
    #[serde(rename = "type")]
    pub widget_type: WidgetType,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: String,
    pub source: AnalyticsSource,
    /// The playbook the query is about (required for `variants`).
    #[schema(value_type = Option<super::UuidText>)]
    pub process_id: Option<Uuid>,
    /// The days before now the query covers (default 30).
    #[serde(default, deserialize_with = "super::lenient::opt_int")]
    #[schema(minimum = 1, maximum = 366)]
    pub period_days: Option<i64>,
    pub position: WidgetPosition,
}

/// A team's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub description: String,
    pub widgets: Vec<Widget>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/teams/{team_id}/dashboards` and `PUT …/{dashboard_id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub widgets: Vec<Widget>,
}

/// One widget's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WidgetData {
    pub widget_id: String,
    pub source: AnalyticsSource,
    /// The query's answer, as its own route gives it.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// `GET /v1/teams/{team_id}/dashboards/{dashboard_id}/data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DashboardData {
    pub dashboard_id: Uuid,
    pub generated_at: DateTime<Utc>,
    pub widgets: Vec<WidgetData>,
}
