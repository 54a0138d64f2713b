//! Heavy tails, dimension-wise vs iteration-wise (the paper's Table A; Xie et al. 2023, abstract
//! and contribution 1): the trained default network, tested with the run's tail rule and again
//! with Clauset's.

use super::shared::{as_evidence, ccdf_chart, measurement_charts, trained_of, USUALLY};
use super::{Preset, PresetInfo};
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::Ctx;
use crate::experiment::measure::{GradientStructure, TableA};
use crate::experiment::report::{MeasuredAt, Report};
use crate::experiment::verdict::{Clause, Cmp, Verdict};
use crate::format::rate_fraction as fmt_rate;
use crate::plot::Chart;
use crate::stats::Rule;

pub struct HeavyTails;

static INFO: PresetInfo = PresetInfo {
    name: "heavy-tails",
    title: "Heavy tails: dimension-wise vs iteration-wise (Table A)",
    claim: "Dimension-wise stochastic gradients usually have power-law heavy tails, while iteration-wise gradients and the SGN caused by minibatch sampling usually do not.",
    source: "Xie et al. 2023, abstract and contribution 1 [P]",
    varies: "nothing; the trained default network, tested with the paper's rule and with Clauset's",
    look: "Table A: the dimension-wise rates should be high and the iteration-wise rates low. Then compare the rows of the two tail rules: the verdict depends on how the tail is chosen.",
    finding: "the coordinates of a minibatch gradient had a power-law tail, while one parameter's gradient over training and its minibatch noise did not",
    lab_scale: "At lab scale the iteration-wise samples are short (a few hundred values, fewer than the paper rule's K = 1000), so the paper rule tests the whole sample rather than its tail, and the dimension-wise verdict moves with the tail rule (compare the Clauset rows).",
};

impl Preset for HeavyTails {
    fn info(&self) -> &'static PresetInfo {
        &INFO
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig, r: &mut Report) -> Result<(), ExperimentError> {
        let tr = ctx.within(0, 2, |ctx| ctx.train_arm("default", b))?;
        let mut c = b.clone();
        c.analysis.rule = Rule::Clauset;
        c.analysis.n_cov = 0;
        let label = ("trained, Clauset rule", MeasuredAt::TrainedVariant);
        let cm = ctx.within(1, 2, |ctx| {
            ctx.measure_at(tr.trainer(), &c, b.training.batch_size, label, 0.0, 1.0)
        })?;
        let paper = trained_of(&tr.arm)?;
        let v = verdict(
            &INFO,
            &TailFacts::of(paper, b.analysis.rule, b.analysis.k),
            Some(&cm.structure.table_a),
        );
        r.verdicts.push(as_evidence(v, &tr.arm, tr.n_classes()));
        let mut arm = tr.arm;
        arm.measurements.push(cm);
        r.arms.push(arm);
        Ok(())
    }

    /// The CCDFs of the four kinds of sample of each measurement (the run's rule, Clauset's),
    /// then the spectrum.
    fn charts(&self, r: &Report) -> Vec<Chart> {
        measurement_charts(r, false, |m, what| {
            let g = &m.structure;
            [
                g.dimension_g.as_ref(),
                g.dimension_sgn.as_ref(),
                g.iteration_g.as_ref(),
                g.iteration_sgn.as_ref(),
            ]
            .into_iter()
            .flatten()
            .map(|t| ccdf_chart(format!("{} ({what}): CCDF of |x|", t.label), t))
            .collect()
        })
    }
}

/// What the heavy-tails verdict needs from one measurement.
#[derive(Debug, Clone)]
pub struct TailFacts<'a> {
    pub table: &'a TableA,
    pub rule: Rule,
    /// The paper rule's K (`None`: min(1000, n)).
    pub k: Option<usize>,
    /// T, logged training steps (the iteration-wise g sample length).
    pub logged_steps: usize,
    /// M, the iteration-wise SGN sample length.
    pub draws: usize,
}

impl<'a> TailFacts<'a> {
    pub fn of(s: &'a GradientStructure, rule: Rule, k: Option<usize>) -> Self {
        TailFacts {
            table: &s.table_a,
            rule,
            k,
            logged_steps: s.logged_steps,
            draws: s.draws,
        }
    }
}

fn rule_label(rule: Rule) -> &'static str {
    match rule {
        Rule::Paper => "paper rule",
        Rule::Clauset => "Clauset's rule",
    }
}

