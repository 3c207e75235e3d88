"""W8 batched derivatives: a Jacobian, a Hessian and per-example gradients.

Three cases, each a transform that computes many derivatives at once, and a fourth that
they are measured against:

* the 200×200 Jacobian of x -> tanh(W x + b) at a fixed point: ``fgrad.jacrev`` (the
  ``fgrad`` row) and ``fgrad.jacfwd``, ``torch.func.jacrev``, ``jax.jacfwd`` called
  eagerly and ``jax.jit(jax.jacrev)``;
* the Hessian of the 100-D Rosenbrock sum (W5's function) at (-1.2, 1, -1.2, 1, ...):
  ``fgrad.hessian``, ``torch.func.hessian``, ``jax.jit(jax.hessian)``;
* the gradients of a logistic loss for each of 256 examples with 20 features:
  ``fgrad.vmap(fgrad.grad(loss), in_axes=(None, 0, 0))``, and as a reference a Python
  loop of ``fgrad.grad`` over the examples (the way before ``vmap``),
  ``torch.func.vmap(torch.func.grad(loss))``, ``jax.jit(jax.vmap(jax.grad(loss)))``;
* one gradient of the same batch's summed loss (``fgrad.grad``): per-example gradients
  should cost a small multiple of it.

The expected numbers are the closed forms, computed with NumPy (the ``hand-written
NumPy`` rows, the floor no transform can go below). Each row's ``transform`` column
names what it calls; a jitted function is timed after its first call, whose time
(tracing and compiling included) is reported apart in the ``first call (compile)`` column.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from . import _peers
from .harness import Row, Settings, close, run_case
from .report import format_seconds
from .w5_newton import rosenbrock, start

ID = "W8"
TITLE = "batched derivatives: Jacobian, Hessian, per-example gradients"
LOOP = "fgrad, loop of grad"  # the reference row of the per-example case

# (Jacobian's n, Rosenbrock's dimension, examples, features) at each setting
FULL = (200, 100, 256, 20)
QUICK = (100, 50, 64, 20)
TINY = (6, 4, 5, 3)


def sizes(settings: Settings) -> tuple[int, int, int, int]:
    return TINY if settings.tiny else QUICK if settings.quick else FULL


class Notes:
    """What each row calls, and how long a jitted function's first call took, for the `extra` columns."""

    def __init__(self, transforms: dict[str, str]) -> None:
        self.transforms = transforms
        self.first_call: dict[str, float] = {}

    def warm_up(self, framework: str, fn: Callable[[], Any]) -> Callable[[], Any]:
        """Call `fn` once (tracing and compiling), recording how long that took."""
        begin = time.perf_counter()
        fn()
        self.first_call[framework] = time.perf_counter() - begin
        return fn

    def extra(self, framework: str, fn: Callable[[], Any], result: Any) -> dict[str, str]:
        figures = {"transform": self.transforms[framework]}
        if framework in self.first_call:
            figures["first call (compile)"] = format_seconds(self.first_call[framework])
        return figures


# ---------------------------------------------------------------- (a) Jacobian
def layer_problem(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, n)) / np.sqrt(n), 0.1 * rng.standard_normal(n), rng.standard_normal(n)


