"""W6 a small MLP: the gradient of a softmax cross-entropy loss wrt all parameters.

784 -> 128 (tanh) -> 10 on a batch of 64, parameters held in a dict (a pytree); the
log-sum-exp is written plainly (the logits are small, so it needs no max shift).
``fgrad.jit(fgrad.grad(loss))`` (the ``fgrad.jit`` row) and ``jax.jit`` are timed after
a first call, reported apart (``first call (compile)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _peers
from ._first_call import JIT, FirstCalls
from .harness import Row, Settings, close, run_case

ID = "W6"
TITLE = "MLP 784-128-10, batch 64, tanh: gradient of the loss wrt all parameters"
NAMES = ("W1", "b1", "W2", "b2")


def problem(batch: int = 64, n_in: int = 784, hidden: int = 128, n_out: int = 10) -> tuple[dict, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    params = {
        "W1": rng.standard_normal((n_in, hidden)) / np.sqrt(n_in), "b1": 0.1 * rng.standard_normal(hidden),
        "W2": rng.standard_normal((hidden, n_out)) / np.sqrt(hidden), "b2": 0.1 * rng.standard_normal(n_out),
    }
    x = rng.standard_normal((batch, n_in))
    onehot = np.eye(n_out)[rng.integers(0, n_out, batch)]
    return params, x, onehot


def loss(params: dict, x: Any, onehot: Any, np_: Any = np) -> Any:
    hidden = np_.tanh(np_.matmul(x, params["W1"]) + params["b1"])
    logits = np_.matmul(hidden, params["W2"]) + params["b2"]
    log_norm = np_.log(np_.sum(np_.exp(logits), axis=1))
    return np_.mean(log_norm - np_.sum(logits * onehot, axis=1))


def hand_gradient(params: dict, x: np.ndarray, onehot: np.ndarray) -> dict:
    """Backpropagation written out by hand, the expected numbers."""
    a = x @ params["W1"] + params["b1"]
    h = np.tanh(a)
    z = h @ params["W2"] + params["b2"]
    p = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)
    dz = (p - onehot) / x.shape[0]
    da = (dz @ params["W2"].T) * (1 - h * h)
    return {"W1": x.T @ da, "b1": da.sum(0), "W2": h.T @ dz, "b2": dz.sum(0)}


def builders(size: dict, first: FirstCalls | None = None) -> dict[str, Any]:
    params, x, onehot = problem(**size)
    first = first or FirstCalls()

    def fgrad_():
        import fgrad

        g = fgrad.grad(loss)
        return lambda: g(params, x, onehot)

    def fgrad_jit():
        import fgrad

        g = fgrad.jit(fgrad.grad(loss))
        return first.warm_up(JIT, lambda: g(params, x, onehot))

    def numpy_():
        return lambda: hand_gradient(params, x, onehot)

    def autograd_():
        ag = _peers.autograd()
        import autograd.numpy as anp

        g = ag.grad(lambda p: loss(p, x, onehot, anp))
        return lambda: g(params)

    def dezero_():
        dezero = _peers.dezero()
        import dezero.functions as F

        class Namespace:  # the few NumPy functions the loss uses, as DeZero functions
            tanh, exp, log, matmul = (staticmethod(f) for f in (F.tanh, F.exp, F.log, F.matmul))
            sum = staticmethod(lambda v, axis=None: F.sum(v, axis=axis))
            mean = staticmethod(lambda v: F.sum(v) / v.shape[0])

        def run():
            ps = {k: dezero.Variable(v) for k, v in params.items()}
            loss(ps, dezero.Variable(x), onehot, Namespace).backward()
            return {k: v.grad.data for k, v in ps.items()}

        return run

    def torch_():
        torch = _peers.torch()
        xt, yt = torch.from_numpy(x), torch.from_numpy(onehot)

        def run():
            ps = {k: torch.from_numpy(v).requires_grad_(True) for k, v in params.items()}
            grads = torch.autograd.grad(loss(ps, xt, yt, torch), [ps[k] for k in NAMES])
            return {k: g.numpy() for k, g in zip(NAMES, grads)}

        return run

    def jax_eager():
        jax = _peers.jax()
        ps, xj, yj = jax.tree_util.tree_map(jax.numpy.asarray, (params, x, onehot))
        g = jax.grad(lambda p: loss(p, xj, yj, jax.numpy))
        return lambda: jax.block_until_ready(g(ps))

    def jax_jit():
        jax = _peers.jax()
        ps, xj, yj = jax.tree_util.tree_map(jax.numpy.asarray, (params, x, onehot))
        g = jax.jit(jax.grad(lambda p: loss(p, xj, yj, jax.numpy)))
        return first.warm_up("jax (jit)", lambda: jax.block_until_ready(g(ps)))

    return {"fgrad": fgrad_, JIT: fgrad_jit, "hand-written NumPy": numpy_, "autograd": autograd_, "dezero": dezero_,
            "torch": torch_, "jax (eager)": jax_eager, "jax (jit)": jax_jit}


TINY = {"batch": 4, "n_in": 20, "hidden": 8, "n_out": 3}


def run(settings: Settings) -> list[Row]:
    size = TINY if settings.tiny else {}
    want = hand_gradient(*problem(**size))
    label = "784-128-10, batch 64" if not size else "20-8-3, batch 4"
    first = FirstCalls()
    return run_case(ID, label, builders(size, first),
                    check=lambda r: close({k: np.asarray(v) for k, v in r.items()}, want, rtol=1e-9, atol=1e-12),
                    settings=settings, extra=lambda framework, fn, result: first.extra(framework))
