//! The configuration of a run: [`TrainParams`] (model, initialisation, loss, [`SgdParams`] — its
//! [`LrSchedule`], batch size, epochs, [`Precision`] —, seed, memory cap, [`LogParams`], frozen-θ
//! draws) and its validation [`TrainParams::check`] → [`TrainConfig`] or a typed [`ConfigError`].
//! [`SgdParams`] and [`LogParams`] are the experiment configuration's `training` and `logging`
//! parts as they are; each has one `check()`, and each range is a constant here ([`LR`],
//! [`EPOCHS`], [`TRACKED`], …) that the checks, the page's controls and the docs read.
//!
//! The schedule (`docs/PROTOCOL.md` §1): constant, or step decay
//! η_t = η₀ · factor^{#{m : t ≥ ⌊m·T⌋}} for the milestones m (default 0.4 and 0.8, factor 0.1).
//! [`estimate_memory`] bounds the bytes a run allocates before anything large is allocated.

use super::log::{FrozenDraws, GradSnapshot, GradientLog, StepStats};
use crate::data::{dataset_bytes, Dataset};
use crate::nn::grad::CHUNK;
use crate::nn::{InitKind, Layer, LossKind, ModelSpec, NnError};
use crate::params::{within, Interval, OutOfRange};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;
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

/// The learning rate η₀'s range: (0, 10].
pub const LR: Interval = Interval::open_closed(0.0, 10.0);
/// The momentum μ's range: [0, 1).
pub const MOMENTUM: Interval = Interval::closed_open(0.0, 1.0);
/// The weight decay λ's range: [0, 0.1].
pub const WEIGHT_DECAY: Interval = Interval::closed(0.0, 0.1);
/// A step-decay factor's range: (0, 1].
pub const DECAY_FACTOR: Interval = Interval::open_closed(0.0, 1.0);
/// A step-decay milestone's range (a fraction of the steps): (0, 1).
pub const MILESTONE: Interval = Interval::open(0.0, 1.0);
/// Most milestones of a step decay.
pub const MAX_MILESTONES: usize = 16;
/// Epochs' range.
pub const EPOCHS: RangeInclusive<usize> = 1..=1000;
/// Most SGD steps of a run (epochs · ⌊N/B⌋).
pub const MAX_TOTAL_STEPS: u64 = 10_000_000;
/// Hidden layers of an FCN.
pub const HIDDEN_LAYERS: RangeInclusive<usize> = 1..=4;
/// Width of each hidden layer of an FCN.
pub const HIDDEN_WIDTH: RangeInclusive<usize> = 10..=256;
/// Tracked parameters m (`logging.n_tracked`; at most P as well): the iteration-wise samples
/// are tested one by one at a measurement, and the log records m values every step.
pub const TRACKED: RangeInclusive<usize> = 1..=1000;

/// Minibatch SGD (`docs/PROTOCOL.md` §1.4): the configuration's `training` part as it is, JSON
/// keys and all (unknown keys refused, missing ones default). Defaults: η = 0.1, μ = 0.9,
/// λ = 5·10⁻⁴, ÷10 at 40 % and 80 %, B = 128, 16 epochs, f32 measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SgdParams {
    /// Base learning rate η₀ ∈ [`LR`].
    pub lr: f64,
    /// Momentum μ ∈ [`MOMENTUM`].
    pub momentum: f64,
    /// Weight decay λ ∈ [`WEIGHT_DECAY`] (L2 added to the gradient).
    pub weight_decay: f64,
    pub schedule: LrSchedule,
    /// B ∈ 1..=N.
    pub batch_size: usize,
    /// Epochs ∈ [`EPOCHS`].
    pub epochs: usize,
    /// Arithmetic of gradient measurements.
    pub precision: Precision,
}

impl Default for SgdParams {
    fn default() -> Self {
        SgdParams {
            lr: 0.1,
            momentum: 0.9,
            weight_decay: 5e-4,
            schedule: LrSchedule::default(),
            batch_size: 128,
            epochs: 16,
            precision: Precision::F32,
        }
    }
}

