"""Order statistics and NaN-ignoring moments: quantile, percentile, median (and their nan-
versions), partition, nanvar, nanstd, nanprod, nancumsum, nancumprod.

Every quantile method NumPy offers is a fixed combination of two order statistics,
``(1 - gamma) * s[lo] + gamma * s[hi]`` of the sorted data ``s``, with `lo`, `hi` and
`gamma` depending only on the sample size and `q`: so the quantile is differentiable in
the data (the derivative goes to the two elements at those sorted positions) and, for
the continuous methods, in `q`. Ties are ranked by position (a stable sort), as JAX's
sort does: of equal elements the first in the array takes the lower sorted position.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._backend import plain_array
from .._core import Node, value_of
from .._ops import _normalize_axes, cast, reshape, shape_of, sqrt, sum, transpose
from ._elementwise import abs_squared, where
from ._indexing import take_along_axis
from ._reductions import cumprod, cumsum, prod
from ._register import composite, no_out, plain
from ._shape import moveaxis, ravel, squeeze

__all__ = ["argpartition", "median", "nanargmax", "nanargmin", "nancumprod", "nancumsum", "nanmedian",
           "nanpercentile", "nanprod", "nanquantile", "nanstd", "nanvar", "partition", "percentile", "quantile"]

_NO_VALUE = np._NoValue  # NumPy's "not given" marker in these signatures


# ---------------------------------------------------------------- quantile methods
def _interpolated(alpha: float, beta: float) -> Any:
    return lambda n, q: n * q + (alpha + q * (1.0 - alpha - beta)) - 1.0


# Continuous methods: the virtual (fractional) index into the sorted sample, as in NumPy;
# gamma is its fractional part, so these are differentiable in q as well.
_CONTINUOUS = {
    "linear": lambda n, q: (n - 1) * q,
    "interpolated_inverted_cdf": _interpolated(0.0, 1.0),
    "hazen": _interpolated(0.5, 0.5),
    "weibull": _interpolated(0.0, 0.0),
    "median_unbiased": _interpolated(1 / 3.0, 1 / 3.0),
    "normal_unbiased": _interpolated(3 / 8.0, 3 / 8.0),
}


def _boundary(index: np.ndarray, take_previous: Any) -> np.ndarray:
    previous = np.floor(index)
    gamma = index - previous
    return np.maximum(np.where(take_previous(gamma, index), previous, previous + 1), 0).astype(np.intp)


# Discrete methods (piecewise constant in q): a plain virtual index and gamma.
def _discrete(method: str, n: Any, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    zero = np.zeros(np.broadcast_shapes(np.shape(n), q.shape))
    if method == "inverted_cdf":
        return _boundary(n * q - 1, lambda g, i: g == 0), zero
    if method == "closest_observation":
        return _boundary(n * q - 1.5, lambda g, i: (g == 0) & (np.floor(i) % 2 == 1)), zero
    if method == "lower":
        return np.floor((n - 1) * q).astype(np.intp), zero
    if method == "higher":
        return np.ceil((n - 1) * q).astype(np.intp), zero
    if method == "nearest":
        return np.around((n - 1) * q).astype(np.intp), zero
    if method == "midpoint":
        index = 0.5 * (np.floor((n - 1) * q) + np.ceil((n - 1) * q))
        return index, np.where(index % 1 == 0, 0.0, 0.5) + zero
    if method == "averaged_inverted_cdf":
        index = n * q - 1
        return index, np.where(index - np.floor(index) == 0, 0.5, 1.0) + zero
    raise ValueError(f"{method!r} is not a valid method. Use one of: "
                     f"{sorted([*_CONTINUOUS, 'inverted_cdf', 'averaged_inverted_cdf', 'closest_observation', 'lower', 'higher', 'nearest', 'midpoint'])}")


def _positions(method: str, n: Any, q: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    """Sorted positions `lo`, `hi` (clipped to the sample) and the weight `gamma` of `hi`."""
    if method in _CONTINUOUS:
        index = _CONTINUOUS[method](n, q)  # traced if q is
        vindex = np.asarray(value_of(index))
        gamma = index - np.floor(vindex)
    else:
        vindex, gamma = _discrete(method, n, np.asarray(value_of(q)))
        if vindex.dtype.kind in "iu":
            vindex = np.maximum(np.minimum(vindex, n - 1), 0).astype(np.intp)
            return vindex, vindex, gamma
    lo = np.floor(vindex)
    hi = lo + 1
    above, below = vindex >= n - 1, vindex < 0
    lo, hi = np.where(above, n - 1, np.where(below, 0, lo)), np.where(above, n - 1, np.where(below, 0, hi))
    return lo.astype(np.intp), hi.astype(np.intp), gamma


def _lerp(a: Any, b: Any, t: Any) -> Any:
    """NumPy's interpolation formula (exact at both ends); the derivative is (1 - t, t)."""
    d = b - a
    return where(np.asarray(value_of(t)) >= 0.5, b - d * (1.0 - t), a + d * t)


