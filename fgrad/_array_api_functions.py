"""NumPy's functions written with the array API standard's, for `ArrayAPIValue`
(fgrad/_array_api.py): the tables `_FUNCTIONS` (NumPy function -> implementation taking
the library's namespace first) and `_UFUNCS` (ufunc names that differ), and the ufunc
methods ``reduce`` and ``accumulate``.

Where NumPy's function means more than the standard's of the same name, its entry writes
NumPy's meaning with the standard's functions (promotion across kinds, ``where=`` and
``initial=``, eigh's triangle, eig's real results, pinv's cutoff...), or refuses the
arguments it cannot: a translation never gives another result than NumPy's.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ._array_api import _NUMBERS, ArrayAPIValue, _array, _axis, _library, _operand, _promoted, _xp_dtype


_IDENTITY = {"sum": 0, "prod": 1, "mean": 0}


def _reduction(name: str) -> Callable[..., Any]:
    """``np.sum`` ... ``np.min``, with NumPy's ``initial=`` and ``where=`` (the standard has neither)."""
    def reduce(xp: Any, a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
               initial: Any = None, where: Any = True, **kwargs: Any) -> Any:
        initial = None if initial is np._NoValue else initial
        where = True if where is np._NoValue or (isinstance(where, (bool, np.bool_)) and where) else where
        if out is not None or dtype is not None or kwargs or (initial is not None and name == "mean"):
            raise TypeError(f"np.{name}: out=, dtype= and {sorted(kwargs)} are not available for "
                            f"{_library(xp)} arrays")
        a = _operand(a, xp)
        if a.dtype == xp.bool and name in ("sum", "prod"):  # (NumPy counts booleans; the standard refuses)
            a = xp.astype(a, xp.int64)
        if name == "mean" and not xp.isdtype(a.dtype, ("real floating", "complex floating")):
            a = xp.astype(a, xp.float64)  # (NumPy's mean of integers and booleans is a float64)
        axis = _axis(axis)
        masked = where is not True
        if masked:  # (the masked-out elements replaced by the identity: NumPy's sums, in another order)
            mask = xp.broadcast_to(_operand(where, xp), tuple(a.shape))
            if name in ("max", "min") and initial is None:
                raise ValueError(f"reduction operation '{name}imum' does not have an identity, so to use a "
                                 "where mask one has to specify 'initial'")
            a = xp.where(mask, a, xp.full_like(a, _IDENTITY.get(name, initial)))
        if name in ("max", "min") and initial is not None and 0 in _reduced_shape(a.shape, axis):
            result = xp.sum(xp.zeros_like(a), axis=axis, keepdims=keepdims)  # (NumPy's `initial` for nothing)
            return xp.full_like(result, initial)
        if name == "mean" and masked:  # (as NumPy: the masked sum over the count of elements in the mask)
            count = xp.sum(xp.astype(mask, xp.int64), axis=axis, keepdims=keepdims)
            return xp.sum(a, axis=axis, keepdims=keepdims) / xp.astype(count, a.dtype)
        result = getattr(xp, name)(a, axis=axis, keepdims=keepdims)
        if initial is not None:
            result = {"sum": xp.add, "prod": xp.multiply, "max": xp.maximum, "min": xp.minimum}[name](result, initial)
        return result

    return reduce


