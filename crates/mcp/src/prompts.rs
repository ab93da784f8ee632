//! The prompts: the spec's eleven, each with typed arguments, filled with the team's real
//! records by the [`AgentContextBuilder`] (bounded in size) and ending with what to call next.

use chrono::Duration;
use orgata_core::model::*;
use orgata_core::services::analytics::AnalyticsQuery;
use orgata_core::services::Ctx;
use orgata_core::Error;
use rmcp::model::{
    GetPromptRequestParams, GetPromptResult, Prompt, PromptArgument, PromptMessage, Role,
};
use rmcp::ErrorData;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::server::{protocol_error, OrgataMcp};
use crate::tools::first;

/// One prompt: its name, what it is for, and its arguments `(name, description, required)`.
pub struct PromptDef {
    pub name: &'static str,
    pub description: &'static str,
    pub arguments: &'static [(&'static str, &'static str, bool)],
}

const PLAYBOOK: (&str, &str, bool) = ("playbook_id", "The playbook (playbooks://library)", true);
const PLAYBOOK_OPT: (&str, &str, bool) = ("playbook_id", "One playbook; omit for all", false);
const INSTANCE: (&str, &str, bool) = ("instance_id", "The process instance", true);
const PROPOSAL: (&str, &str, bool) = ("proposal_id", "The change proposal", true);

/// Every prompt, in a stable order.
pub const PROMPTS: &[PromptDef] = &[
    PromptDef {
        name: "process_optimization",
        description: "Improve a playbook from its figures, bottlenecks and recommendations.",
        arguments: &[PLAYBOOK],
    },
    PromptDef {
        name: "exception_resolution",
        description: "Decide how to resolve an instance's exceptions.",
        arguments: &[
            INSTANCE,
            (
                "exception_id",
                "One exception; omit for all unhandled",
                false,
            ),
        ],
    },
    PromptDef {
        name: "step_guidance",
        description: "How to do the current (or a named) step of an instance.",
        arguments: &[INSTANCE, ("step_id", "Default: the current step", false)],
    },
    PromptDef {
        name: "performance_analysis",
        description: "Read the team's or a playbook's performance figures.",
        arguments: &[PLAYBOOK_OPT],
    },
    PromptDef {
        name: "trend_identification",
        description: "Find the trends in throughput and cycle time.",
        arguments: &[
            PLAYBOOK_OPT,
            ("period", "day or week (default week)", false),
        ],
    },
    PromptDef {
        name: "predictive_analysis",
        description: "Read the predicted completion of running instances.",
        arguments: &[PLAYBOOK_OPT, ("instance_id", "One running instance", false)],
    },
    PromptDef {
        name: "change_impact_analysis",
        description: "Judge what a change proposal would change and whom it affects.",
        arguments: &[PROPOSAL],
    },
    PromptDef {
        name: "review_assistance",
        description: "Review a change proposal step by step.",
        arguments: &[PROPOSAL],
    },
    PromptDef {
        name: "merge_conflict_resolution",
        description: "Resolve what stands between a proposal and its merge.",
        arguments: &[PROPOSAL],
    },
    PromptDef {
        name: "process_help",
        description: "Answer a question about the team's playbooks and how to run them.",
        arguments: &[PLAYBOOK_OPT, ("question", "What you want to know", false)],
    },
    PromptDef {
        name: "task_guidance",
        description: "How to complete a task: its step, form, rules and documents.",
        arguments: &[("task_id", "The task (tasks://assigned)", true)],
    },
];

/// The prompts as listed.
pub fn listed() -> Vec<Prompt> {
    PROMPTS
        .iter()
        .map(|p| {
            let args = p
                .arguments
                .iter()
                .map(|(name, description, required)| {
                    PromptArgument::new(*name)
                        .with_description(*description)
                        .with_required(*required)
                })
                .collect();
            Prompt::new(p.name, Some(p.description), Some(args))
        })
        .collect()
}

/// The most characters of context one prompt carries.
pub const CONTEXT_BUDGET: usize = 24_000;

/// Assembles the context of a prompt, as the spec's AgentContextBuilder: the current process,
/// the team, the last 24 hours of activity, relevant documents, applicable rules, performance
/// data and recommendations — each a section of JSON, cut to fit the budget.
pub struct AgentContextBuilder<'a> {
    server: &'a OrgataMcp,
    caller: &'a Ctx,
    team: Uuid,
    sections: Vec<(String, String)>,
    used: usize,
}

