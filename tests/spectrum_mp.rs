//! Marchenko–Pastur edges for i.i.d. Gaussian data, both through a materialised matrix and the
//! Bartlett (Wishart) route of the baseline.
//!
//! Finite-size tolerance: at the soft edges the extreme eigenvalues fluctuate on the
//! Tracy–Widom scale (Johnstone 2001, Ann. Stat. 29(2)): σ_n = (√n + √d)(1/√n + 1/√d)^{1/3}/n
//! at the top and (√n − √d)(1/√d − 1/√n)^{1/3}/n (|·|) at the bottom, times σ². The TW₁ law has
//! mean −1.21 and sd 1.27, so |λ_extreme − λ±| < 8 σ_n fails with probability far below 1e-4
//! (and the seeds are fixed).

use ndarray::Array2;
use rand::RngExt;
use rand_distr::StandardNormal;
use sgn_lab::rng::seeded;
use sgn_lab::spectrum::marchenko_pastur::{gaussian_baseline_eigenvalues, MpParams};
use sgn_lab::spectrum::spectrum_of_matrix;

fn tw_scales(n: usize, d: usize) -> (f64, f64) {
    let (nf, df) = (n as f64, d as f64);
    let top = (nf.sqrt() + df.sqrt()) * (1.0 / nf.sqrt() + 1.0 / df.sqrt()).cbrt() / nf;
    let bot = (nf.sqrt() - df.sqrt()).abs() * (1.0 / df.sqrt() - 1.0 / nf.sqrt()).abs().cbrt() / nf;
    (top, bot)
}

fn check_edges(ev: &[f64], rank: usize, n: usize, d: usize, sigma2: f64) {
    let mp = MpParams::new(n, d, sigma2 * d as f64).unwrap();
    assert!((mp.sigma2 - sigma2).abs() < 1e-12);
    let (top, bot) = tw_scales(n, d);
    let lmax = ev[0];
    let lmin = ev[rank - 1];
    assert!(
        (lmax - mp.lambda_plus).abs() < 8.0 * top * sigma2,
        "λmax {lmax} vs λ+ {} (σ_n {top})",
        mp.lambda_plus
    );
    assert!(
        (lmin - mp.lambda_minus).abs() < 8.0 * bot * sigma2 + 1e-9,
        "λmin {lmin} vs λ− {} (σ_n {bot})",
        mp.lambda_minus
    );
    // Bulk: the empirical quantiles follow the MP quantiles.
    let q = mp.expected_rank_plot(rank);
    let worst = ev[..rank]
        .iter()
        .zip(&q)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 0.05 * mp.lambda_plus, "max quantile gap {worst}");
}

#[test]
fn materialised_gaussian_matrix_gamma_half() {
    let (n, d, sigma2) = (1000usize, 500usize, 2.0f64);
    let mut rng = seeded(77);
    let data: Vec<f64> = (0..n * d)
        .map(|_| sigma2.sqrt() * rng.sample::<f64, _>(StandardNormal))
        .collect();
    let s = spectrum_of_matrix(Array2::from_shape_vec((n, d), data).unwrap().view()).unwrap();
    assert_eq!(s.rank, d);
    check_edges(&s.eigenvalues, s.rank, n, d, sigma2);
}

#[test]
fn baseline_gamma_three_materialised() {
    let (n, d) = (300, 900);
    let ev = gaussian_baseline_eigenvalues(n, d, 1.0, 3).unwrap();
    assert_eq!(ev.len(), n);
    // Centring removes one direction: rank n − 1; the MP law (γ > 1) has n non-zero eigenvalues
    // in the limit, the centred one is lost at the bottom.
    let rank = ev.iter().filter(|v| **v > 0.0).count();
    assert_eq!(rank, n - 1);
    check_edges(&ev, rank, n, d, 1.0);
}

#[test]
fn baseline_bartlett_route_large_gamma() {
    // n·d = 12e6 > MAX_MATERIALISED: the Gram is drawn from its Wishart law.
    let (n, d) = (400, 30_000);
    let ev = gaussian_baseline_eigenvalues(n, d, 0.5, 4).unwrap();
    let rank = ev.iter().filter(|v| **v > 0.0).count();
    assert_eq!(rank, n - 1);
    check_edges(&ev, rank, n, d, 0.5);
}

#[test]
fn density_integrates_to_the_continuous_mass() {
    for (n, d) in [(1000, 250), (100, 300)] {
        let mp = MpParams::new(n, d, d as f64).unwrap();
        let c = mp.density_curve(200_001);
        let mass: f64 = c.windows(2).map(|w| 0.5 * (w[0].1 + w[1].1) * (w[1].0 - w[0].0)).sum();
        assert!(
            (mass + mp.zero_mass() - 1.0).abs() < 1e-3,
            "mass {mass} + {}",
            mp.zero_mass()
        );
    }
}
