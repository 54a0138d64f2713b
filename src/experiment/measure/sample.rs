//! One sample's tests for the reports: its power-law tail test, its Gaussianity tests
//! ([`TailTest`]) and its empirical CCDF P(|X| ≥ x) at a few hundred ranks ([`ccdf_summary`]),
//! enough to redraw the CCDF without the raw sample.

use crate::libm_f64::LibmF64;
use crate::stats::powerlaw::{power_law_test, power_law_test_deferred, BootstrapJob, PowerLawOptions, PowerLawReport};
use crate::stats::{normality, NormalityReport, StatsError};
use serde::{Deserialize, Serialize};

/// One sample's tail test, its Gaussianity tests, and the sample itself (for the plots).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TailTest {
    /// What the sample is, e.g. "dimension-wise g (all 89610 coordinates, draw 1)".
    pub label: String,
    pub power_law: PowerLawReport,
    /// `None` when the sample is too small or degenerate for the tests.
    pub normality: Option<NormalityReport>,
    /// The sample's CCDF in compact form ([`ccdf_summary`]): points `[x, P(|X| ≥ x)]`, so a
    /// report can redraw the CCDF without the raw sample.
    pub ccdf: Vec<[f64; 2]>,
    /// The raw sample (signed values; the tail test uses |x|). Not in reports.
    #[serde(skip)]
    pub sample: Vec<f64>,
}

impl TailTest {
    pub(super) fn new(label: String, sample: Vec<f64>, opts: &PowerLawOptions) -> Result<TailTest, StatsError> {
        Self::with_progress(label, sample, opts, |_, _| true)
    }

    pub(super) fn with_progress<F: FnMut(usize, usize) -> bool>(
        label: String,
        sample: Vec<f64>,
        opts: &PowerLawOptions,
        progress: F,
    ) -> Result<TailTest, StatsError> {
        let power_law = power_law_test(&sample, opts, progress)?;
        Ok(Self::assemble(label, power_law, sample))
    }

    /// The tail test with its bootstrap (if `opts` asks for one) not yet run
    /// ([`power_law_test_deferred`]): apply its result with [`PowerLawReport::with_bootstrap`].
    pub(super) fn deferred(
        label: String,
        sample: Vec<f64>,
        opts: &PowerLawOptions,
    ) -> Result<(TailTest, Option<BootstrapJob>), StatsError> {
        let (power_law, job) = power_law_test_deferred(&sample, opts)?;
        Ok((Self::assemble(label, power_law, sample), job))
    }

    /// A tail test from its power-law verdict and sample: adds the Gaussianity tests and the
    /// CCDF summary.
    pub fn assemble(label: String, power_law: PowerLawReport, sample: Vec<f64>) -> TailTest {
        let normality = normality(&sample).ok();
        let ccdf = ccdf_summary(&sample, power_law.n_tail);
        TailTest {
            label,
            power_law,
            normality,
            ccdf,
            sample,
        }
    }
}

/// Most points of a [`ccdf_summary`].
pub const CCDF_POINTS: usize = 400;

/// The empirical CCDF of the magnitudes |x| (exact zeros and non-finite values dropped; n
/// values left) at a few ranks: points `[x, P(|X| ≥ x)]` where x = v₍r₎ is the r-th largest
/// magnitude and P(|X| ≥ x) = #{i : |x_i| ≥ x} / n (ties counted in full), sorted by x
/// ascending, at most [`CCDF_POINTS`]. The ranks r ∈ 1..=n kept are: the 100 largest
/// (r ≤ 100); x_min's neighbourhood, r = n_tail − 5 ..= n_tail + 5 (the tail test's x_min is
/// v₍n_tail₎); the 1st percentile from below, r = n − ⌊(n − 1)/100⌋, and the smallest, r = n;
/// and the rest evenly spaced in ln r. Identical points (tied values) appear once.
pub fn ccdf_summary(sample: &[f64], n_tail: usize) -> Vec<[f64; 2]> {
    let mut v: Vec<f64> = sample
        .iter()
        .map(|x| x.abs())
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    let n = v.len();
    if n == 0 {
        return Vec::new();
    }
    v.sort_unstable_by(|a, b| b.total_cmp(a));
    let mut ranks = std::collections::BTreeSet::new();
    if n <= CCDF_POINTS {
        ranks.extend(1..=n);
    }
    ranks.extend(1..=n.min(100));
    ranks.extend(n_tail.saturating_sub(5).max(1)..=(n_tail + 5).min(n));
    ranks.insert(n - (n - 1) / 100);
    ranks.insert(n);
    let room = CCDF_POINTS.saturating_sub(ranks.len());
    if room >= 2 {
        let ln_n = (n as f64).ln_();
        let mut extra = Vec::with_capacity(room);
        for j in 0..room {
            let r = (ln_n * j as f64 / (room - 1) as f64).exp_().round() as usize;
            extra.push(r.clamp(1, n));
        }
        ranks.extend(extra);
    }
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(ranks.len());
    for &r in ranks.iter().rev() {
        let x = v[r - 1];
        let p = v.partition_point(|y| *y >= x) as f64 / n as f64;
        if out.last() != Some(&[x, p]) {
            out.push([x, p]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(|X| ≥ x) by counting, straight from the definition.
    fn direct(sample: &[f64], x: f64) -> f64 {
        let nz: Vec<f64> = sample.iter().map(|v| v.abs()).filter(|v| *v > 0.0).collect();
        nz.iter().filter(|v| **v >= x).count() as f64 / nz.len() as f64
    }

    #[test]
    fn ccdf_summary_matches_a_direct_count() {
        // 50 000 signed Pareto-like values with ties and zeros.
        let sample: Vec<f64> = (0..50_000)
            .map(|i| {
                let u = ((i as f64 * 0.618_033_988_7).fract() + 1e-6).min(1.0);
                let v = (u.powf_(-1.0 / 1.5) * 100.0).round() / 100.0;
                if i % 7 == 0 {
                    0.0
                } else if i % 2 == 0 {
                    v
                } else {
                    -v
                }
            })
            .collect();
        let n_tail = 1000;
        let c = ccdf_summary(&sample, n_tail);
        assert!(c.len() <= CCDF_POINTS && c.len() > 200, "{} points", c.len());
        for w in c.windows(2) {
            assert!(
                w[0][0] < w[1][0] && w[0][1] > w[1][1],
                "x ascending, P descending: {w:?}"
            );
        }
        for p in &c {
            assert_eq!(p[1], direct(&sample, p[0]), "P(|X| ≥ {})", p[0]);
        }
        let mut v: Vec<f64> = sample.iter().map(|x| x.abs()).filter(|x| *x > 0.0).collect();
        v.sort_unstable_by(|a, b| b.total_cmp(a));
        let n = v.len();
        // The largest values, x_min's neighbourhood, the 1st percentile and the smallest value.
        for r in [1, 2, 3, 50, 100, n_tail - 5, n_tail, n_tail + 5, n - (n - 1) / 100, n] {
            assert!(c.iter().any(|p| p[0] == v[r - 1]), "rank {r} (x = {}) kept", v[r - 1]);
        }
        assert!(ccdf_summary(&[0.0, 0.0], 0).is_empty());
        // A small sample is kept whole.
        let small = [3.0, -1.0, 2.0, 2.0, 0.0];
        assert_eq!(ccdf_summary(&small, 2), vec![[1.0, 1.0], [2.0, 0.75], [3.0, 0.25]]);
    }
}
