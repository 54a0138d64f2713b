//! The guided tour: the presets of the registry (`experiment::presets::REGISTRY`) run one at a
//! time in the worker, each with the paper's claim, what this run found, and its charts.

use super::{js_err, to_js};
use crate::experiment::{presets, run_preset, view, ExperimentConfig, Progress};
use wasm_bindgen::prelude::*;

/// The presets in tour order (`[{name, title, claim, source, varies, look}, …]`).
#[wasm_bindgen]
pub fn presets() -> Result<JsValue, JsError> {
    to_js(&presets::infos())
}

/// The asset files preset `name` reads on the default configuration (the worker fetches these,
/// and only these, when the step runs), from the preset itself (`Preset::datasets`).
#[wasm_bindgen]
pub fn preset_assets(name: &str) -> Result<Vec<String>, JsError> {
    Ok(presets::assets_of(name, &ExperimentConfig::default())
        .map_err(js_err)?
        .into_iter()
        .map(String::from)
        .collect())
}

/// Runs preset `name` on the default configuration with `seed` over `replicates` replicates. `assets` maps file names to
/// `Uint8Array`s; `progress(stage, fraction)` is called between units of work. Returns
/// `{report, charts, view}`: the report as JSON text for download (the CLI's schema), the
/// step's charts (`Preset::charts`, each a `plot::Chart`) and what the page shows of the report
/// (`experiment::view::report::ReportView`: verdicts in words, Tables A and B as text).
#[wasm_bindgen]
pub fn run_preset_step(
    name: &str,
    seed: u64,
    replicates: usize,
    assets: &js_sys::Object,
    progress: &js_sys::Function,
) -> Result<JsValue, JsError> {
    let base = ExperimentConfig {
        seed,
        replicates,
        ..ExperimentConfig::default()
    };
    let mut load = |file: &str| -> Option<Vec<u8>> {
        let v = js_sys::Reflect::get(assets, &JsValue::from_str(file)).ok()?;
        v.dyn_into::<js_sys::Uint8Array>().ok().map(|a| a.to_vec())
    };
    // Never cancels from here: this call runs to the end in the worker, which cannot read a
    // message meanwhile; the page cancels a tour step by terminating the worker and restoring
    // the lab's run in a fresh one (`restartEngine` in www/app.js; tests/e2e/tour.test.mjs).
    let mut report_progress = |p: &Progress<'_>| {
        let _ = progress.call2(
            &JsValue::NULL,
            &JsValue::from_str(&format!("{}: {}", p.preset, p.stage)),
            &JsValue::from_f64(p.fraction),
        );
        true
    };
    let r = run_preset(name, &base, &mut load, &mut report_progress).map_err(js_err)?;
    #[derive(serde::Serialize)]
    struct Step {
        report: String,
        charts: Vec<crate::plot::Chart>,
        view: view::report::ReportView,
    }
    to_js(&Step {
        report: serde_json::to_string_pretty(&r).map_err(js_err)?,
        charts: presets::get(name).map_err(js_err)?.charts(&r),
        view: view::report::report_view(&r),
    })
}
