//! The tools: the spec's sixteen names over the service layer. Each has an input schema (its
//! argument struct), an output schema (the answer's REST type, flattened), honest annotations,
//! a toolset, and — when it changes data — an optional idempotency key.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use orgata_core::analytics::anomalies::DEFAULT_THRESHOLD;
use orgata_core::model::*;
use orgata_core::page::PageRequest;
use orgata_core::services::analytics::AnalyticsQuery;
use orgata_core::services::idempotency::IdempotencyDecision;
use orgata_core::services::{Ctx, StepCommand};
use orgata_core::{Error, ErrorCode};
use orgata_rest::extract::parse_object;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::failure::tool_error;
use crate::schema::{self, array, object, page, record};
use crate::server::{OrgataMcp, Policy};

/// Members listed per page of `list_team_members` and `team://members`.
pub const MEMBERS_PER_PAGE: u32 = 50;

/// One tool of the catalogue.
pub struct ToolDef {
    pub tool: Tool,
    /// The toolset a session may switch on or off: `processes`, `tasks`, `collaboration`,
    /// `analytics`, `team`.
    pub toolset: &'static str,
    /// Whether it changes data (hidden in read-only sessions).
    pub mutating: bool,
    /// Where to look up the ids it takes, for error hints.
    pub lookup: &'static str,
}

fn def<A: JsonSchema>(
    name: &'static str,
    toolset: &'static str,
    description: &'static str,
    output: Value,
    annotations: ToolAnnotations,
    lookup: &'static str,
) -> ToolDef {
    let mutating = annotations.read_only_hint != Some(true);
    ToolDef {
        tool: Tool::new(name, description, schema::input::<A>())
            .with_raw_output_schema(schema::to_object(output))
            .with_annotations(annotations.open_world(false)),
        toolset,
        mutating,
        lookup,
    }
}

/// A tool that only reads (the destructive and idempotent hints mean nothing then).
fn reads(title: &str) -> ToolAnnotations {
    ToolAnnotations::with_title(title).read_only(true)
}

fn writes(title: &str) -> ToolAnnotations {
    ToolAnnotations::with_title(title)
        .read_only(false)
        .destructive(false)
        .idempotent(false)
}

const PLAYBOOKS: &str = "playbook ids are in playbooks://library";
const INSTANCES: &str = "instance ids are in processes://active; get_process_status shows one";
const TASKS: &str = "your tasks are in tasks://assigned";
const PROPOSALS: &str = "read proposal://{proposal_id} for its state";

