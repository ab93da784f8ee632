//! The analytics queries reports and dashboards show, each answered as a JSON object.

use chrono::Duration;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{analyze, AnalyticsQuery};
use crate::analytics::anomalies::DEFAULT_THRESHOLD;
use crate::error::{Error, Result};
use crate::model::*;
use crate::services::{Ctx, Services};

/// Predictions a report or widget lists.
const SOURCE_PREDICTIONS: usize = 100;
/// Variants a report or widget lists.
const SOURCE_VARIANTS: usize = 50;
/// Up to this many days, trends are daily; beyond, weekly.
const DAILY_TRENDS_UP_TO: i64 = 62;

/// What a source covers: a playbook (or all) and the days before now.
#[derive(Debug, Clone, Copy)]
pub struct SourceScope {
    pub process_id: Option<Uuid>,
    pub period_days: i64,
}

fn to_value(v: impl serde::Serialize) -> Result<Value> {
    serde_json::to_value(v).map_err(Error::internal)
}

/// `item` as an object with `process` (the playbook's name) first.
fn tagged(process: &str, item: impl serde::Serialize) -> Result<Value> {
    let mut v = to_value(item)?;
    if let Value::Object(o) = &mut v {
        o.insert("process".into(), json!(process));
    }
    Ok(v)
}

impl Services {
    /// The answer of `source` for `scope`, as an object.
    pub async fn source_data(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        source: AnalyticsSource,
        scope: SourceScope,
    ) -> Result<Value> {
        let now = self.clock.now();
        let q = AnalyticsQuery {
            from: Some(now - Duration::days(scope.period_days)),
            ..Default::default()
        };
        let pid = scope.process_id;
        match source {
            AnalyticsSource::Performance => {
                to_value(self.performance_overview(ctx, team_id, &q).await?)
            }
            AnalyticsSource::Users => to_value(self.people_analytics(ctx, team_id, &q).await?),
            AnalyticsSource::Trends => {
                let period = if scope.period_days <= DAILY_TRENDS_UP_TO {
                    TrendPeriod::Day
                } else {
                    TrendPeriod::Week
                };
                to_value(self.trend_analysis(ctx, team_id, pid, &q, period).await?)
            }
            AnalyticsSource::Anomalies => to_value(
                self.anomaly_report(ctx, team_id, pid, &q, DEFAULT_THRESHOLD)
                    .await?,
            ),
            AnalyticsSource::Predictions => to_value(
                self.prediction_report(
                    ctx,
                    team_id,
                    pid,
                    None,
                    &AnalyticsQuery::default(),
                    SOURCE_PREDICTIONS,
                )
                .await?,
            ),
            AnalyticsSource::Recommendations => {
                to_value(self.recommendation_report(ctx, team_id, pid, &q).await?)
            }
            AnalyticsSource::Variants => {
                let id = pid.ok_or_else(|| {
                    Error::invalid("/process_id", "required", "process mining needs a playbook")
                })?;
                to_value(
                    self.process_mining(ctx, team_id, id, &q, SOURCE_VARIANTS)
                        .await?,
                )
            }
            AnalyticsSource::Processes | AnalyticsSource::Sla => {
                let all = self.playbook_analytics(ctx, team_id, pid, &q).await?;
                let (mut playbooks, mut steps, mut bottlenecks) =
                    (Vec::new(), Vec::new(), Vec::new());
                for pa in &all {
                    if source == AnalyticsSource::Sla {
                        playbooks.push(json!({"process_id": pa.process_id, "name": pa.name,
                            "sla_breach_rate": pa.metrics.sla_breach_rate,
                            "total_executions": pa.metrics.total_executions}));
                        for s in pa.steps.iter().filter(|s| s.sla_breach_rate.is_some()) {
                            steps.push(
                                json!({"process": pa.name, "step_id": s.step_id, "name": s.name,
                                "executions": s.executions, "sla_breaches": s.sla_breaches,
                                "sla_breach_rate": s.sla_breach_rate}),
                            );
                        }
                        continue;
                    }
                    playbooks.push(json!({"process_id": pa.process_id, "name": pa.name, "metrics": pa.metrics}));
                    for s in &pa.steps {
                        steps.push(tagged(&pa.name, s)?);
                    }
                    for b in &pa.bottlenecks {
                        bottlenecks.push(tagged(&pa.name, b)?);
                    }
                }
                Ok(if source == AnalyticsSource::Sla {
                    json!({"playbooks": playbooks, "steps": steps})
                } else {
                    json!({"playbooks": playbooks, "steps": steps, "bottlenecks": bottlenecks})
                })
            }
        }
    }

    /// The measures of one playbook, or of every playbook on `main`.
    async fn playbook_analytics(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        process_id: Option<Uuid>,
        q: &AnalyticsQuery,
    ) -> Result<Vec<ProcessAnalytics>> {
        let mut tx = self.store.read().await?;
        let scope = self.history_scope(tx.as_mut(), ctx, team_id, q).await?;
        let now = self.clock.now();
        Ok(self
            .execution_histories(tx.as_mut(), &scope, process_id, q)
            .await?
            .into_iter()
            .map(|h| analyze(h, now))
            .collect())
    }
}
