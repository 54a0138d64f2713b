//! The inner loops of the eigensolver, each with one **fixed arithmetic** per output value, so
//! that the solver gives the same bits natively (SSE2, AVX2 or AVX-512, any thread count) and in
//! wasm32 (simd128).
//!
//! Two kinds of loop occur, and only IEEE 754 `+`, `−`, `×` (each rounded; Rust never fuses a
//! multiply and an add, and LLVM does not reassociate floating point):
//!
//! - **Element-wise** loops (`y[c] ← y[c] − Σ_q …`, plane rotations, `y ← y − t·v`): every
//!   output element has its own sequence of operations, in the order the code states; how many
//!   elements the compiler puts in a vector register changes which elements are computed
//!   together, never the arithmetic of one element.
//! - **Reductions** (dot products): a fixed blocking of eight lanes. Element t of the operands
//!   goes to lane t mod 8, each lane sums its products sequentially from 0, and the lanes are
//!   combined by the fixed tree [`tree`]. The eight lanes are one AVX-512 register, two AVX2 or
//!   four simd128 ones, but the order is that of the scalar definition on every width.
//!
//! The generic bodies are `#[inline(always)]`; [`Kernels`] holds them compiled once per x86
//! instruction set (AVX-512F, AVX2, baseline SSE2) and picks the widest the CPU has at run time,
//! like `nn::linalg`. In wasm32 they are compiled once, with `+simd128` (`.cargo/config.toml`).

/// Lanes of a fixed-order reduction.
pub(super) const LANES: usize = 8;

/// Most vectors in a rank-2k update (the panel width of the reduction is at most this).
pub(super) const MAX_Q: usize = 64;

/// Rows of a register tile of [`Kernels::rank2_rows`] (changes the speed only).
const TILE_ROWS: usize = 4;
/// Columns of a register tile of [`Kernels::rank2_rows`] (changes the speed only).
const TILE_COLS: usize = 8;

/// The fixed combination of the eight lanes of a reduction:
/// ((s₀ + s₄) + (s₂ + s₆)) + ((s₁ + s₅) + (s₃ + s₇)).
#[inline(always)]
pub(super) fn tree(s: [f64; LANES]) -> f64 {
    let h = [s[0] + s[4], s[1] + s[5], s[2] + s[6], s[3] + s[7]];
    (h[0] + h[2]) + (h[1] + h[3])
}

/// Σ_t x_t·y_t over t < min(len): lane t mod 8, then [`tree`].
#[inline(always)]
fn dot_body(x: &[f64], y: &[f64]) -> f64 {
    let len = x.len().min(y.len());
    let (x, y) = (&x[..len], &y[..len]);
    let full = len / LANES * LANES;
    let mut acc = [0.0f64; LANES];
    for (xc, yc) in x[..full].chunks_exact(LANES).zip(y[..full].chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += xc[l] * yc[l];
        }
    }
    for (l, (a, b)) in x[full..].iter().zip(&y[full..]).enumerate() {
        acc[l] += a * b;
    }
    tree(acc)
}

/// Rows `r0..r1` of the symmetric product p = A v, A held in the upper
/// triangle of the row-major `n × n` array `a` (entries c ≥ r of row r):
/// `dots[r − r0] = a_rr·v_r + Σ_{c>r} a_rc·v_c` (the sum over c > r in lanes, see the module doc,
/// counted from c = r + 1), and `y[c] ← y[c] + v_r·a_rc` for c > r, rows in increasing order.
#[inline(always)]
fn symv_rows_body(a: &[f64], n: usize, v: &[f64], r0: usize, r1: usize, dots: &mut [f64], y: &mut [f64]) {
    for r in r0..r1 {
        let row = &a[r * n + r + 1..(r + 1) * n];
        let vr = v[r];
        let vv = &v[r + 1..n];
        let yy = &mut y[r + 1..n];
        let len = row.len();
        let full = len / LANES * LANES;
        let mut acc = [0.0f64; LANES];
        for ((ac, vc), yc) in row[..full]
            .chunks_exact(LANES)
            .zip(vv[..full].chunks_exact(LANES))
            .zip(yy[..full].chunks_exact_mut(LANES))
        {
            for l in 0..LANES {
                acc[l] += ac[l] * vc[l];
                yc[l] += vr * ac[l];
            }
        }
        for (l, ((a, b), yl)) in row[full..].iter().zip(&vv[full..]).zip(&mut yy[full..]).enumerate() {
            acc[l] += a * b;
            *yl += vr * a;
        }
        dots[r - r0] = a[r * n + r] * vr + tree(acc);
    }
}

