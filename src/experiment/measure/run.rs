//! The measurement at one frozen θ ([`measure`]): the full-batch gradient, the dimension-wise
//! draws of g_B(θ) and ξ, the iteration-wise samples (the log's tracked series over T steps,
//! and ξ over M minibatch draws at θ), Table A's power-law rates, then N_cov per-sample gradients
//! and the covariance spectrum; each random draw from `substream(seed, stream)` with this
//! module's stream ids (`docs/PROTOCOL.md` §5).

use super::sample::TailTest;
use super::{
    GradientStructure, MeasureConfig, MeasureError, TableA, Untested, COV_STREAM, DIM_DRAW_STREAM, STAGES, TRACK_STREAM,
};
use crate::data::permutation;
use crate::nn::grad::draw_minibatch;
use crate::rng::substream;
use crate::spectrum::{analyze_grads_full, SpectrumError};
use crate::stats::powerlaw::{power_law_test, BootstrapJob, BootstrapResult, PowerLawOptions};
use crate::stats::{rate_from_verdicts, PowerLawRate, StatsError};
use crate::train::Trainer;

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
/// Measures the gradient structure at the trainer's current θ. `progress(stage, fraction)`
/// is called between units of work; returning `false` cancels with [`MeasureError::Cancelled`].
///
/// The engine's product scratch lives in the workspaces of the gradient passes' own tapes
/// ([`crate::nn::linalg::Workspace`]), freed with them, success or not, so the page keeps no
/// measurement-sized memory between measurements.
pub fn measure<F: FnMut(&str, f64) -> bool>(
    trainer: &Trainer,
    cfg: &MeasureConfig,
    mut progress: F,
) -> Result<GradientStructure, MeasureError> {
    measure_deferred(trainer, cfg, &mut progress)?.run(progress)
}

/// [`measure`] without running the example tail tests' bootstraps (the last stage): the
/// measurement and the bootstraps still to run.
pub fn measure_deferred<F: FnMut(&str, f64) -> bool>(
    trainer: &Trainer,
    cfg: &MeasureConfig,
    mut progress: F,
) -> Result<PendingMeasurement, MeasureError> {
    let p = cfg.params();
    let mut tick = |stage: usize, done: usize, total: usize| {
        let f = (stage as f64 + done as f64 / total.max(1) as f64) / STAGES.len() as f64;
        if progress(STAGES[stage], f) {
            Ok(())
        } else {
            Err(MeasureError::Cancelled)
        }
    };
    let n = trainer.train_data().n();
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
    let mut bootstraps = Vec::new();
    let iteration_sgn = match TailTest::deferred(iter_sgn_label.clone(), iter_sgn_samples[ex].clone(), &example_opts) {
        Ok((t, job)) => {
            bootstraps.extend(job.map(|job| PendingBootstrap {
                example: Example::IterationSgn,
                job,
            }));
            Some(t)
        }
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
                    let t = match TailTest::deferred(label.clone(), samples[ex].clone(), &example_opts) {
                        Ok((t, job)) => {
                            bootstraps.extend(job.map(|job| PendingBootstrap {
                                example: Example::IterationG,
                                job,
                            }));
                            Some(t)
                        }
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

    let structure = GradientStructure {
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
    };
    Ok(PendingMeasurement { structure, bootstraps })
}

/// Which example tail test of a measurement a bootstrap belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Example {
    /// [`GradientStructure::iteration_sgn`].
    IterationSgn,
    /// [`GradientStructure::iteration_g`].
    IterationG,
}

/// An example tail test's bootstrap still to run.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingBootstrap {
    pub example: Example,
    pub job: BootstrapJob,
}

/// A measurement whose example tail tests' bootstraps are still to run ([`measure_deferred`]):
/// everything else is measured. Run them here ([`PendingMeasurement::run`]), or anywhere and
/// hand their results to [`PendingMeasurement::finish`] (the page splits them between its pool
/// workers): each replicate is seeded by its index and the counts are integers, so both give the
/// same bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingMeasurement {
    structure: GradientStructure,
    bootstraps: Vec<PendingBootstrap>,
}

impl PendingMeasurement {
    /// The bootstraps still to run, in order.
    pub fn bootstraps(&self) -> &[PendingBootstrap] {
        &self.bootstraps
    }

    /// The measurement with every bootstrap's result, in the order of [`Self::bootstraps`]: a
    /// p-value joins its example's report; a bootstrap that could not run (no replicate could be
    /// re-fitted) leaves its example untested with the reason, like any degenerate sample; a
    /// cancelled one cancels the measurement.
    pub fn finish(self, results: Vec<Result<BootstrapResult, StatsError>>) -> Result<GradientStructure, MeasureError> {
        let mut g = self.structure;
        if results.len() != self.bootstraps.len() {
            return Err(MeasureError::Stats(StatsError::InvalidParameter {
                name: "bootstrap results",
                reason: format!("{} results for {} bootstraps", results.len(), self.bootstraps.len()),
            }));
        }
        for (b, r) in self.bootstraps.iter().zip(results) {
            let slot = match b.example {
                Example::IterationSgn => &mut g.iteration_sgn,
                Example::IterationG => &mut g.iteration_g,
            };
            match (r, slot.take()) {
                (Err(StatsError::Cancelled), _) => return Err(MeasureError::Cancelled),
                (Ok(r), Some(mut t)) => {
                    t.power_law = t.power_law.with_bootstrap(&r);
                    *slot = Some(t);
                }
                (Err(e), Some(t)) => note(&mut g.untested, &t.label, &e),
                (_, None) => {}
            }
        }
        Ok(g)
    }

    /// Runs every bootstrap here (natively on the current rayon pool, [`BootstrapJob::run`])
    /// and finishes; `progress(stage, fraction)` as in [`measure`] (the last stage).
    pub fn run<F: FnMut(&str, f64) -> bool>(self, mut progress: F) -> Result<GradientStructure, MeasureError> {
        let total: usize = self.bootstraps.iter().map(|b| b.job.replicates).sum();
        let stage = STAGES.len() - 1;
        let mut before = 0;
        let mut results = Vec::with_capacity(self.bootstraps.len());
        for b in &self.bootstraps {
            let r = b.job.run(|done, _| {
                progress(
                    STAGES[stage],
                    (stage as f64 + (before + done) as f64 / total.max(1) as f64) / STAGES.len() as f64,
                )
            });
            if matches!(r, Err(StatsError::Cancelled)) {
                return Err(MeasureError::Cancelled);
            }
            before += b.job.replicates;
            results.push(r);
        }
        self.finish(results)
    }
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
