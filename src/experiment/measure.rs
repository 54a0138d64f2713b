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
use crate::libm_f64::LibmF64;
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

/// Most tracked parameters m of a measurement (and of `logging.n_tracked`): the iteration-wise
/// samples are tested one by one.
pub const MAX_TRACKED: usize = 1000;
/// Most bootstrap replicates of the example tail tests (`analysis.bootstrap`): 2000 resolve a
/// p-value near 0.1 to ±0.007 (CSN §4.1 asks for ±0.01 at 2500; more cost minutes in the page).
pub const MAX_BOOTSTRAP: usize = 2000;

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
    /// The protocol's defaults (`docs/PROTOCOL.md` §5.1): B = 128, M = 200 draws, 10 dimension-wise draws,
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
            spectrum: SpectrumOptions {
                davis_kahan: None,
                ..SpectrumOptions::default()
            },
            seed: 0,
        }
    }
}

/// Why a measurement failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MeasureError {
    #[error("{field} = {value} is out of range ({range})")]
    OutOfRange {
        field: &'static str,
        value: usize,
        range: String,
    },
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
                Err(MeasureError::OutOfRange {
                    field,
                    value,
                    range: format!("{lo}..={hi}"),
                })
            } else {
                Ok(())
            }
        };
        range("batch_size", self.batch_size, 1, n_train.max(1))?;
        range("draws", self.draws, 10, 5000)?;
        range("dim_draws", self.dim_draws, 1, 100)?;
        range("n_tracked", self.n_tracked, 1, MAX_TRACKED)?;
        range("example_bootstrap", self.example_bootstrap, 0, MAX_BOOTSTRAP)?;
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
    /// The sample's CCDF in compact form ([`ccdf_summary`]): points `[x, P(|X| ≥ x)]`, so a
    /// report can redraw the CCDF without the raw sample.
    pub ccdf: Vec<[f64; 2]>,
    /// The raw sample (signed values; the tail test uses |x|). Not in reports.
    #[serde(skip)]
    pub sample: Vec<f64>,
}

impl TailTest {
    fn new(label: String, sample: Vec<f64>, opts: &PowerLawOptions) -> Result<TailTest, StatsError> {
        Self::with_progress(label, sample, opts, |_, _| true)
    }

    fn with_progress<F: FnMut(usize, usize) -> bool>(
        label: String,
        sample: Vec<f64>,
        opts: &PowerLawOptions,
        progress: F,
    ) -> Result<TailTest, StatsError> {
        let power_law = power_law_test(&sample, opts, progress)?;
        Ok(Self::assemble(label, power_law, sample))
    }

    /// A tail test from its power-law verdict and sample: adds the Gaussianity tests and the
    /// CCDF summary.
    pub fn assemble(label: String, power_law: PowerLawReport, sample: Vec<f64>) -> TailTest {
        let normality = normality(&sample).ok();
        let ccdf = ccdf_summary(&sample, power_law.n_tail);
        TailTest {
            label,
            power_law,
            normality,
            ccdf,
            sample,
        }
    }
}

/// Most points of a [`ccdf_summary`].
pub const CCDF_POINTS: usize = 400;

