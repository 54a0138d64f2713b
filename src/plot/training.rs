//! The live training chart: minibatch loss per step (thin), its exponential moving average
//! (thick), and test accuracy at evaluation points on a secondary axis.

use super::hover::{HoverIndex, Thin};
use super::legend::{Legend, Marker};
use super::theme::{self, Theme};
use super::PlotResult;
use plotters::coord::Shift;
use plotters::prelude::*;

/// What the training chart shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingCurves {
    /// Step index of each recorded minibatch loss.
    pub step: Vec<f64>,
    /// Minibatch training loss at each step.
    pub loss: Vec<f64>,
    /// Steps at which the test set was evaluated.
    pub eval_step: Vec<f64>,
    /// Test accuracy in [0, 1] at each evaluation step.
    pub eval_accuracy: Vec<f64>,
}

/// Exponential moving average m_t = β m_{t−1} + (1 − β) x_t, bias-corrected by 1/(1 − β^t)
/// (as in Adam), so the first values are not pulled towards 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ema {
    beta: f64,
    m: f64,
    beta_t: f64,
}

impl Ema {
    /// A new average with decay `beta` ∈ [0, 1).
    pub fn new(beta: f64) -> Self {
        Ema {
            beta,
            m: 0.0,
            beta_t: 1.0,
        }
    }

    /// Adds x_t and returns the bias-corrected average.
    pub fn push(&mut self, x: f64) -> f64 {
        self.m = self.beta * self.m + (1.0 - self.beta) * x;
        self.beta_t *= self.beta;
        self.value()
    }

    /// The current bias-corrected average (NaN before the first value).
    pub fn value(&self) -> f64 {
        self.m / (1.0 - self.beta_t)
    }
}

/// The smoothing the chart and the page's loss readout use.
pub const LOSS_EMA_BETA: f64 = 0.95;

/// [`Ema`] over a whole series.
pub fn ema(x: &[f64], beta: f64) -> Vec<f64> {
    let mut e = Ema::new(beta);
    x.iter().map(|&v| e.push(v)).collect()
}

/// Points (step, loss) that can be drawn on a log axis (finite and positive).
fn drawable(step: &[f64], loss: &[f64]) -> Vec<(f64, f64)> {
    step.iter()
        .zip(loss)
        .filter(|(s, l)| s.is_finite() && l.is_finite() && **l > 0.0)
        .map(|(s, l)| (*s, *l))
        .collect()
}

/// Draws the training chart on `area`; returns its hover index (minibatch loss, moving average,
/// test accuracy in %).
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    data: &TrainingCurves,
) -> PlotResult<HoverIndex> {
    area.fill(&theme::BG)?;
    let raw = drawable(&data.step, &data.loss);
    let smooth_vals = ema(&raw.iter().map(|p| p.1).collect::<Vec<_>>(), LOSS_EMA_BETA);
    let smooth: Vec<(f64, f64)> = raw.iter().zip(&smooth_vals).map(|(p, m)| (p.0, *m)).collect();

    // Steps are whole numbers: the x axis is labelled at integers only (`axis::int_axis`); an
    // empty chart spans 0 … 10 steps (0 … 1 labelled "0 0 0 1 1 1" before).
    let last = raw
        .last()
        .map(|p| p.0)
        .unwrap_or(0.0)
        .max(data.eval_step.last().copied().unwrap_or(0.0));
    let x_max = if raw.is_empty() && data.eval_step.is_empty() {
        10.0
    } else {
        last.max(1.0)
    };
    let (lo, hi) = raw.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    let (y_lo, y_hi) = if raw.is_empty() {
        (0.01, 10.0)
    } else {
        (lo * 0.8, hi * 1.25)
    };

    let (top, band) = Legend::split(theme, area, 3);
    let mut legend = Legend::default();
    let mut chart = theme
        .frame(&top, "")
        .right_y_label_area_size(theme.px(52.0))
        .build_cartesian_2d(
            super::axis::int_axis(0.0, x_max, 6),
            super::axis::log_axis(y_lo, y_hi, 8),
        )?
        .set_secondary_coord(0.0..x_max, 0.0..100.0);

    chart
        .configure_mesh()
        .light_line_style(theme::GRID)
        .bold_line_style(theme::GRID)
        .axis_style(theme::INK)
        .label_style(theme.label_style())
        .axis_desc_style(theme.label_style())
        .x_desc("SGD step")
        .y_desc("training loss (log scale)")
        .y_label_formatter(&|v| format_loss(*v))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_labels(6)
        .draw()?;
    chart
        .configure_secondary_axes()
        .axis_style(theme::INK)
        .label_style(theme.label_style())
        .axis_desc_style(theme.label_style())
        .y_desc("test accuracy (%)")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_labels(6)
        .draw()?;

    let mut hover = HoverIndex::on(chart.plotting_area());
    if raw.is_empty() {
        area.draw(&Text::new(
            "no steps yet",
            (theme.px(80.0) as i32, theme.px(30.0) as i32),
            theme.label_style(),
        ))?;
        return Ok(hover);
    }
    hover.add(
        chart.as_coord_spec(),
        "minibatch loss",
        ("step", "loss"),
        &raw,
        Thin::Extremes,
    );
    hover.add(
        chart.as_coord_spec(),
        "loss (moving average)",
        ("step", "loss"),
        &smooth,
        Thin::Extremes,
    );
    let faint = theme::SERIES[0].mix(0.4);
    legend.add(
        theme,
        chart.draw_series(LineSeries::new(raw.iter().copied(), faint.stroke_width(theme.px(1.0))))?,
        "minibatch loss",
        Marker::Line(faint.into()),
    );
    let bold = theme::SERIES[0].stroke_width(theme.stroke());
    legend.add(
        theme,
        chart.draw_series(LineSeries::new(smooth, bold))?,
        "loss (moving average)",
        Marker::Line(bold),
    );

    let acc: Vec<(f64, f64)> = data
        .eval_step
        .iter()
        .zip(&data.eval_accuracy)
        .filter(|(s, a)| s.is_finite() && a.is_finite())
        .map(|(s, a)| (*s, 100.0 * a.clamp(0.0, 1.0)))
        .collect();
    if !acc.is_empty() {
        let c = theme::SERIES[1];
        let r = theme.px(3.0);
        legend.add(
            theme,
            chart.draw_secondary_series(LineSeries::new(acc.iter().copied(), c.stroke_width(theme.stroke())))?,
            "test accuracy",
            Marker::Line(c.stroke_width(theme.stroke())),
        );
        chart.draw_secondary_series(acc.iter().map(|p| Circle::new(*p, r, c.filled())))?;
        hover.add(
            chart.borrow_secondary().as_coord_spec(),
            "test accuracy",
            ("step", "accuracy (%)"),
            &acc,
            Thin::Extremes,
        );
    }
    legend.draw(theme, &mut chart, band.as_ref(), SeriesLabelPosition::LowerLeft)?;
    Ok(hover)
}

