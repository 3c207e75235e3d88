"""fgrad.numpy.linalg.eig / eigvals (real and complex matrices) and complex det / slogdet: closed
forms, NumPy's eigenvector normalisation, repeated eigenvalues, agreement with JAX, and the
complex svd, eigh, qr, cholesky, pinv, lstsq and the SVD norms. The function table (table_rows_linalg.py) checks
first and second derivatives on real inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from extras_support import import_extra
from fgrad.numpy.linalg import DegenerateDerivativeWarning

# A cast that drops an imaginary part warns; here it fails the test instead.
pytestmark = pytest.mark.filterwarnings("error::numpy.exceptions.ComplexWarning")

RNG = np.random.default_rng(21)
A = np.array([[0.3, 1.2, -0.5], [-0.8, 0.1, 0.7], [0.4, -0.6, 0.9]])  # a complex pair and a real eigenvalue
Z = A + 1j * np.array([[0.2, -0.4, 0.1], [0.5, 0.3, -0.2], [-0.1, 0.6, 0.4]])
S = np.array([[1.0, 0.2, -0.1], [0.3, 1.0, 0.2], [-0.2, 0.1, 1.0]])
REAL_EIG = S @ np.diag([1.0, 2.0, 3.5]) @ np.linalg.inv(S)  # real eigenvalues: NumPy's results are real
C = RNG.normal(size=(4, 3)) + 1j * RNG.normal(size=(4, 3))


def _no_warnings(fun, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fun(*args)


def _loss(a):
    """A real function of w and of the vectors' every entry, phase included."""
    w, v = np.linalg.eig(a)
    return np.sum(np.real(C[0] * w)) + np.sum(np.real(C[1:] * v)) + np.sum(np.imag(C[1:] * v ** 2))


# ---------------------------------------------------------------- values: exactly NumPy's
@pytest.mark.parametrize("a", [A, Z, REAL_EIG, np.stack([A, REAL_EIG])], ids=["real", "complex", "real-eig", "batch"])
def test_values_types_and_dtypes_are_numpys(a):
    want = np.linalg.eig(a)
    out = fgrad.vjp(lambda a: np.linalg.eig(a), a)[0]
    assert type(out) is type(want)
    for got, ref in zip(out, want):
        assert got.dtype == ref.dtype and np.array_equal(got, ref)
    assert fnp.linalg.eig(a).eigenvalues.dtype == want.eigenvalues.dtype
    ev = fgrad.vjp(np.linalg.eigvals, a)[0]
    assert ev.dtype == np.linalg.eigvals(a).dtype and np.array_equal(ev, np.linalg.eigvals(a))
    assert "np.linalg.eig" in fnp.supported() and "np.linalg.eigvals" in fnp.supported()


def test_real_eigenvalues_keep_numpys_dtype_and_give_real_gradients():
    # NumPy < 2.5 returns real arrays when every eigenvalue is real, NumPy 2.5 complex ones: fgrad follows it
    want = np.linalg.eig(REAL_EIG)[1].dtype
    seen = []
    f = lambda a: np.sum(np.real(np.linalg.eig(a)[1]) ** 3) + np.real(np.linalg.eigvals(a)[0]) ** 2  # noqa: E731
    g = fgrad.grad(lambda a: seen.append(np.linalg.eig(a)[1].dtype) or f(a))(REAL_EIG)
    assert seen == [want]
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, fgrad.numerical_grad(f, REAL_EIG), atol=1e-7)


# ---------------------------------------------------------------- closed forms
def test_eigenvalue_gradient_is_left_times_right_eigenvector():
    # dw_j = (V^-1 da V)_jj: the gradient of w_j is the outer product of row j of V^-1 and column j of V
    w, v = np.linalg.eig(Z)
    left = np.linalg.inv(v)
    for j in range(3):
        got = fgrad.grad(lambda a: np.linalg.eig(a)[0][j], holomorphic=True)(Z)
        np.testing.assert_allclose(got, np.outer(left[j], v[:, j]), atol=1e-12)
        got = fgrad.grad(lambda a: np.linalg.eigvals(a)[j], holomorphic=True)(Z)
        k = np.argmin(np.abs(w - np.linalg.eigvals(Z)[j]))  # eigvals' order need not be eig's
        np.testing.assert_allclose(got, np.outer(left[k], v[:, k]), atol=1e-12)


