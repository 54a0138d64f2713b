//! Browser benchmark (not a test: the name deliberately does not match `tests/web_*.rs`, which
//! `scripts/test.sh` runs). Times, in headless Chromium with `performance.now()`, the same work
//! as the criterion benches (`benches/engine.rs`, `benches/stats.rs`, `benches/spectrum.rs`) on
//! the same inputs (same asset, same seeds, same synthetic generators), and prints one line per
//! task:
//!
//! ```text
//! BENCH {"task":"engine/sgd_step_fcn784-100-100-10_b128","ms":2.81,"min_ms":2.7,"reps":200}
//! ```
//!
//! `task` is the criterion `<group>/<bench>` id (with `/` in the bench name turned into `_`,
//! as criterion names its directories), so `scripts/bench.sh` joins the two by key. `ms` is the
//! mean over `reps` timed calls, after warm-up calls: V8 runs a wasm function in its baseline
//! tier until a call returns (TOOLCHAIN pitfall 5), so each task first runs the same code once
//! (on a smaller input where the full one takes seconds).
//!
//! ```sh
//! WASM_BINDGEN_TEST_TIMEOUT=900 cargo test --release --target wasm32-unknown-unknown \
//!     --no-default-features --test bench_web -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]
#![allow(clippy::field_reassign_with_default)]

#[path = "common/faer_evd.rs"]
mod faer_evd;
#[path = "../benches/common/inputs.rs"]
mod inputs;
use inputs::{fcn_grads, sample, to_grads};

use ndarray::Array2;
use sgn_lab::data::mnist;
use sgn_lab::nn::{full_batch_grad, per_sample_grads, LossKind};
use sgn_lab::spectrum::{eigen, gram, spectrum_of_grads};
use sgn_lab::stats::{
    fit_clauset_bootstrap, fit_top_k, power_law_test, BootstrapOptions, ClausetOptions, Level, PowerLawOptions,
};
use sgn_lab::train::{TrainParams, Trainer};
use std::hint::black_box;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

static MNIST: &[u8] = include_bytes!("../assets/mnist-10k.bin.gz");

fn now() -> f64 {
    web_sys::window()
        .expect("window")
        .performance()
        .expect("performance")
        .now()
}

/// Runs `f` `warmup` times untimed, then `reps` times timed; prints the BENCH line.
fn bench<R>(task: &str, warmup: usize, reps: usize, mut f: impl FnMut() -> R) {
    for _ in 0..warmup {
        black_box(f());
    }
    let mut total = 0.0;
    let mut min = f64::INFINITY;
    for _ in 0..reps {
        let t = now();
        black_box(f());
        let dt = now() - t;
        total += dt;
        min = min.min(dt);
    }
    let ms = total / reps as f64;
    console_log!("BENCH {{\"task\":\"{task}\",\"ms\":{ms:.4},\"min_ms\":{min:.4},\"reps\":{reps}}}");
}

/// The trainer of `benches/engine.rs`: default FCN 784→100→100→10, B = 128, no log,
/// epochs raised so that it never finishes while being stepped.
fn trainer() -> Trainer {
    let (train, _) = mnist::load_default(MNIST, 0).expect("decode the MNIST asset");
    let mut p = TrainParams::default();
    p.sgd.epochs = 1000;
    p.log = None;
    Trainer::new(p.check(&train).expect("config"), train).expect("trainer")
}

#[wasm_bindgen_test]
fn engine_sgd_step() {
    let mut tr = trainer();
    // 20 short calls tier `step` up; 200 timed steps ≈ 0.5–1 s.
    bench("engine/sgd_step_fcn784-100-100-10_b128", 20, 200, || {
        tr.step().expect("step")
    });
}

#[wasm_bindgen_test]
fn engine_per_sample_grads() {
    let tr = trainer();
    let idx: Vec<usize> = (0..1000).collect();
    // Default precision is f32: the criterion twin is `per_sample_grads_n1000_f32`.
    bench("engine/per_sample_grads_n1000_f32", 2, 10, || {
        tr.per_sample_grads(&idx).expect("grads")
    });
    let net64 = tr.network_f64();
    bench("engine/per_sample_grads_n1000_f64", 2, 10, || {
        per_sample_grads(&net64, tr.train_data(), &idx, LossKind::CrossEntropy).expect("grads")
    });
}

