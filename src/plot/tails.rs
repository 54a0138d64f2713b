//! The Tails view's charts: the CCDF on log-log axes with the fitted power law and the tail
//! region, a histogram with the fitted normal density, a normal Q–Q plot, and the verdict panel.
//!
//! Each function follows the convention of [`crate::plot`]: generic over the backend, takes the
//! area, a [`Theme`] and plain data; values that cannot be drawn (non-finite, or ≤ 0 on log axes)
//! are dropped; an empty series draws the frame with a "no data" note.

// `!(x > 0.0)` is used on purpose: it is also true for NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::hover::{log_tail, HoverIndex, Thin};
use super::legend::{Legend, Marker};
use super::theme::{BG, FIT, GRID, INK, SERIES};
use super::{PlotResult, Theme};
use crate::stats::normality::NormalityReport;
use crate::stats::{PowerLawReport, Rule};

/// Most points drawn per scatter (ranks thinned evenly in log rank beyond that).
const MAX_POINTS: usize = 2000;

/// The fitted tail drawn on the CCDF.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct TailFitLine {
    pub xmin: f64,
    /// Exponent α̂ of the density; the CCDF falls as x^(1−α̂).
    pub alpha: f64,
    /// Values ≥ x_min.
    pub n_tail: usize,
    /// All values in the CCDF.
    pub n: usize,
}

/// Data of the CCDF chart.
#[derive(Debug, Clone, PartialEq)]
pub struct CcdfData<'a> {
    /// Magnitudes |x| (any order; zeros and non-finite values are dropped).
    pub values: &'a [f64],
    /// The fitted power law (drawn from x_min to the largest value) and the tail region.
    pub fit: Option<TailFitLine>,
    pub title: &'a str,
}

impl TailFitLine {
    /// From a power-law report (n = non-zero values).
    pub fn from_report(r: &PowerLawReport) -> Self {
        TailFitLine {
            xmin: r.xmin,
            alpha: r.alpha,
            n_tail: r.n_tail,
            n: r.n,
        }
    }
}

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

/// Lower end of the CCDF's x range, from the data that matter: the smaller of x_min/100 (when a
/// fit is drawn) and the 1st percentile of the sorted non-zero magnitudes, x₍⌊0.01 (n−1)⌋₎. One
/// near-zero coordinate (|x| = 1e-17 among values ≈ 1e-3) no longer stretches the axis over 14
/// empty decades; the few values below are left out of the drawing and counted on the axis.
/// `x` is sorted ascending, non-empty, finite and positive.
pub fn ccdf_x_floor(x: &[f64], xmin: Option<f64>) -> f64 {
    let p1 = x[(x.len() - 1) / 100];
    match xmin {
        Some(m) => p1.min(m / 100.0),
        None => p1,
    }
}

/// Empirical CCDF P(X ≥ x) of the magnitudes on log-log axes (points), the fitted power law
/// (n_tail/n)·(x/x_min)^(1−α̂) for x ≥ x_min (line), and the tail region shaded with x_min marked.
/// Hover index: the drawn CCDF points (thinned towards the bulk) and the fitted line.
pub fn draw_ccdf<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    data: &CcdfData<'_>,
) -> PlotResult<HoverIndex> {
    let mut x: Vec<f64> = data
        .values
        .iter()
        .map(|v| v.abs())
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    if x.is_empty() {
        return super::no_data(area, theme, data.title);
    }
    x.sort_unstable_by(|a, b| a.total_cmp(b));
    let n = x.len();
    let fit = data.fit.filter(|f| {
        f.xmin.is_finite() && f.xmin > 0.0 && f.alpha.is_finite() && f.alpha > 1.0 && f.n > 0 && f.n_tail > 0
    });
    let floor = ccdf_x_floor(&x, fit.map(|f| f.xmin));
    // Values below the floor are not drawn (the axis says how many).
    let cut = x.partition_point(|v| *v < floor);
    let mut ranks: Vec<usize> = thin_ranks(n, MAX_POINTS).into_iter().filter(|&i| i >= cut).collect();
    if ranks.first() != Some(&cut) {
        ranks.insert(0, cut); // the smallest value shown starts the curve
    }
    let pts: Vec<(f64, f64)> = ranks.into_iter().map(|i| (x[i], (n - i) as f64 / n as f64)).collect();
    ccdf_chart(area, theme, &pts, n, cut, fit, data.title)
}