impl SgdParams {
    /// Every range, against a training set of `n_train` samples (B ≤ N).
    pub fn check(&self, n_train: usize) -> Result<(), OutOfRange> {
        LR.check("lr", self.lr)?;
        MOMENTUM.check("momentum", self.momentum)?;
        WEIGHT_DECAY.check("weight_decay", self.weight_decay)?;
        if let LrSchedule::StepDecay { milestones, factor } = &self.schedule {
            DECAY_FACTOR.check("schedule factor", *factor)?;
            if milestones.len() > MAX_MILESTONES || milestones.iter().any(|&m| !MILESTONE.contains(m)) {
                return Err(OutOfRange::new(
                    "schedule milestones",
                    format!("{milestones:?}"),
                    format!("at most {MAX_MILESTONES} fractions in {}", MILESTONE.text()),
                ));
            }
        }
        if self.batch_size == 0 || self.batch_size > n_train {
            return Err(OutOfRange::new(
                "batch_size",
                self.batch_size,
                "1..=number of training samples",
            ));
        }
        within("epochs", self.epochs, &EPOCHS)
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

/// What the [`GradientLog`] records every step (`docs/PROTOCOL.md` §1.6): the
/// configuration's `logging` part as it is (unknown keys refused, missing ones default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogParams {
    /// m ∈ [`TRACKED`], the number of tracked parameters (seeded choice among those with
    /// non-zero full-batch gradient at θ₀; fewer if fewer are non-zero); their minibatch gradient
    /// is recorded at every step.
    pub n_tracked: usize,
    /// k: full g_t, ∇L(θ_t) and ξ_t vectors every k steps (at t = 0, k, 2k, …); 0 = never.
    pub full_every: u64,
}

impl Default for LogParams {
    fn default() -> Self {
        LogParams {
            n_tracked: 50,
            full_every: 50,
        }
    }
}

impl LogParams {
    /// m ∈ [`TRACKED`] (the bound m ≤ P is the network's: [`TrainParams::check`]).
    pub fn check(&self) -> Result<(), OutOfRange> {
        within("logging.n_tracked", self.n_tracked, &TRACKED)
    }
}

/// Everything a run needs; validate with [`TrainParams::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    pub model: ModelSpec,
    pub init: InitKind,
    pub loss: LossKind,
    /// SGD, batch size, epochs, measurement precision.
    pub sgd: SgdParams,
    /// Seed of the initialisation, the shuffles and the logs' random choices.
    pub seed: u64,
    /// Refuse configurations whose [`MemoryEstimate`] exceeds this many bytes.
    pub memory_cap: u64,
    pub log: Option<LogParams>,
    /// Frozen-θ minibatch draws recorded in the log (ignored without `log`); the engine's own,
    /// not part of an experiment configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen: Option<FrozenParams>,
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
            seed: 0,
            memory_cap: DEFAULT_MEMORY_CAP,
            log: Some(LogParams::default()),
            frozen: None,
        }
    }
}

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigError {
    /// [`OutOfRange`], the one range error.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    #[error("the run would need about {estimate} bytes ({} MiB), above the cap of {cap} bytes ({} MiB)", estimate >> 20, cap >> 20)]
    Memory { estimate: u64, cap: u64 },
    #[error("model: {0}")]
    Model(#[from] NnError),
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
            within("hidden layers", hidden.len(), &HIDDEN_LAYERS)?;
            if let Some(&w) = hidden.iter().find(|w| !HIDDEN_WIDTH.contains(w)) {
                within("hidden width", w, &HIDDEN_WIDTH)?;
            }
        }
        train
            .validate()
            .map_err(|e| ConfigError::Model(NnError::Invalid(e.to_string())))?;
        if train.n() < 2 {
            return Err(OutOfRange::new("training samples", train.n(), "≥ 2").into());
        }
        p.sgd.check(train.n())?;
        let steps_per_epoch = (train.n() / p.sgd.batch_size) as u64;
        let total_steps = steps_per_epoch * p.sgd.epochs as u64;
        if total_steps > MAX_TOTAL_STEPS {
            return Err(OutOfRange::new("total steps", total_steps, format!("≤ {MAX_TOTAL_STEPS}")).into());
        }
        let layers = p.model.layers(train.d(), train.image, train.n_classes)?;
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
            log.check()?;
            if log.n_tracked > n_params {
                return Err(OutOfRange::new("logging.n_tracked", log.n_tracked, format!("≤ P = {n_params}")).into());
            }
        }
        if let (Some(_), Some(f)) = (&p.log, &p.frozen) {
            if f.draws == 0 || f.draws > 1_000_000 {
                return Err(OutOfRange::new("frozen draws", f.draws, "1..=1000000").into());
            }
            if f.batch_size == 0 || f.batch_size > train.n() {
                return Err(
                    OutOfRange::new("frozen batch_size", f.batch_size, "1..=number of training samples").into(),
                );
            }
            if f.at_steps.len() > 1000 || f.at_steps.iter().any(|&s| s >= total_steps) {
                return Err(OutOfRange::new(
                    "frozen at_steps",
                    format!("{:?}", f.at_steps),
                    "at most 1000 steps, each < total steps",
                )
                .into());
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
            n_train: train.n(),
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
    let b = p.sgd.batch_size as u64;
    let chunk = CHUNK.min(train.n()) as u64;
    let parameters = pp * 4 * 3 + pp * 8 * 2;
    let conv_params: u64 = layers
        .iter()
        .filter(|l| matches!(l, Layer::Conv(_)))
        .map(|l| l.n_params() as u64)
        .sum();
    let activations = b * (sizes + 2 * max_size) * 4 + chunk * (sizes + 2 * max_size + conv_params) * 8 * 2;
    let data = u64::try_from(dataset_bytes(train.n() as u128, train.d() as u128)).unwrap_or(u64::MAX);
    // The per-step history (StepStats) is kept for the whole run.
    let mut logs = total_steps * StepStats::BYTES;
    if let Some(log) = &p.log {
        let m = log.n_tracked;
        logs += total_steps * GradientLog::step_bytes(m);
        if log.full_every > 0 {
            let snaps = total_steps.div_ceil(log.full_every);
            logs += snaps * GradSnapshot::bytes(n_params);
        }
        if let Some(f) = &p.frozen {
            logs += f.at_steps.len() as u64 * FrozenDraws::bytes(f.draws, m);
            logs += train.n() as u64 * m as u64 * 8; // the N × m per-sample matrix, transient
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
            }),
            frozen: Some(FrozenParams {
                at_steps: vec![1, 2],
                draws: 10,
                batch_size: 4,
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
        let mut v = serde_json::to_value(&p).unwrap();
        v["sgd"].as_object_mut().unwrap().remove("precision");
        let back: TrainParams = serde_json::from_value(v).unwrap();
        assert_eq!(back.sgd.precision, Precision::F32);
    }

    /// The training and log ranges are enforced at their edges by the one check of each
    /// struct, with the one error type.
    #[test]
    fn each_range_is_enforced_at_its_edges() {
        let n = 500;
        let sgd = |f: fn(&mut SgdParams)| {
            let mut s = SgdParams::default();
            f(&mut s);
            s.check(n)
        };
        assert_eq!(sgd(|_| ()), Ok(()));
        assert_eq!(sgd(|s| s.lr = 10.0), Ok(()));
        assert_eq!(sgd(|s| s.lr = 0.0).unwrap_err().field, "lr");
        assert_eq!(sgd(|s| s.lr = f64::NAN).unwrap_err().field, "lr");
        assert_eq!(sgd(|s| s.momentum = 0.0), Ok(()));
        assert_eq!(sgd(|s| s.momentum = 1.0).unwrap_err().field, "momentum");
        assert_eq!(sgd(|s| s.weight_decay = 0.1), Ok(()));
        assert_eq!(sgd(|s| s.weight_decay = 0.1000001).unwrap_err().field, "weight_decay");
        assert_eq!(sgd(|s| s.batch_size = 500), Ok(()));
        assert_eq!(sgd(|s| s.batch_size = 501).unwrap_err().field, "batch_size");
        assert_eq!(sgd(|s| s.batch_size = 0).unwrap_err().field, "batch_size");
        assert_eq!(sgd(|s| s.epochs = *EPOCHS.end()), Ok(()));
        let e = sgd(|s| s.epochs = EPOCHS.end() + 1).unwrap_err();
        assert_eq!(e.to_string(), "epochs = 1001 is out of range (1..=1000)");
        assert_eq!(sgd(|s| s.epochs = 0).unwrap_err().field, "epochs");
        let decay = |factor, milestones| sgd_with(LrSchedule::StepDecay { milestones, factor }).map_err(|e| e.field);
        fn sgd_with(schedule: LrSchedule) -> Result<(), OutOfRange> {
            SgdParams {
                schedule,
                ..SgdParams::default()
            }
            .check(500)
        }
        assert_eq!(decay(1.0, vec![0.5]), Ok(()));
        assert_eq!(decay(0.0, vec![0.5]), Err("schedule factor"));
        assert_eq!(decay(0.1, vec![1.0]), Err("schedule milestones"));
        assert_eq!(decay(0.1, vec![0.5; MAX_MILESTONES + 1]), Err("schedule milestones"));
        let log = |m| LogParams {
            n_tracked: m,
            ..LogParams::default()
        };
        assert_eq!(log(*TRACKED.start()).check(), Ok(()));
        assert_eq!(log(*TRACKED.end()).check(), Ok(()));
        assert_eq!(log(0).check().unwrap_err().field, "logging.n_tracked");
        assert_eq!(log(TRACKED.end() + 1).check().unwrap_err().field, "logging.n_tracked");
        // Lifted into the engine's error with `?`, the same fields.
        let e: ConfigError = log(0).check().unwrap_err().into();
        assert!(matches!(
            e,
            ConfigError::OutOfRange(OutOfRange {
                field: "logging.n_tracked",
                ..
            })
        ));
    }
}
