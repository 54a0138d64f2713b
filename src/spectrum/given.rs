//! A Gram matrix handed in by a user (a bundle's `gram` member, `docs/PROTOCOL.md` §6): the
//! checks it must pass before its spectrum means anything.
//!
//! K = G Gᵀ of N per-sample gradients is square, finite, symmetric and positive semi-definite,
//! with K_ii = ‖g_i‖² ≥ 0. A matrix accumulated over parameter blocks in floating point meets
//! these up to round-off, so the checks carry tolerances relative to its scale:
//!
//! - **symmetry**: max_ij |K_ij − K_ji| ≤ [`SYMMETRY_TOL`] · max_i K_ii;
//! - **definiteness**: λ_min((K + Kᵀ)/2) ≥ −[`PSD_TOL`] · tr K (eigenvalues by the same solver
//!   as the spectrum);
//! - **trace**: |tr K − declared| ≤ [`TRACE_TOL`] · |declared| when the writer declared it.
//!
//! Every failure is a [`GramError`] naming the check and the numbers. The spectrum of C₁ then
//! comes from [`super::spectrum_of_gram`] on the symmetrised matrix: it double-centres K
//! (H K H, H = I − 11ᵀ/N), so a Gram the writer already centred by the N samples' mean is
//! unchanged (H is idempotent), and one centred by a different mean (the full-batch gradient
//! over the whole training set) is brought to the N samples' own mean, as C₁ is defined.

use super::eigen::eigenvalues_desc;
use super::{from_row_major, spectrum_of_gram, Spectrum, SpectrumError};
use ndarray::{Array2, ArrayView2};
use serde::Serialize;
use thiserror::Error;

/// Largest allowed asymmetry, relative to the largest diagonal entry.
pub const SYMMETRY_TOL: f64 = 1e-6;
/// Most negative allowed eigenvalue, relative to the trace.
pub const PSD_TOL: f64 = 1e-6;
/// Largest allowed difference between the trace and the declared trace, relative.
pub const TRACE_TOL: f64 = 1e-6;

/// Why a given Gram matrix was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GramError {
    #[error("the Gram matrix is {rows} × {cols}; it must be square")]
    NotSquare { rows: usize, cols: usize },
    #[error("the Gram matrix is {0} × {0}; a covariance needs at least 2 samples")]
    TooSmall(usize),
    #[error("Gram entry ({row}, {col}) is not finite")]
    NonFinite { row: usize, col: usize },
    #[error("Gram diagonal entry {index} is {value}; K_ii = ‖g_i‖² cannot be negative")]
    NegativeDiagonal { index: usize, value: f64 },
    #[error("the Gram matrix is zero (every gradient is 0): nothing to analyse")]
    Zero,
    #[error(
        "the Gram matrix is not symmetric: |K[{row},{col}] − K[{col},{row}]| = {diff:.3e} exceeds {SYMMETRY_TOL:e} × max K_ii = {tol:.3e}"
    )]
    NotSymmetric {
        row: usize,
        col: usize,
        diff: f64,
        tol: f64,
    },
    #[error("the Gram matrix is not positive semi-definite: its smallest eigenvalue {lambda_min:.3e} is below −{PSD_TOL:e} × trace = −{tol:.3e}")]
    NotPsd { lambda_min: f64, tol: f64 },
    #[error(
        "the Gram matrix's trace {actual:e} differs from the declared {declared:e} by more than {TRACE_TOL:e} relative"
    )]
    TraceMismatch { declared: f64, actual: f64 },
    #[error("{0}")]
    Spectrum(#[from] SpectrumError),
}

/// What the checks measured on a Gram matrix that passed them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GramCheck {
    pub n: usize,
    pub trace: f64,
    /// max |K_ij − K_ji| / max K_ii.
    pub asymmetry: f64,
    /// λ_min((K + Kᵀ)/2) / tr K (≥ −[`PSD_TOL`]).
    pub lambda_min_relative: f64,
}

