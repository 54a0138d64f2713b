//! The [`Trainer`]'s measurements at the current θ, all in f64 with the arithmetic of
//! [`Precision`]: the full-batch data-loss gradient ∇L(θ), minibatch gradients g_B(θ), the SGN
//! ξ = g_B(θ) − ∇L(θ), per-sample gradients, frozen-θ minibatch draws on the tracked
//! parameters; and [`evaluate`] (mean loss and accuracy on a dataset).

use super::log::FrozenDraws;
use super::params::{ConfigError, Precision};
use super::trainer::{EvalStats, TrainError, Trainer};
use crate::data::Dataset;
use crate::nn::grad::{self, gather, GradEval, Sgn, CHUNK};
use crate::nn::{LossKind, Network, NnError, PerSampleGrads, Tape};
use crate::rng::substream;

/// Stream id of the frozen-θ minibatch draws (xored with the step index).
pub const FROZEN_STREAM: u64 = 0x4652_5a4e;

impl Trainer {
    /// Mean loss and accuracy of the current θ on `ds` (f32 forward, f64 sums, chunks of 512).
    pub fn evaluate(&self, ds: &Dataset) -> Result<EvalStats, TrainError> {
        evaluate(&self.net, ds, self.cfg.params.loss)
    }

    /// Full-batch data-loss gradient ∇L(θ) over the training set (f64).
    pub fn full_batch_grad(&self) -> Result<GradEval, TrainError> {
        let l = self.cfg.params.loss;
        Ok(match self.cfg.params.sgd.precision {
            Precision::F32 => grad::full_batch_grad(&self.net, &self.data, l)?,
            Precision::F64 => grad::full_batch_grad(&self.network_f64(), &self.data, l)?,
        })
    }

    /// Minibatch data-loss gradient g_B(θ) over the training samples `batch` (f64).
    pub fn minibatch_grad(&self, batch: &[usize]) -> Result<GradEval, TrainError> {
        let l = self.cfg.params.loss;
        Ok(match self.cfg.params.sgd.precision {
            Precision::F32 => grad::minibatch_grad(&self.net, &self.data, batch, l)?,
            Precision::F64 => grad::minibatch_grad(&self.network_f64(), &self.data, batch, l)?,
        })
    }

    /// SGN ξ = g_B(θ) − ∇L(θ) at the current θ for the training samples `batch`.
    pub fn sgn(&self, batch: &[usize]) -> Result<Sgn, TrainError> {
        let l = self.cfg.params.loss;
        Ok(match self.cfg.params.sgd.precision {
            Precision::F32 => grad::sgn(&self.net, &self.data, batch, l)?,
            Precision::F64 => grad::sgn(&self.network_f64(), &self.data, batch, l)?,
        })
    }

    /// Draws a minibatch of `b` training indices without replacement from
    /// `substream(seed, stream)` (a helper for [`Trainer::sgn`]).
    pub fn draw_batch(&self, b: usize, seed: u64, stream: u64) -> Result<Vec<usize>, TrainError> {
        Ok(grad::draw_minibatch(self.data.n(), b, &mut substream(seed, stream))?)
    }

    /// Per-sample gradients at the current θ for the training samples `idx` (one batched pass).
    /// Refused with [`ConfigError::Memory`] when [`grad::per_sample_bytes`] exceeds the config's cap.
    pub fn per_sample_grads(&self, idx: &[usize]) -> Result<PerSampleGrads, TrainError> {
        let estimate = grad::per_sample_bytes(&self.net, idx.len());
        if estimate > self.cfg.params.memory_cap {
            return Err(ConfigError::Memory {
                estimate,
                cap: self.cfg.params.memory_cap,
            }
            .into());
        }
        let l = self.cfg.params.loss;
        Ok(match self.cfg.params.sgd.precision {
            Precision::F32 => grad::per_sample_grads(&self.net, &self.data, idx, l)?,
            Precision::F64 => grad::per_sample_grads(&self.network_f64(), &self.data, idx, l)?,
        })
    }

    /// Per-sample gradients of the tracked parameters for every training sample: N × m, f64,
    /// from batched backward passes in chunks of [`CHUNK`].
    pub fn tracked_per_sample(&self, tracked: &[usize]) -> Result<Vec<f64>, TrainError> {
        match self.cfg.params.sgd.precision {
            Precision::F32 => tracked_per_sample(&self.net, &self.data, tracked, self.cfg.params.loss),
            Precision::F64 => tracked_per_sample(&self.network_f64(), &self.data, tracked, self.cfg.params.loss),
        }
    }

