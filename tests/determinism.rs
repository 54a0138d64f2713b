//! Same seed → bit-identical weights, logs, per-sample gradients and reports (native side).
//! `SGN_LAB_BLESS=1 cargo test --test determinism` rewrites the fixture after an intended change;
//! the browser test `tests/web_determinism.rs` checks the same fixture in Chromium.
#![cfg(not(target_arch = "wasm32"))]

mod common {
    pub mod probe;
}
use common::probe::{probe, Probe};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/determinism.json");

#[test]
fn same_seed_same_bits_twice_and_matches_the_fixture() {
    let a = probe();
    assert_eq!(
        a,
        probe(),
        "two runs in one process differ (natively, even the report is bit-identical)"
    );
    if std::env::var_os("SGN_LAB_BLESS").is_some() {
        std::fs::write(FIXTURE, serde_json::to_string(&a.to_json()).unwrap() + "\n").unwrap();
    }
    let want = Probe::from_json(&std::fs::read_to_string(FIXTURE).expect("fixture missing: run with SGN_LAB_BLESS=1"));
    a.assert_matches(&want);
}
