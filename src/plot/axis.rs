//! Tick positions for logarithmic axes.
//!
//! plotters' log axis labels powers of ten only, so a range inside one decade — the loss of a
//! short training run (0.9 … 2.9), the CCDF of a six-value upload (1/6 … 1) — had no label at
//! all. [`log_ticks`] picks, from the coarsest candidate set that still gives at least three
//! ticks in [lo, hi]:
//!
//! 1. powers of ten 10ᵏ (every j-th decade when there are more than `max`),
//! 2. {1, 2, 5}·10ᵏ,
//! 3. {1, …, 9}·10ᵏ,
//! 4. for a range narrower than that, evenly spaced "nice" values (step 1, 2 or 5 ·10ᵏ).
//!
//! [`log_minor`] gives the light grid: {1, …, 9}·10ᵏ when the range spans few decades, else the
//! powers of ten. [`log_axis`] binds both to a plotters log coordinate.

use plotters::coord::combinators::{BindKeyPoints, WithKeyPoints};
use plotters::prelude::*;

/// Candidate values m·10ᵏ (m in `mantissas`) inside [lo, hi], ascending.
fn decade_multiples(lo: f64, hi: f64, mantissas: &[f64]) -> Vec<f64> {
    let (k0, k1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let mut out = Vec::new();
    for k in k0..=k1 {
        let p = 10f64.powi(k);
        for m in mantissas {
            let v = m * p;
            // Relative slack so 0.1 or 1e-3 computed as 10^k·m is not lost to rounding.
            if v >= lo * (1.0 - 1e-12) && v <= hi * (1.0 + 1e-12) {
                out.push(v);
            }
        }
    }
    out
}

/// "Nice" evenly spaced values in [lo, hi]: the largest step 1, 2 or 5 ·10ᵏ that gives at least
/// 4 intervals (so 3 to about 10 ticks).
fn linear_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let raw = (hi - lo) / 4.0;
    if !(raw.is_finite() && raw > 0.0) {
        return vec![lo];
    }
    let p = 10f64.powf(raw.log10().floor());
    let step = [5.0, 2.0, 1.0].iter().map(|m| m * p).find(|s| *s <= raw).unwrap_or(p);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).filter(|v| *v > 0.0).collect()
}

/// Labelled tick positions for a log axis over [lo, hi] (0 < lo < hi), at most `max` of them
/// (at least 2 for a sensible `max`); see the module doc.
pub fn log_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo) {
        return Vec::new();
    }
    let max = max.max(2);
    let powers = decade_multiples(lo, hi, &[1.0]);
    if powers.len() >= 3 {
        let every = powers.len().div_ceil(max);
        return powers.into_iter().step_by(every).collect();
    }
    for mantissas in [&[1.0, 2.0, 5.0][..], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0][..]] {
        let t = decade_multiples(lo, hi, mantissas);
        if t.len() >= 3 && t.len() <= max {
            return t;
        }
        if t.len() > max {
            // Too many of this set: keep the powers of ten and spread the rest.
            let every = t.len().div_ceil(max);
            return t.into_iter().step_by(every).collect();
        }
    }
    linear_ticks(lo, hi)
}

/// Light grid lines for a log axis over [lo, hi]: every integer multiple of each decade when
/// the range spans at most 4 decades, else the powers of ten.
pub fn log_minor(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo) {
        return Vec::new();
    }
    if hi / lo <= 1e4 {
        decade_multiples(lo, hi, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    } else {
        decade_multiples(lo, hi, &[1.0])
    }
}

/// Labelled ticks for an axis of whole numbers (SGD steps) over [lo, hi]: the multiples of the
/// smallest step d ∈ {1, 2, 5}·10ᵏ with d ≥ 1 that gives at most `max` ticks (at least 2 for a
/// sensible `max`). Every tick is an integer, so no two labels read alike ("0 0 0 1 1 1" was
/// a 0…1 range labelled at 0.2 steps with integer formatting).
pub fn int_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && hi >= lo) {
        return Vec::new();
    }
    let max = max.max(2) as f64;
    let mut step = 1.0_f64;
    'search: loop {
        for m in [1.0, 2.0, 5.0] {
            let d = m * step;
            if ((hi / d).floor() - (lo / d).ceil() + 1.0) <= max {
                step = d;
                break 'search;
            }
        }
        step *= 10.0;
        if !step.is_finite() {
            return Vec::new();
        }
    }
    let (first, last) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
    (first..=last).map(|i| i as f64 * step).collect()
}

