//! The verdict panels: the power-law verdict (test, d_ks, d_c or bootstrap p, level, n, x_min,
//! n_tail, α̂ ± σ, Vuong tests) and the Gaussianity verdict (every test's statistic and p at level
//! 0.05), as plain strings ([`Verdict`]) and drawn ([`draw_verdict`]).

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::plot::theme::{BG, GRID, INK, SERIES};
use crate::plot::{PlotResult, Theme};
use crate::stats::normality::NormalityReport;
use crate::stats::{PowerLawReport, Rule};

/// One line of the verdict panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictLine {
    pub label: String,
    pub value: String,
}

/// The verdict panel: a headline, whether the hypothesis survived, the numbers, one line of plain
/// language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub title: String,
    pub headline: String,
    /// `true`: the power law (or normality) is not rejected.
    pub pass: bool,
    pub lines: Vec<VerdictLine>,
    pub plain: String,
}

fn line(label: &str, value: String) -> VerdictLine {
    VerdictLine {
        label: label.to_string(),
        value,
    }
}

impl Verdict {
    /// The power-law verdict: test, statistic, critical value or p, level, n, x_min, n_tail, α̂.
    pub fn from_power_law(r: &PowerLawReport) -> Self {
        let rule = match r.rule {
            Rule::Paper => "top-K KS test (paper's rule)",
            Rule::Clauset => "Clauset–Shalizi–Newman",
        };
        let mut lines = vec![
            line("test", rule.to_string()),
            line("d_ks", format!("{:.4}", r.ks_d)),
            line("d_c", format!("{:.4} (α = {})", r.ks_critical, r.level)),
        ];
        if let Some(p) = r.p_value {
            lines.push(line("bootstrap p", format!("{p:.3} ({} replicates)", r.bootstrap)));
        }
        lines.push(line("n (zeros dropped)", format!("{} ({})", r.n, r.n_zero)));
        lines.push(line("x_min, n_tail", format!("{:.4e}, {}", r.xmin, r.n_tail)));
        lines.push(line("exponent α̂", format!("{:.3} ± {:.3}", r.alpha, r.alpha_stderr)));
        lines.push(line(
            "vs lognormal R (p)",
            format!("{:+.2} ({:.3})", r.vs_lognormal.llr_normalized, r.vs_lognormal.p),
        ));
        lines.push(line(
            "vs exponential R (p)",
            format!("{:+.2} ({:.3})", r.vs_exponential.llr_normalized, r.vs_exponential.p),
        ));
        let plain = match (r.rule, r.power_law) {
            (Rule::Paper, true) => format!(
                "The largest {} magnitudes are consistent with a power law (d_ks < d_c).",
                r.n_tail
            ),
            (Rule::Paper, false) => format!(
                "The largest {} magnitudes are not a power law at level {} (d_ks ≥ d_c).",
                r.n_tail, r.level
            ),
            (Rule::Clauset, true) => {
                "A power-law tail is plausible (bootstrap p > 0.1, or d_ks < d_c without bootstrap).".to_string()
            }
            (Rule::Clauset, false) => {
                "A power-law tail is ruled out (bootstrap p ≤ 0.1, or d_ks ≥ d_c without bootstrap).".to_string()
            }
        };
        Verdict {
            title: "Power-law tail".into(),
            headline: if r.power_law {
                "power law: not rejected".into()
            } else {
                "power law: rejected".into()
            },
            pass: r.power_law,
            lines,
            plain,
        }
    }

