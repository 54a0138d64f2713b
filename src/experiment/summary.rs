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

use crate::stats::proportion::Proportion;
use serde::{Deserialize, Serialize};

/// How a claim came out over the replicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClauseCount {
    pub key: String,
    pub says: String,
    pub holds: usize,
    pub fails: usize,
    pub not_tested: usize,
}

/// One claim over the replicates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PooledTableARow {
    pub setting: String,
    pub rule: String,
    pub dimension_g: Proportion,
    pub dimension_sgn: Proportion,
    pub iteration_g: Option<Proportion>,
    pub iteration_sgn: Proportion,
}

/// Median, smallest and largest of a quantity over the replicates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::proportion::wilson95;

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
    }
}
