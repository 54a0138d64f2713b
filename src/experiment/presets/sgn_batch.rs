//! SGN at a frozen θ across batch sizes (Xie et al. 2023, abstract): the trained default network,
//! its iteration-wise SGN drawn at B = 8, 32, 128, 512 (those ≤ N/2).

use super::shared::{as_evidence, ccdf_chart, measurement_charts, USUALLY};
use super::{Preset, PresetInfo};
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::Ctx;
use crate::experiment::report::{MeasuredAt, Report};
use crate::experiment::verdict::{Clause, Cmp, Evidence, Quantity, Verdict};
use crate::plot::Chart;
use crate::stats::{NormalityReport, PowerLawRate};

pub struct SgnBatch;

static INFO: PresetInfo = PresetInfo {
    name: "sgn-batch",
    title: "SGN at a frozen θ across batch sizes",
    claim: "Iteration-wise SGN (minibatch gradient minus full-batch gradient at the same θ) is not power-law, and larger batches make it more Gaussian, not heavier-tailed.",
    source: "Xie et al. 2023, abstract [P]; Gaussian-like iteration-wise noise [R]",
    varies: "the minibatch size B of the draws at the trained θ",
    look: "The iteration-wise SGN power-law rate at each B, and whether the Gaussianity statistics (excess kurtosis, Shapiro–Wilk) move toward a normal as B grows.",
    finding: "the minibatch noise of single parameters was not power-law at any batch size and became more Gaussian as the batch grew",
    lab_scale: "Each batch size is judged on one parameter's M = 200 draws, so its kurtosis and the Gaussianity tests are noisy; in a small network the noise of a few parameters stays skewed.",
};

impl Preset for SgnBatch {
    fn info(&self) -> &'static PresetInfo {
        &INFO
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig, r: &mut Report) -> Result<(), ExperimentError> {
        let mut c = b.clone();
        c.analysis.n_cov = 0;
        let tr = ctx.within(0, 2, |ctx| ctx.train_arm("default", &c))?;
        let n = tr.trainer().train_data().n();
        let mut sizes: Vec<usize> = [8, 32, 128, 512].into_iter().filter(|&s| s <= n / 2).collect();
        if sizes.is_empty() {
            sizes.push(1.max(n / 2));
        }
        let n_classes = tr.n_classes();
        let mut arm = tr.arm;
        let mut rows = Vec::new();
        ctx.within(1, 2, |ctx| {
            for (i, &bs) in sizes.iter().enumerate() {
                let f0 = i as f64 / sizes.len() as f64;
                let label = format!("trained, B = {bs}");
                let f1 = f0 + 1.0 / sizes.len() as f64;
                let m = ctx.measure_at(
                    tr.driver.trainer(),
                    &c,
                    bs,
                    (&label, MeasuredAt::TrainedVariant),
                    f0,
                    f1,
                )?;
                let gauss = m
                    .structure
                    .iteration_sgn
                    .as_ref()
                    .and_then(|t| t.normality.as_ref())
                    .map(|n| Gauss::of(n, c.analysis.level));
                rows.push(SgnRow {
                    b: bs,
                    rate: m.structure.table_a.iteration_sgn.clone(),
                    gauss,
                });
                arm.measurements.push(m);
            }
            Ok(())
        })?;
        let v = verdict(&INFO, &rows, c.analysis.draws, c.analysis.level);
        r.verdicts.push(as_evidence(v, &arm, n_classes));
        r.arms.push(arm);
        Ok(())
    }

    /// The iteration-wise SGN's CCDF at each B.
    fn charts(&self, r: &Report) -> Vec<Chart> {
        measurement_charts(r, false, |m, what| {
            m.structure
                .iteration_sgn
                .iter()
                .map(|t| ccdf_chart(format!("Iteration-wise SGN, {what}: CCDF of |x|"), t))
                .collect()
        })
    }
}

/// The example parameter's iteration-wise SGN against a Gaussian: excess kurtosis, and how many
/// of the five Gaussianity tests (Shapiro–Wilk, D'Agostino–Pearson, Jarque–Bera,
/// Anderson–Darling, Lilliefors) reject normality at α, out of those computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gauss {
    pub excess_kurtosis: f64,
    pub rejections: usize,
    pub tests: usize,
}

impl Gauss {
    pub fn of(n: &NormalityReport, alpha: f64) -> Gauss {
        let ps: Vec<f64> = [
            n.shapiro_wilk.as_ref().map(|t| t.p),
            Some(n.dagostino_pearson.p),
            Some(n.jarque_bera.p),
            Some(n.anderson_darling.p),
            Some(n.lilliefors.p),
        ]
        .into_iter()
        .flatten()
        .collect();
        Gauss {
            excess_kurtosis: n.excess_kurtosis,
            rejections: ps.iter().filter(|p| **p < alpha).count(),
            tests: ps.len(),
        }
    }
}

/// One batch size.
#[derive(Debug, Clone, PartialEq)]
pub struct SgnRow {
    pub b: usize,
    pub rate: PowerLawRate,
    pub gauss: Option<Gauss>,
}

