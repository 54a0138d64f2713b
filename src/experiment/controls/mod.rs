//! The page's controls as one declarative table (in the spirit of TensorFlow Playground's
//! `state.ts`): each [`Control`] names a menu, its options, and how it reads and writes the
//! [`ExperimentConfig`]. The page builds its menus from [`CONTROLS`], shows
//! [`Control::value`] and applies [`Control::apply`]; an older `#seed=7&data=digits` link is read
//! with the same table ([`super::url::Link::parse`]); the test of every menu choice enumerates it.

use super::config::ExperimentConfig;
use super::measure::analysis;
use crate::data::DatasetSpec;
use crate::nn::{ActivationKind, ModelSpec};
use crate::params::{range_text, Interval};
use crate::stats::{Level, Rule};
use crate::train::params::{HIDDEN_WIDTH, LR, MOMENTUM, WEIGHT_DECAY};
use crate::train::LrSchedule;
use serde::Serialize;
use std::ops::RangeInclusive;

/// Which part of the page a control belongs to (also what a classroom link can hide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Data,
    Model,
    Optimizer,
    Measurement,
    Tour,
}

/// When a control's setting is used: changing a training setting starts a new run; changing a
/// measurement setting only changes the next measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Training,
    Measurement,
    /// Used by the paper tour's steps (not the lab's own run).
    Tour,
}

/// What a control shows for a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Shown {
    /// One of its options.
    Option(String),
    /// A value no option names (a link made by the CLI, say), shown as it is: `text`.
    Other(String),
    /// The control does not apply (width of LeNet-5).
    NotApplicable,
}

