//! The **Spectrum** view's charts: rank plot on log-log axes with the fitted power law and the
//! Gaussian / Marchenko–Pastur baseline, eigengaps (by rank and re-sorted), Davis–Kahan
//! (sin∠ against its bound), cumulative trace share; the Marchenko–Pastur histogram; and the
//! verdict table row in the paper's format (d_ks, d_c, power law, β̂ ± σ, ŝ) as plain strings.
//!
//! Every chart takes a `DrawingArea`, a [`Theme`] and plain data; values that cannot be drawn
//! on log axes (≤ 0, non-finite) are dropped; an empty series draws a "no data" note.

use super::axis::log_axis;
use super::hover::{HoverIndex, Thin};
use super::legend::{Legend, Marker};
use super::theme::{Theme, BG, FIT, GRID, INK, SERIES};
use super::PlotResult;
use crate::spectrum::{power_law_bound, DavisKahan, Eigengaps, MpParams, SpectrumFit};
use plotters::coord::combinators::WithKeyPoints;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// Data of the rank plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RankPlot {
    /// Eigenvalues, descending (zeros are dropped).
    pub eigenvalues: Vec<f64>,
    /// The fit over ranks skip+1..=skip+K; drawn over those ranks as c·k^(−ŝ), with c the
    /// least-squares intercept for the fixed slope ŝ: ln c = mean over the fitted ranks of
    /// (ln λ_k + ŝ ln k) (a visual aid; the fit itself is the MLE).
    pub fit: Option<SpectrumFit>,
    /// Eigenvalues of the Gaussian baseline (same shape and total variance), descending.
    pub baseline: Option<Vec<f64>>,
    /// Marchenko–Pastur edges λ₋, λ₊ drawn as horizontal dashed lines.
    pub mp: Option<MpParams>,
    /// Chart caption.
    pub title: String,
}

/// Data of the eigengap chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EigengapPlot {
    pub gaps: Eigengaps,
    /// Fitted ŝ of the spectrum: when given, the theory line c·(k+1)^(−(ŝ+1)) is drawn (c the
    /// least-squares intercept in log space over the positive by-rank gaps).
    pub s: Option<f64>,
}

/// Data of the Davis–Kahan chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DavisKahanPlot {
    pub davis_kahan: DavisKahan,
    /// Fitted ŝ: when given, the power-law form 2‖ΔC‖₂ (k+1)^(ŝ+1)/λ₁ is drawn too.
    pub s: Option<f64>,
}

/// Data of the trace-share chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TraceSharePlot {
    /// Cumulative share Σ_{i≤k} λ_i / Σ λ, k = 1..r.
    pub share: Vec<f64>,
    /// Effective rank exp(H(λ/Σλ)) (marked with a vertical line when > 0).
    pub effective_rank: f64,
}

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