/// A CCDF from a summary (`experiment::measure::ccdf_summary`: points (x, P(|X| ≥ x)) sorted
/// by x, of n values), drawn as [`draw_ccdf`] draws the full sample. The x range starts at the
/// smaller of x_min/100 and the 1st percentile (the summary keeps that point: the smallest x
/// with P ≤ (n − ⌊(n − 1)/100⌋)/n); values below are counted as n·(1 − P) at the first point
/// shown.
pub fn draw_ccdf_summary<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    points: &[(f64, f64)],
    n: usize,
    fit: Option<TailFitLine>,
    title: &str,
) -> PlotResult<HoverIndex> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, p)| x.is_finite() && *x > 0.0 && p.is_finite() && *p > 0.0)
        .collect();
    if pts.is_empty() || n == 0 {
        return super::no_data(area, theme, title);
    }
    let fit = fit.filter(|f| {
        f.xmin.is_finite() && f.xmin > 0.0 && f.alpha.is_finite() && f.alpha > 1.0 && f.n > 0 && f.n_tail > 0
    });
    let p1 = (n - (n - 1) / 100) as f64 / n as f64;
    let x_p1 = pts
        .iter()
        .find(|(_, p)| *p <= p1 * (1.0 + 1e-12))
        .map_or(pts[0].0, |q| q.0);
    let floor = fit.map_or(x_p1, |f| x_p1.min(f.xmin / 100.0));
    let first = pts.iter().position(|(x, _)| *x >= floor).unwrap_or(0);
    let shown = &pts[first..];
    let cut = (n as f64 * (1.0 - shown[0].1)).round() as usize;
    ccdf_chart(area, theme, shown, n, cut, fit, title)
}