/// The values a control's setting may take, as the configuration's checks enforce them: the
/// range constants themselves (never a copy), so the menu, its text and the check cannot drift
/// (`tests` below set each edge and compare with the check).
#[derive(Debug, Clone, PartialEq)]
pub enum Allowed {
    /// A choice among kinds: the options are the values.
    Options,
    /// Integers in a range: the key the check names and the range.
    Count(&'static str, RangeInclusive<usize>),
    /// Reals in an interval: the key the check names and the interval.
    Real(&'static str, Interval),
    /// A significance level ([`Level::ALL`]).
    Level,
    /// 1..=N, the training set's size (the batch size).
    UpToN(&'static str),
    /// Any count, capped at N when used (N_cov; 0 = off).
    CappedAtN,
}

impl Allowed {
    /// The range in words, as the checks' errors write it.
    pub fn text(&self) -> String {
        match self {
            Allowed::Options => "one of the options".into(),
            Allowed::Count(_, r) => range_text(r),
            Allowed::Real(_, i) => i.text(),
            Allowed::Level => Level::ALL.map(|l| crate::format::level(l.alpha())).join(", "),
            Allowed::UpToN(_) => "1..=number of training samples".into(),
            Allowed::CappedAtN => "0 (off) or at least 2, capped at the number of training samples".into(),
        }
    }
}

/// One menu.
#[derive(Clone)]
pub struct Control {
    pub key: &'static str,
    pub label: &'static str,
    pub group: Group,
    pub when: When,
    /// (value, text) of every option.
    pub options: &'static [(&'static str, &'static str)],
    /// What the setting may be (the check's own range).
    pub allowed: Allowed,
    get: fn(&ExperimentConfig) -> Shown,
    set: fn(&mut ExperimentConfig, &str),
}

/// A control as the page receives it (everything but the functions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub group: Group,
    pub when: When,
    pub options: Vec<(&'static str, &'static str)>,
    /// [`Allowed::text`].
    pub allowed: String,
    /// What it shows for the page's starting configuration ([`ExperimentConfig::lab_default`]).
    pub default: Shown,
}

impl Control {
    pub fn spec(&self) -> ControlSpec {
        ControlSpec {
            key: self.key,
            label: self.label,
            group: self.group,
            when: self.when,
            options: self.options.to_vec(),
            allowed: self.allowed.text(),
            default: self.value(&ExperimentConfig::lab_default()),
        }
    }

    /// What the control shows for `c`.
    pub fn value(&self, c: &ExperimentConfig) -> Shown {
        (self.get)(c)
    }

    /// `c` with option `value` chosen; `None` when `value` is not one of the options.
    pub fn apply(&self, c: &ExperimentConfig, value: &str) -> Option<ExperimentConfig> {
        self.options.iter().any(|(v, _)| *v == value).then(|| {
            let mut c = c.clone();
            (self.set)(&mut c, value);
            c
        })
    }
}

/// Shows `v` as an option when one is named `v`, else as "other".
fn shown(options: &[(&str, &str)], v: String) -> Shown {
    if options.iter().any(|(o, _)| *o == v) {
        Shown::Option(v)
    } else {
        Shown::Other(v)
    }
}

/// A number as the option values write it (`0.1`, `5`, `0.0005`).
fn number(v: f64) -> String {
    format!("{v}")
}

const DATA: &[(&str, &str)] = &[
    ("mnist", "MNIST subset, 28×28"),
    ("mnist14", "MNIST subset, 14×14"),
    ("digits", "8×8 digits"),
    ("cancer", "breast cancer (table)"),
    ("wine", "wine (table)"),
    ("mixture", "Gaussian mixture"),
    ("teacher", "teacher network"),
];

/// The dataset of a `data` option.
fn dataset(v: &str) -> DatasetSpec {
    use crate::data::synthetic::{MixtureParams, TeacherParams};
    match v {
        "mnist14" => DatasetSpec::Mnist { downsample: 2 },
        "digits" => DatasetSpec::Digits8x8,
        "cancer" => DatasetSpec::BreastCancer,
        "wine" => DatasetSpec::Wine,
        "mixture" => DatasetSpec::GaussianMixture(MixtureParams {
            n: 3000,
            d: 20,
            n_classes: 4,
            separation: 1.0,
            seed: 1,
        }),
        "teacher" => DatasetSpec::Teacher(TeacherParams {
            n: 3000,
            d: 20,
            n_classes: 4,
            hidden: 32,
            seed: 1,
        }),
        _ => DatasetSpec::Mnist { downsample: 1 },
    }
}

const LABELS: &[(&str, &str)] = &[
    ("clean", "clean"),
    ("noise20", "20 % label noise"),
    ("noise40", "40 % label noise"),
    ("random", "random labels"),
];
const MODELS: &[(&str, &str)] = &[
    ("fcn1", "FCN, 1 hidden layer"),
    ("fcn2", "FCN, 2 hidden layers"),
    ("fcn4", "FCN, 4 hidden layers"),
    ("lenet", "LeNet-5 (28×28 MNIST)"),
];
const WIDTHS: &[(&str, &str)] = &[("10", "10"), ("32", "32"), ("64", "64"), ("100", "100"), ("256", "256")];
const ACTIVATIONS: &[(&str, &str)] = &[("relu", "ReLU"), ("tanh", "tanh")];
const LRS: &[(&str, &str)] = &[
    ("0.003", "0.003"),
    ("0.01", "0.01"),
    ("0.03", "0.03"),
    ("0.1", "0.1"),
    ("0.3", "0.3"),
    ("1", "1"),
    ("10", "10 (diverges)"),
];
const BATCHES: &[(&str, &str)] = &[
    ("16", "16"),
    ("32", "32"),
    ("64", "64"),
    ("128", "128"),
    ("256", "256"),
    ("512", "512"),
];
const EPOCHS: &[(&str, &str)] = &[
    ("1", "1"),
    ("2", "2"),
    ("5", "5"),
    ("10", "10"),
    ("16", "16"),
    ("20", "20"),
];
const MOMENTA: &[(&str, &str)] = &[("0", "0"), ("0.5", "0.5"), ("0.9", "0.9")];
const DECAYS: &[(&str, &str)] = &[("0", "0"), ("0.0005", "5e-4")];
const SCHEDULES: &[(&str, &str)] = &[("step", "÷10 at 40 % and 80 %"), ("const", "constant")];
const TRACKED: &[(&str, &str)] = &[("10", "10"), ("20", "20"), ("50", "50"), ("100", "100"), ("200", "200")];
const RULES: &[(&str, &str)] = &[
    ("paper", "paper (top-K KS, K = 1000)"),
    ("clauset", "Clauset (x_min by KS + bootstrap p)"),
];
const LEVELS: &[(&str, &str)] = &[("0.1", "0.10"), ("0.05", "0.05"), ("0.01", "0.01")];
const DRAWS: &[(&str, &str)] = &[
    ("50", "50"),
    ("100", "100"),
    ("200", "200"),
    ("500", "500"),
    ("1000", "1000"),
];
const REPLICATES: &[(&str, &str)] = &[("1", "1"), ("3", "3"), ("5", "5"), ("10", "10")];
const N_COV: &[(&str, &str)] = &[
    ("0", "off"),
    ("250", "250"),
    ("500", "500"),
    ("1000", "1000"),
    ("2000", "2000"),
];

/// Bootstrap replicates of the example tail tests when Clauset's rule is chosen in the page
/// (Clauset et al. 2009 recommend ≥ 1000 for p to ±0.01); part of the configuration, so the
/// link carries it and `sgn-lab run --url` makes the same bootstrap.
pub const CLAUSET_BOOTSTRAP: usize = 1000;

fn depth(m: &ModelSpec) -> Option<usize> {
    match m {
        ModelSpec::Fcn { hidden, .. } => Some(hidden.len()),
        ModelSpec::Lenet { .. } => None,
    }
}

/// The setup and measurement menus, in page order.
pub static CONTROLS: &[Control] = &[
    Control {
        key: "data",
        label: "Dataset",
        group: Group::Data,
        when: When::Training,
        options: DATA,
        allowed: Allowed::Options,
        get: |c| match DATA.iter().find(|(v, _)| dataset(v) == c.data.dataset) {
            Some((v, _)) => Shown::Option(v.to_string()),
            None => Shown::Other(serde_json::to_string(&c.data.dataset).unwrap_or_default()),
        },
        set: |c, v| c.data.dataset = dataset(v),
    },
    Control {
        key: "labels",
        label: "Labels",
        group: Group::Data,
        when: When::Training,
        options: LABELS,
        allowed: Allowed::Options,
        get: |c| {
            let d = &c.data;
            match (d.random_labels, d.label_noise) {
                (true, _) => Shown::Option("random".into()),
                (false, 0.0) => Shown::Option("clean".into()),
                (false, 0.2) => Shown::Option("noise20".into()),
                (false, 0.4) => Shown::Option("noise40".into()),
                (false, p) => Shown::Other(format!("{} % label noise", 100.0 * p)),
            }
        },
        set: |c, v| {
            c.data.random_labels = v == "random";
            c.data.label_noise = match v {
                "noise20" => 0.2,
                "noise40" => 0.4,
                _ => 0.0,
            };
        },
    },
    Control {
        key: "model",
        label: "Model",
        group: Group::Model,
        when: When::Training,
        options: MODELS,
        allowed: Allowed::Options,
        get: |c| match depth(&c.model) {
            None => Shown::Option("lenet".into()),
            Some(d @ (1 | 2 | 4)) => Shown::Option(format!("fcn{d}")),
            Some(d) => Shown::Other(format!("FCN, {d} hidden layers")),
        },
        set: |c, v| {
            let activation = c.model.activation();
            let width = match &c.model {
                ModelSpec::Fcn { hidden, .. } if !hidden.is_empty() => hidden[0],
                _ => 100,
            };
            c.model = match v {
                "lenet" => ModelSpec::Lenet { activation },
                _ => {
                    let d: usize = v.trim_start_matches("fcn").parse().unwrap_or(2);
                    ModelSpec::Fcn {
                        hidden: vec![width; d],
                        activation,
                    }
                }
            };
        },
    },
    Control {
        key: "width",
        label: "Width",
        group: Group::Model,
        when: When::Training,
        options: WIDTHS,
        allowed: Allowed::Count("hidden width", HIDDEN_WIDTH),
        get: |c| match &c.model {
            ModelSpec::Lenet { .. } => Shown::NotApplicable,
            ModelSpec::Fcn { hidden, .. } if hidden.iter().all(|w| Some(w) == hidden.first()) && !hidden.is_empty() => {
                shown(WIDTHS, hidden[0].to_string())
            }
            ModelSpec::Fcn { hidden, .. } => {
                Shown::Other(hidden.iter().map(|w| w.to_string()).collect::<Vec<_>>().join("→"))
            }
        },
        set: |c, v| {
            if let (ModelSpec::Fcn { hidden, .. }, Ok(w)) = (&mut c.model, v.parse::<usize>()) {
                hidden.iter_mut().for_each(|h| *h = w);
            }
        },
    },
    Control {
        key: "act",
        label: "Activation",
        group: Group::Model,
        when: When::Training,
        options: ACTIVATIONS,
        allowed: Allowed::Options,
        get: |c| {
            Shown::Option(
                match c.model.activation() {
                    ActivationKind::Relu => "relu",
                    ActivationKind::Tanh => "tanh",
                }
                .into(),
            )
        },
        set: |c, v| {
            let a = if v == "tanh" {
                ActivationKind::Tanh
            } else {
                ActivationKind::Relu
            };
            match &mut c.model {
                ModelSpec::Fcn { activation, .. } | ModelSpec::Lenet { activation } => *activation = a,
            }
        },
    },
    Control {
        key: "lr",
        label: "Learning rate",
        group: Group::Optimizer,
        when: When::Training,
        options: LRS,
        allowed: Allowed::Real("lr", LR),
        get: |c| shown(LRS, number(c.training.lr)),
        set: |c, v| c.training.lr = v.parse().unwrap_or(c.training.lr),
    },
    Control {
        key: "bs",
        label: "Batch size",
        group: Group::Optimizer,
        when: When::Training,
        options: BATCHES,
        allowed: Allowed::UpToN("batch_size"),
        get: |c| shown(BATCHES, c.training.batch_size.to_string()),
        set: |c, v| c.training.batch_size = v.parse().unwrap_or(c.training.batch_size),
    },
    Control {
        key: "epochs",
        label: "Epochs",
        group: Group::Optimizer,
        when: When::Training,
        options: EPOCHS,
        allowed: Allowed::Count("epochs", crate::train::EPOCHS),
        get: |c| shown(EPOCHS, c.training.epochs.to_string()),
        set: |c, v| c.training.epochs = v.parse().unwrap_or(c.training.epochs),
    },
    Control {
        key: "mom",
        label: "Momentum",
        group: Group::Optimizer,
        when: When::Training,
        options: MOMENTA,
        allowed: Allowed::Real("momentum", MOMENTUM),
        get: |c| shown(MOMENTA, number(c.training.momentum)),
        set: |c, v| c.training.momentum = v.parse().unwrap_or(c.training.momentum),
    },
    Control {
        key: "wd",
        label: "Weight decay",
        group: Group::Optimizer,
        when: When::Training,
        options: DECAYS,
        allowed: Allowed::Real("weight_decay", WEIGHT_DECAY),
        get: |c| shown(DECAYS, number(c.training.weight_decay)),
        set: |c, v| c.training.weight_decay = v.parse().unwrap_or(c.training.weight_decay),
    },
    Control {
        key: "sched",
        label: "Schedule",
        group: Group::Optimizer,
        when: When::Training,
        options: SCHEDULES,
        allowed: Allowed::Options,
        get: |c| match &c.training.schedule {
            LrSchedule::Constant => Shown::Option("const".into()),
            s if *s == LrSchedule::default() => Shown::Option("step".into()),
            s => Shown::Other(serde_json::to_string(s).unwrap_or_default()),
        },
        set: |c, v| {
            c.training.schedule = if v == "const" {
                LrSchedule::Constant
            } else {
                LrSchedule::default()
            }
        },
    },
    Control {
        key: "tracked",
        label: "Tracked parameters",
        group: Group::Measurement,
        when: When::Training,
        options: TRACKED,
        allowed: Allowed::Count("logging.n_tracked", crate::train::TRACKED),
        get: |c| shown(TRACKED, c.logging.n_tracked.to_string()),
        set: |c, v| c.logging.n_tracked = v.parse().unwrap_or(c.logging.n_tracked),
    },
    Control {
        key: "tail-rule",
        label: "Tail rule",
        group: Group::Measurement,
        when: When::Measurement,
        options: RULES,
        allowed: Allowed::Options,
        get: |c| {
            Shown::Option(
                match c.analysis.rule {
                    Rule::Paper => "paper",
                    Rule::Clauset => "clauset",
                }
                .into(),
            )
        },
        set: |c, v| {
            c.analysis.rule = if v == "clauset" { Rule::Clauset } else { Rule::Paper };
            c.analysis.bootstrap = if v == "clauset" { CLAUSET_BOOTSTRAP } else { 0 };
        },
    },
    Control {
        key: "tail-level",
        label: "Level",
        group: Group::Measurement,
        when: When::Measurement,
        options: LEVELS,
        allowed: Allowed::Level,
        get: |c| shown(LEVELS, number(c.analysis.level)),
        set: |c, v| c.analysis.level = v.parse().unwrap_or(c.analysis.level),
    },
    Control {
        key: "tail-draws",
        label: "Draws M",
        group: Group::Measurement,
        when: When::Measurement,
        options: DRAWS,
        allowed: Allowed::Count("analysis.draws", analysis::DRAWS),
        get: |c| shown(DRAWS, c.analysis.draws.to_string()),
        set: |c, v| c.analysis.draws = v.parse().unwrap_or(c.analysis.draws),
    },
    Control {
        key: "spectrum-n",
        label: "Spectrum N_cov",
        group: Group::Measurement,
        when: When::Measurement,
        options: N_COV,
        allowed: Allowed::CappedAtN,
        get: |c| shown(N_COV, c.analysis.n_cov.to_string()),
        set: |c, v| c.analysis.n_cov = v.parse().unwrap_or(c.analysis.n_cov),
    },
    Control {
        key: "replicates",
        label: "Replicates",
        group: Group::Tour,
        when: When::Tour,
        options: REPLICATES,
        allowed: Allowed::Count("replicates", super::config::REPLICATES),
        get: |c| shown(REPLICATES, c.replicates.to_string()),
        set: |c, v| c.replicates = v.parse().unwrap_or(c.replicates),
    },
];

/// The control called `key`.
pub fn find(key: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.key == key)
}

#[cfg(test)]
mod tests;
