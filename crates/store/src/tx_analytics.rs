//! The SQL of analytics: reading a playbook's execution history in one query, and writing
//! imported history in multi-row statements. Written once, expanded for each backend.

/// Implements `AnalyticsTx` for `$tx`.
#[macro_export]
#[doc(hidden)]
macro_rules! tx_analytics_impl {
    ($tx:ident, $db:ty, $row:ty) => {
        #[async_trait::async_trait]
        impl orgata_core::store::AnalyticsTx for $tx {
            async fn history(
                &mut self,
                team_id: uuid::Uuid,
                filter: &orgata_core::analytics::import::HistoryFilter,
            ) -> orgata_core::Result<Vec<orgata_core::analytics::history::Case>> {
                use orgata_core::analytics::history::{Case, Run};
                use orgata_core::model::{InstanceStatus, StepStatus};
                use sqlx::Row;
                use $crate::error::{corrupt, db_err};
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT i.id, i.status, i.start_time, i.end_time, e.step_id, e.status, e.start_time, \
                     e.work_started_at, e.end_time, e.due_at, i.playbook_version, e.id \
                     FROM process_instances i LEFT JOIN step_executions e ON e.process_instance_id = i.id \
                     WHERE i.team_id = ",
                );
                q.push_bind(team_id).push(" AND i.playbook_id = ").push_bind(filter.playbook_id);
                if let Some(from) = filter.from {
                    q.push(" AND i.start_time >= ").push_bind(from);
                }
                if let Some(to) = filter.to {
                    q.push(" AND i.start_time < ").push_bind(to);
                }
                if let Some(version) = &filter.version {
                    q.push(" AND i.playbook_version = ").push_bind(version.clone());
                }
                q.push(" AND i.started_from = ").push_bind(filter.started_from.clone());
                // No ORDER BY: rows are grouped by case here, and sorting a million rows in the
                // database would cost more than the grouping.
                let rows = q.build().fetch_all(&mut *self.tx).await.map_err(db_err)?;
                let mut cases: Vec<Case> = Vec::new();
                let mut at: std::collections::HashMap<uuid::Uuid, usize> = std::collections::HashMap::new();
                for r in &rows {
                    let id: uuid::Uuid = r.try_get(0).map_err(db_err)?;
                    let index = match at.get(&id) {
                        Some(i) => *i,
                        None => {
                        let status: String = r.try_get(1).map_err(db_err)?;
                        cases.push(Case {
                            id,
                            version: r.try_get(10).map_err(db_err)?,
                            status: InstanceStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                            start: r.try_get(2).map_err(db_err)?,
                            end: r.try_get(3).map_err(db_err)?,
                            runs: Vec::new(),
                        });
                        at.insert(id, cases.len() - 1);
                        cases.len() - 1
                        }
                    };
                    let step_id: Option<String> = r.try_get(4).map_err(db_err)?;
                    let Some(step_id) = step_id else { continue };
                    let status: String = r.try_get(5).map_err(db_err)?;
                    let ready: Option<chrono::DateTime<chrono::Utc>> = r.try_get(6).map_err(db_err)?;
                    let claimed: Option<chrono::DateTime<chrono::Utc>> = r.try_get(7).map_err(db_err)?;
                    let end: Option<chrono::DateTime<chrono::Utc>> = r.try_get(8).map_err(db_err)?;
                    {
                        let case = &mut cases[index];
                        case.runs.push(Run {
                            id: r.try_get(11).map_err(db_err)?,
                            step_id,
                            status: StepStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                            ready,
                            // Unclaimed: work started when it became ready, once it is done.
                            work_start: claimed.or(ready.filter(|_| end.is_some())),
                            end,
                            due: r.try_get(9).map_err(db_err)?,
                        });
                    }
                }
                cases.sort_by_key(|c| c.id);
                for case in &mut cases {
                    case.sort_runs();
                }
                Ok(cases)
            }

            async fn insert_history(
                &mut self,
                team_id: uuid::Uuid,
                playbook_id: uuid::Uuid,
                user_id: uuid::Uuid,
                batch: &orgata_core::analytics::import::ImportBatch,
            ) -> orgata_core::Result<()> {
                use sqlx::types::Json;
                use $crate::error::db_err;
                /// Rows per statement: well under either backend's limit on bound values.
                const CHUNK: usize = 1000;
                let now = orgata_core::model::now();
                for chunk in batch.cases.chunks(CHUNK) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO process_instances (id, team_id, playbook_id, playbook_version, playbook_hash, name, status, \
                         business_key, initiated_by, variables, start_time, end_time, created_at, updated_at, started_from) ",
                    );
                    q.push_values(chunk, |mut b, c| {
                        b.push_bind(c.id).push_bind(team_id).push_bind(playbook_id).push_bind("").push_bind("")
                            .push_bind(c.name.clone()).push_bind("completed").push_bind(c.business_key.clone())
                            .push_bind(user_id).push_bind(Json(c.variables.clone())).push_bind(c.start)
                            .push_bind(c.end).push_bind(now).push_bind(now).push_bind("main");
                    });
                    q.build().execute(&mut *self.tx).await.map_err(db_err)?;
                }
                for chunk in batch.runs.chunks(CHUNK) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO step_executions (id, team_id, process_instance_id, step_id, iteration, status, input_data, \
                         start_time, work_started_at, end_time, created_at, updated_at) ",
                    );
                    q.push_values(chunk, |mut b, r| {
                        b.push_bind(r.id).push_bind(team_id).push_bind(r.instance_id).push_bind(r.step_id.clone())
                            .push_bind(r.iteration).push_bind("completed").push_bind(Json(serde_json::json!({})))
                            .push_bind(r.ready).push_bind(r.work_start).push_bind(r.end).push_bind(r.ready).push_bind(r.end);
                    });
                    q.build().execute(&mut *self.tx).await.map_err(db_err)?;
                }
                for chunk in batch.events.chunks(CHUNK) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO history_events (team_id, process_instance_id, seq, activity, step_id, lifecycle, \
                         occurred_at, resource, attributes) ",
                    );
                    q.push_values(chunk, |mut b, e| {
                        b.push_bind(team_id).push_bind(e.instance_id).push_bind(e.seq).push_bind(e.activity.clone())
                            .push_bind(e.step_id.clone()).push_bind(e.lifecycle.clone()).push_bind(e.timestamp)
                            .push_bind(e.resource.clone()).push_bind(Json(e.attributes.clone()));
                    });
                    q.build().execute(&mut *self.tx).await.map_err(db_err)?;
                }
                Ok(())
            }

            async fn set_instances_version(
                &mut self,
                team_id: uuid::Uuid,
                playbook_id: uuid::Uuid,
                version: &str,
                hash: &str,
            ) -> orgata_core::Result<()> {
                sqlx::query(
                    "UPDATE process_instances SET playbook_version = $3, playbook_hash = $4 \
                     WHERE team_id = $1 AND playbook_id = $2 AND playbook_version = ''",
                )
                .bind(team_id).bind(playbook_id).bind(version).bind(hash)
                .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn mark_work_started(
                &mut self,
                execution_id: uuid::Uuid,
                at: chrono::DateTime<chrono::Utc>,
            ) -> orgata_core::Result<()> {
                sqlx::query("UPDATE step_executions SET work_started_at = $2 WHERE id = $1 AND work_started_at IS NULL")
                    .bind(execution_id).bind(at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn task_history(
                &mut self,
                team_id: uuid::Uuid,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> orgata_core::Result<Vec<orgata_core::analytics::people::TaskRecord>> {
                use orgata_core::model::TaskStatus;
                use sqlx::Row;
                use $crate::error::{corrupt, db_err};
                let rows = sqlx::query(
                    "SELECT t.status, t.assigned_to, t.assigned_role, t.completed_by, t.created_at, e.work_started_at, \
                     t.completed_at, t.due_date FROM tasks t LEFT JOIN step_executions e ON e.id = t.step_execution_id \
                     WHERE t.team_id = $1 AND (t.status IN ('open', 'in_progress', 'escalated') \
                     OR (t.status = 'completed' AND t.completed_at >= $2 AND t.completed_at < $3))",
                )
                .bind(team_id).bind(from).bind(to)
                .fetch_all(&mut *self.tx).await.map_err(db_err)?;
                rows.iter()
                    .map(|r| {
                        let status: String = r.try_get(0).map_err(db_err)?;
                        Ok(orgata_core::analytics::people::TaskRecord {
                            status: TaskStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                            assigned_to: r.try_get(1).map_err(db_err)?,
                            assigned_role: r.try_get(2).map_err(db_err)?,
                            completed_by: r.try_get(3).map_err(db_err)?,
                            created_at: r.try_get(4).map_err(db_err)?,
                            work_started: r.try_get(5).map_err(db_err)?,
                            completed_at: r.try_get(6).map_err(db_err)?,
                            due_date: r.try_get(7).map_err(db_err)?,
                        })
                    })
                    .collect()
            }
        }
    };
}
