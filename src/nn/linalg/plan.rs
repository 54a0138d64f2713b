//! Preparing one product: op(B) packed into column panels (or used in place), and the rows of
//! op(A) planned in blocks — which positions each block keeps (exact zeros skipped, see
//! [`super`]) and which kernel runs it. Runs on the calling thread, into the [`Workspace`].
//!
//! [`Workspace`]: super::Workspace

use super::{Op, MR};
use crate::nn::Scalar;

/// What planning writes (see [`plan_a`]).
pub(super) struct Lists<T> {
    /// The list of all positions 0..k, then each block's kept positions (or p·ld with copied A).
    pub(super) idx: Vec<u32>,
    /// The blocks' A values in list order (copied A only).
    pub(super) vals: Vec<T>,
    /// A block's kept positions (k bytes) and the previous dense block's (k bytes).
    pub(super) keep: Vec<u8>,
    pub(super) last_keep: Vec<u8>,
    /// One plan per row block, in increasing row order.
    pub(super) plans: Vec<Plan>,
}

/// `v[..len]` exists (grown with `fill`; within the capacity [`super::Workspace::start`] reserved).
#[inline(always)]
pub(super) fn ensure<V: Copy>(v: &mut Vec<V>, len: usize, fill: V) {
    if v.len() < len {
        v.resize(len, fill);
    }
}

/// op(B) as column panels `width` columns wide: panel q (columns q·width ..) starts at
/// `data[q·step]`, its row p `ld` values further on. Either B itself (`Op::N` with whole
/// vectors: ld = n, step = width) or a zero-padded packed copy (ld = width, step = k·width).
pub(super) struct PackedB<'s, E> {
    pub(super) data: &'s [E],
    pub(super) ld: usize,
    pub(super) step: usize,
    pub(super) width: usize,
    pub(super) panels: usize,
}

impl<E> PackedB<'_, E> {
    /// Panel q, from its first value to the end of the data.
    pub(super) fn panel(&self, q: usize) -> &[E] {
        self.data.get(q * self.step..).unwrap_or(&[])
    }
}

/// Whether op(B) is used in place: stored row-major with a multiple of `lanes` columns, so
/// that every vector a kernel loads lies inside the matrix.
pub(super) fn b_in_place(n: usize, op: Op, lanes: usize) -> bool {
    op == Op::N && n.is_multiple_of(lanes)
}

/// 1 when `row` has a non-finite value, else 0 (no early exit: the loop vectorises).
#[inline(always)]
fn not_finite<E: Scalar>(row: &[E]) -> u8 {
    !row.iter().fold(true, |ok, v| ok & v.is_finite()) as u8
}

/// Sets `nf[p]` to 1 when row p of op(B) (stored row-major, `Op::N`) has a non-finite value.
pub(super) fn scan_b<E: Scalar>(n: usize, b: &[E], nf: &mut [u8]) {
    for (f, row) in nf.iter_mut().zip(b.chunks_exact(n)) {
        *f = not_finite(row);
    }
}

