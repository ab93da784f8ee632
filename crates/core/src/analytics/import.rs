//! What importing an event log writes: instances, their step executions and every event of the
//! log as it was (one row per case), in batches.

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::history::Time;

/// Which history to read: one playbook's instances, optionally narrowed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HistoryFilter {
    pub playbook_id: Uuid,
    /// Instances started at or after.
    pub from: Option<Time>,
    /// Instances started before.
    pub to: Option<Time>,
    /// Instances pinned to this commit.
    pub version: Option<String>,
    /// Instances started from this ref (`main` unless asked otherwise).
    pub started_from: String,
}

/// An imported case: a finished instance.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: Uuid,
    pub name: String,
    pub business_key: Option<String>,
    pub variables: Map<String, Value>,
    pub start: Time,
    pub end: Time,
}

/// An imported run of a step: a completed execution.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub id: Uuid,
    pub instance_id: Uuid,
    pub step_id: String,
    pub iteration: i64,
    pub ready: Time,
    pub work_start: Time,
    pub end: Time,
}

/// The events of an imported case, kept as the log had them, in its order.
#[derive(Debug, Clone)]
pub struct TraceRow {
    pub instance_id: Uuid,
    pub events: Vec<TraceEvent>,
}

/// An event of the log, kept as it was.
#[derive(Debug, Clone, Serialize)]
pub struct TraceEvent {
    pub activity: String,
    pub step_id: String,
    pub lifecycle: String,
    pub timestamp: Time,
    pub resource: Option<String>,
    pub attributes: Map<String, Value>,
}

/// Rows written together.
#[derive(Debug, Clone, Default)]
pub struct ImportBatch {
    pub cases: Vec<CaseRow>,
    pub runs: Vec<RunRow>,
    pub traces: Vec<TraceRow>,
    /// How many events the traces hold.
    pub events: usize,
}

impl ImportBatch {
    /// How many rows and kept events it holds.
    pub fn len(&self) -> usize {
        self.cases.len() + self.runs.len() + self.events
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
