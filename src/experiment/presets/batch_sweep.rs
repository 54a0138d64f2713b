//! The batch-size sweep (Xie et al. 2023 via review, "universal across batch sizes"; the sibling
//! paper's Fig. 27, "the larger the batch, the smaller the eigenvalues"): the default network
//! trained at B = 32, 128 and 512.

use super::shared::{every_arm_non_flat, fmt_fit, measurement_charts, trained_of, SpecArm};
use super::{Preset, PresetInfo};
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::Ctx;
use crate::experiment::report::Report;
use crate::experiment::verdict::{Clause, Cmp, Evidence, Quantity, Verdict};
use crate::plot::Chart;

pub struct BatchSweep;

static INFO: PresetInfo = PresetInfo {
    name: "batch-sweep",
    title: "Batch-size sweep",
    claim: "The power-law covariance structure holds across batch sizes with about the same exponent ŝ; a larger batch only gives smaller eigenvalues.",
    source: "Xie et al. 2023 via review, 'universal across batch sizes' [R]; sibling Fig. 27, 'the larger the batch, the smaller the eigenvalues' [S]",
    varies: "training batch size B (same epochs), with the learning rate scaled linearly with B (Goyal et al. 2017)",
    look: "ŝ in Table B across the batch sizes: it should stay about the same while the scale of the spectrum shifts.",
    finding: "the spectrum stayed a power law with about the same exponent at every batch size, and larger batches gave smaller eigenvalues",
    lab_scale: "Each batch size trains its own small network for the same epochs with η scaled as B/128 (at most 4×), so that every arm trains; an arm that still does not train is shown and left out of the verdict.",
};

impl Preset for BatchSweep {
    fn info(&self) -> &'static PresetInfo {
        &INFO
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig, r: &mut Report) -> Result<(), ExperimentError> {
        let n = ctx.train_size(b)?;
        let mut sizes: Vec<usize> = [32, 128, 512].into_iter().filter(|&s| s <= n / 2).collect();
        if sizes.is_empty() {
            sizes.push(b.training.batch_size);
        }
        let arms: Vec<(String, ExperimentConfig)> = sizes
            .iter()
            .map(|&bs| {
                let mut c = b.clone();
                c.training.batch_size = bs;
                c.training.lr = scaled_lr(b.training.lr, b.training.batch_size, bs);
                (format!("B = {bs}, η = {}", crate::format::num(c.training.lr, 3)), c)
            })
            .collect();
        let mut rows = Vec::new();
        let mut failed = Vec::new();
        ctx.for_each_arm(&arms, &mut failed, |label, tr| {
            let t = trained_of(&tr.arm)?;
            if let (Some(a), Some(sp)) = (SpecArm::of(label, &tr.arm, tr.n_classes())?, &t.spectrum) {
                // λ₁ of the minibatch covariance C_B = C₁·(N − B)/(B(N − 1)) at this arm's θ.
                let factor = sp.batch.map_or(1.0, |b| b.1);
                rows.push(SweepArm {
                    key: label.to_string(),
                    spec: a,
                    lambda1: sp.report.eigenvalues.first().copied().unwrap_or(0.0) * factor,
                });
            }
            r.arms.push(tr.arm);
            Ok(())
        })?;
        r.verdicts.push(verdict(&INFO, &rows, &failed));
        Ok(())
    }

    fn charts(&self, r: &Report) -> Vec<Chart> {
        measurement_charts(r, false, |_, _| Vec::new())
    }
}

/// Most the linear scaling rule raises the learning rate: η_B ≤ [`MAX_LR_SCALE`]·η₀.
pub const MAX_LR_SCALE: f64 = 4.0;

/// The learning rate of the arm with batch size `b`, by the linear scaling rule of Goyal et al.
/// 2017 ("Accurate, Large Minibatch SGD", arXiv 1706.02677, §2.1): η_B = η₀ · B / B₀, with B₀
/// the base configuration's batch size, capped at [`MAX_LR_SCALE`]·η₀. Keeping η/B fixed keeps
/// the SGN's scale per step comparable across arms, so each arm trains (at the base η₀ and
/// momentum 0.9 a B = 32 arm diverges to chance accuracy: docs/PROTOCOL.md §7.2).
///
/// ```
/// use sgn_lab::experiment::presets::batch_sweep::scaled_lr;
/// assert_eq!(scaled_lr(0.1, 128, 32), 0.025);
/// assert_eq!(scaled_lr(0.1, 128, 512), 0.4);
/// assert_eq!(scaled_lr(0.1, 128, 2048), 0.4); // capped at 4·η₀
/// ```
pub fn scaled_lr(lr0: f64, b0: usize, b: usize) -> f64 {
    lr0 * (b as f64 / b0.max(1) as f64).min(MAX_LR_SCALE)
}

