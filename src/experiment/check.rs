//! The checks of an [`ExperimentConfig`] against its prepared training set, each for what is
//! about to run: [`ExperimentConfig::check_training`] (what training needs: the page's session,
//! i.e. Play), [`CheckedTraining::check_measurement`] (what a measurement at the trained network
//! needs: Measure, with the setting that drives a refusal over the cap and the largest value of it
//! that fits), and [`ExperimentConfig::check`] for both (what `sgn-lab run` checks before it
//! trains). Nothing is allocated before a check passes.

use super::config::{check_spectrum_skip, ExperimentConfig};
use super::error::{check_memory, ExperimentError};
use super::measure::MeasureConfig;
use super::memory::{data_bytes, fit_measurement, measurement_bytes};
use crate::data::{prepare, Dataset, DatasetSpec};
use crate::nn::ModelSpec;
use crate::train::{TrainConfig, TrainParams};
use std::borrow::Cow;

impl ExperimentConfig {
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
}

/// A configuration whose training passed every check ([`ExperimentConfig::check_training`]):
/// what the page needs to build its session and Play. The measurement is checked on its own
/// ([`CheckedTraining::check_measurement`]), so a setting only the measurement needs never
/// blocks training.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedTraining {
    /// The configuration with N_cov capped at the training-set size.
    pub config: ExperimentConfig,
    pub train: TrainConfig,
    /// Upper bound of the bytes data and training allocate: [`data_bytes`] +
    /// [`crate::train::estimate_memory`]; at most `memory_cap`.
    pub training_estimate: u64,
}

/// A measurement that passed every check ([`CheckedTraining::check_measurement`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedMeasurement {
    /// The configuration as measured (N_cov capped at the training-set size).
    pub config: ExperimentConfig,
    pub measure: MeasureConfig,
    /// Upper bound of the bytes data, training and the measurement allocate: [`data_bytes`] +
    /// training + [`measurement_bytes`]; at most `memory_cap`.
    pub memory_estimate: u64,
}

/// A configuration whose training and measurement passed every check
/// ([`ExperimentConfig::check`]: what `sgn-lab run` trains and measures), with the derived engine
/// parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedConfig {
    pub config: ExperimentConfig,
    pub train: TrainConfig,
    pub measure: MeasureConfig,
    /// Upper bound of the bytes data and training allocate ([`CheckedTraining::training_estimate`]).
    pub training_estimate: u64,
    /// Upper bound of the bytes the experiment allocates: data ([`data_bytes`]) + training
    /// ([`crate::train::estimate_memory`]) + measurement ([`measurement_bytes`]).
    pub memory_estimate: u64,
}

impl CheckedConfig {
    /// What training needs of it (the measurement having been checked too).
    pub fn training(self) -> CheckedTraining {
        CheckedTraining {
            config: self.config,
            train: self.train,
            training_estimate: self.training_estimate,
        }
    }
}

impl CheckedTraining {
    /// Checks a measurement at the trained network of this configuration: `cfg` is
    /// [`CheckedTraining::config`] with measurement settings changed (the page's request: rule,
    /// level, draws, N_cov and, under Clauset's rule, the example bootstrap); `train` is the
    /// training set. In order: ranges, N_cov capped at the training-set size, the spectrum fit's
    /// skip against the rank bound, [`MeasureParams::check`](super::measure::MeasureParams::check), and the estimate ([`data_bytes`] +
    /// training + [`measurement_bytes`]) against `memory_cap` — above it
    /// [`ExperimentError::MeasurementMemory`] names the setting that drives it and the largest
    /// value that fits ([`fit_measurement`]). A refused request allocates nothing.
    pub fn check_measurement(
        &self,
        cfg: &ExperimentConfig,
        train: &Dataset,
    ) -> Result<CheckedMeasurement, ExperimentError> {
        let (config, measure, estimate) = self.measurement_parts(cfg, train)?;
        if estimate > config.memory_cap {
            let bytes = |c: &ExperimentConfig| self.estimate_of(c, train);
            let passes = |c: &ExperimentConfig| {
                self.measurement_parts(c, train)
                    .is_ok_and(|(c, _, e)| e <= c.memory_cap)
            };
            let fit = fit_measurement(&config, self.train.n_params, &bytes, &passes);
            return Err(ExperimentError::MeasurementMemory {
                estimate,
                cap: config.memory_cap,
                fit,
            });
        }
        Ok(CheckedMeasurement {
            config,
            measure,
            memory_estimate: estimate,
        })
    }

