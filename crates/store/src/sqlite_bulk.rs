//! The bulk paths of analytics on SQLite: reading a playbook's history (a million step runs)
//! and writing an imported log. They run on the transaction's own connection through SQLite's
//! C API (`rusqlite`), since sqlx hands every row to its worker thread and back, which costs
//! ten times what SQLite spends on the query.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use orgata_core::analytics::history::{Case, HistoryRows, Run, Time};
use orgata_core::analytics::import::{HistoryFilter, ImportBatch};
use orgata_core::model::{InstanceStatus, StepStatus};
use orgata_core::{Error, Result};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, ToSql};
use uuid::Uuid;

use crate::error::{corrupt, db_err};
use crate::history_sql::{history_query, Param};
use crate::sqlite::SqliteTx;

impl SqliteTx {
    /// Runs `f` on this transaction's connection, through SQLite's C API.
    async fn with_connection<R>(&mut self, f: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        let mut handle = self.tx.lock_handle().await.map_err(db_err)?;
        let raw = handle.as_raw_handle();
        // SAFETY: sqlx's worker leaves the connection alone while `handle` holds its lock,
        // which outlives `connection`; a connection from `from_handle` never closes it.
        let connection = unsafe { Connection::from_handle(raw.as_ptr()) }.map_err(sql_err)?;
        let out = blocking(|| f(&connection));
        drop(connection);
        drop(handle);
        out
    }

    /// The instances `filter` selects with their step executions.
    pub(crate) async fn read_history(
        &mut self,
        team_id: Uuid,
        filter: &HistoryFilter,
    ) -> Result<Vec<Case>> {
        let (sql, params) = history_query(team_id, filter);
        self.with_connection(|c| {
            let mut statement = c.prepare(&sql).map_err(sql_err)?;
            let params: Vec<Box<dyn ToSql>> = params.into_iter().map(bound).collect();
            let mut rows = statement
                .query(rusqlite::params_from_iter(params.iter()))
                .map_err(sql_err)?;
            let mut history = HistoryRows::default();
            while let Some(r) = rows.next().map_err(sql_err)? {
                let case = history.case(id(r.get_ref(0))?, || {
                    Ok::<_, Error>(Case {
                        id: id(r.get_ref(0))?,
                        status: parse(text(r.get_ref(1))?, "status", InstanceStatus::parse)?,
                        start: time(r.get_ref(2))?,
                        end: time(r.get_ref(3))?,
                        version: text(r.get_ref(4))?.to_string(),
                        runs: Vec::new(),
                    })
                })?;
                if matches!(r.get_ref(5), Ok(ValueRef::Null)) {
                    if let ValueRef::Text(events) = r.get_ref(12).map_err(sql_err)? {
                        let events = std::str::from_utf8(events).map_err(Error::internal)?;
                        history
                            .push_imported(case, events)
                            .map_err(|e| corrupt("trace", &e.to_string()))?;
                    }
                    continue;
                }
                let times = (
                    time(r.get_ref(8))?,
                    time(r.get_ref(9))?,
                    time(r.get_ref(10))?,
                    time(r.get_ref(11))?,
                );
                let run = Run::recorded(
                    id(r.get_ref(5))?,
                    text(r.get_ref(6))?.to_string(),
                    parse(text(r.get_ref(7))?, "status", StepStatus::parse)?,
                    times,
                );
                history.push_run(case, run);
            }
            Ok(history.finish())
        })
        .await
    }

