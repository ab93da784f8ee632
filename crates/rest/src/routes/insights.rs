//! Analytics findings: trends, anomalies, predictions, recommendations, people and the team's
//! performance. Every method is documented in `orgata_core::analytics`.

use axum::extract::{Path, State};
use orgata_core::analytics::anomalies::DEFAULT_THRESHOLD;
use orgata_core::model::*;
use orgata_core::services::analytics::MAX_PREDICTIONS;
use orgata_core::Error;

use super::analytics::{query, required_process, AnalyticsParams, ProcessParam};
use crate::envelope::{ok, ApiError, ApiResult, Envelope};
use crate::extract::{path_id, Auth, QueryMap};
use crate::AppState;

/// `?period=` of trends.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TrendParams {
    /// `day` (default) or `week` (ISO weeks from Monday, UTC).
    #[param(pattern = "^(day|week)$")]
    pub period: Option<String>,
}

/// `?threshold=` of anomalies.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AnomalyParams {
    /// The robust score above which a duration is an outlier (default 3.5).
    #[param(minimum = 1, maximum = 100)]
    pub threshold: Option<f64>,
}

/// `?instance_id=&limit=` of predictions.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PredictionParams {
    /// One running instance.
    pub instance_id: Option<uuid::Uuid>,
    /// The most instances predicted, oldest first (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// Throughput and median cycle time per day or week, with the Theil–Sen slope and whether
/// Mann–Kendall finds it significant; of one playbook or every playbook on `main` together.
/// Selects instances by completion: `from` defaults to the first completion, `to` to now; at
/// most 1000 periods, the most recent kept.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/trends", tag = "analytics",
    params(crate::openapi::TeamPath, ProcessParam, TrendParams, AnalyticsParams),
    responses((status = 200, description = "Trends", body = Envelope<TrendAnalysis>)))]
pub async fn trends(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let period = q
        .enumerated("period", TrendPeriod::parse, "day, week")?
        .unwrap_or(TrendPeriod::Day);
    Ok(ok(s
        .services
        .trend_analysis(&ctx, team_id, q.uuid("process_id")?, &query(&q)?, period)
        .await?))
}

/// Instances and step executions whose durations are robust outliers (median and MAD), and
/// running instances already older than their playbook's 95th percentile cycle time.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/anomalies", tag = "analytics",
    params(crate::openapi::TeamPath, ProcessParam, AnomalyParams, AnalyticsParams),
    responses((status = 200, description = "Anomalies", body = Envelope<AnomalyReport>)))]
pub async fn anomalies(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let threshold = match q.text("threshold")? {
        None => DEFAULT_THRESHOLD,
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| ApiError(Error::bad_request("threshold must be a number")))?,
    };
    Ok(ok(s
        .services
        .anomaly_report(&ctx, team_id, q.uuid("process_id")?, &query(&q)?, threshold)
        .await?))
}

/// Predicted completion of running instances with an 80% interval simulated from the history
/// of their remaining steps along their graph, the interval's coverage measured on held-out
/// history, and the probability that each completes.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/predictions", tag = "analytics",
    params(crate::openapi::TeamPath, ProcessParam, PredictionParams, AnalyticsParams),
    responses((status = 200, description = "Predictions", body = Envelope<PredictionReport>)))]
pub async fn predictions(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let limit = q.count("limit", 100, MAX_PREDICTIONS as u32)? as usize;
    Ok(ok(s
        .services
        .prediction_report(
            &ctx,
            team_id,
            q.uuid("process_id")?,
            q.uuid("instance_id")?,
            &query(&q)?,
            limit,
        )
        .await?))
}

/// Recommendations from fixed rules over each playbook's measures (a waiting step whose role
/// has one holder, SLAs often breached, failing steps, slow variants, slowing cycle times),
/// each citing its numbers.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/recommendations", tag = "analytics",
    params(crate::openapi::TeamPath, ProcessParam, AnalyticsParams),
    responses((status = 200, description = "Recommendations", body = Envelope<RecommendationReport>)))]
pub async fn recommendations(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(ok(s
        .services
        .recommendation_report(&ctx, team_id, q.uuid("process_id")?, &query(&q)?)
        .await?))
}

/// Per active member: tasks completed in the period, median handling time, late and overdue
/// work; for the team: throughput, workload spread over members, and each role's work. The
/// period defaults to the last 30 days.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/users", tag = "analytics",
    params(crate::openapi::TeamPath, AnalyticsParams),
    responses((status = 200, description = "People and team", body = Envelope<PeopleAnalytics>)))]
pub async fn users(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(ok(s
        .services
        .people_analytics(&ctx, team_id, &query(&q)?)
        .await?))
}

/// The team's headline measures over the instances started in the period (default: the last
/// 30 days), every playbook together, and each playbook's.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/performance", tag = "analytics",
    params(crate::openapi::TeamPath, AnalyticsParams),
    responses((status = 200, description = "Performance", body = Envelope<PerformanceOverview>)))]
pub async fn performance(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(ok(s
        .services
        .performance_overview(&ctx, team_id, &query(&q)?)
        .await?))
}

/// `?process_id=&format=` of an export.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportParams {
    /// The playbook.
    pub process_id: uuid::Uuid,
    /// `xes` (default) or `csv`.
    #[param(pattern = "^(xes|csv)$")]
    pub format: Option<String>,
}

/// A playbook's history as an IEEE XES log or CSV (`case_id, case_status, activity, step_id,
/// lifecycle, timestamp`): each instance a trace, each step execution a `start` event when
/// work on it started and a `complete` event when it finished. Streamed as it is written.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/exports", tag = "analytics",
    params(crate::openapi::TeamPath, ExportParams, AnalyticsParams),
    responses((status = 200, description = "The history", content(
        (String = "application/xml"),
        (String = "text/csv")))))]
pub async fn export(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    use axum::http::header;
    use axum::response::IntoResponse;
    let team_id = path_id(&team_id, "team_id")?;
    let format = q
        .enumerated("format", ExportFormat::parse, "xes, csv")?
        .unwrap_or(ExportFormat::Xes);
    let process_id = required_process(&q)?;
    let export = s
        .services
        .export_history(&ctx, team_id, process_id, &query(&q)?, format)
        .await?;
    let headers = [
        (header::CONTENT_TYPE, export.content_type().to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", export.file_name()),
        ),
    ];
    let chunks = futures_util::stream::iter(
        export
            .into_chunks()
            .map(|c| Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(c))),
    );
    Ok((headers, axum::body::Body::from_stream(chunks)).into_response())
}