#[wasm_bindgen_test]
fn engine_full_batch_grad() {
    let tr = trainer();
    bench("engine/full_batch_grad_n8000_f32", 1, 5, || {
        full_batch_grad(tr.network(), tr.train_data(), LossKind::CrossEntropy).expect("grad")
    });
}

// ---- spectrum: the synthetic FCN gradients of benches/spectrum.rs, byte for byte ----

/// The faer path the library ran before (as `benches/spectrum.rs`'s `faer_spectrum`).
fn faer_spectrum(grads: &sgn_lab::nn::PerSampleGrads) -> Vec<f64> {
    let n = grads.n;
    let mut k = Array2::from_shape_vec((n, n), faer_evd::faer_gram(grads)).expect("n × n");
    gram::centre(&mut k);
    let c = 1.0 / n as f64;
    k.iter_mut().for_each(|x| *x *= c);
    let (mut v, _) = faer_evd::faer_evd(k.as_slice().expect("standard layout"), n, false);
    eigen::clamp_and_rank_centred(&mut v, n, grads.p());
    v
}

/// The fixed-order path and the faer path it replaced, at one N.
fn spectrum_tasks(n: usize, reps: usize) {
    let (a, d) = fcn_grads(n, 2024);
    let grads = to_grads(n, &a, &d);
    bench(&format!("spectrum/spectrum_of_grads_fcn_n{n}"), 0, reps, || {
        spectrum_of_grads(&grads).expect("spectrum")
    });
    bench(&format!("spectrum/spectrum_of_grads_faer_fcn_n{n}"), 0, reps, || {
        faer_spectrum(&grads)
    });
    // Same input as natively: compare with the "rank … λ1 …" line `cargo bench --bench spectrum`
    // prints for this N.
    let spec = spectrum_of_grads(&grads).expect("spectrum");
    console_log!(
        "CHECK spectrum N = {n}: rank {}  λ1 {:.6e}",
        spec.rank,
        spec.eigenvalues[0]
    );
    bench(&format!("spectrum/gram_fcn_n{n}"), 0, reps, || {
        gram::gram(&grads).expect("gram")
    });
    bench(&format!("spectrum/gram_faer_fcn_n{n}"), 0, reps, || {
        faer_evd::faer_gram(&grads)
    });
}

#[wasm_bindgen_test]
fn spectrum_of_grads_n1000_n2000() {
    // Warm-up on N = 200: the same code paths (Gram, centring, both eigensolvers) in ~50 ms.
    let (a, d) = fcn_grads(200, 7);
    let small = to_grads(200, &a, &d);
    for _ in 0..2 {
        black_box(spectrum_of_grads(&small).expect("spectrum"));
        black_box(faer_spectrum(&small));
    }
    spectrum_tasks(1000, 5);
    spectrum_tasks(2000, 3);
}

// ---- power-law tests: the data of benches/stats.rs ----

#[wasm_bindgen_test]
fn stats_paper_rule() {
    let x = sample(100_000, 1);
    bench("paper_rule/n=1e5", 3, 50, || {
        fit_top_k(black_box(&x), 1000, Level::P05).expect("fit")
    });
    bench("paper_rule_full/n=1e5", 3, 20, || {
        power_law_test(black_box(&x), &PowerLawOptions::default(), |_, _| true).expect("test")
    });
}

fn clauset(n: usize, reps: usize) {
    let x = sample(n, 2);
    // Warm-up: the same fit with 20 replicates (one call that returns, then the timed ones).
    black_box(
        fit_clauset_bootstrap(
            &x,
            &ClausetOptions::default(),
            &BootstrapOptions {
                replicates: 20,
                seed: 7,
            },
            |_, _| true,
        )
        .expect("fit"),
    );
    bench(&format!("clauset_bootstrap_1000/{n}"), 0, reps, || {
        fit_clauset_bootstrap(
            black_box(&x),
            &ClausetOptions::default(),
            &BootstrapOptions {
                replicates: 1000,
                seed: 7,
            },
            |_, _| true,
        )
        .expect("fit")
    });
}

#[wasm_bindgen_test]
fn stats_clauset_bootstrap_2000() {
    clauset(2000, 3);
}

#[wasm_bindgen_test]
fn stats_clauset_bootstrap_10000() {
    clauset(10_000, 2);
}
