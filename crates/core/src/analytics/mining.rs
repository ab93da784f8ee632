//! Process mining over finished instances, with pm4py's definitions so that the same log gives
//! the same numbers: variants (`pm4py.get_variants`), the directly-follows graph with
//! frequencies and performance (`pm4py.discover_dfg`, `pm4py.discover_performance_dfg`:
//! the time between the completions of consecutive steps), service times
//! (`pm4py.get_service_time`, from a run's start of work to its end) and cases per day.

use std::collections::BTreeMap;

use foldhash::HashMap;

use chrono::NaiveDate;

use super::history::{seconds, Case};
use super::process::summary;
use super::stats::{mean, median, sorted};
use crate::model::{
    DayCount, FollowsEdge, FollowsGraph, Seconds, StepCount, StepDuration, Variant,
};

/// The path of a case: the steps that happened, in the order they finished.
pub fn path(case: &Case) -> Vec<&str> {
    case.runs
        .iter()
        .filter(|r| r.happened())
        .map(|r| r.step_id.as_str())
        .collect()
}

/// Distinct paths with how many cases took each and their cycle times, most frequent first
/// (ties by path), at most `limit`; the flag says whether some were left out.
pub fn variants(cases: &[&Case], limit: usize) -> (Vec<Variant>, bool) {
    // Path → how many cases took it, and the cycle times of those that have one.
    let mut groups: HashMap<Vec<&str>, (u64, Vec<f64>)> = HashMap::default();
    for case in cases {
        let (count, times) = groups.entry(path(case)).or_default();
        *count += 1;
        times.extend(case.cycle_time());
    }
    let total = cases.len() as f64;
    let mut list: Vec<_> = groups.into_iter().collect();
    list.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
    let truncated = list.len() > limit;
    list.truncate(limit);
    let variants = list
        .into_iter()
        .map(|(p, (count, times))| Variant {
            duration: summary(times),
            steps: p.into_iter().map(str::to_string).collect(),
            count,
            share: count as f64 / total,
        })
        .collect();
    (variants, truncated)
}

/// The directly-follows graph: for consecutive steps of a path, how often and how long from
/// one's completion to the next's; with the steps paths start and end with.
pub fn directly_follows(cases: &[&Case]) -> FollowsGraph {
    let mut times: HashMap<(&str, &str), Vec<f64>> = HashMap::default();
    let mut starts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut ends: BTreeMap<&str, u64> = BTreeMap::new();
    let mut runs = Vec::new();
    for case in cases {
        runs.clear();
        runs.extend(case.runs.iter().filter(|r| r.happened()));
        if let (Some(first), Some(last)) = (runs.first(), runs.last()) {
            *starts.entry(&first.step_id).or_default() += 1;
            *ends.entry(&last.step_id).or_default() += 1;
        }
        for pair in runs.windows(2) {
            if let (Some(a), Some(b)) = (pair[0].end, pair[1].end) {
                times
                    .entry((&pair[0].step_id, &pair[1].step_id))
                    .or_default()
                    .push(seconds(a, b));
            }
        }
    }
    let counts = |m: BTreeMap<&str, u64>| {
        m.into_iter()
            .map(|(id, count)| StepCount {
                step_id: id.to_string(),
                count,
            })
            .collect()
    };
    let mut edges: Vec<_> = times.into_iter().collect();
    edges.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    FollowsGraph {
        edges: edges
            .into_iter()
            .map(|((from, to), t)| {
                let t = sorted(t);
                FollowsEdge {
                    from: from.to_string(),
                    to: to.to_string(),
                    frequency: t.len() as u64,
                    mean_time: Seconds::new(mean(&t).unwrap_or(0.0)),
                    median_time: Seconds::new(median(&t).unwrap_or(0.0)),
                }
            })
            .collect(),
        start_steps: counts(starts),
        end_steps: counts(ends),
    }
}

/// The mean service time of each step (start of work to end), by step id.
pub fn service_times(cases: &[&Case]) -> Vec<StepDuration> {
    let mut by_step: HashMap<&str, (f64, u64)> = HashMap::default();
    for run in cases.iter().flat_map(|c| &c.runs).filter(|r| r.happened()) {
        if let Some(w) = run.work() {
            let (sum, n) = by_step.entry(&run.step_id).or_default();
            *sum += w;
            *n += 1;
        }
    }
    let mut means: Vec<StepDuration> = by_step
        .into_iter()
        .map(|(id, (sum, n))| StepDuration {
            step_id: id.to_string(),
            mean: Seconds::new(sum / n as f64),
        })
        .collect();
    means.sort_unstable_by(|a, b| a.step_id.cmp(&b.step_id));
    means
}

/// How many cases started on each day (UTC), oldest first.
pub fn cases_per_day(cases: &[&Case]) -> Vec<DayCount> {
    let mut days: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for start in cases.iter().filter_map(|c| c.start) {
        *days.entry(start.date_naive()).or_default() += 1;
    }
    days.into_iter()
        .map(|(date, count)| DayCount { date, count })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::history::fixture::{at, cases};
    use super::*;

    fn finished() -> Vec<Case> {
        cases().into_iter().take(2).collect()
    }

    fn refs(cases: &[Case]) -> Vec<&Case> {
        cases.iter().collect()
    }

    #[test]
    fn variants_and_the_graph_by_hand() {
        let (v, truncated) = variants(&refs(&finished()), 10);
        assert!(!truncated);
        assert_eq!(v.len(), 1);
        assert_eq!(
            (v[0].steps.clone(), v[0].count, v[0].share),
            (vec!["a".to_string(), "b".to_string()], 2, 1.0)
        );
        assert_eq!(v[0].duration.mean.unwrap().value, 4800.0);
        let g = directly_follows(&refs(&finished()));
        assert_eq!(g.edges.len(), 1);
        let e = &g.edges[0];
        // a done at 30 → b done at 100; a at 40 → b at 60.
        assert_eq!((e.from.as_str(), e.to.as_str(), e.frequency), ("a", "b", 2));
        assert_eq!((e.mean_time.value, e.median_time.value), (2700.0, 2700.0));
        assert_eq!(
            (g.start_steps[0].count, g.end_steps[0].step_id.as_str()),
            (2, "b")
        );
        let s = service_times(&refs(&finished()));
        assert_eq!((s[0].mean.value, s[1].mean.value), (1200.0, 2400.0));
        let days = cases_per_day(&refs(&cases()));
        assert_eq!((days[0].date, days[0].count), (at(0).date_naive(), 4));
    }

    #[test]
    fn open_and_skipped_runs_are_not_on_the_path() {
        let mut c = cases();
        c[0].runs[0].status = crate::model::StepStatus::Skipped;
        assert_eq!(path(&c[0]), ["b"]);
        assert_eq!(path(&c[2]), Vec::<&str>::new());
        let (v, truncated) = variants(&refs(&c), 1);
        assert!(truncated);
        assert_eq!(
            v[0].count, 2,
            "the empty path of 3 and 4 is the most frequent"
        );
    }
}
