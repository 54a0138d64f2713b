//! The "gradient structure" panel as shown: Table A, the four kinds of sample each with its
//! power-law and Gaussianity verdicts in words, Table B and the spectrum charts — all decided
//! from one [`GradientStructure`] and the level α it was tested at. `www/structure.js` only lays
//! these out.

use super::report::TableView;
use crate::experiment::measure::{GradientStructure, TailTest};
use crate::format::{level as fmt_level, n3, num, rate};
use crate::plot::spectrum::spectrum_views;
use crate::plot::Chart;
use crate::spectrum::SpectrumReport;
use crate::stats::powerlaw::CLAUSET_P_PLAUSIBLE;
use crate::stats::{NormalityReport, PowerLawRate, Rule};
use serde::Serialize;

/// One verdict box: a head ("Dimension-wise g: power law"), the numbers, and one plain line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelView {
    pub head: String,
    /// The decision in two words ("power law", "not rejected by any of 5 tests").
    pub decision: String,
    /// `true`: the decision is "yes" (power law / Gaussian not rejected).
    pub yes: bool,
    pub numbers: String,
    pub plain: String,
}

/// One of the four kinds of sample of Table A.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleView {
    /// `dim-g`, `dim-sgn`, `iter-g`, `iter-sgn` (the page's element ids).
    pub key: &'static str,
    pub name: &'static str,
    /// What the sample is, in words.
    pub what: &'static str,
    /// The chart the sample opens with: `ccdf` (dimension-wise) or `hist` (iteration-wise).
    pub initial_view: &'static str,
    /// `None` when the sample was not measured (`missing` says why).
    pub power_law: Option<PanelView>,
    pub normality: Option<PanelView>,
    pub missing: Option<String>,
    /// Chart titles for the three views (CCDF, histogram, Q–Q) and the CCDF's fit.
    pub titles: ChartTitles,
    pub fit: Option<crate::plot::tails::TailFitLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartTitles {
    pub ccdf: String,
    pub hist: String,
    pub qq: String,
}

/// The whole panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasurementView {
    pub step: u64,
    /// Table A's cells: rows dimension-wise / iteration-wise, columns g / ξ.
    pub table_a: [[String; 2]; 2],
    pub table_a_caption: String,
    pub samples: Vec<SampleView>,
    pub table_b: Option<TableView>,
    pub spectrum_caption: Option<String>,
    /// The spectrum's verdict in words (the fit of Table B's first row against its baseline).
    pub spectrum_verdict: Option<PanelView>,
    /// The spectrum charts: rank plot, trace share, eigengaps, Davis–Kahan (when measured).
    pub spectrum_charts: Vec<Chart>,
}

struct Kind {
    key: &'static str,
    /// The sample's name in `GradientStructure::untested`.
    sample: &'static str,
    name: &'static str,
    what: &'static str,
    noun: &'static str,
    iteration_wise: bool,
}

const KINDS: [Kind; 4] = [
    Kind {
        key: "dim-g",
        sample: "dimension-wise g",
        name: "Dimension-wise g",
        what: "all coordinates of one minibatch gradient",
        noun: "these coordinates",
        iteration_wise: false,
    },
    Kind {
        key: "dim-sgn",
        sample: "dimension-wise SGN",
        name: "Dimension-wise ξ",
        what: "all coordinates of the noise ξ = g − ∇L of the same minibatch",
        noun: "these coordinates",
        iteration_wise: false,
    },
    Kind {
        key: "iter-g",
        sample: "iteration-wise g",
        name: "Iteration-wise g",
        what: "one parameter's gradient across the logged training steps",
        noun: "this parameter's gradient",
        iteration_wise: true,
    },
    Kind {
        key: "iter-sgn",
        sample: "iteration-wise SGN",
        name: "Iteration-wise ξ",
        what: "one parameter's noise across minibatch draws at the frozen weights",
        noun: "this parameter's noise",
        iteration_wise: true,
    },
];

