//! The engine session owned by the page's Web Worker: a dataset, a trainer and the test set,
//! built from an `ExperimentConfig` (the page's URL state) and stepped in time-boxed slices
//! (`train_for`) so the worker can answer pause between slices.

use super::js_err;
use super::state::config_from_json;
use crate::data::{Dataset, DatasetSpec, PrepareParams};
use crate::experiment::config::ExperimentConfig;
use crate::experiment::config::{level_of, CheckedTraining, ExperimentError, Fit, TailRule};
use crate::experiment::measure::{measure, GradientStructure};
use crate::experiment::report::{self, ArmResult, Measurement};
use crate::experiment::run::custom_report;
use crate::plot::spectrum::spectrum_views;
use crate::plot::training::{Ema, LOSS_EMA_BETA};
use crate::train::{StepStats, Trainer};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// The asset file (under `assets/`) the configuration's dataset needs, or `undefined` for
/// synthetic data.
#[wasm_bindgen]
pub fn dataset_asset(config_json: &str) -> Result<Option<String>, JsError> {
    Ok(config_from_json(config_json)?.data.dataset.asset().map(str::to_string))
}

/// The page's measurement options: the tail rule and level can change after training without
/// retraining, so they come with each measurement rather than from the session's config.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureRequest {
    rule: TailRule,
    level: f64,
    /// M minibatch draws at the frozen θ (iteration-wise SGN).
    draws: usize,
    /// N_cov per-sample gradients for the spectrum (0: none; capped at the training-set size).
    n_cov: usize,
}

impl MeasureRequest {
    /// The request a configuration's own analysis settings make (the page's measurement
    /// controls show them).
    fn of(c: &ExperimentConfig) -> MeasureRequest {
        MeasureRequest {
            rule: c.analysis.rule,
            level: c.analysis.level,
            draws: c.analysis.draws,
            n_cov: c.analysis.n_cov,
        }
    }

    /// `c` with this request's measurement options; under Clauset's rule also the page's 1000
    /// bootstrap replicates for the example tail tests, so a report's configuration states the
    /// bootstrap that was made (`sgn-lab run --config` on it makes the same).
    fn apply(&self, mut c: ExperimentConfig) -> ExperimentConfig {
        c.analysis.rule = self.rule;
        c.analysis.level = self.level;
        c.analysis.draws = self.draws;
        c.analysis.n_cov = self.n_cov;
        if self.rule == TailRule::Clauset {
            c.analysis.bootstrap = 1000;
        }
        c
    }
}

/// Shown by the page next to the controls.
#[derive(Debug, Serialize)]
struct LabInfo {
    dataset: String,
    n_train: usize,
    n_test: usize,
    n_features: usize,
    model: String,
    n_params: usize,
    optimizer: String,
    total_steps: u64,
    seed: u64,
    /// Estimated memory of data + training (MiB): what Play needs.
    training_mib: f64,
    /// The measurement with the configuration's own settings.
    measure: MeasureCheck,
    engine_version: &'static str,
}

/// Whether a measurement can run ([`CheckedTraining::check_measurement`]), for the page's
/// Measure button and the suggestion beside the setting that drives a refusal.
#[derive(Debug, Serialize)]
struct MeasureCheck {
    fits: bool,
    /// Data + training + measurement (MiB), when the measurement's settings are valid.
    memory_mib: Option<f64>,
    cap_mib: f64,
    /// Why it cannot run (the engine's message), else `None`.
    message: Option<String>,
    /// Over the cap: the setting that drives it and the largest value that fits.
    fit: Option<Fit>,
}

const MIB: f64 = (1u64 << 20) as f64;

impl MeasureCheck {
    fn of(checked: &CheckedTraining, cfg: &ExperimentConfig, train: &Dataset) -> MeasureCheck {
        let cap_mib = checked.config.memory_cap as f64 / MIB;
        match checked.check_measurement(cfg, train) {
            Ok(m) => MeasureCheck {
                fits: true,
                memory_mib: Some(m.memory_estimate as f64 / MIB),
                cap_mib,
                message: None,
                fit: None,
            },
            Err(e) => MeasureCheck {
                fits: false,
                memory_mib: match &e {
                    ExperimentError::MeasurementMemory { estimate, .. } => Some(*estimate as f64 / MIB),
                    _ => None,
                },
                cap_mib,
                message: Some(e.to_string()),
                fit: match e {
                    ExperimentError::MeasurementMemory { fit, .. } => fit,
                    _ => None,
                },
            },
        }
    }
}