def _reduced_shape(shape: Any, axis: Any) -> tuple[int, ...]:
    axes = range(len(shape)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    return tuple(shape[i] for i in axes)


def _shape(shape: Any) -> tuple[int, ...]:
    return tuple(int(n) for n in np.atleast_1d(shape)) if np.ndim(shape) else (int(shape),)


def _full_like(xp: Any, a: Any, fill_value: Any, dtype: Any = None, order: Any = "K", subok: bool = True,
               shape: Any = None) -> Any:
    """``np.full_like``, with NumPy's ``dtype=`` and ``shape=``, the value cast as NumPy casts it."""
    a = _operand(a, xp)
    if not isinstance(fill_value, (*_NUMBERS, np.generic)):
        raise _refuse("np.full_like", xp, "an array fill_value")
    dtype = np.dtype(dtype) if dtype is not None else ArrayAPIValue(a, xp).dtype
    value = np.asarray(fill_value).astype(dtype).item()
    if shape is None:
        return xp.full_like(a, value, dtype=_xp_dtype(dtype, xp))
    return xp.full(_shape(shape), value, dtype=_xp_dtype(dtype, xp))


def _moment(name: str) -> Callable[..., Any]:
    """``np.var`` / ``np.std`` with NumPy's ``ddof`` or ``correction`` (``where=``, ``mean=`` refused)."""
    def moment(xp: Any, a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
               keepdims: bool = False, *, where: Any = True, mean: Any = None, correction: Any = None) -> Any:
        if dtype is not None or out is not None or where is not True or mean is not None:
            raise _refuse(f"np.{name}", xp, "dtype=, out=, where= and mean=")
        if correction is not None and ddof != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        a = _operand(a, xp)
        if not xp.isdtype(a.dtype, ("real floating", "complex floating")):
            a = xp.astype(a, xp.float64)  # (NumPy's variance of integers is a float64)
        return getattr(xp, name)(a, axis=_axis(axis), correction=ddof if correction is None else correction,
                                 keepdims=keepdims)

    return moment


def _like(name: str) -> Callable[..., Any]:
    """``np.zeros_like`` / ``np.ones_like``, with NumPy's ``shape=``."""
    def create(xp: Any, a: Any, dtype: Any = None, order: Any = "K", subok: bool = True, shape: Any = None) -> Any:
        a = _operand(a, xp)
        dt = _xp_dtype(dtype, xp) if dtype is not None else a.dtype
        if shape is None:
            return getattr(xp, name)(a, dtype=dt)
        return getattr(xp, name.replace("_like", ""))(_shape(shape), dtype=dt)

    return create


def _transpose(xp: Any, a: Any, axes: Any = None) -> Any:
    a = _operand(a, xp)
    return xp.permute_dims(a, tuple(axes) if axes is not None else tuple(reversed(range(a.ndim))))


def _asarray(xp: Any, a: Any, dtype: Any = None, order: Any = None, *, like: Any = None, **kwargs: Any) -> Any:
    return xp.asarray(_operand(a, xp), dtype=_xp_dtype(dtype, xp) if dtype is not None else None)


def _where(xp: Any, condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None or y is None:  # (np.where(condition) is nonzero's: data-dependent, not translated)
        raise _refuse("np.where", xp, "np.where(condition) without x and y")
    x, y = _promoted(xp, [x, y], arrays=True)
    return xp.where(xp.astype(_array(condition, xp), xp.bool), x, y)


def _concatenate(xp: Any, arrays: Any, axis: int = 0, out: Any = None, *, dtype: Any = None,
                 casting: str = "same_kind") -> Any:
    if out is not None or dtype is not None:
        raise _refuse("np.concatenate", xp, "out= and dtype=")
    if axis is None:
        arrays, axis = [np.reshape(a, (-1,)) for a in arrays], 0
    return xp.concat(_promoted(xp, list(arrays), arrays=True), axis=axis)


def _stack(xp: Any, arrays: Any, axis: int = 0, out: Any = None, *, dtype: Any = None,
           casting: str = "same_kind") -> Any:
    if out is not None or dtype is not None:
        raise _refuse("np.stack", xp, "out= and dtype=")
    return xp.stack(_promoted(xp, list(arrays), arrays=True), axis=axis)


def _cumulative(name: str) -> Callable[..., Any]:
    def cumulative(xp: Any, a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
        if dtype is not None or out is not None:
            raise _refuse(f"np.{'cumsum' if name == 'cumulative_sum' else 'cumprod'}", xp, "dtype= and out=")
        a = _operand(a, xp)
        if axis is None:
            a, axis = xp.reshape(a, (-1,)), 0
        return getattr(xp, name)(a, axis=axis)

    return cumulative


def _call(name: str) -> Callable[..., Any]:
    """The library's function `name` (NumPy's meaning), its array arguments converted to
    their common dtype."""
    def call(xp: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(xp, name)(*_promoted(xp, list(args), arrays=True), **kwargs)

    return call


def _function(xp: Any, path: str, numpy_name: str) -> Callable[..., Any]:
    """The library's function at `path` ("linalg.eigh"); a TypeError naming NumPy's
    function where the library lacks it (an extension it does not implement)."""
    fun = xp
    for part in path.split("."):
        fun = getattr(fun, part, None)
        if fun is None:
            raise TypeError(f"{numpy_name} is not available for {_library(xp)} arrays in fgrad "
                            f"({_library(xp)} has no {path})")
    return fun


def _refuse(numpy_name: str, xp: Any, what: str) -> TypeError:
    return TypeError(f"{numpy_name}: {what} is not available for {_library(xp)} arrays in fgrad")


def _floating(xp: Any, a: Any, kind: str = "real floating") -> Any:
    """`a` as a floating array (NumPy computes integers and booleans in float64), or complex
    of the same precision where `kind` is "complex floating" (the standard's fft wants it)."""
    if not xp.isdtype(a.dtype, ("real floating", "complex floating")):
        a = xp.astype(a, xp.float64)
    if kind == "complex floating" and not xp.isdtype(a.dtype, kind):
        a = xp.astype(a, xp.complex64 if a.dtype == xp.float32 else xp.complex128)
    return a


# ----- shapes and selections
def _squeeze(xp: Any, a: Any, axis: Any = None) -> Any:
    a = _operand(a, xp)
    if axis is None:  # (NumPy drops every axis of length 1; the standard wants them named)
        axis = tuple(i for i, n in enumerate(a.shape) if n == 1)
    return xp.squeeze(a, axis=_axis(axis))


def _swapaxes(xp: Any, a: Any, axis1: int, axis2: int) -> Any:
    a = _operand(a, xp)
    axes = list(range(a.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return xp.permute_dims(a, tuple(axes))


def _argwhere(xp: Any, a: Any) -> Any:
    """``np.argwhere``: the standard's nonzero (a data-dependent shape), one row per element."""
    a = _operand(a, xp)
    if a.ndim == 0:
        raise _refuse("np.argwhere", xp, "a 0-d argument")
    return xp.stack(xp.nonzero(a), axis=-1)


def _roll(xp: Any, a: Any, shift: Any, axis: Any = None) -> Any:
    shift = tuple(int(n) for n in shift) if isinstance(shift, (tuple, list, np.ndarray)) else int(shift)
    return xp.roll(_operand(a, xp), shift=shift, axis=_axis(axis))


def _last_two_diagonal(xp: Any, a: Any, offset: int) -> Any:
    """Diagonal `offset` of the matrices in the last two axes (NumPy's order: the diagonal
    last): the square block it runs through, flattened, every (k + 1)-th element -- a
    copy, in the standard's core functions."""
    n, m = a.shape[-2], a.shape[-1]
    k = max(0, min(n + min(offset, 0), m - max(offset, 0)))
    row, column = (-min(offset, 0), max(offset, 0)) if k else (0, 0)  # (the standard refuses starts past the end)
    block = a[..., row:row + k, column:column + k]
    flat = xp.reshape(block, (*a.shape[:-2], k * k))
    return flat[..., ::k + 1] if k else flat


def _diagonal(xp: Any, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    a = _operand(a, xp)
    axis1, axis2 = axis1 % a.ndim, axis2 % a.ndim
    if axis1 == axis2:
        raise ValueError("axis1 and axis2 cannot be the same")
    rest = [i for i in range(a.ndim) if i not in (axis1, axis2)]
    return _last_two_diagonal(xp, xp.permute_dims(a, (*rest, axis1, axis2)), int(offset))


def _triangle(name: str) -> Callable[..., Any]:
    def triangle(xp: Any, m: Any, k: int = 0) -> Any:
        m = _operand(m, xp)
        if m.ndim < 2:  # (NumPy broadcasts a vector to a matrix here; the standard does not)
            raise _refuse(f"np.{name}", xp, "a 1-D argument")
        return getattr(xp, name)(m, k=int(k))

    return triangle


def _pad(xp: Any, array: Any, pad_width: Any, mode: str = "constant", constant_values: Any = 0,
         **kwargs: Any) -> Any:
    """``np.pad``'s constant mode: blocks of the value concatenated axis by axis, in NumPy's
    order (so corners hold the last axis's value, as NumPy's)."""
    a = _operand(array, xp)
    if mode != "constant" or kwargs:
        raise _refuse("np.pad", xp, f"mode={mode!r} (only 'constant')")
    if not isinstance(constant_values, (*_NUMBERS, np.generic, tuple, list, np.ndarray)):
        raise _refuse("np.pad", xp, "constant_values of an array-API array")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (a.ndim, 2))
    values = np.broadcast_to(np.asarray(constant_values, dtype=np.dtype(ArrayAPIValue(a, xp).dtype)), (a.ndim, 2))
    for axis, ((before, after), (low, high)) in enumerate(zip(widths, values)):
        if before < 0 or after < 0:
            raise ValueError("index can't contain negative values")
        shape = list(a.shape)
        parts = []
        for width, value in ((before, low), (None, None), (after, high)):
            if width is None:
                parts.append(a)
            elif width:
                shape[axis] = int(width)
                parts.append(xp.full(tuple(shape), value.item(), dtype=a.dtype))
        a = xp.concat(parts, axis=axis) if len(parts) > 1 else a
    return a


def _sort_order(name: str) -> Callable[..., Any]:
    """``np.sort`` / ``np.argsort``, stable: NumPy's order for distinct values, and of equal
    ones a valid order of its default sort (whose order of ties NumPy leaves open)."""
    def sort(xp: Any, a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *, stable: Any = None) -> Any:
        if order is not None:
            raise _refuse(f"np.{name}", xp, "order=")
        a = _operand(a, xp)
        if axis is None:
            a, axis = xp.reshape(a, (-1,)), 0
        return getattr(xp, name)(a, axis=int(axis), stable=True)

    return sort


def _clip(xp: Any, a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, *, min: Any = None,
          max: Any = None, **kwargs: Any) -> Any:  # noqa: A002 - NumPy's names
    """``np.clip`` as NumPy defines it, ``minimum(maximum(a, a_min), a_max)`` (the standard's
    clip leaves open a_min > a_max, and keeps `a`'s shape where NumPy broadcasts)."""
    if out is not None or kwargs:
        raise _refuse("np.clip", xp, "out= and other arguments")
    low, high = (a_min if a_min is not None else min), (a_max if a_max is not None else max)
    if low is None and high is None:
        raise ValueError("One of max or min must be given")
    bounds = [bound for bound in (low, high) if bound is not None]
    a, *bounds = _promoted(xp, [a, *bounds])  # (NumPy's result dtype: clip(integers, 0.5) is float)
    if low is not None:
        a = xp.maximum(a, bounds.pop(0))
    if high is not None:
        a = xp.minimum(a, bounds.pop(0))
    return a


# ----- ufunc methods: reduce and accumulate
_REDUCTIONS = {"add": np.sum, "multiply": np.prod, "maximum": np.max, "minimum": np.min}


def _binary(xp: Any, ufunc: np.ufunc) -> Callable[[Any, Any], Any]:
    fun = getattr(xp, _UFUNCS.get(ufunc.__name__, ufunc.__name__))
    return lambda a, b: fun(*_promoted(xp, [a, b]))


def _reduce(xp: Any, ufunc: np.ufunc, array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
            keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    """``ufunc.reduce``: add, multiply, maximum and minimum are the standard's reductions;
    another binary ufunc folds the axis from the left, as NumPy does (subtract, hypot...)."""
    initial = None if initial is np._NoValue else initial
    where = True if where is np._NoValue else where
    if ufunc.__name__ in _REDUCTIONS:
        return _FUNCTIONS[_REDUCTIONS[ufunc.__name__]](xp, array, axis=axis, dtype=dtype, keepdims=keepdims,
                                                       initial=initial, where=where)
    a = _array(array, xp)
    axes = tuple(range(a.ndim)) if axis is None else tuple(i % a.ndim for i in (axis if isinstance(
        axis, (tuple, list)) else (axis,)))
    if dtype is not None or where is not True or len(axes) != 1:
        raise _refuse(f"np.{ufunc.__name__}.reduce", xp, "dtype=, where= or several axes")
    (axis,) = axes
    items = [a[(slice(None),) * axis + (i, ...)] for i in range(a.shape[axis])]
    if initial is not None:
        items.insert(0, xp.full_like(a[(slice(None),) * axis + (0, ...)] if items else
                                     xp.sum(xp.zeros_like(a), axis=axis), initial))
    if not items:
        if ufunc.identity is None:
            raise ValueError(f"zero-size array to reduction operation {ufunc.__name__} which has no identity")
        items = [xp.full_like(xp.sum(xp.zeros_like(a), axis=axis), ufunc.identity)]
    fold = _binary(xp, ufunc)
    result = items[0]
    for item in items[1:]:
        result = fold(result, item)
    return xp.expand_dims(result, axis=axis) if keepdims else result


def _accumulate(xp: Any, ufunc: np.ufunc, array: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> Any:
    """``ufunc.accumulate``: the running fold along `axis` (add's and multiply's, the
    standard's cumulative sum and product)."""
    if dtype is not None:
        raise _refuse(f"np.{ufunc.__name__}.accumulate", xp, "dtype=")
    a = _array(array, xp)
    axis = int(axis) % max(a.ndim, 1)
    if ufunc.__name__ in ("add", "multiply"):
        return getattr(xp, "cumulative_sum" if ufunc.__name__ == "add" else "cumulative_prod")(a, axis=axis)
    fold, items = _binary(xp, ufunc), []
    for i in range(a.shape[axis]):
        item = a[(slice(None),) * axis + (i, ...)]
        items.append(item if not items else fold(items[-1], item))
    return xp.stack(items, axis=axis) if items else a


# ----- einsum: diagonals, sums and matrix products
def _einsum(xp: Any, subscripts: Any, *operands: Any, optimize: Any = False, **kwargs: Any) -> Any:
    """``np.einsum`` for explicit subscripts of letters (``'ij,jk->ik'``, the form fgrad's
    rules call): repeated letters become diagonals, letters used once are summed, and the
    operands are multiplied left to right as batched matrix products (NumPy's sums in
    another order)."""
    if not isinstance(subscripts, str) or "->" not in subscripts or "." in subscripts or kwargs:
        raise _refuse("np.einsum", xp, "anything but explicit subscripts ('ij,jk->ik')")
    inputs, output = subscripts.replace(" ", "").split("->")
    specs = inputs.split(",")
    if len(set(output)) < len(output) or not set(output) <= set(inputs) or len(specs) != len(operands):
        raise ValueError(f"einsum: invalid subscripts {subscripts!r} for {len(operands)} operands")
    arrays = [_operand(o, xp) for o in operands]
    arrays = [xp.asarray(o) if isinstance(o, (int, float, complex)) else o for o in arrays]
    dtype = _xp_dtype(np.result_type(*(ArrayAPIValue(o, xp).dtype for o in arrays)), xp)
    sizes: dict[str, int] = {}
    for spec, o in zip(specs, arrays):
        for c, n in zip(spec, o.shape):
            sizes[c] = n if sizes.get(c, 1) == 1 else sizes[c]
    terms = []
    for j, (spec, o) in enumerate(zip(specs, arrays)):
        o = xp.astype(o, dtype) if o.dtype != dtype else o
        o = xp.broadcast_to(o, tuple(sizes[c] for c in spec))  # (einsum broadcasts axes of length 1)
        while len(set(spec)) < len(spec):  # a repeated letter: its diagonal
            c = next(c for c in spec if spec.count(c) > 1)
            first, second = spec.index(c), spec.index(c, spec.index(c) + 1)
            rest = [i for i in range(len(spec)) if i not in (first, second)]
            o = _last_two_diagonal(xp, xp.permute_dims(o, (*rest, first, second)), 0)
            spec = "".join(spec[i] for i in rest) + c
        needed = set(output).union(*(specs[k] for k in range(len(specs)) if k != j))
        summed = tuple(i for i, c in enumerate(spec) if c not in needed)
        if summed:
            o = xp.sum(o, axis=summed)
            spec = "".join(c for c in spec if c not in needed)
        terms.append((spec, o))
    spec, result = terms[0]
    for k, (other_spec, other) in enumerate(terms[1:], start=2):
        later = set(output).union(*(s for s, _ in terms[k:]))
        batch = [c for c in spec if c in other_spec and c in later]
        shared = [c for c in spec if c in other_spec and c not in later]
        left = [c for c in spec if c not in other_spec]
        right = [c for c in other_spec if c not in spec]
        a = xp.permute_dims(result, tuple(spec.index(c) for c in batch + left + shared))
        b = xp.permute_dims(other, tuple(other_spec.index(c) for c in batch + shared + right))
        nb = tuple(sizes[c] for c in batch)
        nl, ns, nr = (math.prod(sizes[c] for c in part) for part in (left, shared, right))
        product = xp.matmul(xp.reshape(a, (*nb, nl, ns)), xp.reshape(b, (*nb, ns, nr)))
        result = xp.reshape(product, (*nb, *(sizes[c] for c in left + right)))
        spec = "".join(batch + left + right)
    return xp.permute_dims(result, tuple(spec.index(c) for c in output))


def _convolve(xp: Any, a: Any, v: Any, mode: str = "full") -> Any:
    """``np.convolve(a, v, 'full')``: one shifted, scaled copy of the longer operand per
    element of the shorter, added in turn (zeros are added where NumPy's sums have no term,
    never multiplied: an infinity stays one)."""
    if mode != "full":
        raise _refuse("np.convolve", xp, f"mode={mode!r} (only 'full')")
    a, v = _operand(a, xp), _operand(v, xp)
    a, v = (xp.asarray(o) if isinstance(o, (int, float, complex)) else o for o in (a, v))
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError("object too deep for desired array")
    if a.shape[0] == 0 or v.shape[0] == 0:
        raise ValueError("v cannot be empty" if v.shape[0] == 0 else "a cannot be empty")
    if v.shape[0] > a.shape[0]:
        a, v = v, a
    dtype = _xp_dtype(np.result_type(ArrayAPIValue(a, xp).dtype, ArrayAPIValue(v, xp).dtype), xp)
    a, v = xp.astype(a, dtype), xp.astype(v, dtype)
    n, m = a.shape[0], v.shape[0]
    out = xp.zeros((n + m - 1,), dtype=dtype)
    for j in range(m):
        parts = [xp.zeros((j,), dtype=dtype), v[j] * a, xp.zeros((m - 1 - j,), dtype=dtype)]
        out = out + xp.concat(parts)
    return out


# ----- linalg
def _hermitian(xp: Any, a: Any, uplo: str) -> Any:
    """The Hermitian matrix NumPy's eigh reads from triangle `uplo` of `a` (the other one,
    and the diagonal's imaginary part, ignored): the library's eigh may read either."""
    strict = xp.tril(a, k=-1) if uplo.upper() == "L" else xp.triu(a, k=1)
    diagonal = xp.tril(xp.triu(a))  # (selected, not subtracted: an infinity in the other triangle stays out)
    if xp.isdtype(a.dtype, "complex floating"):
        return strict + xp.conj(xp.matrix_transpose(strict)) + xp.astype(xp.real(diagonal), a.dtype)
    return strict + xp.matrix_transpose(strict) + diagonal


def _eigh(name: str) -> Callable[..., Any]:
    def eigh(xp: Any, a: Any, UPLO: str = "L") -> Any:  # noqa: N803 - NumPy's name
        if UPLO.upper() not in ("L", "U"):
            raise ValueError("UPLO argument must be 'L' or 'U'")
        if name == "eigh" and UPLO.upper() == "U":  # (LAPACK's vectors from the upper triangle have other signs)
            raise _refuse("np.linalg.eigh", xp, "UPLO='U'")
        a = _floating(xp, _operand(a, xp))
        return _function(xp, f"linalg.{name}", f"np.linalg.{name}")(_hermitian(xp, a, UPLO))

    return eigh


# NumPy before 2.5 returns real arrays from eig/eigvals for a real matrix whose eigenvalues
# are all real; NumPy 2.5 returns complex ones always, as the standard does.
_EIG_REAL_WHEN_REAL = np.linalg.eigvals(np.eye(1)).dtype.kind != "c"


def _eig(name: str) -> Callable[..., Any]:
    """``np.linalg.eig`` / ``eigvals``, with the running NumPy's result dtype (see
    `_EIG_REAL_WHEN_REAL`)."""
    def eig(xp: Any, a: Any) -> Any:
        a = _floating(xp, _operand(a, xp))
        result = _function(xp, f"linalg.{name}", f"np.linalg.{name}")(a)
        values = result if name == "eigvals" else result[0]
        if (not _EIG_REAL_WHEN_REAL or xp.isdtype(a.dtype, "complex floating")
                or not bool(xp.all(xp.imag(values) == 0))):
            return result
        if name == "eigvals":
            return xp.real(result)
        return type(result)(*(xp.real(r) for r in result))

    return eig


def _svd(xp: Any, a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False) -> Any:
    if hermitian:  # (NumPy's comes from eigh, its signs and order of equal values its own)
        raise _refuse("np.linalg.svd", xp, "hermitian=True")
    a = _floating(xp, _operand(a, xp))
    if not compute_uv:
        return _function(xp, "linalg.svdvals", "np.linalg.svd")(a)
    return _function(xp, "linalg.svd", "np.linalg.svd")(a, full_matrices=bool(full_matrices))


def _qr(xp: Any, a: Any, mode: str = "reduced") -> Any:
    if mode not in ("reduced", "complete", "r"):
        raise _refuse("np.linalg.qr", xp, f"mode={mode!r}")
    result = _function(xp, "linalg.qr", "np.linalg.qr")(_floating(xp, _operand(a, xp)),
                                                         mode="reduced" if mode == "r" else mode)
    return result[1] if mode == "r" else result


def _pinv(xp: Any, a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = np._NoValue) -> Any:
    """``np.linalg.pinv`` with NumPy's cutoff (its default 1e-15, not the standard's
    max(M, N) eps), relative to the largest singular value as both define it."""
    a = _floating(xp, _operand(a, xp))
    if rcond is None:
        rcond = 1e-15 if rtol is np._NoValue else (
            max(a.shape[-2:]) * float(np.finfo(ArrayAPIValue(a, xp).dtype).eps) if rtol is None else rtol)
    elif rtol is not np._NoValue:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    if hermitian:  # (NumPy reads the lower triangle only)
        a = _hermitian(xp, a, "L")
    return _function(xp, "linalg.pinv", "np.linalg.pinv")(a, rtol=_operand(rcond, xp))


def _linalg(name: str) -> Callable[..., Any]:
    """``np.linalg.<name>``, the standard's function of the same name and meaning."""
    def call(xp: Any, *args: Any, **kwargs: Any) -> Any:
        return _function(xp, f"linalg.{name}", f"np.linalg.{name}")(*(_operand(a, xp) for a in args), **kwargs)

    return call


# ----- fft (1-D transforms: fgrad writes the n-dimensional ones with them)
def _fft(name: str) -> Callable[..., Any]:
    def transform(xp: Any, a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
        if out is not None:
            raise _refuse(f"np.fft.{name}", xp, "out=")
        a = _operand(a, xp)
        if name == "rfft" and xp.isdtype(a.dtype, "complex floating"):
            raise _refuse("np.fft.rfft", xp, "a complex input")
        a = _floating(xp, a, "real floating" if name == "rfft" else "complex floating")
        return _function(xp, f"fft.{name}", f"np.fft.{name}")(
            a, n=None if n is None else int(n), axis=int(axis), norm="backward" if norm is None else norm)

    return transform


# NumPy ufunc name -> the array API's, where they differ.
_UFUNCS = {"true_divide": "divide", "power": "pow", "absolute": "abs", "arctan2": "atan2", "arcsin": "asin",
           "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
           "conjugate": "conj", "invert": "bitwise_invert"}

# NumPy function -> implementation taking the namespace first (what fgrad's rules call).
_FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.sum: _reduction("sum"), np.mean: _reduction("mean"), np.prod: _reduction("prod"),
    np.max: _reduction("max"), np.min: _reduction("min"), np.amax: _reduction("max"), np.amin: _reduction("min"),
    np.reshape: lambda xp, a, shape=None, order="C", **kw: xp.reshape(_operand(a, xp), _shape(shape)),
    np.transpose: _transpose,
    np.broadcast_to: lambda xp, a, shape, subok=False: xp.broadcast_to(_operand(a, xp), tuple(shape)),
    np.matmul: _call("matmul"), np.where: _where, np.concatenate: _concatenate, np.stack: _stack,
    np.zeros_like: _like("zeros_like"), np.ones_like: _like("ones_like"),
    np.full_like: _full_like,
    np.asarray: _asarray, np.array: _asarray,
    np.expand_dims: lambda xp, a, axis: xp.expand_dims(_operand(a, xp), axis=axis),
    np.flip: lambda xp, a, axis=None: xp.flip(_operand(a, xp), axis=axis),
    np.moveaxis: lambda xp, a, source, destination: xp.moveaxis(_operand(a, xp), source, destination),
    np.cumsum: _cumulative("cumulative_sum"), np.cumprod: _cumulative("cumulative_prod"),
    np.shape: lambda xp, a: tuple(_operand(a, xp).shape), np.ndim: lambda xp, a: _operand(a, xp).ndim,
    np.size: lambda xp, a, axis=None: math.prod(_operand(a, xp).shape) if axis is None else _operand(a, xp).shape[axis],
    np.iscomplexobj: lambda xp, a: xp.isdtype(_operand(a, xp).dtype, "complex floating"),
    np.real: _call("real"), np.imag: _call("imag"), np.conjugate: _call("conj"),
    np.tensordot: lambda xp, a, b, axes=2: xp.tensordot(*_promoted(  # (NumPy makes numbers arrays: not weak)
        xp, [np.asarray(a) if isinstance(a, _NUMBERS) else a, np.asarray(b) if isinstance(b, _NUMBERS) else b],
        arrays=True), axes=axes),
    np.swapaxes: _swapaxes,
    np.var: _moment("var"), np.std: _moment("std"),
    **{getattr(np.linalg, name): _linalg(name) for name in ("inv", "solve", "det", "cholesky")},
    np.result_type: lambda xp, *args: np.result_type(*(a.dtype if type(a) is ArrayAPIValue else a for a in args)),
    np.all: lambda xp, a, axis=None, out=None, keepdims=False: xp.all(_operand(a, xp), axis=_axis(axis),
                                                                      keepdims=keepdims),
    np.any: lambda xp, a, axis=None, out=None, keepdims=False: xp.any(_operand(a, xp), axis=_axis(axis),
                                                                      keepdims=keepdims),
    np.squeeze: _squeeze, np.roll: _roll, np.argwhere: _argwhere, np.diagonal: _diagonal, np.tril: _triangle("tril"),
    np.triu: _triangle("triu"), np.pad: _pad, np.sort: _sort_order("sort"), np.argsort: _sort_order("argsort"),
    np.take_along_axis: lambda xp, arr, indices, axis=-1: xp.take_along_axis(
        _operand(arr, xp), _operand(indices, xp), axis=int(axis)),
    np.clip: _clip, np.einsum: _einsum, np.convolve: _convolve,
    np.linalg.eigh: _eigh("eigh"), np.linalg.eigvalsh: _eigh("eigvalsh"), np.linalg.eig: _eig("eig"),
    np.linalg.eigvals: _eig("eigvals"), np.linalg.svd: _svd, np.linalg.qr: _qr, np.linalg.pinv: _pinv,
    np.linalg.slogdet: _linalg("slogdet"),
    **{getattr(np.fft, name): _fft(name) for name in ("fft", "ifft", "rfft", "irfft")},
}
