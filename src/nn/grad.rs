//! Gradients measured over a dataset at the network's current θ, all returned in f64 and in
//! the flattening order of [`crate::nn`]:
//!
//! - full-batch gradient ∇L(θ) = (1/N) Σ_{j=1..N} ∇ℓ_j(θ) over the whole dataset;
//! - minibatch gradient g_B(θ) = (1/|B|) Σ_{j∈B} ∇ℓ_j(θ);
//! - stochastic gradient noise ξ = g_B(θ) − ∇L(θ), both at the *same* θ;
//! - per-sample gradients ∇ℓ_j(θ) from one batched backward pass ([`PerSampleGrads`]).
//!
//! These are gradients of the data loss only (no weight-decay term). Sums over large sets are
//! computed in chunks of [`CHUNK`] samples and accumulated in f64.

use super::{Layer, LossKind, Network, NnError, PerSampleGrads, Scalar, Tape};
use crate::data::Dataset;
use crate::rng::SeededRng;
use rand::RngExt;

/// Samples per forward/backward chunk when summing over many samples.
pub const CHUNK: usize = 512;

/// A mean loss and mean gradient over a set of samples.
#[derive(Debug, Clone, PartialEq)]
pub struct GradEval {
    /// Number of samples averaged.
    pub n: usize,
    /// Mean loss (1/n) Σ ℓ_j.
    pub loss: f64,
    /// Share of samples whose argmax output equals the label.
    pub accuracy: f64,
    /// Mean gradient (1/n) Σ ∇ℓ_j, length P.
    pub grad: Vec<f64>,
}

/// Minibatch gradient, full-batch gradient and their difference at one θ.
#[derive(Debug, Clone, PartialEq)]
pub struct Sgn {
    /// The minibatch's sample indices.
    pub batch: Vec<usize>,
    /// g_B(θ).
    pub g_batch: Vec<f64>,
    /// ∇L(θ).
    pub full: Vec<f64>,
    /// ξ = g_B(θ) − ∇L(θ).
    pub xi: Vec<f64>,
    /// Mean loss on the minibatch.
    pub batch_loss: f64,
    /// Mean loss on the whole dataset.
    pub full_loss: f64,
}

fn check<T: Scalar>(net: &Network<T>, ds: &Dataset, idx: &[usize]) -> Result<(), NnError> {
    ds.validate().map_err(|e| NnError::Invalid(e.to_string()))?;
    if ds.d() != net.input_dim() {
        return Err(NnError::InputDim {
            data: ds.d(),
            net: net.input_dim(),
        });
    }
    if ds.n_classes > net.output_dim() {
        return Err(NnError::Classes {
            data: ds.n_classes,
            net: net.output_dim(),
        });
    }
    if idx.is_empty() {
        return Err(NnError::Empty);
    }
    if let Some(&bad) = idx.iter().find(|&&j| j >= ds.n()) {
        return Err(NnError::Index { index: bad, n: ds.n() });
    }
    Ok(())
}

/// The samples `idx` as (features, labels) slices of the dataset itself when they are
/// consecutive and T is f32 (no copy), else copied into `x` / `y` by [`gather`].
fn batch<'a, T: Scalar>(
    ds: &'a Dataset,
    idx: &[usize],
    x: &'a mut Vec<T>,
    y: &'a mut Vec<u32>,
) -> (&'a [T], &'a [u32]) {
    let consecutive = idx
        .first()
        .is_some_and(|&j0| idx.iter().enumerate().all(|(i, &j)| j == j0 + i));
    if consecutive {
        let (j0, n) = (idx[0], idx.len());
        if let Some(xs) = T::from_f32_slice(&ds.features()[j0 * ds.d()..(j0 + n) * ds.d()]) {
            return (xs, &ds.y[j0..j0 + n]);
        }
    }
    gather(ds, idx, x, y);
    (x, y)
}

/// Copies the samples `idx` into `x` (converted to T, exactly) and `y`.
pub fn gather<T: Scalar>(ds: &Dataset, idx: &[usize], x: &mut Vec<T>, y: &mut Vec<u32>) {
    x.clear();
    y.clear();
    x.reserve(idx.len() * ds.d());
    for &j in idx {
        T::extend_from_f32(x, ds.row(j));
        y.push(ds.y[j]);
    }
}

/// Mean loss and mean gradient over the samples `idx` of `ds` (chunked, f64 accumulation).
pub fn mean_grad<T: Scalar>(
    net: &Network<T>,
    ds: &Dataset,
    idx: &[usize],
    loss: LossKind,
) -> Result<GradEval, NnError> {
    check(net, ds, idx)?;
    let p = net.n_params();
    let mut acc = vec![0f64; p];
    let mut g = vec![T::zero(); p];
    let mut tape = Tape::default();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let (mut total, mut correct) = (0f64, 0usize);
    for chunk in idx.chunks(CHUNK) {
        let (xs, ys) = batch(ds, chunk, &mut x, &mut y);
        g.iter_mut().for_each(|v| *v = T::zero());
        let (l, c) = net.loss_grad_batch(xs, ys, loss, &mut tape, &mut g, T::one());
        total += l;
        correct += c;
        for (a, v) in acc.iter_mut().zip(&g) {
            *a += v.f64();
        }
    }
    let n = idx.len() as f64;
    acc.iter_mut().for_each(|v| *v /= n);
    Ok(GradEval {
        n: idx.len(),
        loss: total / n,
        accuracy: correct as f64 / n,
        grad: acc,
    })
}

