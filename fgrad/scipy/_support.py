"""How `fgrad.scipy` functions are made: SciPy primitives, refusals, runnable examples.

`scipy_primitive` is `fgrad.numpy`'s `numpy_primitive` for a SciPy function: the forward
is the SciPy function itself (exactly SciPy's result on plain inputs), the VJP rules
are fgrad operations, and a SciPy ufunc is registered in fgrad's dispatch table so
``scipy.special.expit(traced)`` records it.
"""

from __future__ import annotations

from typing import Any, Callable

from .._core import Node, primitive, value_of
from ..numpy._register import register

__all__ = ["scipy_primitive", "no_derivative", "example", "any_traced", "plain_value"]


def example(qualified: str, module: str, call: str, sample: str, argnums: tuple[int, ...]) -> str:
    """A docstring whose runnable example checks fgrad's gradient against central differences.

    `module` is the SciPy module (``"special"``), `call` the call on the arguments
    ``x, y, z`` written against a namespace ``sp``, `sample` the source of the argument tuple.
    """
    xs = ", ".join("xyz"[:sample.count("np.array")])
    return f"""Differentiable ``{qualified}``: on plain arrays it is exactly SciPy's result; on
    traced values it records a primitive whose VJP rules are written in fgrad operations,
    so it differentiates to any order.

    Example:
        >>> import numpy as np, scipy.{module}, fgrad
        >>> import fgrad.scipy.{module} as fsp
        >>> args = {sample}
        >>> f = lambda sp, {xs}: np.sum({call})
        >>> got = fgrad.grad(lambda *a: f(fsp, *a), argnums={argnums})(*args)
        >>> want = fgrad.numerical_grad(lambda *a: f(scipy.{module}, *a), *args, argnums={argnums})
        >>> bool(np.all([np.allclose(g, w, atol=1e-6) for g, w in zip(got, want)]))
        True
    """


def scipy_primitive(sc_func: Any, *vjps: Any, module: str = "special", name: str | None = None,
                    sample: str = "(np.array([0.3, 0.6]),)", call: str | None = None,
                    argnums: tuple[int, ...] | None = None, uses_ans: bool | tuple[bool, ...] = True,
                    public: bool = True) -> Callable[..., Any]:
    """fgrad's version of the SciPy function `sc_func`: a primitive, registered for dispatch.

    `argnums` are the arguments the docstring's example differentiates (default: all).
    """
    short = name or sc_func.__name__
    arity = len(vjps)
    call = call or f"sp.{short}({', '.join('xyz'[:arity])})"
    argnums = tuple(range(arity)) if argnums is None else argnums
    doc = example(f"scipy.{module}.{short}", module, call, sample, argnums)
    fun = primitive(sc_func, *vjps, name=short, doc=doc, uses_ans=uses_ans)
    if public:
        register((sc_func,), fun)
    return fun


def no_derivative(function: str, argument: str, why: str) -> Callable[..., Any]:
    """A VJP rule that refuses: the derivative in `argument` is not available (`why`)."""

    def refuse(g: Any, ans: Any, *args: Any) -> Any:
        raise TypeError(
            f"fgrad cannot differentiate {function} with respect to `{argument}`: {why}. "
            f"Pass `{argument}` as a constant (a plain value, or fgrad.stop_gradient(...))."
        )

    return refuse


def any_traced(*args: Any) -> bool:
    """Whether a traced value is among `args` (or directly inside a list/tuple among them)."""
    for a in args:
        if type(a) is Node:
            return True
        if type(a) in (list, tuple) and any(type(b) is Node for b in a):
            return True
    return False


def plain_value(x: Any) -> Any:
    """`x` with every traced value (also inside lists and tuples) replaced by its plain value."""
    if type(x) in (list, tuple):
        return type(x)(plain_value(v) for v in x)
    return value_of(x)

