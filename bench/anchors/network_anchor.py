#!/usr/bin/env python3
"""Anchor for `cargo bench --bench engine`: the same network work in numpy and, when it is
installed, JAX (CPU), timed here.

    python3 bench/anchors/network_anchor.py            # scripts/bench.sh runs it pinned to one core

Work compared (FCN 784->100->100->10, ReLU, He init, cross-entropy, f32, the MNIST asset
assets/mnist-10k.bin.gz: first 8,000 images as the training set, per-pixel standardised):
  * one SGD step at batch 128 (momentum 0.9, weight decay 5e-4, lr 0.1): draw a batch, forward,
    backward, update. numpy: hand-written backprop (BLAS sgemm). JAX: jax.jit of
    value_and_grad + the update, the training set already on the device, the batch gathered
    inside the jitted function.
  * per-sample gradients for N = 1000 samples at the initial weights:
      numpy factors: one batched backward pass keeping the per-layer inputs a_l and errors
                     delta_l (sgn-lab's representation: g_j = delta_j a_j^T per dense layer);
      numpy dense:   the same, then the N x P gradient matrix materialised (P = 89,610);
      JAX vmap(grad): jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))), which
                     materialises the dense per-sample gradients as a pytree.

Prints human-readable lines and one machine-readable line per measurement:
    ANCHOR {"task": "<criterion group/bench>", "anchor": "<name>", "s": <mean seconds>, "reps": R}
Without JAX the JAX rows are skipped and the script says so (the numpy rows are always there).
"""
import gzip
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIZES = [784, 100, 100, 10]
LR, MOMENTUM, WD, B, N_PS = 0.1, 0.9, 5e-4, 128, 1000


def load_mnist():
    raw = gzip.open(os.path.join(ROOT, "assets", "mnist-10k.bin.gz")).read()
    assert raw[:4] == b"SGNI"
    n = int.from_bytes(raw[6:10], "little")
    rows = int.from_bytes(raw[10:12], "little")
    cols = int.from_bytes(raw[12:14], "little")
    maxv = int.from_bytes(raw[16:18], "little")
    h = 18
    px = np.frombuffer(raw, np.uint8, n * rows * cols, h).reshape(n, rows * cols).astype(np.float32) / maxv
    y = np.frombuffer(raw, np.uint8, n, h + n * rows * cols).astype(np.int32)
    x, y = px[:8000], y[:8000]
    mu, sd = x.mean(0), x.std(0)
    sd[sd == 0] = 1
    return ((x - mu) / sd).astype(np.float32), y


def init(rng):
    return [
        (
            (rng.standard_normal((SIZES[l + 1], SIZES[l])) * np.sqrt(2 / SIZES[l])).astype(np.float32),
            np.zeros(SIZES[l + 1], np.float32),
        )
        for l in range(3)
    ]


def report(task, anchor, s, reps):
    print(f"{anchor:<48} {task:<45} {s * 1e3:10.3f} ms  (mean of {reps})")
    print("ANCHOR " + json.dumps({"task": task, "anchor": anchor, "s": s, "reps": reps}))
    sys.stdout.flush()


def timeit(f, warmup, reps):
    for _ in range(warmup):
        f()
    t = time.perf_counter()
    for _ in range(reps):
        f()
    return (time.perf_counter() - t) / reps


