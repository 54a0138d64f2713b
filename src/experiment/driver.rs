//! The one training driver: an arm of an experiment from its configuration to a trained network
//! with its test evaluations. `sgn-lab run`, the presets and the page's `Lab` all train through
//! [`ArmDriver::advance`], so they take the same steps, evaluate the test set at the same steps
//! (step 0, then after every epoch) and report the same history: a link run in the page and by
//! `sgn-lab run --url` gives the same report.

use super::check::CheckedTraining;
use super::config::{ExperimentConfig, ExperimentError};
use super::measure::{measure, measure_deferred, MeasureError, PendingMeasurement};
use super::report::{ArmResult, EvalPoint, MeasuredAt, Measurement};
use crate::data::Dataset;
use crate::train::{StepStats, TrainError, Trainer};

/// One arm being trained: its checked configuration, its trainer and the test evaluations so far.
#[derive(Debug)]
pub struct ArmDriver {
    checked: CheckedTraining,
    trainer: Trainer,
    test: Dataset,
    evals: Vec<EvalPoint>,
}

/// What one call of [`ArmDriver::advance`] did.
#[derive(Debug, Default)]
pub struct Advance {
    /// The records of the steps taken, in order.
    pub steps: Vec<StepStats>,
    /// The test evaluations made (after each epoch that ended in this call).
    pub evals: Vec<EvalPoint>,
    /// The error that stopped it (a diverged step); the steps before it are kept.
    pub error: Option<TrainError>,
}

impl ArmDriver {
    /// Prepares the data of `cfg` from the dataset asset's bytes (`None` for synthetic data),
    /// checks what training needs against it ([`ExperimentConfig::check_training`]: a setting only
    /// a measurement needs never blocks training) and builds the network at θ₀; evaluates the test
    /// set at step 0 (when there is one).
    pub fn new(cfg: &ExperimentConfig, asset: Option<&[u8]>) -> Result<ArmDriver, ExperimentError> {
        let (train, test) = cfg.prepare_data(asset)?;
        let checked = cfg.check_training(&train)?;
        ArmDriver::from_checked(checked, train, test)
    }

    /// [`ArmDriver::new`] from data already prepared and a configuration already checked
    /// against `train`.
    pub fn from_checked(checked: CheckedTraining, train: Dataset, test: Dataset) -> Result<ArmDriver, ExperimentError> {
        let trainer = Trainer::new(checked.train.clone(), train)?;
        let mut d = ArmDriver {
            checked,
            trainer,
            test,
            evals: Vec::new(),
        };
        if let Some(e) = d.evaluate()? {
            d.evals.push(e);
        }
        Ok(d)
    }

    /// The test evaluation at the current step (`None` without a test set).
    fn evaluate(&self) -> Result<Option<EvalPoint>, TrainError> {
        if self.test.n() == 0 {
            return Ok(None);
        }
        Ok(Some(EvalPoint {
            step: self.trainer.step_index(),
            test: self.trainer.evaluate(&self.test)?,
        }))
    }

    /// Takes SGD steps until training has finished, `max_steps` were taken, or `go_on()` returns
    /// `false` (asked after every step, so a time budget ends a slice within one step); evaluates
    /// the test set after every epoch (step index a multiple of the steps per epoch, and at the
    /// last step). A step or an evaluation that fails ends the call with its error in
    /// [`Advance::error`]; the records before it are kept.
    pub fn advance(&mut self, max_steps: u64, mut go_on: impl FnMut() -> bool) -> Advance {
        let mut out = Advance::default();
        let per_epoch = self.checked.train.steps_per_epoch.max(1);
        while !self.trainer.is_finished() && (out.steps.len() as u64) < max_steps {
            match self.trainer.step() {
                Ok(s) => out.steps.push(s),
                Err(e) => {
                    out.error = Some(e);
                    break;
                }
            }
            if self.trainer.step_index().is_multiple_of(per_epoch) || self.trainer.is_finished() {
                match self.evaluate() {
                    Ok(Some(e)) => {
                        self.evals.push(e.clone());
                        out.evals.push(e);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        out.error = Some(e);
                        break;
                    }
                }
            }
            if !go_on() {
                break;
            }
        }
        out
    }

    /// Trains to the end, calling `progress(fraction of the steps taken)` after every epoch;
    /// `progress` returning `false` cancels.
    pub fn train_to_end(&mut self, mut progress: impl FnMut(f64) -> bool) -> Result<(), ExperimentError> {
        let total = self.checked.train.total_steps.max(1);
        while !self.trainer.is_finished() {
            let a = self.advance(self.checked.train.steps_per_epoch.max(1), || true);
            if let Some(e) = a.error {
                return Err(e.into());
            }
            if !progress(self.trainer.step_index() as f64 / total as f64) {
                return Err(ExperimentError::Cancelled);
            }
        }
        Ok(())
    }

    pub fn checked(&self) -> &CheckedTraining {
        &self.checked
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    pub fn test_set(&self) -> &Dataset {
        &self.test
    }

    pub fn evals(&self) -> &[EvalPoint] {
        &self.evals
    }

    /// A network at θ₀ of the same configuration and data (training is a deterministic
    /// function of both and the seed), for a measurement before training.
    pub fn initial_trainer(&self) -> Result<Trainer, ExperimentError> {
        Ok(Trainer::new(
            self.checked.train.clone(),
            self.trainer.train_data().clone(),
        )?)
    }

    /// Measures at the current θ with the analysis of `cfg` and minibatch size `b`, reporting
    /// `progress(stage, fraction)`; returning `false` cancels.
    pub fn measure(
        trainer: &Trainer,
        cfg: &ExperimentConfig,
        b: usize,
        label: &str,
        at: MeasuredAt,
        progress: impl FnMut(&str, f64) -> bool,
    ) -> Result<Measurement, ExperimentError> {
        let mc = cfg.measure_params(b)?.check(trainer.train_data().n())?;
        let structure = measure(trainer, &mc, progress).map_err(|e| match e {
            MeasureError::Cancelled => ExperimentError::Cancelled,
            e => e.into(),
        })?;
        Ok(Measurement {
            label: label.to_string(),
            at,
            structure,
        })
    }

    /// [`Self::measure`] without running the example tail tests' bootstraps
    /// ([`measure_deferred`]): the page runs them on its pool.
    pub fn measure_deferred(
        trainer: &Trainer,
        cfg: &ExperimentConfig,
        b: usize,
        progress: impl FnMut(&str, f64) -> bool,
    ) -> Result<PendingMeasurement, ExperimentError> {
        let mc = cfg.measure_params(b)?.check(trainer.train_data().n())?;
        measure_deferred(trainer, &mc, progress).map_err(ExperimentError::from)
    }

    /// The arm's result: its configuration as checked, sizes, the trainer's history, the test
    /// evaluations, the training set's evaluation at the current step and `measurements`.
    pub fn result(&self, label: &str, measurements: Vec<Measurement>) -> ArmResult {
        let train = self.trainer.train_data();
        let train_eval = (train.n() > 0)
            .then(|| self.trainer.evaluate(train).ok())
            .flatten()
            .map(|test| EvalPoint {
                step: self.trainer.step_index(),
                test,
            });
        ArmResult {
            train_eval,
            label: label.to_string(),
            config: self.checked.config.clone(),
            n_params: self.checked.train.n_params,
            n_train: train.n(),
            n_test: self.test.n(),
            n_classes: train.n_classes,
            history: self.trainer.history().to_vec(),
            evals: self.evals.clone(),
            measurements,
        }
    }
}