def _quantile(a: Any, q: Any, axis: Any, method: str, keepdims: bool, ignore_nan: bool, name: str,
              weak: bool) -> Any:
    """The quantiles; `weak`: q was a Python number, so the result has the data's precision (as NumPy)."""
    va = np.asarray(value_of(a))
    qv = np.asarray(value_of(q))
    if va.dtype.kind == "c" and "median" not in name:  # (NumPy's medians sort complex values; quantiles refuse)
        raise TypeError(f"{name}: a must be an array of real numbers (NumPy's {name} does not support complex "
                        "values)")
    dtype = np.result_type(va.dtype, np.float16) if weak else np.result_type(va.dtype, qv.dtype, np.float16)
    real_dtype = np.finfo(dtype).dtype  # of counts and weights (`dtype` itself for real data)
    if qv.size and not (np.all(qv >= 0) and np.all(qv <= 1)):
        raise ValueError("Percentiles must be in the range [0, 100]" if "percentile" in name
                         else "Quantiles must be in the range [0, 1]")
    axes = _normalize_axes(axis, va.ndim)
    kept = [i for i in range(va.ndim) if i not in axes]
    batch = tuple(va.shape[i] for i in kept)
    x = reshape(transpose(a, axes=tuple(kept + list(axes))), batch + (-1,))
    vx = np.asarray(value_of(x))
    out_shape = qv.shape + (tuple(1 if i in axes else va.shape[i] for i in range(va.ndim)) if keepdims else batch)
    if vx.shape[-1] == 0:  # nothing to differentiate: NumPy's NaN result (and warning)
        return (np.nanquantile if ignore_nan else np.quantile)(va, qv, axis=axis, method=method, keepdims=keepdims)
    nan = np.isnan(vx)
    n = np.sum(~nan, axis=-1).astype(real_dtype) if ignore_nan else vx.shape[-1]
    if ignore_nan and np.any(n == 0):
        warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=3)
    # q's entries on one leading axis, then the batch: q * n broadcasts to (nq, *batch).
    nq = max(qv.size, 1)
    qq = reshape(q, (nq,) + (1,) * len(batch)) if qv.ndim else q
    lo, hi, gamma = _positions(method, n, qq)
    full = (nq,) + batch
    order = np.argsort(vx, axis=-1, kind="stable")  # NaN sorts last

    def at(pos: np.ndarray) -> Any:  # the sorted sample at `pos`, laid out (*batch, nq)
        pos = np.moveaxis(np.broadcast_to(pos, full), 0, -1)
        return take_along_axis(x, np.take_along_axis(order, pos, axis=-1), axis=-1)

    if type(gamma) is Node:
        gamma = moveaxis(gamma * np.ones(full), 0, -1)
    else:
        gamma = np.moveaxis(np.broadcast_to(np.asarray(gamma, dtype=real_dtype), full), 0, -1)
    result = moveaxis(_lerp(at(lo), at(hi), gamma), -1, 0)
    undefined = (n == 0) if ignore_nan else nan.any(axis=-1)
    if np.any(undefined):
        result = where(np.broadcast_to(undefined, full), np.nan, result)
    if np.result_type(value_of(result)) != dtype:
        result = cast(result, dtype=dtype)
    return reshape(result, out_shape)


def _traced_options(name: str, out: Any, weights: Any = None) -> None:
    no_out(out, name)
    if weights is not None:
        raise TypeError(f"{name}: `weights` is not supported on traced values")


