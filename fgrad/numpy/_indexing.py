"""Indexing: ``take``, ``take_along_axis``, ``sort``, and functional updates ``x.at[idx]``.

Reading uses the core ``getitem`` primitive (``x[idx]`` with basic, integer-array and
boolean indices; its VJP scatters back with ``untake``, accumulating repeated indices).
Traced values are immutable, so writes are functional: ``x.at[idx].set(v)`` returns a
new value, like JAX's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._array_api import ArrayAPIValue
from .._backend import host_values
from .._core import primitive, value_of
from .._dispatch import register_array_attributes
from .._ops import broadcast_to, getitem, plain_index, reshape, shape_of, unbroadcast, untake
from ._elementwise import where
from ._register import composite

__all__ = ["at", "sort", "take", "take_along_axis"]


def _flat(a: Any) -> Any:
    return reshape(a, (-1,))


@composite(np.take)
def take(a: Any, indices: Any, axis: int | None = None, mode: str = "raise") -> Any:
    """Elements of `a` at integer `indices` along `axis` (flattened if None); differentiable in `a`.

    ``mode="wrap"``/``"clip"`` treat out-of-range indices as NumPy does. Repeated indices
    accumulate their cotangents.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.take(x, [0, 2, 2])))(np.array([1.0, 2.0, 3.0]))
        array([1., 0., 2.])
    """
    if axis is None:
        a, axis = _flat(a), 0
    axis = int(axis) % len(shape_of(a))
    indices = host_values(value_of(indices))
    n = shape_of(a)[axis]
    if mode == "wrap":
        indices = indices % n
    elif mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    elif mode != "raise":
        raise ValueError(f"take: `mode` must be 'raise', 'wrap' or 'clip', got {mode!r}")
    return getitem(a, idx=plain_index((slice(None),) * axis + (indices,)))


@composite(np.take_along_axis)
def take_along_axis(arr: Any, indices: Any, axis: int | None = -1) -> Any:
    """``arr`` indexed along `axis` by `indices` of the same rank (as NumPy's); differentiable in `arr`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> x = np.array([[3.0, 1.0], [0.0, 5.0]])
        >>> fgrad.grad(lambda x: fnp.sum(fnp.take_along_axis(x, np.array([[0], [1]]), axis=1)))(x)
        array([[1., 0.],
               [0., 1.]])
    """
    if axis is None:
        arr, axis = _flat(arr), 0
    shape = shape_of(arr)
    if type(value_of(indices)) is ArrayAPIValue:  # (computed in an array-API library, e.g. by argsort)
        return _permuted_along(arr, value_of(indices), int(axis) % max(len(shape), 1))
    indices = host_values(value_of(indices))
    if indices.ndim != len(shape):
        raise ValueError(f"take_along_axis: `indices` must have the same number of dimensions as `arr` ({len(shape)})")
    axis = int(axis) % len(shape)
    index = tuple(
        indices if d == axis else np.arange(n).reshape([-1 if i == d else 1 for i in range(len(shape))])
        for d, n in enumerate(shape)
    )
    return getitem(arr, idx=plain_index(index))


# Indices computed in an array-API library are not read back to build a NumPy index, and
# the standard has no scatter-add for the derivative of a gather. A permutation along the
# axis (argsort's) needs none: its transpose is the gather by the inverse permutation.
_permute = primitive(lambda x, order, inverse, axis: np.take_along_axis(x, order, axis=axis),
                     lambda g, ans, x, order, inverse, axis: _permute(g, inverse, order, axis=axis), None, None,
                     name="permute_along", uses_ans=False)


def _permuted_along(arr: Any, order: ArrayAPIValue, axis: int) -> Any:
    """``take_along_axis(arr, order, axis)`` for `order` a permutation along `axis` in an
    array-API library; other indices of that library are a TypeError."""
    shape = shape_of(arr)
    n = shape[axis] if shape else 0
    positions = np.arange(n).reshape([-1 if i == axis else 1 for i in range(len(shape))])
    if order.ndim == len(shape) and order.shape[axis] == n and order.shape != shape:  # (broadcast, as NumPy's)
        order = np.broadcast_to(order, np.broadcast_shapes(order.shape, shape))
    if order.shape != shape or not bool(np.all(np.sort(order, axis=axis) == positions)):
        raise TypeError(f"take_along_axis: indices in an array of {order.xp.__name__.split('.')[0]} that are "
                        "not a permutation along the axis are not supported (the derivative would need a "
                        "scatter-add, which the array API lacks); pass NumPy indices")
    return _permute(arr, order, np.argsort(order, axis=axis), axis=axis)


@composite(np.sort)
def sort(a: Any, axis: int | None = -1, kind: Any = None, order: Any = None, *, stable: Any = None) -> Any:
    """A sorted copy of `a` (differentiable: the derivative follows each element to its place).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sort(x)[-1])(np.array([1.0, 3.0, 2.0]))
        array([0., 1., 0.])
    """
    if order is not None:
        raise TypeError("sort: `order` (structured arrays) is not supported on traced values")
    if axis is None:
        a, axis = _flat(a), 0
    perm = np.argsort(value_of(a), axis=axis, kind=kind, stable=stable)
    return take_along_axis(a, perm, axis)


# ---------------------------------------------------------------- functional updates
def _selection_shape(shape: tuple[int, ...], idx: Any) -> tuple[int, ...]:
    return np.broadcast_to(np.zeros((), np.int8), shape)[idx].shape


def _winners(shape: tuple[int, ...], idx: Any) -> np.ndarray:
    """Which selected positions keep their value after ``out[idx] = v`` (the last write wins)."""
    selected = _selection_shape(shape, idx)
    order = np.arange(int(np.prod(selected, dtype=np.int64))).reshape(selected)
    written = np.full(shape, -1)
    written[idx] = order
    return written[idx] == order


def _set_forward(x: Any, values: Any, idx: Any) -> np.ndarray:
    out = np.array(x, copy=True)
    out[idx] = values
    return out


def _set_vjp_x(g: Any, ans: Any, x: Any, values: Any, idx: Any) -> Any:
    return _set(g, 0.0, idx=idx)


def _set_vjp_values(g: Any, ans: Any, x: Any, values: Any, idx: Any) -> Any:
    picked = where(_winners(shape_of(x), idx), getitem(g, idx=idx), 0.0)
    return unbroadcast(picked, values)


_set = primitive(_set_forward, _set_vjp_x, _set_vjp_values, name="at.set", uses_ans=False)


class IndexUpdate:
    """``x.at[idx]``: functional reads and writes at `idx` (JAX's ``.at`` interface)."""

    __slots__ = ("x", "idx")

    def __init__(self, x: Any, idx: Any) -> None:
        self.x, self.idx = x, idx

    def get(self) -> Any:
        """``x[idx]``."""
        return getitem(self.x, idx=self.idx)

    def set(self, values: Any) -> Any:
        """A copy of ``x`` with ``x[idx] = values`` (repeated indices: the last write wins)."""
        return _set(self.x, values, idx=self.idx)

    def add(self, values: Any) -> Any:
        """A copy of ``x`` with ``values`` added at ``idx`` (repeated indices accumulate)."""
        shape = shape_of(self.x)
        spread = broadcast_to(values, shape=_selection_shape(shape, self.idx))
        return self.x + untake(spread, idx=self.idx, shape=shape)

    def __repr__(self) -> str:
        return f"at[{self.idx!r}]"


class IndexUpdates:
    """``x.at``: index it, then call ``.get()``, ``.set(v)`` or ``.add(v)``."""

    __slots__ = ("x",)

    def __init__(self, x: Any) -> None:
        self.x = x

    def __getitem__(self, idx: Any) -> IndexUpdate:
        return IndexUpdate(self.x, plain_index(idx))


def at(x: Any) -> IndexUpdates:
    """Functional index updates: ``fnp.at(x)[idx].set(v)``, the same as ``x.at[idx].set(v)`` on traced values.

    Returns new values and never writes into `x`; works on plain arrays too. ``set``
    differentiates in `x` (zero where overwritten) and in `v`; ``add`` accumulates
    repeated indices, like ``np.add.at`` but without the mutation.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> def f(x):
        ...     y = x.at[0].set(x[1] ** 2)
        ...     return fnp.sum(y.at[[2, 2]].add(10.0 * x[0]))
        >>> fgrad.grad(f)(np.array([1.0, 2.0, 3.0]))
        array([20.,  5.,  1.])
        >>> fnp.at(np.zeros(3))[1:].add(1.0)
        array([0., 1., 1.])
    """
    return IndexUpdates(x)


register_array_attributes({"at": at})
