//! 2×2 max pooling with stride 2 on C×H×W inputs (H, W even).
//!
//! | forward | backward |
//! |---|---|
//! | y[c,r,q] = max_{u,v∈{0,1}} a[c,2r+u,2q+v] | ∂/∂a[c,2r+u,2q+v] = δ[c,r,q] at the window's first maximal position (row-major), 0 elsewhere |

use super::Scalar;

/// Max-pool shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPool2 {
    pub c: usize,
    pub h: usize,
    pub w: usize,
}

impl MaxPool2 {
    pub fn in_size(&self) -> usize {
        self.c * self.h * self.w
    }
    pub fn out_size(&self) -> usize {
        self.c * (self.h / 2) * (self.w / 2)
    }

    fn argmax<T: Scalar>(&self, a: &[T], c: usize, r: usize, q: usize) -> usize {
        let base = c * self.h * self.w;
        let mut best = base + 2 * r * self.w + 2 * q;
        for (u, v) in [(0, 1), (1, 0), (1, 1)] {
            let i = base + (2 * r + u) * self.w + 2 * q + v;
            if a[i] > a[best] {
                best = i;
            }
        }
        best
    }

    pub fn forward<T: Scalar>(&self, a: &[T], batch: usize, y: &mut [T]) {
        let (oh, ow) = (self.h / 2, self.w / 2);
        for j in 0..batch {
            let aj = &a[j * self.in_size()..(j + 1) * self.in_size()];
            let yj = &mut y[j * self.out_size()..(j + 1) * self.out_size()];
            for c in 0..self.c {
                for r in 0..oh {
                    for q in 0..ow {
                        yj[(c * oh + r) * ow + q] = aj[self.argmax(aj, c, r, q)];
                    }
                }
            }
        }
    }

    pub fn backward<T: Scalar>(&self, a: &[T], delta: &[T], batch: usize, da: &mut [T]) {
        let (oh, ow) = (self.h / 2, self.w / 2);
        da.iter_mut().for_each(|v| *v = T::zero());
        for j in 0..batch {
            let aj = &a[j * self.in_size()..(j + 1) * self.in_size()];
            let dj = &delta[j * self.out_size()..(j + 1) * self.out_size()];
            let daj = &mut da[j * self.in_size()..(j + 1) * self.in_size()];
            for c in 0..self.c {
                for r in 0..oh {
                    for q in 0..ow {
                        daj[self.argmax(aj, c, r, q)] += dj[(c * oh + r) * ow + q];
                    }
                }
            }
        }
    }
}
