//! `ExperimentConfig`: defaults from DESIGN §5, serde with unknown keys refused, typed
//! validation errors, and the URL-hash codec (property tests: decode(encode(c)) == c).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sgn_lab::data::{images, DatasetSpec};
use sgn_lab::experiment::presets::reduced_base;
use sgn_lab::experiment::{url, ExperimentConfig, ExperimentError, TailRule};
use sgn_lab::nn::{ActivationKind, ModelSpec};
use sgn_lab::train::{ConfigError, LrSchedule, Precision};

fn digits_train(c: &ExperimentConfig) -> sgn_lab::data::Dataset {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/digits-8x8.bin.gz")).unwrap();
    let _ = images::decode_digits8x8(&bytes).unwrap();
    c.prepare_data(Some(&bytes)).unwrap().0
}

#[test]
fn defaults_are_the_protocol_defaults() {
    let c = ExperimentConfig::default();
    assert_eq!(c.data.dataset, DatasetSpec::Mnist { downsample: 1 });
    assert_eq!(c.model, ModelSpec::Fcn { hidden: vec![100, 100], activation: ActivationKind::Relu });
    assert_eq!((c.training.lr, c.training.momentum, c.training.weight_decay), (0.1, 0.9, 5e-4));
    assert_eq!((c.training.batch_size, c.training.epochs), (128, 16));
    assert_eq!(c.training.schedule, LrSchedule::StepDecay { milestones: vec![0.4, 0.8], factor: 0.1 });
    assert_eq!((c.logging.n_tracked, c.logging.full_every), (50, 50));
    assert_eq!((c.analysis.rule, c.analysis.level, c.analysis.draws, c.analysis.dim_draws, c.analysis.n_cov), (TailRule::Paper, 0.05, 200, 10, 1000));
    assert_eq!((c.seed, c.memory_cap), (0, 512 << 20));
    assert_eq!(c.prepare_params().n_train, Some(8000));
}

