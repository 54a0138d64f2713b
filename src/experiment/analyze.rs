//! "Analyze your own gradients": the tail tests and the covariance spectrum on a user's matrix
//! of gradients (rows = samples or iterations, columns = parameters), the same for the CLI
//! (`sgn-lab analyze`) and the page. No I/O: the caller parses the file
//! ([`crate::data::npy`], [`crate::data::text`]).
//!
//! What the rows are ([`RowKind`]) decides the SGN-like noise tested beside the raw gradients:
//!
//! - **samples** (N × P per-sample gradients ∇ℓ_i(θ) at one θ): the mean row is the full-batch
//!   gradient ∇L(θ), so the noise is each row minus the mean row, ξ_i = ∇ℓ_i − ∇L (the SGN of a
//!   batch of one). Rows are dimension-wise samples; columns are each parameter across samples.
//! - **iterations** (T × P minibatch gradients g_t along training): the mean ∇L(θ_t) drifts as
//!   θ moves, so a column minus its mean over all of training would count that drift as noise.
//!   The noise is instead the scaled first difference ξ_t = (g_t − g_{t−1})/√2 (T − 1 rows),
//!   which removes any mean that changes slowly between consecutive steps and has the noise's
//!   variance when the noise is independent across steps. Columns are the iteration-wise samples.
//!
//! In both, the covariance spectrum is that of the rows as observations (centred by the mean row).

//!
//! The matrix is read in tiles ([`walk`]): a `.npy` is never copied whole, so a memory-mapped
//! dump (CLI) or the page's upload buffer can be far larger than the memory the analysis uses
//! ([`dump_bytes`]); which statistics stream and which need a sample whole is in [`sample`].
//! [`bundle`] analyses a gradient bundle (`.npz`, `data::bundle`) part by part.

pub mod bundle;
pub mod sample;
pub mod walk;

use super::config::ExperimentError;
use super::measure::analysis::level;
use crate::data::npy::NpyError;
use crate::params::{within, OutOfRange};
use crate::spectrum::eigen::evd_bytes;
use crate::spectrum::{analyze as analyze_spectrum, FitParams, SpectrumReport};
use crate::stats::powerlaw::{PowerLawOptions, PowerLawReport, Rule};
use crate::stats::{rate_from_verdicts, PowerLawRate};
use ndarray::{Array2, ArrayView2};
use sample::{Gaussianity, Keep, SampleAcc};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use walk::{walk, walk_bytes, MatrixSource, Noise, WalkError, Wanted};

/// Largest side min(rows, columns) of a matrix whose covariance spectrum is computed: the
/// eigensolver holds a few side² f64 matrices (4472² · 8 B = 160 MB each; natively 8192, 512 MB).
#[cfg(target_arch = "wasm32")]
pub const MAX_SPECTRUM_SIDE: usize = 4472;
#[cfg(not(target_arch = "wasm32"))]
pub const MAX_SPECTRUM_SIDE: usize = 8192;

/// Why an analysis failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AnalyzeError {
    #[error("{0}")]
    Options(#[from] ExperimentError),
    #[error("{0}")]
    Read(#[from] NpyError),
    #[error("{0}")]
    Bundle(#[from] crate::data::bundle::BundleError),
    #[error("{0}")]
    Gram(#[from] crate::spectrum::given::GramError),
    /// The analysis's memory estimate is above the cap (both in bytes).
    #[error("analysing it would need about {:.1} MiB ({estimate} bytes) including the file, above the cap of {:.1} MiB ({cap} bytes)", *estimate as f64 / 1048576.0, *cap as f64 / 1048576.0)]
    Memory { estimate: u64, cap: u64 },
    #[error("internal error (please report): {0}")]
    Internal(String),
    #[error("cancelled")]
    Cancelled,
}

impl From<WalkError> for AnalyzeError {
    fn from(e: WalkError) -> Self {
        match e {
            WalkError::Read(e) => AnalyzeError::Read(e),
            WalkError::Internal(e) => AnalyzeError::Internal(e),
            WalkError::Cancelled => AnalyzeError::Cancelled,
        }
    }
}

/// What the rows of the matrix are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    /// Per-sample gradients at one θ (rows = samples): the spectrum is C₁'s.
    #[default]
    Samples,
    /// Gradients along training (rows = iterations): columns are iteration-wise samples.
    Iterations,
}

/// Options of [`analyze_dump`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalyzeOptions {
    pub rows: RowKind,
    pub rule: Rule,
    /// Paper rule's K (`None`: min(1000, n)).
    pub k: Option<usize>,
    pub level: f64,
    /// At most this many rows / columns are tested (evenly spaced), in [`MAX_SAMPLES`].
    pub max_samples: usize,
    /// Compute the covariance spectrum (rows as observations).
    pub spectrum: bool,
    pub seed: u64,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            rows: RowKind::Samples,
            rule: Rule::Paper,
            k: None,
            level: 0.05,
            max_samples: 1000,
            spectrum: true,
            seed: 0,
        }
    }
}

