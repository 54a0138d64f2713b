//! Recovery of known tails: Pareto samples with known α and x_min, and |Student-t₃| whose
//! density tail is ∝ x⁻⁴ (exponent 4). Samples drawn with rand_distr from fixed seeds.

use rand::RngExt;
use rand_distr::{Distribution, StudentT};
use sgn_lab::rng::seeded;
use sgn_lab::stats::{fit_clauset, fit_top_k, power_law_test, ClausetOptions, Level, PowerLawOptions, Rule};

fn pareto(n: usize, alpha: f64, xmin: f64, seed: u64) -> Vec<f64> {
    let mut r = seeded(seed);
    (0..n)
        .map(|_| xmin * (1.0 - r.random::<f64>()).powf(-1.0 / (alpha - 1.0)))
        .collect()
}

#[test]
fn pareto_alpha_and_xmin_recovered() {
    for (i, &(alpha, xmin)) in [(1.8, 1.0), (2.5, 3.0), (3.5, 0.01)].iter().enumerate() {
        let x = pareto(5000, alpha, xmin, 100 + i as u64);
        let p = fit_top_k(&x, 1000, Level::P05).unwrap();
        assert!((p.alpha - alpha).abs() < 4.0 * p.alpha_stderr, "paper {alpha}: {p:?}");
        let c = fit_clauset(&x, &ClausetOptions::default()).unwrap();
        assert!((c.alpha - alpha).abs() < 4.0 * c.alpha_stderr, "clauset {alpha}: {c:?}");
        // For a pure power law any x_min ≥ the true one is right; the KS minimum wanders above it.
        assert!(c.xmin >= xmin && c.n_tail >= 500, "clauset {alpha}: {c:?}");
    }
}

#[test]
fn pareto_tail_above_uniform_body() {
    // Body uniform on [0, 1), tail Pareto α = 2.2 above x_min = 1: Clauset's x_min ≈ 1.
    let mut r = seeded(7);
    let mut x: Vec<f64> = (0..3000).map(|_| r.random::<f64>()).collect();
    x.extend(pareto(2000, 2.2, 1.0, 8));
    let c = fit_clauset(&x, &ClausetOptions::default()).unwrap();
    assert!(c.xmin >= 0.9 && c.xmin < 1.6, "{c:?}");
    assert!((c.alpha - 2.2).abs() < 4.0 * c.alpha_stderr, "{c:?}");
}

#[test]
fn abs_student_t3_tail_exponent_about_four() {
    let t = StudentT::new(3.0).unwrap();
    let mut r = seeded(3);
    let x: Vec<f64> = (0..100_000).map(|_| t.sample(&mut r)).collect();
    // Paper rule on |x| (power_law_test takes |x| itself), top 1000 of 10⁵ (top 1 %).
    let rep = power_law_test(&x, &PowerLawOptions::default(), |_, _| true).unwrap();
    assert!((rep.alpha - 4.0).abs() < 0.4, "{rep:?}");
    assert!(rep.power_law, "{rep:?}");
    let o = PowerLawOptions::new(Rule::Clauset, None, Some(0), 0, Level::P05).unwrap();
    let rep = power_law_test(&x, &o, |_, _| true).unwrap();
    assert!((rep.alpha - 4.0).abs() < 0.5, "{rep:?}");
}

#[test]
fn gaussian_tail_rejected_by_paper_rule() {
    use rand_distr::StandardNormal;
    let mut r = seeded(5);
    let x: Vec<f64> = (0..100_000).map(|_| r.sample::<f64, _>(StandardNormal)).collect();
    let rep = power_law_test(&x, &PowerLawOptions::default(), |_, _| true).unwrap();
    assert!(!rep.power_law, "{rep:?}");
    // And the exponential fits it better than the power law.
    assert!(rep.vs_exponential.llr < 0.0, "{rep:?}");
}
