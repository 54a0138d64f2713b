//! The paper's measurements at one frozen θ of a trainer (Xie et al. 2023 §3–§4;
//! `docs/PROTOCOL.md` §5):
//!
//! - **dimension-wise** samples: all P coordinates of a minibatch gradient g_B(θ) and of its
//!   noise ξ = g_B(θ) − ∇L(θ), for `dim_draws` independent minibatches;
//! - **iteration-wise** samples: for each of m tracked parameters, its gradient over the T
//!   logged training steps (from the trainer's [`GradientLog`](crate::train::GradientLog)), and
//!   its ξ over M independent minibatch draws at the frozen θ;
//! - **Table A**: the power-law rate of each of the four kinds of sample;
//! - the **covariance spectrum** of C₁(θ) over N_cov per-sample gradients (Gram route), with its
//!   power-law fit, the Gaussian baseline and the theory views.

use crate::data::permutation;
use crate::nn::grad::draw_minibatch;
use crate::rng::substream;
use crate::spectrum::{analyze_grads_full, SpectrumAnalysis, SpectrumError, SpectrumOptions};
use crate::stats::powerlaw::{power_law_test, PowerLawOptions, PowerLawReport};
use crate::stats::{normality, rate_from_verdicts, NormalityReport, PowerLawRate, StatsError};
use crate::train::{TrainError, Trainer};
use serde::Serialize;
use thiserror::Error;

/// Stream ids of this module's random draws (xored into the seed, see [`crate::rng::substream`]).
const DIM_DRAW_STREAM: u64 = 0x4449_4d00;
const TRACK_STREAM: u64 = 0x4d54_524b;
const COV_STREAM: u64 = 0x434f_5600;

/// What to measure; validate with [`MeasureParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureParams {
    /// Minibatch size B of every draw at the frozen θ.
    pub batch_size: usize,
    /// M: minibatch draws for the iteration-wise SGN samples (10..=5000).
    pub draws: usize,
    /// Draws whose full g and ξ are tested dimension-wise (1..=100).
    pub dim_draws: usize,
    /// m: tracked parameters when the trainer has no log (1..=1000).
    pub n_tracked: usize,
    /// N_cov: samples in the covariance estimate (2..=n_train; 0 skips the spectrum).
    pub n_cov: usize,
    /// The tail test (rule, K, level). Power-law *rates* never bootstrap (Clauset's verdict is
    /// then d_ks < c(α)/√n_tail); see `example_bootstrap`.
    pub tail: PowerLawOptions,
    /// Bootstrap replicates for the goodness-of-fit p-value of the two iteration-wise example
    /// samples (0 = none; the dimension-wise samples, with ~10⁵ values, are never bootstrapped).
    pub example_bootstrap: usize,
    /// Spectrum fit, baseline and theory options.
    pub spectrum: SpectrumOptions,
    /// Seed of every draw made here.
    pub seed: u64,
}

impl Default for MeasureParams {
    /// The protocol's defaults (DESIGN §4): B = 128, M = 200 draws, 10 dimension-wise draws,
    /// m = 50, N_cov = 1000, the paper's tail rule at level 0.05, spectrum fit with K =
    /// min(1000, rank/2), the Gaussian baseline, no Davis–Kahan view.
    fn default() -> Self {
        MeasureParams {
            batch_size: 128,
            draws: 200,
            dim_draws: 10,
            n_tracked: 50,
            n_cov: 1000,
            tail: PowerLawOptions::default(),
            example_bootstrap: 0,
            spectrum: SpectrumOptions { davis_kahan: None, ..SpectrumOptions::default() },
            seed: 0,
        }
    }
}

