//! Unit tests of the eigensolver: known spectra, eigen-equations, the same bits with every kernel
//! set and thread count, the range guards. The comparison against an independent solver (faer)
//! on many kinds of matrices is `tests/spectrum_eigen.rs`.

use super::kernels::{Isa, Kernels};
use super::*;
use crate::libm_f64::LibmF64;
use ndarray::Array2;

/// The row-major `n × n` buffer `data` as a matrix.
fn sym(n: usize, data: Vec<f64>) -> Array2<f64> {
    Array2::from_shape_vec((n, n), data).unwrap()
}

/// A = H·diag(λ)·H with the Householder reflector H = I − 2vvᵀ/(vᵀv): exactly the eigenvalues λ
/// (H is orthogonal and symmetric) and the eigenvectors H e_k.
fn reflected(lambda: &[f64], seed: usize) -> (Array2<f64>, Vec<f64>) {
    let n = lambda.len();
    let v: Vec<f64> = (0..n)
        .map(|i| (((i + seed) * 7919 % 613) as f64 / 613.0) - 0.4)
        .collect();
    let vv: f64 = v.iter().map(|x| x * x).sum();
    let hm: Vec<f64> = (0..n * n)
        .map(|ij| f64::from(u8::from(ij / n == ij % n)) - 2.0 * v[ij / n] * v[ij % n] / vv)
        .collect();
    let mut data = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let x: f64 = (0..n).map(|k| hm[i * n + k] * lambda[k] * hm[j * n + k]).sum();
            data[i * n + j] = x;
            data[j * n + i] = x;
        }
    }
    (sym(n, data), hm)
}

/// A pseudo-random symmetric matrix (entries in [−1, 1), deterministic).
fn random_sym(n: usize, seed: u64) -> Array2<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut data = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let x = next();
            data[i * n + j] = x;
            data[j * n + i] = x;
        }
    }
    sym(n, data)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// ‖A u_k − λ_k u_k‖ / ‖A‖_max and |u_jᵀu_k − δ_jk|, worst over all k, j.
fn residuals(a: &Array2<f64>, e: &SymEigen) -> (f64, f64) {
    let n = a.nrows();
    let amax = a.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(f64::MIN_POSITIVE);
    let mut res = 0.0f64;
    let mut orth = 0.0f64;
    for k in 0..n {
        let u = e.vector(k);
        for i in 0..n {
            let au: f64 = (0..n).map(|j| a[[i, j]] * u[j]).sum();
            res = res.max((au - e.values[k] * u[i]).abs() / amax);
        }
        for j in 0..=k {
            let d: f64 = e.vector(j).iter().zip(u).map(|(x, y)| x * y).sum();
            orth = orth.max((d - f64::from(u8::from(j == k))).abs());
        }
    }
    (res, orth)
}

/// A known power-law spectrum λ_k = k^(−1.2), n = 300 (several panels of the blocked reduction
/// and several product blocks): eigenvalues to 1e-13·λ₁ (backward stability: ~n·ε·λ₁), the
/// eigen-equation and orthonormality to 1e-13.
#[test]
fn recovers_a_known_spectrum_with_vectors() {
    let n = 300;
    let lambda: Vec<f64> = (1..=n).map(|k| (k as f64).powf_(-1.2)).collect();
    let (a, _) = reflected(&lambda, 0);
    let v = eigenvalues_desc(a.view()).unwrap();
    for k in 0..n {
        assert!((v[k] - lambda[k]).abs() < 1e-13, "λ_{k}: {} vs {}", v[k], lambda[k]);
    }
    let e = eigen_desc(a.view()).unwrap();
    assert_eq!(
        bits(&e.values),
        bits(&v),
        "eigen_desc and eigenvalues_desc give the same bits"
    );
    let (res, orth) = residuals(&a, &e);
    assert!(res < 1e-13 && orth < 1e-13, "residual {res:e}, orthogonality {orth:e}");
}

