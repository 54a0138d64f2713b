//! Per-sample gradients ∇ℓ_j(θ), j = 1..N, kept in factored form where the layer allows it.
//!
//! For a dense layer y = W a + b the per-sample gradients are outer products
//! ∂ℓ_j/∂W = δ_j a_jᵀ and ∂ℓ_j/∂b = δ_j, with δ_j = ∂ℓ_j/∂y_j (Goodfellow 2015, "Efficient per-example gradient computations", arXiv 1510.01799). Keeping (a_j, δ_j)
//! instead of the N×P matrix lets the spectrum module build the Gram matrix
//! ⟨∇ℓ_i, ∇ℓ_j⟩ = (δ_i·δ_j)(a_i·a_j + 1) without materialising any gradient.
//! Layers without that structure (convolutions) give a materialised N×p block.
//!
//! Flattening order (must match the network's parameter vector): block by block, and inside an
//! `Outer` block W row-major (index o·fan_in + i holds δ_o a_i) followed by b.

use ndarray::Array2;

/// One parameter block's per-sample gradients for `n` samples.
#[derive(Debug, Clone, PartialEq)]
pub enum GradBlock {
    /// Dense layer: sample j's gradient is vec(δ_j a_jᵀ) followed by δ_j when `bias`.
    Outer {
        n: usize,
        fan_in: usize,
        fan_out: usize,
        /// N × fan_in layer inputs a_j, row-major.
        a: Vec<f64>,
        /// N × fan_out output errors δ_j = ∂ℓ_j/∂y_j, row-major.
        delta: Vec<f64>,
        bias: bool,
    },
    /// Materialised N × p per-sample gradients, one sample per row (N and p are its shape).
    Dense { g: Array2<f64> },
}

impl GradBlock {
    /// Number of samples.
    pub fn n(&self) -> usize {
        match self {
            GradBlock::Outer { n, .. } => *n,
            GradBlock::Dense { g } => g.nrows(),
        }
    }

    /// Number of parameters in the block.
    pub fn p(&self) -> usize {
        match self {
            GradBlock::Outer {
                fan_in, fan_out, bias, ..
            } => fan_in * fan_out + if *bias { *fan_out } else { 0 },
            GradBlock::Dense { g } => g.ncols(),
        }
    }

    /// Writes sample `j`'s gradient for this block into `out` (length `self.p()`).
    pub fn write_row(&self, j: usize, out: &mut [f64]) {
        match self {
            GradBlock::Outer {
                fan_in,
                fan_out,
                a,
                delta,
                bias,
                ..
            } => {
                let aj = &a[j * fan_in..(j + 1) * fan_in];
                let dj = &delta[j * fan_out..(j + 1) * fan_out];
                for (o, &d) in dj.iter().enumerate() {
                    for (i, &ai) in aj.iter().enumerate() {
                        out[o * fan_in + i] = d * ai;
                    }
                }
                if *bias {
                    out[fan_in * fan_out..].copy_from_slice(dj);
                }
            }
            GradBlock::Dense { g } => out.iter_mut().zip(g.row(j)).for_each(|(o, v)| *o = *v),
        }
    }
}

/// Per-sample gradients of a whole network: its blocks in parameter order.
#[derive(Debug, Clone, PartialEq)]
pub struct PerSampleGrads {
    pub n: usize,
    pub blocks: Vec<GradBlock>,
}

impl PerSampleGrads {
    /// Total number of parameters P.
    pub fn p(&self) -> usize {
        self.blocks.iter().map(GradBlock::p).sum()
    }

    /// Sample `j`'s full gradient ∇ℓ_j(θ) as a length-P vector.
    pub fn row(&self, j: usize) -> Vec<f64> {
        let mut out = vec![0.0; self.p()];
        let mut off = 0;
        for b in &self.blocks {
            let p = b.p();
            b.write_row(j, &mut out[off..off + p]);
            off += p;
        }
        out
    }

    /// Entry `i` (flattening order) of sample `j`'s gradient, without materialising the row.
    /// `None` when `j ≥ n` or `i ≥ P`.
    pub fn get(&self, j: usize, i: usize) -> Option<f64> {
        if j >= self.n {
            return None;
        }
        let mut off = 0;
        for b in &self.blocks {
            let p = b.p();
            if i < off + p {
                let r = i - off;
                return Some(match b {
                    GradBlock::Outer {
                        fan_in,
                        fan_out,
                        a,
                        delta,
                        ..
                    } => {
                        if r < fan_in * fan_out {
                            delta[j * fan_out + r / fan_in] * a[j * fan_in + r % fan_in]
                        } else {
                            delta[j * fan_out + r - fan_in * fan_out]
                        }
                    }
                    GradBlock::Dense { g } => g[[j, r]],
                });
            }
            off += p;
        }
        None
    }

    /// The mean over samples (1/N) Σ_j ∇ℓ_j, length P.
    pub fn mean(&self) -> Vec<f64> {
        let p = self.p();
        let mut out = vec![0.0; p];
        let mut row = vec![0.0; p];
        for j in 0..self.n {
            let mut off = 0;
            for b in &self.blocks {
                let bp = b.p();
                b.write_row(j, &mut row[off..off + bp]);
                off += bp;
            }
            for (o, r) in out.iter_mut().zip(&row) {
                *o += r;
            }
        }
        if self.n > 0 {
            out.iter_mut().for_each(|v| *v /= self.n as f64);
        }
        out
    }

    /// The dense N × P matrix, one sample per row. Memory N·P·8 bytes: use only for small cases
    /// and tests.
    pub fn to_dense(&self) -> Array2<f64> {
        let p = self.p();
        let mut out = Array2::zeros((self.n, p));
        let mut scratch = vec![0.0; p];
        for (j, mut row) in out.outer_iter_mut().enumerate() {
            let mut off = 0;
            for b in &self.blocks {
                let bp = b.p();
                b.write_row(j, &mut scratch[off..off + bp]);
                off += bp;
            }
            row.assign(&ndarray::ArrayView1::from(&scratch[..]));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_block_row_is_delta_times_input_then_bias() {
        let b = GradBlock::Outer {
            n: 1,
            fan_in: 2,
            fan_out: 2,
            a: vec![1.0, 2.0],
            delta: vec![3.0, -1.0],
            bias: true,
        };
        let mut out = vec![0.0; b.p()];
        b.write_row(0, &mut out);
        assert_eq!(out, vec![3.0, 6.0, -1.0, -2.0, 3.0, -1.0]);
    }
}
