"""Newton's method with exact derivatives from fgrad, safeguarded for non-convex problems."""

from __future__ import annotations

from typing import Any, Callable

import attrs
import numpy as np

from .._backend import host_values, in_library_of
from ._arguments import callback_or_none, count, nonnegative_real, progress_every
from ._curvature import hessian_matrix, hvp_operator
from ._direction import Direction, damped_newton, truncated_cg
from ._line_search import Trial, backtrack, sufficient_decrease
from ._problem import FlatProblem
from ._result import Iteration, OptimizeResult
from ._run import Run

__all__ = ["newton"]

_LINE_SEARCHES = {True: "armijo", False: "none", "armijo": "armijo", "watchdog": "watchdog", "none": "none"}
_SOLVERS = ("direct", "cg")


def newton(
    f: Callable[[Any], Any],
    x0: Any,
    *,
    tol: float = 1e-12,
    step_tol: float | None = None,
    max_iter: int = 50,
    line_search: bool | str = True,
    solver: str = "direct",
    callback: Callable[[Iteration], Any] | None = None,
    progress: bool | int = False,
    jit: bool = False,
) -> OptimizeResult:
    """Minimise ``f`` by Newton's method, with gradients and Hessians from fgrad.

    At each iterate the Newton step ``p = -H⁻¹g`` is computed from the exact gradient
    ``g`` and Hessian ``H`` of ``f``. Where ``H`` is positive definite this is the pure
    Newton step (in one dimension exactly ``x - g / h``); where it is not (near a saddle
    or a maximum), ``τI`` is added to ``H`` with ``τ`` doubled until a Cholesky
    factorisation succeeds, which turns ``p`` into a descent direction. A backtracking
    line search then picks the step length, trying the full step first.

    ``f`` may be written with fgrad operations, plain ``np.*`` calls and Python control
    flow on values (define-by-run); it is traced afresh at every point.

    Args:
        f: the objective: a function of one argument shaped like ``x0`` returning a real
            scalar.
        x0: the starting point: a float, a float array, or a pytree of them (tuples,
            lists, dicts, attrs records). The caller's arrays are never modified. The
            iterates keep its dtype; with float16, which NumPy's linear algebra lacks,
            the Newton system is solved in float32.
        tol: stop (converged) when the Euclidean norm of the gradient is ``<= tol``.
            The default is tight because Newton's method converges quadratically: one
            more iteration usually takes ``x`` to full precision.
        step_tol: stop (converged) when the pure Newton step is shorter than
            ``step_tol * (1 + |x|)``; that last step is taken unless it raises ``f``.
            This is the test that ends runs whose gradient cannot reach ``tol`` in
            floating point. Default: ``eps ** (2/3)`` for the dtype of ``x0``
            (3.7e-11 in float64, 2.4e-5 in float32).
        max_iter: the largest number of iterations (>= 1).
        line_search: how the step length is chosen.
            ``True`` / ``"armijo"``: backtracking from the full step until the Armijo
            sufficient-decrease condition holds, so ``f`` decreases at every iteration.
            ``"watchdog"``: a full Newton step is also taken when it raises ``f``, and
            the next iterate must then decrease ``f`` sufficiently below the point before
            it, or the method returns there and backtracks (Chamberlain et al.'s
            watchdog technique). It follows pure Newton where pure Newton converges (7
            iterations on Rosenbrock from (-1.2, 1) instead of 25); ``f`` need not
            decrease monotonically.
            ``False`` / ``"none"``: always the full step (pure Newton iteration, still
            damped where ``H`` is not positive definite).
        solver: ``"direct"`` forms the ``n x n`` Hessian (``fgrad.hessian``) and solves
            with it: n is assumed moderate (thousands at most). ``"cg"`` never forms it:
            truncated conjugate gradients on Hessian-vector products (Newton-CG), for
            large ``n``.
        callback: called with each `Iteration` record, including the starting point
            (iteration 0); returning True (or anything truthy) stops the run.
        progress: True prints one aligned line per iteration; an int ``N`` prints every
            N-th iteration and the last.
        jit: compile the derivatives with `fgrad.jit`: traced once, then straight-line
            NumPy on every iteration (the same numbers; it pays when an iteration costs
            more Python than NumPy, small problems especially). ``f`` then runs as Python
            only while tracing (Python control flow stays right: it is guarded), so side
            effects inside ``f`` (printing, counting) happen then only.

    Returns:
        An `OptimizeResult`: ``x`` shaped like ``x0``, ``fun``, ``grad``, counts, the
        stopping reason (``converged``, ``status``, ``message``) and the ``history``.
        If the run stops unconverged during a watchdog sequence, ``x`` is the better
        point that sequence started from.

    Raises:
        TypeError: ``f`` is not callable, ``x0`` is not floating-point, or ``f`` does not
            return a real scalar.
        ValueError: an option is out of range.

    Example:
        >>> import numpy as np, fgrad
        >>> res = fgrad.optimize.newton(lambda x: x ** 4 - 2 * x ** 2, 2.0)
        >>> [float(r.x) for r in res.history]  # DeZero step 33, to the last bit
        [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978, 1.0009084519430513, 1.0000012353089454, 1.000000000002289, 1.0]
        >>> res.converged, res.nit
        (True, 7)
        >>> rosen = lambda x: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
        >>> fgrad.optimize.newton(rosen, np.array([-1.2, 1.0]), line_search="watchdog").nit
        7
    """
    caller = "newton"
    problem = FlatProblem(f, x0, caller)
    tol = nonnegative_real(tol, "tol", caller)
    if step_tol is None:
        step_tol = float(np.finfo(problem.dtype).eps) ** (2 / 3)
    step_tol = nonnegative_real(step_tol, "step_tol", caller)
    max_iter = count(max_iter, "max_iter", caller, minimum=1)
    if not isinstance(line_search, (bool, str)) or line_search not in _LINE_SEARCHES:
        raise ValueError(
            f"{caller}: `line_search` must be True, False, 'armijo', 'watchdog' or 'none', got {line_search!r}"
        )
    if solver not in _SOLVERS:
        raise ValueError(f"{caller}: `solver` must be 'direct' or 'cg', got {solver!r}")
    if not isinstance(jit, bool):
        raise TypeError(f"{caller}: `jit` must be True or False, got {jit!r}")
    run = Run(problem, callback_or_none(callback, caller), progress_every(progress, caller), compiled=jit)
    return _NewtonRun(run, tol, step_tol, max_iter, _LINE_SEARCHES[line_search], solver).solve()


