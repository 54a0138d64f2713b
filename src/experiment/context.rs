//! What a preset runs in: the dataset assets, the progress span and its cancel flag, and the
//! trained network the whole tour keeps for reuse; and the arm primitives every preset uses —
//! [`Ctx::train_arm`] (one arm through the [`ArmDriver`], measured at the end) and
//! [`Ctx::measure_at`] (another measurement of a trained arm).

use super::config::{ExperimentConfig, ExperimentError};
use super::driver::ArmDriver;
use super::measure::MeasureError;
use super::presets::shared::collapse_note;
use super::report::{ArmResult, MeasuredAt, Measurement};
use crate::stats::StatsError;
use crate::train::Trainer;
use std::rc::Rc;

/// Where a run is.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress<'a> {
    pub preset: &'a str,
    pub stage: &'a str,
    /// Fraction of the whole run done, in [0, 1].
    pub fraction: f64,
}

/// Asset loader: file name under `assets/` → bytes.
pub type Assets<'a> = dyn FnMut(&str) -> Option<Vec<u8>> + 'a;
/// Progress callback; `false` cancels.
pub type ProgressFn<'a> = dyn FnMut(&Progress<'_>) -> bool + 'a;

/// The run's environment, passed to every preset.
pub struct Ctx<'a, 'b> {
    assets: &'a mut Assets<'a>,
    progress: &'b mut ProgressFn<'b>,
    pub(crate) preset: String,
    lo: f64,
    hi: f64,
    /// Keep the first trained network for reuse by later arms (the whole tour); single presets
    /// train every arm.
    keep: bool,
    kept: Option<Kept>,
}

/// A trained network kept for later arms of the same run. Training is a deterministic function
/// of the data, the checked training configuration and the seed, so an arm whose `key` matches
/// continues from this network instead of retraining and gets the same numbers; its
/// measurements are still made with its own analysis settings. The tour trains the default
/// network in seven presets: the first one is kept, which bounds the extra memory to one network.
struct Kept {
    key: String,
    driver: Rc<ArmDriver>,
}

/// A trained arm: its driver (the network at the end of training) and its result so far.
pub struct Trained {
    pub driver: Rc<ArmDriver>,
    pub arm: ArmResult,
}

impl Trained {
    pub fn trainer(&self) -> &Trainer {
        self.driver.trainer()
    }

    pub fn n_classes(&self) -> usize {
        self.trainer().train_data().n_classes
    }
}

impl<'a, 'b> Ctx<'a, 'b> {
    pub fn new(assets: &'a mut Assets<'a>, progress: &'b mut ProgressFn<'b>, preset: &str, keep: bool) -> Self {
        Ctx {
            assets,
            progress,
            preset: preset.to_string(),
            lo: 0.0,
            hi: 1.0,
            keep,
            kept: None,
        }
    }
}

impl Ctx<'_, '_> {
    /// Reports `stage` at fraction `f` of the current span; `Err(Cancelled)` when the callback
    /// says stop.
    pub fn tick(&mut self, stage: &str, f: f64) -> Result<(), ExperimentError> {
        let fraction = (self.lo + (self.hi - self.lo) * f.clamp(0.0, 1.0)).clamp(0.0, 1.0);
        if (self.progress)(&Progress {
            preset: &self.preset,
            stage,
            fraction,
        }) {
            Ok(())
        } else {
            Err(ExperimentError::Cancelled)
        }
    }

    /// Runs `f` within the sub-span [i/n, (i+1)/n] of the current span.
    pub fn within<T>(
        &mut self,
        i: usize,
        n: usize,
        f: impl FnOnce(&mut Self) -> Result<T, ExperimentError>,
    ) -> Result<T, ExperimentError> {
        let old = (self.lo, self.hi);
        let w = (self.hi - self.lo) / n.max(1) as f64;
        self.lo = old.0 + w * i as f64;
        self.hi = self.lo + w;
        let r = f(self);
        self.lo = old.0;
        self.hi = old.1;
        r
    }

