//! Browser tests (wasm-bindgen-test in headless Chromium): charts really draw on a real canvas.
#![cfg(target_arch = "wasm32")]

use sgn_lab::plot::Chart;
use sgn_lab::web::charts::{draw_chart, TrainingChart};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn canvas(w: u32, h: u32) -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    // Not appended to the document: a canvas draws the same outside it, and the page stays empty
    // for the text measured in `<span>`s (plotters' and the tests' own), which would wrap at the
    // right edge of whatever the body held before them.
    c
}

fn pixels(c: &HtmlCanvasElement) -> Vec<u8> {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    ctx.get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64)
        .unwrap()
        .data()
        .0
}

/// Pixels close to the first series colour (Okabe–Ito blue, 0 114 178).
fn blue_pixels(px: &[u8]) -> usize {
    px.chunks(4)
        .filter(|p| {
            (p[0] as i32) < 60 && (p[1] as i32 - 114).abs() < 40 && (p[2] as i32 - 178).abs() < 40 && p[3] > 200
        })
        .count()
}

#[wasm_bindgen_test]
fn training_chart_changes_pixels_and_draws_the_loss_line() {
    let c = canvas(800, 400);
    let before = pixels(&c);
    assert!(before.iter().all(|&v| v == 0), "a new canvas is transparent");

    let step: Vec<f64> = (0..300).map(f64::from).collect();
    let loss: Vec<f64> = step.iter().map(|s| 2.3 * (-s / 80.0).exp() + 0.05).collect();
    let mut chart = TrainingChart::new();
    // Appended in two slices, as the worker reports them.
    chart.append(&step[..120], &loss[..120], &[100.0], &[0.8]).unwrap();
    chart
        .append(&step[120..], &loss[120..], &[200.0, 299.0], &[0.9, 0.95])
        .unwrap();
    assert_eq!(chart.steps(), 300);
    let hover = chart.draw(c.clone().into(), 2.0).unwrap();

    let after = pixels(&c);
    let changed = before.chunks(4).zip(after.chunks(4)).filter(|(a, b)| a != b).count();
    assert!(
        changed > 800 * 400 / 2,
        "background not painted: {changed} pixels changed"
    );
    let blue = blue_pixels(&after);
    assert!(blue > 500, "loss line missing: {blue} blue pixels");

    // The hover index: series with points inside the canvas, on the drawn (blue) line.
    let idx: serde_json::Value = serde_wasm_bindgen::from_value(hover).unwrap();
    let series = idx["series"].as_array().unwrap();
    assert_eq!(series[0]["name"], "minibatch loss");
    assert_eq!(series[2]["y"].as_array().unwrap().len(), 3, "three accuracy points");
    let px: Vec<i64> = series[1]["px"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(px.len(), 2 * 300);
    let on_line = px
        .chunks(2)
        .filter(|p| {
            let i = 4 * (p[1] as usize * 800 + p[0] as usize);
            (after[i] as i32) < 60 && (after[i + 2] as i32 - 178).abs() < 40
        })
        .count();
    assert!(
        on_line > 250,
        "moving-average points lie on the drawn line: {on_line} of 300"
    );
}

#[wasm_bindgen_test]
fn mismatched_arrays_are_an_error_not_a_panic() {
    let c = canvas(200, 100);
    assert!(TrainingChart::new().append(&[0.0, 1.0], &[1.0], &[], &[]).is_err());
    // A chart object that is not a chart: a readable error, and the canvas is untouched.
    let bad = serde_wasm_bindgen::to_value(&serde_json::json!({"kind": "pie"})).unwrap();
    assert!(draw_chart(c.into(), 1.0, bad).is_err());
}

#[wasm_bindgen_test]
fn a_chart_object_draws_once_from_what_the_engine_decided() {
    let c = canvas(600, 400);
    let chart = Chart::Ccdf {
        title: "CCDF".into(),
        points: (1..200).map(|i| [i as f64, (200 - i) as f64 / 200.0]).collect(),
        n: 200,
        fit: None,
    };
    let obj = serde_wasm_bindgen::to_value(&chart).unwrap();
    let hover: serde_json::Value =
        serde_wasm_bindgen::from_value(draw_chart(c.clone().into(), 1.0, obj).unwrap()).unwrap();
    assert!(!hover["series"].as_array().unwrap().is_empty());
    assert!(blue_pixels(&pixels(&c)) > 100);
}

// ---------------------------------------------------------------------------------------------
// The crate's canvas backend (`sgn_lab::web::canvas2d`) against plotters-canvas 0.3.1, the
// backend the page drew with before: the same calls must give the same pixels, and the text
// measured with `measureText` must match what plotters measured in the DOM.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use sgn_lab::plot::{tails, training::TrainingCurves, Theme};
use sgn_lab::web::canvas2d::Canvas2dBackend;
use web_sys::{OffscreenCanvas, OffscreenCanvasRenderingContext2d};

fn context(c: &HtmlCanvasElement) -> CanvasRenderingContext2d {
    c.get_context("2d").unwrap().unwrap().dyn_into().unwrap()
}

/// The page's theme for a canvas `width` device pixels wide (as `web::charts` makes it).
fn theme(width: u32, dpr: f64) -> Theme {
    let t = Theme::for_dpr(dpr);
    Theme::for_canvas(t.scale, width as f64 / t.scale)
}

/// Indices of the pixels (RGBA quadruples) that differ by more than `tol` in any channel.
fn differing(a: &[u8], b: &[u8], tol: u8) -> Vec<usize> {
    assert_eq!(a.len(), b.len());
    a.chunks(4)
        .zip(b.chunks(4))
        .enumerate()
        .filter(|(_, (p, q))| p.iter().zip(q.iter()).any(|(x, y)| x.abs_diff(*y) > tol))
        .map(|(i, _)| i)
        .collect()
}

/// Every primitive plotters asks a backend for, on `area`: lines (axis-parallel ones get the
/// half-pixel shift), rectangles filled and not, circles, a path, a polygon, pixels, and text in
/// four rotations and nine anchors in two fonts.
fn primitives<DB: DrawingBackend>(area: &DrawingArea<DB, plotters::coord::Shift>) {
    area.fill(&WHITE).unwrap();
    let blue = RGBColor(0, 114, 178);
    let orange = RGBColor(230, 159, 0);
    area.draw(&PathElement::new(vec![(10, 10), (10, 190)], blue.stroke_width(1)))
        .unwrap();
    area.draw(&PathElement::new(vec![(20, 15), (380, 15)], blue.stroke_width(2)))
        .unwrap();
    area.draw(&PathElement::new(
        vec![(30, 30), (200, 170), (260, 40), (390, 180)],
        orange.stroke_width(3),
    ))
    .unwrap();
    area.draw(&Rectangle::new([(40, 40), (120, 90)], blue.mix(0.4).filled()))
        .unwrap();
    area.draw(&Rectangle::new([(140, 40), (220, 90)], orange.stroke_width(2)))
        .unwrap();
    area.draw(&Circle::new((300, 60), 12, blue.filled())).unwrap();
    area.draw(&Circle::new((340, 60), 9, orange.stroke_width(2))).unwrap();
    area.draw(&Polygon::new(vec![(50, 180), (90, 120), (130, 180)], orange.mix(0.6)))
        .unwrap();
    area.draw(&Pixel::new((5, 5), BLACK)).unwrap();
    area.draw(&Cross::new((360, 120), 6, blue.stroke_width(2))).unwrap();
    area.draw(&TriangleMarker::new((330, 140), 6, orange.filled())).unwrap();
    let anchors = [HPos::Left, HPos::Center, HPos::Right];
    let vanchors = [VPos::Top, VPos::Center, VPos::Bottom];
    let transforms = [
        FontTransform::None,
        FontTransform::Rotate90,
        FontTransform::Rotate180,
        FontTransform::Rotate270,
    ];
    for (i, t) in transforms.iter().enumerate() {
        for (j, (hp, vp)) in anchors.iter().zip(vanchors.iter()).enumerate() {
            let size = if (i + j) % 2 == 0 { 13.5 } else { 18.0 };
            let style = TextStyle::from(("sans-serif", size).into_font())
                .color(&BLACK)
                .pos(Pos::new(*hp, *vp))
                .transform(t.clone());
            let at = (150 + 60 * j as i32, 110 + 22 * i as i32);
            area.draw(&Text::new(format!("Ag {i}{j} 10⁻³"), at, style)).unwrap();
        }
    }
}

#[wasm_bindgen_test]
fn every_primitive_draws_the_same_pixels_as_plotters_canvas() {
    let (a, b) = (canvas(400, 200), canvas(400, 200));
    primitives(
        &CanvasBackend::with_canvas_object(a.clone())
            .unwrap()
            .into_drawing_area(),
    );
    primitives(&Canvas2dBackend::new(context(&b), (400, 200)).into_area());
    let (pa, pb) = (pixels(&a), pixels(&b));
    let diff = differing(&pa, &pb, 0);
    assert!(
        diff.is_empty(),
        "{} pixels differ, first at {:?}",
        diff.len(),
        diff.first().map(|i| (i % 400, i / 400))
    );
    assert!(blue_pixels(&pb) > 500, "the primitives were drawn");
}

/// The oracle for a text's extents: a `<span>` in the document in the same font with
/// `line-height: normal` (the font's line box), its `offsetWidth` × `offsetHeight` — what
/// plotters' own web font code measures, minus its dependence on the page's line height.
fn span_extents(font: &str, text: &str) -> (u32, u32) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let span: web_sys::HtmlElement = doc.create_element("span").unwrap().dyn_into().unwrap();
    span.set_text_content(Some(text));
    span.set_attribute(
        "style",
        &format!(
            "display: inline-block; font: {font}; line-height: normal; white-space: pre; position: fixed; top: 100%"
        ),
    )
    .unwrap();
    doc.body().unwrap().append_child(&span).unwrap();
    let e = (span.offset_width() as u32, span.offset_height() as u32);
    span.remove();
    e
}