def layer_jacobian(W: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """d tanh(W x + b) / dx = diag(1 - tanh²) W."""
    t = np.tanh(W @ x + b)
    return (1.0 - t * t)[:, None] * W


JACOBIAN_TRANSFORMS = {
    "fgrad": "fgrad.jacrev", "fgrad.jacfwd": "fgrad.jacfwd", "hand-written NumPy": "closed form",
    "torch": "torch.func.jacrev", "jax (eager)": "jax.jacfwd", "jax (jit)": "jax.jit(jax.jacrev)",
}


def jacobian_builders(n: int, notes: Notes) -> dict[str, Any]:
    W, b, x = layer_problem(n)

    def fgrad_(transform: str) -> Callable[[], Callable[[], Any]]:
        def build():
            import fgrad

            jac = getattr(fgrad, transform)(lambda v: np.tanh(W @ v + b))
            return lambda: jac(x)

        return build

    def numpy_():
        return lambda: layer_jacobian(W, b, x)

    def torch_():
        torch = _peers.torch()
        Wt, bt, xt = (torch.from_numpy(a) for a in (W, b, x))
        jac = torch.func.jacrev(lambda v: torch.tanh(Wt @ v + bt))
        return lambda: jac(xt)

    def jax_eager():
        jax = _peers.jax()
        Wj, bj, xj = (jax.numpy.asarray(a) for a in (W, b, x))
        jac = jax.jacfwd(lambda v: jax.numpy.tanh(Wj @ v + bj))
        return lambda: jax.block_until_ready(jac(xj))

    def jax_jit():
        jax = _peers.jax()
        Wj, bj, xj = (jax.numpy.asarray(a) for a in (W, b, x))
        jac = jax.jit(jax.jacrev(lambda v: jax.numpy.tanh(Wj @ v + bj)))
        return notes.warm_up("jax (jit)", lambda: jax.block_until_ready(jac(xj)))

    return {"fgrad": fgrad_("jacrev"), "fgrad.jacfwd": fgrad_("jacfwd"), "hand-written NumPy": numpy_,
            "torch": torch_, "jax (eager)": jax_eager, "jax (jit)": jax_jit}


# ---------------------------------------------------------------- (b) Hessian
def rosenbrock_hessian(x: np.ndarray) -> np.ndarray:
    """The tridiagonal Hessian of sum(100 (x[i+1] - x[i]²)² + (1 - x[i])²)."""
    diagonal = np.zeros_like(x)
    diagonal[:-1] += 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    diagonal[1:] += 200.0
    off = -400.0 * x[:-1]
    return np.diag(diagonal) + np.diag(off, 1) + np.diag(off, -1)


HESSIAN_TRANSFORMS = {"fgrad": "fgrad.hessian", "hand-written NumPy": "closed form",
                      "torch": "torch.func.hessian", "jax (jit)": "jax.jit(jax.hessian)"}


def hessian_builders(dim: int, notes: Notes) -> dict[str, Any]:
    x = start(dim)

    def fgrad_():
        import fgrad

        hess = fgrad.hessian(rosenbrock)
        return lambda: hess(x)

    def numpy_():
        return lambda: rosenbrock_hessian(x)

    def torch_():
        torch = _peers.torch()
        xt = torch.from_numpy(x)
        hess = torch.func.hessian(lambda v: rosenbrock(v, torch.sum))
        return lambda: hess(xt)

    def jax_jit():
        jax = _peers.jax()
        xj = jax.numpy.asarray(x)
        hess = jax.jit(jax.hessian(lambda v: rosenbrock(v, jax.numpy.sum)))
        return notes.warm_up("jax (jit)", lambda: jax.block_until_ready(hess(xj)))

    return {"fgrad": fgrad_, "hand-written NumPy": numpy_, "torch": torch_, "jax (jit)": jax_jit}


# ---------------------------------------------------------------- (c) per-example gradients
def logistic_problem(examples: int, features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    w = 0.3 * rng.standard_normal(features)
    X = rng.standard_normal((examples, features))
    y = np.where(rng.random(examples) < 0.5, -1.0, 1.0)
    return w, X, y


def logistic_loss(w: Any, x: Any, y: Any, np_: Any = np) -> Any:
    """One example's loss log(1 + exp(-y x·w)), labels y = ±1 (margins small: no overflow guard needed)."""
    return np_.log1p(np_.exp(-y * (x @ w)))


def per_example_gradients(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d loss_i / dw = -y_i x_i / (1 + exp(y_i x_i·w)), one row per example."""
    return (-y / (1.0 + np.exp(y * (X @ w))))[:, None] * X


PER_EXAMPLE_TRANSFORMS = {
    "fgrad": "fgrad.vmap(fgrad.grad)", LOOP: "fgrad.grad per example", "hand-written NumPy": "closed form",
    "torch": "torch.func.vmap(torch.func.grad)", "jax (jit)": "jax.jit(jax.vmap(jax.grad))",
}


def per_example_builders(examples: int, features: int, notes: Notes) -> dict[str, Any]:
    w, X, y = logistic_problem(examples, features)

    def fgrad_():
        import fgrad

        grads = fgrad.vmap(fgrad.grad(logistic_loss), in_axes=(None, 0, 0))
        return lambda: grads(w, X, y)

    def fgrad_loop():
        import fgrad

        g = fgrad.grad(logistic_loss)
        return lambda: np.stack([g(w, X[i], y[i]) for i in range(examples)])

    def numpy_():
        return lambda: per_example_gradients(w, X, y)

    def torch_():
        torch = _peers.torch()
        wt, Xt, yt = (torch.from_numpy(a) for a in (w, X, y))
        grads = torch.func.vmap(torch.func.grad(lambda *a: logistic_loss(*a, torch)), in_dims=(None, 0, 0))
        return lambda: grads(wt, Xt, yt)

    def jax_jit():
        jax = _peers.jax()
        wj, Xj, yj = (jax.numpy.asarray(a) for a in (w, X, y))
        grads = jax.jit(jax.vmap(jax.grad(lambda *a: logistic_loss(*a, jax.numpy)), in_axes=(None, 0, 0)))
        return notes.warm_up("jax (jit)", lambda: jax.block_until_ready(grads(wj, Xj, yj)))

    return {"fgrad": fgrad_, LOOP: fgrad_loop, "hand-written NumPy": numpy_, "torch": torch_, "jax (jit)": jax_jit}


BATCHED_TRANSFORMS = {"fgrad": "fgrad.grad of the summed loss", "hand-written NumPy": "closed form"}


def batched_gradient_builders(examples: int, features: int, notes: Notes) -> dict[str, Any]:
    """The gradient of the batch's summed loss: what vmap's per-example gradients are measured against."""
    w, X, y = logistic_problem(examples, features)

    def fgrad_():
        import fgrad

        g = fgrad.grad(lambda w: np.sum(logistic_loss(w, X, y)))
        return lambda: g(w)

    def numpy_():
        return lambda: per_example_gradients(w, X, y).sum(axis=0)

    return {"fgrad": fgrad_, "hand-written NumPy": numpy_}


def run(settings: Settings) -> list[Row]:
    n, dim, examples, features = sizes(settings)
    check = lambda want: lambda got: close(got, want, rtol=1e-9, atol=1e-12)  # noqa: E731
    rows: list[Row] = []

    notes = Notes(JACOBIAN_TRANSFORMS)
    rows += run_case(ID, f"Jacobian {n}×{n}", jacobian_builders(n, notes), check=check(layer_jacobian(*layer_problem(n))),
                     settings=settings, extra=notes.extra)
    notes = Notes(HESSIAN_TRANSFORMS)
    rows += run_case(ID, f"Hessian {dim}-D", hessian_builders(dim, notes), check=check(rosenbrock_hessian(start(dim))),
                     settings=settings, extra=notes.extra)
    notes = Notes(PER_EXAMPLE_TRANSFORMS)
    want = per_example_gradients(*logistic_problem(examples, features))
    rows += run_case(ID, f"per-example {examples}×{features}", per_example_builders(examples, features, notes),
                     check=check(want), settings=settings, extra=notes.extra)
    notes = Notes(BATCHED_TRANSFORMS)
    rows += run_case(ID, f"one batched gradient {examples}×{features}", batched_gradient_builders(examples, features, notes),
                     check=check(want.sum(axis=0)), settings=settings, extra=notes.extra)
    return rows
