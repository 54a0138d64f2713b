//! Property tests of the invariants the fuzz targets check (docs/RELIABILITY.md, "Fuzzing"),
//! over generated inputs instead of mutated bytes:
//!
//! * the URL-hash codec, `decode(encode(c)) == c`, over configurations far outside the
//!   validated ranges (`tests/experiment_config.rs` covers in-range ones): any finite float
//!   (subnormals, ±0, 1e308), any integer, every dataset kind including `teacher`, the
//!   spectrum knobs — `decode` applies no range checks, so the codec must carry all of them;
//! * covariance spectra (Gram route for d ≥ n, cross-product route for d < n, the eigensolver on
//!   a Gram matrix): descending, ≥ −tiny before clamping and ≥ 0 after, summing to the trace;
//! * every p-value of the power-law and Gaussianity tests is in [0, 1] and every statistic
//!   finite, on Gaussian, Student-t, Pareto and scaled samples;
//! * the numbers / CSV reader gives back formatted finite f64 bit for bit;
//! * `.npy`: `write_npy_f64` → `read_npy` is the identity, and hand-built float32 headers of
//!   format 1.0 / 2.0 / 3.0 read the values numpy would write.
#![cfg(not(target_arch = "wasm32"))]

use ndarray::Array2;
use proptest::prelude::*;
use sgn_lab::data::npy::{read_npy, write_npy_f64};
use sgn_lab::data::synthetic::{MixtureParams, TeacherParams};
use sgn_lab::data::text::{parse_matrix, parse_numbers};
use sgn_lab::data::DatasetSpec;
use sgn_lab::experiment::{url, ExperimentConfig};
use sgn_lab::nn::{ActivationKind, ModelSpec};
use sgn_lab::spectrum::eigen::eigenvalues_desc;
use sgn_lab::spectrum::gram::gram_dense;
use sgn_lab::spectrum::{spectrum_of_matrix, Spectrum};
use sgn_lab::stats::{
    fit_clauset_bootstrap, normality, power_law_test, tail_index, BootstrapOptions, ClausetOptions, KsConvention,
    Level, PowerLawOptions, Rule,
};
use sgn_lab::train::{LrSchedule, Precision};

/// Any finite f64: normal, subnormal, ±0, up to ±f64::MAX.
fn finite() -> impl Strategy<Value = f64> {
    prop::num::f64::POSITIVE
        | prop::num::f64::NEGATIVE
        | prop::num::f64::NORMAL
        | prop::num::f64::SUBNORMAL
        | prop::num::f64::ZERO
}

fn wild_config() -> impl Strategy<Value = ExperimentConfig> {
    let dataset = prop_oneof![
        any::<usize>().prop_map(|d| DatasetSpec::Mnist { downsample: d }),
        Just(DatasetSpec::Digits8x8),
        Just(DatasetSpec::BreastCancer),
        Just(DatasetSpec::Wine),
        (any::<usize>(), any::<usize>(), any::<usize>(), finite(), any::<u64>()).prop_map(
            |(n, d, n_classes, separation, seed)| DatasetSpec::GaussianMixture(MixtureParams {
                n,
                d,
                n_classes,
                separation,
                seed
            })
        ),
        (
            any::<usize>(),
            any::<usize>(),
            any::<usize>(),
            any::<usize>(),
            any::<u64>()
        )
            .prop_map(|(n, d, n_classes, hidden, seed)| DatasetSpec::Teacher(TeacherParams {
                n,
                d,
                n_classes,
                hidden,
                seed
            })),
    ];
    let activation = prop_oneof![Just(ActivationKind::Relu), Just(ActivationKind::Tanh)];
    let model = prop_oneof![
        (prop::collection::vec(any::<usize>(), 0..6), activation.clone())
            .prop_map(|(hidden, activation)| ModelSpec::Fcn { hidden, activation }),
        activation.prop_map(|activation| ModelSpec::Lenet { activation }),
    ];
    let schedule = prop_oneof![
        Just(LrSchedule::Constant),
        (prop::collection::vec(finite(), 0..5), finite())
            .prop_map(|(milestones, factor)| LrSchedule::StepDecay { milestones, factor }),
    ];
    (
        (
            dataset,
            prop::option::of(any::<usize>()),
            prop::option::of(any::<usize>()),
            finite(),
            any::<bool>(),
        ),
        model,
        (
            finite(),
            finite(),
            finite(),
            schedule,
            any::<usize>(),
            any::<usize>(),
            any::<bool>(),
        ),
        (any::<usize>(), any::<u64>()),
        (
            any::<bool>(),
            finite(),
            prop::option::of(any::<usize>()),
            any::<usize>(),
            any::<usize>(),
            any::<usize>(),
        ),
        (
            prop::option::of(any::<usize>()),
            any::<usize>(),
            any::<bool>(),
            any::<usize>(),
            any::<bool>(),
        ),
        (any::<u64>(), any::<u64>(), any::<usize>()),
    )
        .prop_map(|(d, model, t, l, a, b, (seed, cap, bootstrap))| {
            let mut c = ExperimentConfig::default();
            (
                c.data.dataset,
                c.data.n_train,
                c.data.n_test,
                c.data.label_noise,
                c.data.random_labels,
            ) = d;
            c.model = model;
            let precision;
            (
                c.training.lr,
                c.training.momentum,
                c.training.weight_decay,
                c.training.schedule,
                c.training.batch_size,
                c.training.epochs,
                precision,
            ) = t;
            c.training.precision = if precision { Precision::F64 } else { Precision::F32 };
            (c.logging.n_tracked, c.logging.full_every) = l;
            let clauset;
            (
                clauset,
                c.analysis.level,
                c.analysis.k,
                c.analysis.draws,
                c.analysis.dim_draws,
                c.analysis.n_cov,
            ) = a;
            c.analysis.rule = if clauset { Rule::Clauset } else { Rule::Paper };
            (
                c.analysis.spectrum_k,
                c.analysis.spectrum_skip,
                c.analysis.baseline,
                c.analysis.davis_kahan_top,
                c.analysis.measure_init,
            ) = b;
            c.analysis.bootstrap = bootstrap;
            c.seed = seed;
            c.memory_cap = cap;
            c
        })
}