/// The rank-2k update of `H` rows (stride `ld`) on columns `c0..c1`:
/// `out[h][c] ← out[h][c] − s`, s = Σ_{q<nq} ((α[h][q]·w_q[c]) + (β[h][q]·v_q[c])) summed
/// sequentially over q from 0, with w_q = `wt[q·n..]`, v_q = `vt[q·n..]`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn rank2_tile<const H: usize>(
    out: &mut [f64],
    ld: usize,
    alpha: &[[f64; H]],
    beta: &[[f64; H]],
    vt: &[f64],
    wt: &[f64],
    n: usize,
    c0: usize,
    c1: usize,
) {
    let nq = alpha.len();
    let mut c = c0;
    while c + TILE_COLS <= c1 {
        let mut acc = [[0.0f64; TILE_COLS]; H];
        for q in 0..nq {
            let w: &[f64; TILE_COLS] = wt[q * n + c..q * n + c + TILE_COLS].try_into().expect("tile");
            let v: &[f64; TILE_COLS] = vt[q * n + c..q * n + c + TILE_COLS].try_into().expect("tile");
            for h in 0..H {
                let (a, b) = (alpha[q][h], beta[q][h]);
                for l in 0..TILE_COLS {
                    acc[h][l] += a * w[l] + b * v[l];
                }
            }
        }
        for (h, acc) in acc.iter().enumerate() {
            let o = &mut out[h * ld + c..h * ld + c + TILE_COLS];
            for l in 0..TILE_COLS {
                o[l] -= acc[l];
            }
        }
        c += TILE_COLS;
    }
    for c in c..c1 {
        for h in 0..H {
            let mut s = 0.0;
            for q in 0..nq {
                s += alpha[q][h] * wt[q * n + c] + beta[q][h] * vt[q * n + c];
            }
            out[h * ld + c] -= s;
        }
    }
}

/// Rows r0..r0 + rows.len()/n of the trailing matrix (`rows` holds them, row-major, n wide),
/// upper triangle: `a_rc ← a_rc − Σ_{q<nq} ((v_q[r]·w_q[c]) + (w_q[r]·v_q[c]))` for c ≥ r
/// (the rank-2k update A ← A − V Wᵀ − W Vᵀ of a blocked tridiagonal reduction). Rows are done
/// in tiles of [`TILE_ROWS`]; a tile starts at its first row's diagonal, so it also rewrites
/// the few entries left of the diagonal of its later rows, which nothing reads.
#[inline(always)]
fn rank2_rows_body(rows: &mut [f64], n: usize, r0: usize, vt: &[f64], wt: &[f64], nq: usize) {
    let m = rows.len() / n;
    let mut g = 0;
    while g < m {
        let h = (m - g).min(TILE_ROWS);
        let r = r0 + g;
        let out = &mut rows[g * n..];
        macro_rules! tile {
            ($h:literal) => {{
                let mut alpha = [[0.0f64; $h]; MAX_Q];
                let mut beta = [[0.0f64; $h]; MAX_Q];
                for q in 0..nq {
                    alpha[q] = std::array::from_fn(|k| vt[q * n + r + k]);
                    beta[q] = std::array::from_fn(|k| wt[q * n + r + k]);
                }
                rank2_tile::<$h>(out, n, &alpha[..nq], &beta[..nq], vt, wt, n, r, n);
            }};
        }
        match h {
            4 => tile!(4),
            3 => tile!(3),
            2 => tile!(2),
            _ => tile!(1),
        }
        g += h;
    }
}

/// `y[c] ← y[c] − Σ_{q<nq} ((α_q·w_q[c]) + (β_q·v_q[c]))` for c in `c0..c1` (one row of
/// [`rank2_rows_body`]'s formula with given coefficients).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn rank2_vec_body(y: &mut [f64], alpha: &[f64], beta: &[f64], vt: &[f64], wt: &[f64], n: usize, c0: usize, c1: usize) {
    let nq = alpha.len();
    let mut a = [[0.0f64; 1]; MAX_Q];
    let mut b = [[0.0f64; 1]; MAX_Q];
    for q in 0..nq {
        (a[q], b[q]) = ([alpha[q]], [beta[q]]);
    }
    rank2_tile::<1>(y, 0, &a[..nq], &b[..nq], vt, wt, n, c0, c1);
}

