//! What several presets share: the thresholds of their decisions, a collapsed run's note, the
//! spectrum clauses (one arm, several arms, the Gaussian-baseline contrast), the K-sweep remark,
//! and the charts of a measurement.

use crate::experiment::config::ExperimentError;
use crate::experiment::measure::{GradientStructure, TailTest};
use crate::experiment::report::{ArmResult, TableBRow};
use crate::experiment::verdict::{Clause, Evidence, FitEvidence, Verdict};
use crate::plot::spectrum::spectrum_views;
use crate::plot::tails::TailFitLine;
use crate::plot::Chart;
use crate::spectrum::SpectrumReport;
use crate::stats::Level;

/// Fewest eigenvalues K in a spectrum fit for its verdict to be stated: with K < 10 the KS
/// critical value 1.36/√K is above 0.43 and almost any K points pass, so neither "power law" nor
/// "flat" is decided (`docs/PROTOCOL.md` §5.4).
pub const MIN_SPECTRUM_K: usize = 10;
/// "ŝ of order 1" (reported, not decided): 0.3 ≤ ŝ ≤ 3, i.e. not flat (ŝ ≥ 0.3, the spectrum
/// module's flat threshold) and within a factor 3 above 1.
pub const ORDER_ONE_MAX: f64 = 3.0;
/// A power-law rate at or above this is "usually power-law" (Table A verdicts).
pub const USUALLY: f64 = 0.5;

/// Names a collapsed training run, from its numbers: collapsed when the final test accuracy is
/// at most chance + 0.05 (chance = 1/C for C classes; not used with random labels, whose test
/// accuracy is at chance by construction) or the mean training loss at the end is within
/// 10 % of ln C (the loss of a uniform prediction). `None` when neither holds.
pub fn collapse_note(
    n_classes: usize,
    test_accuracy: Option<f64>,
    train_loss: f64,
    random_labels: bool,
) -> Option<String> {
    let c = n_classes.max(2) as f64;
    let (chance, ln_c) = (1.0 / c, crate::libm_f64::LibmF64::ln_(c));
    let mut r = Vec::new();
    if let Some(a) = test_accuracy.filter(|a| !random_labels && *a <= chance + 0.05) {
        r.push(format!(
            "final test accuracy {a:.2} ≤ chance 1/{c} + 0.05 = {:.2}",
            chance + 0.05
        ));
    }
    if (train_loss - ln_c).abs() <= 0.1 * ln_c {
        r.push(format!(
            "training loss {train_loss:.3} ≈ ln {c} = {ln_c:.3} (a uniform prediction)"
        ));
    }
    (!r.is_empty()).then(|| format!("training collapsed ({})", r.join(", ")))
}

/// Margin above chance (1/C for C classes) the final test accuracy of an arm must reach for it to
/// count as trained.
pub const TRAINED_MARGIN: f64 = 0.1;
/// Training accuracy an arm with random labels must reach: the random-label claim is about a
/// network that fitted (memorised) its labels.
pub const MEMORISED: f64 = 0.9;

/// Why an arm is not evidence for a claim about trained networks (`None`: it trained): with clean
/// or noisy labels its final test accuracy is below 1/C + [`TRAINED_MARGIN`]; with random labels
/// (whose test accuracy is at chance by construction) its final training accuracy is below
/// [`MEMORISED`]. Such an arm is reported and excluded from the verdict, never used as evidence.
pub fn not_trained(arm: &ArmResult, n_classes: usize) -> Option<String> {
    let c = n_classes.max(2) as f64;
    if arm.config.data.random_labels {
        let a = arm.train_eval.as_ref().map_or(0.0, |e| e.test.accuracy);
        (a < MEMORISED)
            .then(|| format!("the network did not fit its random labels (training accuracy {a:.2} < {MEMORISED})"))
    } else {
        let a = arm.evals.last().map_or(0.0, |e| e.test.accuracy);
        let need = 1.0 / c + TRAINED_MARGIN;
        (a < need).then(|| {
            format!(
                "the network did not train (final test accuracy {a:.2} < chance 1/{c} + {TRAINED_MARGIN} = {need:.2})"
            )
        })
    }
}

