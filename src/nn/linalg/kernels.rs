//! The micro-kernels: every panel × every plan on one thread ([`serial`]), a 4-row block
//! against one panel ([`dense_panel`], register-blocked 4 rows × up to 4 vectors) and one row
//! against one panel ([`row_panel`], up to 8 vectors). Each accumulates every entry of C as the
//! sequential sum of [`super`] over the plan's position list, with lane-wise `mul` then `add`.

use super::plan::Plan;
use super::simd::Simd;
use super::{Job, GROUP, MAX_L, MR, PANEL_CHUNK};
use num_traits::Zero;

/// Every panel × every plan, on this thread.
#[inline(always)]
pub(super) fn serial<S: Simd>(job: &Job<'_, S::E>, plans: &[Plan], c: &mut [S::E], row0: usize) {
    let n = job.n;
    let pb = job.pb;
    // Blocking: a chunk of panels (≈ PANEL_CHUNK bytes of B, kept in L2) against groups of
    // GROUP plans, each group running over the chunk's panels one by one (the panel stays in
    // L1 for the group's rows, the group's rows of C stay in cache across the chunk).
    let per_panel = (job.k * pb.width * std::mem::size_of::<S::E>()).max(1);
    let chunk = (PANEL_CHUNK / per_panel).max(1);
    for q0 in (0..pb.panels).step_by(chunk) {
        for group in plans.chunks(GROUP) {
            for q in q0..(q0 + chunk).min(pb.panels) {
                let panel = pb.panel(q);
                let j0 = q * pb.width;
                let cols = (n - j0).min(pb.width);
                for plan in group {
                    if job.lower && plan.last_row() < j0 {
                        continue;
                    }
                    match *plan {
                        Plan::Dense { i0, at, vat, len } => {
                            let crows = &mut c[(i0 - row0) * n + j0..(i0 - row0 + MR - 1) * n + j0 + cols];
                            let vals = if job.copy_a {
                                &job.vals[vat..vat + MR * len]
                            } else {
                                &[]
                            };
                            dense_panel::<S>(job, i0, &job.idx[at..at + len], vals, panel, cols, crows);
                        }
                        Plan::Row { i, at, vat, len } => {
                            let crow = &mut c[(i - row0) * n + j0..(i - row0) * n + j0 + cols];
                            let vals = if job.copy_a { &job.vals[vat..vat + len] } else { &[] };
                            row_panel::<S>(job, i, &job.idx[at..at + len], vals, panel, crow);
                        }
                    }
                }
            }
        }
    }
}

/// One dense block against one panel: sub-panels of `job.dense` vectors, then a narrower one.
/// `crows` starts at C[i0, j0] (rows n apart).
// wasm: a function of its own gets V8's registers; x86: inlined into the target-feature code.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn dense_panel<S: Simd>(
    job: &Job<'_, S::E>,
    i0: usize,
    idx: &[u32],
    vals: &[S::E],
    panel: &[S::E],
    cols: usize,
    crows: &mut [S::E],
) {
    let a = job.a;
    // A(i0 + r, p) = a[base[r] + p·col], in bounds for p < k (asserted once here).
    let base = [i0 * a.row, (i0 + 1) * a.row, (i0 + 2) * a.row, (i0 + 3) * a.row];
    assert!(
        job.k == 0 || base[MR - 1] + (job.k - 1) * a.col < a.a.len(),
        "internal gemm: A rows"
    );
    let mut s = 0;
    while s < cols {
        let nv = (cols - s).div_ceil(S::L).min(job.dense);
        let acc = &mut [[S::zero(); 4]; MR];
        // (k = 0: the panel is empty and so is the position list.)
        let bp = panel.get(s..).unwrap_or(&[]);
        let ld = job.pb.ld;
        if job.copy_a {
            match nv {
                4 => dense_kernel_copied::<S, 4>(vals, idx, bp, acc),
                3 => dense_kernel_copied::<S, 3>(vals, idx, bp, acc),
                2 => dense_kernel_copied::<S, 2>(vals, idx, bp, acc),
                _ => dense_kernel_copied::<S, 1>(vals, idx, bp, acc),
            }
        } else {
            match nv {
                4 => dense_kernel::<S, 4>(a.a, base, a.col, idx, bp, ld, acc),
                3 => dense_kernel::<S, 3>(a.a, base, a.col, idx, bp, ld, acc),
                2 => dense_kernel::<S, 2>(a.a, base, a.col, idx, bp, ld, acc),
                _ => dense_kernel::<S, 1>(a.a, base, a.col, idx, bp, ld, acc),
            }
        }
        let n = job.n;
        for (r, accr) in acc.iter().enumerate() {
            store(
                accr,
                job.alpha,
                &mut crows[r * n + s..r * n + cols.min(s + nv * S::L)],
                job.overwrite,
            );
        }
        s += nv * S::L;
    }
}

