//! Predictions for running instances: when they will complete, with an 80% interval, and how
//! likely they are to complete at all.
//!
//! Method (remaining steps along the graph, simulated). From the completed instances of the
//! playbook, each step has the durations of its finished executions (ready to finished,
//! waiting included) and a run share: the completed instances in which it ran over all
//! completed instances. For a running instance, the steps not yet finished or skipped are
//! simulated [`SAMPLES`] times along the instance's own graph (its pinned version's
//! dependencies): a step starts when its dependencies have finished, runs with its run share's
//! probability, and then takes a duration drawn from its history; a step already running takes
//! a drawn duration longer than it has run so far, less that time (none longer: it is about to
//! finish). The instance's remaining time is when its last step finishes. The median of the
//! simulations is the expected completion, the 10th and 90th percentiles the 80% interval.
//! Draws come from a generator seeded by the instance id, so an answer repeats.
//!
//! Coverage. The most recent fifth of the completed instances (by start; at most
//! [`MAX_HELD_OUT`]) is held out; the rest is the history. Each held-out instance is predicted
//! at its start and after each of its steps finished, and the share of predictions whose
//! interval held the actual completion is the measured coverage.
//!
//! Completion probability. Of the finished instances whose finished steps include every step
//! the running instance has finished, the share that completed (rather than being cancelled or
//! failing).

use std::collections::{HashMap, HashSet};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::history::{seconds, Case, Time};
use super::stats::{quantile, sorted};
use crate::model::{InstanceStatus, IntervalCoverage, StepStatus};

/// Simulations per prediction.
pub const SAMPLES: usize = 1000;
/// Simulations per held-out prediction.
const EVAL_SAMPLES: usize = 200;
/// The most held-out instances checked.
pub const MAX_HELD_OUT: usize = 50;
/// The most held-out predictions checked.
const MAX_EVALUATED: usize = 200;
/// Completed instances needed before some are held out.
pub const MIN_FOR_COVERAGE: usize = 10;
/// The interval's level: from the 10th to the 90th percentile.
pub const LEVEL: f64 = 0.8;

/// A playbook's steps with the steps each waits for, in an order where dependencies come
/// first.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    steps: Vec<(String, Vec<String>)>,
}

impl Graph {
    /// The graph of `(step, dependencies)` pairs; dependencies on unknown steps are dropped and
    /// the steps ordered so that each follows its dependencies (cycles broken in given order).
    pub fn new(steps: Vec<(String, Vec<String>)>) -> Self {
        let known: HashSet<&str> = steps.iter().map(|(s, _)| s.as_str()).collect();
        let mut pending: Vec<(String, Vec<String>)> = steps
            .iter()
            .map(|(s, deps)| {
                let deps = deps
                    .iter()
                    .filter(|d| known.contains(d.as_str()) && *d != s)
                    .cloned()
                    .collect();
                (s.clone(), deps)
            })
            .collect();
        let mut placed: HashSet<String> = HashSet::new();
        let mut ordered = Vec::with_capacity(pending.len());
        while !pending.is_empty() {
            let ready = pending
                .iter()
                .position(|(_, deps)| deps.iter().all(|d| placed.contains(d)))
                .unwrap_or(0);
            let (s, deps) = pending.remove(ready);
            placed.insert(s.clone());
            ordered.push((s, deps));
        }
        Graph { steps: ordered }
    }
}

/// What the history says about each step: its durations and how often it runs.
#[derive(Debug, Clone, Default)]
pub struct StepModel {
    durations: HashMap<String, Vec<f64>>,
    run_share: HashMap<String, f64>,
}