/// The whole catalogue, in a stable order.
pub fn catalogue() -> &'static [ToolDef] {
    static CATALOGUE: OnceLock<Vec<ToolDef>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let instance = record("ProcessInstance");
        vec![
            def::<CreateProcess>("create_process", "processes",
                "Start an instance of a playbook (its steps then run: tasks for people and agents, automatic steps by the runtime).",
                instance.clone(), writes("Start a process instance"), PLAYBOOKS),
            def::<GetProcessStatus>("get_process_status", "processes",
                "An instance's state: status, current step, step executions, its tasks and exceptions.",
                object(&[("instance", instance.clone()), ("tasks", array(json!({"type": "object"}))), ("exceptions", array(json!({"type": "object"})))]),
                reads("Process status"), INSTANCES),
            def::<ExecuteStepArgs>("execute_step", "processes",
                "Act on a step of a running instance: execute it with an output, skip or override it (with a reason), or retry it.",
                instance.clone(), writes("Execute a step"), INSTANCES),
            def::<HandleExceptionArgs>("handle_exception", "processes",
                "Resolve an instance's exception: retry, skip, override (with output), reassign (to assignee) or cancel.",
                record("ProcessException"), writes("Handle an exception"), INSTANCES),
            def::<CompleteTaskArgs>("complete_task", "tasks",
                "Complete a task offered to you (tasks://assigned) with its output; a step's task moves its instance on.",
                record("Task"), writes("Complete a task"), TASKS),
            def::<UpdateProcess>("update_process", "collaboration",
                "Save a playbook definition on a branch (made from main if new). Changes reach main only through a reviewed proposal.",
                record("Playbook"), writes("Edit a playbook on a branch"), PLAYBOOKS),
            def::<CreateProposal>("create_proposal", "collaboration",
                "Open a change proposal from a branch (into main by default) and submit it for review.",
                record("ChangeProposal"), writes("Open a change proposal"), "branches are listed at GET /v1/teams/{team_id}/branches"),
            def::<ReviewChange>("review_change", "collaboration",
                "Review a change proposal: approve, request changes, or reject, with comments.",
                record("ChangeReview"), writes("Review a change"), PROPOSALS),
            def::<MergeBranch>("merge_branch", "collaboration",
                "Merge an approved change proposal's branch into its target.",
                record("ChangeProposal"), writes("Merge a proposal"), PROPOSALS),
            def::<Window>("analyze_performance", "analytics",
                "Performance figures: of the team's playbooks, or of one playbook with its steps and bottlenecks.",
                json!({"type": "object", "properties": {"overview": record("PerformanceOverview"), "process": record("ProcessAnalytics")}}),
                reads("Analyze performance"), PLAYBOOKS),
            def::<Window>("identify_bottlenecks", "analytics",
                "The steps that take the largest share of cycle time, per playbook, ranked.",
                object(&[("playbooks", array(object(&[("process_id", json!({"type": "string"})), ("name", json!({"type": "string"})), ("bottlenecks", array(record("Bottleneck")))])))]),
                reads("Identify bottlenecks"), PLAYBOOKS),
            def::<PredictOutcomes>("predict_outcomes", "analytics",
                "Predicted completion of running instances, with intervals, from the history of their steps.",
                record("PredictionReport"), reads("Predict outcomes"), INSTANCES),
            def::<DetectAnomalies>("detect_anomalies", "analytics",
                "Instances and steps whose durations are outliers (robust z-score above threshold).",
                record("AnomalyReport"), reads("Detect anomalies"), PLAYBOOKS),
            def::<Window>("recommend_improvements", "analytics",
                "Improvement recommendations, each with the figures behind it.",
                record("RecommendationReport"), reads("Recommend improvements"), PLAYBOOKS),
            def::<Window>("generate_insights", "analytics",
                "The significant trends, anomalies and top recommendations together, with notes on missing data.",
                object(&[("trends", array(json!({"type": "object"}))), ("anomalies", array(json!({"type": "object"}))), ("recommendations", array(json!({"type": "object"}))), ("notes", array(json!({"type": "string"})))]),
                reads("Generate insights"), PLAYBOOKS),
            def::<ListMembers>("list_team_members", "team",
                "The team's members with their access role and business roles.",
                page(record("TeamMember")), reads("List team members"), "team://current names your teams"),
        ]
    })
}

/// The tools a session with `policy` sees.
pub fn listed(policy: &Policy) -> Vec<Tool> {
    catalogue()
        .iter()
        .filter(|d| policy.allows(d.toolset, d.mutating))
        .map(|d| d.tool.clone())
        .collect()
}

/// Runs a `tools/call`.
pub async fn call(
    server: &OrgataMcp,
    caller: Ctx,
    policy: &Policy,
    request: CallToolRequestParams,
) -> CallToolResult {
    let name = request.name.as_ref();
    let args = request.arguments.unwrap_or_default();
    let Some(def) = catalogue().iter().find(|d| d.tool.name == name) else {
        return tool_error(
            &Error::not_found("tool"),
            "tools/list names the tools of this session",
        );
    };
    if !policy.allows(def.toolset, def.mutating) {
        let why = if def.mutating && policy.read_only {
            "this session is read-only (the token's scope, the operator, or X-MCP-Readonly)"
        } else {
            "its toolset is not enabled in this session"
        };
        return tool_error(&Error::forbidden(format!("{name}: {why}")), "");
    }
    let key = match args.get("idempotency_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) if (1..=255).contains(&k.chars().count()) => Some(k.clone()),
        Some(_) => {
            return tool_error(
                &Error::invalid(
                    "/idempotency_key",
                    "invalid",
                    "must be text of 1 to 255 characters",
                ),
                "",
            )
        }
    };
    match (def.mutating, key) {
        (true, Some(key)) => idempotent(server, &caller, def, &key, args).await,
        _ => answer(run(server, &caller, name, args).await, def.lookup),
    }
}

/// A finished call: the structured answer with a short text line and the JSON, or the error.
fn answer(result: Result<(Value, String), Error>, lookup: &str) -> CallToolResult {
    match result {
        Ok((value, summary)) => {
            let text = format!("{summary}\n{value}");
            let mut out = CallToolResult::structured(value);
            out.content = vec![ContentBlock::text(text)];
            out
        }
        Err(e) => tool_error(&e, lookup),
    }
}

