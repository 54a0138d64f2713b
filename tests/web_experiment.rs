//! The same configuration and seed give the same report in the browser as natively: the
//! `spectrum` preset at reduced size, compared with `tests/fixtures/experiment_report.json`
//! (written by the native test `experiment_presets::native_report_matches_the_committed_fixture`)
//! to 1e-9 relative (1e-3 inside the truncated-lognormal Vuong fit; PROTOCOL §5.2).
#![cfg(target_arch = "wasm32")]

#[allow(dead_code)]
mod common {
    pub mod probe;
}
use sgn_lab::experiment::presets::reduced_base;
use sgn_lab::experiment::run_preset;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn browser_report_matches_native() {
    let mut base = reduced_base(21);
    base.data.n_train = Some(600);
    base.data.n_test = Some(200);
    base.analysis.n_cov = 120;
    let digits: &[u8] = include_bytes!("../assets/digits-8x8.bin.gz");
    let mut a = |name: &str| (name == "digits-8x8.bin.gz").then(|| digits.to_vec());
    let r = run_preset("spectrum", &base, &mut a, &mut |_| true).unwrap();
    let got = serde_json::to_value(&r).unwrap();
    let want: serde_json::Value = serde_json::from_str(include_str!("fixtures/experiment_report.json")).unwrap();
    common::probe::compare_json(&got, &want, "report", 1e-9).unwrap();
}
