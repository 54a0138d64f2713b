//! A report as shown: its verdicts in words ([`super::verdict`]) and Tables A and B as text
//! cells, for the page's tour and the CLI's Markdown.

use super::verdict::{view, VerdictView};
use crate::experiment::report::{Report, TableARow, TableBRow};
use crate::format::{n3, num, rate};
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

/// The report as shown.
pub fn report_view(r: &Report) -> ReportView {
    let mut claims = Vec::new();
    for p in std::iter::once(r).chain(r.parts.iter()) {
        for v in &p.verdicts {
            claims.push(ClaimView {
                preset: p.preset.clone(),
                title: p.title.clone(),
                claim: v.claim.clone(),
                verdict: view(v),
            });
        }
    }
    let prefixed = |p: &Report, s: &str| {
        if r.parts.is_empty() {
            s.to_string()
        } else {
            format!("{}: {s}", p.preset)
        }
    };
    let a: Vec<TableARow> = std::iter::once(r)
        .chain(r.parts.iter())
        .flat_map(|p| {
            p.table_a.iter().map(move |x| TableARow {
                setting: prefixed(p, &x.setting),
                ..x.clone()
            })
        })
        .collect();
    let b: Vec<TableBRow> = std::iter::once(r)
        .chain(r.parts.iter())
        .flat_map(|p| {
            p.table_b.iter().map(move |x| TableBRow {
                setting: prefixed(p, &x.setting),
                ..x.clone()
            })
        })
        .collect();
    ReportView {
        title: r.title.clone(),
        claims,
        table_a: table_a(&a),
        table_b: table_b(&b),
    }
}
