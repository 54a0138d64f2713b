//! A claim over replicates: how many independent replicates agree, differ or could not test it,
//! and the outcome decided from that count (`docs/PROTOCOL.md` §7.1); Table A pooled over the
//! replicates with Wilson intervals; Table B as median and range.
//!
//! **The rule.** Among the n replicates that tested the claim, k agree. With the 95 % Wilson
//! interval [lo, hi] of k/n ([`wilson95`]): the claim *agrees* when lo > ½ (the paper's claim
//! holds in most runs, beyond a coin flip), *differs* when hi < ½; when the interval contains ½ it
//! is *mixed* if the runs split (some agree, some differ) and *too few* if they all agree (or all
//! differ) but are too few to exclude a coin flip (3 of 3 agreeing: [0.44, 1]); *not tested*
//! when n = 0.
//! The Wilson interval keeps its coverage at small n and at k = 0 or n (Brown, Cai & DasGupta
//! 2001), where the normal approximation collapses to a point.

use super::report::{Report, TableARow, TableBRow};
use super::verdict::{Outcome, VerdictOutcome};
use crate::stats::proportion::{wilson95, Proportion};
use serde::Serialize;

/// How a claim came out over the replicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicatedOutcome {
    Agrees,
    Differs,
    /// The runs split.
    Mixed,
    /// Every tested run went one way, but too few runs to be sure.
    TooFew,
    NotTested,
}

/// One clause counted over the replicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseCount {
    pub key: String,
    pub says: String,
    pub holds: usize,
    pub fails: usize,
    pub not_tested: usize,
}

/// One claim over the replicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimSummary {
    pub claim: String,
    pub replicates: usize,
    pub agree: usize,
    pub differ: usize,
    pub not_tested: usize,
    /// The agreeing share among the replicates that tested the claim, with its 95 % Wilson
    /// interval.
    pub agreement: Proportion,
    pub outcome: ReplicatedOutcome,
    pub clauses: Vec<ClauseCount>,
    /// Why replicates could not test the claim (each reason once, with how many times).
    pub reasons: Vec<(String, usize)>,
}

/// A Table A row pooled over the replicates: per kind of sample, the power-law verdicts of all
/// replicates added up, with the Wilson interval of the pooled rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledTableARow {
    pub setting: String,
    pub rule: String,
    pub dimension_g: Proportion,
    pub dimension_sgn: Proportion,
    pub iteration_g: Option<Proportion>,
    pub iteration_sgn: Proportion,
}

/// Median, smallest and largest of a quantity over the replicates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// Of the finite values (`None` when there is none). The median of an even count is the
    /// mean of the two middle values.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Spread> {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            0.5 * (v[n / 2 - 1] + v[n / 2])
        };
        Some(Spread {
            median,
            min: v[0],
            max: v[n - 1],
        })
    }
}

/// A Table B row summarised over the replicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableBSummaryRow {
    pub setting: String,
    /// Replicates whose fit passed the KS test, of those with this row.
    pub power_law: usize,
    pub rows: usize,
    pub s: Option<Spread>,
    pub beta: Option<Spread>,
    /// d_ks/d_c (< 1: the KS test accepts the power law).
    pub ks_ratio: Option<Spread>,
}

/// Everything a replicated report says over its replicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub claims: Vec<ClaimSummary>,
    pub table_a: Vec<PooledTableARow>,
    pub table_b: Vec<TableBSummaryRow>,
}

/// The outcome of k agreeing of n testing replicates ([module rule](self)).
pub fn decide(agreement: &Proportion) -> ReplicatedOutcome {
    if agreement.n == 0 {
        ReplicatedOutcome::NotTested
    } else if agreement.lo > 0.5 {
        ReplicatedOutcome::Agrees
    } else if agreement.hi < 0.5 {
        ReplicatedOutcome::Differs
    } else if agreement.k == 0 || agreement.k == agreement.n {
        ReplicatedOutcome::TooFew
    } else {
        ReplicatedOutcome::Mixed
    }
}

fn add(p: &mut (usize, usize), r: &crate::stats::PowerLawRate) {
    p.0 += r.power_law;
    p.1 += r.tested;
}

