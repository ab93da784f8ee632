//! Process execution: instances, their steps and exceptions, and outside callbacks.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;
use orgata_core::services::{InstanceCommand, StepCommand};

use crate::envelope::{created_at, ok, paged, ApiResult, Envelope, PagedEnvelope};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The `instance_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("instance_id"), parameter_in = Path)]
pub struct InstancePath(
    /// Process instance id.
    pub uuid::Uuid,
);

/// The `step_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("step_id"), parameter_in = Path)]
pub struct StepPath(
    /// Step id (a slug of the playbook).
    #[param(pattern = "^[a-z][a-z0-9_]{0,63}$")]
    pub String,
);

/// The `exception_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("exception_id"), parameter_in = Path)]
pub struct ExceptionPath(
    /// Exception id.
    pub uuid::Uuid,
);

/// Filters of the instance list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct InstanceFilters {
    /// `not_started|running|paused|completed|failed|cancelled`
    #[param(pattern = "^(not_started|running|paused|completed|failed|cancelled)$")]
    pub status: Option<String>,
    /// Playbook id.
    pub process_id: Option<uuid::Uuid>,
    #[param(max_length = 200)]
    pub business_key: Option<String>,
}

type Ids = Path<(String, String)>;

fn ids(
    (team_id, instance_id): (String, String),
) -> Result<(uuid::Uuid, uuid::Uuid), crate::envelope::ApiError> {
    Ok((
        path_id(&team_id, "team_id")?,
        path_id(&instance_id, "instance_id")?,
    ))
}

