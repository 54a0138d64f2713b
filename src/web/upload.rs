//! "Analyze your own gradients": a `.npy` or text/CSV file dropped on the page, parsed and
//! analysed in the worker (`experiment::analyze::analyze_dump`). The bytes never leave the page.

use super::js_err;
use crate::data::npy::{is_npy, read_npy_max};
use crate::data::text::{parse_matrix_max, Matrix};
use crate::experiment::analyze::{analyze_dump, AnalyzeOptions};
use crate::plot::spectrum::RankPlot;
use wasm_bindgen::prelude::*;

/// Largest file accepted, in bytes (text needs ~10 bytes per value; wasm32 memory is 4 GiB).
pub const MAX_FILE_BYTES: usize = 200 << 20;
/// Largest matrix accepted, in values (1.6 GB as f64 would not fit next to the engine).
pub const MAX_VALUES: usize = 20_000_000;

/// Parses `bytes` as `.npy` (by its magic string) or as UTF-8 text with one row per line,
/// refusing more than [`MAX_VALUES`] values before they are allocated (`.npy`: from the
/// header's shape; text: at the first value past the limit).
fn parse(name: &str, bytes: &[u8]) -> Result<Matrix, JsError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(js_err(format!(
            "{name} is {} MB; the limit is {} MB",
            bytes.len() >> 20,
            MAX_FILE_BYTES >> 20
        )));
    }
    let m = if is_npy(bytes) {
        read_npy_max(bytes, MAX_VALUES).map_err(|e| js_err(format!("{name}: {e}")))?
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            js_err(format!(
                "{name} is neither a .npy file nor UTF-8 text (CSV or whitespace-separated numbers)"
            ))
        })?;
        parse_matrix_max(text, MAX_VALUES).map_err(|e| js_err(format!("{name}: {e}")))?
    };
    Ok(m)
}

/// Analyses an uploaded gradient dump. `options_json` is an `AnalyzeOptions` object (every
/// field optional). Returns `{report, rank_plot, row0, col0}`: the analysis as JSON, the
/// spectrum's rank-plot data as JSON (or `null`), and row 0 and column 0 as Float64Arrays.
#[wasm_bindgen]
pub fn analyze_upload(name: &str, bytes: &[u8], options_json: &str) -> Result<js_sys::Object, JsError> {
    let opts: AnalyzeOptions = serde_json::from_str(options_json).map_err(|e| js_err(format!("bad options: {e}")))?;
    let m = parse(name, bytes)?;
    let a = analyze_dump(&m, &opts).map_err(js_err)?;
    let out = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        js_sys::Reflect::set(&out, &JsValue::from_str(k), v)
            .map(|_| ())
            .map_err(|_| JsError::new("could not build the result object"))
    };
    set(
        "report",
        &JsValue::from_str(&serde_json::to_string(&a).map_err(js_err)?),
    )?;
    let rank = a.spectrum.as_ref().map(|s| RankPlot {
        eigenvalues: s.eigenvalues.clone(),
        fit: Some(s.fit.clone()),
        baseline: None,
        mp: Some(s.mp),
        title: format!("Covariance spectrum of {name} ({} rows × {} columns)", m.rows, m.cols),
    });
    set(
        "rank_plot",
        &match rank {
            Some(r) => JsValue::from_str(&serde_json::to_string(&r).map_err(js_err)?),
            None => JsValue::NULL,
        },
    )?;
    set("row0", &js_sys::Float64Array::from(m.row(0)).into())?;
    let col0: Vec<f64> = (0..m.rows).map(|i| m.data[i * m.cols]).collect();
    set("col0", &js_sys::Float64Array::from(col0.as_slice()).into())?;
    Ok(out)
}