/// Every size from 0 to 70 (around the panel width 32 and the product block 64): residuals and
/// the ascending trace/Frobenius invariants Σλ = tr A and Σλ² = ‖A‖_F².
#[test]
fn every_small_size() {
    for n in 0..=70 {
        let a = random_sym(n, n as u64 + 1);
        let e = eigen_desc(a.view()).unwrap();
        assert_eq!(e.values.len(), n);
        assert!(e.values.windows(2).all(|w| w[0] >= w[1]), "n = {n}: descending");
        if n == 0 {
            continue;
        }
        let (res, orth) = residuals(&a, &e);
        assert!(
            res < 1e-12 && orth < 1e-12,
            "n = {n}: residual {res:e}, orthogonality {orth:e}"
        );
        let tr: f64 = (0..n).map(|i| a[[i, i]]).sum();
        let fro: f64 = a.iter().map(|x| x * x).sum();
        let s1: f64 = e.values.iter().sum();
        let s2: f64 = e.values.iter().map(|x| x * x).sum();
        assert!((s1 - tr).abs() < 1e-12 * (n as f64), "n = {n}: Σλ {s1} vs tr {tr}");
        assert!(
            (s2 - fro).abs() < 1e-12 * fro.max(1.0),
            "n = {n}: Σλ² {s2} vs ‖A‖² {fro}"
        );
    }
}

/// The fixed order in action: every kernel set this CPU has (portable, AVX2, AVX-512) and 1, 2
/// and 3 threads give the same bits, eigenvalues and eigenvectors, on a size where every step
/// runs in parallel when it can (n = 700 > the thresholds).
#[test]
#[cfg(not(target_arch = "wasm32"))]
fn same_bits_with_every_kernel_set_and_thread_count() {
    let a = random_sym(700, 42);
    let reference = eigen_with(a.view(), &Kernels::of(Isa::Portable)).unwrap();
    let ref_values = eigenvalues_with(a.view(), &Kernels::of(Isa::Portable)).unwrap();
    assert_eq!(bits(&reference.values), bits(&ref_values));
    for isa in Isa::available() {
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let (v, e) = pool.install(|| {
                let k = Kernels::of(isa);
                (
                    eigenvalues_with(a.view(), &k).unwrap(),
                    eigen_with(a.view(), &k).unwrap(),
                )
            });
            assert_eq!(bits(&v), bits(&ref_values), "{isa:?}, {threads} threads: eigenvalues");
            assert_eq!(bits(&e.values), bits(&ref_values), "{isa:?}, {threads} threads: values");
            assert_eq!(
                bits(&e.vectors),
                bits(&reference.vectors),
                "{isa:?}, {threads} threads: vectors"
            );
        }
    }
}

/// Repeated eigenvalues (λ = 2 five times, 1 three times, 0 twice): values exact to 1e-14 and
/// the vectors of a repeated value still orthonormal and eigenvectors.
#[test]
fn repeated_eigenvalues() {
    let lambda = [2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.0, 0.0];
    let (a, _) = reflected(&lambda, 3);
    let e = eigen_desc(a.view()).unwrap();
    for (got, want) in e.values.iter().zip(lambda) {
        assert!((got - want).abs() < 1e-14, "{:?}", e.values);
    }
    let (res, orth) = residuals(&a, &e);
    assert!(res < 1e-14 && orth < 1e-14, "residual {res:e}, orthogonality {orth:e}");
}

/// Diagonal and already tridiagonal inputs (every reflector the identity, τ = 0).
#[test]
fn diagonal_and_tridiagonal_inputs() {
    let n = 40;
    let mut a = Array2::zeros((n, n));
    for i in 0..n {
        a[[i, i]] = (i as f64 - 17.5) / 3.0;
    }
    let v = eigenvalues_desc(a.view()).unwrap();
    let mut want: Vec<f64> = (0..n).map(|i| (i as f64 - 17.5) / 3.0).collect();
    want.reverse();
    assert_eq!(v, want, "a diagonal matrix's eigenvalues, exactly");
    // The 1-2-1 matrix tridiag(−1, 2, −1): λ_k = 2 − 2 cos(kπ/(n+1)).
    let mut t = Array2::zeros((n, n));
    for i in 0..n {
        t[[i, i]] = 2.0;
        if i + 1 < n {
            t[[i, i + 1]] = -1.0;
            t[[i + 1, i]] = -1.0;
        }
    }
    let e = eigen_desc(t.view()).unwrap();
    for (k, got) in e.values.iter().enumerate() {
        let want = 2.0 - 2.0 * (std::f64::consts::PI * (n - k) as f64 / (n + 1) as f64).cos();
        assert!((got - want).abs() < 1e-14, "λ_{k}: {got} vs {want}");
    }
    let (res, orth) = residuals(&t, &e);
    assert!(res < 1e-14 && orth < 1e-14);
}

