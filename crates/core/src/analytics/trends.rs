//! Trends: throughput and cycle time per day or ISO week, with a robust slope and a test of
//! whether it is real.
//!
//! Method. Completed instances are counted in the period (UTC day, or ISO week from Monday)
//! their last event falls in; every period from the one holding `from` to the one holding the
//! last instant before `to` is a point, empty ones included (throughput 0, cycle time absent);
//! the first and last periods may be partial. The slope is Theil–Sen's (median of pairwise
//! slopes, in the metric's unit per period) over the points that have a value; significance is
//! the Mann–Kendall test (normal approximation with tie correction, continuity-corrected,
//! two-sided) at [`SIGNIFICANCE_LEVEL`]. A trend is `increasing` or `decreasing` only when
//! significant.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

use super::history::{Case, Time};
use super::stats::{mann_kendall, median, sorted, theil_sen};
use crate::model::{InstanceStatus, Trend, TrendDirection, TrendMetric, TrendPeriod, TrendPoint};

/// p-values below this are significant.
pub const SIGNIFICANCE_LEVEL: f64 = 0.05;
/// The most periods a trend has: a longer range keeps its most recent periods.
pub const MAX_PERIODS: i64 = 1000;

/// The first day of the period `day` falls in.
pub fn period_start(day: NaiveDate, period: TrendPeriod) -> NaiveDate {
    match period {
        TrendPeriod::Day => day,
        TrendPeriod::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
    }
}

fn step(period: TrendPeriod) -> Duration {
    match period {
        TrendPeriod::Day => Duration::days(1),
        TrendPeriod::Week => Duration::weeks(1),
    }
}

/// The periods from the one holding `from` to the one holding the last instant before `to`,
/// at most [`MAX_PERIODS`] of them, the most recent kept. The first and last may be partial.
pub fn periods(from: Time, to: Time, period: TrendPeriod) -> Vec<NaiveDate> {
    if to <= from {
        return Vec::new();
    }
    let (first, last) = (
        period_start(from.date_naive(), period),
        period_start((to - Duration::nanoseconds(1)).date_naive(), period),
    );
    let n = ((last - first).num_days() / step(period).num_days() + 1).min(MAX_PERIODS);
    (0..n)
        .map(|i| last - step(period) * (n - 1 - i) as i32)
        .collect()
}

/// Throughput and cycle-time trends of the completed instances that finished in `[from, to)`.
pub fn trends<'a>(
    cases: impl IntoIterator<Item = &'a Case>,
    period: TrendPeriod,
    from: Time,
    to: Time,
) -> Vec<Trend> {
    let starts = periods(from, to, period);
    let mut by_period: BTreeMap<NaiveDate, Vec<f64>> =
        starts.iter().map(|d| (*d, Vec::new())).collect();
    for case in cases
        .into_iter()
        .filter(|c| c.status == InstanceStatus::Completed)
    {
        let (Some(end), Some(cycle)) = (case.end, case.cycle_time()) else {
            continue;
        };
        if end < from || end >= to {
            continue;
        }
        if let Some(values) = by_period.get_mut(&period_start(end.date_naive(), period)) {
            values.push(cycle);
        }
    }
    let throughput = by_period
        .iter()
        .map(|(d, v)| (*d, Some(v.len() as f64)))
        .collect();
    let cycle_time = by_period
        .into_iter()
        .map(|(d, v)| (d, median(&sorted(v))))
        .collect();
    vec![
        trend(TrendMetric::Throughput, period, throughput),
        trend(TrendMetric::CycleTime, period, cycle_time),
    ]
}

