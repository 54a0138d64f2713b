//! The engine session owned by the page's Web Worker: a dataset, a trainer, and the test set,
//! stepped in time-boxed slices (`train_for`) so the worker can answer pause between slices.

use crate::data::{prepare as prepare_data, Dataset, DatasetSpec, PrepareParams};
use crate::experiment::measure::{measure, GradientStructure, MeasureParams};
use crate::experiment::with_overrides;
use crate::plot::spectrum::spectrum_views;
use crate::spectrum::SpectrumOptions;
use crate::stats::powerlaw::{Level, PowerLawOptions, Rule};
use crate::plot::training::{Ema, LOSS_EMA_BETA};
use crate::train::{TrainParams, Trainer};
use serde::{Deserialize, Serialize};
use super::js_err;
use wasm_bindgen::prelude::*;

/// What the page asks for: a dataset, overrides on its default preparation (split, label
/// noise) and overrides on the default training parameters. The seed is `train.seed`; the data
/// split and label noise use the same seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabRequest {
    #[serde(default)]
    data: DatasetSpec,
    #[serde(default = "empty_object")]
    prepare: serde_json::Value,
    #[serde(default = "empty_object")]
    train: serde_json::Value,
}

fn parse_request(json: &str) -> Result<LabRequest, JsError> {
    serde_json::from_str(json).map_err(|e| js_err(format!("bad request: {e}")))
}

/// The asset file (under `assets/`) the request's dataset needs, or `undefined` for synthetic data.
#[wasm_bindgen]
pub fn dataset_asset(request_json: &str) -> Result<Option<String>, JsError> {
    Ok(parse_request(request_json)?.data.asset().map(str::to_string))
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

/// The page's measurement options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureRequest {
    rule: String,
    level: f64,
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
    engine_version: &'static str,
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
}

/// A training session in the worker.
#[wasm_bindgen]
pub struct Lab {
    trainer: Trainer,
    test: Dataset,
    eval_every: u64,
    loss_ema: Ema,
    info: LabInfo,
}

#[wasm_bindgen]
impl Lab {
    /// Builds a session from a JSON request `{dataset, train}` and the dataset asset's bytes.
    /// Every failure (bad JSON, unknown dataset, corrupt bytes, out-of-range or too-large
    /// config) is a readable error; nothing is allocated for a refused config.
    #[wasm_bindgen(constructor)]
    pub fn new(request_json: &str, dataset_bytes: &[u8]) -> Result<Lab, JsError> {
        let req = parse_request(request_json)?;
        let params: TrainParams = with_overrides(&TrainParams::default(), &req.train).map_err(js_err)?;
        let prepare: PrepareParams = with_overrides(&req.data.default_prepare(params.seed), &req.prepare).map_err(js_err)?;
        let bytes = req.data.asset().map(|_| dataset_bytes);
        let all = req.data.load(bytes).map_err(js_err)?;
        let (train, test) = prepare_data(&all, &prepare).map_err(js_err)?;
        let cfg = params.check(&train).map_err(js_err)?;
        let info = LabInfo {
            dataset: describe_data(&req.data, &prepare),
            n_train: train.n,
            n_test: test.n,
            n_features: train.d,
            model: describe_model(&cfg.params.model, train.d, train.n_classes),
            n_params: cfg.n_params,
            optimizer: format!(
                "SGD η = {}, momentum {}, weight decay {}, batch {}, {} epochs",
                cfg.params.sgd.lr, cfg.params.sgd.momentum, cfg.params.sgd.weight_decay, cfg.params.batch_size, cfg.params.epochs
            ),
            total_steps: cfg.total_steps,
            seed: cfg.params.seed,
            engine_version: env!("CARGO_PKG_VERSION"),
        };
        let eval_every = (cfg.steps_per_epoch / 2).max(1);
        let trainer = Trainer::new(cfg, train).map_err(js_err)?;
        Ok(Lab { trainer, test, eval_every, loss_ema: Ema::new(LOSS_EMA_BETA), info })
    }

    /// The session's description as JSON.
    pub fn info(&self) -> Result<String, JsError> {
        serde_json::to_string(&self.info).map_err(js_err)
    }