/// Runs a changing call once per idempotency key: a repeat with the same arguments gets the
/// first answer again; other arguments under the same key are refused.
async fn idempotent(
    server: &OrgataMcp,
    caller: &Ctx,
    def: &ToolDef,
    key: &str,
    mut args: JsonObject,
) -> CallToolResult {
    args.remove("idempotency_key");
    let principal = format!("mcp:{}", caller.actor.user.id);
    let mut hasher = Sha256::new();
    hasher.update(def.tool.name.as_bytes());
    hasher.update(b"\n");
    hasher.update(orgata_core::chain::canonical_json(&Value::Object(args.clone())).as_bytes());
    let hash = hex::encode(hasher.finalize());
    let services = &server.services;
    let decision = match services.begin_idempotent(&principal, key, &hash).await {
        Err(e) => return tool_error(&e, ""),
        Ok(d) => d,
    };
    if let Some(e) = decision.refusal("/idempotency_key") {
        return tool_error(&e, "");
    }
    if let IdempotencyDecision::Replay { body, .. } = decision {
        return serde_json::from_slice(&body).unwrap_or_else(|_| {
            tool_error(&Error::internal("a kept answer could not be read"), "")
        });
    }
    let name = def.tool.name.to_string();
    let result = run(server, caller, &name, args).await;
    let keep = match &result {
        Err(e)
            if matches!(
                e.code(),
                ErrorCode::Internal | ErrorCode::Timeout | ErrorCode::RateLimited
            ) =>
        {
            None
        }
        Err(e) => Some(e.code().http_status()),
        Ok(_) => Some(200),
    };
    let out = answer(result, def.lookup);
    let body = serde_json::to_vec(&out).unwrap_or_default();
    let kept = keep.map(|status| (status, body.as_slice()));
    if let Err(e) = services.finish_idempotent(&principal, key, kept).await {
        tracing::warn!(error = %e, "an MCP idempotent answer was not kept");
    }
    out
}

fn parse<T: DeserializeOwned>(args: JsonObject) -> Result<T, Error> {
    parse_object(Value::Object(args))
}

/// A service's answer as JSON.
pub(crate) fn to_value<T: Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(Error::internal)
}

fn text_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("-")
}

