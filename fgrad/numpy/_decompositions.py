"""Differentiable decompositions: ``svd``, ``svdvals``, ``eigh``, ``eigvalsh``, ``qr``.

Each decomposition is one primitive returning its factors packed in one array (one
LAPACK call, one record), unpacked by slicing; its VJP rule takes the cotangents of all
the factors at once. The rules are the classic ones (Townsend 2016 for the SVD, Giles
2008 for the symmetric eigenproblem, Walter and Lehmann 2018 for QR), written with fgrad
operations, so Hessians through them work.

The values alone (singular values, eigenvalues) come from separate primitives whose
rules need no division by gaps between them: their gradient is right at repeated
values too (the nuclear norm, the trace as a sum of eigenvalues). The vectors have no
derivative where values repeat; there the rules warn with
`DegenerateDerivativeWarning`.

Complex matrices follow JAX's convention (fgrad._complex: cotangents pair with tangents
by ``Re(sum(c * t))``), so the rules' transposes become conjugate transposes where the
forward map has one (``u^H da v``). A complex eigenvector or singular-vector pair is
defined only up to a phase; the rules give the derivative of the vectors NumPy returns,
whose phase LAPACK fixes by making one entry real (the first component of each eigenvector
of ``eigh`` with ``UPLO='L'``, the last with ``'U'``; the first component of each right
singular vector of a tall or square matrix, of each left one of a wide matrix). For
functions that ignore the phase (``|u|``, ``u @ diag(s) @ vh``, projectors ``v v^H``)
this is JAX's derivative; others get the derivative of NumPy's own function.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._backend import host_values, in_library_of
from .._core import Node, primitive, value_of
from .._ops import absolute, conj, imag, matmul, negative, real, reshape, shape_of, sum, swapaxes
from . import linalg as _la
from ._contract import tril, triu
from ._indexing import sort, take_along_axis
from ._register import composite
from ._shape import concatenate

__all__ = ["DegenerateDerivativeWarning", "eigh", "eigvalsh", "qr", "svd", "svdvals"]

_SVDResult = type(np.linalg.svd(np.eye(1)))
_EighResult = type(np.linalg.eigh(np.eye(1)))
_QRResult = type(np.linalg.qr(np.eye(1)))


class DegenerateDerivativeWarning(RuntimeWarning):
    """A derivative asked for where it has no limit (repeated singular values or eigenvalues...).

    fgrad still returns finite numbers, leaving out the undefined terms, but they are
    not the derivative of anything: change the point or differentiate only the values.

    Example:
        >>> import warnings, numpy as np, fgrad, fgrad.numpy as fnp
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     _ = fgrad.grad(lambda a: fnp.linalg.eigh(a)[1][0, 0])(np.eye(2))
        >>> caught[0].category.__name__
        'DegenerateDerivativeWarning'
    """


# ---------------------------------------------------------------- shared helpers
def _T(x: Any) -> Any:
    return swapaxes(x, -1, -2)


def _is_complex(x: Any) -> bool:
    return np.iscomplexobj(value_of(x))


def _conj(x: Any) -> Any:
    """``conj(x)``, and `x` itself when real (no extra operation on real matrices)."""
    if not _is_complex(x):
        return x
    return conj(x) if type(x) is Node else np.conj(x)


def _H(x: Any) -> Any:
    """The conjugate transpose of the matrices in `x` (the transpose of real ones)."""
    return _conj(_T(x))


def _diag_embed(v: Any) -> Any:
    """Vectors (..., k) to diagonal matrices (..., k, k)."""
    k = shape_of(v)[-1]
    return reshape(v, shape_of(v) + (1,)) * in_library_of(np.eye(k, dtype=np.result_type(value_of(v))), v)


def _rows(v: Any) -> Any:
    """(..., k) as (..., 1, k): scales the columns of a matrix."""
    shape = shape_of(v)
    return reshape(v, shape[:-1] + (1, shape[-1]))


def _cols(v: Any) -> Any:
    """(..., k) as (..., k, 1): scales the rows of a matrix."""
    return reshape(v, shape_of(v) + (1,))


def _tolerance(values: np.ndarray, size: int) -> np.ndarray:
    """What counts as zero (or as a tie) among `values`, per matrix, as in ``matrix_rank``."""
    scale = np.max(np.abs(values), axis=-1, keepdims=True) if values.shape[-1] else np.zeros(values.shape[:-1] + (1,))
    return 10 * size * np.finfo(values.dtype).eps * scale


def _ties(values: np.ndarray, size: int) -> np.ndarray:
    """Off-diagonal pairs (i, j) of equal `values` (to rounding), per matrix: bool (..., k, k)."""
    gaps = np.abs(values[..., :, None] - values[..., None, :])
    return (gaps <= _tolerance(values, size)[..., None]) & ~np.eye(values.shape[-1], dtype=bool)


def _warn_ties(function: str, ties: np.ndarray, values: np.ndarray, what: str, vectors: str) -> None:
    where = tuple(int(x) for x in np.argwhere(ties)[0])
    batch, (i, j) = where[:-2], where[-2:]
    at = f"matrix {batch} " if batch else ""
    warnings.warn(
        f"fgrad.numpy.linalg.{function}: the derivative of {vectors} is not defined at repeated {what} "
        f"({at}{what[:-1]}s {i} and {j} are both {values[batch + (i,)]:.6g}, to rounding): the vectors "
        "within a tie may be any rotation of each other. The terms coupling tied vectors were left out "
        f"(taken as 0), so this derivative is likely wrong. Differentiate only the {what} (they have a "
        "derivative there), or move the point off the tie.",
        DegenerateDerivativeWarning, stacklevel=4)


def _inverse_gaps(values: Any, ties: np.ndarray, squared: bool) -> Any:
    """``F[i, j] = 1 / (v_j - v_i)`` (of the squares if `squared`), 0 on the diagonal and at ties.

    Written with fgrad operations in `values`, so rules using it differentiate again.
    """
    k = shape_of(values)[-1]
    dtype = np.result_type(value_of(values))
    skip = in_library_of((ties | np.eye(k, dtype=bool)).astype(dtype), values)  # (ties: found on the host)
    v = values * values if squared else values
    return (1.0 - skip) / (_rows(v) - _cols(v) + skip)


def _warn_mixed_weights(function: str, g: Any, ties: np.ndarray, what: str) -> None:
    """Warn when a plain cotangent weighs tied values differently (a max among ties...)."""
    if type(g) is Node or not ties.any():
        return
    g = host_values(g)
    unequal = np.abs(g[..., :, None] - g[..., None, :]) > _tolerance(g, 1)[..., None] + 0.0
    if (unequal & ties).any():
        warnings.warn(
            f"fgrad.numpy.linalg.{function}: {what} are repeated here and the cotangent weighs them "
            "differently (the largest or smallest of a tie, say): that derivative depends on which "
            "vectors span the tie, which is arbitrary; one choice was taken. A symmetric function of "
            f"the {what} (their sum, the nuclear norm) has a derivative there.",
            DegenerateDerivativeWarning, stacklevel=4)


def _fold(g: Any, uplo: str) -> Any:
    """The cotangent of a matrix of which only the `uplo` triangle is read.

    NumPy's symmetric routines read ``a``'s lower (``"L"``) or upper triangle, each entry
    off the diagonal standing for both of a symmetric pair: it collects the cotangent of
    both, and the other triangle gets none.
    """
    # (For a complex matrix the read pair is Hermitian, the diagonal's imaginary part
    # ignored: each entry below the diagonal collects the cotangent of itself and the
    # conjugate of its mirror, a diagonal entry the real part of its own.)
    n = shape_of(g)[-1]
    half = in_library_of(1.0 - 0.5 * np.eye(n, dtype=np.finfo(np.result_type(value_of(g))).dtype), g)
    triangle = tril if uplo.upper() == "L" else triu
    return triangle(g + _H(g)) * half


def _tril_symmetric(a: Any) -> Any:
    """The symmetric (Hermitian) matrix NumPy's symmetric routines see in `a` with ``UPLO='L'``."""
    if not _is_complex(a):
        return tril(a) + _T(tril(a, -1))
    # LAPACK ignores the diagonal's imaginary part: halving (t + t^H) keeps its real part.
    t = tril(a)
    return (t + _H(t)) * in_library_of(1.0 - 0.5 * np.eye(shape_of(a)[-1]), a)