/// Checks a user's Gram matrix (module doc) and returns it symmetrised, (K + Kᵀ)/2, with what
/// the checks measured.
pub fn check_gram(k: ArrayView2<'_, f64>, declared_trace: Option<f64>) -> Result<(Array2<f64>, GramCheck), GramError> {
    let (rows, cols) = k.dim();
    if rows != cols {
        return Err(GramError::NotSquare { rows, cols });
    }
    let n = rows;
    if n < 2 {
        return Err(GramError::TooSmall(n));
    }
    if let Some(((row, col), _)) = k.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(GramError::NonFinite { row, col });
    }
    let mut max_diag = 0.0f64;
    for i in 0..n {
        let v = k[[i, i]];
        if v < 0.0 {
            return Err(GramError::NegativeDiagonal { index: i, value: v });
        }
        max_diag = max_diag.max(v);
    }
    if max_diag == 0.0 {
        return Err(GramError::Zero);
    }
    let tol = SYMMETRY_TOL * max_diag;
    let mut worst = (0.0f64, 0, 0);
    let mut s = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let (a, b) = (k[[i, j]], k[[j, i]]);
            let d = (a - b).abs();
            if d > worst.0 {
                worst = (d, i, j);
            }
            let m = 0.5 * (a + b);
            s[i * n + j] = m;
            s[j * n + i] = m;
        }
    }
    // Σ_i K_ii in index order.
    let trace: f64 = (0..n).map(|i| s[i * n + i]).sum();
    let s = from_row_major(n, n, s)?;
    if worst.0 > tol {
        return Err(GramError::NotSymmetric {
            row: worst.1,
            col: worst.2,
            diff: worst.0,
            tol,
        });
    }
    if let Some(declared) = declared_trace {
        if !declared.is_finite() || (trace - declared).abs() > TRACE_TOL * declared.abs() {
            return Err(GramError::TraceMismatch {
                declared,
                actual: trace,
            });
        }
    }
    let lambda_min = eigenvalues_desc(s.view())?.last().copied().unwrap_or(0.0);
    let psd_tol = PSD_TOL * trace;
    if lambda_min < -psd_tol {
        return Err(GramError::NotPsd {
            lambda_min,
            tol: psd_tol,
        });
    }
    Ok((
        s,
        GramCheck {
            n,
            trace,
            asymmetry: worst.0 / max_diag,
            lambda_min_relative: lambda_min / trace,
        },
    ))
}

/// The spectrum of C₁ (divisor N) of N gradients in dimension `p` from their checked Gram
/// matrix ([`check_gram`]), by [`spectrum_of_gram`] (module doc: it re-centres).
pub fn spectrum_of_given_gram(k: ArrayView2<'_, f64>, p: usize) -> Result<Spectrum, GramError> {
    Ok(spectrum_of_gram(k, p)?)
}

/// The covariance-side matrix of an n × d data matrix (rows = observations) accumulated from
/// tiles, so the matrix is never held whole (a memory-mapped dump, the page's upload buffer):
///
/// - **Gram route** (n ≤ d): K = Σ_tiles X_b X_bᵀ over column blocks X_b (n × w), then
///   [`spectrum_of_gram`] (double centring, as [`super::spectrum_of_matrix`] does for d ≥ n);
/// - **cross-product route** (n > d): Xᶜᵀ Xᶜ = Σ_tiles (X_b − 1μᵀ)ᵀ(X_b − 1μᵀ) over row blocks
///   X_b (h × d) with the column means μ known beforehand (as `cross_product_centred`).
///
/// Both equal the one-shot products up to the order of floating-point sums.
#[derive(Debug, Clone)]
pub struct BlockedCovariance {
    n: usize,
    d: usize,
    /// Accumulated lower triangle (n × n or d × d, row-major).
    acc: Vec<f64>,
    /// Column means (cross-product route only).
    mean: Option<Vec<f64>>,
    scratch: Vec<f64>,
    /// The product kernels' scratch (`nn::linalg::Workspace`), owned here and reused across tiles.
    ws: crate::nn::linalg::Workspace<f64>,
    centred: Vec<f64>,
}

