"""A stand-in for CuPy's ndarray, for tests on machines without a GPU.

`DeviceArray` holds a NumPy array as if it lived in a device's memory, and behaves as
CuPy's ndarray does where fgrad could tell the difference (read from CuPy's source,
cupy/_core/core.pyx, ``_ndarray_base``; cupy/cupy at 6b6d956):

- ``__array__`` raises CuPy's TypeError: nothing converts it to NumPy implicitly, so a
  test that gets a result proves no implicit host round-trip was made (``.get()``, the
  explicit copy, is the one way to the host);
- ``__array_ufunc__`` and ``__array_function__`` answer NumPy's calls with the "device"
  (NumPy on the held arrays), and return device arrays -- 0-d ones where NumPy would
  return a scalar, as CuPy's reductions do;
- a NumPy ndarray operand is refused with CuPy's ``TypeError: Unsupported type``: CuPy's
  ``__array_ufunc__`` lets NumPy arrays through to its kernels, whose argument check
  (``_scalar.CScalar``) accepts only device arrays and Python/NumPy scalars -- except a
  0-d array in a comparison, which becomes its item (numpy/numpy#12142). CuPy's
  functions mostly refuse them the same way (some call ``cupy.asarray``); the stand-in
  always refuses, the stricter of the two. Creating functions (``np.asarray(a, like=x)``)
  copy a NumPy array to the device, as ``cupy.asarray`` does, and so do indices and
  the values of item assignment;
- a NumPy function or ufunc CuPy lacks (`MISSING`) is ``NotImplemented``: NumPy then
  raises its TypeError; so are operands CuPy does not take (a list, a tuple of indices
  for ``ufunc.at``). The ufunc methods CuPy has for a few ufuncs only (`UFUNC_METHODS`)
  raise its NotImplementedError ("not supported yet") for the others, and its
  reductions take no ``initial`` or ``where`` (a TypeError);
- ``out=`` takes device arrays; item assignment works, views are writable (``.base``
  says which are views); there is no ``setflags``, and ``.flags`` has only
  c_contiguous, f_contiguous and owndata.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# NumPy names CuPy's namespaces (cupy, cupy.linalg, cupy.fft, cupyx.scipy.special) lack.
MISSING = frozenset({
    "block", "einsum_path", "geomspace", "histogram_bin_edges", "insert", "nanpercentile", "nanquantile",
    "polyder", "polydiv", "polyint", "unstack", "isnat", "matvec", "spacing", "vecdot", "vecmat",
    "linalg.diagonal", "linalg.matrix_norm", "linalg.multi_dot", "linalg.outer", "linalg.svdvals",
    "linalg.tensordot", "linalg.trace", "linalg.vecdot", "linalg.vector_norm"})
# The ufunc methods CuPy has but for a few ufuncs (``outer`` it has for all).
UFUNC_METHODS = {"reduce": {"add", "multiply"}, "accumulate": {"add", "multiply"}, "reduceat": {"add"},
                 "at": {"add", "subtract", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor"}}
_CREATING = frozenset({np.asarray, np.array, np.asanyarray, np.ascontiguousarray, np.asfortranarray})
_METHODS = frozenset({  # (the ndarray methods CuPy has, answered by NumPy's and rewrapped)
    "all", "any", "argmax", "argmin", "astype", "clip", "conj", "conjugate", "copy", "cumprod", "cumsum",
    "diagonal", "dot", "fill", "flatten", "max", "mean", "min", "nonzero", "prod", "ravel", "repeat",
    "reshape", "round", "sort", "squeeze", "std", "sum", "swapaxes", "take", "tolist", "trace",
    "transpose", "var", "view", "item"})


class Flags:
    """CuPy's ``ndarray.flags``: contiguity and ownership, no write protection."""

    def __init__(self, host: np.ndarray) -> None:
        self.c_contiguous, self.f_contiguous = host.flags.c_contiguous, host.flags.f_contiguous
        self.owndata = host.flags.owndata


