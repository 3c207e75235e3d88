"""Array values of other libraries: which library a value belongs to, and how fgrad holds it.

fgrad's rules call NumPy's functions; a library that implements NumPy's protocols
(``__array_ufunc__``, ``__array_function__``) answers those calls with its own arrays, so
a Dask array stays a lazy Dask array through the forward pass, the rules and the
cotangents, with no conversion to NumPy on the way. This module is where the engine
asks about such values: is it one (`is_foreign`), whose is it (`library`), how is it
held (`hold`: NumPy arrays as read-only views; the others as they are, since fgrad never
writes into a value it did not allocate), and do a call's arguments agree
(`check_one_library`); and where a library's answer to a NumPy call differs from NumPy's
or is missing, NumPy's semantics in that library (`numpy_semantics`, `broadcast_like`,
`gather` and `scatter_add`, integer-array indexing and its cotangent). A library may
refuse NumPy arrays as operands (CuPy does: they live in host memory), so the constants
fgrad makes are made in the value's library (`in_library_of`), and a rule that inspects
values copies them to the host explicitly (`host_values`).
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ._array_api import ArrayAPIValue, is_array_api

__all__ = ["is_foreign", "is_other_array", "library", "hold", "check_one_library", "dtype_of", "numpy_semantics",
           "broadcast_like", "per_chunk", "to_numpy", "gather", "scatter_add", "in_library_of", "host_values",
           "owned", "as_array", "is_lazy_ones"]


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


def _is_dask(x: Any) -> bool:
    return type(x) is not np.ndarray and is_foreign(x) and library(x) == "dask"


def as_array(x: Any) -> Any:
    """`x` as an array of its own library, for a rule's masks and checks written with NumPy's
    functions (which answer each library in its own): ``np.asarray`` for numbers, lists
    and NumPy values; another library's array as it is (an array-API library's in its
    adapter), since converting it would copy it to the host, or be an error.

    Example:
        >>> as_array([1.0, 2.0])
        array([1., 2.])
    """
    return x if type(x) is ArrayAPIValue or is_foreign(x) else np.asarray(x)


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


def in_library_of(constant: Any, x: Any) -> Any:
    """`constant`, a NumPy array or number fgrad made (a seed, an identity basis, a mask),
    in the library of `x` (a value, traced or not): the constant itself for a NumPy value
    or a library that takes NumPy operands (`_TAKES_NUMPY`), else the library's copy.

    CuPy refuses NumPy arrays as operands (they live in host memory, and it makes no
    implicit transfer), so what fgrad makes to combine with a value is made where the
    value lives; what the caller's own code mixes is the caller's choice. A NumPy number
    becomes a 0-d array too (it would become a NumPy array once a rule reshapes it, as a
    seed is), filled in place: a copy from the host would wait for the device's queue.

    Example:
        >>> eye = np.eye(2)
        >>> in_library_of(eye, np.ones(2)) is eye
        True
    """
    t = type(x)
    if t is np.ndarray or t is np.float64 or t is float or not isinstance(constant, (np.ndarray, np.generic)):
        return constant
    from ._core import plain_value  # (fgrad's traced values hold another library's array inside)

    x = plain_value(x)
    if (type(x) is np.ndarray or type(x) is ArrayAPIValue or not is_foreign(x)
            or library(x) in _TAKES_NUMPY):
        return constant
    if type(constant) is not np.ndarray:  # (a number)
        return np.full_like(x, constant, dtype=constant.dtype, shape=())
    return np.asarray(constant, like=x)


def host_values(x: Any) -> Any:
    """The values of `x` as a NumPy array, for a rule that inspects them on the host (ties
    among eigenvalues, a rank, where a cotangent is zero): `np.asarray` (Dask computes),
    or for a library that refuses that, its explicit copy to the host (CuPy's ``.get()``).
    An array-API library's values stay in their adapter, where NumPy's functions compute
    on them in that library.

    Example:
        >>> host_values(2.0)
        array(2.)
    """
    if type(x) is ArrayAPIValue:  # (NumPy's functions answer it in its library; converting it is an error)
        return x
    if type(x) is not np.ndarray and is_foreign(x) and callable(getattr(x, "get", None)):
        return x.get()  # (CuPy's __array__ refuses: an implicit transfer would hide a device sync)
    return np.asarray(x)


def owned(x: Any) -> Any:
    """`x`, another library's array fgrad hands to the caller, as an array of its own: a
    copy where it is a view (CuPy's arrays are writable, and a view may broadcast one
    number or share memory with another result, as NumPy's read-only views are copied);
    arrays without views (Dask's, never written into) as they are."""
    return x.copy() if getattr(x, "base", None) is not None else x


# Libraries whose arrays take NumPy arrays as operands, to which fgrad's NumPy constants go
# as they are: Dask holds them in its graph, fused into each chunk's task (its copy of a
# constant would be one chunk of its own). The array-API adapter (ArrayAPIValue) converts them.
_TAKES_NUMPY = frozenset({"dask"})


def check_one_library(leaves: Iterable[Any], caller: str) -> None:
    """A TypeError if the arguments hold arrays of two libraries other than NumPy (NumPy
    arrays may come beside any of them: Dask takes them as constants; a library that
    refuses them as operands, as CuPy does, says so where they meet).

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
    if _is_dask(x):
        import dask.array
        from dask.base import tokenize

        g = np.asarray(g, dtype=np.result_type(g))
        # (per chunk of x, so that Dask fuses it into the chunk's chain of tasks: a
        # dask.array.broadcast_to is a layer of its own, its chunks held between tasks;
        # named so that `is_lazy_ones` knows a broadcast 1, as a product's rule may skip it)
        name = (_LAZY_ONES if g.ndim == 0 and g == 1 else "fgrad-broadcast-") + tokenize(x, g)
        return dask.array.map_blocks(_broadcast_block, x, g, dtype=g.dtype, name=name)
    return np.broadcast_to(np.asarray(g, like=x), x.shape)


_LAZY_ONES = "fgrad-ones-"


def is_lazy_ones(g: Any) -> bool:
    """Whether `g` is a Dask array of ones made by `broadcast_like` (a sum's seed): the
    product rule then hands the other factor on, as it does for NumPy's broadcast 1
    (``1 * y`` is `y`, bit for bit).

    Example:
        >>> is_lazy_ones(np.ones(3))
        False
    """
    return type(g) is not np.ndarray and str(getattr(g, "name", "")).startswith(_LAZY_ONES) and is_foreign(g)


def _broadcast_block(block: np.ndarray, g: np.ndarray) -> np.ndarray:
    return np.broadcast_to(g, block.shape)


def per_chunk(kernel: Any, *arrays: Any) -> Any:
    """``kernel(*arrays)`` run chunk by chunk in the arrays' library, or None where that
    does not apply: `arrays` must be Dask arrays of one shape and one chunking.

    An elementwise rule whose NumPy form is a fused, cache-blocked kernel (`fgrad._kernels`)
    runs that kernel on each chunk, which Dask holds as a NumPy array; the same rule written
    as Dask operations would make one pass over the chunk per operation.

    Example:
        >>> per_chunk(np.add, np.ones(2), np.ones(2)) is None
        True
    """
    first = arrays[0]
    if not all(_is_dask(a) and a.shape == first.shape and a.chunks == first.chunks for a in arrays):
        return None
    import dask.array

    return dask.array.map_blocks(kernel, *arrays, dtype=np.result_type(*(a.dtype for a in arrays)))


def to_numpy(*values: Any) -> tuple[Any, ...]:
    """`values` as NumPy values: Dask arrays computed together (one pass over their shared
    graph), CuPy's copied from the device (``.get()``), NumPy values and numbers as they are.

    For callers that need numbers (the optimizers): the transforms themselves never convert.

    Example:
        >>> to_numpy(np.ones(2), 3.0)
        (array([1., 1.]), 3.0)
    """
    lazy = [i for i, v in enumerate(values) if _is_dask(v)]
    out = list(values)
    if lazy:
        import dask

        for i, v in zip(lazy, dask.compute(*(values[i] for i in lazy))):
            out[i] = v
    return tuple(host_values(v.array if type(v) is ArrayAPIValue else v) if is_other_array(v) else v for v in out)


def gather(x: Any, idx: Any) -> Any:
    """``x[idx]`` for an index with integer arrays or boolean masks, with NumPy's
    semantics in every library: for Dask, lazily (fgrad/_dask_indexing.py), where Dask's
    own indexing takes one 1-D array at a time.

    Example:
        >>> gather(np.arange(6.0).reshape(2, 3), (np.array([1, 0]), np.array([[2], [-1]])))
        array([[5., 2.],
               [5., 2.]])
    """
    if _is_dask(x):
        from ._dask_indexing import gather as dask_gather

        return dask_gather(x, idx)
    return x[idx]


def scatter_add(g: Any, idx: Any, shape: tuple[int, ...]) -> Any:
    """``np.add.at(zeros(shape), idx, g)`` in `g`'s library, the transpose of `gather`
    (its cotangent): repeated entries of the index add. For Dask, lazily
    (fgrad/_dask_indexing.py); another library answers np.add.at itself, or refuses.

    Example:
        >>> scatter_add(np.array([1.0, 2.0, 4.0]), (np.array([0, 0, -1]),), (3,))
        array([3., 0., 4.])
    """
    if type(g) is ArrayAPIValue:  # (the standard has no scatter-add: written with its gathers)
        from ._array_api import scatter_add as array_api_scatter_add

        return array_api_scatter_add(g, idx, shape)
    if _is_dask(g):
        from ._dask_indexing import scatter_add as dask_scatter_add

        return dask_scatter_add(g, idx, shape)
    if (type(idx) is tuple and len(idx) == len(shape)
            and all(dtype_of(i) is not None and dtype_of(i).kind in "iu" and np.ndim(i) for i in idx)):
        # (CuPy's ufunc.at takes one index array, not a tuple: one integer array per axis, as
        # take_along_axis makes, goes as flat positions into flat zeros; mode="wrap" turns
        # negative indices into positions, the forward indexing having checked the bounds)
        flat = np.zeros_like(g, shape=(math.prod(shape),))
        np.add.at(flat, np.ravel_multi_index(np.broadcast_arrays(*idx), shape, mode="wrap"), g)
        return flat.reshape(shape)
    out = np.zeros_like(g, shape=shape)
    np.add.at(out, idx, g)
    return out