    /// Takes SGD steps until `budget_ms` has passed (at least one step) or `max_steps` were
    /// taken or training finished; evaluates the test set every half epoch. Returns the slice's
    /// records as JSON. A diverged run returns the engine's error naming the step.
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
        };
        while !self.trainer.is_finished() && out.steps.len() < max_steps as usize {
            let s = self.trainer.step().map_err(js_err)?;
            out.steps.push(s.step);
            out.losses.push(s.loss);
            out.lr = s.lr;
            out.loss_ema = self.loss_ema.push(s.loss);
            let done = self.trainer.step_index();
            if done.is_multiple_of(self.eval_every) || self.trainer.is_finished() {
                let e = self.trainer.evaluate(&self.test).map_err(js_err)?;
                out.eval = Some(EvalPoint { step: s.step, loss: e.loss, accuracy: e.accuracy });
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
    /// protocol's defaults, the training batch size and the run's seed; `request_json` is
    /// `{"rule": "paper" | "clauset", "level": 0.1 | 0.05 | 0.01}`. `progress(stage,
    /// fraction)` is called between units of work. Returns an object with `report` (JSON of the
    /// measurement, samples excluded), `views` (JSON of the spectrum chart data) and the samples
    /// `dim_g`, `dim_sgn`, `iter_g`, `iter_sgn` as Float64Arrays.
    pub fn measure(&self, request_json: &str, progress: &js_sys::Function) -> Result<js_sys::Object, JsError> {
        let req: MeasureRequest = serde_json::from_str(request_json).map_err(|e| js_err(format!("bad measure request: {e}")))?;
        let rule: Rule = req.rule.parse().map_err(js_err)?;
        let level = Level::try_from(req.level).map_err(js_err)?;
        let seed = self.trainer.config().params.seed;
        let params = MeasureParams {
            batch_size: self.trainer.config().params.batch_size,
            seed,
            tail: PowerLawOptions::new(rule, None, None, seed, level).map_err(js_err)?,
            // Clauset's rule comes with its bootstrap p-value (1000 replicates, DESIGN §4) on the
            // iteration-wise examples; the paper's rule has none.
            example_bootstrap: if rule == Rule::Clauset { 1000 } else { 0 },
            spectrum: SpectrumOptions { davis_kahan: Some((20, seed)), ..MeasureParams::default().spectrum },
            ..MeasureParams::default()
        };
        let cfg = params.check(self.trainer.train_data().n).map_err(js_err)?;
        let g = measure(&self.trainer, &cfg, |stage, f| {
            // A throwing callback is treated as "go on": progress is best effort.
            let _ = progress.call2(&JsValue::NULL, &JsValue::from_str(stage), &JsValue::from_f64(f));
            true
        })
        .map_err(js_err)?;
        measurement_to_js(&g)
    }

    /// A fingerprint of the current weights (bit-exact comparison across runs and platforms).
    pub fn fingerprint(&self) -> String {
        format!("{:016x}", self.trainer.fingerprint())
    }
}

fn describe_model(m: &crate::nn::ModelSpec, d: usize, k: usize) -> String {
    match m {
        crate::nn::ModelSpec::Fcn { hidden, activation } => {
            let widths: Vec<String> = std::iter::once(d).chain(hidden.iter().copied()).chain(std::iter::once(k)).map(|w| w.to_string()).collect();
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
    js_sys::Reflect::set(obj, &JsValue::from_str(key), value).map(|_| ()).map_err(|_| JsError::new("could not build the result object"))
}

fn f64_array(v: &[f64]) -> JsValue {
    js_sys::Float64Array::from(v).into()
}

fn measurement_to_js(g: &GradientStructure) -> Result<js_sys::Object, JsError> {
    let out = js_sys::Object::new();
    set(&out, "report", &JsValue::from_str(&serde_json::to_string(g).map_err(js_err)?))?;
    if let Some(sp) = &g.spectrum {
        let views = spectrum_views(sp, &format!("gradients at step {}", g.step));
        set(&out, "views", &JsValue::from_str(&serde_json::to_string(&views).map_err(js_err)?))?;
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
