//! Analytics use cases over the team's execution history: a playbook's measures, process
//! mining, trends, anomalies, predictions, recommendations, people; and importing event logs.

mod import;
mod insights;
mod people;
mod sources;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use import::{ImportOptions, TraceSource};
pub use insights::MAX_PREDICTIONS;
pub use sources::SourceScope;

use super::definitions::{Entry, MAIN};
use super::{Ctx, Services};
use crate::access::Permission;
use crate::analytics::export::Export;
use crate::analytics::history::Case;
use crate::analytics::import::HistoryFilter;
use crate::analytics::mining;
use crate::analytics::process::{bottlenecks, process_metrics, step_metrics, StepInfo};
use crate::error::Result;
use crate::model::*;
use crate::page::PageRequest;
use crate::store::Tx;
use crate::versioning::{is_branch_name, is_commit_id, DefKind};

/// Which history a measure covers.
#[derive(Debug, Clone, Default)]
pub struct AnalyticsQuery {
    /// Instances started at or after (for trends: completed at or after).
    pub from: Option<DateTime<Utc>>,
    /// Instances started before (for trends: completed before).
    pub to: Option<DateTime<Utc>>,
    /// Instances pinned to this commit.
    pub version: Option<String>,
    /// Instances started from this branch or commit (default `main`).
    pub branch: Option<String>,
    /// Only the steps assigned to this business role.
    pub role: Option<Uuid>,
}

/// The days before now a measure covers when a query names no period.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

impl AnalyticsQuery {
    /// The query without its period.
    pub(crate) fn all_time(&self) -> AnalyticsQuery {
        AnalyticsQuery {
            from: None,
            to: None,
            ..self.clone()
        }
    }

    /// 422 for a `version` that is not a commit id or a `branch` that is no branch or commit.
    fn check(&self) -> Result<()> {
        let mut v = crate::error::Violations::new();
        if self.version.as_deref().is_some_and(|c| !is_commit_id(c)) {
            v.add(
                "/version",
                "invalid_commit_id",
                "must be a commit id (64 hex digits)",
            );
        }
        if self
            .branch
            .as_deref()
            .is_some_and(|b| !is_commit_id(b) && !is_branch_name(b))
        {
            v.add(
                "/branch",
                "invalid_ref",
                "must be a branch name (^[a-z0-9][a-z0-9._-]{0,99}$) or a commit id",
            );
        }
        v.finish()
    }
}

/// The most variants listed.
pub const MAX_VARIANTS: usize = 1000;

/// One playbook on `main` with the history a query selects.
pub(crate) struct PlaybookHistory {
    pub id: Uuid,
    pub body: PlaybookBody,
    pub cases: Arc<Vec<Case>>,
    pub info: StepInfo,
}

/// What every history read of a request shares: the team's `main`, its roles, and how far its
/// event chain had come (the histories read are at least that recent).
pub(crate) struct HistoryScope {
    pub team_id: Uuid,
    pub main: super::definitions::Resolved,
    pub roles: Vec<Role>,
    pub stamp: i64,
}

/// Histories read lately, each valid while its team's event chain stays where it was: every
/// change to a team's data appends to that chain in the same transaction, so a read that
/// finds the chain unmoved may reuse what an earlier read loaded.
#[derive(Default)]
pub(crate) struct HistoryCache(Mutex<HashMap<(Uuid, HistoryFilter), StampedHistory>>);

/// A history with the chain position it was read at.
type StampedHistory = (i64, Arc<Vec<Case>>);

impl HistoryCache {
    /// The most step runs kept; past it the cache starts over.
    const MAX_RUNS: usize = 4_000_000;

    fn get(&self, team_id: Uuid, filter: &HistoryFilter, stamp: i64) -> Option<Arc<Vec<Case>>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&(team_id, filter.clone()))
            .filter(|(at, _)| *at == stamp)
            .map(|(_, cases)| cases.clone())
    }

    fn put(&self, team_id: Uuid, filter: HistoryFilter, stamp: i64, cases: Arc<Vec<Case>>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|(team, _), (at, _)| *team != team_id || *at == stamp);
        let runs = |c: &Arc<Vec<Case>>| c.iter().map(|c| c.runs.len() + 1).sum::<usize>();
        let held: usize = map.values().map(|(_, c)| runs(c)).sum();
        if held + runs(&cases) > Self::MAX_RUNS {
            map.clear();
        }
        map.insert((team_id, filter), (stamp, cases));
    }
}

impl Services {
    /// Opens a read of the team's history `q` selects, for a reader of the team.
    async fn history_scope(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        team_id: Uuid,
        q: &AnalyticsQuery,
    ) -> Result<HistoryScope> {
        self.team_access(tx, &ctx.actor, team_id, Permission::Read)
            .await?;
        q.check()?;
        let main = self.resolve_ref(tx, team_id, None).await?;
        let roles = tx.list_roles(team_id, PageRequest::all()).await?.items;
        let stamp = tx.chain_head(team_id).await?.map_or(0, |(seq, _)| seq);
        Ok(HistoryScope {
            team_id,
            main,
            roles,
            stamp,
        })
    }

