"""W4 higher order: the n-th derivative of tanh at 1.0 by nesting ``grad`` n times.

The expected values are exact: every derivative of tanh is a polynomial in t = tanh(x),
P_{k+1}(t) = P_k'(t) (1 - t²).  How fast the work grows with n is decided by the size of
the derivative graphs, reported for fgrad (records on the outermost trace when it
differentiates the (n-1)-th derivative) and torch (autograd nodes behind the (n-1)-th
derivative).

Compiled, the n-th derivative is one program: ``fgrad.jit`` of the nested ``grad`` (the
``fgrad.jit`` row) and ``jax.jit`` of the nested ``jax.grad``, timed after a first call
reported apart. Their ``compiled records`` are the program's size: the primitive
applications of the optimised graph ``fgrad.jit(f).lower(x)`` (after common
subexpressions are merged) and the equations of JAX's jaxpr (what XLA is handed,
before its own passes).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.polynomial import Polynomial

from . import _peers
from ._first_call import JIT, FirstCalls
from .harness import Row, Settings, close, run_case

ID = "W4"
TITLE = "higher order: n-th derivative of tanh at 1.0 by nested grad"
X0 = 1.0


def orders(settings: Settings) -> list[int]:
    if settings.tiny:
        return [1, 2, 3]
    return [1, 2, 4, 8] if settings.quick else list(range(1, 9))


def closed_form(n: int, x: float = X0) -> float:
    p = Polynomial([0.0, 1.0])  # P_0(t) = t
    one_minus_t2 = Polynomial([1.0, 0.0, -1.0])
    for _ in range(n):
        p = p.deriv() * one_minus_t2
    return float(p(np.tanh(x)))


def nest(grad: Callable[[Any], Any], f: Any, n: int) -> Any:
    for _ in range(n):
        f = grad(f)
    return f


def fgrad_graph_size(n: int) -> int:
    """Records the outermost `grad` walks for the n-th derivative (the (n-1)-th's graph)."""
    import fgrad
    from fgrad._core import Node, new_level

    x = Node(np.float64(X0), level=new_level())
    out = nest(fgrad.grad, fgrad.numpy.tanh, n - 1)(x)
    seen, stack = {out}, [out]
    while stack:
        for p in stack.pop().parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return len(seen)


def torch_graph_size(n: int) -> int:
    torch = _peers.torch()
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    y = torch.tanh(x)
    for _ in range(n - 1):
        (y,) = torch.autograd.grad(y, x, create_graph=True)
    seen, stack = {y.grad_fn}, [y.grad_fn]
    while stack:
        for fn, _ in stack.pop().next_functions:
            if fn is not None and fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return len(seen)


def fgrad_program_size(n: int) -> int:
    """Primitive applications of the optimised program `fgrad.jit` compiles for the n-th derivative."""
    import fgrad

    return len(fgrad.jit(nest(fgrad.grad, fgrad.numpy.tanh, n)).lower(X0).applications)


def jaxpr_size(n: int) -> int:
    """Equations of JAX's jaxpr for the n-th derivative, those of nested jaxprs included."""
    jax = _peers.jax()

    def count(jaxpr: Any) -> int:
        total = 0
        for eqn in jaxpr.eqns:
            total += 1
            for param in eqn.params.values():
                for sub in param if isinstance(param, (tuple, list)) else (param,):
                    inner = getattr(sub, "jaxpr", sub)  # a ClosedJaxpr holds a Jaxpr
                    if hasattr(inner, "eqns"):
                        total += count(inner)
        return total

    return count(jax.make_jaxpr(nest(jax.grad, jax.numpy.tanh, n))(X0).jaxpr)


def builders(n: int, first: FirstCalls | None = None) -> dict[str, Any]:
    first = first or FirstCalls()

    def fgrad_():
        import fgrad

        d = nest(fgrad.grad, fgrad.numpy.tanh, n)
        return lambda: d(X0)

    def fgrad_jit():
        import fgrad

        d = fgrad.jit(nest(fgrad.grad, fgrad.numpy.tanh, n))
        return first.warm_up(JIT, lambda: d(X0))

    def autograd_():
        ag = _peers.autograd()
        import autograd.numpy as anp

        d = nest(ag.grad, anp.tanh, n)
        return lambda: d(X0)

    def dezero_():
        dezero = _peers.dezero()
        import dezero.functions as F

        def run():
            x = dezero.Variable(np.array(X0))
            y = F.tanh(x)
            for k in range(n):
                x.cleargrad()
                y.backward(create_graph=k < n - 1)
                y = x.grad
            return float(y.data)

        return run

    def torch_():
        torch = _peers.torch()

        def run():
            x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
            y = torch.tanh(x)
            for k in range(n):
                (y,) = torch.autograd.grad(y, x, create_graph=k < n - 1)
            return y.item()

        return run

    def jax_eager():
        jax = _peers.jax()
        d = nest(jax.grad, jax.numpy.tanh, n)
        return lambda: float(d(X0))

    def jax_jit():
        jax = _peers.jax()
        d = jax.jit(nest(jax.grad, jax.numpy.tanh, n))
        return first.warm_up("jax (jit)", lambda: jax.block_until_ready(d(X0)))

    return {"fgrad": fgrad_, JIT: fgrad_jit, "autograd": autograd_, "dezero": dezero_, "torch": torch_,
            "jax (eager)": jax_eager, "jax (jit)": jax_jit}


def run(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    for n in orders(settings):
        want = closed_form(n)
        first = FirstCalls()

        def extra(framework: str, fn: Any, result: Any, n: int = n, first: FirstCalls = first) -> dict[str, Any]:
            if framework == "fgrad":
                return {"graph records": fgrad_graph_size(n)}
            if framework == "torch":
                return {"graph records": torch_graph_size(n)}
            if framework == JIT:
                return {"compiled records": fgrad_program_size(n), **first.extra(framework)}
            if framework == "jax (jit)":
                return {"compiled records": jaxpr_size(n), **first.extra(framework)}
            return {}

        rows += run_case(ID, f"n={n}", builders(n, first), check=lambda r, want=want: close(float(r), want, rtol=1e-9),
                         settings=settings, extra=extra)
    return rows
