//! The resources: the spec's sixteen URIs and templates for single records, read as JSON text.
//! Lists answer `{items, next_cursor?}`; a URI may carry `?team_id=…&cursor=…`.

use orgata_core::model::*;
use orgata_core::page::{Page, PageRequest};
use orgata_core::services::analytics::AnalyticsQuery;
use orgata_core::services::Ctx;
use orgata_core::{Error, ErrorCode};
use rmcp::model::{
    CompleteRequestParams, CompleteResult, CompletionInfo, ReadResourceResult, Reference, Resource,
    ResourceContents, ResourceTemplate,
};
use rmcp::ErrorData;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::server::{protocol_error, OrgataMcp};
use crate::tools::{cursor_page, first, paged, to_value};

/// Items per page of a listed resource.
pub const PAGE_SIZE: u32 = 25;

/// `(uri, name, description)` of every static resource.
pub const RESOURCES: &[(&str, &str, &str)] = &[
    (
        "process://current",
        "Current work",
        "The running instances in which you have tasks to do.",
    ),
    (
        "process://history",
        "Process history",
        "Completed instances, newest first.",
    ),
    (
        "process://templates",
        "Process templates",
        "The playbooks you can start, in brief.",
    ),
    (
        "team://members",
        "Team members",
        "Members with their access and business roles.",
    ),
    ("team://roles", "Team roles", "The team's business roles."),
    (
        "team://permissions",
        "Your permissions",
        "What your token lets you do in this team.",
    ),
    (
        "business://rules",
        "Business rules",
        "The team's business rules.",
    ),
    (
        "business://documents",
        "Business documents",
        "The team's documents.",
    ),
    (
        "business://policies",
        "Policies",
        "The team's documents of type policy.",
    ),
    (
        "analytics://performance",
        "Performance",
        "Cycle times, throughput and completion per playbook.",
    ),
    (
        "analytics://trends",
        "Trends",
        "Weekly throughput and cycle-time trends with their significance.",
    ),
    (
        "analytics://recommendations",
        "Recommendations",
        "Improvement recommendations with their evidence.",
    ),
    (
        "team://current",
        "Current team",
        "The team these resources answer for, your membership, and your teams.",
    ),
    (
        "processes://active",
        "Active processes",
        "Running instances, newest first.",
    ),
    (
        "tasks://assigned",
        "Your tasks",
        "Open tasks you may work: yours, your roles', and unassigned ones.",
    ),
    (
        "playbooks://library",
        "Playbook library",
        "The playbooks on main, in full.",
    ),
];

/// `(template, name, description)` of the single-record templates.
pub const TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "playbook://{playbook_id}",
        "Playbook",
        "One playbook in full (add ?branch= for a branch).",
    ),
    (
        "instance://{instance_id}",
        "Process instance",
        "One instance with its step executions.",
    ),
    ("task://{task_id}", "Task", "One task."),
    (
        "proposal://{proposal_id}",
        "Change proposal",
        "One change proposal with its reviews.",
    ),
    (
        "proposal://{proposal_id}/diff",
        "Proposal diff",
        "What a proposal changes, step by step.",
    ),
];

/// The static resources.
pub fn listed() -> Vec<Resource> {
    RESOURCES
        .iter()
        .map(|(uri, name, description)| {
            Resource::new(*uri, *name)
                .with_description(*description)
                .with_mime_type("application/json")
        })
        .collect()
}

/// The resource templates.
pub fn templates() -> Vec<ResourceTemplate> {
    TEMPLATES
        .iter()
        .map(|(uri, name, description)| {
            ResourceTemplate::new(*uri, *name)
                .with_description(*description)
                .with_mime_type("application/json")
        })
        .collect()
}

/// A resource URI split into its base and query parameters.
struct Address {
    base: String,
    params: Vec<(String, String)>,
}