/// The CCDF chart of [`draw_ccdf`] and [`draw_ccdf_summary`]: `pts` (x ascending) of n values,
/// `cut` of them below the first point and not drawn (said on the x axis).
fn ccdf_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    pts: &[(f64, f64)],
    n: usize,
    cut: usize,
    fit: Option<TailFitLine>,
    title: &str,
) -> PlotResult<HoverIndex> {
    let (x_lo, x_max) = (pts[0].0, pts[pts.len() - 1].0);
    let (xlo, xhi) = log_range(x_lo, x_max);
    let x_desc = if cut > 0 {
        format!("|x|  ({cut} of {n} values below {} not shown)", tick(x_lo))
    } else {
        "|x|".to_string()
    };
    let (ylo, yhi) = (0.5 / n as f64, 1.5);
    area.fill(&BG)?;
    let (top, band) = Legend::split(theme, area, 3);
    let mut legend = Legend::default();
    let mut chart = theme
        .frame(&top, title)
        .build_cartesian_2d(super::axis::log_axis(xlo, xhi, 6), super::axis::log_axis(ylo, yhi, 8))?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID)
        .label_style(theme.label_style())
        .axis_desc_style(theme.label_style())
        .x_desc(x_desc)
        .y_desc("P(|X| ≥ x)")
        // Few x ticks (`log_axis(…, 6)`): |x| spans up to ~15 decades and labels like 1e-13 are wide.
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;
    if let Some(f) = fit {
        legend.add(
            theme,
            chart.draw_series(std::iter::once(Rectangle::new(
                [(f.xmin, ylo), (xhi, yhi)],
                SERIES[4].mix(0.12).filled(),
            )))?,
            format!("tail: {} values ≥ x_min", f.n_tail),
            Marker::Block(SERIES[4].mix(0.3).filled()),
        );
        chart.draw_series(DashedLineSeries::new(
            vec![(f.xmin, ylo), (f.xmin, yhi)],
            theme.px(5.0),
            theme.px(4.0),
            SERIES[1].stroke_width(theme.px(1.25)),
        ))?;
    }
    legend.add(
        theme,
        chart.draw_series(
            pts.iter()
                .map(|&p| Circle::new(p, theme.px(2.0), SERIES[0].mix(0.8).filled())),
        )?,
        "empirical CCDF",
        Marker::Dot(SERIES[0].filled()),
    );
    // Drawn after the points, so that they do not cover it.
    if let Some(f) = fit {
        // The x_min label right of its line, or left of it when the line is near the right edge
        // (a label running past the plotting area was cut off on narrow charts).
        let (lx, ly) = chart.backend_coord(&(f.xmin, yhi / 1.6));
        let right = chart.plotting_area().get_pixel_range().0.end;
        let (bx, by) = area.get_base_pixel();
        let gap = theme.px(3.0) as i32;
        let flip = right - lx < theme.px(90.0) as i32;
        let (hpos, x) = if flip {
            (HPos::Right, lx - gap)
        } else {
            (HPos::Left, lx + gap)
        };
        let style = theme.font(11.0).color(&INK).pos(Pos::new(hpos, VPos::Top));
        let label = format!("x_min = {:.3e}", f.xmin);
        // On a light backing, so the points under it do not make it unreadable.
        let (tw, th) = area.estimate_text_size(&label, &style)?;
        let (tx0, ty0) = (if flip { x - tw as i32 } else { x } - bx, ly - by);
        let pad = theme.px(2.0) as i32;
        area.draw(&Rectangle::new(
            [(tx0 - pad, ty0 - pad), (tx0 + tw as i32 + pad, ty0 + th as i32 + pad)],
            BG.mix(0.85).filled(),
        ))?;
        area.draw_text(&label, &style, (x - bx, ly - by))?;
    }
    let mut hover = HoverIndex::on(chart.plotting_area());
    hover.add(
        chart.as_coord_spec(),
        "empirical CCDF",
        ("|x|", "P(|X| ≥ x)"),
        pts,
        Thin::LogTail,
    );
    if let Some(f) = fit {
        let x1 = x_max.max(f.xmin * 1.0001);
        let share = f.n_tail as f64 / f.n as f64;
        let line: Vec<(f64, f64)> = (0..=64)
            .map(|k| {
                let xv = f.xmin * (x1 / f.xmin).powf(k as f64 / 64.0);
                (xv, share * (xv / f.xmin).powf(1.0 - f.alpha))
            })
            .filter(|p| p.1.is_finite() && p.1 >= ylo)
            .collect();
        hover.add(
            chart.as_coord_spec(),
            format!("power law, α̂ = {:.2}", f.alpha),
            ("|x|", "P(|X| ≥ x)"),
            &line,
            Thin::Extremes,
        );
        legend.add(
            theme,
            chart.draw_series(LineSeries::new(line, FIT.stroke_width(theme.stroke())))?,
            format!("power law, α̂ = {:.2}", f.alpha),
            Marker::Line(FIT.stroke_width(theme.px(2.0))),
        );
    }
    legend.draw(theme, &mut chart, band.as_ref(), SeriesLabelPosition::LowerLeft)?;
    Ok(hover)
}

/// Data of the histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramData<'a> {
    /// The signed sample (non-finite values dropped).
    pub values: &'a [f64],
    /// Number of bins (`None`: Freedman–Diaconis, clamped to 10..=80).
    pub bins: Option<usize>,
    pub title: &'a str,
}

