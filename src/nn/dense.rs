//! Fully connected layer y = W a + b, W ∈ R^{fan_out × fan_in} (row-major), b ∈ R^{fan_out}.
//!
//! For a batch A (B × fan_in, one sample per row) and upstream errors Δ = ∂ℓ/∂Y (B × fan_out):
//!
//! | forward | backward |
//! |---|---|
//! | Y = A Wᵀ + 1 bᵀ | ∂/∂W = Δᵀ A (sum over samples), ∂/∂b = Σ_j δ_j, ∂/∂A = Δ W |
//!
//! Per sample j the weight gradient is the outer product δ_j a_jᵀ, kept factored as
//! [`GradBlock::Outer`]. Parameter order: W row-major (index o·fan_in + i), then b.

use super::linalg::{Op, Workspace};
use super::{GradBlock, Scalar};

/// Dense layer shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dense {
    pub fan_in: usize,
    pub fan_out: usize,
}

impl Dense {
    /// Number of parameters fan_out·fan_in + fan_out.
    pub fn n_params(&self) -> usize {
        self.fan_out * self.fan_in + self.fan_out
    }

    /// Y = A Wᵀ + b for `b` samples.
    pub fn forward<T: Scalar>(&self, ws: &mut Workspace<T>, p: &[T], a: &[T], batch: usize, y: &mut [T]) {
        let (w, bias) = p.split_at(self.fan_out * self.fan_in);
        ws.gemm(
            batch,
            self.fan_in,
            self.fan_out,
            T::one(),
            a,
            Op::N,
            w,
            Op::T,
            T::zero(),
            y,
        );
        for row in y.chunks_exact_mut(self.fan_out) {
            for (v, &bb) in row.iter_mut().zip(bias) {
                *v += bb;
            }
        }
    }

    /// Accumulates ∂/∂W += Δᵀ A and ∂/∂b += Σ_j δ_j into `grad`; writes ∂/∂A = Δ W into `da`.
    #[allow(clippy::too_many_arguments)]
    pub fn backward<T: Scalar>(
        &self,
        ws: &mut Workspace<T>,
        p: &[T],
        a: &[T],
        delta: &[T],
        batch: usize,
        grad: Option<&mut [T]>,
        da: Option<&mut [T]>,
    ) {
        let (w, _) = p.split_at(self.fan_out * self.fan_in);
        if let Some(g) = grad {
            let (gw, gb) = g.split_at_mut(self.fan_out * self.fan_in);
            ws.gemm(
                self.fan_out,
                batch,
                self.fan_in,
                T::one(),
                delta,
                Op::T,
                a,
                Op::N,
                T::one(),
                gw,
            );
            for row in delta.chunks_exact(self.fan_out) {
                for (s, &d) in gb.iter_mut().zip(row) {
                    *s += d;
                }
            }
        }
        if let Some(da) = da {
            ws.gemm(
                batch,
                self.fan_out,
                self.fan_in,
                T::one(),
                delta,
                Op::N,
                w,
                Op::N,
                T::zero(),
                da,
            );
        }
    }

    /// Per-sample gradients δ_j a_jᵀ (and δ_j for b), factored.
    pub fn per_sample<T: Scalar>(&self, a: &[T], delta: &[T], batch: usize) -> GradBlock {
        GradBlock::Outer {
            n: batch,
            fan_in: self.fan_in,
            fan_out: self.fan_out,
            a: a.iter().map(|v| v.f64()).collect(),
            delta: delta.iter().map(|v| v.f64()).collect(),
            bias: true,
        }
    }
}
