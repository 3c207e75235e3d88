"""Ufunc methods: ``fnp.add.reduce``, ``fnp.maximum.accumulate``, ``np.add.reduceat(x, idx)``...

fgrad.numpy's ufunc-like functions are Python functions, not ``np.ufunc`` objects, so
`attach` gives each the ufunc's attributes (``nin``, ``nout``, ``identity``,
``__name__``) and, for binary ones, its methods. A method is the NumPy ufunc's own bound
method (plain inputs: exactly NumPy's result; traced inputs: NumPy's protocol hands it
to `fgrad._dispatch.array_ufunc`), plus fgrad's retry for lists holding traced values.

On traced values the common reductions and scans map onto fgrad's primitives
(``add.reduce`` is ``sum``, see `fgrad.numpy._reductions`); every other binary ufunc
fgrad differentiates gets the methods here, written as a fold of the ufunc along the
axis: `fold_reduce`, `fold_accumulate` and `fold_reduceat` (one recorded operation per
element along the axis, so meant for short axes).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._batching import examples_apart
from .._core import BatchedConversionError, is_staged, plain_value, value_of
from .._ops import UFUNCS, cast, reshape, shape_of
from ._array_like import stacked_arguments
from ._register import no_out

__all__ = ["attach", "fold_accumulate", "fold_reduce", "fold_reduceat", "generic_method"]

_NO_VALUE = np._NoValue  # what NumPy's own signatures use for "not given"
BINARY_METHODS = ("reduce", "accumulate", "reduceat", "outer", "at")


def _asarray(a: Any) -> Any:
    from ._creation import asarray  # (imports this module's package)

    return asarray(a)


def _along(axis: int, index: Any) -> tuple:
    return (slice(None),) * axis + (index,)


def _fold(fun: Callable[..., Any], items: list, start: Any) -> list:
    """The running results ``fun(...fun(fun(start, items[0]), items[1])...)``."""
    out = []
    acc = start
    for item in items:
        acc = item if acc is _NO_VALUE else fun(acc, item)
        out.append(acc)
    return out



def _values(x: Any) -> Any:
    """`x` without derivative levels, for NumPy's own argument checks: a value staged by jit as
    its plain value (the check reads shapes only), a batched one as it is (run per example)."""
    if type(x) in (list, tuple):
        return type(x)(_values(v) for v in x)
    v = value_of(x)
    return plain_value(v) if is_staged(v) else v


@examples_apart
def fold_reduce(ufunc: np.ufunc, array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
                keepdims: bool = False, initial: Any = _NO_VALUE, where: Any = True) -> Any:
    """``ufunc.reduce`` on traced values, as a fold of fgrad's version of `ufunc`.

    NumPy checks the arguments first (on the plain values), so a call it refuses (several
    axes of a non-reorderable ufunc, an empty axis without identity) fails the same way.

    Example:
        >>> import numpy as np, fgrad
        >>> fgrad.grad(lambda x: fold_reduce(np.subtract, x))(np.array([5.0, 1.0, 2.0]))
        array([ 1., -1., -1.])
    """
    no_out(out, f"np.{ufunc.__name__}.reduce")
    extra = {} if initial is _NO_VALUE else {"initial": initial}
    expected = ufunc.reduce(_values(array), axis, dtype, None, keepdims, where=where, **extra)
    fun = UFUNCS[ufunc]
    a = _asarray(array)
    if dtype is not None:
        a = cast(a, dtype=np.dtype(dtype))
    shape = shape_of(a)
    axes = tuple(range(len(shape))) if axis is None else tuple(
        int(ax) % max(len(shape), 1) for ax in ((axis,) if np.ndim(axis) == 0 else axis))
    if where is not True:
        if ufunc.identity is None:
            raise TypeError(f"np.{ufunc.__name__}.reduce(..., where=...) is not supported on traced values by fgrad "
                            "(the ufunc has no identity to put in the left-out places)")
        from ._elementwise import where as select  # (imports this module's package)

        a = select(np.broadcast_to(np.asarray(where, dtype=bool), shape), a, ufunc.identity)
    rest = tuple(n for i, n in enumerate(shape) if i not in axes)
    front = a if not axes else _moved_front(a, axes, len(shape))
    count = int(np.prod([shape[i] for i in axes], dtype=np.int64))
    if count == 0 and initial is _NO_VALUE:
        return expected  # the identity, a constant
    flat = reshape(front, (count,) + rest)
    items = [flat[i] for i in range(count)]
    result = _fold(fun, items, initial)[-1] if items else expected
    if keepdims:
        result = reshape(result, tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return result


def _moved_front(a: Any, axes: tuple, ndim: int) -> Any:
    from ._shape import moveaxis  # (imports this module's package)

    return moveaxis(a, axes, tuple(range(len(axes)))) if axes != tuple(range(len(axes))) else a


@examples_apart
def fold_accumulate(ufunc: np.ufunc, array: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> Any:
    """``ufunc.accumulate`` on traced values: the running fold along `axis`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fold_accumulate(np.maximum, x)))(np.array([1.0, 3.0, 2.0]))
        array([1., 2., 0.])
    """
    from ._shape import stack  # (imports this module's package)

    no_out(out, f"np.{ufunc.__name__}.accumulate")
    ufunc.accumulate(_values(array), axis, dtype)  # NumPy's checks and errors
    a = _asarray(array)
    if dtype is not None:
        a = cast(a, dtype=np.dtype(dtype))
    axis = int(axis) % max(len(shape_of(a)), 1)
    items = [a[_along(axis, i)] for i in range(shape_of(a)[axis])]
    return stack(_fold(UFUNCS[ufunc], items, _NO_VALUE), axis=axis)


@examples_apart
def fold_reduceat(ufunc: np.ufunc, array: Any, indices: Any, axis: int = 0, dtype: Any = None,
                  out: Any = None) -> Any:
    """``ufunc.reduceat`` on traced values: `ufunc`'s reduction of each slice ``indices[i]:indices[i+1]``.

    As in NumPy, a slice with ``indices[i] >= indices[i+1]`` gives ``array[indices[i]]``.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fold_reduceat(np.add, x, [0, 2]) ** 2))(np.array([1.0, 2.0, 4.0]))
        array([6., 6., 8.])
    """
    from ._shape import stack  # (imports this module's package)

    no_out(out, f"np.{ufunc.__name__}.reduceat")
    ufunc.reduceat(_values(array), indices, axis, dtype)  # NumPy's checks and errors
    a = _asarray(array)
    if dtype is not None:
        a = cast(a, dtype=np.dtype(dtype))
    axis = int(axis) % max(len(shape_of(a)), 1)
    n = shape_of(a)[axis]
    idx = [int(i) for i in np.asarray(indices).ravel()]
    pieces = []
    for k, start in enumerate(idx):
        stop = idx[k + 1] if k + 1 < len(idx) else n
        if start < stop:
            pieces.append(ufunc.reduce(a[_along(axis, slice(start, stop))], axis=axis))
        else:
            pieces.append(a[_along(axis, start)])
    return stack(pieces, axis=axis)


def generic_method(ufunc: np.ufunc, method: str) -> Callable[..., Any] | None:
    """``ufunc.<method>`` on traced values for a binary ufunc fgrad differentiates, or None."""
    if ufunc.nin != 2 or ufunc.nout != 1 or ufunc.signature is not None or ufunc not in UFUNCS:
        return None
    fold = {"reduce": fold_reduce, "accumulate": fold_accumulate, "reduceat": fold_reduceat}.get(method)
    if fold is None:
        return None
    return lambda *args, **kwargs: fold(ufunc, *args, **kwargs)


def _method(ufunc: np.ufunc, name: str) -> Callable[..., Any]:
    bound = getattr(ufunc, name)

    def method(*args: Any, **kwargs: Any) -> Any:
        try:
            return bound(*args, **kwargs)
        except TypeError as e:
            # a list holding traced values
            stacked = stacked_arguments(args, kwargs) if type(e) in (TypeError, BatchedConversionError) else None
            if stacked is None:
                raise
        return bound(*stacked[0], **stacked[1])

    method.__name__ = name
    method.__qualname__ = f"{ufunc.__name__}.{name}"
    method.__doc__ = bound.__doc__
    return method


def attach(namespace: dict[str, Any]) -> None:
    """Give each function of `namespace` that stands for a NumPy ufunc that ufunc's attributes.

    ``nin``, ``nout``, ``identity``, ``signature`` and ``__name__``; binary ones also get
    ``reduce``, ``accumulate``, ``reduceat``, ``outer`` and ``at`` (NumPy's, which writes
    in place and so refuses traced values).
    """
    for name in sorted(namespace):
        fun = namespace[name]
        ufunc = getattr(np, name, None)
        if not isinstance(ufunc, np.ufunc) or UFUNCS.get(ufunc) is not fun or hasattr(fun, "nin"):
            continue
        fun.nin, fun.nout, fun.identity, fun.signature = ufunc.nin, ufunc.nout, ufunc.identity, ufunc.signature
        fun.__name__ = fun.__qualname__ = ufunc.__name__
        if ufunc.nin == 2 and ufunc.nout == 1 and ufunc.signature is None:  # (not gufuncs: matmul)
            for method in BINARY_METHODS:
                setattr(fun, method, _method(ufunc, method))
