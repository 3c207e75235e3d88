"""Forward mode: `jvp` and `linearize`, derived soundly from the VJP rules.

The reverse pass ``ct -> vjp_fn(ct)`` is linear in ``ct`` and, run on a traced ``ct``, is
recorded in fgrad operations, so it can be differentiated in turn: its VJP applied to a
tangent is the JVP of ``fun`` (the transpose of the transpose).  Tracing that reverse
pass once gives a linear map that pushes any number of tangents forward at the cost of
one backward walk each -- `linearize` returns it and `jacfwd` uses it.  No second set of
rules is needed, and the result differentiates to any order like everything else.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np

from ._array_api import unwrapped
from ._backend import dtype_of

from ._batching import examples_apart_if_needed
from ._collector import call_paused
from ._core import Node, plain_value, value_of
from ._ops import shape_of
from ._transforms import (
    _lower, _split_aux, _Traced, check_callable, read_only_view, refuse_array_subclass, zeros_like_leaf,
)
from .tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["jvp", "linearize"]


_KIND_NAMES = {"f": "real floating-point", "c": "complex", "fc": "floating-point or complex",
               "fiub": "real", "fiubc": "numeric"}


def output_dtype(leaf: Any, k: int, transform: str, kinds: str = "f", advice: str = "") -> np.dtype:
    """The dtype of output leaf ``k`` if its kind is among `kinds`, else a TypeError saying what was expected."""
    v = plain_value(leaf)  # (the dtype is the same under every level, vmap's included)
    dtype = dtype_of(v)
    if dtype is None or dtype.kind not in kinds:
        what = f"dtype {dtype}" if dtype is not None else f"a {type(v).__name__}"
        raise TypeError(
            f"{transform}: `fun` must return {_KIND_NAMES[kinds]} arrays (or a pytree of them), but "
            f"output leaf {k} is {what}. "
            + (advice or "Derivatives are only defined for floating-point outputs; return other "
               "values as auxiliary data with has_aux=True.")
        )
    return dtype


def _zeros_like(x: Any, k: int, transform: str) -> Any:
    """Zeros of x's shape and floating or complex dtype, a scalar for a scalar and an array for an array."""
    dtype = output_dtype(x, k, transform, kinds="fiubc")
    return zeros_like_leaf(x, dtype if dtype.kind in "fc" else np.float64)


class FlatTrace:
    """One traced call of ``fun``, its outputs as flat leaves and its aux lowered."""

    __slots__ = ("traced", "out_leaves", "out_def", "aux")

    def __init__(self, fun: Callable[..., Any], args: Sequence[Any], kwargs: dict,
                 argnums: tuple[int, ...], transform: str, has_aux: bool = False,
                 private: bool = False) -> None:
        self.traced = traced = _Traced(fun, args, kwargs, argnums, transform, private)
        out, aux = _split_aux(traced.out, has_aux, transform)
        traced.out = None
        self.out_leaves, self.out_def = tree_flatten(out)
        self.aux = tree_map(lambda a: _lower(a, traced.level, traced.array_api), aux)

    def out_value(self) -> Any:
        level = self.traced.level
        return tree_unflatten(self.out_def, [_lower(o, level, self.traced.array_api) for o in self.out_leaves])


class Linearized:
    """A traced call with its reverse pass traced once: a reusable JVP.

    ``push`` maps tangents of the differentiated inputs (flat leaves) to tangents of the
    outputs (flat leaves); each call is one backward walk over the traced reverse pass.
    """

    __slots__ = ("forward", "out_leaves", "reverse", "in_cts")

    def __init__(self, flat: FlatTrace, transform: str) -> None:
        self.forward, self.out_leaves = flat.traced, flat.out_leaves
        zeros = [_zeros_like(o, k, transform) for k, o in enumerate(self.out_leaves)]
        self.reverse = _Traced(self._pull_back, zeros, {}, tuple(range(len(zeros))), transform)
        self.in_cts = self.reverse.out
        self.reverse.out = None

    def _pull_back(self, *cts: Any) -> list[Any]:
        return self.forward.pull_back(self.out_leaves, list(cts))

    def push(self, tangent_leaves: Sequence[Any]) -> list[Any]:
        """Output tangent leaves for the given input tangent leaves.

        The caller's arrays go in as read-only views, so that a tangent passed straight
        through (``jvp(lambda x: x, ...)``) comes back as a new array, never the
        caller's own (the walk copies read-only cotangents it hands out).
        """
        return self._theirs(self.reverse.pull_back(self.in_cts, [read_only_view(t) for t in tangent_leaves]))

    def push_leaf(self, k: int, tangent: Any) -> list[Any]:
        """Output tangent leaves for a tangent on input leaf ``k`` only (zero elsewhere): for
        fgrad's Jacobians, which hand the caller's arrays back themselves."""
        return self.reverse.pull_back([self.in_cts[k]], [tangent])

    def _theirs(self, tangents: list[Any]) -> list[Any]:
        """Tangents as the caller's array-API library's arrays where the caller passed those."""
        return [unwrapped(t) for t in tangents] if self.forward.array_api else tangents


