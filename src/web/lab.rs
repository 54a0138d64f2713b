//! The engine session owned by the page's Web Worker: one arm of an `ExperimentConfig` (the
//! page's URL state) trained through the shared [`ArmDriver`] in time-boxed slices
//! ([`Lab::train_for`]), so the worker can answer pause between slices and the report for a
//! link is the one `sgn-lab run --url` writes. What the page shows (facts, read-out, the
//! measurement's panel) comes worded from [`crate::experiment::view`].

use super::state::config_from_js;
use super::tour::PoolHints;
use super::{from_js, js_err, to_js};
use crate::experiment::config::AnalysisConfig;
use crate::experiment::config::ExperimentError;
use crate::experiment::measure::PendingMeasurement;
use crate::experiment::presets::units;
use crate::experiment::report::{MeasuredAt, Measurement};
use crate::experiment::view::measurement::{measurement_view, MeasurementView};
use crate::experiment::view::session::{facts, measure_check, readout, Facts, Readout};
use crate::experiment::{custom_report, ArmDriver, ExperimentConfig};
use crate::plot::training::{Ema, LOSS_EMA_BETA};
use crate::stats::{BootstrapCounts, BootstrapJob};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The dataset asset (under `assets/`) a configuration needs, or `undefined` for synthetic data.
#[wasm_bindgen]
pub fn dataset_asset(config: JsValue) -> Result<Option<String>, JsError> {
    Ok(config_from_js(config)?.data.dataset.asset().map(str::to_string))
}

/// The records of one slice, sent to the page.
#[derive(Debug, Serialize)]
struct Slice {
    /// Step indices and minibatch losses of the steps taken.
    steps: Vec<f64>,
    losses: Vec<f64>,
    /// The test evaluations made since the last slice (step 0, then after every epoch: the
    /// cadence of `sgn-lab run`, from the shared `ArmDriver`).
    eval_steps: Vec<f64>,
    eval_accuracy: Vec<f64>,
    readout: Readout,
    /// Steps taken so far.
    step: u64,
    finished: bool,
    /// The engine's error when a step of this slice failed (divergence); the records before it
    /// are kept so the loss curve shows the run up to the failing step.
    error: Option<String>,
}

/// What a measurement gives the page.
#[derive(Serialize)]
struct Measured {
    /// The panel, worded.
    view: MeasurementView,
    /// The full report (the CLI's schema, pretty-printed as `sgn-lab run` writes `report.json`),
    /// for "Download report (JSON)".
    report: String,
}

/// A training session in the worker.
#[wasm_bindgen]
pub struct Lab {
    /// The configuration as the page sent it (the URL state): the full report's `config`.
    requested: ExperimentConfig,
    driver: ArmDriver,
    facts: Facts,
    loss_ema: Ema,
    /// Test evaluations already sent to the page.
    evals_sent: usize,
    /// A measurement waiting for its bootstraps ([`Lab::measure_begin`]).
    pending: Option<PendingLab>,
}

/// A measurement begun by [`Lab::measure_begin`]: its checked configuration and its parts
/// (label, where, the measurement without its bootstraps).
struct PendingLab {
    /// The measurement settings as the page sent them (the report's `config.analysis`).
    analysis: AnalysisConfig,
    cfg: ExperimentConfig,
    parts: Vec<(&'static str, MeasuredAt, PendingMeasurement)>,
}

#[wasm_bindgen]
impl Lab {
    /// Builds a session from an `ExperimentConfig` object (keys not given keep the protocol's
    /// defaults) and the dataset asset's bytes, through [`ArmDriver::new`]: bad keys, corrupt
    /// bytes, out-of-range values and a memory estimate above the cap are readable errors, and
    /// nothing is allocated for a refused configuration.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, dataset_bytes: &[u8]) -> Result<Lab, JsError> {
        let cfg = config_from_js(config)?;
        let bytes = cfg.data.dataset.asset().map(|_| dataset_bytes);
        let driver = ArmDriver::new(&cfg, bytes).map_err(js_err)?;
        let facts = facts(&cfg, &driver);
        Ok(Lab {
            requested: cfg,
            driver,
            facts,
            loss_ema: Ema::new(LOSS_EMA_BETA),
            evals_sent: 0,
            pending: None,
        })
    }

    /// What is being trained, worded for the run panel.
    pub fn facts(&self) -> Result<JsValue, JsError> {
        to_js(&self.facts)
    }

