//! The N × N Gram matrix of per-sample gradients, built without the N × P gradient matrix.
//!
//! C₁(θ) = (1/N) Σ_j (∇ℓ_j − ∇L)(∇ℓ_j − ∇L)ᵀ = (1/N) G_cᵀ G_c with G_c the centred N × P matrix
//! of per-sample gradients. Its non-zero eigenvalues are those of (1/N) G_c G_cᵀ = (1/N) H K H,
//! K = G Gᵀ, H = I − 11ᵀ/N (the P × P and N × N products share their non-zero spectrum).
//!
//! For a dense layer y = W a + b the per-sample gradient is vec(δ_j a_jᵀ) ⊕ δ_j, so
//! ⟨g_i, g_j⟩ = (δ_i·δ_j)(a_i·a_j) + δ_i·δ_j = (δ_i·δ_j)(a_i·a_j + 1) (Goodfellow 2015, arXiv 1510.01799), i.e.
//! K_layer = (ΔΔᵀ) ⊙ (AAᵀ + 11ᵀ) with Δ (N × fan_out) and A (N × fan_in) stacked by rows.
//! Materialised blocks (convolutions) add G_b G_bᵀ. Every product is lower-triangular (see
//! [`syrk_lower`]: the engine's fixed-order, zero-skipping kernel on every platform), mirrored at
//! the end, so the Gram matrix has the same bits natively and in wasm32.

use super::{entries, from_row_major, square_entries, SpectrumError};
use crate::nn::linalg::{Op, Workspace};
use crate::nn::{GradBlock, PerSampleGrads};
use crate::rng::substream;
use ndarray::{Array2, ArrayView2};
use rand::seq::SliceRandom;

/// Checks that every block has `grads.n` samples, buffers of the advertised length, finite values.
pub fn validate(grads: &PerSampleGrads) -> Result<(), SpectrumError> {
    let n = grads.n;
    for (b, block) in grads.blocks.iter().enumerate() {
        let (bn, ok) = match block {
            GradBlock::Outer {
                n: bn,
                fan_in,
                fan_out,
                a,
                delta,
                ..
            } => (
                *bn,
                bn.checked_mul(*fan_in) == Some(a.len()) && bn.checked_mul(*fan_out) == Some(delta.len()),
            ),
            // An array's buffer matches its shape by construction; the kernels also need it
            // contiguous (checked with the values below).
            GradBlock::Dense { g } => (g.nrows(), true),
        };
        if bn != n || !ok {
            return Err(SpectrumError::Shape(format!(
                "gradient block {b} does not hold {n} samples of its advertised size"
            )));
        }
        let finite = match block {
            GradBlock::Outer { a, delta, .. } => a.iter().chain(delta).all(|x| x.is_finite()),
            GradBlock::Dense { g } => {
                entries(g.view())?;
                true
            }
        };
        if !finite {
            return Err(SpectrumError::NonFinite);
        }
    }
    Ok(())
}

/// Rows of op(A) per call of the engine's product in [`syrk_lower`] and Davis–Kahan's product
/// (bounds the position lists and copied values of the workspace, which grow with the rows).
pub(crate) const PRODUCT_ROWS: usize = 256;

/// dst (n × n, row-major) ← X Xᵀ on and below the diagonal, X = `x` read as n × d row-major
/// (`Op::N`) or as the transpose of a d × n row-major matrix (`Op::T`); entries above the
/// diagonal are unspecified.
///
/// The engine's fixed-order products ([`Workspace::syrk_lower`], [`Workspace::gemm`]; scratch in
/// `ws`, which the caller drops with its other buffers) on every platform: each entry is
/// Σ_t x_it x_jt summed sequentially over t, with exact zeros (ReLU activations and errors,
/// constant pixels) skipped, the same bits with AVX-512, AVX2, simd128 and any number of threads
/// (`nn::linalg`). It replaced faer's FMA kernels natively so that the spectrum is bit-identical
/// to the page's (docs/PROTOCOL.md §5.2); the cost is in docs/BENCHMARKS.md. With `Op::N` and
/// n > [`PRODUCT_ROWS`] it runs block row by block row, rows r₀..r₁ against X's first r₁ rows
/// (the same entries, the same bits: an entry's sum does not depend on the blocking), so that
/// the workspace's lists hold [`PRODUCT_ROWS`] rows, not n ([`product_scratch_bytes`]).
pub(crate) fn syrk_lower(ws: &mut Workspace<f64>, dst: &mut [f64], n: usize, d: usize, x: &[f64], op: Op) {
    if op == Op::T || n <= PRODUCT_ROWS {
        ws.syrk_lower(n, d, x, op, dst);
        return;
    }
    let mut block = vec![0.0; PRODUCT_ROWS * n];
    for r0 in (0..n).step_by(PRODUCT_ROWS) {
        let r1 = (r0 + PRODUCT_ROWS).min(n);
        let c = &mut block[..(r1 - r0) * r1];
        ws.gemm(
            r1 - r0,
            d,
            r1,
            1.0,
            &x[r0 * d..r1 * d],
            Op::N,
            &x[..r1 * d],
            Op::T,
            0.0,
            c,
        );
        for (i, row) in c.chunks_exact(r1).enumerate() {
            dst[(r0 + i) * n..(r0 + i) * n + r1].copy_from_slice(row);
        }
    }
}

