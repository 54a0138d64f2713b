//! The configuration of a run: [`TrainParams`] (model, initialisation, loss, [`SgdParams`] with
//! its [`LrSchedule`], batch size, epochs, seed, memory cap, [`LogParams`], [`Precision`]) and
//! its validation [`TrainParams::check`] → [`TrainConfig`] or a typed [`ConfigError`].
//!
//! The schedule (`docs/PROTOCOL.md` §1): constant, or step decay
//! η_t = η₀ · factor^{#{m : t ≥ ⌊m·T⌋}} for the milestones m (default 0.4 and 0.8, factor 0.1).
//! [`estimate_memory`] bounds the bytes a run allocates before anything large is allocated.

use super::log::StepStats;
use crate::data::Dataset;
use crate::nn::grad::CHUNK;
use crate::nn::{InitKind, Layer, LossKind, ModelSpec, NnError};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Default memory cap: 512 MiB (of wasm32's 4 GiB address space).
pub const DEFAULT_MEMORY_CAP: u64 = 512 << 20;

/// Arithmetic of gradient *measurements* (full-batch gradients, SGN, per-sample gradients, the
/// log's ∇L(θ_t)); results are f64 either way. Training itself is always f32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// f32 forward/backward (the same arithmetic as training), chunk sums accumulated in f64.
    /// About 2× faster natively and much faster in wasm32 with SIMD; relative error ~1e-6.
    #[default]
    F32,
    /// f64 forward/backward on the exact f64 copy of θ.
    F64,
}

/// Learning-rate schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LrSchedule {
    Constant,
    /// Multiply by `factor` at each milestone, a fraction of the total steps.
    StepDecay {
        milestones: Vec<f64>,
        factor: f64,
    },
}

impl Default for LrSchedule {
    fn default() -> Self {
        LrSchedule::StepDecay {
            milestones: vec![0.4, 0.8],
            factor: 0.1,
        }
    }
}

impl LrSchedule {
    /// η_t for step t of T with base rate η₀.
    pub fn lr(&self, base: f64, t: u64, total: u64) -> f64 {
        match self {
            LrSchedule::Constant => base,
            LrSchedule::StepDecay { milestones, factor } => {
                let passed = milestones
                    .iter()
                    .filter(|&&m| t >= (m * total as f64).floor() as u64)
                    .count();
                // Repeated multiplication (not powi) so the value is the same on every platform.
                (0..passed).fold(base, |lr, _| lr * factor)
            }
        }
    }
}

/// SGD hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SgdParams {
    /// Base learning rate η₀, in (0, 10].
    pub lr: f64,
    /// Momentum μ ∈ [0, 1).
    pub momentum: f64,
    /// Weight decay λ ∈ [0, 0.1] (L2 added to the gradient).
    pub weight_decay: f64,
    pub schedule: LrSchedule,
}

impl Default for SgdParams {
    fn default() -> Self {
        SgdParams {
            lr: 0.1,
            momentum: 0.9,
            weight_decay: 5e-4,
            schedule: LrSchedule::default(),
        }
    }
}

/// Frozen-θ minibatch draws: at each step in `at_steps` (before its update), `draws`
/// independent minibatches of `batch_size` samples (each without replacement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenParams {
    pub at_steps: Vec<u64>,
    pub draws: usize,
    pub batch_size: usize,
}

/// What the [`GradientLog`](super::GradientLog) records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogParams {
    /// m, the number of tracked parameters (seeded choice among those with non-zero
    /// full-batch gradient at θ₀; fewer if fewer are non-zero); their minibatch gradient is
    /// recorded at every step.
    pub n_tracked: usize,
    /// k: full g_t, ∇L(θ_t) and ξ_t vectors every k steps (at t = 0, k, 2k, …); 0 = never.
    pub full_every: u64,
    pub frozen: Option<FrozenParams>,
}

impl Default for LogParams {
    fn default() -> Self {
        LogParams {
            n_tracked: 50,
            full_every: 50,
            frozen: None,
        }
    }
}

/// Everything a run needs; validate with [`TrainParams::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    pub model: ModelSpec,
    pub init: InitKind,
    pub loss: LossKind,
    pub sgd: SgdParams,
    /// B ∈ 1..=N.
    pub batch_size: usize,
    /// Epochs ∈ 1..=1000.
    pub epochs: usize,
    /// Seed of the initialisation, the shuffles and the logs' random choices.
    pub seed: u64,
    /// Refuse configurations whose [`MemoryEstimate`] exceeds this many bytes.
    pub memory_cap: u64,
    pub log: Option<LogParams>,
    /// Arithmetic of gradient measurements (default f32).
    #[serde(default)]
    pub precision: Precision,
}