/// A verdict of one arm's claim when that arm did not train: every clause not tested, with why.
pub fn excluded(v: Verdict, why: &str) -> Verdict {
    let clauses = v
        .clauses
        .into_iter()
        .map(|c| Clause::not_tested(c.key, c.says, format!("excluded: {why}")))
        .collect();
    Verdict::from_clauses(v.claim, v.finding, clauses, v.notes)
}

/// A one-arm verdict as evidence: [`excluded`] when the arm did not train ([`not_trained`]),
/// otherwise the verdict with a note when its run nevertheless looks collapsed ([`arm_collapse`]).
pub fn as_evidence(v: Verdict, arm: &ArmResult, n_classes: usize) -> Verdict {
    match not_trained(arm, n_classes) {
        Some(why) => excluded(v, &why),
        None => match arm_collapse(arm, n_classes) {
            Some(note) => v.note(format!("the network is of a run whose {note}")),
            None => v,
        },
    }
}

/// [`collapse_note`] of a trained arm (the training loss is the trained measurement's).
pub fn arm_collapse(arm: &ArmResult, n_classes: usize) -> Option<String> {
    let loss = arm.trained().map_or(f64::NAN, |s| s.full_loss);
    collapse_note(
        n_classes,
        arm.evals.last().map(|e| e.test.accuracy),
        loss,
        arm.config.data.random_labels,
    )
}

/// The arm's trained measurement, or an internal error (every trained arm has one).
pub fn trained_of(arm: &ArmResult) -> Result<&GradientStructure, ExperimentError> {
    arm.trained()
        .ok_or_else(|| ExperimentError::Internal("arm without a trained measurement".into()))
}

/// One spectrum as a verdict sees it: its label (with the final test accuracy, so a collapsed
/// run is visible next to its spectrum), its Table B row, and the collapse of its training run
/// if it collapsed ([`collapse_note`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SpecArm {
    pub label: String,
    pub row: TableBRow,
    pub collapse: Option<String>,
    /// Why the arm is not evidence ([`not_trained`]); its clauses are then not tested.
    pub excluded: Option<String>,
}

impl SpecArm {
    /// The trained spectrum of an arm (`None` without a spectrum).
    pub fn of(label: &str, arm: &ArmResult, n_classes: usize) -> Result<Option<SpecArm>, ExperimentError> {
        let acc = arm.evals.last().map_or(String::new(), |e| {
            format!(" (final test accuracy {:.2})", e.test.accuracy)
        });
        Ok(trained_of(arm)?.spectrum.as_ref().map(|sp| SpecArm {
            label: format!("{label}{acc}"),
            row: TableBRow::new("", &sp.report),
            collapse: arm_collapse(arm, n_classes),
            excluded: not_trained(arm, n_classes),
        }))
    }

    pub fn evidence(&self) -> FitEvidence {
        fit_evidence(&self.label, &self.row)
    }

    /// K < [`MIN_SPECTRUM_K`]: too few eigenvalues to decide anything.
    pub fn too_few(&self) -> bool {
        too_few(&self.row)
    }

    /// Usable as evidence: trained, with K ≥ [`MIN_SPECTRUM_K`].
    pub fn usable(&self) -> bool {
        self.excluded.is_none() && !self.too_few()
    }
}

pub fn fit_evidence(label: &str, r: &TableBRow) -> FitEvidence {
    FitEvidence {
        arm: label.to_string(),
        k: r.k,
        ks_d: r.ks_d,
        ks_critical: r.ks_critical,
        power_law: r.power_law,
        s: r.s,
        flat: r.flat,
    }
}

pub fn too_few(r: &TableBRow) -> bool {
    r.k < MIN_SPECTRUM_K
}

pub fn too_few_text(r: &TableBRow) -> String {
    format!(
        "too few eigenvalues (K = {} < {MIN_SPECTRUM_K}) to test a power law or flatness",
        r.k
    )
}

/// "ŝ = 1.10, d_ks = 0.0412 < d_c = 0.1000 (power law)" — a fit for a finding line.
pub fn fmt_fit(r: &TableBRow) -> String {
    format!(
        "ŝ = {:.2}, d_ks = {:.4} {} d_c = {:.4} ({}){}",
        r.s,
        r.ks_d,
        if r.ks_d < r.ks_critical { "<" } else { "≥" },
        r.ks_critical,
        if r.power_law { "power law" } else { "not power law" },
        if r.flat { ", flat" } else { "" }
    )
}

