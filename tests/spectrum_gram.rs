//! The Gram route (Hadamard trick on factored per-sample gradients) against the dense route
//! (materialised N × P matrix), the minibatch scaling C_B and the M-draw estimate.

use ndarray::Array2;
use rand::RngExt;
use rand_distr::StandardNormal;
use sgn_lab::nn::{GradBlock, PerSampleGrads};
use sgn_lab::rng::seeded;
use sgn_lab::spectrum::{eigen, gram, spectrum_of_grads, spectrum_of_gram, spectrum_of_matrix, SpectrumError};

fn normals(rng: &mut sgn_lab::rng::SeededRng, m: usize, scale: f64) -> Vec<f64> {
    (0..m).map(|_| scale * rng.sample::<f64, _>(StandardNormal)).collect()
}

/// Two dense layers (one with, one without bias), ReLU-like inputs, and a materialised block.
fn grads(n: usize, seed: u64) -> PerSampleGrads {
    let mut rng = seeded(seed);
    let a0: Vec<f64> = normals(&mut rng, n * 7, 1.0)
        .into_iter()
        .map(|v| v.max(0.0) + 0.1)
        .collect();
    let d0 = normals(&mut rng, n * 5, 0.3);
    let a1: Vec<f64> = normals(&mut rng, n * 5, 1.0).into_iter().map(|v| v.max(0.0)).collect();
    let d1 = normals(&mut rng, n * 3, 0.5);
    let g = normals(&mut rng, n * 11, 0.2);
    PerSampleGrads {
        n,
        blocks: vec![
            GradBlock::Outer {
                n,
                fan_in: 7,
                fan_out: 5,
                a: a0,
                delta: d0,
                bias: true,
            },
            GradBlock::Outer {
                n,
                fan_in: 5,
                fan_out: 3,
                a: a1,
                delta: d1,
                bias: false,
            },
            GradBlock::Dense {
                g: Array2::from_shape_vec((n, 11), g).unwrap(),
            },
        ],
    }
}

#[test]
fn gram_route_equals_dense_route() {
    for (n, seed) in [(40usize, 1u64), (120, 2)] {
        let g = grads(n, seed);
        let p = g.p();
        assert_eq!(p, 7 * 5 + 5 + 5 * 3 + 11);
        let dense_m = g.to_dense();
        let dense = dense_m.as_slice().unwrap();
        // Gram entries.
        let k1 = gram::gram(&g).unwrap();
        let dense_matrix = dense_m.view();
        let k2 = gram::gram_dense(dense_matrix).unwrap();
        let kmax = k2.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (a, b) in k1.iter().zip(&k2) {
            assert!((a - b).abs() <= 1e-12 * kmax);
        }
        // Eigenvalues: Gram route vs the dense matrix through the matrix route.
        let s1 = spectrum_of_grads(&g).unwrap();
        let s2 = spectrum_of_matrix(dense_matrix).unwrap();
        assert_eq!(s1.eigenvalues.len(), n.min(p));
        assert_eq!(s1.rank, s2.rank);
        for (a, b) in s1.eigenvalues.iter().zip(&s2.eigenvalues) {
            assert!((a - b).abs() <= 1e-10 * s2.eigenvalues[0], "{a} vs {b}");
        }
        // And against the P × P covariance computed directly, (1/N) Σ (g − ḡ)(g − ḡ)ᵀ.
        let mut mean = vec![0.0; p];
        for j in 0..n {
            for i in 0..p {
                mean[i] += dense[j * p + i] / n as f64;
            }
        }
        let mut c = Array2::zeros((p, p));
        for j in 0..n {
            for a in 0..p {
                let x = dense[j * p + a] - mean[a];
                for b in 0..p {
                    c[[a, b]] += x * (dense[j * p + b] - mean[b]) / n as f64;
                }
            }
        }
        let ev = eigen::eigenvalues_desc(c.view()).unwrap();
        for k in 0..s1.rank {
            assert!((s1.eigenvalues[k] - ev[k]).abs() <= 1e-10 * ev[0]);
        }
    }
}

#[test]
fn mismatched_blocks_are_errors() {
    let mut g = grads(10, 3);
    // A block with one sample fewer than the others.
    g.blocks[2] = GradBlock::Dense {
        g: Array2::zeros((9, 11)),
    };
    assert!(matches!(gram::gram(&g), Err(SpectrumError::Shape(_))));
    let mut g = grads(10, 3);
    if let GradBlock::Outer { a, .. } = &mut g.blocks[0] {
        a[0] = f64::NAN;
    }
    assert_eq!(gram::gram(&g), Err(SpectrumError::NonFinite));
    let g = grads(1, 3);
    assert_eq!(spectrum_of_grads(&g), Err(SpectrumError::TooFewSamples(1)));
}