@attrs.frozen(eq=False)
class _Point:
    """An iterate with its objective value, gradient and iteration number."""

    x: np.ndarray
    f: float
    g: np.ndarray
    iteration: int


@attrs.frozen(eq=False)
class _Checkpoint:
    """The last point of sufficient decrease before a relaxed (watchdog) step."""

    point: _Point
    direction: Direction
    slope: float


class _HessianNotFinite(Exception):
    pass


class _NewtonRun:
    def __init__(self, run: Run, tol: float, step_tol: float, max_iter: int, mode: str, solver: str) -> None:
        self.run, self.tol, self.step_tol, self.max_iter = run, tol, step_tol, max_iter
        self.mode, self.solver = mode, solver
        self.hessian_of_f = None
        if run.compiled:
            from .._jacobians import hessian
            from .._jit import jit

            self.hessian_of_f = jit(hessian(run.problem.f_flat))

    # ------------------------------------------------------------ directions
    def direction(self, x: np.ndarray, g: np.ndarray) -> Direction:
        f = self.run.problem.f_flat
        if self.solver == "cg":
            d = truncated_cg(hvp_operator(f, x), g, max_iter=2 * x.size)
            self.run.nhev += d.products
        else:
            h = hessian_matrix(f, x, self.hessian_of_f)
            self.run.nhev += 1
            if not np.all(np.isfinite(h)):
                raise _HessianNotFinite
            # The dense solve runs on the host: its damping loop needs Cholesky's LinAlgError,
            # which CuPy does not raise (it returns a partial factor); n is small here.
            d = damped_newton(host_values(h), host_values(g))
            p = in_library_of(d.p, x)
            if p is not d.p:
                d = attrs.evolve(d, p=p)
        if not float(g @ d.p) < 0:
            # Round-off in an ill-conditioned solve: fall back to steepest descent.
            return Direction(p=-g, pure=False, damping=d.damping, products=d.products)
        return d

    # ------------------------------------------------------------ the iteration
    def solve(self) -> OptimizeResult:
        run = self.run
        x = run.problem.x0
        here = _Point(x, *run.evaluate(x), iteration=0)
        stop = run.record(0, here.x, here.f, here.g)
        checkpoint: _Checkpoint | None = None
        while True:
            g_norm = float(np.linalg.norm(here.g))
            k = here.iteration
            if not (np.isfinite(here.f) and np.isfinite(g_norm)):
                return self.finish(here, checkpoint, False, "nonfinite",
                                   f"stopped at iteration {k}: f = {here.f} or its gradient is not finite")
            if g_norm <= self.tol:
                return self.finish(here, None, True, "gradient",
                                   f"converged at iteration {k}: gradient norm {g_norm:.3e} <= tol = {self.tol:.3g}")
            if stop:
                return self.finish(here, checkpoint, False, "callback", f"stopped by the callback at iteration {k}")
            if k >= self.max_iter:
                return self.finish(here, checkpoint, False, "max_iter",
                                   f"not converged: reached max_iter = {self.max_iter} with gradient norm {g_norm:.3e}")
            try:
                d = self.direction(here.x, here.g)
            except _HessianNotFinite:
                return self.finish(here, checkpoint, False, "nonfinite",
                                   f"stopped at iteration {k}: the Hessian has non-finite entries")
            slope = float(here.g @ d.p)
            p_norm = float(np.linalg.norm(d.p))
            limit = self.step_tol * (1.0 + float(np.linalg.norm(here.x)))
            if d.pure and p_norm <= limit:
                final = self.final_step(here, d)
                return self.finish(final, None, True, "step",
                                   f"converged at iteration {final.iteration}: Newton step {p_norm:.3e} "
                                   f"<= step_tol * (1 + |x|) = {limit:.3e}")
            first = Trial(1.0, here.x + d.p, *run.evaluate(here.x + d.p))
            accepted, checkpoint, used = self.choose_step(here, d, slope, first, checkpoint)
            if accepted is None:
                return self.finish(here, checkpoint, False, "line_search",
                                   f"stopped at iteration {k}: the line search found no decrease of f along "
                                   f"the Newton direction (gradient norm {g_norm:.3e}); f may be non-smooth "
                                   "or its gradient inaccurate at this scale")
            step = float(np.linalg.norm(accepted.x - here.x))
            here = _Point(accepted.x, accepted.f, accepted.g, iteration=k + 1)
            stop = run.record(here.iteration, here.x, here.f, here.g, step=step,
                              step_length=accepted.t, damping=used.damping)

    def choose_step(self, here: _Point, d: Direction, slope: float, first: Trial,
                    checkpoint: _Checkpoint | None) -> tuple[Trial | None, _Checkpoint | None, Direction]:
        """The accepted trial, the watchdog checkpoint to keep, and the direction used."""
        evaluate = self.run.evaluate
        if self.mode == "none":
            return first, None, d
        if checkpoint is None:
            if sufficient_decrease(first.f, here.f, 1.0, slope):
                return first, None, d
            if self.mode == "watchdog" and d.pure and np.isfinite(first.f):
                return first, _Checkpoint(here, d, slope), d
            return backtrack(evaluate, here.x, here.f, d.p, slope, first), None, d
        # One relaxed step has been taken from the checkpoint: demand real progress now.
        base = checkpoint.point
        if sufficient_decrease(first.f, base.f, 1.0, checkpoint.slope):
            return first, None, d
        if here.f <= base.f:
            return backtrack(evaluate, here.x, here.f, d.p, slope, first), None, d
        # Go back and search along the checkpoint's direction, whose full step led here.
        back = backtrack(evaluate, base.x, base.f, checkpoint.direction.p, checkpoint.slope,
                         Trial(1.0, here.x, here.f, here.g))
        return back, (checkpoint if back is None else None), checkpoint.direction

    def final_step(self, here: _Point, d: Direction) -> _Point:
        """Take a tiny converged Newton step unless round-off makes it raise ``f``."""
        x_new = here.x + d.p
        f_new, g_new = self.run.evaluate(x_new)
        if not f_new <= here.f:
            return here
        new = _Point(x_new, f_new, g_new, iteration=here.iteration + 1)
        self.run.record(new.iteration, new.x, new.f, new.g, step=float(np.linalg.norm(d.p)),
                        step_length=1.0, damping=d.damping)
        return new

    def finish(self, here: _Point, checkpoint: _Checkpoint | None, converged: bool, status: str,
               message: str) -> OptimizeResult:
        nit = here.iteration
        if checkpoint is not None and checkpoint.point.f < here.f:
            message += f"; returning iteration {checkpoint.point.iteration}, where f was lower"
            here = checkpoint.point
        return self.run.result(here.x, here.f, here.g, nit, converged, status, message)
