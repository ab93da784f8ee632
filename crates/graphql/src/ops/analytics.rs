//! Analytics (the spec's `analytics(teamId, type)` and one field per measure), reports and
//! dashboards.

use async_graphql::dynamic::{InputObject, InputValue, TypeRef};
use orgata_core::analytics::anomalies::DEFAULT_THRESHOLD;
use orgata_core::model::TrendPeriod;
use orgata_core::services::analytics::{AnalyticsQuery, MAX_PREDICTIONS, MAX_VARIANTS};
use orgata_core::Error;
use serde_json::json;

use super::Arg::*;
use super::Ret::*;
use super::{deleted, one, page, Answer, Reply, Root};
use crate::call::{gql_error, Call};
use crate::r;
use crate::types::Json;

/// The measures `analytics(type:)` answers, each in the field of the same name.
const ANALYTICS_TYPES: [&str; 7] = [
    "processes",
    "performance",
    "users",
    "trends",
    "anomalies",
    "predictions",
    "recommendations",
];

/// The spec's `Analytics`: the kind asked for and its measures in the field of its name.
fn analytics_schema() -> Json {
    let r = |c: &str| json!({ "oneOf": [{"type": "null"}, {"$ref": format!("#/components/schemas/{c}")}] });
    json!({
        "type": "object",
        "description": "Measures of one kind (`type`), in the field of that name; the others are null.",
        "properties": {
            "type": {"$ref": "#/components/schemas/AnalyticsType"},
            "processes": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/ProcessSummary"},
                "description": "Every playbook's measures (or one playbook's, in `process`)."},
            "process": r("ProcessAnalytics"),
            "performance": r("PerformanceOverview"),
            "users": r("PeopleAnalytics"),
            "trends": r("TrendAnalysis"),
            "anomalies": r("AnomalyReport"),
            "predictions": r("PredictionReport"),
            "recommendations": r("RecommendationReport"),
        },
        "required": ["type"],
    })
}

/// The window and slice every measure takes.
fn analytics_filters() -> InputObject {
    InputObject::new("AnalyticsFilters")
        .description("Which instances the measures cover; all optional.")
        .field(
            InputValue::new("from", TypeRef::named("DateTime"))
                .description("Instances started at or after."),
        )
        .field(
            InputValue::new("to", TypeRef::named("DateTime"))
                .description("Instances started before."),
        )
        .field(
            InputValue::new("version", TypeRef::named(TypeRef::STRING))
                .description("Instances pinned to this commit."),
        )
        .field(
            InputValue::new("branch", TypeRef::named(TypeRef::STRING))
                .description("Instances started from this branch or commit (default `main`)."),
        )
        .field(
            InputValue::new("role", TypeRef::named(TypeRef::ID))
                .description("Only the steps assigned to this business role."),
        )
}

fn query(c: &Call<'_>) -> async_graphql::Result<AnalyticsQuery> {
    let f = c.filter("filters")?;
    let time = |name: &str| -> async_graphql::Result<Option<chrono::DateTime<chrono::Utc>>> {
        f.text(name)
            .map(|v| {
                orgata_core::analytics::xes::parse_timestamp(&v).ok_or_else(|| {
                    gql_error(Error::invalid(
                        &format!("/filters/{name}"),
                        "invalid",
                        "must be an RFC 3339 date-time in the years 1 to 9999",
                    ))
                })
            })
            .transpose()
    };
    Ok(AnalyticsQuery {
        from: time("from")?,
        to: time("to")?,
        version: f.text("version"),
        branch: f.text("branch"),
        role: f.id("role")?,
    })
}

fn limit(c: &Call<'_>, default: usize, max: usize) -> async_graphql::Result<usize> {
    match c.int("limit")? {
        None => Ok(default),
        Some(n) if n >= 1 && n as usize <= max => Ok(n as usize),
        Some(_) => Err(gql_error(Error::invalid(
            "/limit",
            "out_of_range",
            format!("must be 1 to {max}"),
        ))),
    }
}

/// The anomaly threshold (the service checks its range).
fn threshold(c: &Call<'_>) -> async_graphql::Result<f64> {
    match c.rc.args.get("threshold") {
        Some(v) if !v.is_null() => v.f64(),
        _ => Ok(DEFAULT_THRESHOLD),
    }
}

fn period(c: &Call<'_>) -> async_graphql::Result<TrendPeriod> {
    Ok(c.text("period")?
        .and_then(|p| TrendPeriod::parse(&p))
        .unwrap_or(TrendPeriod::Day))
}

