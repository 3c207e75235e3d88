"""Matrix functions: ``expm``, ``sqrtm``, and the Sylvester solve ``sqrtm``'s derivative needs.

``expm``'s rule is the block-triangular identity ``expm([[A^T, G], [0, A^T]])[:n, n:]``,
the adjoint of its Fréchet derivative, computed with `expm` itself, so it differentiates
again (each order doubles the matrix size). ``sqrtm``'s rule solves the Sylvester
equation ``X^T Y + Y X^T = G`` for ``X = sqrtm(A)``: well posed when no two eigenvalues
of ``X`` sum to zero, as for the principal square root of a symmetric positive
definite or well-conditioned matrix with no eigenvalues on the closed negative axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sl

from ... import numpy as fnp
from ..._core import primitive, value_of
from ..._ops import matmul, shape_of, swapaxes
from .._support import any_traced

__all__ = ["expm", "sqrtm", "solve_sylvester"]


def _T(x: Any) -> Any:
    return swapaxes(x, -1, -2)


def _square(name: str, a: Any) -> None:
    sa = shape_of(a)
    if len(sa) < 2 or sa[-1] != sa[-2]:
        raise ValueError(f"{name}: expected a square matrix (or a stack of them), got shape {sa}")


def _expm_rule(g: Any, ans: Any, a: Any) -> Any:
    n = shape_of(a)[-1]
    at = _T(a)
    zeros = np.zeros(shape_of(a), dtype=np.result_type(value_of(a), value_of(g)))
    block = fnp.concatenate([fnp.concatenate([at, g], axis=-1), fnp.concatenate([zeros, at], axis=-1)], axis=-2)
    return _expm(block)[..., :n, n:]


_expm = primitive(sl.expm, _expm_rule, name="expm", uses_ans=False)


def expm(A: Any) -> Any:  # noqa: N803 - SciPy's name
    """The matrix exponential (of each matrix in a stack), differentiable to any order.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import linalg
        >>> fgrad.grad(lambda t: linalg.expm(t * np.array([[0.0, 1.0], [-1.0, 0.0]]))[0, 1])(0.0)
        np.float64(1.0)
    """
    if not any_traced(A):
        return sl.expm(A)
    _square("expm", A)
    return _expm(A)


def _sylvester_q(g: Any, ans: Any, a: Any, b: Any, q: Any) -> Any:
    return _sylvester(_T(a), _T(b), g)


def _sylvester_a(g: Any, ans: Any, a: Any, b: Any, q: Any) -> Any:
    return -matmul(_sylvester(_T(a), _T(b), g), _T(ans))


def _sylvester_b(g: Any, ans: Any, a: Any, b: Any, q: Any) -> Any:
    return -matmul(_T(ans), _sylvester(_T(a), _T(b), g))


_sylvester = primitive(sl.solve_sylvester, _sylvester_a, _sylvester_b, _sylvester_q, name="solve_sylvester",
                       uses_ans=(True, True, False))


def solve_sylvester(a: Any, b: Any, q: Any) -> Any:
    """The solution `x` of ``a x + x b = q``; differentiable in `a`, `b` and `q`, to any order.

    With ``y`` solving ``a^T y + y b^T = g`` (the cotangent), the cotangents are ``y``
    for `q`, ``-y x^T`` for `a` and ``-x^T y`` for `b`.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import linalg
        >>> a, b = np.array([[2.0, 1.0], [0.0, 3.0]]), np.eye(2)
        >>> g = fgrad.grad(lambda q: linalg.solve_sylvester(a, b, q).sum())(np.ones((2, 2)))
        >>> bool(np.allclose(g, linalg.solve_sylvester(a.T, b.T, np.ones((2, 2)))))
        True
    """
    if not any_traced(a, b, q):
        return sl.solve_sylvester(a, b, q)
    for name, m in (("a", a), ("b", b)):
        if len(shape_of(m)) != 2 or shape_of(m)[0] != shape_of(m)[1]:
            raise ValueError(f"solve_sylvester on traced values: `{name}` must be a square matrix, got {shape_of(m)}")
    return _sylvester(a, b, q)


_sqrtm = primitive(lambda a: sl.sqrtm(a), lambda g, ans, a: _sylvester(_T(ans), _T(ans), g), name="sqrtm")


def sqrtm(A: Any) -> Any:  # noqa: N803 - SciPy's name
    """The principal matrix square root, differentiable (to any order) where it is real and stable.

    Its derivative solves the Sylvester equation ``X dX + dX X = dA`` (``X = sqrtm(A)``),
    well posed for symmetric positive definite and other well-conditioned matrices
    without eigenvalues on the closed negative real axis. Where the root is complex a
    traced `A` is refused (fgrad differentiates real functions).

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import linalg
        >>> fgrad.grad(lambda a: linalg.sqrtm(a)[0, 0])(np.array([[4.0, 0.0], [0.0, 9.0]]))
        array([[0.25, 0.  ],
               [0.  , 0.  ]])
    """
    if not any_traced(A):
        return sl.sqrtm(A)
    sa = shape_of(A)
    if len(sa) != 2 or sa[0] != sa[1]:
        raise ValueError(f"sqrtm on traced values: `A` must be a square matrix, got shape {sa}")
    return _sqrtm(A)
