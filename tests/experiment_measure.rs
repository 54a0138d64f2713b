//! `experiment::measure` on a real network and real data (8×8 digits, FCN 64→32→10), checked
//! against independent recomputation and the definitions in docs/PROTOCOL.md §5.
#![cfg(not(target_arch = "wasm32"))]

use sgn_lab::data::{images, prepare, PrepareParams};
use sgn_lab::experiment::measure::{measure, measure_deferred, MeasureError, MeasureParams, PendingMeasurement};
use sgn_lab::nn::{ActivationKind, ModelSpec};
use sgn_lab::params::OutOfRange;
use sgn_lab::stats::{BootstrapCounts, BootstrapResult, StatsError};
use sgn_lab::train::{LogParams, SgdParams, TrainParams, Trainer};

fn trained(steps: u64, log: bool) -> Trainer {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/digits-8x8.bin.gz")).unwrap();
    let all = images::decode_digits8x8(&bytes).unwrap();
    let (train, _test) = prepare(
        &all,
        &PrepareParams {
            n_train: Some(1400),
            n_test: Some(397),
            seed: 3,
            ..PrepareParams::default()
        },
    )
    .unwrap();
    let params = TrainParams {
        model: ModelSpec::Fcn {
            hidden: vec![32],
            activation: ActivationKind::Relu,
        },
        sgd: SgdParams {
            batch_size: 32,
            epochs: 2,
            ..SgdParams::default()
        },
        seed: 3,
        log: log.then_some(LogParams {
            n_tracked: 20,
            full_every: 0,
        }),
        ..TrainParams::default()
    };
    let cfg = params.check(&train).unwrap();
    let mut t = Trainer::new(cfg, train).unwrap();
    t.run(steps).unwrap();
    t
}

fn params() -> MeasureParams {
    MeasureParams {
        batch_size: 32,
        draws: 60,
        dim_draws: 3,
        n_tracked: 20,
        n_cov: 300,
        seed: 9,
        ..MeasureParams::default()
    }
}

#[test]
fn measurements_match_their_definitions() {
    let t = trained(60, true);
    let cfg = params().check(t.train_data().n()).unwrap();
    let mut stages = Vec::new();
    let g = measure(&t, &cfg, |s, f| {
        assert!((0.0..=1.0).contains(&f));
        stages.push(s.to_string());
        true
    })
    .unwrap();

    assert_eq!(g.step, 60);
    assert_eq!(g.n_params, 64 * 32 + 32 + 32 * 10 + 10);
    // Dimension-wise samples hold every coordinate; SGN = g_B − ∇L recomputed independently.
    assert_eq!(g.dimension_g.as_ref().unwrap().sample.len(), g.n_params);
    let full = t.full_batch_grad().unwrap().grad;
    for i in (0..g.n_params).step_by(97) {
        let xi = g.dimension_g.as_ref().unwrap().sample[i] - full[i];
        assert!(
            (g.dimension_sgn.as_ref().unwrap().sample[i] - xi).abs() <= 1e-12 * (1.0 + xi.abs()),
            "ξ[{i}]"
        );
    }
    // Iteration-wise: T logged steps and M draws; tracked parameters come from the log.
    assert_eq!(g.logged_steps, 60);
    assert_eq!(g.tracked, t.log().unwrap().tracked);
    assert_eq!(g.iteration_g.as_ref().unwrap().sample.len(), 60);
    assert_eq!(g.iteration_sgn.as_ref().unwrap().sample.len(), 60);
    let a = &g.table_a;
    assert_eq!(a.dimension_g.tested + a.dimension_g.skipped, 3);
    assert_eq!(a.iteration_sgn.tested + a.iteration_sgn.skipped, 20);
    assert_eq!(
        a.iteration_g.as_ref().unwrap().tested + a.iteration_g.as_ref().unwrap().skipped,
        20
    );
    // The mean of the SGN over draws tends to 0: |mean| well below its spread.
    let s = &g.iteration_sgn.as_ref().unwrap().sample;
    let mean = s.iter().sum::<f64>() / s.len() as f64;
    let sd = (s.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (s.len() - 1) as f64).sqrt();
    assert!(
        mean.abs() < 4.0 * sd / (s.len() as f64).sqrt() + 1e-12,
        "mean ξ {mean} vs sd {sd}"
    );
    // Spectrum: N_cov = 300 samples, eigenvalues descending, trace = mean squared deviation.
    let sp = g.spectrum.as_ref().unwrap();
    assert_eq!(sp.report.n, 300);
    assert!(sp.report.eigenvalues.windows(2).all(|w| w[0] >= w[1]));
    assert!(sp.baseline.is_some());
    assert_eq!(stages.first().map(String::as_str), Some("full-batch gradient"));
    assert_eq!(stages.last().map(String::as_str), Some("spectrum"));
}

#[test]
fn same_seed_same_numbers_and_no_log_still_measures() {
    let t = trained(20, false);
    let cfg = params().check(t.train_data().n()).unwrap();
    let a = measure(&t, &cfg, |_, _| true).unwrap();
    let b = measure(&t, &cfg, |_, _| true).unwrap();
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    assert!(a.iteration_g.is_none() && a.table_a.iteration_g.is_none());
    assert_eq!(a.tracked.len(), 20);
}