#[wasm_bindgen_test]
fn measured_text_matches_the_documents_layout() {
    // The backend's `measureText` (advance width × font ascent + descent) against the span.
    let c = canvas(10, 10);
    let ours = Canvas2dBackend::new(context(&c), (10, 10));
    let mut worst = (0u32, 0u32);
    for size in [9.0, 12.0, 13.5, 14.0, 16.5, 21.0, 24.0, 33.0] {
        let font = ("sans-serif", size).into_font();
        let css = format!("normal {size}px sans-serif");
        for text in [
            "0",
            "-0.25",
            "1e-3",
            "minibatch loss",
            "test accuracy (%)",
            "Ägypten, quality",
            "10⁻⁴",
            "α = 2.31 ± 0.08",
        ] {
            let dom = span_extents(&css, text);
            let me = ours.estimate_text_size(text, &TextStyle::from(font.clone())).unwrap();
            let d = (dom.0.abs_diff(me.0), dom.1.abs_diff(me.1));
            worst = (worst.0.max(d.0), worst.1.max(d.1));
            // Chromium reports the font box in whole pixels (each of ascent and descent rounded),
            // the line box is rounded once: 1 px apart at most. Glyphs the font lacks (the
            // superscripts) come from a fallback font, whose taller line box the span includes
            // and `fontBoundingBox*` (the first font's) does not: 2 px at most at these sizes.
            let fallback = text.chars().any(|ch| matches!(ch, '⁰'..='⁹'));
            let h_tol = if fallback { 2 } else { 1 };
            assert!(
                d.0 <= 1 && d.1 <= h_tol,
                "{text:?} at {size}px: span {dom:?}, measureText {me:?}"
            );
        }
    }
    console_log!("largest extent difference (w, h): {worst:?} px");
}

