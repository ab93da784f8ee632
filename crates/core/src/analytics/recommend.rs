//! Recommendations: fixed rules over a playbook's measures, each citing the numbers that
//! triggered it. The thresholds are the constants below.

use serde_json::json;
use uuid::Uuid;

use crate::model::{
    Bottleneck, Recommendation, RecommendationPriority, StepMetrics, Trend, TrendDirection, Variant,
};

/// A step holding at least this share of the waiting time, whose role has one holder (or
/// none), is a staffing risk.
pub const WAITING_SHARE: f64 = 0.4;
/// A step whose SLA is breached in more than this share of its runs needs attention.
pub const SLA_BREACH_SHARE: f64 = 0.2;
/// A step failing in more than this share of its finished runs needs attention.
pub const FAILURE_SHARE: f64 = 0.1;
/// A variant whose median cycle time is at least this many times the main path's is slow.
pub const SLOW_VARIANT_FACTOR: f64 = 1.5;
/// Runs (or instances) a rule needs before it speaks.
pub const MIN_RUNS: u64 = 5;
/// Instances a variant needs before it is compared.
pub const MIN_VARIANT_CASES: u64 = 3;

/// Who can do a step: its role's name and how many active members hold it.
#[derive(Debug, Clone)]
pub struct StepRole {
    pub step_id: String,
    pub role_name: String,
    pub holders: u64,
}

/// What the rules read about one playbook.
#[derive(Debug, Clone)]
pub struct ProcessFacts<'a> {
    pub process_id: Uuid,
    pub name: &'a str,
    pub steps: &'a [StepMetrics],
    pub bottlenecks: &'a [Bottleneck],
    /// Most frequent first.
    pub variants: &'a [Variant],
    pub cycle_time_trend: Option<&'a Trend>,
    pub roles: &'a [StepRole],
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn hours(seconds: f64) -> String {
    format!("{:.1} h", seconds / 3600.0)
}

/// The recommendations for one playbook, most urgent first.
pub fn recommend(f: &ProcessFacts) -> Vec<Recommendation> {
    let mut out = Vec::new();
    let mut add = |rule: &str,
                   priority,
                   step: Option<&StepMetrics>,
                   title: String,
                   description: String,
                   evidence| {
        out.push(Recommendation {
            rule: rule.to_string(),
            priority,
            process_id: f.process_id,
            process_name: f.name.to_string(),
            step_id: step.map(|s| s.step_id.clone()),
            title,
            description,
            evidence,
        });
    };
    let step = |id: &str| f.steps.iter().find(|s| s.step_id == id);
    for b in f.bottlenecks {
        let (Some(share), Some(role), Some(s)) = (
            b.share_of_waiting_time,
            f.roles.iter().find(|r| r.step_id == b.step_id),
            step(&b.step_id),
        ) else {
            continue;
        };
        if share >= WAITING_SHARE && role.holders <= 1 && b.executions >= MIN_RUNS {
            let wait = b.mean_waiting_time.map_or(0.0, |w| w.value);
            add(
                "single_holder_waiting",
                RecommendationPriority::High,
                Some(s),
                format!("Add a holder to the role {} of {}", role.role_name, b.name),
                format!(
                    "{} holds {} of the waiting time of {} (mean wait {} over {} runs), and its role {} has {} holder(s). A second holder would let work start sooner.",
                    b.name, pct(share), f.name, hours(wait), b.executions, role.role_name, role.holders
                ),
                json!({"share_of_waiting_time": share, "mean_waiting_time_seconds": wait,
                       "executions": b.executions, "role": role.role_name, "holders": role.holders}),
            );
        }
    }
    for s in f.steps {
        if let Some(rate) = s.sla_breach_rate {
            let with_sla = if rate > 0.0 {
                (s.sla_breaches as f64 / rate).round() as u64
            } else {
                0
            };
            if rate > SLA_BREACH_SHARE && with_sla >= MIN_RUNS {
                add(
                    "sla_breaches",
                    if rate > 0.5 {
                        RecommendationPriority::High
                    } else {
                        RecommendationPriority::Medium
                    },
                    Some(s),
                    format!("Revisit the SLA or the staffing of {}", s.name),
                    format!(
                        "{} missed its SLA in {} of {} runs ({}), above the {} this rule allows.",
                        s.name,
                        s.sla_breaches,
                        with_sla,
                        pct(rate),
                        pct(SLA_BREACH_SHARE)
                    ),
                    json!({"sla_breaches": s.sla_breaches, "runs_with_sla": with_sla, "sla_breach_rate": rate}),
                );
            }
        }
        let finished = s.completed + s.failed + s.skipped;
        if let Some(rate) = s.failure_rate {
            if rate > FAILURE_SHARE && finished >= MIN_RUNS {
                add(
                    "failing_step",
                    RecommendationPriority::Medium,
                    Some(s),
                    format!("Find out why {} fails", s.name),
                    format!(
                        "{} failed in {} of {} finished runs ({}).",
                        s.name,
                        s.failed,
                        finished,
                        pct(rate)
                    ),
                    json!({"failed": s.failed, "finished": finished, "failure_rate": rate}),
                );
            }
        }
    }
    if let Some((main, others)) = f.variants.split_first() {
        let main_median = main.duration.median.map(|m| m.value);
        for v in others {
            let (Some(base), Some(m)) = (main_median, v.duration.median.map(|m| m.value)) else {
                continue;
            };
            if base > 0.0 && v.count >= MIN_VARIANT_CASES && m >= SLOW_VARIANT_FACTOR * base {
                add(
                    "slow_variant",
                    RecommendationPriority::Medium,
                    None,
                    format!("Look into a slow path of {}", f.name),
                    format!(
                        "{} instances took the path {} with a median cycle time of {}, {:.1}× the main path's {} ({} instances).",
                        v.count, v.steps.join(" → "), hours(m), m / base, hours(base), main.count
                    ),
                    json!({"path": v.steps, "count": v.count, "median_seconds": m,
                           "main_path": main.steps, "main_count": main.count, "main_median_seconds": base,
                           "ratio": m / base}),
                );
            }
        }
    }
    if let Some(t) = f.cycle_time_trend {
        if t.direction == TrendDirection::Increasing {
            let slope = t.slope.unwrap_or(0.0);
            add(
                "slowing_down",
                RecommendationPriority::Medium,
                None,
                format!("{} is getting slower", f.name),
                format!(
                    "The median cycle time of {} rises by {} per {} (Theil–Sen), significant at p = {:.3} (Mann–Kendall) over {} periods.",
                    f.name, hours(slope), t.period.as_str(), t.p_value.unwrap_or(1.0), t.points.len()
                ),
                json!({"slope_seconds_per_period": slope, "period": t.period, "p_value": t.p_value,
                       "periods": t.points.len()}),
            );
        }
    }
    by_priority(&mut out);
    out
}

