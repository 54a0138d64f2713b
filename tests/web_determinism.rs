//! Same seed → the same bits in Chromium as natively (the fixture is written by the native test
//! `tests/determinism.rs`).
#![cfg(target_arch = "wasm32")]

mod common {
    pub mod probe;
}
use common::probe::{probe, Probe};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn browser_matches_native_bit_for_bit() {
    let want = Probe::from_json(include_str!("fixtures/determinism.json"));
    probe().assert_matches(&want);
}