# ---------------------------------------------------------------- complements (full_matrices, mode="complete")
def _complement_forward(q: np.ndarray, completion: np.ndarray, function: str = "", what: str = "") -> np.ndarray:
    return np.array(completion) if isinstance(completion, np.ndarray) else completion  # (a private copy of NumPy's)


def _complement_vjp(g: Any, ans: Any, q: Any, completion: Any, function: str = "", what: str = "") -> Any:
    # The extra columns are any orthonormal basis of the complement of q's columns: only
    # their span has a derivative. Taking them to turn no more than needed to stay
    # orthogonal to q, d(ans) = -q dq^T ans, the cotangent of q is -ans g^T q. A function
    # that depends on which basis was chosen would see their rotation within the span
    # too: its cotangent gives ans^T g an antisymmetric part, refused here (a plain
    # cotangent can be checked; a traced one, in forward mode or a Hessian, cannot).
    # Complex: d(ans) = -q dq^H ans, so q's cotangent is -conj(ans g^T q), and a unitary
    # turn within the span is seen as a non-Hermitian part of ans^T g.
    if type(g) is not Node and type(ans) is not Node:
        fix = "full_matrices=False" if function == "svd" else "mode='reduced'"
        x = np.swapaxes(ans, -1, -2) @ g
        skew = np.abs(x - np.conj(np.swapaxes(x, -1, -2))).max(initial=0.0)
        if skew > np.sqrt(np.finfo(x.dtype).eps) * max(1.0, float(np.abs(g).max(initial=0.0))):
            raise ValueError(
                f"fgrad.numpy.linalg.{function}: the gradient depends on {what}, which are any "
                "orthonormal basis of the complement of the others, picked arbitrarily by LAPACK: it has "
                f"no derivative. Use {fix}, or only "
                "functions of these columns that do not depend on that choice (a projector q @ q.T, say), "
                "all from one call (two calls give two bases, each checked on its own).")
    return negative(_conj(matmul(ans, matmul(_T(g), q))))