/// The power-law verdict box of a sample.
pub fn power_law_panel(name: &str, t: &TailTest) -> PanelView {
    let r = &t.power_law;
    let tail = match r.rule {
        Rule::Paper => format!("the {} largest |values|", r.n_tail),
        Rule::Clauset => format!("the {} values above x_min", r.n_tail),
    };
    let mut numbers = format!(
        "{} · n = {}{} · K = {} · x_min = {} · α̂ = {} ± {} · d_ks = {} vs d_c = {} at α = {}",
        match r.rule {
            Rule::Paper => "paper rule (top-K KS)",
            Rule::Clauset => "Clauset rule (x_min by KS)",
        },
        r.n,
        if r.n_zero > 0 {
            format!(" ({} zeros dropped)", r.n_zero)
        } else {
            String::new()
        },
        r.n_tail,
        n3(r.xmin),
        n3(r.alpha),
        num(r.alpha_stderr, 2),
        n3(r.ks_d),
        n3(r.ks_critical),
        fmt_level(r.level)
    );
    if let Some(p) = r.p_value {
        numbers += &format!(" · p = {}", n3(p));
    }
    numbers += &format!(
        " · LR vs lognormal {} (p {}), vs exponential {} (p {})",
        n3(r.vs_lognormal.llr_normalized),
        num(r.vs_lognormal.p, 2),
        n3(r.vs_exponential.llr_normalized),
        num(r.vs_exponential.p, 2)
    );
    let plain = match r.p_value {
        Some(p) if r.power_law => format!(
            "{tail} are plausibly a power law with exponent {}: bootstrap p = {} > {} ({} replicates).",
            n3(r.alpha),
            num(p, 2),
            CLAUSET_P_PLAUSIBLE,
            r.bootstrap
        ),
        Some(p) => format!(
            "{tail} are not a plausible power law: bootstrap p = {} ≤ {} ({} replicates).",
            num(p, 2),
            CLAUSET_P_PLAUSIBLE,
            r.bootstrap
        ),
        None if r.power_law => format!(
            "{tail} follow a power law with exponent {} (heavy-tailed).",
            n3(r.alpha)
        ),
        None => format!("{tail} are not consistent with a power law (d_ks ≥ d_c): no heavy tail detected."),
    };
    PanelView {
        head: format!("{name}: "),
        decision: if r.power_law { "power law" } else { "not a power law" }.into(),
        yes: r.power_law,
        numbers,
        plain: upper_first(&plain),
    }
}

