//! The library's fixed-order symmetric eigensolver (`spectrum::eigen`) against an independent
//! one, faer 0.24 (`tests/common/faer_evd.rs`), on the kinds of matrices a spectrum meets:
//! random symmetric and SPD matrices, Wishart matrices (full rank and rank-deficient), power-law
//! spectra over seven decades, repeated eigenvalues, and centred Gram matrices of per-sample
//! gradients with fewer parameters than samples (rank < N).
//!
//! Both solvers are backward stable (Householder + QL/QR: computed eigenvalues are exact for
//! A + E, ‖E‖₂ = O(n ε ‖A‖₂), Golub & Van Loan §8.3.7), so by Weyl's inequality each eigenvalue
//! agrees to c·n·ε·‖A‖₂; the tolerance here is 4·n·ε·‖A‖₂ (with ‖A‖₂ = max |λ|) and each test
//! prints the worst difference it saw. Eigenvectors: residual ‖A u − λ u‖∞ and orthonormality
//! to the same order, and the top eigenvectors of a well-separated spectrum agree with faer's up
//! to sign (sin ∠ ≤ c n ε ‖A‖ / gap, Davis–Kahan).
#![cfg(not(target_arch = "wasm32"))]

mod common {
    pub mod faer_evd;
}
use common::faer_evd::faer_evd;
use ndarray::Array2;
use rand::RngExt;
use rand_distr::StandardNormal;
use sgn_lab::nn::{GradBlock, PerSampleGrads};
use sgn_lab::rng::seeded;
use sgn_lab::spectrum::eigen::{eigen_desc, eigenvalues_desc};
use sgn_lab::spectrum::gram;

fn normals(seed: u64, m: usize) -> Vec<f64> {
    let mut rng = seeded(seed);
    (0..m).map(|_| rng.sample::<f64, _>(StandardNormal)).collect()
}

/// Symmetric n × n with independent N(0, 1) entries on and below the diagonal.
fn random_sym(n: usize, seed: u64) -> Array2<f64> {
    let z = normals(seed, n * n);
    let mut a = Array2::zeros((n, n));
    for i in 0..n {
        for j in 0..=i {
            a[[i, j]] = z[i * n + j];
            a[[j, i]] = z[i * n + j];
        }
    }
    a
}

/// The Wishart matrix X Xᵀ / m of an n × m standard normal X (rank min(n, m)).
fn wishart(n: usize, m: usize, seed: u64) -> Array2<f64> {
    let x = normals(seed, n * m);
    let mut a = Array2::zeros((n, n));
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..m).map(|t| x[i * m + t] * x[j * m + t]).sum::<f64>() / m as f64;
            a[[i, j]] = s;
            a[[j, i]] = s;
        }
    }
    a
}

/// Q diag(λ) Qᵀ with Q a product of three Householder reflectors of random normal vectors
/// (orthogonal and dense): exactly the spectrum λ up to the round-off of forming it.
fn with_spectrum(lambda: &[f64], seed: u64) -> Array2<f64> {
    let n = lambda.len();
    let mut a = Array2::zeros((n, n));
    for (i, l) in lambda.iter().enumerate() {
        a[[i, i]] = *l;
    }
    for r in 0..3 {
        let v = normals(seed * 10 + r, n);
        let vv: f64 = v.iter().map(|x| x * x).sum();
        // A ← H A H, H = I − 2 v vᵀ / (vᵀv): A ← A − v pᵀ − p vᵀ, p = (2/vᵀv)(A v − (vᵀAv/vᵀv) v).
        let av: Vec<f64> = (0..n).map(|i| (0..n).map(|j| a[[i, j]] * v[j]).sum()).collect();
        let vav: f64 = v.iter().zip(&av).map(|(x, y)| x * y).sum();
        let p: Vec<f64> = (0..n).map(|i| 2.0 / vv * (av[i] - vav / vv * v[i])).collect();
        for i in 0..n {
            for j in 0..n {
                a[[i, j]] -= v[i] * p[j] + p[i] * v[j];
            }
        }
        // Exactly symmetric.
        for i in 0..n {
            for j in 0..i {
                a[[j, i]] = a[[i, j]];
            }
        }
    }
    a
}