_complement = primitive(_complement_forward, _complement_vjp, name="orthogonal_complement")


def _with_complement(q: Any, completion: np.ndarray, function: str, what: str) -> Any:
    """``q``'s columns followed by those of `completion`, differentiable as `_complement_vjp` says."""
    if isinstance(completion, np.ndarray):  # (a NumPy value; an array-API library's stays in it)
        completion = np.ascontiguousarray(completion)
    rest = _complement(q, completion=completion, function=function, what=what)
    return concatenate([q, rest], axis=-1)


# ---------------------------------------------------------------- the phase of complex vectors
def _pivot_mask(size: int, k: int, axis: int) -> np.ndarray:
    """A 0/1 array selecting row (`axis` -2) or column (-1) `k` of (..., size, x) / (..., x, size) matrices."""
    mask = np.zeros((size, 1) if axis == -2 else (1, size))
    mask[(k, 0) if axis == -2 else (0, k)] = 1.0
    return mask


def _phase_fix(g: Any, d: Any, pivots: Any, function: str, vectors: str) -> Any:
    """The term ``-i Im(d_j) / p_j`` (shape (..., 1, k)) to add to the cotangent of the pivot entries.

    The vectors NumPy returns have their pivot entry ``p_j`` real (LAPACK's phase); ``d_j``
    is the cotangent of a turn of vector j's phase (``Im(d_j)`` is 0 for a function that
    ignores it). Turning the phase back to keep ``p_j`` real transposes to this term.
    None where there is nothing to add.
    """
    eps = np.finfo(np.result_type(value_of(pivots))).eps
    p = host_values(value_of(pivots))
    known = bool(np.all(np.abs(p.imag) <= 100 * eps))  # LAPACK's rule, as fgrad knows it
    tiny = np.abs(p) <= np.sqrt(eps)
    if type(g) is not Node:  # a plain cotangent can be checked; a traced one (Hessians, fwd) cannot
        turn = np.abs(np.imag(host_values(value_of(d))))
        used = turn > np.sqrt(eps) * max(1.0, float(turn.max(initial=0.0)))
        if not used.any():
            return None
        if not known:
            raise ValueError(
                f"fgrad.numpy.linalg.{function}: the gradient depends on the phase of the complex {vectors}, "
                "which this LAPACK fixes by a rule fgrad does not know (no entry of each vector is real): it "
                f"has no derivative. Differentiate functions that ignore the phase (|v|, v v^H, or "
                "u @ diag(s) @ vh), or the values.")
        if (used & tiny).any():
            warnings.warn(
                f"fgrad.numpy.linalg.{function}: the phase of the complex {vectors} NumPy returns is not "
                "differentiable here: the entry LAPACK makes real is 0 (to rounding), so the phase jumps. The "
                "derivative of a function that ignores the phase (|v|, v v^H, values) is right; this one "
                "depends on it (those terms were left out).",
                DegenerateDerivativeWarning, stacklevel=4)
    elif not known:
        return None
    keep = (~tiny).astype(p.real.dtype)
    return _rows(-1j * imag(d) * keep / (real(pivots) + tiny))


