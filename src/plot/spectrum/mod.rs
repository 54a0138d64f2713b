//! The **Spectrum** view's charts: rank plot on log-log axes with the fitted power law and the
//! Gaussian / Marchenko–Pastur baseline, eigengaps (by rank and re-sorted), Davis–Kahan
//! (sin∠ against its bound), cumulative trace share; the Marchenko–Pastur histogram; and the
//! verdict table row in the paper's format (d_ks, d_c, power law, β̂ ± σ, ŝ) as plain strings.
//!
//! Every chart takes a `DrawingArea`, a [`Theme`] and plain data; values that cannot be drawn
//! on log axes (≤ 0, non-finite) are dropped; an empty series draws a "no data" note.
//!
//! By chart: [`rank`] (rank plot), [`theory`] (eigengaps and cumulative trace share),
//! [`davis_kahan`], [`mp`] (Marchenko–Pastur histogram), [`verdict`] (the table row); this file
//! holds the log–log chart and tick helpers they share and [`spectrum_views`], which builds the
//! data of all of them from one analysis.

pub mod davis_kahan;
pub mod mp;
pub mod rank;
pub mod theory;
pub mod verdict;

pub use davis_kahan::{draw_davis_kahan, DavisKahanPlot};
pub use mp::draw_mp_histogram;
pub use rank::{draw_rank_plot, RankPlot};
pub use theory::{draw_eigengaps, draw_trace_share, EigengapPlot, TraceSharePlot};
pub use verdict::VerdictRow;

use super::axis::log_axis;
use super::theme::{Theme, BG, GRID, INK};
use super::PlotResult;
use plotters::coord::combinators::WithKeyPoints;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// A compact number: up to 3 significant digits in plain notation for 1e-3 ≤ |v| < 1e5,
/// otherwise `1e-5` style ([`crate::format::tick`]).
pub fn fmt_num(v: f64) -> String {
    crate::format::tick(v, 1e5)
}

/// A chart with logarithmic axes on both sides.
type LogLogChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<WithKeyPoints<LogCoord<f64>>, WithKeyPoints<LogCoord<f64>>>>;

/// The house log–log chart of the spectrum views on `area`: background, frame with `title`,
/// [`log_axis`] on both axes, grid and the axis descriptions `desc` = (x, y).
fn log_log_chart<'a, DB: DrawingBackend + 'a>(
    area: &'a DrawingArea<DB, Shift>,
    theme: &Theme,
    title: &str,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    (x_desc, y_desc): (&str, &str),
) -> PlotResult<LogLogChart<'a, DB>> {
    area.fill(&BG)?;
    let mut chart = theme
        .frame(area, title)
        .build_cartesian_2d(log_axis(x0, x1, 7), log_axis(y0, y1, 8))?;
    chart
        .configure_mesh()
        .light_line_style(GRID.mix(0.35))
        .bold_line_style(GRID)
        .axis_style(INK)
        .label_style(theme.label_style())
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&log_tick)
        .y_label_formatter(&log_tick)
        .draw()?;
    Ok(chart)
}

/// Label for a log-axis key point (the points themselves are chosen by [`log_axis`]).
fn log_tick(v: &f64) -> String {
    if v.is_finite() && *v > 0.0 {
        fmt_num(*v)
    } else {
        String::new()
    }
}

fn lin_tick(v: &f64) -> String {
    fmt_num(*v)
}

fn positive_points(values: impl IntoIterator<Item = (f64, f64)>) -> Vec<(f64, f64)> {
    values
        .into_iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite() && *x > 0.0 && *y > 0.0)
        .collect()
}

/// Log-axis range covering `lo..hi` (positive), padded by a small factor; a degenerate range
/// is widened to a decade.
fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = if lo > 0.0 && hi > 0.0 && lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (1.0, 10.0)
    };
    if hi / lo < 1.0001 {
        (lo / 3.16, hi * 3.16)
    } else {
        (lo / 1.3, hi * 1.3)
    }
}

fn bounds(points: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    points.iter().fold(
        (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY),
        |b, &(x, y)| (b.0.min(x), b.1.max(x), b.2.min(y), b.3.max(y)),
    )
}

/// `n` points evenly spaced in log x on the horizontal line y = `y` from `x0` to `x1` (hover
/// points along a reference line).
fn log_line(x0: f64, x1: f64, y: f64, n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| (x0 * (x1 / x0).powf(i as f64 / (n - 1) as f64), y))
        .collect()
}

/// Legend stroke width in device pixels.
fn legend_stroke(theme: &Theme) -> u32 {
    theme.px(2.0)
}
/// The data of every chart and the verdict table of the Spectrum view, built from one
/// [`SpectrumAnalysis`](crate::spectrum::SpectrumAnalysis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectrumViews {
    pub rank: RankPlot,
    pub eigengaps: EigengapPlot,
    pub davis_kahan: Option<DavisKahanPlot>,
    pub trace_share: TraceSharePlot,
    /// The spectrum's row, then the Gaussian baseline's when present.
    pub verdicts: Vec<VerdictRow>,
}

/// Chart data for the Spectrum view; `label` names the run in the caption and the verdict table.
pub fn spectrum_views(a: &crate::spectrum::SpectrumAnalysis, label: &str) -> SpectrumViews {
    let s = Some(a.report.fit.s);
    let mut verdicts = vec![VerdictRow::new(label, &a.report.fit)];
    if let Some(b) = &a.baseline {
        verdicts.push(VerdictRow::new("Gaussian baseline (same shape and trace)", &b.fit));
    }
    SpectrumViews {
        rank: RankPlot {
            eigenvalues: a.report.eigenvalues.clone(),
            fit: Some(a.report.fit.clone()),
            baseline: a.baseline.as_ref().map(|b| b.eigenvalues.clone()),
            mp: Some(a.report.mp),
            title: format!("Covariance spectrum: {label}"),
        },
        eigengaps: EigengapPlot {
            gaps: a.theory.eigengaps.clone(),
            s,
        },
        davis_kahan: a.davis_kahan.as_ref().map(|dk| DavisKahanPlot {
            davis_kahan: dk.clone(),
            s,
        }),
        trace_share: TraceSharePlot {
            share: a.theory.trace_share.clone(),
            effective_rank: a.theory.effective_rank,
        },
        verdicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::to_svg_with;
    use crate::spectrum::Eigengaps;
    #[test]
    fn other_spectrum_charts_index_their_series() {
        let ts = TraceSharePlot {
            share: (1..=300).map(|k| 1.0 - 1.0 / k as f64).collect(),
            effective_rank: 12.0,
        };
        let (_, idx) = to_svg_with(500, 350, |a| draw_trace_share(a, &Theme::for_dpr(2.0), &ts)).unwrap();
        assert_eq!(idx.series.len(), 1);
        assert_eq!(idx.series[0].len(), 300);
        let eg = EigengapPlot {
            gaps: Eigengaps {
                by_rank: vec![1.0, 0.5, 0.25],
                sorted: vec![1.0, 0.5, 0.25],
            },
            s: Some(1.0),
        };
        let (_, idx) = to_svg_with(500, 350, |a| draw_eigengaps(a, &Theme::default(), &eg)).unwrap();
        assert_eq!(idx.series[0].name, "by rank k");
        assert_eq!(idx.series.len(), 3);
        let (_, idx) = to_svg_with(500, 350, |a| draw_rank_plot(a, &Theme::default(), &RankPlot::default())).unwrap();
        assert!(idx.series.is_empty(), "no data, nothing to hover");
    }
}
