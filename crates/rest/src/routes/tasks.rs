//! Tasks: the work of human and agent steps, and standalone tasks.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{created_at, ok, paged, ApiResult, Envelope, PagedEnvelope};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The `task_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("task_id"), parameter_in = Path)]
pub struct TaskPath(
    /// Task id.
    pub uuid::Uuid,
);

/// Filters of the task list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TaskFilters {
    #[param(pattern = "^(open|in_progress|completed|cancelled|escalated)$")]
    pub status: Option<String>,
    /// A user id, or `me`.
    #[param(
        pattern = "^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
    )]
    pub assigned_to: Option<String>,
    pub process_instance_id: Option<uuid::Uuid>,
    /// Business role id.
    pub role: Option<uuid::Uuid>,
    #[param(pattern = "^(manual|review|approval|data_entry|decision|escalation)$")]
    pub r#type: Option<String>,
}

fn ids(
    (team_id, task_id): (String, String),
) -> Result<(uuid::Uuid, uuid::Uuid), crate::envelope::ApiError> {
    Ok((path_id(&team_id, "team_id")?, path_id(&task_id, "task_id")?))
}

/// The team's tasks, newest first (filters: status, assigned_to — `me` allowed —,
/// process_instance_id, role, type).
#[utoipa::path(get, path = "/v1/teams/{team_id}/tasks", tag = "tasks",
    params(crate::openapi::TeamPath, TaskFilters, crate::openapi::PageParams),
    responses((status = 200, description = "Tasks", body = PagedEnvelope<Task>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let assigned_to = match q.text("assigned_to")?.as_deref() {
        Some("me") => Some(ctx.actor.user.id),
        Some(_) => q.uuid("assigned_to")?,
        None => None,
    };
    let filter = TaskFilter {
        status: q.enumerated(
            "status",
            TaskStatus::parse,
            "open, in_progress, completed, cancelled, escalated",
        )?,
        assigned_to,
        process_instance_id: q.uuid("process_instance_id")?,
        process_instance_ids: Vec::new(),
        role: q.uuid("role")?,
        kind: q.enumerated(
            "type",
            TaskType::parse,
            "manual, review, approval, data_entry, decision, escalation",
        )?,
        workable_by: None,
        open_only: false,
        agent_steps: None,
    };
    Ok(paged(
        s.services
            .list_tasks(&ctx, team_id, filter, q.page()?)
            .await?,
    ))
}

/// Create a standalone task (members); unassigned unless `assigned_to` is given.
#[utoipa::path(post, path = "/v1/teams/{team_id}/tasks", tag = "tasks",
    params(crate::openapi::TeamPath), request_body = NewTask,
    responses((status = 201, description = "The task", body = Envelope<Task>)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Work).await?;
    let t = s.services.create_task(&ctx, team_id, body.parse()?).await?;
    Ok(created_at(format!("/v1/teams/{team_id}/tasks/{}", t.id), t))
}

/// One task.
#[utoipa::path(get, path = "/v1/teams/{team_id}/tasks/{task_id}", tag = "tasks",
    params(crate::openapi::TeamPath, TaskPath),
    responses((status = 200, description = "The task", body = Envelope<Task>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = ids(p)?;
    Ok(ok(s.services.get_task(&ctx, team_id, id).await?))
}

/// Change a task's title, description, priority, due date or assignee.
#[utoipa::path(put, path = "/v1/teams/{team_id}/tasks/{task_id}", tag = "tasks",
    params(crate::openapi::TeamPath, TaskPath), request_body = TaskUpdate,
    responses((status = 200, description = "The task", body = Envelope<Task>)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = ids(p)?;
    s.services.require(&ctx, team_id, Permission::Work).await?;
    Ok(ok(s
        .services
        .update_task(&ctx, team_id, id, body.parse_or_default()?)
        .await?))
}

/// Claim a task: it becomes yours and in progress.
#[utoipa::path(post, path = "/v1/teams/{team_id}/tasks/{task_id}/claim", tag = "tasks",
    params(crate::openapi::TeamPath, TaskPath),
    responses((status = 200, description = "The task", body = Envelope<Task>)))]
pub async fn claim(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = ids(p)?;
    s.services.require(&ctx, team_id, Permission::Work).await?;
    Ok(ok(s.services.claim_task(&ctx, team_id, id).await?))
}

/// Complete a task: a step's work task executes the step with `output`; an approval task
/// decides with `{approved, comment}` (a rejection needs a comment and reopens the step);
/// an escalation task records how the breach was handled.
#[utoipa::path(post, path = "/v1/teams/{team_id}/tasks/{task_id}/complete", tag = "tasks",
    params(crate::openapi::TeamPath, TaskPath), request_body(content = CompleteTask, description = "Optional"),
    responses((status = 200, description = "The task", body = Envelope<Task>)))]
pub async fn complete(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = ids(p)?;
    s.services.require(&ctx, team_id, Permission::Work).await?;
    Ok(ok(s
        .services
        .complete_task(&ctx, team_id, id, body.parse_or_default()?)
        .await?))
}

/// A task's comments, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/tasks/{task_id}/comments", tag = "tasks",
    params(crate::openapi::TeamPath, TaskPath, crate::openapi::PageParams),
    responses((status = 200, description = "Comments", body = PagedEnvelope<TaskComment>)))]
pub async fn list_comments(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = ids(p)?;
    Ok(paged(
        s.services
            .list_task_comments(&ctx, team_id, id, q.page()?)
            .await?,
    ))
}

/// Comment on a task (members).
#[utoipa::path(post, path = "/v1/teams/{team_id}/tasks/{task_id}/comments", tag = "tasks",
    params(crate::openapi::TeamPath, TaskPath), request_body = NewComment,
    responses((status = 201, description = "The comment", body = Envelope<TaskComment>)))]
pub async fn comment(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = ids(p)?;
    s.services.require(&ctx, team_id, Permission::Work).await?;
    let c = s
        .services
        .comment_task(&ctx, team_id, id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/tasks/{id}/comments"),
        c,
    ))
}
