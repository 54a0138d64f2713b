//! The guided tour: the presets (`experiment::presets`) run one at a time in the worker, each
//! with the paper's claim and what this run found.

use crate::experiment::{run_preset, ExperimentConfig, Progress, PRESETS};
use super::js_err;
use wasm_bindgen::prelude::*;

/// The presets in tour order, as JSON (`[{name, title, claim, source, varies}, …]`).
#[wasm_bindgen]
pub fn presets_json() -> Result<String, JsError> {
    serde_json::to_string(PRESETS).map_err(js_err)
}

/// The asset files every preset may need (fetched by the worker before a run).
#[wasm_bindgen]
pub fn preset_assets() -> Vec<String> {
    ["mnist-10k.bin.gz", "digits-8x8.bin.gz", "breast-cancer.csv", "wine.csv"].iter().map(|s| s.to_string()).collect()
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
