//! Per-sample losses on the network output z ∈ R^K for a label y, with the output error
//! δ = ∂ℓ/∂z that starts the backward pass. The training loss over a set S is the mean
//! L = (1/|S|) Σ_{j∈S} ℓ_j.
//!
//! | loss | forward ℓ(z, y) | derivative ∂ℓ/∂z |
//! |---|---|---|
//! | softmax cross-entropy | log Σ_k e^{z_k} − z_y (computed with the max subtracted) | softmax(z) − e_y |
//! | MSE on one-hot targets | ½ Σ_k (z_k − [k = y])² | z − e_y |

use super::Scalar;
use serde::{Deserialize, Serialize};

/// Which loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    #[default]
    CrossEntropy,
    Mse,
}

impl LossKind {
    /// For each of the `batch` rows of `z` (B × K): writes ∂ℓ_j/∂z_j into `dz` (unscaled, per
    /// sample) and returns (Σ_j ℓ_j in f64, number of rows whose argmax equals the label).
    pub fn eval<T: Scalar>(&self, z: &[T], y: &[u32], k: usize, dz: &mut [T]) -> (f64, usize) {
        let mut total = 0f64;
        let mut correct = 0usize;
        for ((zr, dr), &lab) in z.chunks_exact(k).zip(dz.chunks_exact_mut(k)).zip(y) {
            let lab = lab as usize;
            let mut arg = 0;
            for (i, &v) in zr.iter().enumerate() {
                if v > zr[arg] {
                    arg = i;
                }
            }
            if arg == lab {
                correct += 1;
            }
            match self {
                LossKind::CrossEntropy => {
                    let m = zr[arg];
                    let mut s = T::zero();
                    for (d, &v) in dr.iter_mut().zip(zr) {
                        *d = (v - m).exp_();
                        s += *d;
                    }
                    let inv = T::one() / s;
                    for d in dr.iter_mut() {
                        *d *= inv;
                    }
                    total += (s.ln_() + m - zr[lab]).f64();
                    dr[lab] -= T::one();
                }
                LossKind::Mse => {
                    let mut s = T::zero();
                    for (i, (d, &v)) in dr.iter_mut().zip(zr).enumerate() {
                        let t = if i == lab { v - T::one() } else { v };
                        *d = t;
                        s += t * t;
                    }
                    total += (s * T::of(0.5)).f64();
                }
            }
        }
        (total, correct)
    }
}