/// Upper bound of the bytes one product with an m × k op(A) and a k × n op(B) allocates in a
/// [`Workspace<f64>`] and around it, run as [`syrk_lower`] and Davis–Kahan run it (by blocks of
/// m' = min(m, [`PRODUCT_ROWS`]) rows), by the workspace's layout (`nn::linalg::workspace`): the
/// packed panels of op(B), at most (n + 63)·k values; the position lists, k + m'·k + 1 u32; the
/// copied A values where a kernel set copies them, m'·k + 1 values (counted always, so that the
/// bound is the same on every platform); three k-byte flag rows; at most one plan of ≤ 40 bytes
/// per row in a list that may have doubled (80·m'); and [`syrk_lower`]'s m' × n block of C.
/// For the memory estimate (`experiment::memory`).
pub fn product_scratch_bytes(m: usize, n: usize, k: usize) -> u64 {
    let mb = m.min(PRODUCT_ROWS) as u64;
    let (n, k) = (n as u64, k as u64);
    8 * (n + 63) * k + 4 * (k + mb * k + 1) + 8 * (mb * k + 1) + 3 * k + 80 * mb + 8 * mb * n
}

/// Copies the lower triangle (j ≤ i) of the row-major `n × n` matrix `k` onto the upper one.
pub(crate) fn mirror_lower(k: &mut [f64], n: usize) {
    for i in 0..n {
        for j in 0..i {
            k[j * n + i] = k[i * n + j];
        }
    }
}

/// The uncentred Gram matrix K_ij = ⟨∇ℓ_i, ∇ℓ_j⟩ by the Hadamard trick (no N × P matrix).
pub fn gram(grads: &PerSampleGrads) -> Result<Array2<f64>, SpectrumError> {
    validate(grads)?;
    let n = grads.n;
    let mut k = vec![0.0; n * n];
    let mut s1 = vec![0.0; n * n];
    let mut s2 = vec![0.0; n * n];
    let mut ws = Workspace::new();
    for block in &grads.blocks {
        match block {
            GradBlock::Outer {
                fan_in,
                fan_out,
                a,
                delta,
                bias,
                ..
            } => {
                syrk_lower(&mut ws, &mut s1, n, *fan_in, a, Op::N);
                syrk_lower(&mut ws, &mut s2, n, *fan_out, delta, Op::N);
                let one = if *bias { 1.0 } else { 0.0 };
                for i in 0..n {
                    let r = i * n..i * n + i + 1;
                    for ((kv, &d), &a) in k[r.clone()].iter_mut().zip(&s2[r.clone()]).zip(&s1[r]) {
                        *kv += d * (a + one);
                    }
                }
            }
            GradBlock::Dense { g } => {
                syrk_lower(&mut ws, &mut s1, n, g.ncols(), super::row_major(g.view())?, Op::N);
                for i in 0..n {
                    let r = i * n..i * n + i + 1;
                    for (kv, &v) in k[r.clone()].iter_mut().zip(&s1[r]) {
                        *kv += v;
                    }
                }
            }
        }
    }
    mirror_lower(&mut k, n);
    from_row_major(n, n, k)
}

/// The Gram matrix G Gᵀ of a dense `n × p` matrix (finite, standard layout; the reference route,
/// also the route for user-supplied gradient matrices).
pub fn gram_dense(g: ArrayView2<'_, f64>) -> Result<Array2<f64>, SpectrumError> {
    let (n, p) = g.dim();
    let g = entries(g)?;
    let mut k = vec![0.0; n * n];
    if p > 0 {
        syrk_lower(&mut Workspace::new(), &mut k, n, p, g, Op::N);
    }
    mirror_lower(&mut k, n);
    from_row_major(n, n, k)
}

