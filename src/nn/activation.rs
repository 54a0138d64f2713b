//! Element-wise activations. Forward and derivative side by side; the derivative is written
//! in terms of the *output* y so the backward pass needs only the stored activations.
//!
//! | name | forward y = f(x) | derivative f'(x) |
//! |---|---|---|
//! | ReLU | max(0, x) | 1 if y > 0 else 0 (0 at x = 0) |
//! | tanh | tanh x | 1 − y² |

use super::Scalar;
use serde::{Deserialize, Serialize};

/// Which non-linearity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivationKind {
    Relu,
    Tanh,
}

/// An activation layer on `size` features per sample (no parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activation {
    pub kind: ActivationKind,
    pub size: usize,
}

impl Activation {
    /// y = f(x), element-wise over the whole batch.
    pub fn forward<T: Scalar>(&self, x: &[T], y: &mut [T]) {
        match self.kind {
            ActivationKind::Relu => {
                for (o, &i) in y.iter_mut().zip(x) {
                    *o = if i > T::zero() { i } else { T::zero() };
                }
            }
            ActivationKind::Tanh => {
                for (o, &i) in y.iter_mut().zip(x) {
                    *o = i.tanh_();
                }
            }
        }
    }

    /// dx = dy ⊙ f'(x), computed from the output y.
    pub fn backward<T: Scalar>(&self, y: &[T], dy: &[T], dx: &mut [T]) {
        match self.kind {
            ActivationKind::Relu => {
                for ((d, &o), &g) in dx.iter_mut().zip(y).zip(dy) {
                    *d = if o > T::zero() { g } else { T::zero() };
                }
            }
            ActivationKind::Tanh => {
                for ((d, &o), &g) in dx.iter_mut().zip(y).zip(dy) {
                    *d = g * (T::one() - o * o);
                }
            }
        }
    }
}
