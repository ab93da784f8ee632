//! What importing an event log writes: a finished instance per case with every event of the
//! case as the log had it (one row per case), in batches. An imported case's step executions
//! are not rows of their own: they are read from its events ([`imported_runs`]), as they were
//! when it was imported, so a million events write a sixth of the rows.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::history::{Run, Time};
use super::spans::{spans, Logged};
use crate::model::{StepExecution, StepStatus};

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

/// The events of an imported case, kept as the log had them, in its order.
#[derive(Debug, Clone)]
pub struct TraceRow {
    pub instance_id: Uuid,
    /// A JSON array of [`TraceEvent`]s.
    pub events: String,
}

/// An event of the log, kept as it was. A resource and attributes are written only when it has
/// them (events moved by migration 0007 carry `null` and `{}`; readers take both).
#[derive(Debug, Clone, Serialize)]
pub struct TraceEvent {
    pub activity: String,
    /// The step its activity is.
    pub step_id: String,
    pub lifecycle: String,
    pub timestamp: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, Value>,
}

/// Rows written together.
#[derive(Debug, Clone, Default)]
pub struct ImportBatch {
    pub cases: Vec<CaseRow>,
    pub traces: Vec<TraceRow>,
    /// How many events the traces hold.
    pub events: usize,
}

impl ImportBatch {
    /// How many rows and kept events it holds.
    pub fn len(&self) -> usize {
        self.cases.len() + self.events
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A kept event as runs are read from it: what the other fields hold is skipped.
#[derive(Deserialize)]
struct KeptEvent<'a> {
    #[serde(borrow)]
    activity: Cow<'a, str>,
    #[serde(borrow)]
    step_id: Cow<'a, str>,
    #[serde(borrow)]
    lifecycle: Cow<'a, str>,
    #[serde(deserialize_with = "rfc3339")]
    timestamp: Time,
}

/// A kept time (never escaped in JSON), read with chrono's RFC 3339 parser: several times
/// faster than its general one, which `Time`'s own `Deserialize` uses.
fn rfc3339<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
    let text = <&'de str>::deserialize(d)?;
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .or_else(|_| text.parse::<Time>())
        .map_err(serde::de::Error::custom)
}

impl Logged for KeptEvent<'_> {
    fn activity(&self) -> &str {
        &self.activity
    }
    fn lifecycle(&self) -> &str {
        &self.lifecycle
    }
    fn timestamp(&self) -> Time {
        self.timestamp
    }
}

/// A run of a step in an imported case: a completed execution.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRun {
    pub id: Uuid,
    pub step_id: String,
    /// Its place among the runs of its step in the case, from 1.
    pub iteration: i64,
    /// When the case's previous event completed.
    pub ready: Time,
    /// Its `start` event, else its ready time.
    pub work_start: Time,
    pub end: Time,
}

impl ImportedRun {
    /// As analytics reads a run.
    pub fn run(self) -> Run {
        Run {
            id: self.id,
            step_id: self.step_id,
            status: StepStatus::Completed,
            ready: Some(self.ready),
            work_start: Some(self.work_start),
            end: Some(self.end),
            due: None,
        }
    }

    /// As the instance shows it: a completed execution, created when it became ready.
    pub fn execution(self, process_instance_id: Uuid) -> StepExecution {
        StepExecution {
            id: self.id,
            process_instance_id,
            step_id: self.step_id,
            iteration: self.iteration,
            status: StepStatus::Completed,
            assigned_to: None,
            input_data: Value::Object(Map::new()),
            output_data: None,
            reason: None,
            completed_by: None,
            start_time: Some(self.ready),
            end_time: Some(self.end),
            due_at: None,
            created_at: self.ready,
            updated_at: self.end,
        }
    }
}