/// Fills every text of `extents` (keyed by CSS font and text) with what plotters' own font code
/// measures for it (a `<span>` in this test page), so the backend lays text out exactly as
/// plotters-canvas did.
fn plotters_extents(extents: &mut sgn_lab::web::canvas2d::Extents) {
    for ((css, text), e) in extents.iter_mut() {
        // `normal {size}px {family}`, as the backend writes fonts.
        let mut parts = css.splitn(3, ' ');
        let (_, size, family) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let size: f64 = size.trim_end_matches("px").parse().unwrap();
        let b = (family, size).into_font().box_size(text).unwrap();
        *e = b;
    }
}

fn curves() -> TrainingCurves {
    let step: Vec<f64> = (0..400).map(f64::from).collect();
    let loss = step
        .iter()
        .map(|s| 2.3 * (-s / 90.0).exp() + 0.05 + 0.1 * (s * 0.7).sin().abs())
        .collect();
    TrainingCurves {
        step,
        loss,
        eval_step: vec![100.0, 200.0, 300.0, 399.0],
        eval_accuracy: vec![0.61, 0.82, 0.9, 0.93],
    }
}

/// Draws one chart with plotters-canvas and with the crate's backend at `w`×`h` and `dpr`;
/// Draws one chart with plotters-canvas and with the crate's backend at `w`×`h` and `dpr`.
/// With the texts laid out by plotters' measurement ([`plotters_extents`]) the crate's backend
/// must give the same pixels and the same hover index; with its own `measureText` extents, the
/// plot area within 3 px (captions, tick label rows and the legend box are laid out from the
/// text heights, which differ by a pixel; a 1-px shift of the plot moves every grid line, so the
/// share of differing pixels is only logged).
fn compare_chart(
    name: &str,
    w: u32,
    h: u32,
    dpr: f64,
    draw: impl Fn(&DrawingArea<CanvasBackend, plotters::coord::Shift>, &Theme) -> sgn_lab::plot::HoverIndex,
    draw_ours: impl Fn(
        &DrawingArea<Canvas2dBackend<CanvasRenderingContext2d>, plotters::coord::Shift>,
        &Theme,
    ) -> sgn_lab::plot::HoverIndex,
) {
    use std::cell::RefCell;
    use std::rc::Rc;
    let (reference, own, laid_out) = (canvas(w, h), canvas(w, h), canvas(w, h));
    let t = theme(w, dpr);
    let json = |h: &sgn_lab::plot::HoverIndex| serde_json::to_value(h).unwrap();
    let h_ref = json(&draw(
        &CanvasBackend::with_canvas_object(reference.clone())
            .unwrap()
            .into_drawing_area(),
        &t,
    ));
    let extents = Rc::new(RefCell::new(Default::default()));
    let h_own = json(&draw_ours(
        &Canvas2dBackend::with_extents(context(&own), (w, h), Rc::clone(&extents)).into_area(),
        &t,
    ));
    let measured = extents.borrow().clone();
    plotters_extents(&mut extents.borrow_mut());
    for (k, v) in extents.borrow().iter() {
        let m = measured[k];
        assert!(
            m.0.abs_diff(v.0) <= 1 && m.1.abs_diff(v.1) <= 2,
            "{name}: {k:?} measured {v:?} by plotters, {m:?} by measureText"
        );
    }
    let h_laid = json(&draw_ours(
        &Canvas2dBackend::with_extents(context(&laid_out), (w, h), extents).into_area(),
        &t,
    ));
    let tag = format!("{name} {w}×{h} at dpr {dpr}");
    assert!(
        h_ref == h_laid,
        "{tag}: the hover index differs with plotters' text extents"
    );
    // With measureText's extents the plot area may move by the pixel or two a caption or tick
    // label row is shorter.
    let area = |h: &serde_json::Value| -> Vec<i64> {
        h["area"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect()
    };
    let moved = area(&h_ref)
        .iter()
        .zip(area(&h_own))
        .map(|(a, b)| (a - b).abs())
        .max()
        .unwrap();
    assert!(
        moved <= 3,
        "{tag}: the plot area moved {moved} px: {:?} → {:?}",
        area(&h_ref),
        area(&h_own)
    );
    let p_ref = pixels(&reference);
    let diff = differing(&p_ref, &pixels(&laid_out), 0);
    assert!(
        diff.is_empty(),
        "{tag}: {} pixels differ, the first at {:?}",
        diff.len(),
        diff.first().map(|i| (i % w as usize, i / w as usize))
    );
    let share = differing(&p_ref, &pixels(&own), 0).len() as f64 / (w * h) as f64;
    console_log!(
        "{tag}: plot area moved {moved} px, {:.3} % of the pixels differ with measureText's extents",
        100.0 * share
    );
}

#[wasm_bindgen_test]
fn charts_draw_as_plotters_canvas_drew_them() {
    let c = curves();
    let values: Vec<f64> = (1..500).map(|i| ((i * 7919) % 1000) as f64 / 50.0 - 10.0).collect();
    let fit = tails::TailFitLine {
        xmin: 2.0,
        alpha: 2.5,
        n_tail: 120,
        n: values.len(),
    };
    for (w, h, dpr) in [(800, 400, 1.0), (1600, 800, 2.0), (360, 300, 1.0)] {
        compare_chart(
            "training",
            w,
            h,
            dpr,
            |a, t| sgn_lab::plot::training::draw(a, t, &c).unwrap(),
            |a, t| sgn_lab::plot::training::draw(a, t, &c).unwrap(),
        );
        let ccdf = || tails::CcdfData {
            values: &values,
            fit: Some(fit),
            title: "CCDF of |g| with a power-law fit",
        };
        compare_chart(
            "ccdf",
            w,
            h,
            dpr,
            |a, t| tails::draw_ccdf(a, t, &ccdf()).unwrap(),
            |a, t| tails::draw_ccdf(a, t, &ccdf()).unwrap(),
        );
        let qq = || tails::QqData {
            values: &values,
            title: "Normal Q–Q",
        };
        compare_chart(
            "qq",
            w,
            h,
            dpr,
            |a, t| tails::draw_qq(a, t, &qq()).unwrap(),
            |a, t| tails::draw_qq(a, t, &qq()).unwrap(),
        );
        let hist = || tails::HistogramData {
            values: &values,
            bins: None,
            title: "Histogram",
        };
        compare_chart(
            "histogram",
            w,
            h,
            dpr,
            |a, t| tails::draw_histogram(a, t, &hist()).unwrap(),
            |a, t| tails::draw_histogram(a, t, &hist()).unwrap(),
        );
    }
}

#[wasm_bindgen_test]
fn an_offscreen_canvas_gets_the_same_chart_as_an_element() {
    let (w, h) = (700, 350);
    let element = canvas(w, h);
    let offscreen = OffscreenCanvas::new(w, h).unwrap();
    let step: Vec<f64> = (0..200).map(f64::from).collect();
    let loss: Vec<f64> = step.iter().map(|s| 1.0 / (1.0 + s)).collect();
    let mut chart = TrainingChart::new();
    chart.append(&step, &loss, &[199.0], &[0.7]).unwrap();
    let on_element = chart.draw(element.clone().into(), 1.5).unwrap();
    let on_offscreen = chart.draw(offscreen.clone().into(), 1.5).unwrap();
    let (he, ho): (serde_json::Value, serde_json::Value) = (
        serde_wasm_bindgen::from_value(on_element).unwrap(),
        serde_wasm_bindgen::from_value(on_offscreen).unwrap(),
    );
    assert_eq!(he, ho, "the same hover index");
    let ctx: OffscreenCanvasRenderingContext2d = offscreen.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let po = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).unwrap().data().0;
    let diff = differing(&pixels(&element), &po, 0);
    assert!(diff.is_empty(), "{} pixels differ", diff.len());
    // Anything else is a readable error, not a panic.
    let not_a_canvas = JsValue::from_str("canvas");
    assert!(chart.draw(not_a_canvas, 1.0).is_err());
}

