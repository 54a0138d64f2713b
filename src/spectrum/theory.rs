//! Theory views of a covariance spectrum (paper §5; Xie et al. 2023 and its sibling
//! arXiv 2201.13011 §2.4): eigengaps, Davis–Kahan stability of eigenvectors, cumulative trace
//! share and effective rank.

use super::eigen::{eigen_desc, eigenvalues_desc};
use super::gram::PRODUCT_ROWS;
use super::SpectrumError;
use super::{square_entries, square_view};
use crate::libm_f64::LibmF64;
use crate::nn::linalg::{Op, Workspace};
use crate::rng::substream;
use ndarray::ArrayView2;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Eigengaps δ_k = λ_k − λ_{k+1}, k = 1..r−1, over the non-zero eigenvalues λ₁ ≥ … ≥ λ_r.
/// With λ_k ∝ k^(−s) they are ≈ ∝ (k+1)^(−(s+1)) (sibling paper §2.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Eigengaps {
    /// δ_k in rank order (index 0 holds δ₁).
    pub by_rank: Vec<f64>,
    /// The same gaps re-sorted descending.
    pub sorted: Vec<f64>,
}

/// Eigengaps of a descending spectrum; only the first `rank` values are used.
pub fn eigengaps(eigenvalues: &[f64], rank: usize) -> Eigengaps {
    let r = rank.min(eigenvalues.len());
    let by_rank: Vec<f64> = eigenvalues[..r].windows(2).map(|w| w[0] - w[1]).collect();
    let mut sorted = by_rank.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    Eigengaps { by_rank, sorted }
}

/// Cumulative trace share: entry k−1 is Σ_{i ≤ k} λ_i / Σ_i λ_i (share of the total variance
/// in the top-k eigendirections). Empty if the trace is not positive.
pub fn trace_share(eigenvalues: &[f64]) -> Vec<f64> {
    let total: f64 = eigenvalues.iter().filter(|v| **v > 0.0).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut acc = 0.0;
    eigenvalues
        .iter()
        .map(|v| {
            acc += v.max(0.0);
            acc / total
        })
        .collect()
}

/// Effective rank exp(H(p)), p_k = λ_k / Σλ, H the Shannon entropy in nats (Roy & Vetterli 2007,
/// "The effective rank: a measure of effective dimensionality"). 1 for a single direction, r
/// for r equal eigenvalues; 0 for an all-zero spectrum.
pub fn effective_rank(eigenvalues: &[f64]) -> f64 {
    let total: f64 = eigenvalues.iter().filter(|v| **v > 0.0).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let h: f64 = eigenvalues
        .iter()
        .filter(|v| **v > 0.0)
        .map(|v| {
            let p = v / total;
            -p * p.ln_()
        })
        .sum();
    h.exp_()
}

/// Davis–Kahan demo: C estimated on two disjoint halves a, b of the samples.
///
/// Variant of Yu, Wang & Samworth (2015, Biometrika 102(2):315–323, Thm 1 with one vector):
/// for symmetric A, Ã = A + ΔC with eigenpairs (λ_k, u_k), (λ̃_k, ũ_k),
/// sin∠(u_k, ũ_k) ≤ 2‖ΔC‖₂ / min(λ_{k−1} − λ_k, λ_k − λ_{k+1}) with λ₀ = +∞. Here A = C_a,
/// Ã = C_b, gaps from C_a (whose eigenvalues beyond its rank are 0 in the full space).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DavisKahan {
    /// Ranks k = 1..K.
    pub k: Vec<usize>,
    /// sin∠(u_k, ũ_k) ∈ [0, 1].
    pub sin_angle: Vec<f64>,
    /// 2‖ΔC‖₂ / δ_k (may exceed 1, where the bound says nothing; +∞ for a zero gap, written
    /// as `null` in JSON and read back as +∞).
    #[serde(deserialize_with = "null_as_infinity")]
    pub bound: Vec<f64>,
    /// min(λ_{k−1} − λ_k, λ_k − λ_{k+1}) of C_a.
    pub min_gap: Vec<f64>,
    /// ‖C_a − C_b‖₂ (operator norm).
    pub delta_norm: f64,
    /// Eigenvalues of C_a (first K).
    pub lambda_a: Vec<f64>,
    /// Samples in each half.
    pub n_a: usize,
    pub n_b: usize,
}

fn null_as_infinity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let v: Vec<Option<f64>> = Deserialize::deserialize(d)?;
    Ok(v.into_iter().map(|x| x.unwrap_or(f64::INFINITY)).collect())
}

