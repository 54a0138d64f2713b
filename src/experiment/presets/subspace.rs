//! Subspace robustness (Xie et al. 2023 via review; the Davis–Kahan argument of the sibling
//! paper): the top eigenvectors of the gradient covariance estimated from two disjoint halves of
//! N_cov samples at the trained θ.

use super::shared::{as_evidence, fmt_fit, measurement_charts, too_few, too_few_text, trained_of};
use super::{Preset, PresetInfo};
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::Ctx;
use crate::experiment::report::{Report, TableBRow};
use crate::experiment::verdict::{Clause, Cmp, Quantity, Verdict};
use crate::plot::Chart;

pub struct Subspace;

static INFO: PresetInfo = PresetInfo {
    name: "subspace",
    title: "Subspace robustness (Davis–Kahan)",
    claim: "With a power-law spectrum the top eigendirections of the gradient covariance are robust (two independent estimates agree) while tail directions are not: learning happens in a robust low-dimensional subspace.",
    source: "Xie et al. 2023 (NeurIPS) via review [R]; Davis–Kahan argument of the sibling [S]",
    varies: "nothing; two disjoint halves of N_cov samples at the trained θ",
    look: "The Davis–Kahan view: sin∠ between the top eigenvectors of two independent halves stays small, and grows along the tail where eigengaps shrink.",
    finding: "the top eigendirections of two independent estimates agreed while the lower ones did not",
    lab_scale: "Each half holds only N_cov/2 = 500 per-sample gradients; when a few samples dominate the covariance no direction is determined by half of them.",
};

impl Preset for Subspace {
    fn info(&self) -> &'static PresetInfo {
        &INFO
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig, r: &mut Report) -> Result<(), ExperimentError> {
        let mut c = b.clone();
        c.analysis.davis_kahan_top = 20.min(b.analysis.n_cov / 4).max(4);
        let tr = ctx.train_arm("default", &c)?;
        let t = trained_of(&tr.arm)?;
        if let Some(sp) = &t.spectrum {
            if let Some(dk) = &sp.davis_kahan {
                let mean = |v: &[f64]| {
                    if v.is_empty() {
                        f64::NAN
                    } else {
                        v.iter().sum::<f64>() / v.len() as f64
                    }
                };
                let n = dk.sin_angle.len();
                let angles = Angles {
                    top: mean(&dk.sin_angle[..3.min(n)]),
                    tail: mean(&dk.sin_angle[n.saturating_sub(n / 2)..]),
                    first: dk.sin_angle.first().copied().unwrap_or(f64::NAN),
                    delta_norm: dk.delta_norm,
                    lambda1: dk.lambda_a.first().copied().unwrap_or(f64::NAN),
                };
                let share10 = sp.theory.trace_share.get(9).copied().unwrap_or(1.0);
                let finding = format!(
                    "sin∠(u_k, ũ_k) between two halves of N = {}: mean {:.3} over k = 1..3, {:.3} over the last {} of the top {n}; sin∠ at k = 1: {:.3}; top-10 trace share {:.0} %; effective rank {:.1}; ‖ΔC‖ = {:.3e} against λ₁(C_a) = {:.3e}",
                    dk.n_a + dk.n_b,
                    angles.top,
                    angles.tail,
                    n / 2,
                    angles.first,
                    100.0 * share10,
                    sp.theory.effective_rank,
                    dk.delta_norm,
                    angles.lambda1,
                );
                let row = TableBRow::new("trained", &sp.report);
                let v = verdict(&INFO, finding, &row, &angles);
                r.verdicts.push(as_evidence(v, &tr.arm, tr.n_classes()));
            }
        }
        r.arms.push(tr.arm);
        Ok(())
    }

    /// The rank plot and the Davis–Kahan view.
    fn charts(&self, r: &Report) -> Vec<Chart> {
        measurement_charts(r, false, |_, _| Vec::new())
    }
}

