"""Triangular solves and the factorizations built on them: ``solve_triangular``,
``cho_factor``/``cho_solve``, ``lu_factor``/``lu_solve``.

`solve_triangular` is the primitive; its rules are triangular solves again (with the
transposed system), masked to the triangle the solve reads, so every order works.
The Cholesky and LU solves are compositions of it, differentiable in the factor and
the right-hand side. `lu_factor`'s packed factor is a primitive whose rule is the
transpose of the LU perturbation identity ``dL = L tril(F, -1)``, ``dU = triu(F) U``
with ``F = L^-1 P^T dA U^-1`` (the pivots are piecewise constant).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sl

from ... import numpy as fnp
from ..._core import primitive, value_of
from ..._ops import matmul, reshape, shape_of, swapaxes
from .._support import any_traced

__all__ = ["solve_triangular", "cho_factor", "cho_solve", "lu_factor", "lu_solve"]

_TRANS = {0: 0, 1: 1, 2: 1, "N": 0, "T": 1, "C": 1}  # real matrices: 'C' is 'T'


def _T(x: Any) -> Any:
    return swapaxes(x, -1, -2)


def _read_triangle(m: Any, lower: bool, unit_diagonal: bool) -> Any:
    """The entries of `m` a triangular solve reads (the diagonal too unless it is taken as 1)."""
    k = 1 if unit_diagonal else 0
    return fnp.tril(m, -k) if lower else fnp.triu(m, k)


def _forward(a: Any, b: Any, trans: int = 0, lower: bool = False, unit_diagonal: bool = False) -> Any:
    return sl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


def _as_matrix(x: Any) -> Any:
    return reshape(x, shape_of(x) + (1,)) if len(shape_of(x)) == 1 else x


def _rule_b(g: Any, ans: Any, a: Any, b: Any, trans: int = 0, lower: bool = False,
            unit_diagonal: bool = False) -> Any:
    return _solve(a, g, trans=1 - trans, lower=lower, unit_diagonal=unit_diagonal)


def _rule_a(g: Any, ans: Any, a: Any, b: Any, trans: int = 0, lower: bool = False,
            unit_diagonal: bool = False) -> Any:
    # x = op(a)^-1 b: the cotangent of b is gb = op(a)^-T g, and of a: -gb x^T (op = identity)
    # or -x gb^T (op = transpose), restricted to the triangle the solve reads.
    gb = _as_matrix(_solve(a, g, trans=1 - trans, lower=lower, unit_diagonal=unit_diagonal))
    x = _as_matrix(ans)
    outer = matmul(gb, _T(x)) if trans == 0 else matmul(x, _T(gb))
    return _read_triangle(-outer, lower, unit_diagonal)


_solve = primitive(_forward, _rule_a, _rule_b, name="solve_triangular", uses_ans=(True, False))


def solve_triangular(a: Any, b: Any, trans: Any = 0, lower: bool = False, unit_diagonal: bool = False,
                     overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """Solve ``op(a) x = b`` for triangular `a` (``op`` is the identity or the transpose).

    Differentiable in `a` (only the triangle that is read: the other entries, and the
    diagonal with ``unit_diagonal=True``, get derivative zero) and in `b`, to any order.
    On traced values `a` is one square matrix and `b` a vector or a matrix.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import linalg
        >>> a = np.array([[2.0, 0.0], [1.0, 4.0]])
        >>> fgrad.grad(lambda b: linalg.solve_triangular(a, b, lower=True).sum())(np.ones(2))
        array([0.375, 0.25 ])
    """
    if not any_traced(a, b):
        return sl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal,
                                   overwrite_b=overwrite_b, check_finite=check_finite)
    if trans not in _TRANS:
        raise ValueError(f"solve_triangular: incorrect value for trans: {trans!r} (0, 1, 2, 'N', 'T' or 'C')")
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) != 2 or sa[0] != sa[1] or len(sb) not in (1, 2) or sb[0] != sa[0]:
        raise ValueError(f"solve_triangular on traced values: `a` must be a square matrix and `b` a vector or "
                         f"matrix with as many rows, got shapes {sa} and {sb} (batches: call it per matrix)")
    if check_finite and not (np.all(np.isfinite(value_of(a))) and np.all(np.isfinite(value_of(b)))):
        raise ValueError("array must not contain infs or NaNs")
    return _solve(a, b, trans=_TRANS[trans], lower=bool(lower), unit_diagonal=bool(unit_diagonal))


def cho_factor(a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True) -> tuple[Any, bool]:
    """The Cholesky factor of a symmetric positive definite `a`, packed as SciPy packs it: ``(c, lower)``.

    The factor fills the lower (or upper) triangle of `c`; the other triangle is as
    SciPy leaves it (`a`'s own entries before SciPy 1.18, zeros since). Differentiable in `a`: the factor reads the
    triangle of `a` it lives in (as `fgrad.numpy.linalg.cholesky`), to any order.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import linalg
        >>> a = np.array([[4.0, 2.0], [2.0, 3.0]])
        >>> fgrad.grad(lambda a: linalg.cho_factor(a, lower=True)[0][0, 0])(a)
        array([[0.25, 0.  ],
               [0.  , 0.  ]])
    """
    if not any_traced(a):
        return sl.cho_factor(a, lower=lower, overwrite_a=overwrite_a, check_finite=check_finite)
    sa = shape_of(a)
    if len(sa) != 2 or sa[0] != sa[1]:
        raise ValueError(f"cho_factor on traced values: `a` must be a square matrix, got shape {sa}")
    if lower:
        factor = fnp.linalg.cholesky(a)
        return (factor + fnp.triu(a, 1) if _KEEPS_OTHER_TRIANGLE else factor), True
    factor = _T(fnp.linalg.cholesky(_T(a)))
    return (factor + fnp.tril(a, -1) if _KEEPS_OTHER_TRIANGLE else factor), False


# SciPy before 1.18 leaves `a`'s entries in the triangle the factor does not use; 1.18
# zeroes it. The traced version follows the SciPy at hand (asked once, on a 2x2 matrix).
_KEEPS_OTHER_TRIANGLE = bool(sl.cho_factor(np.array([[4.0, 2.0], [2.0, 3.0]]))[0][1, 0] != 0)


def cho_solve(c_and_lower: tuple[Any, bool], b: Any, overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """Solve ``a x = b`` given `a`'s Cholesky factorization ``(c, lower)`` from `cho_factor`.

    Differentiable in the factor `c` (the triangle it is read from) and in `b`.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import linalg
        >>> a, b = np.array([[4.0, 2.0], [2.0, 3.0]]), np.array([1.0, 2.0])
        >>> g = fgrad.grad(lambda b: linalg.cho_solve(linalg.cho_factor(a), b).sum())(b)
        >>> bool(np.allclose(g, np.linalg.solve(a, np.ones(2))))
        True
    """
    c, lower = c_and_lower
    if not any_traced(c, b):
        return sl.cho_solve((c, lower), b, overwrite_b=overwrite_b, check_finite=check_finite)
    if lower:  # a = L L^T
        return solve_triangular(c, solve_triangular(c, b, lower=True, check_finite=check_finite), trans=1,
                                lower=True, check_finite=check_finite)
    # a = U^T U
    return solve_triangular(c, solve_triangular(c, b, trans=1, check_finite=check_finite), check_finite=check_finite)


def _permutation(piv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(perm, inverse)``: LAPACK's row interchanges as ``a[perm] = L U``, and the inverse permutation."""
    perm = np.arange(len(piv))
    for i, p in enumerate(piv):
        perm[i], perm[p] = perm[p], perm[i]
    return perm, np.argsort(perm)


def _lu_rule(g: Any, ans: Any, a: Any, piv: Any) -> Any:
    # ans packs L (unit lower) and U. With F = L^-1 P^T dA U^-1 the packed perturbation is
    # L tril(F, -1) + triu(F) U; its transpose gives gF, and gA = P L^-T gF U^-T.
    n = shape_of(ans)[-1]
    lower = fnp.tril(ans, -1) + np.eye(n)
    gf = fnp.tril(matmul(_T(lower), fnp.tril(g, -1)), -1) + fnp.triu(matmul(fnp.triu(g), _T(fnp.triu(ans))))
    right = _T(_solve(ans, _T(gf), trans=0, lower=False, unit_diagonal=False))  # gF U^-T
    y = _solve(ans, right, trans=1, lower=True, unit_diagonal=True)  # L^-T gF U^-T
    return y[_permutation(piv)[1]]


_lu = primitive(lambda a, piv: sl.lu_factor(a)[0], _lu_rule, name="lu_factor")


def lu_factor(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> tuple[Any, np.ndarray]:
    """The pivoted LU factorization of a square `a`, packed as SciPy packs it: ``(lu, piv)``.

    `lu` holds U in its upper triangle and the unit lower factor L below the diagonal;
    it is differentiable in `a` (the pivots `piv` are plain integers).

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import linalg
        >>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
        >>> fgrad.grad(lambda a: linalg.lu_factor(a)[0][0, 0])(a)  # U[0, 0] is the pivot a[1, 0]
        array([[0., 0.],
               [1., 0.]])
    """
    if not any_traced(a):
        return sl.lu_factor(a, overwrite_a=overwrite_a, check_finite=check_finite)
    sa = shape_of(a)
    if len(sa) != 2 or sa[0] != sa[1]:
        raise ValueError(f"lu_factor on traced values: `a` must be a square matrix, got shape {sa}")
    piv = sl.lu_factor(value_of(a), check_finite=check_finite)[1]
    piv.flags.writeable = False
    return _lu(a, piv=piv), piv


def lu_solve(lu_and_piv: tuple[Any, Any], b: Any, trans: Any = 0, overwrite_b: bool = False,
             check_finite: bool = True) -> Any:
    """Solve ``a x = b`` (``trans=1``: ``a^T x = b``) given `a`'s factorization from `lu_factor`.

    Differentiable in the packed factor `lu` and in `b`; with `lu_factor`, in `a`.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import linalg
        >>> a, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 0.0])
        >>> g = fgrad.grad(lambda b: linalg.lu_solve(linalg.lu_factor(a), b)[0])(b)
        >>> bool(np.allclose(g, np.linalg.inv(a)[0]))
        True
    """
    lu, piv = lu_and_piv
    if not any_traced(lu, b):
        return sl.lu_solve((lu, piv), b, trans=trans, overwrite_b=overwrite_b, check_finite=check_finite)
    if trans not in _TRANS:
        raise ValueError(f"lu_solve: incorrect value for trans: {trans!r} (0, 1, 2, 'N', 'T' or 'C')")
    perm, inverse = _permutation(np.asarray(value_of(piv)))
    if _TRANS[trans] == 0:  # P L U x = b
        y = solve_triangular(lu, b[perm], lower=True, unit_diagonal=True, check_finite=check_finite)
        return solve_triangular(lu, y, check_finite=check_finite)
    # U^T L^T P^T x = b
    z = solve_triangular(lu, b, trans=1, check_finite=check_finite)
    return solve_triangular(lu, z, trans=1, lower=True, unit_diagonal=True, check_finite=check_finite)[inverse]
