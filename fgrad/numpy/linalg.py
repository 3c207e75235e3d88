"""Differentiable ``numpy.linalg``: ``fnp.linalg.inv``, ``det``, ``slogdet``, ``solve``, ``cholesky``, ``norm``...

Batched (stacked) matrices work as in NumPy. The VJP rules are the classic matrix
identities written with fgrad operations, so second derivatives (Hessians of
log-determinants, say) work too. The decompositions (``svd``, ``eigh``, ``qr``...)
live in `fgrad.numpy._decompositions` and are re-exported here.

Example:
    >>> import numpy as np, fgrad, fgrad.numpy as fnp
    >>> a = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> np.allclose(fgrad.grad(lambda a: fnp.linalg.slogdet(a)[1])(a), np.linalg.inv(a).T)
    True
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._backend import in_library_of, numpy_semantics
from .._core import primitive, value_of
from .._ops import (
    absolute, conj, getitem, imag, matmul, negative, reshape, shape_of, sqrt, swapaxes, unbroadcast, untake, zero_cotangent,
)
from . import _contract, _shape
from ._contract import tril
from ._reductions import max, min, sum
from ._register import composite, no_out, numpy_function, numpy_primitive, register
from ._shape import normalize_axis_tuple, squeeze

__all__ = ["cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv", "lstsq",
           "matmul", "matrix_norm", "matrix_power", "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr", "slogdet", "solve", "svd",
           "svdvals", "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot", "vector_norm"]

SPD = "(np.array([[2.0, 0.5], [0.5, 1.0]]),)"
_NEW_SOLVE = int(np.__version__.split(".")[0]) >= 2  # NumPy 2: b is a vector only when 1-D


def _T(x: Any) -> Any:
    return swapaxes(x, -1, -2)


def _as_matrices(x: Any) -> Any:
    """Scalars per matrix, shaped (..., 1, 1) to scale whole matrices."""
    return reshape(x, shape_of(x) + (1, 1))


inv = numpy_primitive(np.linalg.inv, lambda g, ans, a: negative(matmul(_T(ans), matmul(g, _T(ans)))), sample=SPD)


# ---------------------------------------------------------------- det, at singular matrices too
def _cofactor_forward(a: np.ndarray) -> np.ndarray:
    """The cofactor matrix, ``det(a) inv(a).T`` where `a` is invertible, and at any rank.

    From the SVD ``a = u diag(s) vt``: ``cof(a) = det(u) det(vt) conj(u) diag(p) conj(vt)``
    with ``p_i`` the product of the singular values other than ``s_i`` (prefix times
    suffix products, no division), exact where some ``s_i`` are zero. (The transposed
    adjugate ``(adj(vt) adj(diag(s)) adj(u))^T``; for a unitary ``u``, ``adj(u) = det(u) u^H``.)
    """
    u, s, vt = np.linalg.svd(a)
    ones = np.ones(s.shape[:-1] + (1,), s.dtype)
    before = np.cumprod(np.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, s[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    sign = np.linalg.det(u) * np.linalg.det(vt)  # each is +1 or -1
    if np.iscomplexobj(u):
        u, vt = np.conj(u), np.conj(vt)
    return (sign[..., None, None] * u * (before * after)[..., None, :]) @ vt


def _minor_indices(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays picking the n*n minors of an n x n matrix, and the cofactor signs.

    ``a[..., rows, cols]`` has shape ``(..., n, n, n-1, n-1)``: entry ``[i, j]`` is `a`
    without row i and column j.
    """
    keep = np.array([[k for k in range(n) if k != i] for i in range(n)], dtype=np.intp).reshape(n, n - 1)
    rows, cols = keep[:, None, :, None], keep[None, :, None, :]
    signs = 1.0 - 2.0 * (np.add.outer(np.arange(n), np.arange(n)) % 2)
    for x in (rows, cols, signs):
        x.flags.writeable = False
    return rows, cols, signs


def _cofactor_vjp(g: Any, ans: Any, a: Any) -> Any:
    # cof(a)[i, j] = (-1)**(i+j) det(minor_ij(a)): its VJP is the det VJP of each minor,
    # weighted and put back in place. O(n**4) memory: only second derivatives of `det` at
    # singular matrices come here.
    n = shape_of(a)[-1]
    if n == 1:  # the cofactor of a 1 x 1 matrix is the constant 1
        return zero_cotangent(g, a)
    rows, cols, signs = _minor_indices(n)
    idx = (Ellipsis, rows, cols)
    minors = getitem(a, idx=idx)
    return untake(_det_vjp(g * signs, det(minors), minors), idx=idx, shape=shape_of(a))