def checked_like(tree: Any, like: Any, name: str, like_name: str, transform: str) -> list[Any]:
    """The leaves of ``tree`` (integers made floats) after checking they match ``like``.

    ``tree`` must have the structure of ``like`` and, leaf by leaf, its shape; ``name``
    and ``like_name`` say in errors which argument is which.
    """
    leaves, tree_def = tree_flatten(tree)
    like_leaves, like_def = tree_flatten(like)
    if tree_def != like_def:
        raise ValueError(
            f"{transform}: `{name}` has structure {tree_def!r}, but it must match {like_name}, "
            f"which has structure {like_def!r}"
        )
    out = []
    for k, (t, x) in enumerate(zip(leaves, like_leaves)):
        if type(t) is not Node:
            refuse_array_subclass(t, f"`{name}` leaf {k}", transform)
            kind = dtype_of(t).kind if dtype_of(t) is not None else "O"
            if kind not in "fiubc":
                raise TypeError(
                    f"{transform}: `{name}` leaf {k} must be a float or an array of floats, "
                    f"got {type(t).__name__} {t!r:.60}"
                )
            if kind == "c" and not np.iscomplexobj(value_of(x)):
                raise TypeError(
                    f"{transform}: `{name}` leaf {k} is complex ({np.result_type(t)}), but the matching "
                    f"leaf of {like_name} is real ({np.result_type(value_of(x))}): a real value's "
                    "tangent or cotangent is real"
                )
            if kind not in "fc":
                t = np.asarray(t, dtype=np.result_type(value_of(x), np.float64))
                t = t if t.ndim else t[()]
        if shape_of(t) != shape_of(x):
            raise ValueError(
                f"{transform}: `{name}` leaf {k} has shape {shape_of(t)}, expected {shape_of(x)} "
                f"(the shape of the matching leaf of {like_name})"
            )
        out.append(t)
    return out


def _check_primals_tangents(primals: Any, tangents: Any, transform: str) -> tuple[tuple, tuple]:
    for name, seq in (("primals", primals), ("tangents", tangents)):
        if not isinstance(seq, (tuple, list)):
            raise TypeError(
                f"{transform}: `{name}` must be a tuple with one entry per positional argument "
                f"of `fun`, got {type(seq).__name__}; write e.g. `(x,)` for a single argument"
            )
    if len(primals) != len(tangents):
        raise ValueError(
            f"{transform}: `tangents` has {len(tangents)} entries but `primals` has {len(primals)}; "
            "give one tangent per primal"
        )
    return tuple(primals), tuple(tangents)


def jvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any],
        has_aux: bool = False) -> tuple[Any, ...]:
    """Evaluate ``fun(*primals)`` and its directional derivative along ``tangents``.

    Args:
        fun: a function of float arrays (or pytrees of them).
        primals: tuple of ``fun``'s positional arguments.
        tangents: tuple of the same structure and shapes as ``primals``.
        has_aux: ``fun`` returns ``(output, aux)``; ``aux`` is passed through.

    Returns:
        ``(out, tangent_out)`` where ``tangent_out`` = J(primals) @ tangents has the
        structure and shapes of ``out``; with ``has_aux``, ``(out, tangent_out, aux)``.

    Example:
        >>> import numpy as np, fgrad
        >>> fgrad.jvp(lambda x: x ** 3, (2.0,), (1.0,))
        (np.float64(8.0), np.float64(12.0))
        >>> fgrad.jvp(lambda x, y: x * y, (np.array([1.0, 2.0]), 3.0), (np.ones(2), 0.5))
        (array([3., 6.]), array([3.5, 4. ]))
    """
    check_callable(fun, "jvp")
    primals, tangents = _check_primals_tangents(primals, tangents, "jvp")
    # (inside vmap, `fun` may look at a batched value below this trace: see there)
    run = examples_apart_if_needed(functools.partial(_jvp, fun, has_aux=has_aux))
    return run(tuple(primals), tuple(tangents))


def _jvp(fun: Callable[..., Any], primals: tuple, tangents: tuple, has_aux: bool) -> tuple[Any, ...]:
    t_leaves = checked_like(tangents, primals, "tangents", "`primals`", "jvp")

    def trace_and_push() -> tuple[Any, Any, Any]:
        flat = FlatTrace(fun, primals, {}, tuple(range(len(primals))), "jvp", has_aux)
        tangent_out = tree_unflatten(flat.out_def, Linearized(flat, "jvp").push(t_leaves))
        return flat.out_value(), tangent_out, flat.aux  # (the graph goes with this frame)

    # (no full collection scans the graph between trace and walks)
    out, tangent_out, aux = call_paused(trace_and_push)
    return (out, tangent_out, aux) if has_aux else (out, tangent_out)


def linearize(fun: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """Evaluate ``fun(*primals)`` and return a function computing JVPs at that point.

    ``fun`` is traced once; each call of the returned ``jvp_fn(*tangents)`` costs one
    backward walk and no new call of ``fun``, so pushing many tangents through the same
    point is cheaper than calling `jvp` many times. The point is the primals as they
    were when `linearize` was called (it holds copies of them); an array `fun` used as
    a constant and written into since makes ``jvp_fn`` raise ValueError.

    Args:
        fun: a function of float arrays (or pytrees of them).
        *primals: the point to linearize at.

    Returns:
        ``(out, jvp_fn)`` with ``jvp_fn(*tangents) == jvp(fun, primals, tangents)[1]``.

    Example:
        >>> import numpy as np, fgrad
        >>> out, f_jvp = fgrad.linearize(lambda x: x ** 3, 2.0)
        >>> out, f_jvp(1.0), f_jvp(0.5)
        (np.float64(8.0), np.float64(12.0), np.float64(6.0))
    """
    check_callable(fun, "linearize")
    # jvp_fn reads the graph after linearize returns: private copies of the primals (see `vjp`)
    flat = FlatTrace(fun, primals, {}, tuple(range(len(primals))), "linearize", private=True)
    lin = Linearized(flat, "linearize")

    def jvp_fn(*tangents: Any) -> Any:
        flat.traced.check_constants("linearize's jvp_fn")
        _, tangents = _check_primals_tangents(primals, tangents, "linearize")
        t_leaves = checked_like(tangents, primals, "tangents", "`primals`", "linearize")
        return tree_unflatten(flat.out_def, lin.push(t_leaves))

    return flat.out_value(), jvp_fn