#[test]
fn two_by_two_descending() {
    // [[2,1],[1,2]] has eigenvalues 3 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2.
    let a = sym(2, vec![2.0, 1.0, 1.0, 2.0]);
    let v = eigenvalues_desc(a.view()).unwrap();
    assert!((v[0] - 3.0).abs() < 1e-15 && (v[1] - 1.0).abs() < 1e-15, "{v:?}");
    let e = eigen_desc(a.view()).unwrap();
    let u = e.vector(0);
    assert!((u[0].abs() - 0.5f64.sqrt()).abs() < 1e-15 && (u[0] - u[1]).abs() < 1e-15);
    let one = sym(1, vec![-4.5]);
    assert_eq!(eigenvalues_desc(one.view()).unwrap(), vec![-4.5]);
    assert_eq!(eigen_desc(one.view()).unwrap().vectors, vec![1.0]);
}

#[test]
fn non_finite_is_an_error() {
    let a = sym(1, vec![f64::NAN]);
    assert!(matches!(eigenvalues_desc(a.view()), Err(SpectrumError::NonFinite)));
    assert!(matches!(eigen_desc(a.view()), Err(SpectrumError::NonFinite)));
    let wide = Array2::from_elem((2, 4), 1.0);
    assert!(matches!(eigenvalues_desc(wide.view()), Err(SpectrumError::Shape(_))));
    // A view that is not in standard layout (every other column of a 3 × 6 matrix) is refused,
    // not silently copied: the kernels read contiguous rows.
    let strided = Array2::from_elem((3, 6), 1.0);
    let every_other = strided.slice(ndarray::s![.., ..;2]);
    assert!(matches!(eigen_desc(every_other), Err(SpectrumError::Shape(_))));
}

/// Fuzz finding (`stats` target): a finite symmetric matrix with entries near f64::MAX made the
/// previous solver's sums of squares overflow, and `eigenvalues_desc` returned `[NaN, -inf]` as
/// if they were eigenvalues. The matrix is scaled by a power of two (exactly) into [½, 1), so
/// extreme matrices give 2ᵏ times the bits of the scaled one, and eigenvalues that do not fit in
/// f64 are a typed error.
#[test]
fn extreme_entries_are_scaled_exactly() {
    let b = random_sym(50, 9);
    let v = eigenvalues_desc(b.view()).unwrap();
    for k in [-1040, -600, -3, 5, 600, 1000] {
        let scaled = b.mapv(|x| libm::scalbn(x, k));
        let w = eigenvalues_desc(scaled.view()).unwrap();
        let e = eigen_desc(scaled.view()).unwrap();
        assert_eq!(
            bits(&e.values),
            bits(&w),
            "2^{k}: the same bits with and without vectors"
        );
        let back: Vec<f64> = w.iter().map(|x| libm::scalbn(*x, -k)).collect();
        if k > -1000 {
            // Within the normal range: exactly 2^k times the eigenvalues of B.
            assert_eq!(bits(&back), bits(&v), "2^{k}: exactly scaled");
        } else {
            // Subnormal entries (multiples of 2⁻¹⁰⁷⁴, i.e. 2⁻³⁴ of B's scale) lost bits before the
            // solver saw them: |Δλ| ≤ ‖ΔB‖_F ≤ n·2⁻³⁵ ≈ 1.5e-9 (Weyl).
            for (x, y) in back.iter().zip(&v) {
                assert!((x - y).abs() < 1e-7, "2^{k}: {x} vs {y}");
            }
        }
    }
    let a = sym(2, vec![1e308, 5e307, 5e307, 1e307]);
    let want = eigenvalues_desc(sym(2, vec![1.0, 0.5, 0.5, 0.1]).view()).unwrap();
    let got = eigenvalues_desc(a.view()).unwrap();
    for (x, y) in got.iter().zip(&want) {
        assert!((x / 1e308 - y).abs() < 1e-15, "{got:?} vs {want:?}");
    }
    let tiny = sym(2, vec![2e-310, 1e-310, 1e-310, 5e-324]);
    let t = eigenvalues_desc(tiny.view()).unwrap();
    assert!(t[0] > 0.0 && t[0] >= t[1] && t.iter().all(|x| x.is_finite()), "{t:?}");
    // λ₁ = 2·f64::MAX does not exist in f64.
    let huge = sym(2, vec![f64::MAX, f64::MAX, f64::MAX, f64::MAX]);
    assert!(matches!(eigenvalues_desc(huge.view()), Err(SpectrumError::Eigen(_))));
    assert!(matches!(eigen_desc(huge.view()), Err(SpectrumError::Eigen(_))));
}

