//! Confidence intervals of a proportion: the 95 % Wilson score interval of k successes in n
//! trials, used for every power-law rate and every replicate count the lab reports.

use serde::{Deserialize, Serialize};

/// z of a two-sided 95 % interval: Φ⁻¹(0.975).
pub const Z95: f64 = 1.959_963_984_540_054;

/// A proportion k/n with its Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    pub k: usize,
    pub n: usize,
    /// k/n (`NaN` when n = 0).
    pub p: f64,
    /// Lower and upper ends of the 95 % Wilson interval (0 and 1 when n = 0).
    pub lo: f64,
    pub hi: f64,
}

/// The Wilson score interval (Wilson 1927, JASA 22(158); recommended for small n by Brown, Cai
/// & DasGupta 2001, Statistical Science 16(2)): with p̂ = k/n,
///
/// centre = (p̂ + z²/(2n)) / (1 + z²/n),
/// half-width = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/(4n²)),
///
/// clamped to [0, 1]. Unlike the Wald interval it never collapses to a point at k = 0 or k = n.
///
/// ```
/// use sgn_lab::stats::proportion::{wilson, Z95};
/// let p = wilson(9, 10, Z95);
/// assert!((p.lo - 0.595_849_973).abs() < 1e-9 && (p.hi - 0.982_123_787).abs() < 1e-9);
/// ```
pub fn wilson(k: usize, n: usize, z: f64) -> Proportion {
    if n == 0 {
        return Proportion {
            k,
            n,
            p: f64::NAN,
            lo: 0.0,
            hi: 1.0,
        };
    }
    let nf = n as f64;
    let p = k.min(n) as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    Proportion {
        k,
        n,
        p,
        lo: (centre - half).max(0.0),
        hi: (centre + half).min(1.0),
    }
}

/// [`wilson`] at 95 %.
pub fn wilson95(k: usize, n: usize) -> Proportion {
    wilson(k, n, Z95)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// statsmodels 0.14 `proportion_confint(k, n, alpha=0.05, method="wilson")`.
    #[test]
    fn matches_statsmodels() {
        for (k, n, lo, hi) in [
            (9, 10, 0.595849973205, 0.982123786905),
            (10, 10, 0.722467200137, 1.0),
            (0, 10, 0.0, 0.277532799863),
            (3, 3, 0.438502968245, 1.0),
            (5, 10, 0.236593090513, 0.763406909487),
            (27, 30, 0.743789174208, 0.965400111253),
            (1, 1, 0.206549314377, 1.0),
        ] {
            let p = wilson95(k, n);
            assert!((p.lo - lo).abs() < 1e-9 && (p.hi - hi).abs() < 1e-9, "{k}/{n}: {p:?}");
        }
        let none = wilson95(0, 0);
        assert!(none.p.is_nan() && none.lo == 0.0 && none.hi == 1.0);
    }

    /// Coverage, exactly and by simulation: the exact coverage Σ_k P(k; n, p)·[p ∈ W(k)] over the
    /// binomial distribution is near 95 % (Wilson's coverage oscillates with p: 0.930 at p = 0.3,
    /// n = 30; Brown, Cai & DasGupta 2001, Fig. 4), and 20,000 seeded draws agree with it within
    /// their Monte Carlo error.
    #[test]
    fn covers_about_95_percent() {
        use rand::RngExt;
        use statrs::distribution::{Binomial, Discrete};
        let exact = |p: f64, n: usize| -> f64 {
            let b = Binomial::new(p, n as u64).unwrap();
            (0..=n)
                .filter(|&k| {
                    let w = wilson95(k, n);
                    w.lo <= p && p <= w.hi
                })
                .map(|k| b.pmf(k as u64))
                .sum()
        };
        for (p, n) in [(0.3, 30), (0.5, 20), (0.2, 50), (0.1, 100), (0.7, 10)] {
            let c = exact(p, n);
            assert!((0.90..=0.99).contains(&c), "exact coverage at p = {p}, n = {n}: {c}");
        }
        let mut rng = crate::rng::seeded(42);
        let (p, n, trials) = (0.3, 30, 20_000);
        let covered = (0..trials)
            .filter(|_| {
                let k = (0..n).filter(|_| rng.random::<f64>() < p).count();
                let w = wilson95(k, n);
                w.lo <= p && p <= w.hi
            })
            .count();
        let (c, want) = (covered as f64 / trials as f64, exact(p, n));
        // 4 standard errors of a proportion near 0.93 over 20,000 draws: 0.0072.
        assert!((c - want).abs() < 0.0072, "simulated coverage {c}, exact {want}");
    }
}
