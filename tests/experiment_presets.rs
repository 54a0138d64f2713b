//! Every preset at a reduced size (8×8 digits, FCN 64→32→10, 2 epochs): the report schema,
//! verdicts recomputed from the report's own numbers, determinism, cancellation, and the report
//! fixture shared with the browser test (`tests/web_experiment.rs`).
#![cfg(not(target_arch = "wasm32"))]

#[allow(dead_code)]
mod common {
    pub mod probe;
}
use sgn_lab::experiment::presets::reduced_base;
use sgn_lab::experiment::report::rate;
use sgn_lab::experiment::view::verdict::view;
use sgn_lab::experiment::{presets, run_preset, ExperimentError, Report, Verdict, SCHEMA_VERSION};
use sgn_lab::params::OutOfRange;

/// Everything a verdict says in words: its clauses with their numbers, then the details.
fn why(v: &Verdict) -> String {
    let w = view(v);
    let mut parts: Vec<String> = w
        .clauses
        .iter()
        .map(|c| format!("{} {}: {}", c.mark, c.says, c.key))
        .collect();
    parts.extend(w.details);
    parts.join("; ")
}

fn assets(name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("{}/assets/{name}", env!("CARGO_MANIFEST_DIR"))).ok()
}

fn run(name: &str, seed: u64) -> Report {
    let mut fractions = Vec::new();
    let r = run_preset(name, &reduced_base(seed), &mut assets, &mut |p| {
        fractions.push(p.fraction);
        true
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(fractions.iter().all(|f| (0.0..=1.0).contains(f)), "{name}");
    assert!(
        fractions.windows(2).all(|w| w[1] >= w[0] - 1e-12),
        "{name}: progress goes back"
    );
    r
}

#[test]
fn every_preset_runs_at_reduced_size_and_states_a_verdict() {
    let tour = run("paper-tour", 1);
    let names: Vec<&str> = tour.parts.iter().map(|p| p.preset.as_str()).collect();
    let want: Vec<&str> = presets::infos()
        .iter()
        .map(|p| p.name)
        .filter(|n| *n != "paper-tour")
        .collect();
    assert_eq!(names, want);
    for p in &tour.parts {
        assert_eq!(p.schema_version, SCHEMA_VERSION);
        assert_eq!(p.engine_version, env!("CARGO_PKG_VERSION"));
        assert!(!p.claim.is_empty());
        assert_eq!(p.verdicts.len(), 1, "{}: {:?}", p.preset, p.verdicts);
        let v = &p.verdicts[0];
        assert!(!v.finding.is_empty() && !why(v).is_empty(), "{}", p.preset);
        if p.preset != "mechanism" {
            assert!(!p.arms.is_empty(), "{}", p.preset);
            assert!(!p.table_a.is_empty(), "{}", p.preset);
        }
        for arm in &p.arms {
            assert!(!arm.history.is_empty() && !arm.evals.is_empty());
            assert!(arm.history.iter().all(|s| s.loss.is_finite()));
        }
    }
    assert_eq!(tour.verdicts.len(), 1);
    let agree = tour.parts.iter().filter(|p| p.verdicts[0].agrees()).count();
    let untested = tour.parts.iter().filter(|p| !p.verdicts[0].tested()).count();
    assert!(tour
        .parts
        .iter()
        .all(|p| p.verdicts[0].tested() || !p.verdicts[0].agrees()));
    assert_eq!(
        tour.verdicts[0].finding,
        format!(
            "{agree} of {} claims agree with the paper, {} differ, {untested} could not be tested",
            tour.parts.len(),
            tour.parts.len() - agree - untested
        )
    );
    let j = serde_json::to_value(&tour).unwrap();
    assert_eq!(j["schema_version"], SCHEMA_VERSION);
    assert!(j["parts"][0]["arms"][0]["measurements"][0]["structure"]["table_a"].is_object());
}

#[test]
fn heavy_tails_verdict_follows_the_numbers() {
    let r = run("heavy-tails", 2);
    let s = &r.arms[0].measurements[0].structure;
    let t = &s.table_a;
    let expect = rate(&t.dimension_g) >= 0.5
        && t.iteration_g.as_ref().is_none_or(|x| rate(x) < 0.5)
        && rate(&t.iteration_sgn) < 0.5;
    assert_eq!(r.verdicts[0].agrees(), expect);
    assert!(why(&r.verdicts[0]).contains("Clauset"), "{}", why(&r.verdicts[0]));
    assert_eq!(r.table_a.len(), 2);
    assert_eq!(r.table_a[1].rule, "clauset");
}

#[test]
fn spectrum_and_mechanism_verdicts_follow_the_numbers() {
    let r = run("spectrum", 3);
    let b = &r.table_b;
    let trained = b.iter().find(|x| x.setting.contains("trained")).unwrap();
    let base = b.iter().find(|x| x.setting.contains("baseline")).unwrap();
    assert!(b.iter().any(|x| x.setting.contains("init")));
    let contrast = base.flat && !trained.flat && base.s < trained.s;
    if trained.k >= sgn_lab::experiment::presets::shared::MIN_SPECTRUM_K {
        assert!(r.verdicts[0].tested());
        assert_eq!(r.verdicts[0].agrees(), trained.power_law && contrast);
    } else {
        assert!(!r.verdicts[0].tested() && why(&r.verdicts[0]).contains("too few eigenvalues"));
    }

    let m = run("mechanism", 3);
    let mech = m.mechanism.as_ref().unwrap();
    let one = mech.rows.iter().find(|r| r.s == 1.0 && !r.rotated).unwrap();
    let iso = mech.rows.iter().find(|r| r.s == 0.0).unwrap();
    // The theory: s = 1 pooled is a power law with α = 1 + 2/s = 3; s = 0 has no tail.
    assert!((one.alpha_mean - 3.0).abs() < 0.5, "{}", one.alpha_mean);
    assert!(rate(&one.dimension) >= 0.5 && rate(&iso.dimension) <= 0.2);
    assert!(m.verdicts[0].agrees(), "{:?}", m.verdicts[0]);
}

/// The tour keeps its first trained network and reuses it for the later arms with the same
/// data, training configuration and seed: every part of the tour must equal the preset run on
/// its own (which trains every arm), number for number.
#[test]
fn tour_reuses_the_default_network_and_each_part_equals_its_preset_alone() {
    let mut stages = Vec::new();
    let tour = run_preset("paper-tour", &reduced_base(1), &mut assets, &mut |p| {
        stages.push(p.stage.to_string());
        true
    })
    .unwrap();
    let reused = stages.iter().filter(|s| s.contains("reused")).count();
    assert!(
        reused >= 4,
        "the default network is reused by the later presets ({reused} stages)"
    );
    for part in &tour.parts {
        let alone = run(&part.preset, 1);
        assert_eq!(
            serde_json::to_string(part).unwrap(),
            serde_json::to_string(&alone).unwrap(),
            "{}",
            part.preset
        );
    }
}

#[test]
fn same_seed_same_report_and_cancel_stops() {
    let a = serde_json::to_string(&run("labels", 4)).unwrap();
    let b = serde_json::to_string(&run("labels", 4)).unwrap();
    assert_eq!(a, b);
    let mut calls = 0;
    let r = run_preset("batch-sweep", &reduced_base(4), &mut assets, &mut |_| {
        calls += 1;
        calls < 5
    });
    assert_eq!(r, Err(ExperimentError::Cancelled));
    assert!(matches!(
        run_preset("nope", &reduced_base(0), &mut assets, &mut |_| true),
        Err(ExperimentError::UnknownPreset(_))
    ));
    let mut none = |_: &str| None;
    assert!(matches!(
        run_preset("spectrum", &reduced_base(0), &mut none, &mut |_| true),
        Err(ExperimentError::MissingAsset(_))
    ));
}

/// The report the browser test compares against. A missing fixture fails; only
/// `SGN_LAB_UPDATE_FIXTURES=1 cargo test --test experiment_presets native_report` rewrites it
/// (after checking that every number is unchanged when only wording or fields changed).
#[test]
fn native_report_matches_the_committed_fixture() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/experiment_report.json");
    let r = serde_json::to_value(fixture_report()).unwrap();
    if std::env::var("SGN_LAB_UPDATE_FIXTURES").as_deref() == Ok("1") {
        std::fs::write(path, serde_json::to_string(&r).unwrap()).unwrap();
    }
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path} is missing ({e}): regenerate it with SGN_LAB_UPDATE_FIXTURES=1"));
    let want: serde_json::Value = serde_json::from_str(&text).unwrap();
    common::probe::compare_json(&r, &want, "report", 1e-9).unwrap();
}