/// The clause "`arm` is a non-flat power law" (the KS test accepts at K and ŝ ≥ 0.3); not
/// tested at K < [`MIN_SPECTRUM_K`].
pub fn non_flat_power_law(key: impl Into<String>, arm: &SpecArm) -> Clause {
    let says = format!("{}: the spectrum is a power law, not flat", arm.label);
    if let Some(why) = &arm.excluded {
        return Clause::not_tested(key, says, format!("excluded: {why}"));
    }
    if arm.too_few() {
        return Clause::not_tested(key, says, too_few_text(&arm.row));
    }
    Clause::decided(
        key,
        says,
        arm.row.power_law && !arm.row.flat,
        Evidence::Fit { fit: arm.evidence() },
    )
}

/// One non-flat-power-law clause per arm (keyed by the arm's label without its accuracy note),
/// a not-tested clause per arm that could not be measured, and one "nothing measured" clause
/// when there is neither.
pub fn every_arm_non_flat(arms: &[(String, SpecArm)], failed: &[String]) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = arms.iter().map(|(key, a)| non_flat_power_law(key.clone(), a)).collect();
    for f in failed {
        let arm = f.split(':').next().unwrap_or(f).to_string();
        clauses.push(Clause::not_tested(
            arm.clone(),
            format!("{arm}: the spectrum is a power law, not flat"),
            format!("could not be measured: {f}"),
        ));
    }
    if clauses.is_empty() {
        clauses.push(Clause::not_tested(
            "spectrum",
            "The spectrum is a power law, not flat",
            "no spectrum was measured (analysis.n_cov = 0)",
        ));
    }
    clauses
}

/// The spectrum claim's clauses for one trained arm: (1) the KS test accepts the power law;
/// (2) the spectrum is unlike the Gaussian baseline (the baseline is flat, the trained one is
/// not, and its ŝ is larger). Both are not tested at K < [`MIN_SPECTRUM_K`]; (2) is not tested
/// without a baseline or when the baseline has too few eigenvalues.
pub fn spectrum_clauses(t: &SpecArm, baseline: Option<&TableBRow>) -> Vec<Clause> {
    const KS: &str = "The covariance spectrum is a power law λ_k ∝ k^(−s)";
    const BASE: &str = "It is unlike the flat spectrum of isotropic Gaussian noise";
    if let Some(why) = &t.excluded {
        let why = format!("excluded: {why}");
        return vec![
            Clause::not_tested("power-law", KS, why.clone()),
            Clause::not_tested("baseline", BASE, why),
        ];
    }
    if t.too_few() {
        let why = format!(
            "{} (raise analysis.n_cov or lower analysis.spectrum_skip)",
            too_few_text(&t.row)
        );
        return vec![
            Clause::not_tested("power-law", KS, why.clone()),
            Clause::not_tested("baseline", BASE, why),
        ];
    }
    let ks = Clause::decided("power-law", KS, t.row.power_law, Evidence::Fit { fit: t.evidence() });
    let base = match baseline {
        Some(b) if too_few(b) => {
            Clause::not_tested("baseline", BASE, format!("Gaussian baseline: {}", too_few_text(b)))
        }
        Some(b) => Clause::decided(
            "baseline",
            BASE,
            b.flat && !t.row.flat && b.s < t.row.s,
            Evidence::Contrast {
                trained: t.evidence(),
                baseline: fit_evidence("Gaussian baseline", b),
            },
        ),
        None => Clause::not_tested(
            "baseline",
            BASE,
            "no Gaussian baseline was computed (analysis.baseline = false)",
        ),
    };
    vec![ks, base]
}

/// The remarks of a spectrum verdict that decide nothing: ŝ of order 1, the least-squares
/// slope, the θ₀ spectrum, a collapsed run.
pub fn spectrum_notes(t: &SpecArm, init: Option<&TableBRow>) -> Vec<String> {
    let r = &t.row;
    let mut notes = Vec::new();
    if let Some(c) = &t.collapse {
        notes.push(format!("the spectrum is of a run whose {c}"));
    }
    if t.too_few() {
        return notes;
    }
    let order = r.s >= 0.3 && r.s <= ORDER_ONE_MAX;
    notes.push(format!(
        "ŝ = {:.2} is {}of order 1 (0.3 ≤ ŝ ≤ {ORDER_ONE_MAX}; not decided: order 1 is the lab's expectation, not a number the paper states)",
        r.s,
        if order { "" } else { "not " }
    ));
    if let Some(i) = init {
        let fit = if too_few(i) { too_few_text(i) } else { fmt_fit(i) };
        notes.push(format!(
            "the θ₀ spectrum ({fit}) is shown for comparison only: the claim does not say whether it holds before training"
        ));
    }
    notes.push(format!(
        "least-squares slope of ln λ on ln k: {:.2} (≈ −ŝ when the power law holds)",
        r.ls_slope
    ));
    notes
}