    /// Takes SGD steps until `budget_ms` has passed (at least one step) or `max_steps` were
    /// taken or training finished ([`ArmDriver::advance`]); returns the slice's records and the
    /// read-out. A step that fails (divergence) ends the slice: with no step taken the engine's
    /// error is thrown, otherwise the slice has the steps before it and `error` set.
    pub fn train_for(&mut self, budget_ms: f64, max_steps: u32) -> Result<JsValue, JsError> {
        let t0 = js_sys::Date::now();
        let a = self
            .driver
            .advance(u64::from(max_steps), || js_sys::Date::now() - t0 < budget_ms);
        if a.steps.is_empty() {
            if let Some(e) = a.error {
                return Err(js_err(e));
            }
        }
        let t = self.driver.trainer();
        let mut loss_ema = None;
        for s in &a.steps {
            loss_ema = Some(self.loss_ema.push(s.loss));
        }
        let evals = self.driver.evals();
        let new = &evals[self.evals_sent.min(evals.len())..];
        self.evals_sent = evals.len();
        let per_epoch = self.driver.checked().train.steps_per_epoch;
        let out = Slice {
            steps: a.steps.iter().map(|s| s.step as f64).collect(),
            losses: a.steps.iter().map(|s| s.loss).collect(),
            eval_steps: new.iter().map(|e| e.step as f64).collect(),
            eval_accuracy: new.iter().map(|e| e.test.accuracy).collect(),
            readout: readout(
                t.step_index(),
                per_epoch,
                loss_ema.or((t.step_index() > 0).then(|| self.loss_ema.value())),
                evals.last().map(|e| e.test.accuracy),
                a.steps.last().map_or(t.current_lr(), |s| s.lr),
            ),
            step: t.step_index(),
            finished: t.is_finished(),
            error: a.error.map(|e| e.to_string()),
        };
        to_js(&out)
    }

    /// Whether the measurement with the page's configuration `config` (its measurement settings)
    /// can run, worded (`experiment::view::session::MeasureCheckView`): Measure is enabled only
    /// when it fits; otherwise the note names the setting and the largest value that fits.
    /// `from_menu`: the session was just built from a setup menu choice (a measurement-only
    /// setting over the cap is then lowered to its largest round value that fits, and said so).
    pub fn check_measure(&self, config: JsValue, from_menu: bool) -> Result<JsValue, JsError> {
        let cfg = config_from_js(config)?;
        to_js(&measure_check(&cfg, &self.driver, from_menu))
    }

    /// Measures the gradient structure at the current θ with the page's measurement settings
    /// `analysis` (an `AnalysisConfig` object: the tail rule, level, draws, N_cov… of the URL
    /// state, which need no retraining), the training batch size and the run's seed — what
    /// `sgn-lab run` measures for the same link — except the example tail tests' bootstraps
    /// (`experiment::measure::measure_deferred`), which [`Lab::measure_finish`] completes. The
    /// request is checked against the memory cap before anything is allocated
    /// ([`crate::experiment::check::CheckedTraining::check_measurement`]). `progress(stage,
    /// fraction)` is called between units of work. `hints` (`{hardware_concurrency,
    /// device_memory_gib, cap, force}`) tell how many pool workers the bootstraps may go to
    /// (`units::bootstrap_plan`). Returns `{bootstrap: null}` when they stay here (none, too
    /// little work, or one worker), else `{bootstrap: {workers, replicates, chunks: [[job,
    /// start, end], …], progress_from, jobs}}`: the page counts every chunk on its pool
    /// ([`super::bootstrap::BootstrapJobs`]) and hands the counts to [`Lab::measure_finish`].
    pub fn measure_begin(
        &mut self,
        analysis: JsValue,
        progress: &js_sys::Function,
        hints: JsValue,
    ) -> Result<JsValue, JsError> {
        self.pending = None;
        let analysis: AnalysisConfig = from_js(analysis, "measurement settings")?;
        let hints: PoolHints = from_js(hints, "pool hints")?;
        let with = |c: &ExperimentConfig| ExperimentConfig {
            analysis: analysis.clone(),
            ..c.clone()
        };
        // Ranges and the memory estimate of the requested measurement, before anything is allocated.
        let cfg = self
            .driver
            .checked()
            .check_measurement(&with(&self.driver.checked().config), self.driver.trainer().train_data())
            .map_err(js_err)?
            .config;
        let report_progress = |stage: &str, f: f64| {
            // A throwing callback is treated as "go on": progress is best effort.
            let _ = progress.call2(&JsValue::NULL, &JsValue::from_str(stage), &JsValue::from_f64(f));
            true
        };
        let b = cfg.training.batch_size;
        let mut parts = Vec::new();
        if cfg.analysis.measure_init {
            let init = self.driver.initial_trainer().map_err(js_err)?;
            parts.push((
                "init",
                MeasuredAt::Init,
                ArmDriver::measure_deferred(&init, &cfg, b, report_progress).map_err(js_err)?,
            ));
        }
        parts.push((
            "trained",
            MeasuredAt::Trained,
            ArmDriver::measure_deferred(self.driver.trainer(), &cfg, b, report_progress).map_err(js_err)?,
        ));
        let jobs: Vec<&BootstrapJob> = parts.iter().flat_map(|p| p.2.bootstraps()).map(|b| &b.job).collect();
        let plan = match units::bootstrap_plan(
            &jobs,
            hints.hardware_concurrency,
            hints.device_memory(),
            hints.cap,
            hints.force,
        ) {
            Some(p) => {
                let plan = to_js(&p)?;
                // The jobs go to the workers as they are (their seeds as BigInts: exact).
                js_sys::Reflect::set(
                    &plan,
                    &JsValue::from_str("jobs"),
                    &super::bootstrap::to_js_exact(&jobs)?,
                )
                .map_err(|_| JsError::new("could not build the result object"))?;
                plan
            }
            None => JsValue::NULL,
        };
        let out = js_sys::Object::new();
        js_sys::Reflect::set(&out, &JsValue::from_str("bootstrap"), &plan)
            .map_err(|_| JsError::new("could not build the result object"))?;
        self.pending = Some(PendingLab { analysis, cfg, parts });
        Ok(out.into())
    }