/// Per-sample gradients of a tiny two-layer network with P parameters < N samples: the centred
/// Gram matrix has rank ≤ P (and ≤ N − 1).
fn low_rank_gram(n: usize, seed: u64) -> (Array2<f64>, usize) {
    let a0: Vec<f64> = normals(seed, n * 6).into_iter().map(|v| v.max(0.0)).collect();
    let d0 = normals(seed + 1, n * 4);
    let a1: Vec<f64> = normals(seed + 2, n * 4).into_iter().map(|v| v.max(0.0)).collect();
    let d1 = normals(seed + 3, n * 3);
    let g = PerSampleGrads {
        n,
        blocks: vec![
            GradBlock::Outer {
                n,
                fan_in: 6,
                fan_out: 4,
                a: a0,
                delta: d0,
                bias: true,
            },
            GradBlock::Outer {
                n,
                fan_in: 4,
                fan_out: 3,
                a: a1,
                delta: d1,
                bias: false,
            },
        ],
    };
    let p = g.p();
    let mut k = gram::gram(&g).unwrap();
    gram::centre(&mut k);
    (k, p)
}

/// Checks `eigenvalues_desc` and `eigen_desc` of `a` against faer: values to 4·n·ε·‖A‖₂, both
/// entry points the same bits, residuals and orthonormality to 4·n·ε; returns the worst
/// eigenvalue difference relative to ‖A‖₂.
fn check(name: &str, a: &Array2<f64>) -> f64 {
    let n = a.nrows();
    let ours = eigenvalues_desc(a.view()).unwrap();
    let (theirs, _) = faer_evd(a.as_slice().unwrap(), n, false);
    let norm = ours[0].abs().max(ours[n - 1].abs()).max(f64::MIN_POSITIVE);
    let tol = 4.0 * n as f64 * f64::EPSILON;
    let mut worst = 0.0f64;
    for k in 0..n {
        let d = (ours[k] - theirs[k]).abs() / norm;
        worst = worst.max(d);
        assert!(
            d <= tol,
            "{name}: λ_{} = {} vs faer {} ({d:.2e} of ‖A‖ > {tol:.2e})",
            k + 1,
            ours[k],
            theirs[k]
        );
    }
    let e = eigen_desc(a.view()).unwrap();
    assert!(
        e.values.iter().zip(&ours).all(|(x, y)| x.to_bits() == y.to_bits()),
        "{name}: eigen_desc and eigenvalues_desc give the same bits"
    );
    let (mut res, mut orth) = (0.0f64, 0.0f64);
    for k in 0..n {
        let u = e.vector(k);
        for i in 0..n {
            let au: f64 = (0..n).map(|j| a[[i, j]] * u[j]).sum();
            res = res.max((au - e.values[k] * u[i]).abs() / norm);
        }
        for j in 0..=k {
            let d: f64 = e.vector(j).iter().zip(u).map(|(x, y)| x * y).sum();
            orth = orth.max((d - if j == k { 1.0 } else { 0.0 }).abs());
        }
    }
    assert!(
        res <= tol && orth <= tol,
        "{name}: residual {res:.2e}, orthogonality {orth:.2e} (tol {tol:.2e})"
    );
    println!(
        "{name}: n = {n}, max |Δλ|/‖A‖ = {worst:.2e}, residual {res:.2e}, orthogonality {orth:.2e} (tol {tol:.2e})"
    );
    worst
}

#[test]
fn random_symmetric_and_spd() {
    for (n, seed) in [
        (1, 1),
        (2, 2),
        (3, 3),
        (31, 4),
        (32, 5),
        (33, 6),
        (63, 7),
        (64, 8),
        (65, 9),
        (129, 10),
    ] {
        check(&format!("random symmetric n = {n}"), &random_sym(n, seed));
    }
    check("random symmetric n = 300", &random_sym(300, 11));
    // SPD: Wishart with m = 2n (eigenvalues in [(1 − 1/√2)², (1 + 1/√2)²] asymptotically).
    check("Wishart n = 250, m = 500", &wishart(250, 500, 12));
}

