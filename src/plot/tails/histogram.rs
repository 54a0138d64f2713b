//! The density histogram of a signed sample with the normal density N(x̄, s²) fitted by the
//! moments (bins by Freedman–Diaconis unless given, clamped to 10..=80).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::tick;
use crate::plot::hover::{HoverIndex, Thin};
use crate::plot::legend::{Legend, Marker};
use crate::plot::theme::{BG, GRID, SERIES};
use crate::plot::{PlotResult, Theme};

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
        return crate::plot::no_data(area, theme, data.title);
    }
    x.sort_unstable_by(|a, b| a.total_cmp(b));
    let n = x.len();
    let nf = n as f64;
    let (lo, hi) = (x[0], x[n - 1]);
    let mean = x.iter().sum::<f64>() / nf;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
    if !(hi > lo) || !(sd > 0.0) {
        return crate::plot::no_data(area, theme, data.title);
    }
    if !((hi - lo).is_finite() && sd.is_finite()) {
        return crate::plot::no_data(area, theme, data.title);
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
        return crate::plot::no_data(area, theme, data.title);
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
