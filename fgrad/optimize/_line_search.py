"""Backtracking line search with the Armijo sufficient-decrease condition."""

from __future__ import annotations

from typing import Callable

import attrs
import numpy as np

__all__ = ["Trial", "ARMIJO", "sufficient_decrease", "backtrack"]

ARMIJO = 1e-4  # the fraction of the predicted decrease a step must achieve
MAX_TRIALS = 60


@attrs.frozen(eq=False)
class Trial:
    """A point ``x = base + t * p`` on the search line, with ``f`` and gradient ``g`` there."""

    t: float
    x: np.ndarray
    f: float
    g: np.ndarray


def sufficient_decrease(f_new: float, f0: float, t: float, slope: float) -> bool:
    """Armijo: ``f_new <= f0 + c1 t slope`` (False for a non-finite ``f_new``)."""
    return bool(np.isfinite(f_new) and f_new <= f0 + ARMIJO * t * slope)


def _shorter(t: float, f_t: float, f0: float, slope: float) -> float:
    """The minimiser of the quadratic through f0, slope and f(t), kept in [t/10, t/2]."""
    if not np.isfinite(f_t):
        return 0.1 * t
    curvature = f_t - f0 - slope * t
    guess = -slope * t * t / (2.0 * curvature) if curvature > 0 else 0.5 * t
    return float(min(max(guess, 0.1 * t), 0.5 * t))


def backtrack(
    evaluate: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x: np.ndarray,
    f0: float,
    p: np.ndarray,
    slope: float,
    first: Trial,
) -> Trial | None:
    """Shorten the step along ``p`` from the rejected trial ``first`` until Armijo holds.

    ``slope`` is ``g·p < 0``. Returns the accepted trial, or None when the step has
    shrunk to nothing without a sufficient decrease (``f`` is then flat or noisy along
    ``p`` at the resolution of floating point).

    Example:
        >>> import numpy as np
        >>> f = lambda x: (float(x[0] ** 2), 2 * x)
        >>> x, p = np.array([1.0]), np.array([-4.0])
        >>> t1 = Trial(1.0, x + p, *f(x + p))
        >>> backtrack(f, x, 1.0, p, -8.0, t1).t
        0.25
    """
    trial = first
    for _ in range(MAX_TRIALS):
        if sufficient_decrease(trial.f, f0, trial.t, slope):
            return trial
        t = _shorter(trial.t, trial.f, f0, slope)
        x_new = x + t * p
        if np.array_equal(x_new, x):
            return None
        trial = Trial(t, x_new, *evaluate(x_new))
    return None