/// The claim's clauses: dimension-wise g power-law in ≥ 0.5 of the draws; iteration-wise g and
/// iteration-wise SGN power-law in < 0.5 of the tracked parameters. A rate with nothing tested
/// (every sample skipped, or no training log for iteration-wise g) leaves its clause untested.
/// The whole-sample remarks (n ≤ K) are made only for the paper rule; `clauset` (Table A under
/// Clauset's rule) is reported beside, not decided.
pub fn verdict(info: &PresetInfo, f: &TailFacts<'_>, clauset: Option<&TableA>) -> Verdict {
    let ta = f.table;
    let finding = format!(
        "{}: dimension-wise g {}, dimension-wise SGN {}, iteration-wise g {}, iteration-wise SGN {}",
        rule_label(f.rule),
        fmt_rate(&ta.dimension_g),
        fmt_rate(&ta.dimension_sgn),
        ta.iteration_g.as_ref().map_or("–".into(), fmt_rate),
        fmt_rate(&ta.iteration_sgn)
    );
    const DIM_G: &str =
        "Dimension-wise gradients (all coordinates of one minibatch gradient) have power-law tails in most draws";
    const ITER_G: &str = "Iteration-wise gradients (one parameter over training) usually do not";
    const ITER_SGN: &str = "Iteration-wise SGN (one parameter's noise over minibatch draws) usually does not";
    let dg = Clause::rate("dim-g", DIM_G, "dimension-wise g", &ta.dimension_g, Cmp::Ge, USUALLY);
    let ig = match &ta.iteration_g {
        Some(r) => Clause::rate("iter-g", ITER_G, "iteration-wise g", r, Cmp::Lt, USUALLY),
        None => Clause::not_tested(
            "iter-g",
            ITER_G,
            "no training log (no gradient recorded along training)",
        ),
    };
    let is = Clause::rate(
        "iter-sgn",
        ITER_SGN,
        "iteration-wise SGN",
        &ta.iteration_sgn,
        Cmp::Lt,
        USUALLY,
    );
    let mut notes = vec![format!(
        "dimension-wise SGN, not part of the decision: {}",
        ta.dimension_sgn.rate.map_or("–".into(), |v| format!("{v:.2}"))
    )];
    if f.rule == Rule::Paper {
        let kk = f.k.unwrap_or(1000);
        if f.logged_steps > 0 && f.logged_steps <= kk {
            notes.push(format!(
                "iteration-wise g has T = {} ≤ K = {kk} values, so the paper rule tests the whole sample, not a tail",
                f.logged_steps
            ));
        }
        if f.draws <= kk {
            notes.push(format!(
                "iteration-wise SGN has M = {} ≤ K = {kk} values, so the paper rule tests the whole sample, not a tail",
                f.draws
            ));
        }
    }
    if let Some(t) = clauset {
        let rate = crate::experiment::report::rate;
        let c_agrees = rate(&t.dimension_g) >= USUALLY
            && t.iteration_g.as_ref().is_none_or(|r| rate(r) < USUALLY)
            && rate(&t.iteration_sgn) < USUALLY;
        notes.push(format!(
            "with Clauset's rule the rates are {} / {} / {} / {}, which would {} the paper",
            fmt_rate(&t.dimension_g),
            fmt_rate(&t.dimension_sgn),
            t.iteration_g.as_ref().map_or("–".into(), fmt_rate),
            fmt_rate(&t.iteration_sgn),
            if c_agrees { "agree with" } else { "differ from" }
        ));
    }
    Verdict::from_clauses(info.claim, finding, vec![dg, ig, is], notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::verdict::{Outcome, VerdictOutcome};
    use crate::stats::{rate_from_verdicts, PowerLawRate};

    fn pl_rate(pl: usize, tested: usize) -> PowerLawRate {
        let v: Vec<bool> = (0..tested).map(|i| i < pl).collect();
        rate_from_verdicts(&v, 0)
    }

    fn table(dg: f64, ig: Option<f64>, is: f64) -> TableA {
        let r = |x: f64| pl_rate((x * 10.0).round() as usize, 10);
        TableA {
            dimension_g: r(dg),
            dimension_sgn: r(0.0),
            iteration_g: ig.map(r),
            iteration_sgn: r(is),
        }
    }

    fn facts(t: &TableA, rule: Rule, logged_steps: usize) -> TailFacts<'_> {
        TailFacts {
            table: t,
            rule,
            k: None,
            logged_steps,
            draws: 60,
        }
    }

    #[test]
    fn agrees_differs_and_is_untested_by_the_rates() {
        let t = table(1.0, Some(0.0), 0.1);
        assert_eq!(
            verdict(&INFO, &facts(&t, Rule::Paper, 62), None).outcome,
            VerdictOutcome::Agrees
        );
        let t = table(0.2, Some(0.0), 0.1);
        let v = verdict(&INFO, &facts(&t, Rule::Paper, 62), None);
        assert_eq!(v.outcome, VerdictOutcome::Differs);
        assert_eq!(v.clauses[0].outcome, Outcome::Fails);
        // No training log: the iteration-wise g clause is untested, the others hold.
        let t = table(1.0, None, 0.1);
        let v = verdict(&INFO, &facts(&t, Rule::Paper, 0), None);
        assert_eq!(v.outcome, VerdictOutcome::NotTested);
        assert_eq!(v.clauses[1].outcome, Outcome::NotTested);
        // A failing clause makes it differ even when another is untested.
        let t = table(1.0, None, 0.9);
        assert_eq!(
            verdict(&INFO, &facts(&t, Rule::Paper, 0), None).outcome,
            VerdictOutcome::Differs
        );
    }

    #[test]
    fn whole_sample_remarks_only_for_the_paper_rule_and_n_at_most_k() {
        let t = table(1.0, Some(0.0), 0.0);
        let v = verdict(&INFO, &facts(&t, Rule::Paper, 62), None);
        assert!(
            v.finding.starts_with("paper rule:") && v.notes.iter().any(|n| n.contains("T = 62 ≤ K = 1000")),
            "{v:?}"
        );
        let v = verdict(&INFO, &facts(&t, Rule::Paper, 2000), None);
        assert!(!v.notes.iter().any(|n| n.contains("T = 2000")), "{v:?}");
        let v = verdict(&INFO, &facts(&t, Rule::Clauset, 62), None);
        assert!(v.finding.starts_with("Clauset's rule:"), "{}", v.finding);
        assert!(!v.notes.iter().any(|n| n.contains("whole sample")), "{v:?}");
    }
}