    /// Forgets the kept network (a new replicate trains its own).
    pub fn forget_kept(&mut self) {
        self.kept = None;
    }

    /// The bytes of asset `name`, or [`ExperimentError::MissingAsset`].
    pub fn asset(&mut self, name: &'static str) -> Result<Vec<u8>, ExperimentError> {
        (self.assets)(name).ok_or(ExperimentError::MissingAsset(name))
    }

    /// The training-set size N of a configuration (prepares the data; the split is cheap next to
    /// training).
    pub fn train_size(&mut self, cfg: &ExperimentConfig) -> Result<usize, ExperimentError> {
        let asset = match cfg.data.dataset.asset() {
            Some(name) => Some(self.asset(name)?),
            None => None,
        };
        Ok(cfg.prepare_data(asset.as_deref())?.0.n())
    }

    /// Measures at `t`'s θ with the analysis of `cfg` and minibatch size `b`, within the
    /// progress interval [f0, f1] of the current span.
    pub fn measure_at(
        &mut self,
        t: &Trainer,
        cfg: &ExperimentConfig,
        b: usize,
        (label, at): (&str, MeasuredAt),
        f0: f64,
        f1: f64,
    ) -> Result<Measurement, ExperimentError> {
        let mut cancelled = false;
        let r = ArmDriver::measure(t, cfg, b, label, at, |stage, f| {
            let ok = self.tick(stage, f0 + (f1 - f0) * f).is_ok();
            cancelled |= !ok;
            ok
        });
        r.map_err(|e| if cancelled { ExperimentError::Cancelled } else { e })
    }

    /// Prepares the data, checks the configuration, trains through the [`ArmDriver`] (test
    /// evaluation at step 0 and after every epoch) and measures at θ₀ (if
    /// `analysis.measure_init`) and at the end. An arm whose measured gradient is exactly zero
    /// is [`ExperimentError::ArmFailed`] with its cause from the numbers.
    pub fn train_arm(&mut self, label: &str, cfg: &ExperimentConfig) -> Result<Trained, ExperimentError> {
        self.tick("data", 0.0)?;
        let asset = match cfg.data.dataset.asset() {
            Some(name) => Some(self.asset(name)?),
            None => None,
        };
        let (train, test) = cfg.prepare_data(asset.as_deref())?;
        // Training and the measurement are checked before anything trains.
        let checked = cfg.check(&train)?.training();
        // The checked config (N_cov capped at N) is what the measurements use.
        let used = checked.config.clone();
        let key = format!(
            "{:?}|{:?}|{:?}",
            used.data.dataset,
            used.prepare_params(),
            checked.train
        );
        let (train_lo, train_hi) = if used.analysis.measure_init {
            (0.2, 0.7)
        } else {
            (0.0, 0.7)
        };
        let b = used.training.batch_size;
        let mut measurements = Vec::new();
        let kept = self
            .kept
            .as_ref()
            .filter(|k| k.key == key)
            .map(|k| Rc::clone(&k.driver));
        let driver = match kept {
            Some(driver) => {
                // θ₀ is needed only for a measurement there (training from it is what is reused).
                if used.analysis.measure_init {
                    let init = Trainer::new(checked.train.clone(), train)?;
                    measurements.push(self.measure_at(&init, &used, b, ("init", MeasuredAt::Init), 0.0, 0.2)?);
                }
                self.tick("training (the same network as an earlier step: reused)", train_hi)?;
                driver
            }
            None => {
                let mut driver = ArmDriver::from_checked(checked, train, test)?;
                if used.analysis.measure_init {
                    measurements.push(self.measure_at(
                        driver.trainer(),
                        &used,
                        b,
                        ("init", MeasuredAt::Init),
                        0.0,
                        0.2,
                    )?);
                }
                driver.train_to_end(|f| self.tick("training", train_lo + (train_hi - train_lo) * f).is_ok())?;
                let driver = Rc::new(driver);
                if self.keep && self.kept.is_none() {
                    self.kept = Some(Kept {
                        key,
                        driver: Rc::clone(&driver),
                    });
                }
                driver
            }
        };
        match self.measure_at(driver.trainer(), &used, b, ("trained", MeasuredAt::Trained), 0.7, 1.0) {
            Ok(m) => measurements.push(m),
            Err(ExperimentError::Measure(e)) if zero_gradient(&e) => {
                let accuracy = driver.evals().last().map(|e| e.test.accuracy);
                let message = zero_gradient_cause(&e, driver.trainer(), accuracy, &used);
                return Err(ExperimentError::ArmFailed {
                    arm: label.to_string(),
                    message,
                });
            }
            Err(e) => return Err(e),
        }
        let mut arm = driver.result(label, measurements);
        // A reused network reports this arm's own configuration and test set size.
        arm.config = used;
        Ok(Trained { driver, arm })
    }