/// Rank plot: λ_k against k on log-log axes, the fitted line, the baseline and the MP edges.
/// Hover index: spectrum, baseline, fit line, MP edges (in that order).
pub fn draw_rank_plot<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    data: &RankPlot,
) -> PlotResult<HoverIndex> {
    let lw = legend_stroke(theme);
    let main = positive_points(data.eigenvalues.iter().enumerate().map(|(i, &v)| ((i + 1) as f64, v)));
    if main.is_empty() {
        return super::no_data(area, theme, &data.title);
    }
    let base = data
        .baseline
        .as_ref()
        .map(|b| positive_points(b.iter().enumerate().map(|(i, &v)| ((i + 1) as f64, v))))
        .unwrap_or_default();
    let fit_line: Vec<(f64, f64)> = match &data.fit {
        Some(f) if f.s.is_finite() && f.k >= 2 && f.skip < data.eigenvalues.len() => {
            let k0 = (f.skip + 1) as f64;
            let end = (f.skip + f.k).min(data.eigenvalues.len());
            let k1 = end as f64;
            let logs: Vec<f64> = (f.skip..end)
                .filter(|&i| data.eigenvalues[i] > 0.0)
                .map(|i| data.eigenvalues[i].ln() + f.s * ((i + 1) as f64).ln())
                .collect();
            if logs.is_empty() {
                Vec::new()
            } else {
                let ln_c = logs.iter().sum::<f64>() / logs.len() as f64;
                positive_points((0..=40).map(|i| {
                    let k = k0 * (k1 / k0).powf(i as f64 / 40.0);
                    (k, (ln_c - f.s * k.ln()).exp())
                }))
            }
        }
        _ => Vec::new(),
    };
    // The axes follow the eigenvalues (and the baseline, MP edges); a steep fit extrapolated to
    // rank 1 would otherwise stretch the y-axis by decades and flatten the spectrum itself, so the
    // fit line is clipped to the range (its ŝ is in the legend and Table B).
    let mut all = main.clone();
    all.extend(&base);
    let (mut x0, mut x1, mut y0, mut y1) = bounds(&all);
    if let Some(mp) = &data.mp {
        for e in [mp.lambda_minus, mp.lambda_plus] {
            if e > 0.0 && e.is_finite() {
                y0 = y0.min(e);
                y1 = y1.max(e);
            }
        }
    }
    x0 = x0.min(1.0);
    x1 = x1.max(2.0);
    let (x0, x1) = (x0, x1 * 1.3);
    let (y0, y1) = log_range(y0, y1);
    let fit_line: Vec<(f64, f64)> = fit_line.into_iter().filter(|p| (y0..=y1).contains(&p.1)).collect();
    let (top, band) = Legend::split(theme, area, 4);
    let mut legend = Legend::default();
    let mut chart = log_log_chart(
        &top,
        theme,
        &data.title,
        (x0, x1),
        (y0, y1),
        ("rank k", "eigenvalue λ_k"),
    )?;
    let mut hover = HoverIndex::on(chart.plotting_area());
    let axes = ("rank k", "λ_k");
    hover.add(chart.as_coord_spec(), "spectrum", axes, &main, Thin::LogHead);
    hover.add(chart.as_coord_spec(), "Gaussian baseline", axes, &base, Thin::LogHead);
    if let Some(f) = data.fit.as_ref().filter(|_| !fit_line.is_empty()) {
        hover.add(
            chart.as_coord_spec(),
            format!("fit ŝ = {:.2}", f.s),
            axes,
            &fit_line,
            Thin::Extremes,
        );
    }
    let w = theme.stroke();
    if let Some(mp) = &data.mp {
        for (e, name) in [(mp.lambda_plus, "MP edge λ₊"), (mp.lambda_minus, "MP edge λ₋")] {
            if e > 0.0 && e.is_finite() {
                hover.add(
                    chart.as_coord_spec(),
                    name,
                    axes,
                    &log_line(x0, x1, e, 41),
                    Thin::Extremes,
                );
                let style = SERIES[1].mix(0.6).stroke_width(theme.px(1.0));
                let s = chart.draw_series(DashedLineSeries::new(
                    vec![(x0, e), (x1, e)],
                    theme.px(4.0),
                    theme.px(4.0),
                    style,
                ))?;
                if name == "MP edge λ₊" {
                    legend.add(
                        theme,
                        s,
                        "MP edges λ±",
                        Marker::Line(SERIES[1].mix(0.6).stroke_width(lw)),
                    );
                }
            }
        }
    }
    if !base.is_empty() {
        legend.add(
            theme,
            chart.draw_series(LineSeries::new(base, SERIES[1].stroke_width(w)))?,
            "Gaussian baseline",
            Marker::Line(SERIES[1].stroke_width(lw)),
        );
    }
    legend.add(
        theme,
        chart.draw_series(LineSeries::new(main, SERIES[0].stroke_width(w)))?,
        "spectrum",
        Marker::Line(SERIES[0].stroke_width(lw)),
    );
    if !fit_line.is_empty() {
        let s = data.fit.as_ref().map(|f| f.s).unwrap_or(f64::NAN);
        legend.add(
            theme,
            chart.draw_series(DashedLineSeries::new(
                fit_line,
                theme.px(6.0),
                theme.px(4.0),
                FIT.stroke_width(w),
            ))?,
            format!("fit ŝ = {s:.2}"),
            Marker::Line(FIT.stroke_width(lw)),
        );
    }
    legend.draw(theme, &mut chart, band.as_ref(), SeriesLabelPosition::UpperRight)?;
    Ok(hover)
}

