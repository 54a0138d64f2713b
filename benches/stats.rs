//! Criterion benchmarks of the power-law tests (compare with `bench/anchors/powerlaw_anchor.py`,
//! which times the `powerlaw` package doing the same work and prints the ratios):
//! * `paper_rule/n=1e5`: top-1000 fit + KS verdict on 10⁵ values (`fit_top_k`);
//! * `paper_rule_full/n=1e5`: the whole `power_law_test` (|x|, paper rule, both Vuong tests);
//! * `clauset_bootstrap_1000/n=2000` and `/n=10000`: Clauset x_min scan + 1000-replicate
//!   semi-parametric bootstrap (x_min re-fitted in every replicate), on one thread;
//!   `clauset_bootstrap_1000_threads2/…` the same on a rayon pool of two threads.
//!
//! Data: Pareto α = 2.5 above a uniform body (70 % tail), seeded.
//!
//! Recorded 2026-11-27 on the shared 2-core build machine (other builds running), release profile:
//! paper_rule 0.44 ms, paper_rule_full 1.34 ms, Clauset + 1000 bootstrap 0.375 s (n = 2000) and
//! 1.87 s (n = 10⁴). The anchor in the same session: `powerlaw` 2.0.0 Fit 0.22 s (n = 2000) and
//! 3.1 s (n = 10⁴) per fit, timed on 4 fits and extrapolated to 1001 → 224 s and 3108 s, i.e.
//! ≈ 600× and ≈ 1660× faster; paper rule vs numpy 2×, vs `powerlaw.Fit(xmin=…)` 17×.

#[path = "common/inputs.rs"]
mod inputs;
use inputs::sample;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use sgn_lab::stats::{
    fit_clauset_bootstrap, fit_top_k, power_law_test, BootstrapOptions, ClausetOptions, Level, PowerLawOptions,
};
use std::hint::black_box;
use std::time::Duration;

fn paper(c: &mut Criterion) {
    let x = sample(100_000, 1);
    let mut g = c.benchmark_group("paper_rule");
    g.bench_function("n=1e5", |b| {
        b.iter(|| fit_top_k(black_box(&x), 1000, Level::P05).unwrap())
    });
    g.finish();
    let mut g = c.benchmark_group("paper_rule_full");
    g.bench_function("n=1e5", |b| {
        b.iter(|| power_law_test(black_box(&x), &PowerLawOptions::default(), |_, _| true).unwrap())
    });
    g.finish();
}

/// `clauset_bootstrap_1000/<n>` on one thread (the page's worker has one, and the history of this
/// row is single-threaded), `clauset_bootstrap_1000_threads2/<n>` on a pool of two: the
/// bootstrap's replicates spread over it (same result, tested in tests/stats_powerlaw.rs).
fn clauset(c: &mut Criterion) {
    for (group, threads) in [("clauset_bootstrap_1000", 1), ("clauset_bootstrap_1000_threads2", 2)] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let mut g = c.benchmark_group(group);
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(10));
        for &n in &[2000usize, 10_000] {
            let x = sample(n, 2);
            g.bench_with_input(BenchmarkId::from_parameter(n), &x, |b, x| {
                b.iter(|| {
                    pool.install(|| {
                        fit_clauset_bootstrap(
                            black_box(x),
                            &ClausetOptions::default(),
                            &BootstrapOptions {
                                replicates: 1000,
                                seed: 7,
                            },
                            |_, _| true,
                        )
                        .unwrap()
                    })
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, paper, clauset);
criterion_main!(benches);