/// Most urgent first, keeping the order within a priority.
pub fn by_priority(list: &mut [Recommendation]) {
    list.sort_by_key(|r| match r.priority {
        RecommendationPriority::High => 0,
        RecommendationPriority::Medium => 1,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::process::summary;
    use crate::model::{DurationSummary, Seconds, TrendMetric, TrendPeriod};

    fn step(id: &str) -> StepMetrics {
        StepMetrics {
            step_id: id.into(),
            name: id.to_uppercase(),
            ..Default::default()
        }
    }

    fn variant(steps: &[&str], count: u64, median: f64) -> Variant {
        Variant {
            steps: steps.iter().map(|s| s.to_string()).collect(),
            count,
            share: 0.0,
            duration: DurationSummary {
                median: Some(Seconds::new(median)),
                ..summary([])
            },
        }
    }

    #[test]
    fn each_rule_speaks_with_its_numbers_and_only_past_its_threshold() {
        let mut a = step("a");
        (a.sla_breaches, a.sla_breach_rate) = (3, Some(0.6));
        (a.completed, a.failed, a.failure_rate) = (8, 2, Some(0.2));
        let mut b = step("b");
        (b.sla_breaches, b.sla_breach_rate) = (1, Some(0.2));
        let steps = [a, b];
        let bottlenecks = [Bottleneck {
            rank: 1,
            step_id: "b".into(),
            name: "B".into(),
            share_of_cycle_time: 0.7,
            share_of_waiting_time: Some(0.8),
            mean_waiting_time: Some(Seconds::new(7200.0)),
            mean_work_time: None,
            executions: 10,
        }];
        let variants = [
            variant(&["a", "b"], 10, 3600.0),
            variant(&["a", "a", "b"], 3, 5400.0),
            variant(&["b"], 2, 90000.0),
        ];
        let trend = Trend {
            metric: TrendMetric::CycleTime,
            period: TrendPeriod::Week,
            points: Vec::new(),
            slope: Some(1800.0),
            p_value: Some(0.01),
            significant: true,
            direction: TrendDirection::Increasing,
        };
        let roles = [StepRole {
            step_id: "b".into(),
            role_name: "Clerk".into(),
            holders: 1,
        }];
        let facts = ProcessFacts {
            process_id: Uuid::nil(),
            name: "Buy",
            steps: &steps,
            bottlenecks: &bottlenecks,
            variants: &variants,
            cycle_time_trend: Some(&trend),
            roles: &roles,
        };
        let r = recommend(&facts);
        let got: Vec<(&str, Option<&str>)> = r
            .iter()
            .map(|r| (r.rule.as_str(), r.step_id.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("single_holder_waiting", Some("b")),
                // a: 3 of 5 runs with an SLA (60%); b: 20% is not above the threshold.
                ("sla_breaches", Some("a")),
                ("failing_step", Some("a")),
                // 5400 s is exactly 1.5× 3600 s; the 90000 s path has only 2 instances.
                ("slow_variant", None),
                ("slowing_down", None),
            ]
        );
        assert!(r[0].description.contains("80%") && r[0].description.contains("2.0 h"));
        assert_eq!(r[1].evidence["runs_with_sla"], 5);
        assert!(r[3].description.contains("1.5×"));
    }
}
