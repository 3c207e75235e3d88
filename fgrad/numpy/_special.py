"""Elementwise functions outside the ufunc core: sinc, copysign, piecewise.

``sinc``'s derivatives are a family of primitives, one per order, each with its exact
Maclaurin value at 0 (as JAX's), so derivatives of every order are right at 0 too.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from .._batching import examples_apart
from .._core import Node, primitive, value_of
from .._ops import broadcast_to, cast, reshape, shape_of, unbroadcast, zero_cotangent
from ._indexing import at
from ._register import numpy_primitive, register

__all__ = ["copysign", "piecewise", "sinc"]


# ---------------------------------------------------------------- sinc
def _sinc_derivative_value(k: int, x: Any) -> np.ndarray:
    """The k-th derivative of sin(pi x) / (pi x), computed in float64.

    Near 0 (``|pi x| < 1``) from its Maclaurin series, where Leibniz's rule would cancel
    catastrophically (and at 0 exactly, as JAX's); elsewhere by Leibniz's rule.
    """
    x = np.asarray(x)
    dtype = np.result_type(x, np.float16)
    t = x.astype(np.float64)
    u = np.pi * t
    small = np.abs(u) < 1.0
    series = np.zeros_like(t)
    for m in range((k + 1) // 2, (k + 1) // 2 + 20):  # the terms (-1)^m (pi t)^2m / (2m + 1)! with 2m >= k
        p = 2 * m - k
        series = series + (-1) ** m * np.pi ** (2 * m) / ((2 * m + 1) * math.factorial(p)) * t ** p
    far = np.where(small, 1.0, u)
    total = np.zeros_like(far)
    for j in range(k + 1):
        m = k - j  # derivatives of 1/u: (-1)^m m! / u^(m+1)
        total = total + math.comb(k, j) * np.sin(far + j * np.pi / 2) * ((-1) ** m * math.factorial(m)) / far ** (m + 1)
    return np.where(small, series, np.pi ** k * total).astype(dtype)[()]


@functools.cache
def _sinc_derivative(k: int) -> Callable[[Any], Any]:
    return primitive(functools.partial(_sinc_derivative_value, k),
                     lambda g, ans, x: g * _sinc_derivative(k + 1)(x), name=f"sinc_derivative_{k}", uses_ans=False)


sinc = numpy_primitive(np.sinc, lambda g, ans, x: g * _sinc_derivative(1)(x), sample="(np.array([0.3, 0.0]),)",
                       uses_ans=False)


# ---------------------------------------------------------------- copysign
def _copysign_factor(x1: Any, x2: Any) -> np.ndarray:
    """d copysign(x1, x2) / d x1 = sign(x1) * sign(x2) with signs of zero from ``x >= 0`` and signbit.

    At ``x1 = 0`` this is the one-sided derivative JAX gives (its ``abs`` has slope 1 there).
    """
    v1, v2 = value_of(x1), value_of(x2)
    dtype = np.result_type(v1, v2, np.float16)
    return (np.where(v1 >= 0, 1, -1) * np.where(np.signbit(v2), -1, 1)).astype(dtype)


copysign = numpy_primitive(np.copysign, lambda g, ans, x1, x2: unbroadcast(g * _copysign_factor(x1, x2), x1),
                           lambda g, ans, x1, x2: zero_cotangent(g, x2),
                           sample="(np.array([0.3, -0.6]), np.array([-0.8, 0.2]))", uses_ans=False)


# ---------------------------------------------------------------- piecewise
@examples_apart  # (inside vmap: each example has its own masks, so its own pieces)
def piecewise(x: Any, condlist: Any, funclist: Any, *args: Any, **kw: Any) -> Any:
    """NumPy's ``piecewise``: ``funclist[i](x[condlist[i]])`` where each condition holds (later
    conditions win), a constant where the entry is not callable; differentiable in `x` and in
    traced constants or values the functions use.

    The conditions are plain masks. It runs the same steps as NumPy on plain inputs too (with
    the same result), so functions may close over traced values.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> f = lambda x: fnp.sum(fnp.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v ** 2]))
        >>> fgrad.grad(f)(np.array([-2.0, 3.0]))
        array([-1.,  6.])
        >>> fgrad.grad(lambda a: fnp.piecewise(np.array([1.0, -1.0]), [np.array([True, False])], [a, 2.0])[0])(5.0)
        np.float64(1.0)
    """
    if type(x) is not Node:
        x = np.asanyarray(x)
    vx = np.asarray(value_of(x))
    conditions = value_of(condlist) if type(condlist) is Node else condlist
    if np.isscalar(conditions) or (not isinstance(conditions[0], (list, np.ndarray, Node)) and vx.ndim != 0):
        conditions = [conditions]
    conditions = np.asarray([np.asarray(value_of(c)) for c in conditions], dtype=bool)  # (each its plain mask)
    n, n_funcs = len(conditions), len(funclist)
    if n == n_funcs - 1:
        conditions = np.concatenate([conditions, ~np.any(conditions, axis=0, keepdims=True)], axis=0)
    elif n != n_funcs:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are expected")
    y = np.zeros_like(vx)
    if vx.ndim == 0:
        return _piecewise_scalar(x, y, conditions, funclist, args, kw)
    for cond, func in zip(conditions, funclist):
        if not callable(func):
            y = at(y)[cond].set(func)
        else:
            vals = x[cond]
            if int(np.prod(shape_of(vals))) > 0:
                y = at(y)[cond].set(func(vals, *args, **kw))
    return y


def _piecewise_scalar(x: Any, y: np.ndarray, conditions: np.ndarray, funclist: Any, args: tuple, kw: dict) -> Any:
    """`piecewise` of a 0-d `x`: the value of the last entry whose condition holds (NumPy's steps
    without indexing a 0-d value by a boolean)."""
    for cond, func in zip(conditions, funclist):
        if bool(cond):
            value = func(reshape(x, (1,)), *args, **kw) if callable(func) else func
            y = reshape(cast(broadcast_to(value, shape=(1,)), dtype=y.dtype), ())
    return y if type(y) is Node else np.asarray(y)


register((np.piecewise,), piecewise)
