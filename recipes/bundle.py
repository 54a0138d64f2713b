"""The sgn-lab gradient bundle: one ``.npz`` the lab reads in one drop (docs/PROTOCOL.md §6,
docs/YOUR-GRADIENTS.md). numpy only: the framework recipes (jax_dump.py, torch_dump.py) compute
gradients and hand them to the pieces here.

Members (``np.savez`` keys; every part optional, the header required):

=============  ==========  ==============================================================
header         (bytes,)    uint8: UTF-8 JSON (framework, model, p, n, b, step, seed, dtype,
                           iter {coordinates, steps, draws}, gram {n, p, trace, centred})
dim_g          D x P       D minibatch gradients g_B at one theta (rows = draws)
dim_full       P           the full-batch gradient: SGN rows xi = g_B - full
iter_g         T x m       m chosen coordinates of g_B over T training steps
iter_draws     M x m       the same m coordinates of M minibatch gradients at one theta
iter_full      m           the full-batch gradient at those coordinates
gram           N x N       float64 Gram matrix G G^T of N per-sample gradients
=============  ==========  ==============================================================
"""

import json

import numpy as np

FORMAT = "sgn-lab-bundle"
VERSION = 1


class GramAccumulator:
    """K = G G^T of N per-sample gradients, accumulated over parameter blocks: K += G_b G_b^T
    for each N x p_b block G_b (any split of the P coordinates, any order), in float64. Only
    one block is ever held, never the N x P matrix G."""

    def __init__(self, n):
        self.n = int(n)
        self.k = np.zeros((self.n, self.n))
        self.p = 0
        self.trace = 0.0

    def add(self, block):
        """Adds the N x p_b block (rows = samples, in the same order every call)."""
        b = np.asarray(block, dtype=np.float64).reshape(self.n, -1)
        self.k += b @ b.T
        self.p += b.shape[1]
        self.trace += float(np.einsum("ij,ij->", b, b))

    def result(self):
        """(K symmetrised, the header's gram section)."""
        k = 0.5 * (self.k + self.k.T)
        return k, {"n": self.n, "p": self.p, "trace": self.trace, "centred": False}


def blocks(sizes, max_values):
    """Splits P = sum(sizes) coordinates (leaves of sizes[i], flattened in order) into blocks
    of at most ``max_values`` coordinates: a list of lists of (leaf, start, stop)."""
    out, cur, room = [], [], max_values
    for leaf, size in enumerate(sizes):
        start = 0
        while start < size:
            take = min(size - start, room)
            cur.append((leaf, start, start + take))
            start += take
            room -= take
            if room == 0:
                out.append(cur)
                cur, room = [], max_values
    if cur:
        out.append(cur)
    return out


