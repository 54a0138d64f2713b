//! Covariance spectrum of C₁ for FCN 784→100→100→10 (P = 89,610), N = 1000 (the page's default
//! N_cov) and N = 2000, natively: the library's fixed-order path (Gram by `nn::linalg`'s
//! `syrk_lower`, the hand-written Householder + QL eigensolver) against the faer path it replaced
//! (faer's triangular matmul for the Gram, faer's `self_adjoint_evd`; `tests/common/faer_evd.rs`)
//! timed in the same run on the same matrices, and against numpy (`bench/anchors/spectrum_anchor.py`).
//! Both paths use the same rayon pool (`RAYON_NUM_THREADS`, else every core).
//!
//! The per-sample gradients are synthetic but shaped like the real ones: layer inputs
//! a₀ (MNIST-like: 80 % zeros, else U(0, 1)), a₁, a₂ = ReLU(N(0, 1)); output errors
//! δ₂ = softmax(z) − onehot (10), δ₁, δ₀ = N(0, 0.05²) masked where the next ReLU is off.
//! They are written to `target/spectrum-bench/*.npy` and numpy loads them, so both sides do
//! the same work. numpy: (1) the same Hadamard trick then `eigvalsh`; (2) the dense route
//! (materialise the centred N × P matrix G, G·Gᵀ with OpenBLAS, `eigvalsh`).
//!
//! `cargo bench --bench spectrum` (set `SGN_BENCH_NO_ANCHOR=1` to skip numpy,
//! `SGN_BENCH_N` to change the larger N).

#[path = "../tests/common/faer_evd.rs"]
mod faer_evd;
#[path = "common/inputs.rs"]
mod inputs;

use criterion::Criterion;
use inputs::{fcn_grads, to_grads, SIZES};
use sgn_lab::data::npy::write_npy_f64;

use ndarray::Array2;
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

/// The faer path the library ran before (Gram, centring, faer eigenvalues, the same clamp).
fn faer_spectrum(grads: &sgn_lab::nn::PerSampleGrads) -> Vec<f64> {
    let n = grads.n;
    let mut k = Array2::from_shape_vec((n, n), faer_evd::faer_gram(grads)).expect("n × n");
    gram::centre(&mut k);
    let c = 1.0 / n as f64;
    k.iter_mut().for_each(|x| *x *= c);
    let (mut v, _) = faer_evd::faer_evd(k.as_slice().expect("standard layout"), n, false);
    eigen::clamp_and_rank_centred(&mut v, n, grads.p());
    v
}

/// Stage timings (best of `reps`) of both paths at one N, with the ratio and their agreement.
fn compare_paths(n: usize, grads: &sgn_lab::nn::PerSampleGrads, reps: usize) -> f64 {
    let (t_gram, k) = time(reps, || gram::gram(grads).expect("gram"));
    let (t_gram_faer, k_faer) = time(reps, || faer_evd::faer_gram(grads));
    let kmax = k.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let dk = k.iter().zip(&k_faer).fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    let mut kc = k.clone();
    gram::centre(&mut kc);
    let c = 1.0 / n as f64;
    kc.iter_mut().for_each(|x| *x *= c);
    let kc_data = kc.as_slice().expect("standard layout");
    let (t_eig, ours) = time(reps, || eigen::eigenvalues_desc(kc.view()).expect("eig"));
    let (t_eig_faer, theirs) = time(reps, || faer_evd::faer_evd(kc_data, n, false).0);
    let dl = ours.iter().zip(&theirs).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / ours[0];
    let (t_vec, _) = time(1, || eigen::eigen_desc(kc.view()).expect("eig"));
    let (t_vec_faer, _) = time(1, || faer_evd::faer_evd(kc_data, n, true));
    let (t_total, spec) = time(reps, || spectrum_of_grads(grads).expect("spectrum"));
    let (t_total_faer, _) = time(reps, || faer_spectrum(grads));
    println!(
        "N = {n} (rayon pool: {} threads)            fixed order    faer   ratio",
        rayon::current_num_threads()
    );
    let row = |what: &str, a: f64, b: f64| println!("  {what:<36} {a:8.3} s {b:7.3} s  {:5.2}×", a / b);
    row("Gram (Hadamard trick)", t_gram, t_gram_faer);
    row("eigenvalues of the centred Gram", t_eig, t_eig_faer);
    row("eigenvalues + eigenvectors", t_vec, t_vec_faer);
    row("total spectrum_of_grads", t_total, t_total_faer);
    println!(
        "  agreement: Gram max |Δ| = {:.1e} of max |K|, eigenvalues max |Δλ| = {dl:.1e} of λ₁; rank {}  λ1 {:.6e}",
        dk / kmax,
        spec.rank,
        spec.eigenvalues[0]
    );
    t_total
}

fn main() {
    let n: usize = std::env::var("SGN_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let (a1, d1) = fcn_grads(1000, 2024);
    let grads_1000 = to_grads(1000, &a1, &d1);
    let (a, d) = fcn_grads(n, 2024);
    let grads = to_grads(n, &a, &d);
    println!("spectrum bench: FCN 784→100→100→10, P = {}", grads.p());
    compare_paths(1000, &grads_1000, 3);
    let t_total = compare_paths(n, &grads, 3);
    let spec = spectrum_of_grads(&grads).expect("spectrum");

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
    let (t_dk, dk) = time(1, || {
        sgn_lab::spectrum::davis_kahan(k_dk.view(), 50, 1).expect("davis-kahan")
    });
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
    for (m, gr) in [(1000, &grads_1000), (n, &grads)] {
        g.bench_function(format!("spectrum_of_grads/fcn_n{m}"), |b| {
            b.iter(|| spectrum_of_grads(gr).expect("spectrum"))
        });
        g.bench_function(format!("spectrum_of_grads_faer/fcn_n{m}"), |b| {
            b.iter(|| faer_spectrum(gr))
        });
        g.bench_function(format!("gram/fcn_n{m}"), |b| b.iter(|| gram::gram(gr).expect("gram")));
        g.bench_function(format!("gram_faer/fcn_n{m}"), |b| b.iter(|| faer_evd::faer_gram(gr)));
    }
    g.finish();
    c.final_summary();
}