impl<'a> AgentContextBuilder<'a> {
    pub fn new(server: &'a OrgataMcp, caller: &'a Ctx, team: Uuid) -> Self {
        Self {
            server,
            caller,
            team,
            sections: Vec::new(),
            used: 0,
        }
    }

    /// Adds a section, cut to what is left of the budget.
    pub fn section<T: Serialize>(&mut self, title: &str, value: &T) -> &mut Self {
        let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
        let left = CONTEXT_BUDGET.saturating_sub(self.used);
        if text.len() > left {
            let mut cut = left.saturating_sub(40);
            while cut > 0 && !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str("\n… (cut to fit the context budget)");
        }
        self.used += text.len();
        self.sections.push((title.to_string(), text));
        self
    }

    /// The team, the caller's membership and business roles.
    pub async fn team_context(&mut self) -> Result<&mut Self, Error> {
        let s = &self.server.services;
        let team = s.team(self.caller, self.team).await?;
        let me = s
            .member(self.caller, self.team, self.caller.actor.user.id)
            .await?;
        let roles = s.list_roles(self.caller, self.team, first(50)).await?;
        let roles: Vec<Value> = roles
            .items
            .iter()
            .map(|r| json!({"id": r.id, "name": r.name}))
            .collect();
        let value = json!({"team": {"id": team.id, "name": team.name, "description": team.description},
            "me": {"access_role": me.access_role, "roles": me.roles, "kind": me.kind}, "roles": roles});
        Ok(self.section("Team", &value))
    }

    /// Instances that changed in the last 24 hours.
    pub async fn recent_activity(&mut self) -> Result<&mut Self, Error> {
        let s = &self.server.services;
        let since = s.now() - Duration::hours(24);
        let page = s
            .list_instances(self.caller, self.team, InstanceFilter::default(), first(50))
            .await?;
        let recent: Vec<Value> = page
            .items
            .iter()
            .filter(|i| i.updated_at >= since)
            .map(|i| json!({"id": i.id, "name": i.name, "playbook_id": i.playbook_id, "status": i.status, "current_step_id": i.current_step_id, "updated_at": i.updated_at}))
            .collect();
        Ok(self.section("Activity in the last 24 hours", &recent))
    }

    /// The team's documents and business rules, in brief.
    pub async fn documents_and_rules(&mut self) -> Result<&mut Self, Error> {
        let s = &self.server.services;
        let docs = s
            .list_documents(self.caller, self.team, None, first(20))
            .await?;
        let docs: Vec<Value> = docs
            .items
            .iter()
            .map(|d| json!({"id": d.id, "name": d.body.name, "type": d.body.kind, "description": d.body.description}))
            .collect();
        let rules = s
            .list_rules(self.caller, self.team, None, first(20))
            .await?;
        self.section("Documents", &docs);
        Ok(self.section("Business rules", &rules.items))
    }

    /// A playbook's figures and recommendations, or the team's when `playbook` is `None`.
    pub async fn performance(&mut self, playbook: Option<Uuid>) -> Result<&mut Self, Error> {
        let s = &self.server.services;
        let q = AnalyticsQuery::default();
        match playbook {
            Some(pid) => {
                let a = s.process_analytics(self.caller, self.team, pid, &q).await?;
                self.section("Performance", &a);
            }
            None => {
                let o = s.performance_overview(self.caller, self.team, &q).await?;
                self.section("Performance", &o);
            }
        }
        let r = s
            .recommendation_report(self.caller, self.team, playbook, &q)
            .await?;
        Ok(self.section("Recommendations", &r.recommendations))
    }

