"""A pytree minimisation problem seen as a function of one flat vector.

The optimizers do their linear algebra on a vector ``v`` holding all leaves of ``x``
one after the other; `FlatProblem.f_flat` cuts ``v`` back into the caller's pytree
(with differentiable slicing and reshaping) before calling ``f``, so gradients and
Hessians of ``f_flat`` are those of ``f`` with respect to every leaf at once.

The vector lives where fgrad's constants for ``x0`` go (`in_library_of`): on the GPU
for CuPy leaves, so ``f`` and its derivatives run there; a NumPy vector otherwise
(Dask leaves are computed once, rather than each iterate adding to a lazy graph).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._backend import host_values, in_library_of, is_foreign, is_other_array, to_numpy
from .._core import is_node, plain_value
from .._transforms import float_dtype_or_error
from ..tree import tree_flatten, tree_unflatten

__all__ = ["FlatProblem", "in_iterates_library"]


def _leaf_dtype(leaf: Any, caller: str) -> np.dtype:
    """The floating dtype of a leaf of ``x0``, or a TypeError saying what was expected."""
    if is_node(leaf):
        raise TypeError(
            f"{caller}: `x0` holds a traced value {leaf!r}; the optimizer does not differentiate "
            "through its own iterations, so pass concrete arrays"
        )
    dtype = float_dtype_or_error(leaf, "`x0`", caller, alternative=None)
    if dtype.kind == "c":
        raise TypeError(
            f"{caller}: `x0` is complex ({dtype}); the optimizers minimize real functions of real "
            "variables: pass the real and imaginary parts as two real arrays"
        )
    return dtype


def in_iterates_library(x: Any, *values: Any) -> tuple[Any, ...]:
    """`values` (f, its derivatives) where the iterates `x` live: NumPy values for a NumPy
    vector, so that data of another library is computed here, all the values in one pass
    over it (one `dask.compute`); as they are for a vector of another library (CuPy's stay
    on the GPU).

    Example:
        >>> in_iterates_library(np.zeros(2), 1.0, np.ones(2))
        (1.0, array([1., 1.]))
    """
    return to_numpy(*values) if type(x) is np.ndarray else values


class FlatProblem:
    """``f`` and ``x0`` validated, with the map between the pytree and a flat vector.

    Example:
        >>> import numpy as np
        >>> p = FlatProblem(lambda t: t["a"] * t["b"].sum(), {"a": 2.0, "b": np.ones(2)}, "demo")
        >>> p.x0
        array([2., 1., 1.])
        >>> p.unflatten(np.array([3.0, 4.0, 5.0]))
        {'a': np.float64(3.0), 'b': array([4., 5.])}
    """

    def __init__(self, f: Callable[[Any], Any], x0: Any, caller: str) -> None:
        if not callable(f):
            raise TypeError(f"{caller}: `f` must be callable, got {type(f).__name__} {f!r:.60}")
        leaves, self.treedef = tree_flatten(x0)
        if not leaves:
            raise TypeError(
                f"{caller}: `x0` must be a float, an array of floats or a pytree of them, "
                f"got {x0!r:.60} (no numbers to optimize)"
            )
        self.f = f
        self.caller = caller
        self.dtypes = [_leaf_dtype(leaf, caller) for leaf in leaves]
        self.shapes = [np.shape(leaf) for leaf in leaves]
        self.is_array = [isinstance(leaf, np.ndarray) or is_foreign(leaf) for leaf in leaves]
        sizes = [int(np.prod(s)) for s in self.shapes]
        self.bounds = np.cumsum([0, *sizes]).tolist()
        self.dtype = np.result_type(*self.dtypes)
        # A fresh vector: the caller's arrays are only read, never written.
        x0 = np.concatenate([np.asarray(host_values(leaf), dtype=self.dtype).ravel() for leaf in leaves])
        self.x0 = in_library_of(x0, next((leaf for leaf in leaves if is_foreign(leaf)), None))

    def _pieces(self, v: Any) -> list[Any]:
        if len(self.shapes) == 1:
            return [v.reshape(self.shapes[0])]
        return [v[a:b].reshape(s) for a, b, s in zip(self.bounds, self.bounds[1:], self.shapes)]

    def f_flat(self, v: Any) -> Any:
        """``f`` evaluated at the pytree stored in the (traced) vector ``v``."""
        out = self.f(tree_unflatten(self.treedef, self._pieces(v)))
        value = plain_value(out)  # (its type, shape and dtype: the same under every level, jit's included)
        if not isinstance(value, (int, float, np.ndarray, np.generic)) and not is_other_array(value):
            raise TypeError(
                f"{self.caller}: `f` must return a real scalar, but it returned {type(out).__name__} {out!r:.60}"
            )
        if np.shape(value) != ():
            raise TypeError(
                f"{self.caller}: `f` must return a scalar (shape ()), but it returned shape "
                f"{np.shape(value)}; reduce it first, e.g. with `.sum()` or `np.mean(...)`"
            )
        if np.result_type(value).kind != "f":
            raise TypeError(
                f"{self.caller}: `f` must return a real floating-point scalar, but it returned "
                f"dtype {np.result_type(value)}; compute it with floats"
            )
        return out

    def unflatten(self, v: np.ndarray) -> Any:
        """The pytree for vector ``v``: fresh read-only arrays (or scalars) in each leaf's dtype
        (in `v`'s library: CuPy's arrays have no read-only flag)."""
        leaves = []
        foreign = is_foreign(v)
        for a, b, shape, dtype, is_array in zip(self.bounds, self.bounds[1:], self.shapes, self.dtypes, self.is_array):
            piece = (v[a:b].astype(dtype) if foreign else np.array(v[a:b], dtype=dtype)).reshape(shape)
            if is_array:
                if not foreign:
                    piece.flags.writeable = False
                leaves.append(piece)
            else:
                leaves.append(piece[()])
        return tree_unflatten(self.treedef, leaves)
