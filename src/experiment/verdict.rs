//! Verdicts as typed values: a claim of the paper is split into [`Clause`]s, each decided on one
//! run from its numbers ([`Outcome::Holds`], [`Outcome::Fails`] or [`Outcome::NotTested`]) with
//! the [`Evidence`] that decided it. The verdict of a claim follows from its clauses by one rule
//! ([`Verdict::from_clauses`], `docs/PROTOCOL.md` §7.1): it *differs* from the paper when a tested
//! clause fails, *could not be tested* when no clause fails but one could not be tested, and
//! *agrees* otherwise. Nothing here is prose: the words are rendered from these values in one
//! place, [`crate::experiment::view::verdict`].

use crate::stats::PowerLawRate;
use serde::{Deserialize, Serialize};

/// How one clause came out on one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Holds,
    Fails,
    NotTested,
}

impl Outcome {
    /// `true` → holds, `false` → fails.
    pub fn of(holds: bool) -> Outcome {
        if holds {
            Outcome::Holds
        } else {
            Outcome::Fails
        }
    }
}

/// An order relation between a measured value and its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    Lt,
    Le,
    Ge,
    Gt,
}

impl Cmp {
    /// `a cmp b`.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Ge => a >= b,
            Cmp::Gt => a > b,
        }
    }

    /// The relation's symbol, and the symbol of its negation.
    pub fn symbols(self) -> (&'static str, &'static str) {
        match self {
            Cmp::Lt => ("<", "≥"),
            Cmp::Le => ("≤", ">"),
            Cmp::Ge => ("≥", "<"),
            Cmp::Gt => (">", "≤"),
        }
    }
}

/// A named number: what was measured (`"ŝ spread"`, `"λ₁(C_B) at B = 32"`) and its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    pub name: String,
    pub value: f64,
}

impl Quantity {
    pub fn new(name: impl Into<String>, value: f64) -> Quantity {
        Quantity {
            name: name.into(),
            value,
        }
    }
}

/// One spectrum fit as a verdict sees it: the arm, the KS decision at K and ŝ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitEvidence {
    pub arm: String,
    pub k: usize,
    pub ks_d: f64,
    pub ks_critical: f64,
    pub power_law: bool,
    pub s: f64,
    pub flat: bool,
}

/// The numbers that decided a clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// `value cmp bound` decides the clause (a bound with an empty name is a fixed threshold).
    Compare { value: Quantity, cmp: Cmp, bound: Quantity },
    /// A power-law rate (a Table A cell) against a bound: the rate's `cmp bound` decides it.
    Rate {
        what: String,
        rate: PowerLawRate,
        cmp: Cmp,
        bound: f64,
    },
    /// A quantity at two settings: `to cmp from` decides the clause (e.g. |excess kurtosis| at the
    /// largest B ≤ at the smallest).
    Trend { from: Quantity, cmp: Cmp, to: Quantity },
    /// A spectrum's power-law fit: holds when the KS test accepts and the spectrum is not flat
    /// (or, for the plain KS clause, when the KS test accepts).
    Fit { fit: FitEvidence },
    /// A trained spectrum against its Gaussian baseline: holds when the baseline is flat, the
    /// trained spectrum is not, and its ŝ is larger.
    Contrast {
        trained: FitEvidence,
        baseline: FitEvidence,
    },
    /// Values in order that must all satisfy `cmp` between neighbours (λ₁ decreasing in B).
    Sequence { values: Vec<Quantity>, cmp: Cmp },
    /// Holds when any of these holds.
    AnyOf { items: Vec<Evidence> },
    /// The outcome of another claim (a part of the tour).
    Claim { name: String, outcome: VerdictOutcome },
    /// Why the clause could not be decided on this run.
    Missing { reason: String },
}

/// One clause of a claim on one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clause {
    /// Stable key of the clause within its preset (the same on every replicate), e.g. `"dim-g"`.
    pub key: String,
    /// What the paper's claim says, as a short plain statement ("Dimension-wise gradients have
    /// power-law tails in most draws").
    pub says: String,
    pub outcome: Outcome,
    pub evidence: Evidence,
}

impl Clause {
    /// A decided clause.
    pub fn decided(key: impl Into<String>, says: impl Into<String>, holds: bool, evidence: Evidence) -> Clause {
        Clause {
            key: key.into(),
            says: says.into(),
            outcome: Outcome::of(holds),
            evidence,
        }
    }

    /// A clause `value cmp bound`, decided by that comparison (a NaN value fails it).
    pub fn compare(
        key: impl Into<String>,
        says: impl Into<String>,
        value: Quantity,
        cmp: Cmp,
        bound: Quantity,
    ) -> Clause {
        let holds = cmp.holds(value.value, bound.value);
        Clause::decided(key, says, holds, Evidence::Compare { value, cmp, bound })
    }

    /// A clause `value cmp threshold`.
    pub fn threshold(
        key: impl Into<String>,
        says: impl Into<String>,
        value: Quantity,
        cmp: Cmp,
        threshold: f64,
    ) -> Clause {
        Clause::compare(key, says, value, cmp, Quantity::new("", threshold))
    }

