//! `analyze_dump` with `rows = samples` and `rows = iterations`: the SGN-like noise each mode
//! forms (row − mean row; (g_t − g_{t−1})/√2) decides the noise verdicts, on a matrix where they
//! differ.

use ndarray::Array2;
use rand::RngExt;
use sgn_lab::data::standard_normal;
use sgn_lab::experiment::analyze::{analyze_dump, AnalyzeOptions, RowKind};

/// T × P: every column is a slowly drifting mean plus N(0, 1) noise. The mean moves at 0.5 per
/// row along straight ramps between turning points of alternating sign whose magnitudes are
/// Pareto (P(|y| > x) = x^(−3)), so the time spent near |m| = x is ∝ the number of ramps
/// crossing x ∝ x^(−3): the column's values have a power-law tail, while consecutive
/// differences are the Gaussian noise plus a drift of at most 0.5.
fn drifting(t_len: usize, p: usize, seed: u64) -> Array2<f64> {
    let mut rng = sgn_lab::rng::seeded(seed);
    let mut cols = Vec::new();
    for _ in 0..p {
        let mut path: Vec<f64> = Vec::with_capacity(t_len);
        let (mut x, mut sign) = (0.0f64, 1.0);
        while path.len() < t_len {
            let u: f64 = 1.0 - rng.random::<f64>();
            let y = sign * u.powf(-1.0 / 3.0);
            sign = -sign;
            let n = ((y - x).abs() / 0.5).max(1.0) as usize;
            path.extend((1..=n).map(|i| x + (y - x) * i as f64 / n as f64));
            x = y;
        }
        path.truncate(t_len);
        cols.push(
            path.into_iter()
                .map(|v| v + standard_normal(&mut rng))
                .collect::<Vec<f64>>(),
        );
    }
    let data = (0..t_len).flat_map(|t| cols.iter().map(move |c| c[t])).collect();
    Array2::from_shape_vec((t_len, p), data).unwrap()
}

#[test]
fn rows_decide_the_noise_and_its_verdict() {
    let m = drifting(20_000, 20, 7);
    let opts = |rows| AnalyzeOptions {
        rows,
        spectrum: false,
        ..AnalyzeOptions::default()
    };
    let s = analyze_dump(m.view(), &opts(RowKind::Samples)).unwrap();
    let i = analyze_dump(m.view(), &opts(RowKind::Iterations)).unwrap();
    // The raw columns are the same test in both modes.
    assert_eq!(s.column_wise, i.column_wise);
    // Samples: the noise is each row minus the mean row — the drift stays in it, power-law.
    let sr = s.column_wise_noise.rate.unwrap();
    assert!(sr >= 0.5, "samples: {:?}", s.column_wise_noise);
    assert_eq!(s.column_wise_noise.tested, 20);
    // Iterations: first differences remove the drift; the Gaussian noise is not power-law.
    let ir = i.column_wise_noise.rate.unwrap();
    assert!(ir <= 0.1, "iterations: {:?}", i.column_wise_noise);
    assert!(
        s.noise.contains("mean row") && i.noise.contains("g_{t−1}"),
        "{} / {}",
        s.noise,
        i.noise
    );
    // The noise column 0 is Gaussian-like over iterations: small excess kurtosis.
    let k = i.normality_column_noise.as_ref().unwrap().excess_kurtosis;
    assert!(k.abs() < 0.5, "{k}");
}

#[test]
fn noise_of_a_tiny_matrix_is_exact() {
    use sgn_lab::experiment::analyze::noise_of;
    let m = Array2::from_shape_vec((3, 2), vec![1.0, 10.0, 2.0, 20.0, 6.0, 60.0]).unwrap();
    // Samples: mean row (3, 30); noise = row − mean row.
    let (s, _) = noise_of(m.view(), RowKind::Samples);
    assert_eq!(s, ndarray::array![[-2.0, -20.0], [-1.0, -10.0], [3.0, 30.0]]);
    // Iterations: (g_t − g_{t−1})/√2, T − 1 = 2 rows.
    let (i, _) = noise_of(m.view(), RowKind::Iterations);
    let r = std::f64::consts::FRAC_1_SQRT_2;
    assert_eq!(i, ndarray::array![[r, 10.0 * r], [4.0 * r, 40.0 * r]]);
    let one = Array2::from_shape_vec((1, 2), vec![1.0, 2.0]).unwrap();
    assert_eq!(noise_of(one.view(), RowKind::Iterations).0.dim(), (0, 2));
}

