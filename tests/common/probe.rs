//! A determinism probe shared by the native test (`tests/determinism.rs`) and the browser test
//! (`tests/web_determinism.rs`): train a small real network (8×8 digits, FCN 64→32→10 tanh,
//! so exp, ln and tanh are all exercised), then fingerprint the weights, the gradient log, a
//! block of per-sample gradients and a full `measure` report. The same seed must give the same
//! fingerprints on every platform; `tests/fixtures/determinism.json` holds the native values.

use sgn_lab::data::{images, prepare, PrepareParams};
use sgn_lab::experiment::measure::{measure, MeasureParams};
use sgn_lab::nn::network::{fingerprint_f64, FNV_OFFSET};
use sgn_lab::nn::{ActivationKind, ModelSpec};
use sgn_lab::train::{LogParams, TrainParams, Trainer};

pub const DIGITS: &[u8] = include_bytes!("../../assets/digits-8x8.bin.gz");

#[derive(Debug, PartialEq, Eq)]
pub struct Probe {
    pub weights: String,
    pub log: String,
    pub per_sample: String,
    pub report: String,
}

fn fnv_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

pub fn probe() -> Probe {
    let all = images::decode_digits8x8(DIGITS).unwrap();
    let (train, _) = prepare(&all, &PrepareParams { n_train: Some(1400), n_test: Some(397), seed: 11, ..PrepareParams::default() }).unwrap();
    let params = TrainParams {
        model: ModelSpec::Fcn { hidden: vec![32], activation: ActivationKind::Tanh },
        batch_size: 32,
        epochs: 1,
        seed: 11,
        log: Some(LogParams { n_tracked: 10, full_every: 10, frozen: None }),
        ..TrainParams::default()
    };
    let cfg = params.check(&train).unwrap();
    let mut t = Trainer::new(cfg, train).unwrap();
    t.run(40).unwrap();
    let idx: Vec<usize> = (0..50).collect();
    let ps = t.per_sample_grads(&idx).unwrap().to_dense();
    let mp = MeasureParams { batch_size: 32, draws: 20, dim_draws: 2, n_tracked: 10, n_cov: 100, seed: 11, ..MeasureParams::default() };
    let cfg = mp.check(t.train_data().n).unwrap();
    let report = measure(&t, &cfg, |_, _| true).unwrap();
    Probe {
        weights: format!("{:016x}", t.fingerprint()),
        log: format!("{:016x}", t.log().unwrap().fingerprint()),
        per_sample: format!("{:016x}", fingerprint_f64(FNV_OFFSET, &ps)),
        report: format!("{:016x}", fnv_bytes(serde_json::to_string(&report).unwrap().as_bytes())),
    }
}

/// Reads the fixture `{"weights": "...", ...}`.
pub fn expected(json: &str) -> Probe {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let s = |k: &str| v[k].as_str().unwrap().to_string();
    Probe { weights: s("weights"), log: s("log"), per_sample: s("per_sample"), report: s("report") }
}