    /// A clause on a power-law rate: not tested when nothing could be tested.
    pub fn rate(
        key: impl Into<String>,
        says: impl Into<String>,
        what: impl Into<String>,
        rate: &PowerLawRate,
        cmp: Cmp,
        bound: f64,
    ) -> Clause {
        let what = what.into();
        match rate.rate {
            Some(v) => Clause::decided(
                key,
                says,
                cmp.holds(v, bound),
                Evidence::Rate {
                    what,
                    rate: rate.clone(),
                    cmp,
                    bound,
                },
            ),
            None => Clause::not_tested(
                key,
                says,
                format!(
                    "{what}: all {} samples were skipped (too few non-zero or all-equal values)",
                    rate.skipped
                ),
            ),
        }
    }

    /// A clause this run could not decide, with the reason.
    pub fn not_tested(key: impl Into<String>, says: impl Into<String>, reason: impl Into<String>) -> Clause {
        Clause {
            key: key.into(),
            says: says.into(),
            outcome: Outcome::NotTested,
            evidence: Evidence::Missing { reason: reason.into() },
        }
    }
}

/// How a claim came out on one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictOutcome {
    Agrees,
    Differs,
    NotTested,
}

/// The paper's claim against what one run measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub claim: String,
    pub outcome: VerdictOutcome,
    /// The clauses of the claim, each decided from the numbers.
    pub clauses: Vec<Clause>,
    /// What was measured, with the numbers (the details behind the clauses).
    pub finding: String,
    /// Remarks that are reported but decide nothing (e.g. the K sweep, a collapsed run).
    pub notes: Vec<String>,
}

impl Verdict {
    /// The verdict of a claim from its clauses: differs when a clause fails; otherwise could not
    /// be tested when a clause was not tested (or there is none); otherwise agrees.
    pub fn from_clauses(
        claim: impl Into<String>,
        finding: impl Into<String>,
        clauses: Vec<Clause>,
        notes: Vec<String>,
    ) -> Verdict {
        let outcome = if clauses.iter().any(|c| c.outcome == Outcome::Fails) {
            VerdictOutcome::Differs
        } else if clauses.is_empty() || clauses.iter().any(|c| c.outcome == Outcome::NotTested) {
            VerdictOutcome::NotTested
        } else {
            VerdictOutcome::Agrees
        };
        Verdict {
            claim: claim.into(),
            outcome,
            clauses,
            finding: finding.into(),
            notes: notes.into_iter().filter(|n| !n.is_empty()).collect(),
        }
    }

    /// A claim that could not be tested at all on this run (e.g. its only arm failed), with the
    /// reason as its one clause.
    pub fn not_tested(
        claim: impl Into<String>,
        key: impl Into<String>,
        says: impl Into<String>,
        reason: impl Into<String>,
    ) -> Verdict {
        let reason = reason.into();
        Verdict::from_clauses(
            claim,
            reason.clone(),
            vec![Clause::not_tested(key, says, reason)],
            Vec::new(),
        )
    }

    pub fn agrees(&self) -> bool {
        self.outcome == VerdictOutcome::Agrees
    }

    pub fn tested(&self) -> bool {
        self.outcome != VerdictOutcome::NotTested
    }

    /// "agrees with the paper" / "differs from the paper" / "could not be tested".
    pub fn outcome_text(&self) -> &'static str {
        match self.outcome {
            VerdictOutcome::Agrees => "agrees with the paper",
            VerdictOutcome::Differs => "differs from the paper",
            VerdictOutcome::NotTested => "could not be tested",
        }
    }

    /// Adds a remark.
    pub fn note(mut self, note: impl Into<String>) -> Verdict {
        let n = note.into();
        if !n.is_empty() {
            self.notes.push(n);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rate_from_verdicts;

    #[test]
    fn the_rule_differs_on_a_failure_then_untested_then_agrees() {
        let yes = Clause::threshold("a", "a", Quantity::new("x", 1.0), Cmp::Ge, 0.5);
        let no = Clause::threshold("b", "b", Quantity::new("x", 0.1), Cmp::Ge, 0.5);
        let none = Clause::not_tested("c", "c", "no data");
        let v = |c: Vec<Clause>| Verdict::from_clauses("claim", "f", c, vec![]).outcome;
        assert_eq!(v(vec![yes.clone(), no.clone(), none.clone()]), VerdictOutcome::Differs);
        assert_eq!(v(vec![yes.clone(), none]), VerdictOutcome::NotTested);
        assert_eq!(v(vec![yes]), VerdictOutcome::Agrees);
        assert_eq!(v(vec![]), VerdictOutcome::NotTested);
    }

    #[test]
    fn a_rate_with_nothing_tested_is_not_tested_and_nan_fails_a_comparison() {
        let r = rate_from_verdicts(&[], 4);
        let c = Clause::rate("r", "s", "dimension-wise g", &r, Cmp::Ge, 0.5);
        assert_eq!(c.outcome, Outcome::NotTested);
        assert!(
            matches!(c.evidence, Evidence::Missing { ref reason } if reason.contains("all 4 samples were skipped"))
        );
        let r = rate_from_verdicts(&[true, true, false], 0);
        assert_eq!(Clause::rate("r", "s", "w", &r, Cmp::Ge, 0.5).outcome, Outcome::Holds);
        assert_eq!(Clause::rate("r", "s", "w", &r, Cmp::Lt, 0.5).outcome, Outcome::Fails);
        assert_eq!(
            Clause::threshold("n", "n", Quantity::new("x", f64::NAN), Cmp::Le, 1.0).outcome,
            Outcome::Fails
        );
    }
}
