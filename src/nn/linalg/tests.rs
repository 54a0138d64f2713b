//! The products against the scalar definition of [`super`], bit for bit: every vector width,
//! both layouts, every x86 kernel set the CPU has, 1–3 threads, IEEE special cases.

use super::plan::{plan_a, scan_b, Costs, Plan, ViewA};
use super::*;
use rand::RngExt;

fn transpose<T: Scalar>(x: &[T], rows: usize, cols: usize) -> Vec<T> {
    let mut out = vec![T::zero(); rows * cols];
    for r in 0..rows {
        for (c, &v) in x[r * cols..(r + 1) * cols].iter().enumerate() {
            out[c * rows + r] = v;
        }
    }
    out
}

/// One workspace serves products of any shape in any order (stale contents never leak into a
/// result: the checks below reuse one workspace throughout), holds at most the documented
/// worst case for the largest product, and is reused as is by that product and smaller ones.
#[test]
fn a_workspace_grows_to_the_largest_product_and_is_reused() {
    let mut rng = crate::rng::seeded(3);
    // Half of A's entries are exact zeros, in a different pattern in every row: each row keeps
    // its own list of about k/2 positions. op(B) = Bᵀ is packed.
    let (m, k, n) = (300, 200, 20);
    let a: Vec<f32> = sparse(&mut rng, m * k, 0.5);
    let bt: Vec<f32> = sparse(&mut rng, n * k, 0.0);
    let want = reference(m, k, n, 1.0, &a, &transpose(&bt, n, k), 0.0, &vec![0.0; m * n]);
    let mut ws = Workspace::new();
    assert_eq!(ws.bytes(), 0);
    let mut c = vec![f32::NAN; m * n];
    ws.gemm(m, k, n, 1.0, &a, Op::N, &bt, Op::T, 0.0, &mut c);
    assert!(same_bits(&c, &want));
    let grown = ws.bytes();
    // Packed panels (≤ 64 columns wide), lists, copied A values, flags and plans.
    let bound = (n + 63) * k * 4 + (k + m * k + 1) * 4 + (m * k + 1) * 4 + 3 * k + m * std::mem::size_of::<Plan>();
    assert!(grown > m * k && grown <= bound, "{grown} bytes, bound {bound}");
    ws.gemm(m, k, n, 1.0, &a, Op::N, &bt, Op::T, 0.0, &mut c);
    assert_eq!(ws.bytes(), grown, "the same product allocates nothing more");
    assert!(same_bits(&c, &want));
    let half = m / 2 * k;
    ws.gemm(
        m / 2,
        k,
        n,
        1.0,
        &vec![0.0f32; half],
        Op::N,
        &bt,
        Op::T,
        0.0,
        &mut c[..m / 2 * n],
    );
    assert_eq!(ws.bytes(), grown, "nor does a smaller one");
    assert!(c[..m / 2 * n].iter().all(|&v| v.to_bits() == 0));
    assert_eq!(ws.clone().bytes(), 0, "a clone is a fresh workspace");
}

