"""The worked example of docs/YOUR-GRADIENTS.md: the JAX recipe on a LeNet-5 trained for one
epoch on the lab's MNIST subset (assets/mnist-10k.bin.gz; format in scripts/make_mnist_asset.py).

    recipes/.venv/bin/python recipes/examples/lenet_mnist.py OUT.npz
    target/release/sgn-lab analyze OUT.npz > report.json

The network is the lab's LeNet-5 (src/nn/network.rs): conv 5x5x6, ReLU, 2x2 max-pool, conv
5x5x16, ReLU, max-pool, 256 -> 120 -> 84 -> 10 with ReLU; P = 44,426. Data: 8,000 training
images (a seeded permutation of the 10,000; pixels / 255), minibatch SGD with B = 32 and
eta = 0.05 for one epoch (250 steps), recording m = 100 coordinates of every minibatch gradient;
then the bundle at the final weights: 4 dimension-wise draws, 1,000 iteration-wise draws and the
Gram matrix of 1,000 per-sample gradients.
"""

import gzip
import os
import struct
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import bundle  # noqa: E402
from jax_dump import dump_jax, leaf_sizes  # noqa: E402

SEED, N_TRAIN, BATCH, LR = 0, 8000, 32, 0.05


def mnist(path):
    raw = gzip.open(path).read()
    assert raw[:4] == b"SGNI"
    _, n, rows, cols, _, max_value = struct.unpack("<HIHHHH", raw[4:18])
    px = np.frombuffer(raw, np.uint8, n * rows * cols, 18).reshape(n, 1, rows, cols)
    labels = np.frombuffer(raw, np.uint8, n, 18 + n * rows * cols)
    return (px.astype(np.float32) / max_value), labels.astype(np.int32)


def init(key):
    def dense(k, i, o):
        return jax.random.normal(k, (i, o)) * jnp.sqrt(2.0 / i), jnp.zeros(o)

    def conv(k, cin, cout):
        return jax.random.normal(k, (cout, cin, 5, 5)) * jnp.sqrt(2.0 / (cin * 25)), jnp.zeros(cout)

    ks = jax.random.split(key, 5)
    return {"c1": conv(ks[0], 1, 6), "c2": conv(ks[1], 6, 16), "f1": dense(ks[2], 256, 120),
            "f2": dense(ks[3], 120, 84), "f3": dense(ks[4], 84, 10)}


def forward(p, x):
    def conv(x, wb):
        y = jax.lax.conv_general_dilated(x, wb[0], (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return y + wb[1][None, :, None, None]

    def pool(x):
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

    x = pool(jax.nn.relu(conv(x, p["c1"])))
    x = pool(jax.nn.relu(conv(x, p["c2"])))
    x = x.reshape(x.shape[0], -1)
    x = jax.nn.relu(x @ p["f1"][0] + p["f1"][1])
    x = jax.nn.relu(x @ p["f2"][0] + p["f2"][1])
    return x @ p["f3"][0] + p["f3"][1]


def loss_fn(p, x, y):
    return -jnp.mean(jax.nn.log_softmax(forward(p, x))[jnp.arange(len(y)), y])


def main():
    out = sys.argv[1]
    repo = os.path.dirname(os.path.dirname(HERE))
    x, y = mnist(os.path.join(repo, "assets", "mnist-10k.bin.gz"))
    rng = np.random.default_rng(SEED)
    perm = rng.permutation(len(y))
    tr, te = perm[:N_TRAIN], perm[N_TRAIN:]
    params = init(jax.random.PRNGKey(SEED))
    print(f"LeNet-5: P = {sum(leaf_sizes(params))}")
    coords = bundle.Coordinates(leaf_sizes(params), 100, seed=SEED)
    rec = bundle.IterRecorder(coords)
    step = jax.jit(jax.value_and_grad(loss_fn))
    t0 = time.time()
    order = rng.permutation(N_TRAIN)
    for s in range(N_TRAIN // BATCH):
        idx = tr[order[s * BATCH:(s + 1) * BATCH]]
        loss, g = step(params, x[idx], y[idx])
        rec.record(jax.tree_util.tree_leaves(g))
        params = jax.tree_util.tree_map(lambda a, b: a - LR * b, params, g)
    acc = float(jnp.mean(jnp.argmax(forward(params, x[te]), axis=1) == y[te]))
    print(f"one epoch: {N_TRAIN // BATCH} steps in {time.time() - t0:.1f} s, last loss {float(loss):.3f}, "
          f"test accuracy {acc:.3f}")
    t0 = time.time()
    dump_jax(out, loss_fn, params, x[tr], y[tr], batch_size=BATCH, model="LeNet-5 (ReLU, max-pool), MNIST subset, 1 epoch",
             step=N_TRAIN // BATCH, seed=SEED, coordinates=coords, iter_g=rec.array(), dim_draws=4, iter_draws=1000,
             n_gram=1000, chunk=250, notes=f"test accuracy {acc:.3f} on 2000 held-out images")
    print(f"bundle {out}: {os.path.getsize(out) / 1e6:.1f} MB in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
