//! The statistics entry points on arbitrary finite and non-finite samples (NaN with any
//! payload, ±inf, subnormals, ±f64::MAX, f32-rounded values, values spread over 24 decades):
//! the paper's top-K rule, the full power-law test (paper and Clauset rules, small bootstraps),
//! the Clauset scan and bootstrap, the power-law rate, every Gaussianity test, the α-stable
//! tail index, the covariance spectrum of a small data matrix (Gram / cross-product route + the
//! fixed-order eigensolver), the eigen-decomposition of a small symmetric matrix, the spectrum fit and the
//! theory views.
//!
//! Input: byte 0 picks the expensive paths and the parameters, then values (see
//! `sgn_lab_fuzz::Cursor::f64`).
//!
//! Checks: non-finite input is a typed `NonFinite` error that points at the first bad value,
//! never a panic; every p-value is in [0, 1]; every statistic is finite (α̂ > 1, KS distances in
//! [0, 1], σ > 0, W ∈ (0, 1]); spectra are descending, non-negative, of rank ≤ min(n − 1, d)
//! and sum to the trace; eigenvectors have unit norm.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ndarray::Array2;
use sgn_lab::spectrum::eigen::{eigen_desc, eigenvalues_desc};
use sgn_lab::spectrum::{
    analyze, effective_rank, eigengaps, fit_spectrum, spectrum_of_gram, spectrum_of_matrix, trace_share, FitParams,
    SpectrumError,
};
use sgn_lab::stats::normality::{anderson_darling, dagostino_pearson, jarque_bera, lilliefors, moments, shapiro_wilk};
use sgn_lab::stats::{
    fit_clauset, fit_clauset_bootstrap, fit_top_k, normality, power_law_rate, power_law_test, tail_index,
    BootstrapOptions, ClausetOptions, KsConvention, Level, PowerLawOptions, Rule, StatsError,
};
use sgn_lab_fuzz::{
    assert_finite, assert_p, check_fit, check_normality, check_power_law, check_rate, check_spectrum,
    check_spectrum_report, check_top_k, Cursor,
};

fn first_non_finite(v: &[f64]) -> Option<usize> {
    v.iter().position(|x| !x.is_finite())
}

/// A stats result on a sample with a non-finite value must be exactly this error.
#[track_caller]
fn expect_non_finite<T: std::fmt::Debug>(r: &Result<T, StatsError>, v: &[f64]) {
    if let Some(i) = first_non_finite(v) {
        assert_eq!(
            r.as_ref().err(),
            Some(&StatsError::NonFinite { index: i }),
            "non-finite value #{i} not reported"
        );
    }
}

/// For positive-value fits: the first value that is non-finite or ≤ 0 is reported.
#[track_caller]
fn expect_bad_positive<T: std::fmt::Debug>(r: &Result<T, StatsError>, v: &[f64]) {
    if let Some(i) = v.iter().position(|x| !x.is_finite() || *x <= 0.0) {
        let e = r.as_ref().err().expect("non-positive or non-finite input accepted");
        assert!(
            matches!(e, StatsError::NonFinite { index } | StatsError::NonPositive { index, .. } if *index == i),
            "{e:?} for #{i}"
        );
    }
}

fn level(b: u8) -> Level {
    [Level::P05, Level::P10, Level::P01][(b % 3) as usize]
}

fn stats_cheap(c: &mut Cursor) {
    let lev = level(c.u8());
    let k = c.range(0, 402);
    let block = if c.bool() { None } else { Some(c.range(0, 20)) };
    let k_test = if c.bool() { None } else { Some(c.range(2, 300)) };
    let seed = c.u64();
    let v = c.f64s(400);
    let v = &v[..];
    let n = v.len();

    // The paper's rule on positive values.
    let r = fit_top_k(v, k, lev);
    expect_bad_positive(&r, v);
    if let Ok(f) = &r {
        check_top_k(f, n);
    }
    let abs: Vec<f64> = v.iter().map(|x| x.abs()).filter(|x| *x != 0.0).collect();
    if let Ok(f) = fit_top_k(&abs, k, lev) {
        check_top_k(&f, abs.len());
    }

    // Gaussianity.
    let r = normality(v);
    expect_non_finite(&r, v);
    if let Ok(rep) = &r {
        check_normality(rep, n);
    }
    let r = moments(v);
    expect_non_finite(&r, v);
    if let Ok(m) = r {
        for x in [m.mean, m.std, m.skewness, m.excess_kurtosis] {
            assert_finite(x, "moment");
        }
    }
    let r = shapiro_wilk(v);
    expect_non_finite(&r, v);
    if let Ok(s) = r {
        assert_p(s.p, "Shapiro–Wilk");
        assert!(s.w.is_finite() && s.w > 0.0 && s.w <= 1.0 + 1e-12, "{s:?}");
    }
    let r = dagostino_pearson(v);
    expect_non_finite(&r, v);
    if let Ok(s) = r {
        assert_p(s.p, "D'Agostino–Pearson");
        assert!(s.k2 >= 0.0 && s.k2.is_finite());
    }
    let r = jarque_bera(v);
    expect_non_finite(&r, v);
    if let Ok(s) = r {
        assert_p(s.p, "Jarque–Bera");
        assert!(s.jb >= 0.0 && s.jb.is_finite());
    }
    let r = anderson_darling(v);
    expect_non_finite(&r, v);
    if let Ok(s) = r {
        assert_p(s.p, "Anderson–Darling");
        assert_finite(s.a2, "A²");
    }
    let r = lilliefors(v);
    expect_non_finite(&r, v);
    if let Ok(s) = r {
        assert_p(s.p, "Lilliefors");
        assert!((0.0..=1.0).contains(&s.d));
    }

    // α-stable tail index.
    let r = tail_index(v, block);
    expect_non_finite(&r, v);
    if let Ok(t) = r {
        assert!(t.alpha > 0.0 && t.alpha.is_finite(), "{t:?}");
        assert!(t.blocks >= 2 && t.block_size >= 2 && t.n_used == t.blocks * t.block_size);
        assert!(t.n_used + t.n_zero <= n);
    }

    // The full power-law test, paper rule, no bootstrap (the Table A path).
    let o = PowerLawOptions::new(Rule::Paper, k_test, Some(0), seed, lev).unwrap();
    let r = power_law_test(v, &o, |_, _| true);
    expect_non_finite(&r, v);
    if let Ok(rep) = &r {
        check_power_law(rep, n);
        assert_eq!(rep.power_law, rep.ks_d < rep.ks_critical);
        assert_eq!(rep.p_value, None);
    }
}

