//! Theory views: Davis–Kahan (sample-space computation against the direct d-space one, and
//! the bound holding), eigengaps, trace share, effective rank.

use ndarray::{Array2, ArrayView2};
use rand::RngExt;
use rand_distr::StandardNormal;
use sgn_lab::rng::seeded;
use sgn_lab::spectrum::eigen::{eigen_desc, eigenvalues_desc};
use sgn_lab::spectrum::{davis_kahan, effective_rank, eigengaps, gram, theory_views, trace_share, Spectrum};

/// n samples of dimension d with population covariance diag(k^(−s)) rotated by a fixed random
/// orthogonal-ish mix, plus a common mean.
fn samples(n: usize, d: usize, s: f64, seed: u64) -> Vec<f64> {
    let mut rng = seeded(seed);
    let scale: Vec<f64> = (1..=d).map(|k| (k as f64).powf(-s / 2.0)).collect();
    let mean: Vec<f64> = (0..d).map(|_| rng.sample::<f64, _>(StandardNormal)).collect();
    (0..n * d)
        .map(|i| mean[i % d] + scale[i % d] * rng.sample::<f64, _>(StandardNormal))
        .collect()
}

fn covariance(x: &[f64], rows: &[usize], d: usize) -> Array2<f64> {
    let m = rows.len() as f64;
    let mut mean = vec![0.0; d];
    for &r in rows {
        for i in 0..d {
            mean[i] += x[r * d + i] / m;
        }
    }
    let mut c = Array2::zeros((d, d));
    for &r in rows {
        for a in 0..d {
            let xa = x[r * d + a] - mean[a];
            for b in 0..d {
                c[[a, b]] += xa * (x[r * d + b] - mean[b]) / m;
            }
        }
    }
    c
}

#[test]
fn davis_kahan_matches_direct_computation_and_bound_holds() {
    for (n, d, s, seed) in [(60usize, 20usize, 1.0, 1u64), (80, 200, 1.5, 2), (200, 30, 2.0, 3)] {
        let x = samples(n, d, s, seed);
        let k = gram::gram_dense(ArrayView2::from_shape((n, d), &x).unwrap()).unwrap();
        let top = 10;
        let dk = davis_kahan(k.view(), top, seed).unwrap();
        assert_eq!(dk.n_a + dk.n_b, n);
        // Reconstruct the same halves (the permutation is seeded inside; recover it from the
        // reported C_a eigenvalues by recomputing with every candidate is not possible, so
        // recompute directly: halves from the same substream).
        use rand::seq::SliceRandom;
        let mut perm: Vec<usize> = (0..n).collect();
        perm.shuffle(&mut sgn_lab::rng::substream(seed, 0x5_BEC7_0003));
        let (ia, ib) = perm.split_at(n / 2);
        let ca = covariance(&x, ia, d);
        let cb = covariance(&x, ib, d);
        let ea = eigen_desc(ca.view()).unwrap();
        let eb = eigen_desc(cb.view()).unwrap();
        let mut diff = ca.clone();
        for (v, w) in diff.iter_mut().zip(&cb) {
            *v -= w;
        }
        let dn = eigenvalues_desc(diff.view())
            .unwrap()
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        assert!((dk.delta_norm - dn).abs() < 1e-9 * dn, "‖ΔC‖ {} vs {dn}", dk.delta_norm);
        for (i, &kk) in dk.k.iter().enumerate() {
            let j = kk - 1;
            assert!((dk.lambda_a[i] - ea.values[j]).abs() < 1e-9 * ea.values[0]);
            let cos: f64 = ea
                .vector(j)
                .iter()
                .zip(eb.vector(j))
                .map(|(a, b)| a * b)
                .sum::<f64>()
                .abs();
            let sin = (1.0 - cos.min(1.0).powi(2)).sqrt();
            assert!(
                (dk.sin_angle[i] - sin).abs() < 1e-6,
                "k={kk}: sin {} vs direct {sin}",
                dk.sin_angle[i]
            );
            // Yu–Wang–Samworth: sin∠ ≤ 2‖ΔC‖ / min-gap.
            assert!(
                dk.sin_angle[i] <= dk.bound[i] * (1.0 + 1e-9),
                "k={kk}: {} > {}",
                dk.sin_angle[i],
                dk.bound[i]
            );
            let l = &ea.values;
            let above = if j == 0 { f64::INFINITY } else { l[j - 1] - l[j] };
            let gap = above.min(l[j] - l[j + 1].max(0.0));
            assert!((dk.min_gap[i] - gap).abs() < 1e-9 * l[0], "gap k={kk}");
        }
        // With 100 samples per half and s = 2 the top direction is stable.
        if n == 200 {
            assert!(dk.sin_angle[0] < 0.3, "sin∠(u1) = {}", dk.sin_angle[0]);
        }
    }
}

#[test]
fn eigengaps_trace_share_effective_rank() {
    let ev: Vec<f64> = (1..=1000).map(|k| 1.0 / k as f64).collect();
    let g = eigengaps(&ev, 1000);
    assert_eq!(g.by_rank.len(), 999);
    assert!((g.by_rank[0] - 0.5).abs() < 1e-15);
    // For s = 1, δ_k = 1/(k(k+1)) is already descending.
    assert_eq!(g.by_rank, g.sorted);
    // Top-10 share of k^(−1) over 1000 = H_10 / H_1000 ≈ 0.391 (paper.md §5.3).
    let share = trace_share(&ev);
    let h = |m: usize| (1..=m).map(|k| 1.0 / k as f64).sum::<f64>();
    assert!((share[9] - h(10) / h(1000)).abs() < 1e-12);
    assert!((share[999] - 1.0).abs() < 1e-12);
    assert!((effective_rank(&[2.0; 7]) - 7.0).abs() < 1e-12);
    assert!((effective_rank(&[5.0, 0.0]) - 1.0).abs() < 1e-12);
    let v = theory_views(&Spectrum {
        n: 4,
        d: 4,
        rank: 2,
        eigenvalues: vec![3.0, 1.0, 0.0, 0.0],
    });
    assert_eq!(v.eigengaps.by_rank, vec![2.0]);
    assert_eq!(v.trace_share, vec![0.75, 1.0]);
}

#[test]
fn infinite_bound_round_trips_through_json() {
    let dk = sgn_lab::spectrum::DavisKahan {
        k: vec![1, 2],
        sin_angle: vec![0.1, 0.9],
        bound: vec![0.5, f64::INFINITY],
        min_gap: vec![1.0, 0.0],
        delta_norm: 0.25,
        lambda_a: vec![2.0, 1.0],
        n_a: 5,
        n_b: 5,
    };
    let json = serde_json::to_string(&dk).unwrap();
    assert!(json.contains("null"));
    let back: sgn_lab::spectrum::DavisKahan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, dk);
}