# ---------------------------------------------------------------- SVD
def _svd_forward(a: np.ndarray, full_matrices: bool = False) -> np.ndarray:
    """``[u^T | s | vh]`` of the first k = min(m, n) singular triplets, shape (..., k, m + 1 + n)."""
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    return np.concatenate([np.swapaxes(u[..., :k], -1, -2), s[..., None], vh[..., :k, :]], axis=-1)


def _svd_unpack(p: Any, m: int) -> tuple[Any, Any, Any]:
    return _T(p[..., :m]), p[..., m], p[..., m + 1:]


def _svd_vjp(g: Any, ans: Any, a: Any, full_matrices: bool = False) -> Any:
    # Townsend (2016), "Differentiating the singular value decomposition", with
    # F[i, j] = 1 / (s_j^2 - s_i^2):
    #   a_bar = u [F o (u^T u_bar - u_bar^T u) s + diag(s_bar) + s F o (v^T v_bar - v_bar^T v)] v^T
    #           + (I - u u^T) u_bar s^-1 v^T + u s^-1 v_bar^T (I - v v^T)
    # (the last two terms only for tall, resp. wide, matrices).
    # Complex (the transpose of JAX's svd_jvp under Re(sum(c * t))): with J_u = u^T u_bar,
    # J_v = v^T v_bar (v_bar = vh_bar^H), the antisymmetric parts become J - J^H, a term
    # diag(i Im(J_u)_jj / s_j) adds the pair's relative phase (JAX puts it into u), the
    # outer factors are conj(u), conj(vh), and LAPACK's phase (an entry of v, or of u for
    # a wide matrix, real) turns both vectors of a pair back (`_phase_fix`).
    m, n = shape_of(a)[-2:]
    u, s, vh = _svd_unpack(ans, m)
    gu, gs, gvh = _svd_unpack(g, m)
    cx = _is_complex(ans)
    if cx:
        s, gs = real(s), real(gs)
        d = sum(u * gu, axis=-2) + conj(sum(vh * gvh, axis=-1))
        if m >= n:
            fix = _phase_fix(g, d, vh[..., :, 0], "svd", "singular vectors")
            if fix is not None:
                gvh = gvh + conj(_T(fix)) * _pivot_mask(n, 0, -1)
        else:
            fix = _phase_fix(g, d, u[..., 0, :], "svd", "singular vectors")
            if fix is not None:
                gu = gu + fix * _pivot_mask(m, 0, -2)
    s_value = host_values(value_of(s))
    ties = _ties(s_value, max(m, n))
    if ties.any():
        _warn_ties("svd", ties, s_value, "singular values", "u and vh")
    f = _inverse_gaps(s, ties, squared=True)
    ut_gu = matmul(_T(u), gu)
    vt_gv = _conj(matmul(vh, _T(gvh)))
    inner = f * (ut_gu - _H(ut_gu)) * _rows(s) + _cols(s) * (f * (vt_gv - _H(vt_gv))) + _diag_embed(gs)
    zero = s_value <= _tolerance(s_value, max(m, n))
    if cx:
        # (a zero singular value leaves the pair's relative phase free: its term is left out,
        # and a function that depends on that phase is told so)
        nonzero = (~zero).astype(s_value.dtype)  # (0 to rounding: the term would be a division by ~0)
        phase_weight = imag(sum(u * gu, axis=-2))
        weight = np.abs(host_values(value_of(phase_weight)))
        if zero.any() and np.any(zero & (weight > np.sqrt(np.finfo(s_value.dtype).eps) * max(1.0, weight.max()))):
            warnings.warn(
                "fgrad.numpy.linalg.svd: a singular value is 0 (to rounding), so the relative phase of its pair of "
                "complex singular vectors is free and has no derivative; this function depends on it, and that "
                "term was left out (as JAX does). Differentiate functions that ignore the phase (|u|, u @ vh "
                "products, the singular values), or move the point off the rank deficiency.",
                DegenerateDerivativeWarning, stacklevel=3)
        inner = inner + _diag_embed(1j * phase_weight * nonzero / (s + 1.0 - nonzero))
    ga = matmul(_conj(u), matmul(inner, _conj(vh)))
    if m == n:
        return ga
    if zero.any():
        warnings.warn(
            f"fgrad.numpy.linalg.svd: the derivative of {'u' if m > n else 'vh'} of a {m} x {n} matrix is "
            "not defined where a singular value is 0 (it ties with the implicit zero singular values of "
            "the longer side); those terms were left out (taken as 0), so this derivative is likely "
            "wrong. Differentiate only the singular values, or move the point off the rank deficiency.",
            DegenerateDerivativeWarning, stacklevel=3)
    zero = zero.astype(s_value.dtype)
    inv_s = (1.0 - zero) / (s + zero)
    if m > n:
        return ga + matmul((gu - matmul(_conj(u), ut_gu)) * _rows(inv_s), _conj(vh))
    if cx:
        return ga + matmul(_conj(u) * _rows(inv_s), gvh - matmul(_H(vt_gv), _conj(vh)))
    gv = _T(gvh)
    return ga + matmul(u * _rows(inv_s), _T(gv - matmul(_T(vh), vt_gv)))


