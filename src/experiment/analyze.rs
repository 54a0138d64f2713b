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

use super::config::{level_of, ExperimentError, TailRule};
use crate::data::text::Matrix;
use crate::spectrum::{analyze_matrix, FitParams, SpectrumReport};
use crate::stats::powerlaw::{power_law_test, PowerLawOptions, PowerLawReport, Rule};
use crate::stats::{normality, rate_from_verdicts, NormalityReport, PowerLawRate};
use serde::{Deserialize, Serialize};

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
    pub rule: TailRule,
    /// Paper rule's K (`None`: min(1000, n)).
    pub k: Option<usize>,
    pub level: f64,
    /// At most this many rows / columns are tested (evenly spaced), 1..=100000.
    pub max_samples: usize,
    /// Compute the covariance spectrum (rows as observations).
    pub spectrum: bool,
    pub seed: u64,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            rows: RowKind::Samples,
            rule: TailRule::Paper,
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
    pub normality_column_noise: Option<NormalityReport>,
    pub example_row: Option<PowerLawReport>,
    pub example_column: Option<PowerLawReport>,
    /// Gaussianity of column 0.
    pub normality_column: Option<NormalityReport>,
    pub spectrum: Option<SpectrumReport>,
    /// Why the spectrum was not computed, if it was asked for.
    pub spectrum_error: Option<String>,
}

fn spread(n: usize, max: usize) -> Vec<usize> {
    if n <= max {
        (0..n).collect()
    } else {
        (0..max).map(|i| i * n / max).collect()
    }
}

/// Tail tests (dimension-wise over rows, column-wise over columns), Gaussianity of column 0,
/// and the covariance spectrum of the rows.
pub fn analyze_dump(m: &Matrix, o: &AnalyzeOptions) -> Result<DumpAnalysis, ExperimentError> {
    if m.rows == 0 || m.cols == 0 || m.data.len() != m.rows * m.cols {
        return Err(ExperimentError::OutOfRange {
            field: "matrix",
            value: format!("{} × {}", m.rows, m.cols),
            range: "non-empty",
        });
    }
    if !(1..=100_000).contains(&o.max_samples) {
        return Err(ExperimentError::OutOfRange {
            field: "max_samples",
            value: o.max_samples.to_string(),
            range: "1..=100000",
        });
    }
    let level = level_of(o.level)?;
    let rule = match o.rule {
        TailRule::Paper => Rule::Paper,
        TailRule::Clauset => Rule::Clauset,
    };
    let opts = PowerLawOptions::new(rule, o.k, Some(0), o.seed, level).map_err(|e| ExperimentError::OutOfRange {
        field: "k",
        value: e.to_string(),
        range: "≥ 2",
    })?;
    let test_all = |samples: &mut dyn Iterator<Item = Vec<f64>>| -> (PowerLawRate, Option<PowerLawReport>) {
        let (mut v, mut skipped, mut first) = (Vec::new(), 0, None);
        for s in samples {
            match power_law_test(&s, &opts, |_, _| true) {
                Ok(r) => {
                    v.push(r.power_law);
                    if first.is_none() {
                        first = Some(r);
                    }
                }
                Err(_) => skipped += 1,
            }
        }
        (rate_from_verdicts(&v, skipped), first)
    };
    let (dimension_wise, example_row) = test_all(
        &mut spread(m.rows, o.max_samples)
            .into_iter()
            .map(|i| m.data[i * m.cols..(i + 1) * m.cols].to_vec()),
    );
    let col = |j: usize| -> Vec<f64> { (0..m.rows).map(|i| m.data[i * m.cols + j]).collect() };
    let (column_wise, example_column) = test_all(&mut spread(m.cols, o.max_samples).into_iter().map(col));
    let normality_column = normality(&col(0)).ok();
    let (noise, noise_label) = noise_of(m, o.rows);
    let (dimension_wise_noise, _) = test_all(
        &mut spread(noise.rows, o.max_samples)
            .into_iter()
            .map(|i| noise.data[i * noise.cols..(i + 1) * noise.cols].to_vec()),
    );
    let ncol = |j: usize| -> Vec<f64> { (0..noise.rows).map(|i| noise.data[i * noise.cols + j]).collect() };
    let (column_wise_noise, _) = test_all(&mut spread(noise.cols, o.max_samples).into_iter().map(ncol));
    let normality_column_noise = normality(&ncol(0)).ok();
    let (spectrum, spectrum_error) = if o.spectrum && m.rows >= 2 {
        match FitParams::new(None, 0, level).and_then(|p| analyze_matrix(m, &p)) {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e.to_string())),
        }
    } else {
        (None, o.spectrum.then(|| "need at least 2 rows".to_string()))
    };
    Ok(DumpAnalysis {
        rows: m.rows,
        cols: m.cols,
        row_kind: o.rows,
        dimension_wise,
        column_wise,
        noise: noise_label.to_string(),
        dimension_wise_noise,
        column_wise_noise,
        normality_column_noise,
        example_row,
        example_column,
        normality_column,
        spectrum,
        spectrum_error,
    })
}

/// The SGN-like noise of the matrix (module doc): for samples ξ_ij = x_ij − (1/N) Σ_k x_kj;
/// for iterations ξ_tj = (x_tj − x_{t−1,j})/√2, t = 1..T − 1 (empty with one row).
pub fn noise_of(m: &Matrix, kind: RowKind) -> (Matrix, &'static str) {
    match kind {
        RowKind::Samples => {
            let mut mean = vec![0.0; m.cols];
            for row in m.data.chunks_exact(m.cols) {
                mean.iter_mut().zip(row).for_each(|(a, x)| *a += x);
            }
            mean.iter_mut().for_each(|a| *a /= m.rows as f64);
            let data = m
                .data
                .chunks_exact(m.cols)
                .flat_map(|row| row.iter().zip(&mean).map(|(x, a)| x - a))
                .collect();
            (
                Matrix {
                    rows: m.rows,
                    cols: m.cols,
                    data,
                },
                "row − mean row (∇ℓ_i − ∇L)",
            )
        }
        RowKind::Iterations => {
            let s = std::f64::consts::FRAC_1_SQRT_2;
            let data = m
                .data
                .chunks_exact(m.cols)
                .zip(m.data.chunks_exact(m.cols).skip(1))
                .flat_map(|(a, b)| b.iter().zip(a).map(move |(y, x)| (y - x) * s))
                .collect();
            (
                Matrix {
                    rows: m.rows.saturating_sub(1),
                    cols: m.cols,
                    data,
                },
                "(g_t − g_{t−1})/√2",
            )
        }
    }
}
