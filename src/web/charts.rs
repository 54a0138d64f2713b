//! Canvas charts. Each function takes a canvas — a `<canvas>` element on the main thread or an
//! `OffscreenCanvas` (in a worker, or transferred from an element) — whose backing store the page
//! has sized to CSS size × devicePixelRatio, and the ratio itself (to scale fonts and strokes).
//! They draw through the crate's own plotters backend ([`super::canvas2d`]: text measured with
//! the context's `measureText`, no DOM), and each returns the chart's hover index as a JS object
//! (`plot::HoverIndex`: series names, points in backing-store pixels, their values and the
//! read-out texts) for `www/hover.js`.
//!
//! - [`draw_chart`]: any [`Chart`] the engine decided (the tour's, the spectrum view's), passed
//!   once as a JS object.
//! - [`draw_sample`]: a raw sample (CCDF, histogram or Q–Q) from a typed array.
//! - [`TrainingChart`]: the loss and accuracy history, kept on the Rust side and appended to,
//!   never recopied.

use super::canvas2d::{AnyContext2d, Canvas2dBackend, Extents};
use super::{from_js, js_err, to_js};
use crate::plot::tails::{self, CcdfData, HistogramData, QqData, TailFitLine};
use crate::plot::{self, training::TrainingCurves, Chart, Theme};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

