//! The Tails view's charts: the CCDF on log-log axes with the fitted power law and the tail
//! region, a histogram with the fitted normal density, a normal Q–Q plot, and the verdict panel.
//!
//! Each function follows the convention of [`crate::plot`]: generic over the backend, takes the
//! area, a [`Theme`](crate::plot::Theme) and plain data; values that cannot be drawn (non-finite, or ≤ 0 on log axes)
//! are dropped; an empty series draws the frame with a "no data" note.
//!
//! By chart: [`ccdf`] (the CCDF of the full sample or of a summary, with the fitted tail),
//! [`histogram`] (density histogram and normal fit), [`qq`] (normal Q–Q plot), [`verdict`] (the
//! verdict panels of the power-law and Gaussianity tests). This file keeps the helpers they
//! share (point thinning, tick labels, log ranges).

// `!(x > 0.0)` is used on purpose: it is also true for NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod ccdf;
pub mod histogram;
pub mod qq;
pub mod verdict;

pub use ccdf::{ccdf_x_floor, draw_ccdf, draw_ccdf_summary, CcdfData, TailFitLine};
pub use histogram::{draw_histogram, HistogramData};
pub use qq::{draw_qq, QqData};
pub use verdict::{draw_verdict, Verdict, VerdictLine};

use super::hover::log_tail;

/// Most points drawn per scatter (ranks thinned evenly in log rank beyond that).
const MAX_POINTS: usize = 2000;

/// Indices 0..n thinned to at most `max`, evenly spaced in log(rank from the top) so the tail
/// keeps every point and the bulk is sampled.
fn thin_ranks(n: usize, max: usize) -> Vec<usize> {
    log_tail(n, max)
}

/// Tick label: plain decimals between 10⁻³ and 10⁴, otherwise `1e-5` style ([`crate::format::tick`]).
fn tick(v: f64) -> String {
    crate::format::tick(v, 1e4)
}

fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        (lo / 1.3, hi * 1.3)
    } else {
        (lo / 2.0, hi * 2.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tick_labels_keep_three_significant_digits() {
        assert_eq!(super::tick(0.0012), "0.0012");
        assert_eq!(super::tick(0.001), "0.001");
        assert_eq!(super::tick(2.5), "2.5");
        assert_eq!(super::tick(1234.0), "1234");
        assert_eq!(super::tick(-0.25), "-0.25");
        assert_eq!(super::tick(0.0), "0");
        assert_eq!(super::tick(2e-5), "2e-5");
    }

    use super::*;
    use crate::plot::to_svg;
    use crate::plot::Theme;
    use crate::stats::{normality, power_law_test, PowerLawOptions};

    /// A symmetric sample with Pareto tails, α = 2.5 (deterministic quantiles).
    pub(super) fn pareto(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| (1.0 - (i as f64 + 0.5) / n as f64).powf(-1.0 / 1.5) * if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect()
    }

    #[test]
    fn histogram_and_qq_hover_indexes() {
        let x: Vec<f64> = (0..5000)
            .map(|i| ((i as f64 * 0.7548776662).fract() - 0.5) * 2.0)
            .collect();
        let (_, h) = crate::plot::to_svg_with(640, 420, |a| {
            draw_histogram(
                a,
                &Theme::default(),
                &HistogramData {
                    values: &x,
                    bins: Some(20),
                    title: "h",
                },
            )
        })
        .unwrap();
        let bars = &h.series[0];
        assert!(bars.name.starts_with("histogram"));
        assert_eq!(bars.len(), 20);
        let total: f64 = bars.y.iter().sum::<f64>() * (bars.x[1] - bars.x[0]);
        assert!((total - 1.0).abs() < 1e-9, "densities integrate to 1: {total}");
        let (svg, q) = crate::plot::to_svg_with(640, 420, |a| {
            draw_qq(a, &Theme::default(), &QqData { values: &x, title: "q" })
        })
        .unwrap();
        let s = q.get("sample").unwrap();
        assert!(s.len() <= crate::plot::hover::CAP);
        let mut sorted = x.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        assert_eq!(
            (s.y[0], *s.y.last().unwrap()),
            (sorted[0], sorted[4999]),
            "both extremes kept"
        );
        let circles = crate::plot::hover::svg_circles(&svg);
        assert!((0..s.len()).all(|i| circles.contains(&s.pixel(i))));
    }

    #[test]
    fn charts_say_no_data_instead_of_failing() {
        let t = Theme::for_dpr(2.0);
        let bad = [f64::NAN, 0.0, f64::INFINITY];
        let mut subnormal = [0.0; 10];
        subnormal[9] = 5e-324;
        for svg in [
            to_svg(300, 200, |a| {
                draw_ccdf(
                    a,
                    &t,
                    &CcdfData {
                        values: &bad,
                        fit: None,
                        title: "c",
                    },
                )
            })
            .unwrap(),
            to_svg(300, 200, |a| {
                draw_histogram(
                    a,
                    &t,
                    &HistogramData {
                        values: &[],
                        bins: None,
                        title: "h",
                    },
                )
            })
            .unwrap(),
            to_svg(300, 200, |a| {
                draw_qq(
                    a,
                    &t,
                    &QqData {
                        values: &[1.0, 1.0, 1.0],
                        title: "q",
                    },
                )
            })
            .unwrap(),
            // A spread below the smallest subnormal: σ rounds to 0 (RELIABILITY finding #7).
            to_svg(300, 200, |a| {
                draw_histogram(
                    a,
                    &t,
                    &HistogramData {
                        values: &subnormal,
                        bins: None,
                        title: "h",
                    },
                )
            })
            .unwrap(),
            to_svg(300, 200, |a| {
                draw_qq(
                    a,
                    &t,
                    &QqData {
                        values: &subnormal,
                        title: "q",
                    },
                )
            })
            .unwrap(),
        ] {
            assert!(svg.contains("no data"), "{svg}");
        }
        // A fit with nonsense numbers is dropped, not drawn as NaN.
        let x = pareto(100);
        let svg = to_svg(300, 200, |a| {
            draw_ccdf(
                a,
                &t,
                &CcdfData {
                    values: &x,
                    fit: Some(TailFitLine {
                        xmin: f64::NAN,
                        alpha: 2.0,
                        n_tail: 3,
                        n: 100,
                    }),
                    title: "c",
                },
            )
        })
        .unwrap();
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn histogram_and_qq_draw_bars_lines_and_points() {
        let x: Vec<f64> = (0..500)
            .map(|i| ((i as f64 * 0.7548776662).fract() - 0.5) * 2.0 + ((i as f64 * 0.5698402910).fract() - 0.5))
            .collect();
        let h = to_svg(640, 420, |a| {
            draw_histogram(
                a,
                &Theme::default(),
                &HistogramData {
                    values: &x,
                    bins: Some(25),
                    title: "histogram",
                },
            )
        })
        .unwrap();
        assert!(h.matches("<rect").count() >= 25, "bars");
        assert!(h.contains("<polyline") && h.contains("normal fit"));
        let q = to_svg(640, 420, |a| {
            draw_qq(
                a,
                &Theme::default(),
                &QqData {
                    values: &x,
                    title: "Q–Q",
                },
            )
        })
        .unwrap();
        assert!(q.matches("<circle").count() >= 500 && q.contains("<polyline"));
    }

    /// `SGN_LAB_RENDER_DIR=/tmp/x cargo test --lib render_tails_samples` writes one SVG of each
    /// chart there for a human look (does nothing otherwise).
    #[test]
    fn render_tails_samples() {
        let Ok(dir) = std::env::var("SGN_LAB_RENDER_DIR") else {
            return;
        };
        let x = pareto(3000);
        let mut rng = crate::rng::seeded(1);
        let mut g: Vec<f64> = (0..3000)
            .map(|_| rand::RngExt::sample::<f64, _>(&mut rng, rand_distr::StandardNormal))
            .collect();
        g.extend_from_slice(&x[..30]);
        let r = power_law_test(&x, &PowerLawOptions::default(), |_, _| true).unwrap();
        let t = Theme::default();
        let files = [
            (
                "ccdf.svg",
                to_svg(640, 420, |a| {
                    draw_ccdf(
                        a,
                        &t,
                        &CcdfData {
                            values: &x,
                            fit: Some(TailFitLine::from_report(&r)),
                            title: "CCDF of |g|",
                        },
                    )
                })
                .unwrap(),
            ),
            (
                "hist.svg",
                to_svg(640, 420, |a| {
                    draw_histogram(
                        a,
                        &t,
                        &HistogramData {
                            values: &g,
                            bins: None,
                            title: "Histogram and normal fit",
                        },
                    )
                })
                .unwrap(),
            ),
            (
                "qq.svg",
                to_svg(640, 420, |a| {
                    draw_qq(
                        a,
                        &t,
                        &QqData {
                            values: &g,
                            title: "Normal Q–Q",
                        },
                    )
                })
                .unwrap(),
            ),
            (
                "verdict.svg",
                to_svg(520, 300, |a| draw_verdict(a, &t, &Verdict::from_power_law(&r))).unwrap(),
            ),
            (
                "verdict_normal.svg",
                to_svg(520, 300, |a| {
                    draw_verdict(a, &t, &Verdict::from_normality(&normality(&g).unwrap()))
                })
                .unwrap(),
            ),
        ];
        for (name, svg) in files {
            std::fs::write(std::path::Path::new(&dir).join(name), svg).unwrap();
        }
    }
}