_svd_factors = primitive(_svd_forward, _svd_vjp, name="svd")


def _svdvals_vjp(g: Any, ans: Any, a: Any, full_matrices: Any = None) -> Any:
    # ds_i = u_i^T da v_i: a_bar = u diag(g) vh, defined at repeated singular values too
    # when g weighs them equally (any basis of a tie gives the same sum).
    m, n = shape_of(a)[-2:]
    _warn_mixed_weights("svdvals", g, _ties(host_values(value_of(ans)), max(m, n)), "singular values")
    # Complex: ds_i = Re(u_i^H da v_i), so a_bar = conj(u diag(g) vh).
    u, _, vh = _reduced_svd(a)
    return _conj(matmul(u * _rows(g), vh))


def _svdvals_forward(a: np.ndarray, full_matrices: Any = None) -> np.ndarray:
    # Within ``svd(a, full_matrices)``, the very values NumPy's call returns (LAPACK's
    # singular values differ in the last bits with and without the vectors).
    if full_matrices is None:
        return np.linalg.svd(a, compute_uv=False)
    return np.linalg.svd(a, full_matrices=full_matrices)[1]


_svdvals = primitive(_svdvals_forward, _svdvals_vjp, name="svdvals")


def _reduced_svd(a: Any) -> tuple[Any, Any, Any]:
    if type(a) is not Node:
        return np.linalg.svd(a, full_matrices=False)
    return _svd_unpack(_svd_factors(a), shape_of(a)[-2])


def _hermitian_svd(a: Any, compute_uv: bool) -> Any:
    # NumPy's own route for hermitian=True (from eigh, reading the lower triangle), in
    # fgrad operations: singular values are |eigenvalues|, sorted descending, and their
    # signs move into vh.
    if not compute_uv:
        return sort(absolute(eigvalsh(a)))[..., ::-1]
    w, v = eigh(a)
    w_value = host_values(value_of(w))
    order = np.argsort(np.abs(w_value), axis=-1)[..., ::-1]
    signs = in_library_of(np.take_along_axis(np.copysign(1.0, w_value), order, axis=-1), w)
    s = take_along_axis(absolute(w), order, axis=-1)
    u = take_along_axis(v, order[..., None, :], axis=-1)
    return _SVDResult(u, s, _H(u * signs[..., None, :]))


