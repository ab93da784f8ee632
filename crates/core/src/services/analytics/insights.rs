//! Findings over the history: trends, anomalies, predictions and recommendations.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{AnalyticsQuery, HistoryScope, PlaybookHistory, MAX_VARIANTS};
use crate::analytics::anomalies::anomalies;
use crate::analytics::history::Case;
use crate::analytics::predict::{self, Graph, Progress, StepModel};
use crate::analytics::process::{bottlenecks, step_metrics};
use crate::analytics::recommend::{by_priority, recommend, ProcessFacts, StepRole};
use crate::analytics::trends::{trends, SIGNIFICANCE_LEVEL};
use crate::analytics::{mining, people::RoleHolders};
use crate::error::{Error, Result};
use crate::model::*;
use crate::services::{Ctx, Services};
use crate::store::Tx;

/// The most predictions listed.
pub const MAX_PREDICTIONS: usize = 500;

/// How a trend's period runs when none is given: from the first completion in the history.
fn trend_range(
    cases: &[&Case],
    q: &AnalyticsQuery,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let to = q.to.unwrap_or(now);
    let from = q.from.unwrap_or_else(|| {
        cases
            .iter()
            .filter(|c| c.status == InstanceStatus::Completed)
            .filter_map(|c| c.end)
            .min()
            .unwrap_or(to)
    });
    (from, to)
}

impl Services {
    /// `GET /v1/teams/{team_id}/analytics/trends`: throughput and cycle time per period of one
    /// playbook, or of every playbook on `main` together.
    pub async fn trend_analysis(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        process_id: Option<Uuid>,
        q: &AnalyticsQuery,
        period: TrendPeriod,
    ) -> Result<TrendAnalysis> {
        let mut tx = self.store.read().await?;
        let scope = self.history_scope(tx.as_mut(), ctx, team_id, q).await?;
        let histories = self
            .execution_histories(tx.as_mut(), &scope, process_id, &q.all_time())
            .await?;
        let cases: Vec<&Case> = histories.iter().flat_map(|h| h.cases.iter()).collect();
        let (from, to) = trend_range(&cases, q, self.clock.now());
        Ok(TrendAnalysis {
            process_id,
            period,
            significance_level: SIGNIFICANCE_LEVEL,
            trends: trends(cases, period, from, to),
        })
    }

    /// `GET /v1/teams/{team_id}/analytics/anomalies`: robust outliers among durations, and
    /// running instances past their playbook's p95.
    pub async fn anomaly_report(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        process_id: Option<Uuid>,
        q: &AnalyticsQuery,
        threshold: f64,
    ) -> Result<AnomalyReport> {
        let mut tx = self.store.read().await?;
        let scope = self.history_scope(tx.as_mut(), ctx, team_id, q).await?;
        if !(1.0..=100.0).contains(&threshold) {
            return Err(crate::Error::invalid(
                "/threshold",
                "out_of_range",
                "must be 1 to 100",
            ));
        }
        let now = self.clock.now();
        let mut found: Vec<Anomaly> = self
            .execution_histories(tx.as_mut(), &scope, process_id, q)
            .await?
            .iter()
            .flat_map(|h| anomalies(h.id, &h.cases, now, threshold))
            .collect();
        found.sort_by(|a, b| b.score.abs().total_cmp(&a.score.abs()));
        Ok(AnomalyReport {
            process_id,
            threshold,
            anomalies: found,
        })
    }

    /// `GET /v1/teams/{team_id}/analytics/predictions`: predicted completion of running
    /// instances (one, or the oldest `limit`), with the method's measured coverage.
    pub async fn prediction_report(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        process_id: Option<Uuid>,
        instance_id: Option<Uuid>,
        q: &AnalyticsQuery,
        limit: usize,
    ) -> Result<PredictionReport> {
        let mut tx = self.store.read().await?;
        let scope = self.history_scope(tx.as_mut(), ctx, team_id, q).await?;
        let process_id = match instance_id {
            Some(id) => {
                let playbook = tx
                    .instance(team_id, id, false)
                    .await?
                    .map(|(i, _)| i.playbook_id)
                    .filter(|p| process_id.is_none_or(|want| want == *p))
                    .ok_or_else(|| Error::not_found("instance"))?;
                Some(playbook)
            }
            None => process_id,
        };
        let now = self.clock.now();
        let histories = self
            .execution_histories(tx.as_mut(), &scope, process_id, q)
            .await?;
        // The oldest running instances of every playbook together, at most `limit`.
        let mut running: Vec<(usize, &Case)> = histories
            .iter()
            .enumerate()
            .flat_map(|(i, h)| h.cases.iter().map(move |c| (i, c)))
            .filter(|(_, c)| !c.status.is_final())
            .filter(|(_, c)| instance_id.is_none_or(|id| id == c.id))
            .collect();
        running.sort_by_key(|(_, c)| (c.start, c.id));
        running.truncate(limit);
        let mut predictions = Vec::with_capacity(running.len());
        let mut learned: HashMap<usize, (StepModel, IntervalCoverage, Graph)> = HashMap::new();
        let mut graphs: HashMap<(usize, &str), Graph> = HashMap::new();
        for (i, case) in running {
            let h = &histories[i];
            let (model, coverage, main_graph) = &*learned.entry(i).or_insert_with(|| {
                let main_graph = graph_of(&h.body);
                let coverage = predict::coverage(&main_graph, &h.cases);
                (StepModel::learn(h.cases.iter()), coverage, main_graph)
            });
            let key = (i, case.version.as_str());
            if let std::collections::hash_map::Entry::Vacant(slot) = graphs.entry(key) {
                let g = if case.version.is_empty() {
                    main_graph.clone()
                } else {
                    graph_of(
                        &self
                            .pinned_definition(tx.as_mut(), team_id, h.id, &case.version)
                            .await?
                            .body,
                    )
                };
                slot.insert(g);
            }
            predictions.push(predict_one(h, case, &graphs[&key], model, coverage, now));
        }
        if let (Some(id), true) = (instance_id, predictions.is_empty()) {
            return Err(Error::invalid(
                "/instance_id",
                "not_running",
                format!(
                    "instance {id} is not running in the selected history (it is finished, or \
                     started from another branch or outside the period)"
                ),
            ));
        }
        Ok(PredictionReport {
            process_id,
            predictions,
        })
    }