/// The summary of `runs` (replicate 0 first; each a single-seed report of the same preset).
pub fn summarize(runs: &[&Report]) -> Summary {
    let Some(first) = runs.first() else {
        return Summary {
            claims: Vec::new(),
            table_a: Vec::new(),
            table_b: Vec::new(),
        };
    };
    let claims = (0..first.verdicts.len())
        .map(|i| {
            let vs: Vec<_> = runs.iter().filter_map(|r| r.verdicts.get(i)).collect();
            let count = |o: VerdictOutcome| vs.iter().filter(|v| v.outcome == o).count();
            let (agree, differ, not_tested) = (
                count(VerdictOutcome::Agrees),
                count(VerdictOutcome::Differs),
                count(VerdictOutcome::NotTested),
            );
            let agreement = wilson95(agree, agree + differ);
            let mut clauses: Vec<ClauseCount> = Vec::new();
            let mut reasons: Vec<(String, usize)> = Vec::new();
            for v in &vs {
                for c in &v.clauses {
                    let e = match clauses.iter_mut().position(|x| x.key == c.key) {
                        Some(j) => &mut clauses[j],
                        None => {
                            clauses.push(ClauseCount {
                                key: c.key.clone(),
                                says: c.says.clone(),
                                holds: 0,
                                fails: 0,
                                not_tested: 0,
                            });
                            clauses.last_mut().expect("just pushed")
                        }
                    };
                    match c.outcome {
                        Outcome::Holds => e.holds += 1,
                        Outcome::Fails => e.fails += 1,
                        Outcome::NotTested => {
                            e.not_tested += 1;
                            if let super::verdict::Evidence::Missing { reason } = &c.evidence {
                                match reasons.iter_mut().find(|(r, _)| r == reason) {
                                    Some(x) => x.1 += 1,
                                    None => reasons.push((reason.clone(), 1)),
                                }
                            }
                        }
                    }
                }
            }
            ClaimSummary {
                claim: first.verdicts[i].claim.clone(),
                replicates: vs.len(),
                agree,
                differ,
                not_tested,
                outcome: decide(&agreement),
                agreement,
                clauses,
                reasons,
            }
        })
        .collect();
    let table_a = first
        .table_a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let rows: Vec<&TableARow> = runs.iter().filter_map(|r| r.table_a.get(i)).collect();
            let (mut dg, mut ds, mut ig, mut is) = ((0, 0), (0, 0), (0, 0), (0, 0));
            for r in &rows {
                add(&mut dg, &r.dimension_g);
                add(&mut ds, &r.dimension_sgn);
                if let Some(x) = &r.iteration_g {
                    add(&mut ig, x);
                }
                add(&mut is, &r.iteration_sgn);
            }
            let w = |p: (usize, usize)| wilson95(p.0, p.1);
            PooledTableARow {
                setting: strip_step(&row.setting),
                rule: row.rule.clone(),
                dimension_g: w(dg),
                dimension_sgn: w(ds),
                iteration_g: row.iteration_g.as_ref().map(|_| w(ig)),
                iteration_sgn: w(is),
            }
        })
        .collect();
    let table_b = first
        .table_b
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let rows: Vec<&TableBRow> = runs.iter().filter_map(|r| r.table_b.get(i)).collect();
            TableBSummaryRow {
                setting: strip_step(&row.setting),
                power_law: rows.iter().filter(|r| r.power_law).count(),
                rows: rows.len(),
                s: Spread::of(rows.iter().map(|r| r.s)),
                beta: Spread::of(rows.iter().map(|r| r.beta)),
                ks_ratio: Spread::of(rows.iter().map(|r| r.ks_d / r.ks_critical)),
            }
        })
        .collect();
    Summary {
        claims,
        table_a,
        table_b,
    }
}

/// A Table A/B setting without its " (step N)" (the step is the same in every replicate, but
/// keep the label short in the pooled table).
fn strip_step(s: &str) -> String {
    match s.rfind(" (step ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_needs_the_interval_beyond_one_half() {
        assert_eq!(decide(&wilson95(9, 10)), ReplicatedOutcome::Agrees);
        assert_eq!(decide(&wilson95(8, 10)), ReplicatedOutcome::Mixed);
        assert_eq!(decide(&wilson95(1, 10)), ReplicatedOutcome::Differs);
        assert_eq!(
            decide(&wilson95(3, 3)),
            ReplicatedOutcome::TooFew,
            "3 of 3 cannot exclude a coin flip"
        );
        assert_eq!(decide(&wilson95(0, 3)), ReplicatedOutcome::TooFew);
        assert_eq!(decide(&wilson95(2, 3)), ReplicatedOutcome::Mixed);
        assert_eq!(decide(&wilson95(5, 5)), ReplicatedOutcome::Agrees);
        assert_eq!(decide(&wilson95(0, 0)), ReplicatedOutcome::NotTested);
    }

    #[test]
    fn spread_is_median_and_range_of_finite_values() {
        let s = Spread::of([3.0, 1.0, f64::NAN, 2.0, 10.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.5, 1.0, 10.0));
        assert!(Spread::of([f64::NAN]).is_none());
        assert_eq!(strip_step("default — trained (step 992)"), "default — trained");
    }
}