    /// Writes imported cases and their traces with statements prepared once per batch.
    pub(crate) async fn write_history(
        &mut self,
        team_id: Uuid,
        playbook_id: Uuid,
        user_id: Uuid,
        batch: &ImportBatch,
    ) -> Result<()> {
        let now = stamp(orgata_core::model::now());
        let (team, playbook, user) = (
            team_id.as_bytes(),
            playbook_id.as_bytes(),
            user_id.as_bytes(),
        );
        self.with_connection(|c| {
            let mut cases = c
                .prepare_cached(
                    "INSERT INTO process_instances (id, team_id, playbook_id, playbook_version, \
                     playbook_hash, name, status, business_key, initiated_by, variables, start_time, \
                     end_time, created_at, updated_at, started_from) \
                     VALUES (?1, ?2, ?3, '', '', ?4, 'completed', ?5, ?6, ?7, ?8, ?9, ?10, ?10, 'main')",
                )
                .map_err(sql_err)?;
            for case in &batch.cases {
                cases
                    .execute(params![
                        case.id.as_bytes(),
                        team,
                        playbook,
                        case.name,
                        case.business_key,
                        user,
                        json(&case.variables)?,
                        stamp(case.start),
                        stamp(case.end),
                        now,
                    ])
                    .map_err(sql_err)?;
            }
            let mut traces = c
                .prepare_cached(
                    "INSERT INTO history_traces (process_instance_id, team_id, events) \
                     VALUES (?1, ?2, ?3)",
                )
                .map_err(sql_err)?;
            for trace in &batch.traces {
                traces
                    .execute(params![trace.instance_id.as_bytes(), team, trace.events])
                    .map_err(sql_err)?;
            }
            Ok(())
        })
        .await
    }

    /// Pins the imported instances of `playbook_id` (those without a version yet).
    pub(crate) async fn pin_imported(
        &mut self,
        team_id: Uuid,
        playbook_id: Uuid,
        version: &str,
        hash: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE process_instances SET playbook_version = $3, playbook_hash = $4 \
             WHERE team_id = $1 AND playbook_id = $2 AND playbook_version = ''",
        )
        .bind(team_id)
        .bind(playbook_id)
        .bind(version)
        .bind(hash)
        .execute(&mut *self.tx)
        .await
        .map(|_| ())
        .map_err(db_err)
    }
}

/// Runs `f`, letting the runtime move its other tasks off this thread while it blocks.
fn blocking<R>(f: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn bound(p: Param) -> Box<dyn ToSql> {
    match p {
        Param::Id(id) => Box::new(id.as_bytes().to_vec()),
        Param::Time(t) => Box::new(stamp(t)),
        Param::Text(s) => Box::new(s),
    }
}

/// A time as sqlx writes it to SQLite (RFC 3339), so both kinds of writes compare alike.
fn stamp(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

fn json(map: &serde_json::Map<String, serde_json::Value>) -> Result<String> {
    serde_json::to_string(map).map_err(Error::internal)
}

/// As `db_err` maps sqlx's: unique and foreign-key violations are conflicts, the rest internal.
fn sql_err(e: rusqlite::Error) -> Error {
    use rusqlite::ffi::{
        SQLITE_CONSTRAINT_FOREIGNKEY, SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE,
    };
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        match f.extended_code {
            SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY => {
                return Error::conflict("a record with these values exists already")
            }
            SQLITE_CONSTRAINT_FOREIGNKEY => {
                return Error::conflict("a referenced record does not exist")
            }
            _ => {}
        }
    }
    tracing::error!(error = %e, "database error");
    Error::internal(e)
}

fn id(v: rusqlite::Result<ValueRef<'_>>) -> Result<Uuid> {
    match v.map_err(sql_err)? {
        ValueRef::Blob(b) => Uuid::from_slice(b).map_err(Error::internal),
        other => Err(corrupt("id", &format!("{other:?}"))),
    }
}

fn text(v: rusqlite::Result<ValueRef<'_>>) -> Result<&str> {
    match v.map_err(sql_err)? {
        ValueRef::Text(t) => std::str::from_utf8(t).map_err(Error::internal),
        other => Err(corrupt("text", &format!("{other:?}"))),
    }
}

fn parse<T>(value: &str, what: &str, f: impl FnOnce(&str) -> Option<T>) -> Result<T> {
    f(value).ok_or_else(|| corrupt(what, value))
}

/// A stored time: RFC 3339 as sqlx writes it, or SQLite's own `YYYY-MM-DD HH:MM:SS[.f]` (UTC).
fn time(v: rusqlite::Result<ValueRef<'_>>) -> Result<Option<Time>> {
    match v.map_err(sql_err)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => {
            let s = std::str::from_utf8(t).map_err(Error::internal)?;
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%F %T%.f").map(|t| t.and_utc()))
                .map(Some)
                .map_err(|_| corrupt("time", s))
        }
        other => Err(corrupt("time", &format!("{other:?}"))),
    }
}