impl BlockedCovariance {
    /// The Gram route for an n × d matrix fed by column blocks ([`Self::add_columns`]).
    pub fn gram(n: usize, d: usize) -> Self {
        BlockedCovariance {
            n,
            d,
            acc: vec![0.0; n * n],
            mean: None,
            scratch: Vec::new(),
            ws: crate::nn::linalg::Workspace::default(),
            centred: Vec::new(),
        }
    }

    /// The cross-product route for an n × d matrix with column means `mean`, fed by row blocks
    /// ([`Self::add_rows`]).
    pub fn cross(n: usize, mean: Vec<f64>) -> Self {
        let d = mean.len();
        BlockedCovariance {
            n,
            d,
            acc: vec![0.0; d * d],
            mean: Some(mean),
            scratch: Vec::new(),
            ws: crate::nn::linalg::Workspace::default(),
            centred: Vec::new(),
        }
    }

    /// Bytes this accumulator holds for an n × d matrix (the accumulated matrix and the tile
    /// product, side min(n, d)), for memory estimates; the eigensolver comes on top.
    pub fn bytes(n: usize, d: usize) -> u64 {
        let s = n.min(d) as u64;
        2 * s * s * 8
    }

    fn add_lower(&mut self, m: usize) {
        for i in 0..m {
            let r = i * m..i * m + i + 1;
            for (a, b) in self.acc[r.clone()].iter_mut().zip(&self.scratch[r]) {
                *a += b;
            }
        }
    }

    /// Adds the column block `tile` (all n rows × `w` columns, row-major) on the Gram route.
    pub fn add_columns(&mut self, tile: &[f64], w: usize) -> Result<(), SpectrumError> {
        if self.mean.is_some() || tile.len() != self.n * w {
            return Err(SpectrumError::Shape(format!(
                "a {} × {w} column block holds {} values",
                self.n,
                tile.len()
            )));
        }
        let n = self.n;
        self.scratch.resize(n * n, 0.0);
        super::gram::syrk_lower(&mut self.ws, &mut self.scratch, n, w, tile, crate::nn::linalg::Op::N);
        self.add_lower(n);
        Ok(())
    }

    /// Adds the row block `tile` (`h` rows × all d columns, row-major) on the cross-product
    /// route, centred by the column means.
    pub fn add_rows(&mut self, tile: &[f64], h: usize) -> Result<(), SpectrumError> {
        let d = self.d;
        let Some(mean) = &self.mean else {
            return Err(SpectrumError::Shape("row blocks need the cross-product route".into()));
        };
        if tile.len() != h * d {
            return Err(SpectrumError::Shape(format!(
                "a {h} × {d} row block holds {} values",
                tile.len()
            )));
        }
        self.centred.clear();
        self.centred.reserve(tile.len());
        self.centred.extend(
            tile.chunks_exact(d.max(1))
                .flat_map(|row| row.iter().zip(mean).map(|(v, m)| v - m)),
        );
        self.scratch.resize(d * d, 0.0);
        // (X_b − 1μᵀ)ᵀ(X_b − 1μᵀ): the rows of the transpose are the columns of the h × d block.
        super::gram::syrk_lower(
            &mut self.ws,
            &mut self.scratch,
            d,
            h,
            &self.centred,
            crate::nn::linalg::Op::T,
        );
        self.add_lower(d);
        Ok(())
    }

    /// The spectrum of C₁ (divisor n) of the accumulated matrix.
    pub fn spectrum(mut self) -> Result<Spectrum, SpectrumError> {
        if self.n < 2 {
            return Err(SpectrumError::TooFewSamples(self.n));
        }
        let side = if self.mean.is_some() { self.d } else { self.n };
        super::gram::mirror_lower(&mut self.acc, side);
        let acc = from_row_major(side, side, self.acc)?;
        if self.mean.is_some() {
            super::entries(acc.view())?;
            super::finish(acc, self.n, self.d)
        } else {
            spectrum_of_gram(acc.view(), self.d)
        }
    }
}
