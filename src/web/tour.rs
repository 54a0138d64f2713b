//! The guided tour: the presets (`experiment::presets`) run one at a time in the worker, each
//! with the paper's claim and what this run found.

use crate::data::DatasetSpec;
use crate::experiment::{run_preset, ExperimentConfig, Progress, PRESETS};
use super::js_err;
use wasm_bindgen::prelude::*;

/// The presets in tour order, as JSON (`[{name, title, claim, source, varies}, …]`).
#[wasm_bindgen]
pub fn presets_json() -> Result<String, JsError> {
    serde_json::to_string(PRESETS).map_err(js_err)
}

/// The asset files preset `name` reads (the worker fetches these, and only these, when the step
/// runs): the mechanism demo needs none (synthetic Gaussians), the non-image step the
/// breast-cancer table, every other step the default configuration's dataset, and the whole
/// tour the union. Mirrors the datasets `experiment::run::run_single_inner` trains on; a file
/// missing here would fail the run with `MissingAsset` naming it, not silently.
#[wasm_bindgen]
pub fn preset_assets(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |d: &DatasetSpec| {
        if let Some(a) = d.asset() {
            if !out.iter().any(|x| x == a) {
                out.push(a.to_string());
            }
        }
    };
    let base = ExperimentConfig::default().data.dataset;
    for p in PRESETS.iter().filter(|p| p.name == name || (name == "paper-tour" && p.name != "paper-tour")) {
        match p.name {
            "mechanism" => {}
            "non-image" => add(&DatasetSpec::BreastCancer),
            _ => add(&base),
        }
    }
    out
}

/// Runs preset `name` on the default configuration with `seed`. `assets` maps file names to
/// `Uint8Array`s; `progress(stage, fraction)` is called between units of work. Returns the
/// report as JSON (the CLI's schema).
#[wasm_bindgen]
pub fn run_preset_json(name: &str, seed: u64, assets: &js_sys::Object, progress: &js_sys::Function) -> Result<String, JsError> {
    let base = ExperimentConfig { seed, ..ExperimentConfig::default() };
    let mut load = |file: &str| -> Option<Vec<u8>> {
        let v = js_sys::Reflect::get(assets, &JsValue::from_str(file)).ok()?;
        v.dyn_into::<js_sys::Uint8Array>().ok().map(|a| a.to_vec())
    };
    let mut report_progress = |p: &Progress<'_>| {
        let _ = progress.call2(&JsValue::NULL, &JsValue::from_str(&format!("{}: {}", p.preset, p.stage)), &JsValue::from_f64(p.fraction));
        true
    };
    let r = run_preset(name, &base, &mut load, &mut report_progress).map_err(js_err)?;
    serde_json::to_string(&r).map_err(js_err)
}