/// The result of [`analyze_dump`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DumpAnalysis {
    pub rows: usize,
    pub cols: usize,
    pub row_kind: RowKind,
    /// Power-law rate over rows: each row pooled over parameters (dimension-wise).
    pub dimension_wise: PowerLawRate,
    /// Power-law rate over columns: each parameter over the rows (iteration-wise when rows are
    /// iterations; across samples otherwise).
    pub column_wise: PowerLawRate,
    /// How the noise was formed (see the module doc): "row − mean row" or "(g_t − g_{t−1})/√2".
    pub noise: String,
    /// Power-law rate of the noise rows (dimension-wise SGN).
    pub dimension_wise_noise: PowerLawRate,
    /// Power-law rate of the noise columns (iteration-wise SGN when rows are iterations).
    pub column_wise_noise: PowerLawRate,
    /// Gaussianity of column 0 of the noise.
    pub normality_column_noise: Option<Gaussianity>,
    pub example_row: Option<PowerLawReport>,
    pub example_column: Option<PowerLawReport>,
    /// Gaussianity of column 0.
    pub normality_column: Option<Gaussianity>,
    /// Gaussianity of row 0 (a dimension-wise sample: moment tests only above
    /// `sample::EXACT_MAX` values).
    pub normality_row: Option<Gaussianity>,
    /// CCDF of |row 0| as points `[x, P(|X| ≥ x)]` (`sample::SampleAcc::ccdf`), for the chart.
    pub row0_ccdf: Vec<[f64; 2]>,
    pub spectrum: Option<SpectrumReport>,
    /// Why the spectrum was not computed, if it was asked for.
    pub spectrum_error: Option<String>,
}

/// `max` indices spread evenly over 0..n (all of them when n ≤ max), ascending. The product
/// i·n is formed in u64: in wasm32 a usize overflows for n above ~4·10⁶ at max = 1000.
fn spread(n: usize, max: usize) -> Vec<usize> {
    if n <= max {
        (0..n).collect()
    } else {
        (0..max).map(|i| (i as u64 * n as u64 / max as u64) as usize).collect()
    }
}

/// The indices `spread(n, max)`, the first kept [`Keep::Full`] and the rest [`Keep::Verdict`].
fn wanted(n: usize, max: usize) -> Vec<(usize, Keep)> {
    spread(n, max)
        .into_iter()
        .map(|i| (i, if i == 0 { Keep::Full } else { Keep::Verdict }))
        .collect()
}

/// The range of [`AnalyzeOptions::max_samples`]: samples tested per kind.
pub const MAX_SAMPLES: std::ops::RangeInclusive<usize> = 1..=100_000;

/// Validated tail options of an analysis.
pub(crate) fn tail_options(o: &AnalyzeOptions) -> Result<PowerLawOptions, ExperimentError> {
    within("max_samples", o.max_samples, &MAX_SAMPLES)?;
    let level = level("analysis.level", o.level)?;
    let rule = o.rule;
    PowerLawOptions::new(rule, o.k, Some(0), o.seed, level).map_err(|e| OutOfRange::new("k", e, "≥ 2").into())
}

