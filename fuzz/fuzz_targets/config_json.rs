//! `ExperimentConfig::from_json` (the CLI's `--config` and the page's settings), then the
//! data-free range checks, the full check against a small training set, and
//! `experiment::with_overrides` (the page's and URL's "JSON overrides on the defaults").
//!
//! Checks: a parsed configuration survives JSON and URL-hash round trips unchanged; parsing a
//! full object and applying it as overrides on the defaults give the same configuration;
//! `check_ranges` accepts only the documented ranges; `check` never panics (memory estimates
//! on absurd sizes must not overflow) and its estimate respects the cap it accepted.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sgn_lab::data::synthetic::{gaussian_mixture, MixtureParams};
use sgn_lab::data::Dataset;
use sgn_lab::experiment::{url, with_overrides, ExperimentConfig};
use std::sync::OnceLock;

fn train_set() -> &'static Dataset {
    static D: OnceLock<Dataset> = OnceLock::new();
    D.get_or_init(|| {
        gaussian_mixture(&MixtureParams {
            n: 64,
            d: 4,
            n_classes: 3,
            separation: 1.0,
            seed: 1,
        })
        .unwrap()
    })
}

fn check_config(c: &ExperimentConfig) {
    let j = serde_json::to_string(c).expect("a config serialises");
    assert_eq!(&ExperimentConfig::from_json(&j).expect("its own JSON parses"), c, "{j}");
    let h = url::encode(c).expect("a config encodes");
    assert!(h.starts_with(url::PREFIX));
    assert!(
        h[3..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{h}"
    );
    assert_eq!(&url::decode(&h).expect("its own hash decodes"), c, "{h}");

    let ranges = c.check_ranges();
    if ranges.is_ok() {
        assert!((0.0..1.0).contains(&c.data.label_noise));
        assert!([0.10, 0.05, 0.01].iter().any(|l| (c.analysis.level - l).abs() < 1e-12));
        assert!((1..=1000).contains(&c.logging.n_tracked));
        assert!(c.memory_cap <= 4 << 30);
    } else {
        assert!(!ranges.as_ref().unwrap_err().to_string().is_empty());
    }
    let _ = c.train_params();
    let _ = c.prepare_params();
    match c.check(train_set()) {
        Ok(checked) => {
            assert!(ranges.is_ok());
            assert!(checked.memory_estimate <= c.memory_cap);
            // The checked config is the given one with N_cov capped at the training-set size
            // (documented in `ExperimentConfig::check`), nothing else changed.
            let mut want = c.clone();
            want.analysis.n_cov = want.analysis.n_cov.min(train_set().n());
            assert_eq!(checked.config, want);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 4096 {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = ExperimentConfig::from_json(text);
    if let Ok(c) = &parsed {
        check_config(c);
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        match with_overrides(&ExperimentConfig::default(), &v) {
            Ok(c) => {
                check_config(&c);
                if let Ok(p) = &parsed {
                    assert_eq!(p, &c, "from_json and with_overrides disagree");
                }
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                assert!(parsed.is_err(), "from_json accepted what with_overrides refused: {e}");
            }
        }
    }
});
