"""The bookkeeping every optimizer run shares: counted evaluations, the iteration
history, the callback, the progress display, and the final `OptimizeResult`."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._transforms import value_and_grad
from ._problem import FlatProblem, in_iterates_library
from ._progress import Printer
from ._result import Iteration, OptimizeResult

__all__ = ["Run"]


class Run:
    """One optimizer run on a `FlatProblem` (vectors in, records out)."""

    def __init__(self, problem: FlatProblem, callback: Callable[[Iteration], Any] | None,
                 progress_every: int, keep_history: bool = True, compiled: bool = False) -> None:
        self.problem = problem
        self.callback = callback
        self.printer = Printer(progress_every)
        self.keep_history = keep_history
        self.history: list[Iteration] = []
        self.last: Iteration | None = None
        self.nfev = self.ngev = self.nhev = 0
        self.compiled = compiled
        self._value_and_grad = value_and_grad(problem.f_flat)
        if compiled:  # (traced once, straight-line NumPy on every later iteration: fgrad.jit)
            from .._jit import jit

            self._value_and_grad = jit(self._value_and_grad)

    def evaluate(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``f`` and its gradient (as a flat vector) at ``x``."""
        self.nfev += 1
        self.ngev += 1
        f, g = in_iterates_library(x, *self._value_and_grad(x))
        return float(f), g

    def record(self, iteration: int, x: np.ndarray, f: float, g: np.ndarray, step: float | None = None,
               step_length: float | None = None, damping: float | None = None) -> bool:
        """Store one iterate, show it, and ask the callback; True means "stop now"."""
        rec = Iteration(
            iteration=iteration, x=self.problem.unflatten(x), f=f, grad_norm=float(np.linalg.norm(g)),
            step=step, step_length=step_length, damping=damping,
        )
        if self.keep_history or not self.history:
            self.history.append(rec)
        self.last = rec
        self.printer.iteration(rec)
        return bool(self.callback(rec)) if self.callback is not None else False

    def result(self, x: np.ndarray, f: float, g: np.ndarray, nit: int, converged: bool,
               status: str, message: str) -> OptimizeResult:
        if not self.keep_history and self.last is not None and self.history[-1] is not self.last:
            self.history.append(self.last)
        self.printer.finish(self.last, message)
        return OptimizeResult(
            x=self.problem.unflatten(x), fun=f, grad=self.problem.unflatten(g), nit=nit,
            nfev=self.nfev, ngev=self.ngev, nhev=self.nhev, converged=converged, status=status,
            message=message, history=tuple(self.history),
        )
