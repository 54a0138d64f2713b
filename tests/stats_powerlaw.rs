//! Power-law fits against the fixtures written by `tests/fixtures/make_stats_fixtures.py`
//! (numpy reference of the same algorithm, and the `powerlaw` package). Tolerances are stored in
//! the fixture next to the numbers and repeated here.

use serde_json::Value;
use sgn_lab::stats::powerlaw::KsConvention;
use sgn_lab::stats::vuong::{vs_exponential, vs_lognormal};
use sgn_lab::stats::{fit_clauset, fit_top_k, power_law_test, ClausetOptions, Level, PowerLawOptions, Rule};

fn fixture() -> Value {
    let s = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/stats_powerlaw.json"
    ))
    .unwrap();
    serde_json::from_str(&s).unwrap()
}

fn data(c: &Value) -> Vec<f64> {
    c["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[track_caller]
fn rel(a: f64, b: f64, tol: f64, what: &str) {
    let r = (a - b).abs() / b.abs().max(1e-300);
    assert!(r <= tol, "{what}: {a} vs {b} (rel {r:e} > {tol:e})");
}

#[test]
fn clauset_two_sided_matches_numpy_reference() {
    let fx = fixture();
    let tol = f(&fx["tolerances"]["rel"]);
    for c in fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("ref_two_sided").is_some())
    {
        let name = c["name"].as_str().unwrap();
        let r = &c["ref_two_sided"];
        let fit = fit_clauset(&data(c), &ClausetOptions::default()).unwrap();
        assert_eq!(fit.xmin, f(&r["xmin"]), "{name} xmin");
        assert_eq!(fit.n_tail as u64, r["n_tail"].as_u64().unwrap(), "{name} n_tail");
        assert_eq!(
            fit.candidates as u64,
            r["candidates"].as_u64().unwrap(),
            "{name} candidates"
        );
        rel(fit.alpha, f(&r["alpha"]), tol, name);
        rel(fit.ks_d, f(&r["ks_d"]), tol, name);
    }
}

#[test]
fn clauset_plfit_convention_matches_powerlaw_package() {
    let fx = fixture();
    let opts = ClausetOptions {
        ks: KsConvention::Plfit,
        ..ClausetOptions::default()
    };
    for c in fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("ref_powerlaw_pkg").is_some())
    {
        let name = c["name"].as_str().unwrap();
        let r = &c["ref_powerlaw_pkg"];
        let tol = if c["pkg_closed_form_alpha"].as_bool().unwrap() {
            f(&fx["tolerances"]["rel_pkg"])
        } else {
            f(&fx["tolerances"]["rel_pkg_numerical"])
        };
        let fit = fit_clauset(&data(c), &opts).unwrap();
        assert_eq!(fit.xmin, f(&r["xmin"]), "{name} xmin vs powerlaw package");
        assert_eq!(fit.n_tail as u64, r["n_tail"].as_u64().unwrap(), "{name}");
        rel(fit.alpha, f(&r["alpha"]), tol, name);
        rel(fit.ks_d, f(&r["ks_d"]), f(&fx["tolerances"]["rel_pkg"]), name);
        // And the numpy reference of the same convention.
        let p = &c["ref_plfit_numpy"];
        assert_eq!(fit.xmin, f(&p["xmin"]), "{name}");
        rel(fit.ks_d, f(&p["ks_d"]), f(&fx["tolerances"]["rel"]), name);
    }
}