/// The Gaussianity verdict box: how many of the five tests reject normality at `alpha`, and one
/// line on what that means for `noun`; `iteration_wise` says what the paper expects of it
/// (Gaussian-like iteration-wise, heavy-tailed dimension-wise).
pub fn normality_panel(n: &NormalityReport, noun: &str, iteration_wise: bool, alpha: f64) -> PanelView {
    let ps: Vec<(&str, f64)> = [
        ("Shapiro–Wilk", n.shapiro_wilk.as_ref().map(|t| t.p)),
        ("D'Agostino K²", Some(n.dagostino_pearson.p)),
        ("Jarque–Bera", Some(n.jarque_bera.p)),
        ("Anderson–Darling", Some(n.anderson_darling.p)),
        ("Lilliefors", Some(n.lilliefors.p)),
    ]
    .into_iter()
    .filter_map(|(name, p)| p.filter(|p| p.is_finite()).map(|p| (name, p)))
    .collect();
    let rejected = ps.iter().filter(|(_, p)| *p < alpha).count();
    let a = fmt_level(alpha);
    let plural = noun.starts_with("these");
    let plain = if rejected > 0 {
        format!(
            "At level {a} {noun} depart{} from a Gaussian{}.",
            if plural { "" } else { "s" },
            if iteration_wise {
                ", unlike what the paper finds iteration-wise"
            } else {
                ", as heavy tails imply"
            }
        )
    } else {
        format!(
            "At level {a} nothing contradicts a Gaussian for {noun}{}.",
            if iteration_wise {
                ", as the paper finds iteration-wise"
            } else {
                ""
            }
        )
    };
    PanelView {
        head: "Gaussian? ".into(),
        decision: if rejected > 0 {
            format!("rejected by {rejected} of {} tests at level {a}", ps.len())
        } else {
            format!("not rejected by any of {} tests at level {a}", ps.len())
        },
        yes: rejected == 0,
        numbers: format!(
            "n = {} · skewness {} · excess kurtosis {} · p-values: {}",
            n.n,
            n3(n.skewness),
            n3(n.excess_kurtosis),
            ps.iter()
                .map(|(name, p)| format!("{name} {}", num(*p, 2)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        plain,
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn rate_cell(r: &PowerLawRate) -> String {
    rate(r)
}

fn spectrum_table(label: &str, r: &SpectrumReport, baseline: Option<&SpectrumReport>) -> TableView {
    let row = |label: &str, s: &SpectrumReport| {
        let f = &s.fit;
        vec![
            label.to_string(),
            f.k.to_string(),
            n3(f.ks_d),
            n3(f.ks_critical),
            if f.power_law { "yes" } else { "no" }.into(),
            format!("{} ± {}", n3(f.beta), num(f.beta_stderr, 2)),
            n3(f.s),
            format!("{} ({})", n3(f.ls_slope), num(f.ls_r2, 2)),
            if s.flat {
                "flat (ŝ < 0.3)".into()
            } else {
                String::new()
            },
        ]
    };
    let mut rows = vec![row(label, r)];
    if let Some(b) = baseline {
        rows.push(row("Gaussian baseline (same shape, same total variance)", b));
    }
    TableView {
        head: [
            "spectrum of",
            "K",
            "d_ks",
            "d_c",
            "power law",
            "β̂ ± σ",
            "ŝ",
            "LS slope (r²)",
            "note",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

/// The panel of measurement `g`, its tests at level `alpha`.
pub fn measurement_view(g: &GradientStructure, alpha: f64) -> MeasurementView {
    let ta = &g.table_a;
    let samples = KINDS
        .iter()
        .map(|k| {
            let t = match k.key {
                "dim-g" => g.dimension_g.as_ref(),
                "dim-sgn" => g.dimension_sgn.as_ref(),
                "iter-g" => g.iteration_g.as_ref(),
                _ => g.iteration_sgn.as_ref(),
            };
            let n = t.map_or(0, |t| t.power_law.n);
            let titles = ChartTitles {
                ccdf: format!("{}: CCDF of |x| (n = {n})", k.name),
                hist: format!("{}: histogram (n = {})", k.name, t.map_or(0, |t| t.sample.len())),
                qq: format!("{}: normal Q–Q", k.name),
            };
            SampleView {
                key: k.key,
                name: k.name,
                what: k.what,
                initial_view: if k.iteration_wise { "hist" } else { "ccdf" },
                power_law: t.map(|t| power_law_panel(&t.label, t)),
                normality: t.map(|t| match &t.normality {
                    Some(n) => normality_panel(n, k.noun, k.iteration_wise, alpha),
                    None => PanelView {
                        head: "Gaussian? ".into(),
                        decision: "not tested".into(),
                        yes: false,
                        numbers: String::new(),
                        plain: format!(
                            "The Gaussianity tests need at least {} distinct values.",
                            crate::stats::normality::NORMALITY_MIN_N
                        ),
                    },
                }),
                missing: t
                    .is_none()
                    .then(|| match g.untested.iter().find(|u| u.sample == k.sample) {
                        Some(u) => format!("{}: could not be tested — {}.", k.name, u.reason),
                        None => format!(
                            "{}: not measured — the run has only {} logged steps, too few for a tail test.",
                            k.name, g.logged_steps
                        ),
                    }),
                titles,
                fit: t.map(|t| crate::plot::tails::TailFitLine::from_report(&t.power_law)),
            }
        })
        .collect();
    let rule = format!("{:?}", g.rule).to_lowercase();
    let table_a_caption = format!(
        "({rule} rule, level {}; {} minibatch draws dimension-wise, {} tracked parameters over {} steps and {} draws iteration-wise; paper: dimension-wise high, iteration-wise low)",
        fmt_level(g.level),
        ta.dimension_g.tested,
        g.tracked.len(),
        g.logged_steps,
        g.draws
    );
    let spectrum_verdict = g
        .spectrum
        .as_ref()
        .map(|sp| spectrum_panel(&sp.report, sp.baseline.as_ref()));
    let (table_b, spectrum_caption, spectrum_charts) = match &g.spectrum {
        Some(sp) => {
            let label = format!("gradients at step {}", g.step);
            let v = spectrum_views(sp, &label);
            let mut charts = vec![
                Chart::Rank { data: v.rank },
                Chart::TraceShare { data: v.trace_share },
                Chart::Eigengaps { data: v.eigengaps },
            ];
            if let Some(dk) = v.davis_kahan {
                charts.push(Chart::DavisKahan { data: dk });
            }
            let r = &sp.report;
            (
                Some(spectrum_table(&label, r, sp.baseline.as_ref())),
                Some(format!(
                    "(C₁ from N = {} per-sample gradients, P = {} parameters, rank {}; paper: λ_k ∝ k^(−s), steeper than the Gaussian baseline)",
                    r.n, r.d, r.rank
                )),
                charts,
            )
        }
        None => (None, None, Vec::new()),
    };
    MeasurementView {
        step: g.step,
        table_a: [
            [rate_cell(&ta.dimension_g), rate_cell(&ta.dimension_sgn)],
            [
                ta.iteration_g.as_ref().map_or("no training log".into(), rate_cell),
                rate_cell(&ta.iteration_sgn),
            ],
        ],
        table_a_caption,
        samples,
        table_b,
        spectrum_caption,
        spectrum_verdict,
        spectrum_charts,
    }
}

/// The spectrum's verdict box: whether the top-K eigenvalues follow a power law λ_k ∝ k^(−s)
/// (the paper's KS rule on the rank plot, Xie et al. 2023 §4), with ŝ beside the Gaussian
/// baseline's.
pub fn spectrum_panel(r: &SpectrumReport, baseline: Option<&SpectrumReport>) -> PanelView {
    let f = &r.fit;
    let yes = f.power_law && !r.flat;
    let base = baseline.map(|b| b.fit.s);
    let numbers = format!(
        "top K = {} eigenvalues · ŝ = {} · d_ks = {} vs d_c = {}{}",
        f.k,
        n3(f.s),
        n3(f.ks_d),
        n3(f.ks_critical),
        base.map_or(String::new(), |b| format!(" · Gaussian baseline ŝ = {}", n3(b)))
    );
    let plain = if r.flat {
        "The spectrum is flat (ŝ < 0.3): no power-law decay.".to_string()
    } else if f.power_law {
        let than = match base {
            Some(b) if f.s > b => format!(", steeper than the Gaussian baseline's {}", n3(b)),
            Some(b) => format!(", not steeper than the Gaussian baseline's {}", n3(b)),
            None => String::new(),
        };
        format!(
            "The top {} eigenvalues fall off as a power law λ_k ∝ k^(−ŝ) with ŝ = {}{than}.",
            f.k,
            n3(f.s)
        )
    } else {
        format!(
            "The top {} eigenvalues are not consistent with a power law (d_ks ≥ d_c).",
            f.k
        )
    };
    PanelView {
        head: "Covariance spectrum: ".into(),
        decision: if yes { "power law" } else { "not a power law" }.into(),
        yes,
        numbers,
        plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::{analyze, FitParams, Spectrum};

    /// A spectrum λ_k = k^(−s) for k = 1..200 (an exact power law of exponent `s`).
    fn power(s: f64) -> SpectrumReport {
        let eigenvalues: Vec<f64> = (1..=200).map(|k| (k as f64).powf(-s)).collect();
        let spectrum = Spectrum {
            n: 400,
            d: 200,
            rank: 200,
            eigenvalues,
        };
        analyze(spectrum, &FitParams::default()).unwrap()
    }

    #[test]
    fn the_spectrum_verdict_says_power_law_steeper_than_the_baseline_or_flat() {
        let (steep, gentle) = (power(2.0), power(0.6));
        assert!((steep.fit.s - 2.0).abs() < 0.2, "ŝ = {}", steep.fit.s);
        let p = spectrum_panel(&steep, Some(&gentle));
        assert!(p.yes && p.decision == "power law", "{p:?}");
        assert!(p.plain.contains("steeper than the Gaussian baseline's"), "{}", p.plain);
        assert!(p.numbers.contains("Gaussian baseline ŝ"));
        let p = spectrum_panel(&gentle, Some(&steep));
        assert!(p.plain.contains("not steeper than"), "{}", p.plain);
        // A nearly constant spectrum: flat, no power-law decay.
        let flat = power(0.05);
        assert!(flat.flat);
        let p = spectrum_panel(&flat, None);
        assert!(
            !p.yes && p.decision == "not a power law" && p.plain.contains("flat"),
            "{p:?}"
        );
    }
}