/// Density histogram of the sample with the normal density N(x̄, s²) fitted by the moments.
/// Hover index: the top centre of each bar (bin centre, density) and the normal density.
pub fn draw_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    data: &HistogramData<'_>,
) -> PlotResult<HoverIndex> {
    let mut x: Vec<f64> = data.values.iter().copied().filter(|v| v.is_finite()).collect();
    if x.len() < 2 {
        return super::no_data(area, theme, data.title);
    }
    x.sort_unstable_by(|a, b| a.total_cmp(b));
    let n = x.len();
    let nf = n as f64;
    let (lo, hi) = (x[0], x[n - 1]);
    let mean = x.iter().sum::<f64>() / nf;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
    if !(hi > lo) || !(sd > 0.0) {
        return super::no_data(area, theme, data.title);
    }
    if !((hi - lo).is_finite() && sd.is_finite()) {
        return super::no_data(area, theme, data.title);
    }
    let bins = data.bins.filter(|b| *b > 0).map(|b| b.min(1000)).unwrap_or_else(|| {
        let iqr = x[(3 * n) / 4] - x[n / 4];
        let w = 2.0 * iqr / nf.cbrt();
        if w > 0.0 {
            (((hi - lo) / w).ceil() as usize).clamp(10, 80)
        } else {
            30
        }
    });
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in &x {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let dens: Vec<f64> = counts.iter().map(|&c| c as f64 / (nf * width)).collect();
    let pdf = |v: f64| (-(v - mean).powi(2) / (2.0 * sd * sd)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt());
    let ymax = dens.iter().cloned().fold(pdf(mean), f64::max) * 1.1;
    if !(ymax.is_finite() && ymax > 0.0) {
        return super::no_data(area, theme, data.title);
    }
    area.fill(&BG)?;
    let (top, band) = Legend::split(theme, area, 2);
    let mut legend = Legend::default();
    let mut chart = theme.frame(&top, data.title).build_cartesian_2d(lo..hi, 0.0..ymax)?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID)
        .label_style(theme.label_style())
        .axis_desc_style(theme.label_style())
        .x_desc("x")
        .y_desc("density")
        .x_labels(6)
        // A tick at 0 computed as lo + k·step can come out as ±1e-21: show it as 0.
        .x_label_formatter(&|v| tick(if v.abs() < 1e-9 * (hi - lo) { 0.0 } else { *v }))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;
    let drawn = chart.draw_series(dens.iter().enumerate().map(|(i, &d)| {
        let a = lo + i as f64 * width;
        Rectangle::new([(a, 0.0), (a + width, d)], SERIES[0].mix(0.55).filled())
    }))?;
    legend.add(
        theme,
        drawn,
        format!("histogram (n = {n})"),
        Marker::Block(SERIES[0].mix(0.55).filled()),
    );
    let line: Vec<(f64, f64)> = (0..=200)
        .map(|k| lo + (hi - lo) * k as f64 / 200.0)
        .map(|v| (v, pdf(v)))
        .collect();
    let mut hover = HoverIndex::on(chart.plotting_area());
    let bars: Vec<(f64, f64)> = dens
        .iter()
        .enumerate()
        .map(|(i, &d)| (lo + (i as f64 + 0.5) * width, d))
        .collect();
    hover.add(
        chart.as_coord_spec(),
        format!("histogram (bin width {})", tick(width)),
        ("bin centre", "density"),
        &bars,
        Thin::Extremes,
    );
    hover.add(
        chart.as_coord_spec(),
        "normal fit",
        ("x", "density"),
        &line,
        Thin::Extremes,
    );
    legend.add(
        theme,
        chart.draw_series(LineSeries::new(line, SERIES[1].stroke_width(theme.stroke())))?,
        format!("normal fit N({mean:.2e}, {sd:.2e}²)"),
        Marker::Line(SERIES[1].stroke_width(theme.px(2.0))),
    );
    legend.draw(theme, &mut chart, band.as_ref(), SeriesLabelPosition::UpperRight)?;
    Ok(hover)
}

/// Data of the normal Q–Q plot.
#[derive(Debug, Clone, PartialEq)]
pub struct QqData<'a> {
    pub values: &'a [f64],
    pub title: &'a str,
}