impl StepModel {
    /// The model of the completed instances among `cases`.
    pub fn learn<'a>(cases: impl IntoIterator<Item = &'a Case>) -> Self {
        let mut durations: HashMap<String, Vec<f64>> = HashMap::new();
        let mut ran: HashMap<String, u64> = HashMap::new();
        let mut completed = 0u64;
        for case in cases
            .into_iter()
            .filter(|c| c.status == InstanceStatus::Completed)
        {
            completed += 1;
            let mut seen = HashSet::new();
            for run in case.runs.iter().filter(|r| r.happened()) {
                if let Some(d) = run.duration() {
                    durations.entry(run.step_id.clone()).or_default().push(d);
                }
                if seen.insert(run.step_id.as_str()) {
                    *ran.entry(run.step_id.clone()).or_default() += 1;
                }
            }
        }
        StepModel {
            durations: durations.into_iter().map(|(s, d)| (s, sorted(d))).collect(),
            run_share: ran
                .into_iter()
                .map(|(s, n)| (s, n as f64 / completed as f64))
                .collect(),
        }
    }

    /// Whether any instance has finished `step`.
    pub fn knows(&self, step: &str) -> bool {
        self.durations.contains_key(step)
    }
}

/// Where an instance stands at a moment: the steps finished (or skipped) and those running
/// with how long they have been ready.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub finished: HashSet<String>,
    pub running: HashMap<String, f64>,
}

impl Progress {
    /// `case` as it stood at `t`.
    pub fn at(case: &Case, t: Time) -> Self {
        let mut p = Progress::default();
        for run in &case.runs {
            match (run.ready, run.end) {
                (_, Some(end)) if end <= t => {
                    p.finished.insert(run.step_id.clone());
                }
                (Some(ready), _) if ready <= t && run.status != StepStatus::Skipped => {
                    p.running.insert(run.step_id.clone(), seconds(ready, t));
                }
                _ => {}
            }
        }
        for s in &p.finished {
            p.running.remove(s);
        }
        p
    }

    /// The steps of `graph` still to run.
    pub fn remaining(&self, graph: &Graph) -> Vec<String> {
        graph
            .steps
            .iter()
            .map(|(s, _)| s)
            .filter(|s| !self.finished.contains(*s))
            .cloned()
            .collect()
    }
}

/// Remaining times (seconds) of `samples` simulations, sorted.
pub fn simulate(
    graph: &Graph,
    model: &StepModel,
    progress: &Progress,
    samples: usize,
    rng: &mut StdRng,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(samples);
    let mut finish: HashMap<&str, f64> = HashMap::new();
    for _ in 0..samples {
        finish.clear();
        let mut last = 0.0f64;
        for (step, deps) in &graph.steps {
            if progress.finished.contains(step) {
                finish.insert(step, 0.0);
                continue;
            }
            let start = deps
                .iter()
                .map(|d| finish.get(d.as_str()).copied().unwrap_or(0.0))
                .fold(0.0, f64::max);
            let history = model
                .durations
                .get(step)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let took = if let Some(elapsed) = progress.running.get(step) {
                let longer = &history[history.partition_point(|d| d <= elapsed)..];
                if longer.is_empty() {
                    0.0
                } else {
                    longer[rng.gen_range(0..longer.len())] - elapsed
                }
            } else if !history.is_empty()
                && rng.gen_bool(
                    model
                        .run_share
                        .get(step)
                        .copied()
                        .unwrap_or(0.0)
                        .clamp(0.0, 1.0),
                )
            {
                history[rng.gen_range(0..history.len())]
            } else {
                0.0
            };
            let end = start + took;
            finish.insert(step, end);
            last = last.max(end);
        }
        out.push(last);
    }
    sorted(out)
}

/// The median and the 80% interval (10th and 90th percentiles) of simulated remaining times.
pub fn interval(remaining: &[f64]) -> Option<(f64, f64, f64)> {
    let low = (1.0 - LEVEL) / 2.0;
    Some((
        quantile(remaining, 0.5)?,
        quantile(remaining, low)?,
        quantile(remaining, 1.0 - low)?,
    ))
}

/// A generator for `seed`'s predictions.
pub fn rng_for(seed: uuid::Uuid) -> StdRng {
    StdRng::seed_from_u64(seed.as_u64_pair().1)
}

