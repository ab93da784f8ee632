//! The one query that reads a playbook's execution history, shared by both backends: each row
//! is an instance joined with one of its step executions (or none) and, for an imported case,
//! its kept events.

use orgata_core::analytics::history::Time;
use orgata_core::analytics::import::HistoryFilter;
use uuid::Uuid;

/// A value bound to the history query.
pub(crate) enum Param {
    Id(Uuid),
    Time(Time),
    Text(String),
}

/// Columns: instance id, status, start, end, version; execution id, step id, status, ready,
/// work started, end, due (the execution's are null for an instance without one); an imported
/// case's events as JSON text (else null).
pub(crate) fn history_query(team_id: Uuid, filter: &HistoryFilter) -> (String, Vec<Param>) {
    let mut sql = String::from(
        "SELECT i.id, i.status, i.start_time, i.end_time, i.playbook_version, e.id, e.step_id, \
         e.status, e.start_time, e.work_started_at, e.end_time, e.due_at, CAST(t.events AS TEXT) \
         FROM process_instances i LEFT JOIN step_executions e ON e.process_instance_id = i.id \
         LEFT JOIN history_traces t ON t.process_instance_id = i.id \
         WHERE i.team_id = $1 AND i.playbook_id = $2 AND i.started_from = $3",
    );
    let mut params = vec![
        Param::Id(team_id),
        Param::Id(filter.playbook_id),
        Param::Text(filter.started_from.clone()),
    ];
    let mut add = |condition: &str, p: Param| {
        params.push(p);
        sql.push_str(&format!(" AND {condition} ${}", params.len()));
    };
    if let Some(from) = filter.from {
        add("i.start_time >=", Param::Time(from));
    }
    if let Some(to) = filter.to {
        add("i.start_time <", Param::Time(to));
    }
    if let Some(version) = &filter.version {
        add("i.playbook_version =", Param::Text(version.clone()));
    }
    (sql, params)
}