@composite(np.linalg.svd)
def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False) -> Any:
    """Singular value decomposition ``a = u @ (s[..., None] * vh)``, differentiable, batched.

    Gradients flow through ``s`` (defined at repeated singular values too), and through
    ``u`` and ``vh`` where the singular values are distinct (and nonzero, for a matrix
    that is not square); at a tie they are not defined, and fgrad warns with
    `DegenerateDerivativeWarning`. With ``full_matrices=True`` and ``M != N`` the extra
    columns of ``u`` (rows of ``vh``) are an arbitrary basis: only functions that do not
    depend on which (``u[:, :N]``, projectors) can be differentiated; others raise
    ValueError.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a = np.array([[3.0, 0.0], [0.0, 2.0]])
        >>> fgrad.grad(lambda a: fnp.linalg.svd(a)[1][0])(a)
        array([[1., 0.],
               [0., 0.]])
    """
    if hermitian:
        return _hermitian_svd(a, compute_uv)
    if not compute_uv:
        return _svdvals(a)
    s = _svdvals(a, full_matrices=bool(full_matrices))
    m, n = shape_of(a)[-2:]
    u, _, vh = _svd_unpack(_svd_factors(a, full_matrices=bool(full_matrices)), m)
    if full_matrices and m != n:
        full_u, _, full_vh = np.linalg.svd(value_of(a), full_matrices=True)
        k = min(m, n)
        if m > n:
            u = _with_complement(u, full_u[..., k:], "svd", f"the last {m - n} columns of u")
        else:
            vh = _T(_with_complement(_T(vh), np.swapaxes(full_vh[..., k:, :], -1, -2), "svd",
                                     f"the last {n - m} rows of vh"))
    return _SVDResult(u, s, vh)


@composite(getattr(np.linalg, "svdvals", None), name="svdvals")
def svdvals(x: Any, /) -> Any:
    """Singular values, descending (``svd(x, compute_uv=False)``); differentiable everywhere but at 0.

    At repeated singular values a symmetric function of them (their sum, the nuclear
    norm) has the right gradient; one that tells tied values apart (the largest of a
    tie) has none, and fgrad warns with `DegenerateDerivativeWarning`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda a: fnp.sum(fnp.linalg.svdvals(a)))(np.eye(2))  # the nuclear norm at a tie
        array([[1., 0.],
               [0., 1.]])
    """
    return _svdvals(x)


# ---------------------------------------------------------------- symmetric eigenproblem
def _eigh_forward(a: np.ndarray, UPLO: str = "L") -> np.ndarray:  # noqa: N803 - NumPy's name
    """``[w ; v]``: the eigenvalues as a first row above the eigenvectors, shape (..., n + 1, n)."""
    w, v = np.linalg.eigh(a, UPLO)
    return np.concatenate([w[..., None, :], v], axis=-2)


def _eigh_vjp(g: Any, ans: Any, a: Any, UPLO: str = "L") -> Any:  # noqa: N803
    # Giles (2008): for a symmetric matrix, with F[i, j] = 1 / (w_j - w_i),
    #   a_bar = v [diag(w_bar) + F o (v^T v_bar)] v^T,
    # then folded onto the triangle NumPy reads. Hermitian (the transpose of
    # dw = diag(X), dv = v (F o X), X = v^H da v): the first factor is conj(v), and
    # LAPACK's phase (the first entry of each vector real for UPLO='L', the last for 'U')
    # adds `_phase_fix` to v_bar.
    n = shape_of(a)[-1]
    w, v = ans[..., 0, :], ans[..., 1:, :]
    gw, gv = g[..., 0, :], g[..., 1:, :]
    if _is_complex(ans):
        w, gw = real(w), real(gw)
        k = 0 if UPLO.upper() == "L" else n - 1
        fix = _phase_fix(g, sum(v * gv, axis=-2), v[..., k, :], "eigh", "eigenvectors")
        if fix is not None:
            gv = gv + fix * _pivot_mask(n, k, -2)
    w_value = host_values(value_of(w))
    ties = _ties(w_value, shape_of(a)[-1])
    if ties.any():
        _warn_ties("eigh", ties, w_value, "eigenvalues", "the eigenvectors")
    inner = _inverse_gaps(w, ties, squared=False) * matmul(_T(v), gv) + _diag_embed(gw)
    return _fold(matmul(_conj(v), matmul(inner, _T(v))), UPLO)


