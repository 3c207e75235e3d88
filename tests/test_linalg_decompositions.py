"""Decompositions in fgrad.numpy.linalg (svd, eigh, qr, pinv, lstsq...): degenerate points, UPLO,
batching, dtypes, clear errors, and agreement with JAX. The function table
(table_rows_linalg.py) checks first and second derivatives on well-separated inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from extras_support import import_extra
from fgrad.numpy.linalg import DegenerateDerivativeWarning

RNG = np.random.default_rng(7)


def _rotation(n: int, seed: int) -> np.ndarray:
    return np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))[0]


def _with_singular_values(s, m: int, n: int, seed: int = 0) -> np.ndarray:
    u, v = _rotation(m, seed)[:, :len(s)], _rotation(n, seed + 1)[:, :len(s)]
    return (u * np.asarray(s, float)) @ v.T


def _no_warnings(fun, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fun(*args)


# ---------------------------------------------------------------- degenerate points: right where a limit exists
def test_nuclear_norm_gradient_at_repeated_singular_values_is_u_vh():
    a = _with_singular_values([2.0, 2.0, 1.0], 3, 3)
    u, _, vh = np.linalg.svd(a)
    for f in (lambda a: fnp.linalg.norm(a, "nuc"), lambda a: fnp.sum(fnp.linalg.svdvals(a)),
              lambda a: np.sum(np.linalg.svd(a)[1]), lambda a: np.sum(np.linalg.svd(a, compute_uv=False))):
        np.testing.assert_allclose(_no_warnings(fgrad.grad(f), a), u @ vh, atol=1e-12)


def test_sum_of_eigenvalues_at_repeated_eigenvalues_is_the_trace():
    a = np.eye(3) + np.triu(np.ones((3, 3)), 1) * 5.0  # symmetric part read ('L'): the identity
    want = np.eye(3)
    for f in (lambda a: fnp.sum(fnp.linalg.eigvalsh(a)), lambda a: np.sum(np.linalg.eigh(a)[0])):
        np.testing.assert_allclose(_no_warnings(fgrad.grad(f), a), want, atol=1e-12)


def test_eigenvalue_weights_equal_within_a_tie_need_no_warning():
    q = _rotation(3, 3)
    a = (q * [1.0, 1.0, 4.0]) @ q.T
    c = np.array([0.5, 0.5, 2.0])  # equal weights on the tie
    got = _no_warnings(fgrad.grad(lambda a: fnp.sum(fnp.linalg.eigvalsh(a) * c)), a)
    g = (q * c) @ q.T  # a symmetric cotangent, folded onto the lower triangle
    np.testing.assert_allclose(got, np.tril(2 * g) - np.diag(np.diag(g)), atol=1e-12)


@pytest.mark.parametrize("f, name", [
    (lambda a: np.sum(np.linalg.svd(a)[0] ** 3), "svd"),
    (lambda a: np.sum(np.linalg.svd(a)[2][0]), "svd"),
    (lambda a: np.sum(np.linalg.eigh(a + a.T)[1] ** 3), "eigh"),
])
def test_vectors_at_repeated_values_warn_and_stay_finite(f, name):
    a = _with_singular_values([2.0, 2.0, 1.0], 3, 3) if name == "svd" else _rotation(3, 4) @ np.diag([1.0, 1.0, 3.0]) \
        @ _rotation(3, 4).T / 2
    with pytest.warns(DegenerateDerivativeWarning, match=rf"linalg\.{name}: .*repeated"):
        g = fgrad.grad(f)(a)
    assert np.all(np.isfinite(g))


def test_largest_of_tied_singular_values_warns_nuclear_norm_does_not():
    a = _with_singular_values([2.0, 2.0, 1.0], 3, 3)
    with pytest.warns(DegenerateDerivativeWarning, match="svdvals"):
        fgrad.grad(lambda a: fnp.linalg.norm(a, 2))(a)
    _no_warnings(fgrad.grad(lambda a: fnp.linalg.norm(a, "nuc")), a)


def test_second_derivative_at_a_tie_warns():
    a = _with_singular_values([2.0, 2.0, 1.0], 3, 3)
    with pytest.warns(DegenerateDerivativeWarning):
        h = fgrad.hessian(lambda a: fnp.linalg.norm(a, "nuc"))(a)
    assert np.all(np.isfinite(h))


def test_tall_svd_vectors_at_a_zero_singular_value_warn():
    a = _with_singular_values([2.0, 0.0], 4, 2)
    with pytest.warns(DegenerateDerivativeWarning, match="singular value is 0"):
        g = fgrad.grad(lambda a: np.sum(np.linalg.svd(a, full_matrices=False)[0] ** 3))(a)
    assert np.all(np.isfinite(g))


def test_pinv_and_lstsq_at_rank_deficient_matrices_warn():
    a = _with_singular_values([2.0, 1.0], 3, 3)
    with pytest.warns(DegenerateDerivativeWarning, match="pinv: .*rank-deficient"):
        g = fgrad.grad(lambda a: np.sum(np.linalg.pinv(a) ** 2))(a)
    assert np.all(np.isfinite(g))
    with pytest.warns(DegenerateDerivativeWarning, match="lstsq: .*rank-deficient"):
        fgrad.grad(lambda a: np.sum(np.linalg.lstsq(a, np.ones(3))[0]))(a)


def test_pinv_at_rank_deficient_matrix_is_the_rank_keeping_derivative():
    a = _with_singular_values([2.0, 1.0], 3, 3)
    u, s, vh = np.linalg.svd(a)
    # a perturbation keeping rank 2: within the span of the leading singular vectors
    d = u[:, :2] @ RNG.normal(size=(2, 2)) @ vh[:2]
    eps = 1e-6
    want = (np.linalg.pinv(a + eps * d) - np.linalg.pinv(a - eps * d)) / (2 * eps)
    with pytest.warns(DegenerateDerivativeWarning):
        _, got = fgrad.jvp(np.linalg.pinv, (a,), (d,))
    np.testing.assert_allclose(got, want, atol=1e-7)


# ---------------------------------------------------------------- clear errors
def test_qr_of_rank_deficient_matrix_raises():
    a = _with_singular_values([2.0, 0.0], 3, 2)
    a[:, 1] = 2 * a[:, 0]
    with pytest.raises(ValueError, match="qr: .*full column rank"):
        fgrad.grad(lambda a: np.sum(np.linalg.qr(a)[0]))(a)


def test_basis_dependent_use_of_extra_columns_raises():
    a = _with_singular_values([3.0, 1.0], 4, 2)
    with pytest.raises(ValueError, match=r"svd: the gradient depends on the last 2 columns of u"):
        fgrad.grad(lambda a: np.sum(np.linalg.svd(a)[0][:, 3]))(a)
    with pytest.raises(ValueError, match=r"svd: .*last 2 rows of vh"):
        fgrad.grad(lambda a: np.sum(np.linalg.svd(a)[2][3]))(a.T)
    with pytest.raises(ValueError, match=r"qr: .*last 2 columns of q"):
        fgrad.grad(lambda a: np.sum(np.linalg.qr(a, mode="complete")[0][:, 2]))(a)


def test_basis_free_use_of_extra_columns_is_the_derivative_of_the_span():
    a = _with_singular_values([3.0, 1.0], 4, 2)

    def projector(a):
        u = np.linalg.svd(a)[0]
        return np.sum((u[:, 2:] @ u[:, 2:].T) * np.arange(16.0).reshape(4, 4))

    want = fgrad.numerical_grad(projector, a)
    np.testing.assert_allclose(_no_warnings(fgrad.grad(projector), a), want, atol=1e-6)


def test_unsupported_modes_and_arguments():
    a = RNG.normal(size=(3, 3))
    with pytest.raises(TypeError, match="mode='raw'"):
        fgrad.grad(lambda a: np.sum(np.linalg.qr(a, mode="raw")[0]))(a)
    with pytest.raises(ValueError, match="UPLO"):
        fgrad.grad(lambda a: np.sum(np.linalg.eigh(a, UPLO="X")[0]))(a)
    with pytest.raises(ValueError, match="UPLO"):
        np.linalg.eigvalsh(a, UPLO="X")


# ---------------------------------------------------------------- UPLO: only the read triangle, as NumPy reads it
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_gradient_matches_numpy_on_a_non_symmetric_input(uplo):
    a = RNG.normal(size=(4, 4)) + np.diag([1.0, 3.0, 5.0, 7.0])  # not symmetric
    c = RNG.normal(size=(5, 4))

    def f(a):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        return np.sum(c[0] * w) + np.sum(c[1:] * v ** 2) + np.sum(np.linalg.eigvalsh(a, uplo) ** 3)

    got = fgrad.grad(f)(a)
    np.testing.assert_allclose(got, fgrad.numerical_grad(f, a), atol=1e-6)
    unread = np.triu(got, 1) if uplo == "L" else np.tril(got, -1)
    assert np.all(unread == 0)


# ---------------------------------------------------------------- batching and dtypes
@pytest.mark.parametrize("f", [
    lambda a: np.sum(np.linalg.svd(a, full_matrices=False)[0] ** 2 * np.arange(2.0)) + np.sum(np.linalg.svd(a)[1] ** 3),
    lambda a: np.sum(np.linalg.qr(a)[1] ** 3),
    lambda a: np.sum(np.linalg.pinv(a) ** 2),
])
def test_batched_gradient_is_the_stack_of_gradients(f):
    a = np.stack([_with_singular_values([3.0, 1.0], 3, 2, seed) for seed in range(4)]).reshape(2, 2, 3, 2)
    got = fgrad.grad(f)(a)
    want = np.stack([fgrad.grad(f)(m) for m in a.reshape(4, 3, 2)]).reshape(a.shape)
    np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("f", [
    lambda a: np.linalg.svd(a),
    lambda a: np.linalg.eigh(a),
    lambda a: np.linalg.eigvalsh(a, UPLO="U"),
    lambda a: np.linalg.qr(a),
    lambda a: np.linalg.qr(a, mode="complete")[1],
    lambda a: np.linalg.pinv(a),
    lambda a: np.linalg.lstsq(a, a[:, 0] + 1)[::3],
    lambda a: np.linalg.cond(a) + np.linalg.norm(a, "nuc") + np.linalg.norm(a, -2),
    lambda a: np.linalg.tensorinv(a.reshape(3, 3), ind=1),
])
def test_float32_stays_float32(f):
    a = np.diag([3.0, 2.0, 1.0]).astype(np.float32) + np.float32(0.1) * RNG.normal(size=(3, 3)).astype(np.float32)
    want = f(a)
    out, pull = fgrad.vjp(f, a)
    for got, ref in zip(fgrad.tree.tree_flatten(out)[0], fgrad.tree.tree_flatten(want)[0]):
        assert np.asarray(got).dtype == np.asarray(ref).dtype
    (g,) = pull(fgrad.tree.tree_map(np.ones_like, want))
    assert g.dtype == np.float32


def test_hermitian_svd_moves_negative_signs_into_vh():
    a = RNG.normal(size=(3, 3)) * 0.1 + np.diag([-3.0, 2.0, 1.0])
    f = lambda a: np.sum(np.linalg.svd(a, hermitian=True)[2] * np.arange(9.0).reshape(3, 3)) \
        + np.sum(np.linalg.svd(a, hermitian=True)[1] ** 2)  # noqa: E731
    np.testing.assert_allclose(fgrad.grad(f)(a), fgrad.numerical_grad(f, a), atol=1e-6)


def test_lstsq_returns_numpys_tuple():
    a, b = _with_singular_values([2.0, 1.0], 4, 2), RNG.normal(size=(4, 2))
    out = fgrad.vjp(lambda a, b: np.linalg.lstsq(a, b), a, b)[0]
    want = np.linalg.lstsq(a, b)
    assert type(out[2]) is type(want[2]) and out[2] == want[2]
    for got, ref in zip(out[::3] + out[1:2], want[::3] + want[1:2]):
        np.testing.assert_allclose(got, ref, rtol=1e-12)
    g = fgrad.grad(lambda b: np.sum(np.linalg.lstsq(a, b)[1]))(b)  # residuals: |(I - a a+) b|^2
    np.testing.assert_allclose(g, 2 * (b - a @ np.linalg.pinv(a) @ b), atol=1e-12)


# ---------------------------------------------------------------- agreement with JAX (float64)
def _jax():
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def test_svd_gradients_agree_with_jax():
    jax = _jax()
    a = _with_singular_values([3.0, 2.0, 0.5], 5, 3, seed=11)
    c = RNG.normal(size=(3, 9))

    def f(np_, a):  # sign-free functions of u, s, vh
        u, s, vh = np_.linalg.svd(a, full_matrices=False)
        return np_.sum(c[0, :3] * s) + np_.sum(c[:, :5].T * u ** 2) + np_.sum(c[:, 6:] * vh ** 2)

    got = fgrad.grad(lambda a: f(np, a))(a)
    want = np.asarray(jax.grad(lambda a: f(jax.numpy, a))(a))
    np.testing.assert_allclose(got, want, atol=1e-10)
    got_h = fgrad.hessian(lambda a: f(np, a))(a)
    want_h = np.asarray(jax.hessian(lambda a: f(jax.numpy, a))(a))
    np.testing.assert_allclose(got_h, want_h, atol=1e-8)


def test_eigh_gradients_agree_with_jax_along_symmetric_directions():
    jax = _jax()
    q = _rotation(4, 12)
    a = (q * [1.0, 2.0, 4.0, 7.0]) @ q.T
    c = RNG.normal(size=(5, 4))

    def f(np_, a):
        w, v = np_.linalg.eigh(a)
        return np_.sum(c[0] * w) + np_.sum(c[1:] * v ** 2)

    got = fgrad.grad(lambda a: f(np, a))(a)
    want = np.asarray(jax.grad(lambda a: f(jax.numpy, a))(a))
    for _ in range(3):
        d = RNG.normal(size=(4, 4))
        d = d + d.T
        np.testing.assert_allclose(np.sum(got * d), np.sum(want * d), atol=1e-10)


def test_qr_gradients_agree_with_jax():
    jax = _jax()
    a = _with_singular_values([3.0, 2.0, 0.5], 5, 3, seed=13)
    c = RNG.normal(size=(2, 5, 3))

    def f(np_, a):
        q, r = np_.linalg.qr(a)
        return np_.sum(c[0] * q ** 2) + np_.sum(c[1, :3] * r ** 2)

    got = fgrad.grad(lambda a: f(np, a))(a)
    want = np.asarray(jax.grad(lambda a: f(jax.numpy, a))(a))
    np.testing.assert_allclose(got, want, atol=1e-10)
