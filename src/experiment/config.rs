//! [`ExperimentConfig`]: every knob of one experiment (data, model, training, gradient logging,
//! analysis) with the defaults of `docs/PROTOCOL.md`, serde JSON with `deny_unknown_fields`, the
//! data-free range checks ([`ExperimentConfig::check_ranges`]) and the typed
//! [`ExperimentError`]s. The checks against the prepared data — training
//! ([`ExperimentConfig::check_training`] into a [`CheckedTraining`](super::CheckedTraining)), a
//! measurement ([`CheckedTraining::check_measurement`](super::CheckedTraining::check_measurement))
//! and both ([`ExperimentConfig::check`] into a [`CheckedConfig`](super::CheckedConfig)) — are in
//! [`super::check`], the memory estimate in [`super::memory`]. The parts are the engine's own
//! parameter structs; where each default and range lives: `docs/ARCHITECTURE.md`, "Parameters".

/// The configuration's error type, defined in [`super::error`] (with the memory fit it carries).
pub use super::error::ExperimentError;
pub use super::measure::analysis::{AnalysisConfig, DEFAULT_DIM_DRAWS};
use crate::data::{DatasetSpec, PrepareParams};
use crate::experiment::measure::MeasureParams;
use crate::nn::ModelSpec;
use crate::params::{within, Interval, OutOfRange};
use crate::train::{LogParams, SgdParams, TrainParams, DEFAULT_MEMORY_CAP};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// Data: which dataset, the split, label manipulations (PROTOCOL §1.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    pub dataset: DatasetSpec,
    /// Training samples (`None`: the dataset's default split, 8,000 for MNIST, else 80 %).
    pub n_train: Option<usize>,
    /// Test samples (`None`: the rest, 2,000 for MNIST).
    pub n_test: Option<usize>,
    /// Symmetric label-noise rate p ∈ [0, 1) on the training labels.
    pub label_noise: f64,
    /// Permute the training labels (all input–label relation destroyed).
    pub random_labels: bool,
}

impl DataConfig {
    /// Every range that needs no data: p ∈ [`LABEL_NOISE`], N_train ≥ [`MIN_TRAIN`], MNIST's
    /// downsampling in [`DOWNSAMPLE`].
    pub fn check(&self) -> Result<(), OutOfRange> {
        LABEL_NOISE.check("data.label_noise", self.label_noise)?;
        if let Some(n) = self.n_train {
            if n < MIN_TRAIN {
                return Err(OutOfRange::new("data.n_train", n, format!("≥ {MIN_TRAIN}")));
            }
        }
        if let DatasetSpec::Mnist { downsample } = self.dataset {
            if !DOWNSAMPLE.contains(&downsample) {
                return Err(OutOfRange::new("data.dataset.downsample", downsample, "1 or 2"));
            }
        }
        Ok(())
    }
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            dataset: DatasetSpec::default(),
            n_train: None,
            n_test: None,
            label_noise: 0.0,
            random_labels: false,
        }
    }
}

/// Every knob of one experiment. `ExperimentConfig::default()` is the protocol's default
/// experiment (`docs/PROTOCOL.md` §1.4): FCN 784→100→100→10 ReLU on the 8,000/2,000 MNIST subset, SGD
/// η = 0.1, μ = 0.9, λ = 5·10⁻⁴, B = 128, 16 epochs, ÷10 at 40 % and 80 %, m = 50 tracked
/// parameters, snapshots every 50 steps, paper tail rule at α = 0.05, M = 200, N_cov = 1000,
/// seed 0, memory cap 512 MiB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExperimentConfig {
    pub data: DataConfig,
    pub model: ModelSpec,
    /// Minibatch SGD: the engine's own [`SgdParams`] (`docs/PROTOCOL.md` §1.4).
    pub training: SgdParams,
    /// The GradientLog: the engine's own [`LogParams`] (`docs/PROTOCOL.md` §1.6).
    pub logging: LogParams,
    /// The measurement at a frozen θ: [`AnalysisConfig`], from which
    /// [`AnalysisConfig::measure_params`] builds what `measure` runs (`docs/PROTOCOL.md` §5.1).
    pub analysis: AnalysisConfig,
    /// One seed drives every draw (split, init, shuffles, measurements).
    pub seed: u64,
    /// R: a preset runs R independent replicates, replicate r at seed
    /// [`crate::rng::replicate_seed`]`(seed, r)`, and states each claim from the R outcomes
    /// ([`REPLICATES`]; [`DEFAULT_REPLICATES`]). A single configuration (`sgn-lab run --config`, the
    /// page's lab) trains one network whatever R is.
    pub replicates: usize,
    /// Refuse runs whose estimated allocation exceeds this many bytes.
    pub memory_cap: u64,
}