    /// A playbook of `main` with the history `q` selects: its instances started in the period
    /// (a `to` not after `from` is an empty period), only the runs of the steps assigned to
    /// `q.role` when one is given; each step's hourly cost is its role's.
    async fn execution_history(
        &self,
        tx: &mut dyn Tx,
        scope: &HistoryScope,
        process_id: Uuid,
        q: &AnalyticsQuery,
    ) -> Result<PlaybookHistory> {
        let Entry { body, .. } = self
            .tree_entry::<PlaybookBody>(
                tx,
                scope.team_id,
                &scope.main.tree,
                DefKind::Playbook,
                process_id,
            )
            .await?;
        let filter = HistoryFilter {
            playbook_id: process_id,
            from: q.from,
            to: q.to,
            version: q.version.clone(),
            started_from: q.branch.clone().unwrap_or_else(|| MAIN.to_string()),
        };
        let mut cases = match self.history.get(scope.team_id, &filter, scope.stamp) {
            Some(cases) => cases,
            None => {
                let cases = Arc::new(tx.history(scope.team_id, &filter).await?);
                self.history
                    .put(scope.team_id, filter, scope.stamp, cases.clone());
                cases
            }
        };
        if let Some(role) = q.role {
            let keep: HashSet<&str> = body
                .steps
                .iter()
                .filter(|s| s.assigned_role == Some(role))
                .map(|s| s.id.as_str())
                .collect();
            let mut owned = (*cases).clone();
            for case in &mut owned {
                case.runs.retain(|r| keep.contains(r.step_id.as_str()));
            }
            cases = Arc::new(owned);
        }
        let cost: HashMap<Uuid, f64> = scope
            .roles
            .iter()
            .filter_map(|r| Some((r.id, r.hourly_cost?)))
            .collect();
        let info = StepInfo {
            names: body
                .steps
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect(),
            hourly_cost: body
                .steps
                .iter()
                .filter_map(|s| Some((s.id.clone(), *cost.get(&s.assigned_role?)?)))
                .collect(),
        };
        Ok(PlaybookHistory {
            id: process_id,
            body,
            cases,
            info,
        })
    }

    /// The histories of one playbook (`process_id`) or of every playbook on `main`.
    async fn execution_histories(
        &self,
        tx: &mut dyn Tx,
        scope: &HistoryScope,
        process_id: Option<Uuid>,
        q: &AnalyticsQuery,
    ) -> Result<Vec<PlaybookHistory>> {
        let ids: Vec<Uuid> = match process_id {
            Some(id) => vec![id],
            None => scope.main.tree.playbooks.keys().copied().collect(),
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.execution_history(tx, scope, id, q).await?);
        }
        Ok(out)
    }

    /// One playbook's history as [`Self::execution_history`] reads it, for a reader of the team.
    async fn read_execution_history(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        process_id: Uuid,
        q: &AnalyticsQuery,
    ) -> Result<PlaybookHistory> {
        let mut tx = self.store.read().await?;
        let scope = self.history_scope(tx.as_mut(), ctx, team_id, q).await?;
        self.execution_history(tx.as_mut(), &scope, process_id, q)
            .await
    }

    /// `GET /v1/teams/{team_id}/analytics/processes?process_id=`: one playbook's measures.
    pub async fn process_analytics(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        process_id: Uuid,
        q: &AnalyticsQuery,
    ) -> Result<ProcessAnalytics> {
        let h = self
            .read_execution_history(ctx, team_id, process_id, q)
            .await?;
        Ok(analyze(h, self.clock.now()))
    }

    /// `GET /v1/teams/{team_id}/analytics/processes`: every playbook on `main` with its
    /// measures.
    pub async fn process_summaries(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        q: &AnalyticsQuery,
    ) -> Result<Vec<ProcessSummary>> {
        let mut tx = self.store.read().await?;
        let scope = self.history_scope(tx.as_mut(), ctx, team_id, q).await?;
        let now = self.clock.now();
        Ok(self
            .execution_histories(tx.as_mut(), &scope, None, q)
            .await?
            .into_iter()
            .map(|h| summarize(h, now))
            .collect())
    }

    /// `GET /v1/teams/{team_id}/analytics/variants?process_id=`: process mining over the
    /// playbook's finished instances.
    pub async fn process_mining(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        process_id: Uuid,
        q: &AnalyticsQuery,
        limit: usize,
    ) -> Result<ProcessMining> {
        let h = self
            .read_execution_history(ctx, team_id, process_id, q)
            .await?;
        let finished: Vec<&Case> = h.cases.iter().filter(|c| c.status.is_final()).collect();
        let (variants, variants_truncated) = mining::variants(&finished, limit);
        Ok(ProcessMining {
            process_id,
            cases: finished.len() as u64,
            variants,
            variants_truncated,
            directly_follows: mining::directly_follows(&finished),
            service_times: mining::service_times(&finished),
            cases_per_day: mining::cases_per_day(&finished),
        })
    }
}

impl Services {
    /// `GET /v1/teams/{team_id}/analytics/exports?process_id=&format=`: a playbook's history
    /// as an XES log or CSV, written a chunk at a time by the door.
    pub async fn export_history(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        process_id: Uuid,
        q: &AnalyticsQuery,
        format: ExportFormat,
    ) -> Result<Export> {
        let h = self
            .read_execution_history(ctx, team_id, process_id, q)
            .await?;
        Ok(Export {
            format,
            name: h.body.name,
            cases: h.cases,
            names: h.info.names.into_iter().collect(),
        })
    }
}

/// A playbook's measures at `now`.
fn analyze(h: PlaybookHistory, now: DateTime<Utc>) -> ProcessAnalytics {
    ProcessAnalytics {
        process_id: h.id,
        metrics: process_metrics(&h.cases, &h.info, now),
        steps: step_metrics(&h.cases, &h.info, now),
        bottlenecks: bottlenecks(&h.cases, &h.info),
        name: h.body.name,
    }
}

/// A playbook's summary at `now`.
fn summarize(h: PlaybookHistory, now: DateTime<Utc>) -> ProcessSummary {
    ProcessSummary {
        process_id: h.id,
        metrics: process_metrics(&h.cases, &h.info, now),
        name: h.body.name,
    }
}