/// MR rows × NV vectors from the start of `panel` (rows `ld` apart), summed over the positions
/// `idx` in order into `acc`; A(i0 + r, p) = a[base[r] + p·col].
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn dense_kernel<S: Simd, const NV: usize>(
    a: &[S::E],
    base: [usize; MR],
    col: usize,
    idx: &[u32],
    panel: &[S::E],
    ld: usize,
    acc: &mut [[S; 4]; MR],
) {
    debug_assert!(idx.iter().all(|&p| p as usize * ld + NV * S::L <= panel.len()));
    let mut c = [[S::zero(); NV]; MR];
    let (pp, ap) = (panel.as_ptr(), a.as_ptr());
    for &p in idx {
        let p = p as usize;
        // SAFETY: p < k. The panel slice starts at a column s with s + NV·L ≤ width (packed) or
        // ≤ the columns left in B (in place, n a multiple of L), so NV·L values from row p are
        // inside it (debug-asserted above); the A indices are checked in `dense_panel`.
        unsafe {
            let brow = pp.add(p * ld);
            let bv: [S; NV] = std::array::from_fn(|v| S::load(brow.add(v * S::L)));
            let o = p * col;
            for r in 0..MR {
                let av = S::splat(*ap.add(base[r] + o));
                for v in 0..NV {
                    c[r][v] = c[r][v].add(av.mul(bv[v]));
                }
            }
        }
    }
    for r in 0..MR {
        acc[r][..NV].copy_from_slice(&c[r]);
    }
}

/// [`dense_kernel`] with A from the planned copy: `vals` holds the MR values of each position,
/// `offs` where its row starts in the panel (p·ld), in order.
#[inline(always)]
fn dense_kernel_copied<S: Simd, const NV: usize>(vals: &[S::E], offs: &[u32], panel: &[S::E], acc: &mut [[S; 4]; MR]) {
    debug_assert!(offs.iter().all(|&o| o as usize + NV * S::L <= panel.len()));
    let mut c = [[S::zero(); NV]; MR];
    let pp = panel.as_ptr();
    for (&o, av) in offs.iter().zip(vals.chunks_exact(MR)) {
        // SAFETY: as in `dense_kernel` (`offs` holds p·ld, p < k).
        unsafe {
            let brow = pp.add(o as usize);
            let bv: [S; NV] = std::array::from_fn(|v| S::load(brow.add(v * S::L)));
            for r in 0..MR {
                let a = S::splat(av[r]);
                for v in 0..NV {
                    c[r][v] = c[r][v].add(a.mul(bv[v]));
                }
            }
        }
    }
    for r in 0..MR {
        acc[r][..NV].copy_from_slice(&c[r]);
    }
}

