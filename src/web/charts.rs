//! Canvas charts: each function takes a `<canvas>` whose backing store the page has sized to
//! CSS size × devicePixelRatio, the ratio itself (to scale fonts and strokes), and plain arrays.
//! Each returns the chart's hover index as JSON (`plot::HoverIndex`: series names, points in
//! backing-store pixels and their data values) for `www/hover.js`.

use super::js_err;
use crate::plot::spectrum::{self as spectrum_plot, DavisKahanPlot, EigengapPlot, RankPlot, TraceSharePlot};
use crate::plot::tails::{self, CcdfData, HistogramData, QqData, TailFitLine};
use crate::plot::{self, training::TrainingCurves, Theme};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// The chart theme for `canvas`: its device pixel ratio, and text sized for its CSS width
/// (backing-store width ÷ dpr; see `plot::theme::label_px_for_width`).
fn theme_for(canvas: &HtmlCanvasElement, dpr: f64) -> Theme {
    let t = Theme::for_dpr(dpr);
    Theme::for_canvas(t.scale, canvas.width() as f64 / t.scale)
}

fn backend(canvas: HtmlCanvasElement) -> Result<CanvasBackend, JsError> {
    CanvasBackend::with_canvas_object(canvas).ok_or_else(|| JsError::new("the canvas has no 2-D context"))
}

/// Draws the training chart (loss per step, its moving average, test accuracy); returns the hover
/// index JSON.
#[wasm_bindgen]
pub fn draw_training_chart(
    canvas: HtmlCanvasElement,
    dpr: f64,
    step: &[f64],
    loss: &[f64],
    eval_step: &[f64],
    eval_accuracy: &[f64],
) -> Result<String, JsError> {
    if step.len() != loss.len() || eval_step.len() != eval_accuracy.len() {
        return Err(JsError::new("draw_training_chart: arrays of different lengths"));
    }
    let data = TrainingCurves {
        step: step.to_vec(),
        loss: loss.to_vec(),
        eval_step: eval_step.to_vec(),
        eval_accuracy: eval_accuracy.to_vec(),
    };
    let theme = theme_for(&canvas, dpr);
    on_canvas(canvas, |a| plot::training::draw(a, &theme, &data))
}

/// Draws `draw` on the canvas, presents it, and returns the hover index as JSON.
fn on_canvas<F>(canvas: HtmlCanvasElement, draw: F) -> Result<String, JsError>
where
    F: FnOnce(&DrawingArea<CanvasBackend, Shift>) -> plot::PlotResult<plot::HoverIndex>,
{
    let area = backend(canvas)?.into_drawing_area();
    let hover = draw(&area).map_err(js_err)?;
    area.present().map_err(js_err)?;
    Ok(hover.to_json())
}

fn from_json<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<T, JsError> {
    serde_json::from_str(json).map_err(|e| JsError::new(&format!("{what}: bad chart data: {e}")))
}

/// CCDF of |x| on log–log axes with the fitted power law from `xmin` (n_tail values ≥ xmin,
/// exponent `alpha`); pass `n_tail = 0` to draw no fit. (Flat numbers rather than a struct: the
/// page passes them straight from the report.)
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen]
pub fn draw_ccdf(
    canvas: HtmlCanvasElement,
    dpr: f64,
    values: &[f64],
    xmin: f64,
    alpha: f64,
    n_tail: usize,
    n: usize,
    title: &str,
) -> Result<String, JsError> {
    let fit = (n_tail > 0).then_some(TailFitLine { xmin, alpha, n_tail, n });
    let theme = theme_for(&canvas, dpr);
    on_canvas(canvas, |a| {
        tails::draw_ccdf(a, &theme, &CcdfData { values, fit, title })
    })
}

