"""Validation of the optimizers' options: each bad value is named with what was expected."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any, Callable

__all__ = ["positive_real", "nonnegative_real", "count", "fraction", "callback_or_none", "progress_every"]


def _real(value: Any, name: str, caller: str, expected: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{caller}: `{name}` must be {expected}, got {type(value).__name__} {value!r:.60}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{caller}: `{name}` must be {expected}, got nan")
    return value


def positive_real(value: Any, name: str, caller: str) -> float:
    """A finite number > 0."""
    expected = "a finite number > 0"
    v = _real(value, name, caller, expected)
    if not (0 < v < math.inf):
        raise ValueError(f"{caller}: `{name}` must be {expected}, got {value!r}")
    return v


def nonnegative_real(value: Any, name: str, caller: str) -> float:
    """A number >= 0 (inf is allowed)."""
    expected = "a number >= 0"
    v = _real(value, name, caller, expected)
    if v < 0:
        raise ValueError(f"{caller}: `{name}` must be {expected}, got {value!r}")
    return v


def fraction(value: Any, name: str, caller: str) -> float:
    """A number in [0, 1)."""
    expected = "a number in [0, 1)"
    v = _real(value, name, caller, expected)
    if not 0 <= v < 1:
        raise ValueError(f"{caller}: `{name}` must be {expected}, got {value!r}")
    return v


def count(value: Any, name: str, caller: str, minimum: int) -> int:
    """An integer >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{caller}: `{name}` must be an int >= {minimum}, got {type(value).__name__} {value!r:.60}")
    if value < minimum:
        raise ValueError(f"{caller}: `{name}` must be an int >= {minimum}, got {value!r}")
    return int(value)


def callback_or_none(value: Any, caller: str) -> Callable[[Any], Any] | None:
    if value is not None and not callable(value):
        raise TypeError(
            f"{caller}: `callback` must be callable (it receives each Iteration record) or None, "
            f"got {type(value).__name__} {value!r:.60}"
        )
    return value


def progress_every(value: Any, caller: str) -> int:
    """`progress`: False/True, or an int N to print every N-th iteration. Returns N (0 = off)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Integral) and value >= 0:
        return int(value)
    raise TypeError(
        f"{caller}: `progress` must be True/False, or an int N >= 0 to print every N-th "
        f"iteration, got {type(value).__name__} {value!r:.60}"
    )
