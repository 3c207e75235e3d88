"""Differentiable general eigendecomposition: ``eig`` and ``eigvals`` (real or complex input).

With ``a = V diag(w) V^-1`` and ``X = V^-1 da V``, the classic rule (as JAX's
``eig_jvp``, autograd's ``grad_eig``) is ``dw = diag(X)`` and ``dV = V (F o X)``,
``F[i, j] = 1 / (w_j - w_i)`` off the diagonal. An eigenvector is only defined up to a
factor, so that ``dV`` is one of many; fgrad differentiates the vectors NumPy returns,
fixed the way LAPACK fixes them: each column has unit 2-norm and its largest component
(the first of that size) is real. Adding ``V diag(c)`` with the ``c`` that keeps both
true gives the derivative of ``np.linalg.eig`` itself, so every function of the vectors
is right, not only those that ignore their scale and phase (JAX fixes the norm only).
A real matrix with only real eigenvalues gets real vectors, as in NumPy, which the
norm fixes. For a real matrix LAPACK leaves each vector's sign free (the largest
component is real, of either sign), and it may flip between nearby matrices: no rule
can follow that jump, so fgrad keeps the sign at hand (sign-free uses, such as
``v[:, j] * v[k, j]``, are differentiable everywhere the eigenvalues are distinct).

The VJP rules are the transposes of that JVP under JAX's bilinear pairing
``Re(sum(c * t))`` (plain transposes, no conjugation), written with fgrad operations so
Hessians work. Where eigenvalues repeat the vectors have no derivative, and the values
in general none (a symmetric function of a tie of a diagonalizable matrix has one): fgrad
warns with `DegenerateDerivativeWarning`, as the other decompositions do.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._backend import host_values
from .._core import Node, primitive, value_of
from .._ops import conj, imag, matmul, real, shape_of, sum
from . import linalg as _la
from ._decompositions import (
    DegenerateDerivativeWarning, _diag_embed, _inverse_gaps, _rows, _T, _ties, _tolerance, _warn_ties,
)
from ._indexing import take_along_axis
from ._register import composite

__all__ = ["eig", "eigvals"]

_EigResult = type(np.linalg.eig(np.eye(1)))


# ---------------------------------------------------------------- plain helpers (values only)
def _largest_rows(v: np.ndarray) -> np.ndarray:
    """A 0/1 mask (..., n, n) of each column's largest component, the one LAPACK makes real."""
    # The largest of the components LAPACK left exactly real (at a tie in size np.abs
    # and LAPACK may round differently); any largest one where none is (not LAPACK's).
    size = np.abs(v)
    real_size = np.where(np.imag(v) == 0, size, -1.0)
    k = np.where(np.max(real_size, axis=-2) >= 0, np.argmax(real_size, axis=-2), np.argmax(size, axis=-2))[..., None, :]
    mask = np.zeros(v.shape, dtype=np.finfo(v.dtype).dtype)
    np.put_along_axis(mask, k, 1.0, axis=-2)
    return mask


