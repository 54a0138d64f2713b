//! The Davis–Kahan chart: sin∠(u_k, ũ_k) between the eigenvectors of C estimated on two halves
//! of the samples against the bound 2‖ΔC‖₂/min-gap_k (see [`crate::spectrum::theory`]), and its
//! power-law form 2‖ΔC‖₂ (k+1)^(ŝ+1)/λ₁ when ŝ is given.

use super::{bounds, legend_stroke, log_log_chart, log_range, positive_points};
use crate::plot::hover::{HoverIndex, Thin};
use crate::plot::legend::{Legend, Marker};
use crate::plot::theme::{Theme, FIT, INK, SERIES};
use crate::plot::PlotResult;
use crate::spectrum::{power_law_bound, DavisKahan};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// Data of the Davis–Kahan chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DavisKahanPlot {
    pub davis_kahan: DavisKahan,
    /// Fitted ŝ: when given, the power-law form 2‖ΔC‖₂ (k+1)^(ŝ+1)/λ₁ is drawn too.
    pub s: Option<f64>,
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
        return crate::plot::no_data(area, theme, &title);
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
