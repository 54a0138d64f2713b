//! `ExperimentConfig`: defaults from `docs/PROTOCOL.md` §1.4, serde with unknown keys refused, typed
//! validation errors, and the URL-hash codec (property tests: decode(encode(c)) == c).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sgn_lab::data::{images, DatasetSpec};
use sgn_lab::experiment::presets::reduced_base;
use sgn_lab::experiment::{url, ExperimentConfig, ExperimentError, Rule};
use sgn_lab::nn::{ActivationKind, ModelSpec};
use sgn_lab::params::OutOfRange;
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
    assert_eq!(
        c.model,
        ModelSpec::Fcn {
            hidden: vec![100, 100],
            activation: ActivationKind::Relu
        }
    );
    assert_eq!(
        (c.training.lr, c.training.momentum, c.training.weight_decay),
        (0.1, 0.9, 5e-4)
    );
    assert_eq!((c.training.batch_size, c.training.epochs), (128, 16));
    assert_eq!(
        c.training.schedule,
        LrSchedule::StepDecay {
            milestones: vec![0.4, 0.8],
            factor: 0.1
        }
    );
    assert_eq!((c.logging.n_tracked, c.logging.full_every), (50, 50));
    assert_eq!(
        (
            c.analysis.rule,
            c.analysis.level,
            c.analysis.draws,
            c.analysis.dim_draws,
            c.analysis.n_cov
        ),
        (Rule::Paper, 0.05, 200, 30, 1000)
    );
    assert_eq!((c.seed, c.memory_cap), (0, 512 << 20));
    assert_eq!(c.prepare_params().n_train, Some(8000));
}