/// Eigengaps δ_k = λ_k − λ_{k+1}: by rank (points) and re-sorted (line), log-log.
/// Hover index: by rank, re-sorted, theory line.
pub fn draw_eigengaps<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    plot: &EigengapPlot,
) -> PlotResult<HoverIndex> {
    let lw = legend_stroke(theme);
    let data = &plot.gaps;
    let title = "Eigengaps δ_k = λ_k − λ_{k+1}";
    let by_rank = positive_points(data.by_rank.iter().enumerate().map(|(i, &v)| ((i + 1) as f64, v)));
    let sorted = positive_points(data.sorted.iter().enumerate().map(|(i, &v)| ((i + 1) as f64, v)));
    if by_rank.is_empty() && sorted.is_empty() {
        return super::no_data(area, theme, title);
    }
    let theory: Vec<(f64, f64)> = match plot.s {
        Some(s) if s.is_finite() && !by_rank.is_empty() => {
            let e = s + 1.0;
            let ln_c = by_rank.iter().map(|&(k, d)| d.ln() + e * (k + 1.0).ln()).sum::<f64>() / by_rank.len() as f64;
            let kmax = by_rank.last().map(|p| p.0).unwrap_or(1.0).max(2.0);
            positive_points((0..=40).map(|i| {
                let k = kmax.powf(i as f64 / 40.0);
                (k, (ln_c - e * (k + 1.0).ln()).exp())
            }))
        }
        _ => Vec::new(),
    };
    let mut all = by_rank.clone();
    all.extend(&sorted);
    let (x0, x1, y0, y1) = bounds(&all);
    let (y0, y1) = log_range(y0, y1);
    let (top, band) = Legend::split(theme, area, 3);
    let mut legend = Legend::default();
    let mut chart = log_log_chart(
        &top,
        theme,
        title,
        (x0.min(1.0), x1.max(2.0) * 1.3),
        (y0, y1),
        ("k", "δ_k"),
    )?;
    let mut hover = HoverIndex::on(chart.plotting_area());
    hover.add(
        chart.as_coord_spec(),
        "by rank k",
        ("k", "δ_k"),
        &by_rank,
        Thin::LogHead,
    );
    hover.add(
        chart.as_coord_spec(),
        "re-sorted by size",
        ("k", "δ_(k)"),
        &sorted,
        Thin::LogHead,
    );
    if !theory.is_empty() {
        let e = plot.s.unwrap_or(0.0) + 1.0;
        hover.add(
            chart.as_coord_spec(),
            format!("∝ (k+1)^−{e:.2}"),
            ("k", "δ_k"),
            &theory,
            Thin::Extremes,
        );
    }
    let r = theme.px(1.6);
    legend.add(
        theme,
        chart.draw_series(by_rank.iter().map(|&p| Circle::new(p, r, SERIES[0].mix(0.7).filled())))?,
        "by rank k",
        Marker::Dot(SERIES[0].filled()),
    );
    legend.add(
        theme,
        chart.draw_series(LineSeries::new(sorted, SERIES[2].stroke_width(theme.stroke())))?,
        "re-sorted by size",
        Marker::Line(SERIES[2].stroke_width(lw)),
    );
    if !theory.is_empty() {
        let e = plot.s.unwrap_or(0.0) + 1.0;
        legend.add(
            theme,
            chart.draw_series(DashedLineSeries::new(
                theory,
                theme.px(6.0),
                theme.px(4.0),
                FIT.stroke_width(theme.stroke()),
            ))?,
            format!("∝ (k+1)^−{e:.2} (ŝ + 1)"),
            Marker::Line(FIT.stroke_width(lw)),
        );
    }
    legend.draw(theme, &mut chart, band.as_ref(), SeriesLabelPosition::UpperRight)?;
    Ok(hover)
}

