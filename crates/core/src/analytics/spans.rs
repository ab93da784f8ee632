//! From an imported trace's events to step runs: a `start` and the next `complete` of the same
//! activity make one run; a `complete` without a `start` began when the previous event of its
//! case completed (its own time for the first), as the issue and pm4py's service time with
//! that start timestamp define. A run is ready when the case's previous completion happened.
//!
//! Imported cases keep only their events: their runs, and the runs' ids, are what this pairing
//! makes of them at every read. Changing it changes imported history (a test pins it).

use std::collections::{HashMap, VecDeque};

use super::history::Time;
use super::xes::XesEvent;

/// An event of a case, as runs are read from it.
pub trait Logged {
    /// The activity (`concept:name`).
    fn activity(&self) -> &str;
    /// The lifecycle transition, lower-cased.
    fn lifecycle(&self) -> &str;
    fn timestamp(&self) -> Time;
}

impl Logged for XesEvent {
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

/// One activity's run within a case.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The index of the event that completed it.
    pub completed: usize,
    pub ready: Time,
    pub start: Time,
    pub end: Time,
}

/// The runs of a case's events, in the order they completed (events at the same moment in the
/// log's order).
pub fn spans<E: Logged>(events: &[E]) -> Vec<Span> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| events[i].timestamp());
    let mut open: HashMap<&str, VecDeque<(Time, Time)>> = HashMap::new();
    let mut last_end: Option<Time> = None;
    let mut out = Vec::new();
    for i in order {
        let e = &events[i];
        match e.lifecycle() {
            "start" => {
                let ready = last_end.unwrap_or(e.timestamp());
                open.entry(e.activity())
                    .or_default()
                    .push_back((ready, e.timestamp()));
            }
            "complete" => {
                let (ready, start) = open
                    .get_mut(e.activity())
                    .and_then(VecDeque::pop_front)
                    .unwrap_or_else(|| {
                        let t = last_end.unwrap_or(e.timestamp());
                        (t, t)
                    });
                out.push(Span {
                    completed: i,
                    ready,
                    start,
                    end: e.timestamp(),
                });
                last_end = Some(e.timestamp());
            }
            _ => {}
        }
    }
    out
}

/// A case's first and last event times (`None` for a case without events).
pub fn bounds<E: Logged>(events: &[E]) -> Option<(Time, Time)> {
    let first = events.iter().map(Logged::timestamp).min()?;
    let last = events.iter().map(Logged::timestamp).max()?;
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::xes::parse_timestamp;

    fn ev(activity: &str, lifecycle: &str, minute: u32) -> XesEvent {
        XesEvent {
            activity: activity.into(),
            lifecycle: lifecycle.into(),
            timestamp: parse_timestamp(&format!("2024-05-01T10:{minute:02}:00Z")).unwrap(),
            resource: None,
            attributes: Default::default(),
        }
    }

    fn mins<'a>(events: &'a [XesEvent], spans: &[Span]) -> Vec<(&'a str, u32, u32, u32)> {
        use chrono::Timelike;
        spans
            .iter()
            .map(|s| {
                (
                    events[s.completed].activity.as_str(),
                    s.ready.minute(),
                    s.start.minute(),
                    s.end.minute(),
                )
            })
            .collect()
    }

    #[test]
    fn completions_only_start_when_the_previous_event_ended() {
        let events = [
            ev("b", "complete", 20),
            ev("a", "complete", 5),
            ev("c", "complete", 30),
        ];
        let s = spans(&events);
        assert_eq!(
            mins(&events, &s),
            [("a", 5, 5, 5), ("b", 5, 5, 20), ("c", 20, 20, 30)]
        );
        let (first, last) = bounds(&events).unwrap();
        assert_eq!((first, last), (s[0].end, s[2].end));
    }

    #[test]
    fn starts_pair_with_the_next_completion_of_their_activity() {
        let events = [
            ev("a", "complete", 1),
            ev("b", "start", 10),
            ev("c", "start", 12),
            ev("b", "suspend", 14),
            ev("c", "complete", 15),
            ev("b", "complete", 20),
            ev("d", "start", 25),
        ];
        let s = spans(&events);
        assert_eq!(
            mins(&events, &s),
            [("a", 1, 1, 1), ("c", 1, 12, 15), ("b", 1, 10, 20)]
        );
        assert_eq!(bounds::<XesEvent>(&[]), None);
    }
}
