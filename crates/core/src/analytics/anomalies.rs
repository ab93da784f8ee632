//! Anomalies: durations far from the usual, judged robustly.
//!
//! Method. Among the cycle times of completed instances, and among the durations (ready to
//! finished) of each step's finished executions, a value is an outlier when its robust score
//! |x − median| / (1.4826 × MAD) exceeds the threshold (3.5 by default, Iglewicz and Hoaglin's
//! modified z-score). A group needs [`MIN_GROUP`] values, and a MAD above zero (when more than
//! half the values are equal nothing can be called unusual). A running instance is anomalous
//! when its age already exceeds the 95th percentile of the completed cycle times (at least
//! [`MIN_GROUP`] of them).

use uuid::Uuid;

use super::history::{seconds, Case, Time};
use super::stats::{mad, median, quantile, sorted};
use crate::model::{Anomaly, AnomalyKind, InstanceStatus, Seconds};

/// The default outlier threshold on the robust score.
pub const DEFAULT_THRESHOLD: f64 = 3.5;
/// Values a group needs before anything in it is called unusual.
pub const MIN_GROUP: usize = 5;

/// A duration of one instance (and step).
struct Sample<'a> {
    instance_id: Uuid,
    step_id: Option<&'a str>,
    value: f64,
}

fn outliers(
    process_id: Uuid,
    kind: AnomalyKind,
    samples: Vec<Sample>,
    threshold: f64,
    out: &mut Vec<Anomaly>,
) {
    if samples.len() < MIN_GROUP {
        return;
    }
    let values = sorted(samples.iter().map(|s| s.value));
    let (Some(m), Some(spread)) = (median(&values), mad(&values)) else {
        return;
    };
    if spread <= 0.0 {
        return;
    }
    for s in samples {
        let score = (s.value - m) / spread;
        if score.abs() > threshold {
            out.push(Anomaly {
                kind,
                process_id,
                instance_id: s.instance_id,
                step_id: s.step_id.map(str::to_string),
                value: Seconds::new(s.value),
                median: Seconds::new(m),
                spread: Seconds::new(spread),
                score,
                slow: score > 0.0,
            });
        }
    }
}

/// The anomalies of one playbook's history at `now`, largest |score| first.
pub fn anomalies(process_id: Uuid, cases: &[Case], now: Time, threshold: f64) -> Vec<Anomaly> {
    let mut out = Vec::new();
    let completed: Vec<&Case> = cases
        .iter()
        .filter(|c| c.status == InstanceStatus::Completed)
        .collect();
    let cycles: Vec<Sample> = completed
        .iter()
        .filter_map(|c| {
            Some(Sample {
                instance_id: c.id,
                step_id: None,
                value: c.cycle_time()?,
            })
        })
        .collect();
    let cycle_values = sorted(cycles.iter().map(|s| s.value));
    outliers(
        process_id,
        AnomalyKind::InstanceDuration,
        cycles,
        threshold,
        &mut out,
    );
    let mut by_step: std::collections::BTreeMap<&str, Vec<Sample>> = Default::default();
    for case in cases {
        for run in case.runs.iter().filter(|r| r.happened()) {
            if let Some(value) = run.duration() {
                by_step.entry(&run.step_id).or_default().push(Sample {
                    instance_id: case.id,
                    step_id: Some(&run.step_id),
                    value,
                });
            }
        }
    }
    for samples in by_step.into_values() {
        outliers(
            process_id,
            AnomalyKind::StepDuration,
            samples,
            threshold,
            &mut out,
        );
    }
    if cycle_values.len() >= MIN_GROUP {
        if let (Some(p95), Some(m)) = (quantile(&cycle_values, 0.95), median(&cycle_values)) {
            for case in cases.iter().filter(|c| !c.status.is_final()) {
                let Some(start) = case.start else { continue };
                let age = seconds(start, now);
                if p95 > 0.0 && age > p95 {
                    out.push(Anomaly {
                        kind: AnomalyKind::RunningPastP95,
                        process_id,
                        instance_id: case.id,
                        step_id: None,
                        value: Seconds::new(age),
                        median: Seconds::new(m),
                        spread: Seconds::new(p95),
                        score: age / p95,
                        slow: true,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| {
        b.score
            .abs()
            .total_cmp(&a.score.abs())
            .then(a.instance_id.cmp(&b.instance_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::history::Run;
    use super::*;
    use crate::model::StepStatus;
    use chrono::{Duration, TimeZone, Utc};

    fn at(minutes: i64) -> Time {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    /// A completed instance of one step taking `minutes`.
    fn case(n: u128, minutes: i64) -> Case {
        Case {
            id: Uuid::from_u128(n),
            version: String::new(),
            status: InstanceStatus::Completed,
            start: Some(at(0)),
            end: Some(at(minutes)),
            runs: vec![Run {
                id: Uuid::from_u128(n),
                step_id: "a".into(),
                status: StepStatus::Completed,
                ready: Some(at(0)),
                work_start: Some(at(0)),
                end: Some(at(minutes)),
                due: None,
            }],
        }
    }

    #[test]
    fn outliers_by_hand() {
        // 10, 11, 12, 13, 14 and 60 minutes: median 12.5 min, |deviations| 2.5 1.5 0.5 0.5
        // 1.5 47.5 → MAD 1.5 min = 90 s, spread 1.4826 × 90 = 133.434 s. 60 min scores
        // (3600 − 750) / 133.434 = 21.36; 10 min scores −1.12.
        let mut cases: Vec<Case> = [10, 11, 12, 13, 14, 60]
            .iter()
            .enumerate()
            .map(|(i, m)| case(i as u128 + 1, *m))
            .collect();
        let mut running = case(7, 0);
        running.status = InstanceStatus::Running;
        running.end = None;
        running.runs.clear();
        cases.push(running);
        let found = anomalies(Uuid::nil(), &cases, at(100), DEFAULT_THRESHOLD);
        let kinds: Vec<_> = found
            .iter()
            .map(|a| (a.kind, a.instance_id.as_u128()))
            .collect();
        // p95 of the cycle times: 14 + 0.75 × 46 = 48.5 min; the running one is 100 min old.
        assert_eq!(
            kinds,
            [
                (AnomalyKind::InstanceDuration, 6),
                (AnomalyKind::StepDuration, 6),
                (AnomalyKind::RunningPastP95, 7),
            ]
        );
        let a = &found[0];
        assert_eq!((a.value.value, a.median.value), (3600.0, 750.0));
        assert!((a.spread.value - 133.434).abs() < 1e-9);
        assert!((a.score - 2850.0 / 133.434).abs() < 1e-9 && a.slow);
        let r = &found[2];
        assert_eq!((r.value.value, r.spread.value), (6000.0, 2910.0));
        assert!((r.score - 6000.0 / 2910.0).abs() < 1e-12);
    }

    #[test]
    fn too_few_or_too_equal_values_find_nothing() {
        let four: Vec<Case> = (1..=4).map(|i| case(i, i as i64 * 100)).collect();
        assert!(anomalies(Uuid::nil(), &four, at(0), 3.5).is_empty());
        // Six equal durations and one far off: MAD is 0, nothing can be judged.
        let mut equal: Vec<Case> = (1..=6).map(|i| case(i, 10)).collect();
        equal.push(case(7, 500));
        assert!(anomalies(Uuid::nil(), &equal, at(0), 3.5).is_empty());
    }
}