#[derive(Debug, Serialize)]
struct EvalPoint {
    step: u64,
    loss: f64,
    accuracy: f64,
}

/// The records of one slice, sent to the page.
#[derive(Debug, Serialize)]
struct Slice {
    steps: Vec<u64>,
    losses: Vec<f64>,
    /// Steps taken so far.
    step: u64,
    epoch: f64,
    lr: f64,
    loss_ema: f64,
    eval: Option<EvalPoint>,
    finished: bool,
    /// The engine's error when a step of this slice failed (divergence); the records before it
    /// are kept so the loss curve shows the run up to the failing step.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// A training session in the worker.
#[wasm_bindgen]
pub struct Lab {
    /// The configuration as the page sent it (the URL state): the full report's `config`.
    requested: ExperimentConfig,
    checked: CheckedTraining,
    trainer: Trainer,
    test: Dataset,
    eval_every: u64,
    loss_ema: Ema,
    info: LabInfo,
    /// Every step's record and every test evaluation so far (the full report's history).
    history: Vec<StepStats>,
    evals: Vec<report::EvalPoint>,
}

#[wasm_bindgen]
impl Lab {
    /// Builds a session from an `ExperimentConfig` JSON (keys not given keep the protocol's
    /// defaults) and the dataset asset's bytes. What training needs is checked
    /// ([`crate::experiment::ExperimentConfig::check_training`]): bad JSON, unknown keys,
    /// corrupt bytes, out-of-range values and a data + training estimate above the cap are
    /// readable errors, and nothing is allocated for a refused config. The measurement is
    /// checked separately (`info().measure`, [`Lab::check_measure`], and again by
    /// [`Lab::measure`]), so a setting only the measurement needs never blocks Play.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str, dataset_bytes: &[u8]) -> Result<Lab, JsError> {
        let cfg = config_from_json(config_json)?;
        let bytes = cfg.data.dataset.asset().map(|_| dataset_bytes);
        let (train, test) = cfg.prepare_data(bytes).map_err(js_err)?;
        let checked = cfg.check_training(&train).map_err(js_err)?;
        let tc = &checked.train;
        let info = LabInfo {
            dataset: describe_data(&cfg.data.dataset, &cfg.prepare_params()),
            n_train: train.n,
            n_test: test.n,
            n_features: train.d,
            model: describe_model(&tc.params.model, train.d, train.n_classes),
            n_params: tc.n_params,
            optimizer: format!(
                "SGD η = {}, momentum {}, weight decay {}, batch {}, {} epochs",
                tc.params.sgd.lr,
                tc.params.sgd.momentum,
                tc.params.sgd.weight_decay,
                tc.params.batch_size,
                tc.params.epochs
            ),
            total_steps: tc.total_steps,
            seed: tc.params.seed,
            training_mib: checked.training_estimate as f64 / MIB,
            measure: MeasureCheck::of(
                &checked,
                &MeasureRequest::of(&cfg).apply(checked.config.clone()),
                &train,
            ),
            engine_version: env!("CARGO_PKG_VERSION"),
        };
        let eval_every = (tc.steps_per_epoch / 2).max(1);
        let trainer = Trainer::new(tc.clone(), train).map_err(js_err)?;
        // The report's test evaluations follow `sgn-lab run` (experiment::run): θ₀, then the end
        // of every epoch and of training, so the same link gives the same report in both.
        let mut evals = Vec::new();
        if test.n > 0 {
            evals.push(report::EvalPoint {
                step: 0,
                test: trainer.evaluate(&test).map_err(js_err)?,
            });
        }
        Ok(Lab {
            requested: cfg,
            checked,
            trainer,
            test,
            eval_every,
            loss_ema: Ema::new(LOSS_EMA_BETA),
            info,
            history: Vec::new(),
            evals,
        })
    }

    /// The session's description as JSON.
    pub fn info(&self) -> Result<String, JsError> {
        serde_json::to_string(&self.info).map_err(js_err)
    }

