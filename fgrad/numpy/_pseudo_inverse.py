"""Differentiable ``pinv`` and ``lstsq``.

The pseudo-inverse has a derivative wherever the rank does not change (Golub and
Pereyra 1973):

    d(a+) = -a+ da a+ + a+ a+^T da^T (I - a a+) + (I - a+ a) da^T a+^T a+

which is also the derivative of NumPy's ``pinv`` at a rank-deficient matrix along the
directions that keep the rank. For complex matrices the ``^T`` are conjugate transposes,
and the rules are its transpose under JAX's pairing ``Re(sum(c * t))`` (fgrad._complex). NumPy's result jumps where a small singular value
crosses the cutoff, so there fgrad warns (`DegenerateDerivativeWarning`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._backend import plain_array
from .._core import primitive, value_of
from .._ops import matmul, negative, real, reshape, shape_of, swapaxes
from ._decompositions import DegenerateDerivativeWarning, _conj, _fold, _H, _tril_symmetric, svdvals
from ._reductions import sum
from ._register import composite

__all__ = ["lstsq", "pinv"]

_NO_VALUE = getattr(np, "_NoValue", object())


def _T(x: Any) -> Any:
    return swapaxes(x, -1, -2)


def _pinv_cotangent(g: Any, ap: Any, a: Any) -> Any:
    """The cotangent of `a` given that of ``ap = pinv(a)`` (the transpose of the formula above)."""
    # The two terms in da^H transpose to conjugates (Re(sum(c * conj(t))) = Re(sum(conj(c) * t))).
    apt, gt = _T(ap), _T(g)
    term1 = negative(matmul(apt, matmul(g, apt)))
    term2 = matmul(gt - matmul(a, matmul(ap, gt)), matmul(ap, _H(ap)))
    term3 = matmul(matmul(_H(ap), ap), gt - matmul(matmul(gt, ap), a))
    return term1 + _conj(term2) + _conj(term3)


def _warn_rank(function: str, a: np.ndarray, rcond: Any) -> None:
    s = np.linalg.svd(a, compute_uv=False)
    if not s.size:
        return
    cutoff = np.asarray(rcond)[..., None] * np.max(s, axis=-1, keepdims=True)
    if (s <= cutoff).any():
        warnings.warn(
            f"fgrad.numpy.linalg.{function}: `a` is rank-deficient (a singular value is below the cutoff "
            "rcond * max(s)); NumPy's result jumps where a singular value crosses the cutoff, so it has no "
            "derivative there. The one returned holds along perturbations that keep the rank.",
            DegenerateDerivativeWarning, stacklevel=4)


def _pinv_rcond(a: np.ndarray, rcond: Any, rtol: Any) -> Any:
    """The relative cutoff NumPy's ``pinv`` uses."""
    if rcond is not None:
        return rcond
    if rtol is _NO_VALUE:
        return 1e-15
    return max(a.shape[-2:]) * np.finfo(a.dtype).eps if rtol is None else rtol


def _pinv_forward(a: np.ndarray, rcond: Any = None, hermitian: bool = False, rtol: Any = _NO_VALUE) -> np.ndarray:
    if rtol is _NO_VALUE:
        return np.linalg.pinv(a, rcond, hermitian)
    return np.linalg.pinv(a, rcond, hermitian, rtol=rtol)


def _pinv_vjp(g: Any, ans: Any, a: Any, rcond: Any = None, hermitian: bool = False, rtol: Any = _NO_VALUE) -> Any:
    # With hermitian=True NumPy reads only the lower triangle (through eigh).
    plain_a = plain_array(value_of(a))
    _warn_rank("pinv", plain_a, _pinv_rcond(plain_a, rcond, rtol))
    if not hermitian:
        return _pinv_cotangent(g, ans, a)
    return _fold(_pinv_cotangent(g, ans, _tril_symmetric(a)), "L")


_pinv = primitive(_pinv_forward, _pinv_vjp, name="pinv")


@composite(np.linalg.pinv)
def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = _NO_VALUE) -> Any:
    """The Moore-Penrose pseudo-inverse, differentiable where the rank is locally constant.

    With ``hermitian=True`` only the lower triangle is read, as in NumPy. At a
    rank-deficient matrix NumPy's result is discontinuous (it jumps when a singular value
    crosses the cutoff): fgrad warns and gives the derivative along rank-keeping
    perturbations.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda a: fnp.sum(fnp.linalg.pinv(a)))(np.array([[2.0], [0.0]]))
        array([[-0.25],
               [ 0.25]])
    """
    return _pinv(a, rcond=rcond, hermitian=bool(hermitian), rtol=rtol)


def _lstsq_rcond(a: Any, rcond: Any) -> Any:
    # NumPy's lstsq computes in float64 (even for float32 input) with this default.
    m, n = shape_of(a)[-2:]
    return np.finfo(np.float64).eps * max(m, n) if rcond is None else rcond


def _lstsq_x_forward(a: np.ndarray, b: np.ndarray, rcond: Any = None) -> np.ndarray:
    return np.linalg.lstsq(a, b, rcond)[0]


def _lstsq_pinv(a: Any, rcond: Any) -> Any:
    return _pinv(a, rcond=np.asarray(_lstsq_rcond(a, rcond), dtype=np.float64))


def _as_matrix(b: Any) -> Any:
    return reshape(b, shape_of(b) + (1,)) if len(shape_of(b)) == 1 else b


def _lstsq_vjp_a(g: Any, ans: Any, a: Any, b: Any, rcond: Any = None) -> Any:
    # x = a+ b: the cotangent of a+ is g b^T.
    _warn_rank("lstsq", np.asarray(value_of(a)), _lstsq_rcond(a, rcond))
    return _pinv_cotangent(matmul(_as_matrix(g), _T(_as_matrix(b))), _lstsq_pinv(a, rcond), a)


def _lstsq_vjp_b(g: Any, ans: Any, a: Any, b: Any, rcond: Any = None) -> Any:
    return matmul(_T(_lstsq_pinv(a, rcond)), g)


_lstsq_x = primitive(_lstsq_x_forward, _lstsq_vjp_a, _lstsq_vjp_b, name="lstsq", uses_ans=False)


@composite(np.linalg.lstsq)
def lstsq(a: Any, b: Any, rcond: Any = None) -> Any:
    """Least-squares solution: ``(x, residuals, rank, s)`` as NumPy's, with x, residuals and s differentiable.

    ``x = pinv(a) @ b`` has a derivative where `a`'s rank is locally constant (at a
    rank-deficient `a`, fgrad warns as for `pinv`); ``rank`` is a plain integer.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a, b = np.array([[1.0], [1.0]]), np.array([1.0, 3.0])
        >>> fgrad.grad(lambda b: fnp.linalg.lstsq(a, b)[0][0])(b)  # the mean of b
        array([0.5, 0.5])
    """
    plain = np.linalg.lstsq(value_of(a), value_of(b), rcond)
    x = _lstsq_x(a, b, rcond=rcond)
    residuals = plain[1]
    if residuals.size:  # (full column rank, m > n): the squared norms of b - a x, per column
        r = _as_matrix(b) - matmul(a, _as_matrix(x))
        squares = real(r * _conj(r)) if np.iscomplexobj(value_of(r)) else r * r
        residuals = reshape(sum(squares, axis=0), residuals.shape)

    return x, residuals, plain[2], svdvals(a)
