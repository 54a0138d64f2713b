#!/usr/bin/env python3
"""numpy anchor for `cargo bench --bench spectrum`.

Loads the per-sample gradient factors the Rust bench wrote (a{0,1,2}.npy: layer inputs,
d{0,1,2}.npy: output errors, FCN 784->100->100->10 with biases) and computes the spectrum of
C1 = (1/N) sum_j (g_j - mean)(g_j - mean)^T two ways, timing each:

  hadamard: K = sum_l (D_l D_l^T) * (A_l A_l^T + 1), Kc = H K H, eigvalsh(Kc / N)
  dense:    G (N x P, materialised), G -= mean, K = G G^T (OpenBLAS), eigvalsh(K / N)

Prints "key value" lines (seconds) and the largest relative difference from the Rust
eigenvalues (rust_eigenvalues.npy) so the comparison is checked to be the same work.
Thread count: set OPENBLAS_NUM_THREADS before running (the bench runs it with 1 and 2).
"""
import os
import sys
import time

import numpy as np


def best_of(reps, f):
    best, out = float("inf"), None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    d = sys.argv[1]
    A = [np.load(os.path.join(d, f"a{l}.npy")) for l in range(3)]
    D = [np.load(os.path.join(d, f"d{l}.npy")) for l in range(3)]
    n = A[0].shape[0]

    def gram_hadamard():
        K = np.zeros((n, n))
        for a, dl in zip(A, D):
            K += (dl @ dl.T) * (a @ a.T + 1.0)
        return K

    def centre(K):
        r = K.mean(axis=1)
        return K - r[:, None] - r[None, :] + r.mean()

    def hadamard():
        return np.linalg.eigvalsh(centre(gram_hadamard()) / n)[::-1]

    def dense():
        p = sum(a.shape[1] * dl.shape[1] + dl.shape[1] for a, dl in zip(A, D))
        G = np.empty((n, p))
        off = 0
        for a, dl in zip(A, D):
            fi, fo = a.shape[1], dl.shape[1]
            view = G[:, off:off + fo * fi].reshape(n, fo, fi)
            assert np.shares_memory(view, G)
            np.multiply(dl[:, :, None], a[:, None, :], out=view)
            off += fo * fi
            G[:, off:off + fo] = dl
            off += fo
        G -= G.mean(axis=0)
        K = G @ G.T
        del G
        return np.linalg.eigvalsh(K / n)[::-1]

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    t_gram, K = best_of(3, gram_hadamard)
    Kc = centre(K) / n
    t_eig, _ = best_of(3, lambda: np.linalg.eigvalsh(Kc))
    t_h, lam_h = best_of(3, hadamard)
    t_d, lam_d = best_of(1, dense)
    print(f"numpy (OPENBLAS_NUM_THREADS={threads}, numpy {np.__version__})")
    print(f"numpy_hadamard_gram {t_gram:.4f}")
    print(f"numpy_eigvalsh {t_eig:.4f}")
    print(f"numpy_hadamard_total {t_h:.4f}")
    print(f"numpy_dense_total {t_d:.4f}")
    rust_path = os.path.join(d, "rust_eigenvalues.npy")
    if os.path.exists(rust_path):
        r = np.load(rust_path).ravel()
        top = min(len(r), len(lam_h)) // 2
        rel_h = np.max(np.abs(r[:top] - lam_h[:top])) / lam_h[0]
        rel_d = np.max(np.abs(r[:top] - lam_d[:top])) / lam_d[0]
        print(f"max_rel_diff_vs_rust_top_half hadamard {rel_h:.3e} dense {rel_d:.3e}")


if __name__ == "__main__":
    main()
