//! 2-D convolution, "valid" padding, stride 1 (cross-correlation, as in PyTorch's `Conv2d`).
//!
//! Input a ∈ R^{C×H×W}, kernel W ∈ R^{O×C×k×k}, bias b ∈ R^O, output y ∈ R^{O×H'×W'} with
//! H' = H − k + 1, W' = W − k + 1:
//!
//! | forward | backward |
//! |---|---|
//! | y[o,r,q] = b[o] + Σ_{c,u,v} W[o,c,u,v] a[c,r+u,q+v] | ∂/∂W[o,c,u,v] = Σ_{r,q} δ[o,r,q] a[c,r+u,q+v], ∂/∂b[o] = Σ_{r,q} δ[o,r,q], ∂/∂a[c,r+u,q+v] += Σ_o W[o,c,u,v] δ[o,r,q] |
//!
//! Implemented per sample with im2col: X_col ∈ R^{Ck²×H'W'}, Y = W X_col + b, ∂W = Δ X_colᵀ,
//! ∂X_col = Wᵀ Δ then col2im. Per-sample gradients are materialised ([`GradBlock::Dense`]).
//! Parameter order: W in (o, c, u, v) row-major order, then b.

use super::linalg::{Op, Workspace};
use super::{GradBlock, Scalar};
use ndarray::Array2;

/// Convolution shape (input geometry included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv2d {
    pub in_c: usize,
    pub out_c: usize,
    pub k: usize,
    pub in_h: usize,
    pub in_w: usize,
}

impl Conv2d {
    pub fn out_h(&self) -> usize {
        self.in_h + 1 - self.k
    }
    pub fn out_w(&self) -> usize {
        self.in_w + 1 - self.k
    }
    pub fn in_size(&self) -> usize {
        self.in_c * self.in_h * self.in_w
    }
    pub fn out_size(&self) -> usize {
        self.out_c * self.out_h() * self.out_w()
    }
    fn ckk(&self) -> usize {
        self.in_c * self.k * self.k
    }
    /// O·C·k² + O.
    pub fn n_params(&self) -> usize {
        self.out_c * self.ckk() + self.out_c
    }

    fn im2col<T: Scalar>(&self, a: &[T], cols: &mut [T]) {
        let (oh, ow, k) = (self.out_h(), self.out_w(), self.k);
        let hw = oh * ow;
        for c in 0..self.in_c {
            for u in 0..k {
                for v in 0..k {
                    let row = (c * k + u) * k + v;
                    let dst = &mut cols[row * hw..(row + 1) * hw];
                    for r in 0..oh {
                        let src = &a[c * self.in_h * self.in_w + (r + u) * self.in_w + v..];
                        dst[r * ow..(r + 1) * ow].copy_from_slice(&src[..ow]);
                    }
                }
            }
        }
    }

    fn col2im<T: Scalar>(&self, cols: &[T], da: &mut [T]) {
        let (oh, ow, k) = (self.out_h(), self.out_w(), self.k);
        let hw = oh * ow;
        da.iter_mut().for_each(|v| *v = T::zero());
        for c in 0..self.in_c {
            for u in 0..k {
                for v in 0..k {
                    let row = (c * k + u) * k + v;
                    let src = &cols[row * hw..(row + 1) * hw];
                    for r in 0..oh {
                        let base = c * self.in_h * self.in_w + (r + u) * self.in_w + v;
                        for (d, &s) in da[base..base + ow].iter_mut().zip(&src[r * ow..(r + 1) * ow]) {
                            *d += s;
                        }
                    }
                }
            }
        }
    }

    /// Forward for `batch` samples.
    pub fn forward<T: Scalar>(&self, ws: &mut Workspace<T>, p: &[T], a: &[T], batch: usize, y: &mut [T]) {
        let (w, bias) = p.split_at(self.out_c * self.ckk());
        let hw = self.out_h() * self.out_w();
        let mut cols = vec![T::zero(); self.ckk() * hw];
        for j in 0..batch {
            self.im2col(&a[j * self.in_size()..(j + 1) * self.in_size()], &mut cols);
            let yj = &mut y[j * self.out_size()..(j + 1) * self.out_size()];
            ws.gemm(
                self.out_c,
                self.ckk(),
                hw,
                T::one(),
                w,
                Op::N,
                &cols,
                Op::N,
                T::zero(),
                yj,
            );
            for (o, row) in yj.chunks_exact_mut(hw).enumerate() {
                row.iter_mut().for_each(|v| *v += bias[o]);
            }
        }
    }

    /// Accumulates parameter gradients (summed over samples) and writes ∂/∂a.
    #[allow(clippy::too_many_arguments)]
    pub fn backward<T: Scalar>(
        &self,
        ws: &mut Workspace<T>,
        p: &[T],
        a: &[T],
        delta: &[T],
        batch: usize,
        mut grad: Option<&mut [T]>,
        mut da: Option<&mut [T]>,
    ) {
        let (w, _) = p.split_at(self.out_c * self.ckk());
        let hw = self.out_h() * self.out_w();
        let mut cols = vec![T::zero(); self.ckk() * hw];
        let mut dcols = vec![T::zero(); self.ckk() * hw];
        for j in 0..batch {
            let dj = &delta[j * self.out_size()..(j + 1) * self.out_size()];
            if let Some(g) = grad.as_deref_mut() {
                self.im2col(&a[j * self.in_size()..(j + 1) * self.in_size()], &mut cols);
                let (gw, gb) = g.split_at_mut(self.out_c * self.ckk());
                ws.gemm(
                    self.out_c,
                    hw,
                    self.ckk(),
                    T::one(),
                    dj,
                    Op::N,
                    &cols,
                    Op::T,
                    T::one(),
                    gw,
                );
                for (o, row) in dj.chunks_exact(hw).enumerate() {
                    gb[o] += row.iter().fold(T::zero(), |s, &v| s + v);
                }
            }
            if let Some(da) = da.as_deref_mut() {
                ws.gemm(
                    self.ckk(),
                    self.out_c,
                    hw,
                    T::one(),
                    w,
                    Op::T,
                    dj,
                    Op::N,
                    T::zero(),
                    &mut dcols,
                );
                self.col2im(&dcols, &mut da[j * self.in_size()..(j + 1) * self.in_size()]);
            }
        }
    }

    /// Materialised per-sample gradients (N × n_params, f64).
    pub fn per_sample<T: Scalar>(&self, ws: &mut Workspace<T>, a: &[T], delta: &[T], batch: usize) -> GradBlock {
        let p = self.n_params();
        let hw = self.out_h() * self.out_w();
        let nw = self.out_c * self.ckk();
        let mut g = Array2::<f64>::zeros((batch, p));
        let mut cols = vec![T::zero(); self.ckk() * hw];
        let mut gw = vec![T::zero(); nw];
        for (j, mut row) in g.outer_iter_mut().enumerate() {
            let dj = &delta[j * self.out_size()..(j + 1) * self.out_size()];
            self.im2col(&a[j * self.in_size()..(j + 1) * self.in_size()], &mut cols);
            ws.gemm(
                self.out_c,
                hw,
                self.ckk(),
                T::one(),
                dj,
                Op::N,
                &cols,
                Op::T,
                T::zero(),
                &mut gw,
            );
            for (d, s) in row.iter_mut().zip(&gw) {
                *d = s.f64();
            }
            for (o, r) in dj.chunks_exact(hw).enumerate() {
                row[nw + o] = r.iter().map(|v| v.f64()).sum();
            }
        }
        GradBlock::Dense { g }
    }
}