/// The empirical CCDF of the magnitudes |x| (exact zeros and non-finite values dropped; n
/// values left) at a few ranks: points `[x, P(|X| ≥ x)]` where x = v₍r₎ is the r-th largest
/// magnitude and P(|X| ≥ x) = #{i : |x_i| ≥ x} / n (ties counted in full), sorted by x
/// ascending, at most [`CCDF_POINTS`]. The ranks r ∈ 1..=n kept are: the 100 largest
/// (r ≤ 100); x_min's neighbourhood, r = n_tail − 5 ..= n_tail + 5 (the tail test's x_min is
/// v₍n_tail₎); the 1st percentile from below, r = n − ⌊(n − 1)/100⌋, and the smallest, r = n;
/// and the rest evenly spaced in ln r. Identical points (tied values) appear once.
pub fn ccdf_summary(sample: &[f64], n_tail: usize) -> Vec<[f64; 2]> {
    let mut v: Vec<f64> = sample
        .iter()
        .map(|x| x.abs())
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    let n = v.len();
    if n == 0 {
        return Vec::new();
    }
    v.sort_unstable_by(|a, b| b.total_cmp(a));
    let mut ranks = std::collections::BTreeSet::new();
    if n <= CCDF_POINTS {
        ranks.extend(1..=n);
    }
    ranks.extend(1..=n.min(100));
    ranks.extend(n_tail.saturating_sub(5).max(1)..=(n_tail + 5).min(n));
    ranks.insert(n - (n - 1) / 100);
    ranks.insert(n);
    let room = CCDF_POINTS.saturating_sub(ranks.len());
    if room >= 2 {
        let ln_n = (n as f64).ln_();
        let mut extra = Vec::with_capacity(room);
        for j in 0..room {
            let r = (ln_n * j as f64 / (room - 1) as f64).exp_().round() as usize;
            extra.push(r.clamp(1, n));
        }
        ranks.extend(extra);
    }
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(ranks.len());
    for &r in ranks.iter().rev() {
        let x = v[r - 1];
        let p = v.partition_point(|y| *y >= x) as f64 / n as f64;
        if out.last() != Some(&[x, p]) {
            out.push([x, p]);
        }
    }
    out
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
    /// The tail rule and level α of every tail test here.
    pub rule: crate::stats::Rule,
    pub level: f64,
    /// The first dimension-wise draw whose g (and whose ξ) could be tested (`None`: none could;
    /// see `untested`).
    pub dimension_g: Option<TailTest>,
    pub dimension_sgn: Option<TailTest>,
    /// The first tracked parameter that could be tested, over the logged steps.
    pub iteration_g: Option<TailTest>,
    /// The first tracked parameter that could be tested, over the M draws.
    pub iteration_sgn: Option<TailTest>,
    pub table_a: TableA,
    pub spectrum: Option<SpectrumAnalysis>,
    /// Samples that could not be tested and why (a degenerate sample is reported, never an
    /// error of the whole measurement).
    pub untested: Vec<Untested>,
}

/// A sample that could not be tested.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Untested {
    pub sample: String,
    pub reason: String,
}

/// Records why `label` could not be tested (each sample kind once per reason).
fn note(untested: &mut Vec<Untested>, label: &str, e: &StatsError) {
    let sample = label
        .split(" (")
        .next()
        .unwrap_or(label)
        .split(" of parameter")
        .next()
        .unwrap_or(label)
        .to_string();
    let reason = e.to_string();
    if !untested.iter().any(|u| u.sample == sample && u.reason == reason) {
        untested.push(Untested { sample, reason });
    }
}

/// Stage names reported to the progress callback, in order.
pub const STAGES: [&str; 5] = [
    "full-batch gradient",
    "dimension-wise tests",
    "iteration-wise tests",
    "per-sample gradients",
    "spectrum",
];

/// Measures the gradient structure at the trainer's current θ. `progress(stage, fraction)`
/// is called between units of work; returning `false` cancels with [`MeasureError::Cancelled`].
///
/// The engine's product scratch lives in the workspaces of the gradient passes' own tapes
/// ([`crate::nn::linalg::Workspace`]), freed with them, success or not, so the page keeps no
/// measurement-sized memory between measurements.
pub fn measure<F: FnMut(&str, f64) -> bool>(
    trainer: &Trainer,
    cfg: &MeasureConfig,
    progress: F,
) -> Result<GradientStructure, MeasureError> {
    measure_inner(trainer, cfg, progress)
}

