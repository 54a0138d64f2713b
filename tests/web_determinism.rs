//! Same seed → the same bits in Chromium as natively (the fixtures are written by the native
//! tests `tests/determinism.rs` and `tests/spectrum_determinism.rs`).
#![cfg(target_arch = "wasm32")]

mod common {
    pub mod probe;
    pub mod spectrum_probe;
}
use common::probe::{probe, Probe};
use common::spectrum_probe::SpectrumProbe;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn browser_matches_native_bit_for_bit() {
    let want = Probe::from_json(include_str!("fixtures/determinism.json"));
    probe().assert_matches(&want);
}

/// The covariance spectrum (Gram matrix, eigenvalues, eigenvectors, the full analysis with fit,
/// baseline and Davis–Kahan) has exactly the native bits in wasm32 + simd128.
#[wasm_bindgen_test]
fn spectrum_matches_native_bit_for_bit() {
    let want = SpectrumProbe::from_json(include_str!("fixtures/spectrum_bits.json"));
    assert_eq!(common::spectrum_probe::probe(), want);
}