def test_power_sums_of_eigenvalues_are_traces():
    # sum(w^k) = tr(a^k), holomorphic with derivative k (a^(k-1))^T
    for a in (A + 0j, Z):
        got = fgrad.grad(lambda a: np.sum(np.linalg.eigvals(a) ** 3), holomorphic=True)(a)
        np.testing.assert_allclose(got, 3 * (a @ a).T, atol=1e-12)
        hess = fgrad.hessian(lambda a: np.sum(np.linalg.eig(a)[0] ** 2), holomorphic=True)(a)
        np.testing.assert_allclose(hess, 2 * np.einsum("il,jk->ijkl", np.eye(3), np.eye(3)), atol=1e-11)
    # of a real matrix: real gradient; the product is det, its gradient the cofactor matrix
    got = fgrad.grad(lambda a: np.real(np.prod(np.linalg.eigvals(a))))(A)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, np.linalg.det(A) * np.linalg.inv(A).T, atol=1e-12)


def test_eigenvector_norm_is_constant():
    # NumPy's vectors have unit norm: |v_j|^2 has zero derivative, whatever else moves
    for a in (A, Z):
        g = fgrad.grad(lambda a: np.sum(np.abs(np.linalg.eig(a)[1]) ** 2 * np.arange(3.0)))(a)
        np.testing.assert_allclose(g, 0.0, atol=1e-12)


# ---------------------------------------------------------------- NumPy's normalisation, every function of v
@pytest.mark.parametrize("a", [A, Z, REAL_EIG], ids=["real", "complex", "real-eig"])
def test_gradient_of_any_function_of_numpys_vectors(a):
    # phase-dependent (Re v, Im v^2): right because fgrad fixes the phase as LAPACK does
    np.testing.assert_allclose(_no_warnings(fgrad.grad(_loss), a), fgrad.numerical_grad(_loss, a), atol=1e-7)


@pytest.mark.parametrize("a", [A, Z, np.stack([A, REAL_EIG, A.T])], ids=["real", "complex", "batch"])
def test_second_derivatives_forward_and_reverse(a):
    fgrad.check_grads(np.linalg.eig, (a,), order=2, modes=("fwd", "rev"))
    fgrad.check_grads(np.linalg.eigvals, (a,), order=2, modes=("fwd", "rev"))
    fgrad.check_grads(lambda a: np.abs(np.linalg.eig(a)[1]) ** 2, (a,), order=2, modes=("fwd", "rev"))


def test_batched_gradient_is_the_stack_of_gradients():
    a = np.stack([A, Z, Z.T, A.T + 0j]).reshape(2, 2, 3, 3)
    got = fgrad.grad(lambda a: np.sum(np.abs(np.linalg.eig(a)[1] * np.linalg.eig(a)[0][..., None, :]) ** 2))(a)
    want = np.stack([fgrad.grad(lambda m: np.sum(np.abs(np.linalg.eig(m)[1] * np.linalg.eig(m)[0]) ** 2))(m)
                     for m in a.reshape(4, 3, 3)]).reshape(a.shape)
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_float32_stays_float32():
    a = A.astype(np.float32)
    out, pull = fgrad.vjp(np.linalg.eig, a)
    assert out[0].dtype == out[1].dtype == np.complex64
    (g,) = pull(fgrad.tree.tree_map(np.ones_like, out))
    assert g.dtype == np.float32
    g = fgrad.grad(lambda z: np.sum(np.abs(np.linalg.eigvals(z)) ** 2))(Z.astype(np.complex64))
    assert g.dtype == np.complex64


