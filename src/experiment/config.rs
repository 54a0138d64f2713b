//! [`ExperimentConfig`]: every knob of one experiment (data, model, training, gradient logging,
//! analysis) with the defaults of `docs/PROTOCOL.md`, serde JSON with `deny_unknown_fields`, the
//! data-free range checks ([`ExperimentConfig::check_ranges`]) and the typed
//! [`ExperimentError`]s. The checks against the prepared data — training
//! ([`ExperimentConfig::check_training`] into a [`CheckedTraining`]), a measurement
//! ([`CheckedTraining::check_measurement`]) and both ([`ExperimentConfig::check`] into a
//! [`CheckedConfig`]) — are in [`super::check`], the memory estimate in [`super::memory`].

/// The configuration's error type, defined in [`super::error`] (with the memory fit it carries).
pub use super::error::ExperimentError;
use crate::data::{DatasetSpec, PrepareParams};
use crate::experiment::measure::{MeasureParams, MAX_BOOTSTRAP, MAX_TRACKED};
use crate::nn::ModelSpec;
use crate::spectrum::{FitParams, SpectrumOptions};
use crate::stats::powerlaw::{PowerLawOptions, Rule};
use crate::stats::Level;
use crate::train::{LogParams, LrSchedule, Precision, SgdParams, TrainParams, DEFAULT_MEMORY_CAP};
use serde::{Deserialize, Serialize};

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
        DataConfig {
            dataset: DatasetSpec::default(),
            n_train: None,
            n_test: None,
            label_noise: 0.0,
            random_labels: false,
        }
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
        TrainingConfig {
            lr: s.lr,
            momentum: s.momentum,
            weight_decay: s.weight_decay,
            schedule: s.schedule,
            batch_size: 128,
            epochs: 16,
            precision: Precision::F32,
        }
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
        LoggingConfig {
            n_tracked: 50,
            full_every: 50,
        }
    }
}

/// Analyses at a frozen θ (PROTOCOL §5.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    pub rule: Rule,
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
    /// Bootstrap replicates for the goodness-of-fit p-value of the two iteration-wise example
    /// tail tests (0..=2000; 0 = none, today's behaviour). Power-law *rates* never bootstrap
    /// (Clauset's verdict is then d_ks < c(α)/√n_tail). Cost: each replicate draws and re-fits
    /// a synthetic sample of the example's size (M or T values, the Clauset rule re-scanning
    /// x_min), so 1000 replicates take about 1000 × one tail test. Not serialised when 0, so
    /// reports and URL hashes of configurations without it are unchanged.
    #[serde(skip_serializing_if = "is_zero")]
    pub bootstrap: usize,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            rule: Rule::Paper,
            level: 0.05,
            k: None,
            draws: 200,
            dim_draws: DEFAULT_DIM_DRAWS,
            n_cov: 1000,
            spectrum_k: None,
            spectrum_skip: 0,
            baseline: true,
            davis_kahan_top: 0,
            measure_init: false,
            bootstrap: 0,
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
    pub training: TrainingConfig,
    pub logging: LoggingConfig,
    pub analysis: AnalysisConfig,
    /// One seed drives every draw (split, init, shuffles, measurements).
    pub seed: u64,
    /// R: a preset runs R independent replicates, replicate r at seed
    /// [`crate::rng::replicate_seed`]`(seed, r)`, and states each claim from the R outcomes
    /// (1..=100; [`DEFAULT_REPLICATES`]). A single configuration (`sgn-lab run --config`, the
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
            training: TrainingConfig::default(),
            logging: LoggingConfig::default(),
            analysis: AnalysisConfig::default(),
            seed: 0,
            replicates: DEFAULT_REPLICATES,
            memory_cap: DEFAULT_MEMORY_CAP,
        }
    }
}

fn is_zero(v: &usize) -> bool {
    *v == 0
}

fn oor(field: &'static str, value: impl ToString, range: &'static str) -> ExperimentError {
    ExperimentError::OutOfRange {
        field,
        value: value.to_string(),
        range,
    }
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
    let k = a.spectrum_k.unwrap_or(2);
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

/// Dimension-wise draws per measurement by default: a power-law rate from n draws has a 95 %
/// Wilson interval about ±1/√n wide at one half (±0.28 at n = 10: a coin; ±0.17 at 30), and
/// pooled over the 10 replicates of a preset ±0.06 — for one minibatch gradient and one tail test
/// per draw (`docs/PROTOCOL.md` §5.1).
pub const DEFAULT_DIM_DRAWS: usize = 30;

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
        if !(10..=5000).contains(&a.draws) {
            return Err(oor("analysis.draws", a.draws, "10..=5000"));
        }
        if !(1..=100).contains(&a.dim_draws) {
            return Err(oor("analysis.dim_draws", a.dim_draws, "1..=100"));
        }
        if a.bootstrap > MAX_BOOTSTRAP {
            return Err(oor("analysis.bootstrap", a.bootstrap, "0..=2000"));
        }
        if a.spectrum_skip > 100_000 {
            return Err(oor(
                "analysis.spectrum_skip",
                a.spectrum_skip,
                "0..=100000, leaving at least K eigenvalues to fit",
            ));
        }
        if a.davis_kahan_top > 200 {
            return Err(oor("analysis.davis_kahan_top", a.davis_kahan_top, "0..=200"));
        }
        if self.logging.n_tracked == 0 || self.logging.n_tracked > MAX_TRACKED {
            return Err(oor("logging.n_tracked", self.logging.n_tracked, "1..=1000"));
        }
        if !(1..=100).contains(&self.replicates) {
            return Err(oor("replicates", self.replicates, "1..=100"));
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
            sgd: SgdParams {
                lr: t.lr,
                momentum: t.momentum,
                weight_decay: t.weight_decay,
                schedule: t.schedule.clone(),
            },
            batch_size: t.batch_size,
            epochs: t.epochs,
            seed: self.seed,
            memory_cap: self.memory_cap,
            log: Some(LogParams {
                n_tracked: self.logging.n_tracked,
                full_every: self.logging.full_every,
                frozen: None,
            }),
            precision: t.precision,
        }
    }

    /// The measurement parameters (validated in [`ExperimentConfig::check`]), with minibatch size
    /// `batch_size` (normally the training batch size).
    pub fn measure_params(&self, batch_size: usize) -> Result<MeasureParams, ExperimentError> {
        let a = &self.analysis;
        let level = level_of(a.level)?;
        let rule = a.rule;
        let tail = PowerLawOptions::new(rule, a.k, Some(a.bootstrap), self.seed, level)
            .map_err(|e| oor("analysis.k", e, "≥ 2"))?;
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
            example_bootstrap: a.bootstrap,
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

/// α ∈ {0.10, 0.05, 0.01} → [`Level`] (`Level::try_from`), refused as the configuration's
/// `analysis.level`.
pub fn level_of(level: f64) -> Result<Level, ExperimentError> {
    Level::try_from(level).map_err(|_| oor("analysis.level", level, "0.10, 0.05 or 0.01"))
}