_cofactor = primitive(_cofactor_forward, _cofactor_vjp, name="cofactor", uses_ans=False)


def _det_vjp(g: Any, ans: Any, a: Any) -> Any:
    # d det(a) / da is the cofactor matrix: det(a) inv(a).T where det(a) != 0 (where
    # inv(a) exists), else computed directly (at rank n-1 it is not zero; JAX agrees).
    if np.all(value_of(ans) != 0):
        return _as_matrices(g * ans) * _T(inv(a))
    return _as_matrices(g) * _cofactor(a)


def _logabsdet_vjp(g: Any, ans: Any, a: Any) -> Any:
    # inv(a).T, i.e. cof(a) / det(a); at a singular matrix that is +-inf (0/0 = nan where
    # the cofactor is 0 too), the limit of the derivative as log|det| goes to -inf: as JAX.
    if np.all(value_of(ans) != -np.inf):  # (log|det| is -inf exactly where det is 0)
        return _as_matrices(g) * _T(inv(a))
    return _as_matrices(g) * _cofactor(a) / _as_matrices(det(a))


det = numpy_primitive(np.linalg.det, _det_vjp, sample=SPD)
_logabsdet = primitive(lambda a: np.linalg.slogdet(a)[1], _logabsdet_vjp, name="logabsdet")
_SLOGDET = type(np.linalg.slogdet(np.eye(1)))


def _sign_vjp(g: Any, ans: Any, a: Any) -> Any:
    # A complex matrix's sign s = det/|det| turns: ds = i s Im(tr(a^-1 da)). Transposed under
    # the pairing Re(sum(c * t)) (fgrad._complex): a_bar = i Im(g s) a^-T.
    return _as_matrices(1j * imag(g * ans)) * _T(inv(a))


_complex_sign = primitive(lambda a: np.linalg.slogdet(a)[0], _sign_vjp, name="slogdet_sign")


@composite(np.linalg.slogdet)
def slogdet(a: Any) -> Any:
    """``(sign, log|det a|)``; ``logabsdet`` differentiable, a real matrix's sign piecewise constant (plain).

    A complex matrix's sign ``det / |det|`` is differentiable too (JAX's convention,
    docs/how-to/complex.md).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda a: fnp.linalg.slogdet(a).logabsdet)(np.array([[2.0, 0.0], [0.0, 4.0]]))
        array([[0.5 , 0.  ],
               [0.  , 0.25]])
    """
    sign = _complex_sign(a) if np.iscomplexobj(value_of(a)) else np.linalg.slogdet(value_of(a))[0]
    return _SLOGDET(sign, _logabsdet(a)) if _SLOGDET is not tuple else (sign, _logabsdet(a))


def _solve_cotangents(g: Any, ans: Any, a: Any, b: Any) -> tuple[bool, Any, Any]:
    vector = len(shape_of(b)) == 1 if _NEW_SOLVE else len(shape_of(b)) == len(shape_of(a)) - 1
    gm = reshape(g, shape_of(g) + (1,)) if vector else g
    xm = reshape(ans, shape_of(ans) + (1,)) if vector else ans
    return vector, solve(_T(a), gm), xm


def _solve_vjp_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    _, gb, x = _solve_cotangents(g, ans, a, b)
    return unbroadcast(negative(matmul(gb, _T(x))), a)


def _solve_vjp_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    vector, gb, _ = _solve_cotangents(g, ans, a, b)
    return unbroadcast(reshape(gb, shape_of(gb)[:-1]) if vector else gb, b)


solve = numpy_primitive(np.linalg.solve, _solve_vjp_a, _solve_vjp_b,
                        sample="(np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0]))")


