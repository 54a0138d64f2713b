//! A report as shown: its verdicts in words ([`super::verdict`]) and Tables A and B as text
//! cells, for the page's tour and the CLI's Markdown.

use super::verdict::{replicated_view, view, VerdictView};
use crate::experiment::report::{Report, TableARow, TableBRow};
use crate::experiment::summary::{PooledTableARow, Spread, TableBSummaryRow};
use crate::format::{n3, num, proportion, rate};
use serde::Serialize;

/// A table as text: a header row and body rows of cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableView {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl TableView {
    /// The table as Markdown.
    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut s = line(&self.head);
        s += &format!("|{}\n", "---|".repeat(self.head.len()));
        for r in &self.rows {
            s += &line(r);
        }
        s
    }
}

/// One claim's verdict with the title of the preset it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimView {
    pub preset: String,
    pub title: String,
    pub claim: String,
    pub verdict: VerdictView,
}

/// A report as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportView {
    pub title: String,
    /// Every claim: the report's own, then each part's.
    pub claims: Vec<ClaimView>,
    pub table_a: TableView,
    pub table_b: TableView,
    /// Every arm's training and test accuracy, and whether it was evidence ([`arms_table`]).
    pub arms: TableView,
}

/// Table A's rows (this report's, then each part's with the part's name in front).
pub fn table_a(rows: &[TableARow]) -> TableView {
    TableView {
        head: [
            "setting",
            "rule",
            "dim-wise g",
            "dim-wise SGN",
            "iter-wise g",
            "iter-wise SGN",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.setting.clone(),
                    r.rule.clone(),
                    rate(&r.dimension_g),
                    rate(&r.dimension_sgn),
                    r.iteration_g.as_ref().map_or("—".into(), rate),
                    rate(&r.iteration_sgn),
                ]
            })
            .collect(),
    }
}

/// Table B's rows.
pub fn table_b(rows: &[TableBRow]) -> TableView {
    TableView {
        head: ["setting", "K", "d_ks", "d_c", "power law", "β̂ ± σ", "ŝ", "LS slope"]
            .map(String::from)
            .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.setting.clone(),
                    r.k.to_string(),
                    num(r.ks_d, 3),
                    num(r.ks_critical, 3),
                    if r.power_law { "yes" } else { "no" }.into(),
                    format!("{} ± {}", n3(r.beta), n3(r.beta_stderr)),
                    format!("{}{}", n3(r.s), if r.flat { " (flat)" } else { "" }),
                    n3(r.ls_slope),
                ]
            })
            .collect(),
    }
}

/// The claims of one report (not its parts): over its replicates when it has a summary, else
/// its one run's verdicts.
fn claims_of(p: &Report) -> Vec<ClaimView> {
    let info = crate::experiment::presets::find(&p.preset).map(|x| x.info());
    let claim = |claim: &str, verdict: VerdictView| ClaimView {
        preset: p.preset.clone(),
        title: p.title.clone(),
        claim: claim.to_string(),
        verdict,
    };
    match (&p.summary, info) {
        (Some(s), Some(info)) if p.parts.is_empty() => s
            .claims
            .iter()
            .enumerate()
            .map(|(i, c)| claim(&c.claim, replicated_view(c, info, p.verdicts.get(i))))
            .collect(),
        _ => p.verdicts.iter().map(|v| claim(&v.claim, view(v))).collect(),
    }
}

/// "1.1 [0.84–1.3]": a median with its range over the replicates.
pub fn spread(s: &Option<Spread>) -> String {
    s.map_or("—".into(), |s| {
        format!("{} [{}–{}]", n3(s.median), n3(s.min), n3(s.max))
    })
}

/// Table A pooled over the replicates.
pub fn pooled_table_a(rows: &[(String, &PooledTableARow)]) -> TableView {
    TableView {
        head: [
            "setting",
            "rule",
            "dim-wise g",
            "dim-wise SGN",
            "iter-wise g",
            "iter-wise SGN",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|(setting, r)| {
                vec![
                    setting.clone(),
                    r.rule.clone(),
                    proportion(&r.dimension_g),
                    proportion(&r.dimension_sgn),
                    r.iteration_g.as_ref().map_or("—".into(), proportion),
                    proportion(&r.iteration_sgn),
                ]
            })
            .collect(),
    }
}