# ---------------------------------------------------------------- numpy
def np_backward(params, x, y, mean):
    """Batched forward + backward; returns per-layer inputs a_l and errors delta_l.
    mean=True scales the output error by 1/B (minibatch loss), False keeps per-sample errors."""
    a = [x]
    z = []
    h = x
    for l, (w, b) in enumerate(params):
        zz = h @ w.T + b
        z.append(zz)
        h = np.maximum(zz, 0) if l < 2 else zz
        if l < 2:
            a.append(h)
    zmax = h.max(1, keepdims=True)
    e = np.exp(h - zmax)
    p = e / e.sum(1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    d = p / len(y) if mean else p
    deltas = [None, None, d]
    for l in (2, 1):
        d = (d @ params[l][0]) * (z[l - 1] > 0)
        deltas[l - 1] = d
    return a, deltas


def numpy_rows(x, y):
    rng = np.random.default_rng(0)
    params = init(rng)
    vel = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]
    perm = rng.permutation(len(x))
    pos = [0]

    def step():
        i = pos[0]
        if i + B > len(x):
            perm[:] = rng.permutation(len(x))
            i = 0
        idx = perm[i:i + B]
        pos[0] = i + B
        a, d = np_backward(params, x[idx], y[idx], True)
        for l in range(3):
            w, b = params[l]
            vw, vb = vel[l]
            gw = d[l].T @ a[l] + WD * w
            gb = d[l].sum(0) + WD * b
            vw *= MOMENTUM
            vw += gw
            vb *= MOMENTUM
            vb += gb
            w -= LR * vw
            b -= LR * vb

    report("engine/sgd_step_fcn784-100-100-10_b128", "numpy SGD step (hand backprop)", timeit(step, 20, 300), 300)

    params0 = init(np.random.default_rng(1))
    xs, ys = x[:N_PS], y[:N_PS]

    def factors():
        return np_backward(params0, xs, ys, False)

    report("engine/per_sample_grads_n1000_f32", "numpy factors (a, delta; batched)", timeit(factors, 2, 10), 10)

    p_total = sum(SIZES[l] * SIZES[l + 1] + SIZES[l + 1] for l in range(3))

    def dense():
        a, d = factors()
        g = np.empty((N_PS, p_total), np.float32)
        off = 0
        for l in range(3):
            fi, fo = SIZES[l], SIZES[l + 1]
            view = g[:, off:off + fo * fi].reshape(N_PS, fo, fi)
            assert np.shares_memory(view, g)
            np.multiply(d[l][:, :, None], a[l][:, None, :], out=view)
            off += fo * fi
            g[:, off:off + fo] = d[l]
            off += fo
        return g

    report("engine/per_sample_grads_n1000_f32", "numpy dense (N x P materialised)", timeit(dense, 1, 3), 3)


# ---------------------------------------------------------------- JAX
def jax_rows(x, y):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError as e:  # the numpy rows stand alone
        print(f"JAX not available ({e}); JAX rows skipped")
        return
    print(f"JAX {jax.__version__} on {jax.devices()}")
    rng = np.random.default_rng(0)
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in init(rng)]
    vel = [(jnp.zeros_like(w), jnp.zeros_like(b)) for w, b in params]
    xd, yd = jnp.asarray(x), jnp.asarray(y)

    def logits(params, h):
        for l, (w, b) in enumerate(params):
            h = h @ w.T + b
            if l < 2:
                h = jax.nn.relu(h)
        return h

    def batch_loss(params, xb, yb):
        lg = logits(params, xb)
        return jnp.mean(jax.nn.logsumexp(lg, axis=-1) - jnp.take_along_axis(lg, yb[:, None], axis=-1)[:, 0])

    @jax.jit
    def step(params, vel, idx):
        loss, g = jax.value_and_grad(batch_loss)(params, xd[idx], yd[idx])
        new_p, new_v = [], []
        for (w, b), (vw, vb), (gw, gb) in zip(params, vel, g):
            vw = MOMENTUM * vw + gw + WD * w
            vb = MOMENTUM * vb + gb + WD * b
            new_p.append((w - LR * vw, b - LR * vb))
            new_v.append((vw, vb))
        return new_p, new_v, loss

    perm = rng.permutation(len(x))
    state = {"p": params, "v": vel, "i": 0}

    def run_step():
        i = state["i"]
        if i + B > len(x):
            perm[:] = rng.permutation(len(x))
            i = 0
        state["i"] = i + B
        state["p"], state["v"], loss = step(state["p"], state["v"], perm[i:i + B])
        loss.block_until_ready()

    report("engine/sgd_step_fcn784-100-100-10_b128", "JAX jit SGD step", timeit(run_step, 20, 300), 300)

    def sample_loss(params, xi, yi):
        lg = logits(params, xi)
        return jax.nn.logsumexp(lg) - lg[yi]

    ps = jax.jit(jax.vmap(jax.grad(sample_loss), in_axes=(None, 0, 0)))
    params0 = [(jnp.asarray(w), jnp.asarray(b)) for w, b in init(np.random.default_rng(1))]
    xs, ys = xd[:N_PS], yd[:N_PS]

    def per_sample():
        jax.block_until_ready(ps(params0, xs, ys))

    report("engine/per_sample_grads_n1000_f32", "JAX jit(vmap(grad)) (dense pytree)", timeit(per_sample, 2, 10), 10)


def main():
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")
    x, y = load_mnist()
    numpy_rows(x, y)
    jax_rows(x, y)
    return 0


if __name__ == "__main__":
    sys.exit(main())
