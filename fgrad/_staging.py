"""Staging a function for `fgrad.jit`: one traced call recorded as a program, with guards.

A jit trace is a level like a transform's, but its Nodes are not derivative
information: `value_of` keeps them (`fgrad._core._STAGING`), so everything a function
computes from its inputs, piecewise-constant helpers included (``x > 0``, ``argmax``),
is recorded and recomputed by the compiled program. Where a staged value becomes a
Python value (``if x > 0:``, ``int(n)``, ``float(x)``, an index, ``np.asarray``), the
trace goes on with the value it has, and records a **guard**: the compiled program
checks that the same conversion gives the same answer, and otherwise the call is traced
again (fgrad's difference from JAX: Python control flow stays allowed).
"""

from __future__ import annotations

from typing import Any, Callable

import attrs
import numpy as np

from ._core import _STAGING, Node, Primitive, bind, next_seq, plain_value

__all__ = ["Guard", "Staging", "ConcretizationError", "stage_plain"]


class ConcretizationError(TypeError):
    """``fgrad.jit(..., guards=False)``: a staged value was converted to a Python value.

    With guards off, the compiled program must not depend on values (JAX's jit): use
    ``np.where`` instead of ``if``, or mark the argument static.
    """


ConcretizationError.__module__ = "fgrad"


@attrs.frozen
class Guard:
    """A conversion the staged program made: `node` gave `value` by `conversion`.

    ``conversion`` is "bool", "int", "float", "complex", "index" or "np.asarray" (the
    whole array's value).
    """

    node: Node
    conversion: str
    value: Any
    seq: int  # when it was met: after every Node it may depend on, before every Node made after it


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "bool": bool, "int": int, "float": float, "complex": complex, "index": int, "round": lambda v: v,
    "format": lambda v: v,
}


class Staging:
    """The recorder of one jit trace level: its guards, in the order they were met."""

    __slots__ = ("guards", "allowed", "function")

    def __init__(self, allowed: bool, function: str) -> None:
        self.guards: list[Guard] = []
        self.allowed = allowed
        self.function = function

    def guard(self, node: Node, conversion: str) -> Any:
        """The plain value of `node` for `conversion`, recorded as a guard."""
        if not self.allowed:
            raise ConcretizationError(
                f"jit of `{self.function}` with guards=False: {conversion}() of a staged value "
                f"{node!r} would make the compiled program depend on it. Use np.where rather than "
                "Python control flow, or pass the argument as static (static_argnums / static_argnames)."
            )
        value = plain_value(node)
        if conversion == "np.asarray":
            value = np.array(value, copy=True)
            value.setflags(write=False)
        else:
            value = _CONVERT.get(conversion, lambda v: v)(value)
        self.guards.append(Guard(node, conversion, value, next_seq()))
        return value


def open_staging(level: int, allowed: bool, function: str) -> Staging:
    staging = Staging(allowed, function)
    _STAGING[level] = staging
    return staging


def close_staging(level: int) -> Staging | None:
    return _STAGING.pop(level, None)


# ---------------------------------------------------------------- piecewise-constant helpers
# One primitive per NumPy function (no rules: its results are integers, booleans or
# piecewise constants), so a staged program recomputes `x > 0` or `argmax(x)`.
_PLAIN_PRIMITIVES: dict[Any, Primitive] = {}


def _plain_primitive(np_func: Any) -> Primitive:
    prim = _PLAIN_PRIMITIVES.get(np_func)
    if prim is None:
        prim = Primitive(getattr(np_func, "__name__", "plain"), np_func)
        _PLAIN_PRIMITIVES[np_func] = prim
    return prim


def _is_array_result(x: Any) -> bool:
    return isinstance(x, (np.ndarray, np.generic, bool, int, float, complex))


def stage_plain(np_func: Any, args: tuple, kwargs: dict) -> Any:
    """A piecewise-constant NumPy function applied to staged values, recorded in the program.

    Staged values inside list or tuple arguments, or results that are not one array
    (``np.nonzero``'s tuple), are taken at their values instead, each guarded.
    """
    from ._batching import SHAPE_ONLY_PLAIN

    if np_func in SHAPE_ONLY_PLAIN:  # shapes and dtypes are part of the compiled program's key
        return np_func(*map(_plain, args), **{k: _plain(v) for k, v in kwargs.items()})
    flat_args = all(type(a) not in (list, tuple) or not any(type(v) is Node for v in a) for a in args)
    traced_kwargs = any(type(v) is Node for v in kwargs.values())
    if flat_args and not traced_kwargs:
        probe = np_func(*map(_plain, args), **kwargs)
        if _is_array_result(probe):  # (one array: a node of the program; a tuple is taken apart below)
            return bind(_plain_primitive(np_func), args, kwargs)
    return np_func(*guarded_values(args), **{k: guarded_values(v) for k, v in kwargs.items()})


def _plain(x: Any) -> Any:
    return plain_value(x) if type(x) is Node else x


def guarded_values(x: Any) -> Any:
    """`x` with staged values (also inside lists and tuples) replaced by their values, each guarded."""
    if type(x) is Node:
        return np.asarray(x)  # (Node.__array__ records the guard)
    if type(x) in (list, tuple):
        return type(x)(guarded_values(v) for v in x)
    return x