/// A series with its Theil–Sen slope and Mann–Kendall test.
fn trend(metric: TrendMetric, period: TrendPeriod, series: Vec<(NaiveDate, Option<f64>)>) -> Trend {
    let known: Vec<(f64, f64)> = series
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| Some((i as f64, (*v)?)))
        .collect();
    let slope = theil_sen(&known).map(|t| t.slope);
    let test = mann_kendall(&known.iter().map(|p| p.1).collect::<Vec<_>>());
    let p_value = test.map(|t| t.p_value);
    let significant = p_value.is_some_and(|p| p < SIGNIFICANCE_LEVEL);
    let direction = match test {
        Some(t) if significant && t.s > 0 => TrendDirection::Increasing,
        Some(t) if significant && t.s < 0 => TrendDirection::Decreasing,
        _ => TrendDirection::NoTrend,
    };
    Trend {
        metric,
        period,
        points: series
            .into_iter()
            .map(|(period_start, value)| TrendPoint {
                period_start,
                value,
            })
            .collect(),
        slope,
        p_value,
        significant,
        direction,
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::Run;
    use super::*;
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    fn day(d: u32, h: u32) -> Time {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    fn done(n: u128, start: Time, end: Time) -> Case {
        Case {
            id: Uuid::from_u128(n),
            version: String::new(),
            status: InstanceStatus::Completed,
            start: Some(start),
            end: Some(end),
            runs: Vec::<Run>::new(),
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-03-04 is a Wednesday; its week starts on Monday 2026-03-02.
        let wed = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(
            period_start(wed, TrendPeriod::Week),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
        // 16 March is a Monday: its week begins at `to`, outside [from, to).
        assert_eq!(periods(day(4, 0), day(16, 0), TrendPeriod::Week).len(), 2);
        assert_eq!(periods(day(4, 0), day(16, 1), TrendPeriod::Week).len(), 3);
        assert!(periods(day(5, 0), day(4, 0), TrendPeriod::Day).is_empty());
        let long = periods(
            day(1, 0) - Duration::days(5000),
            day(1, 1),
            TrendPeriod::Day,
        );
        assert_eq!(long.len() as i64, MAX_PERIODS);
        assert_eq!(*long.last().unwrap(), day(1, 0).date_naive());
    }

    /// Five days; the instances finishing each day take 1, 2, 3, 4, 5 hours, one more each day
    /// is completed (1, 2, 3, 4, 5): both series rise steadily.
    #[test]
    fn a_steady_rise_is_significant() {
        let mut cases = Vec::new();
        let mut n = 0;
        for d in 1..=5u32 {
            for _ in 0..d {
                n += 1;
                cases.push(done(n, day(d, 8), day(d, 8 + d)));
            }
        }
        let t = trends(&cases, TrendPeriod::Day, day(1, 0), day(7, 0));
        let (throughput, cycle) = (&t[0], &t[1]);
        assert_eq!(
            throughput.points.len(),
            6,
            "days 1 to 6; day 7 begins at `to`"
        );
        // Day 6 has no completion: throughput 0, cycle time absent.
        assert_eq!(throughput.points[5].value, Some(0.0));
        assert_eq!(cycle.points[5].value, None);
        assert_eq!(cycle.slope, Some(3600.0));
        assert_eq!(cycle.direction, TrendDirection::Increasing);
        // Mann–Kendall on 1..5: S = 10, Var = 5·4·15/18 = 50/3, z = 9/√(50/3), p ≈ 0.0275.
        let p = cycle.p_value.unwrap();
        assert!((p - 0.027486).abs() < 1e-5, "{p}");
        assert!(cycle.significant);
        // Throughput 1,2,3,4,5,0: S = 10 − 5 = 5, not significant; of the 15 pairwise slopes
        // five (those to day 6) are negative and ten are 1, so the median is 1.
        assert_eq!(throughput.direction, TrendDirection::NoTrend);
        assert_eq!(throughput.slope, Some(1.0));
    }

    #[test]
    fn unfinished_and_out_of_range_instances_do_not_count() {
        let mut running = done(1, day(1, 8), day(1, 9));
        running.status = InstanceStatus::Running;
        running.end = None;
        let late = done(2, day(1, 8), day(9, 9));
        let t = trends(&[running, late], TrendPeriod::Day, day(1, 0), day(3, 0));
        assert!(t[0].points.iter().all(|p| p.value == Some(0.0)));
        assert_eq!(t[0].direction, TrendDirection::NoTrend);
        assert_eq!(t[1].slope, None);
    }
}
