"""Gradient descent with a fixed learning rate and optional momentum (DeZero step 28)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._arguments import callback_or_none, count, fraction, nonnegative_real, positive_real, progress_every
from ._problem import FlatProblem
from ._result import Iteration, OptimizeResult
from ._run import Run

__all__ = ["gradient_descent"]


def gradient_descent(
    f: Callable[[Any], Any],
    x0: Any,
    *,
    lr: float,
    steps: int,
    momentum: float = 0.0,
    tol: float | None = None,
    callback: Callable[[Iteration], Any] | None = None,
    progress: bool | int = False,
    keep_history: bool = True,
    jit: bool = False,
) -> OptimizeResult:
    """Minimise ``f`` by ``steps`` steps of ``x <- x - lr * grad f(x)``.

    With ``momentum = m > 0`` the step is the classical heavy-ball update
    ``v <- m v - lr grad f(x)``, ``x <- x + v`` (``v`` starts at zero).

    Args:
        f: the objective: a function of one argument shaped like ``x0`` returning a real
            scalar (fgrad operations, plain ``np.*`` calls and Python control flow all work).
        x0: the starting point: a float, a float array, or a pytree of them. Never modified.
        lr: the learning rate, a finite number > 0.
        steps: the number of steps (an int >= 0).
        momentum: in [0, 1); 0 is plain gradient descent.
        tol: if given, stop early (converged) once the gradient norm is ``<= tol``.
            Without it the run takes all ``steps`` and ``converged`` is False.
        callback: called with each `Iteration` record (iteration 0 is the start);
            returning True (or anything truthy) stops the run.
        progress: True prints one aligned line per step; an int ``N`` prints every N-th
            step and the last (``progress=100`` for long runs).
        keep_history: False keeps only the first and last records in ``history``
            (long runs on large ``x``); the callback still sees every record.
        jit: compile the derivatives with `fgrad.jit`: traced once, then straight-line
            NumPy on every iteration (the same numbers; it pays when an iteration costs
            more Python than NumPy, small problems especially). ``f`` then runs as Python
            only while tracing (Python control flow stays right: it is guarded), so side
            effects inside ``f`` (printing, counting) happen then only.

    Returns:
        An `OptimizeResult` (``nhev`` is 0). A run where ``f`` or its gradient becomes
        non-finite stops with status ``"nonfinite"``: lower ``lr``.

    Example:
        >>> import numpy as np, fgrad
        >>> rosen = lambda x: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
        >>> res = fgrad.optimize.gradient_descent(rosen, np.array([0.0, 2.0]), lr=0.001, steps=1000)
        >>> [round(float(v), 10) for v in res.x]  # DeZero step 28
        [0.6837118569, 0.4659526837]
        >>> res.nit, res.status
        (1000, 'steps')
    """
    caller = "gradient_descent"
    problem = FlatProblem(f, x0, caller)
    lr = positive_real(lr, "lr", caller)
    steps = count(steps, "steps", caller, minimum=0)
    momentum = fraction(momentum, "momentum", caller)
    if tol is not None:
        tol = nonnegative_real(tol, "tol", caller)
    if not isinstance(keep_history, bool):
        raise TypeError(f"{caller}: `keep_history` must be True or False, got {keep_history!r}")
    if not isinstance(jit, bool):
        raise TypeError(f"{caller}: `jit` must be True or False, got {jit!r}")
    run = Run(problem, callback_or_none(callback, caller), progress_every(progress, caller), keep_history,
              compiled=jit)

    x = problem.x0
    fx, g = run.evaluate(x)
    stop = run.record(0, x, fx, g)
    velocity = np.zeros_like(x)
    k = 0
    while True:
        g_norm = float(np.linalg.norm(g))
        if not (np.isfinite(fx) and np.isfinite(g_norm)):
            return run.result(x, fx, g, k, False, "nonfinite",
                              f"stopped at step {k}: f = {fx} or its gradient is not finite; lower `lr`")
        if tol is not None and g_norm <= tol:
            return run.result(x, fx, g, k, True, "gradient",
                              f"converged at step {k}: gradient norm {g_norm:.3e} <= tol = {tol:.3g}")
        if stop:
            return run.result(x, fx, g, k, False, "callback", f"stopped by the callback at step {k}")
        if k >= steps:
            return run.result(x, fx, g, k, False, "steps",
                              f"took all {steps} steps; gradient norm {g_norm:.3e}")
        if momentum:
            velocity = momentum * velocity - lr * g
            x_new = x + velocity
        else:
            x_new = x - lr * g  # exactly DeZero's `x.data -= lr * x.grad.data`
        fx, g = run.evaluate(x_new)
        step = float(np.linalg.norm(x_new - x))
        x, k = x_new, k + 1
        stop = run.record(k, x, fx, g, step=step, step_length=lr)