def _cholesky_vjp(g: Any, ans: Any, a: Any) -> Any:
    # Murray (2016), "Differentiation of the Cholesky decomposition": with L = ans,
    # S = L^-T Phi(L^T g) L^-1 where Phi keeps the lower triangle and halves the diagonal;
    # the cotangent of the (symmetric) input is the symmetric part of S.
    n = shape_of(ans)[-1]
    half = in_library_of(1.0 - 0.5 * np.eye(n, dtype=np.finfo(np.result_type(value_of(ans))).dtype), ans)
    phi = tril(matmul(_T(ans), g)) * half
    if not np.iscomplexobj(value_of(ans)):
        s = _T(solve(_T(ans), _T(solve(_T(ans), phi))))
        # The symmetric part of S is the cotangent of a symmetric matrix. NumPy's forward
        # reads only the lower triangle of `a`, each entry below the diagonal standing for
        # both of a symmetric pair: that entry gets both halves, those above get nothing.
        return tril(s + _T(s)) * half
    # Hermitian (a = L L^H, dL = L Phi(L^-1 da L^-H)), transposed under Re(sum(c * t)):
    # S = L^-T Phi(L^T g) conj(L)^-1, folded onto the Hermitian lower triangle NumPy reads
    # (an entry below the diagonal gets S and the conjugate of its mirror; the diagonal,
    # whose imaginary part LAPACK ignores, the real part).
    s = _T(solve(conj(_T(ans)), _T(solve(_T(ans), phi))))
    return tril(s + conj(_T(s))) * half


cholesky = numpy_primitive(np.linalg.cholesky, _cholesky_vjp, forward=numpy_semantics(np.linalg.cholesky),
                           sample=SPD,
                           call="np.linalg.cholesky((x + x.T) / 2)")


# ---------------------------------------------------------------- compositions
def _two_norm(x: Any, axis: Any, keepdims: bool) -> Any:
    from ._elementwise import conj, real  # (|x|^2 of a complex x is x conj(x), not x x)

    squares = real(x * conj(x)) if np.iscomplexobj(value_of(x)) else x * x
    return sqrt(sum(squares, axis=axis, keepdims=keepdims))


@composite(np.linalg.norm)
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """Vector norms (2, 1, inf, -inf, 0, any p) and matrix norms ('fro', 'nuc', 1, -1, 2, -2, inf, -inf).

    The spectral (ord 2, -2) and nuclear ('nuc') norms of matrices come from the
    singular values (`svdvals`): the nuclear norm has its gradient at repeated singular
    values too. As in JAX, the 2-norm has no derivative at zero (nan).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(fnp.linalg.norm)(np.array([3.0, 4.0]))
        array([0.6, 0.8])
    """
    nd = len(shape_of(x))
    if axis is None:
        if ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1):
            return _two_norm(x, None, keepdims)
        if nd > 2:
            raise ValueError("norm: improper number of dimensions to norm")
        axis = tuple(range(nd))
    axes = normalize_axis_tuple(axis, nd)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) == 2:
        out = _matrix_norm(x, ord, axes)
        return out if keepdims else squeeze(out, axes)
    raise ValueError("norm: improper number of dimensions to norm")


def _vector_norm(x: Any, ord: Any, axes: tuple, keepdims: bool) -> Any:  # noqa: A002
    if ord is None or ord == 2:
        return _two_norm(x, axes, keepdims)
    if isinstance(ord, str):
        raise ValueError(f"norm: invalid norm order {ord!r} for vectors")
    if ord == np.inf:
        return max(absolute(x), axes, keepdims=keepdims)
    if ord == -np.inf:
        return min(absolute(x), axes, keepdims=keepdims)
    if ord == 0:  # the number of nonzeros: piecewise constant, of x's real precision (as NumPy's)
        vx = np.asarray(value_of(x))
        return np.sum(vx != 0, axis=axes, keepdims=keepdims).astype(vx.real.dtype if vx.dtype.kind in "fc" else float)
    if ord == 1:
        return sum(absolute(x), axis=axes, keepdims=keepdims)
    return sum(absolute(x) ** ord, axis=axes, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x: Any, ord: Any, axes: tuple) -> Any:  # noqa: A002
    row, col = axes
    if ord in (None, "fro", "f"):
        return _two_norm(x, axes, True)
    if ord in (1, -1, np.inf, -np.inf):
        summed, over = (row, col) if ord in (1, -1) else (col, row)
        pick = max if ord > 0 else min
        return pick(sum(absolute(x), axis=summed, keepdims=True), over, keepdims=True)
    if ord in (2, -2, "nuc"):
        return spectral_norm(x, ord, axes)
    raise ValueError(f"norm: invalid norm order {ord!r} for matrices")


