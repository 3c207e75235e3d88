"""Shape and layout: reshape, transpose, expand/squeeze, joining, splitting, flip, roll, tile, pad.

Most are compositions of the core ``reshape``/``transpose``/``broadcast_to``/``getitem``
primitives; ``concatenate``, ``flip``, ``roll``, ``tril``-free ``pad`` are primitives of
their own. Result shapes and argument errors come from NumPy itself, applied to a
zero-size probe, so they match NumPy exactly.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from .._backend import in_library_of
from .._core import value_of
from .._ops import broadcast_to, getitem, ndim_of, reshape as _reshape, shape_of, swapaxes, transpose as _transpose
from ._indexing import take
from ._register import any_traced, composite, no_out as _no_out, numpy_function, numpy_primitive, variadic_primitive

try:  # NumPy >= 2
    from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple
except ImportError:  # pragma: no cover - NumPy 1.x
    from numpy.core.multiarray import normalize_axis_index  # type: ignore[no-redef]
    from numpy.core.numeric import normalize_axis_tuple  # type: ignore[no-redef]

__all__ = [
    "append", "array_split", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_arrays", "broadcast_to",
    "column_stack", "concatenate", "copy", "dsplit", "dstack", "expand_dims", "flip", "fliplr", "flipud",
    "hsplit", "hstack", "matrix_transpose", "moveaxis", "pad", "rollaxis", "ravel", "repeat", "reshape", "roll", "rot90", "split",
    "squeeze", "stack", "swapaxes", "tile", "transpose", "vsplit", "vstack",
]


def _probe(shape: tuple[int, ...]) -> np.ndarray:
    """A read-only zero-memory array of `shape`: NumPy's shape logic without the data."""
    return np.broadcast_to(np.zeros((), np.int8), shape)


def _traced_order(order: str, name: str) -> None:
    if order not in ("C", "A", "K"):
        raise TypeError(f"{name}: order={order!r} is not supported on traced values (C order is)")


# ---------------------------------------------------------------- one array, new shape
@composite(np.reshape)
def reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: Any = None) -> Any:
    """`a` with a new shape (one entry may be -1); differentiable ``np.reshape``.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.reshape(x, (2, -1))[1, 0])(np.arange(4.0))
        array([0., 0., 1., 0.])
    """
    _traced_order(order, "reshape")
    return _reshape(a, shape=newshape if shape is None else shape)


@composite(np.ravel)
def ravel(a: Any, order: str = "C") -> Any:
    """`a` flattened to one dimension (``x.ravel()`` and ``x.flatten()`` on traced values too).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.ravel(x)[3])(np.ones((2, 2)))
        array([[0., 0.],
               [0., 1.]])
    """
    _traced_order(order, "ravel")
    return _reshape(a, shape=(-1,))


@composite(np.transpose)
def transpose(a: Any, axes: Any = None) -> Any:
    """Permute the axes of `a` (reversed by default; negative axes allowed).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.transpose(x)[0, 1])(np.ones((2, 2)))
        array([[0., 0.],
               [1., 0.]])
    """
    if axes is not None:
        axes = normalize_axis_tuple(axes, ndim_of(a))
        if len(axes) != ndim_of(a):
            raise ValueError(f"transpose: `axes` {axes} don't match the array's {ndim_of(a)} dimensions")
    return _transpose(a, axes=axes)