fn window(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> AnalyticsQuery {
    AnalyticsQuery {
        from,
        to,
        ..AnalyticsQuery::default()
    }
}

/// Runs tool `name` with `args` as `caller`.
async fn run(
    server: &OrgataMcp,
    caller: &Ctx,
    name: &str,
    args: JsonObject,
) -> Result<(Value, String), Error> {
    let s = &server.services;
    match name {
        "create_process" => {
            let a: CreateProcess = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let input = StartInstance {
                name: a.name,
                variables: a.variables.map(Value::Object),
                business_key: a.business_key,
                reference: a.branch,
            };
            let i = s.start_instance(caller, team, a.playbook_id, input).await?;
            let summary = format!(
                "started instance {} of playbook {}: {}",
                i.id,
                i.playbook_id,
                i.status.as_str()
            );
            Ok((to_value(&i)?, summary))
        }
        "get_process_status" => {
            let a: GetProcessStatus = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let i = s.get_instance(caller, team, a.instance_id).await?;
            let filter = TaskFilter {
                process_instance_id: Some(i.id),
                ..TaskFilter::default()
            };
            let tasks = s.list_tasks(caller, team, filter, first(100)).await?.items;
            let exceptions = s
                .list_exceptions(caller, team, i.id, first(50))
                .await?
                .items;
            let open = tasks.iter().filter(|t| t.status.is_open()).count();
            let unhandled = exceptions.iter().filter(|e| !e.handled).count();
            let summary = format!(
                "instance {} is {}{}; {open} open task(s), {unhandled} unhandled exception(s)",
                i.id,
                i.status.as_str(),
                i.current_step_id
                    .as_deref()
                    .map(|s| format!(" at step {s}"))
                    .unwrap_or_default()
            );
            let value = json!({"instance": i, "tasks": tasks, "exceptions": exceptions});
            Ok((value, summary))
        }
        "execute_step" => {
            let a: ExecuteStepArgs = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let reason = |what: &str| {
                a.reason.clone().ok_or_else(|| {
                    Error::invalid("/reason", "required", format!("{what} needs a reason"))
                })
            };
            let action = a.action.unwrap_or(StepAction::Execute);
            let command = match action {
                StepAction::Execute => StepCommand::Execute(ExecuteStep {
                    output: a.output.clone().map(Value::Object),
                    comment: a.comment.clone(),
                }),
                StepAction::Skip => StepCommand::Skip(SkipStep {
                    reason: reason("skip")?,
                }),
                StepAction::Override => StepCommand::Override(OverrideStep {
                    output: Value::Object(a.output.clone().ok_or_else(|| {
                        Error::invalid("/output", "required", "override needs the output")
                    })?),
                    reason: reason("override")?,
                }),
                StepAction::Retry => StepCommand::Retry(Reason {
                    reason: a.reason.clone(),
                }),
            };
            let i = s
                .step_command(caller, team, a.instance_id, &a.step_id, command)
                .await?;
            let summary = format!(
                "step {} of instance {}: {}; the instance is {}",
                a.step_id,
                i.id,
                action.as_str(),
                i.status.as_str()
            );
            Ok((to_value(&i)?, summary))
        }
        "handle_exception" => {
            let a: HandleExceptionArgs = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let input = HandleException {
                strategy: a.strategy.into(),
                output: a.output.map(Value::Object),
                assignee: a.assignee,
                reason: a.reason,
            };
            let e = s
                .handle_exception(caller, team, a.instance_id, a.exception_id, input)
                .await?;
            let summary = format!(
                "exception {} handled: {}",
                e.id,
                Strategy::from(a.strategy).as_str()
            );
            Ok((to_value(&e)?, summary))
        }
        "complete_task" => {
            let a: CompleteTaskArgs = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let input = CompleteTask {
                output: a.output.map(Value::Object),
            };
            let t = s.complete_task(caller, team, a.task_id, input).await?;
            let summary = format!("task {} ({}) is {}", t.id, t.title, t.status.as_str());
            Ok((to_value(&t)?, summary))
        }
        "update_process" => {
            let a: UpdateProcess = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            if a.branch == "main" {
                return Err(Error::invalid(
                    "/branch",
                    "main",
                    "edit on a branch of your own, then create_proposal: main changes through reviewed merges",
                ));
            }
            match s.get_branch(caller, team, &a.branch).await {
                Ok(_) => {}
                Err(e) if e.code() == ErrorCode::NotFound => {
                    let branch = NewBranch {
                        name: a.branch.clone(),
                        from: None,
                        kind: None,
                        description: Some("opened through MCP update_process".into()),
                    };
                    s.create_branch(caller, team, branch).await?;
                }
                Err(e) => return Err(e),
            }
            let mut body = a.playbook;
            if let Some(v) = a.version {
                body.insert("version".into(), Value::String(v));
            }
            if let Some(m) = a.message {
                body.insert("message".into(), Value::String(m));
            }
            let input: PlaybookInput = parse(body)?;
            let p = s
                .save_playbook(caller, team, a.playbook_id, Some(&a.branch), input)
                .await?;
            let value = to_value(&p)?;
            let summary = format!(
                "saved playbook {} ({}) on branch {}",
                text_at(&value, "/id"),
                text_at(&value, "/name"),
                a.branch
            );
            Ok((value, summary))
        }
        "create_proposal" => {
            let a: CreateProposal = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let input = ProposalInput {
                title: a.title,
                description: a.description.unwrap_or_default(),
                kind: None,
                priority: None,
                source_branch: a.branch,
                target_branch: a.target_branch,
            };
            let mut p = s.create_proposal(caller, team, input).await?;
            if a.submit.unwrap_or(true) {
                p = match s.submit_proposal(caller, team, p.id).await {
                    Ok(submitted) => submitted,
                    // Opened but not submitted: say so, with the draft's id to come back to.
                    Err(e) => {
                        return Err(Error::Coded {
                            code: e.code(),
                            message: format!(
                                "proposal {} was opened as a draft but not submitted: {}",
                                p.id,
                                e.public_message()
                            ),
                            details: Some(json!({"proposal_id": p.id, "status": p.status})),
                        })
                    }
                };
            }
            let summary = format!(
                "proposal {} from {} into {}: {}",
                p.id,
                p.source_branch,
                p.target_branch,
                p.status.as_str()
            );
            Ok((to_value(&p)?, summary))
        }
        "review_change" => {
            let a: ReviewChange = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let input = ReviewInput {
                status: ReviewDecision::parse(a.decision.as_str())
                    .ok_or_else(|| Error::invalid("/decision", "invalid", "unknown decision"))?,
                comments: a.comments,
            };
            let r = s
                .review_proposal(caller, team, a.proposal_id, input)
                .await?;
            let summary = format!(
                "review of proposal {}: {}",
                a.proposal_id,
                a.decision.as_str()
            );
            Ok((to_value(&r)?, summary))
        }
        "merge_branch" => {
            let a: MergeBranch = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let input = ProposalMergeInput {
                merge_id: a.merge_id,
            };
            let p = s.merge_proposal(caller, team, a.proposal_id, input).await?;
            let summary = format!(
                "proposal {}: {} (branch {} into {})",
                p.id,
                p.status.as_str(),
                p.source_branch,
                p.target_branch
            );
            Ok((to_value(&p)?, summary))
        }
        "analyze_performance" => {
            let a: Window = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let q = window(a.from, a.to);
            match a.playbook_id {
                Some(pid) => {
                    let p = s.process_analytics(caller, team, pid, &q).await?;
                    let value = to_value(&p)?;
                    let n = value
                        .pointer("/metrics/total_executions")
                        .and_then(Value::as_i64)
                        .unwrap_or(0);
                    let summary = if n == 0 {
                        format!(
                            "playbook {}: no instances in this window yet, so no figures",
                            p.name
                        )
                    } else {
                        format!(
                            "playbook {}: {n} instance(s), {} bottleneck(s) ranked",
                            p.name,
                            p.bottlenecks.len()
                        )
                    };
                    Ok((json!({ "process": value }), summary))
                }
                None => {
                    let o = s.performance_overview(caller, team, &q).await?;
                    let value = to_value(&o)?;
                    let measured = o
                        .processes
                        .iter()
                        .filter(|p| p.metrics.total_executions > 0)
                        .count();
                    let summary = if measured == 0 {
                        "no instances in this window yet, so no figures".to_string()
                    } else {
                        format!(
                            "performance of {measured} playbook(s) with instances, from {} to {}",
                            text_at(&value, "/from"),
                            text_at(&value, "/to")
                        )
                    };
                    Ok((json!({ "overview": value }), summary))
                }
            }
        }
        "identify_bottlenecks" => {
            let a: Window = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let q = window(a.from, a.to);
            let ids: Vec<Uuid> = match a.playbook_id {
                Some(pid) => vec![pid],
                None => {
                    let mut all = s.process_summaries(caller, team, &q).await?;
                    all.sort_by_key(|p| std::cmp::Reverse(p.metrics.total_executions));
                    all.into_iter().take(10).map(|p| p.process_id).collect()
                }
            };
            let mut playbooks = Vec::new();
            let mut count = 0;
            for pid in ids {
                let p = s.process_analytics(caller, team, pid, &q).await?;
                count += p.bottlenecks.len();
                playbooks.push(json!({"process_id": p.process_id, "name": p.name, "bottlenecks": p.bottlenecks}));
            }
            let summary = if count == 0 {
                "no bottlenecks: no completed step executions in this window yet".to_string()
            } else {
                format!(
                    "{count} ranked bottleneck step(s) in {} playbook(s)",
                    playbooks.len()
                )
            };
            Ok((json!({ "playbooks": playbooks }), summary))
        }
        "predict_outcomes" => {
            let a: PredictOutcomes = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let limit = a.limit.unwrap_or(100).clamp(1, 500) as usize;
            let r = s
                .prediction_report(
                    caller,
                    team,
                    a.playbook_id,
                    a.instance_id,
                    &AnalyticsQuery::default(),
                    limit,
                )
                .await?;
            let summary = if r.predictions.is_empty() {
                "no running instances to predict".to_string()
            } else {
                format!("{} running instance(s) predicted", r.predictions.len())
            };
            Ok((to_value(&r)?, summary))
        }
        "detect_anomalies" => {
            let a: DetectAnomalies = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let threshold = a.threshold.unwrap_or(DEFAULT_THRESHOLD);
            let r = s
                .anomaly_report(
                    caller,
                    team,
                    a.playbook_id,
                    &window(a.from, a.to),
                    threshold,
                )
                .await?;
            let summary = format!(
                "{} anomal(ies) above a robust z-score of {threshold}",
                r.anomalies.len()
            );
            Ok((to_value(&r)?, summary))
        }
        "recommend_improvements" => {
            let a: Window = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let r = s
                .recommendation_report(caller, team, a.playbook_id, &window(a.from, a.to))
                .await?;
            let summary = match r.recommendations.first() {
                None => {
                    "no recommendations: nothing in the history calls for a change yet".to_string()
                }
                Some(top) => format!(
                    "{} recommendation(s); first: {}",
                    r.recommendations.len(),
                    top.title
                ),
            };
            Ok((to_value(&r)?, summary))
        }
        "generate_insights" => {
            let a: Window = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let q = window(a.from, a.to);
            let trends = s
                .trend_analysis(caller, team, a.playbook_id, &q, TrendPeriod::Week)
                .await?;
            let anomalies = s
                .anomaly_report(caller, team, a.playbook_id, &q, DEFAULT_THRESHOLD)
                .await?;
            let recommendations = s
                .recommendation_report(caller, team, a.playbook_id, &q)
                .await?;
            let significant: Vec<_> = trends.trends.iter().filter(|t| t.significant).collect();
            let mut notes = Vec::new();
            if trends.trends.iter().all(|t| t.points.len() < 4) {
                notes.push(
                    "fewer than 4 weeks of completed instances: trends cannot be significant yet"
                        .to_string(),
                );
            }
            if anomalies.anomalies.is_empty() {
                notes.push("no durations stand out from the rest".to_string());
            }
            let top: Vec<_> = anomalies.anomalies.iter().take(5).collect();
            let recs: Vec<_> = recommendations.recommendations.iter().take(5).collect();
            let summary = format!(
                "{} significant weekly trend(s), {} anomal(ies), {} recommendation(s)",
                significant.len(),
                anomalies.anomalies.len(),
                recommendations.recommendations.len()
            );
            let value = json!({"trends": significant, "anomalies": top, "recommendations": recs, "notes": notes});
            Ok((value, summary))
        }
        "list_team_members" => {
            let a: ListMembers = parse(args)?;
            let team = server.team(caller, a.team_id).await?;
            let page = cursor_page(a.cursor.as_deref(), MEMBERS_PER_PAGE)?;
            let p = s.list_members(caller, team, page).await?;
            let summary = format!("{} member(s) of {}", p.items.len(), p.total_count);
            Ok((paged(&p)?, summary))
        }
        _ => Err(Error::not_found("tool")),
    }
}

/// The first page of `size` items.
pub fn first(size: u32) -> PageRequest {
    PageRequest::window(0, size)
}

/// The page a cursor names (cursors are page numbers, as text).
pub fn cursor_page(cursor: Option<&str>, size: u32) -> Result<PageRequest, Error> {
    let page =
        match cursor {
            None => 1,
            Some(c) => c.parse::<u32>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                Error::invalid("/cursor", "invalid", "not a cursor this server gave")
            })?,
        };
    Ok(PageRequest {
        page,
        page_size: size,
        skip: 0,
    })
}