impl Default for ExperimentConfig {
    fn default() -> Self {
        ExperimentConfig {
            data: DataConfig::default(),
            model: ModelSpec::default(),
            training: SgdParams::default(),
            logging: LogParams::default(),
            analysis: AnalysisConfig::default(),
            seed: 0,
            replicates: DEFAULT_REPLICATES,
            memory_cap: DEFAULT_MEMORY_CAP,
        }
    }
}

fn oor(field: &'static str, value: impl std::fmt::Display, range: &'static str) -> ExperimentError {
    OutOfRange::new(field, value, range).into()
}

/// With a spectrum (`n_cov` ≥ 1 after capping at N), its numerical rank is at most
/// r = min(N_cov − 1, P) (centred covariance of N_cov samples in P dimensions), and the fit needs
/// skip + K ≤ r with K = `spectrum_k` or at least 2: refuses `spectrum_skip` (or `spectrum_k`
/// when nothing is skipped) that leave fewer, before anything is trained.
pub fn check_spectrum_skip(cfg: &ExperimentConfig, n_params: usize) -> Result<(), ExperimentError> {
    let a = &cfg.analysis;
    if a.n_cov == 0 {
        return Ok(());
    }
    let rank = a.n_cov.saturating_sub(1).min(n_params);
    let k = a.spectrum_k.unwrap_or(crate::stats::powerlaw::MIN_K);
    if a.spectrum_skip.saturating_add(k) > rank {
        return Err(if a.spectrum_skip > 0 {
            oor(
                "analysis.spectrum_skip",
                a.spectrum_skip,
                "spectrum_skip + K ≤ min(n_cov, N) − 1 (K = spectrum_k, at least 2)",
            )
        } else {
            oor("analysis.spectrum_k", k, "≤ min(n_cov, N) − 1")
        });
    }
    Ok(())
}

/// Replicates R of a preset.
pub const REPLICATES: RangeInclusive<usize> = 1..=100;
/// The largest `memory_cap`: 4 GiB, wasm32's whole address space.
pub const MAX_MEMORY_CAP: u64 = 4 << 30;
/// The split's least number of training samples (`data.n_train`).
pub const MIN_TRAIN: usize = 2;
/// MNIST's downsampling factors (28×28 or 14×14).
pub const DOWNSAMPLE: RangeInclusive<usize> = 1..=2;
/// The symmetric label-noise rate p: [0, 1).
pub const LABEL_NOISE: Interval = Interval::closed_open(0.0, 1.0);

/// Replicates of a preset by default: enough that a claim holding in every replicate is decided
/// ("agrees" needs the lower end of the 95 % Wilson interval above ½: 5 of 5 already gives 0.57;
/// 10 resolves a 9-of-10 split: [0.60, 0.98]) — see `docs/PROTOCOL.md` §7.1.
pub const DEFAULT_REPLICATES: usize = 10;

/// Replicates of a preset in the page (the page's time budget: the tour at R = 3 takes about as
/// long as it took at R = 1 before the worker pool).
pub const PAGE_REPLICATES: usize = 3;