#[test]
fn bad_params_and_cancel_are_typed_errors() {
    let t = trained(5, false);
    let n = t.train_data().n();
    assert!(matches!(
        MeasureParams { draws: 3, ..params() }.check(n),
        Err(MeasureError::OutOfRange(OutOfRange { field: "draws", .. }))
    ));
    assert!(matches!(
        MeasureParams {
            n_cov: n + 1,
            ..params()
        }
        .check(n),
        Err(MeasureError::OutOfRange(OutOfRange { field: "n_cov", .. }))
    ));
    let cfg = params().check(n).unwrap();
    assert_eq!(measure(&t, &cfg, |_, f| f < 0.3).unwrap_err(), MeasureError::Cancelled);
}

#[test]
fn clauset_rule_bootstraps_only_the_iteration_wise_examples() {
    use sgn_lab::stats::powerlaw::{PowerLawOptions, Rule};
    let t = trained(60, true);
    let tail = PowerLawOptions {
        rule: Rule::Clauset,
        ..PowerLawOptions::default()
    };
    let cfg = MeasureParams {
        tail,
        example_bootstrap: 50,
        n_cov: 0,
        ..params()
    }
    .check(t.train_data().n())
    .unwrap();
    // On one thread, as in the page, the bootstrap reports every 8 replicates (natively on more
    // threads, once per wave of units: tests/stats_powerlaw.rs).
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let mut calls = 0;
    let g = one_thread
        .install(|| {
            measure(&t, &cfg, |_, _| {
                calls += 1;
                true
            })
        })
        .unwrap();
    assert_eq!(g.iteration_sgn.as_ref().unwrap().power_law.bootstrap, 50);
    let p = g
        .iteration_sgn
        .as_ref()
        .unwrap()
        .power_law
        .p_value
        .expect("bootstrap p-value");
    assert!((0.0..=1.0).contains(&p));
    assert_eq!(g.iteration_g.as_ref().unwrap().power_law.bootstrap, 50);
    assert_eq!(g.dimension_g.as_ref().unwrap().power_law.bootstrap, 0);
    assert!(g.dimension_g.as_ref().unwrap().power_law.p_value.is_none());
    assert!(g.spectrum.is_none(), "n_cov = 0 skips the spectrum");
    assert!(calls > 10, "the bootstrap reports progress ({calls} calls)");
    // Cancelling inside the bootstrap is a typed cancel, not a statistics error.
    let mut seen = 0;
    let err = measure(&t, &cfg, |stage, _| {
        if stage == "bootstrap p-values" {
            seen += 1;
        }
        seen < 3
    })
    .unwrap_err();
    assert_eq!(err, MeasureError::Cancelled);
    assert_eq!(seen, 3, "cancelled inside the bootstrap stage");

    // Deferred (the page): the same measurement with its bootstraps split in chunks, counted in
    // any order (as the pool's workers finish them) and finished, is the same structure.
    let pending = measure_deferred(&t, &cfg, |_, _| true).unwrap();
    assert_eq!(pending.bootstraps().len(), 2);
    let results = pending
        .bootstraps()
        .iter()
        .map(|b| {
            let mut chunks: Vec<_> = b.job.chunks().collect();
            chunks.reverse();
            assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 50);
            chunks
                .into_iter()
                .map(|c| b.job.counts(c))
                .fold(BootstrapCounts::default(), |a, c| a + c)
                .result()
        })
        .collect();
    let split = pending.clone().finish(results).unwrap();
    assert_eq!(
        serde_json::to_string(&split).unwrap(),
        serde_json::to_string(&g).unwrap()
    );
    // A failed bootstrap leaves its example untested with the reason; a cancelled one cancels.
    let failed = pending
        .clone()
        .finish(vec![
            Err(StatsError::Numerical("bootstrap (no replicate could be re-fitted)")),
            results_ok(&pending, 1),
        ])
        .unwrap();
    assert!(failed.iteration_sgn.is_none());
    assert!(failed
        .untested
        .iter()
        .any(|u| u.reason.contains("no replicate could be re-fitted")));
    assert_eq!(failed.iteration_g, g.iteration_g);
    assert_eq!(
        pending
            .clone()
            .finish(vec![Err(StatsError::Cancelled), results_ok(&pending, 1)]),
        Err(MeasureError::Cancelled)
    );
    assert!(pending.finish(vec![]).is_err(), "one result per bootstrap");
}

/// Bootstrap `i` of `pending` run whole.
fn results_ok(pending: &PendingMeasurement, i: usize) -> Result<BootstrapResult, StatsError> {
    pending.bootstraps()[i].job.run(|_, _| true)
}

#[test]
fn too_few_logged_steps_leave_the_iteration_wise_g_untested_not_failed() {
    // Four logged steps (one epoch of a small table at a large batch, as in the page) are too
    // few for any tail test: the measurement still succeeds, with no iteration-wise g example
    // and every tracked parameter counted as skipped.
    let t = trained(4, true);
    let cfg = params().check(t.train_data().n()).unwrap();
    let g = measure(&t, &cfg, |_, _| true).expect("the measurement succeeds");
    assert_eq!(g.logged_steps, 4);
    assert!(g.iteration_g.is_none());
    let rate = g.table_a.iteration_g.as_ref().expect("the rate is reported");
    assert_eq!((rate.tested, rate.skipped, rate.rate), (0, 20, None));
    assert!(
        g.iteration_sgn.as_ref().unwrap().power_law.n > 0,
        "the frozen-θ draws are still tested"
    );
}
