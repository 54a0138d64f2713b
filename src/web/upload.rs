//! "Analyze your own gradients": a file dropped on the page, streamed chunk by chunk into the
//! engine ([`Upload`]) by the worker (`File.stream()`), then analysed there
//! (`experiment::analyze`): a gradient bundle `.npz` part by part, a `.npy` in tiles viewed in
//! place, CSV/whitespace text parsed. The bytes never leave the page, and exist once: the worker
//! holds one chunk at a time, the engine the file.
//!
//! Limits, stated before the file is read ([`Upload::new`]) and checked exactly once its header
//! is in ([`Upload::analyze`]): the file's bytes plus the analysis's estimate
//! (`analyze::dump_bytes`, `analyze::bundle::bundle_bytes`, plus inflated members) must fit the
//! page's memory cap; text at most [`MAX_TEXT_BYTES`] and [`MAX_TEXT_VALUES`].

use super::js_err;
use crate::data::bundle::read_bundle;
use crate::data::npy::{check_npy, is_npy, parse_npy_header, NpyView};
use crate::data::npz::{is_zip, npz_directory};
use crate::data::text::parse_matrix_max;
use crate::experiment::analyze::bundle::{analyze_bundle, bundle_bytes, BundleAnalysis};
use crate::experiment::analyze::sample::EXACT_MAX;
use crate::experiment::analyze::walk::MatrixSource;
use crate::experiment::analyze::{analyze_source, dump_bytes, AnalyzeError, AnalyzeOptions, DumpAnalysis};
use crate::plot::spectrum::RankPlot;
use crate::spectrum::SpectrumReport;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// Largest text file, in bytes (~10 bytes per value).
pub const MAX_TEXT_BYTES: usize = 200 << 20;
/// Largest text matrix, in values (f64 in memory: 160 MB).
pub const MAX_TEXT_VALUES: usize = 20_000_000;
/// Memory a binary file's analysis needs at least besides the file (a tile and its noise,
/// accumulators): a file above `cap − RESERVE_BYTES` is refused before it is read.
pub const RESERVE_BYTES: u64 = 48 << 20;
/// The page's default memory cap (`ExperimentConfig::memory_cap`'s default).
pub const DEFAULT_CAP: u64 = 512 << 20;
/// Values of row 0 / column 0 sent back for the charts and their CSV exports; a longer row is
/// drawn from its CCDF summary, a longer column from every k-th value.
pub const SHOW_MAX: usize = 1 << 20;

/// The analysis options plus the cap.
#[derive(Deserialize)]
struct UploadOptions {
    #[serde(flatten)]
    analyze: AnalyzeOptions,
    /// Bytes; default [`DEFAULT_CAP`].
    memory_cap: Option<f64>,
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / 1048576.0)
}

/// The largest binary file the page reads under `memory_cap` bytes.
#[wasm_bindgen]
pub fn upload_max_bytes(memory_cap: f64) -> f64 {
    (cap_of(memory_cap).saturating_sub(RESERVE_BYTES)) as f64
}

fn cap_of(c: f64) -> u64 {
    if c.is_finite() && c > 0.0 {
        c as u64
    } else {
        DEFAULT_CAP
    }
}

/// A file being received: the engine's one copy of its bytes.
#[wasm_bindgen]
pub struct Upload {
    name: String,
    size: usize,
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl Upload {
    /// Makes room for a file of `size` bytes, or refuses it (with the limit in the message)
    /// before a byte is read: text above [`MAX_TEXT_BYTES`] (told by its name), any file above
    /// `memory_cap − RESERVE_BYTES`.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, size: f64, memory_cap: f64) -> Result<Upload, JsError> {
        let cap = cap_of(memory_cap);
        let size = if size.is_finite() && size >= 0.0 {
            size as u64
        } else {
            0
        };
        let lower = name.to_ascii_lowercase();
        let texty = [".csv", ".txt", ".tsv"].iter().any(|e| lower.ends_with(e));
        let max = if texty {
            (MAX_TEXT_BYTES as u64).min(cap.saturating_sub(RESERVE_BYTES))
        } else {
            cap.saturating_sub(RESERVE_BYTES)
        };
        if size > max {
            return Err(js_err(format!(
                "{name} is {}; the page reads {} files up to {} (the file is held once in memory, next to the analysis, under the {} cap). Use `sgn-lab analyze` for larger files: it memory-maps them.",
                mib(size),
                if texty { "text" } else { ".npy/.npz" },
                mib(max),
                mib(cap)
            )));
        }
        let mut bytes = Vec::new();
        bytes
            .try_reserve_exact(size as usize)
            .map_err(|_| js_err(format!("{name}: the browser could not give {} for the file", mib(size))))?;
        Ok(Upload {
            name: name.to_string(),
            size: size as usize,
            bytes,
        })
    }