/// A sample of one of several shapes, scaled by 10^e.
fn sample(max_n: usize) -> impl Strategy<Value = Vec<f64>> {
    let base = prop_oneof![
        // Gaussian-ish: sums of uniforms.
        prop::collection::vec(
            prop::collection::vec(-1.0f64..1.0, 4).prop_map(|u| u.iter().sum::<f64>()),
            0..max_n
        ),
        // Pareto tails with exponent in (1, 4): (1 − u)^(−1/(α−1)).
        (1.2f64..4.0, prop::collection::vec(0.0f64..1.0, 0..max_n))
            .prop_map(|(a, u)| u.iter().map(|u| (1.0 - u).powf(-1.0 / (a - 1.0))).collect()),
        // Student-t-like: ratio of a uniform sum and a uniform.
        prop::collection::vec((-1.0f64..1.0, 0.001f64..1.0).prop_map(|(z, v)| z / v), 0..max_n),
        // Few distinct values, zeros included.
        prop::collection::vec(prop::sample::select(vec![0.0, 0.0, 1.0, -1.0, 2.0, 3.5]), 0..max_n),
    ];
    (base, -200i32..200, any::<bool>()).prop_map(|(v, e, flip)| {
        let s = 10f64.powi(e);
        v.iter().map(|x| if flip { -x * s } else { x * s }).collect()
    })
}

fn in_unit(p: f64) -> bool {
    (0.0..=1.0).contains(&p)
}

fn trace_of_covariance(m: &Array2<f64>) -> f64 {
    let n = m.nrows() as f64;
    (0..m.ncols())
        .map(|j| {
            let mean = (0..m.nrows()).map(|i| m[[i, j]]).sum::<f64>() / n;
            (0..m.nrows()).map(|i| (m[[i, j]] - mean).powi(2)).sum::<f64>() / n
        })
        .sum()
}