/// Davis–Kahan view from the **uncentred** Gram matrix K of N samples (any route, e.g.
/// [`super::gram::gram`]), for the top `top` eigenvectors. Works entirely in sample space, so
/// the parameter dimension P may be large:
/// - halves a, b from a seeded permutation, each centred by its own mean (H_a, H_b);
/// - C_a = Z_aᵀZ_a/n_a has eigenpairs from K_aa = H_a K H_a: λ = μ/n_a, u = Z_aᵀv/√μ;
/// - cos∠(u_k^a, u_k^b) = |v_aᵀ K_ab v_b| / √(μ_a μ_b) with K_ab = H_a K H_b;
/// - ΔC = C_a − C_b = Zᵀ D Z, Z = [Z_a; Z_b], D = diag(1/n_a, −1/n_b); with ZZᵀ = QΛQᵀ the
///   non-zero eigenvalues of ΔC are those of Λ^½ Qᵀ D Q Λ^½ (N × N), so ‖ΔC‖₂ is its largest |eigenvalue|.
pub fn davis_kahan(k: ArrayView2<'_, f64>, top: usize, seed: u64) -> Result<DavisKahan, SpectrumError> {
    let (n, k) = square_entries(k)?;
    if n < 4 {
        return Err(SpectrumError::InvalidParam(format!(
            "Davis–Kahan needs at least 4 samples, got {n}"
        )));
    }
    let mut perm: Vec<usize> = (0..n).collect();
    perm.shuffle(&mut substream(seed, 0x5_BEC7_0003));
    let n_a = n / 2;
    let n_b = n - n_a;
    let (ia, ib) = perm.split_at(n_a);
    let sub = |rows: &[usize], cols: &[usize]| -> Vec<f64> {
        let mut out = Vec::with_capacity(rows.len() * cols.len());
        for &i in rows {
            for &j in cols {
                out.push(k[i * n + j]);
            }
        }
        out
    };
    // Centred blocks: (H_r K_rc H_c)_ij = K_ij − rowmean_i − colmean_j + mean.
    let centre_block = |m: &mut Vec<f64>, r: usize, c: usize| {
        let rm: Vec<f64> = (0..r)
            .map(|i| m[i * c..(i + 1) * c].iter().sum::<f64>() / c as f64)
            .collect();
        let cm: Vec<f64> = (0..c)
            .map(|j| (0..r).map(|i| m[i * c + j]).sum::<f64>() / r as f64)
            .collect();
        let g = rm.iter().sum::<f64>() / r as f64;
        for i in 0..r {
            for j in 0..c {
                m[i * c + j] += g - rm[i] - cm[j];
            }
        }
    };
    let mut kaa = sub(ia, ia);
    let mut kbb = sub(ib, ib);
    let mut kab = sub(ia, ib);
    centre_block(&mut kaa, n_a, n_a);
    centre_block(&mut kbb, n_b, n_b);
    centre_block(&mut kab, n_a, n_b);
    let ea = eigen_desc(square_view(&kaa, n_a)?)?;
    let eb = eigen_desc(square_view(&kbb, n_b)?)?;

    // Rank of each half (eigenvalues above the zero tolerance).
    let rank_of = |v: &[f64]| {
        let tol = super::eigen::zero_tolerance(v.first().copied().unwrap_or(0.0), v.len(), v.len());
        v.iter().filter(|x| **x > tol).count()
    };
    let ra = rank_of(&ea.values);
    let rb = rank_of(&eb.values);
    let kk = top.min(ra).min(rb);
    if kk == 0 {
        return Err(SpectrumError::InvalidParam("Davis–Kahan: a half has rank 0".into()));
    }

    // ‖ΔC‖₂ from the stacked centred Gram.
    let mut z = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let (bi, li) = if i < n_a { (0, i) } else { (1, i - n_a) };
            let (bj, lj) = if j < n_a { (0, j) } else { (1, j - n_a) };
            z[i * n + j] = match (bi, bj) {
                (0, 0) => kaa[li * n_a + lj],
                (1, 1) => kbb[li * n_b + lj],
                (0, 1) => kab[li * n_b + lj],
                _ => kab[lj * n_b + li],
            };
        }
    }
    let ez = eigen_desc(square_view(&z, n)?)?;
    drop(z);
    let dvec: Vec<f64> = (0..n)
        .map(|i| if i < n_a { 1.0 / n_a as f64 } else { -1.0 / n_b as f64 })
        .collect();
    // M = Λ^½ Qᵀ D Q Λ^½ ; compute W = D^{·} Q Λ^½ column-wise: W_ic = Q_ic √λ_c.
    let sq: Vec<f64> = ez.values.iter().map(|v| v.max(0.0).sqrt()).collect();
    let mut w = vec![0.0; n * n]; // column-major n × n: Q Λ^½
    for c in 0..n {
        for i in 0..n {
            w[c * n + i] = ez.vectors[c * n + i] * sq[c];
        }
    }
    let mut wd = w.clone();
    for c in 0..n {
        for i in 0..n {
            wd[c * n + i] *= dvec[i];
        }
    }
    // M_ij = Σ_k W_ki (WD)_kj: with the columns of W and WD stored contiguously (rows of `w`
    // and `wd` read row-major), M = w · wdᵀ, by the engine's fixed-order product (the same bits
    // on every platform; the zero columns of W, eigenvalues 0, are skipped).
    let mut mdata = vec![0.0; n * n];
    // By blocks of rows (the same bits: an entry's sum does not depend on the blocking), so that
    // the workspace's lists hold `PRODUCT_ROWS` rows (`gram::product_scratch_bytes`).
    let mut ws = Workspace::<f64>::new();
    for (b, m) in mdata.chunks_mut(PRODUCT_ROWS * n).enumerate() {
        let r0 = b * PRODUCT_ROWS;
        let rows = m.len() / n;
        ws.gemm(rows, n, n, 1.0, &w[r0 * n..(r0 + rows) * n], Op::N, &wd, Op::T, 0.0, m);
    }
    drop(ws);
    // Symmetrise against round-off.
    for i in 0..n {
        for j in 0..i {
            let v = 0.5 * (mdata[i * n + j] + mdata[j * n + i]);
            mdata[i * n + j] = v;
            mdata[j * n + i] = v;
        }
    }
    let mev = eigenvalues_desc(square_view(&mdata, n)?)?;
    let delta_norm = mev.iter().fold(0.0f64, |m, v| m.max(v.abs()));

    // Angles.
    let lambda_a_all: Vec<f64> = ea.values.iter().map(|v| (v / n_a as f64).max(0.0)).collect();
    let mut out = DavisKahan {
        k: Vec::with_capacity(kk),
        sin_angle: Vec::with_capacity(kk),
        bound: Vec::with_capacity(kk),
        min_gap: Vec::with_capacity(kk),
        delta_norm,
        lambda_a: lambda_a_all[..kk].to_vec(),
        n_a,
        n_b,
    };
    for idx in 0..kk {
        let va = ea.vector(idx);
        let vb = eb.vector(idx);
        let mut s = 0.0;
        for i in 0..n_a {
            let row = &kab[i * n_b..(i + 1) * n_b];
            let dot: f64 = row.iter().zip(vb).map(|(x, y)| x * y).sum();
            s += va[i] * dot;
        }
        let mu_a = ea.values[idx].max(f64::MIN_POSITIVE);
        let mu_b = eb.values[idx].max(f64::MIN_POSITIVE);
        let cos = (s.abs() / (mu_a * mu_b).sqrt()).min(1.0);
        let sin = (1.0 - cos * cos).max(0.0).sqrt();
        let l = lambda_a_all[idx];
        let above = if idx == 0 {
            f64::INFINITY
        } else {
            lambda_a_all[idx - 1] - l
        };
        // Beyond the rank of C_a (in the full P-space) the next eigenvalue is 0.
        let next = if idx + 1 < ra { lambda_a_all[idx + 1] } else { 0.0 };
        let gap = above.min(l - next);
        out.k.push(idx + 1);
        out.sin_angle.push(sin);
        out.min_gap.push(gap);
        out.bound.push(if gap > 0.0 {
            2.0 * delta_norm / gap
        } else {
            f64::INFINITY
        });
    }
    Ok(out)
}

/// The power-law form of the Davis–Kahan bound (sibling paper §2.4): with λ_k = λ₁ k^(−s) the
/// gaps are ≈ λ₁ (k+1)^(−(s+1)) (the paper's approximation, s ≈ 1), so
/// sup sin∠(u_k, ũ_k) ≈ 2‖ΔC‖₂ (k+1)^(s+1) / λ₁, for the ranks in `dk.k`.
pub fn power_law_bound(dk: &DavisKahan, s: f64) -> Vec<f64> {
    let l1 = dk.lambda_a.first().copied().unwrap_or(0.0);
    dk.k.iter()
        .map(|&k| {
            if l1 > 0.0 {
                2.0 * dk.delta_norm * ((k + 1) as f64).powf_(s + 1.0) / l1
            } else {
                f64::INFINITY
            }
        })
        .collect()
}
