//! The engine session owned by the page's Web Worker: one arm of an `ExperimentConfig` (the
//! page's URL state) trained through the shared [`ArmDriver`] in time-boxed slices
//! ([`Lab::train_for`]), so the worker can answer pause between slices and the report for a
//! link is the one `sgn-lab run --url` writes. What the page shows (facts, read-out, the
//! measurement's panel) comes worded from [`crate::experiment::view`].

use super::state::config_from_js;
use super::{from_js, js_err, to_js};
use crate::experiment::config::AnalysisConfig;
use crate::experiment::report::MeasuredAt;
use crate::experiment::view::measurement::{measurement_view, MeasurementView};
use crate::experiment::view::session::{facts, measure_check, readout, Facts, Readout};
use crate::experiment::{custom_report, ArmDriver, ExperimentConfig};
use crate::plot::training::{Ema, LOSS_EMA_BETA};
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
    /// `sgn-lab run` measures for the same link. The request is checked against the memory cap
    /// before anything is allocated ([`crate::experiment::check::CheckedTraining::check_measurement`]). `progress(stage, fraction)` is called between units of
    /// work. Returns `{view, report, samples: {dim_g, dim_sgn, iter_g?, iter_sgn}}`: the panel
    /// worded ([`MeasurementView`]), the full report for download, and the samples as
    /// Float64Arrays for the sample charts.
    pub fn measure(&self, analysis: JsValue, progress: &js_sys::Function) -> Result<js_sys::Object, JsError> {
        let analysis: AnalysisConfig = from_js(analysis, "measurement settings")?;
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
        let mut measurements = Vec::new();
        if cfg.analysis.measure_init {
            let init = self.driver.initial_trainer().map_err(js_err)?;
            measurements
                .push(ArmDriver::measure(&init, &cfg, b, "init", MeasuredAt::Init, report_progress).map_err(js_err)?);
        }
        let m = ArmDriver::measure(
            self.driver.trainer(),
            &cfg,
            b,
            "trained",
            MeasuredAt::Trained,
            report_progress,
        )
        .map_err(js_err)?;
        let samples = js_sys::Object::new();
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
        measurements.push(m);
        let mut arm = self.driver.result("custom", measurements);
        arm.config = cfg;
        let classes = self.driver.trainer().train_data().n_classes;
        let report = custom_report(&with(&self.requested), arm, classes).map_err(js_err)?;
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
