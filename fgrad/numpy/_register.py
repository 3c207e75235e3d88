"""How `fgrad.numpy` functions are made, and made reachable from ``np.*`` calls.

Three kinds, one helper each (and `variadic_primitive` for primitives over any number
of arrays, such as ``concatenate`` and ``einsum``):

- `numpy_primitive`: a primitive whose forward is the NumPy function itself (on plain
  inputs the fgrad function *is* one NumPy call) and whose VJP rules mirror NumPy's
  signature, so ``np.sum(x, 1)`` and ``fnp.sum(x, axis=1)`` record the same thing.
- `composite`: a function written with other fgrad functions; on plain inputs it calls
  the NumPy function directly.
- `plain`: piecewise-constant helpers (comparisons, ``argmax``, ``floor``...) whose
  derivative is zero: they return plain NumPy values even for traced arguments.

Each registers itself in the dispatch tables of `fgrad._ops`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import Any, Callable

import attrs
import numpy as np

from .._batching import batch_plain, has_batched, per_example
from .. import _core
from .._staging import guarded_values, stage_plain
from .._core import BatchedConversionError, Node, primitive, value_of
from .._dispatch import numpy_name
from .._ops import ARRAY_FUNCTIONS, UFUNCS
from ._array_like import stacked_arguments

__all__ = ["numpy_primitive", "composite", "plain", "register", "variadic_primitive", "any_traced",
           "supported", "plain_values", "numpy_function"]


def register(np_funcs: Sequence[Any], fun: Callable[..., Any]) -> None:
    """Make ``np_func(node, ...)`` call `fun` for each of `np_funcs`."""
    for f in np_funcs:
        (UFUNCS if isinstance(f, np.ufunc) else ARRAY_FUNCTIONS)[f] = fun


def supported() -> list[str]:
    """The NumPy functions fgrad accepts on traced values, by name.

    Example:
        >>> import fgrad.numpy as fnp
        >>> "np.linalg.inv" in fnp.supported() and "np.sum" in fnp.supported()
        True
    """
    # (the tables also hold SciPy's ufuncs once fgrad.scipy is loaded: not NumPy's)
    return sorted(name for name in {numpy_name(f) for f in (*UFUNCS, *ARRAY_FUNCTIONS)} if name.startswith("np."))


def _holds_staged(args: tuple, kwargs: dict) -> bool:
    return any(_core.is_staged(a) or (type(a) in (list, tuple) and any(_core.is_staged(b) for b in a))
               for a in (*args, *kwargs.values()))


def any_traced(args: tuple, kwargs: dict | None = None) -> bool:
    """Whether a Node is among the arguments (or inside a list/tuple argument)."""
    for a in (*args, *(kwargs.values() if kwargs else ())):
        if type(a) is Node:
            return True
        if type(a) in (list, tuple):
            for b in a:
                if type(b) is Node:
                    return True
    return False


def plain_values(x: Any) -> Any:
    """`x` with every Node (also inside lists and tuples) replaced by its plain value."""
    if type(x) in (list, tuple):
        return type(x)(plain_values(v) for v in x)
    return value_of(x)


def _example(name: str, call: str, sample: str, arity: int) -> str:
    """A generic runnable example: fgrad's gradient agrees with central differences."""
    xs = ", ".join("xyz"[:arity])
    argnums = tuple(range(arity))
    return f"""Differentiable ``{name}``: on plain arrays it is exactly the NumPy call; on traced
    values it records a primitive whose VJP rule is written in fgrad operations, so it
    differentiates to any order.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> args = {sample}
        >>> f = lambda np, {xs}: np.sum({call})
        >>> got = fgrad.grad(lambda *a: f(fnp, *a), argnums={argnums})(*args)
        >>> want = fgrad.numerical_grad(lambda *a: f(np, *a), *args, argnums={argnums})
        >>> bool(np.all([np.allclose(g, w, atol=1e-6) for g, w in zip(got, want)]))
        True
    """


def numpy_primitive(np_func: Any, *vjps: Any, forward: Callable[..., Any] | None = None,
                    name: str | None = None, also: Sequence[Any] = (), sample: str | None = None,
                    call: str | None = None, public: bool = True,
                    uses_ans: bool | tuple[bool, ...] = True) -> Callable[..., Any]:
    """Define fgrad's version of `np_func` as a primitive and register it for dispatch.

    `forward` defaults to `np_func` itself. With ``public=False`` the primitive is not
    registered (a `composite` wrapping it is). `sample` (Python source of a tuple of
    arguments) and `call` (source of the call on arguments ``x, y, ...``) make the
    docstring's runnable example. `uses_ans` declares which rules read ``ans`` (see
    `fgrad.primitive`).
    """
    short = name or np_func.__name__
    arity = len(vjps)
    doc = None
    if sample is not None:
        call = call or f"{numpy_name(np_func)}({', '.join('xyz'[:arity])})"
        doc = _example(numpy_name(np_func), call, sample, arity)
    fun = primitive(forward or np_func, *vjps, name=short, doc=doc, uses_ans=uses_ans)
    if public:
        register((np_func, *also), fun)
    return fun


