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
use crate::train::{
    ConfigError, LogParams, LrSchedule, Precision, SgdParams, TrainConfig, TrainParams, DEFAULT_MEMORY_CAP,
};
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
            bootstrap: 0,
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

/// Why an experiment configuration was refused or failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ExperimentError {
    #[error("{field} = {value} is out of range ({range})")]
    OutOfRange {
        field: &'static str,
        value: String,
        range: &'static str,
    },
    /// Both in MiB with one decimal and in exact bytes (a rounded MiB alone can print the same
    /// number twice).
    #[error("the experiment would need about {:.1} MiB ({estimate} bytes), above the cap of {:.1} MiB ({cap} bytes)", mib(*estimate), mib(*cap))]
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
    /// A broken invariant of the library (a bug, not bad input): reported, never a panic.
    #[error("internal error (please report): {0}")]
    Internal(String),
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

fn is_zero(v: &usize) -> bool {
    *v == 0
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 20)
}

fn oor(field: &'static str, value: impl ToString, range: &'static str) -> ExperimentError {
    ExperimentError::OutOfRange {
        field,
        value: value.to_string(),
        range,
    }
}

/// A configuration that passed every check, with the derived engine parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedConfig {
    pub config: ExperimentConfig,
    pub train: TrainConfig,
    pub measure: MeasureConfig,
    /// Upper bound of the bytes the experiment allocates: data ([`data_bytes`]) + training
    /// ([`crate::train::estimate_memory`]) + measurement ([`measurement_bytes`]).
    pub memory_estimate: u64,
}

const F64: u64 = 8;

/// Upper bound of the bytes [`ExperimentConfig::prepare_data`] allocates, known before anything
/// is loaded (checked against `memory_cap` there, and part of [`CheckedConfig::memory_estimate`]).
/// A dataset of `n` samples and `d` features is `n (4 d + 4)` bytes (f32 features, u32 labels);
/// [`crate::data::prepare`] holds the whole set (n), the split (n_train + n_test, each at most n)
/// and, with label noise or random labels, a relabelled copy of the training part (n_train):
/// `(4 d + 4)(n + n_train + n_test [+ n_train])`, the split's permutation (8 n) and the
/// standardiser's means and scales (16 d). On top:
/// - asset images (MNIST 10,000 × 784, 8×8 digits 1,797 × 64): the gunzipped bytes, `n (d + 1)`
///   plus a 4 KiB header, twice for `read_to_end`'s doubling growth; a 2× downsampled copy
///   `n (d/4 · 4 + 4)`;
/// - tables (569 × 30, 178 × 13): the parsed f64 cells `8 n d` twice (values and rows);
/// - synthetic: the class means `8 K d`; the teacher's f64 network `8 (d h + h + h K + K)` and
///   one 512-row f64 chunk of input, hidden and output activations `8 · 512 (d + 2 h + 2 K)`.
pub fn data_bytes(cfg: &ExperimentConfig) -> u64 {
    use crate::data::DatasetSpec as S;
    let row = |d: u128| 4 * d + 4;
    let gz = |n: u128, d: u128| 2 * (n * (d + 1) + 4096);
    // (samples, features, decoding buffers) of the whole set. n, d, K and h of synthetic data
    // come from the URL or a config file, unchecked before loading: clamped to 2⁴⁰ (the estimate
    // then still exceeds any cap, ≤ 4 GiB) so that the u128 products below cannot overflow.
    let c = |x: usize| (x as u128).min(1 << 40);
    let (n, d, extra): (u128, u128, u128) = match &cfg.data.dataset {
        S::Mnist { downsample } => (
            10_000,
            784,
            gz(10_000, 784) + if *downsample > 1 { 10_000 * row(196) } else { 0 },
        ),
        S::Digits8x8 => (1797, 64, gz(1797, 64)),
        S::BreastCancer => (569, 30, 2 * 8 * 570 * 32),
        S::Wine => (178, 13, 2 * 8 * 179 * 14),
        S::GaussianMixture(p) => (c(p.n), c(p.d), 8 * c(p.n_classes) * c(p.d)),
        S::Teacher(p) => {
            let (d, k, h) = (c(p.d), c(p.n_classes), c(p.hidden));
            (c(p.n), d, 8 * (d * h + h + h * k + k) + 8 * 512 * (d + 2 * h + 2 * k))
        }
    };
    let pp = cfg.prepare_params();
    // The split's sizes as `prepare` takes them (at most the whole set each; a split larger
    // than the set is refused by `Dataset::split` before copying).
    let n_train = pp.n_train.map_or(n * 4 / 5, |t| c(t).min(n));
    let n_test = pp.n_test.map_or(n.saturating_sub(n_train), |t| c(t).min(n));
    let relabel = if pp.label_noise > 0.0 || pp.random_labels {
        n_train
    } else {
        0
    };
    sat(row(d) * (n + n_train + n_test + relabel) + 8 * n + 16 * d + extra)
}