    /// Completes the measurement [`Lab::measure_begin`] started: with `counts` `null`, its
    /// bootstraps run here (reporting `progress(stage, fraction)`); otherwise `counts` holds one
    /// `{used, at_least_as_far}` per job of the plan, summed over its chunks (integers: the
    /// order the pool finished them in does not matter). Returns `{view, report, samples:
    /// {dim_g, dim_sgn, iter_g?, iter_sgn}}`: the panel worded ([`MeasurementView`]), the full
    /// report for download, and the samples as Float64Arrays for the sample charts.
    pub fn measure_finish(&mut self, counts: JsValue, progress: &js_sys::Function) -> Result<js_sys::Object, JsError> {
        let PendingLab { analysis, cfg, parts } = self
            .pending
            .take()
            .ok_or_else(|| JsError::new("no measurement is waiting for its bootstraps"))?;
        let report_progress = |stage: &str, f: f64| {
            let _ = progress.call2(&JsValue::NULL, &JsValue::from_str(stage), &JsValue::from_f64(f));
            true
        };
        let mut counts: Option<std::vec::IntoIter<BootstrapCounts>> = if counts.is_null() || counts.is_undefined() {
            None
        } else {
            let c: Vec<BootstrapCounts> = from_js(counts, "bootstrap counts")?;
            let want: usize = parts.iter().map(|p| p.2.bootstraps().len()).sum();
            if c.len() != want {
                return Err(js_err(format!("{} bootstrap counts for {want} bootstraps", c.len())));
            }
            Some(c.into_iter())
        };
        let mut measurements = Vec::new();
        for (label, at, pending) in parts {
            let structure = match counts.as_mut() {
                None => pending.run(report_progress),
                Some(c) => {
                    let results = (0..pending.bootstraps().len())
                        .map(|_| c.next().unwrap_or_default().result())
                        .collect();
                    pending.finish(results)
                }
            }
            .map_err(|e| js_err(ExperimentError::from(e)))?;
            measurements.push(Measurement {
                label: label.to_string(),
                at,
                structure,
            });
        }
        let samples = js_sys::Object::new();
        let m = measurements.last().ok_or_else(|| JsError::new("no measurement"))?;
        let g = &m.structure;
        let put = |k: &str, v: &[f64]| -> Result<(), JsError> {
            js_sys::Reflect::set(&samples, &JsValue::from_str(k), &js_sys::Float64Array::from(v).into())
                .map(|_| ())
                .map_err(|_| JsError::new("could not build the result object"))
        };
        for (k, t) in [
            ("dim_g", &g.dimension_g),
            ("dim_sgn", &g.dimension_sgn),
            ("iter_g", &g.iteration_g),
            ("iter_sgn", &g.iteration_sgn),
        ] {
            if let Some(t) = t {
                put(k, &t.sample)?;
            }
        }
        let view = measurement_view(g, cfg.analysis.level);
        let mut arm = self.driver.result("custom", measurements);
        let with = ExperimentConfig {
            analysis,
            ..self.requested.clone()
        };
        arm.config = cfg;
        let classes = self.driver.trainer().train_data().n_classes;
        let report = custom_report(&with, arm, classes).map_err(js_err)?;
        let out: js_sys::Object = to_js(&Measured {
            view,
            report: serde_json::to_string_pretty(&report).map_err(js_err)?,
        })?
        .into();
        js_sys::Reflect::set(&out, &JsValue::from_str("samples"), &samples)
            .map_err(|_| JsError::new("could not build the result object"))?;
        Ok(out)
    }

    /// A fingerprint of the current weights (bit-exact comparison across runs and platforms).
    pub fn fingerprint(&self) -> String {
        format!("{:016x}", self.driver.trainer().fingerprint())
    }
}