fn format_loss(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.1}")
    } else if v >= 0.01 {
        format!("{v:.2}")
    } else {
        format!("{v:.0e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ema_of_constant_is_constant_from_the_first_step() {
        let m = ema(&[2.0; 5], 0.9);
        for v in m {
            assert!((v - 2.0).abs() < 1e-12);
        }
    }

    #[test]
    fn ema_matches_hand_computation() {
        // m1 = 0.5·1 / (1 − 0.5) = 1; m2 = (0.25 + 0.5·3) / (1 − 0.25) = 1.75 / 0.75
        let m = ema(&[1.0, 3.0], 0.5);
        assert!((m[0] - 1.0).abs() < 1e-12);
        assert!((m[1] - 1.75 / 0.75).abs() < 1e-12);
    }

    #[test]
    fn chart_draws_lines_and_drops_non_drawable_points() {
        let data = TrainingCurves {
            step: vec![0.0, 1.0, 2.0, 3.0],
            loss: vec![2.3, f64::NAN, 1.0, 0.0],
            eval_step: vec![3.0],
            eval_accuracy: vec![0.8],
        };
        let svg = crate::plot::to_svg(640, 320, |a| draw(a, &Theme::default(), &data)).unwrap();
        assert!(svg.contains("<polyline"), "no line drawn");
        assert!(svg.contains("test accuracy"));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn hover_index_maps_steps_linearly_and_loss_logarithmically() {
        let n = 3000;
        let step: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut loss: Vec<f64> = step
            .iter()
            .map(|s| 2.3 * (-s / 500.0).exp() + 0.05 + 0.01 * (s * 0.37).sin())
            .collect();
        loss[1234] = 3.0; // a spike the thinning must keep
        let data = TrainingCurves {
            step: step.clone(),
            loss: loss.clone(),
            eval_step: vec![0.0, 1500.0, 2999.0],
            eval_accuracy: vec![0.1, 0.8, 0.9],
        };
        let (svg, idx) = crate::plot::to_svg_with(800, 400, |a| draw(a, &Theme::default(), &data)).unwrap();
        let [left, top, right, bottom] = idx.area;
        assert!(
            left > 0 && top > 0 && right < 800 && bottom < 400 && left < right && top < bottom,
            "{:?}",
            idx.area
        );
        let names: Vec<&str> = idx.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["minibatch loss", "loss (moving average)", "test accuracy"]);

        let raw = idx.get("minibatch loss").unwrap();
        assert!(raw.len() <= crate::plot::hover::CAP, "{} points", raw.len());
        assert_eq!(
            (raw.x[0], *raw.x.last().unwrap()),
            (0.0, (n - 1) as f64),
            "first and last step kept"
        );
        assert!(raw.y.contains(&3.0), "the spike is kept");
        // Linear x: step 0 at the left edge, the last step at the right edge, step 1500 halfway.
        assert_eq!(raw.pixel(0).0, left);
        assert_eq!(raw.pixel(raw.len() - 1).0, right);
        // Log y over [0.8·min, 1.25·max]: the expected row from the fraction of decades.
        let (lo, hi) = loss
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
        let (ylo, yhi) = (lo * 0.8, hi * 1.25);
        for i in [0, raw.len() / 2, raw.len() - 1] {
            let frac_x = raw.x[i] / (n - 1) as f64;
            let frac_y = (raw.y[i] / ylo).ln() / (yhi / ylo).ln();
            let (px, py) = raw.pixel(i);
            assert!(
                (px as f64 - (left as f64 + frac_x * (right - left) as f64)).abs() <= 1.0,
                "x of point {i}"
            );
            assert!(
                (py as f64 - (bottom as f64 - frac_y * (bottom - top) as f64)).abs() <= 1.0,
                "y of point {i}"
            );
            assert_eq!(
                raw.y[i], loss[raw.x[i] as usize],
                "the data value is the run's loss at that step"
            );
        }
        // Accuracy on the secondary axis (linear 0..100 %), and on the drawn markers.
        let acc = idx.get("test accuracy").unwrap();
        assert_eq!(acc.y, vec![10.0, 80.0, 90.0]);
        let circles = crate::plot::hover::svg_circles(&svg);
        for i in 0..acc.len() {
            let (px, py) = acc.pixel(i);
            // (plotters maps the secondary axis onto the area one pixel taller than the primary.)
            assert!((py as f64 - (bottom as f64 - acc.y[i] / 100.0 * (bottom - top) as f64)).abs() <= 2.0);
            assert!(
                circles.contains(&(px, py)),
                "accuracy marker {i} drawn at {:?}",
                (px, py)
            );
        }
    }

    /// The x-axis tick labels of a training chart SVG: the numeric `<text>`s on the lowest row
    /// of numeric labels (the axis title "SGD step" is not numeric).
    fn x_tick_labels(svg: &str) -> Vec<String> {
        let mut texts: Vec<(i64, String)> = Vec::new();
        for part in svg.split("<text").skip(1) {
            let y = part
                .split("y=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|v| v.parse::<f64>().ok());
            let body = part
                .split('>')
                .nth(1)
                .and_then(|r| r.split('<').next())
                .unwrap_or("")
                .trim()
                .to_string();
            if let (Some(y), Ok(_)) = (y, body.parse::<f64>()) {
                texts.push((y.round() as i64, body));
            }
        }
        let lowest = texts.iter().map(|t| t.0).max().unwrap_or(0);
        texts
            .into_iter()
            .filter(|t| (t.0 - lowest).abs() <= 2)
            .map(|t| t.1)
            .collect()
    }

    #[test]
    fn step_axis_has_distinct_integer_labels_even_when_empty() {
        for data in [
            TrainingCurves::default(),
            TrainingCurves {
                step: vec![0.0],
                loss: vec![2.3],
                ..Default::default()
            },
            TrainingCurves {
                step: vec![0.0, 1.0],
                loss: vec![2.3, 2.2],
                ..Default::default()
            },
            TrainingCurves {
                step: (0..37).map(f64::from).collect(),
                loss: vec![1.0; 37],
                ..Default::default()
            },
        ] {
            let svg = crate::plot::to_svg(640, 320, |a| draw(a, &Theme::default(), &data)).unwrap();
            let labels = x_tick_labels(&svg);
            assert!(labels.len() >= 2, "{} steps: {labels:?}", data.step.len());
            let mut uniq = labels.clone();
            uniq.sort();
            uniq.dedup();
            assert_eq!(
                uniq.len(),
                labels.len(),
                "{} steps: duplicate labels {labels:?}",
                data.step.len()
            );
            assert!(
                labels.iter().all(|l| l.parse::<f64>().is_ok_and(|v| v.fract() == 0.0)),
                "{labels:?}"
            );
        }
        let empty = crate::plot::to_svg(640, 320, |a| draw(a, &Theme::default(), &TrainingCurves::default())).unwrap();
        assert_eq!(
            x_tick_labels(&empty).last().map(String::as_str),
            Some("10"),
            "an empty chart spans 0 … 10 steps"
        );
    }

    #[test]
    fn empty_chart_says_so() {
        let svg = crate::plot::to_svg(400, 200, |a| draw(a, &Theme::default(), &TrainingCurves::default())).unwrap();
        assert!(svg.contains("no steps yet"));
    }
}
