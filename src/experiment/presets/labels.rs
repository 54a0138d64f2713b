//! Clean vs random labels vs 40 % label noise (the sibling paper's Figs. 15 and 17 as the
//! hypothesis; the gradient paper's outcome is unknown): the default network trained on each.

use super::shared::{every_arm_non_flat, fmt_fit, measurement_charts, SpecArm};
use super::{Preset, PresetInfo};
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::Ctx;
use crate::experiment::report::Report;
use crate::experiment::verdict::Verdict;
use crate::plot::Chart;

pub struct Labels;

static INFO: PresetInfo = PresetInfo {
    name: "labels",
    title: "Clean vs random labels vs 40 % label noise",
    claim: "The power-law covariance spectrum is a property of trained networks that persists under random labels and label noise (which add top outliers and may bend it).",
    source: "sibling paper Figs. 15, 17 [S] as the hypothesis; the gradient paper's outcome is unknown",
    varies: "training labels: clean, permuted (on a subset of min(1000, N/4) samples, trained for 60 epochs until memorised), 40 % symmetric noise",
    look: "ŝ and the KS verdict for clean, random and noisy labels; random labels may add a few top outliers above the line.",
    finding: "the gradient covariance spectrum stayed a power law with clean labels, random labels and 40 % label noise",
    lab_scale: "Random labels are fitted by memorisation, which bends the top of the spectrum of a small network; a power law over K eigenvalues is then rejected although a smaller K may pass (see the K sweep).",
};

/// Most training samples of the random-label arm ([`random_subset`]).
pub const RANDOM_SUBSET: usize = 1000;
/// Fewest epochs of the random-label arm: memorising random labels takes far longer than
/// learning real ones (Zhang et al. 2017, "Understanding deep learning requires rethinking
/// generalization", arXiv 1611.03530, Fig. 1a), and the claim is about a network that fitted
/// them (`shared::MEMORISED`).
pub const RANDOM_EPOCHS: usize = 60;

/// Training samples of the random-label arm for a training set of `n`: min(1000, ⌈n/4⌉), so a
/// lab-sized network can memorise its labels within [`RANDOM_EPOCHS`] (at n = 8000: 1000 samples,
/// 60 epochs, ≈ 480 steps at B = 128; the clean arm takes 1000).
///
/// ```
/// use sgn_lab::experiment::presets::labels::random_subset;
/// assert_eq!(random_subset(8000), 1000);
/// assert_eq!(random_subset(1000), 250);
/// ```
pub fn random_subset(n: usize) -> usize {
    RANDOM_SUBSET.min(n.div_ceil(4)).max(1)
}

/// The arms: label, random labels, label-noise rate.
const ARMS: [(&str, bool, f64); 3] = [
    ("clean labels", false, 0.0),
    ("random labels", true, 0.0),
    ("40 % label noise", false, 0.4),
];

impl Preset for Labels {
    fn info(&self) -> &'static PresetInfo {
        &INFO
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig, r: &mut Report) -> Result<(), ExperimentError> {
        let n = ctx.train_size(b)?;
        let arms: Vec<(String, ExperimentConfig)> = ARMS
            .iter()
            .map(|(label, random, noise)| {
                let mut c = b.clone();
                c.data.random_labels = *random;
                c.data.label_noise = *noise;
                if *random {
                    let m = random_subset(n);
                    c.data.n_train = Some(m);
                    c.training.epochs = c.training.epochs.max(RANDOM_EPOCHS);
                    c.training.batch_size = c.training.batch_size.min(m / 2).max(1);
                    return (format!("{label} ({m} samples, {} epochs)", c.training.epochs), c);
                }
                (label.to_string(), c)
            })
            .collect();
        let rows = spectrum_arms(ctx, r, &arms)?;
        r.verdicts.push(
            every_arm_verdict(&INFO, &rows.0, &rows.1)
                .note("the parenthesis (top outliers, bending) describes what may happen and is not tested"),
        );
        Ok(())
    }

    fn charts(&self, r: &Report) -> Vec<Chart> {
        measurement_charts(r, false, |_, _| Vec::new())
    }
}

/// Each arm's trained spectrum keyed by its label, and the arms that could not be measured.
pub type SpectrumArms = (Vec<(String, SpecArm)>, Vec<String>);

/// Trains every arm ([`Ctx::for_each_arm`]) into `r`, keeping each arm's trained spectrum
/// (keyed by its label) and the arms that could not be measured.
pub fn spectrum_arms(
    ctx: &mut Ctx<'_, '_>,
    r: &mut Report,
    arms: &[(String, ExperimentConfig)],
) -> Result<SpectrumArms, ExperimentError> {
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    ctx.for_each_arm(arms, &mut failed, |label, tr| {
        if let Some(a) = SpecArm::of(label, &tr.arm, tr.n_classes())? {
            rows.push((label.to_string(), a));
        }
        r.arms.push(tr.arm);
        Ok(())
    })?;
    Ok((rows, failed))
}

/// "The power-law spectrum holds in every arm": every arm that could be tested is a non-flat
/// power law; arms that could not be measured or have K < 10 are named and leave the claim
/// untested unless a tested arm already fails; collapsed runs are named.
pub fn every_arm_verdict(info: &PresetInfo, arms: &[(String, SpecArm)], failed: &[String]) -> Verdict {
    let mut finding: Vec<String> = arms
        .iter()
        .map(|(_, a)| format!("{}: {}", a.label, fmt_fit(&a.row)))
        .collect();
    finding.extend(failed.iter().cloned());
    let notes = arms
        .iter()
        .filter_map(|(k, a)| a.collapse.as_ref().map(|c| format!("{k}: {c}")))
        .collect();
    Verdict::from_clauses(info.claim, finding.join("; "), every_arm_non_flat(arms, failed), notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::report::TableBRow;
    use crate::experiment::verdict::VerdictOutcome;

    fn arm(label: &str, k: usize, s: f64, power_law: bool) -> (String, SpecArm) {
        let row = TableBRow {
            setting: String::new(),
            k,
            ks_d: 0.05,
            ks_critical: 0.1,
            power_law,
            beta: 2.0,
            beta_stderr: 0.1,
            s,
            ls_slope: -s,
            flat: s < 0.3,
        };
        (
            label.into(),
            SpecArm {
                label: label.into(),
                row,
                collapse: None,
                excluded: None,
            },
        )
    }

    #[test]
    fn every_arm_must_be_a_non_flat_power_law_and_missing_arms_are_named() {
        let ok = [arm("a", 50, 1.0, true), arm("b", 50, 1.2, true)];
        assert_eq!(every_arm_verdict(&INFO, &ok, &[]).outcome, VerdictOutcome::Agrees);
        assert_eq!(
            every_arm_verdict(&INFO, &[arm("a", 50, 1.0, true), arm("b", 50, 4.0, false)], &[]).outcome,
            VerdictOutcome::Differs
        );
        let v = every_arm_verdict(&INFO, &ok, &["c: zero gradient".into()]);
        assert_eq!(v.outcome, VerdictOutcome::NotTested);
        assert!(v.clauses.iter().any(|c| c.key == "c"), "{v:?}");
        assert_eq!(
            every_arm_verdict(&INFO, &[arm("a", 50, 1.0, true), arm("b", 4, 1.0, true)], &[]).outcome,
            VerdictOutcome::NotTested
        );
        assert_eq!(every_arm_verdict(&INFO, &[], &[]).outcome, VerdictOutcome::NotTested);
    }
}
