//! The SQL of analytics, written once and expanded for each backend; the bulk paths (reading a
//! playbook's history, writing an imported log and pinning its cases) are each backend's own
//! (`sqlite_bulk`, `postgres_bulk`).

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
                self.read_history(team_id, filter).await
            }

            async fn insert_history(
                &mut self,
                team_id: uuid::Uuid,
                playbook_id: uuid::Uuid,
                user_id: uuid::Uuid,
                batch: &orgata_core::analytics::import::ImportBatch,
            ) -> orgata_core::Result<()> {
                self.write_history(team_id, playbook_id, user_id, batch).await
            }

            async fn finish_import(
                &mut self,
                team_id: uuid::Uuid,
                playbook_id: uuid::Uuid,
                version: &str,
                hash: &str,
            ) -> orgata_core::Result<()> {
                self.pin_imported(team_id, playbook_id, version, hash).await
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
