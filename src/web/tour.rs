//! The guided tour: the presets (`experiment::presets`) run one at a time in the worker, each
//! with the paper's claim and what this run found.

use super::js_err;
use crate::data::DatasetSpec;
use crate::experiment::measure::TailTest;
use crate::experiment::{run_preset, ExperimentConfig, Progress, Report, PRESETS};
use crate::plot::spectrum::{spectrum_views, DavisKahanPlot, RankPlot, TraceSharePlot};
use crate::plot::tails::TailFitLine;
use serde::Serialize;
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
    for p in PRESETS
        .iter()
        .filter(|p| p.name == name || (name == "paper-tour" && p.name != "paper-tour"))
    {
        match p.name {
            "mechanism" => {}
            "non-image" => add(&DatasetSpec::BreastCancer),
            _ => add(&base),
        }
    }
    out
}

/// Runs preset `name` on the default configuration with `seed`. `assets` maps file names to
/// `Uint8Array`s; `progress(stage, fraction)` is called between units of work. Returns
/// `{report, charts}`: the report as JSON (the CLI's schema) and the step's charts as JSON
/// (see `tour_charts`).
#[wasm_bindgen]
pub fn run_preset_json(
    name: &str,
    seed: u64,
    assets: &js_sys::Object,
    progress: &js_sys::Function,
) -> Result<js_sys::Object, JsError> {
    let base = ExperimentConfig {
        seed,
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
    let out = js_sys::Object::new();
    let set = |k: &str, v: String| {
        js_sys::Reflect::set(&out, &JsValue::from_str(k), &JsValue::from_str(&v))
            .map(|_| ())
            .map_err(|_| JsError::new("could not build the result object"))
    };
    set("report", serde_json::to_string(&r).map_err(js_err)?)?;
    set("charts", serde_json::to_string(&tour_charts(&r)).map_err(js_err)?)?;
    Ok(out)
}

/// One chart of a tour step, drawn by `www/tour.js` with the `draw_*` function of its kind.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum TourChart {
    /// Rank plot with the power-law fit, the Gaussian baseline and the MP edges.
    Rank {
        data: RankPlot,
    },
    TraceShare {
        data: TraceSharePlot,
    },
    DavisKahan {
        data: DavisKahanPlot,
    },
    /// A CCDF from a `TailTest::ccdf` summary with its power-law fit.
    Ccdf {
        title: String,
        points: Vec<[f64; 2]>,
        n: usize,
        fit: TailFitLine,
    },
}

fn ccdf(title: String, t: &TailTest) -> TourChart {
    TourChart::Ccdf {
        title,
        points: t.ccdf.clone(),
        n: t.power_law.n,
        fit: TailFitLine::from_report(&t.power_law),
    }
}

/// The charts a step's "what to look at" refers to, from its report (each part of the whole
/// tour in turn): the tails CCDFs (heavy tails: the four kinds of sample; SGN across batch
/// sizes: the iteration-wise SGN at each B), the spectrum's rank plot with fit and baseline for
/// every measured spectrum (plus the trace share for the spectrum step), Davis–Kahan where
/// measured, and the mechanism demo's dimension- and iteration-wise CCDFs of every setting.
fn tour_charts(r: &Report) -> Vec<TourChart> {
    let mut out = Vec::new();
    let parts: Vec<&Report> = if r.parts.is_empty() {
        vec![r]
    } else {
        r.parts.iter().collect()
    };
    for p in parts {
        for arm in &p.arms {
            for m in &arm.measurements {
                let g = &m.structure;
                let what = if p.arms.len() > 1 || arm.measurements.len() > 1 {
                    format!("{}, {}", arm.label, m.label)
                } else {
                    m.label.clone()
                };
                match p.preset.as_str() {
                    "heavy-tails" => {
                        for t in [
                            Some(&g.dimension_g),
                            Some(&g.dimension_sgn),
                            g.iteration_g.as_ref(),
                            Some(&g.iteration_sgn),
                        ]
                        .into_iter()
                        .flatten()
                        {
                            out.push(ccdf(format!("{} ({what}): CCDF of |x|", t.label), t));
                        }
                    }
                    "sgn-batch" => out.push(ccdf(
                        format!("Iteration-wise SGN, {what}: CCDF of |x|"),
                        &g.iteration_sgn,
                    )),
                    _ => {}
                }
                if let Some(sp) = &g.spectrum {
                    let v = spectrum_views(sp, &what);
                    out.push(TourChart::Rank { data: v.rank });
                    if p.preset == "spectrum" {
                        out.push(TourChart::TraceShare { data: v.trace_share });
                    }
                    if let Some(dk) = v.davis_kahan {
                        out.push(TourChart::DavisKahan { data: dk });
                    }
                }
            }
        }
        if let Some(mech) = &p.mechanism {
            for row in &mech.rows {
                out.push(ccdf(
                    format!("{}: pooled coordinates (dimension-wise), CCDF", row.label),
                    &row.example_dimension,
                ));
                out.push(ccdf(
                    format!("{}: one coordinate over iterations, CCDF", row.label),
                    &row.example_iteration,
                ));
            }
        }
    }
    out
}