#[test]
fn json_keeps_defaults_and_refuses_unknown_keys() {
    let c = ExperimentConfig::from_json(r#"{"training": {"batch_size": 64}, "seed": 5}"#).unwrap();
    assert_eq!(c.training.batch_size, 64);
    assert_eq!(c.training.lr, 0.1);
    assert_eq!(c.seed, 5);
    for bad in [
        r#"{"trainng": {}}"#,
        r#"{"training": {"lrr": 1}}"#,
        r#"{"analysis": {"rule": "bogus"}}"#,
        r#"{"seed": "x"}"#,
    ] {
        assert!(
            matches!(ExperimentConfig::from_json(bad), Err(ExperimentError::Json(_))),
            "{bad}"
        );
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
    assert!(matches!(
        c.check(&train),
        Err(ExperimentError::OutOfRange(OutOfRange {
            field: "data.label_noise",
            ..
        }))
    ));
    let mut c = base.clone();
    c.analysis.level = 0.2;
    assert!(matches!(
        c.check(&train),
        Err(ExperimentError::OutOfRange(OutOfRange {
            field: "analysis.level",
            ..
        }))
    ));
    let mut c = base.clone();
    c.analysis.n_cov = 5000;
    let capped = c.check(&train).expect("n_cov above N is capped, not refused");
    assert_eq!(
        (capped.config.analysis.n_cov, capped.measure.params().n_cov),
        (train.n(), train.n())
    );
    let mut c = base.clone();
    c.training.batch_size = 0;
    assert!(matches!(
        c.check(&train),
        Err(ExperimentError::Train(ConfigError::OutOfRange(OutOfRange {
            field: "batch_size",
            ..
        })))
    ));
    let mut c = base.clone();
    c.model = ModelSpec::Fcn {
        hidden: vec![5],
        activation: ActivationKind::Relu,
    };
    assert!(matches!(
        c.check(&train),
        Err(ExperimentError::Train(ConfigError::OutOfRange(OutOfRange {
            field: "hidden width",
            ..
        })))
    ));
    let mut c = base.clone();
    c.analysis.draws = 3;
    assert!(matches!(
        c.check(&train),
        Err(ExperimentError::OutOfRange(OutOfRange {
            field: "analysis.draws",
            ..
        }))
    ));
    let mut c = base.clone();
    c.memory_cap = 1 << 20;
    assert!(matches!(
        c.check(&train),
        Err(ExperimentError::Train(ConfigError::Memory { .. })) | Err(ExperimentError::Memory { .. })
    ));
    // The measurement part of the estimate alone can exceed the cap.
    let mut c = base.clone();
    c.memory_cap = ok.train.memory.total + 1;
    assert!(matches!(c.check(&train), Err(ExperimentError::Memory { .. })));
    // A dataset whose asset is missing is a typed error.
    assert!(matches!(
        base.prepare_data(None),
        Err(ExperimentError::MissingAsset("digits-8x8.bin.gz"))
    ));
}

/// Every range check of `check_ranges` / `check`: a typed `OutOfRange` naming the field, for a
/// value just outside its range, and the value just inside passes.
#[test]
fn every_validation_error_names_its_field() {
    let base = reduced_base(0);
    let train = digits_train(&base);
    type Edit = fn(&mut ExperimentConfig, bool);
    let cases: Vec<(&str, Edit)> = vec![
        ("data.label_noise", |c, out| {
            c.data.label_noise = if out { 1.0 } else { 0.99 }
        }),
        ("data.n_train", |c, out| c.data.n_train = Some(if out { 1 } else { 2 })),
        ("data.dataset.downsample", |c, out| {
            c.data.dataset = DatasetSpec::Mnist {
                downsample: if out { 3 } else { 2 },
            }
        }),
        ("analysis.level", |c, out| {
            c.analysis.level = if out { 0.2 } else { 0.01 }
        }),
        ("analysis.k", |c, out| c.analysis.k = Some(if out { 1 } else { 2 })),
        ("analysis.spectrum_k", |c, out| {
            c.analysis.spectrum_k = Some(if out { 1 } else { 2 })
        }),
        ("analysis.draws", |c, out| c.analysis.draws = if out { 9 } else { 10 }),
        ("analysis.draws", |c, out| {
            c.analysis.draws = if out { 5001 } else { 5000 }
        }),
        ("analysis.dim_draws", |c, out| {
            c.analysis.dim_draws = if out { 0 } else { 1 }
        }),
        ("analysis.dim_draws", |c, out| {
            c.analysis.dim_draws = if out { 101 } else { 100 }
        }),
        ("analysis.bootstrap", |c, out| {
            c.analysis.bootstrap = if out { 2001 } else { 2000 }
        }),
        ("analysis.spectrum_skip", |c, out| {
            c.analysis.spectrum_skip = if out { 100_001 } else { 0 }
        }),
        ("analysis.davis_kahan_top", |c, out| {
            c.analysis.davis_kahan_top = if out { 201 } else { 200 }
        }),
        ("logging.n_tracked", |c, out| {
            c.logging.n_tracked = if out { 0 } else { 1 }
        }),
        ("logging.n_tracked", |c, out| {
            c.logging.n_tracked = if out { 1001 } else { 1000 }
        }),
        ("memory_cap", |c, out| {
            c.memory_cap = if out { (4 << 30) + 1 } else { 4 << 30 }
        }),
    ];
    for (field, edit) in &cases {
        let mut c = base.clone();
        edit(&mut c, true);
        match c.check_ranges() {
            Err(ExperimentError::OutOfRange(OutOfRange { field: f, .. })) => assert_eq!(f, *field),
            other => panic!("{field}: {other:?}"),
        }
        // `check` and `prepare_data` refuse it the same way.
        assert!(
            matches!(c.check(&train), Err(ExperimentError::OutOfRange(OutOfRange { field: f, .. })) if f == *field),
            "{field}"
        );
        assert!(
            matches!(c.prepare_data(None), Err(ExperimentError::OutOfRange(OutOfRange { field: f, .. })) if f == *field),
            "{field}"
        );
        let mut c = base.clone();
        edit(&mut c, false);
        assert_eq!(c.check_ranges(), Ok(()), "{field} just inside");
    }
    // The spectrum fit must keep K eigenvalues of the rank bound min(n_cov, N) − 1 (checked
    // against the data): n_cov = 200 → rank ≤ 199, skip + 2 ≤ 199.
    let mut c = base.clone();
    c.analysis.spectrum_skip = 197;
    assert!(c.check(&train).is_ok());
    c.analysis.spectrum_skip = 198;
    assert!(matches!(
        c.check(&train),
        Err(ExperimentError::OutOfRange(OutOfRange {
            field: "analysis.spectrum_skip",
            ..
        }))
    ));
    c.analysis.spectrum_skip = 150;
    c.analysis.spectrum_k = Some(50);
    assert!(matches!(
        c.check(&train),
        Err(ExperimentError::OutOfRange(OutOfRange {
            field: "analysis.spectrum_skip",
            ..
        }))
    ));
    c.analysis.spectrum_skip = 0;
    c.analysis.spectrum_k = Some(200);
    assert!(matches!(
        c.check(&train),
        Err(ExperimentError::OutOfRange(OutOfRange {
            field: "analysis.spectrum_k",
            ..
        }))
    ));
    c.analysis.n_cov = 0; // no spectrum: nothing to fit
    c.analysis.spectrum_skip = 5000;
    assert_eq!(c.check(&train).err(), None);
    // The mechanism preset's T × 4096 f64 buffer against the cap.
    let mut c = base.clone();
    c.analysis.draws = 5000;
    let need = sgn_lab::experiment::presets::mechanism::mechanism_bytes(&c);
    assert!(need >= 5000 * 4096 * 8);
    c.memory_cap = need - 1;
    assert_eq!(
        sgn_lab::experiment::presets::mechanism::check_mechanism(&c),
        Err(ExperimentError::Memory {
            estimate: need,
            cap: need - 1
        })
    );
    c.memory_cap = need;
    assert_eq!(sgn_lab::experiment::presets::mechanism::check_mechanism(&c), Ok(need));
}

/// The memory error states both numbers in MiB with one decimal and in bytes: an estimate just
/// above the cap no longer prints as "80 MiB, above the cap of 80 MiB".
#[test]
fn memory_error_states_both_numbers_exactly() {
    let e = ExperimentError::Memory {
        estimate: (80 << 20) + 70_000,
        cap: 80 << 20,
    };
    assert_eq!(
        e.to_string(),
        "the experiment would need about 80.1 MiB (83956080 bytes), above the cap of 80.0 MiB (83886080 bytes)"
    );
}

/// The messages of the refusals that name a setting: the measurement over the cap (the setting
/// that drives it, its key and the largest value that fits; or that none does alone), a setting
/// above what the data hold, LeNet-5 on other data.
#[test]
fn refusals_name_the_setting_and_the_value_that_fits() {
    use sgn_lab::experiment::error::{Fit, FitSetting};
    let fit = |setting: FitSetting, value, largest| Fit {
        setting,
        field: setting.field(),
        name: setting.name(),
        value,
        largest,
        round: largest / 100 * 100,
    };
    let e = ExperimentError::MeasurementMemory {
        estimate: 625_391_992,
        cap: 512 << 20,
        fit: Some(fit(FitSetting::NCov, 1000, 716)),
    };
    assert_eq!(
        e.to_string(),
        "the measurement would need about 596.4 MiB (625391992 bytes) with the data and training, above the cap of 512.0 MiB \
         (536870912 bytes); spectrum N_cov = 1000 drives it: the largest value that fits is 716 (analysis.n_cov = 716, \
         everything else unchanged)"
    );
    let e = ExperimentError::MeasurementMemory {
        estimate: 600 << 20,
        cap: 512 << 20,
        fit: Some(fit(FitSetting::DavisKahanTop, 20, 0)),
    };
    assert!(e
        .to_string()
        .contains("Davis–Kahan top = 20 drives it: the largest value that fits is 0 (off)"));
    let e = ExperimentError::MeasurementMemory {
        estimate: 600 << 20,
        cap: 512 << 20,
        fit: None,
    };
    assert!(e.to_string().ends_with(
        "no single measurement setting (spectrum N_cov, draws M, tracked parameters m, Davis–Kahan top) brings it under \
         the cap: lower several, or raise memory_cap (at most 4 GiB)"
    ));
    // Above what the data hold.
    let mut c = ExperimentConfig::lab_default();
    c.data.dataset = DatasetSpec::Wine;
    c.training.batch_size = 512;
    let train = {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/wine.csv")).unwrap();
        c.prepare_data(Some(&bytes)).unwrap().0
    };
    let e = c.check_training(&train).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "batch size = 512 is more than the {0} samples of the training set: the largest value is {0} \
             (training.batch_size ≤ {0})",
            train.n()
        )
    );
    c.training.batch_size = train.n();
    assert!(c.check_training(&train).is_ok());
    c.model = ModelSpec::Fcn {
        hidden: vec![10],
        activation: ActivationKind::Relu,
    };
    c.logging.n_tracked = 200;
    let p = 13 * 10 + 10 + 10 * 3 + 3;
    assert!(matches!(
        c.check_training(&train),
        Err(ExperimentError::AboveLimit { field: "logging.n_tracked", value: 200, largest, .. }) if largest == p
    ));
    c.logging.n_tracked = p;
    assert!(c.check_training(&train).is_ok());
    // LeNet-5 on the 8×8 digits.
    let mut c = reduced_base(0);
    c.model = ModelSpec::Lenet {
        activation: ActivationKind::Relu,
    };
    assert_eq!(
        c.check_training(&digits_train(&c)).unwrap_err().to_string(),
        "model LeNet-5 needs 28×28 images, and the dataset 8×8 digits has 8×8 images: choose the dataset \"MNIST subset, \
         28×28\" (data.dataset = mnist, downsample 1) or an FCN model"
    );
}

