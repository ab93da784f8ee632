//! The bulk paths of analytics on PostgreSQL: reading a playbook's history and writing an
//! imported log with binary `COPY`. An import's cases are staged in a temporary table and take their
//! place, pinned to their version, in one `INSERT … SELECT` at the end: updating every row
//! once the version is known would write each twice, with its index entries. Their traces
//! are written as they come (`history_traces` has no foreign key here: see migration 0008).

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use orgata_core::analytics::history::{Case, HistoryRows, Run};
use orgata_core::analytics::import::{HistoryFilter, ImportBatch};
use orgata_core::model::{InstanceStatus, StepStatus};
use orgata_core::{Error, Result};
use sqlx::Row;
use uuid::Uuid;

use crate::copy_binary::BinaryRows;
use crate::error::{corrupt, db_err};
use crate::history_sql::{history_query, Param};
use crate::postgres::PgTx;

impl PgTx {
    /// The instances `filter` selects with their step executions.
    pub(crate) async fn read_history(
        &mut self,
        team_id: Uuid,
        filter: &HistoryFilter,
    ) -> Result<Vec<Case>> {
        let (sql, params) = history_query(team_id, filter);
        let mut q = sqlx::query(&sql);
        for p in params {
            q = match p {
                Param::Id(id) => q.bind(id),
                Param::Time(t) => q.bind(t),
                Param::Text(s) => q.bind(s),
            };
        }
        // Rows are read as they arrive, while the server still sends the rest.
        let mut rows = q.fetch(&mut *self.tx);
        let mut history = HistoryRows::default();
        while let Some(r) = rows.try_next().await.map_err(db_err)? {
            let r = &r;
            let case = history.case(r.try_get(0).map_err(db_err)?, || {
                let status: String = r.try_get(1).map_err(db_err)?;
                Ok::<_, Error>(Case {
                    id: r.try_get(0).map_err(db_err)?,
                    status: InstanceStatus::parse(&status)
                        .ok_or_else(|| corrupt("status", &status))?,
                    start: r.try_get(2).map_err(db_err)?,
                    end: r.try_get(3).map_err(db_err)?,
                    version: r.try_get(4).map_err(db_err)?,
                    runs: Vec::new(),
                })
            })?;
            let Some(run_id) = r.try_get::<Option<Uuid>, _>(5).map_err(db_err)? else {
                if let Some(events) = r.try_get::<Option<&str>, _>(12).map_err(db_err)? {
                    history
                        .push_imported(case, events)
                        .map_err(|e| corrupt("trace", &e.to_string()))?;
                }
                continue;
            };
            let status: String = r.try_get(7).map_err(db_err)?;
            let time = |i: usize| r.try_get::<Option<DateTime<Utc>>, _>(i).map_err(db_err);
            let run = Run::recorded(
                run_id,
                r.try_get(6).map_err(db_err)?,
                StepStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                (time(8)?, time(9)?, time(10)?, time(11)?),
            );
            history.push_run(case, run);
        }
        Ok(history.finish())
    }

    /// Writes imported cases (to the staging table) and their traces with `COPY … FROM
    /// STDIN`, a table at a time.
    pub(crate) async fn write_history(
        &mut self,
        team_id: Uuid,
        playbook_id: Uuid,
        user_id: Uuid,
        batch: &ImportBatch,
    ) -> Result<()> {
        let now = orgata_core::model::now();
        if !self.staging {
            sqlx::query(
                "CREATE TEMPORARY TABLE import_cases (LIKE process_instances INCLUDING DEFAULTS) \
                 ON COMMIT DROP",
            )
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
            self.staging = true;
        }
        let mut cases = BinaryRows::new();
        for c in &batch.cases {
            let variables = serde_json::to_string(&c.variables).map_err(Error::internal)?;
            cases
                .row(15)
                .uuid(c.id)
                .uuid(team_id)
                .uuid(playbook_id)
                .text(Some(""))
                .text(Some(""))
                .text(Some(&c.name))
                .text(Some("completed"))
                .text(c.business_key.as_deref())
                .uuid(user_id)
                .jsonb(&variables)
                .time(c.start)
                .time(c.end)
                .time(now)
                .time(now)
                .text(Some("main"));
        }
        self.copy(&format!("import_cases ({IMPORTED_COLUMNS})"), cases)
            .await?;
        let mut traces = BinaryRows::new();
        for t in &batch.traces {
            traces
                .row(3)
                .uuid(t.instance_id)
                .uuid(team_id)
                .text(Some(&t.events));
        }
        self.copy(
            "history_traces (process_instance_id, team_id, events)",
            traces,
        )
        .await
    }

    /// Moves the staged cases into `process_instances`, pinned to `version` and `hash`.
    pub(crate) async fn pin_imported(
        &mut self,
        _team_id: Uuid,
        _playbook_id: Uuid,
        version: &str,
        hash: &str,
    ) -> Result<()> {
        if !self.staging {
            return Ok(());
        }
        sqlx::query(&format!(
            "INSERT INTO process_instances ({IMPORTED_COLUMNS}) \
             SELECT id, team_id, playbook_id, $1, $2, name, status, business_key, initiated_by, \
             variables, start_time, end_time, created_at, updated_at, started_from FROM import_cases"
        ))
        .bind(version)
        .bind(hash)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        sqlx::query("DROP TABLE import_cases")
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        self.staging = false;
        Ok(())
    }

    /// Loads `rows` into `target`: `table (columns)`.
    async fn copy(&mut self, target: &str, rows: BinaryRows) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut copy = self
            .tx
            .copy_in_raw(&format!("COPY {target} FROM STDIN (FORMAT binary)"))
            .await
            .map_err(db_err)?;
        copy.send(rows.finish()).await.map_err(db_err)?;
        copy.finish().await.map_err(db_err)?;
        Ok(())
    }
}

/// The columns an imported case is written with.
const IMPORTED_COLUMNS: &str = "id, team_id, playbook_id, playbook_version, playbook_hash, name, \
     status, business_key, initiated_by, variables, start_time, end_time, created_at, \
     updated_at, started_from";
