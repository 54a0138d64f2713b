//! The wasm-bindgen boundary, compiled only for wasm32: the only place where `JsValue`,
//! `web-sys` and `js-sys` appear. It converts between JS values and the core's plain types,
//! and maps every error to a `JsError` with a readable message (nothing panics across it).
//!
//! - [`charts`]: drawing functions called on the main thread (plotters needs the DOM for text).
//! - [`lab`]: the engine session owned by the Web Worker.
//! - [`state`]: the page's URL-hash state (the CLI's codec).
//! - [`tour`]: the presets of the guided tour, run in the worker.
//! - [`upload`]: "analyze your own gradients" on a dropped `.npy` / CSV file (in the worker).

pub mod charts;
pub mod lab;
pub mod state;
pub mod tour;
pub mod upload;

use wasm_bindgen::prelude::*;

/// Any engine error as a JS `Error` carrying its readable message.
pub(crate) fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// One-time setup: route Rust panics (bugs, never user errors) to the console with a stack.
#[wasm_bindgen]
pub fn init_engine() {
    console_error_panic_hook::set_once();
}

/// Bytes of the engine's linear memory (it grows on demand and never shrinks; the soak test
/// checks that it stops growing over many runs).
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65_536) as f64
}

/// Panics on purpose: the page's crash-recovery self-test (a wasm trap must be reported, the
/// worker replaced and the run restored). Never called by the lab itself.
#[wasm_bindgen]
pub fn selftest_panic() {
    panic!("deliberate panic (crash-recovery self-test)");
}

/// The engine version, shown in the page and stored in reports.
#[wasm_bindgen]
pub fn engine_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