/// `{items, next_cursor?}` of a page.
pub fn paged<T: Serialize>(p: &orgata_core::page::Page<T>) -> Result<Value, Error> {
    let mut out = Map::new();
    out.insert("items".into(), to_value(&p.items)?);
    let seen = i64::from(p.request.page) * i64::from(p.request.page_size);
    if seen < p.total_count {
        out.insert(
            "next_cursor".into(),
            Value::String((p.request.page + 1).to_string()),
        );
    }
    Ok(Value::Object(out))
}

// ---- arguments -------------------------------------------------------------------------

/// A JSON object of free form (step outputs, instance variables).
type Object = Map<String, Value>;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateProcess {
    team_id: Option<Uuid>,
    playbook_id: Uuid,
    /// A name for the instance.
    name: Option<String>,
    /// Input variables, as the playbook's variables schema asks.
    variables: Option<Object>,
    business_key: Option<String>,
    /// Run the playbook as on this branch (a trial run); default main.
    branch: Option<String>,
    /// Repeat a call with the same key to get its first answer, not a second instance.
    #[serde(rename = "idempotency_key")]
    _idempotency_key: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct GetProcessStatus {
    team_id: Option<Uuid>,
    instance_id: Uuid,
}

#[derive(Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum StepAction {
    Execute,
    Skip,
    Override,
    Retry,
}