/// The share of held-out predictions whose 80% interval held the actual completion.
pub fn coverage(graph: &Graph, cases: &[Case]) -> IntervalCoverage {
    let mut completed: Vec<&Case> = cases
        .iter()
        .filter(|c| c.status == InstanceStatus::Completed && c.start.is_some() && c.end.is_some())
        .collect();
    let mut result = IntervalCoverage {
        level: LEVEL,
        measured: None,
        evaluated: 0,
    };
    if completed.len() < MIN_FOR_COVERAGE {
        return result;
    }
    completed.sort_by_key(|c| (c.start, c.id));
    let held = (completed.len() / 5).clamp(1, MAX_HELD_OUT);
    let (train, test) = completed.split_at(completed.len() - held);
    let model = StepModel::learn(train.iter().copied());
    let mut inside = 0u64;
    'cases: for case in test {
        let (Some(start), Some(end)) = (case.start, case.end) else {
            continue;
        };
        let mut cuts: Vec<Time> = std::iter::once(start)
            .chain(case.runs.iter().filter_map(|r| r.end).filter(|t| *t < end))
            .collect();
        cuts.sort();
        cuts.dedup();
        let mut rng = rng_for(case.id);
        for t in cuts {
            if result.evaluated as usize >= MAX_EVALUATED {
                break 'cases;
            }
            let remaining = simulate(
                graph,
                &model,
                &Progress::at(case, t),
                EVAL_SAMPLES,
                &mut rng,
            );
            let Some((_, low, high)) = interval(&remaining) else {
                continue;
            };
            let actual = seconds(t, end);
            result.evaluated += 1;
            if low - 1e-6 <= actual && actual <= high + 1e-6 {
                inside += 1;
            }
        }
    }
    if result.evaluated > 0 {
        result.measured = Some(inside as f64 / result.evaluated as f64);
    }
    result
}

/// The share of finished instances having finished every step in `finished` that completed,
/// and how many such instances there are.
pub fn completion_probability(cases: &[Case], finished: &HashSet<String>) -> (Option<f64>, u64) {
    let (mut basis, mut completed) = (0u64, 0u64);
    for case in cases.iter().filter(|c| c.status.is_final()) {
        let done: HashSet<&str> = case
            .runs
            .iter()
            .filter(|r| r.end.is_some())
            .map(|r| r.step_id.as_str())
            .collect();
        if finished.iter().all(|s| done.contains(s.as_str())) {
            basis += 1;
            completed += u64::from(case.status == InstanceStatus::Completed);
        }
    }
    ((basis > 0).then(|| completed as f64 / basis as f64), basis)
}

#[cfg(test)]
mod tests {
    use super::super::history::Run;
    use super::*;
    use chrono::{Duration, TimeZone, Utc};
    use uuid::Uuid;