/// Training is checked for what training needs: LeNet-5 at the page's defaults (N_cov = 1000,
/// whose measurement needs more than the 512 MiB cap) trains; the measurement of the same
/// configuration is refused naming N_cov and the largest value that fits, which then passes
/// (and one more does not); a measurement-only setting out of the spectrum's rank (the fit's
/// skip) refuses the measurement, not training. `sgn-lab run` checks both before training and
/// says the same.
#[test]
fn a_measurement_setting_never_blocks_training() {
    use sgn_lab::experiment::error::FitSetting;
    let mnist = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/mnist-10k.bin.gz")).unwrap();
    let mut c = ExperimentConfig::lab_default();
    c.model = ModelSpec::Lenet {
        activation: ActivationKind::Relu,
    };
    let (train, _) = c.prepare_data(Some(&mnist)).unwrap();
    let t = c.check_training(&train).expect("LeNet-5 at the defaults trains");
    assert!(t.training_estimate <= c.memory_cap);
    let fit = match t.check_measurement(&t.config, &train) {
        Err(ExperimentError::MeasurementMemory {
            estimate,
            cap,
            fit: Some(fit),
        }) => {
            assert!(estimate > cap && cap == 512 << 20);
            fit
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (fit.setting, fit.field, fit.value),
        (FitSetting::NCov, "analysis.n_cov", 1000)
    );
    assert!(
        fit.round % 100 == 0 && fit.round <= fit.largest && fit.largest < 1000,
        "{fit:?}"
    );
    let mut ok = t.config.clone();
    ok.analysis.n_cov = fit.largest;
    let m = t.check_measurement(&ok, &train).unwrap();
    assert!(m.memory_estimate <= c.memory_cap);
    ok.analysis.n_cov += 1;
    assert!(t.check_measurement(&ok, &train).is_err());
    // The whole check (the CLI's) refuses the same way.
    assert!(matches!(c.check(&train), Err(ExperimentError::MeasurementMemory { fit: Some(f), .. }) if f == fit));
    // A spectrum fit beyond the rank: the measurement is refused, training is not.
    let mut c = reduced_base(0);
    c.analysis.n_cov = 50;
    c.analysis.spectrum_skip = 60;
    let train = digits_train(&c);
    let t = c.check_training(&train).expect("trains");
    assert!(matches!(
        t.check_measurement(&t.config, &train),
        Err(ExperimentError::OutOfRange(OutOfRange {
            field: "analysis.spectrum_skip",
            ..
        }))
    ));
    assert!(c.check(&train).is_err());
}

/// The CLI's refusal of a measurement over the cap names the setting, its key and the largest
/// value that fits (exit code 2, before any training).
#[test]
fn the_cli_names_the_setting_and_the_largest_value_that_fits() {
    let dir = std::env::temp_dir().join(format!("sgn-lab-menu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("lenet.json");
    std::fs::write(
        &file,
        r#"{"model": {"kind": "lenet"}, "logging": {"full_every": 0}, "analysis": {"davis_kahan_top": 20}}"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sgn-lab"))
        .args(["run", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let line = err.lines().last().unwrap();
    assert!(line.starts_with("sgn-lab: the measurement would need about "), "{line}");
    assert!(
        line.contains("spectrum N_cov = 1000 drives it: the largest value that fits is ")
            && line.contains("(analysis.n_cov = "),
        "{line}"
    );
    assert!(!err.contains("— training"), "refused before training: {err}");
}

/// `analysis.bootstrap` (default 0, serde default): the default hash is still "v1.", a config
/// without the key reads as 0, and the knob reaches the example tests' bootstrap.
#[test]
fn bootstrap_knob_defaults_to_none_and_is_wired() {
    assert_eq!(url::encode(&ExperimentConfig::default()).unwrap(), "v1.");
    let c = ExperimentConfig::from_json(r#"{"analysis": {"rule": "clauset"}}"#).unwrap();
    assert_eq!(c.analysis.bootstrap, 0);
    let p = c.measure_params(32).unwrap();
    assert_eq!((p.example_bootstrap, p.tail.bootstrap), (0, Some(0)));
    let c = ExperimentConfig::from_json(r#"{"analysis": {"rule": "clauset", "bootstrap": 50}}"#).unwrap();
    let p = c.measure_params(32).unwrap();
    assert_eq!((p.example_bootstrap, p.tail.bootstrap), (50, Some(50)));
    // The report's example test gets a p-value; the rates do not bootstrap.
    let mut c = reduced_base(0);
    c.analysis.rule = Rule::Clauset;
    c.analysis.bootstrap = 20;
    c.analysis.n_cov = 0;
    let train = digits_train(&c);
    let checked = c.check(&train).unwrap();
    let mut t = sgn_lab::train::Trainer::new(checked.train.clone(), train).unwrap();
    while !t.is_finished() {
        t.run(100).unwrap();
    }
    let g = sgn_lab::experiment::measure::measure(&t, &checked.measure, |_, _| true).unwrap();
    assert!(g.iteration_sgn.as_ref().unwrap().power_law.p_value.is_some());
    assert!(g.dimension_g.as_ref().unwrap().power_law.p_value.is_none());
}

/// Fuzz finding (`config_json` target): `from_json("[]")` was the default configuration (serde
/// reads a struct from an array of its fields in order) while `with_overrides` refuses every
/// non-object; a configuration must be a JSON object.
#[test]
fn from_json_refuses_non_objects() {
    for s in ["[]", " [0]", "\n[{}]", "null", "1"] {
        assert!(
            matches!(ExperimentConfig::from_json(s), Err(ExperimentError::Json(_))),
            "{s}"
        );
    }
    assert_eq!(
        ExperimentConfig::from_json(" \r\n\t{}").unwrap(),
        ExperimentConfig::default()
    );
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
        (10usize..500, 1usize..20, 2usize..5, 0.0f64..3.0, any::<u64>()).prop_map(|(n, d, k, s, seed)| {
            DatasetSpec::GaussianMixture(sgn_lab::data::synthetic::MixtureParams {
                n,
                d,
                n_classes: k,
                separation: s,
                seed,
            })
        }),
    ];
    let model = prop_oneof![
        (prop::collection::vec(10usize..=256, 1..=4), any::<bool>()).prop_map(|(h, t)| ModelSpec::Fcn {
            hidden: h,
            activation: if t { ActivationKind::Tanh } else { ActivationKind::Relu }
        }),
        Just(ModelSpec::Lenet {
            activation: ActivationKind::Relu
        }),
    ];
    let schedule = prop_oneof![
        Just(LrSchedule::Constant),
        (prop::collection::vec(0.01f64..0.99, 0..4), 0.01f64..1.0).prop_map(|(m, f)| LrSchedule::StepDecay {
            milestones: m,
            factor: f
        })
    ];
    (
        (
            dataset,
            prop::option::of(2usize..10_000),
            prop::option::of(0usize..5000),
            0.0f64..0.99,
            any::<bool>(),
        ),
        model,
        (
            1e-4f64..10.0,
            0.0f64..0.99,
            0.0f64..0.1,
            schedule,
            1usize..2048,
            1usize..1000,
            any::<bool>(),
        ),
        (1usize..1000, 0u64..500),
        (
            any::<bool>(),
            prop::sample::select(vec![0.10, 0.05, 0.01]),
            prop::option::of(2usize..5000),
            10usize..5000,
            1usize..100,
            0usize..3000,
            any::<bool>(),
            0usize..200,
            any::<bool>(),
        ),
        (any::<u64>(), 1u64..(4u64 << 30), 0usize..=2000, 0usize..=100_000),
    )
        .prop_map(|(d, model, t, l, a, (seed, cap, bootstrap, skip))| {
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
            c.analysis.rule = if a.0 { Rule::Clauset } else { Rule::Paper };
            c.analysis.level = a.1;
            c.analysis.k = a.2;
            c.analysis.draws = a.3;
            c.analysis.dim_draws = a.4;
            c.analysis.n_cov = a.5;
            c.analysis.baseline = a.6;
            c.analysis.davis_kahan_top = a.7;
            c.analysis.measure_init = a.8;
            c.analysis.bootstrap = bootstrap;
            c.analysis.spectrum_skip = skip;
            c.seed = seed;
            c.memory_cap = cap;
            c
        })
}

/// `c` with one range-checked field pushed out of its range (by an amount drawn from `r`), for
/// every such field.
fn out_of_range(c: &ExperimentConfig, r: u64) -> Vec<(&'static str, ExperimentConfig)> {
    let r = r as usize;
    let even = r.is_multiple_of(2);
    let big = |lo: usize| lo.saturating_add(1 + r % 1_000_000);
    let mut out = Vec::new();
    let mut push = |field: &'static str, f: &dyn Fn(&mut ExperimentConfig)| {
        let mut b = c.clone();
        f(&mut b);
        out.push((field, b));
    };
    push("data.label_noise", &|b| {
        b.data.label_noise = 1.0 + (r % 1000) as f64 / 100.0
    });
    push("data.label_noise", &|b| b.data.label_noise = -1e-3 - (r % 1000) as f64);
    push("data.n_train", &|b| b.data.n_train = Some(r % 2));
    push("data.dataset.downsample", &|b| {
        b.data.dataset = DatasetSpec::Mnist {
            downsample: if even { 0 } else { big(2) },
        }
    });
    push("analysis.level", &|b| b.analysis.level = 0.2 + (r % 100) as f64);
    push("analysis.k", &|b| {
        b.analysis.k = Some(if even { r % 2 } else { big(1_000_000) })
    });
    push("analysis.spectrum_k", &|b| {
        b.analysis.spectrum_k = Some(if even { 1 } else { big(100_000) })
    });
    push("analysis.draws", &|b| {
        b.analysis.draws = if even { r % 10 } else { big(5000) }
    });
    push("analysis.dim_draws", &|b| {
        b.analysis.dim_draws = if even { 0 } else { big(100) }
    });
    push("analysis.bootstrap", &|b| b.analysis.bootstrap = big(2000));
    push("analysis.spectrum_skip", &|b| b.analysis.spectrum_skip = big(100_000));
    push("analysis.davis_kahan_top", &|b| b.analysis.davis_kahan_top = big(200));
    push("logging.n_tracked", &|b| {
        b.logging.n_tracked = if even { 0 } else { big(1000) }
    });
    push("memory_cap", &|b| {
        b.memory_cap = (4u64 << 30) + 1 + r as u64 % (1 << 40)
    });
    out
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
        // …and pushing any range-checked field out of range is refused with the field named.
        for (field, bad) in out_of_range(&c, c.seed) {
            let refused = matches!(bad.check_ranges(), Err(ExperimentError::OutOfRange(OutOfRange { field: f, .. })) if f == field);
            prop_assert!(refused, "{}: {:?}", field, bad.check_ranges());
        }
    }

    #[test]
    fn base64url_round_trip(v in prop::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(url::b64url_decode(&url::b64url_encode(&v)).unwrap(), v);
    }
}
