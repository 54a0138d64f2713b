//! [`ExperimentConfig`]: every knob of one experiment (data, model, training, gradient logging,
//! analysis) with the defaults of DESIGN §5 / `docs/PROTOCOL.md`, serde JSON with
//! `deny_unknown_fields`, and [`ExperimentConfig::check`] into a [`CheckedConfig`] (ranges,
//! model against data, memory estimate under the cap) with typed [`ExperimentError`]s. The
//! checks reuse [`TrainParams::check`] and [`MeasureParams::check`]; nothing here allocates
//! before the checks pass.

use crate::data::{prepare, DataError, Dataset, DatasetSpec, PrepareParams};
use crate::experiment::measure::{MeasureConfig, MeasureError, MeasureParams};
use crate::nn::ModelSpec;
use crate::spectrum::{FitParams, SpectrumError, SpectrumOptions};
use crate::stats::powerlaw::{PowerLawOptions, Rule};
use crate::stats::Level;
use crate::train::{ConfigError, LogParams, LrSchedule, Precision, SgdParams, TrainConfig, TrainParams, DEFAULT_MEMORY_CAP};
use serde::{Deserialize, Serialize};
use thiserror::Error;

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

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig { dataset: DatasetSpec::default(), n_train: None, n_test: None, label_noise: 0.0, random_labels: false }
    }
}

/// Minibatch SGD (PROTOCOL §1.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingConfig {
    /// η₀ ∈ (0, 10].
    pub lr: f64,
    /// μ ∈ [0, 1).
    pub momentum: f64,
    /// λ ∈ [0, 0.1].
    pub weight_decay: f64,
    pub schedule: LrSchedule,
    /// B ∈ 1..=N.
    pub batch_size: usize,
    /// 1..=1000.
    pub epochs: usize,
    /// Arithmetic of gradient measurements.
    pub precision: Precision,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        let s = SgdParams::default();
        TrainingConfig { lr: s.lr, momentum: s.momentum, weight_decay: s.weight_decay, schedule: s.schedule, batch_size: 128, epochs: 16, precision: Precision::F32 }
    }
}

/// The GradientLog (PROTOCOL §1.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingConfig {
    /// m tracked parameters (iteration-wise samples).
    pub n_tracked: usize,
    /// Full g_t, ∇L(θ_t), ξ_t every k steps (0 = never).
    pub full_every: u64,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        LoggingConfig { n_tracked: 50, full_every: 50 }
    }
}

/// Which tail rule (PROTOCOL §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TailRule {
    /// Top-K tail, d_ks < d_c (the paper's rule).
    #[default]
    Paper,
    /// Clauset–Shalizi–Newman x_min scan (rates: d_ks < c/√n_tail, no bootstrap).
    Clauset,
}

/// Analyses at a frozen θ (PROTOCOL §5.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    pub rule: TailRule,
    /// Significance level of the KS decisions: 0.10, 0.05 or 0.01.
    pub level: f64,
    /// Paper rule's K (`None`: min(1000, n)).
    pub k: Option<usize>,
    /// M draws for the iteration-wise SGN (10..=5000).
    pub draws: usize,
    /// Dimension-wise draws (1..=100).
    pub dim_draws: usize,
    /// N_cov samples of the covariance spectrum, at most (`check` uses min(n_cov, N) on a
    /// training set of N samples; 0 = no spectrum).
    pub n_cov: usize,
    /// Spectrum fit's K (`None`: min(1000, rank/2)).
    pub spectrum_k: Option<usize>,
    /// Top eigenvalues left out of the spectrum fit.
    pub spectrum_skip: usize,
    /// Gaussian (Marchenko–Pastur) baseline of the same shape and trace.
    pub baseline: bool,
    /// Davis–Kahan view over the top this-many eigenvectors (0 = off).
    pub davis_kahan_top: usize,
    /// Also measure at θ₀ (before training).
    pub measure_init: bool,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            rule: TailRule::Paper,
            level: 0.05,
            k: None,
            draws: 200,
            dim_draws: 10,
            n_cov: 1000,
            spectrum_k: None,
            spectrum_skip: 0,
            baseline: true,
            davis_kahan_top: 0,
            measure_init: false,
        }
    }
}

/// Every knob of one experiment. `ExperimentConfig::default()` is the protocol's default
/// experiment (DESIGN §5): FCN 784→100→100→10 ReLU on the 8,000/2,000 MNIST subset, SGD
/// η = 0.1, μ = 0.9, λ = 5·10⁻⁴, B = 128, 16 epochs, ÷10 at 40 % and 80 %, m = 50 tracked
/// parameters, snapshots every 50 steps, paper tail rule at α = 0.05, M = 200, N_cov = 1000,
/// seed 0, memory cap 512 MiB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExperimentConfig {
    pub data: DataConfig,
    pub model: ModelSpec,
    pub training: TrainingConfig,
    pub logging: LoggingConfig,
    pub analysis: AnalysisConfig,
    /// One seed drives every draw (split, init, shuffles, measurements).
    pub seed: u64,
    /// Refuse runs whose estimated allocation exceeds this many bytes.
    pub memory_cap: u64,
}

