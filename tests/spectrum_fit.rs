//! Power-law fit of spectra: recovery of ŝ for k^(−1) and k^(−2), flat baseline, parameters.

use ndarray::Array2;
use rand::RngExt;
use rand_distr::StandardNormal;
use sgn_lab::rng::seeded;
use sgn_lab::spectrum::{
    analyze, fit_spectrum, gaussian_baseline, spectrum_of_matrix, FitParams, Spectrum, SpectrumError,
};
use sgn_lab::stats::Level;

fn zipf(r: usize, s: f64) -> Vec<f64> {
    (1..=r).map(|k| (k as f64).powf(-s)).collect()
}

#[test]
fn exact_zipf_spectra_recover_s() {
    for s in [1.0, 2.0] {
        let ev = zipf(2000, s);
        let f = fit_spectrum(&ev, 2000, &FitParams::default()).unwrap();
        assert_eq!(f.k, 1000);
        assert!((f.s - s).abs() < 0.1, "MLE ŝ = {} for s = {s}", f.s);
        assert!(
            (-f.ls_slope - s).abs() < 1e-9 && f.ls_r2 > 0.999999,
            "LS slope {}",
            f.ls_slope
        );
        assert!((f.beta - (1.0 + 1.0 / f.s)).abs() < 1e-12);
        assert!((f.beta_stderr - (f.beta - 1.0) / (1000f64).sqrt()).abs() < 1e-12);
        assert!((f.ks_critical - 1.36 / (1000f64).sqrt()).abs() < 1e-12);
        assert!(f.power_law, "d_ks {} vs d_c {}", f.ks_d, f.ks_critical);
        assert!(!f.is_flat());
    }
}

/// Gaussian samples with population covariance diag(k^(−s)) in a random basis, through the whole
/// pipeline (centring, eigensolver, fit over the top 100 of 400 dimensions).
#[test]
fn sampled_power_law_covariance_recovers_s() {
    let (n, d) = (4000, 400);
    for (s, seed) in [(1.0, 11u64), (2.0, 12)] {
        let mut rng = seeded(seed);
        let scale: Vec<f64> = (1..=d).map(|k| (k as f64).powf(-s / 2.0)).collect();
        let data: Vec<f64> = (0..n * d)
            .map(|i| scale[i % d] * rng.sample::<f64, _>(StandardNormal))
            .collect();
        let spec = spectrum_of_matrix(Array2::from_shape_vec((n, d), data).unwrap().view()).unwrap();
        let f = fit_spectrum(
            &spec.eigenvalues,
            spec.rank,
            &FitParams::new(Some(100), 0, Level::P05).unwrap(),
        )
        .unwrap();
        assert!((f.s - s).abs() < 0.1, "ŝ = {} for s = {s}", f.s);
        assert!((-f.ls_slope - s).abs() < 0.1, "LS ŝ = {} for s = {s}", -f.ls_slope);
    }
}

#[test]
fn gaussian_baseline_is_flat() {
    // A spectrum to mimic: k^(−1) over 200 samples of dimension 20000 (γ = 100, the gradient
    // regime P ≫ N). Near γ ≈ 1 the MP law is wide and its ŝ is not small (γ = 2 gives ŝ ≈ 0.6).
    let spec = Spectrum {
        n: 200,
        d: 20_000,
        rank: 199,
        eigenvalues: {
            let mut v = zipf(199, 1.0);
            v.push(0.0);
            v
        },
    };
    let base = gaussian_baseline(&spec, &FitParams::default(), 5).unwrap();
    assert_eq!(base.eigenvalues.len(), 200);
    assert_eq!(base.rank, 199);
    assert!(base.flat && base.fit.s < 0.3, "baseline ŝ = {}", base.fit.s);
    // Same total variance (within sampling error).
    let tr: f64 = base.eigenvalues.iter().sum();
    assert!((tr / spec.trace() - 1.0).abs() < 0.02);
    let real = analyze(spec, &FitParams::default()).unwrap();
    assert!(!real.flat && real.fit.power_law);
}

#[test]
fn skip_and_invalid_parameters() {
    let ev = zipf(100, 1.0);
    let f = fit_spectrum(&ev, 100, &FitParams::new(Some(40), 5, Level::P05).unwrap()).unwrap();
    assert_eq!((f.k, f.skip), (40, 5));
    assert_eq!(f.xmin, ev[44]);
    assert!(matches!(
        FitParams::new(Some(1), 0, Level::P05),
        Err(SpectrumError::InvalidParam(_))
    ));
    let too_many = FitParams::new(Some(90), 20, Level::P05).unwrap();
    assert!(matches!(
        fit_spectrum(&ev, 100, &too_many),
        Err(SpectrumError::InvalidParam(_))
    ));
    // Default K = min(1000, rank/2, rank − skip); a rank-3 spectrum cannot be fitted by default.
    assert!(fit_spectrum(&[3.0, 2.0, 1.0], 3, &FitParams::default()).is_err());
    let f = fit_spectrum(&ev, 100, &FitParams::new(None, 70, Level::P05).unwrap()).unwrap();
    assert_eq!(f.k, 30);
}

#[test]
fn k_sweep_on_a_broken_power_law() {
    use sgn_lab::spectrum::{k_sweep, k_sweep_grid};
    // k^(−1) for the top 200 ranks, then a much steeper fall: the verdict holds for small K only.
    let mut ev = zipf(200, 1.0);
    let last = ev[199];
    ev.extend((1..=800).map(|i| last * (1.0 + i as f64 / 10.0).powf(-4.0)));
    let grid = k_sweep_grid(1000, 0, 8);
    assert_eq!((grid[0], *grid.last().unwrap()), (50, 1000));
    let fits = k_sweep(&ev, 1000, &FitParams::default(), &grid);
    assert_eq!(fits.len(), grid.len());
    assert!(fits[0].power_law && (fits[0].s - 1.0).abs() < 0.1);
    assert!(!fits.last().unwrap().power_law);
}
