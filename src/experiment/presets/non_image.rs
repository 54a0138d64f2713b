//! A non-image dataset (Xie et al. 2023 via review, "even in non-image data"; here the
//! breast-cancer table instead of Avila): FCN 30→100→100→2 on the table, the spectrum claim.

use super::spectrum::arm_verdict;
use super::{Preset, PresetInfo};
use crate::data::DatasetSpec;
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::Ctx;
use crate::experiment::report::Report;
use crate::nn::{ActivationKind, ModelSpec};
use crate::plot::Chart;

pub struct NonImage;

static INFO: PresetInfo = PresetInfo {
    name: "non-image",
    title: "A non-image dataset",
    claim: "The power-law covariance spectrum also appears on non-image (tabular) data, so it is not an artifact of images.",
    source: "Xie et al. 2023 via review, 'even in non-image data' (Avila) [R]; here the breast-cancer table",
    varies: "dataset: breast-cancer table (30 features, 2 classes), FCN 30→100→100→2",
    look: "The same Table B columns on tabular data: is the spectrum still a power law without images?",
    finding: "the covariance spectrum on the breast-cancer table was a power law, unlike Gaussian noise",
    lab_scale: "The table has only 455 training samples, so the spectrum has at most 454 eigenvalues and the fit's K is small; the network fits the table within a few epochs, which bends the spectrum.",
};

/// The configuration of the arm: `base` on the breast-cancer table (its default 80 % split),
/// FCN 30→100→100→2 ReLU, B ≤ 64, N_cov ≤ 455, in f64 (this small table is fitted perfectly
/// within a few epochs; in f32 the softmax then saturates and many per-sample gradients are
/// exactly zero).
pub fn arm_config(b: &ExperimentConfig) -> ExperimentConfig {
    let mut c = b.clone();
    c.data.dataset = DatasetSpec::BreastCancer;
    c.data.n_train = None;
    c.data.n_test = None;
    c.model = ModelSpec::Fcn {
        hidden: vec![100, 100],
        activation: ActivationKind::Relu,
    };
    c.training.batch_size = b.training.batch_size.min(64);
    c.analysis.n_cov = b.analysis.n_cov.min(455);
    c.training.precision = crate::train::Precision::F64;
    c
}

impl Preset for NonImage {
    fn info(&self) -> &'static PresetInfo {
        &INFO
    }

    fn datasets(&self, _base: &ExperimentConfig) -> Vec<DatasetSpec> {
        vec![DatasetSpec::BreastCancer]
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig, r: &mut Report) -> Result<(), ExperimentError> {
        let c = arm_config(b);
        let tr = ctx.train_arm("breast-cancer, FCN 30→100→100→2", &c)?;
        if let Some(v) = arm_verdict(&INFO, "trained", &tr.arm, tr.n_classes(), &c)? {
            r.verdicts.push(v);
        }
        r.config = c;
        r.arms.push(tr.arm);
        Ok(())
    }

    fn charts(&self, r: &Report) -> Vec<Chart> {
        super::shared::measurement_charts(r, false, |_, _| Vec::new())
    }
}
