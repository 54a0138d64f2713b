//! Canvas charts: each function takes a `<canvas>` whose backing store the page has sized to
//! CSS size × devicePixelRatio, the ratio itself (to scale fonts and strokes), and plain arrays.

use crate::plot::{self, training::TrainingCurves, Theme};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

fn backend(canvas: HtmlCanvasElement) -> Result<CanvasBackend, JsError> {
    CanvasBackend::with_canvas_object(canvas).ok_or_else(|| JsError::new("the canvas has no 2-D context"))
}

fn plot_err(e: plot::PlotError) -> JsError {
    JsError::new(&e.to_string())
}

/// Draws the training chart (loss per step, its moving average, test accuracy).
#[wasm_bindgen]
pub fn draw_training_chart(
    canvas: HtmlCanvasElement,
    dpr: f64,
    step: &[f64],
    loss: &[f64],
    eval_step: &[f64],
    eval_accuracy: &[f64],
) -> Result<(), JsError> {
    if step.len() != loss.len() || eval_step.len() != eval_accuracy.len() {
        return Err(JsError::new("draw_training_chart: arrays of different lengths"));
    }
    let area = backend(canvas)?.into_drawing_area();
    let data = TrainingCurves {
        step: step.to_vec(),
        loss: loss.to_vec(),
        eval_step: eval_step.to_vec(),
        eval_accuracy: eval_accuracy.to_vec(),
    };
    plot::training::draw(&area, &Theme::for_dpr(dpr), &data).map_err(plot_err)?;
    area.present().map_err(|e| JsError::new(&e.to_string()))
}
