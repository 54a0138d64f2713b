//! `spectrum::eigen::evd_bytes` is a real bound: a counting global allocator measures the peak
//! bytes `eigenvalues_desc` and `eigen_desc` allocate (besides their input and what they return
//! is included) with 1 and 2 threads, and the test asserts peak ≤ estimate ≤ 1.5 × peak + 64 KiB.
#![cfg(not(target_arch = "wasm32"))]

use ndarray::Array2;
use sgn_lab::spectrum::eigen::{eigen_desc, eigenvalues_desc, evd_bytes};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;
static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let live = LIVE.fetch_add(l.size() as u64, Ordering::SeqCst) + l.size() as u64;
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size() as u64, Ordering::SeqCst);
    }
}

#[global_allocator]
static A: Counting = Counting;

fn matrix(n: usize) -> Array2<f64> {
    let mut a = Array2::zeros((n, n));
    for i in 0..n {
        for j in 0..=i {
            let x = (((i * 7919 + j * 104_729) % 1009) as f64 / 1009.0) - 0.5;
            a[[i, j]] = x;
            a[[j, i]] = x;
        }
    }
    a
}

/// Peak bytes above the live bytes at the start while `f` runs.
fn peak_of<R>(f: impl FnOnce() -> R) -> u64 {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let r = f();
    let peak = PEAK.load(Ordering::SeqCst) - base;
    drop(r);
    peak
}

#[test]
fn evd_bytes_bounds_the_peak() {
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            // Warm the pool's queues before measuring.
            eigen_desc(matrix(600).view()).unwrap();
            for n in [1, 2, 5, 33, 100, 300, 700] {
                let a = matrix(n);
                for vectors in [false, true] {
                    let peak = if vectors {
                        peak_of(|| eigen_desc(a.view()).unwrap())
                    } else {
                        peak_of(|| eigenvalues_desc(a.view()).unwrap())
                    };
                    let est = evd_bytes(n, vectors);
                    eprintln!("{threads} threads, n = {n}, vectors {vectors}: peak {peak} B, estimate {est} B");
                    assert!(
                        peak <= est,
                        "{threads} threads, n = {n}, vectors {vectors}: peak {peak} > estimate {est}"
                    );
                    assert!(
                        est as f64 <= 1.5 * peak as f64 + 65536.0,
                        "{threads} threads, n = {n}, vectors {vectors}: estimate {est} ≫ peak {peak}"
                    );
                }
            }
        });
    }
}
