//! The theory views of a spectrum: eigengaps δ_k = λ_k − λ_{k+1} (by rank and re-sorted, with
//! the theory line c·(k+1)^(−(ŝ+1))) and the cumulative trace share Σ_{i≤k} λ_i / Σ λ with the
//! effective rank exp(H(λ/Σλ)).

use super::{bounds, legend_stroke, log_log_chart, log_range, log_tick, positive_points};
use crate::plot::axis::log_axis;
use crate::plot::hover::{HoverIndex, Thin};
use crate::plot::legend::{Legend, Marker};
use crate::plot::theme::{Theme, BG, FIT, GRID, INK, SERIES};
use crate::plot::PlotResult;
use crate::spectrum::Eigengaps;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// Data of the eigengap chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EigengapPlot {
    pub gaps: Eigengaps,
    /// Fitted ŝ of the spectrum: when given, the theory line c·(k+1)^(−(ŝ+1)) is drawn (c the
    /// least-squares intercept in log space over the positive by-rank gaps).
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
        return crate::plot::no_data(area, theme, title);
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
        return crate::plot::no_data(area, theme, &title);
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