impl StepAction {
    fn as_str(self) -> &'static str {
        match self {
            StepAction::Execute => "executed",
            StepAction::Skip => "skipped",
            StepAction::Override => "overridden",
            StepAction::Retry => "retried",
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ExecuteStepArgs {
    team_id: Option<Uuid>,
    instance_id: Uuid,
    step_id: String,
    /// Default execute.
    action: Option<StepAction>,
    /// The step's output (execute, override).
    output: Option<Object>,
    comment: Option<String>,
    /// Required to skip or override.
    reason: Option<String>,
    #[serde(rename = "idempotency_key")]
    _idempotency_key: Option<String>,
}

#[derive(Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum StrategyArg {
    Retry,
    Skip,
    Override,
    Reassign,
    Cancel,
}

impl From<StrategyArg> for Strategy {
    fn from(arg: StrategyArg) -> Self {
        match arg {
            StrategyArg::Retry => Strategy::Retry,
            StrategyArg::Skip => Strategy::Skip,
            StrategyArg::Override => Strategy::Override,
            StrategyArg::Reassign => Strategy::Reassign,
            StrategyArg::Cancel => Strategy::Cancel,
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct HandleExceptionArgs {
    team_id: Option<Uuid>,
    instance_id: Uuid,
    exception_id: Uuid,
    strategy: StrategyArg,
    /// The output (override).
    output: Option<Object>,
    /// The member to hand the step to (reassign).
    assignee: Option<Uuid>,
    reason: String,
    #[serde(rename = "idempotency_key")]
    _idempotency_key: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CompleteTaskArgs {
    team_id: Option<Uuid>,
    task_id: Uuid,
    /// As the step's form schema asks.
    output: Option<Object>,
    #[serde(rename = "idempotency_key")]
    _idempotency_key: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct UpdateProcess {
    team_id: Option<Uuid>,
    /// Omit to create a playbook on the branch.
    playbook_id: Option<Uuid>,
    /// Not main.
    branch: String,
    /// The whole definition (name, description, steps…), as playbook://{playbook_id} shows it.
    playbook: Object,
    /// The version you edited, to refuse a lost update.
    version: Option<String>,
    /// The commit message.
    message: Option<String>,
    #[serde(rename = "idempotency_key")]
    _idempotency_key: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateProposal {
    team_id: Option<Uuid>,
    title: String,
    description: Option<String>,
    /// The branch with the changes.
    branch: String,
    /// Default main.
    target_branch: Option<String>,
    /// Submit for review at once (default true).
    submit: Option<bool>,
    #[serde(rename = "idempotency_key")]
    _idempotency_key: Option<String>,
}

#[derive(Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Decision {
    Approved,
    ChangesRequested,
    Rejected,
}

impl Decision {
    fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::ChangesRequested => "changes_requested",
            Decision::Rejected => "rejected",
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReviewChange {
    team_id: Option<Uuid>,
    proposal_id: Uuid,
    decision: Decision,
    comments: Option<String>,
    #[serde(rename = "idempotency_key")]
    _idempotency_key: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct MergeBranch {
    team_id: Option<Uuid>,
    proposal_id: Uuid,
    /// A resolved merge of the proposal's conflicts, if it had any.
    merge_id: Option<Uuid>,
    #[serde(rename = "idempotency_key")]
    _idempotency_key: Option<String>,
}

/// A playbook (or all) and a time window.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Window {
    team_id: Option<Uuid>,
    /// One playbook; omit for all.
    playbook_id: Option<Uuid>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PredictOutcomes {
    team_id: Option<Uuid>,
    playbook_id: Option<Uuid>,
    instance_id: Option<Uuid>,
    /// At most this many instances (default 100).
    limit: Option<u32>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DetectAnomalies {
    team_id: Option<Uuid>,
    playbook_id: Option<Uuid>,
    /// Robust z-score above which a duration is an outlier (1-100, default 3.5).
    threshold: Option<f64>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListMembers {
    team_id: Option<Uuid>,
    /// next_cursor of the page before.
    cursor: Option<String>,
}