    /// `GET /v1/teams/{team_id}/analytics/recommendations`: the rules of
    /// `crate::analytics::recommend` over each playbook's measures.
    pub async fn recommendation_report(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        process_id: Option<Uuid>,
        q: &AnalyticsQuery,
    ) -> Result<RecommendationReport> {
        let mut tx = self.store.read().await?;
        let scope = self.history_scope(tx.as_mut(), ctx, team_id, q).await?;
        let holders = self.role_holders(tx.as_mut(), &scope).await?;
        let now = self.clock.now();
        let mut recommendations = Vec::new();
        // Measures over the instances started in the period; the trend over all completions
        // (the same read when the query names no period: the cache answers the second).
        let in_period = self
            .execution_histories(tx.as_mut(), &scope, process_id, q)
            .await?;
        let all_time = self
            .execution_histories(tx.as_mut(), &scope, process_id, &q.all_time())
            .await?;
        for (h, everything) in in_period.into_iter().zip(&all_time) {
            let cases: Vec<&Case> = everything.cases.iter().collect();
            let (from, to) = trend_range(&cases, q, now);
            let finished: Vec<&Case> = h.cases.iter().filter(|c| c.status.is_final()).collect();
            let steps = step_metrics(&h.cases, &h.info, now);
            let ranked = bottlenecks(&h.cases, &h.info);
            let (variants, _) = mining::variants(&finished, MAX_VARIANTS);
            let trend = trends(cases, TrendPeriod::Week, from, to)
                .into_iter()
                .find(|t| t.metric == TrendMetric::CycleTime);
            let roles: Vec<StepRole> = h
                .body
                .steps
                .iter()
                .filter_map(|s| {
                    let r = holders.iter().find(|r| Some(r.id) == s.assigned_role)?;
                    Some(StepRole {
                        step_id: s.id.clone(),
                        role_name: r.name.clone(),
                        holders: r.holders,
                    })
                })
                .collect();
            recommendations.extend(recommend(&ProcessFacts {
                process_id: h.id,
                name: &h.body.name,
                steps: &steps,
                bottlenecks: &ranked,
                variants: &variants,
                cycle_time_trend: trend.as_ref(),
                roles: &roles,
            }));
        }
        by_priority(&mut recommendations);
        Ok(RecommendationReport {
            process_id,
            recommendations,
        })
    }

    /// The team's business roles with how many active members hold each.
    pub(super) async fn role_holders(
        &self,
        tx: &mut dyn Tx,
        scope: &HistoryScope,
    ) -> Result<Vec<RoleHolders>> {
        let members = tx
            .list_members(scope.team_id, crate::page::PageRequest::all())
            .await?
            .items;
        Ok(scope
            .roles
            .iter()
            .map(|r| RoleHolders {
                id: r.id,
                name: r.name.clone(),
                holders: members
                    .iter()
                    .filter(|m| m.status == MemberStatus::Active && m.roles.contains(&r.id))
                    .count() as u64,
            })
            .collect())
    }
}

/// A playbook's dependency graph.
fn graph_of(body: &PlaybookBody) -> Graph {
    Graph::new(
        body.steps
            .iter()
            .map(|s| (s.id.clone(), s.dependencies.clone().unwrap_or_default()))
            .collect(),
    )
}

/// One running instance's prediction.
fn predict_one(
    h: &PlaybookHistory,
    case: &Case,
    graph: &Graph,
    model: &StepModel,
    coverage: &IntervalCoverage,
    now: DateTime<Utc>,
) -> Prediction {
    let progress = Progress::at(case, now);
    let remaining_steps = progress.remaining(graph);
    let steps_without_history = remaining_steps
        .iter()
        .filter(|s| !model.knows(s))
        .cloned()
        .collect();
    let (completion_probability, completion_basis) =
        predict::completion_probability(&h.cases, &progress.finished);
    let known = h
        .cases
        .iter()
        .any(|c| c.status == InstanceStatus::Completed);
    let times = known
        .then(|| {
            let remaining = predict::simulate(
                graph,
                model,
                &progress,
                predict::SAMPLES,
                &mut predict::rng_for(case.id),
            );
            predict::interval(&remaining)
        })
        .flatten();
    let at = |secs: f64| now + Duration::milliseconds((secs * 1000.0).round() as i64);
    Prediction {
        process_id: h.id,
        instance_id: case.id,
        expected_completion: times.map(|t| at(t.0)),
        interval_low: times.map(|t| at(t.1)),
        interval_high: times.map(|t| at(t.2)),
        remaining_steps,
        steps_without_history,
        completion_probability,
        completion_basis,
        coverage: coverage.clone(),
    }
}
