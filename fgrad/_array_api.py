"""Arrays of array-API libraries that do not speak NumPy's protocols (array-api-strict...).

fgrad's rules call NumPy's functions. Dask and CuPy answer those calls for their own
arrays (``__array_ufunc__``, ``__array_function__``); a library that implements only
the array API standard does not, and NumPy would silently turn its arrays into NumPy
arrays. So a transform holds such an input in an `ArrayAPIValue`: a thin adapter that
answers NumPy's calls with the library's own functions (`_UFUNCS`, `_FUNCTIONS`: NumPy's
name to the standard's), so the forward pass, every rule and the cotangents compute in
that library. Results are handed back unwrapped (`unwrapped`). A NumPy function the
table does not translate is a TypeError naming it, never a silent conversion (the
adapter's ``__array__`` refuses anything but a number).

Where NumPy's function means more than the standard's of the same name, its entry writes
NumPy's meaning with the standard's functions (promotion across kinds, ``where=`` and
``initial=``, eigh's triangle, eig's real results, pinv's cutoff...), or refuses the
arguments it cannot: a translation never gives another result than NumPy's. Indexing
with NumPy integer or boolean arrays is a `take` of the positions NumPy's own indexing
selects, and its derivative (`scatter_add`) adds them as ``np.add.at`` does.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

__all__ = ["ArrayAPIValue", "is_array_api", "scatter_add", "wrapped", "unwrapped"]

_DTYPES = ("float64", "float32", "complex128", "complex64", "int64", "int32", "int16", "int8", "uint64", "uint32",
           "uint16", "uint8", "bool")


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
        if _gathers(idx):
            return self._new(_gather(self.xp, self.array, idx))
        return self._new(self.array[_index(idx, self.xp, self.ndim)])

    def __setitem__(self, idx: Any, value: Any) -> None:
        value = _operand(value, self.xp)
        items = idx if isinstance(idx, tuple) else (idx,)
        if any(i is None for i in items):  # (NumPy's new axes of length 1 on the written view; the standard has none)
            value = self.xp.reshape(self.xp.broadcast_to(value, self[idx].shape),
                                    self[tuple(i for i in items if i is not None)].shape)
            idx = tuple(i for i in items if i is not None)
        self.array[_index(idx, self.xp, self.ndim)] = value

    def astype(self, dtype: Any, copy: bool = True) -> "ArrayAPIValue":
        array = self.array
        if self.dtype.kind == "c" and np.dtype(dtype).kind != "c":  # (NumPy keeps the real part; the standard refuses)
            array = self.xp.real(array)
        return self._new(self.xp.astype(array, _xp_dtype(dtype, self.xp), copy=copy))

    # (ndarray methods fgrad's rules call on values)
    @property
    def real(self) -> "ArrayAPIValue":
        return self._new(self.xp.real(self.array)) if self.dtype.kind == "c" else self

    @property
    def imag(self) -> "ArrayAPIValue":
        return self._new(self.xp.imag(self.array) if self.dtype.kind == "c" else self.xp.zeros_like(self.array))

    def any(self, axis: Any = None, keepdims: bool = False) -> "ArrayAPIValue":
        return self._new(self.xp.any(self.array, axis=_axis(axis), keepdims=keepdims))

    def all(self, axis: Any = None, keepdims: bool = False) -> "ArrayAPIValue":
        return self._new(self.xp.all(self.array, axis=_axis(axis), keepdims=keepdims))

    def max(self, axis: Any = None, keepdims: bool = False, initial: Any = None) -> "ArrayAPIValue":
        return self._new(_FUNCTIONS[np.max](self.xp, self, axis=axis, keepdims=keepdims, initial=initial))

    def min(self, axis: Any = None, keepdims: bool = False, initial: Any = None) -> "ArrayAPIValue":
        return self._new(_FUNCTIONS[np.min](self.xp, self, axis=axis, keepdims=keepdims, initial=initial))

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def __format__(self, spec: str) -> str:  # (a number in a message: f"{x:.6g}")
        return format(np.asarray(self)[()], spec) if self.ndim == 0 else format(repr(self), spec)

    def reshape(self, *shape: Any) -> "ArrayAPIValue":
        target = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return self._new(self.xp.reshape(self.array, tuple(target)))

    def __float__(self) -> float:
        return float(self.array)

    def __int__(self) -> int:
        return int(self.array)

    def __bool__(self) -> bool:
        return bool(self.array)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # A number is read back as float() reads it (a rule's test of a 0-d value); a larger
        # array is an error: without this NumPy would make an object array of the adapter.
        if self.ndim == 0:
            kind = self.dtype.kind
            value = (bool if kind == "b" else complex if kind == "c" else float if kind == "f" else int)(self.array)
            return np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        raise TypeError(f"an array of {_library(self.xp)} is not converted to a NumPy array in fgrad "
                        "(a NumPy function that fgrad does not translate was given it)")

    # ----- NumPy's protocols, answered by the library
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if not all(_ours(x) for x in inputs):
            return NotImplemented  # (a traced value among them: its own protocol answers)
        name = _UFUNCS.get(ufunc.__name__, ufunc.__name__)
        fun = getattr(self.xp, name, None)
        if method in ("reduce", "accumulate") and fun is not None and ufunc.nin == 2 and len(inputs) == 1 \
                and kwargs.get("out") is None:
            return self._new((_reduce if method == "reduce" else _accumulate)(self.xp, ufunc, inputs[0], **kwargs))
        if method != "__call__" or kwargs.get("out") is not None or fun is None or ufunc.nout != 1:
            raise TypeError(f"np.{ufunc.__name__}{'' if method == '__call__' else '.' + method} is not "
                            f"available for {_library(self.xp)} arrays in fgrad")
        if kwargs.pop("dtype", None) is not None or kwargs:
            raise TypeError(f"np.{ufunc.__name__}: arguments {sorted(kwargs)} are not available for "
                            f"{_library(self.xp)} arrays")
        if name.startswith("logical_"):  # (NumPy's logical functions take any kinds, as booleans)
            operands = [_operand(x, self.xp) for x in inputs]
        else:
            operands = _promoted(self.xp, list(inputs))
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


_NUMBERS = (bool, int, float, complex)


def _promoted(xp: Any, args: list[Any], arrays: bool = False) -> list[Any]:
    """The arguments as the library takes them, arrays cast to NumPy's common dtype
    (``np.result_type``: Python numbers weak, NumPy scalars and arrays not), as NumPy's
    ufuncs and functions cast them (the standard refuses to mix kinds: an integer or
    boolean array with a float one, a float array with a Python complex). With `arrays`,
    numbers become 0-d arrays of that dtype too (for functions that take only arrays)."""
    values = [_operand(a, xp) for a in args]
    dtypes = [None if isinstance(v, _NUMBERS) else ArrayAPIValue(v, xp).dtype for v in values]
    strong = [a.dtype for a in args if isinstance(a, np.generic)]
    common = np.result_type(*(d if d is not None else v for v, d in zip(values, dtypes)), *strong)
    target = _xp_dtype(common, xp)
    return [(xp.asarray(v, dtype=target) if arrays else v) if d is None else
            xp.astype(v, target) if d != common else v for v, d in zip(values, dtypes)]


def _array(x: Any, xp: Any) -> Any:
    """An argument as the library's array (a Python number as a 0-d one)."""
    x = _operand(x, xp)
    return xp.asarray(x) if isinstance(x, _NUMBERS) else x


