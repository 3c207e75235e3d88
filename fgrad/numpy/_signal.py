"""Sequences and sampled functions: convolve, correlate, interp, gradient.

``convolve`` is the one primitive (the full 1-D convolution); its VJP rules are again
full convolutions with a flipped operand, sliced, so it differentiates to any order.
``correlate`` and the 'same'/'valid' modes are slices of it. ``interp`` and ``gradient``
are compositions whose segment choices and stencils are constants.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._core import Node, primitive, value_of
from .._ops import cast, reshape, shape_of
from ._elementwise import conjugate, remainder, where
from ._register import composite
from ._shape import atleast_1d, concatenate, flip, normalize_axis_tuple

__all__ = ["convolve", "correlate", "gradient", "interp"]


# ---------------------------------------------------------------- convolution
def _convolve_vjp(g: Any, other: Any, n: int) -> Any:
    """Cotangent of one operand of length `n`: the other's flipped convolution with `g`, its middle part."""
    m = shape_of(other)[0]
    return _convolve_full(g, flip(other))[m - 1:m - 1 + n]


_convolve_full = primitive(
    lambda a, v: np.convolve(a, v, "full"),
    lambda g, ans, a, v: _convolve_vjp(g, v, shape_of(a)[0]),
    lambda g, ans, a, v: _convolve_vjp(g, a, shape_of(v)[0]),
    name="convolve", uses_ans=False)


def _mode(mode: Any) -> str:
    """NumPy's reading of a mode: its first letter decides ('f', 's' or 'v')."""
    if isinstance(mode, str) and mode[:1].lower() in ("f", "s", "v"):
        return mode[:1].lower()
    raise ValueError(f"mode must be one of 'full', 'same' or 'valid', got {mode!r}")


def _vectors(a: Any, v: Any, name: str) -> tuple[Any, Any]:
    a, v = atleast_1d(a), atleast_1d(v)
    for arg, label in ((a, "a"), (v, "v")):
        if len(shape_of(arg)) != 1:
            raise ValueError(f"{name}: `{label}` must be one-dimensional, got shape {shape_of(arg)}")
        if shape_of(arg)[0] == 0:
            raise ValueError(f"{name}: `{label}` cannot be empty")
    return a, v


def _cut(full: Any, n: int, m: int, mode: str, same_start: int) -> Any:
    short, long = min(n, m), max(n, m)
    if mode == "f":
        return full
    if mode == "v":
        return full[short - 1:short - 1 + long - short + 1]
    return full[same_start:same_start + long]