/// The team's process instances, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/process-instances", tag = "process-instances",
    params(crate::openapi::TeamPath, InstanceFilters, crate::openapi::PageParams),
    responses((status = 200, description = "Instances", body = PagedEnvelope<ProcessInstance>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let status = match q.text("status")? {
        Some(v) => Some(InstanceStatus::parse(&v).ok_or_else(|| {
            orgata_core::Error::invalid(
                "/status",
                "invalid",
                "must be not_started, running, paused, completed, failed or cancelled",
            )
        })?),
        None => None,
    };
    let filter = InstanceFilter {
        status,
        process_id: q.uuid("process_id")?,
        business_key: q.text("business_key")?,
        ids: Vec::new(),
    };
    Ok(paged(
        s.services
            .list_instances(&ctx, team_id, filter, q.page()?)
            .await?,
    ))
}

/// One instance with its step executions.
#[utoipa::path(get, path = "/v1/teams/{team_id}/process-instances/{instance_id}", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath),
    responses((status = 200, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn get(State(s): State<AppState>, Auth(ctx): Auth, Path(p): Ids) -> ApiResult {
    let (team_id, id) = ids(p)?;
    Ok(ok(s.services.get_instance(&ctx, team_id, id).await?))
}

async fn command(
    s: AppState,
    ctx: orgata_core::services::Ctx,
    p: (String, String),
    body: Body,
    c: InstanceCommand,
) -> ApiResult {
    let (team_id, id) = ids(p)?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    Ok(ok(s
        .services
        .instance_command(&ctx, team_id, id, c, body.parse_or_default()?)
        .await?))
}

/// Pause a running instance (editors).
#[utoipa::path(post, path = "/v1/teams/{team_id}/process-instances/{instance_id}/pause", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath), request_body(content = Reason, description = "Optional"),
    responses((status = 200, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn pause(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Ids,
    body: Body,
) -> ApiResult {
    command(s, ctx, p, body, InstanceCommand::Pause).await
}

/// Resume a paused instance (editors).
#[utoipa::path(post, path = "/v1/teams/{team_id}/process-instances/{instance_id}/resume", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath), request_body(content = Reason, description = "Optional"),
    responses((status = 200, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn resume(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Ids,
    body: Body,
) -> ApiResult {
    command(s, ctx, p, body, InstanceCommand::Resume).await
}

/// Cancel an instance (editors): open tasks are cancelled.
#[utoipa::path(post, path = "/v1/teams/{team_id}/process-instances/{instance_id}/cancel", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath), request_body(content = Reason, description = "Optional"),
    responses((status = 200, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn cancel(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Ids,
    body: Body,
) -> ApiResult {
    command(s, ctx, p, body, InstanceCommand::Cancel).await
}

async fn step(
    s: AppState,
    ctx: orgata_core::services::Ctx,
    (team_id, id, step_id): (String, String, String),
    body: Body,
    kind: &str,
) -> ApiResult {
    let (team_id, id) = ids((team_id, id))?;
    let needed = if kind == "execute" {
        Permission::Work
    } else {
        Permission::Edit
    };
    s.services.require(&ctx, team_id, needed).await?;
    let c = match kind {
        "execute" => StepCommand::Execute(body.parse_or_default()?),
        "skip" => StepCommand::Skip(body.parse()?),
        "override" => StepCommand::Override(body.parse()?),
        _ => StepCommand::Retry(body.parse_or_default()?),
    };
    Ok(ok(s
        .services
        .step_command(&ctx, team_id, id, &step_id, c)
        .await?))
}

/// Execute a running step with its output (checked against its form and rules).
#[utoipa::path(post, path = "/v1/teams/{team_id}/process-instances/{instance_id}/steps/{step_id}/execute", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath, StepPath), request_body(content = ExecuteStep, description = "Optional"),
    responses((status = 200, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn execute(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String, String)>,
    body: Body,
) -> ApiResult {
    step(s, ctx, p, body, "execute").await
}

/// Skip a step that has not finished (editors), with a reason.
#[utoipa::path(post, path = "/v1/teams/{team_id}/process-instances/{instance_id}/steps/{step_id}/skip", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath, StepPath), request_body = SkipStep,
    responses((status = 200, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn skip(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String, String)>,
    body: Body,
) -> ApiResult {
    step(s, ctx, p, body, "skip").await
}

/// Finish a step with a given output (editors), recorded as an override.
#[utoipa::path(post, path = "/v1/teams/{team_id}/process-instances/{instance_id}/steps/{step_id}/override", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath, StepPath), request_body = OverrideStep,
    responses((status = 200, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn override_step(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String, String)>,
    body: Body,
) -> ApiResult {
    step(s, ctx, p, body, "override").await
}

/// Run a failed (or stuck) step again as a new execution (editors).
#[utoipa::path(post, path = "/v1/teams/{team_id}/process-instances/{instance_id}/steps/{step_id}/retry", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath, StepPath), request_body(content = Reason, description = "Optional"),
    responses((status = 200, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn retry(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Path<(String, String, String)>,
    body: Body,
) -> ApiResult {
    step(s, ctx, p, body, "retry").await
}

/// The instance's exceptions, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/process-instances/{instance_id}/exceptions", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath, crate::openapi::PageParams),
    responses((status = 200, description = "Exceptions", body = PagedEnvelope<ProcessException>)))]
pub async fn list_exceptions(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Ids,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = ids(p)?;
    Ok(paged(
        s.services
            .list_exceptions(&ctx, team_id, id, q.page()?)
            .await?,
    ))
}

/// Raise an exception by hand (members).
#[utoipa::path(post, path = "/v1/teams/{team_id}/process-instances/{instance_id}/exceptions", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath), request_body = RaiseException,
    responses((status = 201, description = "The exception", body = Envelope<ProcessException>)))]
pub async fn raise(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(p): Ids,
    body: Body,
) -> ApiResult {
    let (team_id, id) = ids(p)?;
    s.services.require(&ctx, team_id, Permission::Work).await?;
    let x = s
        .services
        .raise_exception(&ctx, team_id, id, body.parse()?)
        .await?;
    Ok(created_at(
        format!(
            "/v1/teams/{team_id}/process-instances/{id}/exceptions/{}",
            x.id
        ),
        x,
    ))
}

/// Handle an exception (editors): retry, skip, override, reassign or cancel.
#[utoipa::path(post, path = "/v1/teams/{team_id}/process-instances/{instance_id}/exceptions/{exception_id}/handle", tag = "process-instances",
    params(crate::openapi::TeamPath, InstancePath, ExceptionPath), request_body = HandleException,
    responses((status = 200, description = "The exception", body = Envelope<ProcessException>)))]
pub async fn handle(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id, exception_id)): Path<(String, String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = ids((team_id, id))?;
    let exception_id = path_id(&exception_id, "exception_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    Ok(ok(s
        .services
        .handle_exception(&ctx, team_id, id, exception_id, body.parse()?)
        .await?))
}

/// The `token` of a callback URL.
#[derive(utoipa::IntoParams)]
#[into_params(names("token"), parameter_in = Path)]
pub struct TokenPath(
    /// The single-use token of a `wait_for_callback` step.
    #[param(pattern = "^ocb_[A-Za-z0-9_-]{16,128}$")]
    pub String,
);

/// Complete a `wait_for_callback` step from outside: the body becomes its output. The token
/// in the URL is the credential and works once.
#[utoipa::path(post, path = "/v1/callbacks/{token}", tag = "process-instances", security(()),
    params(TokenPath), request_body(content = Object, description = "The step's output"),
    responses((status = 200, description = "The instance", body = Envelope<ProcessInstance>)))]
pub async fn callback(
    State(s): State<AppState>,
    crate::extract::Public(_meta): crate::extract::Public,
    Path(token): Path<String>,
    body: Body,
) -> ApiResult {
    let output: serde_json::Value = body
        .parse_or_default::<serde_json::Map<String, serde_json::Value>>()
        .map(serde_json::Value::Object)?;
    Ok(ok(s.services.callback(&token, output).await?))
}
