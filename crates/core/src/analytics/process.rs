//! A playbook's measures: instance counts and cycle times, per-step waiting and work times,
//! SLA breaches, flow efficiency, cost, and the bottlenecks they point to.

use std::collections::{BTreeMap, HashMap};

use foldhash::HashMap as FastMap;

use super::history::{seconds, Case, Run, Time};
use super::stats::{mean, median, quantile, sorted};
use crate::model::{
    Bottleneck, DurationSummary, InstanceStatus, ProcessMetrics, Seconds, StepMetrics, StepStatus,
};

/// What the measures need besides the history.
#[derive(Debug, Clone, Default)]
pub struct StepInfo {
    /// Step id → its name in the playbook's current version, in the playbook's order.
    pub names: Vec<(String, String)>,
    /// Step id → the hourly cost of its assigned role, where the role has one.
    pub hourly_cost: HashMap<String, f64>,
}

/// How many bottlenecks are reported at most.
pub const MAX_BOTTLENECKS: usize = 5;

/// Mean, median and p90 of `values`.
pub fn summary(values: impl IntoIterator<Item = f64>) -> DurationSummary {
    let v = sorted(values);
    DurationSummary {
        count: v.len() as u64,
        mean: Seconds::of(mean(&v)),
        median: Seconds::of(median(&v)),
        p90: Seconds::of(quantile(&v, 0.9)),
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Seconds of `[start, end]` covered by at least one of `intervals`.
fn covered(start: Time, end: Time, mut intervals: Vec<(Time, Time)>) -> f64 {
    intervals.sort();
    let mut total = 0.0;
    let mut current: Option<(Time, Time)> = None;
    for (a, b) in intervals {
        let (a, b) = (a.max(start), b.min(end));
        if b <= a {
            continue;
        }
        current = match current {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += seconds(ca, cb);
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((a, b)) = current {
        total += seconds(a, b);
    }
    total
}

/// The playbook-level measures of `cases` (see [`ProcessMetrics`] for each definition).
pub fn process_metrics(cases: &[Case], info: &StepInfo, now: Time) -> ProcessMetrics {
    let count = |s: InstanceStatus| cases.iter().filter(|c| c.status == s).count() as u64;
    let completed: Vec<&Case> = cases
        .iter()
        .filter(|c| c.status == InstanceStatus::Completed)
        .collect();
    let cycle = sorted(completed.iter().filter_map(|c| c.cycle_time()));
    let (successful, failed, cancelled) = (
        count(InstanceStatus::Completed),
        count(InstanceStatus::Failed),
        count(InstanceStatus::Cancelled),
    );
    let with_sla: Vec<&Case> = cases
        .iter()
        .filter(|c| c.runs.iter().any(|r| r.due.is_some()))
        .collect();
    let breached = with_sla
        .iter()
        .filter(|c| c.runs.iter().any(|r| r.breached(c.until(now))))
        .count() as u64;
    let efficiency: Vec<f64> = completed
        .iter()
        .filter_map(|c| {
            let (start, end) = (c.start?, c.end?);
            let total = seconds(start, end);
            if total <= 0.0 {
                return None;
            }
            let work = c
                .runs
                .iter()
                .filter_map(|r| Some((r.work_start?, r.end?)))
                .collect();
            Some(covered(start, end, work) / total)
        })
        .collect();
    let costs: Vec<f64> = if info.hourly_cost.is_empty() {
        Vec::new()
    } else {
        completed
            .iter()
            .map(|c| {
                c.runs
                    .iter()
                    .filter_map(|r| Some(r.work()? / 3600.0 * info.hourly_cost.get(&r.step_id)?))
                    .sum()
            })
            .collect()
    };
    ProcessMetrics {
        total_executions: cases.len() as u64,
        successful_executions: successful,
        failed_executions: failed,
        cancelled_executions: cancelled,
        running_executions: cases.len() as u64 - successful - failed - cancelled,
        average_duration: Seconds::of(mean(&cycle)),
        median_duration: Seconds::of(median(&cycle)),
        p90_duration: Seconds::of(quantile(&cycle, 0.9)),
        completion_rate: ratio(successful, successful + failed + cancelled),
        sla_breach_rate: ratio(breached, with_sla.len() as u64),
        efficiency_score: mean(&efficiency),
        cost_per_execution: mean(&costs),
    }
}

/// Folds the runs of `cases` into one `T` per step, in a single pass in the history's order
/// (sequential reads: grouping references first and following them costs far more on a large
/// history); the steps come in the playbook's order and then any other step's, by id.
fn per_step<'a, T: Default>(
    cases: impl IntoIterator<Item = &'a Case>,
    info: &StepInfo,
    mut fold: impl FnMut(&mut T, &'a Case, &'a Run),
) -> Vec<(String, T)> {
    let mut at: FastMap<&'a str, usize> = FastMap::default();
    let mut folded: Vec<(&'a str, T)> = Vec::new();
    for case in cases {
        for run in &case.runs {
            let i = *at.entry(run.step_id.as_str()).or_insert_with(|| {
                folded.push((run.step_id.as_str(), T::default()));
                folded.len() - 1
            });
            fold(&mut folded[i].1, case, run);
        }
    }
    let place: HashMap<&str, usize> = info
        .names
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    let mut by_id: BTreeMap<(usize, &str), T> = folded
        .into_iter()
        .map(|(id, t)| ((place.get(id).copied().unwrap_or(usize::MAX), id), t))
        .collect();
    // The playbook's steps without runs still get a place.
    for (i, (id, _)) in info.names.iter().enumerate() {
        by_id.entry((i, id.as_str())).or_default();
    }
    by_id
        .into_iter()
        .map(|((_, id), t)| (id.to_string(), t))
        .collect()
}

fn name_of(info: &StepInfo, id: &str) -> String {
    info.names
        .iter()
        .find(|(s, _)| s == id)
        .map_or_else(|| id.to_string(), |(_, n)| n.clone())
}

/// One step's runs reduced to what [`step_metrics`] needs.
#[derive(Default)]
struct StepRuns {
    executions: u64,
    completed: u64,
    skipped: u64,
    failed: u64,
    finished: u64,
    with_sla: u64,
    breaches: u64,
    /// Waiting times of the runs not skipped.
    waiting: Vec<f64>,
    /// Work times of the runs that happened.
    work: Vec<f64>,
}

/// Per-step measures (see [`StepMetrics`]), in the playbook's order.
pub fn step_metrics(cases: &[Case], info: &StepInfo, now: Time) -> Vec<StepMetrics> {
    per_step(cases, info, |s: &mut StepRuns, case, run| {
        s.executions += 1;
        match run.status {
            StepStatus::Completed => s.completed += 1,
            StepStatus::Skipped => s.skipped += 1,
            StepStatus::Failed => s.failed += 1,
            _ => {}
        }
        s.finished += u64::from(run.end.is_some());
        s.with_sla += u64::from(run.due.is_some());
        s.breaches += u64::from(run.breached(case.until(now)));
        if run.status != StepStatus::Skipped {
            s.waiting.extend(run.waiting());
        }
        if run.happened() {
            s.work.extend(run.work());
        }
    })
    .into_iter()
    .map(|(id, s)| StepMetrics {
        name: name_of(info, &id),
        step_id: id,
        executions: s.executions,
        completed: s.completed,
        skipped: s.skipped,
        failed: s.failed,
        waiting_time: summary(s.waiting),
        work_time: summary(s.work),
        skip_rate: ratio(s.skipped, s.finished),
        failure_rate: ratio(s.failed, s.finished),
        sla_breaches: s.breaches,
        sla_breach_rate: ratio(s.breaches, s.with_sla),
    })
    .collect()
}

/// One step's runs in completed instances reduced to what [`bottlenecks`] needs.
#[derive(Default)]
struct Held {
    /// Runs that happened, and the seconds from ready to finished they held together.
    happened: u64,
    held: f64,
    /// Waiting and work seconds of the runs that happened, summed, with their counts.
    waiting: (f64, u64),
    work: (f64, u64),
    /// Waiting seconds of all its runs (summed over every step in order at the end).
    all_waiting: Vec<f64>,
}

/// Steps ranked by their share of the cycle time of completed instances (ties: share of
/// waiting time, then id); only steps that hold some of it, at most [`MAX_BOTTLENECKS`].
pub fn bottlenecks(cases: &[Case], info: &StepInfo) -> Vec<Bottleneck> {
    let completed = || {
        cases
            .iter()
            .filter(|c| c.status == InstanceStatus::Completed)
    };
    let total_cycle: f64 = completed().filter_map(|c| c.cycle_time()).sum();
    if total_cycle <= 0.0 {
        return Vec::new();
    }
    let add = |(sum, n): &mut (f64, u64), x: Option<f64>| {
        if let Some(x) = x {
            *sum += x;
            *n += 1;
        }
    };
    let per_step = per_step(completed(), info, |h: &mut Held, _, run| {
        let waiting = run.waiting();
        h.all_waiting.extend(waiting);
        if run.happened() {
            h.happened += 1;
            h.held += run.duration().unwrap_or(0.0);
            add(&mut h.waiting, waiting);
            add(&mut h.work, run.work());
        }
    });
    let total_waiting: f64 = per_step.iter().flat_map(|(_, h)| &h.all_waiting).sum();
    let mean = |(sum, n): (f64, u64)| (n > 0).then(|| sum / n as f64);
    let mut ranked: Vec<Bottleneck> = per_step
        .iter()
        .filter(|(_, h)| h.held > 0.0)
        .map(|(id, h)| Bottleneck {
            rank: 0,
            step_id: id.clone(),
            name: name_of(info, id),
            share_of_cycle_time: h.held / total_cycle,
            share_of_waiting_time: (total_waiting > 0.0).then(|| h.waiting.0 / total_waiting),
            mean_waiting_time: Seconds::of(mean(h.waiting)),
            mean_work_time: Seconds::of(mean(h.work)),
            executions: h.happened,
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.share_of_cycle_time
            .total_cmp(&a.share_of_cycle_time)
            .then(
                b.share_of_waiting_time
                    .unwrap_or(0.0)
                    .total_cmp(&a.share_of_waiting_time.unwrap_or(0.0)),
            )
            .then(a.step_id.cmp(&b.step_id))
    });
    ranked.truncate(MAX_BOTTLENECKS);
    for (i, b) in ranked.iter_mut().enumerate() {
        b.rank = i as u32 + 1;
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::super::history::fixture::{at, cases};
    use super::*;

    fn secs(s: Option<Seconds>) -> f64 {
        s.unwrap().value
    }

    fn info() -> StepInfo {
        StepInfo {
            names: vec![("a".into(), "Apply".into()), ("b".into(), "Book".into())],
            hourly_cost: HashMap::from([("a".into(), 60.0)]),
        }
    }

    #[test]
    fn process_metrics_by_hand() {
        let m = process_metrics(&cases(), &info(), at(1000));
        assert_eq!(
            (
                m.total_executions,
                m.successful_executions,
                m.failed_executions
            ),
            (4, 2, 0)
        );
        assert_eq!((m.cancelled_executions, m.running_executions), (1, 1));
        // Cycle times 6000 s and 3600 s.
        assert_eq!(secs(m.average_duration), 4800.0);
        assert_eq!(secs(m.median_duration), 4800.0);
        assert_eq!(secs(m.p90_duration), 5760.0);
        assert_eq!(m.completion_rate, Some(2.0 / 3.0));
        // Instances 1, 2, 3 have an SLA; only 1 (done at 30, due 20) breaches: 3 was cancelled
        // at 10, before its step fell due at 20.
        assert_eq!(m.sla_breach_rate, Some(1.0 / 3.0));
        // Worked: 1 → [10, 100] of 100 min = 0.9; 2 → [20, 40] ∪ [50, 60] of 60 = 0.5.
        assert!((m.efficiency_score.unwrap() - 0.7).abs() < 1e-12);
        // a's work is 20 min in both, at 60 an hour.
        assert!((m.cost_per_execution.unwrap() - 20.0).abs() < 1e-9);
        let no_costs = StepInfo::default();
        assert_eq!(
            process_metrics(&cases(), &no_costs, at(1000)).cost_per_execution,
            None
        );
    }

    #[test]
    fn step_metrics_by_hand() {
        let steps = step_metrics(&cases(), &info(), at(1000));
        let a = &steps[0];
        assert_eq!((a.step_id.as_str(), a.name.as_str()), ("a", "Apply"));
        assert_eq!(
            (a.executions, a.completed, a.skipped, a.failed),
            (4, 2, 0, 0)
        );
        // Waiting 600 and 1200 s; the open, unclaimed runs of 3 and 4 have no waiting yet.
        assert_eq!(a.waiting_time.count, 2);
        assert_eq!(secs(a.waiting_time.mean), 900.0);
        assert_eq!(secs(a.waiting_time.median), 900.0);
        assert!((secs(a.waiting_time.p90) - 1140.0).abs() < 1e-9);
        assert_eq!(secs(a.work_time.mean), 1200.0);
        assert_eq!(a.work_time.count, 2);
        assert_eq!((a.skip_rate, a.failure_rate), (Some(0.0), Some(0.0)));
        // 1 breached (done at 30, due 20); 3's due time (20) came after it was cancelled (10).
        assert_eq!((a.sla_breaches, a.sla_breach_rate), (1, Some(1.0 / 3.0)));
        let b = &steps[1];
        assert_eq!(
            (b.executions, b.sla_breaches, b.sla_breach_rate),
            (2, 0, None)
        );
        assert_eq!(secs(b.work_time.mean), 2400.0);
    }

    #[test]
    fn bottlenecks_by_hand() {
        let ranked = bottlenecks(&cases(), &info());
        // Σ cycle 9600 s; b held 4200 + 1200, a 1800 + 2400; waiting a 1800, b 600.
        let got: Vec<_> = ranked
            .iter()
            .map(|b| {
                (
                    b.rank,
                    b.step_id.as_str(),
                    b.share_of_cycle_time,
                    b.share_of_waiting_time,
                )
            })
            .collect();
        assert_eq!(
            got,
            [(1, "b", 0.5625, Some(0.25)), (2, "a", 0.4375, Some(0.75))]
        );
        assert_eq!(secs(ranked[1].mean_waiting_time), 900.0);
        assert_eq!(ranked[0].name, "Book");
    }
}