    /// Takes SGD steps until `budget_ms` has passed (at least one step) or `max_steps` were
    /// taken or training finished; evaluates the test set every half epoch. Returns the slice's
    /// records as JSON. A step that fails (divergence) ends the slice: with no step taken the
    /// engine's error is returned, otherwise the slice with the steps before it and `error` set.
    pub fn train_for(&mut self, budget_ms: f64, max_steps: u32) -> Result<String, JsError> {
        let t0 = js_sys::Date::now();
        let mut out = Slice {
            steps: Vec::new(),
            losses: Vec::new(),
            step: 0,
            epoch: 0.0,
            lr: self.trainer.current_lr(),
            loss_ema: self.loss_ema.value(),
            eval: None,
            finished: false,
            error: None,
        };
        while !self.trainer.is_finished() && out.steps.len() < max_steps as usize {
            let s = match self.trainer.step() {
                Ok(s) => s,
                Err(e) if out.steps.is_empty() => return Err(js_err(e)),
                Err(e) => {
                    out.error = Some(e.to_string());
                    break;
                }
            };
            out.steps.push(s.step);
            out.losses.push(s.loss);
            out.lr = s.lr;
            out.loss_ema = self.loss_ema.push(s.loss);
            let step = s.step;
            self.history.push(s);
            let done = self.trainer.step_index();
            let finished = self.trainer.is_finished();
            // The chart's points every half epoch; the report's at each epoch's end (as the CLI).
            let for_report =
                self.test.n > 0 && (done.is_multiple_of(self.checked.train.steps_per_epoch.max(1)) || finished);
            if done.is_multiple_of(self.eval_every) || finished || for_report {
                let e = self.trainer.evaluate(&self.test).map_err(js_err)?;
                out.eval = Some(EvalPoint {
                    step,
                    loss: e.loss,
                    accuracy: e.accuracy,
                });
                if for_report {
                    self.evals.push(report::EvalPoint { step: done, test: e });
                }
            }
            if js_sys::Date::now() - t0 >= budget_ms {
                break;
            }
        }
        out.step = self.trainer.step_index();
        out.epoch = out.step as f64 / self.trainer.config().steps_per_epoch.max(1) as f64;
        out.finished = self.trainer.is_finished();
        serde_json::to_string(&out).map_err(js_err)
    }

    /// Measures the gradient structure at the current θ (`experiment::measure`) with the
    /// session's analysis settings (the same as `sgn-lab run` for this configuration), the
    /// training batch size and the run's seed; `request_json` is `{"rule": "paper" | "clauset",
    /// "level": 0.1 | 0.05 | 0.01, "draws": M, "n_cov": N_cov}` (the page's measurement options,
    /// which need no retraining). Clauset's rule adds its 1000-replicate bootstrap p-value
    /// on the iteration-wise examples (DESIGN §4). `progress(stage, fraction)` is called
    /// between units of work. Returns an object with `report` (JSON of the measurement, samples
    /// excluded), `views` (JSON of the spectrum chart data) and the samples `dim_g`,
    /// `dim_sgn`, `iter_g`, `iter_sgn` as Float64Arrays.
    pub fn measure(&self, request_json: &str, progress: &js_sys::Function) -> Result<js_sys::Object, JsError> {
        let req: MeasureRequest =
            serde_json::from_str(request_json).map_err(|e| js_err(format!("bad measure request: {e}")))?;
        level_of(req.level).map_err(js_err)?;
        let cfg = req.apply(self.checked.config.clone());
        // Ranges and the memory estimate of the requested measurement, before anything is allocated.
        let mc = self
            .checked
            .check_measurement(&cfg, self.trainer.train_data())
            .map_err(js_err)?
            .measure;
        let g = measure(&self.trainer, &mc, |stage, f| {
            // A throwing callback is treated as "go on": progress is best effort.
            let _ = progress.call2(&JsValue::NULL, &JsValue::from_str(stage), &JsValue::from_f64(f));
            true
        })
        .map_err(js_err)?;
        let out = measurement_to_js(&g)?;
        set(
            &out,
            "full_report",
            &JsValue::from_str(&self.full_report(&cfg, req.apply(self.requested.clone()), g)?),
        )?;
        Ok(out)
    }

    /// Whether a measurement with `request_json` (as for [`Lab::measure`]) can run, without
    /// running it: JSON `{fits, memory_mib, cap_mib, message, fit}`; over the cap, `fit` is
    /// `{setting, field, name, value, largest, round}` (the setting that drives it, the largest
    /// value that fits, and the largest round one: `experiment::memory::fit_measurement`).
    pub fn check_measure(&self, request_json: &str) -> Result<String, JsError> {
        let req: MeasureRequest =
            serde_json::from_str(request_json).map_err(|e| js_err(format!("bad measure request: {e}")))?;
        let cfg = req.apply(self.checked.config.clone());
        serde_json::to_string(&MeasureCheck::of(&self.checked, &cfg, self.trainer.train_data())).map_err(js_err)
    }

