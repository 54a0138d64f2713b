//! Minibatch SGD as a resumable, step-wise state machine, and the [`GradientLog`].
//!
//! # Protocol (see also `docs/PROTOCOL.md` §1)
//!
//! - **Batches.** Each epoch draws a fresh uniformly random permutation of the training set
//!   (`substream(seed, SHUFFLE_STREAM)`, one stream for the whole run) and cuts it into
//!   ⌊N/B⌋ minibatches of exactly B samples; the N mod B left-over samples of that epoch are
//!   not used (drop-last). Total steps T = epochs · ⌊N/B⌋.
//! - **Loss.** L_B(θ) = (1/B) Σ_{j∈B} ℓ_j(θ) (cross-entropy or MSE, [`LossKind`]).
//! - **Update** (PyTorch's `SGD` with `dampening = 0`, `nesterov = false`): with the data
//!   gradient g_t = ∇L_B(θ_t), weight decay λ added to the gradient (L2 on every parameter,
//!   biases included), momentum μ and learning rate η_t:
//!   d_t = g_t + λ θ_t;  v_{t+1} = μ v_t + d_t (v_0 = 0);  θ_{t+1} = θ_t − η_t v_{t+1}.
//! - **Schedule.** Constant, or step decay: η_t = η₀ · factor^{#{m : t ≥ ⌊m·T⌋}} for the
//!   milestones m (default 0.4 and 0.8, factor 0.1: ÷10 at 40 % and 80 % of the steps).
//! - **Logged gradients** are of the *data loss* only (g_t, without the λθ term), as in the
//!   paper; SGN ξ_t = g_t − ∇L(θ_t) with ∇L the full-batch data-loss gradient over the whole
//!   training set at the same θ_t (before the update of step t).
//! - **Divergence.** A non-finite minibatch loss or a non-finite parameter after an update
//!   stops the run with [`TrainError::Diverged`] naming the step; the trainer then refuses
//!   further steps with the same error.
//!
//! # Example (what the page's worker does)
//!
//! ```no_run
//! use sgn_lab::data::mnist;
//! use sgn_lab::train::{TrainParams, Trainer};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bytes: Vec<u8> = std::fs::read("assets/mnist-10k.bin.gz")?; // the page: fetch()
//! let (train, test) = mnist::load_default(&bytes, 0)?;            // 8,000 / 2,000, standardised
//! let params = TrainParams::default();                            // the protocol's defaults
//! let cfg = params.check(&train)?;                                // ranges + memory cap
//! let mut trainer = Trainer::new(cfg, train)?;
//! while !trainer.is_finished() {
//!     let stats = trainer.run(16)?;                               // one slice of steps
//!     let _last = stats.last();                                   // step, epoch, loss, accuracy, lr
//! }
//! let eval = trainer.evaluate(&test)?;
//! let log = trainer.log().expect("default params log");         // g_t, ξ_t, tracked series
//! let batch = trainer.draw_batch(128, 7, 0)?;
//! let sgn = trainer.sgn(&batch)?;                                 // ξ = g_B(θ) − ∇L(θ)
//! let per_sample = trainer.per_sample_grads(&(0..1000).collect::<Vec<_>>())?;
//! # let _ = (eval, log, sgn, per_sample); Ok(()) }
//! ```

use crate::data::Dataset;
use crate::nn::grad::{self, gather, GradEval, Sgn, CHUNK};
use crate::nn::{InitKind, Layer, LossKind, ModelSpec, Network, NnError, PerSampleGrads, Tape};
use crate::rng::{substream, SeededRng};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Stream id of the per-epoch shuffles.
pub const SHUFFLE_STREAM: u64 = 0x5348_5546;
/// Stream id of the choice of tracked parameters.
pub const TRACK_STREAM: u64 = 0x5452_434b;
/// Stream id of the frozen-θ minibatch draws (xored with the step index).
pub const FROZEN_STREAM: u64 = 0x4652_5a4e;

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

/// What the [`GradientLog`] records.
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

/// A validated configuration (build with [`TrainParams::check`]; [`Trainer::new`] re-checks it).
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

/// One training step's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepStats {
    /// Index t of this step (0-based).
    pub step: u64,
    /// Epoch of this step (0-based).
    pub epoch: u64,
    /// Mean minibatch data loss L_B(θ_t) before the update.
    pub loss: f64,
    /// Minibatch accuracy at θ_t.
    pub accuracy: f64,
    /// η_t used for the update.
    pub lr: f64,
    /// ‖g_t‖₂ of the data-loss minibatch gradient.
    pub grad_norm: f64,
}

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