# ---------------------------------------------------------------- repeated eigenvalues, ties
def test_symmetric_functions_of_a_tie_need_no_warning():
    q = S
    a = q @ np.diag([2.0, 2.0, 5.0]) @ np.linalg.inv(q)  # diagonalizable, with a double eigenvalue
    for f in (lambda a: np.real(np.sum(np.linalg.eigvals(a))), lambda a: np.real(np.sum(np.linalg.eig(a)[0]))):
        np.testing.assert_allclose(_no_warnings(fgrad.grad(f), a), np.eye(3), atol=1e-12)  # the trace
    c = np.array([0.5, 2.0, 0.5])  # equal weights on the tie (eig puts 5 in the middle here)
    assert np.allclose(np.linalg.eig(a)[0], [2.0, 5.0, 2.0])
    _no_warnings(fgrad.grad(lambda a: np.real(np.sum(np.linalg.eig(a)[0] * c))), a)


@pytest.mark.parametrize("f", [
    lambda a: np.real(np.linalg.eigvals(a)[0]),  # one of a tie
    lambda a: np.real(np.sum(np.linalg.eig(a)[0] * [1.0, 2.0, 3.0])),
])
def test_telling_tied_eigenvalues_apart_warns(f):
    a = S @ np.diag([2.0, 2.0, 5.0]) @ np.linalg.inv(S)
    with pytest.warns(DegenerateDerivativeWarning, match=r"linalg\.eig(vals)?: eigenvalues are repeated"):
        g = fgrad.grad(f)(a)
    assert np.all(np.isfinite(g))


def test_not_diagonalizable_warns_even_for_the_sum():
    jordan = np.array([[1.0, 1.0], [0.0, 1.0]])
    with pytest.warns(DegenerateDerivativeWarning, match="not diagonalizable"):
        fgrad.grad(lambda a: np.real(np.sum(np.linalg.eigvals(a))))(jordan)


def test_vectors_at_repeated_eigenvalues_warn():
    a = S @ np.diag([2.0, 2.0, 5.0]) @ np.linalg.inv(S)
    with pytest.warns(DegenerateDerivativeWarning, match=r"linalg\.eig: the derivative of the eigenvectors is not "
                                                          r"defined at repeated eigenvalues"):
        g = fgrad.grad(lambda a: np.sum(np.real(np.linalg.eig(a)[1]) ** 3))(a)
    assert np.all(np.isfinite(g))


def test_phase_at_a_tie_of_the_largest_components_warns_gauge_free_functions_do_not():
    rotation = np.array([[1.0, -2.0], [2.0, 1.0]])  # vectors (1, -+i)/sqrt(2): which entry is made real?
    with pytest.warns(DegenerateDerivativeWarning, match="phase of an eigenvector"):
        fgrad.grad(lambda a: np.sum(np.real(np.linalg.eig(a)[1])))(rotation)
    f = lambda a: np.sum(np.abs(np.linalg.eig(a)[1]) ** 2 * np.arange(4.0).reshape(2, 2))  # noqa: E731
    np.testing.assert_allclose(_no_warnings(fgrad.grad(f), rotation), fgrad.numerical_grad(f, rotation), atol=1e-8)


# ---------------------------------------------------------------- against JAX (float64)
def _jax():
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def _gauge_free(np_, w, v):
    """A real function of w and of v that ignores each vector's phase (JAX's eig derivative is
    only defined for these)."""
    c = np.arange(1.0, 10.0).reshape(3, 3)
    return np_.sum(np_.abs(v) ** 2 * c) + np_.sum(np_.real(w) * c[0]) + np_.sum(np_.imag(w) ** 2) \
        + np_.sum(np_.real((v * np_.conj(v)) @ c))