#[test]
fn paper_rule_matches_reference() {
    let fx = fixture();
    let tol = f(&fx["tolerances"]["rel"]);
    for c in fx["cases"].as_array().unwrap() {
        let x = data(c);
        let mut checks: Vec<(Level, &Value)> = vec![];
        if let Some(p) = c.get("paper") {
            for k in ["1000", "200"] {
                checks.push((Level::P05, &p[k]));
            }
        }
        if let Some(l) = c.get("levels") {
            checks.push((Level::P10, &l["0.1"]));
            checks.push((Level::P05, &l["0.05"]));
            checks.push((Level::P01, &l["0.01"]));
        }
        for (level, r) in checks {
            let k = r["k"].as_u64().unwrap() as usize;
            let fit = fit_top_k(&x, k, level).unwrap();
            assert_eq!(fit.k, k);
            assert_eq!(fit.xmin, f(&r["xmin"]));
            rel(fit.alpha, f(&r["alpha"]), tol, "alpha");
            rel(fit.alpha_stderr, f(&r["alpha_stderr"]), tol, "stderr");
            rel(fit.ks_d, f(&r["ks_d"]), tol, "ks_d");
            rel(fit.ks_critical, f(&r["ks_critical"]), tol, "ks_critical");
            assert_eq!(fit.power_law, r["power_law"].as_bool().unwrap());
            assert_eq!(fit.level, level.alpha());
        }
    }
}

#[test]
fn vuong_tests_match_reference() {
    let fx = fixture();
    let tol = f(&fx["tolerances"]["rel_vuong"]);
    let p_abs = f(&fx["tolerances"]["p_abs"]);
    for c in fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("ref_two_sided").is_some())
    {
        let name = c["name"].as_str().unwrap();
        let r = &c["ref_two_sided"];
        let v = &c["vuong_two_sided_tail"];
        let mut x = data(c);
        x.sort_by(|a, b| a.total_cmp(b));
        let xmin = f(&r["xmin"]);
        let tail: Vec<f64> = x.into_iter().filter(|&v| v >= xmin).collect();
        let alpha = f(&r["alpha"]);
        let (e, lambda) = vs_exponential(&tail, xmin, alpha).unwrap();
        rel(lambda, f(&v["exponential_lambda"]), 1e-9, name);
        rel(e.llr, f(&v["vs_exponential"]["llr"]), tol, name);
        rel(e.llr_normalized, f(&v["vs_exponential"]["llr_normalized"]), tol, name);
        assert!((e.p - f(&v["vs_exponential"]["p"])).abs() < p_abs);
        let (l, fit) = vs_lognormal(&tail, xmin, alpha).unwrap();
        let ref_mu = f(&v["lognormal_mu"]);
        let interior = ref_mu > -1000.0; // the reference ran off (μ → −∞) on a true power-law tail
        if interior {
            assert!(!fit.at_bound, "{name}: {fit:?}");
            rel(l.llr, f(&v["vs_lognormal"]["llr"]), tol, name);
            assert!((l.p - f(&v["vs_lognormal"]["p"])).abs() < p_abs, "{name}");
            rel(fit.mu, ref_mu, 1e-5, name);
        } else {
            // Only verdicts: the power law is not worse than the degenerate lognormal.
            assert!(l.llr_normalized > -1.0, "{name}: {l:?}");
            let pkg = f(&c["ref_powerlaw_pkg"]["vs_lognormal"]["llr_normalized"]);
            if pkg.abs() > 1.0 {
                assert_eq!(pkg > 0.0, l.llr_normalized > 0.0, "{name}");
            }
        }
        // Sign agreement with the package's comparisons where it is decisive.
        for (alt, ours) in [("vs_exponential", e.llr_normalized), ("vs_lognormal", l.llr_normalized)] {
            let pkg = f(&c["ref_powerlaw_pkg"][alt]["llr_normalized"]);
            if pkg.abs() > 1.0 {
                assert_eq!(pkg > 0.0, ours > 0.0, "{name} {alt}");
            }
        }
    }
}

