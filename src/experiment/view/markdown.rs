//! A report as Markdown and CSV: what `sgn-lab run --out DIR` writes (`summary.md`,
//! `verdicts.md`, `tables.md`, `table_a.csv`, `table_b.csv`) and what `docs/RESULTS.md` is. The
//! same view model as the page ([`super::report`], [`super::verdict`]): claims in words over the
//! replicates, clause lists, pooled Table A with Wilson intervals, Table B as median and range.

use super::report::{report_view, ReportView, TableView};
use super::verdict::{markdown as verdict_markdown, VerdictView};
use crate::experiment::presets::{find, PresetInfo};
use crate::experiment::report::Report;
use crate::experiment::summary::{ClaimSummary, ReplicatedOutcome};
use crate::experiment::url;
use crate::format::rate_fraction as fmt_rate;

/// Table A and Table B of the report as Markdown (pooled over replicates when it has any).
pub fn tables(r: &Report) -> String {
    let v = report_view(r);
    format!(
        "## Table A (power-law rates)\n\n{}\n## Table B (covariance spectra)\n\n{}\n## Arms (training and test accuracy)\n\n{}",
        v.table_a.markdown(),
        v.table_b.markdown(),
        v.arms.markdown()
    )
}

/// Every claim as Markdown (badge, plain sentence, clauses, details).
pub fn verdicts(r: &Report) -> String {
    report_view(r)
        .claims
        .iter()
        .map(|c| verdict_markdown(&c.title, &c.verdict) + "\n")
        .collect()
}

/// A table as CSV (cells quoted when they hold a comma or a quote).
pub fn csv(t: &TableView) -> String {
    let cell = |c: &String| {
        if c.contains([',', '"', '\n']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.clone()
        }
    };
    let mut s = t.head.iter().map(cell).collect::<Vec<_>>().join(",") + "\n";
    for r in &t.rows {
        s += &(r.iter().map(cell).collect::<Vec<_>>().join(",") + "\n");
    }
    s
}

/// Table A and Table B as CSV.
pub fn tables_csv(r: &Report) -> (String, String) {
    let v = report_view(r);
    (csv(&v.table_a), csv(&v.table_b))
}

/// What a student should take away from one claim, from its counts: the outcome in words, the
/// clause that failed most often, and what at lab scale likely explains a disagreement.
pub fn takeaway(s: &ClaimSummary, info: &PresetInfo) -> String {
    let worst = s.clauses.iter().filter(|c| c.fails > 0).max_by_key(|c| c.fails);
    let tested = s.agree + s.differ;
    match s.outcome {
        ReplicatedOutcome::Agrees => format!(
            "At lab scale the paper's claim holds: {} in {} of {tested} independent runs.{}",
            info.finding,
            s.agree,
            worst.map_or(String::new(), |c| format!(
                " The part that held least often: \"{}\" ({} of {} runs).",
                c.says,
                c.holds,
                c.holds + c.fails
            ))
        ),
        ReplicatedOutcome::Differs => format!(
            "At lab scale the paper's claim does not hold: it agreed in {} of {tested} runs{}. {}",
            s.agree,
            worst.map_or(String::new(), |c| format!(
                ", and \"{}\" failed in {} of {} runs",
                c.says,
                c.fails,
                c.holds + c.fails
            )),
            info.lab_scale
        ),
        ReplicatedOutcome::TooFew => format!(
            "{} of {tested} runs went the same way, too few to decide; run more replicates (sgn-lab run --replicates 10) before drawing a conclusion.",
            if s.agree > 0 { s.agree } else { s.differ }
        ),
        ReplicatedOutcome::Mixed => format!(
            "The evidence is split: {} of {tested} runs agree{}. {}",
            s.agree,
            worst.map_or(String::new(), |c| format!(
                "; \"{}\" failed in {} of {} runs",
                c.says,
                c.fails,
                c.holds + c.fails
            )),
            info.lab_scale
        ),
        ReplicatedOutcome::NotTested => format!(
            "This lab could not test the claim: {}.",
            s.reasons.first().map_or("no run could measure it", |r| r.0.as_str())
        ),
    }
}

fn claim_row(preset: &str, s: &ClaimSummary, v: &VerdictView) -> String {
    format!(
        "| {preset} | {} | **{}** | {} / {} / {} | {} |\n",
        s.claim,
        v.badge,
        s.agree,
        s.differ,
        s.not_tested,
        if s.agreement.n > 0 {
            format!(
                "{}–{} %",
                (100.0 * s.agreement.lo).round(),
                (100.0 * s.agreement.hi).round()
            )
        } else {
            "—".into()
        }
    )
}