// ------------------------------------------------------------------------------------------
// The tiled, streamed analysis against the direct in-memory computation (the oracle: every
// sample copied out and tested whole with the statistics module, as the analysis did before it
// streamed).

use sgn_lab::experiment::analyze::sample::{Keep, SampleAcc, EXACT_MAX};
use sgn_lab::experiment::analyze::walk::TILE_VALUES;
use sgn_lab::experiment::analyze::{analyze_source, noise_of, DumpAnalysis};
use sgn_lab::spectrum::{analyze_matrix, FitParams};
use sgn_lab::stats::powerlaw::{power_law_test, PowerLawOptions, Rule};
use sgn_lab::stats::{normality, rate_from_verdicts, Level, PowerLawRate};

/// Student-t₂-like values (heavy tails, some exact zeros), seeded.
fn heavy(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = sgn_lab::rng::seeded(seed);
    (0..n)
        .map(|i| {
            if i % 97 == 0 {
                0.0
            } else {
                let z = standard_normal(&mut rng);
                let c = standard_normal(&mut rng).powi(2) + standard_normal(&mut rng).powi(2);
                z / (c / 2.0).sqrt()
            }
        })
        .collect()
}

fn opts(rule: Rule, k: Option<usize>) -> PowerLawOptions {
    PowerLawOptions::new(rule, k, Some(0), 3, Level::P05).unwrap()
}

#[test]
fn streamed_paper_rule_equals_the_whole_sample_test() {
    for (n, k) in [
        (5, None),
        (9, None),
        (50, None),
        (20_000, None),
        (20_000, Some(37)),
        (3000, Some(5000)),
    ] {
        let x = heavy(n, n as u64);
        let o = opts(Rule::Paper, k);
        let mut acc = SampleAcc::new(&o, Keep::Verdict, n);
        x.iter().for_each(|&v| acc.push(v));
        assert!(acc.values().is_none(), "a verdict-only accumulator keeps no values");
        assert_eq!(
            acc.power_law(&o).ok(),
            power_law_test(&x, &o, |_, _| true).ok(),
            "n {n} k {k:?}"
        );
        assert_eq!(acc.power_law(&o).is_err(), power_law_test(&x, &o, |_, _| true).is_err());
    }
    // All-equal magnitudes: the same error.
    let x = vec![2.0, -2.0, 2.0, 2.0, -2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0];
    let o = opts(Rule::Paper, None);
    let mut acc = SampleAcc::new(&o, Keep::Verdict, x.len());
    x.iter().for_each(|&v| acc.push(v));
    assert_eq!(
        acc.power_law(&o).unwrap_err(),
        power_law_test(&x, &o, |_, _| true).unwrap_err()
    );
}