/// How the spectrum verdict moves with K (the sensitivity view): fits at K = 25, 50, 100, 200,
/// 400 (those ≤ rank − skip) at level α, and the largest K of these where the KS test passes.
/// Empty when no K fits.
pub fn k_sweep_note(r: &SpectrumReport, level: Level) -> String {
    let Ok(p) = crate::spectrum::FitParams::new(None, r.fit.skip, level) else {
        return String::new();
    };
    let ks: Vec<usize> = [25, 50, 100, 200, 400]
        .into_iter()
        .filter(|&k| k + r.fit.skip <= r.rank)
        .collect();
    let fits = crate::spectrum::k_sweep(&r.eigenvalues, r.rank, &p, &ks);
    if fits.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = fits
        .iter()
        .map(|f| {
            format!(
                "K = {}: ŝ = {:.2}, d_ks/d_c = {:.2} ({})",
                f.k,
                f.s,
                f.ks_d / f.ks_critical,
                if f.power_law { "PL" } else { "no" }
            )
        })
        .collect();
    let largest = fits.iter().filter(|f| f.power_law).map(|f| f.k).max();
    format!(
        "K sweep: {}; {}",
        parts.join(", "),
        largest.map_or("the power law is rejected at every K tried".to_string(), |k| format!(
            "the top {k} eigenvalues are the largest tested range that passes"
        ))
    )
}

/// A CCDF chart of a tail test from its report summary.
pub fn ccdf_chart(title: String, t: &TailTest) -> Chart {
    Chart::Ccdf {
        title,
        points: t.ccdf.clone(),
        n: t.power_law.n,
        fit: Some(TailFitLine::from_report(&t.power_law)),
    }
}

/// The spectrum charts of a measurement: the rank plot with fit and baseline, the trace share
/// when `trace_share`, and Davis–Kahan when it was measured. `what` names the measurement.
pub fn spectrum_charts(g: &GradientStructure, what: &str, trace_share: bool) -> Vec<Chart> {
    let Some(sp) = &g.spectrum else { return Vec::new() };
    let v = spectrum_views(sp, what);
    let mut out = vec![Chart::Rank { data: v.rank }];
    if trace_share {
        out.push(Chart::TraceShare { data: v.trace_share });
    }
    if let Some(dk) = v.davis_kahan {
        out.push(Chart::DavisKahan { data: dk });
    }
    out
}

/// The charts of a report's measurements, in order: for each measurement of each arm, first
/// `own(measurement, name)` (the preset's charts of it) and then its spectrum charts
/// ([`spectrum_charts`], with the trace share when `trace_share`). A measurement is named by its
/// label alone when it is the report's only one, else "arm, label".
pub fn measurement_charts(
    r: &crate::experiment::report::Report,
    trace_share: bool,
    own: impl Fn(&crate::experiment::report::Measurement, &str) -> Vec<Chart>,
) -> Vec<Chart> {
    let mut out = Vec::new();
    for arm in &r.arms {
        for m in &arm.measurements {
            let what = if r.arms.len() > 1 || arm.measurements.len() > 1 {
                format!("{}, {}", arm.label, m.label)
            } else {
                m.label.clone()
            };
            out.extend(own(m, &what));
            out.extend(spectrum_charts(&m.structure, &what, trace_share));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_from_accuracy_or_loss() {
        assert!(collapse_note(10, Some(0.14), 0.5, false).is_some());
        assert!(collapse_note(10, Some(0.16), 0.5, false).is_none());
        assert!(collapse_note(10, Some(0.9), 2.2, false).is_some_and(|n| n.contains("ln 10")));
        // Random labels: test accuracy at chance is by construction, only the loss counts.
        assert!(collapse_note(10, Some(0.1), 0.5, true).is_none());
    }
}
