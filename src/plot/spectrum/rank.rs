//! The rank plot: λ_k against k on log-log axes with the fitted power law c·k^(−ŝ) over the
//! fitted ranks, the Gaussian baseline (same shape and total variance) and the
//! Marchenko–Pastur edges λ₋, λ₊.

use super::{bounds, legend_stroke, log_line, log_log_chart, log_range, positive_points};
use crate::plot::hover::{HoverIndex, Thin};
use crate::plot::legend::{Legend, Marker};
use crate::plot::theme::{Theme, FIT, SERIES};
use crate::plot::PlotResult;
use crate::spectrum::{MpParams, SpectrumFit};
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
        return crate::plot::no_data(area, theme, &data.title);
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
}
