"""Arrays of array-API libraries that do not speak NumPy's protocols (array-api-strict...).

fgrad's rules call NumPy's functions. Dask and CuPy answer those calls for their own
arrays (``__array_ufunc__``, ``__array_function__``); a library that implements only
the array API standard does not, and NumPy would silently turn its arrays into NumPy
arrays. So a transform holds such an input in an `ArrayAPIValue`: a thin adapter that
answers NumPy's calls with the library's own functions (`_UFUNCS`, `_FUNCTIONS`: NumPy's
name to the standard's), so the forward pass, every rule and the cotangents compute in
that library. Results are handed back unwrapped (`unwrapped`). A NumPy function the
table does not translate is a TypeError naming it, never a silent conversion.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

__all__ = ["ArrayAPIValue", "is_array_api", "wrapped", "unwrapped"]

_DTYPES = ("float64", "float32", "complex128", "complex64", "int64", "int32", "int16", "int8", "uint8", "bool")


def is_array_api(x: Any) -> bool:
    """Whether `x` is an array of a library implementing the array API, but not NumPy's protocols.

    Example:
        >>> is_array_api(np.ones(2))
        False
    """
    t = type(x)
    return (hasattr(t, "__array_namespace__") and not hasattr(t, "__array_function__")
            and not isinstance(x, (np.ndarray, np.generic)))


class ArrayAPIValue(np.lib.mixins.NDArrayOperatorsMixin):
    """An array-API array seen through NumPy's protocols (see the module's docstring)."""

    __slots__ = ("array", "xp")

    def __init__(self, array: Any, xp: Any = None) -> None:
        self.array = array
        self.xp = xp if xp is not None else array.__array_namespace__()

    # ----- what the engine reads of an array
    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.array.shape)

    @property
    def ndim(self) -> int:
        return len(self.array.shape)

    @property
    def size(self) -> int:
        return math.prod(self.array.shape)

    @property
    def dtype(self) -> np.dtype:
        for name in _DTYPES:
            if self.array.dtype == getattr(self.xp, name, None):
                return np.dtype(name)
        raise TypeError(f"an array of dtype {self.array.dtype} has no NumPy counterpart")

    @property
    def T(self) -> "ArrayAPIValue":  # noqa: N802 - NumPy's name
        return self._new(self.xp.permute_dims(self.array, tuple(reversed(range(self.ndim)))))

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"ArrayAPIValue({self.array!r})"

    def _new(self, array: Any) -> "ArrayAPIValue":
        return ArrayAPIValue(array, self.xp)

    def __getitem__(self, idx: Any) -> "ArrayAPIValue":
        return self._new(self.array[_index(idx, self.xp, self.ndim)])

    def __setitem__(self, idx: Any, value: Any) -> None:
        self.array[_index(idx, self.xp, self.ndim)] = _operand(value, self.xp)

    def astype(self, dtype: Any, copy: bool = True) -> "ArrayAPIValue":
        return self._new(self.xp.astype(self.array, _xp_dtype(dtype, self.xp), copy=copy))

    def reshape(self, *shape: Any) -> "ArrayAPIValue":
        target = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return self._new(self.xp.reshape(self.array, tuple(target)))

    def __float__(self) -> float:
        return float(self.array)

    def __bool__(self) -> bool:
        return bool(self.array)

    # ----- NumPy's protocols, answered by the library
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if not all(_ours(x) for x in inputs):
            return NotImplemented  # (a traced value among them: its own protocol answers)
        name = _UFUNCS.get(ufunc.__name__, ufunc.__name__)
        fun = getattr(self.xp, name, None)
        if method != "__call__" or kwargs.get("out") is not None or fun is None or ufunc.nout != 1:
            raise TypeError(f"np.{ufunc.__name__}{'' if method == '__call__' else '.' + method} is not "
                            f"available for {_library(self.xp)} arrays in fgrad")
        if kwargs.pop("dtype", None) is not None or kwargs:
            raise TypeError(f"np.{ufunc.__name__}: arguments {sorted(kwargs)} are not available for "
                            f"{_library(self.xp)} arrays")
        operands = [_operand(x, self.xp) for x in inputs]
        if name == "divide":  # (NumPy divides integers and booleans as float64; the standard refuses them)
            operands = [self.xp.astype(o, self.xp.float64) if not isinstance(o, (int, float, complex))
                        and not self.xp.isdtype(o.dtype, ("real floating", "complex floating")) else o
                        for o in operands]
        return self._new(fun(*operands))

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        if not all(issubclass(t, (ArrayAPIValue, np.ndarray)) for t in types):
            return NotImplemented  # (a traced value among the arguments: its own protocol answers)
        impl = _FUNCTIONS.get(func)
        if impl is None:
            name = f"{func.__module__.replace('numpy', 'np', 1)}.{func.__name__}"
            raise TypeError(f"{name} is not available for {_library(self.xp)} arrays in fgrad "
                            "(it has no array-API counterpart in fgrad's table)")
        return _rewrap(impl(self.xp, *args, **kwargs), self.xp)


def _ours(x: Any) -> bool:
    return type(x) is ArrayAPIValue or is_array_api(x) or isinstance(x, (np.ndarray, np.generic, int, float, complex))


def _library(xp: Any) -> str:
    return getattr(xp, "__name__", str(xp)).split(".")[0]


def _xp_dtype(dtype: Any, xp: Any) -> Any:
    return getattr(xp, np.dtype(dtype).name)


def _operand(x: Any, xp: Any) -> Any:
    """An argument as the library takes it: its own array, a Python number, or a NumPy
    array copied into the library (a constant)."""
    if type(x) is ArrayAPIValue:
        return x.array
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return xp.asarray(x)
    return x


def _index(idx: Any, xp: Any, ndim: int | None = None) -> Any:
    if ndim is not None:  # (the standard wants every axis indexed: NumPy's x[0] on a matrix is x[0, ...])
        items = idx if isinstance(idx, tuple) else (idx,)
        if Ellipsis not in items and sum(i is not None for i in items) < ndim:
            idx = (*items, Ellipsis)
    if isinstance(idx, tuple):
        return tuple(_index(i, xp) for i in idx)
    if type(idx) is ArrayAPIValue:
        return idx.array
    if isinstance(idx, np.ndarray):
        return xp.asarray(idx)
    if isinstance(idx, np.integer):
        return int(idx)
    return idx


def _rewrap(out: Any, xp: Any) -> Any:
    if isinstance(out, (tuple, list)):
        return type(out)(_rewrap(o, xp) for o in out)
    return ArrayAPIValue(out, xp) if is_array_api(out) else out


def wrapped(x: Any) -> Any:
    """How a transform holds an array-API input (the adapter); anything else as it is."""
    return ArrayAPIValue(x) if is_array_api(x) else x


def unwrapped(x: Any) -> Any:
    """A result handed back to a caller who passed the library's own arrays: that library's
    array, not the adapter (a transform inside another keeps the adapter it was given)."""
    return x.array if type(x) is ArrayAPIValue else x


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _reduction(name: str) -> Callable[..., Any]:
    def reduce(xp: Any, a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
               **kwargs: Any) -> Any:
        if out is not None or dtype is not None or kwargs:
            raise TypeError(f"np.{name}: out=, dtype= and {sorted(kwargs)} are not available for "
                            f"{_library(xp)} arrays")
        a = _operand(a, xp)
        if a.dtype == xp.bool and name in ("sum", "prod", "mean"):  # (NumPy counts booleans; the standard refuses)
            a = xp.astype(a, xp.int64)
        return getattr(xp, name)(a, axis=_axis(axis), keepdims=keepdims)

    return reduce


def _shape(shape: Any) -> tuple[int, ...]:
    return tuple(int(n) for n in np.atleast_1d(shape)) if np.ndim(shape) else (int(shape),)


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
    return xp.where(_operand(condition, xp), _operand(x, xp), _operand(y, xp))


def _concatenate(xp: Any, arrays: Any, axis: int = 0, **kwargs: Any) -> Any:
    return xp.concat([_operand(a, xp) for a in arrays], axis=axis)


def _stack(xp: Any, arrays: Any, axis: int = 0, **kwargs: Any) -> Any:
    return xp.stack([_operand(a, xp) for a in arrays], axis=axis)


def _cumulative(name: str) -> Callable[..., Any]:
    def cumulative(xp: Any, a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
        a = _operand(a, xp)
        if axis is None:
            a, axis = xp.reshape(a, (-1,)), 0
        return getattr(xp, name)(a, axis=axis)

    return cumulative


def _call(name: str) -> Callable[..., Any]:
    """The library's function `name` (NumPy's meaning), its array arguments converted."""
    def call(xp: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(xp, name)(*(_operand(a, xp) for a in args), **kwargs)

    return call


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
    np.full_like: lambda xp, a, fill_value, dtype=None, **kw: xp.full_like(_operand(a, xp), fill_value),
    np.asarray: _asarray, np.array: _asarray,
    np.expand_dims: lambda xp, a, axis: xp.expand_dims(_operand(a, xp), axis=axis),
    np.squeeze: lambda xp, a, axis=None: xp.squeeze(_operand(a, xp), axis=axis),
    np.flip: lambda xp, a, axis=None: xp.flip(_operand(a, xp), axis=axis),
    np.moveaxis: lambda xp, a, source, destination: xp.moveaxis(_operand(a, xp), source, destination),
    np.cumsum: _cumulative("cumulative_sum"), np.cumprod: _cumulative("cumulative_prod"),
    np.shape: lambda xp, a: tuple(_operand(a, xp).shape), np.ndim: lambda xp, a: _operand(a, xp).ndim,
    np.size: lambda xp, a, axis=None: math.prod(_operand(a, xp).shape) if axis is None else _operand(a, xp).shape[axis],
    np.iscomplexobj: lambda xp, a: xp.isdtype(_operand(a, xp).dtype, "complex floating"),
    np.real: _call("real"), np.imag: _call("imag"), np.conjugate: _call("conj"),
    np.tensordot: lambda xp, a, b, axes=2: xp.tensordot(_operand(a, xp), _operand(b, xp), axes=axes),
    np.var: lambda xp, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw: xp.var(
        _operand(a, xp), axis=_axis(axis), correction=ddof, keepdims=keepdims),
    np.std: lambda xp, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw: xp.std(
        _operand(a, xp), axis=_axis(axis), correction=ddof, keepdims=keepdims),
    **{getattr(np.linalg, name): (lambda name: lambda xp, *args, **kwargs: getattr(xp.linalg, name)(
        *(_operand(a, xp) for a in args), **kwargs))(name) for name in ("inv", "solve", "det", "cholesky")},
    np.result_type: lambda xp, *args: np.result_type(*(a.dtype if type(a) is ArrayAPIValue else a for a in args)),
}