/// The runs of an imported case from its kept events (a JSON array of [`TraceEvent`]s), in
/// the order they completed, as [`spans`] pairs them.
pub fn imported_runs(instance_id: Uuid, events: &str) -> serde_json::Result<Vec<ImportedRun>> {
    let events: Vec<KeptEvent<'_>> = serde_json::from_str(events)?;
    let mut iterations: Vec<(&str, i64)> = Vec::new();
    let runs = spans(&events)
        .into_iter()
        .enumerate()
        .map(|(n, span)| {
            let step_id: &str = &events[span.completed].step_id;
            let iteration = match iterations.iter_mut().find(|(s, _)| *s == step_id) {
                Some((_, i)) => {
                    *i += 1;
                    *i
                }
                None => {
                    iterations.push((step_id, 1));
                    1
                }
            };
            ImportedRun {
                id: run_id(instance_id, n),
                step_id: step_id.to_string(),
                iteration,
                ready: to_micros(span.ready),
                work_start: to_micros(span.start),
                end: to_micros(span.end),
            }
        })
        .collect();
    Ok(runs)
}

/// A time cut to the microsecond, as both backends keep an instance's times (PostgreSQL keeps
/// no finer), so an imported case's runs and its instance agree on either.
pub fn to_micros(t: Time) -> Time {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

/// The id of an imported case's `n`th run: the case's id with `n` in its last four bytes,
/// marked as a version 8 (custom) UUID. Unique within the case, ordered as its runs are, and
/// never equal to a generated (version 7) id.
pub fn run_id(instance_id: Uuid, n: usize) -> Uuid {
    let mut bytes = *instance_id.as_bytes();
    bytes[12..].copy_from_slice(&(n as u32).to_be_bytes());
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_read_back_from_kept_events() {
        let case = Uuid::now_v7();
        let events = r#"[
            {"activity":"Check","step_id":"check","lifecycle":"complete","timestamp":"2024-05-01T10:00:00Z"},
            {"activity":"Pay","step_id":"pay","lifecycle":"start","timestamp":"2024-05-01T10:30:00+00:00","resource":"Ann","attributes":{"cost":3}},
            {"activity":"Check","step_id":"check","lifecycle":"complete","timestamp":"2024-05-01T10:20:00Z"},
            {"activity":"Pay","step_id":"pay","lifecycle":"complete","timestamp":"2024-05-01T11:00:00Z"}
        ]"#;
        let runs = imported_runs(case, events).unwrap();
        let at = |s: &str| s.parse::<Time>().unwrap();
        let seen: Vec<_> = runs
            .iter()
            .map(|r| {
                (
                    r.step_id.as_str(),
                    r.iteration,
                    r.ready,
                    r.work_start,
                    r.end,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "check",
                    1,
                    at("2024-05-01T10:00:00Z"),
                    at("2024-05-01T10:00:00Z"),
                    at("2024-05-01T10:00:00Z")
                ),
                (
                    "check",
                    2,
                    at("2024-05-01T10:00:00Z"),
                    at("2024-05-01T10:00:00Z"),
                    at("2024-05-01T10:20:00Z")
                ),
                (
                    "pay",
                    1,
                    at("2024-05-01T10:20:00Z"),
                    at("2024-05-01T10:30:00Z"),
                    at("2024-05-01T11:00:00Z")
                ),
            ]
        );
        assert!(
            runs.windows(2).all(|w| w[0].id < w[1].id),
            "ids follow the runs"
        );
        let mut second = *case.as_bytes();
        second[12..].copy_from_slice(&[0, 0, 0, 1]);
        second[6] = (second[6] & 0x0f) | 0x80;
        second[8] = (second[8] & 0x3f) | 0x80;
        assert_eq!(
            runs[1].id,
            Uuid::from_bytes(second),
            "ids are stored history: pinned"
        );
        assert!(runs
            .iter()
            .all(|r| r.id != case && r.id.get_version_num() == 8));
        assert_eq!(
            imported_runs(case, events).unwrap(),
            runs,
            "read alike every time"
        );
        assert!(imported_runs(case, "[{}]").is_err());
    }
}