@composite(np.convolve)
def convolve(a: Any, v: Any, mode: str = "full") -> Any:
    """Discrete linear convolution of two 1-D sequences; differentiable in both.

    ``mode`` is 'full' (length N+M-1), 'same' (length max(N, M)) or 'valid', as in NumPy.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda a: fnp.sum(fnp.convolve(a, np.array([1.0, 2.0]))))(np.array([1.0, 1.0, 1.0]))
        array([3., 3., 3.])
        >>> fgrad.grad(lambda v: fnp.convolve(np.array([1.0, 2.0, 3.0]), v, "valid")[0])(np.array([1.0, 0.5]))
        array([2., 1.])
    """
    mode = _mode(mode)
    a, v = _vectors(a, v, "convolve")
    n, m = shape_of(a)[0], shape_of(v)[0]
    return _cut(_convolve_full(a, v), n, m, mode, (min(n, m) - 1) // 2)


@composite(np.correlate)
def correlate(a: Any, v: Any, mode: str = "valid") -> Any:
    """Cross-correlation ``c[k] = sum_n a[n + k] v[n]`` of two 1-D sequences; differentiable in both.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fnp.correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]), "full")
        array([0.5, 2. , 3.5, 3. , 0. ])
        >>> fgrad.grad(lambda a: fnp.correlate(a, np.array([1.0, 2.0]))[0])(np.array([3.0, 4.0, 5.0]))
        array([1., 2., 0.])
    """
    mode = _mode(mode)
    a, v = _vectors(a, v, "correlate")
    n, m = shape_of(a)[0], shape_of(v)[0]
    short = min(n, m)
    # NumPy computes a longer `v` by swapping the operands and reversing: its 'same' window shifts.
    start = (short - 1) // 2 if n >= m else (short - 1) - (short - 1) // 2
    return _cut(_convolve_full(a, flip(conjugate(v))), n, m, mode, start)  # NumPy conjugates v


# ---------------------------------------------------------------- interp
@composite(np.interp)
def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None, period: Any = None) -> Any:
    """Piecewise-linear interpolation of the points (`xp`, `fp`) at `x`; differentiable in all three.

    At a knot ``x == xp[j]`` the derivative in `x` is the slope of the segment to its
    right (of the last segment at ``xp[-1]``), and outside ``[xp[0], xp[-1]]`` it is 0,
    as in JAX. `left`/`right` (traced or not) are used outside the range; `period` must
    be a plain number. As in NumPy, `fp` (and then `left`/`right`) may be complex, the
    sample points `x` and `xp` must be real.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
        >>> fgrad.grad(lambda x: fnp.sum(fnp.interp(x, xp, fp)))(np.array([0.5, 2.0, 4.0]))
        array([2. , 0.5, 0. ])
        >>> fgrad.grad(lambda f: fnp.interp(0.25, xp, f))(fp)
        array([0.75, 0.25, 0.  ])
    """
    for arg, v in (("x", x), ("xp", xp)):
        if np.iscomplexobj(value_of(v)):  # (NumPy refuses, or with `period` drops the imaginary part)
            raise TypeError(f"`interp` does not support complex values of `{arg}` (got "
                            f"{np.result_type(value_of(v))} of shape {np.shape(value_of(v))}): the sample "
                            f"points must be real (only `fp` may be complex); pass np.real({arg}) if meant")
    complex_fp = np.iscomplexobj(value_of(fp))
    dtype = np.dtype(np.complex128 if complex_fp else np.float64)  # NumPy's
    if not complex_fp:
        for arg, v in (("left", left), ("right", right)):
            if v is not None and np.iscomplexobj(value_of(v)):
                raise TypeError(f"interp: `{arg}` must be real when `fp` is (got {np.result_type(value_of(v))}), "
                                "as in NumPy")
    xp = xp if type(xp) is Node else np.asarray(xp, dtype=np.float64)
    fp = fp if type(fp) is Node else np.asarray(fp, dtype=dtype)
    if period is not None:
        if type(period) is Node:
            raise TypeError("interp: a traced `period` is not supported (pass a plain number)")
        period = abs(float(period))
        if period == 0:
            raise ValueError("period must be a non-zero value")
        x, xp = remainder(x, period), remainder(xp, period)
        order = np.argsort(value_of(xp))
        xp, fp = xp[order], fp[order]
        xp = concatenate([xp[-1:] - period, xp, xp[0:1] + period])
        fp = concatenate([fp[-1:], fp, fp[0:1]])
        left = right = None
    if len(shape_of(xp)) != 1 or len(shape_of(fp)) != 1:
        raise ValueError("interp: `xp` and `fp` must be one-dimensional")
    n = shape_of(xp)[0]
    if n == 0:
        raise ValueError("array of sample points is empty")
    if shape_of(fp)[0] != n:
        raise ValueError("fp and xp are not of the same length.")
    vx, vxp = np.asarray(value_of(x), dtype=float), np.asarray(value_of(xp), dtype=float)
    if n == 1:
        y = fp[0] + 0.0 * x  # x's shape; its derivative in x is 0
    else:
        # xp[i-1] <= x < xp[i] inside the range (JAX's and NumPy's segment choice).
        i = np.clip(np.searchsorted(vxp, vx, side="right"), 1, n - 1)
        x0, x1, f0, f1 = xp[i - 1], xp[i], fp[i - 1], fp[i]
        width = x1 - x0
        flat = value_of(width) == 0  # only where x >= xp[-1] = xp[-2]: NumPy gives fp[-1]
        slope = (f1 - f0) / where(flat, 1.0, width)
        y = where(flat, f1, slope * (x - x0) + f0)
    y = where(vx < vxp[0], fp[0] if left is None else left, y)
    y = where(vx > vxp[-1], fp[-1] if right is None else right, y)
    return y if np.result_type(value_of(y)) == dtype else cast(y, dtype=dtype)  # as NumPy's