/// The eigenvector angles between the two halves' covariances.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Angles {
    /// Mean sin∠ over k = 1..3.
    pub top: f64,
    /// Mean sin∠ over the last half of the top ones.
    pub tail: f64,
    /// sin∠ at k = 1.
    pub first: f64,
    /// ‖C_a − C_b‖₂.
    pub delta_norm: f64,
    /// λ₁(C_a).
    pub lambda1: f64,
}

/// The claim is conditional ("with a power-law spectrum"): when the trained spectrum is not a
/// non-flat power law (or K < 10) the premise does not hold and the claim is not tested.
/// Otherwise (1) the top directions move less than the lower ones (mean sin∠ over k = 1..3 below
/// the mean over the last half of the top ones) and (2) the first is stable (sin∠ < 0.5).
/// "Learning happens in that subspace" is not tested here.
pub fn verdict(info: &PresetInfo, finding: String, spectrum: &TableBRow, a: &Angles) -> Verdict {
    let mut notes = Vec::new();
    if a.delta_norm >= a.lambda1 {
        notes.push(format!(
            "the two halves' covariances differ by ‖ΔC‖ = {:.3e} ≥ λ₁ = {:.3e}, so no eigendirection is determined by N/2 samples (a few per-sample gradients dominate C)",
            a.delta_norm, a.lambda1
        ));
    }
    notes.push(
        "the clause that learning happens in this subspace is an interpretation this measurement does not test".into(),
    );
    const TOP: &str = "The top eigendirections move less between two independent estimates than the lower ones";
    const FIRST: &str = "The first eigendirection is stable (sin∠ < 0.5)";
    if too_few(spectrum) || !spectrum.power_law || spectrum.flat {
        let premise = if too_few(spectrum) {
            too_few_text(spectrum)
        } else {
            format!(
                "the trained spectrum is not a non-flat power law ({})",
                fmt_fit(spectrum)
            )
        };
        let why =
            format!("the claim is conditional on a power-law spectrum, which does not hold on this run: {premise}");
        let clauses = vec![
            Clause::not_tested("top-robust", TOP, why.clone()),
            Clause::not_tested("first-stable", FIRST, why),
        ];
        return Verdict::from_clauses(info.claim, finding, clauses, notes);
    }
    let clauses = vec![
        Clause::compare(
            "top-robust",
            TOP,
            Quantity::new("mean sin∠ over k = 1..3", a.top),
            Cmp::Lt,
            Quantity::new("mean over the lower ones", a.tail),
        ),
        Clause::threshold(
            "first-stable",
            FIRST,
            Quantity::new("sin∠ at k = 1", a.first),
            Cmp::Lt,
            0.5,
        ),
    ];
    Verdict::from_clauses(info.claim, finding, clauses, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::verdict::VerdictOutcome;

    fn row(s: f64, power_law: bool) -> TableBRow {
        TableBRow {
            setting: String::new(),
            k: 50,
            ks_d: 0.05,
            ks_critical: 0.1,
            power_law,
            beta: 2.0,
            beta_stderr: 0.1,
            s,
            ls_slope: -s,
            flat: s < 0.3,
        }
    }

    #[test]
    fn needs_its_premise() {
        let a = |top, tail, first| Angles {
            top,
            tail,
            first,
            delta_norm: 1.0,
            lambda1: 2.0,
        };
        assert_eq!(
            verdict(&INFO, "f".into(), &row(4.0, false), &a(0.1, 0.9, 0.1)).outcome,
            VerdictOutcome::NotTested
        );
        assert_eq!(
            verdict(&INFO, "f".into(), &row(1.0, true), &a(0.1, 0.9, 0.1)).outcome,
            VerdictOutcome::Agrees
        );
        assert_eq!(
            verdict(&INFO, "f".into(), &row(1.0, true), &a(0.9, 0.5, 0.9)).outcome,
            VerdictOutcome::Differs
        );
    }
}
