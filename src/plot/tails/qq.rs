//! The normal Q–Q plot: the sorted sample against the normal quantiles
//! Φ⁻¹((i − 3/8)/(n + 1/4)) (Blom 1958), with the reference line x̄ + s·z.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{thin_ranks, tick, MAX_POINTS};
use crate::plot::hover::{HoverIndex, Thin};
use crate::plot::legend::{Legend, Marker};
use crate::plot::theme::{BG, FIT, GRID, SERIES};
use crate::plot::{PlotResult, Theme};

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
        Err(_) => return crate::plot::no_data(area, theme, data.title),
    };
    if x.len() < 3 {
        return crate::plot::no_data(area, theme, data.title);
    }
    x.sort_unstable_by(|a, b| a.total_cmp(b));
    let n = x.len();
    let nf = n as f64;
    let mean = x.iter().sum::<f64>() / nf;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
    if !(sd > 0.0) {
        return crate::plot::no_data(area, theme, data.title);
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
        return crate::plot::no_data(area, theme, data.title);
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