/// Davis–Kahan: sin∠(u_k, ũ_k) (points) and the bound 2‖ΔC‖₂/min-gap_k (line), log-log; the
/// bound is vacuous above 1 (dotted line).
/// Hover index: measured sin∠, bound, power-law form.
pub fn draw_davis_kahan<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    plot: &DavisKahanPlot,
) -> PlotResult<HoverIndex> {
    let lw = legend_stroke(theme);
    let data = &plot.davis_kahan;
    let title = format!("Davis–Kahan: two halves ({} + {} samples)", data.n_a, data.n_b);
    let sin = positive_points(data.k.iter().zip(&data.sin_angle).map(|(&k, &s)| (k as f64, s)));
    let bound = positive_points(data.k.iter().zip(&data.bound).map(|(&k, &b)| (k as f64, b)));
    if sin.is_empty() && bound.is_empty() {
        return super::no_data(area, theme, &title);
    }
    let pl: Vec<(f64, f64)> = match plot.s {
        Some(s) if s.is_finite() => {
            positive_points(data.k.iter().zip(power_law_bound(data, s)).map(|(&k, b)| (k as f64, b)))
        }
        _ => Vec::new(),
    };
    // sin∠ ≤ 1, so a bound above 1 says nothing: the y-axis stops two decades above 1 (the
    // bounds are clipped there).
    let mut all = sin.clone();
    all.extend(&bound);
    all.extend(&pl);
    all.push((1.0, 1.0));
    let (x0, x1, y0, y1) = bounds(&all);
    let (y0, y1) = log_range(y0, y1.min(100.0));
    let clip = |v: Vec<(f64, f64)>| -> Vec<(f64, f64)> { v.into_iter().filter(|p| (y0..=y1).contains(&p.1)).collect() };
    let (bound, pl) = (clip(bound), clip(pl));
    let (x0, x1) = (x0.min(1.0), x1.max(2.0) * 1.3);
    let (top, band) = Legend::split(theme, area, 3);
    let mut legend = Legend::default();
    let mut chart = log_log_chart(
        &top,
        theme,
        &title,
        (x0, x1),
        (y0, y1),
        ("eigenvector k", "sin ∠(u_k, ũ_k)"),
    )?;
    let mut hover = HoverIndex::on(chart.plotting_area());
    hover.add(
        chart.as_coord_spec(),
        "measured sin ∠",
        ("k", "sin ∠"),
        &sin,
        Thin::LogHead,
    );
    hover.add(
        chart.as_coord_spec(),
        "bound 2‖ΔC‖₂ / min-gap",
        ("k", "bound"),
        &bound,
        Thin::LogHead,
    );
    hover.add(
        chart.as_coord_spec(),
        "power-law form",
        ("k", "bound"),
        &pl,
        Thin::LogHead,
    );
    chart.draw_series(DashedLineSeries::new(
        vec![(x0, 1.0), (x1, 1.0)],
        theme.px(2.0),
        theme.px(3.0),
        INK.mix(0.5).stroke_width(theme.px(1.0)),
    ))?;
    legend.add(
        theme,
        chart.draw_series(LineSeries::new(bound, SERIES[1].stroke_width(theme.stroke())))?,
        "bound 2‖ΔC‖₂ / min-gap",
        Marker::Line(SERIES[1].stroke_width(lw)),
    );
    if !pl.is_empty() {
        legend.add(
            theme,
            chart.draw_series(DashedLineSeries::new(
                pl,
                theme.px(6.0),
                theme.px(4.0),
                FIT.stroke_width(theme.stroke()),
            ))?,
            "power-law form 2‖ΔC‖₂ (k+1)^(ŝ+1) / λ₁",
            Marker::Line(FIT.stroke_width(lw)),
        );
    }
    let r = theme.px(2.2);
    legend.add(
        theme,
        chart.draw_series(sin.iter().map(|&p| Circle::new(p, r, SERIES[0].filled())))?,
        "measured sin ∠",
        Marker::Dot(SERIES[0].filled()),
    );
    legend.draw(theme, &mut chart, band.as_ref(), SeriesLabelPosition::UpperLeft)?;
    Ok(hover)
}

/// Cumulative trace share against k (log x, linear y in [0, 1]), with the effective rank marked.
/// Hover index: the share curve.
pub fn draw_trace_share<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    data: &TraceSharePlot,
) -> PlotResult<HoverIndex> {
    let lw = legend_stroke(theme);
    let title = if data.effective_rank > 0.0 {
        format!("Cumulative trace share (effective rank {:.1})", data.effective_rank)
    } else {
        "Cumulative trace share".to_string()
    };
    let pts: Vec<(f64, f64)> = data
        .share
        .iter()
        .enumerate()
        .map(|(i, &v)| ((i + 1) as f64, v))
        .filter(|(_, v)| v.is_finite())
        .collect();
    if pts.is_empty() {
        return super::no_data(area, theme, &title);
    }
    let x1 = (pts.len() as f64).max(2.0) * 1.3;
    area.fill(&BG)?;
    let (top, band) = Legend::split(theme, area, 2);
    let mut legend = Legend::default();
    let mut chart = theme
        .frame(&top, &title)
        .build_cartesian_2d(log_axis(1.0, x1, 7), 0f64..1.02)?;
    chart
        .configure_mesh()
        .light_line_style(GRID.mix(0.35))
        .bold_line_style(GRID)
        .axis_style(INK)
        .label_style(theme.label_style())
        .x_desc("top-k eigenvalues")
        .y_desc("share of the trace")
        .x_label_formatter(&log_tick)
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .draw()?;
    let mut hover = HoverIndex::on(chart.plotting_area());
    hover.add(
        chart.as_coord_spec(),
        "share of the trace in the top k",
        ("k", "share"),
        &pts,
        Thin::LogHead,
    );
    if data.effective_rank >= 1.0 && data.effective_rank.is_finite() {
        let e = data.effective_rank.min(x1);
        let line = chart.draw_series(DashedLineSeries::new(
            vec![(e, 0.0), (e, 1.0)],
            theme.px(4.0),
            theme.px(4.0),
            SERIES[3].stroke_width(theme.px(1.5)),
        ))?;
        legend.add(theme, line, "effective rank", Marker::Line(SERIES[3].stroke_width(lw)));
    }
    legend.add(
        theme,
        chart.draw_series(LineSeries::new(pts, SERIES[0].stroke_width(theme.stroke())))?,
        "Σ_{i≤k} λ_i / Σ λ",
        Marker::Line(SERIES[0].stroke_width(lw)),
    );
    legend.draw(theme, &mut chart, band.as_ref(), SeriesLabelPosition::LowerRight)?;
    Ok(hover)
}