/// The page of a run: the setup, how to read it, a summary table of every claim (agree / differ /
/// not tested over the replicates, with the 95 % interval of agreement), then per preset its
/// claim, the verdict with its clauses, what to take away, Tables A and B and the images
/// `images` (file names) whose names start with the preset's. `docs/RESULTS.md` is this page of a
/// replicated paper tour.
pub fn summary(report: &Report, images: &[String]) -> String {
    let c = &report.config;
    let mut s = format!(
        "# sgn-lab results: {}\n\nGenerated by `sgn-lab run --preset {} --seed {} --replicates {}` (engine {}, report schema v{}). \\\nBase configuration: dataset `{}`, model `{}`, B = {}, {} epochs, lr {}, momentum {}, weight decay {}, tail rule `{:?}` at α = {}, M = {} draws, {} dimension-wise draws, N_cov = {}. URL state: `{}`.\n\n",
        report.title,
        report.preset,
        report.seed,
        c.replicates,
        report.engine_version,
        report.schema_version,
        serde_json::to_string(&c.data.dataset).unwrap_or_default(),
        serde_json::to_string(&c.model).unwrap_or_default(),
        c.training.batch_size,
        c.training.epochs,
        c.training.lr,
        c.training.momentum,
        c.training.weight_decay,
        c.analysis.rule,
        c.analysis.level,
        c.analysis.draws,
        c.analysis.dim_draws,
        c.analysis.n_cov,
        url::encode(c).unwrap_or_default(),
    );
    s += &format!(
        "**How to read this page.** Every outcome below is computed from the numbers of these runs by the decision rules of `docs/PROTOCOL.md` §7 — nothing is hard-coded. Each preset ran {} independent replicates (replicate r at a seed derived from seed {}: its own data order, initialisation and draws). In each run a claim is split into clauses that hold (✓), fail (✗) or could not be tested (–); the run *differs* when a clause fails. Over the runs a claim **agrees** when the 95 % Wilson interval of the share of runs that agree lies above one half, **differs** when it lies below, and is **mixed** when it contains one half. The paper's own numeric tables are not reproduced here, so \"agrees\" means the qualitative claim holds under the lab's rules and thresholds. The charts are those of the first replicate.\n\n",
        c.replicates, report.seed
    );
    let parts: Vec<&Report> = if report.parts.is_empty() {
        vec![report]
    } else {
        report.parts.iter().collect()
    };
    let view: ReportView = report_view(report);
    s += "## Summary\n\n| preset | paper's claim | outcome | agree / differ / not tested | agreement, 95 % interval |\n|---|---|---|---|---|\n";
    for p in &parts {
        if let Some(sum) = &p.summary {
            for (cs, cv) in sum
                .claims
                .iter()
                .zip(view.claims.iter().filter(|v| v.preset == p.preset))
            {
                s += &claim_row(&p.preset, cs, &cv.verdict);
            }
        } else {
            for v in &p.verdicts {
                s += &format!("| {} | {} | **{}** | — | — |\n", p.preset, v.claim, v.outcome_text());
            }
        }
    }
    for p in &parts {
        s += &format!(
            "\n## {} (`{}`)\n\n**Paper's claim.** {}\n\n",
            p.title, p.preset, p.claim
        );
        let info = find(&p.preset).map(|x| x.info());
        for cv in view.claims.iter().filter(|v| v.preset == p.preset) {
            s += &verdict_markdown("Outcome", &cv.verdict);
            s += "\n";
        }
        if let (Some(sum), Some(info)) = (&p.summary, info) {
            for cs in &sum.claims {
                s += &format!("**What to take away.** {}\n\n", takeaway(cs, info));
            }
        }
        let single = report_view(&Report {
            parts: vec![],
            ..(*p).clone()
        });
        if !single.table_a.rows.is_empty() {
            s += &format!(
                "Table A (power-law rates{}):\n\n{}\n",
                if p.summary.is_some() {
                    ", pooled over the replicates"
                } else {
                    ""
                },
                single.table_a.markdown()
            );
        }
        if !single.table_b.rows.is_empty() {
            s += &format!(
                "Table B (covariance spectra{}):\n\n{}\n",
                if p.summary.is_some() {
                    ", over the replicates"
                } else {
                    ""
                },
                single.table_b.markdown()
            );
        }
        if !single.arms.rows.is_empty() {
            s += &format!(
                "Arms (final training accuracy on the arm's own labels, final test accuracy{}):\n\n{}\n",
                if p.replicates.is_empty() {
                    ""
                } else {
                    "; median [range] over the replicates"
                },
                single.arms.markdown()
            );
        }
        if let Some(m) = &p.mechanism {
            s += &format!("Mechanism demo (first replicate), d = {}, T = {}:\n\n| setting | dimension-wise rate | mean α̂ | theory 1 + 2/s | iteration-wise rate |\n|---|---|---|---|---|\n", m.d, m.t);
            for r in &m.rows {
                s += &format!(
                    "| {} | {} | {:.2} | {} | {} |\n",
                    r.label,
                    fmt_rate(&r.dimension),
                    r.alpha_mean,
                    r.alpha_theory.map_or("–".into(), |a| format!("{a:.2}")),
                    fmt_rate(&r.iteration)
                );
            }
            s += "\n";
        }
        let prefix = format!("{}-", p.preset);
        for f in images.iter().filter(|f| f.starts_with(&prefix) && f.ends_with(".svg")) {
            s += &format!("![{f}]({f})\n");
        }
        s += "\n";
    }
    s
}