/// Full vectors recorded at one step t.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradSnapshot {
    pub step: u64,
    /// Minibatch data-loss gradient g_t (the one the update used, before weight decay).
    pub g: Vec<f64>,
    /// Full-batch gradient ∇L(θ_t) over the training set.
    pub full: Vec<f64>,
    /// ξ_t = g_t − ∇L(θ_t).
    pub xi: Vec<f64>,
    pub batch_loss: f64,
    pub full_loss: f64,
}

/// M independent minibatch draws at one frozen θ, restricted to the tracked parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenDraws {
    /// θ = θ_step (before that step's update).
    pub step: u64,
    pub batch_size: usize,
    pub draws: usize,
    /// Parameter indices (flattening order), the columns below.
    pub tracked: Vec<usize>,
    /// ∇L(θ) on the tracked parameters (length m).
    pub full: Vec<f64>,
    /// M × m: g_{B_r}(θ)[tracked], row r = draw r.
    pub g: Vec<f64>,
    /// M × m: ξ_r = g_{B_r}(θ) − ∇L(θ) on the tracked parameters.
    pub xi: Vec<f64>,
}

impl FrozenDraws {
    /// Column `i` of `xi`: the M SGN values of tracked parameter i (an iteration-wise sample).
    pub fn xi_series(&self, i: usize) -> Vec<f64> {
        let m = self.tracked.len();
        if i >= m {
            return Vec::new();
        }
        self.xi.iter().skip(i).step_by(m.max(1)).copied().collect()
    }
}

/// Everything recorded during a run (all f64, flattening order of [`crate::nn`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GradientLog {
    pub n_params: usize,
    /// The m tracked parameter indices.
    pub tracked: Vec<usize>,
    /// Step index of each row of `tracked_grads`.
    pub steps: Vec<u64>,
    /// T × m: g_t[tracked[i]] at row t (data-loss minibatch gradient).
    pub tracked_grads: Vec<f64>,
    /// Full vectors every k steps.
    pub snapshots: Vec<GradSnapshot>,
    /// Frozen-θ draws.
    pub frozen: Vec<FrozenDraws>,
}

impl GradientLog {
    /// The series g_t[tracked[i]] over the recorded steps (an iteration-wise sample).
    pub fn tracked_series(&self, i: usize) -> Vec<f64> {
        let m = self.tracked.len();
        if i >= m {
            return Vec::new();
        }
        self.tracked_grads.iter().skip(i).step_by(m).copied().collect()
    }

    /// FNV-1a fingerprint of every number in the log.
    pub fn fingerprint(&self) -> u64 {
        use crate::nn::network::{fingerprint_f64, FNV_OFFSET};
        let mut h = FNV_OFFSET;
        let idx: Vec<f64> = self.tracked.iter().map(|&i| i as f64).collect();
        h = fingerprint_f64(h, &idx);
        h = fingerprint_f64(h, &self.tracked_grads);
        for s in &self.snapshots {
            h = fingerprint_f64(h, &[s.step as f64, s.batch_loss, s.full_loss]);
            h = fingerprint_f64(h, &s.g);
            h = fingerprint_f64(h, &s.xi);
        }
        for f in &self.frozen {
            h = fingerprint_f64(h, &f.g);
            h = fingerprint_f64(h, &f.xi);
        }
        h
    }
}