/// Packs op(B) into `data` (panels·k·width values) and sets `nf[p]` to 1 when row p of op(B)
/// has a non-finite value, else 0.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(super) fn pack_b<'s, E: Scalar>(
    k: usize,
    n: usize,
    b: &[E],
    op: Op,
    width: usize,
    data: &'s mut [E],
    nf: &mut [u8],
) -> PackedB<'s, E> {
    let panels = n.div_ceil(width);
    debug_assert_eq!(data.len(), panels * k * width);
    debug_assert!(width.is_multiple_of(4), "4-column tiles must not straddle panels");
    nf.iter_mut().for_each(|f| *f = 0);
    if k > 0 {
        match op {
            Op::N => {
                for (p, row) in b.chunks_exact(n).enumerate() {
                    nf[p] = not_finite(row);
                    for (q, dst) in data.chunks_exact_mut(k * width).enumerate() {
                        let j0 = q * width;
                        let w = (n - j0).min(width);
                        let d = &mut dst[p * width..(p + 1) * width];
                        d[..w].copy_from_slice(&row[j0..j0 + w]);
                        d[w..].iter_mut().for_each(|v| *v = E::zero());
                    }
                }
            }
            Op::T => {
                // Stored n×k: column j of op(B) is row j of the buffer. 4×4 tiles (4 columns ×
                // 4 positions: four loads of 4, four stores of 4 — a transpose LLVM turns into
                // shuffles), then the edges one by one.
                let (n4, k4) = (n - n % 4, k - k % 4);
                for j0 in (0..n4).step_by(4) {
                    let (q, l) = (j0 / width, j0 % width);
                    let dst = &mut data[q * k * width..(q + 1) * k * width];
                    let row = |t: usize| &b[(j0 + t) * k..(j0 + t + 1) * k];
                    let src = [row(0), row(1), row(2), row(3)];
                    for p0 in (0..k4).step_by(4) {
                        let (s0, s1, s2, s3) = (
                            &src[0][p0..p0 + 4],
                            &src[1][p0..p0 + 4],
                            &src[2][p0..p0 + 4],
                            &src[3][p0..p0 + 4],
                        );
                        for u in 0..4 {
                            let o = (p0 + u) * width + l;
                            dst[o..o + 4].copy_from_slice(&[s0[u], s1[u], s2[u], s3[u]]);
                        }
                    }
                    for p in k4..k {
                        for (t, s) in src.iter().enumerate() {
                            dst[p * width + l + t] = s[p];
                        }
                    }
                }
                for j in n4..n {
                    let (q, l) = (j / width, j % width);
                    for (p, &v) in b[j * k..(j + 1) * k].iter().enumerate() {
                        data[(q * k + p) * width + l] = v;
                    }
                }
                // Non-finite rows of op(B) (= columns of the buffer), in a pass of its own.
                for col in b.chunks_exact(k) {
                    for (f, v) in nf.iter_mut().zip(col) {
                        *f |= !v.is_finite() as u8;
                    }
                }
                let pad = panels * width - n;
                if pad > 0 {
                    for row in data[(panels - 1) * k * width..].chunks_exact_mut(width) {
                        row[width - pad..].iter_mut().for_each(|v| *v = E::zero());
                    }
                }
            }
        }
    }
    PackedB {
        data,
        ld: width,
        step: k * width,
        width,
        panels,
    }
}

/// op(A) read in place: A(i, p) = a[i·row + p·col].
#[derive(Clone, Copy)]
pub(super) struct ViewA<'a, E> {
    pub(super) a: &'a [E],
    pub(super) row: usize,
    pub(super) col: usize,
}

/// How one block of rows of op(A) is computed: over the `len` kept positions `idx[at..]`
/// (increasing p; `at = 0, len = k` is the list of all positions), with [`COPY_A`](super::COPY_A) their A
/// values from `vals[vat..]`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Plan {
    /// Rows `i0..i0 + MR` together over the union of their kept positions (`vals`: MR values
    /// per position).
    Dense {
        i0: usize,
        at: usize,
        vat: usize,
        len: usize,
    },
    /// One row alone over its own kept positions.
    Row {
        i: usize,
        at: usize,
        vat: usize,
        len: usize,
    },
}

impl Plan {
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(super) fn first_row(&self) -> usize {
        match *self {
            Plan::Dense { i0, .. } => i0,
            Plan::Row { i, .. } => i,
        }
    }
    pub(super) fn last_row(&self) -> usize {
        match *self {
            Plan::Dense { i0, .. } => i0 + MR - 1,
            Plan::Row { i, .. } => i,
        }
    }
    fn list_end(&self) -> usize {
        match *self {
            Plan::Dense { at, len, .. } | Plan::Row { at, len, .. } => at + len,
        }
    }
}

