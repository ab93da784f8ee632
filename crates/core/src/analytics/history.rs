//! The execution history analytics reads: instances ("cases") with the runs of their steps.
//! Built by the service layer from the store, whether the history was run here or imported.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::model::{InstanceStatus, StepStatus};

/// A point in time.
pub type Time = DateTime<Utc>;

/// One instance and what its steps did.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: Uuid,
    /// The commit the instance is pinned to.
    pub version: String,
    pub status: InstanceStatus,
    /// When it started (an imported case: its first event).
    pub start: Option<Time>,
    /// When it finished (an imported case: its last event).
    pub end: Option<Time>,
    /// Its step executions, in the order they finished (open ones last, by ready time).
    pub runs: Vec<Run>,
}

/// One execution of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The step execution's id (orders runs that finished at the same moment).
    pub id: Uuid,
    pub step_id: String,
    pub status: StepStatus,
    /// When its dependencies had finished and it became ready.
    pub ready: Option<Time>,
    /// When work on it started: its task's claim, else its ready time.
    pub work_start: Option<Time>,
    /// When it finished.
    pub end: Option<Time>,
    /// When its SLA fell due.
    pub due: Option<Time>,
}

impl Run {
    /// A step execution as the store records it: work on it started at its task's claim, or,
    /// unclaimed, when it became ready, once it is done.
    pub fn recorded(
        id: Uuid,
        step_id: String,
        status: StepStatus,
        (ready, claimed, end, due): (Option<Time>, Option<Time>, Option<Time>, Option<Time>),
    ) -> Run {
        Run {
            id,
            step_id,
            status,
            ready,
            work_start: claimed.or(ready.filter(|_| end.is_some())),
            end,
            due,
        }
    }

    /// Whether it happened: it finished and was not skipped.
    pub fn happened(&self) -> bool {
        self.end.is_some()
            && matches!(
                self.status,
                StepStatus::Completed | StepStatus::Failed | StepStatus::Overridden
            )
    }

    /// Seconds from ready until work started.
    pub fn waiting(&self) -> Option<f64> {
        Some(seconds(self.ready?, self.work_start?))
    }

    /// Seconds from the start of work until it finished.
    pub fn work(&self) -> Option<f64> {
        Some(seconds(self.work_start?, self.end?))
    }

    /// Seconds from ready until it finished.
    pub fn duration(&self) -> Option<f64> {
        Some(seconds(self.ready?, self.end?))
    }

    /// Whether it went past its SLA: finished after the due time, or still open past it at
    /// `until` (the end of its instance, or now for a live one).
    pub fn breached(&self, until: Time) -> bool {
        match (self.due, self.end) {
            (Some(due), Some(end)) => end > due,
            (Some(due), None) => until > due,
            _ => false,
        }
    }
}

impl Case {
    /// Until when it was observed: its end, or `now` while it is live.
    pub fn until(&self, now: Time) -> Time {
        self.end.unwrap_or(now)
    }

    /// Its cycle time in seconds, when it has finished.
    pub fn cycle_time(&self) -> Option<f64> {
        Some(seconds(self.start?, self.end?))
    }

    /// Sorts the runs into the order the analytics assume (by finish, open ones last).
    pub fn sort_runs(&mut self) {
        self.runs.sort_by(|a, b| {
            (a.end.is_none(), a.end, a.ready, a.id).cmp(&(b.end.is_none(), b.end, b.ready, b.id))
        });
    }
}

/// A history gathered from rows of an instance joined with one of its step executions (or, for
/// an imported case, with its kept events), in any order (sorting a million rows in the
/// database costs more than grouping them here).
#[derive(Debug, Default)]
pub struct HistoryRows {
    cases: Vec<Case>,
    at: foldhash::HashMap<Uuid, usize>,
    /// The instance of the previous row: a join yields an instance's rows together.
    last: Option<(Uuid, usize)>,
}

