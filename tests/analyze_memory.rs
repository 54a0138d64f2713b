//! Memory of the tiled analysis (`experiment::analyze`), measured with a counting global
//! allocator (this test binary's own): the peak bytes allocated while analysing a `.npy` already
//! in memory stay under the stated estimate (`analyze::dump_bytes`, `bundle::bundle_bytes`), and
//! do not grow with the file — four times the columns, or the rows, and the same peak.

use sgn_lab::data::bundle::read_bundle;
use sgn_lab::data::npy::{check_npy, NpyView};
use sgn_lab::experiment::analyze::bundle::{analyze_bundle, bundle_bytes};
use sgn_lab::experiment::analyze::sample::EXACT_MAX;
use sgn_lab::experiment::analyze::{analyze_source, dump_bytes, AnalyzeOptions, RowKind};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to `System` unchanged; only counts the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            PEAK.fetch_max(
                LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size(),
                Ordering::Relaxed,
            );
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        if !p.is_null() {
            PEAK.fetch_max(
                LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size(),
                Ordering::Relaxed,
            );
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        let q = System.realloc(p, l, n);
        if !q.is_null() {
            let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
            PEAK.fetch_max(now, Ordering::Relaxed);
            LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Tests in this binary measure one at a time.
static ONE: Mutex<()> = Mutex::new(());

/// Peak bytes allocated by `f` above what was live when it started.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - base)
}

/// A rows × cols float32 `.npy` of heavy-tailed values (a cheap hash, no RNG state).
fn npy_f32(rows: usize, cols: usize) -> Vec<u8> {
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    header.push_str(&" ".repeat((64 - (11 + header.len()) % 64) % 64));
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.reserve(4 * rows * cols);
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..rows * cols {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let u = ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        let v = (u - 0.5).signum() * (1.0 / (1.0 - (2.0 * u - 1.0).abs()).sqrt() - 1.0);
        out.extend_from_slice(&(1e-3 * v as f32).to_le_bytes());
    }
    out
}

/// Natively the matrix-product library (faer → private-gemm) reserves a per-thread packing
/// buffer on its first product (docs/RELIABILITY.md, "Limits", exception 4): a one-time
/// reservation, not part of an analysis, made here by a warm-up run before measuring.
fn warm_up() {
    let bytes = npy_f32(64, 1 << 15);
    let h = check_npy(&bytes, usize::MAX).unwrap();
    analyze_source(
        &NpyView::new(&bytes, &h).unwrap(),
        &AnalyzeOptions::default(),
        &mut |_| true,
    )
    .unwrap();
}

fn analysed_peak(rows: usize, cols: usize, o: &AnalyzeOptions) -> (usize, u64) {
    let bytes = npy_f32(rows, cols);
    let h = check_npy(&bytes, usize::MAX).unwrap();
    let v = NpyView::new(&bytes, &h).unwrap();
    let (r, peak) = peak_of(|| analyze_source(&v, o, &mut |_| true));
    let a = r.unwrap();
    assert_eq!((a.rows, a.cols), (rows, cols));
    (peak, dump_bytes(rows, cols, o))
}

#[test]
fn memory_is_under_the_estimate_and_does_not_grow_with_the_file() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    warm_up();
    let o = AnalyzeOptions::default();
    let it = AnalyzeOptions {
        rows: RowKind::Iterations,
        ..o.clone()
    };
    let mib = |b: u64| b as f64 / 1048576.0;
    // Wide (per-sample gradients N × P, spectrum on the Gram route) and tall (a training log
    // T × m, cross-product route), each at two sizes; and, past the limit of samples kept whole
    // (EXACT_MAX values), a dimension-wise vector and a long column at 1× and 4× the length:
    // there the peak must not grow at all.
    let runs = [
        ("wide", 64, 1usize << 17, &o),
        ("wide", 64, 1 << 19, &o),
        ("tall", 1 << 19, 12, &it),
        ("tall", 1 << 21, 12, &it),
        ("vector", 1, EXACT_MAX + 1, &o),
        ("vector", 1, 4 * EXACT_MAX, &o),
        ("column", EXACT_MAX + 1, 2, &it),
        ("column", 4 * EXACT_MAX, 2, &it),
    ];
    let mut peaks = Vec::new();
    for (what, r, c, opts) in runs {
        let (p, e) = analysed_peak(r, c, opts);
        println!(
            "{what} {r} × {c} ({:.0} MiB as float32): peak {:.1} MiB, estimate {:.1} MiB",
            mib(4 * (r * c) as u64),
            mib(p as u64),
            mib(e)
        );
        assert!(p as u64 <= e, "{what} {r} × {c}: peak {p} above the estimate {e}");
        assert!(
            e <= 4 * p as u64 + (8 << 20),
            "{what} {r} × {c}: the estimate {e} is loose against the peak {p}"
        );
        peaks.push(p);
    }
    // Below the limit a longer kept sample costs 8 bytes per value (row 0, column 0 and their
    // noise: at most 4 × 32 MiB in all); past it, nothing.
    assert!(peaks[1] < peaks[0] + (16 << 20), "wide: {peaks:?}");
    assert!(peaks[3] < peaks[2] + (40 << 20), "tall: {peaks:?}");
    assert!(peaks[5] <= peaks[4] + (1 << 20), "vector: {peaks:?}");
    assert!(peaks[7] <= peaks[6] + (1 << 20), "column: {peaks:?}");
}

#[test]
fn a_bundles_memory_is_under_its_estimate() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/bundle/tiny-jax.npz"
    ))
    .unwrap();
    let b = read_bundle(&bytes, 1 << 30).unwrap();
    let o = AnalyzeOptions::default();
    analyze_bundle(&b, &o, &mut |_| true).unwrap(); // warm-up (see `analysed_peak`)
    let (r, peak) = peak_of(|| analyze_bundle(&b, &o, &mut |_| true));
    r.unwrap();
    let est = bundle_bytes(&b, &o);
    println!("tiny-jax bundle: peak {peak} bytes, estimate {est}");
    assert!(peak as u64 <= est, "peak {peak} above the estimate {est}");
}