/// What the hover index crossed as before: serde-wasm-bindgen's JSON-compatible serializer.
fn to_js_as_before(h: &sgn_lab::plot::HoverIndex) -> JsValue {
    use serde::Serialize;
    h.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap()
}

/// `v` with every number as an f64 (a JS number holding 3.0 comes back from serde-wasm-bindgen
/// as the integer 3; serde_json keeps the float 3.0 apart).
fn numbers_as_f64(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_f64).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, numbers_as_f64(v))).collect()),
        v => v,
    }
}

#[wasm_bindgen_test]
fn the_hover_index_crosses_as_the_same_object_serde_makes() {
    let c = canvas(900, 450);
    let t = theme(900, 1.0);
    let area = Canvas2dBackend::new(context(&c), (900, 450)).into_area();
    let hover = sgn_lab::plot::training::draw(&area, &t, &curves()).unwrap();
    assert!(hover.series.len() >= 3 && hover.series.iter().all(|s| !s.x_text.is_empty()));
    let bulk: serde_json::Value =
        serde_wasm_bindgen::from_value(sgn_lab::web::charts::hover_js(&hover).unwrap()).unwrap();
    let serde: serde_json::Value = serde_wasm_bindgen::from_value(to_js_as_before(&hover)).unwrap();
    assert_eq!(numbers_as_f64(bulk), numbers_as_f64(serde));
    let empty = sgn_lab::plot::HoverIndex::default();
    let bulk: serde_json::Value =
        serde_wasm_bindgen::from_value(sgn_lab::web::charts::hover_js(&empty).unwrap()).unwrap();
    let serde: serde_json::Value = serde_wasm_bindgen::from_value(to_js_as_before(&empty)).unwrap();
    assert_eq!(numbers_as_f64(bulk), numbers_as_f64(serde));
}