impl HistoryRows {
    /// Instance `id`'s place, reading the instance with `read` the first time it is seen.
    pub fn case<E>(
        &mut self,
        id: Uuid,
        read: impl FnOnce() -> Result<Case, E>,
    ) -> Result<usize, E> {
        if let Some((last, i)) = self.last {
            if last == id {
                return Ok(i);
            }
        }
        let i = match self.at.get(&id) {
            Some(i) => *i,
            None => {
                self.cases.push(read()?);
                self.at.insert(id, self.cases.len() - 1);
                self.cases.len() - 1
            }
        };
        self.last = Some((id, i));
        Ok(i)
    }

    /// Adds a run to the instance at `case`.
    pub fn push_run(&mut self, case: usize, run: Run) {
        self.cases[case].runs.push(run);
    }

    /// Adds the runs of the imported case at `case`, read from its kept events.
    pub fn push_imported(&mut self, case: usize, events: &str) -> serde_json::Result<()> {
        let case = &mut self.cases[case];
        let runs = super::import::imported_runs(case.id, events)?;
        case.runs
            .extend(runs.into_iter().map(super::import::ImportedRun::run));
        Ok(())
    }

    /// The instances by id, each with its runs in the order analytics assume.
    pub fn finish(mut self) -> Vec<Case> {
        self.cases.sort_unstable_by_key(|c| c.id);
        for case in &mut self.cases {
            case.sort_runs();
        }
        self.cases
    }
}

/// Seconds from `a` to `b` (negative when `b` is earlier), to the microsecond.
pub fn seconds(a: Time, b: Time) -> f64 {
    let d = b - a;
    d.num_microseconds()
        .map_or(d.num_milliseconds() as f64 / 1e3, |us| us as f64 / 1e6)
}

/// A small history whose measures are worked out by hand in the tests that use it.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use chrono::TimeZone;

    /// `m` minutes after 2026-03-02 09:00 UTC.
    pub fn at(m: i64) -> Time {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + chrono::Duration::minutes(m)
    }

    fn run(
        step: &str,
        status: StepStatus,
        times: (i64, Option<i64>, Option<i64>),
        due: Option<i64>,
    ) -> Run {
        let (ready, claim, end) = times;
        Run {
            id: Uuid::now_v7(),
            step_id: step.into(),
            status,
            ready: Some(at(ready)),
            // As the store reads it: unclaimed work started when ready, once done.
            work_start: claim.or(end.map(|_| ready)).map(at),
            end: end.map(at),
            due: due.map(at),
        }
    }

    /// Two completed instances of a → b, one cancelled and one running (times in minutes):
    /// 1: a ready 0, claimed 10, done 30 (due 20); b ready 30, claimed 30, done 100.
    /// 2: a ready 0, claimed 20, done 40 (due 50); b ready 40, claimed 50, done 60.
    /// 3 (cancelled at 10): a ready 0, never claimed, open (due 20: not breached, since the
    ///   instance ended before).
    /// 4 (running): a ready 0, open.
    pub fn cases() -> Vec<Case> {
        use StepStatus::*;
        let case = |n: u128, status, end: Option<i64>, runs| Case {
            id: Uuid::from_u128(n),
            version: String::new(),
            status,
            start: Some(at(0)),
            end: end.map(at),
            runs,
        };
        vec![
            case(
                1,
                InstanceStatus::Completed,
                Some(100),
                vec![
                    run("a", Completed, (0, Some(10), Some(30)), Some(20)),
                    run("b", Completed, (30, Some(30), Some(100)), None),
                ],
            ),
            case(
                2,
                InstanceStatus::Completed,
                Some(60),
                vec![
                    run("a", Completed, (0, Some(20), Some(40)), Some(50)),
                    run("b", Completed, (40, Some(50), Some(60)), None),
                ],
            ),
            case(
                3,
                InstanceStatus::Cancelled,
                Some(10),
                vec![run("a", Running, (0, None, None), Some(20))],
            ),
            case(
                4,
                InstanceStatus::Running,
                None,
                vec![run("a", Running, (0, None, None), None)],
            ),
        ]
    }
}