/// Full-batch gradient ∇L(θ) over every sample of `ds`.
pub fn full_batch_grad<T: Scalar>(net: &Network<T>, ds: &Dataset, loss: LossKind) -> Result<GradEval, NnError> {
    let idx: Vec<usize> = (0..ds.n()).collect();
    mean_grad(net, ds, &idx, loss)
}

/// Minibatch gradient g_B(θ) over the samples `batch`.
pub fn minibatch_grad<T: Scalar>(
    net: &Network<T>,
    ds: &Dataset,
    batch: &[usize],
    loss: LossKind,
) -> Result<GradEval, NnError> {
    mean_grad(net, ds, batch, loss)
}

/// SGN ξ = g_B(θ) − ∇L(θ) for the minibatch `batch`, given ∇L(θ) already computed at the same θ
/// (`full`, from [`full_batch_grad`] on the same network and dataset).
pub fn sgn_with_full<T: Scalar>(
    net: &Network<T>,
    ds: &Dataset,
    batch: &[usize],
    loss: LossKind,
    full: &GradEval,
) -> Result<Sgn, NnError> {
    if full.grad.len() != net.n_params() {
        return Err(NnError::Invalid(format!(
            "full gradient has {} entries, network {}",
            full.grad.len(),
            net.n_params()
        )));
    }
    let gb = minibatch_grad(net, ds, batch, loss)?;
    let xi = gb.grad.iter().zip(&full.grad).map(|(a, b)| a - b).collect();
    Ok(Sgn {
        batch: batch.to_vec(),
        g_batch: gb.grad,
        full: full.grad.clone(),
        xi,
        batch_loss: gb.loss,
        full_loss: full.loss,
    })
}

/// SGN ξ = g_B(θ) − ∇L(θ) for the minibatch `batch` at the network's θ.
pub fn sgn<T: Scalar>(net: &Network<T>, ds: &Dataset, batch: &[usize], loss: LossKind) -> Result<Sgn, NnError> {
    let full = full_batch_grad(net, ds, loss)?;
    sgn_with_full(net, ds, batch, loss, &full)
}

/// Per-sample gradients ∇ℓ_j(θ) for the samples `idx` (in that order) from one batched
/// backward pass: factored outer-product blocks for dense layers, materialised blocks for
/// convolutions. Memory: dense blocks N·(fan_in + fan_out)·8 bytes each.
pub fn per_sample_grads<T: Scalar>(
    net: &Network<T>,
    ds: &Dataset,
    idx: &[usize],
    loss: LossKind,
) -> Result<PerSampleGrads, NnError> {
    check(net, ds, idx)?;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let (xs, ys) = batch(ds, idx, &mut x, &mut y);
    let mut tape = Tape::default();
    Ok(net.per_sample_batch(xs, ys, loss, &mut tape).0)
}

/// Bytes [`per_sample_grads`] allocates for `n` samples: the f64 blocks (dense layers
/// n·(fan_in + fan_out), convolutions n·p) plus the batched tape (activations of every layer for
/// the n samples, f64, and the backward errors).
pub fn per_sample_bytes<T: Scalar>(net: &Network<T>, n: usize) -> u64 {
    per_sample_bytes_of_layers(&net.layers, n)
}

/// [`per_sample_bytes`] from the layer list alone (what a configuration check has before any
/// network exists): n · (Σ blocks + tape + 2 · widest layer) · 8 bytes.
pub fn per_sample_bytes_of_layers(layers: &[Layer], n: usize) -> u64 {
    let n = n as u64;
    let mut blocks = 0u64;
    let mut tape = layers.first().map_or(0, Layer::in_size) as u64;
    let mut widest = 0u64;
    for l in layers {
        blocks += match l {
            Layer::Dense(d) => (d.fan_in + d.fan_out) as u64,
            Layer::Conv(c) => c.n_params() as u64,
            _ => 0,
        };
        tape += l.out_size() as u64;
        widest = widest.max(l.in_size().max(l.out_size()) as u64);
    }
    n * (blocks + tape + 2 * widest) * 8
}

/// A minibatch of `b` distinct indices from `0..n` drawn uniformly without replacement
/// (partial Fisher–Yates), in draw order.
pub fn draw_minibatch(n: usize, b: usize, rng: &mut SeededRng) -> Result<Vec<usize>, NnError> {
    if b == 0 || b > n {
        return Err(NnError::Invalid(format!("minibatch of {b} from {n} samples")));
    }
    let mut pool: Vec<usize> = (0..n).collect();
    for i in 0..b {
        let j = rng.random_range(i as u64..n as u64) as usize; // u64: same draws on every platform
        pool.swap(i, j);
    }
    pool.truncate(b);
    Ok(pool)
}