@pytest.mark.parametrize("a", [A, Z], ids=["real", "complex"])
def test_gauge_free_gradients_and_hessians_agree_with_jax(a):
    jax = _jax()

    def theirs(a):
        w, v = jax.lax.linalg.eig(a, compute_left_eigenvectors=False, enable_eigvec_derivs=True)
        return _gauge_free(jax.numpy, w, v)

    ours = lambda a: _gauge_free(np, *np.linalg.eig(a))  # noqa: E731
    np.testing.assert_allclose(fgrad.grad(ours)(a), np.asarray(jax.grad(theirs)(a)), atol=1e-12)
    if a is A:  # second derivatives along a direction (a real input: real Hessians)
        t = RNG.normal(size=a.shape)
        want = np.asarray(jax.jvp(jax.grad(theirs), (a,), (t,))[1])
        np.testing.assert_allclose(fgrad.hvp(ours)(a, t), want, atol=1e-10)
    evs = lambda np_: lambda a: np_.sum(np_.abs(np_.linalg.eigvals(a)) ** 3)  # noqa: E731
    np.testing.assert_allclose(fgrad.grad(evs(np))(a), np.asarray(jax.grad(evs(jax.numpy))(a)), atol=1e-12)


# ---------------------------------------------------------------- det, slogdet, inv, solve of complex matrices
@pytest.mark.parametrize("f", [
    np.linalg.det, np.linalg.slogdet, np.linalg.inv, lambda a: np.linalg.solve(a, a[..., :, :1] + 1j),
    lambda a: np.linalg.slogdet(a).sign * np.linalg.det(np.swapaxes(a, -1, -2) + 1.0),
])
def test_complex_det_slogdet_inv_solve_to_second_order(f):
    fgrad.check_grads(f, (Z,), order=2, modes=("fwd", "rev"))
    fgrad.check_grads(f, (np.stack([Z, Z.T + 1.0]),), order=1, modes=("fwd", "rev"))


def test_complex_det_and_slogdet_closed_forms():
    inv_t = np.linalg.inv(Z).T
    np.testing.assert_allclose(fgrad.grad(np.linalg.det, holomorphic=True)(Z), np.linalg.det(Z) * inv_t, rtol=1e-12)
    # log|det| is real: grad = d/dx - i d/dy = a^-T (its real part is the pairing's)
    np.testing.assert_allclose(fgrad.grad(lambda a: np.linalg.slogdet(a)[1])(Z), inv_t, rtol=1e-12)
    # the sign e^(i theta) turns: d theta = Im tr(a^-1 da), so grad of theta is -i a^-T (= d/dx - i d/dy)
    theta = lambda a: np.angle(np.linalg.slogdet(a)[0])  # noqa: E731
    np.testing.assert_allclose(fgrad.grad(theta)(Z), -1j * inv_t, rtol=1e-12)
    np.testing.assert_allclose(fgrad.grad(theta)(Z), fgrad.numerical_grad(theta, Z), atol=1e-8)


def test_complex_det_at_singular_matrices_is_the_cofactor():
    z = np.array([[1.0, 1j, 2.0], [1j, -1.0, 2j], [0.5, 1 - 1j, 3.0]])  # row 2 = i row 1: rank 2
    assert np.linalg.det(z) == 0
    cofactor = np.array([[np.linalg.det(np.delete(np.delete(z, i, 0), j, 1)) * (-1) ** (i + j) for j in range(3)]
                         for i in range(3)])
    np.testing.assert_allclose(fgrad.grad(np.linalg.det, holomorphic=True)(z), cofactor, atol=1e-12)
    fgrad.check_grads(np.linalg.det, (z,), order=2, modes=("fwd", "rev"))


def test_real_slogdet_sign_stays_plain():
    out = fgrad.vjp(lambda a: np.linalg.slogdet(a), A)[0]
    assert type(out.sign) is np.float64 or np.ndim(out.sign) == 0