    fn at(minutes: i64) -> Time {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    fn run(step: &str, ready: i64, end: Option<i64>) -> Run {
        Run {
            id: Uuid::now_v7(),
            step_id: step.into(),
            status: if end.is_some() {
                StepStatus::Completed
            } else {
                StepStatus::Running
            },
            ready: Some(at(ready)),
            work_start: Some(at(ready)),
            end: end.map(at),
            due: None,
        }
    }

    fn case(n: u128, status: InstanceStatus, runs: Vec<Run>) -> Case {
        let end = runs.iter().filter_map(|r| r.end).max();
        Case {
            id: Uuid::from_u128(n),
            version: String::new(),
            status,
            start: Some(at(0)),
            end: end.filter(|_| status.is_final()),
            runs,
        }
    }

    /// a, then b and c in parallel: a takes 10 min, b 20, c 50 (when it runs).
    fn graph() -> Graph {
        Graph::new(vec![
            ("c".into(), vec!["a".into()]),
            ("b".into(), vec!["a".into()]),
            ("a".into(), vec![]),
        ])
    }

    fn full(n: u128) -> Case {
        case(
            n,
            InstanceStatus::Completed,
            vec![
                run("a", 0, Some(10)),
                run("b", 10, Some(30)),
                run("c", 10, Some(60)),
            ],
        )
    }

    fn without_c(n: u128) -> Case {
        case(
            n,
            InstanceStatus::Completed,
            vec![run("a", 0, Some(10)), run("b", 10, Some(30))],
        )
    }

    #[test]
    fn dependencies_come_first() {
        let g = graph();
        let order: Vec<&str> = g.steps.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(order, ["a", "c", "b"]);
    }

    #[test]
    fn remaining_time_follows_the_graph() {
        let history: Vec<Case> = (1..=4).map(full).collect();
        let model = StepModel::learn(&history);
        // At minute 15 of a new instance: a done, b and c ready 5 min ago. c, the longer
        // branch, ends 45 min from now.
        let now = case(
            9,
            InstanceStatus::Running,
            vec![
                run("a", 0, Some(10)),
                run("b", 10, None),
                run("c", 10, None),
            ],
        );
        let p = Progress::at(&now, at(15));
        assert_eq!(p.remaining(&graph()), ["c", "b"]);
        let r = simulate(&graph(), &model, &p, 50, &mut rng_for(now.id));
        assert_eq!(interval(&r), Some((2700.0, 2700.0, 2700.0)));
        // Nothing started: 10 + 50 minutes.
        let r = simulate(
            &graph(),
            &model,
            &Progress::default(),
            50,
            &mut rng_for(now.id),
        );
        assert_eq!(interval(&r), Some((3600.0, 3600.0, 3600.0)));
        // A running step past every recorded duration is about to finish.
        let p = Progress::at(&now, at(100));
        let r = simulate(&graph(), &model, &p, 10, &mut rng_for(now.id));
        assert_eq!(r[9], 0.0);
    }

    #[test]
    fn a_step_that_runs_half_the_time_spreads_the_interval() {
        let history: Vec<Case> = (1..=20)
            .map(|n| if n % 2 == 0 { full(n) } else { without_c(n) })
            .collect();
        let model = StepModel::learn(&history);
        let r = simulate(
            &graph(),
            &model,
            &Progress::default(),
            SAMPLES,
            &mut rng_for(Uuid::nil()),
        );
        let (_, low, high) = interval(&r).unwrap();
        // Without c: 10 + 20 min; with it: 10 + 50 min.
        assert_eq!((low, high), (1800.0, 3600.0));
        let share = r.iter().filter(|x| **x == 3600.0).count() as f64 / SAMPLES as f64;
        assert!((share - 0.5).abs() < 0.06, "{share}");
        // Held out: the last 4 of 20, each predicted at its start and after a (and, with c,
        // after b): 3 + 2 + 3 + 2 predictions, every actual completion inside its interval.
        let c = coverage(&graph(), &history);
        assert_eq!((c.measured, c.evaluated), (Some(1.0), 10));
        assert_eq!(coverage(&graph(), &history[..9]).measured, None);
    }

    #[test]
    fn completion_probability_counts_instances_that_got_as_far() {
        let mut cases: Vec<Case> = (1..=3).map(full).collect();
        cases.push(case(
            4,
            InstanceStatus::Cancelled,
            vec![run("a", 0, Some(10))],
        ));
        cases.push(case(5, InstanceStatus::Cancelled, vec![run("a", 0, None)]));
        cases.push(case(
            6,
            InstanceStatus::Running,
            vec![run("a", 0, Some(10))],
        ));
        let none = HashSet::new();
        assert_eq!(completion_probability(&cases, &none), (Some(0.6), 5));
        let a: HashSet<String> = ["a".to_string()].into();
        assert_eq!(completion_probability(&cases, &a), (Some(0.75), 4));
        let x: HashSet<String> = ["x".to_string()].into();
        assert_eq!(completion_probability(&cases, &x), (None, 0));
    }
}