#[test]
fn json_keeps_defaults_and_refuses_unknown_keys() {
    let c = ExperimentConfig::from_json(r#"{"training": {"batch_size": 64}, "seed": 5}"#).unwrap();
    assert_eq!(c.training.batch_size, 64);
    assert_eq!(c.training.lr, 0.1);
    assert_eq!(c.seed, 5);
    for bad in [r#"{"trainng": {}}"#, r#"{"training": {"lrr": 1}}"#, r#"{"analysis": {"rule": "bogus"}}"#, r#"{"seed": "x"}"#] {
        assert!(matches!(ExperimentConfig::from_json(bad), Err(ExperimentError::Json(_))), "{bad}");
    }
    let j = serde_json::to_string(&reduced_base(3)).unwrap();
    assert_eq!(ExperimentConfig::from_json(&j).unwrap(), reduced_base(3));
}

#[test]
fn check_gives_typed_errors() {
    let base = reduced_base(0);
    let train = digits_train(&base);
    let ok = base.check(&train).unwrap();
    assert!(ok.memory_estimate > 0 && ok.memory_estimate < base.memory_cap);
    assert_eq!(ok.train.n_params, 64 * 32 + 32 + 32 * 10 + 10);

    let mut c = base.clone();
    c.data.label_noise = 1.5;
    assert!(matches!(c.check(&train), Err(ExperimentError::OutOfRange { field: "data.label_noise", .. })));
    let mut c = base.clone();
    c.analysis.level = 0.2;
    assert!(matches!(c.check(&train), Err(ExperimentError::OutOfRange { field: "analysis.level", .. })));
    let mut c = base.clone();
    c.analysis.n_cov = 5000;
    let capped = c.check(&train).expect("n_cov above N is capped, not refused");
    assert_eq!((capped.config.analysis.n_cov, capped.measure.params().n_cov), (train.n, train.n));
    let mut c = base.clone();
    c.training.batch_size = 0;
    assert!(matches!(c.check(&train), Err(ExperimentError::Train(ConfigError::OutOfRange { field: "batch_size", .. }))));
    let mut c = base.clone();
    c.model = ModelSpec::Fcn { hidden: vec![5], activation: ActivationKind::Relu };
    assert!(matches!(c.check(&train), Err(ExperimentError::Train(ConfigError::OutOfRange { field: "hidden width", .. }))));
    let mut c = base.clone();
    c.analysis.draws = 3;
    assert!(matches!(c.check(&train), Err(ExperimentError::Measure(_))));
    let mut c = base.clone();
    c.memory_cap = 1 << 20;
    assert!(matches!(c.check(&train), Err(ExperimentError::Train(ConfigError::Memory { .. })) | Err(ExperimentError::Memory { .. })));
    // The measurement part of the estimate alone can exceed the cap.
    let mut c = base.clone();
    c.memory_cap = ok.train.memory.total + 1;
    assert!(matches!(c.check(&train), Err(ExperimentError::Memory { .. })));
    // A dataset whose asset is missing is a typed error.
    assert!(matches!(base.prepare_data(None), Err(ExperimentError::MissingAsset("digits-8x8.bin.gz"))));
}

/// Fuzz finding (`config_json` target): `from_json("[]")` was the default configuration (serde
/// reads a struct from an array of its fields in order) while `with_overrides` refuses every
/// non-object; a configuration must be a JSON object.
#[test]
fn from_json_refuses_non_objects() {
    for s in ["[]", " [0]", "\n[{}]", "null", "1"] {
        assert!(matches!(ExperimentConfig::from_json(s), Err(ExperimentError::Json(_))), "{s}");
    }
    assert_eq!(ExperimentConfig::from_json(" \r\n\t{}").unwrap(), ExperimentConfig::default());
}

/// Nested objects are refused as arrays too, by both routes and with the key named
/// (`{"training": [0.5]}` used to set `lr` positionally).
#[test]
fn nested_objects_are_refused_as_arrays_by_both_routes() {
    for (json, key) in [
        (r#"{"training": [0.5]}"#, "`training`"),
        (r#"{"analysis": {"rule": "paper"}, "logging": [10, 5]}"#, "`logging`"),
        (r#"{"data": {"dataset": ["mnist", 1]}}"#, "`data.dataset`"),
    ] {
        let e = ExperimentConfig::from_json(json).unwrap_err();
        assert!(matches!(&e, ExperimentError::Json(m) if m.contains(key)), "{json}: {e}");
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        let e = sgn_lab::experiment::with_overrides(&ExperimentConfig::default(), &v).unwrap_err();
        assert!(e.to_string().contains(key), "{json}: {e}");
    }
    // The same settings as objects are accepted.
    let c = ExperimentConfig::from_json(r#"{"training": {"lr": 0.5}, "logging": {"n_tracked": 10}}"#).unwrap();
    assert_eq!((c.training.lr, c.logging.n_tracked), (0.5, 10));
}

#[test]
fn url_codec_is_compact_and_refuses_garbage() {
    assert_eq!(url::encode(&ExperimentConfig::default()).unwrap(), "v1.");
    let mut c = ExperimentConfig::default();
    c.training.batch_size = 64;
    let s = url::encode(&c).unwrap();
    assert!(s.len() < 60, "{s}");
    assert_eq!(url::decode(&format!("#{s}")).unwrap(), c);
    let bad_key = format!("v1.{}", url::b64url_encode(br#"{"nope":1}"#));
    for bad in ["", "v2.abc", "v1.@@@", "v1.a", bad_key.as_str()] {
        assert!(matches!(url::decode(bad), Err(ExperimentError::Url(_))), "{bad}");
    }
}

fn arb_config() -> impl Strategy<Value = ExperimentConfig> {
    let dataset = prop_oneof![
        (1usize..=2).prop_map(|d| DatasetSpec::Mnist { downsample: d }),
        Just(DatasetSpec::Digits8x8),
        Just(DatasetSpec::BreastCancer),
        Just(DatasetSpec::Wine),
        (10usize..500, 1usize..20, 2usize..5, 0.0f64..3.0, any::<u64>()).prop_map(|(n, d, k, s, seed)| DatasetSpec::GaussianMixture(sgn_lab::data::synthetic::MixtureParams { n, d, n_classes: k, separation: s, seed })),
    ];
    let model = prop_oneof![
        (prop::collection::vec(10usize..=256, 1..=4), any::<bool>()).prop_map(|(h, t)| ModelSpec::Fcn { hidden: h, activation: if t { ActivationKind::Tanh } else { ActivationKind::Relu } }),
        Just(ModelSpec::Lenet { activation: ActivationKind::Relu }),
    ];
    let schedule = prop_oneof![Just(LrSchedule::Constant), (prop::collection::vec(0.01f64..0.99, 0..4), 0.01f64..1.0).prop_map(|(m, f)| LrSchedule::StepDecay { milestones: m, factor: f })];
    (
        (dataset, prop::option::of(2usize..10_000), prop::option::of(0usize..5000), 0.0f64..0.99, any::<bool>()),
        model,
        (1e-4f64..10.0, 0.0f64..0.99, 0.0f64..0.1, schedule, 1usize..2048, 1usize..1000, any::<bool>()),
        (1usize..1000, 0u64..500),
        (any::<bool>(), prop::sample::select(vec![0.10, 0.05, 0.01]), prop::option::of(2usize..5000), 10usize..5000, 1usize..100, 0usize..3000, any::<bool>(), 0usize..200, any::<bool>()),
        (any::<u64>(), 1u64..(4u64 << 30)),
    )
        .prop_map(|(d, model, t, l, a, (seed, cap))| {
            let mut c = ExperimentConfig::default();
            c.data.dataset = d.0;
            c.data.n_train = d.1;
            c.data.n_test = d.2;
            c.data.label_noise = d.3;
            c.data.random_labels = d.4;
            c.model = model;
            c.training.lr = t.0;
            c.training.momentum = t.1;
            c.training.weight_decay = t.2;
            c.training.schedule = t.3;
            c.training.batch_size = t.4;
            c.training.epochs = t.5;
            c.training.precision = if t.6 { Precision::F64 } else { Precision::F32 };
            c.logging.n_tracked = l.0;
            c.logging.full_every = l.1;
            c.analysis.rule = if a.0 { TailRule::Clauset } else { TailRule::Paper };
            c.analysis.level = a.1;
            c.analysis.k = a.2;
            c.analysis.draws = a.3;
            c.analysis.dim_draws = a.4;
            c.analysis.n_cov = a.5;
            c.analysis.baseline = a.6;
            c.analysis.davis_kahan_top = a.7;
            c.analysis.measure_init = a.8;
            c.seed = seed;
            c.memory_cap = cap;
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn url_round_trip(c in arb_config()) {
        let s = url::encode(&c).unwrap();
        prop_assert!(s.starts_with("v1."));
        prop_assert!(!s.contains(['#', '&', '=', '+', '/', ' ']));
        prop_assert_eq!(url::decode(&s).unwrap(), c);
    }

    #[test]
    fn json_round_trip_and_ranges(c in arb_config()) {
        let j = serde_json::to_string(&c).unwrap();
        prop_assert_eq!(&ExperimentConfig::from_json(&j).unwrap(), &c);
        // Every generated value is within the data-free ranges…
        prop_assert!(c.check_ranges().is_ok(), "{:?}", c.check_ranges());
        // …and pushing one out of range is refused with the field named.
        let mut bad = c.clone();
        bad.data.label_noise = 1.0 + c.data.label_noise;
        let refused = matches!(bad.check_ranges(), Err(ExperimentError::OutOfRange { field: "data.label_noise", .. }));
        prop_assert!(refused);
    }

    #[test]
    fn base64url_round_trip(v in prop::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(url::b64url_decode(&url::b64url_encode(&v)).unwrap(), v);
    }
}