impl Address {
    fn parse(uri: &str) -> Self {
        let (base, query) = uri.split_once('?').unwrap_or((uri, ""));
        Self {
            base: base.to_string(),
            params: url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn team_id(&self) -> Result<Option<Uuid>, Error> {
        self.param("team_id")
            .map(|t| {
                Uuid::parse_str(t).map_err(|_| Error::invalid("/team_id", "invalid", "not a UUID"))
            })
            .transpose()
    }
}

fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(format!("no resource at {uri}"), Some(json!({ "uri": uri })))
}

fn json_text<T: Serialize>(uri: &str, value: &T) -> Result<ReadResourceResult, ErrorData> {
    let text = serde_json::to_string(value).map_err(|e| protocol_error(Error::internal(e)))?;
    Ok(ReadResourceResult::new(vec![ResourceContents::text(
        text, uri,
    )
    .with_mime_type("application/json")]))
}

/// Reads `uri` as `caller`.
pub async fn read(
    server: &OrgataMcp,
    caller: &Ctx,
    uri: &str,
) -> Result<ReadResourceResult, ErrorData> {
    let address = Address::parse(uri);
    let known =
        RESOURCES.iter().any(|(u, ..)| *u == address.base) || template_id(&address.base).is_some();
    if !known {
        return Err(not_found(uri));
    }
    match value(server, caller, &address).await {
        Ok(value) => json_text(uri, &value),
        Err(e) if e.code() == ErrorCode::NotFound && template_id(&address.base).is_some() => {
            Err(not_found(uri))
        }
        Err(e) => Err(protocol_error(e)),
    }
}

/// `(template scheme, id, rest)` of a single-record URI such as `proposal://{id}/diff`.
fn template_id(base: &str) -> Option<(&str, Uuid, &str)> {
    let (scheme, rest) = base.split_once("://")?;
    if !matches!(scheme, "playbook" | "instance" | "task" | "proposal") {
        return None;
    }
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let id = Uuid::parse_str(id).ok()?;
    match (scheme, tail) {
        (_, "") | ("proposal", "diff") => Some((scheme, id, tail)),
        _ => None,
    }
}

async fn value(server: &OrgataMcp, caller: &Ctx, a: &Address) -> Result<Value, Error> {
    let s = &server.services;
    let team = server.team(caller, a.team_id()?).await?;
    let page = || cursor_page(a.param("cursor"), PAGE_SIZE);
    if let Some((scheme, id, tail)) = template_id(&a.base) {
        return match (scheme, tail) {
            ("playbook", _) => {
                to_value(&s.get_playbook(caller, team, id, a.param("branch")).await?)
            }
            ("instance", _) => to_value(&s.get_instance(caller, team, id).await?),
            ("task", _) => to_value(&s.get_task(caller, team, id).await?),
            ("proposal", "diff") => {
                let p = s.get_proposal(caller, team, id).await?;
                to_value(
                    &s.compare(caller, team, &p.target_branch, &p.source_branch)
                        .await?,
                )
            }
            _ => to_value(&s.get_proposal(caller, team, id).await?),
        };
    }
    let q = AnalyticsQuery::default();
    match a.base.as_str() {
        "process://current" => {
            let tasks = assigned(server, caller, team, first(100)).await?;
            // The instances of those tasks, each once, in the tasks' order.
            let mut ids: Vec<Uuid> = Vec::new();
            for id in tasks.items.iter().filter_map(|t| t.process_instance_id) {
                if !ids.contains(&id) && ids.len() < PAGE_SIZE as usize {
                    ids.push(id);
                }
            }
            let mut items = Vec::new();
            for id in ids {
                let i = s.get_instance(caller, team, id).await?;
                if !i.status.is_final() {
                    items.push(i);
                }
            }
            Ok(json!({ "items": items }))
        }
        "process://history" => {
            let filter = InstanceFilter {
                status: Some(InstanceStatus::Completed),
                ..InstanceFilter::default()
            };
            paged(&s.list_instances(caller, team, filter, page()?).await?)
        }
        "processes://active" => {
            let filter = InstanceFilter {
                status: Some(InstanceStatus::Running),
                ..InstanceFilter::default()
            };
            paged(&s.list_instances(caller, team, filter, page()?).await?)
        }
        "process://templates" => {
            let p = s.list_playbooks(caller, team, None, page()?).await?;
            let mut out = paged(&p)?;
            out["items"] = p
                .items
                .iter()
                .map(|b| {
                    json!({
                        "id": b.id, "name": b.body.name, "description": b.body.description,
                        "category": b.body.category, "version": b.version,
                        "steps": b.body.steps.len(), "variables_schema": b.body.variables_schema,
                    })
                })
                .collect();
            Ok(out)
        }
        "playbooks://library" => paged(&s.list_playbooks(caller, team, None, page()?).await?),
        "team://members" => paged(&s.list_members(caller, team, page()?).await?),
        "team://roles" => paged(&s.list_roles(caller, team, page()?).await?),
        "team://permissions" => {
            let me = s.member(caller, team, caller.actor.user.id).await?;
            let cap = caller.actor.role_cap();
            let role = me.access_role.min(cap);
            let may: Vec<&str> = [
                (orgata_core::access::Permission::Read, "read"),
                (orgata_core::access::Permission::Work, "work"),
                (orgata_core::access::Permission::Edit, "edit"),
                (orgata_core::access::Permission::Administer, "administer"),
                (orgata_core::access::Permission::Own, "own"),
            ]
            .into_iter()
            .filter(|(p, _)| p.allowed_for(role))
            .map(|(_, name)| name)
            .collect();
            Ok(json!({
                "team_id": team, "user_id": caller.actor.user.id, "kind": caller.actor.user.kind,
                "access_role": me.access_role, "token_role_cap": cap, "effective_role": role,
                "permissions": may, "business_roles": me.roles,
            }))
        }
        "business://rules" => paged(&s.list_rules(caller, team, None, page()?).await?),
        "business://documents" => paged(&s.list_documents(caller, team, None, page()?).await?),
        "business://policies" => {
            // Paged after filtering, so every page but the last is full.
            let all = s
                .list_documents(caller, team, None, PageRequest::all())
                .await?;
            let request = page()?;
            let policies: Vec<_> = all
                .items
                .into_iter()
                .filter(|d| d.body.kind == DocumentType::Policy)
                .collect();
            let total_count = policies.len() as i64;
            let items = policies
                .into_iter()
                .skip(request.offset() as usize)
                .take(request.limit() as usize)
                .collect();
            paged(&Page {
                items,
                total_count,
                request,
            })
        }
        "analytics://performance" => to_value(&s.performance_overview(caller, team, &q).await?),
        "analytics://trends" => to_value(
            &s.trend_analysis(caller, team, None, &q, TrendPeriod::Week)
                .await?,
        ),
        "analytics://recommendations" => {
            to_value(&s.recommendation_report(caller, team, None, &q).await?)
        }
        "team://current" => {
            let t = s.team(caller, team).await?;
            let me = s.member(caller, team, caller.actor.user.id).await?;
            let teams = s.list_teams(caller, first(50)).await?;
            let teams: Vec<Value> = teams
                .items
                .iter()
                .map(|t| json!({"id": t.id, "name": t.name}))
                .collect();
            Ok(json!({ "team": t, "me": me, "teams": teams }))
        }
        "tasks://assigned" => paged(&assigned(server, caller, team, page()?).await?),
        _ => Err(Error::not_found("resource")),
    }
}

/// The open tasks `caller` may work in `team`.
async fn assigned(
    server: &OrgataMcp,
    caller: &Ctx,
    team: Uuid,
    page: orgata_core::page::PageRequest,
) -> Result<orgata_core::page::Page<Task>, Error> {
    let s = &server.services;
    let me = s.member(caller, team, caller.actor.user.id).await?;
    let filter = TaskFilter {
        workable_by: Some((caller.actor.user.id, me.roles)),
        open_only: true,
        agent_steps: Some(caller.actor.user.kind == UserKind::Agent),
        ..TaskFilter::default()
    };
    s.list_tasks(caller, team, filter, page).await
}

/// Completes the ids of the templates (and prompt arguments of the same names) from the
/// records the caller can see, by prefix.
pub async fn complete(
    server: &OrgataMcp,
    caller: &Ctx,
    request: &CompleteRequestParams,
) -> Result<CompleteResult, ErrorData> {
    let s = &server.services;
    let prefix = request.argument.value.to_ascii_lowercase();
    let name = request.argument.name.as_str();
    let known = match &request.r#ref {
        Reference::Resource(r) => TEMPLATES.iter().any(|(t, ..)| *t == r.uri),
        Reference::Prompt(p) => crate::prompts::PROMPTS.iter().any(|d| d.name == p.name),
        _ => false,
    };
    if !known {
        return Err(ErrorData::invalid_params("nothing to complete there", None));
    }
    let named = request
        .context
        .as_ref()
        .and_then(|c| c.arguments.as_ref())
        .and_then(|a| a.get("team_id"))
        .and_then(|t| Uuid::parse_str(t).ok());
    let team = server.team(caller, named).await.map_err(protocol_error)?;
    let ids: Vec<Uuid> = match name {
        "playbook_id" => s
            .list_playbooks(caller, team, None, first(100))
            .await
            .map(|p| p.items.iter().map(|b| b.id).collect()),
        "instance_id" => s
            .list_instances(caller, team, InstanceFilter::default(), first(100))
            .await
            .map(|p| p.items.iter().map(|i| i.id).collect()),
        "task_id" => assigned(server, caller, team, first(100))
            .await
            .map(|p| p.items.iter().map(|t| t.id).collect()),
        "proposal_id" => s
            .list_proposals(caller, team, None, first(100))
            .await
            .map(|p| p.items.iter().map(|p| p.id).collect()),
        _ => Ok(Vec::new()),
    }
    .map_err(protocol_error)?;
    let values: Vec<String> = ids
        .iter()
        .map(Uuid::to_string)
        .filter(|id| id.starts_with(&prefix))
        .collect();
    let total = values.len() as u32;
    let shown: Vec<String> = values.into_iter().take(100).collect();
    let info = CompletionInfo::with_pagination(shown, Some(total), total > 100)
        .map_err(|e| ErrorData::internal_error(e, None))?;
    Ok(CompleteResult::new(info))
}