    /// The full report of this session (the CLI's schema, `experiment::report::Report`, preset
    /// `custom`): the configuration as in the URL with this measurement's options, the seed,
    /// the training history so far, the measurement at the current θ (labelled "trained"),
    /// Tables A and B and the verdicts — built by `experiment::run::custom_report`, as
    /// `sgn-lab run --config` builds its report. `used`: the session's checked configuration
    /// with the request applied (the arm's); `cfg`: the URL's configuration with it (the report's).
    fn full_report(
        &self,
        used: &ExperimentConfig,
        cfg: ExperimentConfig,
        g: GradientStructure,
    ) -> Result<String, JsError> {
        let arm = ArmResult {
            label: "custom".into(),
            config: used.clone(),
            n_params: g.n_params,
            n_train: self.trainer.train_data().n,
            n_test: self.test.n,
            history: self.history.clone(),
            evals: self.evals.clone(),
            measurements: vec![Measurement {
                label: "trained".into(),
                structure: g,
            }],
        };
        let r = custom_report(&cfg, arm, self.trainer.train_data().n_classes).map_err(js_err)?;
        // Pretty-printed as `sgn-lab run --out DIR` writes report.json: the same bytes.
        serde_json::to_string_pretty(&r).map_err(js_err)
    }

    /// A fingerprint of the current weights (bit-exact comparison across runs and platforms).
    pub fn fingerprint(&self) -> String {
        format!("{:016x}", self.trainer.fingerprint())
    }
}

fn describe_model(m: &crate::nn::ModelSpec, d: usize, k: usize) -> String {
    match m {
        crate::nn::ModelSpec::Fcn { hidden, activation } => {
            let widths: Vec<String> = std::iter::once(d)
                .chain(hidden.iter().copied())
                .chain(std::iter::once(k))
                .map(|w| w.to_string())
                .collect();
            format!("FCN {} ({})", widths.join("→"), activation_name(*activation))
        }
        crate::nn::ModelSpec::Lenet { activation } => format!("LeNet-5 ({})", activation_name(*activation)),
    }
}

fn activation_name(a: crate::nn::ActivationKind) -> &'static str {
    match a {
        crate::nn::ActivationKind::Relu => "ReLU",
        crate::nn::ActivationKind::Tanh => "tanh",
    }
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| JsError::new("could not build the result object"))
}

fn f64_array(v: &[f64]) -> JsValue {
    js_sys::Float64Array::from(v).into()
}

fn measurement_to_js(g: &GradientStructure) -> Result<js_sys::Object, JsError> {
    let out = js_sys::Object::new();
    set(
        &out,
        "report",
        &JsValue::from_str(&serde_json::to_string(g).map_err(js_err)?),
    )?;
    if let Some(sp) = &g.spectrum {
        let views = spectrum_views(sp, &format!("gradients at step {}", g.step));
        set(
            &out,
            "views",
            &JsValue::from_str(&serde_json::to_string(&views).map_err(js_err)?),
        )?;
    }
    set(&out, "dim_g", &f64_array(&g.dimension_g.sample))?;
    set(&out, "dim_sgn", &f64_array(&g.dimension_sgn.sample))?;
    set(&out, "iter_sgn", &f64_array(&g.iteration_sgn.sample))?;
    if let Some(t) = &g.iteration_g {
        set(&out, "iter_g", &f64_array(&t.sample))?;
    }
    Ok(out)
}

fn describe_data(spec: &DatasetSpec, p: &PrepareParams) -> String {
    let name = match spec {
        DatasetSpec::Mnist { downsample: 1 } => "MNIST subset".to_string(),
        DatasetSpec::Mnist { downsample } => format!("MNIST subset ({}×{})", 28 / downsample, 28 / downsample),
        DatasetSpec::Digits8x8 => "8×8 digits".into(),
        DatasetSpec::BreastCancer => "breast cancer (tabular)".into(),
        DatasetSpec::Wine => "wine (tabular)".into(),
        DatasetSpec::GaussianMixture(_) => "Gaussian mixture (synthetic)".into(),
        DatasetSpec::Teacher(_) => "teacher network (synthetic)".into(),
    };
    if p.random_labels {
        format!("{name}, random labels")
    } else if p.label_noise > 0.0 {
        format!("{name}, {:.0} % label noise", 100.0 * p.label_noise)
    } else {
        name
    }
}