/// CCDF from a summary (a report's `TailTest::ccdf`): `xs[i]`, `ps[i]` = P(|X| ≥ xs[i]) over
/// `n` values, with the fit as in [`draw_ccdf`] (`n_tail = 0`: none).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen]
pub fn draw_ccdf_summary(
    canvas: HtmlCanvasElement,
    dpr: f64,
    xs: &[f64],
    ps: &[f64],
    n: usize,
    xmin: f64,
    alpha: f64,
    n_tail: usize,
    title: &str,
) -> Result<String, JsError> {
    if xs.len() != ps.len() {
        return Err(JsError::new("draw_ccdf_summary: arrays of different lengths"));
    }
    let pts: Vec<(f64, f64)> = xs.iter().copied().zip(ps.iter().copied()).collect();
    let fit = (n_tail > 0).then_some(TailFitLine { xmin, alpha, n_tail, n });
    let theme = theme_for(&canvas, dpr);
    on_canvas(canvas, |a| tails::draw_ccdf_summary(a, &theme, &pts, n, fit, title))
}

/// Histogram of `values` with the fitted normal density.
#[wasm_bindgen]
pub fn draw_histogram(canvas: HtmlCanvasElement, dpr: f64, values: &[f64], title: &str) -> Result<String, JsError> {
    let theme = theme_for(&canvas, dpr);
    on_canvas(canvas, |a| {
        tails::draw_histogram(
            a,
            &theme,
            &HistogramData {
                values,
                bins: None,
                title,
            },
        )
    })
}

/// Normal Q–Q plot of `values`.
#[wasm_bindgen]
pub fn draw_qq(canvas: HtmlCanvasElement, dpr: f64, values: &[f64], title: &str) -> Result<String, JsError> {
    let theme = theme_for(&canvas, dpr);
    on_canvas(canvas, |a| tails::draw_qq(a, &theme, &QqData { values, title }))
}

/// Rank plot of a covariance spectrum (JSON of `plot::spectrum::RankPlot`).
#[wasm_bindgen]
pub fn draw_rank_plot(canvas: HtmlCanvasElement, dpr: f64, rank_plot_json: &str) -> Result<String, JsError> {
    let data: RankPlot = from_json(rank_plot_json, "rank plot")?;
    let theme = theme_for(&canvas, dpr);
    on_canvas(canvas, |a| spectrum_plot::draw_rank_plot(a, &theme, &data))
}

/// Cumulative trace share (JSON of `plot::spectrum::TraceSharePlot`).
#[wasm_bindgen]
pub fn draw_trace_share(canvas: HtmlCanvasElement, dpr: f64, trace_share_json: &str) -> Result<String, JsError> {
    let data: TraceSharePlot = from_json(trace_share_json, "trace share")?;
    let theme = theme_for(&canvas, dpr);
    on_canvas(canvas, |a| spectrum_plot::draw_trace_share(a, &theme, &data))
}

/// Eigengaps by rank and re-sorted (JSON of `plot::spectrum::EigengapPlot`).
#[wasm_bindgen]
pub fn draw_eigengaps(canvas: HtmlCanvasElement, dpr: f64, eigengaps_json: &str) -> Result<String, JsError> {
    let data: EigengapPlot = from_json(eigengaps_json, "eigengaps")?;
    let theme = theme_for(&canvas, dpr);
    on_canvas(canvas, |a| spectrum_plot::draw_eigengaps(a, &theme, &data))
}

/// Davis–Kahan view: sin∠ between eigenvectors of two half-sample estimates against the bound
/// (JSON of `plot::spectrum::DavisKahanPlot`).
#[wasm_bindgen]
pub fn draw_davis_kahan(canvas: HtmlCanvasElement, dpr: f64, davis_kahan_json: &str) -> Result<String, JsError> {
    let data: DavisKahanPlot = from_json(davis_kahan_json, "Davis–Kahan")?;
    let theme = theme_for(&canvas, dpr);
    on_canvas(canvas, |a| spectrum_plot::draw_davis_kahan(a, &theme, &data))
}