    /// Appends the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        if self.bytes.len() + chunk.len() > self.size {
            return Err(js_err(format!(
                "{}: more bytes than the file's size ({} bytes)",
                self.name, self.size
            )));
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    /// Bytes received so far.
    pub fn received(&self) -> f64 {
        self.bytes.len() as f64
    }

    /// Analyses the file. `options_json` is an `AnalyzeOptions` object (every field optional)
    /// plus `memory_cap`; `progress(fraction)` is called between tiles. Returns `{kind, report,
    /// rank_plot, row0, row0_title, col0, col0_title}` (`kind` "matrix" or "bundle"; the report
    /// as JSON; rank_plot JSON or null; samples for the charts as Float64Arrays or null).
    pub fn analyze(&self, options_json: &str, progress: &js_sys::Function) -> Result<js_sys::Object, JsError> {
        let o: UploadOptions = serde_json::from_str(options_json).map_err(|e| js_err(format!("bad options: {e}")))?;
        let cap = cap_of(o.memory_cap.unwrap_or(DEFAULT_CAP as f64));
        let name = &self.name;
        if self.bytes.len() != self.size {
            return Err(js_err(format!(
                "{name}: only {} of {} bytes were read",
                self.bytes.len(),
                self.size
            )));
        }
        let mut tick = |f: f64| {
            let _ = progress.call1(&JsValue::NULL, &JsValue::from_f64(f));
            true
        };
        let err = |e: &dyn std::fmt::Display| js_err(format!("{name}: {e}"));
        let file = self.bytes.len() as u64;
        let check = |need: u64| -> Result<(), JsError> {
            if file + need > cap {
                return Err(err(&AnalyzeError::Memory {
                    estimate: file + need,
                    cap,
                }));
            }
            Ok(())
        };
        let bytes = &self.bytes[..];
        if is_zip(bytes) {
            // The directory states every member's size before anything is inflated.
            let dir = npz_directory(bytes).map_err(|e| err(&e))?;
            let inflated: u64 = dir.iter().filter(|e| e.deflated).map(|e| e.size).sum();
            check(inflated)?;
            let b = read_bundle(bytes, cap).map_err(|e| err(&e))?;
            check(inflated + bundle_bytes(&b, &o.analyze))?;
            let a = analyze_bundle(&b, &o.analyze, &mut tick).map_err(|e| err(&e))?;
            return bundle_result(name, &a);
        }
        if is_npy(bytes) {
            let h = parse_npy_header(bytes, false, usize::MAX).map_err(|e| err(&e))?;
            check(dump_bytes(h.rows, h.cols, &o.analyze))?;
            let h = check_npy(bytes, usize::MAX).map_err(|e| err(&e))?;
            let v = NpyView::new(bytes, &h).map_err(|e| err(&e))?;
            let a = analyze_source(&v, &o.analyze, &mut tick).map_err(|e| err(&e))?;
            return matrix_result(name, &v, &a);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| {
            js_err(format!(
                "{name} is neither a .npy/.npz file nor UTF-8 text (CSV or whitespace-separated numbers)"
            ))
        })?;
        if bytes.len() > MAX_TEXT_BYTES {
            return Err(err(&format!(
                "text files are read up to {}",
                mib(MAX_TEXT_BYTES as u64)
            )));
        }
        let m = parse_matrix_max(text, MAX_TEXT_VALUES).map_err(|e| err(&e))?;
        check((m.len() * 8) as u64 + dump_bytes(m.nrows(), m.ncols(), &o.analyze))?;
        let a = analyze_source(&m, &o.analyze, &mut tick).map_err(|e| err(&e))?;
        matrix_result(name, &m, &a)
    }
}

