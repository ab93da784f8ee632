//! Reports: definitions, runs (now or on a schedule, by the job runner) and their documents.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use orgata_core::access::Permission;
use orgata_core::model::*;
use orgata_core::services::reports::ReportCreated;

use crate::envelope::{
    created_at, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope,
};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::openapi::{ReportExecutionPath, ReportPath, TeamPath};
use crate::AppState;

/// Create a report (editors): its type sets its sections (`custom` chooses them), its format
/// the document. Without a schedule it runs at once; with one (5-field cron in the team's time
/// zone) the job runner runs it then, and `run_now` runs it now as well.
#[utoipa::path(post, path = "/v1/teams/{team_id}/analytics/reports", tag = "analytics", params(TeamPath),
    request_body = ReportInput,
    responses((status = 201, description = "The report and the run it queued", body = Envelope<ReportCreated>)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let made = s
        .services
        .create_report(&ctx, team_id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/analytics/reports/{}", made.report.id),
        made,
    ))
}

/// The team's reports, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/reports", tag = "analytics",
    params(TeamPath, crate::openapi::PageParams),
    responses((status = 200, description = "Reports", body = PagedEnvelope<Report>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(paged(
        s.services.list_reports(&ctx, team_id, q.page()?).await?,
    ))
}

/// One report.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/reports/{report_id}", tag = "analytics",
    params(TeamPath, ReportPath),
    responses((status = 200, description = "The report", body = Envelope<Report>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, report_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&report_id, "report_id")?,
    );
    Ok(ok(s.services.get_report(&ctx, team_id, id).await?))
}

/// Replace a report (editors); its scheduled runs not yet done follow the new schedule.
#[utoipa::path(put, path = "/v1/teams/{team_id}/analytics/reports/{report_id}", tag = "analytics",
    params(TeamPath, ReportPath), request_body = ReportInput,
    responses((status = 200, description = "The report", body = Envelope<Report>)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, report_id)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&report_id, "report_id")?,
    );
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    Ok(ok(s
        .services
        .update_report(&ctx, team_id, id, body.parse()?)
        .await?))
}

/// Delete a report with its queued runs and kept documents (editors).
#[utoipa::path(delete, path = "/v1/teams/{team_id}/analytics/reports/{report_id}", tag = "analytics",
    params(TeamPath, ReportPath),
    responses((status = 200, description = "Deleted", body = Envelope<Deleted>)))]
pub async fn delete(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, report_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&report_id, "report_id")?,
    );
    s.services.delete_report(&ctx, team_id, id).await?;
    Ok(deleted(id))
}

/// Run a report now (editors): the job runner writes its document.
#[utoipa::path(post, path = "/v1/teams/{team_id}/analytics/reports/{report_id}/executions", tag = "analytics",
    params(TeamPath, ReportPath),
    responses((status = 201, description = "The queued run", body = Envelope<ReportExecution>)))]
pub async fn run(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, report_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&report_id, "report_id")?,
    );
    let e = s.services.run_report(&ctx, team_id, id).await?;
    Ok(created_at(
        format!(
            "/v1/teams/{team_id}/analytics/reports/{id}/executions/{}",
            e.id
        ),
        e,
    ))
}

/// A report's runs, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/reports/{report_id}/executions", tag = "analytics",
    params(TeamPath, ReportPath, crate::openapi::PageParams),
    responses((status = 200, description = "Runs", body = PagedEnvelope<ReportExecution>)))]
pub async fn executions(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, report_id)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&report_id, "report_id")?,
    );
    Ok(paged(
        s.services
            .list_report_executions(&ctx, team_id, id, q.page()?)
            .await?,
    ))
}

/// One run of a report.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/reports/{report_id}/executions/{execution_id}",
    tag = "analytics", params(TeamPath, ReportExecutionPath),
    responses((status = 200, description = "The run", body = Envelope<ReportExecution>)))]
pub async fn execution(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, report_id, execution_id)): Path<(String, String, String)>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let (report_id, id) = (
        path_id(&report_id, "report_id")?,
        path_id(&execution_id, "execution_id")?,
    );
    Ok(ok(s
        .services
        .get_report_execution(&ctx, team_id, report_id, id)
        .await?))
}

/// The document a completed run wrote (409 while pending, or when it failed).
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/reports/{report_id}/executions/{execution_id}/output",
    tag = "analytics", params(TeamPath, ReportExecutionPath),
    responses((status = 200, description = "The document", content(
        (Vec<u8> = "application/pdf"),
        (String = "application/json"),
        (String = "text/csv"),
        (String = "text/html"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn output(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, report_id, execution_id)): Path<(String, String, String)>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let (report_id, id) = (
        path_id(&report_id, "report_id")?,
        path_id(&execution_id, "execution_id")?,
    );
    let out = s
        .services
        .report_output(&ctx, team_id, report_id, id)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, out.content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", out.file_name),
            ),
        ],
        out.bytes,
    )
        .into_response())
}
