//! Engine benchmarks (criterion): SGD steps per second for the default FCN 784→100→100→10 at
//! batch 128 on the MNIST subset, and per-sample gradients for N = 1000 at that size.
//!
//! Measured 2026-11-27 on the shared 2-core build machine (x86-64 with AVX2, native, `cargo bench`),
//! with the fixed-order kernel of `nn::linalg` (AVX2 path): SGD step 2.1 ms (≈ 475 steps/s);
//! per-sample gradients N = 1000: 19.6 ms (f64 arithmetic), 7.7 ms (f32 arithmetic); full-batch
//! gradient over 8,000 samples: 271 ms (f64), 120 ms (f32). (With `matrixmultiply`, whose FMA
//! kernels are not bit-reproducible across platforms, the step took 1.0 ms.)
//! wasm32 in Node (same code, release + LTO, a throw-away harness): SGD step 2.7 ms with
//! `-C target-feature=+simd128`, 14.3 ms without; per-sample N = 1000 (f32) 30 ms vs 417 ms;
//! full-batch over 4,096 samples (f32) 96 ms vs 664 ms. Build the page with SIMD128.

#![allow(clippy::field_reassign_with_default)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sgn_lab::data::mnist;
use sgn_lab::nn::grad::{full_batch_grad, per_sample_grads};
use sgn_lab::nn::LossKind;
use sgn_lab::train::{TrainParams, Trainer};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/mnist-10k.bin.gz")).expect("asset");
    let (train, _) = mnist::load_default(&bytes, 0).expect("decode");

    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(1));
    let mut p = TrainParams::default();
    p.sgd.epochs = 1000;
    p.log = None;
    let mut tr = Trainer::new(p.check(&train).unwrap(), train.clone()).unwrap();
    g.bench_function("sgd_step_fcn784-100-100-10_b128", |b| {
        b.iter(|| black_box(tr.step().unwrap()))
    });

    let idx: Vec<usize> = (0..1000).collect();
    let net64 = tr.network_f64();
    let net32 = tr.network().clone();
    g.bench_function("per_sample_grads_n1000_f64", |b| {
        b.iter(|| black_box(per_sample_grads(&net64, &train, &idx, LossKind::CrossEntropy).unwrap()))
    });
    g.bench_function("per_sample_grads_n1000_f32", |b| {
        b.iter(|| black_box(per_sample_grads(&net32, &train, &idx, LossKind::CrossEntropy).unwrap()))
    });
    g.sample_size(10);
    g.bench_function("full_batch_grad_n8000_f64", |b| {
        b.iter(|| black_box(full_batch_grad(&net64, &train, LossKind::CrossEntropy).unwrap()))
    });
    g.bench_function("full_batch_grad_n8000_f32", |b| {
        b.iter(|| black_box(full_batch_grad(&net32, &train, LossKind::CrossEntropy).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
