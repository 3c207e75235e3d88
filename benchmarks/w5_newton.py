"""W5 Newton's method on Rosenbrock (2-D from (-1.2, 1); 10-D from (-1.2, 1, -1.2, 1, ...)).

Every framework runs the same pure Newton iteration, x <- x - H(x)^-1 g(x), with its own
gradient and Hessian functions (``fgrad.grad`` and ``fgrad.hessian`` for fgrad), until
max|g| <= 1e-10; all reach (1, ..., 1) with the same number of steps, and the time
covers the whole solve.  ``fgrad.optimize.newton`` (without line search) is shown too:
its records and safeguards cost a little more.  SciPy's Newton-CG with the exact Hessian
is the reference a SciPy user would reach for.  DeZero has no Hessian function and is not run.

Compiled: the ``fgrad.jit`` row runs the same loop on one ``fgrad.jit`` of the gradient and
the Hessian together, the ``jax (jit)`` row on one ``jax.jit`` of both.  Their median
excludes compiling; the first solve, compiling included, is reported apart (``first call
(compile)``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import _peers
from ._first_call import JIT, FirstCalls
from .harness import Row, Settings, close, run_case

ID = "W5"
TITLE = "Newton's method on Rosenbrock"
GTOL = 1e-10
MAX_STEPS = 100


def rosenbrock(x: Any, sum: Callable[[Any], Any] = np.sum) -> Any:  # noqa: A002
    return sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def start(dim: int) -> np.ndarray:
    return np.tile([-1.2, 1.0], dim // 2)


def newton_loop(x: np.ndarray, grad_and_hessian: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, int]:
    """Pure Newton steps until max|g| <= GTOL; returns (x, number of steps)."""
    for steps in range(MAX_STEPS + 1):
        g, h = grad_and_hessian(x)
        if np.max(np.abs(g)) <= GTOL:
            return x, steps
        x = x - np.linalg.solve(h, g)
    return x, MAX_STEPS


def fgrad_optimizer(x0: np.ndarray) -> tuple[np.ndarray, int]:
    """`fgrad.optimize.newton` with plain (unsearched) Newton steps."""
    import fgrad.optimize

    res = fgrad.optimize.newton(rosenbrock, x0, line_search=False)
    return np.asarray(res.x), int(res.nit)


def builders(dim: int, first: FirstCalls | None = None) -> dict[str, Any]:
    x0 = start(dim)
    first = first or FirstCalls()

    def fgrad_():
        import fgrad

        g_fun, h_fun = fgrad.grad(rosenbrock), fgrad.hessian(rosenbrock)
        return lambda: newton_loop(x0, lambda x: (g_fun(x), h_fun(x)))

    def fgrad_jit():
        import fgrad

        g_fun, h_fun = fgrad.grad(rosenbrock), fgrad.hessian(rosenbrock)
        both = fgrad.jit(lambda x: (g_fun(x), h_fun(x)))
        return first.warm_up(JIT, lambda: newton_loop(x0, both))

    def fgrad_optimize():
        return lambda: fgrad_optimizer(x0)

    def autograd_():
        ag = _peers.autograd()
        import autograd.numpy as anp

        f = lambda x: rosenbrock(x, anp.sum)  # noqa: E731
        g_fun, h_fun = ag.grad(f), ag.hessian(f)
        return lambda: newton_loop(x0, lambda x: (g_fun(x), h_fun(x)))

    def torch_():
        torch = _peers.torch()
        f = lambda x: rosenbrock(x, torch.sum)  # noqa: E731

        def grad_and_hessian(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            xt = torch.from_numpy(x).requires_grad_(True)
            (g,) = torch.autograd.grad(f(xt), xt)
            h = torch.autograd.functional.hessian(f, xt.detach())
            return g.numpy(), h.numpy()

        return lambda: newton_loop(x0, grad_and_hessian)

    def jax_eager():
        jax = _peers.jax()
        f = lambda x: rosenbrock(x, jax.numpy.sum)  # noqa: E731
        g_fun, h_fun = jax.grad(f), jax.hessian(f)
        return lambda: newton_loop(x0, lambda x: (np.asarray(g_fun(x)), np.asarray(h_fun(x))))

    def jax_jit():
        jax = _peers.jax()
        f = lambda x: rosenbrock(x, jax.numpy.sum)  # noqa: E731
        both = jax.jit(lambda x: (jax.grad(f)(x), jax.hessian(f)(x)))
        return first.warm_up("jax (jit)", lambda: newton_loop(x0, lambda x: tuple(np.asarray(v) for v in both(x))))

    def scipy_newton_cg():
        try:
            from scipy.optimize import minimize, rosen, rosen_der, rosen_hess
        except ImportError as e:
            raise _peers.PeerMissing(f"scipy not installed ({e})") from e

        def run():
            res = minimize(rosen, x0, method="Newton-CG", jac=rosen_der, hess=rosen_hess)
            return res.x, int(res.nit)

        return run

    return {"fgrad": fgrad_, JIT: fgrad_jit, "fgrad.optimize.newton": fgrad_optimize, "autograd": autograd_,
            "torch": torch_, "jax (eager)": jax_eager, "jax (jit)": jax_jit, "scipy Newton-CG": scipy_newton_cg}


def run(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    for dim in (2, 10):
        def check(result: Any, dim: int = dim) -> None:
            x, steps = result
            close(x, np.ones(dim), rtol=0.0, atol=1e-3)  # reached the minimizer (Newton-CG stops near it)

        # The optimizer damps steps where the Hessian is indefinite, which in 10-D leads
        # it to the other local minimum, near (-1, 1, ..., 1): not comparable there.
        skip = {"fgrad.optimize.newton": "damped steps reach the other local minimum in 10-D"} if dim > 2 else None
        first = FirstCalls()
        rows += run_case(ID, f"{dim}-D", builders(dim, first), check=check, settings=settings,
                         extra=lambda framework, fn, result, first=first: {"iterations": result[1], **first.extra(framework)},
                         skip=skip)
    return rows