    /// Trains each `(label, config)` arm in turn (progress slot i of n) and hands it to `each`.
    /// An arm that trains but cannot be measured ([`ExperimentError::ArmFailed`]) is recorded in
    /// `failed` and skipped; any other error ends the run.
    pub fn for_each_arm<F>(
        &mut self,
        arms: &[(String, ExperimentConfig)],
        failed: &mut Vec<String>,
        mut each: F,
    ) -> Result<(), ExperimentError>
    where
        F: FnMut(&str, Trained) -> Result<(), ExperimentError>,
    {
        for (i, (label, cfg)) in arms.iter().enumerate() {
            match self.within(i, arms.len(), |ctx| ctx.train_arm(label, cfg)) {
                Err(ExperimentError::ArmFailed { arm, message }) => failed.push(format!("{arm}: {message}")),
                tr => each(label, tr?)?,
            }
        }
        Ok(())
    }
}

/// The one measurement failure that is a property of the trained network rather than of the
/// configuration: a gradient that is exactly zero — the full-batch gradient in every coordinate
/// ([`MeasureError::NoSignal`]) or a tested sample with no non-zero value at all
/// ([`StatsError::AllZero`]). Every other error is the configuration's or the engine's and
/// propagates as itself.
pub(crate) fn zero_gradient(e: &MeasureError) -> bool {
    matches!(
        e,
        MeasureError::NoSignal | MeasureError::Stats(StatsError::AllZero { .. })
    )
}

/// The measured cause of a zero gradient, from the numbers: the last minibatch's loss and
/// accuracy, and [`collapse_note`] (test accuracy at chance or loss ≈ ln C) when it applies;
/// a last-minibatch loss below 10⁻³ in f32 is named as a saturated softmax (an output of exactly
/// 1 has an exactly zero gradient); otherwise the cause is not determined.
fn zero_gradient_cause(e: &MeasureError, t: &Trainer, test_accuracy: Option<f64>, cfg: &ExperimentConfig) -> String {
    let c = t.train_data().n_classes.max(2);
    let Some(s) = t.history().last() else {
        return format!("{e} (no training step was taken)");
    };
    let cause = match collapse_note(c, test_accuracy, s.loss, cfg.data.random_labels) {
        Some(note) => note,
        None if s.loss < 1e-3 && cfg.training.precision == crate::train::Precision::F32 => "the last minibatch loss is below 10⁻³ in f32: the softmax outputs are exactly 0 or 1 and their gradient is exactly zero (try f64 precision or fewer epochs)".into(),
        None => "the cause is not determined from the training numbers".into(),
    };
    format!(
        "{e}: the measured gradient is exactly zero (last minibatch loss {:.3e}, accuracy {:.3}; {cause})",
        s.loss, s.accuracy
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_exactly_zero_gradient_is_an_arm_failure() {
        assert!(zero_gradient(&MeasureError::NoSignal));
        assert!(zero_gradient(&MeasureError::Stats(StatsError::AllZero {
            what: "power-law test"
        })));
        assert!(!zero_gradient(&MeasureError::Stats(StatsError::TooFew {
            test: "power-law test (non-zero values)",
            needed: 50,
            got: 20
        })));
        assert!(!zero_gradient(&MeasureError::Spectrum(
            crate::spectrum::SpectrumError::InvalidParam("K".into())
        )));
    }
}