def _phase_ties(v: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Columns (..., n) whose largest component ties in size with another (to rounding).

    There NumPy's choice of which component to make real jumps, and the phase of the
    vector with it.
    """
    size = np.abs(v)
    largest = np.sum(size * mask, axis=-2)
    second = np.max(np.where(mask > 0, -np.inf, size), axis=-2, initial=-np.inf)
    return largest - second <= 10 * v.shape[-2] * np.finfo(size.dtype).eps * largest


def _phase_used(g: Any, d: Any, phase: np.ndarray) -> bool:
    """Whether the cotangent turns the `phase` columns: ``Im(d_j) != 0``, `d` the cotangent of their factors.

    ``Im(d_j)`` is the derivative along a turn of column j's phase: zero for a function
    that ignores it. A traced cotangent `g` (forward mode, Hessians) cannot be checked:
    assume so.
    """
    if type(g) is Node:
        return True
    turn = np.abs(np.imag(host_values(value_of(d))))
    return bool(np.any(turn[phase] > np.sqrt(np.finfo(turn.dtype).eps) * max(1.0, float(turn.max(initial=0.0)))))


def _defective(v: np.ndarray) -> bool:
    """Whether some eigenvector matrix is (near) singular: `a` is not diagonalizable there."""
    s = np.linalg.svd(v, compute_uv=False)
    return bool(np.any(s[..., -1] <= np.sqrt(np.finfo(s.dtype).eps) * s[..., 0]))


def _warn_value_ties(function: str, g: Any, ties: np.ndarray, v: np.ndarray) -> None:
    """Warn unless a plain cotangent weighs tied eigenvalues equally and `a` is diagonalizable.

    Then the derivative is that of a symmetric function of the tie (their sum, the
    trace of `a` on their eigenspace), which is defined; otherwise it has no limit.
    """
    if not ties.any():
        return
    if type(g) is not Node:
        g = np.asarray(g)
        gaps = np.abs(g[..., :, None] - g[..., None, :])
        if not (gaps > _tolerance(g, 1)[..., None] + 0.0)[ties].any() and not _defective(v):
            return
    warnings.warn(
        f"fgrad.numpy.linalg.{function}: eigenvalues are repeated here and the cotangent weighs them "
        "differently (or `a` is not diagonalizable, or the cotangent is traced and cannot be checked): "
        "the derivative of each eigenvalue of a tie has no limit in general; the terms coupling tied "
        "eigenvalues were left out. A symmetric function of a tie of a diagonalizable matrix (their sum) "
        "has a derivative there.",
        DegenerateDerivativeWarning, stacklevel=4)


# ---------------------------------------------------------------- eig
def _eig_forward(a: np.ndarray) -> np.ndarray:
    """``[w ; v]``: the eigenvalues as a first row above the eigenvectors, shape (..., n + 1, n)."""
    w, v = np.linalg.eig(a)
    return np.concatenate([w[..., None, :], v], axis=-2)


def _eig_vjp(g: Any, ans: Any, a: Any) -> Any:
    # The JVP: X = V^-1 da V, dw = diag(X), dV' = V (F o X), dV = dV' + V diag(c) with
    #   Re(c_j) = -Re(v_j^H dv'_j)            (|v_j| stays 1),
    #   Im(c_j) = -Im(dv'_kj) / v_kj          (v_kj, the largest component, stays real).
    # Its transpose, with d_j = (V^T V_bar)_jj (the cotangent of c_j):
    #   V'_bar = V_bar - conj(V) diag(Re d) - i E diag(Im d / v_k)   (E: the mask of the k_j),
    #   a_bar  = V^-T [diag(w_bar) + F o (V^T V'_bar)] V^T.
    # For a real matrix with real eigenvalues all is real and V'_bar = V_bar - V diag(d).
    n = shape_of(a)[-1]
    w, v = ans[..., 0, :], ans[..., 1:, :]
    gw, gv = g[..., 0, :], g[..., 1:, :]
    w_value, v_value = host_values(value_of(w)), host_values(value_of(v))
    ties = _ties(w_value, n)
    if ties.any():
        _warn_value_ties("eig", gw, ties, v_value)
        if type(g) is Node or np.any(np.asarray(gv) != 0):
            _warn_ties("eig", ties, w_value, "eigenvalues", "the eigenvectors")
    d = sum(v * gv, axis=-2)
    if np.iscomplexobj(v_value):
        mask = _largest_rows(v_value)
        phase = _phase_ties(v_value, mask) & ((np.imag(w_value) != 0) | np.iscomplexobj(value_of(a)))
        if phase.any() and _phase_used(g, d, phase):
            warnings.warn(
                "fgrad.numpy.linalg.eig: the phase of an eigenvector NumPy returns is not differentiable "
                "here: its largest component (the one LAPACK makes real) ties in size with another, and "
                "which one is made real jumps. The derivative of a function of the vectors that does not "
                "depend on their phase (|v|**2, v v^H, eigenvalues) is right; this one depends on it.",
                DegenerateDerivativeWarning, stacklevel=3)
        v_largest = real(sum(v * mask, axis=-2))
        gv = gv - conj(v) * _rows(real(d)) - 1j * mask * _rows(imag(d) / v_largest)
    else:
        gv = gv - v * _rows(d)
    inner = _diag_embed(gw) + _inverse_gaps(w, ties, squared=False) * matmul(_T(v), gv)
    return _la.solve(_T(v), matmul(inner, _T(v)))


_eig_factors = primitive(_eig_forward, _eig_vjp, name="eig")


# ---------------------------------------------------------------- eigvals
def _eigvals_forward(a: np.ndarray) -> np.ndarray:
    return np.linalg.eigvals(a)


def _matching_columns(w: np.ndarray, w_eig: np.ndarray) -> np.ndarray:
    """For each of `w`, the index of the nearest of `w_eig`, each used once: (..., n) ints.

    ``eigvals`` and ``eig`` call LAPACK differently; their eigenvalues agree to rounding,
    in an order that need not be the same.
    """
    cost = np.abs(w[..., :, None] - w_eig[..., None, :])
    order = np.argmin(cost, axis=-1)
    if np.all(np.sort(order, axis=-1) == np.arange(w.shape[-1])):
        return order
    flat_cost, flat_order = cost.reshape((-1,) + cost.shape[-2:]), order.reshape((-1, w.shape[-1]))
    for c, o in zip(flat_cost, flat_order):  # a tie (warned about): nearest first, each once
        c = c.copy()
        for _ in range(len(o)):
            i, j = np.unravel_index(np.argmin(c), c.shape)
            o[i] = j
            c[i, :] = c[:, j] = np.inf
    return flat_order.reshape(order.shape)


def _eigvals_vjp(g: Any, ans: Any, a: Any) -> Any:
    # dw = diag(V^-1 da V): a_bar = V^-T diag(w_bar) V^T, V from eig (a primitive: the
    # second derivative goes through its rule), its columns in eigvals' order.
    n = shape_of(a)[-1]
    factors = _eig_factors(a) if type(a) is Node else _eig_forward(a)
    w_eig, v = factors[..., 0, :], factors[..., 1:, :]
    order = _matching_columns(host_values(value_of(ans)), host_values(value_of(w_eig)))
    v = take_along_axis(v, np.broadcast_to(order[..., None, :], shape_of(v)), axis=-1)
    ties = _ties(host_values(value_of(ans)), n)
    _warn_value_ties("eigvals", g, ties, host_values(value_of(v)))
    return _la.solve(_T(v), matmul(_diag_embed(g), _T(v)))


_eigvals = primitive(_eigvals_forward, _eigvals_vjp, name="eigvals")


# ---------------------------------------------------------------- public functions
@composite(np.linalg.eig)
def eig(a: Any) -> Any:
    """Eigenvalues and right eigenvectors of square matrices (real or complex), differentiable, batched.

    As in NumPy, a real matrix whose eigenvalues are all real gets real results, others
    complex ones. The eigenvectors are NumPy's: unit 2-norm, largest component real;
    fgrad differentiates exactly these, so any function of them has its true derivative
    (JAX's is right only for functions that ignore the vectors' phase), up to what
    LAPACK leaves free: a real matrix's vectors' signs, and the eigenvalues' order,
    which may jump between nearby matrices (docs/how-to/decompositions.md). Derivatives of
    complex results follow JAX's convention (docs/how-to/complex.md). Where eigenvalues
    repeat, the vectors have no derivative and fgrad warns with
    `DegenerateDerivativeWarning`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a = np.array([[1.0, 2.0], [-1.0, 1.0]])  # eigenvalues 1 +- i sqrt(2)
        >>> fgrad.grad(lambda a: fnp.imag(fnp.linalg.eig(a)[0][0]))(a).round(4) + 0.0
        array([[ 0.    ,  0.3536],
               [-0.7071,  0.    ]])
    """
    p = _eig_factors(a)
    return _EigResult(p[..., 0, :], p[..., 1:, :])


@composite(np.linalg.eigvals)
def eigvals(a: Any) -> Any:
    """Eigenvalues of square matrices (real or complex), differentiable where they are distinct.

    ``dw_i = (V^-1 da V)_ii``. At a repeated eigenvalue a symmetric function of the tie of
    a diagonalizable matrix (their sum) is still differentiable; anything else warns with
    `DegenerateDerivativeWarning`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a = np.array([[2.0, 1.0], [0.0, 3.0]])
        >>> fgrad.grad(lambda a: fnp.real(fnp.linalg.eigvals(a)[1]))(a)  # the eigenvalue 3
        array([[0., 0.],
               [1., 1.]])
    """
    return _eigvals(a)