/// Rate over accumulated samples (a sample that cannot be tested is skipped) and the first
/// sample's report that could be tested.
pub(crate) fn rate_of(accs: &[SampleAcc], opts: &PowerLawOptions) -> (PowerLawRate, Option<(usize, PowerLawReport)>) {
    let (mut v, mut skipped, mut first) = (Vec::new(), 0, None);
    for (i, a) in accs.iter().enumerate() {
        match a.power_law(opts) {
            Ok(r) => {
                v.push(r.power_law);
                if first.is_none() {
                    first = Some((i, r));
                }
            }
            Err(_) => skipped += 1,
        }
    }
    (rate_from_verdicts(&v, skipped), first)
}

/// Bytes [`analyze_source`] allocates for a `rows × cols` matrix, the source itself not
/// included (an upper bound, tested with a counting allocator in `tests/analyze_memory.rs`):
/// the walk (one tile, its noise, the spectrum's accumulator: [`walk::walk_bytes`]), the
/// accumulators of the data's and the noise's rows and columns ([`SampleAcc::bytes`]), then —
/// after the walk — the spectrum's centred copy and eigensolver and the tests' copies of the
/// largest kept sample (|x| for the tail test, standardised and sorted values for Gaussianity).
pub fn dump_bytes(rows: usize, cols: usize, o: &AnalyzeOptions) -> u64 {
    let opts = tail_options(o).unwrap_or_default();
    let max = o.max_samples.clamp(*MAX_SAMPLES.start(), *MAX_SAMPLES.end());
    let accs = |n: usize, len: usize| -> u64 {
        let k = n.min(max) as u64;
        SampleAcc::bytes(&opts, Keep::Full, len) + k.saturating_sub(1) * SampleAcc::bytes(&opts, Keep::Verdict, len)
    };
    let spectrum = o.spectrum && rows >= 2 && rows.min(cols) <= MAX_SPECTRUM_SIDE;
    let side = rows.min(cols) as u64;
    let eig = if spectrum {
        evd_bytes(side as usize, false) + side * side * 8
    } else {
        0
    };
    // The longest sample kept whole: every sample under Clauset's rule; under the paper rule
    // row 0 (cols values) and column 0 (rows values) when at most EXACT_MAX long.
    // The noise has one row fewer with `iterations` (first differences).
    let nrows = match o.rows {
        RowKind::Samples => rows,
        RowKind::Iterations => rows.saturating_sub(1),
    };
    let kept = match opts.rule {
        Rule::Clauset => rows.max(cols),
        Rule::Paper => [rows, nrows, cols]
            .into_iter()
            .filter(|&n| n <= sample::EXACT_MAX)
            .max()
            .unwrap_or(0),
    } as u64;
    let accounts = accs(rows, cols) + accs(cols, rows) + accs(nrows, cols) + accs(cols, nrows);
    walk_bytes(rows, cols, spectrum) + accounts + eig + 3 * 8 * kept
}

/// Tail tests (dimension-wise over rows, column-wise over columns), Gaussianity of column 0,
/// and the covariance spectrum of the rows, on a matrix in memory ([`analyze_source`]).
pub fn analyze_dump(m: ArrayView2<'_, f64>, o: &AnalyzeOptions) -> Result<DumpAnalysis, ExperimentError> {
    if m.nrows() == 0 || m.ncols() == 0 {
        return Err(OutOfRange::new("matrix", format!("{} × {}", m.nrows(), m.ncols()), "non-empty").into());
    }
    analyze_source(&m, o, &mut |_| true).map_err(|e| match e {
        AnalyzeError::Options(e) => e,
        AnalyzeError::Cancelled => ExperimentError::Cancelled,
        other => ExperimentError::Internal(other.to_string()),
    })
}