def _index(idx: Any, xp: Any, ndim: int | None = None) -> Any:
    if ndim is not None:  # (the standard wants every axis indexed: NumPy's x[0] on a matrix is x[0, ...])
        items = idx if isinstance(idx, tuple) else (idx,)
        indexed = sum(i.ndim if type(i) is ArrayAPIValue and i.dtype == bool else i is not None for i in items)
        if not any(i is Ellipsis for i in items) and indexed < ndim:  # (a boolean mask indexes its ndim axes)
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


def _gathers(idx: Any) -> bool:
    """Whether an index selects with NumPy integer or boolean arrays (or lists): NumPy's
    advanced indexing, which the standard has only in part."""
    items = idx if isinstance(idx, tuple) else (idx,)
    return any(isinstance(i, (np.ndarray, list)) for i in items)


def _positions(shape: tuple[int, ...], idx: Any) -> np.ndarray:
    """The flat position of every element `x[idx]` selects, shaped as the selection: NumPy's
    own indexing rules, applied to positions (the index is a constant, known here)."""
    return np.arange(math.prod(shape)).reshape(shape)[idx]


def _gather(xp: Any, array: Any, idx: Any) -> Any:
    """``array[idx]`` for an advanced index: a `take` of the flattened array (exact: a copy)."""
    positions = _positions(tuple(array.shape), idx)
    flat = xp.take(xp.reshape(array, (-1,)), xp.asarray(positions.reshape(-1)), axis=0)
    return xp.reshape(flat, positions.shape)