fn clauset_opts(c: &mut Cursor, lev: Level) -> ClausetOptions {
    let ks = if c.bool() {
        KsConvention::TwoSided
    } else {
        KsConvention::Plfit
    };
    ClausetOptions::new(c.range(2, 60), c.range(0, 400), c.range(2, 50), ks, lev).unwrap()
}

fn stats_clauset(c: &mut Cursor) {
    let lev = level(c.u8());
    let co = clauset_opts(c, lev);
    let boot = BootstrapOptions {
        replicates: c.range(1, 4),
        seed: c.u64(),
    };
    let rule = if c.bool() { Rule::Clauset } else { Rule::Paper };
    let k = if c.bool() { None } else { Some(c.range(2, 300)) };
    let reps = c.range(0, 3);
    let seed = c.u64();
    let parts = c.range(1, 4);
    let v = c.f64s(200);
    let v = &v[..];
    let n = v.len();
    let abs: Vec<f64> = v.iter().map(|x| x.abs()).filter(|x| *x != 0.0).collect();
    for x in [v, &abs[..]] {
        let r = fit_clauset(x, &co);
        expect_bad_positive(&r, x);
        if let Ok(f) = &r {
            assert!(
                f.n == x.len() && f.n_tail >= co.min_tail.max(2) && f.n_tail <= f.n,
                "{f:?}"
            );
            assert!(f.alpha > 1.0 && f.alpha.is_finite(), "alpha {f:?}");
            assert!((0.0..=1.0).contains(&f.ks_d) && f.candidates >= 1, "{f:?}");
            assert!(f.xmin > 0.0 && f.xmin.is_finite());
        }
    }
    let r = fit_clauset_bootstrap(&abs, &co, &boot, |_, _| true);
    if let Ok((f, b)) = &r {
        assert_p(b.p_value, "Clauset bootstrap");
        assert!(b.replicates >= 1 && b.replicates <= boot.replicates && b.at_least_as_far <= b.replicates);
        assert!(f.alpha > 1.0 && f.alpha.is_finite(), "alpha {f:?}");
    }
    // Cancelling is a typed error too.
    let cancelled = fit_clauset_bootstrap(&abs, &co, &boot, |_, _| false);
    if r.is_ok() {
        assert_eq!(cancelled.err(), Some(StatsError::Cancelled));
    }

    // The full test under both rules with a small bootstrap.
    let mut o = PowerLawOptions::new(rule, k, Some(reps), seed, lev).unwrap();
    o.clauset = ClausetOptions { level: lev, ..co };
    let r = power_law_test(v, &o, |_, _| true);
    expect_non_finite(&r, v);
    if let Ok(rep) = &r {
        check_power_law(rep, n);
    }
    // The rate over a few sub-samples.
    let chunks: Vec<&[f64]> = v.chunks(n.div_ceil(parts).max(1)).collect();
    match power_law_rate(&chunks, &o, |_, _| true) {
        Ok(rate) => check_rate(&rate, chunks.len()),
        Err(e) => panic!("power_law_rate only fails on cancel: {e:?}"),
    }
}

