//! The SQL of reports, report executions and dashboards: each kept whole as a JSON body next
//! to the columns it is found by. Written once, expanded for each backend.

/// Implements `ReportTx` for `$tx`.
#[macro_export]
#[doc(hidden)]
macro_rules! tx_reports_impl {
    ($tx:ident, $db:ty, $row:ty) => {
        /// Decodes the JSON `body` of each row.
        fn bodies<T: serde::de::DeserializeOwned>(rows: &[$row]) -> orgata_core::Result<Vec<T>> {
            use sqlx::Row;
            rows.iter()
                .map(|r| {
                    r.try_get::<sqlx::types::Json<T>, _>("body")
                        .map(|j| j.0)
                        .map_err($crate::error::db_err)
                })
                .collect()
        }

        /// One page of the bodies of `table` in a team, newest first (`extra` narrows it).
        async fn body_page<T: serde::de::DeserializeOwned>(
            tx: &mut sqlx::Transaction<'static, $db>,
            table: &str,
            team_id: uuid::Uuid,
            extra: Option<(&str, uuid::Uuid)>,
            page: orgata_core::page::PageRequest,
        ) -> orgata_core::Result<orgata_core::page::Page<T>> {
            use $crate::error::db_err;
            let filter = extra.map_or(String::new(), |(column, _)| format!(" AND {column} = $2"));
            let (limit, offset) = if extra.is_some() { ("$3", "$4") } else { ("$2", "$3") };
            let count_sql = format!("SELECT COUNT(*) FROM {table} WHERE team_id = $1{filter}");
            let list_sql = format!(
                "SELECT body FROM {table} WHERE team_id = $1{filter} ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
            );
            let mut count = sqlx::query(&count_sql).bind(team_id);
            let mut list = sqlx::query(&list_sql).bind(team_id);
            if let Some((_, id)) = extra {
                count = count.bind(id);
                list = list.bind(id);
            }
            let total = count.fetch_one(&mut **tx).await.map_err(db_err)?;
            let found = list
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(&mut **tx)
                .await
                .map_err(db_err)?;
            Ok(orgata_core::page::Page {
                items: bodies(&found)?,
                total_count: sqlx::Row::try_get::<i64, _>(&total, 0).map_err(db_err)?,
                request: page,
            })
        }

        /// The body of one row of `table` in a team.
        async fn one_body<T: serde::de::DeserializeOwned>(
            tx: &mut sqlx::Transaction<'static, $db>,
            table: &str,
            team_id: uuid::Uuid,
            id: uuid::Uuid,
        ) -> orgata_core::Result<Option<T>> {
            let sql = format!("SELECT body FROM {table} WHERE team_id = $1 AND id = $2");
            let found = sqlx::query(&sql)
                .bind(team_id)
                .bind(id)
                .fetch_all(&mut **tx)
                .await
                .map_err($crate::error::db_err)?;
            Ok(bodies(&found)?.into_iter().next())
        }

        #[async_trait::async_trait]
        impl orgata_core::store::ReportTx for $tx {
            async fn insert_report(&mut self, r: &orgata_core::model::Report) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO reports (id, team_id, body, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(r.id).bind(r.team_id).bind(sqlx::types::Json(r)).bind(r.created_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn report(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::Report>> {
                one_body(&mut self.tx, "reports", team_id, id).await
            }

            async fn list_reports(&mut self, team_id: uuid::Uuid, page: orgata_core::page::PageRequest)
                -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::Report>> {
                body_page(&mut self.tx, "reports", team_id, None, page).await
            }

            async fn update_report(&mut self, r: &orgata_core::model::Report) -> orgata_core::Result<()> {
                sqlx::query("UPDATE reports SET body = $3 WHERE team_id = $1 AND id = $2")
                    .bind(r.team_id).bind(r.id).bind(sqlx::types::Json(r))
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn delete_report(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<bool> {
                use $crate::error::db_err;
                sqlx::query("DELETE FROM report_executions WHERE team_id = $1 AND report_id = $2")
                    .bind(team_id).bind(id).execute(&mut *self.tx).await.map_err(db_err)?;
                let done = sqlx::query("DELETE FROM reports WHERE team_id = $1 AND id = $2")
                    .bind(team_id).bind(id).execute(&mut *self.tx).await.map_err(db_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_report_execution(&mut self, e: &orgata_core::model::ReportExecution) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO report_executions (id, team_id, report_id, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(e.id).bind(e.team_id).bind(e.report_id).bind(e.status.as_str()).bind(sqlx::types::Json(e)).bind(e.created_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn report_execution(&mut self, team_id: uuid::Uuid, id: uuid::Uuid)
                -> orgata_core::Result<Option<orgata_core::model::ReportExecution>> {
                one_body(&mut self.tx, "report_executions", team_id, id).await
            }

            async fn list_report_executions(&mut self, team_id: uuid::Uuid, report_id: uuid::Uuid, page: orgata_core::page::PageRequest)
                -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::ReportExecution>> {
                body_page(&mut self.tx, "report_executions", team_id, Some(("report_id", report_id)), page).await
            }

            async fn pending_report_executions(&mut self, team_id: uuid::Uuid, report_id: uuid::Uuid)
                -> orgata_core::Result<Vec<orgata_core::model::ReportExecution>> {
                let found = sqlx::query("SELECT body FROM report_executions WHERE team_id = $1 AND report_id = $2 AND status = 'pending' ORDER BY id")
                    .bind(team_id).bind(report_id)
                    .fetch_all(&mut *self.tx).await.map_err($crate::error::db_err)?;
                bodies(&found)
            }

            async fn finish_report_execution(&mut self, e: &orgata_core::model::ReportExecution, output: Option<&[u8]>) -> orgata_core::Result<()> {
                sqlx::query("UPDATE report_executions SET status = $3, body = $4, output = $5 WHERE team_id = $1 AND id = $2")
                    .bind(e.team_id).bind(e.id).bind(e.status.as_str()).bind(sqlx::types::Json(e)).bind(output)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn report_output(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<Option<Vec<u8>>> {
                use sqlx::Row;
                let found = sqlx::query("SELECT output FROM report_executions WHERE team_id = $1 AND id = $2")
                    .bind(team_id).bind(id)
                    .fetch_optional(&mut *self.tx).await.map_err($crate::error::db_err)?;
                match found {
                    Some(r) => r.try_get::<Option<Vec<u8>>, _>(0).map_err($crate::error::db_err),
                    None => Ok(None),
                }
            }

            async fn insert_dashboard(&mut self, d: &orgata_core::model::Dashboard) -> orgata_core::Result<()> {
                sqlx::query("INSERT INTO dashboards (id, team_id, body, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(d.id).bind(d.team_id).bind(sqlx::types::Json(d)).bind(d.created_at)
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn dashboard(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<Option<orgata_core::model::Dashboard>> {
                one_body(&mut self.tx, "dashboards", team_id, id).await
            }

            async fn list_dashboards(&mut self, team_id: uuid::Uuid, page: orgata_core::page::PageRequest)
                -> orgata_core::Result<orgata_core::page::Page<orgata_core::model::Dashboard>> {
                body_page(&mut self.tx, "dashboards", team_id, None, page).await
            }

            async fn update_dashboard(&mut self, d: &orgata_core::model::Dashboard) -> orgata_core::Result<()> {
                sqlx::query("UPDATE dashboards SET body = $3 WHERE team_id = $1 AND id = $2")
                    .bind(d.team_id).bind(d.id).bind(sqlx::types::Json(d))
                    .execute(&mut *self.tx).await.map(|_| ()).map_err($crate::error::db_err)
            }

            async fn delete_dashboard(&mut self, team_id: uuid::Uuid, id: uuid::Uuid) -> orgata_core::Result<bool> {
                let done = sqlx::query("DELETE FROM dashboards WHERE team_id = $1 AND id = $2")
                    .bind(team_id).bind(id)
                    .execute(&mut *self.tx).await.map_err($crate::error::db_err)?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
