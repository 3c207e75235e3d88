"""Reductions and scans: sum, prod, mean, var, std, max/min, cumsum, cumprod, average, ptp.

VJP rules mirror NumPy's signatures (``np.var(x, 0)`` passes ``axis`` positionally) and
expand the reduced cotangent back with `expand_reduced`, honouring ``keepdims`` and
negative or tuple axes. ``np.add.reduce``, ``np.logaddexp.reduce`` (a stable logsumexp)
and friends map onto these.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._backend import in_library_of, is_foreign
from .._core import Node, defvjp, value_of
from .._ops import (
    UFUNC_METHODS, _keepdims_shape, _normalize_axes, broadcast_to, cast, exp, expand_reduced, log, matmul,
    mean, reduced_count, reshape, shape_of, sqrt, sum, transpose,
)
from ._contract import diagonal
from ._elementwise import abs_squared, conjugate, exp2, log2, real, where
from ._register import composite, no_out, numpy_function, numpy_primitive
from ._shape import atleast_2d, concatenate, flip, moveaxis, normalize_axis_index, ravel, squeeze
from ._ufunc_methods import fold_reduce

__all__ = ["amax", "amin", "average", "corrcoef", "cov", "cumprod", "cumsum", "cumulative_prod", "cumulative_sum",
           "diff", "ediff1d", "max", "mean", "min", "nanmax", "nanmean", "nanmin", "nansum", "prod", "ptp", "std",
           "sum", "trapezoid", "var"]

ONE = "(np.array([[0.3, 0.6, 0.9], [0.5, 0.4, 0.2]]),)"


# ---------------------------------------------------------------- prod
def _reduced_last(a: Any, axis: Any) -> tuple[Any, Any]:
    """`a` with the reduced axes moved last and flattened, and the map back to `a`'s layout."""
    shape = shape_of(a)
    axes = _normalize_axes(axis, len(shape))
    kept = [i for i in range(len(shape)) if i not in axes]
    perm = tuple(kept + list(axes))
    kept_shape = tuple(shape[i] for i in kept)
    flat = reshape(transpose(a, axes=perm), kept_shape + (-1,))

    def back(x: Any) -> Any:
        return transpose(reshape(x, kept_shape + tuple(shape[i] for i in axes)), axes=tuple(np.argsort(perm)))

    return flat, back


def _others(x: Any, scan: Any) -> Any:
    """``scan`` (prod or cumprod over the last axis) of x with each element in turn left out.

    Row i of the result's second-to-last axis is computed from x with x_i replaced by 1;
    O(n^2), used only when x has zeros, where dividing the result by x_i would fail.
    """
    n = shape_of(x)[-1]
    return scan(where(np.eye(n, dtype=bool), 1.0, reshape(x, shape_of(x)[:-1] + (1, n))), axis=-1)


def _others_by_prefix_and_suffix(x: Any) -> Any:
    """The product over the last axis of x with each element in turn left out, as the
    product of all before it and all after it: O(n), no division, right with zeros."""
    ones = np.ones_like(x[..., :1])
    before = cumprod(concatenate([ones, x[..., :-1]], axis=-1), axis=-1)
    after = flip(cumprod(flip(concatenate([x[..., 1:], ones], axis=-1), axis=-1), axis=-1), axis=-1)
    return before * after