#[test]
fn power_law_test_paper_rule_end_to_end() {
    let fx = fixture();
    for c in fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("paper").is_some())
    {
        let mut x = data(c);
        // Signs and zeros must not matter: negate half, add zeros.
        for (i, v) in x.iter_mut().enumerate() {
            if i % 2 == 0 {
                *v = -*v;
            }
        }
        x.extend([0.0, 0.0, 0.0]);
        let r = power_law_test(&x, &PowerLawOptions::default(), |_, _| true).unwrap();
        let p = &c["paper"]["1000"];
        assert_eq!(r.n_zero, 3);
        assert_eq!(r.n_tail, 1000);
        assert_eq!(r.rule, Rule::Paper);
        assert_eq!(r.xmin, f(&p["xmin"]));
        rel(r.alpha, f(&p["alpha"]), 1e-9, "alpha");
        rel(r.ks_d, f(&p["ks_d"]), 1e-9, "ks_d");
        assert_eq!(r.p_value, None);
        assert_eq!(r.bootstrap, 0);
        let v = &c["paper_vuong_k1000"];
        rel(r.vs_exponential.llr, f(&v["vs_exponential"]["llr"]), 1e-6, "exp llr");
    }
}

#[test]
fn clauset_grid_above_threshold_is_documented_size() {
    // 20 000 Pareto quantiles: the grid has at most 1000 candidates, all leaving ≥ 50 values.
    let n = 20_000;
    let x: Vec<f64> = (0..n)
        .map(|i| (1.0 - (i as f64 + 0.5) / n as f64).powf(-1.0 / 1.5))
        .collect();
    let fit = fit_clauset(&x, &ClausetOptions::default()).unwrap();
    assert!(fit.candidates <= 1000 && fit.candidates > 900, "{}", fit.candidates);
    assert!(fit.n_tail >= 50);
    assert!((fit.alpha - 2.5).abs() < 0.1, "{fit:?}");
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let o = ClausetOptions::default();
    assert!(fit_clauset(&[], &o).is_err());
    assert!(fit_clauset(&[1.0; 100], &o).is_err());
    assert!(fit_clauset(&[f64::NAN; 100], &o).is_err());
    let mut v: Vec<f64> = (1..=100).map(|i| i as f64).collect();
    v[3] = -1.0;
    assert!(fit_clauset(&v, &o).is_err());
    let opts = PowerLawOptions::default();
    assert!(power_law_test(&[0.0; 10], &opts, |_, _| true).is_err());
    assert!(power_law_test(&[2.0; 10], &opts, |_, _| true).is_err());
    assert!(power_law_test(&[1.0, f64::INFINITY], &opts, |_, _| true).is_err());
    assert!(PowerLawOptions::new(Rule::Paper, Some(1), None, 0, Level::P05).is_err());
    // Cancellation through the progress callback.
    let x: Vec<f64> = (0..500)
        .map(|i| (1.0 - (i as f64 + 0.5) / 500.0).powf(-1.0 / 1.5))
        .collect();
    let o = PowerLawOptions::new(Rule::Clauset, None, Some(100), 1, Level::P05).unwrap();
    let r = power_law_test(&x, &o, |done, _| done < 16);
    assert!(matches!(r, Err(sgn_lab::stats::StatsError::Cancelled)));
}

fn pareto_seeded(n: usize, alpha: f64, seed: u64) -> Vec<f64> {
    use rand::RngExt;
    let mut r = sgn_lab::rng::seeded(seed);
    (0..n)
        .map(|_| (1.0 - r.random::<f64>()).powf(-1.0 / (alpha - 1.0)))
        .collect()
}

#[test]
fn grid_above_threshold_agrees_with_full_scan() {
    let mut x = pareto_seeded(15_000, 2.3, 41);
    // A uniform body below 1 so that x_min matters.
    x.extend((0..5000).map(|i| (i as f64 + 0.5) / 5000.0));
    let grid = fit_clauset(&x, &ClausetOptions::default()).unwrap();
    let full = fit_clauset(
        &x,
        &ClausetOptions {
            grid_above: usize::MAX,
            ..ClausetOptions::default()
        },
    )
    .unwrap();
    assert!(grid.candidates <= 1000 && full.candidates > 14_000);
    assert!(grid.ks_d >= full.ks_d, "the full scan's D is the minimum");
    assert!(
        (grid.alpha - full.alpha).abs() < 2.0 * full.alpha_stderr,
        "{grid:?} vs {full:?}"
    );
    assert!((grid.xmin / full.xmin - 1.0).abs() < 0.25, "{grid:?} vs {full:?}");
}