@composite(np.quantile)
def quantile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
             method: str = "linear", keepdims: bool = False, *, weights: Any = None) -> Any:
    """The `q`-th quantile(s) of `a` along `axis`; differentiable in `a` (and in `q` for the
    continuous methods).

    All of NumPy's methods are supported: each is a weighted pair of order statistics.
    For the default 'linear' method the weights are ``1 - gamma`` and ``gamma``.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.quantile(x, 0.25))(np.array([4.0, 1.0, 3.0]))  # 1.5 between 1 and 3
        array([0. , 0.5, 0.5])
        >>> fgrad.grad(lambda q: fnp.quantile(np.array([4.0, 1.0, 3.0]), q))(0.25)
        np.float64(4.0)
    """
    _traced_options("quantile", out, weights)
    return _quantile(a, q, axis, method, keepdims, False, "quantile", _weak(q))


def _weak(q: Any) -> bool:
    return type(q) in (int, float)


def _hundredths(q: Any) -> Any:
    return q / 100.0 if type(q) is Node else np.true_divide(q, 100.0)


@composite(np.percentile)
def percentile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
               method: str = "linear", keepdims: bool = False, *, weights: Any = None) -> Any:
    """The `q`-th percentile(s) of `a` (``quantile(a, q / 100)``); differentiable.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.percentile(x, 50.0))(np.array([4.0, 1.0, 3.0, 2.0]))
        array([0. , 0. , 0.5, 0.5])
    """
    _traced_options("percentile", out, weights)
    return _quantile(a, _hundredths(q), axis, method, keepdims, False, "percentile", _weak(q))


@composite(np.median)
def median(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
           keepdims: bool = False) -> Any:
    """The median of `a` along `axis`; of an even count, the mean of the middle two.

    The derivative goes to the middle element, or 1/2 to each of the middle two (as in
    JAX); tied elements are ranked by position.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.median(x))(np.array([5.0, 1.0, 3.0, 2.0]))
        array([0. , 0. , 0.5, 0.5])
    """
    no_out(out, "median")
    return _quantile(a, 0.5, axis, "linear", keepdims, False, "median", True)


def _nan_keepdims(keepdims: Any) -> bool:
    return False if keepdims is _NO_VALUE else bool(keepdims)


@composite(np.nanquantile)
def nanquantile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
                method: str = "linear", keepdims: Any = _NO_VALUE, *, weights: Any = None) -> Any:
    """``quantile`` of the non-NaN elements (NaN elements get derivative 0; an all-NaN slice gives NaN).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.nanquantile(x, 0.5))(np.array([4.0, np.nan, 1.0]))
        array([0.5, 0. , 0.5])
    """
    _traced_options("nanquantile", out, weights)
    return _quantile(a, q, axis, method, _nan_keepdims(keepdims), True, "nanquantile", _weak(q))


@composite(np.nanpercentile)
def nanpercentile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
                  method: str = "linear", keepdims: Any = _NO_VALUE, *, weights: Any = None) -> Any:
    """``percentile`` of the non-NaN elements.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.nanpercentile(x, 100.0))(np.array([4.0, np.nan, 1.0]))
        array([1., 0., 0.])
    """
    _traced_options("nanpercentile", out, weights)
    return _quantile(a, _hundredths(q), axis, method, _nan_keepdims(keepdims), True, "nanpercentile", _weak(q))


@composite(np.nanmedian)
def nanmedian(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
              keepdims: Any = _NO_VALUE) -> Any:
    """``median`` of the non-NaN elements.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.nanmedian(x))(np.array([4.0, np.nan, 1.0, 2.0]))
        array([0., 0., 0., 1.])
    """
    no_out(out, "nanmedian")
    return _quantile(a, 0.5, axis, "linear", _nan_keepdims(keepdims), True, "nanmedian", True)


# ---------------------------------------------------------------- partition
@composite(np.partition)
def partition(a: Any, kth: Any, axis: Any = -1, kind: str = "introselect", order: Any = None) -> Any:
    """NumPy's partition of `a` (the `kth` elements in sorted place); differentiable: each
    element's derivative follows it to its place.

    The arrangement is NumPy's own; equal elements are matched to their places in order
    of position.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.partition(x, 1)[1])(np.array([3.0, 1.0, 2.0]))
        array([0., 0., 1.])
    """
    if order is not None:
        raise TypeError("partition: `order` (structured arrays) is not supported on traced values")
    if axis is None:
        a, axis = ravel(a), 0
    va = np.asarray(value_of(a))
    arranged = np.partition(va, kth, axis=axis, kind=kind)
    # Output place p holds the value of input element idx[p]: match equal ranks of both.
    source = np.argsort(va, axis=axis, kind="stable")
    target = np.argsort(arranged, axis=axis, kind="stable")
    idx = np.empty_like(source)
    np.put_along_axis(idx, target, source, axis=axis)
    return take_along_axis(a, idx, axis)