class DeviceArray(np.lib.mixins.NDArrayOperatorsMixin):
    """An array in a (simulated) device's memory: see the module's docstring."""

    __module__ = "devicelib"  # (fgrad's `library()` names an array's library by its module)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, host: Any) -> None:
        self._host = np.asarray(host)

    def get(self) -> np.ndarray:
        """A NumPy copy (CuPy's explicit device-to-host transfer)."""
        return self._host.copy()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        name = ufunc.__name__
        if name in MISSING or method not in ("__call__", "outer", *UFUNC_METHODS):
            return NotImplemented
        out = kwargs.get("out", ())
        if len(out) > 1:
            raise ValueError("The 'out' parameter must have exactly one array value")
        if name in ("greater", "greater_equal", "less", "less_equal", "equal", "not_equal"):
            inputs = tuple(x.item() if type(x) is np.ndarray and x.ndim == 0 else x for x in inputs)
        for x in inputs + out:
            if not isinstance(x, (DeviceArray, np.ndarray, np.generic, int, float, complex, bool)):
                return NotImplemented
        if method in UFUNC_METHODS and name not in UFUNC_METHODS[method]:
            raise NotImplementedError(f"`{name}.{method}` is not supported yet")
        if method != "__call__":
            _no_initial_or_where(method, kwargs)
        kwargs = {key: _each(_on_host, value) for key, value in kwargs.items()}  # (out, where)
        # (outer copies NumPy operands to the device, and at takes a NumPy index array: CuPy's)
        to_host = [_copied if method == "outer" or (method == "at" and i == 1) else _on_host
                   for i in range(len(inputs))]
        result = getattr(ufunc, method)(*(convert(x) for convert, x in zip(to_host, inputs)), **kwargs)
        return out[0] if out else _on_device(result)

    def __array_function__(self, func: Any, types: tuple, args: tuple, kwargs: dict) -> Any:
        name = ".".join(func.__module__.split(".")[1:] + [func.__name__])  # ("linalg.eigh", as CuPy finds it)
        if name in MISSING or not all(issubclass(t, (DeviceArray, np.ndarray)) for t in types):
            return NotImplemented
        _no_initial_or_where(func.__name__, kwargs)
        to_host = _copied if func in _CREATING else _on_host
        return _on_device(func(*_each(to_host, args), **_each(to_host, kwargs)))

    # ----- the ndarray attributes fgrad may read
    dtype = property(lambda self: self._host.dtype)
    shape = property(lambda self: self._host.shape)
    ndim = property(lambda self: self._host.ndim)
    size = property(lambda self: self._host.size)
    strides = property(lambda self: self._host.strides)
    nbytes = property(lambda self: self._host.nbytes)
    itemsize = property(lambda self: self._host.itemsize)
    flags = property(lambda self: Flags(self._host))
    T = property(lambda self: DeviceArray(self._host.T))
    real = property(lambda self: DeviceArray(self._host.real))
    base = property(lambda self: None if self._host.base is None else DeviceArray(self._host.base))
    imag = property(lambda self: DeviceArray(self._host.imag))

    def __getattr__(self, name: str) -> Any:
        if name not in _METHODS:
            raise AttributeError(f"'devicelib.DeviceArray' object has no attribute '{name}'")
        method = getattr(self._host, name)
        return lambda *args, **kwargs: _on_device(method(*_each(_copied, args), **_each(_copied, kwargs)))

    def __getitem__(self, index: Any) -> "DeviceArray":
        return DeviceArray(self._host[_each(_copied, index)])

    def __setitem__(self, index: Any, value: Any) -> None:
        self._host[_each(_copied, index)] = _copied(value)

    def __len__(self) -> int:
        return len(self._host)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # (size-1 arrays convert to numbers: a device synchronisation in CuPy)
    def __float__(self) -> float:
        return float(self._host)

    def __int__(self) -> int:
        return int(self._host)

    def __complex__(self) -> complex:
        return complex(self._host)

    def __bool__(self) -> bool:
        return bool(self._host)

    def __repr__(self) -> str:
        return f"DeviceArray({self._host!r})"


def _no_initial_or_where(name: str, kwargs: dict) -> None:
    """CuPy's reductions (sum, max, ufunc.reduce...) take neither `initial` nor `where`."""
    for key in ("initial", "where"):
        if key in kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")


def _on_host(x: Any) -> Any:
    """The held array of a device array; a NumPy ndarray refused as CuPy's kernels do."""
    if type(x) is np.ndarray:
        raise TypeError(f"Unsupported type {type(x)}")
    return x._host if isinstance(x, DeviceArray) else x


def _copied(x: Any) -> Any:
    """The held array of a device array; a NumPy array as it is (copied to the device)."""
    return x._host if isinstance(x, DeviceArray) else x


def _each(convert: Any, x: Any) -> Any:
    """`convert` applied to each array in the arguments `x` (lists, tuples, dicts)."""
    if isinstance(x, (list, tuple)):
        return type(x)(_each(convert, item) for item in x)
    if isinstance(x, dict):
        return {key: _each(convert, value) for key, value in x.items()}
    return convert(x) if isinstance(x, (DeviceArray, np.ndarray)) else x


def _on_device(result: Any) -> Any:
    """NumPy's result as CuPy's: arrays and scalars become device arrays (0-d for a scalar)."""
    if isinstance(result, (np.ndarray, np.generic)):
        return DeviceArray(result)
    if isinstance(result, tuple):
        return tuple(_on_device(r) for r in result)
    if isinstance(result, list):
        return [_on_device(r) for r in result]
    return result