_eigh_factors = primitive(_eigh_forward, _eigh_vjp, name="eigh")


def _eigenvectors(a: Any, UPLO: str) -> Any:  # noqa: N803
    if type(a) is not Node:
        return np.linalg.eigh(a, UPLO)[1]
    return _eigh_factors(a, UPLO=UPLO)[..., 1:, :]


def _eigvalsh_vjp(g: Any, ans: Any, a: Any, UPLO: str = "L", with_vectors: bool = False) -> Any:  # noqa: N803
    # dw_i = v_i^H da v_i: a_bar = conj(v) diag(g) v^T on the triangle read; right at
    # repeated eigenvalues too when g weighs them equally.
    _warn_mixed_weights("eigvalsh", g, _ties(host_values(value_of(ans)), shape_of(a)[-1]), "eigenvalues")
    v = _eigenvectors(a, UPLO)
    return _fold(matmul(_conj(v) * _rows(g), _T(v)), UPLO)


def _eigvalsh_forward(a: np.ndarray, UPLO: str = "L", with_vectors: bool = False) -> np.ndarray:  # noqa: N803
    # Within ``eigh``, the very values NumPy's eigh returns (LAPACK's eigenvalues differ
    # in the last bits with and without the vectors).
    return np.linalg.eigh(a, UPLO)[0] if with_vectors else np.linalg.eigvalsh(a, UPLO)


_eigvalsh = primitive(_eigvalsh_forward, _eigvalsh_vjp, name="eigvalsh")


def _check_uplo(UPLO: Any) -> str:  # noqa: N803
    if not isinstance(UPLO, str) or UPLO.upper() not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    return UPLO


