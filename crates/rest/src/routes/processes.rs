//! Process definitions (playbooks), at `/processes` and, identically, `/playbooks`.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{
    created_at, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope,
};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The `process_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("process_id"), parameter_in = Path)]
pub struct ProcessPath(
    /// Playbook id.
    pub uuid::Uuid,
);

/// `?ref=`: a branch name or commit id (default `main`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RefParam {
    /// A branch name or a commit id (default `main`).
    #[param(pattern = "^([a-z0-9][a-z0-9._-]{0,99}|[0-9a-f]{64})$")]
    #[allow(dead_code)]
    pub r#ref: Option<String>,
}

/// `?ref=` of a write: a branch name (default `main`); commits cannot be changed (422).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BranchParam {
    /// A branch name (default `main`).
    #[param(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    #[allow(dead_code)]
    pub r#ref: Option<String>,
}

/// The team's playbooks at a ref, newest first. Also served at `/v1/teams/{team_id}/playbooks`.
#[utoipa::path(get, path = "/v1/teams/{team_id}/processes", tag = "processes",
    params(crate::openapi::TeamPath, RefParam, crate::openapi::PageParams),
    responses((status = 200, description = "Playbooks", body = PagedEnvelope<Playbook>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let reference = q.text("ref")?;
    Ok(paged(
        s.services
            .list_playbooks(&ctx, team_id, reference.as_deref(), q.page()?)
            .await?,
    ))
}

/// Create a playbook (editors): checked, then committed to the branch.
#[utoipa::path(post, path = "/v1/teams/{team_id}/processes", tag = "processes",
    params(crate::openapi::TeamPath, BranchParam), request_body = PlaybookInput,
    responses((status = 201, description = "The playbook", body = Envelope<Playbook>)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let reference = q.text("ref")?;
    let p = s
        .services
        .save_playbook(&ctx, team_id, None, reference.as_deref(), body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/processes/{}", p.id),
        p,
    ))
}

/// One playbook at a ref.
#[utoipa::path(get, path = "/v1/teams/{team_id}/processes/{process_id}", tag = "processes",
    params(crate::openapi::TeamPath, ProcessPath, RefParam),
    responses((status = 200, description = "The playbook", body = Envelope<Playbook>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "process_id")?);
    let reference = q.text("ref")?;
    Ok(ok(s
        .services
        .get_playbook(&ctx, team_id, id, reference.as_deref())
        .await?))
}

/// Replace a playbook (editors): a new version. `version` (or `If-Match`) names the version
/// the edit was based on; 409 if the playbook changed since.
#[utoipa::path(put, path = "/v1/teams/{team_id}/processes/{process_id}", tag = "processes",
    params(crate::openapi::TeamPath, ProcessPath, BranchParam), request_body = PlaybookInput,
    responses((status = 200, description = "The playbook", body = Envelope<Playbook>)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
    headers: axum::http::HeaderMap,
    body: Body,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "process_id")?);
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let reference = q.text("ref")?;
    let mut input: PlaybookInput = body.parse()?;
    if input.version.is_none() {
        input.version = crate::extract::if_match(&headers);
    }
    Ok(ok(s
        .services
        .save_playbook(&ctx, team_id, Some(id), reference.as_deref(), input)
        .await?))
}

/// Archive a playbook (editors); running instances continue. With `If-Match`, only if the
/// playbook is still at that version (409 otherwise).
#[utoipa::path(delete, path = "/v1/teams/{team_id}/processes/{process_id}", tag = "processes",
    params(crate::openapi::TeamPath, ProcessPath, BranchParam),
    responses((status = 200, description = "Archived", body = Envelope<Deleted>)))]
pub async fn delete(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
    headers: axum::http::HeaderMap,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "process_id")?);
    let reference = q.text("ref")?;
    let expected = crate::extract::if_match(&headers);
    s.services
        .archive_playbook(&ctx, team_id, id, reference.as_deref(), expected.as_deref())
        .await?;
    Ok(deleted(id))
}

/// `?step_id=`: only the commits that changed this step (its fields or its place).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StepParam {
    /// A step id of the playbook.
    #[param(pattern = "^[a-z][a-z0-9_]{0,63}$")]
    #[allow(dead_code)]
    pub step_id: Option<String>,
}

/// The commits reachable from the ref that changed a playbook (or one of its steps), newest
/// first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/processes/{process_id}/history", tag = "processes",
    params(crate::openapi::TeamPath, ProcessPath, RefParam, StepParam, crate::openapi::PageParams),
    responses((status = 200, description = "Commits", body = PagedEnvelope<Commit>)))]
pub async fn history(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "process_id")?);
    let (reference, step_id) = (q.text("ref")?, q.text("step_id")?);
    Ok(paged(
        s.services
            .playbook_history(
                &ctx,
                team_id,
                id,
                reference.as_deref(),
                step_id.as_deref(),
                q.page()?,
            )
            .await?,
    ))
}

/// Start an instance of the playbook (members), pinned to its version on the ref.
#[utoipa::path(post, path = "/v1/teams/{team_id}/processes/{process_id}/instances", tag = "processes",
    params(crate::openapi::TeamPath, ProcessPath), request_body = StartInstance,
    responses((status = 201, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn start(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "process_id")?);
    s.services.require(&ctx, team_id, Permission::Work).await?;
    let i = s
        .services
        .start_instance(&ctx, team_id, id, body.parse_or_default()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/process-instances/{}", i.id),
        i,
    ))
}