    /// The Gaussianity verdict at level 0.05: rejected when any test's p < 0.05 (each p shown).
    pub fn from_normality(r: &NormalityReport) -> Self {
        let mut ps = vec![
            ("D'Agostino–Pearson K²", r.dagostino_pearson.k2, r.dagostino_pearson.p),
            ("Jarque–Bera", r.jarque_bera.jb, r.jarque_bera.p),
            ("Anderson–Darling A²", r.anderson_darling.a2, r.anderson_darling.p),
            ("Lilliefors D", r.lilliefors.d, r.lilliefors.p),
        ];
        if let Some(sw) = r.shapiro_wilk {
            ps.insert(0, ("Shapiro–Wilk W", sw.w, sw.p));
        }
        let pass = ps.iter().all(|t| t.2 >= 0.05);
        let mut lines = vec![
            line("n", r.n.to_string()),
            line("mean, std", format!("{:.3e}, {:.3e}", r.mean, r.std)),
            line(
                "skewness, excess kurtosis",
                format!("{:.3}, {:.3}", r.skewness, r.excess_kurtosis),
            ),
        ];
        for (name, s, p) in &ps {
            lines.push(line(name, format!("{s:.4} (p = {p:.3})")));
        }
        Verdict {
            title: "Gaussianity (supplementary)".into(),
            headline: if pass {
                "normal: not rejected at 0.05".into()
            } else {
                "normal: rejected at 0.05".into()
            },
            pass,
            lines,
            plain: if pass {
                "No test finds a departure from a normal distribution at level 0.05.".into()
            } else {
                "At least one test rejects normality at level 0.05 (several tests: read each p).".into()
            },
        }
    }
}

/// Draws a verdict panel: title, coloured headline, a two-column table and the plain line.
pub fn draw_verdict<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, theme: &Theme, v: &Verdict) -> PlotResult {
    area.fill(&BG)?;
    let (w, _h) = area.dim_in_pixel();
    let pad = theme.px(12.0) as i32;
    let mut y = theme.px(10.0) as i32;
    area.draw_text(&v.title, &theme.caption_style(), (pad, y))?;
    y += theme.px(24.0) as i32;
    let colour = if v.pass { SERIES[2] } else { SERIES[1] };
    area.draw(&Rectangle::new(
        [(pad, y), (pad + theme.px(10.0) as i32, y + theme.px(10.0) as i32)],
        colour.filled(),
    ))?;
    area.draw_text(
        &v.headline,
        &theme.font(14.0).color(&colour),
        (pad + theme.px(16.0) as i32, y - theme.px(2.0) as i32),
    )?;
    y += theme.px(24.0) as i32;
    let col2 = pad + (w as i32 - 2 * pad) * 45 / 100;
    let row = theme.px(18.0) as i32;
    for l in &v.lines {
        area.draw_text(&l.label, &theme.font(12.0).color(&INK.mix(0.75)), (pad, y))?;
        area.draw_text(&l.value, &theme.label_style(), (col2, y))?;
        y += row;
    }
    y += theme.px(6.0) as i32;
    area.draw(&PathElement::new(
        vec![(pad, y), (w as i32 - pad, y)],
        GRID.stroke_width(1),
    ))?;
    y += theme.px(8.0) as i32;
    area.draw_text(&v.plain, &theme.font(12.0).color(&INK), (pad, y))?;
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::tails::tests::pareto;
    use crate::plot::to_svg;
    use crate::stats::{normality, power_law_test, PowerLawOptions};

    #[test]
    fn verdict_panels_show_the_numbers() {
        let x = pareto(3000);
        let r = power_law_test(&x, &PowerLawOptions::default(), |_, _| true).unwrap();
        let v = Verdict::from_power_law(&r);
        let svg = to_svg(480, 320, |a| draw_verdict(a, &Theme::default(), &v)).unwrap();
        for s in [
            "d_ks",
            "d_c",
            "x_min, n_tail",
            "exponent",
            "power law: not rejected",
            "consistent with a power law",
        ] {
            assert!(svg.contains(s), "{s}");
        }
        let nr = normality(&x).unwrap();
        let v = Verdict::from_normality(&nr);
        assert!(!v.pass);
        let svg = to_svg(480, 320, |a| draw_verdict(a, &Theme::default(), &v)).unwrap();
        assert!(svg.contains("Shapiro–Wilk") && svg.contains("rejected"));
    }
}