/// How a vector type's kernels are best fed (measured per instruction set).
#[derive(Clone, Copy)]
pub(super) struct Costs {
    /// Relative cost of a multiply-add in the one-row kernel against the 4-row kernel, as the
    /// fraction `row_cost / 2`: a block runs row by row when 2·4·(union of its kept positions)
    /// exceeds `row_cost`·(sum of its rows' kept positions). The one-row kernel loads one B
    /// vector per multiply-add instead of one per four rows and has fewer accumulators:
    /// measured ≈ 2.3× the 4-row kernel's cost per multiply-add with AVX-512, ≈ 1.3× in V8.
    pub(super) row_cost: usize,
    /// See [`COPY_A`](super::COPY_A).
    pub(super) copy_a: bool,
}

/// Plans the rows of op(A) into `lists`: which positions each block keeps — p with A[i,p] ≠ 0,
/// or with row p of op(B) not finite (0·inf = NaN must still be added) — and which kernel runs
/// it. `lists.idx` starts with the list of all positions 0..k (shared by every block that keeps
/// them all); the other lists follow, written without branches (each list may be written one
/// position past its end). With [`COPY_A`](super::COPY_A) the lists finally hold p·ld (the offset of row p in a
/// panel) instead of p, and the blocks' A values go to `lists.vals`. `nf[p]` = 1 when row p of
/// op(B) is not finite; `lists.keep` and `lists.last_keep` hold k bytes, `lists.plans` is empty.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(super) fn plan_a<E: Scalar>(
    m: usize,
    k: usize,
    a: ViewA<'_, E>,
    nf: &[u8],
    ld: usize,
    costs: Costs,
    lists: &mut Lists<E>,
) {
    let copy_a = costs.copy_a;
    ensure(&mut lists.idx, k + 1, 0);
    for (p, v) in lists.idx[..k].iter_mut().enumerate() {
        *v = p as u32;
    }
    if a.col == 1 {
        plan_rows::<E, false>(m, k, a, nf, costs, lists)
    } else {
        plan_rows::<E, true>(m, k, a, nf, costs, lists)
    }
    if copy_a {
        // The kernels reading the copy need only where row p starts in the panel: p·ld.
        let used = lists.plans.iter().map(|p| p.list_end()).max().unwrap_or(0).max(k);
        for v in &mut lists.idx[..used] {
            *v *= ld as u32;
        }
    }
}

