//! Importing an event log as the completed history of a playbook.

use std::collections::HashSet;

use async_trait::async_trait;
use serde_json::json;
use uuid::Uuid;

use super::super::definitions::Entry;
use super::super::{Ctx, Services};
use crate::access::Permission;
use crate::analytics::import::{to_micros, CaseRow, ImportBatch, TraceEvent, TraceRow};
use crate::analytics::spans::bounds;
use crate::analytics::xes::XesTrace;
use crate::engine::definition::MAX_STEPS;
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::versioning::DefKind;

/// Traces arriving from a door, as it reads an uploaded log.
#[async_trait]
pub trait TraceSource: Send {
    /// The next trace; `None` at the end of the log. A log that cannot be read is 422
    /// `invalid_xes` at its place (`From<XesError>`).
    async fn next_trace(&mut self) -> Result<Option<XesTrace>>;
    /// The log's `concept:name`, once read.
    fn log_name(&self) -> Option<String>;
}

/// How an event log is imported.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The name of the playbook discovered from the log (default: the log's name).
    pub name: Option<String>,
    /// An existing playbook whose history the log is: its activities must be its steps (by
    /// name or id).
    pub process_id: Option<Uuid>,
}

/// Rows and events written together while importing.
const IMPORT_BATCH_ROWS: usize = 6000;

impl Services {
    /// `POST /v1/teams/{team_id}/analytics/imports`: the traces of an event log become finished
    /// instances of a playbook (discovered from the log's activities unless one is named), each
    /// with every event of its case kept, from which its completed step executions are read;
    /// all in one transaction.
    pub async fn import_log(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        options: ImportOptions,
        source: &mut dyn TraceSource,
    ) -> Result<ImportResult> {
        if let Some(name) = &options.name {
            let mut v = Violations::new();
            crate::validate::text(&mut v, "/name", name, 1, 200);
            v.finish()?;
        }
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        // Activity → step id: the named playbook's steps, or discovered as they appear.
        let mut steps: foldhash::HashMap<String, String> = Default::default();
        // A named playbook: the instances are pinned to main's head and its snapshot there.
        let (playbook_id, pinned) = match options.process_id {
            Some(id) => {
                let main = self.resolve_ref(tx.as_mut(), team_id, None).await?;
                let entry: Entry<PlaybookBody> = self
                    .tree_entry(tx.as_mut(), team_id, &main.tree, DefKind::Playbook, id)
                    .await?;
                for s in &entry.body.steps {
                    steps.insert(s.name.clone(), s.id.clone());
                    steps.insert(s.id.clone(), s.id.clone());
                }
                (id, Some((main.commit.unwrap_or_default(), entry.at.hash)))
            }
            None => (new_id(), None),
        };
        let mut found = Cases {
            steps,
            discovered: Vec::new(),
            taken: HashSet::new(),
            named: options.process_id.is_some(),
            cases: 0,
            events: 0,
        };
        // Batches are built (activities to steps, events to JSON) while the one before is being
        // written: while the database works on one, this task builds the next.
        let (batches, mut built) = tokio::sync::mpsc::channel::<ImportBatch>(1);
        let build = async {
            // Moved in: dropped at the end of the log, which ends the writing.
            let batches = batches;
            let mut batch = ImportBatch::default();
            while let Some(trace) = source.next_trace().await? {
                found.add(&mut batch, trace)?;
                if batch.len() >= IMPORT_BATCH_ROWS {
                    hand_over(&batches, std::mem::take(&mut batch)).await?;
                }
            }
            if found.cases == 0 {
                return Err(Error::invalid(
                    "/",
                    "empty_log",
                    "the log has no trace with events",
                ));
            }
            hand_over(&batches, batch).await
        };
        let user_id = ctx.actor.user.id;
        let write = async {
            while let Some(batch) = built.recv().await {
                tx.insert_history(team_id, playbook_id, user_id, &batch)
                    .await?;
            }
            Ok(())
        };
        tokio::try_join!(build, write)?;
        let Cases {
            discovered,
            cases,
            events,
            ..
        } = found;
        let (version, hash, commit_id) = if let Some((head, hash)) = pinned {
            (head, hash, None)
        } else {
            let name = options
                .name
                .clone()
                .or_else(|| source.log_name().map(|n| n.chars().take(200).collect()))
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "Imported event log".to_string());
            let mut body: PlaybookBody = serde_json::from_value(json!({
                "name": name,
                "description": format!("Discovered from an event log of {cases} cases and {events} events."),
                "steps": discovered.iter().map(|(activity, id)| json!({
                    "id": id,
                    "name": activity.chars().take(200).collect::<String>(),
                    "type": "human",
                    "dependencies": [],
                })).collect::<Vec<_>>(),
            }))
            .map_err(Error::internal)?;
            crate::engine::definition::normalize(&mut body, &Default::default())
                .map_err(Error::Validation)?;
            let message = format!("Import {name} ({cases} cases)");
            // main is locked only now, for the commit, not while the log streams in.
            let at = self
                .resolve_for_write(tx.as_mut(), ctx, team_id, None)
                .await?;
            let entry = self
                .save(
                    tx.as_mut(),
                    ctx,
                    team_id,
                    None,
                    &at,
                    (DefKind::Playbook, playbook_id),
                    Some(&body),
                    None,
                    &message,
                )
                .await?
                .ok_or_else(|| Error::internal("imported playbook is missing"))?;
            (entry.version.clone(), entry.hash, Some(entry.version))
        };
        tx.finish_import(team_id, playbook_id, &version, &hash)
            .await?;
        tx.append_event(ctx.team_event(
            team_id,
            "analytics.imported",
            ("process", playbook_id),
            json!({"cases": cases, "events": events, "commit_id": commit_id}),
        ))
        .await?;
        tx.commit().await?;
        Ok(ImportResult {
            playbook_id,
            commit_id,
            cases,
            events,
        })
    }
}

