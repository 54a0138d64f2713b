//! faer's symmetric eigendecomposition (faer 0.24, a dev-dependency only): the independent
//! solver `tests/spectrum_eigen.rs` compares the library's fixed-order solver with, and the
//! baseline `benches/spectrum.rs` and `tests/bench_web.rs` time it against (the library used
//! faer before; natively with its rayon threads, as it ran then).
#![allow(dead_code)]

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
use faer::{Mat, MatRef, Par};

/// How faer may split its work: natively over the threads of the current rayon pool, in wasm32
/// sequentially (as the library ran it before).
pub fn par() -> Par {
    #[cfg(not(target_arch = "wasm32"))]
    {
        match rayon::current_num_threads() {
            1 => Par::Seq,
            t => Par::rayon(t),
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        Par::Seq
    }
}

/// Eigenvalues **descending** and, when asked, the eigenvectors (column k of the n × n
/// column-major result for eigenvalue k) of the symmetric row-major `a` (lower triangle read).
pub fn faer_evd(a: &[f64], n: usize, vectors: bool) -> (Vec<f64>, Option<Vec<f64>>) {
    let want = if vectors {
        ComputeEigenvectors::Yes
    } else {
        ComputeEigenvectors::No
    };
    let par = par();
    let a = MatRef::from_column_major_slice(a, n, n);
    let mut s = Diag::<f64>::zeros(n);
    let mut u = vectors.then(|| Mat::<f64>::zeros(n, n));
    let mut mem = MemBuffer::new(self_adjoint_evd_scratch::<f64>(n, want, par, Default::default()));
    self_adjoint_evd(
        a,
        s.as_mut(),
        u.as_mut().map(|u| u.as_mut()),
        par,
        MemStack::new(&mut mem),
        Default::default(),
    )
    .expect("faer's eigensolver converges");
    let asc: Vec<f64> = s.column_vector().iter().copied().collect();
    let values = asc.iter().rev().copied().collect();
    let vecs = u.map(|u| {
        let mut out = Vec::with_capacity(n * n);
        for k in (0..n).rev() {
            out.extend((0..n).map(|i| u[(i, k)]));
        }
        out
    });
    (values, vecs)
}

/// The Gram matrix of `grads` by the Hadamard trick as the library computed it before its
/// fixed-order products (`spectrum::gram::gram`, with faer's triangular matmul for every
/// X Xᵀ natively): the baseline of the benchmarks; lower triangle mirrored.
pub fn faer_gram(grads: &sgn_lab::nn::PerSampleGrads) -> Vec<f64> {
    use faer::linalg::matmul::triangular::{matmul, BlockStructure};
    use faer::{Accum, MatMut};
    use sgn_lab::nn::GradBlock;
    let n = grads.n;
    let syrk = |dst: &mut [f64], d: usize, x: &[f64]| {
        let dst = MatMut::from_row_major_slice_mut(dst, n, n);
        let x = MatRef::from_row_major_slice(x, n, d);
        matmul(
            dst,
            BlockStructure::TriangularLower,
            Accum::Replace,
            x,
            BlockStructure::Rectangular,
            x.transpose(),
            BlockStructure::Rectangular,
            1.0,
            par(),
        );
    };
    let mut k = vec![0.0; n * n];
    let mut s1 = vec![0.0; n * n];
    let mut s2 = vec![0.0; n * n];
    for block in &grads.blocks {
        match block {
            GradBlock::Outer {
                fan_in,
                fan_out,
                a,
                delta,
                bias,
                ..
            } => {
                syrk(&mut s1, *fan_in, a);
                syrk(&mut s2, *fan_out, delta);
                let one = if *bias { 1.0 } else { 0.0 };
                for i in 0..n {
                    for j in 0..=i {
                        k[i * n + j] += s2[i * n + j] * (s1[i * n + j] + one);
                    }
                }
            }
            GradBlock::Dense { g } => {
                syrk(&mut s1, g.ncols(), g.as_slice().expect("standard layout"));
                for i in 0..n {
                    for j in 0..=i {
                        k[i * n + j] += s1[i * n + j];
                    }
                }
            }
        }
    }
    for i in 0..n {
        for j in 0..i {
            k[j * n + i] = k[i * n + j];
        }
    }
    k
}
