"""Arrays of array-API libraries that do not speak NumPy's protocols (array-api-strict...).

fgrad's rules call NumPy's functions. Dask and CuPy answer those calls for their own
arrays (``__array_ufunc__``, ``__array_function__``); a library that implements only
the array API standard does not, and NumPy would silently turn its arrays into NumPy
arrays. So a transform holds such an input in an `ArrayAPIValue`: a thin adapter that
answers NumPy's calls with the library's own functions (the tables of
fgrad/_array_api_functions.py: NumPy's name to the standard's), so the forward pass,
every rule and the cotangents compute in that library. Results are handed back
unwrapped (`unwrapped`). A NumPy function the table does not translate is a TypeError
naming it, never a silent conversion (the adapter's ``__array__`` refuses anything but
a number).

A translation never gives another result than NumPy's: it writes NumPy's meaning with
the standard's functions, or refuses the arguments it cannot. Indexing with NumPy
integer or boolean arrays is a `take` of the positions NumPy's own indexing selects, and
its derivative (`scatter_add`) adds them as ``np.add.at`` does.
"""

from __future__ import annotations

import math
from typing import Any

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


# (the translations use the adapter and the helpers above: imported once they exist)
from ._array_api_functions import _FUNCTIONS, _UFUNCS, _accumulate, _reduce  # noqa: E402
