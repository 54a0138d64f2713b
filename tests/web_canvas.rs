//! Browser tests (wasm-bindgen-test in headless Chromium): charts really draw on a real canvas.
#![cfg(target_arch = "wasm32")]

use sgn_lab::plot::Chart;
use sgn_lab::web::charts::{draw_chart, TrainingChart};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn canvas(w: u32, h: u32) -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    doc.body().unwrap().append_child(&c).unwrap();
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
    let hover = chart.draw(c.clone(), 2.0).unwrap();

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
    assert!(draw_chart(c, 1.0, bad).is_err());
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
    let hover: serde_json::Value = serde_wasm_bindgen::from_value(draw_chart(c.clone(), 1.0, obj).unwrap()).unwrap();
    assert!(!hover["series"].as_array().unwrap().is_empty());
    assert!(blue_pixels(&pixels(&c)) > 100);
}