/// Hands a built batch to the writer (which stops only on an error, which ends the import).
async fn hand_over(
    batches: &tokio::sync::mpsc::Sender<ImportBatch>,
    batch: ImportBatch,
) -> Result<()> {
    batches
        .send(batch)
        .await
        .map_err(|_| Error::internal("the import stopped writing"))
}

/// The cases of a log as they are read: activities mapped to steps (a named playbook's, or
/// discovered as they appear), counted.
struct Cases {
    /// Activity (or step id) → step id.
    steps: foldhash::HashMap<String, String>,
    /// Discovered steps in the order they appeared: activity, step id.
    discovered: Vec<(String, String)>,
    taken: HashSet<String>,
    /// Whether the steps are a named playbook's (no discovery).
    named: bool,
    cases: u64,
    events: u64,
}

impl Cases {
    /// Adds `trace` to `batch` as a finished instance with its events (a trace without
    /// events is skipped).
    fn add(&mut self, batch: &mut ImportBatch, trace: XesTrace) -> Result<()> {
        let Some((start, end)) = bounds(&trace.events) else {
            return Ok(());
        };
        let instance_id = new_id();
        let logged = trace.events.len();
        let mut kept = Vec::with_capacity(logged);
        for e in trace.events {
            kept.push(TraceEvent {
                step_id: self.step_of(&e.activity)?,
                activity: e.activity,
                lifecycle: e.lifecycle,
                timestamp: e.timestamp,
                resource: e.resource,
                attributes: e.attributes,
            });
        }
        batch.events += logged;
        batch.traces.push(TraceRow {
            instance_id,
            events: serde_json::to_string(&kept).map_err(Error::internal)?,
        });
        self.cases += 1;
        self.events += logged as u64;
        batch.cases.push(CaseRow {
            id: instance_id,
            name: trace
                .name
                .clone()
                .map(|n| n.chars().take(200).collect())
                .unwrap_or_else(|| format!("Case {}", self.cases)),
            business_key: trace.name.map(|n| n.chars().take(200).collect()),
            variables: trace.attributes,
            start: to_micros(start),
            end: to_micros(end),
        });
        Ok(())
    }

    /// The step an activity is, discovering it when the playbook is not named.
    fn step_of(&mut self, activity: &str) -> Result<String> {
        if let Some(id) = self.steps.get(activity) {
            return Ok(id.clone());
        }
        if self.named {
            return Err(Error::invalid(
                "/activities",
                "unknown_step",
                format!("the activity {activity:?} is not a step of the playbook"),
            ));
        }
        if self.discovered.len() >= MAX_STEPS {
            return Err(Error::invalid(
                "/activities",
                "too_many",
                format!("a playbook has at most {MAX_STEPS} steps; the log has more activities"),
            ));
        }
        let id = crate::engine::definition::generated_id(activity, &self.taken);
        self.taken.insert(id.clone());
        self.steps.insert(activity.to_string(), id.clone());
        self.discovered.push((activity.to_string(), id.clone()));
        Ok(id)
    }
}
