//! Canvas charts, drawn on the main thread: each function takes a `<canvas>` whose backing store
//! the page has sized to CSS size × devicePixelRatio and the ratio itself (to scale fonts and
//! strokes). Each returns the chart's hover index as a JS object (`plot::HoverIndex`: series
//! names, points in backing-store pixels, their values and the read-out texts) for
//! `www/hover.js`.
//!
//! - [`draw_chart`]: any [`Chart`] the engine decided (the tour's, the spectrum view's), passed
//!   once as a JS object.
//! - [`draw_sample`]: a raw sample (CCDF, histogram or Q–Q) from a typed array.
//! - [`TrainingChart`]: the loss and accuracy history, kept on the Rust side and appended to,
//!   never recopied.

use super::{from_js, js_err, to_js};
use crate::plot::tails::{self, CcdfData, HistogramData, QqData, TailFitLine};
use crate::plot::{self, training::TrainingCurves, Chart, Theme};
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

/// Draws `draw` on the canvas, presents it, and returns the hover index.
fn on_canvas<F>(canvas: HtmlCanvasElement, dpr: f64, draw: F) -> Result<JsValue, JsError>
where
    F: FnOnce(&DrawingArea<CanvasBackend, Shift>, &Theme) -> plot::PlotResult<plot::HoverIndex>,
{
    let theme = theme_for(&canvas, dpr);
    let area = CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("the canvas has no 2-D context"))?
        .into_drawing_area();
    let hover = draw(&area, &theme).map_err(js_err)?;
    area.present().map_err(js_err)?;
    to_js(&hover)
}

/// Draws a chart (a `plot::Chart` as a JS object, e.g. one of a tour step's `charts`).
#[wasm_bindgen]
pub fn draw_chart(canvas: HtmlCanvasElement, dpr: f64, chart: JsValue) -> Result<JsValue, JsError> {
    let chart: Chart = from_js(chart, "chart")?;
    on_canvas(canvas, dpr, |a, t| chart.draw(a, t))
}

/// A chart's text alternative and its data as CSV (the page's "CSV" export).
#[wasm_bindgen]
pub fn chart_label(chart: JsValue) -> Result<String, JsError> {
    Ok(from_js::<Chart>(chart, "chart")?.label())
}

/// A chart's data as CSV: a header of column names, then rows (columns of different lengths
/// leave their cells empty; infinities are written `inf`).
#[wasm_bindgen]
pub fn chart_csv(chart: JsValue) -> Result<String, JsError> {
    Ok(csv(&from_js::<Chart>(chart, "chart")?.columns()))
}

/// Named columns (`[[name, [values…]], …]`) as CSV (the upload view's exports).
#[wasm_bindgen]
pub fn columns_csv(columns: JsValue) -> Result<String, JsError> {
    Ok(csv(&from_js::<Vec<(String, Vec<f64>)>>(columns, "columns")?))
}

/// CSV of named columns.
pub(crate) fn csv(columns: &[(String, Vec<f64>)]) -> String {
    let n = columns.iter().map(|c| c.1.len()).max().unwrap_or(0);
    let mut s = columns.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join(",") + "\n";
    for i in 0..n {
        let row: Vec<String> = columns
            .iter()
            .map(|c| c.1.get(i).map_or(String::new(), |v| format!("{v}")))
            .collect();
        s += &row.join(",");
        s.push('\n');
    }
    s
}

/// A raw sample's chart: `view` is `ccdf` (CCDF of |x| with the power-law fit `fit`, a
/// `TailFitLine` object or `null`), `hist` (histogram with the fitted normal) or `qq` (normal
/// Q–Q plot).
#[wasm_bindgen]
pub fn draw_sample(
    canvas: HtmlCanvasElement,
    dpr: f64,
    view: &str,
    values: &[f64],
    title: &str,
    fit: JsValue,
) -> Result<JsValue, JsError> {
    let fit: Option<TailFitLine> = from_js(fit, "tail fit")?;
    match view {
        "ccdf" => on_canvas(canvas, dpr, |a, t| {
            tails::draw_ccdf(a, t, &CcdfData { values, fit, title })
        }),
        "hist" => on_canvas(canvas, dpr, |a, t| {
            tails::draw_histogram(
                a,
                t,
                &HistogramData {
                    values,
                    bins: None,
                    title,
                },
            )
        }),
        "qq" => on_canvas(canvas, dpr, |a, t| tails::draw_qq(a, t, &QqData { values, title })),
        other => Err(js_err(format!("no chart view {other:?}"))),
    }
}

/// A sample as CSV: one column `name`.
#[wasm_bindgen]
pub fn sample_csv(name: &str, values: &[f64]) -> String {
    csv(&[(name.to_string(), values.to_vec())])
}

/// The training chart's data on the main thread: the loss of every step and the test accuracy
/// of every evaluation, appended slice by slice as the worker reports them.
#[wasm_bindgen]
#[derive(Default)]
pub struct TrainingChart {
    curves: TrainingCurves,
}

#[wasm_bindgen]
impl TrainingChart {
    #[wasm_bindgen(constructor)]
    pub fn new() -> TrainingChart {
        TrainingChart::default()
    }

    /// Appends a slice: the steps and their losses, the evaluations' steps and accuracies.
    pub fn append(
        &mut self,
        steps: &[f64],
        losses: &[f64],
        eval_steps: &[f64],
        eval_accuracy: &[f64],
    ) -> Result<(), JsError> {
        if steps.len() != losses.len() || eval_steps.len() != eval_accuracy.len() {
            return Err(JsError::new("TrainingChart.append: arrays of different lengths"));
        }
        let c = &mut self.curves;
        c.step.extend_from_slice(steps);
        c.loss.extend_from_slice(losses);
        c.eval_step.extend_from_slice(eval_steps);
        c.eval_accuracy.extend_from_slice(eval_accuracy);
        Ok(())
    }

    /// Forgets everything (a new run).
    pub fn clear(&mut self) {
        self.curves = TrainingCurves::default();
    }

    /// Steps recorded so far.
    pub fn steps(&self) -> usize {
        self.curves.step.len()
    }

    /// Draws it; returns the hover index.
    pub fn draw(&self, canvas: HtmlCanvasElement, dpr: f64) -> Result<JsValue, JsError> {
        on_canvas(canvas, dpr, |a, t| plot::training::draw(a, t, &self.curves))
    }

    /// The history as an object `{step, loss, eval_step, eval_accuracy}` (for the page's tests).
    pub fn history(&self) -> Result<JsValue, JsError> {
        let c = &self.curves;
        to_js(
            &serde_json::json!({"step": c.step, "loss": c.loss, "eval_step": c.eval_step, "eval_accuracy": c.eval_accuracy}),
        )
    }

    /// The history as CSV (step, minibatch loss; evaluation step, test accuracy).
    pub fn csv(&self) -> String {
        let c = &self.curves;
        csv(&[
            ("step".into(), c.step.clone()),
            ("minibatch_loss".into(), c.loss.clone()),
            ("eval_step".into(), c.eval_step.clone()),
            ("test_accuracy".into(), c.eval_accuracy.clone()),
        ])
    }
}