/// Histogram (as a density) of the non-zero eigenvalues with the Marchenko–Pastur density of
/// the same shape and total variance overlaid (normalised to the non-zero part).
pub fn draw_mp_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    eigenvalues: &[f64],
    mp: &MpParams,
) -> PlotResult<HoverIndex> {
    let lw = legend_stroke(theme);
    let title = format!("Eigenvalue density vs Marchenko–Pastur (γ = {:.3})", mp.gamma);
    let vals: Vec<f64> = eigenvalues
        .iter()
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    if vals.is_empty() {
        return super::no_data(area, theme, &title);
    }
    let vmin = vals.iter().fold(f64::INFINITY, |m, &v| m.min(v));
    let vmax = vals.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let (lo0, hi0) = (vmin.min(mp.lambda_minus), vmax.max(mp.lambda_plus));
    let pad = 0.05 * (hi0 - lo0).max(hi0.abs() * 1e-3).max(f64::MIN_POSITIVE);
    let (lo, hi) = ((lo0 - pad).max(0.0), hi0 + pad);
    let bins = 40usize;
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in &vals {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let dens: Vec<f64> = counts.iter().map(|&c| c as f64 / (vals.len() as f64 * width)).collect();
    // MP continuous part renormalised to mass 1 (the non-zero eigenvalues only).
    let mass = 1.0 - mp.zero_mass();
    let curve: Vec<(f64, f64)> = mp
        .density_curve(400)
        .into_iter()
        .map(|(l, d)| (l, if mass > 0.0 { d / mass } else { 0.0 }))
        .filter(|(_, d)| d.is_finite())
        .collect();
    let ymax = dens
        .iter()
        .chain(curve.iter().map(|(_, d)| d))
        .fold(0.0f64, |m, &v| m.max(v))
        .max(1e-300)
        * 1.1;
    area.fill(&BG)?;
    let (top, band) = Legend::split(theme, area, 2);
    let mut legend = Legend::default();
    let mut chart = theme.frame(&top, &title).build_cartesian_2d(lo..hi, 0f64..ymax)?;
    chart
        .configure_mesh()
        .light_line_style(GRID.mix(0.35))
        .bold_line_style(GRID)
        .axis_style(INK)
        .label_style(theme.label_style())
        .x_desc("eigenvalue λ")
        .y_desc("density")
        .y_label_formatter(&lin_tick)
        .x_label_formatter(&lin_tick)
        .draw()?;
    let drawn = chart.draw_series(dens.iter().enumerate().map(|(i, &d)| {
        let x0 = lo + i as f64 * width;
        Rectangle::new([(x0, 0.0), (x0 + width, d)], SERIES[0].mix(0.45).filled())
    }))?;
    legend.add(
        theme,
        drawn,
        "eigenvalues (non-zero)",
        Marker::Block(SERIES[0].mix(0.45).filled()),
    );
    let mut hover = HoverIndex::on(chart.plotting_area());
    let bars: Vec<(f64, f64)> = dens
        .iter()
        .enumerate()
        .map(|(i, &d)| (lo + (i as f64 + 0.5) * width, d))
        .collect();
    hover.add(
        chart.as_coord_spec(),
        "eigenvalues (non-zero)",
        ("bin centre", "density"),
        &bars,
        Thin::Extremes,
    );
    hover.add(
        chart.as_coord_spec(),
        "Marchenko–Pastur",
        ("λ", "density"),
        &curve,
        Thin::Extremes,
    );
    legend.add(
        theme,
        chart.draw_series(LineSeries::new(curve, FIT.stroke_width(theme.stroke())))?,
        "Marchenko–Pastur",
        Marker::Line(FIT.stroke_width(lw)),
    );
    legend.draw(theme, &mut chart, band.as_ref(), SeriesLabelPosition::UpperRight)?;
    Ok(hover)
}

/// One row of the verdict table in the paper's format (sibling paper's Table B columns), as
/// display strings: `d_ks`, `d_c`, "Yes"/"No", `β̂ ± σ`, `ŝ`, and a note ("flat" when ŝ < 0.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictRow {
    /// What was fitted (e.g. "FCN MNIST, epoch 10, B = 128" or "Gaussian baseline").
    pub label: String,
    pub k: String,
    pub ks_d: String,
    pub ks_critical: String,
    pub power_law: String,
    pub beta: String,
    pub s: String,
    pub note: String,
}

