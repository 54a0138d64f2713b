//! `analyze_dump` with `rows = samples` and `rows = iterations`: the SGN-like noise each mode
//! forms (row − mean row; (g_t − g_{t−1})/√2) decides the noise verdicts, on a matrix where they
//! differ.

use rand::RngExt;
use sgn_lab::data::standard_normal;
use sgn_lab::data::text::Matrix;
use sgn_lab::experiment::analyze::{analyze_dump, AnalyzeOptions, RowKind};

/// T × P: every column is a slowly drifting mean plus N(0, 1) noise. The mean moves at 0.5 per
/// row along straight ramps between turning points of alternating sign whose magnitudes are
/// Pareto (P(|y| > x) = x^(−3)), so the time spent near |m| = x is ∝ the number of ramps
/// crossing x ∝ x^(−3): the column's values have a power-law tail, while consecutive
/// differences are the Gaussian noise plus a drift of at most 0.5.
fn drifting(t_len: usize, p: usize, seed: u64) -> Matrix {
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
    Matrix {
        rows: t_len,
        cols: p,
        data,
    }
}

#[test]
fn rows_decide_the_noise_and_its_verdict() {
    let m = drifting(20_000, 20, 7);
    let opts = |rows| AnalyzeOptions {
        rows,
        spectrum: false,
        ..AnalyzeOptions::default()
    };
    let s = analyze_dump(&m, &opts(RowKind::Samples)).unwrap();
    let i = analyze_dump(&m, &opts(RowKind::Iterations)).unwrap();
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
    let m = Matrix {
        rows: 3,
        cols: 2,
        data: vec![1.0, 10.0, 2.0, 20.0, 6.0, 60.0],
    };
    // Samples: mean row (3, 30); noise = row − mean row.
    let (s, _) = noise_of(&m, RowKind::Samples);
    assert_eq!((s.rows, s.cols), (3, 2));
    assert_eq!(s.data, vec![-2.0, -20.0, -1.0, -10.0, 3.0, 30.0]);
    // Iterations: (g_t − g_{t−1})/√2, T − 1 = 2 rows.
    let (i, _) = noise_of(&m, RowKind::Iterations);
    let r = std::f64::consts::FRAC_1_SQRT_2;
    assert_eq!((i.rows, i.cols), (2, 2));
    assert_eq!(i.data, vec![r, 10.0 * r, 4.0 * r, 40.0 * r]);
    let one = Matrix {
        rows: 1,
        cols: 2,
        data: vec![1.0, 2.0],
    };
    assert_eq!(noise_of(&one, RowKind::Iterations).0.rows, 0);
}