#[test]
fn gemm_all_transposes() {
    // A = [[1,2,3],[4,5,6]] (2×3), B = [[1,0],[0,1],[1,1]] (3×2); AB = [[4,5],[10,11]]
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let at = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
    let b = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    let bt = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    let want = [4.0, 5.0, 10.0, 11.0];
    for (aa, oa) in [(&a, Op::N), (&at, Op::T)] {
        for (bb, ob) in [(&b, Op::N), (&bt, Op::T)] {
            let mut c = [1.0f64; 4];
            Workspace::new().gemm(2, 3, 2, 1.0, aa, oa, bb, ob, 0.0, &mut c);
            assert_eq!(c, want);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn reference<T: Scalar>(m: usize, k: usize, n: usize, alpha: T, a: &[T], b: &[T], beta: T, c0: &[T]) -> Vec<T> {
    let mut want = c0.to_vec();
    for i in 0..m {
        for j in 0..n {
            let mut s = T::zero();
            for p in 0..k {
                s += a[i * k + p] * b[p * n + j];
            }
            want[i * n + j] = if beta == T::zero() {
                T::zero()
            } else {
                beta * c0[i * n + j]
            } + alpha * s;
        }
    }
    want
}

fn same_bits<T: Scalar>(x: &[T], y: &[T]) -> bool {
    x.len() == y.len()
        && x.iter()
            .zip(y)
            .all(|(u, v)| u.bits() == v.bits() || (u.is_nan() && v.is_nan()))
}

/// The product through `gemm` (the CPU's vectors) and through the portable vectors of 1 to
/// 16 lanes with both dense widths, for both layouts of both operands, all in the one
/// workspace `ws` (reused across shapes and vector types, as a network's tape reuses it).
#[allow(clippy::too_many_arguments)]
fn check_all<T: Scalar>(
    ws: &mut Workspace<T>,
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: &[T],
    b: &[T],
    beta: T,
    c0: &[T],
    what: &str,
) {
    let want = reference(m, k, n, alpha, a, b, beta, c0);
    let at = transpose(a, m, k);
    let bt = transpose(b, k, n);
    for (aa, oa) in [(a, Op::N), (&at[..], Op::T)] {
        for (bb, ob) in [(b, Op::N), (&bt[..], Op::T)] {
            let mut c = c0.to_vec();
            ws.gemm(m, k, n, alpha, aa, oa, bb, ob, beta, &mut c);
            assert!(same_bits(&c, &want), "{what}: shape {m}×{k}×{n}, ops {oa:?} {ob:?}");
            let configs = [(1, 8, 2), (2, 16, 2), (4, 32, 2), (8, 64, 2), (16, 64, 4), (8, 32, 4)];
            // Every layout with A copied or in place, and blocks forced dense (row cost 1000),
            // forced row by row (0) or chosen (3).
            let variants = configs.into_iter().flat_map(|x| {
                [false, true]
                    .into_iter()
                    .flat_map(move |ca| [0, 3, 1000].map(|rc| (x, ca, rc)))
            });
            for ((lanes, width, dense), copy_a, row_cost) in variants {
                let mut c = c0.to_vec();
                let overwrite = beta == T::zero();
                if !overwrite {
                    c.iter_mut().for_each(|v| *v *= beta);
                }
                let args = Args {
                    m,
                    k,
                    n,
                    alpha,
                    a: aa,
                    op_a: oa,
                    b: bb,
                    op_b: ob,
                    lower: false,
                    overwrite,
                };
                let costs = Costs { row_cost, copy_a };
                macro_rules! go {
                    ($l:literal) => {
                        run::<simd::Arr<T, $l>>(
                            &args,
                            ws,
                            &mut c,
                            width,
                            dense,
                            costs,
                            serial_safe::<simd::Arr<T, $l>>,
                        )
                    };
                }
                match lanes {
                    1 => go!(1),
                    2 => go!(2),
                    4 => go!(4),
                    8 => go!(8),
                    _ => go!(16),
                }
                assert!(same_bits(&c, &want), "{what}: {lanes} lanes, width {width}, copy {copy_a}, row cost {row_cost}, shape {m}×{k}×{n}, ops {oa:?} {ob:?}");
            }
        }
    }
}

/// Bit-for-bit against the scalar definition of the contract, for shapes hitting every
/// edge path (and the threaded split), with α, β ≠ 1, dense, sparse (ReLU-like) and
/// column-sparse (constant-pixel-like) operands.
#[test]
fn gemm_matches_the_sequential_definition_bit_for_bit() {
    let mut rng = crate::rng::seeded(1);
    let (mut ws32, mut ws64) = (Workspace::new(), Workspace::new());
    let shapes = [
        (1, 1, 1),
        (3, 5, 7),
        (4, 8, 8),
        (9, 17, 21),
        (13, 64, 10),
        (128, 30, 100),
        (5, 40, 131),
        (8, 3, 300),
        (130, 170, 97),
    ];
    for &(m, k, n) in &shapes {
        for zeros in [0.0, 0.5, 0.9, 1.0, -0.3] {
            // zeros < 0: whole columns of A (positions p) are zero with probability |zeros|.
            let dead: Vec<bool> = (0..k).map(|_| rng.random::<f64>() < -zeros).collect();
            let mut a: Vec<f32> = (0..m * k)
                .map(|_| {
                    if rng.random::<f64>() < zeros {
                        0.0
                    } else {
                        rng.random::<f32>() - 0.5
                    }
                })
                .collect();
            for (i, v) in a.iter_mut().enumerate() {
                if dead[i % k] {
                    *v = 0.0;
                }
            }
            let b: Vec<f32> = (0..k * n)
                .map(|_| {
                    if rng.random::<f64>() < 0.2 {
                        0.0
                    } else {
                        rng.random::<f32>() - 0.5
                    }
                })
                .collect();
            let c0: Vec<f32> = (0..m * n).map(|_| rng.random::<f32>() - 0.5).collect();
            check_all(
                &mut ws32,
                m,
                k,
                n,
                0.7f32,
                &a,
                &b,
                0.3f32,
                &c0,
                &format!("f32 zeros {zeros}"),
            );
            check_all(
                &mut ws32,
                m,
                k,
                n,
                1.0f32,
                &a,
                &b,
                0.0f32,
                &c0,
                &format!("f32 β = 0, zeros {zeros}"),
            );
            let a64: Vec<f64> = a.iter().map(|&v| v as f64 * 1.1).collect();
            let b64: Vec<f64> = b.iter().map(|&v| v as f64).collect();
            let c64: Vec<f64> = c0.iter().map(|&v| v as f64).collect();
            check_all(
                &mut ws64,
                m,
                k,
                n,
                -0.7f64,
                &a64,
                &b64,
                1.0f64,
                &c64,
                &format!("f64 zeros {zeros}"),
            );
        }
    }
}

/// Every x86 instruction set this CPU has, called directly (the dispatcher picks only the
/// widest): AVX2 and AVX-512, f32 and f64, against the scalar definition.
#[cfg(target_arch = "x86_64")]
#[test]
fn every_x86_kernel_matches_the_definition() {
    let mut rng = crate::rng::seeded(9);
    for &(m, k, n) in &[(9, 17, 21), (128, 30, 100), (130, 170, 97), (6, 40, 784)] {
        let a: Vec<f32> = (0..m * k)
            .map(|_| {
                if rng.random::<f64>() < 0.5 {
                    0.0
                } else {
                    rng.random::<f32>() - 0.5
                }
            })
            .collect();
        let b: Vec<f32> = (0..k * n).map(|_| rng.random::<f32>() - 0.5).collect();
        let c0: Vec<f32> = (0..m * n).map(|_| rng.random::<f32>() - 0.5).collect();
        let (a64, b64, c64): (Vec<f64>, Vec<f64>, Vec<f64>) = (
            a.iter().map(|&v| v as f64).collect(),
            b.iter().map(|&v| v as f64).collect(),
            c0.iter().map(|&v| v as f64).collect(),
        );
        let want32 = reference(m, k, n, 0.5f32, &a, &b, 1.0, &c0);
        let want64 = reference(m, k, n, 0.5f64, &a64, &b64, 1.0, &c64);
        let args32 = Args {
            m,
            k,
            n,
            alpha: 0.5f32,
            a: &a,
            op_a: Op::N,
            b: &b,
            op_b: Op::N,
            lower: false,
            overwrite: false,
        };
        let args64 = Args {
            m,
            k,
            n,
            alpha: 0.5f64,
            a: &a64,
            op_a: Op::N,
            b: &b64,
            op_b: Op::N,
            lower: false,
            overwrite: false,
        };
        let mut runs: Vec<(&str, Vec<f32>, Vec<f64>)> = Vec::new();
        let (mut ws32, mut ws64) = (Workspace::new(), Workspace::new());
        if std::is_x86_feature_detected!("avx2") {
            let (mut c, mut d) = (c0.clone(), c64.clone());
            // SAFETY: AVX2 is present (checked just above).
            unsafe {
                (
                    x86::f32_avx2(&args32, &mut ws32, &mut c),
                    x86::f64_avx2(&args64, &mut ws64, &mut d),
                )
            };
            runs.push(("avx2", c, d));
        }
        if std::is_x86_feature_detected!("avx512f") {
            let (mut c, mut d) = (c0.clone(), c64.clone());
            // SAFETY: AVX-512F is present (checked just above).
            unsafe {
                (
                    x86::f32_avx512(&args32, &mut ws32, &mut c),
                    x86::f64_avx512(&args64, &mut ws64, &mut d),
                )
            };
            runs.push(("avx512", c, d));
        }
        for (isa, c, d) in runs {
            assert!(same_bits(&c, &want32) && same_bits(&d, &want64), "{isa}: {m}×{k}×{n}");
        }
    }
}

/// A matrix with about `zeros` of its entries exact zeros, the others uniform in [−0.5, 0.5).
fn sparse<T: Scalar>(rng: &mut crate::rng::SeededRng, len: usize, zeros: f64) -> Vec<T> {
    (0..len)
        .map(|_| {
            if rng.random::<f64>() < zeros {
                T::zero()
            } else {
                T::of(rng.random::<f64>() - 0.5)
            }
        })
        .collect()
}

/// The thread-count independence the module promises: products above [`PAR_MIN_WORK`] run in
/// rayon pools of 1, 2 and 3 threads (`threads()` reports each pool's size) give the bits of
/// the scalar definition in every pool — gemm in f32 and f64 with dense and ReLU-like sparse A,
/// both layouts of B, m not a multiple of the block height, and syrk_lower — one workspace per
/// pool, reused.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn products_are_bit_identical_with_1_2_and_3_threads() {
    let mut rng = crate::rng::seeded(13);
    let (m, k, n) = (303, 300, 190);
    assert!(m * k * n >= PAR_MIN_WORK);
    let mut cases32 = Vec::new();
    for zeros in [0.0, 0.7] {
        let a: Vec<f32> = sparse(&mut rng, m * k, zeros);
        let b: Vec<f32> = sparse(&mut rng, k * n, 0.0);
        let want = reference(m, k, n, 1.0f32, &a, &b, 0.0, &vec![0.0; m * n]);
        cases32.push((a, b, want, zeros));
    }
    let a64: Vec<f64> = sparse(&mut rng, m * k, 0.5);
    let b64: Vec<f64> = sparse(&mut rng, k * n, 0.0);
    let c64: Vec<f64> = sparse(&mut rng, m * n, 0.0);
    let want64 = reference(m, k, n, -0.5f64, &a64, &b64, 0.25, &c64);
    let (ms, ks) = (701, 40);
    assert!(ms * ks * ms >= PAR_MIN_WORK);
    let x: Vec<f64> = sparse(&mut rng, ms * ks, 0.5);
    let xt = transpose(&x, ms, ks);
    let gram = reference(ms, ks, ms, 1.0, &x, &xt, 0.0, &vec![0.0; ms * ms]);
    for t in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
        pool.install(|| {
            assert_eq!(threads(), t);
            let (mut ws32, mut ws64) = (Workspace::new(), Workspace::new());
            for (a, b, want, zeros) in &cases32 {
                let bt = transpose(b, k, n);
                for (bb, ob) in [(b, Op::N), (&bt, Op::T)] {
                    let mut c = vec![f32::NAN; m * n];
                    ws32.gemm(m, k, n, 1.0, a, Op::N, bb, ob, 0.0, &mut c);
                    assert!(same_bits(&c, want), "{t} threads, zeros {zeros}, {ob:?}");
                }
            }
            let mut c = c64.clone();
            ws64.gemm(m, k, n, -0.5, &a64, Op::N, &b64, Op::N, 0.25, &mut c);
            assert!(same_bits(&c, &want64), "{t} threads, f64");
            for (a, op) in [(&x, Op::N), (&xt, Op::T)] {
                let mut c = vec![f64::NAN; ms * ms];
                ws64.syrk_lower(ms, ks, a, op, &mut c);
                for i in 0..ms {
                    assert!(
                        same_bits(&c[i * ms..i * ms + i + 1], &gram[i * ms..i * ms + i + 1]),
                        "{t} threads, syrk {op:?} row {i}"
                    );
                }
            }
        });
    }
}

/// The split of a large product: every row of C belongs to exactly one chunk, chunks are whole
/// plans in order, and each chunk's rows start where its first plan does.
#[test]
fn row_chunks_give_every_row_one_owner() {
    let mut rng = crate::rng::seeded(17);
    for &(m, zeros) in &[(4, 0.0), (9, 0.9), (130, 0.5), (131, 0.0), (257, 0.95)] {
        let k = 24;
        let a: Vec<f32> = sparse(&mut rng, m * k, zeros);
        let b: Vec<f32> = sparse(&mut rng, k * 8, 0.0);
        let mut ws = Workspace::new();
        let s = ws.start(m, k, 0, false);
        scan_b(8, &b, s.nf);
        let costs = Costs {
            row_cost: 3,
            copy_a: false,
        };
        plan_a(m, k, ViewA { a: &a, row: k, col: 1 }, s.nf, 8, costs, s.lists);
        let plans = &s.lists.plans;
        for chunks in 1..=plans.len().min(12) {
            let mut c = vec![0.0f32; m * 8];
            let parts = row_chunks(plans, &mut c, 8, chunks);
            assert_eq!(parts.len(), chunks);
            let (mut next_plan, mut next_row) = (0, 0);
            for (part, rows, row0) in &parts {
                assert!(!part.is_empty());
                assert!(
                    std::ptr::eq(&part[0], &plans[next_plan]),
                    "chunks are consecutive plans"
                );
                assert_eq!((*row0, part[0].first_row()), (next_row, next_row));
                let last = part.iter().map(Plan::last_row).max().unwrap();
                assert_eq!(
                    rows.len(),
                    (last + 1 - row0) * 8,
                    "a chunk owns exactly its plans' rows"
                );
                next_plan += part.len();
                next_row = last + 1;
            }
            assert_eq!((next_plan, next_row), (plans.len(), m), "m = {m}, {chunks} chunks");
        }
    }
}

/// The lower triangle of op(A)·op(A)ᵀ equals the full product's, bit for bit, for both
/// layouts, with and without zeros.
#[test]
fn syrk_lower_matches_gemm() {
    let mut rng = crate::rng::seeded(5);
    let mut ws = Workspace::new();
    for &(m, k) in &[(1, 3), (7, 5), (37, 64), (130, 9), (300, 40)] {
        for zeros in [0.0, 0.6] {
            let x: Vec<f64> = sparse(&mut rng, m * k, zeros);
            let mut full = vec![0.0; m * m];
            ws.gemm(m, k, m, 1.0, &x, Op::N, &x, Op::T, 0.0, &mut full);
            let xt = transpose(&x, m, k);
            for (a, op) in [(&x, Op::N), (&xt, Op::T)] {
                let mut c = vec![f64::NAN; m * m];
                ws.syrk_lower(m, k, a, op, &mut c);
                for i in 0..m {
                    for j in 0..=i {
                        assert_eq!(
                            c[i * m + j].to_bits(),
                            full[i * m + j].to_bits(),
                            "{m}×{k} {op:?} ({i}, {j})"
                        );
                    }
                }
            }
        }
    }
}

/// Zeros next to non-finite B rows are not skipped (0·inf = NaN must appear); −0 inputs
/// and a C of −0 keep their IEEE results; k = 0 adds α·(+0).
#[test]
fn zero_skipping_keeps_ieee_special_cases() {
    let (m, k, n) = (6, 5, 19);
    let mut a = vec![0.0f32; m * k];
    a[1] = -0.0;
    a[7] = 2.0;
    a[k * 5 + 4] = -3.0;
    let mut b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 - 3.0).collect();
    b[2 * n + 3] = f32::INFINITY;
    b[4 * n] = -0.0;
    let c0 = vec![-0.0f32; m * n];
    let ws = &mut Workspace::new();
    check_all(ws, m, k, n, 1.0f32, &a, &b, 1.0f32, &c0, "special");
    check_all(ws, m, k, n, -1.0f32, &a, &b, 1.0f32, &c0, "special, α < 0");
    b[2 * n + 3] = f32::NAN;
    check_all(ws, m, k, n, 0.5f32, &a, &b, 0.0f32, &c0, "special, NaN");
    check_all(ws, m, 0, n, -1.0f32, &[], &[], 1.0f32, &c0, "k = 0");
}