@composite(np.moveaxis)
def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    """Move axes of `a` to new positions, the others keeping their order.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.moveaxis(np.zeros((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    nd = ndim_of(a)
    source, destination = normalize_axis_tuple(source, nd), normalize_axis_tuple(destination, nd)
    if len(source) != len(destination):
        raise ValueError("moveaxis: `source` and `destination` must have the same number of elements")
    order = [n for n in range(nd) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return _transpose(a, axes=tuple(order))


@composite(np.rollaxis)
def rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    """Roll `axis` backwards until it lies before `start` (prefer `moveaxis`).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.rollaxis(np.zeros((2, 3, 4)), 2).shape
        (4, 2, 3)
    """
    nd = ndim_of(a)
    axis = normalize_axis_index(axis, nd)
    start = start + nd if start < 0 else start
    if not 0 <= start <= nd:
        raise ValueError(f"rollaxis: `start` must be in [-{nd}, {nd}], got {start}")
    if axis < start:
        start -= 1
    order = [i for i in range(nd) if i != axis]
    order.insert(start, axis)
    return _transpose(a, axes=tuple(order))


@composite(numpy_function("matrix_transpose"), numpy_function("linalg.matrix_transpose"), name="matrix_transpose")
def matrix_transpose(x: Any, /) -> Any:
    """Swap the last two axes (transpose each matrix of a stack).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.matrix_transpose(np.zeros((5, 2, 3))).shape
        (5, 3, 2)
    """
    if ndim_of(x) < 2:
        raise ValueError("matrix_transpose: input must be at least 2-dimensional")
    return swapaxes(x, -1, -2)


@composite(np.expand_dims)
def expand_dims(a: Any, axis: Any) -> Any:
    """`a` with new length-1 axes at positions `axis`.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.expand_dims(np.zeros(3), (0, -1)).shape
        (1, 3, 1)
    """
    return _reshape(a, shape=np.expand_dims(_probe(shape_of(a)), axis).shape)


@composite(np.squeeze)
def squeeze(a: Any, axis: Any = None) -> Any:
    """`a` without its length-1 axes (or only those in `axis`).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.squeeze(np.zeros((1, 3, 1)), axis=0).shape
        (3, 1)
    """
    return _reshape(a, shape=np.squeeze(_probe(shape_of(a)), axis).shape)


def _atleast(np_func: Any, name: str) -> Any:
    @composite(np_func, name=name)
    def atleast(*arys: Any) -> Any:
        out = [_reshape(a, shape=np_func(_probe(shape_of(a))).shape) for a in arys]
        return out[0] if len(out) == 1 else tuple(out)

    atleast.__doc__ = f"""Inputs reshaped to at least {name[-2]} dimensions (NumPy's rules).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.{name}(np.float64(2.0)).ndim
        {name[-2]}
    """
    return atleast


atleast_1d = _atleast(np.atleast_1d, "atleast_1d")
atleast_2d = _atleast(np.atleast_2d, "atleast_2d")
atleast_3d = _atleast(np.atleast_3d, "atleast_3d")


@composite(np.broadcast_arrays)
def broadcast_arrays(*args: Any, subok: bool = False) -> tuple[Any, ...]:
    """The arguments broadcast against each other.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> [a.shape for a in fnp.broadcast_arrays(np.zeros(3), np.zeros((2, 1)))]
        [(2, 3), (2, 3)]
    """
    shape = np.broadcast_shapes(*(shape_of(a) for a in args))
    return tuple(a if shape_of(a) == shape else broadcast_to(a, shape=shape) for a in args)


@composite(np.copy)
def copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    """A copy of `a`; a traced value is immutable, so it is returned as is.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.copy(x) * 2.0)(1.0)
        np.float64(2.0)
    """
    return a


# ---------------------------------------------------------------- joining
def _concatenate_vjp(i: int, g: Any, ans: Any, *arrays: Any, axis: int = 0) -> Any:
    axis = normalize_axis_index(axis, ndim_of(ans))
    start = int(np.sum([shape_of(a)[axis] for a in arrays[:i]], dtype=np.int64))
    return getitem(g, idx=(slice(None),) * axis + (slice(start, start + shape_of(arrays[i])[axis]),))


_concatenate = variadic_primitive(lambda *arrays, axis=0: np.concatenate(arrays, axis=axis),
                                  _concatenate_vjp, name="concatenate")


@composite(np.concatenate)
def concatenate(arrays: Sequence[Any], axis: int | None = 0, out: Any = None, *, dtype: Any = None,
                casting: str = "same_kind") -> Any:
    """Join arrays along an existing axis (``axis=None`` flattens them first).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.concatenate([x, x ** 2]) ** 2))(np.array([1.0, 2.0]))
        array([ 6., 36.])
    """
    _no_out(out, "concatenate")
    if dtype is not None:
        raise TypeError("concatenate: `dtype` is not supported on traced values; cast with x.astype(...)")
    arrays = list(arrays)
    if axis is None:
        return _concatenate(*(ravel(a) for a in arrays), axis=0)
    return _concatenate(*arrays, axis=int(axis))


@composite(np.stack)
def stack(arrays: Sequence[Any], axis: int = 0, out: Any = None, *, dtype: Any = None,
          casting: str = "same_kind") -> Any:
    """Join arrays of equal shape along a new axis.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.stack([x, 2.0 * x], axis=1)[0, 1])(np.ones(2))
        array([2., 0.])
    """
    _no_out(out, "stack")
    if dtype is not None:
        raise TypeError("stack: `dtype` is not supported on traced values; cast with x.astype(...)")
    arrays = list(arrays)
    if not arrays:
        raise ValueError("stack: need at least one array to stack")
    shapes = {shape_of(a) for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"stack: all input arrays must have the same shape, got {sorted(shapes)}")
    axis = normalize_axis_index(axis, len(shapes.pop()) + 1)
    return _concatenate(*(expand_dims(a, axis) for a in arrays), axis=axis)


@composite(np.hstack)
def hstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Join along the second axis (the first for 1-D inputs).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.hstack([np.zeros((2, 1)), np.ones((2, 2))]).shape
        (2, 3)
    """
    arrays = [atleast_1d(a) for a in tup]
    return concatenate(arrays, axis=0 if arrays and ndim_of(arrays[0]) == 1 else 1, dtype=dtype)