# ---------------------------------------------------------------- complex svd, eigh, qr, cholesky, pinv, lstsq, norms
HZ = Z + np.conj(Z.T) + np.diag([0.0, 2.0, 4.5])  # Hermitian (as read from either triangle), eigenvalues apart
PD = Z @ np.conj(Z.T) + np.eye(3)  # Hermitian positive definite
TALL, WIDE = C, C.T * (1 - 0.5j)

# Functions of NumPy's own factors: the vectors' phase is LAPACK's (an entry real), which
# fgrad differentiates, so u, vh and v themselves are checked, not only phase-free uses.
HERMITIAN_DECOMPOSITIONS = {
    "svd": (lambda a: np.linalg.svd(a, full_matrices=False), [Z, TALL, WIDE, np.stack([Z, Z.T + 1.0])]),
    "svd full, span uses": (lambda a: _projector(np.linalg.svd(a)[0][:, 3:]) + np.linalg.svd(a)[0][:, :1], [TALL]),
    "svd compute_uv=False, svdvals": (lambda a: np.linalg.svd(a, compute_uv=False) + np.linalg.svdvals(a) ** 2,
                                      [Z, TALL, WIDE]),
    "svd hermitian": (lambda a: np.linalg.svd(a, hermitian=True)[0] * np.linalg.svd(a, hermitian=True)[1]
                      + np.linalg.svd(a, hermitian=True)[2], [HZ]),
    "eigh": (lambda a: np.linalg.eigh(a), [HZ, Z + 3 * np.diag([0.0, 1.0, 2.0])]),
    "eigh UPLO=U": (lambda a: np.linalg.eigh(a, "U")[1] * np.linalg.eigh(a, "U")[0], [HZ, Z + 3 * np.diag([0.0, 1.0, 2.0])]),
    "eigvalsh": (lambda a: np.linalg.eigvalsh(a) + np.linalg.eigvalsh(a, "U") ** 2, [HZ, Z]),
    "qr": (lambda a: np.linalg.qr(a), [Z, TALL, WIDE]),
    "qr r, complete": (lambda a: np.linalg.qr(a, "r") + np.linalg.qr(a, "complete")[1][:3], [Z, TALL]),
    "qr complete, span uses": (lambda a: _projector(np.linalg.qr(a, "complete")[0][:, 3:]), [TALL]),
    "cholesky": (lambda a: np.linalg.cholesky(a), [PD, PD + 0.1j * np.tril(A)]),  # (the upper triangle not read)
    "pinv": (lambda a: np.linalg.pinv(a), [Z, TALL, WIDE]),
    "pinv hermitian": (lambda a: np.linalg.pinv(a, hermitian=True), [HZ]),
    "lstsq": (lambda a: np.linalg.lstsq(a, a[:, 0] * 1j + 1.0)[0] * np.linalg.lstsq(a, a[:, :2] + 1.0)[1].sum()
              + np.linalg.lstsq(a, np.ones(a.shape[0]))[3].sum(), [TALL, Z]),
    "norm cond": (lambda a: np.linalg.norm(a, 2) + np.linalg.norm(a, -2) * np.linalg.norm(a, "nuc")
                  + np.linalg.cond(a) + np.linalg.cond(a, -2) + np.linalg.cond(a, "nuc"), [Z]),
}


def _projector(q):
    return q @ np.conj(np.swapaxes(q, -1, -2))


_NUMPY_BEFORE_2_3 = tuple(int(p) for p in np.__version__.split(".")[:2]) < (2, 3)


@pytest.mark.parametrize("f, inputs", HERMITIAN_DECOMPOSITIONS.values(), ids=HERMITIAN_DECOMPOSITIONS.keys())
def test_complex_decompositions_have_numpys_values_and_derivatives_to_second_order(f, inputs):
    for a in inputs:
        out = _no_warnings(lambda a: fgrad.vjp(f, a)[0], a)
        for got, want in zip(fgrad.tree.tree_flatten(out)[0], fgrad.tree.tree_flatten(f(a))[0]):
            if _NUMPY_BEFORE_2_3 and np.iscomplexobj(want) and not np.iscomplexobj(got):
                want = np.real(want)  # (NumPy < 2.3 gives cond(a, 'fro'/'nuc'/1/inf) of a complex `a` a complex dtype)
            assert np.result_type(got) == np.result_type(want)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
        _no_warnings(lambda a: fgrad.check_grads(f, (a,), order=2, modes=("fwd", "rev"), eps=1e-5), a)