class Coordinates:
    """m flat parameter indices chosen uniformly without replacement (numpy seeded), and where
    each lives among the leaves of the given sizes (flattened in order)."""

    def __init__(self, sizes, m, seed=0, index=None):
        self.sizes = [int(s) for s in sizes]
        p = sum(self.sizes)
        if index is None:
            rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
            index = np.sort(rng.choice(p, size=min(m, p), replace=False))
        self.index = np.asarray(index, dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.leaf = np.searchsorted(offsets, self.index, side="right") - 1
        self.offset = self.index - offsets[self.leaf]

    def take(self, leaves):
        """The chosen coordinates of a gradient given as its list of leaves (arrays of the
        sizes above, any shape), as a float64 vector of length m."""
        flat = [np.asarray(leaf).reshape(-1) for leaf in leaves]
        return np.array([flat[l][o] for l, o in zip(self.leaf, self.offset)], dtype=np.float64)


class IterRecorder:
    """Records the chosen coordinates of every minibatch gradient of a training run:
    call ``record(leaves)`` once per step; ``array()`` is the T x m ``iter_g``."""

    def __init__(self, coordinates):
        self.coordinates = coordinates
        self.rows = []

    def record(self, leaves):
        self.rows.append(self.coordinates.take(leaves))

    def array(self):
        return np.array(self.rows, dtype=np.float64).reshape(len(self.rows), len(self.coordinates.index))


def draws_without_replacement(n_train, batch_size, draws, rng):
    """``draws`` minibatches of ``batch_size`` distinct indices each (independent draws)."""
    return [np.sort(rng.choice(n_train, size=batch_size, replace=False)) for _ in range(draws)]


def header(framework, p, *, model="", n=None, b=None, step=None, seed=None, dtype="float32",
           coordinates=None, steps=None, draws=None, gram=None, notes=None):
    """The header dictionary (None values left out)."""
    h = {"format": FORMAT, "version": VERSION, "framework": framework, "model": model, "p": int(p),
         "n": n, "b": b, "step": step, "seed": seed, "dtype": dtype, "notes": notes}
    if coordinates is not None or steps is not None or draws is not None:
        h["iter"] = {"coordinates": [int(c) for c in (coordinates if coordinates is not None else [])],
                     "steps": steps, "draws": draws}
    if gram is not None:
        h["gram"] = gram
    return {k: (int(v) if isinstance(v, (np.integer,)) else v) for k, v in h.items() if v is not None}


def write_bundle(path, head, *, dim_g=None, dim_full=None, iter_g=None, iter_draws=None, iter_full=None,
                 gram=None, compressed=False, dtype=np.float32):
    """Writes the bundle: ``head`` from :func:`header`; gradient parts as ``dtype`` (float32
    halves the size), the Gram matrix always float64. ``compressed`` deflates the members
    (np.savez_compressed; the lab then inflates them into memory)."""
    parts = {"header": np.frombuffer(json.dumps(head, sort_keys=True).encode("utf-8"), dtype=np.uint8)}
    for name, a in (("dim_g", dim_g), ("dim_full", dim_full), ("iter_g", iter_g), ("iter_draws", iter_draws),
                    ("iter_full", iter_full)):
        if a is not None:
            parts[name] = np.ascontiguousarray(a, dtype=dtype)
    if gram is not None:
        parts["gram"] = np.ascontiguousarray(gram, dtype=np.float64)
    (np.savez_compressed if compressed else np.savez)(path, **parts)


def read_bundle(path):
    """The bundle as a dict of arrays, with ``header`` parsed (for checks and your own use)."""
    with np.load(path) as z:
        out = {k: z[k] for k in z.files}
    out["header"] = json.loads(bytes(out["header"]).decode("utf-8"))
    return out


def flatten(leaves):
    """A gradient given as its list of leaves, flattened in order to one float64 vector."""
    return np.concatenate([np.asarray(leaf, dtype=np.float64).reshape(-1) for leaf in leaves])


def flatten_rows(leaves):
    """Per-sample gradients given as leaves with a leading sample axis, as one n x P float64
    matrix (the explicit matrix the Gram route never builds; for checks on small models)."""
    n = len(leaves[0])
    return np.concatenate([np.asarray(leaf, dtype=np.float64).reshape(n, -1) for leaf in leaves], axis=1)


def chunks(index, size):
    """``index`` in consecutive pieces of at most ``size``."""
    return [index[i:i + size] for i in range(0, len(index), size)]


def dump(path, *, framework, sizes, grad, per_sample, n_train, batch_size, model="", step=None, seed=0,
         parts=("dim", "iter", "gram"), dim_draws=4, iter_draws=1000, m=100, coordinates=None, iter_g=None,
         n_gram=1000, chunk=256, block_values=1 << 26, compressed=False, dtype=np.float32, grad_dtype="float32",
         notes=None):
    """Computes and writes a bundle from two framework callbacks (jax_dump.py, torch_dump.py):

    - ``grad(idx)``: the gradient of the mean loss over training samples ``idx`` (an int array)
      at the current weights, as a list of leaves (numpy arrays, a fixed order);
    - ``per_sample(idx)``: the per-sample gradients of those samples, the same leaves with a
      leading axis of len(idx);
    - ``sizes``: the number of values in each leaf (P = their sum).

    Parts (all at the current weights theta, every draw from numpy seeded by ``seed``):

    - ``dim``: ``dim_draws`` minibatch gradients (batches of ``batch_size`` drawn without
      replacement) and the full-batch gradient over all ``n_train`` samples (in chunks);
    - ``iter``: ``m`` coordinates (``coordinates``, or drawn uniformly), ``iter_draws`` minibatch
      gradients at them and the full gradient there; plus ``iter_g`` (T x m) if you recorded
      one along training (:class:`IterRecorder` with the same :class:`Coordinates`);
    - ``gram``: the Gram matrix of the per-sample gradients of ``n_gram`` samples drawn without
      replacement, accumulated over blocks of at most ``block_values // n_gram`` coordinates
      (memory: one n_gram x block float64 slab, 8·block_values bytes; the per-sample
      gradients are recomputed once per block, ``chunk`` samples at a time).

    Returns a dict with what was written and the indices used (for checks)."""
    ss = np.random.SeedSequence(seed).spawn(4)
    rng_dim, rng_iter, rng_gram, rng_coord = (np.random.default_rng(s) for s in ss)
    p = int(sum(sizes))
    everything = np.arange(n_train)
    need_full = "dim" in parts or "iter" in parts
    full = None
    if need_full:
        full = np.zeros(p)
        for c in chunks(everything, chunk):
            full += len(c) * flatten(grad(c))
        full /= n_train
    out = {"p": p}
    kw = {}
    if "dim" in parts:
        batches = draws_without_replacement(n_train, batch_size, dim_draws, rng_dim)
        kw["dim_g"] = np.stack([flatten(grad(b)) for b in batches])
        kw["dim_full"] = full
    coords = None
    if "iter" in parts:
        coords = coordinates if coordinates is not None else Coordinates(sizes, m, rng_coord)
        batches = draws_without_replacement(n_train, batch_size, iter_draws, rng_iter)
        kw["iter_draws"] = np.stack([coords.take(grad(b)) for b in batches])
        kw["iter_full"] = full[coords.index]
        if iter_g is not None:
            kw["iter_g"] = np.asarray(iter_g, dtype=np.float64)
    gram_info = None
    if "gram" in parts:
        n = min(n_gram, n_train)
        idx = rng_gram.choice(n_train, size=n, replace=False)
        acc = GramAccumulator(n)
        for block in blocks(sizes, max(1, block_values // n)):
            width = sum(stop - start for _, start, stop in block)
            slab = np.empty((n, width))
            for rows in chunks(np.arange(n), chunk):
                leaves = per_sample(idx[rows])
                col = 0
                for leaf, start, stop in block:
                    slab[rows, col:col + stop - start] = np.asarray(leaves[leaf]).reshape(len(rows), -1)[:, start:stop]
                    col += stop - start
            acc.add(slab)
            del slab
        kw["gram"], gram_info = acc.result()
        out["gram_index"] = idx
    head = header(framework, p, model=model, n=n_train, b=batch_size, step=step, seed=seed, dtype=grad_dtype,
                  coordinates=None if coords is None else coords.index,
                  steps=None if kw.get("iter_g") is None else len(kw["iter_g"]),
                  draws=None if coords is None else iter_draws, gram=gram_info, notes=notes)
    write_bundle(path, head, compressed=compressed, dtype=dtype, **kw)
    out.update(kw)
    out["header"] = head
    out["coordinates"] = coords
    return out
