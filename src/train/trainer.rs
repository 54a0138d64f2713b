//! The step-wise [`Trainer`]: minibatch SGD as a resumable state machine (the batches, the
//! update d_t = g_t + λ θ_t; v_{t+1} = μ v_t + d_t; θ_{t+1} = θ_t − η_t v_{t+1}, the logging and
//! the divergence stop are described in the [module doc of `train`](super)), [`EvalStats`] and
//! its [`TrainError`].

use super::log::{GradSnapshot, GradientLog, StepStats};
use super::params::{ConfigError, Precision, TrainConfig};
use crate::data::Dataset;
use crate::nn::grad::{self, gather};
use crate::nn::{Network, NnError, Tape};
use crate::rng::{substream, SeededRng};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Stream id of the per-epoch shuffles.
pub const SHUFFLE_STREAM: u64 = 0x5348_5546;
/// Stream id of the choice of tracked parameters.
pub const TRACK_STREAM: u64 = 0x5452_434b;

/// Loss and accuracy on a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EvalStats {
    pub n: usize,
    pub loss: f64,
    pub accuracy: f64,
}

/// What went non-finite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Divergence {
    Loss,
    Weights,
}

/// Why a step or a measurement failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TrainError {
    #[error("training diverged at step {step}: the {} became non-finite (lower the learning rate)", match what { Divergence::Loss => "minibatch loss", Divergence::Weights => "weights" })]
    Diverged { step: u64, what: Divergence },
    #[error("training is finished: all {total_steps} steps were taken")]
    Finished { total_steps: u64 },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Nn(#[from] NnError),
}

/// The step-wise trainer. Create with [`Trainer::new`], advance with [`Trainer::step`] (or
/// [`Trainer::run`] for a slice of steps); pause/resume is simply not calling `step`. The fields
/// `cfg`, `net`, `data`, `step` and `log` are visible to [`super::measure`] (the measurements).
#[derive(Debug)]
pub struct Trainer {
    pub(super) cfg: TrainConfig,
    pub(super) net: Network<f32>,
    velocity: Vec<f32>,
    grad: Vec<f32>,
    pub(super) data: Dataset,
    tape: Tape<f32>,
    xb: Vec<f32>,
    yb: Vec<u32>,
    perm: Vec<usize>,
    pub(super) step: u64,
    shuffle_rng: SeededRng,
    pub(super) log: Option<GradientLog>,
    history: Vec<StepStats>,
    stopped: Option<TrainError>,
    theta0: Vec<f32>,
}

