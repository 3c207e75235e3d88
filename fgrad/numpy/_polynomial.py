"""Least-squares polynomial fitting: polyfit.

The coefficients solve a least-squares problem. With plain sample points and weights they
are a fixed linear map of `y` (NumPy's pseudo-inverse of the scaled Vandermonde matrix);
with traced points or weights they solve the normal equations with fgrad operations, so
they are differentiable in `x`, `y` and `w`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._core import Node, value_of
from .._ops import matmul, shape_of, sum, transpose
from ._elementwise import abs_squared, conjugate
from ._register import composite
from .linalg import solve

__all__ = ["polyfit"]


@composite(np.polyfit)
def polyfit(x: Any, y: Any, deg: int, rcond: Any = None, full: bool = False, w: Any = None,
            cov: Any = False) -> Any:
    """Least-squares polynomial fit of degree `deg` (highest power first); differentiable in
    `y`, `w` and `x`.

    ``full=True`` also returns the residual sum of squares (differentiable), the rank, the
    singular values and `rcond`; ``cov`` is not supported on traced values. A rank-deficient
    fit (NumPy warns) has no derivative: it is an error on traced values. Complex data are
    fitted as by NumPy's ``lstsq`` (minimizing ``sum(abs(residual)**2)``).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> x = np.array([0.0, 1.0, 2.0])
        >>> fgrad.jacobian(lambda y: fnp.polyfit(x, y, 1))(np.array([1.0, 2.0, 4.0])).round(6)  # slope, intercept
        array([[-0.5     ,  0.      ,  0.5     ],
               [ 0.833333,  0.333333, -0.166667]])
    """
    if cov:
        raise TypeError("polyfit: `cov` is not supported on traced values")
    order = int(deg) + 1
    vx, vy = np.asarray(value_of(x)) + 0.0, np.asarray(value_of(y)) + 0.0
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if vx.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if vx.size == 0:
        raise TypeError("expected non-empty vector for x")
    if vy.ndim < 1 or vy.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if vx.shape[0] != vy.shape[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = len(vx) * np.finfo(vx.dtype).eps
    constant_matrix = type(x) is not Node and type(w) is not Node
    lhs = np.vander(vx, order) if type(x) is not Node else x[:, None] ** np.arange(order - 1, -1, -1.0)
    rhs = y
    if w is not None:
        if np.ndim(value_of(w)) != 1:
            raise TypeError("expected a 1-d array for weights")
        if shape_of(w)[0] != vy.shape[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * w[:, None]
        rhs = rhs * (w[:, None] if vy.ndim == 2 else w)
    lhs_value = np.asarray(value_of(lhs))
    # Column scaling improves the conditioning; it is a constant, as the scaled solution,
    # scaled back, is the same least-squares solution whatever the scale.
    scale = np.sqrt((lhs_value * lhs_value).sum(axis=0))
    lhs = lhs / scale
    _, _, rank, singular = np.linalg.lstsq(lhs_value / scale, np.asarray(value_of(rhs)), rcond)
    if rank != order:
        raise ValueError(f"polyfit: the fit is rank deficient (rank {rank} < deg + 1 = {order}), so its "
                         "coefficients are not differentiable; lower `deg` or use more distinct points")
    if constant_matrix:
        coef = matmul(np.linalg.pinv(lhs_value / scale), rhs)
    else:
        lhs_t = transpose(conjugate(lhs))  # (the normal equations of complex data: A^H A c = A^H y)
        coef = solve(matmul(lhs_t, lhs), matmul(lhs_t, rhs))
    fitted = matmul(lhs, coef)
    result = coef / (scale[:, None] if vy.ndim == 2 else scale)
    if not full:
        return result
    if not constant_matrix:
        raise TypeError("polyfit: full=True with traced `x` or `w` is not supported (the singular "
                        "values would not be differentiable)")
    residual = fitted - rhs
    resids = sum(abs_squared(residual), axis=0)  # (real, as lstsq's)
    resids = resids.reshape(-1) if isinstance(resids, Node) or np.ndim(resids) == 0 else resids
    if len(vx) <= order:
        resids = np.empty((0,), dtype=np.float64)  # NumPy's lstsq gives no residuals then
    return result, resids, rank, singular, rcond