impl VerdictRow {
    /// Column headers, in order.
    pub const HEADERS: [&'static str; 8] = ["", "K", "d_ks", "d_c", "Power-law", "β̂ ± σ", "ŝ", ""];

    /// The row for a fit.
    pub fn new(label: impl Into<String>, fit: &SpectrumFit) -> Self {
        VerdictRow {
            label: label.into(),
            k: if fit.skip > 0 {
                format!("{} (skip {})", fit.k, fit.skip)
            } else {
                fit.k.to_string()
            },
            ks_d: format!("{:.4}", fit.ks_d),
            ks_critical: format!("{:.4}", fit.ks_critical),
            power_law: if fit.power_law { "Yes" } else { "No" }.to_string(),
            beta: format!("{:.3} ± {:.3}", fit.beta, fit.beta_stderr),
            s: format!("{:.3}", fit.s),
            note: if fit.is_flat() {
                "flat (ŝ < 0.3): not a meaningful power law".to_string()
            } else {
                String::new()
            },
        }
    }

    /// The cells in [`Self::HEADERS`] order.
    pub fn cells(&self) -> [&str; 8] {
        [
            &self.label,
            &self.k,
            &self.ks_d,
            &self.ks_critical,
            &self.power_law,
            &self.beta,
            &self.s,
            &self.note,
        ]
    }
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
    use crate::plot::{hover::CAP, to_svg_with};

    #[test]
    fn rank_plot_hover_maps_log_log_and_keeps_the_top_ranks() {
        let ev: Vec<f64> = (1..=5000).map(|k| (k as f64).powf(-1.2)).collect();
        let mp = MpParams::new(100, 5000, ev.iter().sum()).unwrap();
        let data = RankPlot {
            eigenvalues: ev.clone(),
            fit: None,
            baseline: Some(ev.iter().map(|v| v * 0.5).collect()),
            mp: Some(mp),
            title: "t".into(),
        };
        let (_, idx) = to_svg_with(640, 420, |a| draw_rank_plot(a, &Theme::default(), &data)).unwrap();
        let s = &idx.series[0];
        assert_eq!(s.name, "spectrum");
        assert!(s.len() <= CAP);
        assert!(
            (0..50).all(|i| s.x[i] == (i + 1) as f64 && s.y[i] == ev[i]),
            "the top 50 ranks are all there, with their eigenvalues"
        );
        assert_eq!(*s.x.last().unwrap(), 5000.0);
        // Log x from 1 to 5000·1.3: rank k sits at ln k / ln 6500 of the width.
        let [left, _, right, _] = idx.area;
        for i in [0, 9, s.len() - 1] {
            let frac = s.x[i].ln() / 6500f64.ln();
            assert!(
                (s.pixel(i).0 as f64 - (left as f64 + frac * (right - left) as f64)).abs() <= 1.0,
                "rank {}",
                s.x[i]
            );
        }
        // Within a decade of ranks, equal ratios of λ are equal pixel steps (log y).
        let dy1 = s.pixel(0).1 - s.pixel(9).1;
        let dy2 = s.pixel(9).1 - s.pixel(99.min(s.len() - 1)).1;
        assert!(dy1 < 0 && (dy1 - dy2).abs() <= 2, "{dy1} vs {dy2}");
        let names: Vec<&str> = idx.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["spectrum", "Gaussian baseline", "MP edge λ₊", "MP edge λ₋"]);
    }

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