/// `analytics(teamId, type)`: one kind of measure.
async fn analytics(c: Call<'_>) -> Answer {
    let (s, ctx) = c.caller()?;
    let team = c.id("teamId")?;
    let kind = c.required_text("type")?;
    let process = c.opt_id("processId")?;
    let q = query(&c)?;
    let (field, data): (&str, Json) = match (kind.as_str(), process) {
        ("processes", Some(p)) => (
            "process",
            json!(s
                .process_analytics(&ctx, team, p, &q)
                .await
                .map_err(gql_error)?),
        ),
        ("processes", None) => (
            "processes",
            json!(s
                .process_summaries(&ctx, team, &q)
                .await
                .map_err(gql_error)?),
        ),
        ("performance", _) => (
            "performance",
            json!(s
                .performance_overview(&ctx, team, &q)
                .await
                .map_err(gql_error)?),
        ),
        ("users", _) => (
            "users",
            json!(s
                .people_analytics(&ctx, team, &q)
                .await
                .map_err(gql_error)?),
        ),
        ("trends", _) => (
            "trends",
            json!(s
                .trend_analysis(&ctx, team, process, &q, period(&c)?)
                .await
                .map_err(gql_error)?),
        ),
        ("anomalies", _) => (
            "anomalies",
            json!(s
                .anomaly_report(&ctx, team, process, &q, threshold(&c)?)
                .await
                .map_err(gql_error)?),
        ),
        ("predictions", _) => (
            "predictions",
            json!(s
                .prediction_report(&ctx, team, process, None, &q, 100)
                .await
                .map_err(gql_error)?),
        ),
        _ => (
            "recommendations",
            json!(s
                .recommendation_report(&ctx, team, process, &q)
                .await
                .map_err(gql_error)?),
        ),
    };
    Ok(Reply::Value(json!({ "type": kind, field: data })))
}

