"""The records an optimizer returns: one `Iteration` per iterate and the `OptimizeResult`."""

from __future__ import annotations

from typing import Any, Callable

import attrs
import numpy as np

from ..tree import tree_leaves
from ._progress import table

__all__ = ["Iteration", "OptimizeResult"]


@attrs.frozen(eq=False)
class Iteration:
    """The state of an optimizer after one iteration (iteration 0 is the starting point).

    Attributes:
        iteration: 0 for the starting point, then 1, 2, ...
        x: the iterate, with the structure, shapes and dtypes of ``x0`` (arrays read-only).
        f: the objective at ``x``.
        grad_norm: the Euclidean norm of the gradient at ``x`` (all leaves together).
        step: the norm of ``x`` minus the previous iterate; None at iteration 0.
        step_length: the line-search multiplier of the search direction (1.0 = the full
            Newton step), or the learning rate for gradient descent; None at iteration 0.
        damping: the multiple of the identity added to the Hessian to make it positive
            definite (0.0 = pure Newton step); None where it does not apply.
    """

    iteration: int
    x: Any
    f: float
    grad_norm: float
    step: float | None = None
    step_length: float | None = None
    damping: float | None = None


@attrs.frozen(repr=False, eq=False)
class OptimizeResult:
    """The outcome of `newton` or `gradient_descent`.

    Attributes:
        x: the solution, with the structure, shapes and dtypes of ``x0``.
        fun: the objective at ``x``.
        grad: the gradient at ``x``, structured like ``x``.
        nit: the number of iterations (steps) taken.
        nfev: evaluations of the objective (each with its gradient, see ``ngev``).
        ngev: gradient evaluations.
        nhev: Hessian evaluations (Hessian-vector products with ``solver="cg"``).
        converged: True when a convergence test was met.
        status: why the run stopped, one word: ``"gradient"``, ``"step"``,
            ``"max_iter"``, ``"steps"``, ``"callback"``, ``"line_search"`` or ``"nonfinite"``.
        message: the same, for people.
        history: one `Iteration` per iterate, starting with the initial point.

    Example:
        >>> import fgrad
        >>> res = fgrad.optimize.newton(lambda x: (x - 3.0) ** 2, 0.0)
        >>> res.x, res.nit, res.status, [r.f for r in res.history]
        (np.float64(3.0), 1, 'gradient', [9.0, 0.0])
    """

    x: Any
    fun: float
    grad: Any
    nit: int
    nfev: int
    ngev: int
    nhev: int
    converged: bool
    status: str
    message: str
    history: tuple[Iteration, ...] = attrs.field(converter=tuple)

    @property
    def grad_norm(self) -> float:
        """The Euclidean norm of ``grad`` (all leaves together)."""
        return float(np.sqrt(sum(np.sum(np.square(leaf)) for leaf in tree_leaves(self.grad))))

    def summary(self) -> str:
        """The history as an aligned table (as printed with ``progress=True``) and the message."""
        return table(self.history) + "\n" + self.message

    def plot(self, f: Callable[[Any], Any] | None = None, **options: Any) -> Any:
        """Draw the iterates as a path over the contours of ``f``; returns the matplotlib Axes.

        The same as ``fgrad.optimize.plot_path(self, f, **options)``: see `plot_path` for
        the options (``ax``, ``levels``, ``bounds``, ...) and an example. Needs matplotlib
        (``pip install 'fgrad[plot]'``).
        """
        from ._plot import plot_path

        return plot_path(self, f, **options)

    def __repr__(self) -> str:
        n = len(self.history)
        return (
            f"OptimizeResult(converged={self.converged}, status={self.status!r}, nit={self.nit}, "
            f"fun={self.fun!r}, grad_norm={self.grad_norm:.3e},\n"
            f"               x={_short(self.x)},\n"
            f"               nfev={self.nfev}, ngev={self.ngev}, nhev={self.nhev}, "
            f"history=<{n} record{'s' if n != 1 else ''}; .summary() shows {'them' if n != 1 else 'it'}>,\n"
            f"               message={self.message!r})"
        )


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 200 else text[:197] + "..."