argpartition = plain(np.argpartition, call="{f}({t}, 1)")
nanargmax = plain(np.nanargmax)
nanargmin = plain(np.nanargmin)


# ---------------------------------------------------------------- NaN-ignoring moments and products
_where = where  # (the `where=` parameters below shadow the function)


def _nan_replaced(a: Any, fill: float) -> Any:
    nan = np.isnan(value_of(a))
    return where(nan, fill, a) if nan.any() else a


def _refuse(name: str, **given: Any) -> None:
    for key, value in given.items():
        if value is not _NO_VALUE:
            raise TypeError(f"{name}: `{key}=` is not supported on traced values")


@composite(np.nanvar)
def nanvar(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
           keepdims: Any = _NO_VALUE, *, where: Any = _NO_VALUE, mean: Any = _NO_VALUE,
           correction: Any = _NO_VALUE) -> Any:
    """``var`` of the non-NaN elements (NaN elements get derivative 0).

    A slice with no more than `ddof` values gives NaN with NumPy's RuntimeWarning.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.nanvar(x))(np.array([1.0, np.nan, 3.0]))  # 2 (x - mean) / n
        array([-1.,  0.,  1.])
    """
    no_out(out, "nanvar")
    _refuse("nanvar", mean=mean)
    if correction is not _NO_VALUE:
        if ddof != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        ddof = correction
    va = plain_array(value_of(a))
    keep = ~np.isnan(va) if where is _NO_VALUE else ~np.isnan(va) & np.asarray(value_of(where), dtype=bool)
    count = np.sum(keep, axis=axis, keepdims=True).astype(np.result_type(va.real.dtype, np.float16))  # (real)
    zeroed = _where(keep, a, 0.0)
    centred = _where(keep, zeroed - sum(zeroed, axis, keepdims=True) / np.maximum(count, 1), 0.0)
    dof = count - ddof
    if np.any(dof <= 0):
        warnings.warn("Degrees of freedom <= 0 for slice.", RuntimeWarning, stacklevel=3)
    # (|centred|^2: of complex values the variance is real, as NumPy's)
    var = sum(abs_squared(centred), axis, keepdims=True) / np.where(dof > 0, dof, np.nan)
    if not _nan_keepdims(keepdims):
        var = squeeze(var, axis=_normalize_axes(axis, va.ndim)) if va.ndim else var
    return var if dtype is None else cast(var, dtype=np.dtype(dtype))


@composite(np.nanstd)
def nanstd(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
           keepdims: Any = _NO_VALUE, *, where: Any = _NO_VALUE, mean: Any = _NO_VALUE,
           correction: Any = _NO_VALUE) -> Any:
    """``std`` of the non-NaN elements: ``sqrt(nanvar(...))``.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.nanstd(x))(np.array([1.0, np.nan, 3.0]))
        array([-0.5,  0. ,  0.5])
    """
    return sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction))


@composite(np.nanprod)
def nanprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: Any = _NO_VALUE,
            initial: Any = _NO_VALUE, where: Any = _NO_VALUE) -> Any:
    """``prod`` treating NaN as one (the NaN elements get derivative 0).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.nanprod(x))(np.array([2.0, np.nan, 3.0]))
        array([3., 0., 2.])
    """
    no_out(out, "nanprod")
    _refuse("nanprod", initial=initial, where=where)
    return prod(_nan_replaced(a, 1.0), axis, dtype, keepdims=_nan_keepdims(keepdims))


@composite(np.nancumsum)
def nancumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    """``cumsum`` treating NaN as zero.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.nancumsum(x)))(np.array([2.0, np.nan, 3.0]))
        array([3., 0., 1.])
    """
    no_out(out, "nancumsum")
    return cumsum(_nan_replaced(a, 0.0), axis, dtype)


@composite(np.nancumprod)
def nancumprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    """``cumprod`` treating NaN as one.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.nancumprod(x)))(np.array([2.0, np.nan, 3.0]))
        array([5., 0., 2.])
    """
    no_out(out, "nancumprod")
    return cumprod(_nan_replaced(a, 1.0), axis, dtype)