pub fn fields(root: &mut Root) {
    root.types.define("AnalyticsType", json!({
        "type": "string", "enum": ANALYTICS_TYPES,
        "description": "A kind of measure: `processes` (one playbook's with `processId`), `performance`, `users`, `trends`, `anomalies`, `predictions`, `recommendations`.",
    }));
    root.types.define("Analytics", analytics_schema());
    root.input(analytics_filters());
    let window = Named("filters", "AnalyticsFilters");
    root.query(
        "analytics",
        One("Analytics"),
        &[
            Id("teamId"),
            Required("type", "AnalyticsType"),
            OptId("processId"),
            window,
            Named("period", "TrendPeriod"),
            Float("threshold"),
        ],
        "The team's measures of one kind (the spec's entry point); the fields below give each \
         kind with all its options.",
        r!(c => { analytics(c).await }),
    );
    root.query(
        "processAnalytics",
        One("ProcessAnalytics"),
        &[Id("teamId"), Id("processId"), window],
        "A playbook's measures: counts, cycle times, rates, per-step times and bottlenecks.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.process_analytics(&ctx, c.id("teamId")?, c.id("processId")?, &query(&c)?).await)
        }),
    );
    root.query(
        "processSummaries",
        List("ProcessSummary"),
        &[Id("teamId"), window],
        "Every playbook's measures.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.process_summaries(&ctx, c.id("teamId")?, &query(&c)?).await)
        }),
    );
    root.query("processVariants", One("ProcessMining"), &[Id("teamId"), Id("processId"), window, Int("limit")],
        "Process mining: the variants (paths) instances took and the directly-follows graph.", r!(c => {
        let (s, ctx) = c.caller()?;
        let limit = limit(&c, 100, MAX_VARIANTS)?;
        one(s.process_mining(&ctx, c.id("teamId")?, c.id("processId")?, &query(&c)?, limit).await)
    }));
    root.query(
        "performanceAnalytics",
        One("PerformanceOverview"),
        &[Id("teamId"), window],
        "The team's performance: throughput, cycle times, SLA and workload.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.performance_overview(&ctx, c.id("teamId")?, &query(&c)?).await)
        }),
    );
    root.query(
        "userAnalytics",
        One("PeopleAnalytics"),
        &[Id("teamId"), window],
        "Per person and per role: work done, times, load.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.people_analytics(&ctx, c.id("teamId")?, &query(&c)?).await)
        }),
    );
    root.query("trendAnalytics", One("TrendAnalysis"), &[Id("teamId"), OptId("processId"), window, Named("period", "TrendPeriod")],
        "Trends per day or week with their direction and significance.", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.trend_analysis(&ctx, c.id("teamId")?, c.opt_id("processId")?, &query(&c)?, period(&c)?).await)
    }));
    root.query("anomalyAnalytics", One("AnomalyReport"), &[Id("teamId"), OptId("processId"), window, Float("threshold")],
        "Instances and step executions whose durations are robust outliers.", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.anomaly_report(&ctx, c.id("teamId")?, c.opt_id("processId")?, &query(&c)?, threshold(&c)?).await)
    }));
    root.query("predictionAnalytics", One("PredictionReport"), &[Id("teamId"), OptId("processId"), OptId("instanceId"), window, Int("limit")],
        "Predicted completion of running instances, with intervals.", r!(c => {
        let (s, ctx) = c.caller()?;
        let limit = limit(&c, 100, MAX_PREDICTIONS)?;
        one(s.prediction_report(&ctx, c.id("teamId")?, c.opt_id("processId")?, c.opt_id("instanceId")?, &query(&c)?, limit).await)
    }));
    root.query("recommendationAnalytics", One("RecommendationReport"), &[Id("teamId"), OptId("processId"), window],
        "Recommendations with the numbers behind them.", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.recommendation_report(&ctx, c.id("teamId")?, c.opt_id("processId")?, &query(&c)?).await)
    }));

    root.query(
        "reports",
        Page("Report"),
        &[Id("teamId")],
        "The team's reports.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_reports(&ctx, c.id("teamId")?, c.page()?).await)
        }),
    );
    root.query(
        "report",
        One("Report"),
        &[Id("teamId"), Id("reportId")],
        "One report.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.get_report(&ctx, c.id("teamId")?, c.id("reportId")?).await)
        }),
    );
    root.mutation(
        "createReport",
        One("ReportCreated"),
        &[Id("teamId"), Input("input", "ReportInput")],
        "Create a report (on demand or scheduled); `runNow` also runs it.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_report(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "updateReport",
        One("Report"),
        &[Id("teamId"), Id("reportId"), Input("input", "ReportInput")],
        "Replace a report.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.update_report(&ctx, c.id("teamId")?, c.id("reportId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "deleteReport",
        One("Deleted"),
        &[Id("teamId"), Id("reportId")],
        "Delete a report.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "reportId", s.delete_report(&ctx, c.id("teamId")?, c.id("reportId")?).await)
        }),
    );
    root.mutation(
        "runReport",
        One("ReportExecution"),
        &[Id("teamId"), Id("reportId")],
        "Run a report now; the execution is queued (its output is downloaded over REST).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.run_report(&ctx, c.id("teamId")?, c.id("reportId")?).await)
        }),
    );
    root.query("reportExecutions", Page("ReportExecution"), &[Id("teamId"), Id("reportId")], "A report's runs, newest first.", r!(c => {
        let (s, ctx) = c.caller()?;
        page(s.list_report_executions(&ctx, c.id("teamId")?, c.id("reportId")?, c.page()?).await)
    }));
    root.query("reportExecution", One("ReportExecution"), &[Id("teamId"), Id("reportId"), Id("executionId")], "One run of a report.", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.get_report_execution(&ctx, c.id("teamId")?, c.id("reportId")?, c.id("executionId")?).await)
    }));

    root.query(
        "dashboards",
        Page("Dashboard"),
        &[Id("teamId")],
        "The team's dashboards.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_dashboards(&ctx, c.id("teamId")?, c.page()?).await)
        }),
    );
    root.query(
        "dashboard",
        One("Dashboard"),
        &[Id("teamId"), Id("dashboardId")],
        "One dashboard.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.get_dashboard(&ctx, c.id("teamId")?, c.id("dashboardId")?).await)
        }),
    );
    root.query(
        "dashboardData",
        One("DashboardData"),
        &[Id("teamId"), Id("dashboardId")],
        "A dashboard's widgets with their data.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.dashboard_data(&ctx, c.id("teamId")?, c.id("dashboardId")?).await)
        }),
    );
    root.mutation(
        "createDashboard",
        One("Dashboard"),
        &[Id("teamId"), Input("input", "DashboardInput")],
        "Create a dashboard.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_dashboard(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation("updateDashboard", One("Dashboard"), &[Id("teamId"), Id("dashboardId"), Input("input", "DashboardInput")], "Replace a dashboard.", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.update_dashboard(&ctx, c.id("teamId")?, c.id("dashboardId")?, c.input("input")?).await)
    }));
    root.mutation(
        "deleteDashboard",
        One("Deleted"),
        &[Id("teamId"), Id("dashboardId")],
        "Delete a dashboard.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            deleted(&c, "dashboardId", s.delete_dashboard(&ctx, c.id("teamId")?, c.id("dashboardId")?).await)
        }),
    );
}