    /// The training part for `cfg`: this one, or (when `cfg` trains differently, e.g. another m)
    /// `cfg`'s own, checked against `train`.
    fn training_of(&self, cfg: &ExperimentConfig, train: &Dataset) -> Result<Cow<'_, TrainConfig>, ExperimentError> {
        let p = cfg.train_params();
        if p == self.train.params {
            Ok(Cow::Borrowed(&self.train))
        } else {
            Ok(Cow::Owned(p.check(train)?))
        }
    }

    /// The measurement's checks but the cap: (the config as measured, its [`MeasureConfig`], the
    /// estimate of data + training + measurement).
    fn measurement_parts(
        &self,
        cfg: &ExperimentConfig,
        train: &Dataset,
    ) -> Result<(ExperimentConfig, MeasureConfig, u64), ExperimentError> {
        cfg.check_ranges()?;
        let mut cfg = cfg.clone();
        cfg.memory_cap = self.config.memory_cap;
        cfg.analysis.n_cov = cfg.analysis.n_cov.min(train.n());
        let tc = self.training_of(&cfg, train)?;
        check_spectrum_skip(&cfg, tc.n_params)?;
        let measure = cfg.measure_params(cfg.training.batch_size)?.check(train.n())?;
        let estimate = data_bytes(&cfg) + tc.memory.total + measurement_bytes(&cfg, &tc);
        Ok((cfg, measure, estimate))
    }

    /// The estimate of data + training + measurement of `cfg` (N_cov capped at N), without any
    /// check but building its training part (`None` when that fails, e.g. m > P).
    fn estimate_of(&self, cfg: &ExperimentConfig, train: &Dataset) -> Option<u64> {
        let mut c = cfg.clone();
        c.memory_cap = self.config.memory_cap;
        c.analysis.n_cov = c.analysis.n_cov.min(train.n());
        let p = c.train_params();
        let tc = if p == self.train.params {
            Cow::Borrowed(&self.train)
        } else {
            let uncapped = TrainParams {
                memory_cap: u64::MAX,
                ..p
            };
            Cow::Owned(uncapped.check(train).ok()?)
        };
        Some(data_bytes(&c) + tc.memory.total + measurement_bytes(&c, &tc))
    }
}

impl ExperimentConfig {
    /// Checks what training needs against the prepared training set, before anything large is
    /// allocated: ranges, the model against the data (LeNet-5 needs 28×28 images), a batch no
    /// larger than the training set and at most P tracked parameters (both
    /// [`ExperimentError::AboveLimit`], naming the largest value), training (via
    /// [`TrainParams::check`], its memory included), and [`data_bytes`] + training against
    /// `memory_cap`. N_cov is capped at the number of training samples. Settings only the
    /// measurement needs (N_cov, M, the spectrum fit, Davis–Kahan) are range-checked only: their
    /// memory is [`CheckedTraining::check_measurement`]'s.
    pub fn check_training(&self, train: &Dataset) -> Result<CheckedTraining, ExperimentError> {
        self.check_ranges()?;
        let lenet_input = Some(crate::data::ImageShape {
            channels: 1,
            rows: 28,
            cols: 28,
        });
        if matches!(self.model, ModelSpec::Lenet { .. }) && train.image != lenet_input {
            return Err(ExperimentError::ModelNeedsImages {
                dataset: dataset_name(&self.data.dataset),
                features: match train.image {
                    Some(s) => format!("{}×{} images", s.rows, s.cols),
                    None => format!("{} features and no image shape", train.d()),
                },
            });
        }
        if self.training.batch_size > train.n() {
            return Err(ExperimentError::AboveLimit {
                field: "training.batch_size",
                name: "batch size",
                value: self.training.batch_size,
                largest: train.n(),
                limit: format!("the {} samples of the training set", train.n()),
            });
        }
        if let Ok(layers) = self.model.layers(train.d(), train.image, train.n_classes) {
            let n_params: usize = layers.iter().map(crate::nn::Layer::n_params).sum();
            if self.logging.n_tracked > n_params {
                return Err(ExperimentError::AboveLimit {
                    field: "logging.n_tracked",
                    name: "tracked parameters m",
                    value: self.logging.n_tracked,
                    largest: n_params,
                    limit: format!("the {n_params} parameters of the network"),
                });
            }
        }
        let tc = self.train_params().check(train)?;
        let mut config = self.clone();
        config.analysis.n_cov = config.analysis.n_cov.min(train.n());
        let training_estimate = data_bytes(&config) + tc.memory.total;
        check_memory(training_estimate, config.memory_cap)?;
        Ok(CheckedTraining {
            config,
            train: tc,
            training_estimate,
        })
    }

    /// Validates training and the measurement against the prepared training set (what
    /// `sgn-lab run` does before training): [`ExperimentConfig::check_training`], then
    /// [`CheckedTraining::check_measurement`] of this configuration's own analysis settings.
    pub fn check(&self, train: &Dataset) -> Result<CheckedConfig, ExperimentError> {
        let t = self.check_training(train)?;
        let m = t.check_measurement(&t.config, train)?;
        Ok(CheckedConfig {
            config: m.config,
            train: t.train,
            measure: m.measure,
            training_estimate: t.training_estimate,
            memory_estimate: m.memory_estimate,
        })
    }
}

/// The dataset as the page's menu names it (for messages).
fn dataset_name(spec: &DatasetSpec) -> String {
    match spec {
        DatasetSpec::Mnist { downsample: 1 } => "MNIST subset, 28×28".into(),
        DatasetSpec::Mnist { downsample } => format!("MNIST subset, {0}×{0}", 28 / downsample.max(&1)),
        DatasetSpec::Digits8x8 => "8×8 digits".into(),
        DatasetSpec::BreastCancer => "breast cancer (table)".into(),
        DatasetSpec::Wine => "wine (table)".into(),
        DatasetSpec::GaussianMixture(_) => "Gaussian mixture".into(),
        DatasetSpec::Teacher(_) => "teacher network".into(),
    }
}