fn set(out: &js_sys::Object, k: &str, v: &JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(out, &JsValue::from_str(k), v)
        .map(|_| ())
        .map_err(|_| JsError::new("could not build the result object"))
}

fn floats(v: Option<&[f64]>) -> JsValue {
    v.map_or(JsValue::NULL, |v| js_sys::Float64Array::from(v).into())
}

fn rank_plot(s: Option<&SpectrumReport>, title: String) -> Result<JsValue, JsError> {
    Ok(match s {
        Some(s) => JsValue::from_str(
            &serde_json::to_string(&RankPlot {
                eigenvalues: s.eigenvalues.clone(),
                fit: Some(s.fit.clone()),
                baseline: None,
                mp: Some(s.mp),
                title,
            })
            .map_err(js_err)?,
        ),
        None => JsValue::NULL,
    })
}

fn matrix_result(name: &str, src: &dyn MatrixSource, a: &DumpAnalysis) -> Result<js_sys::Object, JsError> {
    let out = js_sys::Object::new();
    set(&out, "kind", &JsValue::from_str("matrix"))?;
    set(
        &out,
        "report",
        &JsValue::from_str(&serde_json::to_string(a).map_err(js_err)?),
    )?;
    let (r, c) = (a.rows, a.cols);
    set(
        &out,
        "rank_plot",
        &rank_plot(
            a.spectrum.as_ref(),
            format!("Covariance spectrum of {name} ({r} rows × {c} columns)"),
        )?,
    )?;
    // Row 0 in full when short enough, else the chart uses the report's row0_ccdf.
    let mut row0 = Vec::new();
    if c <= SHOW_MAX {
        src.read_tile(0..1, 0..c, &mut row0).map_err(js_err)?;
    }
    set(&out, "row0", &floats((c <= SHOW_MAX).then_some(&row0[..])))?;
    // Column 0: every k-th value of a long column.
    let step = r.div_ceil(SHOW_MAX).max(1);
    let mut col0 = Vec::with_capacity(r.div_ceil(step));
    for i in (0..r).step_by(step) {
        src.read_tile(i..i + 1, 0..1, &mut col0).map_err(js_err)?;
    }
    set(&out, "col0", &floats(Some(&col0)))?;
    let rows_are = if a.row_kind == crate::experiment::analyze::RowKind::Iterations {
        "iterations"
    } else {
        "samples"
    };
    let title = if step == 1 {
        format!("Column 0 over the {r} {rows_are}")
    } else {
        format!("Column 0: every {step}th of {r} values")
    };
    set(&out, "col0_title", &JsValue::from_str(&title))?;
    Ok(out)
}

fn bundle_result(name: &str, a: &BundleAnalysis) -> Result<js_sys::Object, JsError> {
    let out = js_sys::Object::new();
    set(&out, "kind", &JsValue::from_str("bundle"))?;
    set(
        &out,
        "report",
        &JsValue::from_str(&serde_json::to_string(a).map_err(js_err)?),
    )?;
    let g = a.gram.as_ref();
    set(
        &out,
        "rank_plot",
        &rank_plot(
            g.and_then(|g| g.spectrum.as_ref()),
            format!(
                "Covariance spectrum from the Gram matrix of {name} (N = {}, P = {})",
                g.map_or(0, |g| g.check.n),
                g.map_or(0, |g| g.p)
            ),
        )?,
    )?;
    // The histogram shows the iteration-wise example (SGN when present, else g).
    let ex = a
        .iter
        .as_ref()
        .and_then(|i| i.example_sgn.as_ref().or(i.example_g.as_ref()));
    let values = ex.and_then(|e| e.values.as_deref()).filter(|v| v.len() <= EXACT_MAX);
    set(&out, "col0", &floats(values))?;
    set(
        &out,
        "col0_title",
        &JsValue::from_str(&ex.map_or(String::new(), |e| e.label.clone())),
    )?;
    set(&out, "row0", &JsValue::NULL)?;
    Ok(out)
}