#[test]
fn minibatch_factor_and_draws() {
    // C_B = C₁ (N − B)/(B (N − 1)); B = N gives 0, B = 1 gives N/(N − 1)·… = 1.
    assert_eq!(gram::minibatch_factor(100, 100).unwrap(), 0.0);
    assert!((gram::minibatch_factor(100, 1).unwrap() - 1.0).abs() < 1e-15);
    assert!(gram::minibatch_factor(100, 0).is_err());
    assert!(gram::minibatch_factor(100, 101).is_err());

    let n = 200;
    let g = grads(n, 4);
    let k = gram::gram(&g).unwrap();
    let c1 = spectrum_of_gram(k.view(), g.p()).unwrap();
    let b = 20;
    let cb = c1.scaled(gram::minibatch_factor(n, b).unwrap());
    let m = 1000;
    let mut kd = gram::minibatch_draw_gram(k.view(), b, m, 9).unwrap();
    gram::centre(&mut kd);
    let c = 1.0 / (m - 1) as f64;
    kd.iter_mut().for_each(|x| *x *= c);
    let mut draws = eigen::eigenvalues_desc(kd.view()).unwrap();
    draws.truncate(g.p());
    // Unbiased for the trace; top eigenvalue within sampling error (M = 1000 → a few %).
    let tr_b = cb.trace();
    let tr_d: f64 = draws.iter().filter(|v| **v > 0.0).sum();
    assert!((tr_d / tr_b - 1.0).abs() < 0.05, "trace {tr_d} vs {tr_b}");
    assert!(
        (draws[0] / cb.eigenvalues[0] - 1.0).abs() < 0.1,
        "λ1 {} vs {}",
        draws[0],
        cb.eigenvalues[0]
    );
}

#[test]
fn full_analysis_serializes() {
    use sgn_lab::spectrum::{analyze_grads_full, SpectrumOptions};
    let g = grads(120, 8);
    let opts = SpectrumOptions {
        batch_size: Some(16),
        davis_kahan: Some((10, 1)),
        ..Default::default()
    };
    let a = analyze_grads_full(&g, &opts).unwrap();
    assert_eq!(a.report.eigenvalues.len(), 120.min(g.p()));
    assert!(a.baseline.as_ref().unwrap().fit.s.is_finite());
    assert_eq!(a.davis_kahan.as_ref().unwrap().k.len(), 10);
    assert_eq!(a.batch.unwrap().0, 16);
    let json = serde_json::to_string(&a).unwrap();
    let back: sgn_lab::spectrum::SpectrumAnalysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back.report.rank, a.report.rank);
}

#[test]
fn minibatch_draw_spectrum_estimates_c_b() {
    use sgn_lab::spectrum::spectrum_of_minibatch_draws;
    let n = 200;
    let g = grads(n, 5);
    let k = gram::gram(&g).unwrap();
    let cb = spectrum_of_gram(k.view(), g.p())
        .unwrap()
        .scaled(gram::minibatch_factor(n, 10).unwrap());
    let s = spectrum_of_minibatch_draws(k.view(), g.p(), 10, 1000, 3).unwrap();
    assert_eq!(s.n, 1000);
    assert!(s.rank <= g.p());
    assert!(
        (s.trace() / cb.trace() - 1.0).abs() < 0.05,
        "{} vs {}",
        s.trace(),
        cb.trace()
    );
}

#[test]
fn malformed_gram_matrices_are_errors_not_panics() {
    use sgn_lab::spectrum::davis_kahan;
    // A buffer of 8 values cannot be a 3 × 3 matrix: refused where the array is built.
    assert!(Array2::from_shape_vec((3, 3), vec![1.0; 8]).is_err());
    // Not square, or not in standard layout: a shape error from every entry point.
    let wide = Array2::from_elem((2, 4), 1.0);
    let sq = Array2::from_elem((4, 4), 1.0);
    let transposed = sq.t();
    let strided = sq.slice(ndarray::s![..;2, ..;2]);
    for bad in [wide.view(), strided] {
        assert!(matches!(spectrum_of_gram(bad, 5), Err(SpectrumError::Shape(_))));
        assert!(matches!(davis_kahan(bad, 2, 0), Err(SpectrumError::Shape(_))));
        assert!(matches!(eigen::eigenvalues_desc(bad), Err(SpectrumError::Shape(_))));
        assert!(matches!(
            gram::minibatch_draw_gram(bad, 1, 4, 0),
            Err(SpectrumError::Shape(_))
        ));
    }
    assert!(matches!(spectrum_of_gram(transposed, 5), Err(SpectrumError::Shape(_))));
    let mut b2 = wide.clone();
    gram::centre(&mut b2);
    assert_eq!(b2, wide);
    let nan = Array2::from_shape_vec((2, 2), vec![1.0, f64::NAN, f64::NAN, 1.0]).unwrap();
    assert_eq!(spectrum_of_gram(nan.view(), 2), Err(SpectrumError::NonFinite));
    assert!(davis_kahan(Array2::zeros((3, 3)).view(), 2, 0).is_err());
}