/// Table B summarised over the replicates.
pub fn summary_table_b(rows: &[(String, &TableBSummaryRow)]) -> TableView {
    TableView {
        head: [
            "setting",
            "power law in",
            "ŝ median [range]",
            "β̂ median [range]",
            "d_ks/d_c median [range]",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|(setting, r)| {
                vec![
                    setting.clone(),
                    format!("{} of {}", r.power_law, r.rows),
                    spread(&r.s),
                    spread(&r.beta),
                    spread(&r.ks_ratio),
                ]
            })
            .collect(),
    }
}

/// The report as shown: every claim (over the replicates when there are several), Table A
/// (pooled, with Wilson intervals, when there are replicates) and Table B (median and range).
pub fn report_view(r: &Report) -> ReportView {
    let mut claims = if r.parts.is_empty() { claims_of(r) } else { Vec::new() };
    for p in &r.parts {
        claims.extend(claims_of(p));
    }
    let reports: Vec<&Report> = if r.parts.is_empty() {
        vec![r]
    } else {
        r.parts.iter().collect()
    };
    let name = |p: &Report, s: &str| {
        if r.parts.is_empty() {
            s.to_string()
        } else {
            format!("{}: {s}", p.preset)
        }
    };
    let replicated = reports.iter().any(|p| p.summary.is_some());
    let (table_a, table_b) = if replicated {
        let a: Vec<(String, &PooledTableARow)> = reports
            .iter()
            .flat_map(|p| {
                p.summary
                    .iter()
                    .flat_map(move |s| s.table_a.iter().map(move |x| (name(p, &x.setting), x)))
            })
            .collect();
        let b: Vec<(String, &TableBSummaryRow)> = reports
            .iter()
            .flat_map(|p| {
                p.summary
                    .iter()
                    .flat_map(move |s| s.table_b.iter().map(move |x| (name(p, &x.setting), x)))
            })
            .collect();
        (pooled_table_a(&a), summary_table_b(&b))
    } else {
        let a: Vec<TableARow> = reports
            .iter()
            .flat_map(|p| {
                p.table_a.iter().map(move |x| TableARow {
                    setting: name(p, &x.setting),
                    ..x.clone()
                })
            })
            .collect();
        let b: Vec<TableBRow> = reports
            .iter()
            .flat_map(|p| {
                p.table_b.iter().map(move |x| TableBRow {
                    setting: name(p, &x.setting),
                    ..x.clone()
                })
            })
            .collect();
        (table_a(&a), table_b(&b))
    };
    let arms = arms_table(&reports.iter().map(|p| (name(p, ""), *p)).collect::<Vec<_>>());
    ReportView {
        title: r.title.clone(),
        claims,
        table_a,
        table_b,
        arms,
    }
}

/// One row per arm (of each report, its name in front): its final training accuracy (on its own
/// labels) and test accuracy — with several replicates the median and range over them — and in
/// how many runs it was evidence: an arm that did not train (`presets::shared::not_trained`) is
/// left out of the verdict.
pub fn arms_table(reports: &[(String, &Report)]) -> TableView {
    use crate::experiment::presets::shared::not_trained;
    let mut rows = Vec::new();
    for (prefix, p) in reports {
        let runs: Vec<&Report> = std::iter::once(*p).chain(p.replicates.iter()).collect();
        for (i, arm) in p.arms.iter().enumerate() {
            let arms: Vec<_> = runs.iter().filter_map(|r| r.arms.get(i)).collect();
            let acc = |v: Vec<f64>| {
                if v.len() == 1 {
                    n3(v[0])
                } else {
                    spread(&Spread::of(v))
                }
            };
            let train = acc(arms
                .iter()
                .filter_map(|a| a.train_eval.as_ref().map(|e| e.test.accuracy))
                .collect());
            let test = acc(arms
                .iter()
                .filter_map(|a| a.evals.last().map(|e| e.test.accuracy))
                .collect());
            let why: Vec<String> = arms.iter().filter_map(|a| not_trained(a, a.n_classes)).collect();
            let evidence = match (why.len(), arms.len()) {
                (0, 1) => "yes".to_string(),
                (0, n) => format!("in all {n} runs"),
                (_, 1) => format!("no: {}", why[0]),
                (k, n) => format!("in {} of {n} runs (left out: {})", n - k, why[0]),
            };
            let label = if prefix.is_empty() {
                arm.label.clone()
            } else {
                format!("{prefix}{}", arm.label)
            };
            rows.push(vec![label, train, test, evidence]);
        }
    }
    TableView {
        head: ["arm", "training accuracy", "test accuracy", "evidence"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}
