//! The run panel as shown: what is being trained (the facts beside the controls) and the live
//! read-out under the training chart, worded and formatted here for the page's `Lab`.

use crate::data::Dataset;
use crate::data::{DatasetSpec, PrepareParams};
use crate::experiment::check::CheckedTraining;
use crate::experiment::driver::ArmDriver;
use crate::experiment::error::FitSetting;
use crate::experiment::{ExperimentConfig, ExperimentError};
use crate::format::num;
use crate::nn::{ActivationKind, ModelSpec};
use serde::Serialize;

/// The facts beside the run controls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facts {
    /// "MNIST subset: 8000 train / 2000 test, 784 features".
    pub data: String,
    /// "FCN 784→100→100→10 (ReLU) (89,610 parameters; about 251 MiB with the measurement, cap 512 MiB)".
    pub model: String,
    /// The model line for a reader (an embed): the network and its parameters, without the
    /// memory estimate and the cap. "FCN 784→100→100→10 (ReLU), 89,610 parameters".
    pub network: String,
    pub optimizer: String,
    pub engine: String,
    pub n_params: usize,
    pub total_steps: u64,
    pub seed: u64,
}

/// The live read-out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readout {
    pub step: String,
    pub epoch: String,
    /// Moving average of the minibatch loss (`None` before the first step).
    pub loss: Option<String>,
    /// Test accuracy of the last evaluation (`None` before one).
    pub accuracy: Option<String>,
    pub lr: String,
}

fn activation_name(a: ActivationKind) -> &'static str {
    match a {
        ActivationKind::Relu => "ReLU",
        ActivationKind::Tanh => "tanh",
    }
}

/// "FCN 784→100→100→10 (ReLU)" for `d` inputs and `k` classes.
pub fn describe_model(m: &ModelSpec, d: usize, k: usize) -> String {
    match m {
        ModelSpec::Fcn { hidden, activation } => {
            let widths: Vec<String> = std::iter::once(d)
                .chain(hidden.iter().copied())
                .chain(std::iter::once(k))
                .map(|w| w.to_string())
                .collect();
            format!("FCN {} ({})", widths.join("→"), activation_name(*activation))
        }
        ModelSpec::Lenet { activation } => format!("LeNet-5 ({})", activation_name(*activation)),
    }
}

/// "MNIST subset (14×14), 40 % label noise".
pub fn describe_data(spec: &DatasetSpec, p: &PrepareParams) -> String {
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

/// "89,610": thousands separated by commas.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The model line: the network, its parameters, the memory training needs and (when known) the
/// memory of the measurement as now set, against the cap.
pub fn model_line(cfg: &ExperimentConfig, d: &ArmDriver, measurement: Option<u64>) -> String {
    let checked = d.checked();
    let tc = &checked.train;
    let train = d.trainer().train_data();
    let mib = |b: u64| b as f64 / f64::from(1 << 20);
    format!(
        "{} ({} parameters; about {:.1} MiB to train{}; cap {} MiB)",
        describe_model(&tc.params.model, train.d(), train.n_classes),
        thousands(tc.n_params),
        mib(checked.training_estimate),
        measurement.map_or(String::new(), |m| format!(", {:.1} MiB with the measurement", mib(m))),
        mib(cfg.memory_cap).round()
    )
}

/// The facts of a session built from `cfg`.
pub fn facts(cfg: &ExperimentConfig, d: &ArmDriver) -> Facts {
    let checked = d.checked();
    let tc = &checked.train;
    let train = d.trainer().train_data();
    Facts {
        data: format!(
            "{}: {} train / {} test, {} features",
            describe_data(&cfg.data.dataset, &cfg.prepare_params()),
            train.n(),
            d.test_set().n(),
            train.d()
        ),
        model: model_line(cfg, d, None),
        network: format!(
            "{}, {} parameters",
            describe_model(&tc.params.model, train.d(), train.n_classes),
            thousands(tc.n_params)
        ),
        optimizer: format!(
            "SGD η = {}, momentum {}, weight decay {}, batch {}, {} epochs",
            tc.params.sgd.lr,
            tc.params.sgd.momentum,
            tc.params.sgd.weight_decay,
            tc.params.sgd.batch_size,
            tc.params.sgd.epochs
        ),
        engine: format!("engine {}", env!("CARGO_PKG_VERSION")),
        n_params: tc.n_params,
        total_steps: tc.total_steps,
        seed: tc.params.seed,
    }
}

/// The read-out after `step` steps of `steps_per_epoch`, with the loss average, the last test
/// accuracy and the learning rate.
pub fn readout(step: u64, steps_per_epoch: u64, loss_ema: Option<f64>, accuracy: Option<f64>, lr: f64) -> Readout {
    Readout {
        step: step.to_string(),
        epoch: format!("{:.2}", step as f64 / steps_per_epoch.max(1) as f64),
        loss: loss_ema.filter(|v| v.is_finite()).map(|v| format!("{v:.4}")),
        accuracy: accuracy.map(|a| format!("{:.1} %", 100.0 * a)),
        lr: num(lr, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_numbers_of_the_run_panel() {
        assert_eq!(thousands(89610), "89,610");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        let r = readout(150, 62, Some(0.123456), Some(0.9712), 0.1);
        assert_eq!(
            (
                r.step.as_str(),
                r.epoch.as_str(),
                r.loss.as_deref(),
                r.accuracy.as_deref(),
                r.lr.as_str()
            ),
            ("150", "2.42", Some("0.1235"), Some("97.1 %"), "0.1")
        );
        assert_eq!(readout(0, 62, None, None, 0.1).loss, None);
        let m = ModelSpec::Fcn {
            hidden: vec![100, 100],
            activation: ActivationKind::Relu,
        };
        assert_eq!(describe_model(&m, 784, 10), "FCN 784→100→100→10 (ReLU)");
    }
}

/// A one-click fix: the configuration with the largest value that fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Apply {
    /// The button's label, "use spectrum N_cov = 703".
    pub label: String,
    pub config: ExperimentConfig,
    /// The setting changes training too (m): applying it starts a new run.
    pub retrain: bool,
}

/// The note beside the setting that drives a refused measurement (or under the measurement
/// controls).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitNote {
    pub text: String,
    /// `refused` (over the cap, with a fix), `lowered` (the page chose a smaller value after a
    /// menu choice), `error` (another reason).
    pub kind: &'static str,
    /// The key of the control (`experiment::controls`) that shows the setting, when one does.
    pub control: Option<&'static str>,
    pub apply: Option<Apply>,
}

/// Whether the measurement as now set can run, as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureCheckView {
    pub fits: bool,
    /// The model line with this measurement's memory.
    pub model: String,
    pub note: Option<FitNote>,
    /// After a menu choice a measurement-only setting over the cap is lowered to its largest
    /// round value that fits: the configuration to use (part of the link from then on).
    pub lowered: Option<ExperimentConfig>,
}

