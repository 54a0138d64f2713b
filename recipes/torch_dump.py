"""Dump the gradients of your own PyTorch model as an sgn-lab bundle (docs/YOUR-GRADIENTS.md).

    from torch_dump import dump_torch
    dump_torch("my_model.npz", model, loss_fn, X, Y, batch_size=128, step=step, model_name="my net")

``loss_fn(outputs, y)`` is your training loss with mean reduction (e.g.
``torch.nn.functional.cross_entropy``); ``X, Y`` your training set as tensors (or pass
``dataset=`` any map-style dataset returning ``(x, y)``). Per-sample gradients are
``torch.func.vmap(grad(...))`` over ``functional_call(model, params, x)`` on one example, so a
model with BatchNorm must be in ``eval()`` mode (a batch of one has no batch statistics) and
dropout off. Parameters are flattened in ``model.named_parameters()`` order. Everything else is
``bundle.dump``, shared with the JAX recipe. To record the iteration-wise part along training::

    from bundle import Coordinates, IterRecorder
    coords = Coordinates(leaf_sizes(model), m=100, seed=0)
    rec = IterRecorder(coords)
    for step ...:                       # your training loop
        loss.backward()
        rec.record([p.grad.detach().cpu().numpy() for p in model.parameters()])
        opt.step(); opt.zero_grad()
    dump_torch(..., coordinates=coords, iter_g=rec.array())
"""

import numpy as np
import torch

try:  # PyTorch >= 2.0
    from torch.func import functional_call, grad as func_grad, vmap
except ImportError:  # PyTorch 1.13 (e.g. Debian 12's python3-torch): the same API from functorch
    from functorch import grad as func_grad, vmap
    from torch.nn.utils.stateless import functional_call

import bundle


def leaf_sizes(model):
    """Values in each parameter of ``model`` (the bundle's flattening order)."""
    return [p.numel() for p in model.parameters()]


def callbacks(model, loss_fn, X=None, Y=None, dataset=None):
    """``grad(idx)`` and ``per_sample(idx)`` (see ``bundle.dump``) for a PyTorch model as it is."""
    params = {k: v.detach() for k, v in model.named_parameters()}
    names = list(params)

    def batch(idx):
        if dataset is None:
            return X[idx], Y[idx]
        xs, ys = zip(*(dataset[int(i)] for i in idx))
        return torch.stack(xs), torch.as_tensor(ys) if not torch.is_tensor(ys[0]) else torch.stack(ys)

    def loss(p, x, y):
        return loss_fn(functional_call(model, p, (x,)), y)

    batch_grad = func_grad(loss)
    sample_grads = vmap(func_grad(lambda p, x, y: loss(p, x.unsqueeze(0), y.unsqueeze(0))), in_dims=(None, 0, 0))

    def leaves(g):
        return [g[k].detach().cpu().numpy() for k in names]

    def grad(idx):
        x, y = batch(torch.as_tensor(idx))
        return leaves(batch_grad(params, x, y))

    def per_sample(idx):
        x, y = batch(torch.as_tensor(idx))
        return leaves(sample_grads(params, x, y))

    return grad, per_sample


def dump_torch(path, model, loss_fn, X=None, Y=None, *, batch_size, dataset=None, model_name="", step=None, seed=0,
               **options):
    """Writes the bundle for a PyTorch model at its current weights (module doc). ``options``
    are those of ``bundle.dump``: parts, dim_draws, iter_draws, m, coordinates, iter_g, n_gram,
    chunk, block_values, compressed, dtype."""
    grad, per_sample = callbacks(model, loss_fn, X, Y, dataset)
    n_train = len(dataset) if dataset is not None else len(X)
    dtype = str(next(model.parameters()).dtype).replace("torch.", "")
    return bundle.dump(path, framework=f"torch {torch.__version__}", sizes=leaf_sizes(model), grad=grad,
                       per_sample=per_sample, n_train=n_train, batch_size=batch_size, model=model_name, step=step,
                       seed=seed, grad_dtype=dtype, **options)
