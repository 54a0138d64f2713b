//! The run panel as shown: what is being trained (the facts beside the controls) and the live
//! read-out under the training chart, worded and formatted here for the page's `Lab`.

use crate::data::{DatasetSpec, PrepareParams};
use crate::experiment::driver::ArmDriver;
use crate::experiment::ExperimentConfig;
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

/// The facts of a session built from `cfg`.
pub fn facts(cfg: &ExperimentConfig, d: &ArmDriver) -> Facts {
    let checked = d.checked();
    let tc = &checked.train;
    let train = d.trainer().train_data();
    let mib = |b: u64| b as f64 / f64::from(1 << 20);
    Facts {
        data: format!(
            "{}: {} train / {} test, {} features",
            describe_data(&cfg.data.dataset, &cfg.prepare_params()),
            train.n,
            d.test_set().n,
            train.d
        ),
        model: format!(
            "{} ({} parameters; about {} MiB with the measurement, cap {} MiB)",
            describe_model(&tc.params.model, train.d, train.n_classes),
            thousands(tc.n_params),
            mib(checked.memory_estimate).ceil(),
            mib(cfg.memory_cap).round()
        ),
        optimizer: format!(
            "SGD η = {}, momentum {}, weight decay {}, batch {}, {} epochs",
            tc.params.sgd.lr,
            tc.params.sgd.momentum,
            tc.params.sgd.weight_decay,
            tc.params.batch_size,
            tc.params.epochs
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
