"""Array values of other libraries: which library a value belongs to, and how fgrad holds it.

fgrad's rules call NumPy's functions; a library that implements NumPy's protocols
(``__array_ufunc__``, ``__array_function__``) answers those calls with its own arrays, so
a Dask array stays a lazy Dask array through the forward pass, the rules and the
cotangents, with no conversion to NumPy on the way. This module is where the engine
asks about such values: is it one (`is_foreign`), whose is it (`library`), how is it
held (`hold`: NumPy arrays as read-only views; the others as they are, since fgrad never
writes into a value it did not allocate), and do a call's arguments agree
(`check_one_library`).
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ._array_api import ArrayAPIValue, is_array_api

__all__ = ["is_foreign", "is_other_array", "library", "hold", "check_one_library", "dtype_of", "numpy_semantics",
           "broadcast_like"]


def is_foreign(x: Any) -> bool:
    """Whether `x` is an array of another library that speaks NumPy's protocols.

    Example:
        >>> is_foreign(np.ones(2)), is_foreign(2.0)
        (False, False)
    """
    t = type(x)
    if t is np.ndarray or t is float or isinstance(x, (np.ndarray, np.generic)):
        return False
    if t is ArrayAPIValue:  # (an array-API library's array, answering NumPy's calls: fgrad/_array_api.py)
        return True
    return (hasattr(t, "__array_function__") and hasattr(t, "__array_ufunc__") and hasattr(x, "dtype")
            and hasattr(x, "shape") and not _is_fgrad(t))


def is_other_array(x: Any) -> bool:
    """Whether `x` is an array of a library other than NumPy: one that speaks NumPy's
    protocols (`is_foreign`), or one that implements only the array API standard.

    Example:
        >>> is_other_array(np.ones(2))
        False
    """
    return type(x) is not np.ndarray and (is_foreign(x) or is_array_api(x))


def _is_fgrad(t: type) -> bool:
    return t.__module__.split(".", 1)[0] == "fgrad"


def library(x: Any) -> str:
    """The library an array belongs to, by its top-level module ("numpy", "dask", "cupy").

    Example:
        >>> library(np.ones(2))
        'numpy'
    """
    if type(x) is ArrayAPIValue:
        x = x.array
    return type(x).__module__.split(".", 1)[0]


def plain_array(x: Any) -> Any:
    """A value to compute a rule's checks and masks with: ``np.asarray(x)``, but an array of
    an array-API library stays in its adapter (NumPy's functions answer it in its library;
    converting it would be an error).

    Example:
        >>> plain_array([1.0, 2.0])
        array([1., 2.])
    """
    return x if type(x) is ArrayAPIValue else np.asarray(x)


def hold(x: Any, private: bool = False) -> Any:
    """How a transform holds an input array: a NumPy array as a read-only view (or, with
    `private`, a read-only copy); another library's array as it is (Dask arrays cannot be
    written into; fgrad writes only into arrays it allocated)."""
    if isinstance(x, np.ndarray):
        value = x.copy() if private else x.view()
        value.setflags(write=False)
        return value
    if is_array_api(x):  # (answering NumPy's calls with the library's functions)
        return ArrayAPIValue(x)
    return x


def check_one_library(leaves: Iterable[Any], caller: str) -> None:
    """A TypeError if the arguments hold arrays of two libraries other than NumPy (NumPy
    arrays mix with any of them, as constants do).

    Example:
        >>> check_one_library([np.ones(2), 1.0], "grad")
    """
    seen: dict[str, Any] = {}
    for leaf in leaves:
        if is_other_array(leaf):
            seen.setdefault(library(leaf), leaf)
    if len(seen) > 1:
        (a, x), (b, y) = list(seen.items())[:2]
        raise TypeError(f"{caller}: the arguments mix arrays of {a} ({type(x).__name__}) and {b} "
                        f"({type(y).__name__}); convert them to one library first")


def dtype_of(x: Any) -> np.dtype | None:
    """The NumPy dtype of a number or an array of any library, or None for anything else.

    Example:
        >>> dtype_of(2.0), dtype_of("a")
        (dtype('float64'), None)
    """
    if isinstance(x, (int, float, complex, np.ndarray, np.generic)):
        return np.result_type(x)
    if is_foreign(x) or _is_fgrad(type(x)) and hasattr(x, "dtype"):  # (another library's array, or a Node)
        return np.dtype(x.dtype)
    return None


def _dask_lower_cholesky(a: Any) -> Any:
    from dask.array.linalg import cholesky

    return cholesky(a, lower=True)


# Where a library answers one of NumPy's functions with other semantics, the call fgrad
# makes instead: (library, NumPy function) -> function. Dask's np.linalg.cholesky returns
# the upper factor (NumPy's is the lower one).
_OTHER_SEMANTICS: dict[tuple[str, Any], Any] = {("dask", np.linalg.cholesky): _dask_lower_cholesky}


def numpy_semantics(np_func: Any) -> Any:
    """`np_func`, called so that every library gives NumPy's result (see `_OTHER_SEMANTICS`).

    Example:
        >>> numpy_semantics(np.linalg.cholesky)(np.array([[4.0]]))
        array([[2.]])
    """
    def call(a: Any, *args: Any, **kwargs: Any) -> Any:
        other = _OTHER_SEMANTICS.get((library(a), np_func)) if is_foreign(a) else None
        return (other or np_func)(a, *args, **kwargs)

    call.__name__ = call.__qualname__ = np_func.__name__
    call.__doc__ = np_func.__doc__
    return call


def broadcast_like(g: Any, x: Any) -> Any:
    """`g` (a number or a NumPy array) broadcast to the shape of `x`, an array of another
    library, in that library: for Dask, in `x`'s chunks, each a view of `g` (a NumPy
    broadcast would be one array of the whole shape, copied into the graph)."""
    if library(x) == "dask":
        import dask.array

        return dask.array.broadcast_to(np.asarray(g, dtype=np.result_type(g)), x.shape, chunks=x.chunks)
    return np.broadcast_to(np.asarray(g, like=x), x.shape)