impl Default for ExperimentConfig {
    fn default() -> Self {
        ExperimentConfig {
            data: DataConfig::default(),
            model: ModelSpec::default(),
            training: TrainingConfig::default(),
            logging: LoggingConfig::default(),
            analysis: AnalysisConfig::default(),
            seed: 0,
            memory_cap: DEFAULT_MEMORY_CAP,
        }
    }
}

/// Why an experiment configuration was refused or failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ExperimentError {
    #[error("{field} = {value} is out of range ({range})")]
    OutOfRange { field: &'static str, value: String, range: &'static str },
    #[error("the experiment would need about {} MiB, above the cap of {} MiB", estimate >> 20, cap >> 20)]
    Memory { estimate: u64, cap: u64 },
    #[error("configuration: {0}")]
    Json(String),
    #[error("URL state: {0}")]
    Url(String),
    #[error("unknown preset {0:?} (see `sgn-lab presets`)")]
    UnknownPreset(String),
    #[error("dataset needs asset {0} which was not provided")]
    MissingAsset(&'static str),
    #[error("data: {0}")]
    Data(#[from] DataError),
    #[error("training configuration: {0}")]
    Train(#[from] ConfigError),
    #[error("training: {0}")]
    Run(#[from] crate::train::TrainError),
    #[error("measurement: {0}")]
    Measure(MeasureError),
    #[error("spectrum: {0}")]
    Spectrum(#[from] SpectrumError),
    #[error("cancelled")]
    Cancelled,
    /// An arm trained but could not be measured (e.g. every gradient coordinate is exactly
    /// zero because the f32 softmax saturated on a memorised training set).
    #[error("{arm}: measurement failed: {message}")]
    ArmFailed { arm: String, message: String },
}

impl From<MeasureError> for ExperimentError {
    fn from(e: MeasureError) -> Self {
        match e {
            MeasureError::Cancelled => ExperimentError::Cancelled,
            e => ExperimentError::Measure(e),
        }
    }
}

fn oor(field: &'static str, value: impl ToString, range: &'static str) -> ExperimentError {
    ExperimentError::OutOfRange { field, value: value.to_string(), range }
}

/// A configuration that passed every check, with the derived engine parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedConfig {
    pub config: ExperimentConfig,
    pub train: TrainConfig,
    pub measure: MeasureConfig,
    /// Estimated bytes: training (PROTOCOL §1.4) + measurement (see [`measurement_bytes`]).
    pub memory_estimate: u64,
}

/// Bytes a measurement allocates besides the trainer: three f64 P-vectors per dimension-wise
/// draw (g, ξ, |x| sorted), the M × m frozen draws (g and ξ) and N × m per-sample matrix, the
/// N_cov × N_cov Gram matrix and its eigen workspace (≈ 4 N_cov² f64) plus dense-layer factors
/// N_cov × (Σ fan_in + fan_out) f64, and the baseline's N_cov² matrix.
pub fn measurement_bytes(cfg: &ExperimentConfig, n_params: usize, n_train: usize, layer_sizes: usize) -> u64 {
    let a = &cfg.analysis;
    let p = n_params as u64;
    let m = cfg.logging.n_tracked as u64;
    let n = a.n_cov as u64;
    let dim = 4 * p * 8;
    let frozen = (a.draws as u64) * m * 8 * 2 + n_train as u64 * m * 8;
    let cov = n * n * 8 * 5 + n * layer_sizes as u64 * 8 * 2 + if a.baseline { n * n * 8 * 2 } else { 0 };
    dim + frozen + cov
}

impl ExperimentConfig {
    /// The page's starting point: the protocol's default experiment without the periodic full
    /// snapshots (`logging.full_every = 0`: the page measures at a frozen θ on demand, and a full
    /// gradient every 50 steps would double the cost of training) and with the Davis–Kahan view
    /// over the top 20 eigenvectors.
    pub fn lab_default() -> Self {
        let mut c = ExperimentConfig::default();
        c.logging.full_every = 0;
        c.analysis.davis_kahan_top = 20;
        c
    }

    /// Range checks that need no data (the rest happen in [`ExperimentConfig::check`]).
    pub fn check_ranges(&self) -> Result<(), ExperimentError> {
        let d = &self.data;
        if !(0.0..1.0).contains(&d.label_noise) {
            return Err(oor("data.label_noise", d.label_noise, "[0, 1)"));
        }
        if let Some(n) = d.n_train {
            if n < 2 {
                return Err(oor("data.n_train", n, "≥ 2"));
            }
        }
        if let DatasetSpec::Mnist { downsample } = d.dataset {
            if !(1..=2).contains(&downsample) {
                return Err(oor("data.dataset.downsample", downsample, "1 or 2"));
            }
        }
        let a = &self.analysis;
        level_of(a.level)?;
        if let Some(k) = a.k {
            if !(2..=1_000_000).contains(&k) {
                return Err(oor("analysis.k", k, "2..=1000000"));
            }
        }
        if let Some(k) = a.spectrum_k {
            if !(2..=100_000).contains(&k) {
                return Err(oor("analysis.spectrum_k", k, "2..=100000"));
            }
        }
        if a.davis_kahan_top > 200 {
            return Err(oor("analysis.davis_kahan_top", a.davis_kahan_top, "0..=200"));
        }
        if self.logging.n_tracked == 0 || self.logging.n_tracked > 1000 {
            return Err(oor("logging.n_tracked", self.logging.n_tracked, "1..=1000"));
        }
        if self.memory_cap > 4 << 30 {
            return Err(oor("memory_cap", self.memory_cap, "≤ 4 GiB"));
        }
        Ok(())
    }

    /// The engine's training parameters.
    pub fn train_params(&self) -> TrainParams {
        let t = &self.training;
        TrainParams {
            model: self.model.clone(),
            init: crate::nn::InitKind::Auto,
            loss: crate::nn::LossKind::CrossEntropy,
            sgd: SgdParams { lr: t.lr, momentum: t.momentum, weight_decay: t.weight_decay, schedule: t.schedule.clone() },
            batch_size: t.batch_size,
            epochs: t.epochs,
            seed: self.seed,
            memory_cap: self.memory_cap,
            log: Some(LogParams { n_tracked: self.logging.n_tracked, full_every: self.logging.full_every, frozen: None }),
            precision: t.precision,
        }
    }

    /// The measurement parameters (validated in [`ExperimentConfig::check`]), with minibatch size
    /// `batch_size` (normally the training batch size).
    pub fn measure_params(&self, batch_size: usize) -> Result<MeasureParams, ExperimentError> {
        let a = &self.analysis;
        let level = level_of(a.level)?;
        let rule = match a.rule {
            TailRule::Paper => Rule::Paper,
            TailRule::Clauset => Rule::Clauset,
        };
        let tail = PowerLawOptions::new(rule, a.k, Some(0), self.seed, level).map_err(|e| oor("analysis.k", e, "≥ 2"))?;
        let fit = FitParams::new(a.spectrum_k, a.spectrum_skip, level)?;
        let spectrum = SpectrumOptions {
            fit,
            baseline_seed: a.baseline.then_some(self.seed),
            davis_kahan: (a.davis_kahan_top > 0).then_some((a.davis_kahan_top, self.seed)),
            batch_size: None,
        };
        Ok(MeasureParams {
            batch_size,
            draws: a.draws,
            dim_draws: a.dim_draws,
            n_tracked: self.logging.n_tracked,
            n_cov: a.n_cov,
            tail,
            example_bootstrap: 0,
            spectrum,
            seed: self.seed,
        })
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

    /// Loads and prepares (train, test) from the dataset's asset bytes (`None` for synthetic data).
    pub fn prepare_data(&self, asset: Option<&[u8]>) -> Result<(Dataset, Dataset), ExperimentError> {
        self.check_ranges()?;
        if asset.is_none() {
            if let Some(name) = self.data.dataset.asset() {
                return Err(ExperimentError::MissingAsset(name));
            }
        }
        let all = self.data.dataset.load(asset)?;
        Ok(prepare(&all, &self.prepare_params())?)
    }

    /// Validates everything against the prepared training set: ranges, the model against the
    /// data, N_cov capped at the number of training samples, training (via [`TrainParams::check`]), measurement (via [`MeasureParams::check`]),
    /// and the memory estimate (training + measurement) against `memory_cap`.
    pub fn check(&self, train: &Dataset) -> Result<CheckedConfig, ExperimentError> {
        self.check_ranges()?;
        let tc = self.train_params().check(train)?;
        let mut config = self.clone();
        config.analysis.n_cov = config.analysis.n_cov.min(train.n);
        let measure = config.measure_params(config.training.batch_size)?.check(train.n)?;
        let layer_sizes: usize = tc.layers.iter().map(|l| l.in_size() + l.out_size()).sum();
        let estimate = tc.memory.total + measurement_bytes(&config, tc.n_params, train.n, layer_sizes);
        if estimate > config.memory_cap {
            return Err(ExperimentError::Memory { estimate, cap: config.memory_cap });
        }
        Ok(CheckedConfig { config, train: tc, measure, memory_estimate: estimate })
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
        let base = serde_json::to_value(ExperimentConfig::default()).map_err(|e| ExperimentError::Json(e.to_string()))?;
        super::refuse_positional(&base, &v, "").map_err(|e| ExperimentError::Json(e.to_string()))?;
        serde_json::from_value(v).map_err(|e| ExperimentError::Json(e.to_string()))
    }
}

/// α ∈ {0.10, 0.05, 0.01} → [`Level`].
pub fn level_of(level: f64) -> Result<Level, ExperimentError> {
    if (level - 0.10).abs() < 1e-12 {
        Ok(Level::P10)
    } else if (level - 0.05).abs() < 1e-12 {
        Ok(Level::P05)
    } else if (level - 0.01).abs() < 1e-12 {
        Ok(Level::P01)
    } else {
        Err(oor("analysis.level", level, "0.10, 0.05 or 0.01"))
    }
}
