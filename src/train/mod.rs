//! Minibatch SGD as a resumable, step-wise state machine, and the [`GradientLog`].
//!
//! # Protocol (see also `docs/PROTOCOL.md` §1)
//!
//! - **Batches.** Each epoch draws a fresh uniformly random permutation of the training set
//!   (`substream(seed, SHUFFLE_STREAM)`, one stream for the whole run) and cuts it into
//!   ⌊N/B⌋ minibatches of exactly B samples; the N mod B left-over samples of that epoch are
//!   not used (drop-last). Total steps T = epochs · ⌊N/B⌋.
//! - **Loss.** L_B(θ) = (1/B) Σ_{j∈B} ℓ_j(θ) (cross-entropy or MSE, [`LossKind`](crate::nn::LossKind)).
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

//!
//! # Layout
//!
//! - [`params`]: [`TrainParams`] and its parts ([`SgdParams`], [`LrSchedule`], [`LogParams`],
//!   [`FrozenParams`], [`Precision`]), the range and memory checks ([`TrainParams::check`],
//!   [`ConfigError`], [`estimate_memory`]) giving a [`TrainConfig`];
//! - [`log`]: what a run records: [`StepStats`] per step and the [`GradientLog`] (tracked series,
//!   full snapshots, frozen-θ draws);
//! - [`trainer`]: the [`Trainer`] state machine (the SGD update, [`TrainError`]);
//! - [`measure`]: the trainer's gradient measurements at the current θ (full-batch, minibatch,
//!   SGN, per-sample, frozen-θ draws) and [`evaluate`].

pub mod log;
pub mod measure;
pub mod params;
pub mod trainer;

pub use log::{FrozenDraws, GradSnapshot, GradientLog, StepStats};
pub use measure::{evaluate, tracked_per_sample, FROZEN_STREAM};
pub use params::{
    estimate_memory, ConfigError, FrozenParams, LogParams, LrSchedule, MemoryEstimate, Precision, SgdParams,
    TrainConfig, TrainParams, DEFAULT_MEMORY_CAP, EPOCHS, TRACKED,
};
pub use trainer::{Divergence, EvalStats, TrainError, Trainer, SHUFFLE_STREAM, TRACK_STREAM};