/// Normal Q–Q plot: sorted sample against the normal quantiles Φ⁻¹((i − 3/8)/(n + 1/4)) (Blom),
/// with the reference line x̄ + s·z. Hover index: the drawn sample points (both tails kept) and
/// the reference line's ends.
pub fn draw_qq<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    data: &QqData<'_>,
) -> PlotResult<HoverIndex> {
    use statrs::distribution::{ContinuousCDF, Normal};
    let mut x: Vec<f64> = data.values.iter().copied().filter(|v| v.is_finite()).collect();
    let normal = match Normal::new(0.0, 1.0) {
        Ok(d) => d,
        Err(_) => return super::no_data(area, theme, data.title),
    };
    if x.len() < 3 {
        return super::no_data(area, theme, data.title);
    }
    x.sort_unstable_by(|a, b| a.total_cmp(b));
    let n = x.len();
    let nf = n as f64;
    let mean = x.iter().sum::<f64>() / nf;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
    if !(sd > 0.0) {
        return super::no_data(area, theme, data.title);
    }
    let idx: Vec<usize> = if n <= MAX_POINTS {
        (0..n).collect()
    } else {
        // Keep both tails whole, thin the middle.
        let mut v: Vec<usize> = thin_ranks(n, MAX_POINTS / 2);
        v.extend(thin_ranks(n, MAX_POINTS / 2).into_iter().map(|i| n - 1 - i));
        v.sort_unstable();
        v.dedup();
        v
    };
    let pts: Vec<(f64, f64)> = idx
        .iter()
        .map(|&i| (normal.inverse_cdf((i as f64 + 1.0 - 0.375) / (nf + 0.25)), x[i]))
        .collect();
    let zmax = pts.iter().map(|p| p.0.abs()).fold(0.0, f64::max) * 1.05;
    let (ylo, yhi) = (x[0], x[n - 1]);
    let pad = 0.05 * (yhi - ylo);
    if !(pad.is_finite() && sd.is_finite() && mean.is_finite()) {
        return super::no_data(area, theme, data.title);
    }
    area.fill(&BG)?;
    let (top, band) = Legend::split(theme, area, 2);
    let mut legend = Legend::default();
    let mut chart = theme
        .frame(&top, data.title)
        .build_cartesian_2d(-zmax..zmax, (ylo - pad)..(yhi + pad))?;
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID)
        .label_style(theme.label_style())
        .axis_desc_style(theme.label_style())
        .x_desc("normal quantile")
        .y_desc("sample quantile")
        .x_labels(theme.label_count(pw, 45.0))
        .y_labels(theme.label_count(ph, 24.0))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;
    // The reference line clipped to the plotted box (plotters clamps, not clips, off-chart points).
    let (y0, y1) = (ylo - pad, yhi + pad);
    let za = ((y0 - mean) / sd).max(-zmax);
    let zb = ((y1 - mean) / sd).min(zmax);
    let reference = vec![(za, mean + sd * za), (zb, mean + sd * zb)];
    let mut hover = HoverIndex::on(chart.plotting_area());
    hover.add(
        chart.as_coord_spec(),
        "sample",
        ("normal quantile", "sample quantile"),
        &pts,
        Thin::LogBoth,
    );
    hover.add(
        chart.as_coord_spec(),
        "normal reference x̄ + s·z",
        ("normal quantile", "x̄ + s·z"),
        &reference,
        Thin::Extremes,
    );
    legend.add(
        theme,
        chart.draw_series(LineSeries::new(reference, FIT.stroke_width(theme.stroke())))?,
        "normal reference x̄ + s·z",
        Marker::Line(FIT.stroke_width(theme.px(2.0))),
    );
    legend.add(
        theme,
        chart.draw_series(
            pts.iter()
                .map(|&p| Circle::new(p, theme.px(2.0), SERIES[0].mix(0.8).filled())),
        )?,
        format!("sample (n = {n})"),
        Marker::Dot(SERIES[0].filled()),
    );
    legend.draw(theme, &mut chart, band.as_ref(), SeriesLabelPosition::UpperLeft)?;
    Ok(hover)
}

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
    use crate::stats::{normality, power_law_test, PowerLawOptions};

    fn pareto(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| (1.0 - (i as f64 + 0.5) / n as f64).powf(-1.0 / 1.5) * if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect()
    }

    #[test]
    fn ccdf_has_points_fit_and_tail_region() {
        let x = pareto(3000);
        let r = power_law_test(&x, &PowerLawOptions::default(), |_, _| true).unwrap();
        let svg = to_svg(640, 420, |a| {
            draw_ccdf(
                a,
                &Theme::default(),
                &CcdfData {
                    values: &x,
                    fit: Some(TailFitLine::from_report(&r)),
                    title: "CCDF of |g|",
                },
            )
        })
        .unwrap();
        assert!(svg.contains("<circle"), "points");
        assert!(svg.contains("<polyline"), "fit line");
        assert!(svg.contains("x_min ="), "x_min marker");
        assert!(svg.contains("CCDF of |g|"));
        assert!(svg.contains("power law, α̂ ="));
        assert!(svg.matches("<circle").count() <= MAX_POINTS + 10);
    }

    #[test]
    fn ccdf_hover_points_are_drawn_markers_on_log_axes() {
        let x = pareto(20_000);
        let r = power_law_test(&x, &PowerLawOptions::default(), |_, _| true).unwrap();
        let (svg, idx) = crate::plot::to_svg_with(640, 420, |a| {
            draw_ccdf(
                a,
                &Theme::default(),
                &CcdfData {
                    values: &x,
                    fit: Some(TailFitLine::from_report(&r)),
                    title: "c",
                },
            )
        })
        .unwrap();
        let s = idx.get("empirical CCDF").unwrap();
        assert_eq!(idx.series[0].name, "empirical CCDF", "the data come first");
        assert!(
            s.len() <= crate::plot::hover::CAP && s.len() > 300,
            "{} points",
            s.len()
        );
        // First and last: the smallest |x| (CCDF 1) and the largest (CCDF 1/n).
        let n = x.len() as f64;
        let mut abs: Vec<f64> = x.iter().map(|v| v.abs()).collect();
        abs.sort_unstable_by(f64::total_cmp);
        assert_eq!((s.x[0], s.y[0]), (abs[0], 1.0));
        assert_eq!(
            (*s.x.last().unwrap(), *s.y.last().unwrap()),
            (abs[abs.len() - 1], 1.0 / n)
        );
        // Every hover point is the centre of a drawn marker.
        let circles = crate::plot::hover::svg_circles(&svg);
        for i in 0..s.len() {
            assert!(
                circles.contains(&s.pixel(i)),
                "point {i} ({}, {}) at {:?} not drawn",
                s.x[i],
                s.y[i],
                s.pixel(i)
            );
        }
        // Log y: P = 1 sits at (1.5 / 1) of the way below the top, i.e. frac ln(1/ylo)/ln(yhi/ylo).
        let [_, top, _, bottom] = idx.area;
        let (ylo, yhi) = (0.5 / n, 1.5);
        let frac = (1.0 / ylo).ln() / (yhi / ylo).ln();
        assert!((s.pixel(0).1 as f64 - (bottom as f64 - frac * (bottom - top) as f64)).abs() <= 1.0);
        assert!(
            idx.series.iter().any(|s| s.name.starts_with("power law")),
            "the fit is hoverable"
        );
    }

    #[test]
    fn ccdf_x_range_ignores_a_lone_near_zero_value() {
        // 2000 magnitudes log-uniform over [1e-3, 1] and one coordinate at 1e-17.
        let mut x: Vec<f64> = (0..2000)
            .map(|i| 10f64.powf(-3.0 + 3.0 * (i as f64 + 0.5) / 2000.0))
            .collect();
        x.push(-1e-17);
        let mut abs: Vec<f64> = x.iter().map(|v| v.abs()).collect();
        abs.sort_unstable_by(f64::total_cmp);
        // The floor: min(x_min/100, 1st percentile) = min(0.1/100, x₍20₎).
        assert_eq!(ccdf_x_floor(&abs, Some(0.1)), 1e-3);
        assert_eq!(ccdf_x_floor(&abs, None), abs[20]);
        assert_eq!(ccdf_x_floor(&abs, Some(10.0)), abs[20]);
        let fit = Some(TailFitLine {
            xmin: 0.1,
            alpha: 2.0,
            n_tail: 667,
            n: 2001,
        });
        let (svg, idx) = crate::plot::to_svg_with(640, 420, |a| {
            draw_ccdf(
                a,
                &Theme::default(),
                &CcdfData {
                    values: &x,
                    fit,
                    title: "c",
                },
            )
        })
        .unwrap();
        let s = idx.get("empirical CCDF").unwrap();
        // The drawn range starts at the data that matter: the smallest point shown is the
        // smallest value ≥ 1e-3, at the left edge; 1e-17 is counted, not drawn.
        let shown_min = s.x.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(shown_min, abs[1]);
        let [left, _, right, _] = idx.area;
        let i0 = s.x.iter().position(|v| *v == shown_min).unwrap();
        assert!(
            (s.pixel(i0).0 - left) as f64 <= 0.15 * (right - left) as f64,
            "data fill the width"
        );
        assert!(
            svg.contains("1 of 2001 values below 0.001 not shown"),
            "the axis says what is left out"
        );
        // Without the outlier nothing is left out and the axis says nothing.
        let (svg, _) = crate::plot::to_svg_with(640, 420, |a| {
            draw_ccdf(
                a,
                &Theme::default(),
                &CcdfData {
                    values: &x[..2000],
                    fit,
                    title: "c",
                },
            )
        })
        .unwrap();
        assert!(!svg.contains("not shown"));
    }

    #[test]
    fn ccdf_from_a_summary_draws_like_the_full_sample() {
        let mut x: Vec<f64> = (0..5000)
            .map(|i| 10f64.powf(-3.0 + 3.0 * (i as f64 + 0.5) / 5000.0))
            .collect();
        x.push(1e-17);
        let fit = Some(TailFitLine {
            xmin: 0.1,
            alpha: 2.0,
            n_tail: 1667,
            n: 5001,
        });
        let summary: Vec<(f64, f64)> = crate::experiment::measure::ccdf_summary(&x, 1667)
            .into_iter()
            .map(|p| (p[0], p[1]))
            .collect();
        let (svg, idx) = crate::plot::to_svg_with(640, 420, |a| {
            draw_ccdf_summary(a, &Theme::default(), &summary, 5001, fit, "s")
        })
        .unwrap();
        let (full_svg, full) = crate::plot::to_svg_with(640, 420, |a| {
            draw_ccdf(
                a,
                &Theme::default(),
                &CcdfData {
                    values: &x,
                    fit,
                    title: "s",
                },
            )
        })
        .unwrap();
        // The same top (the largest value at 1/n); the summary starts at its first point at or
        // above the same floor (x_min/100 = 0.001), within its spacing of the full chart's start,
        // and counts exactly the values below that point.
        let (a, b) = (idx.get("empirical CCDF").unwrap(), full.get("empirical CCDF").unwrap());
        assert_eq!(
            (*a.x.last().unwrap(), *a.y.last().unwrap()),
            (*b.x.last().unwrap(), *b.y.last().unwrap())
        );
        assert!(a.x[0] >= b.x[0] && a.x[0] < 1.1 * b.x[0], "{} vs {}", a.x[0], b.x[0]);
        let below = x.iter().filter(|v| **v < a.x[0]).count();
        assert!(svg.contains(&format!("{below} of 5001 values below")), "{below}");
        assert!(full_svg.contains("1 of 5001 values below"));
        assert!(idx.series.iter().any(|s| s.name.starts_with("power law")));
        let (empty, _) =
            crate::plot::to_svg_with(300, 200, |a| draw_ccdf_summary(a, &Theme::default(), &[], 0, None, "e")).unwrap();
        assert!(empty.contains("no data"));
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