@composite(np.vstack)
def vstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Join along the first axis, 1-D inputs becoming rows.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.vstack([np.zeros(3), np.ones(3)]).shape
        (2, 3)
    """
    return concatenate([atleast_2d(a) for a in tup], axis=0, dtype=dtype)


_NUMPY_ROW_STACK = numpy_function("row_stack")  # an alias of vstack; deprecated in NumPy 2, then removed

if _NUMPY_ROW_STACK is np.vstack:  # pragma: no cover - NumPy 1.x: the same function
    row_stack = vstack
    __all__.append("row_stack")
elif _NUMPY_ROW_STACK is not None:

    def row_stack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> Any:
        """``np.row_stack``: `vstack`, with the DeprecationWarning this NumPy gives for it.

        Example:
            >>> import warnings, numpy as np, fgrad, fgrad.numpy as fnp
            >>> with warnings.catch_warnings(record=True) as caught:
            ...     warnings.simplefilter("always")
            ...     g = fgrad.grad(lambda x: fnp.sum(fnp.row_stack([x, 2.0 * x]) ** 2))(np.ones(2))
            >>> g, caught[0].category.__name__
            (array([10., 10.]), 'DeprecationWarning')
        """
        # NumPy's own message, category and stack level (the caller's line)
        warnings.warn("`row_stack` alias is deprecated. Use `np.vstack` directly.", DeprecationWarning,
                      stacklevel=2)
        return vstack(tup, dtype=dtype, casting=casting)

    __all__.append("row_stack")


@composite(np.dstack)
def dstack(tup: Sequence[Any]) -> Any:
    """Join along the third axis.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.dstack([np.zeros((2, 2)), np.ones((2, 2))]).shape
        (2, 2, 2)
    """
    return concatenate([atleast_3d(a) for a in tup], axis=2)


@composite(np.column_stack)
def column_stack(tup: Sequence[Any]) -> Any:
    """1-D arrays as the columns of a 2-D array (2-D inputs joined as they are).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.column_stack([np.zeros(3), np.ones(3)]).shape
        (3, 2)
    """
    return concatenate([_reshape(a, shape=(-1, 1)) if ndim_of(a) < 2 else a for a in tup], axis=1)


@composite(np.append)
def append(arr: Any, values: Any, axis: int | None = None) -> Any:
    """`values` appended to `arr` along `axis` (both flattened if None).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.append(np.zeros((2, 2)), np.ones((2, 2)), axis=1).shape
        (2, 4)
    """
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], axis=0)
    return concatenate([arr, values], axis=axis)


# ---------------------------------------------------------------- splitting
def _split(ary: Any, indices_or_sections: Any, axis: int, equal: bool) -> list[Any]:
    axis = normalize_axis_index(axis, ndim_of(ary))
    n = shape_of(ary)[axis]
    if np.ndim(indices_or_sections) == 0:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        if equal and n % sections:
            raise ValueError("array split does not result in an equal division")
        each, extra = divmod(n, sections)
        points = np.cumsum([0] + extra * [each + 1] + (sections - extra) * [each]).tolist()
    else:
        points = [0, *[int(i) for i in indices_or_sections], n]
    lead = (slice(None),) * axis
    return [getitem(ary, idx=lead + (slice(start, stop),)) for start, stop in zip(points[:-1], points[1:])]


@composite(np.split)
def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """Split into equal sections, or at the given indices, along `axis`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.split(x, 2)[1] ** 2))(np.arange(4.0))
        array([0., 0., 4., 6.])
    """
    return _split(ary, indices_or_sections, axis, equal=True)


@composite(np.array_split)
def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """Like `split`, but sections may differ in size by one.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> [p.shape for p in fnp.array_split(np.zeros(5), 2)]
        [(3,), (2,)]
    """
    return _split(ary, indices_or_sections, axis, equal=False)


def _split_along(np_func: Any, name: str, axis_of: Any, min_ndim: int) -> Any:
    @composite(np_func, name=name)
    def fun(ary: Any, indices_or_sections: Any) -> list[Any]:
        if ndim_of(ary) < min_ndim:
            raise ValueError(f"{name} only works on arrays of {min_ndim} or more dimensions")
        return _split(ary, indices_or_sections, axis_of(ndim_of(ary)), equal=True)

    fun.__doc__ = f"""``split`` along the axis NumPy's ``{name}`` uses.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> len(fnp.{name}(np.zeros((2, 2, 2)), 2))
        2
    """
    return fun


hsplit = _split_along(np.hsplit, "hsplit", lambda nd: 1 if nd > 1 else 0, 1)
vsplit = _split_along(np.vsplit, "vsplit", lambda nd: 0, 2)
dsplit = _split_along(np.dsplit, "dsplit", lambda nd: 2, 3)


# ---------------------------------------------------------------- reordering and repeating
flip = numpy_primitive(np.flip, lambda g, ans, m, axis=None: flip(g, axis),
                       sample="(np.array([[0.3, 0.6], [0.5, 0.1]]),)", call="np.flip(x, 1) * np.arange(4.0).reshape(2, 2)", uses_ans=False)


def _negated(shift: Any) -> Any:
    return -shift if np.ndim(shift) == 0 else tuple(-int(s) for s in shift)


roll = numpy_primitive(np.roll, lambda g, ans, a, shift, axis=None: roll(g, _negated(shift), axis),
                       sample="(np.array([0.3, 0.6, 0.9]),)", call="np.roll(x, 1) * np.arange(3.0)", uses_ans=False)


@composite(np.fliplr)
def fliplr(m: Any) -> Any:
    """Reverse the columns (axis 1).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.fliplr(np.eye(2))
        array([[0., 1.],
               [1., 0.]])
    """
    if ndim_of(m) < 2:
        raise ValueError("fliplr: input must be >= 2-d")
    return flip(m, 1)


@composite(np.flipud)
def flipud(m: Any) -> Any:
    """Reverse the rows (axis 0).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.flipud(np.arange(3.0))
        array([2., 1., 0.])
    """
    if ndim_of(m) < 1:
        raise ValueError("flipud: input must be >= 1-d")
    return flip(m, 0)


@composite(np.rot90)
def rot90(m: Any, k: int = 1, axes: tuple[int, int] = (0, 1)) -> Any:
    """Rotate by 90 degrees `k` times in the plane of `axes`.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.rot90(np.array([[1.0, 2.0], [3.0, 4.0]]))
        array([[2., 4.],
               [1., 3.]])
    """
    axes = normalize_axis_tuple(axes, ndim_of(m))
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError("rot90: `axes` must name two different axes")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, axes[0]), axes[1])
    if k == 1:
        return swapaxes(flip(m, axes[1]), axes[0], axes[1])
    return flip(swapaxes(m, axes[0], axes[1]), axes[1])


@composite(np.tile)
def tile(A: Any, reps: Any) -> Any:
    """`A` repeated `reps` times along each axis (a broadcast, so the derivative sums the copies).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.tile(x, (2, 3))))(np.ones(2))
        array([6., 6.])
    """
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    shape = shape_of(A)
    d = max(len(shape), len(reps))
    shape = (1,) * (d - len(shape)) + shape
    reps = (1,) * (d - len(reps)) + reps
    interleaved = [n for pair in zip((1,) * d, shape) for n in pair]
    spread = [n for pair in zip(reps, shape) for n in pair]
    return _reshape(broadcast_to(_reshape(A, shape=tuple(interleaved)), shape=tuple(spread)),
                    shape=tuple(r * n for r, n in zip(reps, shape)))


@composite(np.repeat)
def repeat(a: Any, repeats: Any, axis: int | None = None) -> Any:
    """Each element of `a` repeated `repeats` times along `axis` (flattened if None).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.repeat(x, [1, 3]) ** 2))(np.array([1.0, 2.0]))
        array([ 2., 12.])
    """
    if axis is None:
        a, axis = ravel(a), 0
    axis = normalize_axis_index(axis, ndim_of(a))
    positions = np.repeat(np.arange(shape_of(a)[axis]), value_of(repeats))
    return take(a, positions, axis=axis)


# ---------------------------------------------------------------- padding
def _pad_vjp(g: Any, ans: Any, array: Any, pad_width: tuple, constant_values: Any = 0) -> Any:
    return getitem(g, idx=tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, shape_of(array))))


_pad_constant = numpy_primitive(np.pad, _pad_vjp, name="pad", public=False,
                                forward=lambda array, pad_width, constant_values=0:
                                np.pad(array, pad_width, constant_values=constant_values), uses_ans=False)


_STAT_MODES = ("maximum", "minimum", "mean", "median")


def _per_axis(value: Any, nd: int, name: str) -> list[tuple[Any, Any]]:
    """A pad argument (``pad_width``-like: scalar, pair, or a pair per axis) as one pair per axis."""
    if any_traced((value,)):
        raise TypeError(f"pad: `{name}` must be constant on traced values")
    if value is None:
        return [(None, None)] * nd
    pairs = np.broadcast_to(np.asarray(value_of(value), dtype=object), (nd, 2))
    return [(pair[0], pair[1]) for pair in pairs]


def _padded_axis(a: Any, axis: int, left: Any, right: Any, widths: tuple[int, int]) -> Any:
    """`a` with `left` and `right` (length 1 along `axis`, or the full width) put either side."""
    parts = []
    for fill, width in ((left, widths[0]), (right, widths[1])):
        if width:
            shape = list(shape_of(a))
            shape[axis] = width
            parts.append(fill if shape_of(fill) == tuple(shape) else broadcast_to(fill, shape=tuple(shape)))
        else:
            parts.append(None)
    return concatenate([p for p in (parts[0], a, parts[1]) if p is not None], axis=axis)


def _stat(a: Any, axis: int, part: slice, mode: str) -> Any:
    piece = a[(slice(None),) * axis + (part,)]
    if mode == "maximum":
        return piece.max(axis=axis, keepdims=True)
    if mode == "minimum":
        return piece.min(axis=axis, keepdims=True)
    if mode == "mean":
        return piece.mean(axis=axis, keepdims=True)
    from ._indexing import sort  # (median: the middle of the sorted elements)

    ordered = sort(piece, axis=axis)
    n = shape_of(ordered)[axis]
    middle = ordered[(slice(None),) * axis + (slice((n - 1) // 2, n // 2 + 1),)]
    return middle.mean(axis=axis, keepdims=True)


def _pad_by_axis(array: Any, widths: tuple, mode: str, kwargs: dict) -> Any:
    """The statistic and ramp modes, axis after axis as NumPy pads them (later axes see earlier padding)."""
    nd = ndim_of(array)
    if mode == "linear_ramp":
        ends = _per_axis(kwargs.get("end_values", 0), nd, "end_values")
    else:
        lengths = _per_axis(kwargs.get("stat_length"), nd, "stat_length")
    a = array
    for axis, (before, after) in enumerate(widths):
        if not before and not after:
            continue
        n = shape_of(a)[axis]
        if mode == "linear_ramp":
            fills = []
            for end, width, edge_at in ((ends[axis][0], before, 0), (ends[axis][1], after, n - 1)):
                # NumPy's np.linspace(end, edge, width, endpoint=False), mirrored on the right
                edge = a[(slice(None),) * axis + (slice(edge_at, edge_at + 1),)]
                dtype = np.result_type(value_of(a), np.float16)  # (the ramp keeps `array`'s float type)
                steps = in_library_of((np.arange(width) / max(width, 1)).astype(dtype), a)
                end = in_library_of(np.asarray(end).astype(dtype), a)
                steps = np.reshape(steps if not fills else steps[::-1],
                                   tuple(width if i == axis else 1 for i in range(nd)))
                fills.append(end + (edge - end) * steps)
            a = _padded_axis(a, axis, fills[0], fills[1], (before, after))
            continue
        left_n, right_n = (n if k is None else min(int(k), n) for k in lengths[axis])
        left = _stat(a, axis, slice(0, left_n), mode)
        right = _stat(a, axis, slice(n - right_n, n), mode)
        a = _padded_axis(a, axis, left, right, (before, after))
    return a


@composite(np.pad)
def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    """`array` padded along each axis, in every NumPy mode but a callable one.

    Padding with a constant adds constants; 'edge', 'wrap', 'reflect' and 'symmetric'
    copy elements of `array`, so their derivative gathers back from every copy;
    'maximum', 'minimum', 'mean', 'median' (with `stat_length`) and 'linear_ramp' (with
    `end_values`) are computed from `array` with fgrad operations. 'empty' leaves the
    padding's values unspecified in NumPy; on traced values it is zero, a constant.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.pad(x, 1, mode="edge")))(np.array([1.0, 2.0, 3.0]))
        array([2., 1., 2.])
        >>> fgrad.grad(lambda x: fnp.sum(fnp.pad(x, 2, mode="mean")))(np.array([1.0, 2.0, 3.0]))
        array([2.33333333, 2.33333333, 2.33333333])
    """
    nd = ndim_of(array)
    widths = tuple(tuple(int(w) for w in pair) for pair in np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (nd, 2)))
    if isinstance(mode, str) and not callable(mode):
        np.pad(np.zeros(shape_of(array)), widths, mode, **{k: value_of(v) for k, v in kwargs.items()
                                                              if not any_traced((v,))})  # NumPy's checks and errors
    if mode == "constant":
        extra = set(kwargs) - {"constant_values"}
        constant = kwargs.get("constant_values", 0)
        if extra or any_traced((constant,)):
            raise TypeError("pad: on traced values, mode='constant' takes only plain `constant_values`")
        return _pad_constant(array, pad_width=widths, constant_values=value_of(constant))
    if mode == "empty" and not kwargs:
        return _pad_constant(array, pad_width=widths, constant_values=0)
    if mode in ("edge", "wrap", "reflect", "symmetric") and set(kwargs) <= {"reflect_type"} \
            and kwargs.get("reflect_type", "even") == "even":
        # These modes only copy elements: pad the positions, then gather them.
        positions = [np.pad(np.arange(n), w, mode=mode) for n, w in zip(shape_of(array), widths)]
        return getitem(array, idx=np.ix_(*positions))
    if (mode in _STAT_MODES and set(kwargs) <= {"stat_length"}) or (mode == "linear_ramp" and set(kwargs) <= {"end_values"}):
        return _pad_by_axis(array, widths, mode, kwargs)
    raise TypeError(
        f"pad: mode={mode!r}" + (f" with {sorted(kwargs)}" if kwargs else "") + " is not supported on "
        "traced values by fgrad; use mode 'constant', 'edge', 'wrap', 'reflect' or 'symmetric' (without "
        "reflect_type='odd'), 'maximum', 'minimum', 'mean', 'median', 'linear_ramp' or 'empty'"
    )