fn measure_inner<F: FnMut(&str, f64) -> bool>(
    trainer: &Trainer,
    cfg: &MeasureConfig,
    mut progress: F,
) -> Result<GradientStructure, MeasureError> {
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
    let rate_opts = PowerLawOptions {
        bootstrap: Some(0),
        ..p.tail.clone()
    };
    let example_opts = PowerLawOptions {
        bootstrap: Some(p.example_bootstrap),
        ..p.tail.clone()
    };

    // ∇L(θ) over the whole training set.
    tick(0, 0, 1)?;
    let full = trainer.full_batch_grad()?;
    let n_params = full.grad.len();

    // Dimension-wise: all coordinates of g_B and ξ for `dim_draws` minibatches. The example of
    // each kind (kept with its sample for the charts) is the first draw it could be tested on; a
    // draw whose sample is degenerate (all zero, all equal, too few non-zero values) is counted
    // as skipped and its reason kept, never failing the measurement.
    let mut dim_g_verdicts = Vec::new();
    let mut dim_sgn_verdicts = Vec::new();
    let (mut skipped_g, mut skipped_sgn) = (0, 0);
    let (mut dimension_g, mut dimension_sgn): (Option<TailTest>, Option<TailTest>) = (None, None);
    let mut untested = Vec::new();
    for r in 0..p.dim_draws {
        tick(1, r, p.dim_draws)?;
        let batch = trainer.draw_batch(p.batch_size, p.seed, DIM_DRAW_STREAM ^ r as u64)?;
        let g = trainer.minibatch_grad(&batch)?.grad;
        let xi: Vec<f64> = g.iter().zip(&full.grad).map(|(a, b)| a - b).collect();
        let labels = [
            format!("dimension-wise g (all {n_params} coordinates of one minibatch gradient)"),
            format!("dimension-wise SGN (all {n_params} coordinates of ξ = g_B − ∇L)"),
        ];
        for (sample, label, example, verdicts, skipped) in [
            (g, &labels[0], &mut dimension_g, &mut dim_g_verdicts, &mut skipped_g),
            (
                xi,
                &labels[1],
                &mut dimension_sgn,
                &mut dim_sgn_verdicts,
                &mut skipped_sgn,
            ),
        ] {
            let outcome = if example.is_none() {
                TailTest::new(label.clone(), sample, &rate_opts).map(|t| {
                    let v = t.power_law.power_law;
                    *example = Some(t);
                    v
                })
            } else {
                power_law_test(&sample, &rate_opts, |_, _| true).map(|r| r.power_law)
            };
            match outcome {
                Ok(v) => verdicts.push(v),
                Err(StatsError::Cancelled) => return Err(MeasureError::Cancelled),
                Err(e) => {
                    *skipped += 1;
                    note(&mut untested, label, &e);
                }
            }
        }
    }

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
    let iter_sgn_label = format!(
        "iteration-wise SGN of parameter #{} over {} minibatch draws",
        tracked[ex], p.draws
    );
    let iteration_sgn = match TailTest::with_progress(
        iter_sgn_label.clone(),
        iter_sgn_samples[ex].clone(),
        &example_opts,
        |done, total| tick(2, done, 2 * total).is_ok(),
    ) {
        Ok(t) => Some(t),
        Err(StatsError::Cancelled) => return Err(MeasureError::Cancelled),
        Err(e) => {
            note(&mut untested, &iter_sgn_label, &e);
            None
        }
    };
    let (iteration_g, iteration_g_rate, logged_steps) = match log {
        Some(l) => {
            let samples: Vec<Vec<f64>> = (0..m).map(|i| column(&l.tracked_grads, i)).collect();
            // A short run (e.g. one epoch of a 142-sample table at B = 32: 4 steps) has too few
            // logged steps for any tail test: the rate then counts every sample as skipped and
            // there is no example, rather than failing the whole measurement.
            let rate = rate_of(&samples, &rate_opts);
            match (0..m).find(|&i| testable(&samples[i])) {
                None => {
                    untested.push(Untested {
                        sample: "iteration-wise g".into(),
                        reason: format!(
                            "no tracked parameter has {} non-zero values over the {} logged steps",
                            crate::stats::powerlaw::PAPER_MIN_N,
                            l.steps.len()
                        ),
                    });
                    (None, Some(rate), l.steps.len())
                }
                Some(ex) => {
                    let label = format!(
                        "iteration-wise g of parameter #{} over {} training steps",
                        tracked[ex],
                        l.steps.len()
                    );
                    let t = match TailTest::with_progress(
                        label.clone(),
                        samples[ex].clone(),
                        &example_opts,
                        |done, total| tick(2, total + done, 2 * total).is_ok(),
                    ) {
                        Ok(t) => Some(t),
                        Err(StatsError::Cancelled) => return Err(MeasureError::Cancelled),
                        Err(e) => {
                            note(&mut untested, &label, &e);
                            None
                        }
                    };
                    (t, Some(rate), l.steps.len())
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
        match analyze_grads_full(&grads, &opts) {
            Ok(a) => Some(a),
            // Parameters and shapes are the configuration's or the engine's: they propagate.
            Err(e @ (SpectrumError::InvalidParam(_) | SpectrumError::Shape(_))) => return Err(e.into()),
            Err(SpectrumError::Stats(StatsError::Cancelled)) => return Err(MeasureError::Cancelled),
            // A degenerate covariance (all-zero or non-finite gradients, eigenvalues all equal)
            // leaves the spectrum untested with its reason.
            Err(e) => {
                untested.push(Untested {
                    sample: "covariance spectrum".into(),
                    reason: e.to_string(),
                });
                None
            }
        }
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
        rule: p.tail.rule,
        level: p.tail.level.alpha(),
        dimension_g,
        dimension_sgn,
        iteration_g,
        iteration_sgn,
        spectrum,
        untested,
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
/// gradient is non-zero (`docs/PROTOCOL.md` §5.1, "tracked parameters").
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

#[cfg(test)]
mod tests {
    use super::*;

    /// P(|X| ≥ x) by counting, straight from the definition.
    fn direct(sample: &[f64], x: f64) -> f64 {
        let nz: Vec<f64> = sample.iter().map(|v| v.abs()).filter(|v| *v > 0.0).collect();
        nz.iter().filter(|v| **v >= x).count() as f64 / nz.len() as f64
    }

    #[test]
    fn ccdf_summary_matches_a_direct_count() {
        // 50 000 signed Pareto-like values with ties and zeros.
        let sample: Vec<f64> = (0..50_000)
            .map(|i| {
                let u = ((i as f64 * 0.618_033_988_7).fract() + 1e-6).min(1.0);
                let v = (u.powf_(-1.0 / 1.5) * 100.0).round() / 100.0;
                if i % 7 == 0 {
                    0.0
                } else if i % 2 == 0 {
                    v
                } else {
                    -v
                }
            })
            .collect();
        let n_tail = 1000;
        let c = ccdf_summary(&sample, n_tail);
        assert!(c.len() <= CCDF_POINTS && c.len() > 200, "{} points", c.len());
        for w in c.windows(2) {
            assert!(
                w[0][0] < w[1][0] && w[0][1] > w[1][1],
                "x ascending, P descending: {w:?}"
            );
        }
        for p in &c {
            assert_eq!(p[1], direct(&sample, p[0]), "P(|X| ≥ {})", p[0]);
        }
        let mut v: Vec<f64> = sample.iter().map(|x| x.abs()).filter(|x| *x > 0.0).collect();
        v.sort_unstable_by(|a, b| b.total_cmp(a));
        let n = v.len();
        // The largest values, x_min's neighbourhood, the 1st percentile and the smallest value.
        for r in [1, 2, 3, 50, 100, n_tail - 5, n_tail, n_tail + 5, n - (n - 1) / 100, n] {
            assert!(c.iter().any(|p| p[0] == v[r - 1]), "rank {r} (x = {}) kept", v[r - 1]);
        }
        assert!(ccdf_summary(&[0.0, 0.0], 0).is_empty());
        // A small sample is kept whole.
        let small = [3.0, -1.0, 2.0, 2.0, 0.0];
        assert_eq!(ccdf_summary(&small, 2), vec![[1.0, 1.0], [2.0, 0.75], [3.0, 0.25]]);
    }
}
