"""Lists and tuples holding traced values, where NumPy takes an array_like.

``fnp.mean([x, x + 2])``: NumPy would convert the list to an array itself, which it
cannot do with a traced value inside (``Node.__array__`` refuses, rather than cut the
derivative). fgrad.numpy's functions therefore retry such a call once with each list or
tuple argument that holds a traced value stacked into a traced array (`fgrad.numpy.asarray`).

The retry lives where the call failed, in an ``except TypeError`` (`fgrad._core`'s
primitive wrapper, `composite` and the ufunc methods), so calls with arrays and traced
values, the hot path, never look at their arguments for lists.
"""

from __future__ import annotations

import threading
from typing import Any

from .._core import Node

__all__ = ["holds_traced", "stacked_arguments"]


def holds_traced(obj: Any) -> bool:
    """Whether `obj` is a (nested) list or tuple with a traced value somewhere inside.

    Example:
        >>> import fgrad
        >>> seen = []
        >>> _ = fgrad.grad(lambda x: seen.append(holds_traced([1.0, (2.0, x)])) or x)(1.0)
        >>> seen, holds_traced([1.0, 2.0])
        ([True], False)
    """
    if type(obj) is list or type(obj) is tuple:
        for v in obj:
            if type(v) is Node or holds_traced(v):
                return True
    return False


def _stack(obj: Any) -> Any:
    """`obj` as a traced array; if it is ragged, a list of them (``concatenate([[x, 1.0], [2.0]])``)."""
    from ._creation import asarray  # (fgrad.numpy's modules import this one)

    try:
        return asarray(obj)
    except (TypeError, ValueError):
        if not any(holds_traced(v) for v in obj):
            raise
        return type(obj)(_stack(v) if holds_traced(v) else v for v in obj)


def stacked_arguments(args: tuple, kwargs: dict | None = None) -> tuple[tuple, dict] | None:
    """`args`, `kwargs` with each list/tuple holding traced values made a traced array.

    A ragged one becomes a list of traced arrays (a sequence of array_likes, as
    ``concatenate`` takes). None if none holds a traced value, or if one cannot be
    stacked at all: then the caller's own error stands.

    Example:
        >>> import fgrad
        >>> fgrad.grad(lambda x: stacked_arguments(([x, 1.0], "i"))[0][0][0])(3.0)
        np.float64(1.0)
        >>> stacked_arguments(([1.0, 2.0],)) is None
        True
    """
    kwargs = kwargs or {}
    if _CONVERTING.active or not any(holds_traced(a) for a in (*args, *kwargs.values())):
        return None  # (a failure while stacking is not retried: the caller's error stands)
    _CONVERTING.active = True
    try:
        new_args = tuple(_stack(a) if holds_traced(a) else a for a in args)
        new_kwargs = {k: _stack(v) if holds_traced(v) else v for k, v in kwargs.items()}
    except (TypeError, ValueError):
        return None
    finally:
        _CONVERTING.active = False
    return new_args, new_kwargs


class _Converting(threading.local):
    active = False


_CONVERTING = _Converting()