#[test]
fn bootstrap_progress_reaches_total_and_paper_rule_bootstrap_runs() {
    use sgn_lab::stats::{fit_clauset_bootstrap, BootstrapOptions};
    let x = pareto_seeded(400, 2.5, 5);
    let mut calls = vec![];
    let (fit, b) = fit_clauset_bootstrap(
        &x,
        &ClausetOptions::default(),
        &BootstrapOptions {
            replicates: 50,
            seed: 9,
        },
        |d, t| {
            calls.push((d, t));
            true
        },
    )
    .unwrap();
    assert_eq!(calls.last(), Some(&(50, 50)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(b.replicates, 50);
    assert!((0.0..=1.0).contains(&b.p_value) && fit.n == 400);
    // Same seed, same p.
    let (_, b2) = fit_clauset_bootstrap(
        &x,
        &ClausetOptions::default(),
        &BootstrapOptions {
            replicates: 50,
            seed: 9,
        },
        |_, _| true,
    )
    .unwrap();
    assert_eq!(b, b2);
    let o = PowerLawOptions::new(Rule::Paper, Some(200), Some(200), 3, Level::P05).unwrap();
    let r = power_law_test(&x, &o, |_, _| true).unwrap();
    assert_eq!(r.bootstrap, 200);
    assert!(r.p_value.unwrap() > 0.01, "{r:?}");
}

/// The bootstrap's replicates run as tasks of the rayon pool natively: its result is the same on
/// 1, 2 and 3 threads (and cancelling still stops it), for both refit rules.
#[test]
fn bootstrap_is_the_same_on_any_number_of_threads() {
    use sgn_lab::stats::{fit_clauset_bootstrap, BootstrapOptions};
    let mut x = pareto_seeded(1500, 2.4, 17);
    x.extend((0..500).map(|i| (i as f64 + 0.5) / 500.0));
    let boot = BootstrapOptions {
        replicates: 203, // not a multiple of the unit of 8: the last unit is short
        seed: 3,
    };
    let paper = PowerLawOptions::new(Rule::Paper, Some(300), Some(203), 3, Level::P05).unwrap();
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut calls = 0usize;
            let clauset = fit_clauset_bootstrap(&x, &ClausetOptions::default(), &boot, |_, _| {
                calls += 1;
                true
            })
            .unwrap();
            let top_k = power_law_test(&x, &paper, |_, _| true).unwrap();
            let cancelled = fit_clauset_bootstrap(&x, &ClausetOptions::default(), &boot, |done, _| done < 16);
            assert!(matches!(cancelled, Err(sgn_lab::stats::StatsError::Cancelled)));
            (clauset, top_k, calls)
        })
    };
    let (c1, p1, calls1) = on(1);
    assert_eq!(c1.1.replicates, 203);
    assert_eq!(
        calls1,
        203usize.div_ceil(8) + 1,
        "one call per unit of 8, and one at the end"
    );
    for threads in [2, 3] {
        let (c, p, calls) = on(threads);
        assert_eq!(c, c1, "{threads} threads");
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            serde_json::to_string(&p1).unwrap(),
            "{threads} threads"
        );
        assert!(
            calls >= 2 && calls < calls1,
            "fewer progress calls, one per wave: {calls}"
        );
    }
}

