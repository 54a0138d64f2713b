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

/// The engine version, shown in the page and stored in reports.
#[wasm_bindgen]
pub fn engine_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