/// What one call draws: plotters draws generically over the backend, so the work is named once
/// and drawn on whichever context the canvas has.
enum Job<'a> {
    Chart(&'a Chart),
    Ccdf(CcdfData<'a>),
    Histogram(HistogramData<'a>),
    Qq(QqData<'a>),
    Training(&'a TrainingCurves),
}

impl Job<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        theme: &Theme,
    ) -> plot::PlotResult<plot::HoverIndex> {
        match self {
            Job::Chart(c) => c.draw(area, theme),
            Job::Ccdf(d) => tails::draw_ccdf(area, theme, d),
            Job::Histogram(d) => tails::draw_histogram(area, theme, d),
            Job::Qq(d) => tails::draw_qq(area, theme, d),
            Job::Training(d) => plot::training::draw(area, theme, d),
        }
    }
}

/// The chart theme for a canvas `width` device pixels wide: its device pixel ratio, and text
/// sized for its CSS width (width ÷ dpr; see `plot::theme::label_px_for_width`).
fn theme_for(width: u32, dpr: f64) -> Theme {
    let t = Theme::for_dpr(dpr);
    Theme::for_canvas(t.scale, width as f64 / t.scale)
}

/// At most this many measured texts are kept between draws of one chart (labels change as the
/// axes grow; the cache is emptied when it is full).
const EXTENTS_KEPT: usize = 1024;

/// Draws `job` on `canvas` (an `HTMLCanvasElement` or an `OffscreenCanvas`) and returns the hover
/// index. `extents`: text extents measured by earlier draws, extended by this one.
fn on_canvas(canvas: &JsValue, dpr: f64, job: &Job, extents: &Rc<RefCell<Extents>>) -> Result<JsValue, JsError> {
    let no_context = || JsError::new("the canvas has no 2-D context");
    let (ctx, size) = if let Some(c) = canvas.dyn_ref::<OffscreenCanvas>() {
        let ctx: OffscreenCanvasRenderingContext2d = c
            .get_context("2d")
            .map_err(|_| no_context())?
            .ok_or_else(no_context)?
            .dyn_into()
            .map_err(|_| no_context())?;
        (AnyContext2d::Offscreen(ctx), (c.width(), c.height()))
    } else if let Some(c) = canvas.dyn_ref::<HtmlCanvasElement>() {
        let ctx: CanvasRenderingContext2d = c
            .get_context("2d")
            .map_err(|_| no_context())?
            .ok_or_else(no_context)?
            .dyn_into()
            .map_err(|_| no_context())?;
        (AnyContext2d::Element(ctx), (c.width(), c.height()))
    } else {
        return Err(JsError::new(
            "not a canvas: expected an HTMLCanvasElement or an OffscreenCanvas",
        ));
    };
    if extents.borrow().len() > EXTENTS_KEPT {
        extents.borrow_mut().clear();
    }
    let theme = theme_for(size.0, dpr);
    let area = Canvas2dBackend::with_extents(ctx, size, Rc::clone(extents)).into_area();
    let hover = job.draw(&area, &theme).map_err(js_err)?;
    area.present().map_err(js_err)?;
    hover_js(&hover)
}

/// Separates the read-out texts of a series while they cross the boundary (the ASCII unit
/// separator, which no read-out contains).
const UNIT_SEPARATOR: char = '\u{1f}';

/// `texts` as a JS array of strings: joined, passed as one string and split on the JS side, so a
/// series of 1000 read-outs costs one string decode instead of 1000.
fn js_strings(texts: &[String]) -> js_sys::Array {
    if texts.is_empty() {
        return js_sys::Array::new();
    }
    if texts.iter().any(|t| t.contains(UNIT_SEPARATOR)) {
        return texts.iter().map(|t| JsValue::from_str(t)).collect();
    }
    let joined = texts.join(&UNIT_SEPARATOR.to_string());
    js_sys::JsString::from(joined).split(&UNIT_SEPARATOR.to_string())
}

/// A hover index as the same plain JS object [`to_js`] makes of it (`{area, series: [{name,
/// x_name, y_name, px, x, y, x_text, y_text}]}`, arrays as JS arrays), built with a few bulk
/// copies instead of one boundary call per number and per string: the training chart returns
/// its index every frame, and element-wise conversion was the largest part of its redraw
/// (`tests/web_canvas.rs` checks the two agree).
pub fn hover_js(hover: &plot::HoverIndex) -> Result<JsValue, JsError> {
    let set = |o: &js_sys::Object, k: &str, v: &JsValue| {
        js_sys::Reflect::set(o, &JsValue::from_str(k), v)
            .map(|_| ())
            .map_err(|_| JsError::new("could not build the hover index"))
    };
    let numbers = |v: &[f64]| js_sys::Array::from(&js_sys::Float64Array::from(v).into());
    let index = js_sys::Object::new();
    set(
        &index,
        "area",
        &js_sys::Array::from(&js_sys::Int32Array::from(&hover.area[..]).into()),
    )?;
    let series = js_sys::Array::new();
    for s in &hover.series {
        let o = js_sys::Object::new();
        set(&o, "name", &JsValue::from_str(&s.name))?;
        set(&o, "x_name", &JsValue::from_str(&s.x_name))?;
        set(&o, "y_name", &JsValue::from_str(&s.y_name))?;
        set(
            &o,
            "px",
            &js_sys::Array::from(&js_sys::Int32Array::from(&s.px[..]).into()),
        )?;
        set(&o, "x", &numbers(&s.x))?;
        set(&o, "y", &numbers(&s.y))?;
        set(&o, "x_text", &js_strings(&s.x_text))?;
        set(&o, "y_text", &js_strings(&s.y_text))?;
        series.push(&o);
    }
    set(&index, "series", &series)?;
    Ok(index.into())
}

/// [`on_canvas`] with no extents kept between draws.
fn draw_once(canvas: &JsValue, dpr: f64, job: &Job) -> Result<JsValue, JsError> {
    on_canvas(canvas, dpr, job, &Rc::default())
}

/// Draws a chart (a `plot::Chart` as a JS object, e.g. one of a tour step's `charts`).
#[wasm_bindgen]
pub fn draw_chart(canvas: JsValue, dpr: f64, chart: JsValue) -> Result<JsValue, JsError> {
    let chart: Chart = from_js(chart, "chart")?;
    draw_once(&canvas, dpr, &Job::Chart(&chart))
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
    canvas: JsValue,
    dpr: f64,
    view: &str,
    values: &[f64],
    title: &str,
    fit: JsValue,
) -> Result<JsValue, JsError> {
    let fit: Option<TailFitLine> = from_js(fit, "tail fit")?;
    let job = match view {
        "ccdf" => Job::Ccdf(CcdfData { values, fit, title }),
        "hist" => Job::Histogram(HistogramData {
            values,
            bins: None,
            title,
        }),
        "qq" => Job::Qq(QqData { values, title }),
        other => return Err(js_err(format!("no chart view {other:?}"))),
    };
    draw_once(&canvas, dpr, &job)
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
    /// Text extents measured by earlier draws (the chart is redrawn every frame while training,
    /// mostly with the same labels).
    extents: Rc<RefCell<Extents>>,
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
    pub fn draw(&self, canvas: JsValue, dpr: f64) -> Result<JsValue, JsError> {
        on_canvas(&canvas, dpr, &Job::Training(&self.curves), &self.extents)
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