def test_complex_decompositions_closed_forms():
    u, s, vh = np.linalg.svd(Z)
    # the nuclear norm: d sum(s) = Re tr(u^H da v), so grad = d/dx - i d/dy = conj(u vh)
    np.testing.assert_allclose(fgrad.grad(lambda a: np.linalg.norm(a, "nuc"))(Z), np.conj(u @ vh), rtol=1e-12)
    np.testing.assert_allclose(fgrad.grad(lambda a: np.linalg.svdvals(a)[0])(Z), np.conj(np.outer(u[:, 0], vh[0])),
                               rtol=1e-12)
    # the sum of eigenvalues is the real part of the read diagonal's trace
    np.testing.assert_allclose(fgrad.grad(lambda a: np.sum(np.linalg.eigvalsh(a)))(HZ), np.eye(3), atol=1e-14)
    # the largest eigenvalue: d w = v^H dH v, read from the lower triangle (mirrored entries fold onto it)
    w, v = np.linalg.eigh(HZ)
    outer = np.conj(np.outer(v[:, 2], np.conj(v[:, 2])))  # conj(v v^H)
    want = np.tril(outer + np.conj(outer.T)) * (1 - 0.5 * np.eye(3))
    np.testing.assert_allclose(fgrad.grad(lambda a: np.linalg.eigvalsh(a)[2])(HZ), want, atol=1e-14)
    # |det| from the Cholesky factor: log det(a) = 2 sum(log diag(L)); its grad is a^-T on the read triangle
    logdet = lambda a: 2 * np.sum(np.log(np.real(np.diagonal(np.linalg.cholesky(a)))))  # noqa: E731
    inv_t = np.linalg.inv(PD).T
    np.testing.assert_allclose(fgrad.grad(logdet)(PD), np.tril(inv_t + np.conj(inv_t.T)) * (1 - 0.5 * np.eye(3)),
                               rtol=1e-12)


def test_complex_decompositions_agree_with_jax():
    """Real functions that ignore the vectors' phase (JAX's derivative is defined for those):
    fgrad's gradients and Hessian-vector products are JAX's."""
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    herm = lambda np_, a: (a + np_.conj(a.T)) / 2 + np_.diag(np_.array([0.0, 2.0, 4.5]))  # noqa: E731
    cases = {
        "svd": lambda np_: lambda a: np_.sum(np_.abs(np_.linalg.svd(a, full_matrices=False)[0]) ** 3)
        + np_.sum(np_.real((np_.linalg.svd(a)[0] * np_.linalg.svd(a)[1]) @ np_.linalg.svd(a)[2] * a)),
        "svd wide": lambda np_: lambda a: np_.sum(np_.abs(np_.linalg.svd(a.T, full_matrices=False)[2]) ** 3),
        "svdvals norms": lambda np_: lambda a: np_.linalg.norm(a, 2) + np_.linalg.norm(a, "nuc") ** 2
        + np_.linalg.cond(a),
        "eigh": lambda np_: lambda a: np_.sum(np_.abs(np_.linalg.eigh(herm(np_, a))[1][:, 1:]) ** 3)
        + np_.sum(np_.linalg.eigvalsh(herm(np_, a)) ** 3),
        "eigh projector": lambda np_: lambda a: np_.sum(np_.real(
            np_.outer(np_.linalg.eigh(herm(np_, a))[1][:, 0], np_.conj(np_.linalg.eigh(herm(np_, a))[1][:, 0])) * a)),
        "qr": lambda np_: lambda a: np_.sum(np_.abs(np_.linalg.qr(a)[0]) ** 3) + np_.sum(np_.real(np_.linalg.qr(a)[1] * a)),
        "cholesky": lambda np_: lambda a: np_.sum(np_.abs(np_.linalg.cholesky(a @ np_.conj(a.T) + np_.eye(3))) ** 3),
        "pinv": lambda np_: lambda a: np_.sum(np_.abs(np_.linalg.pinv(a)) ** 3),
        "lstsq": lambda np_: lambda a: np_.sum(np_.abs(np_.linalg.lstsq(a, np_.ones(4) + 1j)[0]) ** 2),
    }
    tall = C
    for name, make in cases.items():
        a = tall if name in ("svd wide", "lstsq") else (tall if name == "pinv" else Z)
        theirs = np.asarray(jax.grad(make(jnp))(jnp.asarray(a)))
        np.testing.assert_allclose(fgrad.grad(make(np))(a), theirs, rtol=1e-10, atol=1e-12, err_msg=name)
        t = RNG.normal(size=a.shape) + 1j * RNG.normal(size=a.shape)
        want = np.asarray(jax.jvp(jax.grad(make(jnp)), (jnp.asarray(a),), (jnp.asarray(t),))[1])
        got = fgrad.jvp(fgrad.grad(make(np)), (a,), (t,))[1]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10, err_msg=name)