def _prod_vjp(g: Any, ans: Any, a: Any, axis: Any = None, dtype: Any = None, *,
              keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    ge = expand_reduced(g, a, axis, keepdims)
    if where is not True:  # the masked-out elements count as 1 and get derivative 0
        mask = _mask(where, a)
        return _prod_vjp(g, ans, _where_or(mask, a, 1.0), axis, dtype, keepdims=keepdims, initial=initial) * mask
    if is_foreign(value_of(a)):  # (a lazy array is not inspected: the branch-free O(n) products)
        flat, back = _reduced_last(a, axis)
        others = back(_others_by_prefix_and_suffix(flat))
        return ge * (others if initial is None else others * initial)
    if np.all(value_of(a) != 0):
        return ge * expand_reduced(ans, a, axis, keepdims) / a
    flat, back = _reduced_last(a, axis)
    others = back(_others(flat, prod))
    return ge * (others if initial is None else others * initial)


prod = numpy_primitive(np.prod, _prod_vjp, sample=ONE, call="np.prod(x, axis=1)")


# ---------------------------------------------------------------- where=
def _mask(where: Any, a: Any) -> np.ndarray:
    """A reduction's ``where=`` as a float mask of `a`'s shape (1 where counted)."""
    va = value_of(a)
    if type(where) is Node:
        raise TypeError("where=: the mask must be a constant (a boolean array), not a traced value")
    return np.broadcast_to(np.asarray(where, dtype=bool), np.shape(va)).astype(np.result_type(va, np.float16))


def _where_or(mask: np.ndarray, a: Any, fill: float) -> Any:
    return where(mask.astype(bool), a, fill)


def _sum_vjp(g: Any, ans: Any, a: Any, axis: Any = None, dtype: Any = None, *,
             keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    ge = expand_reduced(g, a, axis, keepdims)
    return ge if where is True else ge * _mask(where, a)


def _mean_vjp(g: Any, ans: Any, a: Any, axis: Any = None, dtype: Any = None, *,
              keepdims: bool = False, where: Any = True) -> Any:
    if where is True:
        # divided before it is expanded: the same numbers, one per result instead of per element
        return expand_reduced(g / reduced_count(a, axis), a, axis, keepdims)
    mask = _mask(where, a)
    # (a slice with nothing counted has mean nan and no element to pass a derivative to)
    count = np.maximum(np.sum(mask, axis=_normalize_axes(axis, mask.ndim), keepdims=True), 1)
    return expand_reduced(g, a, axis, keepdims) * (mask / count)


# fgrad._ops defines sum and mean (the core needs them before fgrad.numpy exists); their
# rules here also take NumPy's `where=` mask.
defvjp(sum, _sum_vjp, uses_ans=False)
defvjp(mean, _mean_vjp, uses_ans=False)


# ---------------------------------------------------------------- moments
def _var_vjp(g: Any, ans: Any, a: Any, axis: Any = None, dtype: Any = None, *,
             ddof: int = 0, keepdims: bool = False) -> Any:
    centered = a - mean(a, axis=axis, keepdims=True)
    return expand_reduced(g, a, axis, keepdims) * centered * (2.0 / (reduced_count(a, axis) - ddof))


def _std_vjp(g: Any, ans: Any, a: Any, axis: Any = None, dtype: Any = None, *,
             ddof: int = 0, keepdims: bool = False) -> Any:
    centered = a - mean(a, axis=axis, keepdims=True)
    scale = expand_reduced(ans, a, axis, keepdims) * (reduced_count(a, axis) - ddof)
    return expand_reduced(g, a, axis, keepdims) * centered / scale


_var = numpy_primitive(np.var, _var_vjp, sample=ONE, call="np.var(x, axis=0, ddof=1)", uses_ans=False, public=False)
_std = numpy_primitive(np.std, _std_vjp, sample=ONE, call="np.std(x, 1)", public=False)
_NO_VALUE = object()


def _moment_args(name: str, out: Any, ddof: Any, correction: Any) -> Any:
    if out is not None:
        raise TypeError(f"{name}(..., out=...) would write into an array in place; traced values are immutable: "
                        "use the returned value")
    if correction is not _NO_VALUE:
        if ddof != 0:
            raise ValueError(f"{name}: `ddof` and `correction` are the same thing (NumPy 2 calls it correction): "
                             "give one of them")
        return correction
    return ddof


def _is_complex(a: Any) -> bool:
    return np.iscomplexobj(value_of(a))


def _variance(a: Any, axis: Any, dtype: Any, ddof: Any, keepdims: bool, where: Any, given_mean: Any) -> Any:
    """``var`` written with fgrad operations: for `where=`, a given (possibly traced) `mean`,
    and complex `a` (NumPy's ``mean(|a - mean|**2)``, real; the primitive's rule is for reals)."""
    if dtype is not None:
        a = cast(a, dtype=np.dtype(dtype))
    masked = {} if where is True else {"where": where}
    m = mean(a, axis=axis, keepdims=True, **masked) if given_mean is _NO_VALUE else given_mean
    total = sum(abs_squared(a - m), axis=axis, keepdims=keepdims, **masked)  # (real for complex a, as NumPy)
    va = value_of(a)
    counted = np.broadcast_to(np.asarray(where, dtype=bool), np.shape(va))
    count = np.sum(counted, axis=_normalize_axes(axis, np.ndim(va)), keepdims=keepdims)
    divisor = np.maximum(count - ddof, 0)
    if np.any(divisor == 0):
        raise ValueError("var/std: fewer counted elements than ddof + 1 on a traced value: the variance is "
                         "undefined there (NumPy returns nan or inf with a warning)")
    return total / divisor.astype(np.result_type(value_of(total), np.float16))  # (float32 stays float32)


@composite(np.var)
def var(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0, keepdims: bool = False, *,
        where: Any = True, mean: Any = _NO_VALUE, correction: Any = _NO_VALUE) -> Any:
    """Variance (differentiable ``np.var``), with NumPy 2's `where`, `mean` and `correction`.

    Of complex values it is NumPy's ``mean(abs(a - mean(a))**2)``, a real number.

    A given `mean` (it may be traced) is used as NumPy uses it, as the centre.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> x, keep = np.array([1.0, 2.0, 6.0, 9.0]), np.array([True, True, True, False])
        >>> fgrad.grad(lambda x: fnp.var(x, where=keep, correction=1))(x)  # 2 (x - 3) / 2 where kept
        array([-2., -1.,  3.,  0.])
    """
    ddof = _moment_args("var", out, ddof, correction)
    if where is True and mean is _NO_VALUE and not _is_complex(a):
        return _var(a, axis, dtype, ddof=ddof, keepdims=keepdims)
    return _variance(a, axis, dtype, ddof, keepdims, where, mean)


@composite(np.std)
def std(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0, keepdims: bool = False, *,
        where: Any = True, mean: Any = _NO_VALUE, correction: Any = _NO_VALUE) -> Any:
    """Standard deviation (differentiable ``np.std``), with NumPy 2's `where`, `mean` and `correction`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.std(x, correction=1))(np.array([1.0, 3.0]))
        array([-0.70710678,  0.70710678])
    """
    ddof = _moment_args("std", out, ddof, correction)
    if where is True and mean is _NO_VALUE and not _is_complex(a):
        return _std(a, axis, dtype, ddof=ddof, keepdims=keepdims)
    return sqrt(_variance(a, axis, dtype, ddof, keepdims, where, mean))


@composite(np.average)
def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *,
            keepdims: bool = False) -> Any:
    """Weighted mean (differentiable in `a` and `weights`), with NumPy's 1-D weights along `axis`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda w: fnp.average(np.array([1.0, 3.0]), weights=w))(np.array([1.0, 1.0]))
        array([-0.5,  0.5])
    """
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        return avg, np.broadcast_to(np.asarray(reduced_count(a, axis), dtype=value_of(avg).dtype), shape_of(avg))[()]
    shape = shape_of(a)
    if shape_of(weights) != shape:
        if axis is None or np.ndim(axis) or len(shape_of(weights)) != 1:
            raise TypeError("average: weights differing from `a` in shape must be 1-D, with `axis` an int")
        expanded = [1] * len(shape)
        expanded[int(axis) % len(shape)] = -1
        weights = reshape(weights, tuple(expanded))
    total = sum(broadcast_to(weights, shape=shape), axis=axis, keepdims=keepdims)
    avg = sum(a * weights, axis=axis, keepdims=keepdims) / total
    return (avg, total) if returned else avg


# ---------------------------------------------------------------- extrema
def _extremum_vjp(g: Any, ans: Any, a: Any, axis: Any = None, *, keepdims: bool = False,
                  initial: Any = None, where: Any = True) -> Any:
    # The cotangent is shared equally by the elements attaining the extremum (ties); none
    # gets it where `initial` is the extremum, or where `where` leaves an element out.
    va = value_of(a)
    hit = va == np.reshape(value_of(ans), _keepdims_shape(va, axis))
    if where is not True:
        hit = hit & np.asarray(where, dtype=bool)
    share = hit / np.maximum(np.sum(hit, axis=_normalize_axes(axis, va.ndim), keepdims=True), 1)
    return expand_reduced(g, a, axis, keepdims) * share.astype(np.result_type(va, np.float16))


max = numpy_primitive(np.max, _extremum_vjp, name="max", sample=ONE, call="np.max(x, axis=-1)")  # noqa: A001
min = numpy_primitive(np.min, _extremum_vjp, name="min", sample=ONE, call="np.min(x, 0)")  # noqa: A001
amax = numpy_primitive(np.amax, _extremum_vjp, name="amax", sample=ONE, call="np.amax(x, 1, keepdims=True)")
amin = numpy_primitive(np.amin, _extremum_vjp, name="amin", sample=ONE)


@composite(np.ptp)
def ptp(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Peak to peak, ``max - min`` along `axis` (differentiable).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.ptp(x))(np.array([1.0, 4.0, 2.0]))
        array([-1.,  1.,  0.])
    """
    return max(a, axis, keepdims=keepdims) - min(a, axis, keepdims=keepdims)


# ---------------------------------------------------------------- scans
def _scan_axis(a: Any, axis: Any) -> tuple[Any, int]:
    """NumPy scans flatten when axis is None."""
    return (reshape(a, (-1,)), 0) if axis is None else (a, int(axis))


def _reverse_cumsum(g: Any, axis: int) -> Any:
    return flip(cumsum(flip(g, axis), axis), axis)


def _cumsum_vjp(g: Any, ans: Any, a: Any, axis: Any = None, dtype: Any = None) -> Any:
    return reshape(_reverse_cumsum(g, 0 if axis is None else axis), shape_of(a))


def _cumprod_vjp(g: Any, ans: Any, a: Any, axis: Any = None, dtype: Any = None) -> Any:
    x, ax = _scan_axis(a, axis)
    if np.all(value_of(x) != 0):
        return reshape(_reverse_cumsum(g * ans, ax) / x, shape_of(a))
    # With zeros: d y_k / d x_i = prod_{j <= k, j != i} x_j for k >= i.
    xt = moveaxis(x, ax, -1)
    gt = moveaxis(g, ax, -1)
    n = shape_of(xt)[-1]
    partial = _others(xt, cumprod) * reshape(gt, shape_of(gt)[:-1] + (1, n))
    grad = sum(where(np.triu(np.ones((n, n), dtype=bool)), partial, 0.0), axis=-1)
    return reshape(moveaxis(grad, -1, ax), shape_of(a))


cumsum = numpy_primitive(np.cumsum, _cumsum_vjp, sample=ONE, call="np.cumsum(x, axis=1) ** 2", uses_ans=False)
cumprod = numpy_primitive(np.cumprod, _cumprod_vjp, sample=ONE, call="np.cumprod(x, 0)")


def _cumulative(scan: Any, identity: float, name: str) -> Any:
    @composite(numpy_function(name), name=name)
    def cumulative(x: Any, /, *, axis: Any = None, dtype: Any = None, out: Any = None,
                   include_initial: bool = False) -> Any:
        if axis is None:
            if len(shape_of(x)) > 1:
                raise ValueError(f"{name}: `axis` must be given for arrays of more than one dimension")
            axis = 0
        out = scan(x, axis, dtype)
        if not include_initial:
            return out
        shape = _keepdims_shape(out, axis)
        first = in_library_of(np.full(shape, identity, dtype=np.result_type(value_of(out))), out)
        return concatenate([first, out], axis=axis)

    cumulative.__doc__ = f"""``{name}`` (NumPy 2's array-API scan), optionally starting with {identity}.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.{name}(np.array([1.0, 2.0, 3.0]), include_initial=True)
        {'array([0., 1., 3., 6.])' if identity == 0.0 else 'array([1., 1., 2., 6.])'}
    """
    return cumulative


cumulative_sum = _cumulative(cumsum, 0.0, "cumulative_sum")
cumulative_prod = _cumulative(cumprod, 1.0, "cumulative_prod")


# ---------------------------------------------------------------- NaN-ignoring reductions
def _without_nan(a: Any, fill: float) -> Any:
    nan = np.isnan(value_of(a))
    return where(nan, fill, a) if nan.any() else a


@composite(np.nansum)
def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """``sum`` treating NaN as zero (the NaN elements get derivative zero).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.nansum(x) * 2.0)(np.array([1.0, np.nan]))
        array([2., 0.])
    """
    return sum(_without_nan(a, 0.0), axis, dtype, keepdims=keepdims)


@composite(np.nanmean)
def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """``mean`` of the non-NaN elements.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.nanmean(x))(np.array([1.0, np.nan, 3.0]))
        array([0.5, 0. , 0.5])
    """
    va = value_of(a)
    count = np.sum(~np.isnan(va), axis=axis, keepdims=keepdims).astype(np.result_type(va, np.float16))
    return sum(_without_nan(a, 0.0), axis, dtype, keepdims=keepdims) / count


def _nan_extremum(np_func: Any, reduction: Any, fill: float) -> Any:
    @composite(np_func, name=np_func.__name__)
    def extremum(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
        return reduction(_without_nan(a, fill), axis, keepdims=keepdims)

    extremum.__doc__ = f"""``{reduction.__name__}`` ignoring NaN.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.{np_func.__name__}(x))(np.array([1.0, np.nan, 3.0]))
        {"array([0., 0., 1.])" if fill < 0 else "array([1., 0., 0.])"}
    """
    return extremum


nanmax = _nan_extremum(np.nanmax, max, -np.inf)
nanmin = _nan_extremum(np.nanmin, min, np.inf)


# ---------------------------------------------------------------- differences and integrals
def _along(axis: int, part: slice) -> tuple:
    return (slice(None),) * axis + (part,)


def _with_edge(a: Any, edge: Any, axis: int, at_end: bool) -> Any:
    if np.ndim(value_of(edge)) == 0:
        edge = in_library_of(broadcast_to(edge, shape=_keepdims_shape(a, axis)), a)  # (a number: fgrad's array)
    return concatenate([a, edge] if at_end else [edge, a], axis=axis)


@composite(np.diff)
def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = _NO_VALUE, append: Any = _NO_VALUE) -> Any:
    """The `n`-th discrete difference ``a[i+1] - a[i]`` along `axis`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.diff(x) ** 2))(np.array([0.0, 1.0, 3.0]))
        array([-2., -2.,  4.])
    """
    axis = normalize_axis_index(axis, len(shape_of(a)))
    if prepend is not _NO_VALUE:
        a = _with_edge(a, prepend, axis, at_end=False)
    if append is not _NO_VALUE:
        a = _with_edge(a, append, axis, at_end=True)
    for _ in range(int(n)):
        a = a[_along(axis, slice(1, None))] - a[_along(axis, slice(None, -1))]
    return a


@composite(np.ediff1d)
def ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Any:
    """Differences of the flattened array, with optional values before and after.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.ediff1d(np.array([1.0, 4.0, 9.0]), to_begin=0.0)
        array([0., 3., 5.])
    """
    dtype = np.result_type(value_of(ary))  # (NumPy casts to_begin/to_end to it)
    def edge(x: Any) -> Any:  # (a number is made an array here: in `ary`'s library)
        return in_library_of(cast(ravel(x), dtype=dtype), ary)

    parts = [edge(to_begin)] if to_begin is not None else []
    parts.append(diff(ravel(ary)))
    if to_end is not None:
        parts.append(edge(to_end))
    return concatenate(parts) if len(parts) > 1 else parts[0]


@composite(numpy_function("trapezoid"), numpy_function("trapz"), name="trapezoid")
def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Any:
    """Integral of `y` along `axis` by the trapezoidal rule (sample points `x` or spacing `dx`).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda y: fnp.trapezoid(y, dx=0.5))(np.ones(3))
        array([0.25, 0.5 , 0.25])
    """
    nd = len(shape_of(y))
    axis = normalize_axis_index(axis, nd)
    if x is None:
        d = dx
    else:
        d = diff(x, axis=-1 if len(shape_of(x)) == 1 else axis)
        if len(shape_of(x)) == 1:
            d = reshape(d, tuple(-1 if i == axis else 1 for i in range(nd)))
    pairs = y[_along(axis, slice(1, None))] + y[_along(axis, slice(None, -1))]
    return sum(d * pairs, axis=axis) / 2.0


# ---------------------------------------------------------------- covariance
@composite(np.cov)
def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None,
        fweights: Any = None, aweights: Any = None, *, dtype: Any = None) -> Any:
    """Covariance matrix of the variables in the rows (or columns, ``rowvar=False``) of `m`;
    of complex variables, NumPy's ``X @ conj(X).T / (n - ddof)`` (Hermitian).

    Frequency and analytic weights are not supported on traced values.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.cov(x))(np.array([1.0, 2.0, 6.0]))  # 2 (x - mean) / (n - 1)
        array([-2., -1.,  3.])
    """
    if fweights is not None or aweights is not None:
        raise TypeError("cov: `fweights`/`aweights` are not supported on traced values")
    # NumPy computes in at least float64 unless `dtype` says otherwise
    dtype = dtype or np.result_type(value_of(m), *(() if y is None else (value_of(y),)), np.float64)
    x = cast(atleast_2d(m), dtype=dtype)
    if not rowvar and shape_of(x)[0] != 1:
        x = transpose(x)
    if y is not None:
        other = cast(atleast_2d(y), dtype=dtype)
        if not rowvar and shape_of(other)[0] != 1:
            other = transpose(other)
        x = concatenate([x, other], axis=0)
    ddof = (0 if bias else 1) if ddof is None else ddof
    centered = x - mean(x, axis=1, keepdims=True)
    # NumPy's X @ X^H: complex variables are conjugated (conjugate is the identity on reals)
    return squeeze(matmul(centered, transpose(conjugate(centered))) / (shape_of(x)[1] - ddof))


@composite(np.corrcoef)
def corrcoef(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> Any:
    """Pearson correlation coefficients.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> x = np.array([[1.0, 2.0, 4.0], [1.0, 3.0, 2.0]])
        >>> bool(np.allclose(fnp.corrcoef(x), np.corrcoef(x)))
        True
    """
    c = cov(x, y, rowvar, dtype=dtype)
    if len(shape_of(c)) == 0:
        return c / c
    d = sqrt(real(diagonal(c)))  # (the variances: real, also for complex variables)
    return c / reshape(d, (-1, 1)) / d


# ---------------------------------------------------------------- ufunc methods: np.add.reduce(x) ...
def _logsumexp(a: Any, axis: Any, keepdims: bool, base2: bool) -> Any:
    if _is_complex(a):  # (NumPy's logaddexp has no complex loop)
        raise TypeError(f"ufunc '{'logaddexp2' if base2 else 'logaddexp'}' not supported for complex values "
                        "(NumPy's neither): `logaddexp.reduce` does not support complex values")
    # Shifting by the (constant) maximum keeps exp from overflowing; it cancels exactly.
    shift = np.max(value_of(a), axis=axis, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0.0)
    expf, logf = (exp2, log2) if base2 else (exp, log)
    total = sum(expf(a - shift), axis=axis, keepdims=keepdims)
    return logf(total) + (shift if keepdims else np.squeeze(shift, axis=axis))


def _reduce_method(reduction: Any, ufunc: Any, masks: bool = True) -> Any:
    """``ufunc.reduce(array, axis=0, dtype=None, out=None, keepdims=False, initial, where)`` as a reduction.

    `masks`: whether `reduction` takes ``initial=``/``where=`` (else such calls fold).
    """

    def reduce(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None, keepdims: bool = False,
               initial: Any = np._NoValue, where: Any = True) -> Any:
        no_out(out, f"np.{ufunc.__name__}.reduce")
        extra = {} if initial is np._NoValue else {"initial": initial}
        if where is not True:
            extra["where"] = where
        if extra and not masks:
            return fold_reduce(ufunc, array, axis, dtype, None, keepdims, initial, where)
        out = reduction(array, axis, keepdims=keepdims, **extra)
        return out if dtype is None else cast(out, dtype=np.dtype(dtype))

    return reduce


UFUNC_METHODS.update({
    (np.add, "reduce"): _reduce_method(sum, np.add),
    (np.multiply, "reduce"): _reduce_method(prod, np.multiply),
    (np.maximum, "reduce"): _reduce_method(max, np.maximum),
    (np.minimum, "reduce"): _reduce_method(min, np.minimum),
    (np.logaddexp, "reduce"): _reduce_method(lambda a, axis, keepdims: _logsumexp(a, axis, keepdims, False),
                                             np.logaddexp, masks=False),
    (np.logaddexp2, "reduce"): _reduce_method(lambda a, axis, keepdims: _logsumexp(a, axis, keepdims, True),
                                              np.logaddexp2, masks=False),
    (np.add, "accumulate"): lambda array, axis=0, dtype=None: cumsum(array, axis, dtype),
    (np.multiply, "accumulate"): lambda array, axis=0, dtype=None: cumprod(array, axis, dtype),
})
