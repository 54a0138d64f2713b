//! The CCDF chart: the empirical P(|X| ≥ x) on log-log axes with the fitted power law
//! (n_tail/n)·(x/x_min)^(1−α̂) from x_min, the tail region shaded and x_min marked; drawn from the
//! full sample ([`draw_ccdf`]) or from a summary of points ([`draw_ccdf_summary`]).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::{log_range, thin_ranks, tick, MAX_POINTS};
use crate::plot::hover::{HoverIndex, Thin};
use crate::plot::legend::{Legend, Marker};
use crate::plot::theme::{BG, FIT, GRID, INK, SERIES};
use crate::plot::{PlotResult, Theme};
use crate::stats::PowerLawReport;

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
        return crate::plot::no_data(area, theme, data.title);
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
        return crate::plot::no_data(area, theme, title);
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
    let mut chart = theme.frame(&top, title).build_cartesian_2d(
        crate::plot::axis::log_axis(xlo, xhi, 6),
        crate::plot::axis::log_axis(ylo, yhi, 8),
    )?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::tails::tests::pareto;
    use crate::plot::to_svg;
    use crate::stats::{power_law_test, PowerLawOptions};

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
}