#[test]
fn streamed_moments_and_ccdf_are_exact_to_round_off() {
    // Above EXACT_MAX the sample is not kept: moments stream, the CCDF comes from the heap and
    // the bins. The oracle is the two-pass computation on the whole sample.
    let n = EXACT_MAX + 12_345;
    let x: Vec<f64> = heavy(n, 9).into_iter().map(|v| 1e-3 * v + 2e-4).collect();
    let o = opts(Rule::Paper, None);
    let mut acc = SampleAcc::new(&o, Keep::Full, 1000);
    x.iter().for_each(|&v| acc.push(v));
    assert!(acc.values().is_none());
    let g = acc.gaussianity().unwrap();
    let m = sgn_lab::stats::normality::moments(&x).unwrap();
    assert!(g.streamed && g.anderson_darling.is_none() && g.lilliefors.is_none() && g.shapiro_wilk.is_none());
    assert_eq!(g.n, n);
    for (a, b) in [
        (g.mean, m.mean),
        (g.std, m.std),
        (g.skewness, m.skewness),
        (g.excess_kurtosis, m.excess_kurtosis),
    ] {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-3), "{a} vs {b}");
    }
    let jb = sgn_lab::stats::normality::jarque_bera(&x).unwrap();
    assert!((g.jarque_bera.jb - jb.jb).abs() <= 1e-8 * jb.jb);
    let dp = sgn_lab::stats::normality::dagostino_pearson(&x).unwrap();
    assert!((g.dagostino_pearson.k2 - dp.k2).abs() <= 1e-8 * dp.k2);
    // Every CCDF point is exact: P(|X| ≥ x) counted directly over the non-zero values.
    let mut a: Vec<f64> = x.iter().map(|v| v.abs()).filter(|v| *v > 0.0).collect();
    a.sort_unstable_by(|p, q| p.total_cmp(q));
    let pts = acc.ccdf(1000);
    assert!(pts.len() > 100 && pts.len() <= 420, "{}", pts.len());
    assert!(pts.windows(2).all(|w| w[0][0] < w[1][0] && w[0][1] >= w[1][1]));
    for [xv, p] in pts {
        let ge = a.len() - a.partition_point(|v| *v < xv);
        assert_eq!(p, ge as f64 / a.len() as f64, "x = {xv}");
    }
    // The paper-rule verdict on the streamed sample equals the whole-sample test.
    assert_eq!(acc.power_law(&o).unwrap(), power_law_test(&x, &o, |_, _| true).unwrap());
    // Clauset's rule needs the whole sample: a verdict-only Clauset accumulator keeps it (and
    // equals the test); a paper accumulator past EXACT_MAX refuses Clauset clearly.
    let c = opts(Rule::Clauset, None);
    assert!(acc.power_law(&c).is_err());
}

/// The old in-memory analysis, as the oracle for `analyze_source`.
fn reference(m: &Array2<f64>, o: &AnalyzeOptions) -> DumpAnalysis {
    let spread = |n: usize| -> Vec<usize> {
        if n <= o.max_samples {
            (0..n).collect()
        } else {
            (0..o.max_samples).map(|i| i * n / o.max_samples).collect()
        }
    };
    let rule = if o.rule == Rule::Paper {
        Rule::Paper
    } else {
        Rule::Clauset
    };
    let po = PowerLawOptions::new(rule, o.k, Some(0), o.seed, Level::P05).unwrap();
    let test_all = |samples: Vec<Vec<f64>>| -> (PowerLawRate, Option<sgn_lab::stats::PowerLawReport>) {
        let (mut v, mut skipped, mut first) = (Vec::new(), 0, None);
        for s in samples {
            match power_law_test(&s, &po, |_, _| true) {
                Ok(r) => {
                    v.push(r.power_law);
                    first.get_or_insert(r);
                }
                Err(_) => skipped += 1,
            }
        }
        (rate_from_verdicts(&v, skipped), first)
    };
    let rows = |m: &Array2<f64>| {
        spread(m.nrows())
            .into_iter()
            .map(|i| m.row(i).to_vec())
            .collect::<Vec<_>>()
    };
    let cols = |m: &Array2<f64>| {
        spread(m.ncols())
            .into_iter()
            .map(|j| m.column(j).to_vec())
            .collect::<Vec<_>>()
    };
    let (noise, label) = noise_of(m.view(), o.rows);
    let (dimension_wise, example_row) = test_all(rows(m));
    let (column_wise, example_column) = test_all(cols(m));
    let col0 = |m: &Array2<f64>| m.column(0).to_vec();
    let spectrum = o
        .spectrum
        .then(|| analyze_matrix(m.view(), &FitParams::new(None, 0, Level::P05).unwrap()).ok())
        .flatten();
    DumpAnalysis {
        rows: m.nrows(),
        cols: m.ncols(),
        row_kind: o.rows,
        dimension_wise,
        column_wise,
        noise: label.to_string(),
        dimension_wise_noise: test_all(rows(&noise)).0,
        column_wise_noise: test_all(cols(&noise)).0,
        normality_column_noise: normality(&col0(&noise)).ok().map(Into::into),
        example_row,
        example_column,
        normality_column: normality(&col0(m)).ok().map(Into::into),
        normality_row: normality(&m.row(0).to_vec()).ok().map(Into::into),
        row0_ccdf: Vec::new(),
        spectrum,
        spectrum_error: None,
    }
}