def test_complex_eigh_phase_where_lapacks_real_entry_is_zero():
    # The eigenvectors of the 2 x 2 block have first component 0: LAPACK makes that entry
    # real, so their phase jumps. A phase-free function is fine; one using the phase warns.
    h = np.array([[1.0, 0.0, 0.0], [0.0, 3.0, 1j], [0.0, -1j, 3.0]])
    assert np.all(np.linalg.eigh(h)[1][0, 1:] == 0)
    free = lambda a: np.sum(np.abs(np.linalg.eigh(a)[1]) ** 4)  # noqa: E731
    np.testing.assert_allclose(_no_warnings(fgrad.grad(free), h), fgrad.numerical_grad(free, h), atol=1e-7)
    with pytest.warns(DegenerateDerivativeWarning, match=r"eigh: the phase of the complex eigenvectors .* is 0"):
        fgrad.grad(lambda a: np.real(np.linalg.eigh(a)[1][2, 2]))(h)


def test_complex_span_uses_that_depend_on_the_basis_are_refused():
    # u u^T (no conjugate) of full_matrices' extra columns changes under a unitary turn of them
    with pytest.raises(ValueError, match=r"svd: the gradient depends on the last 1 columns of u"):
        fgrad.grad(lambda a: np.sum(np.real(np.linalg.svd(a)[0][:, 3:] @ np.linalg.svd(a)[0][:, 3:].T)))(TALL)


def test_complex_svd_at_a_zero_singular_value_warns_for_the_free_relative_phase():
    """At a zero singular value the relative phase of a complex pair (u_j, v_j) is free: a function
    that depends on it has no derivative (JAX leaves the term out silently); fgrad warns."""
    from fgrad.numpy.linalg import DegenerateDerivativeWarning

    a = np.array([[1 + 1j, 0.5], [0.2j, 0.3]])
    a[1] = 0.5j * a[0]  # rank 1: the second singular value is 0 to rounding
    relative_phase = lambda a: fnp.imag(np.linalg.svd(a)[0][1, 1] * np.linalg.svd(a)[2][1, 1])  # noqa: E731
    with pytest.warns(DegenerateDerivativeWarning, match="relative phase"):
        fgrad.grad(relative_phase)(a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the singular values themselves are differentiable there
        g = fgrad.grad(lambda a: np.linalg.svd(a, compute_uv=False)[0])(a)  # the largest, simple
    u, s, vh = np.linalg.svd(a)
    np.testing.assert_allclose(g, np.conj(u[:, :1] @ vh[:1]), rtol=1e-10)