fn check_spectrum(s: &Spectrum, m: &Array2<f64>) -> Result<(), TestCaseError> {
    let (rows, cols) = m.dim();
    let ev = &s.eigenvalues;
    prop_assert_eq!(ev.len(), rows.min(cols));
    prop_assert!(ev.windows(2).all(|w| w[0] >= w[1]), "not descending: {:?}", ev);
    prop_assert!(ev.iter().all(|v| v.is_finite() && *v >= 0.0), "{:?}", ev);
    prop_assert!(s.rank <= (rows - 1).min(cols), "rank {} of {}×{}", s.rank, rows, cols);
    let tr = trace_of_covariance(m);
    let sum: f64 = ev.iter().sum();
    prop_assert!(
        (sum - tr).abs() <= 1e-9 * tr.max(f64::MIN_POSITIVE),
        "Σλ = {}, trace {}",
        sum,
        tr
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// decode(encode(c)) == c for configurations far outside the validated ranges, and the
    /// canonical hash is a fixed point.
    #[test]
    fn url_round_trip_outside_the_ranges(c in wild_config()) {
        let h = url::encode(&c).unwrap();
        prop_assert!(h.starts_with(url::PREFIX));
        prop_assert!(h[3..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{}", h);
        let back = url::decode(&h).unwrap();
        prop_assert_eq!(&back, &c);
        prop_assert_eq!(url::encode(&back).unwrap(), h);
        let j = serde_json::to_string(&c).unwrap();
        prop_assert_eq!(ExperimentConfig::from_json(&j).unwrap(), c);
    }

    /// Spectra of random data matrices (both routes) are descending, non-negative, of rank
    /// ≤ min(n − 1, d), and sum to tr C₁.
    #[test]
    fn spectra_are_sorted_non_negative_and_sum_to_the_trace(
        rows in 2usize..12, cols in 1usize..12, e in -100i32..100,
        seed in prop::collection::vec(-1.0f64..1.0, 144), offset in -1e3f64..1e3,
    ) {
        let s = 10f64.powi(e);
        let data: Vec<f64> = (0..rows * cols).map(|i| (seed[i] + offset * (i % cols) as f64 * 1e-3) * s).collect();
        let m = Array2::from_shape_vec((rows, cols), data).unwrap();
        let sp = spectrum_of_matrix(m.view()).unwrap();
        check_spectrum(&sp, &m)?;
    }

    /// The eigensolver on a Gram matrix X Xᵀ (positive semi-definite): descending and ≥ −tiny
    /// before any clamping, summing to the trace.
    #[test]
    fn gram_eigenvalues_are_descending_and_not_below_minus_tiny(
        rows in 1usize..14, cols in 1usize..14, v in prop::collection::vec(-1.0f64..1.0, 196), e in -50i32..50,
    ) {
        let s = 10f64.powi(e);
        let x: Vec<f64> = v[..rows * cols].iter().map(|a| a * s).collect();
        let g = gram_dense(Array2::from_shape_vec((rows, cols), x).unwrap().view()).unwrap();
        let ev = eigenvalues_desc(g.view()).unwrap();
        prop_assert_eq!(ev.len(), rows);
        prop_assert!(ev.windows(2).all(|w| w[0] >= w[1]), "{:?}", ev);
        let tiny = 1e-12 * ev[0].abs().max(f64::MIN_POSITIVE) * rows as f64;
        prop_assert!(ev.iter().all(|l| *l >= -tiny), "{:?}", ev);
        let tr: f64 = g.diag().iter().sum();
        prop_assert!((ev.iter().sum::<f64>() - tr).abs() <= 1e-10 * tr.max(f64::MIN_POSITIVE), "{:?} vs {}", ev, tr);
    }

    /// Every p-value of the power-law test (both rules, small bootstraps) and of the Gaussianity
    /// tests is in [0, 1], and every statistic is finite.
    #[test]
    fn p_values_are_probabilities(v in sample(160), reps in 0usize..3, clauset in any::<bool>(), min_tail in 2usize..40, seed in any::<u64>()) {
        let rule = if clauset { Rule::Clauset } else { Rule::Paper };
        let mut o = PowerLawOptions::new(rule, None, Some(reps), seed, Level::P05).unwrap();
        o.clauset = ClausetOptions::new(min_tail, 10_000, 1000, KsConvention::TwoSided, Level::P05).unwrap();
        if let Ok(r) = power_law_test(&v, &o, |_, _| true) {
            prop_assert!(r.alpha > 1.0 && r.alpha.is_finite(), "{:?}", r);
            prop_assert!(in_unit(r.ks_d) && r.ks_critical.is_finite(), "{:?}", r);
            prop_assert!(r.p_value.is_none_or(in_unit), "{:?}", r);
            for lr in [r.vs_lognormal, r.vs_exponential] {
                prop_assert!(in_unit(lr.p) && lr.llr.is_finite() && lr.llr_normalized.is_finite(), "{:?}", r);
            }
        }
        let abs: Vec<f64> = v.iter().map(|x| x.abs()).filter(|x| *x > 0.0).collect();
        if let Ok((f, b)) = fit_clauset_bootstrap(&abs, &o.clauset, &BootstrapOptions { replicates: reps + 1, seed }, |_, _| true) {
            prop_assert!(in_unit(b.p_value) && f.alpha > 1.0 && f.alpha.is_finite(), "{:?} {:?}", f, b);
        }
        if let Ok(r) = normality(&v) {
            prop_assert!(r.mean.is_finite() && r.std.is_finite() && r.std > 0.0 && r.skewness.is_finite() && r.excess_kurtosis.is_finite(), "{:?}", r);
            let sw = r.shapiro_wilk.unwrap();
            prop_assert!(in_unit(sw.p) && sw.w > 0.0 && sw.w <= 1.0 + 1e-12, "{:?}", r);
            for p in [r.dagostino_pearson.p, r.jarque_bera.p, r.anderson_darling.p, r.lilliefors.p] {
                prop_assert!(in_unit(p), "{:?}", r);
            }
            prop_assert!(r.anderson_darling.a2.is_finite() && in_unit(r.lilliefors.d), "{:?}", r);
        }
        if let Ok(t) = tail_index(&v, None) {
            prop_assert!(t.alpha > 0.0 && t.alpha.is_finite(), "{:?}", t);
        }
    }

    /// Formatted finite f64 (Display, exponent and Debug forms) parse back bit for bit, as a list
    /// and as a CSV matrix with a header.
    #[test]
    fn text_readers_round_trip_finite_floats(v in prop::collection::vec(finite(), 1..40), cols in 1usize..6, style in 0u8..3) {
        let fmt = |x: &f64| match style {
            0 => format!("{x}"),
            1 => format!("{x:e}"),
            _ => format!("{x:?}"),
        };
        let text: Vec<String> = v.iter().map(fmt).collect();
        let back = parse_numbers(&text.join(", ")).unwrap();
        prop_assert_eq!(back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        let rows = v.len() / cols;
        if rows > 0 {
            let mut csv = (0..cols).map(|j| format!("g{j}")).collect::<Vec<_>>().join(",") + "\n";
            for i in 0..rows {
                csv += &text[i * cols..(i + 1) * cols].join(",");
                csv += "\r\n";
            }
            let m = parse_matrix(&csv).unwrap();
            prop_assert_eq!(m.dim(), (rows, cols));
            prop_assert_eq!(m.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), v[..rows * cols].iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        }
    }

    /// write_npy_f64 → read_npy is the identity on finite matrices.
    #[test]
    fn npy_f64_round_trip(rows in 1usize..20, cols in 1usize..20, v in prop::collection::vec(finite(), 400)) {
        let data = &v[..rows * cols];
        let b = write_npy_f64(rows, cols, data);
        prop_assert_eq!((b.len() - 8 * rows * cols) % 64, 0);
        let m = read_npy(&b).unwrap();
        prop_assert_eq!(m.dim(), (rows, cols));
        prop_assert_eq!(m.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), data.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    }

    /// Hand-built float32 files (numpy's header layout, format 1.0, 2.0 or 3.0, 1-D or 2-D) read
    /// back the f32 values exactly; a trailing byte or a missing one is refused.
    #[test]
    fn npy_f32_headers_read_back(rows in 1usize..10, cols in 1usize..10, one_d in any::<bool>(), version in 1u8..=3,
                                 v in prop::collection::vec(any::<f32>().prop_filter("finite", |x| x.is_finite()), 100)) {
        let data = &v[..rows * cols];
        let shape = if one_d { format!("({},)", rows * cols) } else { format!("({rows}, {cols})") };
        let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
        let prefix = if version == 1 { 10 } else { 12 };
        header.push_str(&" ".repeat((64 - (prefix + header.len() + 1) % 64) % 64));
        header.push('\n');
        let mut b = b"\x93NUMPY".to_vec();
        b.extend_from_slice(&[version, 0]);
        if version == 1 {
            b.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            b.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        b.extend_from_slice(header.as_bytes());
        for x in data {
            b.extend_from_slice(&x.to_le_bytes());
        }
        let m = read_npy(&b).unwrap();
        prop_assert_eq!(m.dim(), if one_d { (rows * cols, 1) } else { (rows, cols) });
        prop_assert!(m.iter().zip(data).all(|(a, b)| *a == *b as f64));
        let mut long = b.clone();
        long.push(0);
        prop_assert!(read_npy(&long).is_err());
        prop_assert!(read_npy(&b[..b.len() - 1]).is_err());
    }
}