@composite(np.linalg.multi_dot)
def multi_dot(arrays: Sequence[Any], *, out: Any = None) -> Any:
    """The chained product of `arrays` (a 1-D first/last array acts as a row/column vector).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda a: fnp.linalg.multi_dot([np.ones(2), a, np.ones(2)]))(np.eye(2))
        array([[1., 1.],
               [1., 1.]])
    """
    no_out(out, "multi_dot")
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("multi_dot: expecting at least two arrays")
    result = arrays[0]
    for a in arrays[1:]:
        result = matmul(result, a)
    return result


@composite(np.linalg.matrix_power)
def matrix_power(a: Any, n: int) -> Any:
    """`a` multiplied by itself `n` times (``inv(a)`` for negative `n`), by repeated squaring.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda a: fnp.trace(fnp.linalg.matrix_power(a, 3)))(np.eye(2))
        array([[3., 0.],
               [0., 3.]])
    """
    n = int(n)
    shape = shape_of(a)
    if n == 0:  # the identity does not depend on a
        return np.broadcast_to(in_library_of(np.eye(shape[-1], dtype=np.result_type(value_of(a))), a), shape).copy()
    if n < 0:
        a, n = inv(a), -n
    result = None
    while n:
        if n & 1:
            result = a if result is None else matmul(result, a)
        n >>= 1
        if n:
            a = matmul(a, a)
    return result


# ---------------------------------------------------------------- NumPy 2's array-API spellings
@composite(numpy_function("linalg.trace"), name="trace")
def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """Traces of the matrices in the last two axes.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fnp.linalg.trace(np.ones((4, 2, 2))).shape
        (4,)
    """
    return _contract.trace(x, offset, -2, -1, dtype)


@composite(numpy_function("linalg.diagonal"), name="diagonal")
def diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """Diagonals of the matrices in the last two axes.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.linalg.diagonal(np.arange(4.0).reshape(2, 2))
        array([0., 3.])
    """
    return _contract.diagonal(x, offset, -2, -1)


@composite(numpy_function("linalg.outer"), name="outer")
def outer(x1: Any, x2: Any, /) -> Any:
    """Outer product of two vectors.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.linalg.outer(np.ones(2), np.arange(3.0)).shape
        (2, 3)
    """
    if len(shape_of(x1)) != 1 or len(shape_of(x2)) != 1:
        raise ValueError("linalg.outer: both inputs must be 1-dimensional")
    return _contract.outer(x1, x2)


@composite(numpy_function("linalg.tensordot"), name="tensordot")
def tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Any:
    """``fgrad.numpy.tensordot`` with `axes` as a keyword.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.linalg.tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
        (2, 4)
    """
    return _contract.tensordot(x1, x2, axes)


@composite(numpy_function("linalg.cross"), name="cross")
def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """Cross product of 3-vectors along `axis`.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.linalg.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
        array([0., 0., 1.])
    """
    if shape_of(x1)[axis] != 3 or shape_of(x2)[axis] != 3:
        raise ValueError("linalg.cross: both inputs must be 3-vectors along `axis`")
    return _contract.cross(x1, x2, axis=axis)


@composite(numpy_function("linalg.vector_norm"), name="vector_norm")
def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Any:  # noqa: A002
    """Vector norm over `axis` (all axes, as one vector, when None).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.linalg.vector_norm(x, ord=1))(np.array([[1.0, -2.0]]))
        array([[ 1., -1.]])
    """
    axes = tuple(range(len(shape_of(x)))) if axis is None else normalize_axis_tuple(axis, len(shape_of(x)))
    return _vector_norm(x, ord, axes, keepdims)


@composite(numpy_function("linalg.matrix_norm"), name="matrix_norm")
def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:  # noqa: A002
    """Matrix norm of the matrices in the last two axes.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> float(fnp.linalg.matrix_norm(np.eye(2), ord=1))
        1.0
    """
    return norm(x, ord, (-2, -1), keepdims)


vecdot = _contract.vecdot
matrix_transpose = _shape.matrix_transpose
register((np.linalg.matmul,) if hasattr(np.linalg, "matmul") else (), matmul)


# The decompositions use `solve` and `inv` above: imported last.
from ._decompositions import DegenerateDerivativeWarning, eigh, eigvalsh, qr, svd, svdvals  # noqa: E402
from ._eig import eig, eigvals  # noqa: E402
from ._matrix_functions import cond, spectral_norm, tensorinv, tensorsolve  # noqa: E402
from ._pseudo_inverse import lstsq, pinv  # noqa: E402
