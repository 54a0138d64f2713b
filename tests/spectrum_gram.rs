//! The Gram route (Hadamard trick on factored per-sample gradients) against the dense route
//! (materialised N × P matrix), the minibatch scaling C_B and the M-draw estimate.

use rand::RngExt;
use rand_distr::StandardNormal;
use sgn_lab::data::text::Matrix;
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
            GradBlock::Dense { n, p: 11, g },
        ],
    }
}

#[test]
fn gram_route_equals_dense_route() {
    for (n, seed) in [(40usize, 1u64), (120, 2)] {
        let g = grads(n, seed);
        let p = g.p();
        assert_eq!(p, 7 * 5 + 5 + 5 * 3 + 11);
        let dense = g.to_dense();
        // Gram entries.
        let k1 = gram::gram(&g).unwrap();
        let k2 = gram::gram_dense(&dense, n, p).unwrap();
        let kmax = k2.data.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (a, b) in k1.data.iter().zip(&k2.data) {
            assert!((a - b).abs() <= 1e-12 * kmax);
        }
        // Eigenvalues: Gram route vs the dense matrix through the matrix route.
        let s1 = spectrum_of_grads(&g).unwrap();
        let s2 = spectrum_of_matrix(&Matrix {
            rows: n,
            cols: p,
            data: dense.clone(),
        })
        .unwrap();
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
        let mut c = eigen::SymMatrix::zeros(p);
        for j in 0..n {
            for a in 0..p {
                let x = dense[j * p + a] - mean[a];
                for b in 0..p {
                    c.data[a * p + b] += x * (dense[j * p + b] - mean[b]) / n as f64;
                }
            }
        }
        let ev = eigen::eigenvalues_desc(&c).unwrap();
        for k in 0..s1.rank {
            assert!((s1.eigenvalues[k] - ev[k]).abs() <= 1e-10 * ev[0]);
        }
    }
}

#[test]
fn mismatched_blocks_are_errors() {
    let mut g = grads(10, 3);
    if let GradBlock::Dense { g: buf, .. } = &mut g.blocks[2] {
        buf.pop();
    }
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
    let c1 = spectrum_of_gram(&k, g.p()).unwrap();
    let b = 20;
    let cb = c1.scaled(gram::minibatch_factor(n, b).unwrap());
    let m = 1000;
    let mut kd = gram::minibatch_draw_gram(&k, b, m, 9).unwrap();
    gram::centre(&mut kd);
    kd.scale(1.0 / (m - 1) as f64);
    let mut draws = eigen::eigenvalues_desc(&kd).unwrap();
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
    let cb = spectrum_of_gram(&k, g.p())
        .unwrap()
        .scaled(gram::minibatch_factor(n, 10).unwrap());
    let s = spectrum_of_minibatch_draws(&k, g.p(), 10, 1000, 3).unwrap();
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
    use sgn_lab::spectrum::{davis_kahan, eigen::SymMatrix};
    let bad = SymMatrix {
        n: 3,
        data: vec![1.0; 8],
    };
    assert!(matches!(spectrum_of_gram(&bad, 5), Err(SpectrumError::Shape(_))));
    assert!(matches!(davis_kahan(&bad, 2, 0), Err(SpectrumError::Shape(_))));
    assert!(matches!(eigen::eigenvalues_desc(&bad), Err(SpectrumError::Shape(_))));
    assert!(matches!(
        gram::minibatch_draw_gram(&bad, 1, 4, 0),
        Err(SpectrumError::Shape(_))
    ));
    let mut b2 = bad.clone();
    gram::centre(&mut b2);
    assert_eq!(b2, bad);
    let nan = SymMatrix {
        n: 2,
        data: vec![1.0, f64::NAN, f64::NAN, 1.0],
    };
    assert_eq!(spectrum_of_gram(&nan, 2), Err(SpectrumError::NonFinite));
    assert!(davis_kahan(&SymMatrix::zeros(3), 2, 0).is_err());
}