/// Same construction as in `tests/web_experiment.rs`.
fn fixture_report() -> Report {
    let mut base = reduced_base(21);
    base.data.n_train = Some(600);
    base.data.n_test = Some(200);
    base.analysis.n_cov = 120;
    let digits: &[u8] = include_bytes!("../assets/digits-8x8.bin.gz");
    let mut a = |name: &str| (name == "digits-8x8.bin.gz").then(|| digits.to_vec());
    run_preset("spectrum", &base, &mut a, &mut |_| true).unwrap()
}

/// A configuration error is the real typed error, not a "differs from the paper" verdict with a
/// guessed cause (a spectrum fit skipping more eigenvalues than the rank: refused by
/// `ExperimentConfig::check` before training).
#[test]
fn a_configuration_error_is_an_error_not_a_verdict() {
    let mut base = reduced_base(0);
    base.analysis.spectrum_skip = 100_000;
    let r = run_preset("heavy-tails", &base, &mut assets, &mut |_| true);
    assert!(
        matches!(
            r,
            Err(ExperimentError::OutOfRange(OutOfRange {
                field: "analysis.spectrum_skip",
                ..
            }))
        ),
        "{r:?}"
    );
}

/// The mechanism's whole-sample remark (T ≤ K) is made only for the paper rule; a custom run
/// names the rule it used.
#[test]
fn rule_specific_remarks_follow_the_rule() {
    let m = run("mechanism", 3);
    assert!(
        why(&m.verdicts[0]).contains("T = 60 iterations ≤ K = 1000"),
        "{}",
        why(&m.verdicts[0])
    );
    let mut base = reduced_base(3);
    base.analysis.rule = sgn_lab::experiment::Rule::Clauset;
    let m = run_preset("mechanism", &base, &mut assets, &mut |_| true).unwrap();
    assert!(!why(&m.verdicts[0]).contains("whole-sample"), "{}", why(&m.verdicts[0]));

    let mut cfg = reduced_base(5);
    cfg.analysis.rule = sgn_lab::experiment::Rule::Clauset;
    let r = sgn_lab::experiment::run_config(&cfg, &mut assets, &mut |_| true).unwrap();
    let v = &r.verdicts[0];
    assert!(
        v.finding.starts_with("Clauset's rule:") && !v.finding.contains("paper rule"),
        "{}",
        v.finding
    );
    assert!(!why(v).contains("whole sample"), "{}", why(v));
    cfg.analysis.rule = sgn_lab::experiment::Rule::Paper;
    let r = sgn_lab::experiment::run_config(&cfg, &mut assets, &mut |_| true).unwrap();
    assert!(
        r.verdicts[0].finding.starts_with("paper rule:") && why(&r.verdicts[0]).contains("whole sample"),
        "{}",
        why(&r.verdicts[0])
    );
}
