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