# ---------------------------------------------------------------- gradient
def _spacings(varargs: tuple, f_shape: tuple, axes: tuple) -> list[Any]:
    """Per axis: a scalar spacing, or the differences of 1-D coordinates (NumPy's rules)."""
    n = len(varargs)
    if n == 0:
        return [1.0] * len(axes)
    if n == 1 and np.ndim(value_of(varargs[0])) == 0:
        return [varargs[0]] * len(axes)
    if n != len(axes):
        raise TypeError("invalid number of arguments")
    out = []
    for axis, distances in zip(axes, varargs):
        if np.ndim(value_of(distances)) == 0:
            out.append(distances)
            continue
        if np.ndim(value_of(distances)) != 1:
            raise ValueError("distances must be either scalars or 1d")
        if shape_of(distances)[0] != f_shape[axis]:
            raise ValueError("when 1d, distances must match the length of the corresponding dimension")
        if type(distances) is not Node:
            distances = np.asarray(distances)
            if np.issubdtype(distances.dtype, np.integer):
                distances = distances.astype(np.float64)
        dx = distances[1:] - distances[:-1]
        # Plain uniform coordinates take NumPy's uniform stencil; traced ones never do, since moving
        # one coordinate makes them non-uniform (the uniform stencil would lose that derivative).
        if type(dx) is not Node and np.all(dx == dx[0]):
            dx = dx[0]
        out.append(dx)
    return out


def _gradient_along(f: Any, axis: int, dx: Any, edge_order: int) -> Any:
    nd = len(shape_of(f))

    def part(s: Any) -> Any:
        return f[(slice(None),) * axis + (s,)]

    def along(c: Any) -> Any:  # a 1-D coefficient array, shaped to broadcast along `axis`
        return reshape(c, tuple(-1 if d == axis else 1 for d in range(nd)))

    uniform = np.ndim(value_of(dx)) == 0
    if uniform:
        inner = (part(slice(2, None)) - part(slice(None, -2))) / (2.0 * dx)
    else:
        dx1, dx2 = dx[:-1], dx[1:]
        a = along(-dx2 / (dx1 * (dx1 + dx2)))
        b = along((dx2 - dx1) / (dx1 * dx2))
        c = along(dx1 / (dx2 * (dx1 + dx2)))
        inner = a * part(slice(None, -2)) + b * part(slice(1, -1)) + c * part(slice(2, None))
    one = lambda i: part(slice(i, i + 1) if i != -1 else slice(-1, None))  # noqa: E731 - keeps the axis
    if edge_order == 1:
        first = (one(1) - one(0)) / (dx if uniform else dx[0])
        last = (one(-1) - one(-2)) / (dx if uniform else dx[-1])
    else:
        if uniform:
            a0, b0, c0 = -1.5 / dx, 2.0 / dx, -0.5 / dx
            an, bn, cn = 0.5 / dx, -2.0 / dx, 1.5 / dx
        else:
            d1, d2 = dx[0], dx[1]
            a0, b0, c0 = -(2.0 * d1 + d2) / (d1 * (d1 + d2)), (d1 + d2) / (d1 * d2), -d1 / (d2 * (d1 + d2))
            d1, d2 = dx[-2], dx[-1]
            an, bn, cn = d2 / (d1 * (d1 + d2)), -(d2 + d1) / (d1 * d2), (2.0 * d2 + d1) / (d2 * (d1 + d2))
        first = a0 * one(0) + b0 * one(1) + c0 * one(2)
        last = an * one(-3) + bn * one(-2) + cn * one(-1)
    return concatenate([first, inner, last], axis=axis)


@composite(np.gradient)
def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """Central differences of sampled `f` (one-sided at the ends), as NumPy's; differentiable
    in `f` and in the spacings or coordinates `varargs`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fnp.gradient(np.array([1.0, 4.0, 9.0, 16.0]), 2.0)
        array([1.5, 2. , 3. , 3.5])
        >>> fgrad.grad(lambda h: fnp.gradient(np.array([1.0, 4.0, 9.0]), h)[1])(2.0)  # d/dh (9 - 1) / (2 h)
        np.float64(-1.0)
    """
    nd = len(shape_of(f))
    axes = tuple(range(nd)) if axis is None else normalize_axis_tuple(axis, nd)
    dxs = _spacings(varargs, shape_of(f), axes)
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    for ax in axes:
        if shape_of(f)[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, "
                             "at least (edge_order + 1) elements are required.")
    otype = np.result_type(value_of(f))
    otype = otype if np.issubdtype(otype, np.inexact) else np.dtype(np.float64)
    # NumPy writes each derivative into an array of f's precision.
    out = [_gradient_along(f, ax, dx, edge_order) for ax, dx in zip(axes, dxs)]
    out = [o if np.result_type(value_of(o)) == otype else cast(o, dtype=otype) for o in out]
    return out[0] if len(out) == 1 else tuple(out)