impl Default for TrainParams {
    /// The lab's default experiment (`docs/PROTOCOL.md` §1.4): FCN 784→100→100→10 ReLU (He init),
    /// cross-entropy, SGD η = 0.1, μ = 0.9, λ = 5e-4, ÷10 at 40 % and 80 %, B = 128, 16 epochs
    /// (992 steps on 8,000 training images), seed 0, default log (m = 50, k = 50).
    fn default() -> Self {
        TrainParams {
            model: ModelSpec::default(),
            init: InitKind::Auto,
            loss: LossKind::CrossEntropy,
            sgd: SgdParams::default(),
            batch_size: 128,
            epochs: 16,
            seed: 0,
            memory_cap: DEFAULT_MEMORY_CAP,
            log: Some(LogParams::default()),
            precision: Precision::F32,
        }
    }
}

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigError {
    #[error("{field} = {value} is out of range ({range})")]
    OutOfRange {
        field: &'static str,
        value: String,
        range: &'static str,
    },
    #[error("the run would need about {estimate} bytes ({} MiB), above the cap of {cap} bytes ({} MiB)", estimate >> 20, cap >> 20)]
    Memory { estimate: u64, cap: u64 },
    #[error("model: {0}")]
    Model(#[from] NnError),
}

fn range_err(field: &'static str, value: impl ToString, range: &'static str) -> ConfigError {
    ConfigError::OutOfRange {
        field,
        value: value.to_string(),
        range,
    }
}

/// Bytes a run will allocate, by category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryEstimate {
    /// θ, gradient, velocity (f32) and an f64 copy of θ for measurements.
    pub parameters: u64,
    /// Activations and errors of a training batch (f32) and of a measurement chunk (f64).
    pub activations: u64,
    /// The trainer's copy of the training set.
    pub data: u64,
    /// The GradientLog and the per-step history at the end of the run.
    pub logs: u64,
    pub total: u64,
}

/// A validated configuration (build with [`TrainParams::check`]; [`Trainer::new`](super::Trainer::new) re-checks it).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub params: TrainParams,
    pub layers: Vec<Layer>,
    pub n_params: usize,
    pub n_train: usize,
    pub steps_per_epoch: u64,
    pub total_steps: u64,
    pub memory: MemoryEstimate,
}

impl TrainParams {
    /// Validates ranges, the model against the data, and the memory estimate against the cap,
    /// before anything large is allocated.
    pub fn check(&self, train: &Dataset) -> Result<TrainConfig, ConfigError> {
        let p = self;
        if let ModelSpec::Fcn { hidden, .. } = &p.model {
            if hidden.is_empty() || hidden.len() > 4 {
                return Err(range_err("hidden layers", hidden.len(), "1..=4"));
            }
            if let Some(&w) = hidden.iter().find(|&&w| !(10..=256).contains(&w)) {
                return Err(range_err("hidden width", w, "10..=256"));
            }
        }
        if !(p.sgd.lr > 0.0 && p.sgd.lr <= 10.0) {
            return Err(range_err("lr", p.sgd.lr, "(0, 10]"));
        }
        if !(0.0..1.0).contains(&p.sgd.momentum) {
            return Err(range_err("momentum", p.sgd.momentum, "[0, 1)"));
        }
        if !(0.0..=0.1).contains(&p.sgd.weight_decay) {
            return Err(range_err("weight_decay", p.sgd.weight_decay, "[0, 0.1]"));
        }
        if let LrSchedule::StepDecay { milestones, factor } = &p.sgd.schedule {
            if !(*factor > 0.0 && *factor <= 1.0) {
                return Err(range_err("schedule factor", factor, "(0, 1]"));
            }
            if milestones.len() > 16 || milestones.iter().any(|m| !(*m > 0.0 && *m < 1.0)) {
                return Err(range_err(
                    "schedule milestones",
                    format!("{milestones:?}"),
                    "at most 16 fractions in (0, 1)",
                ));
            }
        }
        train
            .validate()
            .map_err(|e| ConfigError::Model(NnError::Invalid(e.to_string())))?;
        if train.n < 2 {
            return Err(range_err("training samples", train.n, "≥ 2"));
        }
        if p.batch_size == 0 || p.batch_size > train.n {
            return Err(range_err("batch_size", p.batch_size, "1..=number of training samples"));
        }
        if p.epochs == 0 || p.epochs > 1000 {
            return Err(range_err("epochs", p.epochs, "1..=1000"));
        }
        let steps_per_epoch = (train.n / p.batch_size) as u64;
        let total_steps = steps_per_epoch * p.epochs as u64;
        if total_steps > 10_000_000 {
            return Err(range_err("total steps", total_steps, "≤ 10,000,000"));
        }
        let layers = p.model.layers(train.d, train.image, train.n_classes)?;
        // Parameter count without allocating θ.
        let n_params: usize = layers.iter().map(Layer::n_params).sum();
        for w in layers.windows(2) {
            if w[0].out_size() != w[1].in_size() {
                return Err(ConfigError::Model(NnError::Shape(format!(
                    "{} → {}",
                    w[0].describe(),
                    w[1].describe()
                ))));
            }
        }
        if let Some(log) = &p.log {
            if log.n_tracked == 0 || log.n_tracked > n_params.min(100_000) {
                return Err(range_err("n_tracked", log.n_tracked, "1..=min(P, 100000)"));
            }
            if let Some(f) = &log.frozen {
                if f.draws == 0 || f.draws > 1_000_000 {
                    return Err(range_err("frozen draws", f.draws, "1..=1000000"));
                }
                if f.batch_size == 0 || f.batch_size > train.n {
                    return Err(range_err(
                        "frozen batch_size",
                        f.batch_size,
                        "1..=number of training samples",
                    ));
                }
                if f.at_steps.len() > 1000 || f.at_steps.iter().any(|&s| s >= total_steps) {
                    return Err(range_err(
                        "frozen at_steps",
                        format!("{:?}", f.at_steps),
                        "at most 1000 steps, each < total steps",
                    ));
                }
            }
        }
        let memory = estimate_memory(p, &layers, n_params, train, total_steps);
        if memory.total > p.memory_cap {
            return Err(ConfigError::Memory {
                estimate: memory.total,
                cap: p.memory_cap,
            });
        }
        Ok(TrainConfig {
            params: p.clone(),
            layers,
            n_params,
            n_train: train.n,
            steps_per_epoch,
            total_steps,
            memory,
        })
    }
}