@composite(np.linalg.eigh)
def eigh(a: Any, UPLO: str = "L") -> Any:  # noqa: N803
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices, differentiable, batched.

    As in NumPy only the `UPLO` triangle of `a` is read, so the gradient lies in that
    triangle: each entry off the diagonal gets the cotangent of both entries of its
    symmetric pair. The eigenvalues' derivative is defined at repeated eigenvalues too;
    the eigenvectors' is not, and fgrad warns with `DegenerateDerivativeWarning`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a = np.array([[2.0, 1.0], [1.0, 2.0]])
        >>> fgrad.grad(lambda a: fnp.linalg.eigh(a)[0][1])(a)  # the largest eigenvalue
        array([[0.5, 0. ],
               [1. , 0.5]])
    """
    UPLO = _check_uplo(UPLO)
    return _EighResult(_eigvalsh(a, UPLO=UPLO, with_vectors=True), _eigh_factors(a, UPLO=UPLO)[..., 1:, :])


@composite(np.linalg.eigvalsh)
def eigvalsh(a: Any, UPLO: str = "L") -> Any:  # noqa: N803
    """Eigenvalues (ascending) of symmetric matrices, reading the `UPLO` triangle; differentiable.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a = np.array([[2.0, 1.0], [7.0, 2.0]])  # the lower 7 is not read
        >>> fgrad.grad(lambda a: fnp.linalg.eigvalsh(a, UPLO="U")[1])(a)  # the larger eigenvalue
        array([[0.5, 1. ],
               [0. , 0.5]])
    """
    return _eigvalsh(a, UPLO=_check_uplo(UPLO))


# ---------------------------------------------------------------- QR
def _qr_forward(a: np.ndarray) -> np.ndarray:
    """``[q ; r]`` of a tall (or square) matrix, shape (..., m + n, n)."""
    q, r = np.linalg.qr(a)
    return np.concatenate([q, r], axis=-2)


def _qr_vjp(g: Any, ans: Any, a: Any) -> Any:
    # From dA = dq r + q dr with C = q^T dA r^-1: q^T dq = L - L^T (L the strictly lower
    # part of C), dr = (C - q^T dq) r and dq = q (q^T dq) + (I - q q^T) dA r^-1. Its
    # transpose: with X = q^T q_bar - r_bar r^T,
    #   a_bar = [q_bar + q (r_bar r^T + tril(X - X^T, -1) - q^T q_bar)] r^-T.
    m, n = shape_of(a)[-2:]
    q, r = ans[..., :m, :], ans[..., m:, :]
    gq, gr = g[..., :m, :], g[..., m:, :]
    diag = np.abs(np.diagonal(host_values(value_of(r)), axis1=-2, axis2=-1))
    if (diag <= _tolerance(diag, max(m, n))).any():
        raise ValueError(
            f"fgrad.numpy.linalg.qr: the derivative of q and r is not defined where `a` ({m} x {n}) does not "
            "have full column rank (a diagonal entry of r is 0): q's columns past the rank are arbitrary.")
    qt_gq = matmul(_T(q), gq)
    gr_rt = matmul(gr, _T(r))
    x = qt_gq - gr_rt
    if not _is_complex(ans):
        y = gq + matmul(q, gr_rt + tril(x - _T(x), -1) - qt_gq)
    else:
        # With C = q^H dA r^-1, q^H dq = L - L^H + i Im(diag C) keeps r's diagonal real
        # (LAPACK's): the transpose gains i Im(diag X) and takes conjugates.
        skew = x - _H(x)
        y = gq + matmul(conj(q), tril(skew, -1) + 0.5 * skew * in_library_of(np.eye(n), q) - x)
    return _T(_la.solve(r, _T(y)))


_qr_factors = primitive(_qr_forward, _qr_vjp, name="qr")


def _tall_qr(a: Any) -> tuple[Any, Any]:
    m = shape_of(a)[-2]
    p = _qr_factors(a)
    return p[..., :m, :], p[..., m:, :]


@composite(np.linalg.qr)
def qr(a: Any, mode: str = "reduced") -> Any:
    """QR decomposition ``a = q @ r``, differentiable where `a`'s leading columns are independent.

    Modes ``'reduced'``, ``'complete'`` and ``'r'`` as in NumPy; ``'raw'`` (LAPACK's
    Householder reflectors) has no derivative and raises TypeError on traced values.
    For a wide matrix (M < N) ``r``'s extra columns are ``q.T @ a[..., M:]`` (``q^H`` for
    complex `a`), which is
    differentiable when the first M columns are independent. With ``mode='complete'`` and
    M > N, ``q``'s last M - N columns are an arbitrary basis: only functions that do not
    depend on which can be differentiated.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a = np.array([[3.0, 1.0], [4.0, 2.0]])
        >>> fgrad.grad(lambda a: fnp.linalg.qr(a)[1][0, 0])(a)  # r[0, 0] = -|a[:, 0]| (LAPACK's sign)
        array([[-0.6,  0. ],
               [-0.8,  0. ]])
    """
    if mode not in ("reduced", "complete", "r"):
        if mode in ("raw", "full", "economic", "f", "e"):
            raise TypeError(f"fgrad.numpy.linalg.qr: mode={mode!r} has no derivative on traced values; use "
                            "mode='reduced', 'complete' or 'r'")
        raise ValueError(f"Unrecognized mode '{mode}'")
    m, n = shape_of(a)[-2:]
    if m >= n:
        q, r = _tall_qr(a)
        if mode == "complete" and m > n:
            full_q = np.linalg.qr(value_of(a), mode="complete")[0]
            q = _with_complement(q, full_q[..., n:], "qr", f"the last {m - n} columns of q (mode='complete')")
            zeros = in_library_of(np.zeros(shape_of(r)[:-2] + (m - n, n), dtype=np.result_type(value_of(r))), r)
            r = concatenate([r, zeros], axis=-2)
    else:
        q, r_left = _tall_qr(a[..., :, :m])
        r = concatenate([r_left, matmul(_H(q), a[..., :, m:])], axis=-1)
    return r if mode == "r" else _QRResult(q, r)