impl Trainer {
    /// Initialises θ₀ from the seed, and (when logging) chooses the tracked parameters among
    /// those with non-zero full-batch gradient at θ₀. `train` must be the dataset `cfg` was
    /// checked against.
    pub fn new(cfg: TrainConfig, train: Dataset) -> Result<Trainer, TrainError> {
        train
            .validate()
            .map_err(|e| TrainError::Nn(NnError::Invalid(e.to_string())))?;
        if train.n() != cfg.n_train {
            return Err(TrainError::Nn(NnError::Invalid(format!(
                "config was checked for {} samples, got {}",
                cfg.n_train,
                train.n()
            ))));
        }
        // The config's fields are public: re-validate against this dataset (cheap) so that a
        // hand-edited `TrainConfig` cannot reach the allocation below.
        let cfg = cfg.params.check(&train)?;
        if train.n() != cfg.n_train {
            return Err(TrainError::Nn(NnError::Invalid(format!(
                "config was checked for {} samples, got {}",
                cfg.n_train,
                train.n()
            ))));
        }
        let p = &cfg.params;
        let net = Network::<f32>::init(&p.model, train.d(), train.image, train.n_classes, p.init, p.seed)?;
        if net.n_params() != cfg.n_params {
            return Err(TrainError::Nn(NnError::Shape(
                "parameter count differs from the checked config".into(),
            )));
        }
        let mut log = None;
        if let Some(lp) = &p.log {
            let full = match p.sgd.precision {
                Precision::F32 => grad::full_batch_grad(&net, &train, p.loss)?,
                Precision::F64 => grad::full_batch_grad(&net.cast::<f64>(), &train, p.loss)?,
            };
            let candidates: Vec<usize> = (0..full.grad.len()).filter(|&i| full.grad[i] != 0.0).collect();
            let mut rng = substream(p.seed, TRACK_STREAM);
            let m = lp.n_tracked.min(candidates.len());
            let tracked = if m == 0 {
                Vec::new()
            } else {
                let picks = grad::draw_minibatch(candidates.len(), m, &mut rng)?;
                picks.into_iter().map(|i| candidates[i]).collect()
            };
            log = Some(GradientLog {
                n_params: net.n_params(),
                tracked,
                ..Default::default()
            });
        }
        let pn = net.n_params();
        let theta0 = net.params.clone();
        let mut tr = Trainer {
            velocity: vec![0.0; pn],
            grad: vec![0.0; pn],
            net,
            perm: (0..train.n()).collect(),
            data: train,
            tape: Tape::default(),
            xb: Vec::new(),
            yb: Vec::new(),
            step: 0,
            shuffle_rng: substream(p.seed, SHUFFLE_STREAM),
            log,
            history: Vec::new(),
            stopped: None,
            theta0: Vec::new(),
            cfg,
        };
        tr.theta0 = theta0;
        Ok(tr)
    }

    /// The network at initialisation θ₀ (e.g. for "trained vs initial" spectra with the free
    /// functions of [`crate::nn::grad`]).
    pub fn initial_network(&self) -> Network<f32> {
        Network {
            layers: self.net.layers.clone(),
            offsets: self.net.offsets.clone(),
            params: self.theta0.clone(),
        }
    }

    pub fn config(&self) -> &TrainConfig {
        &self.cfg
    }
    pub fn network(&self) -> &Network<f32> {
        &self.net
    }
    /// θ converted to f64 (exact), for measurements.
    pub fn network_f64(&self) -> Network<f64> {
        self.net.cast()
    }
    pub fn train_data(&self) -> &Dataset {
        &self.data
    }
    /// Index of the next step (= number of steps taken).
    pub fn step_index(&self) -> u64 {
        self.step
    }
    pub fn total_steps(&self) -> u64 {
        self.cfg.total_steps
    }
    /// Share of the run done, in [0, 1] (for progress bars).
    pub fn progress(&self) -> f64 {
        self.step as f64 / self.cfg.total_steps.max(1) as f64
    }
    pub fn is_finished(&self) -> bool {
        self.step >= self.cfg.total_steps
    }
    /// Learning rate the next step will use.
    pub fn current_lr(&self) -> f64 {
        self.cfg
            .params
            .sgd
            .schedule
            .lr(self.cfg.params.sgd.lr, self.step, self.cfg.total_steps)
    }
    pub fn history(&self) -> &[StepStats] {
        &self.history
    }
    pub fn log(&self) -> Option<&GradientLog> {
        self.log.as_ref()
    }
    /// Moves the log out (an empty log with the same tracked indices stays).
    pub fn take_log(&mut self) -> Option<GradientLog> {
        let fresh = self.log.as_ref().map(|l| GradientLog {
            n_params: l.n_params,
            tracked: l.tracked.clone(),
            ..Default::default()
        });
        std::mem::replace(&mut self.log, fresh)
    }
    /// FNV-1a fingerprint of θ (f32 bit patterns).
    pub fn fingerprint(&self) -> u64 {
        self.net.fingerprint()
    }