/// One batch size of the sweep: its spectrum and λ₁(C_B).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepArm {
    pub key: String,
    pub spec: SpecArm,
    pub lambda1: f64,
}

/// Every arm's spectrum is a non-flat power law; ŝ varies by at most 50 % of its mean across B
/// (arms with K ≥ 10); and a larger batch gives smaller eigenvalues: λ₁(C_B) strictly decreases
/// as B grows (arms in increasing B).
pub fn verdict(info: &PresetInfo, arms: &[SweepArm], failed: &[String]) -> Verdict {
    let mut finding = arms
        .iter()
        .map(|a| format!("{}: {}", a.spec.label, fmt_fit(&a.spec.row)))
        .collect::<Vec<_>>();
    finding.extend(failed.iter().cloned());
    if !arms.is_empty() {
        finding.push(format!(
            "λ₁(C_B): {}",
            arms.iter()
                .map(|a| format!("{}: {:.3e}", a.spec.label, a.lambda1))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let named: Vec<(String, SpecArm)> = arms.iter().map(|a| (a.key.clone(), a.spec.clone())).collect();
    let mut clauses = every_arm_non_flat(&named, failed);
    const STABLE: &str = "The exponent ŝ is about the same at every batch size (spread ≤ 50 % of its mean)";
    const SMALLER: &str = "A larger batch gives smaller eigenvalues: λ₁(C_B) falls as B grows";
    let tested: Vec<&SweepArm> = arms.iter().filter(|a| a.spec.usable()).collect();
    if tested.len() >= 2 {
        let ss: Vec<f64> = tested.iter().map(|a| a.spec.row.s).collect();
        let mean = ss.iter().sum::<f64>() / ss.len() as f64;
        let spread = ss.iter().cloned().fold(f64::MIN, f64::max) - ss.iter().cloned().fold(f64::MAX, f64::min);
        clauses.push(Clause::compare(
            "s-stable",
            STABLE,
            Quantity::new("spread of ŝ", spread),
            Cmp::Le,
            Quantity::new(format!("half the mean ŝ ({mean:.2})"), 0.5 * mean),
        ));
    } else {
        clauses.push(Clause::not_tested(
            "s-stable",
            STABLE,
            format!("needs two tested arms, got {}", tested.len()),
        ));
    }
    let trained: Vec<&SweepArm> = arms.iter().filter(|a| a.spec.excluded.is_none()).collect();
    if trained.len() >= 2 {
        let down = trained.windows(2).all(|w| w[1].lambda1 < w[0].lambda1);
        let values = trained
            .iter()
            .map(|a| Quantity::new(format!("λ₁ at {}", a.key), a.lambda1))
            .collect();
        clauses.push(Clause::decided(
            "smaller",
            SMALLER,
            down,
            Evidence::Sequence { values, cmp: Cmp::Lt },
        ));
    } else {
        clauses.push(Clause::not_tested(
            "smaller",
            SMALLER,
            format!("needs two trained arms, got {}", trained.len()),
        ));
    }
    let notes = arms
        .iter()
        .filter_map(|a| a.spec.collapse.as_ref().map(|c| format!("{}: {c}", a.key)))
        .collect();
    Verdict::from_clauses(info.claim, finding.join("; "), clauses, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::report::TableBRow;
    use crate::experiment::verdict::{Outcome, VerdictOutcome};

    fn a(l: &str, s: f64, lambda1: f64) -> SweepArm {
        let row = TableBRow {
            setting: String::new(),
            k: 50,
            ks_d: 0.05,
            ks_critical: 0.1,
            power_law: true,
            beta: 2.0,
            beta_stderr: 0.1,
            s,
            ls_slope: -s,
            flat: false,
        };
        SweepArm {
            key: l.into(),
            spec: SpecArm {
                label: l.into(),
                row,
                collapse: None,
                excluded: None,
            },
            lambda1,
        }
    }

    #[test]
    fn tests_exponent_and_smaller_eigenvalues() {
        assert_eq!(
            verdict(&INFO, &[a("B = 32", 1.0, 4.0), a("B = 128", 1.1, 1.0)], &[]).outcome,
            VerdictOutcome::Agrees
        );
        let v = verdict(&INFO, &[a("B = 32", 1.0, 1.0), a("B = 128", 1.1, 1.5)], &[]);
        assert_eq!(
            v.clauses.iter().find(|c| c.key == "smaller").unwrap().outcome,
            Outcome::Fails
        );
        let v = verdict(&INFO, &[a("B = 32", 1.0, 4.0), a("B = 128", 3.0, 1.0)], &[]);
        assert_eq!(
            v.clauses.iter().find(|c| c.key == "s-stable").unwrap().outcome,
            Outcome::Fails
        );
        let v = verdict(&INFO, &[a("B = 32", 1.0, 1.0)], &[]);
        assert_eq!(v.outcome, VerdictOutcome::NotTested);
    }
}
