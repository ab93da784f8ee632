//! The measures of people and of the team as a whole.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{summarize, AnalyticsQuery, DEFAULT_PERIOD_DAYS};
use crate::analytics::history::Case;
use crate::analytics::people::people;
use crate::analytics::process::{process_metrics, StepInfo};
use crate::error::Result;
use crate::model::*;
use crate::services::{Ctx, Services};

/// The period of a query: `[from, to)`, by default the last [`DEFAULT_PERIOD_DAYS`] days.
fn period(q: &AnalyticsQuery, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let to = q.to.unwrap_or(now);
    let from = q
        .from
        .unwrap_or_else(|| to - Duration::days(DEFAULT_PERIOD_DAYS));
    (from, to.max(from))
}

fn metric(name: &str, value: Option<f64>, unit: &str, description: &str) -> PerformanceMetric {
    PerformanceMetric {
        name: name.to_string(),
        value,
        unit: unit.to_string(),
        description: description.to_string(),
    }
}

impl Services {
    /// `GET /v1/teams/{team_id}/analytics/users`: each active member's tasks and the team's
    /// throughput and workload in the period.
    pub async fn people_analytics(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        q: &AnalyticsQuery,
    ) -> Result<PeopleAnalytics> {
        let mut tx = self.store.read().await?;
        let scope = self.history_scope(tx.as_mut(), ctx, team_id, q).await?;
        let now = self.clock.now();
        let (from, to) = period(q, now);
        let tasks = tx.task_history(team_id, from, to).await?;
        let members = tx
            .list_members(team_id, crate::page::PageRequest::all())
            .await?
            .items;
        let roles = self.role_holders(tx.as_mut(), &scope).await?;
        let instances_completed = self
            .execution_histories(tx.as_mut(), &scope, None, &q.all_time())
            .await?
            .iter()
            .flat_map(|h| h.cases.iter())
            .filter(|c| completed_in(c, from, to))
            .count() as u64;
        let (users, team) = people(
            team_id,
            &tasks,
            &members,
            &roles,
            (from, to),
            now,
            instances_completed,
        );
        Ok(PeopleAnalytics {
            from,
            to,
            users,
            team,
        })
    }

    /// `GET /v1/teams/{team_id}/analytics/performance`: the team's headline measures over the
    /// instances started in the period (every playbook on `main` together), and each
    /// playbook's.
    pub async fn performance_overview(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        q: &AnalyticsQuery,
    ) -> Result<PerformanceOverview> {
        let mut tx = self.store.read().await?;
        let scope = self.history_scope(tx.as_mut(), ctx, team_id, q).await?;
        let now = self.clock.now();
        let (from, to) = period(q, now);
        let in_period = AnalyticsQuery {
            from: Some(from),
            to: Some(to),
            ..q.clone()
        };
        let histories = self
            .execution_histories(tx.as_mut(), &scope, None, &in_period)
            .await?;
        // Every playbook together: step ids are qualified by their playbook, so each run is
        // priced at its own step's role cost.
        let mut all_cases = Vec::new();
        let mut info = StepInfo::default();
        for h in &histories {
            let qualify = |step: &str| format!("{}/{step}", h.id);
            for case in h.cases.iter() {
                let mut case = case.clone();
                for run in &mut case.runs {
                    run.step_id = qualify(&run.step_id);
                }
                all_cases.push(case);
            }
            info.hourly_cost.extend(
                h.info
                    .hourly_cost
                    .iter()
                    .map(|(step, cost)| (qualify(step), *cost)),
            );
        }
        let overall = process_metrics(&all_cases, &info, now);
        let tasks = tx.task_history(team_id, from, to).await?;
        let completed = tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Completed)
            .count() as f64;
        let overdue = tasks
            .iter()
            .filter(|t| t.status.is_open() && t.due_date.is_some_and(|d| d < now))
            .count() as f64;
        let days = (to - from).num_seconds() as f64 / 86_400.0;
        let per_day = |n: f64| (days > 0.0).then(|| n / days);
        let secs = |s: Option<Seconds>| s.map(|s| s.value);
        let n = |x: u64| Some(x as f64);
        let metrics = vec![
            metric(
                "instances_started",
                n(overall.total_executions),
                "count",
                "Instances started in the period.",
            ),
            metric(
                "instances_completed",
                n(overall.successful_executions),
                "count",
                "Of those, completed.",
            ),
            metric(
                "instances_running",
                n(overall.running_executions),
                "count",
                "Of those, not finished yet.",
            ),
            metric(
                "completion_rate",
                overall.completion_rate,
                "ratio",
                "Completed over finished (completed, failed or cancelled).",
            ),
            metric(
                "average_cycle_time",
                secs(overall.average_duration),
                "seconds",
                "Mean cycle time of the completed ones (first event to last).",
            ),
            metric(
                "median_cycle_time",
                secs(overall.median_duration),
                "seconds",
                "Median cycle time of the completed ones.",
            ),
            metric(
                "sla_breach_rate",
                overall.sla_breach_rate,
                "ratio",
                "Instances with a step past its SLA over instances with a step that has one.",
            ),
            metric(
                "efficiency_score",
                overall.efficiency_score,
                "ratio",
                "Mean share of the cycle time during which a step was being worked on.",
            ),
            metric(
                "cost_per_execution",
                overall.cost_per_execution,
                "currency",
                "Mean of work hours times the hourly cost of each step's role.",
            ),
            metric(
                "instances_started_per_day",
                per_day(overall.total_executions as f64),
                "per_day",
                "Instances started per day of the period.",
            ),
            metric(
                "tasks_completed",
                Some(completed),
                "count",
                "Tasks completed in the period.",
            ),
            metric(
                "tasks_completed_per_day",
                per_day(completed),
                "per_day",
                "Tasks completed per day of the period.",
            ),
            metric(
                "tasks_overdue",
                Some(overdue),
                "count",
                "Open tasks past their due date now.",
            ),
        ];
        Ok(PerformanceOverview {
            from,
            to,
            metrics,
            processes: histories.into_iter().map(|h| summarize(h, now)).collect(),
        })
    }
}

/// Whether `case` completed in `[from, to)`.
fn completed_in(case: &Case, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    case.status == InstanceStatus::Completed && case.end.is_some_and(|e| e >= from && e < to)
}