/// SGN vs B: (1) the iteration-wise SGN rate is < 0.5 at every B; (2) it does not grow by more
/// than 0.1 from the smallest to the largest B (not heavier-tailed); (3) more Gaussian at the
/// largest B than at the smallest: |excess kurtosis| not larger, and (4) no more Gaussianity
/// tests rejecting at α (one example parameter, M draws per B).
pub fn verdict(info: &PresetInfo, rows: &[SgnRow], draws: usize, alpha: f64) -> Verdict {
    let finding = rows
        .iter()
        .map(|r| {
            format!(
                "B = {}: iteration-wise SGN rate {}{}",
                r.b,
                crate::format::rate_fraction(&r.rate),
                r.gauss.map_or(String::new(), |g| format!(
                    ", example parameter: excess kurtosis {:.2}, {} of {} Gaussianity tests reject at α = {alpha}",
                    g.excess_kurtosis, g.rejections, g.tests
                ))
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    const NOT_PL: &str = "Iteration-wise SGN is not power-law at any batch size";
    const NOT_HEAVIER: &str = "It does not become heavier-tailed as the batch grows";
    const KURTOSIS: &str = "It becomes more Gaussian as the batch grows: its excess kurtosis does not grow";
    const TESTS: &str = "It becomes more Gaussian as the batch grows: no more Gaussianity tests reject it";
    let rates: Vec<f64> = rows.iter().filter_map(|r| r.rate.rate).collect();
    let c1 = if rates.is_empty() {
        Clause::not_tested(
            "not-power-law",
            NOT_PL,
            "no iteration-wise SGN sample could be tested at any B",
        )
    } else {
        let max = rates.iter().cloned().fold(0.0, f64::max);
        Clause::threshold(
            "not-power-law",
            NOT_PL,
            Quantity::new("largest rate over B", max),
            Cmp::Lt,
            USUALLY,
        )
    };
    let (first, last) = (rows.first(), rows.last().filter(|_| rows.len() >= 2));
    let at = |r: &SgnRow, what: &str, v: f64| Quantity::new(format!("{what} at B = {}", r.b), v);
    let c2 = match (
        first.and_then(|r| r.rate.rate.map(|v| (r, v))),
        last.and_then(|r| r.rate.rate.map(|v| (r, v))),
    ) {
        (Some((r0, a)), Some((r1, b))) => Clause::decided(
            "not-heavier",
            NOT_HEAVIER,
            b <= a + 0.1,
            Evidence::Compare {
                value: at(r1, "rate", b),
                cmp: Cmp::Le,
                bound: Quantity::new(format!("rate at B = {} + 0.1", r0.b), a + 0.1),
            },
        ),
        _ => Clause::not_tested("not-heavier", NOT_HEAVIER, "needs rates at two batch sizes"),
    };
    let (c3, c4) = match (
        first.and_then(|r| r.gauss.map(|g| (r, g))),
        last.and_then(|r| r.gauss.map(|g| (r, g))),
    ) {
        (Some((r0, g0)), Some((r1, g1))) => (
            Clause::decided(
                "kurtosis",
                KURTOSIS,
                g1.excess_kurtosis.abs() <= g0.excess_kurtosis.abs(),
                Evidence::Trend {
                    from: at(r0, "|excess kurtosis|", g0.excess_kurtosis.abs()),
                    cmp: Cmp::Le,
                    to: at(r1, "|excess kurtosis|", g1.excess_kurtosis.abs()),
                },
            ),
            Clause::decided(
                "gaussianity-tests",
                TESTS,
                g1.rejections <= g0.rejections,
                Evidence::Trend {
                    from: at(r0, &format!("tests rejecting (of {})", g0.tests), g0.rejections as f64),
                    cmp: Cmp::Le,
                    to: at(r1, &format!("tests rejecting (of {})", g1.tests), g1.rejections as f64),
                },
            ),
        ),
        _ => {
            let why = "the Gaussianity tests need the example parameter's sample at two batch sizes";
            (
                Clause::not_tested("kurtosis", KURTOSIS, why),
                Clause::not_tested("gaussianity-tests", TESTS, why),
            )
        }
    };
    let notes = vec![format!(
        "M = {draws} draws per B, one example parameter for the Gaussianity clauses (a noisy estimate at small M)"
    )];
    Verdict::from_clauses(info.claim, finding, vec![c1, c2, c3, c4], notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::verdict::VerdictOutcome;
    use crate::stats::rate_from_verdicts;

    fn pl_rate(pl: usize, tested: usize) -> PowerLawRate {
        rate_from_verdicts(&(0..tested).map(|i| i < pl).collect::<Vec<_>>(), 0)
    }

    #[test]
    fn uses_the_gaussianity_tests() {
        let r = |b, k: f64, rej| SgnRow {
            b,
            rate: pl_rate(0, 20),
            gauss: Some(Gauss {
                excess_kurtosis: k,
                rejections: rej,
                tests: 5,
            }),
        };
        let v = verdict(&INFO, &[r(8, 1.4, 3), r(32, 0.6, 2), r(128, 0.3, 2)], 60, 0.05);
        assert_eq!(v.outcome, VerdictOutcome::Agrees, "{v:?}");
        let v = verdict(&INFO, &[r(8, 0.3, 1), r(128, 1.4, 3)], 60, 0.05);
        assert_eq!(v.outcome, VerdictOutcome::Differs, "{v:?}");
        let v = verdict(
            &INFO,
            &[
                SgnRow {
                    gauss: None,
                    ..r(8, 0.0, 0)
                },
                r(128, 0.3, 0),
            ],
            60,
            0.05,
        );
        assert_eq!(v.outcome, VerdictOutcome::NotTested, "{v:?}");
        let heavy = SgnRow {
            rate: pl_rate(15, 20),
            ..r(128, 0.3, 0)
        };
        assert_eq!(
            verdict(&INFO, &[r(8, 1.0, 1), heavy], 60, 0.05).outcome,
            VerdictOutcome::Differs
        );
    }
}
