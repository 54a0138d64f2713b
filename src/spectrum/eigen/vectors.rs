//! Eigenvectors: the orthogonal factor Q of the reduction, then the QL rotations, in a layout
//! where every eigenvector is a contiguous row.
//!
//! With A = Q T Qᵀ and T = Z Λ Zᵀ, the eigenvectors are the columns of Q Z; this module builds
//! U = (Q Z)ᵀ, whose row k is eigenvector k (EISPACK `tred2` + `tql2` accumulate the same
//! product, column-wise). First U = Qᵀ = H_{n−2} ⋯ H_1 H_0 (LAPACK `dorgtr`; G&VL §5.1.6,
//! backward accumulation), row by row: row c is e_cᵀ H_{n−2} ⋯ H_0, and H_j changes it only for
//! j < c, so each row takes the reflectors j = c − 1 down to 0 — rows are independent, and are
//! done in groups of [`REFLECTOR_GROUP`] reflectors so that the group stays in cache. Then each
//! QL rotation (i, c, s) replaces rows i and i + 1 by (c·u_i − s·u_{i+1}, s·u_i + c·u_{i+1}).
//! The rotations depend on T only, so they are logged in batches and applied column segment by
//! column segment (each element of U still sees its rotations in the order of the QL
//! iteration: the bits do not depend on the batching, the segments or the threads).

use super::for_each_task;
use super::kernels::Kernels;

/// Reflectors applied to a row of Qᵀ per pass (cache blocking only).
const REFLECTOR_GROUP: usize = 32;
/// Rows of Qᵀ per task.
const ROW_TASK: usize = 16;
/// Rotations logged before they are applied (cache blocking only).
pub(super) const ROTATION_BATCH: usize = 1 << 15;
/// Columns of U per segment a batch of rotations is applied to (cache blocking only).
const SEGMENT: usize = 128;

/// Bytes of the rotation log ([`Rotations`]) at most.
pub(super) fn rotation_log_bytes() -> usize {
    ROTATION_BATCH * (std::mem::size_of::<u32>() + std::mem::size_of::<[f64; 2]>())
}

/// Bytes of the per-segment lists of row slices one [`Rotations::flush`] builds.
pub(super) fn flush_bytes(n: usize) -> usize {
    n.div_ceil(SEGMENT) * n * std::mem::size_of::<&mut [f64]>()
}

/// Qᵀ (row-major n × n) of the reduction whose reflectors are left in `a` (row j from column
/// j + 2 on, see [`super::tridiag`]) with factors `tau`.
pub(super) fn q_transposed(a: &[f64], n: usize, tau: &[f64], k: &Kernels) -> Vec<f64> {
    let mut u = vec![0.0; n * n];
    for c in 0..n {
        u[c * n + c] = 1.0;
    }
    // Reflectors j ≤ n − 2 (τ_{n−2} = 0: a 1-vector needs no reflection).
    let mut j_hi = n.saturating_sub(1);
    while j_hi > 0 {
        let j_lo = j_hi.saturating_sub(REFLECTOR_GROUP);
        let first = j_lo + 1;
        let tasks: Vec<(usize, &mut [f64])> = u[first * n..]
            .chunks_mut(ROW_TASK * n)
            .enumerate()
            .map(|(t, rows)| (first + t * ROW_TASK, rows))
            .collect();
        let work = (n - first) * (j_hi - j_lo) * (n - j_lo);
        for_each_task(tasks, work >= 1 << 20, |(c0, rows)| {
            for (t, row) in rows.chunks_mut(n).enumerate() {
                let c = c0 + t;
                k.reflect_row(row, a, n, tau, (j_lo, j_hi.min(c)));
            }
        });
        j_hi = j_lo;
    }
    u
}

/// The rotation log of a QL iteration, applied to U (row-major n × n) batch by batch.
pub(super) struct Rotations<'u> {
    u: &'u mut [f64],
    n: usize,
    index: Vec<u32>,
    cs: Vec<[f64; 2]>,
    /// Rotations per batch: min(ROTATION_BATCH, n²), the log's fixed capacity.
    cap: usize,
    k: Kernels,
}

impl<'u> Rotations<'u> {
    pub(super) fn new(u: &'u mut [f64], n: usize, k: Kernels) -> Self {
        assert_eq!(u.len(), n * n, "internal: U must be n × n");
        let cap = ROTATION_BATCH.min(n * n);
        Rotations {
            u,
            n,
            index: Vec::with_capacity(cap),
            cs: Vec::with_capacity(cap),
            cap,
            k,
        }
    }

    /// Logs the rotation of rows i and i + 1 (see the module doc).
    #[inline]
    pub(super) fn push(&mut self, i: usize, c: f64, s: f64) {
        self.index.push(i as u32);
        self.cs.push([c, s]);
        if self.index.len() == self.cap {
            self.flush();
        }
    }

    /// Applies and clears the logged rotations.
    pub(super) fn flush(&mut self) {
        if self.index.is_empty() {
            return;
        }
        let n = self.n;
        let segments = n.div_ceil(SEGMENT);
        // Per segment, its slice of every row (disjoint, so the segments can run in parallel).
        let mut parts: Vec<Vec<&mut [f64]>> = (0..segments).map(|_| Vec::with_capacity(n)).collect();
        for row in self.u.chunks_mut(n) {
            for (s, piece) in row.chunks_mut(SEGMENT).enumerate() {
                parts[s].push(piece);
            }
        }
        let (index, cs, k) = (&self.index, &self.cs, &self.k);
        let work = index.len() * n;
        for_each_task(parts, work >= 1 << 20, |mut rows| {
            for (&i, &[c, s]) in index.iter().zip(cs) {
                let (top, bottom) = rows.split_at_mut(i as usize + 1);
                k.rotate(top[i as usize], bottom[0], c, s);
            }
        });
        self.index.clear();
        self.cs.clear();
    }
}

/// Reorders the rows of the row-major `n × n` array `u` so that row k becomes old row
/// `perm[k]` (in place, following the permutation's cycles; one row of scratch).
pub(super) fn permute_rows(u: &mut [f64], n: usize, perm: &[usize]) {
    let mut done = vec![false; n];
    let mut tmp = vec![0.0; n];
    for start in 0..n {
        if done[start] || perm[start] == start {
            continue;
        }
        tmp.copy_from_slice(&u[start * n..(start + 1) * n]);
        let mut k = start;
        loop {
            done[k] = true;
            let src = perm[k];
            if src == start {
                u[k * n..(k + 1) * n].copy_from_slice(&tmp);
                break;
            }
            u.copy_within(src * n..(src + 1) * n, k * n);
            k = src;
        }
    }
}