/// [`analyze_dump`] on any [`MatrixSource`], read in one tiled pass (two for a tall matrix
/// whose noise or spectrum needs the column means first). `progress(fraction)` is called
/// between tiles; returning `false` cancels.
pub fn analyze_source(
    src: &dyn MatrixSource,
    o: &AnalyzeOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DumpAnalysis, AnalyzeError> {
    let (rows, cols) = (src.rows(), src.cols());
    let opts = tail_options(o)?;
    let noise = match o.rows {
        RowKind::Samples => Noise::MinusMeanRow,
        RowKind::Iterations => Noise::Difference,
    };
    let noise_label = match o.rows {
        RowKind::Samples => "row − mean row (∇ℓ_i − ∇L)",
        RowKind::Iterations => "(g_t − g_{t−1})/√2",
    };
    let side = rows.min(cols);
    let spectrum_blocked = if !o.spectrum {
        None
    } else if rows < 2 {
        Some("need at least 2 rows".to_string())
    } else if side > MAX_SPECTRUM_SIDE {
        Some(format!(
            "the spectrum needs a {side} × {side} matrix (min(rows, columns)); the limit is {MAX_SPECTRUM_SIDE}"
        ))
    } else {
        None
    };
    let want = Wanted {
        rows: wanted(rows, o.max_samples),
        cols: wanted(cols, o.max_samples),
        noise_rows: wanted(noise.rows(rows), o.max_samples),
        noise_cols: wanted(cols, o.max_samples),
        spectrum: o.spectrum && spectrum_blocked.is_none(),
    };
    let w = walk(src, &noise, &want, &opts, progress)?;
    let (dimension_wise, example_row) = rate_of(&w.rows, &opts);
    let (column_wise, example_column) = rate_of(&w.cols, &opts);
    let (dimension_wise_noise, _) = rate_of(&w.noise_rows, &opts);
    let (column_wise_noise, _) = rate_of(&w.noise_cols, &opts);
    let row0_ccdf = w.rows.first().map_or_else(Vec::new, |a| {
        let n_tail = example_row
            .as_ref()
            .filter(|(i, _)| *i == 0)
            .map_or(0, |(_, r)| r.n_tail);
        a.ccdf(n_tail)
    });
    let (spectrum, spectrum_error) = match w.spectrum {
        Some(s) => match s.map_err(|e| e.to_string()).and_then(|s| {
            FitParams::new(None, 0, opts.level)
                .and_then(|p| analyze_spectrum(s, &p))
                .map_err(|e| e.to_string())
        }) {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e)),
        },
        None => (None, spectrum_blocked),
    };
    Ok(DumpAnalysis {
        rows,
        cols,
        row_kind: o.rows,
        dimension_wise,
        column_wise,
        noise: noise_label.to_string(),
        dimension_wise_noise,
        column_wise_noise,
        normality_column_noise: w.noise_cols.first().and_then(|a| a.gaussianity()),
        example_row: example_row.map(|(_, r)| r),
        example_column: example_column.map(|(_, r)| r),
        normality_column: w.cols.first().and_then(|a| a.gaussianity()),
        normality_row: w.rows.first().and_then(|a| a.gaussianity()),
        row0_ccdf,
        spectrum,
        spectrum_error,
    })
}

/// The SGN-like noise of the matrix (module doc): for samples ξ_ij = x_ij − (1/N) Σ_k x_kj;
/// for iterations ξ_tj = (x_tj − x_{t−1,j})/√2, t = 1..T − 1 (empty with one row).
pub fn noise_of(m: ArrayView2<'_, f64>, kind: RowKind) -> (Array2<f64>, &'static str) {
    let (rows, cols) = m.dim();
    match kind {
        RowKind::Samples => {
            // Column means summed row by row, in index order.
            let mut mean = vec![0.0; cols];
            for row in m.outer_iter() {
                mean.iter_mut().zip(row).for_each(|(a, x)| *a += x);
            }
            mean.iter_mut().for_each(|a| *a /= rows as f64);
            (
                Array2::from_shape_fn((rows, cols), |(i, j)| m[[i, j]] - mean[j]),
                "row − mean row (∇ℓ_i − ∇L)",
            )
        }
        RowKind::Iterations => {
            let s = std::f64::consts::FRAC_1_SQRT_2;
            (
                Array2::from_shape_fn((rows.saturating_sub(1), cols), |(t, j)| (m[[t + 1, j]] - m[[t, j]]) * s),
                "(g_t − g_{t−1})/√2",
            )
        }
    }
}