#[test]
fn rank_deficient_wishart() {
    // n = 200, m = 60: 140 exact zeros, which both solvers return as round-off of ‖A‖.
    let a = wishart(200, 60, 13);
    check("Wishart n = 200, m = 60", &a);
    let v = eigenvalues_desc(a.view()).unwrap();
    let tol = 4.0 * 200.0 * f64::EPSILON * v[0];
    assert!(
        v[60] > tol * 1e6 || v[59] > tol,
        "the 60 non-zero eigenvalues stand out"
    );
    assert!(
        v[60..].iter().all(|x| x.abs() <= tol),
        "the zeros are round-off: {:e}",
        v[60]
    );
}

#[test]
fn power_law_spectra_and_their_top_eigenvectors() {
    // λ_k = k^(−α) over n = 400 (α = 2.6: seven decades); the top ten are well separated.
    for (alpha, seed) in [(1.0, 20), (2.6, 21)] {
        let n = 400;
        let lambda: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-alpha)).collect();
        let a = with_spectrum(&lambda, seed);
        check(&format!("power law α = {alpha}"), &a);
        let e = eigen_desc(a.view()).unwrap();
        let (_, theirs) = faer_evd(a.as_slice().unwrap(), n, true);
        let theirs = theirs.unwrap();
        for k in 0..10 {
            let (u, w) = (e.vector(k), &theirs[k * n..(k + 1) * n]);
            let dot: f64 = u.iter().zip(w).map(|(x, y)| x * y).sum();
            let gap = (lambda[k] - lambda[k + 1]).min(if k > 0 {
                lambda[k - 1] - lambda[k]
            } else {
                f64::INFINITY
            });
            // ‖u − sign(uᵀw)·w‖₂ = 2 sin(∠/2) ≈ sin ∠ (no cancellation, unlike √(1 − (uᵀw)²)).
            let sign = if dot >= 0.0 { 1.0 } else { -1.0 };
            let sin = u.iter().zip(w).map(|(x, y)| (x - sign * y).powi(2)).sum::<f64>().sqrt();
            let bound = 8.0 * n as f64 * f64::EPSILON / gap;
            assert!(
                sin <= bound,
                "α = {alpha}: u_{} vs faer: sin ∠ = {sin:.2e} > {bound:.2e}",
                k + 1
            );
        }
    }
}

#[test]
fn repeated_eigenvalues() {
    // 3 (×50), 1 (×100), 0 (×50), plus one isolated 2: clusters exact to round-off.
    let mut lambda = vec![3.0; 50];
    lambda.push(2.0);
    lambda.extend(std::iter::repeat_n(1.0, 100));
    lambda.extend(std::iter::repeat_n(0.0, 50));
    let a = with_spectrum(&lambda, 30);
    check("repeated eigenvalues", &a);
    let v = eigenvalues_desc(a.view()).unwrap();
    let tol = 4.0 * 201.0 * f64::EPSILON * 3.0;
    for (got, want) in v.iter().zip(&lambda) {
        assert!((got - want).abs() <= tol, "{got} vs {want}");
    }
}

#[test]
fn centred_gram_of_few_parameters() {
    // P = 6·4 + 4 + 4·3 = 40 < N = 150: rank ≤ 40 (and the zeros are round-off).
    let (k, p) = low_rank_gram(150, 40);
    assert_eq!(p, 40);
    check("centred Gram, P = 40 < N = 150", &k);
    let v = eigenvalues_desc(k.view()).unwrap();
    let tol = 4.0 * 150.0 * f64::EPSILON * v[0];
    assert!(v[p..].iter().all(|x| x.abs() <= tol), "beyond rank P: {:e}", v[p]);
}