    /// The sections as one text.
    pub fn build(&self) -> String {
        self.sections
            .iter()
            .map(|(title, text)| format!("## {title}\n```json\n{text}\n```\n"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn arg<'r>(request: &'r GetPromptRequestParams, name: &str) -> Option<&'r str> {
    request
        .arguments
        .as_ref()?
        .get(name)?
        .as_str()
        .filter(|v| !v.trim().is_empty())
}

fn uuid_arg(
    request: &GetPromptRequestParams,
    name: &str,
    required: bool,
) -> Result<Option<Uuid>, Error> {
    match arg(request, name) {
        None if required => Err(Error::invalid(
            &format!("/{name}"),
            "required",
            "this prompt needs it",
        )),
        None => Ok(None),
        Some(v) => Uuid::parse_str(v.trim())
            .map(Some)
            .map_err(|_| Error::invalid(&format!("/{name}"), "invalid", "not a UUID")),
    }
}

/// `prompts/get`: the prompt `request.name` filled for `caller`.
pub async fn get(
    server: &OrgataMcp,
    caller: &Ctx,
    request: GetPromptRequestParams,
) -> Result<GetPromptResult, ErrorData> {
    let Some(def) = PROMPTS.iter().find(|p| p.name == request.name) else {
        return Err(ErrorData::invalid_params(
            format!("no prompt named {}", request.name),
            None,
        ));
    };
    let known: Vec<&str> = def.arguments.iter().map(|(n, ..)| *n).collect();
    if let Some(extra) = request
        .arguments
        .iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .find(|k| !known.contains(k) && *k != "team_id")
    {
        return Err(ErrorData::invalid_params(
            format!("{} takes no argument {extra}", def.name),
            None,
        ));
    }
    let (task, text) = fill(server, caller, def.name, &request)
        .await
        .map_err(protocol_error)?;
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(
        Role::User,
        format!("{task}\n\n# Context\n\n{text}"),
    )])
    .with_description(def.description))
}

