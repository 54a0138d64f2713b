//! The wasm-bindgen boundary, compiled only for wasm32: the only place where `JsValue`,
//! `web-sys` and `js-sys` appear. It converts between JS values and the core's plain types,
//! and maps every error to a `JsError` with a readable message (nothing panics across it).
//!
//! Values cross as plain JS objects ([`to_js`] / [`from_js`], serde-wasm-bindgen) and samples as
//! typed arrays; nothing is passed as a JSON string except a report meant for download.
//!
//! - [`bootstrap`]: a measurement's bootstrap replicates counted on the page's pool workers.
//! - [`charts`]: drawing functions, on a `<canvas>` or an `OffscreenCanvas`.
//! - [`canvas2d`]: the plotters backend they draw through (text measured with `measureText`).
//! - [`lab`]: the engine session owned by the Web Worker.
//! - [`state`]: the page's link (the CLI's codec) and its control table.
//! - [`tour`]: the presets of the guided tour, run in the worker.
//! - [`upload`]: "analyze your own gradients" on a dropped `.npy` / CSV file (in the worker).

pub mod bootstrap;
pub mod canvas2d;
pub mod charts;
pub mod lab;
pub mod state;
pub mod tour;
pub mod upload;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Any engine error as a JS `Error` carrying its readable message.
pub(crate) fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// A Rust value as a plain JS value (objects for structs and maps, arrays for vectors, numbers,
/// strings, `null` for `None`): what crosses the boundary, instead of JSON strings.
pub(crate) fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_err)
}

/// A JS value as a Rust value; `what` names it in the error.
pub(crate) fn from_js<T: DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(v).map_err(|e| js_err(format!("{what}: {e}")))
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

/// The engine's allocator: the system allocator (dlmalloc on wasm32) with a count of the bytes
/// currently allocated. `wasm_memory_bytes` is a high-water mark (linear memory never shrinks);
/// this is what is live now, so a leak shows as a count that does not come back down.
/// live = Σ size(alloc) − Σ size(dealloc), a realloc counting new − old.
struct CountingAlloc;

static LIVE_BYTES: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

// SAFETY: every call forwards to `System` with the caller's arguments unchanged; the counter
// only reads the layouts and never touches the memory.
#[allow(unsafe_code)]
unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = std::alloc::System.alloc(layout);
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), core::sync::atomic::Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = std::alloc::System.alloc_zeroed(layout);
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), core::sync::atomic::Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        std::alloc::System.dealloc(ptr, layout);
        LIVE_BYTES.fetch_sub(layout.size(), core::sync::atomic::Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let p = std::alloc::System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE_BYTES.fetch_add(new_size, core::sync::atomic::Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size(), core::sync::atomic::Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Bytes currently allocated by the engine (Rust heap, live; see [`CountingAlloc`]). For the
/// soak test: after each experiment it must come back to its baseline.
#[wasm_bindgen]
pub fn wasm_live_bytes() -> f64 {
    LIVE_BYTES.load(core::sync::atomic::Ordering::Relaxed) as f64
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
