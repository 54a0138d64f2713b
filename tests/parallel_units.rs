#![cfg(not(target_arch = "wasm32"))]
//! The identity rule of a preset's units of work (`experiment::presets::units`,
//! `docs/ARCHITECTURE.md` "Units of work"): the report is byte-identical whether the units run one
//! after another, on 1, 2 or 3 threads, split by replicate or (the tour) by part, and when each
//! unit's report travels as JSON text to the place that combines them (the page's worker pool).

use sgn_lab::experiment::presets::reduced_base;
use sgn_lab::experiment::presets::units::{combine, plan, run_parallel, run_unit, PoolProgress, Split, Unit};
use sgn_lab::experiment::{run_preset, ExperimentConfig, ExperimentError, Report};
use std::sync::atomic::{AtomicUsize, Ordering};

fn assets(name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("{}/assets/{name}", env!("CARGO_MANIFEST_DIR"))).ok()
}

/// The reduced tour over 2 replicates, with the data cut further so each run takes seconds.
fn base() -> ExperimentConfig {
    let mut b = reduced_base(11);
    b.replicates = 2;
    b.data.n_train = Some(600);
    b.data.n_test = Some(200);
    b.analysis.n_cov = 120;
    b
}

fn on_threads(n: usize, name: &str, b: &ExperimentConfig, split: Split) -> (String, usize) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .stack_size(8 << 20)
        .build()
        .unwrap();
    let ticks = AtomicUsize::new(0);
    let last_done = AtomicUsize::new(0);
    let total = plan(name, b, split).unwrap().len();
    let progress = |p: &PoolProgress<'_>| {
        assert_eq!(p.total, total);
        assert!(p.done <= total && (0.0..=1.0).contains(&p.fraction), "{p:?}");
        ticks.fetch_add(1, Ordering::Relaxed);
        last_done.fetch_max(p.done, Ordering::Relaxed);
        true
    };
    let r = pool
        .install(|| run_parallel(name, b, split, &assets, &progress))
        .unwrap();
    assert!(ticks.load(Ordering::Relaxed) > total, "progress reported");
    (
        serde_json::to_string_pretty(&r).unwrap(),
        last_done.load(Ordering::Relaxed),
    )
}

#[test]
fn the_tour_report_is_byte_identical_on_1_2_and_3_threads_and_split_by_part() {
    let b = base();
    let serial =
        serde_json::to_string_pretty(&run_preset("paper-tour", &b, &mut assets, &mut |_| true).unwrap()).unwrap();
    let units = plan("paper-tour", &b, Split::Replicates).unwrap();
    assert_eq!(units.len(), 2);
    for n in [1, 2, 3] {
        let (json, done) = on_threads(n, "paper-tour", &b, Split::Replicates);
        assert!(json == serial, "{n} thread(s): the report differs");
        assert!(done >= 1, "units done are counted");
    }
    let parts = plan("paper-tour", &b, Split::Parts).unwrap();
    assert_eq!(parts.len(), 2 * 9, "9 parts per replicate");
    assert_eq!(
        parts[10],
        Unit {
            replicate: 1,
            part: Some(1)
        }
    );
    let (json, _) = on_threads(2, "paper-tour", &b, Split::Parts);
    assert!(json == serial, "split by part: the report differs");
}

/// The page's path: every unit's report serialized to JSON (in its worker), read back and
/// combined (in another wasm instance) — byte-identical to the report made in one piece, also
/// when the units arrive out of order (they are combined in plan order).
#[test]
fn units_sent_as_json_combine_to_the_same_bytes() {
    let mut b = base();
    b.replicates = 3;
    let name = "mechanism";
    let serial = serde_json::to_string_pretty(&run_preset(name, &b, &mut assets, &mut |_| true).unwrap()).unwrap();
    let units = plan(name, &b, Split::Replicates).unwrap();
    let mut texts: Vec<(usize, String)> = units
        .iter()
        .enumerate()
        .rev()
        .map(|(i, u)| {
            let r = run_unit(name, &b, *u, &mut assets, &mut |_| true).unwrap();
            (i, serde_json::to_string(&r).unwrap())
        })
        .collect();
    texts.sort_by_key(|(i, _)| *i);
    let reports: Vec<Report> = texts.iter().map(|(_, t)| serde_json::from_str(t).unwrap()).collect();
    let combined = combine(name, &b, &units, reports).unwrap();
    assert!(serde_json::to_string_pretty(&combined).unwrap() == serial);

    // The tour split by part, through JSON, at one replicate.
    b.replicates = 1;
    let serial =
        serde_json::to_string_pretty(&run_preset("paper-tour", &b, &mut assets, &mut |_| true).unwrap()).unwrap();
    let units = plan("paper-tour", &b, Split::Parts).unwrap();
    let reports: Vec<Report> = units
        .iter()
        .map(|u| {
            let r = run_unit("paper-tour", &b, *u, &mut assets, &mut |_| true).unwrap();
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap()
        })
        .collect();
    let combined = combine("paper-tour", &b, &units, reports).unwrap();
    assert!(serde_json::to_string_pretty(&combined).unwrap() == serial);
}

#[test]
fn a_cancel_stops_every_unit_and_bad_plans_are_errors() {
    let b = base();
    let calls = AtomicUsize::new(0);
    let cancel = |_: &PoolProgress<'_>| calls.fetch_add(1, Ordering::Relaxed) < 5;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let r = pool.install(|| run_parallel("paper-tour", &b, Split::Parts, &assets, &cancel));
    assert_eq!(r, Err(ExperimentError::Cancelled));
    // Every unit stops at its next tick: far fewer calls than a whole run makes.
    assert!(
        calls.load(Ordering::Relaxed) < 40,
        "{} progress calls",
        calls.load(Ordering::Relaxed)
    );

    let units = plan("mechanism", &b, Split::Parts).unwrap();
    assert_eq!(units.len(), 2, "a preset other than the tour is split by replicate");
    assert!(matches!(
        combine("mechanism", &b, &units, Vec::new()),
        Err(ExperimentError::Internal(_))
    ));
    let unit = Unit {
        replicate: 5,
        part: None,
    };
    assert!(matches!(
        run_unit("mechanism", &b, unit, &mut assets, &mut |_| true),
        Err(ExperimentError::Internal(_))
    ));
    let unit = Unit {
        replicate: 0,
        part: Some(0),
    };
    assert!(matches!(
        run_unit("mechanism", &b, unit, &mut assets, &mut |_| true),
        Err(ExperimentError::Internal(_))
    ));
    // A missing asset is the unit's error, not a cancellation.
    let none = |_: &str| None;
    let r = pool.install(|| run_parallel("spectrum", &b, Split::Replicates, &none, &|_| true));
    assert!(matches!(r, Err(ExperimentError::MissingAsset(_))), "{r:?}");
}