fn assert_close(a: &DumpAnalysis, b: &DumpAnalysis, what: &str) {
    assert_eq!((a.rows, a.cols, &a.noise), (b.rows, b.cols, &b.noise), "{what}");
    assert_eq!(a.dimension_wise, b.dimension_wise, "{what}");
    assert_eq!(a.column_wise, b.column_wise, "{what}");
    assert_eq!(a.dimension_wise_noise, b.dimension_wise_noise, "{what}");
    assert_eq!(a.column_wise_noise, b.column_wise_noise, "{what}");
    assert_eq!(a.example_row, b.example_row, "{what}");
    assert_eq!(a.example_column, b.example_column, "{what}");
    assert_eq!(a.normality_column, b.normality_column, "{what}");
    if b.cols <= EXACT_MAX {
        assert_eq!(a.normality_row, b.normality_row, "{what}");
    }
    // The noise's column means are summed in the same order: identical, not just close.
    assert_eq!(a.normality_column_noise, b.normality_column_noise, "{what}");
    match (&a.spectrum, &b.spectrum) {
        (Some(x), Some(y)) => {
            assert_eq!((x.n, x.d, x.rank), (y.n, y.d, y.rank), "{what}");
            let scale = y.eigenvalues[0];
            for (p, q) in x.eigenvalues.iter().zip(&y.eigenvalues) {
                assert!((p - q).abs() <= 1e-10 * scale, "{what}: {p} vs {q}");
            }
            assert_eq!(x.fit.power_law, y.fit.power_law, "{what}");
        }
        (None, None) => {}
        _ => panic!("{what}: spectrum on one side only"),
    }
}

#[test]
fn tiled_analysis_equals_the_in_memory_one() {
    // Shapes with several tiles each way (wide: column blocks; tall: row blocks after a pass
    // for the column means), and single-tile ones; both row kinds; paper and Clauset rules.
    let cases: [(usize, usize); 5] = [
        (6, 1 + TILE_VALUES / 3),
        (200, 12_000),
        (1 + TILE_VALUES / 5, 7),
        (300, 40),
        (1, 5000),
    ];
    for (i, &(r, c)) in cases.iter().enumerate() {
        let m = Array2::from_shape_vec((r, c), heavy(r * c, 100 + i as u64)).unwrap();
        for rows in [RowKind::Samples, RowKind::Iterations] {
            for (rule, k) in [(Rule::Paper, None), (Rule::Paper, Some(25))] {
                let o = AnalyzeOptions {
                    rows,
                    rule,
                    k,
                    max_samples: 40,
                    spectrum: r.min(c) <= 400,
                    ..AnalyzeOptions::default()
                };
                let mut calls = 0;
                let got = analyze_source(&m, &o, &mut |_| {
                    calls += 1;
                    true
                })
                .unwrap();
                assert!(calls >= 2);
                let want = reference(&m, &o);
                assert_close(&got, &want, &format!("{r} × {c} {rows:?} {rule:?} K {k:?}"));
            }
        }
        if r * c <= 20_000 {
            let o = AnalyzeOptions {
                rule: Rule::Clauset,
                max_samples: 10,
                spectrum: false,
                ..AnalyzeOptions::default()
            };
            assert_close(
                &analyze_source(&m, &o, &mut |_| true).unwrap(),
                &reference(&m, &o),
                "Clauset",
            );
        }
    }
}

#[test]
fn a_tiled_analysis_can_be_cancelled() {
    let m = Array2::from_shape_vec((4, TILE_VALUES), heavy(4 * TILE_VALUES, 5)).unwrap();
    let mut n = 0;
    let r = analyze_source(&m, &AnalyzeOptions::default(), &mut |_| {
        n += 1;
        n < 2
    });
    assert_eq!(r.unwrap_err(), sgn_lab::experiment::analyze::AnalyzeError::Cancelled);
}
