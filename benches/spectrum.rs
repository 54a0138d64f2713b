//! Covariance spectrum of C₁ for FCN 784→100→100→10 (P = 89,610), N = 2000, natively, against
//! numpy timed in the same run (`bench/anchors/spectrum_anchor.py`) on exactly the same numbers.
//!
//! The per-sample gradients are synthetic but shaped like the real ones: layer inputs
//! a₀ (MNIST-like: 80 % zeros, else U(0, 1)), a₁, a₂ = ReLU(N(0, 1)); output errors
//! δ₂ = softmax(z) − onehot (10), δ₁, δ₀ = N(0, 0.05²) masked where the next ReLU is off.
//! They are written to `target/spectrum-bench/*.npy` and numpy loads them, so both sides do
//! the same work. Rust: Gram by the Hadamard trick (faer, one thread), centring, faer
//! eigenvalues. numpy: (1) the same Hadamard trick then `eigvalsh`; (2) the dense route
//! (materialise the centred N × P matrix G, G·Gᵀ with OpenBLAS, `eigvalsh`).
//!
//! `cargo bench --bench spectrum` (set `SGN_BENCH_NO_ANCHOR=1` to skip numpy,
//! `SGN_BENCH_N` to change N).

#[path = "common/inputs.rs"]
mod inputs;

use criterion::Criterion;
use inputs::{fcn_grads, to_grads, SIZES};
use sgn_lab::data::npy::write_npy_f64;

use sgn_lab::spectrum::{eigen, gram, spectrum_of_grads};
use std::time::Instant;

fn time<F: FnMut() -> R, R>(reps: usize, mut f: F) -> (f64, R) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..reps {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    (best, last.expect("reps ≥ 1"))
}

fn main() {
    let n: usize = std::env::var("SGN_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let (a, d) = fcn_grads(n, 2024);
    let grads = to_grads(n, &a, &d);
    println!("spectrum bench: FCN 784→100→100→10, P = {}, N = {n}", grads.p());

    // Stage timings (best of 3).
    let (t_gram, k) = time(3, || gram::gram(&grads).expect("gram"));
    let mut kc = k.clone();
    gram::centre(&mut kc);
    kc.scale(1.0 / n as f64);
    let (t_eig, _) = time(3, || eigen::eigenvalues_desc(&kc).expect("eig"));
    let (t_total, spec) = time(3, || spectrum_of_grads(&grads).expect("spectrum"));
    println!("rust  gram (Hadamard, faer, 1 thread)   {t_gram:8.3} s");
    println!("rust  eigenvalues (faer, 1 thread)      {t_eig:8.3} s");
    println!(
        "rust  total spectrum_of_grads           {t_total:8.3} s   rank {}  λ1 {:.6e}",
        spec.rank, spec.eigenvalues[0]
    );

    // Davis–Kahan view on the first 1000 samples (three eigendecompositions with vectors).
    let n_dk = n.min(1000);
    let sub = to_grads(
        n_dk,
        &a.iter()
            .zip(SIZES)
            .map(|(x, w)| x[..n_dk * w].to_vec())
            .collect::<Vec<_>>(),
        &d.iter()
            .zip(&SIZES[1..])
            .map(|(x, w)| x[..n_dk * w].to_vec())
            .collect::<Vec<_>>(),
    );
    let k_dk = gram::gram(&sub).expect("gram");
    let (t_dk, dk) = time(1, || sgn_lab::spectrum::davis_kahan(&k_dk, 50, 1).expect("davis-kahan"));
    println!(
        "rust  davis_kahan (N = {n_dk}, top 50)       {t_dk:8.3} s   sin∠(u1) {:.3}",
        dk.sin_angle[0]
    );

    if std::env::var("SGN_BENCH_NO_ANCHOR").is_err() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/spectrum-bench");
        std::fs::create_dir_all(&dir).expect("bench dir");
        for l in 0..3 {
            std::fs::write(dir.join(format!("a{l}.npy")), write_npy_f64(n, SIZES[l], &a[l])).expect("write");
            std::fs::write(dir.join(format!("d{l}.npy")), write_npy_f64(n, SIZES[l + 1], &d[l])).expect("write");
        }
        std::fs::write(
            dir.join("rust_eigenvalues.npy"),
            write_npy_f64(spec.eigenvalues.len(), 1, &spec.eigenvalues),
        )
        .expect("write");
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/anchors/spectrum_anchor.py");
        for threads in ["1", "2"] {
            let out = std::process::Command::new("python3")
                .arg(&script)
                .arg(&dir)
                .env("OPENBLAS_NUM_THREADS", threads)
                .env("OMP_NUM_THREADS", threads)
                .env("MKL_NUM_THREADS", threads)
                .output();
            match out {
                Ok(o) if o.status.success() => {
                    let text = String::from_utf8_lossy(&o.stdout);
                    print!("{text}");
                    let get = |key: &str| -> Option<f64> {
                        text.lines().find_map(|l| {
                            l.trim()
                                .strip_prefix(key)
                                .and_then(|r| r.split_whitespace().next()?.parse().ok())
                        })
                    };
                    if let (Some(h), Some(dn)) = (get("numpy_hadamard_total"), get("numpy_dense_total")) {
                        println!(
                            "ratio (BLAS threads = {threads}): rust / numpy-Hadamard = {:.2}×, rust / numpy-dense = {:.2}×",
                            t_total / h,
                            t_total / dn
                        );
                    }
                }
                Ok(o) => println!("anchor failed: {}", String::from_utf8_lossy(&o.stderr)),
                Err(e) => println!("anchor not run: {e}"),
            }
        }
    }

    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut g = c.benchmark_group("spectrum");
    g.sample_size(10);
    g.bench_function(format!("spectrum_of_grads/fcn_n{n}"), |b| {
        b.iter(|| spectrum_of_grads(&grads).expect("spectrum"))
    });
    g.bench_function(format!("gram/fcn_n{n}"), |b| {
        b.iter(|| gram::gram(&grads).expect("gram"))
    });
    g.finish();
    c.final_summary();
}