/// The control that shows a fit's setting.
fn control_of(s: FitSetting) -> Option<&'static str> {
    match s {
        FitSetting::NCov => Some("spectrum-n"),
        FitSetting::Draws => Some("tail-draws"),
        FitSetting::Tracked => Some("tracked"),
        FitSetting::DavisKahanTop => None,
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// Checks the measurement the page would make with `cfg`'s measurement settings at the session's
/// network ([`crate::experiment::check::CheckedTraining::check_measurement`]) and words the
/// outcome. `from_menu`: the session was just built from a choice in the setup menus, so a
/// measurement-only setting over the cap is lowered (and said so) rather than refused.
pub fn measure_check(cfg: &ExperimentConfig, d: &ArmDriver, from_menu: bool) -> MeasureCheckView {
    measure_check_of(cfg, d.checked(), d.trainer().train_data(), from_menu, |m| {
        model_line(cfg, d, m)
    })
}

/// [`measure_check`] from the session's checked training and its training set (a pure function
/// of the configuration and the data's shape: `tests/menu_choices.rs` runs it over every menu
/// choice); `model(measurement bytes)` words the model line.
pub fn measure_check_of(
    cfg: &ExperimentConfig,
    checked: &CheckedTraining,
    train: &Dataset,
    from_menu: bool,
    model: impl Fn(Option<u64>) -> String,
) -> MeasureCheckView {
    let session = &checked.config;
    let asked = ExperimentConfig {
        analysis: cfg.analysis.clone(),
        logging: cfg.logging.clone(),
        ..session.clone()
    };
    let mib = |b: u64| format!("{:.1} MiB", b as f64 / f64::from(1 << 20));
    match checked.check_measurement(&asked, train) {
        Ok(m) => MeasureCheckView {
            fits: true,
            model: model(Some(m.memory_estimate)),
            note: None,
            lowered: None,
        },
        Err(ExperimentError::MeasurementMemory {
            estimate,
            cap,
            fit: Some(f),
        }) => {
            let with = |v: usize| {
                let mut c = cfg.clone();
                f.setting.set(&mut c, v);
                c
            };
            let model = model(Some(estimate));
            if from_menu && !f.setting.trains() {
                let text = format!(
                    "{} set to {} for this setup: {} would need about {} with training, above the cap of {} (the largest value that fits is {}).",
                    upper_first(f.name),
                    f.round,
                    f.value,
                    mib(estimate),
                    mib(cap),
                    f.largest
                );
                let note = FitNote {
                    text,
                    kind: "lowered",
                    control: control_of(f.setting),
                    apply: None,
                };
                return MeasureCheckView {
                    fits: false,
                    model,
                    note: Some(note),
                    lowered: Some(with(f.round)),
                };
            }
            let text = format!(
                "{} = {} would need about {} with training, above the cap of {}; the largest value that fits is {}.",
                upper_first(f.name),
                f.value,
                mib(estimate),
                mib(cap),
                f.largest
            );
            let apply = Apply {
                label: format!("use {} = {}", f.name, f.largest),
                config: with(f.largest),
                retrain: f.setting.trains(),
            };
            let note = FitNote {
                text,
                kind: "refused",
                control: control_of(f.setting),
                apply: Some(apply),
            };
            MeasureCheckView {
                fits: false,
                model,
                note: Some(note),
                lowered: None,
            }
        }
        Err(e) => MeasureCheckView {
            fits: false,
            model: model(None),
            note: Some(FitNote {
                text: upper_first(&e.to_string()),
                kind: "error",
                control: None,
                apply: None,
            }),
            lowered: None,
        },
    }
}
