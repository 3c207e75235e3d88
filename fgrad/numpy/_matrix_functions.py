"""Differentiable ``cond``, ``tensorsolve``, ``tensorinv`` and the SVD-based matrix norms.

Each is written, as NumPy writes it, from other differentiable functions (singular
values, ``inv``, ``solve``, reshapes), so its derivatives follow from theirs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._ops import reshape, shape_of
from . import linalg as _la
from ._decompositions import svdvals
from ._reductions import sum
from ._register import composite
from ._shape import moveaxis, transpose

__all__ = ["cond", "tensorinv", "tensorsolve"]


def spectral_norm(x: Any, ord: Any, axes: tuple[int, int]) -> Any:  # noqa: A002 - NumPy's name
    """Matrix norms from singular values: ord 2 (largest), -2 (smallest), 'nuc' (sum); kept dims."""
    row, col = axes
    s = svdvals(moveaxis(x, (row, col), (-2, -1)))
    out = s[..., 0] if ord == 2 else s[..., -1] if ord == -2 else sum(s, axis=-1)
    shape = list(shape_of(x))
    shape[row] = shape[col] = 1
    return reshape(out, tuple(shape))


@composite(np.linalg.cond)
def cond(x: Any, p: Any = None) -> Any:
    """Condition number of matrices in norm `p` (None or 2: ``s_max / s_min``; -2, 'fro', 'nuc', +-1, +-inf).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(fnp.linalg.cond)(np.array([[2.0, 0.0], [0.0, 1.0]]))
        array([[ 1.,  0.],
               [ 0., -2.]])
    """
    if p is None or p in (2, -2):
        s = svdvals(x)
        return s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    shape = shape_of(x)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")
    return _la.norm(x, p, axis=(-2, -1)) * _la.norm(_la.inv(x), p, axis=(-2, -1))


@composite(np.linalg.tensorsolve)
def tensorsolve(a: Any, b: Any, axes: Any = None) -> Any:
    """The tensor `x` with ``tensordot(a, x, x.ndim) == b`` (NumPy's reshape to a linear system).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a = 2.0 * np.eye(4).reshape(2, 2, 2, 2)
        >>> fgrad.grad(lambda b: fnp.sum(fnp.linalg.tensorsolve(a, b)))(np.ones((2, 2)))
        array([[0.5, 0.5],
               [0.5, 0.5]])
    """
    an = len(shape_of(a))
    if axes is not None:
        order = list(range(an))
        for k in axes:
            order.remove(k)
            order.insert(an, k)
        a = transpose(a, order)
    old_shape = shape_of(a)[-(an - len(shape_of(b))):]
    prod = int(np.prod(old_shape, dtype=int))
    if int(np.prod(shape_of(a), dtype=int)) != prod ** 2:
        raise np.linalg.LinAlgError(
            "Input arrays must satisfy the requirement prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    return reshape(_la.solve(reshape(a, (prod, prod)), reshape(b, (-1,))), tuple(old_shape))


@composite(np.linalg.tensorinv)
def tensorinv(a: Any, ind: int = 2) -> Any:
    """The inverse of `a` for ``tensordot(., ., ind)`` (NumPy's reshape to a matrix inverse).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a = 2.0 * np.eye(4).reshape(4, 2, 2)
        >>> fnp.linalg.tensorinv(a, ind=1).shape
        (2, 2, 4)
        >>> g = fgrad.grad(lambda a: fnp.linalg.tensorinv(a, ind=1)[0, 0, 0])(a)
        >>> float(g[0, 0, 0]), float(np.abs(g).sum())
        (-0.25, 0.25)
    """
    shape = shape_of(a)
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    inv_shape = tuple(shape[ind:]) + tuple(shape[:ind])
    prod = int(np.prod(shape[ind:], dtype=int))
    return reshape(_la.inv(reshape(a, (prod, -1))), inv_shape)

