"""W1 scalar overhead: the gradient of Goldstein-Price at (1, 1), which is (-5376, 8064).

About forty scalar operations: the time is almost all per-operation bookkeeping.
``fgrad.jit`` (the ``fgrad.jit`` row) and ``jax.jit`` compile the gradient once, in a
first call reported apart (``first call (compile)``), and are timed after it.
"""

from __future__ import annotations

from typing import Any

from . import _peers
from ._first_call import JIT, FirstCalls
from .harness import Row, Settings, close, run_case

ID = "W1"
TITLE = "scalar overhead: gradient of Goldstein-Price at (1, 1)"
EXPECTED = (-5376.0, 8064.0)


def goldstein(x: Any, y: Any) -> Any:
    return (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)) * (
        30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2)
    )


def hand_gradient(x: float, y: float) -> tuple[float, float]:
    """The gradient written out by hand (product and chain rules): the floor for Python."""
    a = x + y + 1
    b = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
    c = 2 * x - 3 * y
    d = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
    p, q = 1 + a * a * b, 30 + c * c * d
    db = -14 + 6 * x + 6 * y  # b is symmetric in x and y up to these terms: ∂b/∂x = ∂b/∂y
    dp = 2 * a * b + a * a * db
    dq_dx = 4 * c * d + c * c * (-32 + 24 * x - 36 * y)
    dq_dy = -6 * c * d + c * c * (48 - 36 * x + 54 * y)
    return dp * q + p * dq_dx, dp * q + p * dq_dy


def builders(first: FirstCalls | None = None) -> dict[str, Any]:
    first = first or FirstCalls()

    def fgrad_():
        import fgrad

        g = fgrad.grad(goldstein, argnums=(0, 1))
        return lambda: g(1.0, 1.0)

    def fgrad_jit():
        import fgrad

        g = fgrad.jit(fgrad.grad(goldstein, argnums=(0, 1)))
        return first.warm_up(JIT, lambda: g(1.0, 1.0))

    def python_():
        return lambda: hand_gradient(1.0, 1.0)

    def autograd_():
        g = _peers.autograd().grad(goldstein, (0, 1))
        return lambda: g(1.0, 1.0)

    def dezero_():
        dezero = _peers.dezero()
        import numpy as np

        def run():
            x, y = dezero.Variable(np.array(1.0)), dezero.Variable(np.array(1.0))
            goldstein(x, y).backward()
            return x.grad.data, y.grad.data

        return run

    def torch_():
        torch = _peers.torch()

        def run():
            x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
            y = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
            gx, gy = torch.autograd.grad(goldstein(x, y), (x, y))
            return gx.item(), gy.item()

        return run

    def jax_eager():
        jax = _peers.jax()
        g = jax.grad(goldstein, argnums=(0, 1))
        return lambda: tuple(float(v) for v in g(1.0, 1.0))

    def jax_jit():
        jax = _peers.jax()
        g = jax.jit(jax.grad(goldstein, argnums=(0, 1)))
        return first.warm_up("jax (jit)", lambda: jax.block_until_ready(g(1.0, 1.0)))

    return {"fgrad": fgrad_, JIT: fgrad_jit, "hand-written Python": python_, "autograd": autograd_, "dezero": dezero_,
            "torch": torch_, "jax (eager)": jax_eager, "jax (jit)": jax_jit}


def run(settings: Settings) -> list[Row]:
    first = FirstCalls()
    return run_case(ID, "goldstein (1, 1)", builders(first), check=lambda r: close(r, EXPECTED, rtol=1e-12),
                    settings=settings, extra=lambda framework, fn, result: first.extra(framework))
