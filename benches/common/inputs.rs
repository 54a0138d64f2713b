//! Seeded benchmark inputs shared by the criterion benches (`benches/*.rs`) and the browser
//! bench (`tests/bench_web.rs`), so native and Chromium numbers are for the same data.
#![allow(dead_code)]

use rand::RngExt;
use rand_distr::StandardNormal;
use sgn_lab::nn::{GradBlock, PerSampleGrads};
use sgn_lab::rng::{seeded, substream};

/// Layer widths of the FCN 784→100→100→10 the benchmarks model.
pub const SIZES: [usize; 4] = [784, 100, 100, 10];

/// Per-layer factors (inputs a, output errors δ) shaped like the FCN's per-sample gradients:
/// sparse MNIST-like inputs, ReLU hidden activations, softmax-minus-one-hot output errors.
pub fn fcn_grads(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut rng = substream(seed, 1);
    let a0: Vec<f64> = (0..n * SIZES[0])
        .map(|_| {
            if rng.random::<f64>() < 0.8 {
                0.0
            } else {
                rng.random::<f64>()
            }
        })
        .collect();
    let relu = |rng: &mut sgn_lab::rng::SeededRng, m: usize| -> Vec<f64> {
        (0..m)
            .map(|_| {
                let z: f64 = rng.sample(StandardNormal);
                z.max(0.0)
            })
            .collect()
    };
    let a1 = relu(&mut rng, n * SIZES[1]);
    let a2 = relu(&mut rng, n * SIZES[2]);
    let mut d2 = vec![0.0; n * SIZES[3]];
    for j in 0..n {
        let z: Vec<f64> = (0..SIZES[3]).map(|_| rng.sample::<f64, _>(StandardNormal)).collect();
        let m = z.iter().fold(f64::MIN, |a, &b| a.max(b));
        let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
        let s: f64 = e.iter().sum();
        let label = rng.random_range(0..SIZES[3]);
        for o in 0..SIZES[3] {
            d2[j * SIZES[3] + o] = e[o] / s - if o == label { 1.0 } else { 0.0 };
        }
    }
    let masked = |rng: &mut sgn_lab::rng::SeededRng, mask: &[f64]| -> Vec<f64> {
        mask.iter()
            .map(|&a| {
                let z: f64 = rng.sample(StandardNormal);
                if a > 0.0 {
                    0.05 * z
                } else {
                    0.0
                }
            })
            .collect()
    };
    let d0 = masked(&mut rng, &a1);
    let d1 = masked(&mut rng, &a2);
    (vec![a0, a1, a2], vec![d0, d1, d2])
}

/// The factors as `PerSampleGrads` (dense layers with bias).
pub fn to_grads(n: usize, a: &[Vec<f64>], d: &[Vec<f64>]) -> PerSampleGrads {
    let blocks = (0..3)
        .map(|l| GradBlock::Outer {
            n,
            fan_in: SIZES[l],
            fan_out: SIZES[l + 1],
            a: a[l].clone(),
            delta: d[l].clone(),
            bias: true,
        })
        .collect();
    PerSampleGrads { n, blocks }
}

/// Pareto α = 2.5 above a uniform body (70 % tail): the power-law benches' sample.
pub fn sample(n: usize, seed: u64) -> Vec<f64> {
    let mut r = seeded(seed);
    (0..n)
        .map(|_| {
            if r.random::<f64>() < 0.7 {
                (1.0 - r.random::<f64>()).powf(-1.0 / 1.5)
            } else {
                r.random::<f64>()
            }
        })
        .collect()
}