/// [`plan_a`] for one layout of A: `TRANS` = op(A) is Aᵀ (its 4 rows at a position are 4
/// consecutive values), else each row is contiguous.
#[inline(always)]
fn plan_rows<E: Scalar, const TRANS: bool>(
    m: usize,
    k: usize,
    a: ViewA<'_, E>,
    nf: &[u8],
    costs: Costs,
    lists: &mut Lists<E>,
) {
    let Costs { row_cost, copy_a } = costs;
    let zero = E::zero();
    let Lists {
        idx,
        vals,
        keep,
        last_keep,
        plans,
    } = lists;
    let (nf, keep, last_keep) = (&nf[..k], &mut keep[..k], &mut last_keep[..k]);
    // Cursors into `idx` (after the shared list of all positions) and `vals`.
    let (mut w, mut wv) = (k, 0usize);
    // The last compacted dense list (start, length); its mask is `last_keep`.
    let mut last: Option<(usize, usize)> = None;
    let mut i0 = 0;
    while i0 + MR <= m {
        // keep[p] = the union of the four rows' kept positions; `rows` = the sum of their
        // sizes. Element-wise loops over contiguous rows (vectorised) when op(A) = A.
        let mut rows = 0u32;
        // (Written out: closures through `array::map` were not inlined here.)
        if TRANS {
            for (p, (kp, &f)) in keep.iter_mut().zip(nf).enumerate() {
                let v = &a.a[p * a.col + i0..p * a.col + i0 + MR];
                let (n0, n1, n2, n3) = (
                    (v[0] != zero) as u8,
                    (v[1] != zero) as u8,
                    (v[2] != zero) as u8,
                    (v[3] != zero) as u8,
                );
                rows += ((n0 + n1 + n2 + n3) as u32).max(4 * f as u32);
                *kp = n0 | n1 | n2 | n3 | f;
            }
        } else {
            let at = |r: usize| &a.a[(i0 + r) * a.row..(i0 + r) * a.row + k];
            let (r0, r1, r2, r3) = (at(0), at(1), at(2), at(3));
            for (p, (kp, &f)) in keep.iter_mut().zip(nf).enumerate() {
                *kp = (r0[p] != zero) as u8 | (r1[p] != zero) as u8 | (r2[p] != zero) as u8 | (r3[p] != zero) as u8 | f;
            }
            for row in [r0, r1, r2, r3] {
                for (&x, &f) in row.iter().zip(nf) {
                    rows += ((x != zero) as u8 | f) as u32;
                }
            }
        }
        let union: usize = keep.iter().map(|&x| x as usize).sum();
        if 2 * MR * union <= row_cost * rows as usize {
            let (at, len) = if union == k {
                (0, k)
            } else if last.is_some_and(|(_, len)| len == union) && keep[..] == last_keep[..] {
                // The same positions as the previous dense block (typically the input's
                // constant pixels): share its list.
                last.unwrap_or_default()
            } else {
                ensure(idx, w + k + 1, 0);
                let len = compact(&mut idx[w..w + k + 1], keep);
                w += len;
                last = Some((w - len, len));
                last_keep.copy_from_slice(keep);
                (w - len, len)
            };
            if copy_a {
                ensure(vals, wv + MR * len, zero);
                for (q, &p) in idx[at..at + len].iter().enumerate() {
                    let o = p as usize * a.col;
                    for r in 0..MR {
                        vals[wv + MR * q + r] = a.a[(i0 + r) * a.row + o];
                    }
                }
            }
            plans.push(Plan::Dense { i0, at, vat: wv, len });
            wv += if copy_a { MR * len } else { 0 };
        } else {
            for r in 0..MR {
                let len = plan_row(k, a, i0 + r, nf, copy_a, w, wv, idx, vals);
                plans.push(Plan::Row {
                    i: i0 + r,
                    at: w,
                    vat: wv,
                    len,
                });
                w += len;
                wv += if copy_a { len } else { 0 };
            }
        }
        i0 += MR;
    }
    for i in i0..m {
        let len = plan_row(k, a, i, nf, copy_a, w, wv, idx, vals);
        plans.push(Plan::Row { i, at: w, vat: wv, len });
        w += len;
        wv += if copy_a { len } else { 0 };
    }
}

/// The positions p with keep[p] = 1 into the start of `out` (k + 1 entries); returns how many.
#[inline(always)]
fn compact(out: &mut [u32], keep: &[u8]) -> usize {
    let op = out[..keep.len() + 1].as_mut_ptr();
    let mut w = 0;
    for (p, &kp) in keep.iter().enumerate() {
        // SAFETY: w ≤ p < k, and `out` holds k + 1 entries (checked by the slicing above).
        unsafe { *op.add(w) = p as u32 };
        w += kp as usize;
    }
    w
}

/// Row i's kept positions into `idx` from `w` on, with [`COPY_A`](super::COPY_A) their values into `vals`
/// from `wv` on (both grown to hold k + 1 entries there); returns how many.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn plan_row<E: Scalar>(
    k: usize,
    a: ViewA<'_, E>,
    i: usize,
    nf: &[u8],
    copy_a: bool,
    w: usize,
    wv: usize,
    idx: &mut Vec<u32>,
    vals: &mut Vec<E>,
) -> usize {
    ensure(idx, w + k + 1, 0);
    let op = idx[w..w + k + 1].as_mut_ptr();
    let vp = if copy_a {
        ensure(vals, wv + k + 1, E::zero());
        vals[wv..wv + k + 1].as_mut_ptr()
    } else {
        vals.as_mut_ptr()
    };
    let mut n = 0;
    for (p, &f) in nf[..k].iter().enumerate() {
        let v = a.a[i * a.row + p * a.col];
        // SAFETY: n ≤ p < k and both lists hold k + 1 entries from here (checked by the
        // slicing above).
        unsafe {
            *op.add(n) = p as u32;
            if copy_a {
                *vp.add(n) = v;
            }
        }
        n += ((v != E::zero()) as u8 | f) as usize;
    }
    n
}
