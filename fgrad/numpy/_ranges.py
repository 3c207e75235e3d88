"""Evenly spaced ranges with traced end points: linspace, logspace, geomspace.

Each follows NumPy's own construction (sample ``k`` is ``start + k * step``, the last one
is exactly `stop`), written with fgrad operations, so the samples are differentiable in
`start`, `stop` and (for ``logspace``) `base`. An integer `dtype` gives a plain result.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .._backend import as_array, in_library_of
from .._core import value_of
from .._ops import broadcast_to, cast, reshape, shape_of
from ._elementwise import log10, power
from ._register import composite
from ._shape import concatenate, expand_dims, moveaxis

__all__ = ["geomspace", "linspace", "logspace"]


def _plain_if_integer(dtype: Any) -> bool:
    return dtype is not None and np.issubdtype(dtype, np.integer)


def _with_ends(y: Any, first: Any, last: Any) -> Any:
    """`y` (samples along axis 0) with its first and/or last sample replaced (None: kept)."""
    shape = shape_of(y)[1:]
    sample = lambda v: reshape(broadcast_to(v, shape=shape), (1,) + shape)  # noqa: E731
    parts = [y]
    if first is not None:
        parts = [sample(first), y[1:]]
    if last is not None:
        parts[-1] = parts[-1][:-1]
        parts.append(sample(last))
    return concatenate(parts, axis=0) if len(parts) > 1 else y


@composite(np.linspace)
def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: Any = None, axis: int = 0, *, device: Any = None) -> Any:
    """`num` evenly spaced samples from `start` to `stop`; differentiable in both end points.

    Sample ``k`` has derivative ``1 - k/div`` in `start` and ``k/div`` in `stop`
    (``div = num - 1``, or `num` without the end point). With ``retstep=True`` the step is
    returned too (differentiable; NaN when ``div`` is 0, as in NumPy).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.jacobian(lambda s: fnp.linspace(s[0], s[1], 3))(np.array([0.0, 1.0]))
        array([[1. , 0. ],
               [0.5, 0.5],
               [0. , 1. ]])
    """
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    if _plain_if_integer(dtype):
        return np.linspace(value_of(start), value_of(stop), num, endpoint, retstep, dtype, axis)
    div = (num - 1) if endpoint else num
    delta = stop - start
    dt = np.result_type(value_of(start), value_of(stop), 1.0)
    k = in_library_of(np.arange(0, num, dtype=dt).reshape((-1,) + (1,) * len(shape_of(delta))), delta)
    if div > 0:
        step = delta / div
        y = k / div * delta if np.any(value_of(step) == 0) else k * step
    else:
        step = np.nan
        y = k * delta
    y = y + start
    if endpoint and num > 1:
        y = _with_ends(y, None, stop)
    if axis != 0:
        y = moveaxis(y, 0, axis)
    if dtype is not None:
        y = cast(y, dtype=np.dtype(dtype))
    return (y, step) if retstep else y


@composite(np.logspace)
def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: Any = 10.0,
             dtype: Any = None, axis: int = 0) -> Any:
    """``base ** linspace(start, stop)``; differentiable in `start`, `stop` and `base`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda b: fnp.sum(fnp.logspace(0.0, 2.0, 3, base=b)))(2.0)  # d/db (1 + b + b^2)
        np.float64(5.0)
    """
    if _plain_if_integer(dtype):
        return np.logspace(value_of(start), value_of(stop), num, endpoint, value_of(base), dtype, axis)
    if np.ndim(value_of(base)):
        nd = len(np.broadcast_shapes(*(shape_of(a) for a in (start, stop, base))))
        start, stop, base = (a if len(shape_of(a)) == nd else
                             broadcast_to(a, shape=(1,) * (nd - len(shape_of(a))) + shape_of(a))
                             for a in (start, stop, base))
        base = expand_dims(base, axis)
    y = power(base, linspace(start, stop, num=num, endpoint=endpoint, axis=axis))
    return y if dtype is None else cast(y, dtype=np.dtype(dtype))


@composite(np.geomspace)
def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Any:
    """`num` samples evenly spaced on a log scale from `start` to `stop` (same sign, nonzero).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda s: fnp.geomspace(s, 16.0, 3)[1])(4.0).round(12)  # d/ds sqrt(16 s)
        np.float64(1.0)
    """
    vstart, vstop = as_array(value_of(start)), as_array(value_of(stop))
    if np.any(vstart == 0) or np.any(vstop == 0):
        raise ValueError("Geometric sequence cannot include zero")
    if _plain_if_integer(dtype):
        return np.geomspace(vstart, vstop, num, endpoint, dtype, axis)
    dt = np.result_type(vstart, vstop, float(num), np.zeros((), dtype))  # NumPy's: float64 at least
    start, stop = (v if np.result_type(value_of(v)) == dt else cast(v, dtype=dt) for v in (start, stop))
    sign = np.sign(vstart).astype(dt)
    start, stop = start / sign, stop / sign
    result = logspace(log10(start), log10(stop), num=num, endpoint=endpoint, base=10.0)
    if num > 0:
        # Exact end points, as in NumPy (10 ** log10(x) need not be x).
        result = _with_ends(result, start, stop if num > 1 and endpoint else None)
    result = result * sign
    if axis != 0:
        result = moveaxis(result, 0, axis)
    return result if dtype is None else cast(result, dtype=np.dtype(dtype))