/// The bytes a run of `p` will allocate (see [`MemoryEstimate`]); an upper estimate.
pub fn estimate_memory(
    p: &TrainParams,
    layers: &[Layer],
    n_params: usize,
    train: &Dataset,
    total_steps: u64,
) -> MemoryEstimate {
    let pp = n_params as u64;
    let sizes: u64 =
        layers.iter().map(|l| l.out_size() as u64).sum::<u64>() + layers.first().map_or(0, |l| l.in_size() as u64);
    let max_size = layers
        .iter()
        .map(|l| l.in_size().max(l.out_size()) as u64)
        .max()
        .unwrap_or(0);
    let b = p.batch_size as u64;
    let chunk = CHUNK.min(train.n) as u64;
    let parameters = pp * 4 * 3 + pp * 8 * 2;
    let conv_params: u64 = layers
        .iter()
        .filter(|l| matches!(l, Layer::Conv(_)))
        .map(|l| l.n_params() as u64)
        .sum();
    let activations = b * (sizes + 2 * max_size) * 4 + chunk * (sizes + 2 * max_size + conv_params) * 8 * 2;
    let data = (train.n as u64) * (train.d as u64 * 4 + 4);
    // The per-step history (StepStats) is kept for the whole run.
    let mut logs = total_steps * std::mem::size_of::<StepStats>() as u64;
    if let Some(log) = &p.log {
        let m = log.n_tracked as u64;
        logs += total_steps * (m * 8 + 8);
        if log.full_every > 0 {
            let snaps = total_steps.div_ceil(log.full_every);
            logs += snaps * pp * 8 * 3;
        }
        if let Some(f) = &log.frozen {
            logs += f.at_steps.len() as u64 * (f.draws as u64 * m * 8 * 2 + m * 8);
            logs += train.n as u64 * m * 8; // the N × m per-sample matrix, transient
        }
    }
    let total = parameters + activations + data + logs;
    MemoryEstimate {
        parameters,
        activations,
        data,
        logs,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_decay_divides_by_ten_at_40_and_80_percent() {
        let s = LrSchedule::default();
        let lr = |t| s.lr(0.1, t, 1000);
        assert_eq!(lr(0), 0.1);
        assert_eq!(lr(399), 0.1);
        assert!((lr(400) - 0.01).abs() < 1e-15);
        assert!((lr(799) - 0.01).abs() < 1e-15);
        assert!((lr(800) - 0.001).abs() < 1e-15);
        assert!((lr(999) - 0.001).abs() < 1e-15);
        assert_eq!(LrSchedule::Constant.lr(0.3, 999, 1000), 0.3);
    }

    #[test]
    fn params_round_trip_through_json() {
        let p = TrainParams {
            log: Some(LogParams {
                n_tracked: 7,
                full_every: 3,
                frozen: Some(FrozenParams {
                    at_steps: vec![1, 2],
                    draws: 10,
                    batch_size: 4,
                }),
            }),
            model: ModelSpec::Lenet {
                activation: crate::nn::ActivationKind::Tanh,
            },
            ..TrainParams::default()
        };
        let j = serde_json::to_string(&p).unwrap();
        let back: TrainParams = serde_json::from_str(&j).unwrap();
        assert_eq!(back, p);
        // `precision` may be omitted (defaults to f32).
        let v = serde_json::to_value(&p).unwrap();
        let mut obj = v.as_object().unwrap().clone();
        obj.remove("precision");
        let back: TrainParams = serde_json::from_value(serde_json::Value::Object(obj)).unwrap();
        assert_eq!(back.precision, Precision::F32);
    }
}