#[test]
fn rate_and_tail_index_bookkeeping() {
    use sgn_lab::stats::{power_law_rate, tail_index};
    let samples = vec![
        pareto_seeded(2000, 2.5, 1),
        pareto_seeded(2000, 3.0, 2),
        (0..2000).map(|i| (i * 7919 % 2000) as f64 / 2000.0 - 0.5).collect(),
        vec![0.0; 50],
    ];
    let r = power_law_rate(&samples, &PowerLawOptions::default(), |_, _| true).unwrap();
    assert_eq!((r.tested, r.skipped), (3, 1));
    assert_eq!(r.power_law, 2);
    assert!((r.rate.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    let mut v = pareto_seeded(1000, 2.5, 3);
    v.extend([0.0; 7]);
    let t = tail_index(&v, None).unwrap();
    assert_eq!(t.n_zero, 7);
    assert_eq!(t.block_size, 31);
    assert_eq!(t.n_used, 31 * 32);
}

/// Fuzz finding (`stats` target, seed `cheap_extremes`): with a subnormal x_min the ratio
/// x/x_min overflowed to +inf, so Σ ln(x/x_min) = inf and β̂ = 1 exactly (σ = 0, d_ks = 1, and
/// the Vuong log-likelihoods −inf). The logs are now taken separately when the ratio overflows.
/// On the same tail the exponential alternative's mean Σ(x − x_min)/n overflowed (λ̂ = 0, LLR =
/// +inf); it is now averaged without forming the sum when the sum overflows.
#[test]
fn subnormal_xmin_gives_a_finite_exponent_above_one() {
    let v = [1e308, 1e308, 1.7e308, 1.79e308, 5e-324, 3.0, 2e307, 1e-300, 8.0, 2.0];
    let f = fit_top_k(&v, 10, Level::P05).unwrap();
    assert_eq!(f.xmin, 5e-324);
    let s: f64 = v.iter().map(|x| x.ln() - f.xmin.ln()).sum();
    assert!(f.alpha > 1.0 && (f.alpha - (1.0 + 10.0 / s)).abs() < 1e-12, "{f:?}");
    assert!(f.alpha_stderr > 0.0 && f.ks_d < 1.0, "{f:?}");
    let o = PowerLawOptions::new(Rule::Paper, None, Some(0), 1, Level::P05).unwrap();
    let r = power_law_test(&v, &o, |_, _| true).unwrap();
    assert!(r.alpha > 1.0 && r.alpha.is_finite(), "{r:?}");
    assert!(
        r.vs_lognormal.llr.is_finite() && r.vs_exponential.llr.is_finite(),
        "{r:?}"
    );
    // α̂ ≈ 1.006: every bootstrap draw overflows, which is a typed error, not a p-value.
    let o = PowerLawOptions::new(Rule::Paper, None, Some(3), 1, Level::P05).unwrap();
    assert!(power_law_test(&v, &o, |_, _| true).is_err());
}

/// Fuzz finding (`stats` target, `fuzz/corpus/stats/regress-subnormal-tail`): a tail of
/// subnormal values has a subnormal mean excess, so the exponential alternative's λ̂ = 1/mean
/// overflowed to +inf and its log-likelihoods were inf − inf = NaN, a NaN LLR in the report.
#[test]
fn subnormal_tail_gives_finite_vuong_ratios() {
    let mut v = vec![0.0; 36];
    for (i, x) in [
        (7, 9.54898105934e-313),
        (11, 4.345847120864e-312),
        (18, 2.44453935194233e-310),
        (34, 3.730070726e-315),
        (35, 5e-323),
    ] {
        v[i] = x;
    }
    let mut o = PowerLawOptions::new(Rule::Clauset, Some(215), Some(1), 14757395255548643840, Level::P05).unwrap();
    o.clauset = ClausetOptions::new(5, 30, 24, KsConvention::TwoSided, Level::P05).unwrap();
    let r = power_law_test(&v, &o, |_, _| true).unwrap();
    for lr in [r.vs_lognormal, r.vs_exponential] {
        assert!(
            lr.llr.is_finite() && lr.llr_normalized.is_finite() && (0.0..=1.0).contains(&lr.p),
            "{r:?}"
        );
    }
    let tail = [
        5e-323,
        3.730070726e-315,
        9.54898105934e-313,
        4.345847120864e-312,
        2.44453935194233e-310,
    ];
    let (lr, lambda) = vs_exponential(&tail, tail[0], 1.5).unwrap();
    assert!(lambda.is_infinite() && lr.llr.is_finite(), "{lr:?}");
}

/// Fuzz finding (`stats` target, `fuzz/corpus/stats/regress-clauset-cancellation`): values equal
/// to 15 digits far from 1 (|ln x| ≈ 168) made the prefix-sum form of Σ ln(x/x_min) cancel to a
/// negative number, and the Clauset scan returned α̂ = −5·10¹³. Below the rounding bound the sum
/// is now taken term by term; ordinary samples keep the prefix-sum value.
#[test]
fn clauset_scan_on_nearly_equal_values_keeps_alpha_above_one() {
    let v = [
        3.689967271703286e-74,
        3.689967271703286e-74,
        3.689967271703286e-74,
        3.6899672717032845e-74,
        3.689967271703286e-74,
        3.6899672717031855e-74,
        3.689967271703286e-74,
    ];
    let o = ClausetOptions::new(5, 286, 16, KsConvention::TwoSided, Level::P05).unwrap();
    let f = fit_clauset(&v, &o).unwrap();
    assert!(f.alpha > 1.0 && f.alpha.is_finite() && f.alpha_stderr > 0.0, "{f:?}");
    assert!((0.0..=1.0).contains(&f.ks_d), "{f:?}");
}

#[test]
fn a_bootstrap_split_in_chunks_in_any_order_is_the_whole_bootstrap() {
    // The page's pool: a deferred test's job, its chunks counted separately (in reverse, as
    // workers may finish them), and a JSON round trip (the job crosses to a worker and back).
    use sgn_lab::stats::{power_law_test_deferred, BootstrapCounts, BootstrapJob, StatsError};
    let mut x = pareto_seeded(1500, 2.4, 17);
    x.extend((0..500).map(|i| (i as f64 + 0.5) / 500.0));
    for rule in [Rule::Paper, Rule::Clauset] {
        let opts = PowerLawOptions::new(rule, Some(300), Some(203), 5, Level::P05).unwrap();
        let whole = power_law_test(&x, &opts, |_, _| true).unwrap();
        let (before, job) = power_law_test_deferred(&x, &opts).unwrap();
        let job = job.expect("a bootstrap was asked for");
        assert_eq!(before.p_value, None);
        let job: BootstrapJob = serde_json::from_str(&serde_json::to_string(&job).unwrap()).unwrap();
        job.check().unwrap();
        let chunks: Vec<_> = job.chunks().collect();
        assert_eq!(chunks.len(), 203usize.div_ceil(sgn_lab::stats::powerlaw::CHUNK));
        let counts = chunks
            .into_iter()
            .rev()
            .map(|c| job.counts(c))
            .fold(BootstrapCounts::default(), |a, c| a + c);
        let split = before.with_bootstrap(&counts.result().unwrap());
        assert_eq!(split, whole, "{rule:?}");
        assert_eq!(split.bootstrap, 203);
        // Out-of-range replicate indices are clamped, never run twice.
        assert_eq!(job.counts(200..10_000).used + job.counts(0..200).used, counts.used);
        // What a worker must refuse rather than trap on.
        let bad = |f: &dyn Fn(&mut BootstrapJob)| {
            let mut b = job.clone();
            f(&mut b);
            assert!(
                matches!(
                    b.check(),
                    Err(StatsError::InvalidParameter { .. }) | Err(StatsError::NonFinite { .. })
                ),
                "{rule:?}"
            );
        };
        bad(&|b| b.replicates = 0);
        bad(&|b| b.j = b.x.len());
        bad(&|b| b.alpha = 1.0);
        bad(&|b| b.d_obs = f64::NAN);
        bad(&|b| b.x[0] = -1.0);
        bad(&|b| b.x[3] = f64::INFINITY);
    }
    assert!(
        BootstrapCounts::default().result().is_err(),
        "no replicate re-fitted: an error, not p = NaN"
    );
}