fn stats_spectrum(c: &mut Cursor) {
    let d = c.range(1, 8);
    let lev = level(c.u8());
    let params = FitParams::new(if c.bool() { None } else { Some(c.range(2, 8)) }, c.range(0, 3), lev).unwrap();
    let n = c.range(0, 6);
    let gram_d = c.range(1, 10);
    let sort = c.bool();
    let rank_sel = c.u16() as usize;
    let v = c.f64s(100);
    let v = &v[..];
    // A small data matrix, one sample per row.
    let rows = (v.len() / d).min(12);
    let m = Array2::from_shape_vec((rows, d), v[..rows * d].to_vec()).expect("rows × d values");
    let m_data = m.as_slice().expect("standard layout");
    match spectrum_of_matrix(m.view()) {
        Ok(s) => {
            assert!(m_data.iter().all(|x| x.is_finite()));
            check_spectrum(&s);
            // Σλ = tr C₁ = (1/n) Σ_ij (x_ij − x̄_j)² where that is computable without overflow.
            if m_data.iter().all(|x| x.abs() < 1e100) {
                let n = rows as f64;
                let mut tr = 0.0;
                let mut scale = 0.0f64;
                for j in 0..d {
                    let mean = (0..rows).map(|i| m_data[i * d + j]).sum::<f64>() / n;
                    for i in 0..rows {
                        tr += (m_data[i * d + j] - mean).powi(2) / n;
                        scale = scale.max(m_data[i * d + j].powi(2));
                    }
                }
                let sum: f64 = s.eigenvalues.iter().sum();
                assert!(
                    (sum - tr).abs() <= 1e-9 * tr + 1e-10 * scale * (rows * d) as f64 + 1e-300,
                    "Σλ = {sum}, trace {tr}, scale {scale}"
                );
            }
            let g = eigengaps(&s.eigenvalues, s.rank);
            assert!(g.by_rank.iter().all(|x| *x >= 0.0 && x.is_finite()));
            let share = trace_share(&s.eigenvalues);
            assert!(
                share.windows(2).all(|w| w[0] <= w[1] + 1e-12) && share.iter().all(|x| (0.0..=1.0 + 1e-9).contains(x)),
                "{share:?}"
            );
            let er = effective_rank(&s.eigenvalues);
            assert!(
                er.is_finite() && er >= 0.0 && er <= s.rank as f64 + 1e-9,
                "effective rank {er} of rank {}",
                s.rank
            );
            if let Ok(rep) = analyze(s, &params) {
                check_spectrum_report(&rep);
            }
        }
        Err(e) => {
            if rows >= 2 && first_non_finite(m_data).is_some() {
                assert_eq!(e, SpectrumError::NonFinite);
            }
        }
    }

    // A small symmetric matrix (upper triangle from the values) through the eigensolver.
    let mut a = Array2::<f64>::zeros((n, n));
    let mut it = v.iter().copied().cycle();
    for i in 0..n {
        for j in i..n {
            let x = if v.is_empty() { 0.0 } else { it.next().unwrap() };
            a[[i, j]] = x;
            a[[j, i]] = x;
        }
    }
    match eigenvalues_desc(a.view()) {
        Ok(ev) => {
            assert!(a.iter().all(|x| x.is_finite()));
            assert_eq!(ev.len(), n);
            assert!(ev.windows(2).all(|w| w[0] >= w[1]), "not descending: {ev:?}");
            let fro = a.iter().fold(0.0f64, |s, x| s.max(x.abs()));
            if ev.iter().all(|x| x.is_finite()) && fro < 1e150 {
                let sum: f64 = ev.iter().sum();
                let tr: f64 = a.diag().iter().sum();
                assert!(
                    (sum - tr).abs() <= 1e-10 * fro * (n * n) as f64 + 1e-300,
                    "Σλ = {sum}, trace {tr}"
                );
            }
            if let Ok(e) = eigen_desc(a.view()) {
                for k in 0..n {
                    let u = e.vector(k);
                    let norm: f64 = u.iter().map(|x| x * x).sum();
                    if norm.is_finite() && fro < 1e150 && fro > 1e-150 {
                        assert!((norm - 1.0).abs() < 1e-8, "eigenvector {k} has norm² {norm}");
                    }
                }
            }
        }
        Err(e) => {
            assert!(
                first_non_finite(a.as_slice().expect("standard layout")).is_some() || matches!(e, SpectrumError::Eigen(_)),
                "{e:?}"
            );
        }
    }
    // The same matrix read as an uncentred Gram matrix.
    if let Ok(s) = spectrum_of_gram(a.view(), gram_d) {
        check_spectrum(&s);
    }
    // The fit on an arbitrary "spectrum".
    let mut ev: Vec<f64> = v.to_vec();
    if sort {
        ev.sort_by(|a, b| b.total_cmp(a));
    }
    let rank = rank_sel % (ev.len() + 1);
    if let Ok(f) = fit_spectrum(&ev, rank, &params) {
        check_fit(&f);
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 8192 || data.is_empty() {
        return;
    }
    let mut c = Cursor::new(data);
    let sel = c.u8();
    match sel % 4 {
        0 | 1 => stats_cheap(&mut c),
        2 => stats_clauset(&mut c),
        _ => stats_spectrum(&mut c),
    }
});
