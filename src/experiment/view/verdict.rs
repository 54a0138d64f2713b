//! The one place where a [`Verdict`] becomes words: a headline sentence a student can read
//! aloud, one line per clause with ✓ / ✗ / – and the number that decided it, and the details
//! (the finding and the remarks). The page, the CLI's Markdown and `docs/RESULTS.md` all show
//! this [`VerdictView`].

use crate::experiment::presets::PresetInfo;
use crate::experiment::summary::{ClaimSummary, ReplicatedOutcome};
use crate::experiment::verdict::{Clause, Cmp, Evidence, FitEvidence, Outcome, Quantity, Verdict, VerdictOutcome};
use crate::format::{n3, num, rate};
use serde::Serialize;

/// How a verdict is shown: the page's CSS class and the mark beside it. Colour is never the only
/// carrier: every tone also has its words and its mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Agrees,
    Differs,
    Untested,
    Mixed,
    TooFew,
}

impl Tone {
    pub fn of(o: VerdictOutcome) -> Tone {
        match o {
            VerdictOutcome::Agrees => Tone::Agrees,
            VerdictOutcome::Differs => Tone::Differs,
            VerdictOutcome::NotTested => Tone::Untested,
        }
    }

    /// "Agrees with the paper", …
    pub fn badge(self) -> &'static str {
        match self {
            Tone::Agrees => "Agrees with the paper",
            Tone::Differs => "Differs from the paper",
            Tone::Untested => "Could not be tested",
            Tone::Mixed => "Mixed",
            Tone::TooFew => "Not enough runs",
        }
    }
}

/// One clause as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseView {
    /// ✓ holds, ✗ fails, – not tested.
    pub mark: &'static str,
    pub outcome: Outcome,
    /// What the paper says.
    pub says: String,
    /// The number that decided it (or why it could not be decided).
    pub key: String,
}

/// A verdict as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictView {
    pub tone: Tone,
    pub badge: &'static str,
    /// One plain sentence.
    pub headline: String,
    pub clauses: Vec<ClauseView>,
    /// The finding and the remarks, for a "details" disclosure.
    pub details: Vec<String>,
}

/// The mark of an outcome.
pub fn mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Holds => "✓",
        Outcome::Fails => "✗",
        Outcome::NotTested => "–",
    }
}

/// A one-run verdict as shown.
pub fn view(v: &Verdict) -> VerdictView {
    let tone = Tone::of(v.outcome);
    let failing: Vec<&Clause> = v.clauses.iter().filter(|c| c.outcome == Outcome::Fails).collect();
    let untested: Vec<&Clause> = v.clauses.iter().filter(|c| c.outcome == Outcome::NotTested).collect();
    let headline = match v.outcome {
        VerdictOutcome::Agrees => "On this run every part of the claim held.".to_string(),
        VerdictOutcome::Differs => format!(
            "On this run {} of the {} parts of the claim did not hold: {}.",
            failing.len(),
            v.clauses.len(),
            lower_first(&failing[0].says)
        ),
        VerdictOutcome::NotTested => match untested.first() {
            Some(c) => format!("This run could not test the claim: {}.", key_text(c)),
            None => "This run could not test the claim.".to_string(),
        },
    };
    let mut details = vec![format!("Measured: {}", v.finding)];
    details.extend(v.notes.iter().map(|n| upper_first(n)));
    VerdictView {
        tone,
        badge: tone.badge(),
        headline,
        clauses: v.clauses.iter().map(clause_view).collect(),
        details,
    }
}

pub fn clause_view(c: &Clause) -> ClauseView {
    ClauseView {
        mark: mark(c.outcome),
        outcome: c.outcome,
        says: c.says.clone(),
        key: key_text(c),
    }
}

/// The number that decided a clause, in a few words.
pub fn key_text(c: &Clause) -> String {
    evidence_text(&c.evidence)
}

fn quantity(q: &Quantity) -> String {
    if q.name.is_empty() {
        n3(q.value)
    } else {
        format!("{} {}", q.name, n3(q.value))
    }
}

/// The relation as it came out: `cmp`'s symbol when it holds, its negation's when it does not.
fn relation(cmp: Cmp, a: f64, b: f64) -> &'static str {
    let (yes, no) = cmp.symbols();
    if cmp.holds(a, b) {
        yes
    } else {
        no
    }
}