/// `(the task for the model, the context)` of a prompt.
async fn fill(
    server: &OrgataMcp,
    caller: &Ctx,
    name: &str,
    request: &GetPromptRequestParams,
) -> Result<(String, String), Error> {
    let s = &server.services;
    let team_arg = uuid_arg(request, "team_id", false)?;
    let team = server.team(caller, team_arg).await?;
    let mut b = AgentContextBuilder::new(server, caller, team);
    let task = match name {
        "process_optimization" => {
            let pid = uuid_arg(request, "playbook_id", true)?.unwrap_or_default();
            let p = s.get_playbook(caller, team, pid, None).await?;
            b.section("Playbook", &p);
            b.performance(Some(pid)).await?;
            b.documents_and_rules().await?;
            format!("Suggest concrete improvements to the playbook \"{}\", grounded in the figures below (cycle times, bottlenecks, recommendations); say which numbers each change should move. Where the figures say there is no data yet, say so rather than guess. To propose the change: update_process on a new branch, then create_proposal.", p.body.name)
        }
        "exception_resolution" => {
            let iid = uuid_arg(request, "instance_id", true)?.unwrap_or_default();
            let one = uuid_arg(request, "exception_id", false)?;
            let i = s.get_instance(caller, team, iid).await?;
            let ex = s.list_exceptions(caller, team, iid, first(50)).await?;
            let ex: Vec<&ProcessException> = ex
                .items
                .iter()
                .filter(|e| one.is_none_or(|id| e.id == id) && (one.is_some() || !e.handled))
                .collect();
            b.section("Instance", &i).section("Exceptions", &ex);
            b.team_context().await?.documents_and_rules().await?;
            "For each exception below, choose a strategy (retry, skip, override with an output, reassign to a member, or cancel), with the reason from the context; then call handle_exception with it.".to_string()
        }
        "step_guidance" => {
            let iid = uuid_arg(request, "instance_id", true)?.unwrap_or_default();
            let i = s.get_instance(caller, team, iid).await?;
            let step_id = arg(request, "step_id")
                .map(str::to_string)
                .or(i.current_step_id.clone());
            let p = s
                .get_playbook(caller, team, i.playbook_id, Some(&i.playbook_version))
                .await
                .ok();
            let step = p.as_ref().and_then(|p| {
                p.body
                    .steps
                    .iter()
                    .find(|st| Some(&st.id) == step_id.as_ref())
            });
            b.section("Instance", &i).section("Step", &step);
            b.documents_and_rules().await?;
            format!("Explain how to do step {} of this instance: what it needs, what output its form asks for, and which rules and documents apply. Then do it with complete_task (its task) or execute_step.", step_id.unwrap_or_else(|| "(none: the instance has no current step)".into()))
        }
        "performance_analysis" => {
            let pid = uuid_arg(request, "playbook_id", false)?;
            b.performance(pid).await?.recent_activity().await?;
            "Analyse the performance figures below: where time goes, how often instances complete, what changed. Quote the numbers; where a figure needs data the team does not have yet, say so.".to_string()
        }
        "trend_identification" => {
            let pid = uuid_arg(request, "playbook_id", false)?;
            let period = match arg(request, "period") {
                None | Some("week") => TrendPeriod::Week,
                Some("day") => TrendPeriod::Day,
                Some(_) => return Err(Error::invalid("/period", "invalid", "day or week")),
            };
            let t = s
                .trend_analysis(caller, team, pid, &AnalyticsQuery::default(), period)
                .await?;
            b.section("Trends", &t);
            "Describe the trends below: which are significant (Mann-Kendall), their direction and slope, and what they mean for the team. Do not call a trend real when it is not significant.".to_string()
        }
        "predictive_analysis" => {
            let pid = uuid_arg(request, "playbook_id", false)?;
            let iid = uuid_arg(request, "instance_id", false)?;
            let r = s
                .prediction_report(caller, team, pid, iid, &AnalyticsQuery::default(), 50)
                .await?;
            b.section("Predictions", &r);
            "Read the predictions below: which running instances will finish late or not at all, with their intervals, and what to do about the riskiest. Steps without history cannot be predicted: say so where it applies.".to_string()
        }
        "change_impact_analysis" | "review_assistance" | "merge_conflict_resolution" => {
            let id = uuid_arg(request, "proposal_id", true)?.unwrap_or_default();
            let p = s.get_proposal(caller, team, id).await?;
            let diff = s
                .compare(caller, team, &p.target_branch, &p.source_branch)
                .await?;
            b.section("Proposal", &p).section("Diff", &diff);
            match name {
                "change_impact_analysis" => {
                    let active = s.list_instances(caller, team, InstanceFilter { status: Some(InstanceStatus::Running), ..InstanceFilter::default() }, first(50)).await?;
                    b.section("Running instances", &active.items.iter().map(|i| json!({"id": i.id, "playbook_id": i.playbook_id, "current_step_id": i.current_step_id})).collect::<Vec<_>>());
                    b.performance(None).await?;
                    "Judge the impact of this change: which playbooks and steps it touches, which running instances and roles it affects, and the risk, using the figures below.".to_string()
                }
                "review_assistance" => {
                    b.documents_and_rules().await?;
                    "Review this proposal step by step against the rules and documents below: what is right, what is missing, what would break. End with a decision (approved, changes_requested, rejected) and call review_change with it.".to_string()
                }
                _ => "Say what stands between this proposal and its merge: unmet requirements (reviews, checks) and conflicts between its branch and the target (the diff and merge bases below). For each conflict, propose ours, theirs or an edit; then merge_branch once the proposal is approved.".to_string(),
            }
        }
        "process_help" => {
            match uuid_arg(request, "playbook_id", false)? {
                Some(pid) => {
                    let p = s.get_playbook(caller, team, pid, None).await?;
                    b.section("Playbook", &p);
                }
                None => {
                    let all = s.list_playbooks(caller, team, None, first(50)).await?;
                    let brief: Vec<Value> = all.items.iter().map(|p| json!({"id": p.id, "name": p.body.name, "description": p.body.description, "steps": p.body.steps.len()})).collect();
                    b.section("Playbooks", &brief);
                }
            }
            b.team_context().await?;
            let question = arg(request, "question").unwrap_or("How do I run these processes?");
            format!("Answer from the context below: {question}")
        }
        "task_guidance" => {
            let tid = uuid_arg(request, "task_id", true)?.unwrap_or_default();
            let t = s.get_task(caller, team, tid).await?;
            b.section("Task", &t);
            if let Some(iid) = t.process_instance_id {
                let i = s.get_instance(caller, team, iid).await?;
                let p = s
                    .get_playbook(caller, team, i.playbook_id, Some(&i.playbook_version))
                    .await
                    .ok();
                let step = p.as_ref().and_then(|p| {
                    p.body
                        .steps
                        .iter()
                        .find(|st| Some(&st.id) == t.step_id.as_ref())
                });
                b.section("Instance", &json!({"id": i.id, "name": i.name, "status": i.status, "variables": i.variables}));
                b.section("Step", &step);
            }
            b.documents_and_rules().await?;
            format!("Explain how to complete the task \"{}\": the output its form asks for and the rules that apply. Then call complete_task with task_id {} and that output.", t.title, t.id)
        }
        _ => return Err(Error::not_found("prompt")),
    };
    Ok((task, b.build()))
}
