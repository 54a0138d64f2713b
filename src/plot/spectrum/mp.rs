//! The eigenvalue density histogram against the Marchenko–Pastur density of the same shape
//! (γ = P/N) and total variance, normalised to the non-zero eigenvalues.

use super::{legend_stroke, lin_tick};
use crate::plot::hover::{HoverIndex, Thin};
use crate::plot::legend::{Legend, Marker};
use crate::plot::theme::{Theme, BG, FIT, GRID, INK, SERIES};
use crate::plot::PlotResult;
use crate::spectrum::MpParams;
use plotters::coord::Shift;
use plotters::prelude::*;

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
        return crate::plot::no_data(area, theme, &title);
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
