//! The bulk paths of analytics on PostgreSQL: reading a playbook's history and writing an
//! imported log in multi-row statements.

use chrono::{DateTime, Utc};
use orgata_core::analytics::history::{Case, HistoryRows, Run};
use orgata_core::analytics::import::{HistoryFilter, ImportBatch};
use orgata_core::model::{InstanceStatus, StepStatus};
use orgata_core::{Error, Result};
use sqlx::types::Json;
use sqlx::{Postgres, QueryBuilder, Row};
use uuid::Uuid;

use crate::error::{corrupt, db_err};
use crate::history_sql::{history_query, Param};
use crate::postgres::PgTx;

/// Rows per statement: well under PostgreSQL's 65,535 bound values.
const CHUNK: usize = 1000;

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
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        let mut history = HistoryRows::default();
        for r in &rows {
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

    /// Writes imported cases, runs and traces, a thousand rows per statement.
    pub(crate) async fn write_history(
        &mut self,
        team_id: Uuid,
        playbook_id: Uuid,
        user_id: Uuid,
        batch: &ImportBatch,
    ) -> Result<()> {
        let now = orgata_core::model::now();
        for chunk in batch.cases.chunks(CHUNK) {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO process_instances (id, team_id, playbook_id, playbook_version, \
                 playbook_hash, name, status, business_key, initiated_by, variables, start_time, \
                 end_time, created_at, updated_at, started_from) ",
            );
            q.push_values(chunk, |mut b, c| {
                b.push_bind(c.id)
                    .push_bind(team_id)
                    .push_bind(playbook_id)
                    .push_bind("")
                    .push_bind("")
                    .push_bind(&c.name)
                    .push_bind("completed")
                    .push_bind(&c.business_key)
                    .push_bind(user_id)
                    .push_bind(Json(&c.variables))
                    .push_bind(c.start)
                    .push_bind(c.end)
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind("main");
            });
            q.build().execute(&mut *self.tx).await.map_err(db_err)?;
        }
        for chunk in batch.runs.chunks(CHUNK) {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO step_executions (id, team_id, process_instance_id, step_id, \
                 iteration, status, input_data, start_time, work_started_at, end_time, \
                 created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(r.id)
                    .push_bind(team_id)
                    .push_bind(r.instance_id)
                    .push_bind(&r.step_id)
                    .push_bind(r.iteration)
                    .push_bind("completed")
                    .push_bind(Json(serde_json::json!({})))
                    .push_bind(r.ready)
                    .push_bind(r.work_start)
                    .push_bind(r.end)
                    .push_bind(r.ready)
                    .push_bind(r.end);
            });
            q.build().execute(&mut *self.tx).await.map_err(db_err)?;
        }
        for chunk in batch.traces.chunks(CHUNK) {
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO history_traces (process_instance_id, team_id, events) ",
            );
            q.push_values(chunk, |mut b, t| {
                b.push_bind(t.instance_id)
                    .push_bind(team_id)
                    .push_bind(Json(&t.events));
            });
            q.build().execute(&mut *self.tx).await.map_err(db_err)?;
        }
        Ok(())
    }
}