/// The covariance-side product XᶜᵀXᶜ (`p × p`) of a dense `n × p` matrix (finite, standard
/// layout) after centring its columns — used instead of the Gram when p < n.
pub fn cross_product_centred(x: ArrayView2<'_, f64>) -> Result<Array2<f64>, SpectrumError> {
    let (n, p) = x.dim();
    let x = entries(x)?;
    let mut mean = vec![0.0; p];
    for row in x.chunks_exact(p.max(1)) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
    let mut xc = x.to_vec();
    for row in xc.chunks_exact_mut(p.max(1)) {
        for (v, m) in row.iter_mut().zip(&mean) {
            *v -= m;
        }
    }
    let mut c = vec![0.0; p * p];
    if n > 0 {
        // XᶜᵀXᶜ: the rows of Xᶜᵀ are the columns of the n × p matrix Xᶜ.
        syrk_lower(&mut Workspace::new(), &mut c, p, n, &xc, Op::T);
    }
    mirror_lower(&mut c, p);
    from_row_major(p, p, c)
}

/// Double centring H K H, H = I − 11ᵀ/N, in O(N²) (a matrix that is not square is left
/// unchanged; the eigensolver reports it):
/// (HKH)_ij = K_ij − r_i − r_j + m with r_i the row means of K and m its grand mean.
/// The result is the Gram matrix of the gradients minus their mean ∇L.
pub fn centre(k: &mut Array2<f64>) {
    let (n, cols) = k.dim();
    if n == 0 || cols != n {
        return;
    }
    let nf = n as f64;
    // Sums in index order (not ndarray's `sum`, whose order is its own): the same bits everywhere.
    let r: Vec<f64> = k.rows().into_iter().map(|row| row.iter().sum::<f64>() / nf).collect();
    let m = r.iter().sum::<f64>() / nf;
    for (mut row, ri) in k.rows_mut().into_iter().zip(&r) {
        for (v, rj) in row.iter_mut().zip(&r) {
            *v += m - ri - rj;
        }
    }
}

/// Eigenvalues of C_B from those of C₁ for minibatches of size B drawn **without replacement**
/// from the N samples: C_B = C₁ · (N − B) / (B (N − 1)) (the finite-population correction;
/// with replacement the factor would be 1/B). Requires 1 ≤ B ≤ N and N ≥ 2.
pub fn minibatch_factor(n: usize, b: usize) -> Result<f64, SpectrumError> {
    if n < 2 || b == 0 || b > n {
        return Err(SpectrumError::InvalidParam(format!(
            "batch size {b} must be in 1..={n} (and N ≥ 2)"
        )));
    }
    Ok((n - b) as f64 / (b as f64 * (n - 1) as f64))
}

/// Gram matrix of M minibatch mean gradients g_B^(m) = (1/B) Σ_{j∈batch m} ∇ℓ_j, each batch
/// drawn without replacement from the N samples, independently across draws (seeded), from
/// the uncentred per-sample Gram K: ⟨g^(a), g^(b)⟩ = (1/B²) Σ_{i∈a, j∈b} K_ij.
/// Centred ([`centre`]) and divided by M − 1 it is the Gram form of the unbiased sample
/// covariance of the draws, an estimate of C_B = C₁·(N − B)/(B(N − 1)) (see
/// [`minibatch_factor`]); its rank is at most M − 1.
pub fn minibatch_draw_gram(
    k: ArrayView2<'_, f64>,
    b: usize,
    m: usize,
    seed: u64,
) -> Result<Array2<f64>, SpectrumError> {
    let (n, k) = square_entries(k)?;
    minibatch_factor(n, b)?;
    if m < 2 {
        return Err(SpectrumError::InvalidParam(format!(
            "need at least 2 minibatch draws, got {m}"
        )));
    }
    let mut rng = substream(seed, 0x5_BEC7_0001);
    let mut idx: Vec<usize> = (0..n).collect();
    let batches: Vec<Vec<usize>> = (0..m)
        .map(|_| {
            idx.shuffle(&mut rng);
            idx[..b].to_vec()
        })
        .collect();
    // T = S K (M × N) with S the 0/1 batch-indicator matrix, then S T ᵀ.
    let mut t = vec![0.0; m * n];
    for (a, batch) in batches.iter().enumerate() {
        let row = &mut t[a * n..(a + 1) * n];
        for &i in batch {
            for (r, kij) in row.iter_mut().zip(&k[i * n..(i + 1) * n]) {
                *r += kij;
            }
        }
    }
    let mut out = vec![0.0; m * m];
    let inv = 1.0 / (b as f64 * b as f64);
    for a in 0..m {
        for (c, batch) in batches.iter().enumerate().take(a + 1) {
            let v: f64 = batch.iter().map(|&j| t[a * n + j]).sum::<f64>() * inv;
            out[a * m + c] = v;
            out[c * m + a] = v;
        }
    }
    from_row_major(m, m, out)
}
