"""Dump the gradients of your own JAX model as an sgn-lab bundle (docs/YOUR-GRADIENTS.md).

    from jax_dump import dump_jax
    dump_jax("my_model.npz", loss_fn, params, X, Y, batch_size=128, step=step, model="my net")

``loss_fn(params, x, y)`` is your training loss: the *mean* over the batch (x, y) of the
per-sample losses. ``params`` is any pytree (flattened in ``jax.tree_util.tree_leaves`` order,
as ``jax.flatten_util.ravel_pytree`` does); ``X, Y`` your training set as arrays. Per-sample
gradients are ``vmap(grad)`` of the loss on one example. Everything else (which minibatches,
which coordinates, the Gram matrix over parameter blocks, the file) is ``bundle.dump``, shared
with the PyTorch recipe. To record the iteration-wise part along training::

    from bundle import Coordinates, IterRecorder
    coords = Coordinates(leaf_sizes(params), m=100, seed=0)
    rec = IterRecorder(coords)
    for step ...:                       # your training loop
        g = jax.grad(loss_fn)(params, xb, yb)
        rec.record(jax.tree_util.tree_leaves(g))
        params = update(params, g)
    dump_jax(..., coordinates=coords, iter_g=rec.array())
"""

import jax
import numpy as np

import bundle


def leaf_sizes(params):
    """Values in each leaf of ``params`` (the bundle's flattening order)."""
    return [int(np.size(leaf)) for leaf in jax.tree_util.tree_leaves(params)]


def callbacks(loss_fn, params, X, Y):
    """``grad(idx)`` and ``per_sample(idx)`` (see ``bundle.dump``) for a JAX loss at ``params``."""
    batch_grad = jax.jit(jax.grad(loss_fn))
    one = lambda p, x, y: loss_fn(p, x[None], y[None])  # noqa: E731 — the loss of one example
    sample_grads = jax.jit(jax.vmap(jax.grad(one), in_axes=(None, 0, 0)))

    def leaves(tree):
        return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(tree)]

    def grad(idx):
        return leaves(batch_grad(params, X[idx], Y[idx]))

    def per_sample(idx):
        return leaves(sample_grads(params, X[idx], Y[idx]))

    return grad, per_sample


def dump_jax(path, loss_fn, params, X, Y, *, batch_size, model="", step=None, seed=0, **options):
    """Writes the bundle for a JAX model at ``params`` (module doc). ``options`` are those of
    ``bundle.dump``: parts, dim_draws, iter_draws, m, coordinates, iter_g, n_gram, chunk,
    block_values, compressed, dtype."""
    X, Y = np.asarray(X), np.asarray(Y)
    grad, per_sample = callbacks(loss_fn, params, X, Y)
    dtype = str(jax.tree_util.tree_leaves(params)[0].dtype)
    return bundle.dump(path, framework=f"jax {jax.__version__}", sizes=leaf_sizes(params), grad=grad,
                       per_sample=per_sample, n_train=len(X), batch_size=batch_size, model=model, step=step,
                       seed=seed, grad_dtype=dtype, **options)
