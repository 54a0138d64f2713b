//! The paper tour: every other preset of the [`REGISTRY`](super::REGISTRY), one after another,
//! each as a part of one report. The tour keeps the first trained network and reuses it for the
//! later arms that train the same one (see [`Ctx`]).

use super::{fill_tables, new_report, run_in, Preset, PresetInfo, REGISTRY};
use crate::data::DatasetSpec;
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::Ctx;
use crate::experiment::report::Report;
use crate::experiment::verdict::{Clause, Evidence, Outcome, Verdict, VerdictOutcome};
use crate::plot::Chart;

pub struct PaperTour;

static INFO: PresetInfo = PresetInfo {
    name: "paper-tour",
    title: "Paper tour",
    claim: "All of the above, one preset at a time.",
    source: "all presets",
    varies: "runs every preset",
    look: "Each preset's verdict line: agrees or differs, with the numbers that decide it.",
    finding: "every claim of the tour agreed with the paper",
    lab_scale: "Each step says what at lab scale explains its own outcome.",
};

/// The presets the tour runs, in order.
pub fn parts() -> impl Iterator<Item = &'static dyn Preset> {
    REGISTRY.iter().copied().filter(|p| p.info().name != INFO.name)
}

impl Preset for PaperTour {
    fn info(&self) -> &'static PresetInfo {
        &INFO
    }

    fn datasets(&self, base: &ExperimentConfig) -> Vec<DatasetSpec> {
        parts().flat_map(|p| p.datasets(base)).collect()
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>, base: &ExperimentConfig, r: &mut Report) -> Result<(), ExperimentError> {
        let list: Vec<&dyn Preset> = parts().collect();
        for (i, p) in list.iter().enumerate() {
            let part = ctx.within(i, list.len(), |ctx| run_in(ctx, *p, base))?;
            r.parts.push(part);
        }
        ctx.preset = INFO.name.to_string();
        r.verdicts.push(verdict(&INFO, &r.parts));
        Ok(())
    }

    /// Every part's charts, in order.
    fn charts(&self, r: &Report) -> Vec<Chart> {
        r.parts
            .iter()
            .filter_map(|p| super::find(&p.preset).map(|preset| preset.charts(p)))
            .flatten()
            .collect()
    }
}

/// The tour's report on `base` from its parts' reports (each run on `base`, in [`parts`] order),
/// as [`Preset::run`] of the tour makes it: the parts and the tour's [`verdict`] (a unit of the
/// tour split by part, `super::units`, is one of these parts).
pub fn assemble(base: &ExperimentConfig, parts: Vec<Report>) -> Report {
    let mut r = new_report(&INFO, base);
    r.verdicts.push(verdict(&INFO, &parts));
    r.parts = parts;
    fill_tables(&mut r);
    r
}

/// The tour's verdict: one clause per claim of its parts (holds when the claim agrees, fails
/// when it differs, not tested when it could not be tested), so it agrees when every claim
/// agrees, differs when one differs, and could not be tested otherwise.
pub fn verdict(info: &PresetInfo, parts: &[Report]) -> Verdict {
    let all: Vec<(&Report, &Verdict)> = parts
        .iter()
        .flat_map(|p| p.verdicts.iter().map(move |v| (p, v)))
        .collect();
    let count = |o: VerdictOutcome| all.iter().filter(|(_, v)| v.outcome == o).count();
    let finding = format!(
        "{} of {} claims agree with the paper, {} differ, {} could not be tested",
        count(VerdictOutcome::Agrees),
        all.len(),
        count(VerdictOutcome::Differs),
        count(VerdictOutcome::NotTested)
    );
    let clauses = all
        .iter()
        .map(|(p, v)| Clause {
            key: p.preset.clone(),
            says: p.title.clone(),
            outcome: match v.outcome {
                VerdictOutcome::Agrees => Outcome::Holds,
                VerdictOutcome::Differs => Outcome::Fails,
                VerdictOutcome::NotTested => Outcome::NotTested,
            },
            evidence: Evidence::Claim {
                name: p.preset.clone(),
                outcome: v.outcome,
            },
        })
        .collect();
    Verdict::from_clauses(info.claim, finding, clauses, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::super::{new_report, spectrum};
    use super::*;

    #[test]
    fn counts_every_claim_and_differs_on_one() {
        let part = |v: Verdict| {
            let mut r = new_report(&spectrum::INFO, &ExperimentConfig::default());
            r.verdicts.push(v);
            r
        };
        let v = |o: Outcome| {
            let c = Clause {
                key: "k".into(),
                says: "s".into(),
                outcome: o,
                evidence: Evidence::Missing { reason: String::new() },
            };
            Verdict::from_clauses("c", "f", vec![c], vec![])
        };
        let t = verdict(&INFO, &[part(v(Outcome::Holds)), part(v(Outcome::NotTested))]);
        assert_eq!(t.outcome, VerdictOutcome::NotTested);
        assert_eq!(
            t.finding,
            "1 of 2 claims agree with the paper, 0 differ, 1 could not be tested"
        );
        assert_eq!(
            verdict(&INFO, &[part(v(Outcome::Holds)), part(v(Outcome::Fails))]).outcome,
            VerdictOutcome::Differs
        );
        assert_eq!(
            verdict(&INFO, &[part(v(Outcome::Holds))]).outcome,
            VerdictOutcome::Agrees
        );
    }
}