fn sat(x: u128) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// Upper bound of the bytes [`crate::experiment::measure::measure`] allocates besides the
/// trainer, for the checked training config `tc` (P parameters, N training samples, T logged
/// steps = total steps, m tracked, M = `draws`, R = `dim_draws`, N_c = `n_cov`). Every buffer of
/// one stage is counted as live at once, and the stages are added (results of earlier stages are
/// kept to the end of `measure`); all values f64:
/// - **dimension-wise**: ∇L(θ) (P), per draw g_B and ξ (2P), |x| for the tail test (P) and the
///   Gaussianity tests' sorted copy (P), the kept first pair (2P), the minibatch draw's index
///   pool (N usize): `8 (7P + N)`;
/// - **iteration-wise**: the N × m tracked per-sample matrix with one chunk of full per-sample
///   gradients ([`crate::nn::grad::per_sample_bytes_of_layers`] of min(512, N)) and its index list (N), the M draws of g and
///   ξ (2Mm) and their m columns (Mm), the log's m columns of T steps (Tm), the two examples and
///   their tail copies (2M + 2T), a bootstrap replicate's synthetic sample and its sorted copy
///   (4M + 4T): `8 (Nm + N + 3Mm + Tm + 6M + 6T + m)` + chunk;
/// - **spectrum** (N_c ≥ 2): the sample permutation (N usize), the per-sample gradients of N_c
///   samples ([`crate::nn::grad::per_sample_bytes_of_layers`]), the Gram K (N_c²) and the largest of
///   - its construction: two N_c² syrk buffers (`gram::gram`);
///   - the spectrum: the centred copy (N_c²) and [`evd_bytes`](crate::spectrum::eigen::evd_bytes)`(N_c)`;
///   - the Gaussian baseline (P = d): the N_c × P matrix when N_c·P ≤
///     [`MAX_MATERIALISED`](crate::spectrum::marchenko_pastur::MAX_MATERIALISED) or P < N_c, else
///     the Bartlett factor (N_c²); its Gram (N_c²); then the eigenvalues of the centred Gram
///     (`evd_bytes(N_c)`);
///   - Davis–Kahan (`davis_kahan_top` > 0, N_c ≥ 4): the three centred half blocks (¾ N_c²), the two
///     halves' eigenvectors (½ N_c²) and one half's decomposition with vectors
///     (`evd_bytes(N_c/2 + 1, true)` + its input copy), then the stacked Gram z, its eigenvectors,
///     W = QΛ^½, DW and M (5 N_c²) and M's eigenvalues (`evd_bytes(N_c)`), or z's decomposition
///     with vectors (`evd_bytes(N_c, true)`), whichever is larger;
///
///   plus the eigenvalue lists, trace shares and fits (16 N_c).
pub fn measurement_bytes(cfg: &ExperimentConfig, tc: &TrainConfig) -> u64 {
    use crate::spectrum::eigen::evd_bytes;
    let a = &cfg.analysis;
    let p = tc.n_params as u64;
    let n = tc.n_train as u64;
    let m = cfg.logging.n_tracked.min(tc.n_params) as u64;
    let t = tc.total_steps;
    let draws = a.draws as u64;
    let dim = F64 * (7 * p + n);
    let chunk = crate::nn::grad::per_sample_bytes_of_layers(&tc.layers, tc.n_train.min(crate::nn::grad::CHUNK));
    let iter = F64 * (n * m + n + 3 * draws * m + t * m + 6 * draws + 6 * t + m) + chunk;
    let nc = a.n_cov.min(tc.n_train);
    let spectrum = if nc >= 2 {
        let c = nc as u64;
        let sq = c * c * F64;
        let build = 2 * sq;
        let spec = sq + evd_bytes(nc, false);
        let baseline = if a.baseline {
            let x = if c.saturating_mul(p) <= crate::spectrum::marchenko_pastur::MAX_MATERIALISED as u64 || p < c {
                c * p * F64
            } else {
                sq
            };
            (x + sq).max(2 * sq + evd_bytes(nc, false))
        } else {
            0
        };
        let dk = if a.davis_kahan_top > 0 && nc >= 4 {
            let half = nc / 2 + 1;
            let blocks = 3 * sq / 4 + sq / 2;
            let first = (half as u64 * half as u64 * F64) + evd_bytes(half, true);
            let later = (5 * sq + evd_bytes(nc, false)).max(sq + evd_bytes(nc, true));
            blocks + first.max(later)
        } else {
            0
        };
        F64 * n
            + crate::nn::grad::per_sample_bytes_of_layers(&tc.layers, nc)
            + sq
            + build.max(spec).max(baseline).max(dk)
            + 16 * F64 * c
    } else {
        0
    };
    dim + iter + spectrum
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

/// Refuses `estimate` above `cap` with [`ExperimentError::Memory`].
pub fn check_memory(estimate: u64, cap: u64) -> Result<(), ExperimentError> {
    if estimate > cap {
        Err(ExperimentError::Memory { estimate, cap })
    } else {
        Ok(())
    }
}

/// Replicates of a preset by default: enough that a claim holding in every replicate is decided
/// ("agrees" needs the lower end of the 95 % Wilson interval above ½: 5 of 5 already gives 0.57;
/// 10 resolves a 9-of-10 split: [0.60, 0.98]) — see `docs/PROTOCOL.md` §6.
pub const DEFAULT_REPLICATES: usize = 10;

/// Replicates of a preset in the page (the page's time budget: the tour at R = 3 takes about as
/// long as it took at R = 1 before the worker pool).
pub const PAGE_REPLICATES: usize = 3;

impl CheckedConfig {
    /// Re-checks a measurement with other analysis settings at the trained network of this
    /// config (the page's measurement request: `cfg` is [`CheckedConfig::config`] with rule,
    /// level, draws and N_cov replaced; `example_bootstrap` replicates for the example tail
    /// tests): ranges, N_cov capped at the training-set size, and the memory estimate
    /// ([`data_bytes`] + training + [`measurement_bytes`] of `cfg`) against `memory_cap`, so a
    /// refused request allocates nothing. Returns the config as measured and its
    /// [`MeasureConfig`].
    pub fn check_measurement(
        &self,
        cfg: &ExperimentConfig,
        example_bootstrap: usize,
    ) -> Result<(ExperimentConfig, MeasureConfig), ExperimentError> {
        cfg.check_ranges()?;
        let mut cfg = cfg.clone();
        cfg.memory_cap = self.config.memory_cap;
        cfg.analysis.n_cov = cfg.analysis.n_cov.min(self.train.n_train);
        let mut params = cfg.measure_params(cfg.training.batch_size)?;
        params.example_bootstrap = example_bootstrap;
        let measure = params.check(self.train.n_train)?;
        let estimate = data_bytes(&cfg) + self.train.memory.total + measurement_bytes(&cfg, &self.train);
        check_memory(estimate, cfg.memory_cap)?;
        Ok((cfg, measure))
    }
}

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
        if a.bootstrap > 2000 {
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
        if self.logging.n_tracked == 0 || self.logging.n_tracked > 1000 {
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
        let rule = match a.rule {
            TailRule::Paper => Rule::Paper,
            TailRule::Clauset => Rule::Clauset,
        };
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

    /// Loads and prepares (train, test) from the dataset's asset bytes (`None` for synthetic data).
    pub fn prepare_data(&self, asset: Option<&[u8]>) -> Result<(Dataset, Dataset), ExperimentError> {
        self.check_ranges()?;
        if asset.is_none() {
            if let Some(name) = self.data.dataset.asset() {
                return Err(ExperimentError::MissingAsset(name));
            }
        }
        check_memory(data_bytes(self), self.memory_cap)?;
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
        check_spectrum_skip(&config, tc.n_params)?;
        let measure = config.measure_params(config.training.batch_size)?.check(train.n)?;
        let estimate = data_bytes(&config) + tc.memory.total + measurement_bytes(&config, &tc);
        check_memory(estimate, config.memory_cap)?;
        Ok(CheckedConfig {
            config,
            train: tc,
            measure,
            memory_estimate: estimate,
        })
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