/// c[l] ← c[l] + α·acc[l] (or 0 + α·acc[l] when `overwrite`) for the lanes that exist in `c`
/// (at most `acc.len()` vectors): whole vectors in place, a partial last one through a buffer.
#[inline(always)]
fn store<S: Simd>(acc: &[S], alpha: S::E, c: &mut [S::E], overwrite: bool) {
    let full = c.len() / S::L;
    assert!(
        c.len().div_ceil(S::L) <= acc.len() && S::L <= MAX_L,
        "internal gemm: store width"
    );
    let av = S::splat(alpha);
    for (v, x) in acc[..full].iter().enumerate() {
        // SAFETY: (v + 1)·L ≤ c.len().
        unsafe {
            let p = c.as_mut_ptr().add(v * S::L);
            let old = if overwrite { S::zero() } else { S::load(p) };
            old.add(av.mul(*x)).store(p);
        }
    }
    let rest = &mut c[full * S::L..];
    if !rest.is_empty() {
        let mut tmp = [S::E::zero(); MAX_L];
        // SAFETY: L ≤ MAX_L (asserted).
        unsafe { acc[full].store(tmp.as_mut_ptr()) };
        for (cv, &x) in rest.iter_mut().zip(&tmp) {
            let old = if overwrite { S::E::zero() } else { *cv };
            *cv = old + alpha * x;
        }
    }
}

/// One row against one panel: as many vectors as the panel has columns (≤ 8).
// wasm: a function of its own gets V8's registers; x86: inlined into the target-feature code.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn row_panel<S: Simd>(job: &Job<'_, S::E>, i: usize, idx: &[u32], vals: &[S::E], panel: &[S::E], crow: &mut [S::E]) {
    let a = job.a;
    // With `copy_a` the row's values are `vals` (one per position of `idx`): read with stride 1
    // in list order; else A in place, indexed by p.
    let (row, col, by_list) = if job.copy_a {
        (vals, 1, true)
    } else {
        (a.a.get(i * a.row..).unwrap_or(&[]), a.col, false)
    };
    assert!(
        if by_list {
            row.len() == idx.len()
        } else {
            job.k == 0 || (job.k - 1) * col < row.len()
        },
        "internal gemm: A row"
    );
    let acc = &mut [S::zero(); 8];
    let ld = job.pb.ld;
    macro_rules! go {
        ($nv:literal) => {
            if by_list {
                row_kernel::<S, $nv, true>(row, col, idx, panel, ld, acc)
            } else {
                row_kernel::<S, $nv, false>(row, col, idx, panel, ld, acc)
            }
        };
    }
    match crow.len().div_ceil(S::L) {
        8 => go!(8),
        7 => go!(7),
        6 => go!(6),
        5 => go!(5),
        4 => go!(4),
        3 => go!(3),
        2 => go!(2),
        _ => go!(1),
    }
    store(acc, job.alpha, crow, job.overwrite);
}

/// One row × NV vectors, summed over the positions `idx` in order into `acc`; A(i, p) =
/// row[p·col], or with `BY_LIST` (`idx` holding p·ld) the q-th value of `row` for the q-th
/// position.
#[inline(always)]
fn row_kernel<S: Simd, const NV: usize, const BY_LIST: bool>(
    row: &[S::E],
    col: usize,
    idx: &[u32],
    panel: &[S::E],
    ld: usize,
    acc: &mut [S; 8],
) {
    debug_assert!(idx
        .iter()
        .all(|&p| if BY_LIST { p as usize } else { p as usize * ld } + NV * S::L <= panel.len()));
    let mut c = [S::zero(); NV];
    let (pp, ap) = (panel.as_ptr(), row.as_ptr());
    for (q, &p) in idx.iter().enumerate() {
        let p = p as usize;
        // SAFETY: as in `dense_kernel` (with BY_LIST, `idx` holds p·ld); the A index is
        // checked in `row_panel`.
        unsafe {
            let brow = pp.add(if BY_LIST { p } else { p * ld });
            let av = S::splat(*ap.add(if BY_LIST { q } else { p * col }));
            for (v, cv) in c.iter_mut().enumerate() {
                *cv = cv.add(av.mul(S::load(brow.add(v * S::L))));
            }
        }
    }
    acc[..NV].copy_from_slice(&c);
}