def composite(*np_funcs: Any, name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: fgrad's version of ``np_funcs[0]`` written with other fgrad functions.

    On plain inputs the decorated function calls ``np_funcs[0]`` directly (one NumPy
    call); with a traced argument it runs its body. Registered for every `np_funcs`.
    A ``None`` among them (a function this NumPy version lacks) is skipped; if the first
    is missing, plain inputs run the body too.
    """
    np_func = np_funcs[0]
    present = tuple(f for f in np_funcs if f is not None)

    def decorate(body: Callable[..., Any]) -> Callable[..., Any]:
        fast = np_func if np_func is not None else body

        running = [0]  # bodies running with batched arguments (see below)

        @functools.wraps(body)
        def fun(*args: Any, **kwargs: Any) -> Any:
            try:
                if any_traced(args, kwargs):
                    if _core._STAGING and running[0] and _holds_staged(args, kwargs):
                        # inside jit, a body that calls NumPy's own function on the value lands
                        # here again: that call runs on the values, each a guard of the program
                        return fast(*guarded_values(args), **{k: guarded_values(v) for k, v in kwargs.items()})
                    if _core._STAGING:
                        running[0] += 1
                        try:
                            return body(*args, **kwargs)
                        finally:
                            running[0] -= 1
                    if _core._INTERPRETERS and (has_batched(args) or has_batched(tuple(kwargs.values()))):
                        # Inside vmap. A body that calls NumPy's own function on the plain
                        # value (`np.real_if_close(value_of(a))`) lands here again, with a
                        # value still batched: that call runs once per example.
                        if running[0]:
                            return per_example(fun, args, kwargs)
                        running[0] += 1
                        try:
                            return body(*args, **kwargs)
                        finally:
                            running[0] -= 1
                    return body(*args, **kwargs)
                return fast(*args, **kwargs)
            except TypeError as e:
                # a list holding a traced value where NumPy takes an array_like: retry
                # once with it stacked (see _array_like)
                stacked = stacked_arguments(args, kwargs) if type(e) in _CONVERSION_ERRORS else None
                if stacked is None:
                    if type(e) is BatchedConversionError and (has_batched(args) or has_batched(tuple(kwargs.values()))):
                        # inside vmap, the body looked at values (a mask, a sort): once per example
                        return per_example(fun, args, kwargs)
                    raise
            return fun(*stacked[0], **stacked[1])

        if name:
            fun.__name__ = fun.__qualname__ = name
        fun.accepts_ufunc_kwargs = True  # type: ignore[attr-defined]  # (gufuncs such as np.vecdot take axis=)
        register(present, fun)
        return fun

    return decorate


# What NumPy raises converting a list that holds a traced value (a batched one inside vmap)
_CONVERSION_ERRORS = (TypeError, BatchedConversionError)


def no_out(out: Any, name: str) -> None:
    """Refuse ``out=`` in a direct fgrad.numpy call (``np.*`` calls are refused in `fgrad._dispatch`)."""
    if out is not None:
        raise TypeError(f"{name}(..., out=...) would write into an array in place; traced values are immutable: "
                        "use the returned value")


def numpy_function(path: str) -> Any:
    """``numpy.<path>`` (e.g. "linalg.vecdot"), or None if this NumPy version lacks it."""
    obj: Any = np
    for part in path.split("."):
        obj = getattr(obj, part, None)
    return obj


def plain(np_func: Any, name: str | None = None, call: str = "{f}({t})") -> Callable[..., Any]:
    """A piecewise-constant NumPy function: plain values out, even for traced inputs.

    Its derivative is zero wherever it is defined, so returning a constant loses
    nothing; the result can be used in ``where`` masks, indices and control flow.
    `call` is the docstring's example call, a template with ``{f}`` for the function and
    ``{t}`` for the argument.
    """

    def fun(*args: Any, **kwargs: Any) -> Any:
        args = plain_values(args)
        kwargs = {k: plain_values(v) for k, v in kwargs.items()}
        if has_batched(args) or has_batched(tuple(kwargs.values())):  # inside vmap
            return batch_plain(np_func, fun, args, kwargs)
        if _core._STAGING and any_traced(args, kwargs):  # inside jit: recorded, recomputed on each call
            return stage_plain(np_func, args, kwargs)
        return np_func(*args, **kwargs)

    short = name or np_func.__name__
    fun.__name__ = fun.__qualname__ = short
    on_traced = call.format(f="fnp." + short, t="t")
    on_plain = call.format(f="np." + np_func.__name__, t="x")
    fun.__doc__ = f"""``{numpy_name(np_func)}`` on plain values: piecewise constant, so its derivative is
    zero and it returns a plain NumPy value even for a traced argument.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> x, seen = np.array([0.5, -1.5, 2.0]), []
        >>> _ = fgrad.grad(lambda t: seen.append({on_traced}) or fnp.sum(t))(x)
        >>> bool(np.array_equal(seen[0], {on_plain}))
        True
    """
    fun.accepts_ufunc_kwargs = fun.is_plain = True  # type: ignore[attr-defined]
    register((np_func,), fun)
    return fun


class EachArgument(Sequence):
    """The VJP rules of a variadic primitive: ``rules[i]`` is ``rule(i, g, ans, *args)``."""

    def __init__(self, rule: Callable[..., Any]) -> None:
        self.rule = rule

    def __len__(self) -> int:
        return sys.maxsize

    def __getitem__(self, i: Any) -> Callable[..., Any]:
        if not isinstance(i, int):
            raise TypeError("variadic VJP rules are indexed by argument position")
        return functools.partial(self.rule, i)

    def __iter__(self):
        raise TypeError("a variadic primitive has one VJP rule per argument, however many; index it")

    def __repr__(self) -> str:
        return f"EachArgument({getattr(self.rule, '__name__', self.rule)!r})"


def variadic_primitive(forward: Callable[..., Any], rule: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A primitive over any number of array arguments, with one VJP rule taking the position."""
    fun = primitive(forward, name=name)
    fun.primitive = attrs.evolve(fun.primitive, vjps=EachArgument(rule))  # type: ignore[attr-defined]
    return fun
