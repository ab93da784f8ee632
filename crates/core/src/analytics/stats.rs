//! The statistics analytics rests on, each with the textbook definition it follows.

/// `xs` sorted ascending (NaNs last), for the quantile functions.
pub fn sorted(xs: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = xs.into_iter().collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The arithmetic mean; `None` for no values.
pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The `q`-quantile (0 ≤ q ≤ 1) of sorted values, interpolating linearly between the closest
/// ranks (Hyndman & Fan type 7, numpy's and pandas' default).
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// The median of sorted values.
pub fn median(sorted: &[f64]) -> Option<f64> {
    quantile(sorted, 0.5)
}

/// Scales the median absolute deviation so that it estimates the standard deviation of
/// normally distributed data.
pub const MAD_SCALE: f64 = 1.4826;

/// The median absolute deviation from the median, scaled by [`MAD_SCALE`].
pub fn mad(sorted_values: &[f64]) -> Option<f64> {
    let m = median(sorted_values)?;
    let deviations = sorted(sorted_values.iter().map(|x| (x - m).abs()));
    median(&deviations).map(|d| d * MAD_SCALE)
}

/// A robust line fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TheilSen {
    /// The median of the slopes between every two points with different x.
    pub slope: f64,
    /// The median of `y - slope * x`.
    pub intercept: f64,
}

/// The Theil–Sen estimator; `None` with fewer than two distinct x values.
pub fn theil_sen(points: &[(f64, f64)]) -> Option<TheilSen> {
    let mut slopes = Vec::new();
    for (i, a) in points.iter().enumerate() {
        for b in &points[i + 1..] {
            if b.0 != a.0 {
                slopes.push((b.1 - a.1) / (b.0 - a.0));
            }
        }
    }
    let slope = median(&sorted(slopes))?;
    let intercept = median(&sorted(points.iter().map(|(x, y)| y - slope * x)))?;
    Some(TheilSen { slope, intercept })
}

/// The Mann–Kendall test for a monotonic trend in a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// Σ sign(x_j − x_i) over every i < j.
    pub s: i64,
    /// The variance of `s` under no trend, corrected for ties.
    pub variance: f64,
    /// The normal score with continuity correction.
    pub z: f64,
    /// The two-sided p-value.
    pub p_value: f64,
}

/// Runs the Mann–Kendall test; `None` with fewer than three values.
pub fn mann_kendall(series: &[f64]) -> Option<MannKendall> {
    let n = series.len();
    if n < 3 {
        return None;
    }
    let mut s: i64 = 0;
    for (i, a) in series.iter().enumerate() {
        for b in &series[i + 1..] {
            s += match b.total_cmp(a) {
                std::cmp::Ordering::Greater => 1,
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
            };
        }
    }
    let tie_term: f64 = {
        let values = sorted(series.iter().copied());
        let mut sum = 0.0;
        let mut i = 0;
        while i < values.len() {
            let mut j = i;
            while j < values.len() && values[j] == values[i] {
                j += 1;
            }
            let t = (j - i) as f64;
            sum += t * (t - 1.0) * (2.0 * t + 5.0);
            i = j;
        }
        sum
    };
    let nf = n as f64;
    let variance = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - tie_term) / 18.0;
    let z = if variance <= 0.0 {
        0.0
    } else if s > 0 {
        (s as f64 - 1.0) / variance.sqrt()
    } else if s < 0 {
        (s as f64 + 1.0) / variance.sqrt()
    } else {
        0.0
    };
    let p_value = libm::erfc(z.abs() / std::f64::consts::SQRT_2);
    Some(MannKendall {
        s,
        variance,
        z,
        p_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn quantiles_follow_numpy() {
        let v = sorted([7.0, 1.0, 3.0, 10.0]);
        // numpy.percentile([1, 3, 7, 10], [50, 90]) == [5.0, 9.1]
        assert!(close(median(&v).unwrap(), 5.0));
        assert!(close(quantile(&v, 0.9).unwrap(), 9.1));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(median(&[4.0]), Some(4.0));
    }

    #[test]
    fn mad_is_scaled() {
        // |x − 3| for 1, 2, 3, 4, 100 is 2, 1, 0, 1, 97 → median 1.
        let v = sorted([1.0, 2.0, 3.0, 4.0, 100.0]);
        assert!(close(mad(&v).unwrap(), MAD_SCALE));
    }

    #[test]
    fn theil_sen_ignores_an_outlier() {
        let pts: Vec<(f64, f64)> = (0..10)
            .map(|i| {
                (
                    i as f64,
                    2.0 * i as f64 + 1.0 + if i == 9 { 100.0 } else { 0.0 },
                )
            })
            .collect();
        let fit = theil_sen(&pts).unwrap();
        assert!(close(fit.slope, 2.0), "{fit:?}");
        assert!(close(fit.intercept, 1.0), "{fit:?}");
        assert_eq!(theil_sen(&[(1.0, 1.0), (1.0, 2.0)]), None);
    }

    #[test]
    fn mann_kendall_by_hand() {
        // 1, 2, 3, 4, 5: S = 10, Var = 5·4·15/18 = 50/3, z = 9/√(50/3) ≈ 2.2045.
        let mk = mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(mk.s, 10);
        assert!(close(mk.variance, 50.0 / 3.0));
        assert!(close(mk.z, 9.0 / (50.0f64 / 3.0).sqrt()));
        // Two-sided p for z ≈ 2.2045 is ≈ 0.0275 (scipy.stats.norm.sf(2.2045) * 2).
        assert!((mk.p_value - 0.02749).abs() < 1e-4, "{mk:?}");
        // Ties: 1, 1, 2 → S = 2, Var = (3·2·11 − 2·1·9)/18 = 48/18.
        let tied = mann_kendall(&[1.0, 1.0, 2.0]).unwrap();
        assert_eq!(tied.s, 2);
        assert!(close(tied.variance, 48.0 / 18.0));
        let flat = mann_kendall(&[3.0, 3.0, 3.0]).unwrap();
        assert_eq!((flat.s, flat.z, flat.p_value), (0, 0.0, 1.0));
        assert_eq!(mann_kendall(&[1.0, 2.0]), None);
    }
}