/// A linear coordinate over [lo, hi] labelled (and gridded) at [`int_ticks`] only. (plotters'
/// `WithKeyPoints` over a linear f64 range has no default label formatting, so it is this small
/// `Ranged` of its own.)
#[derive(Clone)]
pub struct IntAxis {
    inner: plotters::coord::types::RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for IntAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        match hint.weight() {
            plotters::coord::ranged1d::KeyPointWeight::Bold => self.ticks.clone(),
            plotters::coord::ranged1d::KeyPointWeight::Any => Vec::new(),
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A linear coordinate over [lo, hi] labelled at [`int_ticks`] (at most `max`).
pub fn int_axis(lo: f64, hi: f64, max: usize) -> IntAxis {
    IntAxis {
        inner: (lo..hi).into(),
        ticks: int_ticks(lo, hi, max),
    }
}

/// A plotters log coordinate over [lo, hi] whose labels are [`log_ticks`] (at most `max`) and
/// light grid [`log_minor`].
pub fn log_axis(lo: f64, hi: f64, max: usize) -> WithKeyPoints<LogCoord<f64>> {
    (lo..hi)
        .log_scale()
        .with_key_points(log_ticks(lo, hi, max))
        .with_light_points(log_minor(lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-12 * y.abs())
    }

    #[test]
    fn many_decades_label_powers_of_ten_thinned_to_max() {
        assert!(close(
            &log_ticks(1e-3, 1e3, 8),
            &[1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1e3]
        ));
        let t = log_ticks(1e-15, 1.0, 6);
        assert!(t.len() <= 6 && t.len() >= 3, "{t:?}");
        assert!(
            t.iter().all(|v| (v.log10() - v.log10().round()).abs() < 1e-9),
            "powers of ten only: {t:?}"
        );
    }

    #[test]
    fn inside_one_decade_there_are_still_labels() {
        // The training loss of a 5-step run: 0.9 … 2.9 had no label at all before.
        let t = log_ticks(0.9, 2.9, 8);
        assert!(t.len() >= 3, "{t:?}");
        assert!(t.iter().all(|v| (0.9..=2.9).contains(v)));
        // A six-value CCDF: 1/6·0.5 … 1.5.
        let t = log_ticks(0.5 / 6.0, 1.5, 8);
        assert!(close(&t, &[0.1, 0.2, 0.5, 1.0]), "{t:?}");
    }

    #[test]
    fn a_range_with_two_integer_multiples_gets_even_steps() {
        // Loss 1.47 … 3.6: {1…9}·10ᵏ gives only 2 and 3.
        let t = log_ticks(1.47, 3.6, 8);
        assert!(close(&t, &[1.5, 2.0, 2.5, 3.0, 3.5]), "{t:?}");
    }

    #[test]
    fn very_narrow_ranges_fall_back_to_even_steps() {
        let t = log_ticks(1.10, 1.30, 8);
        assert!(t.len() >= 3, "{t:?}");
        assert!(
            t.windows(2).all(|w| ((w[1] - w[0]) - (t[1] - t[0])).abs() < 1e-12),
            "even steps: {t:?}"
        );
        assert!(t.iter().all(|v| (1.10..=1.30).contains(v)));
    }

    #[test]
    fn bad_ranges_give_no_ticks() {
        assert!(log_ticks(0.0, 1.0, 6).is_empty());
        assert!(log_ticks(2.0, 1.0, 6).is_empty());
        assert!(log_ticks(f64::NAN, 1.0, 6).is_empty());
        assert!(log_minor(-1.0, 1.0).is_empty());
    }

    #[test]
    fn integer_axes_have_distinct_integer_ticks() {
        // The empty loss chart (0 … 10) and a one-step run (0 … 1).
        assert_eq!(int_ticks(0.0, 10.0, 6), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(int_ticks(0.0, 1.0, 6), vec![0.0, 1.0]);
        assert_eq!(int_ticks(0.0, 3.0, 6), vec![0.0, 1.0, 2.0, 3.0]);
        for hi in [1.0, 2.0, 7.0, 13.0, 99.0, 150.0, 1234.0, 5e6] {
            let t = int_ticks(0.0, hi, 6);
            assert!((2..=6).contains(&t.len()), "{hi}: {t:?}");
            assert!(
                t.iter().all(|v| v.fract() == 0.0 && (0.0..=hi).contains(v)),
                "{hi}: {t:?}"
            );
            let labels: Vec<String> = t.iter().map(|v| format!("{v:.0}")).collect();
            let mut uniq = labels.clone();
            uniq.dedup();
            assert_eq!(uniq, labels, "{hi}: distinct labels");
        }
        assert!(int_ticks(f64::NAN, 1.0, 6).is_empty());
    }

    #[test]
    fn minor_grid_is_dense_only_over_few_decades() {
        assert_eq!(log_minor(1.0, 100.0).len(), 19);
        assert_eq!(log_minor(1e-10, 1.0).len(), 11);
    }
}
