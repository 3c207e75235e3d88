"""Building arrays, and queries that return plain values.

``array``/``asarray``/``full``/``full_like``/``meshgrid`` accept traced values (a list of
traced scalars becomes a traced vector). Shape queries, ``argmax``-style indices,
``zeros_like`` and friends do not depend differentiably on their arguments, so they
return plain NumPy values.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .._backend import plain_array
from .._core import Node, value_of
from .._ops import broadcast_to, cast, reshape, shape_of
from ._register import any_traced, composite, plain, register
from ._shape import ravel, stack

__all__ = [
    "all", "any", "argmax", "argmin", "argsort", "argwhere", "array", "asarray", "astype", "count_nonzero",
    "digitize", "empty_like", "flatnonzero", "full", "full_like", "iscomplexobj", "isrealobj", "isscalar", "meshgrid",
    "ndim", "nonzero", "ones_like", "result_type", "searchsorted", "shape", "size", "zeros_like",
]

shape = plain(np.shape)
ndim = plain(np.ndim)
size = plain(np.size)
argmax = plain(np.argmax)
argmin = plain(np.argmin)
argsort = plain(np.argsort)
argwhere = plain(np.argwhere)
nonzero = plain(np.nonzero)
flatnonzero = plain(np.flatnonzero)
count_nonzero = plain(np.count_nonzero)
all = plain(np.all)  # noqa: A001
any = plain(np.any)  # noqa: A001
searchsorted = plain(np.searchsorted, call="{f}(np.array([0.0, 1.0]), {t})")
digitize = plain(np.digitize, call="{f}({t}, np.array([0.0, 1.0]))")
zeros_like = plain(np.zeros_like)
ones_like = plain(np.ones_like)
empty_like = plain(np.empty_like, call="np.shape({f}({t}))")
result_type = plain(np.result_type)
iscomplexobj = plain(np.iscomplexobj)
isrealobj = plain(np.isrealobj)


def isscalar(element: Any) -> bool:
    """``np.isscalar`` of the plain value underneath a traced one: a constant, zero derivative.

    NumPy's own ``np.isscalar`` does not dispatch (it answers False for any traced
    value), so this one looks at the value a traced argument carries: True for a NumPy
    scalar (what arithmetic on 0-d arrays gives, as in NumPy), False for a 0-d array.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> seen = []
        >>> _ = fgrad.grad(lambda t: seen.append(fnp.isscalar(t * 2.0)) or t * 2.0)(np.array(3.0))
        >>> seen == [np.isscalar(np.array(3.0) * 2.0)] == [True]
        True
        >>> fnp.isscalar(np.array(3.0)), fnp.isscalar([1.0])
        (False, False)
    """
    return np.isscalar(value_of(element))


isscalar.accepts_ufunc_kwargs = isscalar.is_plain = True  # type: ignore[attr-defined]


def _nested_traced(obj: Any) -> bool:
    if type(obj) is Node:
        return True
    return isinstance(obj, (list, tuple)) and builtins.any(_nested_traced(v) for v in obj)


def _build(obj: Any, dtype: Any) -> Any:
    """An array from nested lists of traced and plain values (stacked, so differentiable)."""
    if type(obj) is Node:
        return obj if dtype is None else cast(obj, dtype=np.dtype(dtype))
    if isinstance(obj, (list, tuple)) and _nested_traced(obj):
        return stack([_build(v, dtype) for v in obj])
    return np.asarray(obj, dtype=dtype)


def array(object: Any, dtype: Any = None, *, copy: Any = True, **kwargs: Any) -> Any:  # noqa: A002
    """``np.array`` that also takes traced values and (nested) lists of them.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.array([x, 2.0 * x, [x * x, 1.0][0]]) ** 2))(1.0)
        np.float64(14.0)
    """
    if not _nested_traced(object):
        return np.array(object, dtype=dtype, copy=copy, **kwargs)
    return _build(object, dtype)


def asarray(a: Any, dtype: Any = None, **kwargs: Any) -> Any:
    """``np.asarray`` that also takes traced values (returned as they are) and lists of them.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.asarray([1.0, 2.0])
        array([1., 2.])
    """
    if not _nested_traced(a):
        return np.asarray(a, dtype=dtype, **kwargs)
    return _build(a, dtype)


def astype(x: Any, dtype: Any, /, *, copy: bool = True) -> Any:
    """`x` converted to `dtype` (differentiable between float types).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.astype(x, np.float32) * 2)(1.0)
        np.float64(2.0)
    """
    return cast(x, dtype=np.dtype(dtype))


if hasattr(np, "astype"):  # NumPy >= 2.1
    register((np.astype,), astype)


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C", **kwargs: Any) -> Any:
    """``np.full``; a traced `fill_value` is broadcast (so the result is differentiable in it).

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda v: fnp.sum(fnp.full((2, 3), v)))(1.5)
        np.float64(6.0)
    """
    if not any_traced((fill_value,)):
        return np.full(shape, fill_value, dtype=dtype, order=order, **kwargs)
    value = fill_value if dtype is None else cast(fill_value, dtype=np.dtype(dtype))
    return broadcast_to(value, shape=(shape,) if np.ndim(shape) == 0 else tuple(shape))


@composite(np.full_like)
def full_like(a: Any, fill_value: Any, dtype: Any = None, order: str = "K", subok: bool = True,
              shape: Any = None, **kwargs: Any) -> Any:
    """``np.full_like``; the result depends only on `fill_value` (differentiable in it).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda v: fnp.sum(fnp.full_like(np.zeros(4), v)))(1.0)
        np.float64(4.0)
    """
    if not any_traced((fill_value,)):
        return np.full_like(value_of(a), fill_value, dtype=dtype, order=order, subok=subok, shape=shape)
    return full(shape_of(a) if shape is None else shape, fill_value, dtype=dtype or plain_array(value_of(a)).dtype)


@composite(np.meshgrid)
def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> Any:
    """Coordinate grids from 1-D coordinate vectors (differentiable in them).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.meshgrid(x, np.zeros(3))[0]))(np.array([1.0, 2.0]))
        array([3., 3.])
    """
    if indexing not in ("xy", "ij"):
        raise ValueError("meshgrid: `indexing` must be 'xy' or 'ij'")
    vectors = [ravel(x) for x in xi]
    n = len(vectors)
    axes = list(range(n))
    if indexing == "xy" and n > 1:
        axes[0], axes[1] = 1, 0
    full_shape = [0] * n
    for v, ax in zip(vectors, axes):
        full_shape[ax] = shape_of(v)[0]
    grids = []
    for v, ax in zip(vectors, axes):
        shaped = reshape(v, tuple(-1 if i == ax else 1 for i in range(n)))
        grids.append(shaped if sparse else broadcast_to(shaped, shape=tuple(full_shape)))
    return tuple(grids)