fn fit(f: &FitEvidence) -> String {
    format!(
        "{}: d_ks {} {} d_c {} at K = {}, ŝ = {}{}",
        f.arm,
        num(f.ks_d, 3),
        if f.ks_d < f.ks_critical { "<" } else { "≥" },
        num(f.ks_critical, 3),
        f.k,
        num(f.s, 3),
        if f.flat { " (flat)" } else { "" }
    )
}

fn evidence_text(e: &Evidence) -> String {
    match e {
        Evidence::Compare { value, cmp, bound } => {
            format!(
                "{} {} {}",
                quantity(value),
                relation(*cmp, value.value, bound.value),
                quantity(bound)
            )
        }
        Evidence::Rate {
            what,
            rate: r,
            cmp,
            bound,
        } => {
            let v = r.rate.unwrap_or(f64::NAN);
            format!(
                "{what}: power-law in {} {} {}",
                rate(r),
                relation(*cmp, v, *bound),
                crate::format::percent(*bound)
            )
        }
        Evidence::Trend { from, cmp, to } => {
            format!(
                "{} {} {}",
                quantity(to),
                relation(*cmp, to.value, from.value),
                quantity(from)
            )
        }
        Evidence::Fit { fit: f } => fit(f),
        Evidence::Contrast { trained, baseline } => format!(
            "Gaussian baseline ŝ = {}{} against ŝ = {}{} trained",
            n3(baseline.s),
            if baseline.flat { " (flat)" } else { " (not flat)" },
            n3(trained.s),
            if trained.flat { " (flat)" } else { " (not flat)" }
        ),
        Evidence::Sequence { values, .. } => values.iter().map(quantity).collect::<Vec<_>>().join(" → "),
        Evidence::AnyOf { items } => items.iter().map(evidence_text).collect::<Vec<_>>().join("; or "),
        Evidence::Claim { name, outcome } => format!(
            "{name}: {}",
            match outcome {
                VerdictOutcome::Agrees => "agrees",
                VerdictOutcome::Differs => "differs",
                VerdictOutcome::NotTested => "could not be tested",
            }
        ),
        Evidence::Missing { reason } => reason.clone(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// "44–100 %": a Wilson interval in whole percent.
fn interval(lo: f64, hi: f64) -> String {
    format!("{}–{} %", (100.0 * lo).round(), (100.0 * hi).round())
}

/// A claim over replicates as shown: the headline is one sentence from the count of runs
/// ("In 9 of 10 runs …, as the paper says"), with what at lab scale likely explains a
/// disagreement; each clause line counts the runs it held in; the details give the interval, the
/// rule and why runs could not test the claim.
pub fn replicated_view(s: &ClaimSummary, info: &PresetInfo, first: Option<&Verdict>) -> VerdictView {
    let tone = match s.outcome {
        ReplicatedOutcome::Agrees => Tone::Agrees,
        ReplicatedOutcome::Differs => Tone::Differs,
        ReplicatedOutcome::Mixed => Tone::Mixed,
        ReplicatedOutcome::TooFew => Tone::TooFew,
        ReplicatedOutcome::NotTested => Tone::Untested,
    };
    let tested = s.agree + s.differ;
    let runs = |n: usize| if n == 1 { "run".to_string() } else { "runs".to_string() };
    let (lo, hi) = (s.agreement.lo, s.agreement.hi);
    let mut headline = match s.outcome {
        ReplicatedOutcome::Agrees => format!("In {} of {tested} {} {}, as the paper says.", s.agree, runs(tested), info.finding),
        ReplicatedOutcome::Differs if s.agree == 0 => {
            format!("In none of {tested} {} {}: the lab does not see what the paper reports. {}", runs(tested), info.finding, info.lab_scale)
        }
        ReplicatedOutcome::Differs => format!(
            "In only {} of {tested} {} {}: the lab does not see what the paper reports. {}",
            s.agree,
            runs(tested),
            info.finding,
            info.lab_scale
        ),
        ReplicatedOutcome::TooFew if s.agree == 0 => format!(
            "In none of {tested} {} {}, but {tested} {} are too few to say the lab differs from the paper (the 95 % interval of agreement is {}). {}",
            runs(tested),
            info.finding,
            runs(tested),
            interval(lo, hi),
            info.lab_scale
        ),
        ReplicatedOutcome::TooFew => format!(
            "In {} of {tested} {} {}, as the paper says, but {tested} {} are too few to be sure (it could be a coin flip: the 95 % interval is {}).",
            s.agree,
            runs(tested),
            info.finding,
            runs(tested),
            interval(lo, hi)
        ),
        ReplicatedOutcome::Mixed => format!(
            "In {} of {tested} {} {}, but not in the other {}: the runs split, so the lab cannot confirm the paper here (95 % interval {}). {}",
            s.agree,
            runs(tested),
            info.finding,
            s.differ,
            interval(lo, hi),
            info.lab_scale
        ),
        ReplicatedOutcome::NotTested => format!(
            "None of the {} {} could test this claim: {}.",
            s.replicates,
            runs(s.replicates),
            s.reasons.first().map_or("no reason recorded", |r| r.0.as_str())
        ),
    };
    if s.not_tested > 0 && s.outcome != ReplicatedOutcome::NotTested {
        headline += &format!(
            " ({} of the {} {} could not test it.)",
            s.not_tested,
            s.replicates,
            runs(s.replicates)
        );
    }
    let clauses = s
        .clauses
        .iter()
        .map(|c| {
            let outcome = if c.holds == 0 && c.fails == 0 {
                Outcome::NotTested
            } else if c.holds > c.fails {
                Outcome::Holds
            } else {
                Outcome::Fails
            };
            let mut key = format!(
                "held in {} of {} {}",
                c.holds,
                c.holds + c.fails,
                runs(c.holds + c.fails)
            );
            if c.not_tested > 0 {
                key += &format!(", not tested in {}", c.not_tested);
            }
            ClauseView {
                mark: mark(outcome),
                outcome,
                says: c.says.clone(),
                key,
            }
        })
        .collect();
    let mut details = vec![format!(
        "{} of {} runs agree, {} differ, {} could not test the claim. Rule: agrees when the 95 % Wilson interval of the agreeing share ({}) lies above one half, differs when it lies below; otherwise mixed when the runs split, not enough runs when they all went one way (docs/PROTOCOL.md §7.1).",
        s.agree,
        s.replicates,
        s.differ,
        s.not_tested,
        if tested > 0 { interval(lo, hi) } else { "none".into() }
    )];
    details.extend(
        s.reasons
            .iter()
            .map(|(r, n)| format!("Not tested in {n} {}: {r}", runs(*n))),
    );
    if let Some(v) = first {
        details.push(format!(
            "The first run (its charts are shown) {}: {}",
            v.outcome_text(),
            v.finding
        ));
        details.extend(v.notes.iter().map(|n| upper_first(n)));
    }
    VerdictView {
        tone,
        badge: tone.badge(),
        headline,
        clauses,
        details,
    }
}

/// A verdict as Markdown: the badge and headline, the clause list, the details.
pub fn markdown(title: &str, v: &VerdictView) -> String {
    let mut s = format!("**{title}: {}.** {}\n\n", v.badge, v.headline);
    for c in &v.clauses {
        s += &format!("- {} {} — {}\n", c.mark, c.says, c.key);
    }
    s += "\n<details><summary>Details</summary>\n\n";
    for d in &v.details {
        s += &format!("- {d}\n");
    }
    s += "\n</details>\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rate_from_verdicts;

    #[test]
    fn a_clause_reads_with_its_number_and_the_relation_as_it_came_out() {
        let c = Clause::threshold(
            "k",
            "Most draws are heavy-tailed",
            Quantity::new("rate", 0.3),
            Cmp::Ge,
            0.5,
        );
        assert_eq!(key_text(&c), "rate 0.3 < 0.5");
        let r = rate_from_verdicts(&[true, true, true, false], 0);
        let c = Clause::rate("k", "s", "dimension-wise g", &r, Cmp::Ge, 0.5);
        assert_eq!(
            key_text(&c),
            "dimension-wise g: power-law in 75 % (3/4) [30–95 %] ≥ 50 %"
        );
        let v = Verdict::from_clauses(
            "claim",
            "f",
            vec![c, Clause::not_tested("m", "More", "no log")],
            vec!["note".into()],
        );
        let w = view(&v);
        assert_eq!(w.tone, Tone::Untested);
        assert_eq!(w.headline, "This run could not test the claim: no log.");
        assert_eq!(w.clauses[0].mark, "✓");
        assert_eq!(w.clauses[1].mark, "–");
        assert_eq!(w.details, vec!["Measured: f".to_string(), "Note".to_string()]);
    }
}