/// The step-wise trainer. Create with [`Trainer::new`], advance with [`Trainer::step`] (or
/// [`Trainer::run`] for a slice of steps); pause/resume is simply not calling `step`.
#[derive(Debug)]
pub struct Trainer {
    cfg: TrainConfig,
    net: Network<f32>,
    velocity: Vec<f32>,
    grad: Vec<f32>,
    data: Dataset,
    tape: Tape<f32>,
    xb: Vec<f32>,
    yb: Vec<u32>,
    perm: Vec<usize>,
    step: u64,
    shuffle_rng: SeededRng,
    log: Option<GradientLog>,
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
        if train.n != cfg.n_train {
            return Err(TrainError::Nn(NnError::Invalid(format!(
                "config was checked for {} samples, got {}",
                cfg.n_train, train.n
            ))));
        }
        // The config's fields are public: re-validate against this dataset (cheap) so that a
        // hand-edited `TrainConfig` cannot reach the allocation below.
        let cfg = cfg.params.check(&train)?;
        if train.n != cfg.n_train {
            return Err(TrainError::Nn(NnError::Invalid(format!(
                "config was checked for {} samples, got {}",
                cfg.n_train, train.n
            ))));
        }
        let p = &cfg.params;
        let net = Network::<f32>::init(&p.model, train.d, train.image, train.n_classes, p.init, p.seed)?;
        if net.n_params() != cfg.n_params {
            return Err(TrainError::Nn(NnError::Shape(
                "parameter count differs from the checked config".into(),
            )));
        }
        let mut log = None;
        if let Some(lp) = &p.log {
            let full = match p.precision {
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
            perm: (0..train.n).collect(),
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
        let b = self.cfg.params.batch_size;
        if t.is_multiple_of(spe) {
            crate::data::shuffle(&mut self.perm, &mut self.shuffle_rng);
        }
        let start = (t % spe) as usize * b;
        let batch: Vec<usize> = self.perm[start..start + b].to_vec();
        let lr = self.current_lr();
        let loss_kind = self.cfg.params.loss;

        // Frozen-θ draws at θ_t, before the update.
        if let Some(lp) = self.cfg.params.log.clone() {
            if let Some(f) = &lp.frozen {
                if f.at_steps.contains(&t) {
                    self.record_frozen_draws(f.draws, f.batch_size)?;
                }
            }
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

    /// Mean loss and accuracy of the current θ on `ds` (f32 forward, f64 sums, chunks of 512).
    pub fn evaluate(&self, ds: &Dataset) -> Result<EvalStats, TrainError> {
        evaluate(&self.net, ds, self.cfg.params.loss)
    }

    /// Full-batch data-loss gradient ∇L(θ) over the training set (f64).
    pub fn full_batch_grad(&self) -> Result<GradEval, TrainError> {
        let l = self.cfg.params.loss;
        Ok(match self.cfg.params.precision {
            Precision::F32 => grad::full_batch_grad(&self.net, &self.data, l)?,
            Precision::F64 => grad::full_batch_grad(&self.network_f64(), &self.data, l)?,
        })
    }

    /// Minibatch data-loss gradient g_B(θ) over the training samples `batch` (f64).
    pub fn minibatch_grad(&self, batch: &[usize]) -> Result<GradEval, TrainError> {
        let l = self.cfg.params.loss;
        Ok(match self.cfg.params.precision {
            Precision::F32 => grad::minibatch_grad(&self.net, &self.data, batch, l)?,
            Precision::F64 => grad::minibatch_grad(&self.network_f64(), &self.data, batch, l)?,
        })
    }

    /// SGN ξ = g_B(θ) − ∇L(θ) at the current θ for the training samples `batch`.
    pub fn sgn(&self, batch: &[usize]) -> Result<Sgn, TrainError> {
        let l = self.cfg.params.loss;
        Ok(match self.cfg.params.precision {
            Precision::F32 => grad::sgn(&self.net, &self.data, batch, l)?,
            Precision::F64 => grad::sgn(&self.network_f64(), &self.data, batch, l)?,
        })
    }

    /// Draws a minibatch of `b` training indices without replacement from
    /// `substream(seed, stream)` (a helper for [`Trainer::sgn`]).
    pub fn draw_batch(&self, b: usize, seed: u64, stream: u64) -> Result<Vec<usize>, TrainError> {
        Ok(grad::draw_minibatch(self.data.n, b, &mut substream(seed, stream))?)
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
        Ok(match self.cfg.params.precision {
            Precision::F32 => grad::per_sample_grads(&self.net, &self.data, idx, l)?,
            Precision::F64 => grad::per_sample_grads(&self.network_f64(), &self.data, idx, l)?,
        })
    }

    /// Per-sample gradients of the tracked parameters for every training sample: N × m, f64,
    /// from batched backward passes in chunks of [`CHUNK`].
    pub fn tracked_per_sample(&self, tracked: &[usize]) -> Result<Vec<f64>, TrainError> {
        match self.cfg.params.precision {
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
        let n = self.data.n;
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
    let mut out = Vec::with_capacity(ds.n * m);
    let all: Vec<usize> = (0..ds.n).collect();
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
    if ds.d != net.input_dim() {
        return Err(TrainError::Nn(NnError::InputDim {
            data: ds.d,
            net: net.input_dim(),
        }));
    }
    if ds.n_classes > net.output_dim() {
        return Err(TrainError::Nn(NnError::Classes {
            data: ds.n_classes,
            net: net.output_dim(),
        }));
    }
    if ds.n == 0 {
        return Err(TrainError::Nn(NnError::Empty));
    }
    let mut tape = Tape::default();
    let (mut total, mut correct) = (0f64, 0usize);
    let mut x = Vec::new();
    let mut y = Vec::new();
    let all: Vec<usize> = (0..ds.n).collect();
    for chunk in all.chunks(CHUNK) {
        gather(ds, chunk, &mut x, &mut y);
        let (l, c) = net.loss_batch(&x, &y, loss, &mut tape);
        total += l;
        correct += c;
    }
    Ok(EvalStats {
        n: ds.n,
        loss: total / ds.n as f64,
        accuracy: correct as f64 / ds.n as f64,
    })
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