impl ExperimentConfig {
    /// The page's starting point: the protocol's default experiment without the periodic full
    /// snapshots (`logging.full_every = 0`: the page measures at a frozen θ on demand, and a full
    /// gradient every 50 steps would double the cost of training), with the Davis–Kahan view
    /// over the top 20 eigenvectors, and [`PAGE_REPLICATES`] replicates per tour step.
    pub fn lab_default() -> Self {
        let mut c = ExperimentConfig::default();
        c.logging.full_every = 0;
        c.analysis.davis_kahan_top = 20;
        c.replicates = PAGE_REPLICATES;
        c
    }

    /// Range checks that need no data (the rest happen in [`ExperimentConfig::check`]): each
    /// part's own `check()` — [`DataConfig::check`], [`AnalysisConfig::check`],
    /// [`LogParams::check`] — then R ∈ [`REPLICATES`] and the cap ≤ [`MAX_MEMORY_CAP`]. The
    /// training part ([`SgdParams::check`]) needs the training set's size and is checked with the
    /// network ([`TrainParams::check`]).
    pub fn check_ranges(&self) -> Result<(), ExperimentError> {
        self.data.check()?;
        self.analysis.check()?;
        self.logging.check()?;
        within("replicates", self.replicates, &REPLICATES)?;
        if self.memory_cap > MAX_MEMORY_CAP {
            return Err(oor("memory_cap", self.memory_cap, "≤ 4 GiB"));
        }
        Ok(())
    }

    /// The engine's training parameters: the model, the configuration's `training` and
    /// `logging` parts as they are, the seed and the cap (He/Glorot initialisation by
    /// activation, cross-entropy).
    pub fn train_params(&self) -> TrainParams {
        TrainParams {
            model: self.model.clone(),
            init: crate::nn::InitKind::Auto,
            loss: crate::nn::LossKind::CrossEntropy,
            sgd: self.training.clone(),
            seed: self.seed,
            memory_cap: self.memory_cap,
            log: Some(self.logging.clone()),
            frozen: None,
        }
    }

    /// The measurement parameters ([`AnalysisConfig::measure_params`]: validated in
    /// [`ExperimentConfig::check`]), with minibatch size `batch_size` (normally the training
    /// batch size), m of the log and this seed.
    pub fn measure_params(&self, batch_size: usize) -> Result<MeasureParams, ExperimentError> {
        Ok(self
            .analysis
            .measure_params(batch_size, self.logging.n_tracked, self.seed)?)
    }

    /// The split and label manipulations for this config.
    pub fn prepare_params(&self) -> PrepareParams {
        let base = self.data.dataset.default_prepare(self.seed);
        PrepareParams {
            n_train: self.data.n_train.or(base.n_train),
            n_test: self.data.n_test.or(base.n_test),
            label_noise: self.data.label_noise,
            random_labels: self.data.random_labels,
            ..base
        }
    }

    /// Parses a JSON object; keys not given keep their defaults, unknown keys are refused.
    /// Anything else is refused too, at every level: serde's derive would also read a struct
    /// from a JSON array of its fields in declaration order (`[]` was the default
    /// configuration, `{"training": [0.5]}` set `lr`), which [`super::with_overrides`] (the
    /// CLI's and the page's route) refuses the same way ([`super::refuse_positional`]).
    pub fn from_json(s: &str) -> Result<ExperimentConfig, ExperimentError> {
        let v: serde_json::Value = serde_json::from_str(s).map_err(|e| ExperimentError::Json(e.to_string()))?;
        if !v.is_object() {
            return Err(ExperimentError::Json("the configuration is not a JSON object".into()));
        }
        let base =
            serde_json::to_value(ExperimentConfig::default()).map_err(|e| ExperimentError::Json(e.to_string()))?;
        super::refuse_positional(&base, &v, "").map_err(|e| ExperimentError::Json(e.to_string()))?;
        serde_json::from_value(v).map_err(|e| ExperimentError::Json(e.to_string()))
    }
}