/// The QL iteration's `pythag` in basic operations: exact on Pythagorean triples, no overflow.
#[test]
fn hypot_is_safe() {
    assert_eq!(super::ql::hypot(3.0, 4.0), 5.0);
    assert_eq!(super::ql::hypot(-5.0, 12.0), 13.0);
    assert_eq!(super::ql::hypot(0.0, 0.0), 0.0);
    assert_eq!(super::ql::hypot(1e300, 1e300), 1e300 * 2f64.sqrt());
    assert!((super::ql::hypot(1e-300, 1e-300) / 1e-300 - 2f64.sqrt()).abs() < 1e-15);
}

/// The summation order of the dot product is the stated one, on every kernel set: the lanes of
/// t mod 8 summed in order, then ((s₀+s₄)+(s₂+s₆))+((s₁+s₅)+(s₃+s₇)).
#[test]
fn dot_product_order_is_the_stated_one() {
    let x: Vec<f64> = (0..37)
        .map(|t| 1.0 + (t as f64) * 1e-3 + if t % 5 == 0 { 1e16 } else { 0.0 })
        .collect();
    let y: Vec<f64> = (0..37)
        .map(|t| if t % 3 == 0 { -1.0 } else { 1.0 + 1e-9 * t as f64 })
        .collect();
    let mut s = [0.0f64; 8];
    for t in 0..37 {
        s[t % 8] += x[t] * y[t];
    }
    let want = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
    for isa in Isa::available() {
        assert_eq!(Kernels::of(isa).dot(&x, &y).to_bits(), want.to_bits(), "{isa:?}");
    }
}

/// Fuzz finding (`stats` target): a 2 × 2 "Gram" matrix with entries ~1e7 and a tiny
/// spread kept centring round-off (1.4 % of λ₁) as a second eigenvalue, i.e. rank 2 for
/// n = 2 samples. The centred clamp caps the rank at n − 1.
#[test]
fn centred_rank_is_at_most_n_minus_one() {
    let mut v = vec![2.57e-7, 3.67e-9];
    assert_eq!(clamp_and_rank(&mut v.clone(), 2, 9), 2);
    assert_eq!(clamp_and_rank_centred(&mut v, 2, 9), 1);
    assert_eq!(v, vec![2.57e-7, 0.0]);
    let mut w = vec![3.0, 2.0, 1.0, 0.0];
    assert_eq!(clamp_and_rank_centred(&mut w, 4, 9), 3);
    assert_eq!(w, vec![3.0, 2.0, 1.0, 0.0]);
}

#[test]
fn clamp_sets_roundoff_to_zero() {
    let mut v = vec![2.0, 1.0, 1e-17, -1e-15];
    assert_eq!(clamp_and_rank(&mut v, 4, 4), 2);
    assert_eq!(v, vec![2.0, 1.0, 0.0, 0.0]);
}