    /// One minibatch SGD step (see the module doc for the exact update).
    pub fn step(&mut self) -> Result<StepStats, TrainError> {
        if let Some(e) = &self.stopped {
            return Err(e.clone());
        }
        if self.is_finished() {
            return Err(TrainError::Finished {
                total_steps: self.cfg.total_steps,
            });
        }
        let t = self.step;
        let spe = self.cfg.steps_per_epoch;
        let b = self.cfg.params.sgd.batch_size;
        if t.is_multiple_of(spe) {
            crate::data::shuffle(&mut self.perm, &mut self.shuffle_rng);
        }
        let start = (t % spe) as usize * b;
        let batch: Vec<usize> = self.perm[start..start + b].to_vec();
        let lr = self.current_lr();
        let loss_kind = self.cfg.params.loss;

        // Frozen-θ draws at θ_t, before the update.
        let frozen = (self.cfg.params.log.as_ref())
            .and(self.cfg.params.frozen.as_ref())
            .filter(|f| f.at_steps.contains(&t))
            .map(|f| (f.draws, f.batch_size));
        if let Some((draws, batch_size)) = frozen {
            self.record_frozen_draws(draws, batch_size)?;
        }

        gather(&self.data, &batch, &mut self.xb, &mut self.yb);
        self.grad.iter_mut().for_each(|v| *v = 0.0);
        let (loss_sum, correct) = self.net.loss_grad_batch(
            &self.xb,
            &self.yb,
            loss_kind,
            &mut self.tape,
            &mut self.grad,
            1.0 / b as f32,
        );
        let loss = loss_sum / b as f64;
        if !loss.is_finite() {
            return Err(self.stop(TrainError::Diverged {
                step: t,
                what: Divergence::Loss,
            }));
        }
        let grad_norm = self.grad.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>().sqrt();

        // Logging (data-loss gradient, before weight decay and the update).
        if let Some(lp) = self.cfg.params.log.clone() {
            let snapshot = if lp.full_every > 0 && t.is_multiple_of(lp.full_every) {
                let full = self.full_batch_grad()?;
                let g: Vec<f64> = self.grad.iter().map(|&v| v as f64).collect();
                let xi = g.iter().zip(&full.grad).map(|(a, b)| a - b).collect();
                Some(GradSnapshot {
                    step: t,
                    g,
                    full: full.grad,
                    xi,
                    batch_loss: loss,
                    full_loss: full.loss,
                })
            } else {
                None
            };
            if let Some(log) = self.log.as_mut() {
                log.steps.push(t);
                let g = &self.grad;
                log.tracked_grads.extend(log.tracked.iter().map(|&i| g[i] as f64));
                if let Some(s) = snapshot {
                    log.snapshots.push(s);
                }
            }
        }

        // SGD update (PyTorch convention).
        let (mu, wd, lr32) = (
            self.cfg.params.sgd.momentum as f32,
            self.cfg.params.sgd.weight_decay as f32,
            lr as f32,
        );
        let mut finite = true;
        for ((w, v), &g) in self.net.params.iter_mut().zip(self.velocity.iter_mut()).zip(&self.grad) {
            let d = g + wd * *w;
            *v = mu * *v + d;
            *w -= lr32 * *v;
            finite &= w.is_finite();
        }
        if !finite {
            return Err(self.stop(TrainError::Diverged {
                step: t,
                what: Divergence::Weights,
            }));
        }
        self.step += 1;
        let stats = StepStats {
            step: t,
            epoch: t / spe,
            loss,
            accuracy: correct as f64 / b as f64,
            lr,
            grad_norm,
        };
        self.history.push(stats);
        Ok(stats)
    }

    fn stop(&mut self, e: TrainError) -> TrainError {
        self.stopped = Some(e.clone());
        e
    }

    /// Runs up to `max_steps` steps (a slice for the page's worker loop); stops early at the
    /// end of training. Returns the stats of the steps taken.
    pub fn run(&mut self, max_steps: u64) -> Result<Vec<StepStats>, TrainError> {
        let mut out = Vec::new();
        for _ in 0..max_steps {
            if self.is_finished() {
                break;
            }
            out.push(self.step()?);
        }
        Ok(out)
    }
}