/// Householder reflectors applied to one row x (a row of Qᵀ), `x ← x (I − τ_j u_j u_jᵀ)` for
/// j = j_hi − 1 down to j_lo, u_j = (0…0, 1 at j+1, `a[j·n + j + 2..(j+1)·n]`):
/// s = x_{j+1} + Σ_{t>j+1} x_t u_t (lanes counted from t = j + 2), x_{j+1} ← x_{j+1} − τ_j s,
/// x_t ← x_t − (τ_j s)·u_t. Reflectors with τ_j = 0 are the identity and skipped (exactly).
#[inline(always)]
fn reflect_row_body(x: &mut [f64], a: &[f64], n: usize, tau: &[f64], j_lo: usize, j_hi: usize) {
    for j in (j_lo..j_hi).rev() {
        let t = tau[j];
        if t == 0.0 {
            continue;
        }
        let u = &a[j * n + j + 2..(j + 1) * n];
        let s = x[j + 1] + dot_body(&x[j + 2..n], u);
        let ts = t * s;
        x[j + 1] -= ts;
        for (xv, uv) in x[j + 2..n].iter_mut().zip(u) {
            *xv -= ts * uv;
        }
    }
}

/// A plane rotation of two rows: y_k ← s·x_k + c·y_k, x_k ← c·x_k − s·y_k (old values on the
/// right; EISPACK tql2's update of the eigenvector columns i and i+1).
#[inline(always)]
fn rotate_body(x: &mut [f64], y: &mut [f64], c: f64, s: f64) {
    for (xk, yk) in x.iter_mut().zip(y.iter_mut()) {
        let h = *yk;
        *yk = s * *xk + c * h;
        *xk = c * *xk - s * h;
    }
}

type DotFn = unsafe fn(&[f64], &[f64]) -> f64;
type SymvFn = unsafe fn(&[f64], usize, &[f64], usize, usize, &mut [f64], &mut [f64]);
type Rank2RowsFn = unsafe fn(&mut [f64], usize, usize, &[f64], &[f64], usize);
type Rank2VecFn = unsafe fn(&mut [f64], &[f64], &[f64], &[f64], &[f64], usize, usize, usize);
type ReflectFn = unsafe fn(&mut [f64], &[f64], usize, &[f64], usize, usize);
type RotateFn = unsafe fn(&mut [f64], &mut [f64], f64, f64);

/// The kernels compiled for one instruction set (see the module doc). Every set gives the same
/// bits; [`Kernels::get`] picks the fastest this CPU runs.
#[derive(Clone, Copy)]
pub(super) struct Kernels {
    dot: DotFn,
    symv_rows: SymvFn,
    rank2_rows: Rank2RowsFn,
    rank2_vec: Rank2VecFn,
    reflect_row: ReflectFn,
    rotate: RotateFn,
}