def scatter_add(g: "ArrayAPIValue", idx: Any, shape: tuple[int, ...]) -> "ArrayAPIValue":
    """``np.add.at(np.zeros(shape), idx, g)`` in g's library, for a constant advanced index.

    The standard has no scatter-add, but a scatter to distinct positions is a gather with
    the inverse map. So the selections are added in rounds: round t adds each position's
    t-th occurrence (and 0.0 elsewhere), in the order ``np.add.at`` adds them -- the same
    sums, bit for bit.

    Example (NumPy 2 implements the standard too):
        >>> scatter_add(ArrayAPIValue(np.array([1.0, 2.0, 4.0]), np), np.array([0, 2, 0]), (3,)).array
        array([5., 0., 2.])
    """
    xp, n = g.xp, math.prod(shape)
    positions = _positions(shape, idx)
    values = xp.reshape(xp.broadcast_to(g.array, positions.shape), (-1,))
    p = positions.reshape(-1)
    order = np.argsort(p, kind="stable")  # (each position's occurrences together, in their order)
    grouped = p[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if p.size else np.zeros(0, int)
    occurrence = np.arange(p.size) - np.repeat(starts, np.diff(np.r_[starts, p.size]))
    out = xp.zeros((n,), dtype=g.array.dtype)
    zero = xp.zeros((1,), dtype=g.array.dtype)
    for t in range(int(occurrence.max()) + 1 if p.size else 0):
        now = occurrence == t
        targets, sources = grouped[now], order[now]
        inverse = np.full(n, targets.size)
        inverse[targets] = np.arange(targets.size)
        picked = xp.concat([xp.take(values, xp.asarray(sources), axis=0), zero])
        out = out + xp.take(picked, xp.asarray(inverse), axis=0)
    return ArrayAPIValue(xp.reshape(out, shape), xp)


def _rewrap(out: Any, xp: Any) -> Any:
    if isinstance(out, tuple) and hasattr(out, "_fields"):  # (linalg's named results: eigh, svd, qr, slogdet)
        return type(out)(*(_rewrap(o, xp) for o in out))
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


def _eig(name: str) -> Callable[..., Any]:
    """``np.linalg.eig`` / ``eigvals``: NumPy returns real arrays for a real matrix whose
    eigenvalues are all real (the standard's are complex always)."""
    def eig(xp: Any, a: Any) -> Any:
        a = _floating(xp, _operand(a, xp))
        result = _function(xp, f"linalg.{name}", f"np.linalg.{name}")(a)
        values = result if name == "eigvals" else result[0]
        if xp.isdtype(a.dtype, "complex floating") or not bool(xp.all(xp.imag(values) == 0)):
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
