//! The guided tour: the presets of the registry (`experiment::presets::REGISTRY`) run one at a
//! time in the worker, each with the paper's claim, what this run found, and its charts.

use super::{from_js, js_err, to_js};
use crate::experiment::presets::units::{self, Split, Unit};
use crate::experiment::{presets, view, ExperimentConfig, Progress, Report};
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

/// The default configuration with `seed` and `replicates`: what a tour step runs on.
fn step_base(seed: u64, replicates: usize) -> ExperimentConfig {
    ExperimentConfig {
        seed,
        replicates,
        ..ExperimentConfig::default()
    }
}

/// What the page tells [`tour_pool`] about the browser and its settings.
#[derive(serde::Deserialize)]
pub(super) struct PoolHints {
    /// `navigator.hardwareConcurrency`.
    pub(super) hardware_concurrency: usize,
    /// `navigator.deviceMemory` in GiB; 0 when the browser does not tell.
    #[serde(default)]
    device_memory_gib: f64,
    /// The page's setting: at most this many workers (0: no cap).
    #[serde(default)]
    pub(super) cap: usize,
    /// Exactly this many workers (0: decide), for the tests and the benchmark.
    #[serde(default)]
    pub(super) force: usize,
    /// "replicates" or "parts" forces the split (the benchmark); anything else: decide.
    #[serde(default)]
    split: String,
}

impl PoolHints {
    /// `navigator.deviceMemory` in bytes, when the browser tells.
    pub(super) fn device_memory(&self) -> Option<u64> {
        (self.device_memory_gib > 0.0).then_some((self.device_memory_gib * (1u64 << 30) as f64) as u64)
    }
}

/// The page's worker pool for a tour step (`www/pool.js`): how many workers
/// (`units::pool_size`: `hardwareConcurrency − 1`, at most what half of `navigator.deviceMemory`
/// holds at the default memory cap per worker, at most the page's cap) and the units of preset
/// `name` for that many workers (`units::pool_split`), from `hints`
/// (`{hardware_concurrency, device_memory_gib, cap, force, split}`). Returns
/// `{workers, units: [{replicate, part}, …]}`.
#[wasm_bindgen]
pub fn tour_pool(name: &str, seed: u64, replicates: usize, hints: JsValue) -> Result<JsValue, JsError> {
    let h: PoolHints = from_js(hints, "pool hints")?;
    let workers = match h.force {
        0 => units::pool_size(
            h.hardware_concurrency,
            h.device_memory(),
            crate::train::DEFAULT_MEMORY_CAP,
            h.cap,
        ),
        n => n,
    };
    let split = match h.split.as_str() {
        "replicates" => Split::Replicates,
        "parts" => Split::Parts,
        _ => units::pool_split(name, replicates, workers),
    };
    let list = units::plan(name, &step_base(seed, replicates), split).map_err(js_err)?;
    #[derive(serde::Serialize)]
    struct Pool {
        workers: usize,
        units: Vec<Unit>,
    }
    to_js(&Pool { workers, units: list })
}

/// Runs one unit (`{replicate, part}` from [`tour_pool`]) of preset `name` on the default
/// configuration with `seed` over `replicates` replicates, in a pool worker. `assets` maps file
/// names to `Uint8Array`s (fetched once by the page); `progress(stage, fraction)` is called
/// with the unit's own fraction; an exception it throws stops the unit and is thrown again from
/// here, as it was (a trap stays a `WebAssembly.RuntimeError`, so the pool replaces the worker).
/// Returns the unit's report as compact JSON text, for [`combine_tour_units`] in whichever
/// worker combines.
#[wasm_bindgen]
pub fn run_tour_unit(
    name: &str,
    seed: u64,
    replicates: usize,
    unit: JsValue,
    assets: &js_sys::Object,
    progress: &js_sys::Function,
) -> Result<String, JsValue> {
    let unit: Unit = from_js(unit, "unit")?;
    let mut load = |file: &str| -> Option<Vec<u8>> {
        let v = js_sys::Reflect::get(assets, &JsValue::from_str(file)).ok()?;
        v.dyn_into::<js_sys::Uint8Array>().ok().map(|a| a.to_vec())
    };
    // Cancels only on an exception of the callback: the page cancels a tour step by terminating
    // the pool's workers.
    let mut thrown: Option<JsValue> = None;
    let mut report_progress = |p: &Progress<'_>| {
        let call = progress.call2(
            &JsValue::NULL,
            &JsValue::from_str(&format!("{}: {}", p.preset, p.stage)),
            &JsValue::from_f64(p.fraction),
        );
        match call {
            Ok(_) => true,
            Err(e) => {
                thrown.get_or_insert(e);
                false
            }
        }
    };
    let r = units::run_unit(
        name,
        &step_base(seed, replicates),
        unit,
        &mut load,
        &mut report_progress,
    );
    if let Some(e) = thrown {
        return Err(e);
    }
    let text = serde_json::to_string(&r.map_err(js_err)?).map_err(js_err)?;
    Ok(text)
}

/// Combines the reports of every unit of a tour step (`units` as [`tour_pool`] listed them,
/// `reports` the JSON texts [`run_tour_unit`] returned, in the same order) into the step's
/// report (`units::combine`: byte-identical whatever the number of workers). Returns
/// `{report, charts, view}`: the report as JSON text for download (the CLI's schema), the
/// step's charts (`Preset::charts`, each a `plot::Chart`) and what the page shows of the report
/// (`experiment::view::report::ReportView`: verdicts in words, Tables A and B as text).
#[wasm_bindgen]
pub fn combine_tour_units(
    name: &str,
    seed: u64,
    replicates: usize,
    units: JsValue,
    reports: Vec<String>,
) -> Result<JsValue, JsError> {
    let list: Vec<Unit> = from_js(units, "units")?;
    let reports = reports
        .iter()
        .map(|t| serde_json::from_str::<Report>(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| js_err(format!("a unit's report: {e}")))?;
    let r = units::combine(name, &step_base(seed, replicates), &list, reports).map_err(js_err)?;
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