    /// Records `draws` independent minibatches of `batch_size` (each without replacement) at the
    /// current θ, on the tracked parameters, into the log, and returns them. Exact: the
    /// per-sample gradients of the tracked parameters are computed once for all N samples and
    /// each draw averages B of their rows. Draws come from `substream(seed, FROZEN_STREAM ^ t)`.
    pub fn record_frozen_draws(&mut self, draws: usize, batch_size: usize) -> Result<&FrozenDraws, TrainError> {
        let tracked = match &self.log {
            Some(l) => l.tracked.clone(),
            None => return Err(TrainError::Nn(NnError::Invalid("no GradientLog configured".into()))),
        };
        let fd = self.frozen_draws(&tracked, draws, batch_size)?;
        match self.log.as_mut() {
            Some(log) => {
                log.frozen.push(fd);
                match log.frozen.last() {
                    Some(f) => Ok(f),
                    None => Err(TrainError::Nn(NnError::Empty)),
                }
            }
            None => Err(TrainError::Nn(NnError::Invalid("no GradientLog configured".into()))),
        }
    }

    /// Like [`Trainer::record_frozen_draws`] for any parameter set, without logging.
    pub fn frozen_draws(&self, tracked: &[usize], draws: usize, batch_size: usize) -> Result<FrozenDraws, TrainError> {
        let n = self.data.n();
        if draws == 0 || batch_size == 0 || batch_size > n {
            return Err(TrainError::Nn(NnError::Invalid(format!(
                "{draws} draws of {batch_size} from {n} samples"
            ))));
        }
        let m = tracked.len();
        let ps = self.tracked_per_sample(tracked)?;
        let mut full = vec![0f64; m];
        for row in ps.chunks_exact(m.max(1)) {
            for (f, v) in full.iter_mut().zip(row) {
                *f += v;
            }
        }
        full.iter_mut().for_each(|v| *v /= n as f64);
        let mut rng = substream(self.cfg.params.seed, FROZEN_STREAM ^ self.step);
        let mut g = Vec::with_capacity(draws * m);
        let mut xi = Vec::with_capacity(draws * m);
        let mut acc = vec![0f64; m];
        for _ in 0..draws {
            let idx = grad::draw_minibatch(n, batch_size, &mut rng)?;
            acc.iter_mut().for_each(|v| *v = 0.0);
            for &j in &idx {
                for (a, v) in acc.iter_mut().zip(&ps[j * m..(j + 1) * m]) {
                    *a += v;
                }
            }
            for (a, f) in acc.iter().zip(&full) {
                let gb = a / batch_size as f64;
                g.push(gb);
                xi.push(gb - f);
            }
        }
        Ok(FrozenDraws {
            step: self.step,
            batch_size,
            draws,
            tracked: tracked.to_vec(),
            full,
            g,
            xi,
        })
    }
}

/// Per-sample gradients of the parameters `tracked` for every sample of `ds`: N × m, f64,
/// from batched backward passes in chunks of [`CHUNK`].
pub fn tracked_per_sample<T: crate::nn::Scalar>(
    net: &Network<T>,
    ds: &Dataset,
    tracked: &[usize],
    loss: LossKind,
) -> Result<Vec<f64>, TrainError> {
    let m = tracked.len();
    if let Some(&bad) = tracked.iter().find(|&&i| i >= net.n_params()) {
        return Err(TrainError::Nn(NnError::Index {
            index: bad,
            n: net.n_params(),
        }));
    }
    let mut out = Vec::with_capacity(ds.n() * m);
    let all: Vec<usize> = (0..ds.n()).collect();
    for chunk in all.chunks(CHUNK) {
        let ps = grad::per_sample_grads(net, ds, chunk, loss)?;
        for j in 0..ps.n {
            out.extend(tracked.iter().map(|&i| ps.get(j, i).unwrap_or(0.0)));
        }
    }
    Ok(out)
}

/// Mean loss and accuracy of `net` on `ds`.
pub fn evaluate(net: &Network<f32>, ds: &Dataset, loss: LossKind) -> Result<EvalStats, TrainError> {
    if ds.d() != net.input_dim() {
        return Err(TrainError::Nn(NnError::InputDim {
            data: ds.d(),
            net: net.input_dim(),
        }));
    }
    if ds.n_classes > net.output_dim() {
        return Err(TrainError::Nn(NnError::Classes {
            data: ds.n_classes,
            net: net.output_dim(),
        }));
    }
    if ds.n() == 0 {
        return Err(TrainError::Nn(NnError::Empty));
    }
    let mut tape = Tape::default();
    let (mut total, mut correct) = (0f64, 0usize);
    let mut x = Vec::new();
    let mut y = Vec::new();
    let all: Vec<usize> = (0..ds.n()).collect();
    for chunk in all.chunks(CHUNK) {
        gather(ds, chunk, &mut x, &mut y);
        let (l, c) = net.loss_batch(&x, &y, loss, &mut tape);
        total += l;
        correct += c;
    }
    Ok(EvalStats {
        n: ds.n(),
        loss: total / ds.n() as f64,
        accuracy: correct as f64 / ds.n() as f64,
    })
}
