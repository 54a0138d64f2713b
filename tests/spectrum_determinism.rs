//! The covariance spectrum is the same bits with 1, 2 and 3 rayon threads and matches the
//! committed native bits (`tests/fixtures/spectrum_bits.json`), which the browser test
//! `tests/web_determinism.rs` checks in Chromium: the Gram product and the eigensolver have a
//! fixed order of every operation on every platform (docs/PROTOCOL.md §5.2).
//! `SGN_LAB_BLESS=1 cargo test --test spectrum_determinism` rewrites the fixture after an
//! intended change of the arithmetic.
#![cfg(not(target_arch = "wasm32"))]

mod common {
    pub mod spectrum_probe;
}
use common::spectrum_probe::{probe, SpectrumProbe};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spectrum_bits.json");

#[test]
fn same_bits_with_one_two_three_threads_and_the_fixture() {
    let runs: Vec<SpectrumProbe> = [1, 2, 3]
        .into_iter()
        .map(|t| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
            pool.install(probe)
        })
        .collect();
    assert_eq!(runs[0], runs[1], "1 vs 2 threads");
    assert_eq!(runs[0], runs[2], "1 vs 3 threads");
    if std::env::var_os("SGN_LAB_BLESS").is_some() {
        std::fs::write(
            FIXTURE,
            serde_json::to_string_pretty(&runs[0].to_json()).unwrap() + "\n",
        )
        .unwrap();
    }
    let want =
        SpectrumProbe::from_json(&std::fs::read_to_string(FIXTURE).expect("fixture missing: run with SGN_LAB_BLESS=1"));
    assert_eq!(runs[0], want, "native bits differ from the committed fixture");
}