/// Why a measurement failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MeasureError {
    #[error("{field} = {value} is out of range ({range})")]
    OutOfRange { field: &'static str, value: usize, range: String },
    #[error("cancelled")]
    Cancelled,
    #[error("every coordinate of the full-batch gradient is zero at this θ: nothing to track")]
    NoSignal,
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Stats(StatsError),
    #[error(transparent)]
    Spectrum(#[from] SpectrumError),
}

impl From<StatsError> for MeasureError {
    fn from(e: StatsError) -> Self {
        match e {
            StatsError::Cancelled => MeasureError::Cancelled,
            e => MeasureError::Stats(e),
        }
    }
}

/// Checked [`MeasureParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureConfig(MeasureParams);

impl MeasureParams {
    /// Validates every range against the training set size `n_train`.
    pub fn check(self, n_train: usize) -> Result<MeasureConfig, MeasureError> {
        let range = |field, value: usize, lo: usize, hi: usize| {
            if value < lo || value > hi {
                Err(MeasureError::OutOfRange { field, value, range: format!("{lo}..={hi}") })
            } else {
                Ok(())
            }
        };
        range("batch_size", self.batch_size, 1, n_train.max(1))?;
        range("draws", self.draws, 10, 5000)?;
        range("dim_draws", self.dim_draws, 1, 100)?;
        range("n_tracked", self.n_tracked, 1, 1000)?;
        range("example_bootstrap", self.example_bootstrap, 0, 10_000)?;
        if self.n_cov != 0 {
            range("n_cov", self.n_cov, 2, n_train)?;
        }
        Ok(MeasureConfig(self))
    }
}

impl MeasureConfig {
    pub fn params(&self) -> &MeasureParams {
        &self.0
    }
}

/// One sample's tail test, its Gaussianity tests, and the sample itself (for the plots).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TailTest {
    /// What the sample is, e.g. "dimension-wise g (all 89610 coordinates, draw 1)".
    pub label: String,
    pub power_law: PowerLawReport,
    /// `None` when the sample is too small or degenerate for the tests.
    pub normality: Option<NormalityReport>,
    /// The raw sample (signed values; the tail test uses |x|). Not in reports.
    #[serde(skip)]
    pub sample: Vec<f64>,
}

impl TailTest {
    fn new(label: String, sample: Vec<f64>, opts: &PowerLawOptions) -> Result<TailTest, StatsError> {
        Self::with_progress(label, sample, opts, |_, _| true)
    }

    fn with_progress<F: FnMut(usize, usize) -> bool>(label: String, sample: Vec<f64>, opts: &PowerLawOptions, progress: F) -> Result<TailTest, StatsError> {
        let power_law = power_law_test(&sample, opts, progress)?;
        let normality = normality(&sample).ok();
        Ok(TailTest { label, power_law, normality, sample })
    }
}

/// The paper's Table A at one θ: power-law rates of the four kinds of sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableA {
    pub dimension_g: PowerLawRate,
    pub dimension_sgn: PowerLawRate,
    /// `None` without a training log.
    pub iteration_g: Option<PowerLawRate>,
    pub iteration_sgn: PowerLawRate,
}

/// Everything measured at one θ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradientStructure {
    /// Training steps taken before θ.
    pub step: u64,
    pub n_params: usize,
    pub batch_size: usize,
    /// M.
    pub draws: usize,
    /// T, iteration-wise g sample length (0 without a log).
    pub logged_steps: usize,
    /// The tracked parameter indices (flattening order).
    pub tracked: Vec<usize>,
    /// Mean data loss over the training set at θ.
    pub full_loss: f64,
    pub dimension_g: TailTest,
    pub dimension_sgn: TailTest,
    /// Tracked parameter 0 over the logged steps.
    pub iteration_g: Option<TailTest>,
    /// Tracked parameter 0 over the M draws.
    pub iteration_sgn: TailTest,
    pub table_a: TableA,
    pub spectrum: Option<SpectrumAnalysis>,
}

/// Stage names reported to the progress callback, in order.
pub const STAGES: [&str; 5] = ["full-batch gradient", "dimension-wise tests", "iteration-wise tests", "per-sample gradients", "spectrum"];

