"""Checks the dump recipes end to end (scripts/check-recipes.sh runs it; not part of `make test`,
which instead analyses the committed bundles this script writes):

    python check.py numpy --out DIR    bundle.dump with a numpy model (closed-form gradients)
    python check.py jax   --out DIR    jax_dump on a tiny MLP trained a few hundred SGD steps
    python check.py torch --out DIR    torch_dump on the same MLP with the JAX run's weights
    ... [--sgn-lab PATH] [--fixtures tests/fixtures/bundle]

Each run writes the bundle and the *equivalent plain inputs* (the explicit per-sample gradient
matrix G, dim_g, dim_g − dim_full, iter_g, iter_draws − iter_full as float64 .npy), then checks:

1. the Gram matrix accumulated over parameter blocks equals G Gᵀ of the explicit matrix
   (1e-12 relative);
2. the covariance spectrum the lab computes from the bundle's Gram (`sgn-lab analyze
   BUNDLE.npz`) equals numpy's eigenvalues of the explicit covariance and the lab's spectrum
   of G.npy, to 1e-10 · λ₁;
3. the lab's verdicts on the bundle (Table A's four rates and the example reports) equal its
   verdicts on the plain .npy inputs.

``--fixtures DIR`` copies the bundle, the plain inputs and expected.json (numpy's eigenvalues)
there: the committed fixtures of tests/analyze_bundle.rs and tests/e2e/upload.test.mjs.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bundle  # noqa: E402

# The tiny problem: 3 Gaussian classes in 10 dimensions, an MLP 10 → 16 (tanh) → 3.
N_TRAIN, D_IN, HIDDEN, CLASSES = 512, 10, 16, 3
BATCH, STEPS, LR = 16, 200, 0.1
SETTINGS = dict(dim_draws=4, iter_draws=300, n_gram=64, chunk=24, block_values=64 * 40)
M_COORDS, SEED = 16, 7


def data():
    rng = np.random.default_rng(2023)
    y = rng.integers(0, CLASSES, size=N_TRAIN)
    centres = rng.normal(size=(CLASSES, D_IN)) * 1.5
    x = centres[y] + rng.standard_t(df=3, size=(N_TRAIN, D_IN))
    return x.astype(np.float32), y.astype(np.int32)


def init():
    rng = np.random.default_rng(11)
    return {"w1": (rng.normal(size=(D_IN, HIDDEN)) / np.sqrt(D_IN)).astype(np.float32),
            "b1": np.zeros(HIDDEN, np.float32),
            "w2": (rng.normal(size=(HIDDEN, CLASSES)) / np.sqrt(HIDDEN)).astype(np.float32),
            "b2": np.zeros(CLASSES, np.float32)}


def numpy_model(x, y, params):
    """Softmax regression on the MLP's features frozen at init: a model whose per-sample
    gradients have a closed form, to check bundle.dump without any framework."""
    h = np.tanh(x.astype(np.float64) @ params["w1"] + params["b1"])
    w = params["w2"].astype(np.float64).copy()
    b = params["b2"].astype(np.float64).copy()
    onehot = np.eye(CLASSES)[y]

    def per_sample_leaves(idx):
        z = h[idx] @ w + b
        pr = np.exp(z - z.max(axis=1, keepdims=True))
        pr /= pr.sum(axis=1, keepdims=True)
        d = pr - onehot[idx]  # ∂ℓ_i/∂z_i
        return [h[idx][:, :, None] * d[:, None, :], d]

    def grad(idx):
        return [leaf.mean(axis=0) for leaf in per_sample_leaves(idx)]

    return [w.size, b.size], grad, per_sample_leaves


def explicit(per_sample, idx):
    """The explicit N x P per-sample gradient matrix, computed in the same chunks of samples as
    bundle.dump (XLA's float32 results depend on the batch shape at the 1e-7 level; the check is
    of the Gram route, not of that)."""
    return np.concatenate([bundle.flatten_rows(per_sample(c)) for c in bundle.chunks(idx, SETTINGS["chunk"])])


def run_sgn_lab(exe, *args):
    r = subprocess.run([exe, "analyze", *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"sgn-lab analyze {' '.join(args)} failed: {r.stderr.strip()}")
    return json.loads(r.stdout)


def same_rate(a, b, what):
    keys = ("power_law", "tested", "skipped")
    if a is None or any(a[k] != b[k] for k in keys):
        raise SystemExit(f"{what}: bundle {a} != plain {b}")
    print(f"  {what}: {a['power_law']}/{a['tested']} power-law on both")


def same_report(a, b, what):
    if (a is None) != (b is None):
        raise SystemExit(f"{what}: one side has no report")
    if a is None:
        return
    for k in ("n", "n_zero", "n_tail", "power_law"):
        if a[k] != b[k]:
            raise SystemExit(f"{what}: {k} {a[k]} != {b[k]}")
    for k in ("xmin", "alpha", "ks_d"):
        if abs(a[k] - b[k]) > 1e-12 * max(1.0, abs(b[k])):
            raise SystemExit(f"{what}: {k} {a[k]} != {b[k]}")
    print(f"  {what}: alpha {a['alpha']:.6g}, d_ks {a['ks_d']:.4g} on both")


def check(out_dir, name, written, explicit_g, exe):
    path = os.path.join(out_dir, f"{name}.npz")
    b = bundle.read_bundle(path)
    # 1. The blocked Gram against the explicit matrix.
    k_explicit = explicit_g @ explicit_g.T
    err = np.abs(b["gram"] - k_explicit).max() / np.abs(np.diag(k_explicit)).max()
    print(f"  Gram over parameter blocks vs G Gᵀ: max |ΔK| / max K_ii = {err:.2e}")
    assert err < 1e-12, err
    # The plain inputs, from the stored values.
    plain = {
        "G": explicit_g,
        "dim_g": b["dim_g"].astype(np.float64),
        "dim_sgn": b["dim_g"].astype(np.float64) - b["dim_full"].astype(np.float64)[None, :],
        "iter_sgn": b["iter_draws"].astype(np.float64) - b["iter_full"].astype(np.float64)[None, :],
    }
    if "iter_g" in b:
        plain["iter_g"] = b["iter_g"].astype(np.float64)
    for k, v in plain.items():
        # float32 when that loses nothing (a float32 model's gradients): half the bytes.
        v32 = v.astype(np.float32)
        np.save(os.path.join(out_dir, f"{name}-{k}.npy"), v32 if np.array_equal(v32, v) else v)
    # 2. Spectra: numpy's, the lab's from the bundle's Gram, the lab's from G.npy.
    gc = explicit_g - explicit_g.mean(axis=0)
    lam_np = np.sort(np.linalg.eigvalsh(gc @ gc.T / len(gc)))[::-1]
    lab_b = run_sgn_lab(exe, path)
    lab_g = run_sgn_lab(exe, os.path.join(out_dir, f"{name}-G.npy"))
    lam_b = np.array(lab_b["gram"]["spectrum"]["eigenvalues"])
    lam_g = np.array(lab_g["spectrum"]["eigenvalues"])
    rank = lab_b["gram"]["spectrum"]["rank"]
    scale = lam_np[0]
    d_np = np.abs(lam_b[:rank] - lam_np[:rank]).max() / scale
    d_g = np.abs(lam_b - lam_g).max() / scale
    print(f"  spectrum from the bundle's Gram vs numpy (explicit G): {d_np:.2e} λ₁; vs the lab on G.npy: {d_g:.2e} λ₁"
          f" (rank {rank}, λ₁ = {scale:.4g})")
    assert d_np < 1e-10 and d_g < 1e-10, (d_np, d_g)
    ta, ex = lab_b["table_a"], lab_b
    # 3. Verdicts: bundle vs the plain inputs.
    a_dim_g = run_sgn_lab(exe, os.path.join(out_dir, f"{name}-dim_g.npy"))
    a_dim_s = run_sgn_lab(exe, os.path.join(out_dir, f"{name}-dim_sgn.npy"))
    a_it_s = run_sgn_lab(exe, os.path.join(out_dir, f"{name}-iter_sgn.npy"))
    same_rate(ta["dimension_g"], a_dim_g["dimension_wise"], "dimension-wise g")
    same_rate(ta["dimension_sgn"], a_dim_s["dimension_wise"], "dimension-wise SGN")
    same_rate(ta["iteration_sgn"], a_it_s["column_wise"], "iteration-wise SGN")
    same_report(ex["dim"]["example_g"]["power_law"], a_dim_g["example_row"], "dimension-wise g, draw 1")
    same_report(ex["dim"]["example_sgn"]["power_law"], a_dim_s["example_row"], "dimension-wise SGN, draw 1")
    same_report(ex["iter"]["example_sgn"]["power_law"], a_it_s["example_column"], "iteration-wise SGN example")
    if "iter_g" in plain:
        a_it_g = run_sgn_lab(exe, os.path.join(out_dir, f"{name}-iter_g.npy"), "--rows", "iterations")
        same_rate(ta["iteration_g"], a_it_g["column_wise"], "iteration-wise g")
        same_report(ex["iter"]["example_g"]["power_law"], a_it_g["example_column"], "iteration-wise g example")
    return {"eigenvalues": lam_np.tolist(), "rank": int(rank), "header": b["header"]}


def train_jax(x, y):
    import jax
    import jax.numpy as jnp

    from jax_dump import leaf_sizes

    def loss_fn(p, xb, yb):
        h = jnp.tanh(xb @ p["w1"] + p["b1"])
        z = h @ p["w2"] + p["b2"]
        return -jnp.mean(jax.nn.log_softmax(z)[jnp.arange(len(yb)), yb])

    params = {k: jnp.asarray(v) for k, v in init().items()}
    coords = bundle.Coordinates(leaf_sizes(params), M_COORDS, seed=SEED)
    rec = bundle.IterRecorder(coords)
    step = jax.jit(jax.value_and_grad(loss_fn))
    rng = np.random.default_rng(5)
    for _ in range(STEPS):
        idx = rng.choice(N_TRAIN, size=BATCH, replace=False)
        loss, g = step(params, x[idx], y[idx])
        rec.record(jax.tree_util.tree_leaves(g))
        params = jax.tree_util.tree_map(lambda p, gi: p - LR * gi, params, g)
    print(f"  trained {STEPS} SGD steps, last minibatch loss {float(loss):.4f}")
    return loss_fn, params, coords, rec.array()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("framework", choices=["numpy", "jax", "torch"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--sgn-lab", default="target/release/sgn-lab")
    ap.add_argument("--fixtures")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    x, y = data()
    name = f"tiny-{a.framework}"
    path = os.path.join(a.out, f"{name}.npz")
    print(f"{a.framework}: writing {path}")
    if a.framework == "numpy":
        sizes, grad, per_sample = numpy_model(x, y, init())
        coords = bundle.Coordinates(sizes, M_COORDS, seed=SEED)
        rec = bundle.IterRecorder(coords)
        rng = np.random.default_rng(5)
        for _ in range(STEPS):
            rec.record(grad(rng.choice(N_TRAIN, size=BATCH, replace=False)))
        w = bundle.dump(path, framework="numpy (closed-form softmax regression)", sizes=sizes, grad=grad,
                        per_sample=per_sample, n_train=N_TRAIN, batch_size=BATCH, model="softmax on frozen features",
                        seed=SEED, coordinates=coords, iter_g=rec.array(), dtype=np.float64, grad_dtype="float64",
                        **SETTINGS)
        g_explicit = explicit(per_sample, w["gram_index"])
        # The orchestration against closed forms: the full gradient is the mean per-sample
        # gradient; each dim row is the mean over a batch; iter_full is full at the coordinates.
        full_explicit = bundle.flatten_rows(per_sample(np.arange(N_TRAIN))).mean(axis=0)
        assert np.abs(w["dim_full"] - full_explicit).max() < 1e-13 * np.abs(full_explicit).max()
        assert np.array_equal(w["iter_full"], w["dim_full"][coords.index])
        print("  full gradient = mean per-sample gradient; iter_full = full at the coordinates: ok")
    elif a.framework == "jax":
        from jax_dump import callbacks, dump_jax
        loss_fn, params, coords, iter_g = train_jax(x, y)
        np.savez(os.path.join(a.out, "tiny-weights.npz"), **{k: np.asarray(v) for k, v in params.items()})
        w = dump_jax(path, loss_fn, params, x, y, batch_size=BATCH, model="MLP 10-16-3 tanh", step=STEPS, seed=SEED,
                     coordinates=coords, iter_g=iter_g, **SETTINGS)
        _, per_sample = callbacks(loss_fn, params, x, y)
        g_explicit = explicit(per_sample, w["gram_index"])
    else:
        import torch
        from torch_dump import dump_torch, leaf_sizes, callbacks

        weights = np.load(os.path.join(a.out, "tiny-weights.npz"))
        model = torch.nn.Sequential(torch.nn.Linear(D_IN, HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, CLASSES))
        with torch.no_grad():  # JAX keeps W as (in, out), torch as (out, in)
            model[0].weight.copy_(torch.from_numpy(weights["w1"].T.copy()))
            model[0].bias.copy_(torch.from_numpy(weights["b1"]))
            model[2].weight.copy_(torch.from_numpy(weights["w2"].T.copy()))
            model[2].bias.copy_(torch.from_numpy(weights["b2"]))
        X, Y = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
        loss_fn = torch.nn.functional.cross_entropy
        coords = bundle.Coordinates(leaf_sizes(model), M_COORDS, seed=SEED)
        # The weights come from the JAX run, so there is no torch training log: no iter_g here.
        w = dump_torch(path, model, loss_fn, X, Y, batch_size=BATCH, model_name="MLP 10-16-3 tanh", step=STEPS,
                       seed=SEED, coordinates=coords, **SETTINGS)
        _, per_sample = callbacks(model, loss_fn, X, Y)
        g_explicit = explicit(per_sample, w["gram_index"])
        jax_bundle = os.path.join(a.out, "tiny-jax.npz")
        if os.path.exists(jax_bundle):
            kj = bundle.read_bundle(jax_bundle)["gram"]
            # Same weights, data and draws; torch's parameter order differs from JAX's (and W is
            # transposed), which leaves the Gram matrix unchanged: float32 round-off only.
            rel = np.abs(w["gram"] - kj).max() / np.abs(np.diag(kj)).max()
            print(f"  torch Gram vs the JAX recipe's on the same weights: {rel:.2e} relative (float32 gradients)")
            assert rel < 1e-5, rel
    expected = check(a.out, name, w, g_explicit, a.sgn_lab)
    if a.fixtures:
        os.makedirs(a.fixtures, exist_ok=True)
        for suffix in (".npz", "-G.npy", "-dim_g.npy", "-dim_sgn.npy", "-iter_g.npy", "-iter_sgn.npy"):
            if os.path.exists(os.path.join(a.out, name + suffix)):
                shutil.copy(os.path.join(a.out, name + suffix), os.path.join(a.fixtures, name + suffix))
        if a.framework == "jax":
            # The same bundle deflated (np.savez_compressed), for the reader's other path; its
            # gram part alone (the other parts absent); and a Gram matrix that is not PSD.
            b = bundle.read_bundle(path)
            head = b.pop("header")
            bundle.write_bundle(os.path.join(a.fixtures, f"{name}-deflated.npz"), head, compressed=True, **b)
            gram_head = {k: v for k, v in head.items() if k != "iter"}
            bundle.write_bundle(os.path.join(a.fixtures, f"{name}-gram-only.npz"), gram_head, gram=b["gram"])
            bad = bundle.header("hand-made", 7, model="an indefinite 2 x 2 'Gram' matrix",
                                gram={"n": 2, "p": 7, "trace": 2.0, "centred": False})
            bundle.write_bundle(os.path.join(a.fixtures, "bad-gram.npz"), bad, gram=np.array([[1.0, 2.0], [2.0, 1.0]]))
        with open(os.path.join(a.fixtures, f"{name}-expected.json"), "w") as f:
            json.dump(expected, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"  fixtures written to {a.fixtures}")
    print(f"{a.framework}: all checks passed")


if __name__ == "__main__":
    main()