macro_rules! kernel_set {
    ($name:ident $(, $feature:literal)?) => {
        mod $name {
            use super::*;
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn dot(x: &[f64], y: &[f64]) -> f64 {
                dot_body(x, y)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn symv_rows(a: &[f64], n: usize, v: &[f64], r0: usize, r1: usize, dots: &mut [f64], y: &mut [f64]) {
                symv_rows_body(a, n, v, r0, r1, dots, y)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn rank2_rows(rows: &mut [f64], n: usize, r0: usize, vt: &[f64], wt: &[f64], nq: usize) {
                rank2_rows_body(rows, n, r0, vt, wt, nq)
            }
            $(#[target_feature(enable = $feature)])?
            #[allow(clippy::too_many_arguments)]
            pub(super) unsafe fn rank2_vec(y: &mut [f64], alpha: &[f64], beta: &[f64], vt: &[f64], wt: &[f64], n: usize, c0: usize, c1: usize) {
                rank2_vec_body(y, alpha, beta, vt, wt, n, c0, c1)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn reflect_row(x: &mut [f64], a: &[f64], n: usize, tau: &[f64], j_lo: usize, j_hi: usize) {
                reflect_row_body(x, a, n, tau, j_lo, j_hi)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn rotate(x: &mut [f64], y: &mut [f64], c: f64, s: f64) {
                rotate_body(x, y, c, s)
            }
            pub(super) const SET: Kernels = Kernels {
                dot,
                symv_rows,
                rank2_rows,
                rank2_vec,
                reflect_row,
                rotate,
            };
        }
    };
}

kernel_set!(portable);
#[cfg(target_arch = "x86_64")]
kernel_set!(avx2, "avx2");
#[cfg(target_arch = "x86_64")]
kernel_set!(avx512, "avx512f");

/// Which kernel set: the widest this CPU has (x86-64), else the portable one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Isa {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// Every set this CPU can run (for the tests: all must give the same bits).
    pub(super) fn available() -> Vec<Isa> {
        #[allow(unused_mut)]
        let mut v = vec![Isa::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") {
                v.push(Isa::Avx2);
            }
            if std::is_x86_feature_detected!("avx512f") {
                v.push(Isa::Avx512);
            }
        }
        v
    }
}

impl Kernels {
    /// The widest kernel set this CPU runs.
    pub(super) fn get() -> Kernels {
        Kernels::of(*Isa::available().last().expect("the portable set is always there"))
    }

    /// The kernels of one set; it must be in [`Isa::available`].
    pub(super) fn of(isa: Isa) -> Kernels {
        assert!(Isa::available().contains(&isa), "kernel set {isa:?} not supported here");
        match isa {
            Isa::Portable => portable::SET,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => avx2::SET,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => avx512::SET,
        }
    }

    /// Σ_t x_t·y_t in eight lanes (module doc).
    #[inline]
    pub(super) fn dot(&self, x: &[f64], y: &[f64]) -> f64 {
        // SAFETY: every set in a `Kernels` was checked to run on this CPU (`Kernels::of`).
        unsafe { (self.dot)(x, y) }
    }

    /// See [`symv_rows_body`].
    #[inline]
    pub(super) fn symv_rows(
        &self,
        a: &[f64],
        n: usize,
        v: &[f64],
        rows: (usize, usize),
        dots: &mut [f64],
        y: &mut [f64],
    ) {
        assert!(rows.0 <= rows.1 && rows.1 <= n && a.len() >= n * n && v.len() >= n && y.len() >= n);
        assert!(dots.len() >= rows.1 - rows.0);
        // SAFETY: as in `dot`.
        unsafe { (self.symv_rows)(a, n, v, rows.0, rows.1, dots, y) }
    }

    /// See [`rank2_rows_body`].
    #[inline]
    pub(super) fn rank2_rows(&self, rows: &mut [f64], n: usize, r0: usize, vt: &[f64], wt: &[f64], nq: usize) {
        assert!(rows.len().is_multiple_of(n.max(1)) && r0 + rows.len() / n.max(1) <= n);
        assert!(nq <= MAX_Q && vt.len() >= nq * n && wt.len() >= nq * n);
        // SAFETY: as in `dot`.
        unsafe { (self.rank2_rows)(rows, n, r0, vt, wt, nq) }
    }

    /// See [`rank2_vec_body`]: y[c] for c in `cols`.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn rank2_vec(
        &self,
        y: &mut [f64],
        alpha: &[f64],
        beta: &[f64],
        vt: &[f64],
        wt: &[f64],
        n: usize,
        cols: (usize, usize),
    ) {
        let nq = alpha.len();
        assert!(
            nq <= MAX_Q
                && beta.len() == nq
                && vt.len() >= nq * n
                && wt.len() >= nq * n
                && cols.1 <= n
                && y.len() >= cols.1
        );
        // SAFETY: as in `dot`.
        unsafe { (self.rank2_vec)(y, alpha, beta, vt, wt, n, cols.0, cols.1) }
    }

    /// See [`reflect_row_body`]: reflectors j = js.1 − 1 down to js.0.
    #[inline]
    pub(super) fn reflect_row(&self, x: &mut [f64], a: &[f64], n: usize, tau: &[f64], js: (usize, usize)) {
        assert!(x.len() == n && a.len() >= n * n && js.0 <= js.1 && js.1 < n && tau.len() >= js.1);
        // SAFETY: as in `dot`.
        unsafe { (self.reflect_row)(x, a, n, tau, js.0, js.1) }
    }

    /// See [`rotate_body`].
    #[inline]
    pub(super) fn rotate(&self, x: &mut [f64], y: &mut [f64], c: f64, s: f64) {
        // SAFETY: as in `dot`.
        unsafe { (self.rotate)(x, y, c, s) }
    }
}