/// Measures the gradient structure at the trainer's current θ. `progress(stage, fraction)`
/// is called between units of work; returning `false` cancels with [`MeasureError::Cancelled`].
pub fn measure<F: FnMut(&str, f64) -> bool>(trainer: &Trainer, cfg: &MeasureConfig, mut progress: F) -> Result<GradientStructure, MeasureError> {
    let p = cfg.params();
    let mut tick = |stage: usize, done: usize, total: usize| {
        let f = (stage as f64 + done as f64 / total.max(1) as f64) / STAGES.len() as f64;
        if progress(STAGES[stage], f) {
            Ok(())
        } else {
            Err(MeasureError::Cancelled)
        }
    };
    let n = trainer.train_data().n;
    let rate_opts = PowerLawOptions { bootstrap: Some(0), ..p.tail.clone() };
    let example_opts = PowerLawOptions { bootstrap: Some(p.example_bootstrap), ..p.tail.clone() };

    // ∇L(θ) over the whole training set.
    tick(0, 0, 1)?;
    let full = trainer.full_batch_grad()?;
    let n_params = full.grad.len();

    // Dimension-wise: all coordinates of g_B and ξ for `dim_draws` minibatches.
    let mut dim_g_verdicts = Vec::new();
    let mut dim_sgn_verdicts = Vec::new();
    let (mut skipped_g, mut skipped_sgn) = (0, 0);
    let mut first: Option<(TailTest, TailTest)> = None;
    for r in 0..p.dim_draws {
        tick(1, r, p.dim_draws)?;
        let batch = trainer.draw_batch(p.batch_size, p.seed, DIM_DRAW_STREAM ^ r as u64)?;
        let g = trainer.minibatch_grad(&batch)?.grad;
        let xi: Vec<f64> = g.iter().zip(&full.grad).map(|(a, b)| a - b).collect();
        if r == 0 {
            let tg = TailTest::new(format!("dimension-wise g (all {n_params} coordinates of one minibatch gradient)"), g, &rate_opts)?;
            let ts = TailTest::new(format!("dimension-wise SGN (all {n_params} coordinates of ξ = g_B − ∇L)"), xi, &rate_opts)?;
            dim_g_verdicts.push(tg.power_law.power_law);
            dim_sgn_verdicts.push(ts.power_law.power_law);
            first = Some((tg, ts));
        } else {
            match power_law_test(&g, &rate_opts, |_, _| true) {
                Ok(r) => dim_g_verdicts.push(r.power_law),
                Err(_) => skipped_g += 1,
            }
            match power_law_test(&xi, &rate_opts, |_, _| true) {
                Ok(r) => dim_sgn_verdicts.push(r.power_law),
                Err(_) => skipped_sgn += 1,
            }
        }
    }
    let (dimension_g, dimension_sgn) = first.ok_or(MeasureError::OutOfRange { field: "dim_draws", value: 0, range: "1..=100".into() })?;

    // Iteration-wise: the tracked parameters over the logged steps, and over M draws at θ.
    tick(2, 0, 1)?;
    let log = trainer.log().filter(|l| !l.tracked.is_empty() && l.steps.len() >= 2);
    let tracked = match log {
        Some(l) => l.tracked.clone(),
        None => choose_tracked(&full.grad, p.n_tracked, p.seed),
    };
    if tracked.is_empty() {
        return Err(MeasureError::NoSignal);
    }
    let m = tracked.len();
    let frozen = trainer.frozen_draws(&tracked, p.draws, p.batch_size)?;
    let column = |data: &[f64], i: usize| -> Vec<f64> { data.chunks_exact(m).map(|row| row[i]).collect() };
    let iter_sgn_samples: Vec<Vec<f64>> = (0..m).map(|i| column(&frozen.xi, i)).collect();
    let iteration_sgn_rate = rate_of(&iter_sgn_samples, &rate_opts);
    // The example is the first tracked parameter whose sample can be tested (a parameter of a
    // ReLU unit that died during training has an all-zero sample).
    let testable = |s: &[f64]| s.iter().filter(|v| **v != 0.0).count() >= crate::stats::powerlaw::PAPER_MIN_N;
    let ex = (0..m).find(|&i| testable(&iter_sgn_samples[i])).unwrap_or(0);
    let iteration_sgn = TailTest::with_progress(
        format!("iteration-wise SGN of parameter #{} over {} minibatch draws", tracked[ex], p.draws),
        iter_sgn_samples[ex].clone(),
        &example_opts,
        |done, total| tick(2, done, 2 * total).is_ok(),
    )?;
    let (iteration_g, iteration_g_rate, logged_steps) = match log {
        Some(l) => {
            let samples: Vec<Vec<f64>> = (0..m).map(|i| column(&l.tracked_grads, i)).collect();
            // A short run (e.g. one epoch of a 142-sample table at B = 32: 4 steps) has too few
            // logged steps for any tail test: the rate then counts every sample as skipped and
            // there is no example, rather than failing the whole measurement.
            let rate = rate_of(&samples, &rate_opts);
            match (0..m).find(|&i| testable(&samples[i])) {
                None => (None, Some(rate), l.steps.len()),
                Some(ex) => {
                    let t = TailTest::with_progress(
                        format!("iteration-wise g of parameter #{} over {} training steps", tracked[ex], l.steps.len()),
                        samples[ex].clone(),
                        &example_opts,
                        |done, total| tick(2, total + done, 2 * total).is_ok(),
                    )?;
                    (Some(t), Some(rate), l.steps.len())
                }
            }
        }
        None => (None, None, 0),
    };

    // Covariance spectrum of C₁ over N_cov per-sample gradients.
    let spectrum = if p.n_cov >= 2 {
        tick(3, 0, 1)?;
        let idx: Vec<usize> = permutation(n, p.seed, COV_STREAM).into_iter().take(p.n_cov).collect();
        let grads = trainer.per_sample_grads(&idx)?;
        tick(4, 0, 1)?;
        let mut opts = p.spectrum.clone();
        opts.batch_size = Some(p.batch_size.min(p.n_cov - 1).max(1));
        Some(analyze_grads_full(&grads, &opts)?)
    } else {
        None
    };
    tick(4, 1, 1)?;

    Ok(GradientStructure {
        step: trainer.step_index(),
        n_params,
        batch_size: p.batch_size,
        draws: p.draws,
        logged_steps,
        tracked,
        full_loss: full.loss,
        table_a: TableA {
            dimension_g: rate_from_verdicts(&dim_g_verdicts, skipped_g),
            dimension_sgn: rate_from_verdicts(&dim_sgn_verdicts, skipped_sgn),
            iteration_g: iteration_g_rate,
            iteration_sgn: iteration_sgn_rate,
        },
        dimension_g,
        dimension_sgn,
        iteration_g,
        iteration_sgn,
        spectrum,
    })
}

/// Power-law rate over samples; samples that cannot be tested are counted as skipped.
fn rate_of(samples: &[Vec<f64>], opts: &PowerLawOptions) -> PowerLawRate {
    let mut verdicts = Vec::with_capacity(samples.len());
    let mut skipped = 0;
    for s in samples {
        match power_law_test(s, opts, |_, _| true) {
            Ok(r) => verdicts.push(r.power_law),
            Err(_) => skipped += 1,
        }
    }
    rate_from_verdicts(&verdicts, skipped)
}

/// m parameter indices drawn without replacement (seeded) among those whose full-batch
/// gradient is non-zero (DESIGN §4, "tracked parameters").
pub fn choose_tracked(full_grad: &[f64], m: usize, seed: u64) -> Vec<usize> {
    let candidates: Vec<usize> = (0..full_grad.len()).filter(|&i| full_grad[i] != 0.0).collect();
    let m = m.min(candidates.len());
    if m == 0 {
        return Vec::new();
    }
    let mut rng = substream(seed, TRACK_STREAM);
    match draw_minibatch(candidates.len(), m, &mut rng) {
        Ok(picks) => picks.into_iter().map(|i| candidates[i]).collect(),
        Err(_) => Vec::new(),
    }
}

