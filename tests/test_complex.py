"""Complex numbers, in JAX's convention (docs/how-to/complex.md).

A cotangent pairs with a tangent by Re(sum(c * t)): `grad` of a real function of
``z = x + iy`` is ``df/dx - i df/dy``, ``grad(..., holomorphic=True)`` is ``f'(z)``, and
a real value's cotangent is real. Every check here is against numerical derivatives
taken along the real and the imaginary direction separately (`fgrad.numerical_grad`,
`fgrad.check_grads`), closed forms, or JAX itself.

Before (issue 16) each of these programs was refused with "complex differentiation is
not supported yet"; before that, most gave silently wrong numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from extras_support import import_extra
from fgrad._complex import COMPLEX_RULES
from fgrad._core import Node
from fgrad.optimize import gradient_descent, newton
from fgrad.tree import tree_flatten

# A cast that drops an imaginary part warns; here it fails the test instead.
pytestmark = pytest.mark.filterwarnings("error::numpy.exceptions.ComplexWarning")

C = np.array([1j, 1.0 + 0.5j])
X2 = np.array([0.3, -1.2])
Z2 = np.array([0.4 - 0.7j, -1.1 + 0.2j])


def assert_numerical(f, *args, argnums=0, rtol=1e-6, atol=1e-8):
    got = fgrad.grad(f, argnums=argnums)(*args)
    want = fgrad.numerical_grad(f, *args, argnums=argnums)
    for g, w in zip(tree_flatten(got)[0], tree_flatten(want)[0]):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    return got


# ---------------------------------------------------------------- the convention, in closed form
def test_gradient_of_a_real_function_of_z_is_df_dx_minus_i_df_dy():
    # |z|^2 = x^2 + y^2: d/dx - i d/dy = 2x - 2iy = 2 conj(z); JAX's FAQ: 6-8j at 3+4j
    assert fgrad.grad(lambda z: np.abs(z) ** 2)(3 + 4j) == 6 - 8j
    assert fgrad.grad(lambda z: np.real(z * np.conj(z)))(3 + 4j) == 6 - 8j
    # descending along conj(grad) lowers f
    f = lambda z: np.abs(z - (1 + 2j)) ** 2
    z = 3 - 1j
    assert f(z - 0.1 * np.conj(fgrad.grad(f)(z))) < f(z)


def test_holomorphic_gradient_is_the_complex_derivative():
    z = 0.3 + 0.8j
    d = fgrad.grad(lambda z: np.exp(z) * np.sin(z) + z ** 3, holomorphic=True)(z)
    assert d == pytest.approx(np.exp(z) * (np.sin(z) + np.cos(z)) + 3 * z ** 2, rel=1e-14)
    d2 = fgrad.grad(fgrad.grad(lambda z: z ** 4, holomorphic=True), holomorphic=True)(z)
    assert d2 == pytest.approx(12 * z ** 2, rel=1e-14)
    # the complex derivative is the limit along every direction: check both axes numerically
    f = lambda z: np.exp(z) * np.sin(z)
    h = 1e-6
    for direction in (1.0, 1j):
        numeric = (f(z + h * direction) - f(z - h * direction)) / (2 * h * direction)
        assert fgrad.grad(f, holomorphic=True)(z) == pytest.approx(numeric, rel=1e-8)


def test_holomorphic_jacobians_and_hessian():
    f = lambda z: np.exp(z) * z ** 2
    want = np.diag(np.exp(Z2) * (Z2 ** 2 + 2 * Z2))
    np.testing.assert_allclose(fgrad.jacrev(f, holomorphic=True)(Z2), want, rtol=1e-14)
    np.testing.assert_allclose(fgrad.jacfwd(f, holomorphic=True)(Z2), want, rtol=1e-14)
    np.testing.assert_allclose(fgrad.hessian(lambda z: np.sum(z ** 3), holomorphic=True)(Z2), np.diag(6 * Z2),
                               rtol=1e-14)
    a = np.array([[1 + 1j, 2.0], [0.5j, -1.0]])
    np.testing.assert_allclose(fgrad.jacrev(lambda z: a @ z, holomorphic=True)(Z2), a, rtol=1e-15)


def test_jacobians_of_mixed_real_and_complex_functions():
    # real input, complex output: forward mode (columns are complex directional derivatives)
    x = np.array([0.3, 0.5])
    np.testing.assert_allclose(fgrad.jacfwd(lambda x: np.exp(1j * x))(x), np.diag(1j * np.exp(1j * x)), rtol=1e-15)
    # complex input, real output: reverse mode (rows are gradients)
    np.testing.assert_allclose(fgrad.jacrev(lambda z: np.abs(z) ** 2)(Z2), np.diag(2 * np.conj(Z2)), rtol=1e-14)


# ---------------------------------------------------------------- programs that were refused, now right
MIXED = {
    "add": lambda x: x + 1j,
    "rsub": lambda x: 1j - x,
    "div": lambda x: x / (1 + 1j),
    "pow": lambda x: x ** 1j,
    "exp of imaginary": lambda x: np.exp(1j * x),
    "conj of complex": lambda x: np.conj(x * 1j),
    ".real of complex": lambda x: (x * 1j + x * x).real,
    ".imag of complex": lambda x: (x * 1j + x * x).imag,
    ".conj() of complex": lambda x: (x * (1 + 1j)).conj() * x,
    "astype complex": lambda x: x.astype(complex) * (2 - 1j),
    "array with a complex entry": lambda x: fnp.array([x[0], 1j]) * x,
    "where with a complex branch": lambda x: np.where(x > 0, x, 1j * x),
    "vdot with a complex constant": lambda x: np.vdot(C, x),
    "vdot of complex": lambda x: np.vdot(x * 1j, x + 2j),
    "dot": lambda x: np.dot(x, C),
    "matmul": lambda x: x @ C,
    "inner": lambda x: np.inner(x, C),
    "einsum": lambda x: np.einsum("i,i->", x, C),
    "norm of complex": lambda x: np.linalg.norm(x * C),
    "sum with complex dtype": lambda x: np.sum(x, dtype=complex) * (1 + 2j),
    "angle": lambda x: np.angle(x + 1j),
    "abs of a product": lambda x: np.abs(x * (1 + 2j)),
}


@pytest.mark.parametrize("make", MIXED.values(), ids=MIXED.keys())
def test_complex_intermediates_of_real_inputs(make):
    f = lambda x: np.sum(np.abs(make(x)) ** 2 + np.real(make(x)))
    assert_numerical(f, X2)
    assert fgrad.grad(f)(X2).dtype == np.float64  # a real value's gradient is real


@pytest.mark.parametrize("make", MIXED.values(), ids=MIXED.keys())
def test_complex_inputs_real_outputs(make):
    f = lambda z: np.sum(np.abs(make(z)) ** 2 + np.real(make(z)) * np.imag(z))
    g = assert_numerical(f, Z2)
    assert g.dtype == np.complex128


def test_issue_examples_give_the_true_derivatives():
    # was -1.34 (imaginary part dropped), then refused; d/dx |x (1 + 2i)| = sqrt(5)
    assert fgrad.grad(lambda x: np.abs(x * (1 + 2j)))(1.0) == pytest.approx(math.sqrt(5), rel=1e-15)
    # imag(exp(ix)) = sin x
    assert fgrad.grad(lambda x: np.imag(np.exp(1j * x)))(0.7) == pytest.approx(math.cos(0.7), rel=1e-15)
    value, g = fgrad.value_and_grad(lambda x: np.abs(np.real(np.exp(1j * x))))(0.7)
    assert (value, g) == (pytest.approx(math.cos(0.7)), pytest.approx(-math.sin(0.7)))


def complex_inside(x):
    return np.sum(np.abs(x * (1 + 2j)) ** 2 + np.real(np.exp(1j * x)))


def _want_gradient(x):
    return 10 * x - np.sin(x)


def _want_hessian(x):
    return np.diag(10 - np.cos(x))


def test_every_transform_handles_a_complex_intermediate():
    np.testing.assert_allclose(fgrad.grad(complex_inside)(X2), _want_gradient(X2), rtol=1e-14)
    np.testing.assert_allclose(fgrad.value_and_grad(complex_inside)(X2)[1], _want_gradient(X2), rtol=1e-14)
    np.testing.assert_allclose(fgrad.vjp(complex_inside, X2)[1](1.0)[0], _want_gradient(X2), rtol=1e-14)
    t = np.array([1.0, -2.0])
    assert fgrad.jvp(complex_inside, (X2,), (t,))[1] == pytest.approx(_want_gradient(X2) @ t, rel=1e-14)
    assert fgrad.linearize(complex_inside, X2)[1](t) == pytest.approx(_want_gradient(X2) @ t, rel=1e-14)
    np.testing.assert_allclose(fgrad.jacrev(complex_inside)(X2), _want_gradient(X2), rtol=1e-14)
    np.testing.assert_allclose(fgrad.jacfwd(complex_inside)(X2), _want_gradient(X2), rtol=1e-14)
    np.testing.assert_allclose(fgrad.hessian(complex_inside)(X2), _want_hessian(X2), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(fgrad.hvp(complex_inside)(X2, t), _want_hessian(X2) @ t, rtol=1e-13)
    fgrad.check_grads(complex_inside, (X2,), order=2)
    nested = fgrad.grad(lambda x: fgrad.grad(complex_inside)(x * 1.0).sum())(X2)
    np.testing.assert_allclose(nested, np.diag(_want_hessian(X2)), rtol=1e-13)
    graph = fgrad.trace(complex_inside)(X2)
    assert "mul" in fgrad.to_dot(graph)
    result = newton(complex_inside, X2)
    np.testing.assert_allclose(_want_gradient(result.x), 0.0, atol=1e-8)
    assert complex_inside(gradient_descent(complex_inside, X2, lr=0.05, steps=5).x) < complex_inside(X2)


def test_check_grads_on_complex_arguments_and_outputs():
    fgrad.check_grads(lambda z: np.exp(z) * np.sin(z) @ np.array([[1, 2j], [3, 4]]), (Z2,), order=2)
    fgrad.check_grads(lambda z, x: np.abs(z * x) ** 2 + np.conj(z) * x, (Z2, X2), order=2)
    # a wrong rule is caught along the imaginary direction
    bad = fgrad.primitive(np.conj, lambda g, ans, z: g, name="bad_conj")  # transposes like identity
    with pytest.raises(AssertionError, match="disagrees with central differences"):
        fgrad.check_grads(lambda z: bad(z) * z, (Z2,), order=1, modes=("rev",))


# ---------------------------------------------------------------- cotangents and tangents
def test_complex_cotangent_of_a_real_output_is_refused():
    _, f_vjp = fgrad.vjp(lambda x: x * 2.0, np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"vjp_fn: cotangent leaf 0 is complex \(complex128\), but output leaf 0 "
                                        r"is real \(float64\)"):
        f_vjp(np.array([1 + 1j, 2.0]))
    _, f_vjp = fgrad.vjp(lambda x: (x * 2.0, x * 3.0), 1.0)
    with pytest.raises(TypeError, match=r"vjp_fn: cotangent leaf 1 is complex"):
        f_vjp((1.0, 1j))


def test_vjp_with_complex_cotangents_is_the_transpose():
    a = np.array([[1 + 1j, 2.0], [0.5j, -1.0]])
    _, f_vjp = fgrad.vjp(lambda z: a @ z, Z2)
    c = np.array([1 - 2j, 0.5j])
    np.testing.assert_allclose(f_vjp(c)[0], c @ a, rtol=1e-15)  # no conjugation: JAX's convention
    _, f_vjp = fgrad.vjp(lambda x: np.exp(1j * x), X2)
    np.testing.assert_allclose(f_vjp(c)[0], np.real(c * 1j * np.exp(1j * X2)), rtol=1e-15)


def test_complex_tangents():
    out, t_out = fgrad.jvp(lambda z: z * z, (Z2,), (np.array([1j, 1.0]),))
    np.testing.assert_allclose(t_out, 2 * Z2 * np.array([1j, 1.0]), rtol=1e-15)
    with pytest.raises(TypeError, match=r"jvp: `tangents` leaf 0 is complex \(complex128\), but the matching leaf "
                                        r"of `primals` is real"):
        fgrad.jvp(lambda x: x * 2.0, (1.0,), (1 + 1j,))
    _, f_jvp = fgrad.linearize(lambda x: x * 2.0, X2)
    with pytest.raises(TypeError, match=r"linearize: `tangents` leaf 0 is complex"):
        f_jvp(np.array([1j, 0.0]))
    with pytest.raises(TypeError, match=r"hvp: `v` leaf 0 is complex"):
        fgrad.hvp(lambda x: np.sum(x ** 3))(X2, C)


def test_custom_rules_follow_the_convention():
    # a complex cotangent for a real argument: its real part (the pairing's transpose)
    twice = fgrad.primitive(lambda x: x * 2.0, lambda g, ans, x: g * (2 + 1j), name="twice")
    assert fgrad.grad(twice)(1.0) == 2.0
    @fgrad.custom_vjp
    def rotate(x):
        return x * 1j

    rotate.defvjp(lambda x: (x * 1j, None), lambda res, g: (g * 1j,))
    assert fgrad.grad(lambda x: np.imag(rotate(x)))(1.0) == pytest.approx(1.0)
    assert fgrad.grad(lambda x: np.real(rotate(x)))(1.0) == pytest.approx(0.0)
    rot = fgrad.primitive(lambda x: x * (2 + 1j), lambda g, ans, x: g * (2 + 1j), name="rot")
    assert fgrad.grad(lambda x: np.abs(rot(x)))(1.0) == pytest.approx(math.sqrt(5), rel=1e-15)


def test_reference_derivatives_refuse_a_complex_output():
    with pytest.raises(TypeError, match=r"numerical_grad: output leaf 0 of `fun` is complex"):
        fgrad.numerical_grad(lambda x: np.sum(x * 1j), X2)


# ---------------------------------------------------------------- what stays refused
REFUSED_OPS = {
    "maximum": lambda z: np.maximum(z, 0.5),
    "max": lambda z: np.max(z),
    "clip": lambda z: np.clip(z, 0, 1),
    "fmax": lambda z: np.fmax(z, z),
}


@pytest.mark.parametrize("make", REFUSED_OPS.values(), ids=REFUSED_OPS.keys())
def test_rules_written_for_reals_refuse_complex_values(make):
    with pytest.raises(TypeError, match=r"does not support complex values .*so fgrad refuses rather than return a wrong derivative"):
        fgrad.grad(lambda z: np.sum(np.abs(make(z))))(Z2)


def test_holomorphic_needs_complex_inputs_and_outputs():
    with pytest.raises(TypeError, match=r"grad with holomorphic=True requires complex inputs, but input leaf 0 has dtype float64"):
        fgrad.grad(lambda x: x * 1j, holomorphic=True)(1.0)
    with pytest.raises(TypeError, match=r"grad with holomorphic=True requires a complex output"):
        fgrad.grad(lambda z: np.abs(z), holomorphic=True)(1j)
    with pytest.raises(TypeError, match=r"grad: `fun` must return a real scalar, but its output is complex.*holomorphic=True"):
        fgrad.grad(lambda z: z * z)(1j)
    with pytest.raises(TypeError, match=r"jacfwd: input leaf 0 is complex.*need real inputs"):
        fgrad.jacfwd(lambda z: np.abs(z))(Z2)
    with pytest.raises(TypeError, match=r"jacrev: `fun` must return real floating-point arrays.*holomorphic=True"):
        fgrad.jacrev(lambda z: z * 2)(Z2)


@pytest.mark.parametrize("minimize", [newton, lambda f, x0: gradient_descent(f, x0, lr=0.1, steps=2)],
                         ids=["newton", "gradient_descent"])
def test_optimizers_refuse_a_complex_start(minimize):
    with pytest.raises(TypeError, match=r"`x0` is complex \(complex128\); the optimizers minimize real functions"):
        minimize(complex_inside, C)


# ---------------------------------------------------------------- every complex rule, to second order
def _m(z, w):  # (eigenvalues apart, each eigenvector with one clearly largest entry)
    return np.outer(z, w) + np.array([[1.0, 2.0], [-0.5, 1.5]])


def _h(z, w):  # Hermitian positive definite, eigenvalues apart
    m = _m(z, w)
    return m @ np.conj(m.T) + np.diag([1.0, 3.0])


def _complement_projector(z, w):
    """The projector onto the complement of a 3 x 2 matrix's columns: basis-free (one qr call)."""
    q = np.linalg.qr(np.stack([z, w, z * w + 1.0]), mode="complete")[0][:, 2:]
    return (q @ np.conj(q.T))[0, :2]


COMPLEX_PROGRAMS = {
    "arithmetic": lambda z, w: (z + w) * (z - w) / (w + 2.0) - (-z) + z ** 3 + z ** w + np.square(z) + np.sqrt(z)
    + np.reciprocal(w) + np.float_power(z, 2.5),
    "exp log": lambda z, w: np.exp(z) + np.expm1(w) + np.exp2(z) + np.log(z) + np.log1p(w) + np.log2(z)
    + np.log10(w),
    "trig": lambda z, w: np.sin(z) * np.cos(w) + np.tan(z) + np.sinh(w) * np.cosh(z) + np.tanh(z)
    + np.arcsin(z * 0.3) + np.arccos(w * 0.3) + np.arctan(z) + np.arcsinh(w) + np.arccosh(z + 2) + np.arctanh(w * 0.3),
    "parts": lambda z, w: np.abs(z) * np.real(w) + np.imag(z) * np.conj(w) + np.real(z).astype(complex) * 1j,
    "reductions": lambda z, w: np.sum(z * w) + np.mean(z) + np.cumsum(w) + np.prod(z) + np.cumprod(w),
    "structure": lambda z, w: np.concatenate([z, w])[1:3] + np.stack([z, w])[1] + np.flip(z) + np.roll(w, 1)
    + np.pad(z, 1)[1:-1] + np.where(np.array([True, False]), z, w) + np.broadcast_to(z, (2, 2))[0]
    + np.transpose(np.reshape(w, (2, 1)))[0] + fnp.at(z)[0].set(w[1]) + np.concatenate([z, w])[[3, 0]] ** 2,
    "matrices": lambda z, w: np.tril(np.outer(z, w)).sum(0) + np.triu(np.outer(w, z)).sum(1)
    + np.diagonal(np.outer(z, z)) + np.outer(z, w) @ w + np.einsum("i,j->i", z, w) + np.tensordot(z, w, 0)[0],
    "linalg": lambda z, w: np.linalg.inv(np.outer(z, w) + 3 * np.eye(2)) @ z
    + np.linalg.solve(np.outer(w, w) + 2 * np.eye(2), z),
    "sort": lambda z, w: np.sort(z * w) + np.sort(w),  # lexicographic, as NumPy: a permutation
    "fft": lambda z, w: np.fft.fft(z * w) + np.fft.ifft(z, 3, norm="ortho")[:2] + np.fft.rfft(np.real(w) * np.imag(z)) * z
    + np.fft.irfft(z * w, 3, norm="forward")[1:] + np.fft.fftshift(np.fft.fft2(np.outer(z, w)))[0],  # (more: test_fft.py)
    "eig det": lambda z, w: np.linalg.eigvals(_m(z, w)) + np.linalg.eig(_m(z, w))[0] * np.linalg.eig(_m(z, w))[1][1]
    + np.linalg.det(_m(z, w)) + np.linalg.slogdet(_m(z, w))[0] * np.linalg.slogdet(_m(z, w))[1]
    + np.linalg.det(np.stack([z, 0.0 * w])),  # (a singular matrix: det's derivative is the cofactor matrix)
    # (the vectors' phase is LAPACK's, which fgrad differentiates: u and vh themselves have derivatives)
    "svd eigh qr cholesky": lambda z, w: np.linalg.svd(_m(z, w))[0][0] * np.linalg.svdvals(_m(z, w))
    + np.linalg.svd(_m(z, w)).Vh[:, 1] + np.linalg.eigh(_h(z, w))[1][1] * np.linalg.eigvalsh(_h(z, w))
    + np.linalg.qr(_m(z, w))[1][0] + np.linalg.cholesky(_h(z, w))[1] + _complement_projector(z, w),
    "pinv lstsq norms": lambda z, w: np.linalg.pinv(_m(z, w))[0] + np.linalg.lstsq(_m(z, w), z)[0]
    + np.linalg.norm(_m(z, w), "nuc") * w + np.linalg.cond(_m(z, w)),
    "jacobian": lambda z, w: fgrad.jacrev(lambda v: np.tanh(v * w), holomorphic=True)(z)[0],
}


@pytest.mark.parametrize("make", COMPLEX_PROGRAMS.values(), ids=COMPLEX_PROGRAMS.keys())
def test_complex_rules_to_second_order(make):
    z = np.array([0.6 + 0.3j, -0.4 + 0.5j])
    w = np.array([0.5 - 0.2j, 0.3 + 0.4j])
    with np.errstate(all="ignore"):
        want = make(z, w)
    got = make(*(fnp.asarray(v) for v in (z, w)))
    np.testing.assert_allclose(fgrad.vjp(make, z, w)[0], want, rtol=1e-13)
    np.testing.assert_allclose(got, want, rtol=1e-13)
    fgrad.check_grads(make, (z, w), order=2, modes=("fwd", "rev"))
    fgrad.check_grads(lambda z, w: np.abs(make(z, w)) ** 2, (z, w), order=2, modes=("fwd", "rev"))


def _primitive_names(out) -> set:
    names, stack, seen = set(), [o for o in tree_flatten(out)[0] if type(o) is Node], set()
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen.add(id(n))
            if n.primitive is not None:
                names.add(n.primitive.name)
            stack.extend(n.parents)
    return names


def test_every_complex_rule_is_checked_above():
    """Each primitive allowed complex values appears in a program of the table above."""
    z, w = np.array([0.6 + 0.3j, -0.4 + 0.5j]), np.array([0.5 - 0.2j, 0.3 + 0.4j])
    seen: set = set()

    def record(*xs):
        out = make(*xs)
        seen.update(_primitive_names(out))
        return out

    def rules(*xs):  # the primitives the VJP rules record, one level up
        g = fgrad.vjp(make, *xs)[1](np.ones(2, complex))
        seen.update(_primitive_names(g))
        return g

    for make in COMPLEX_PROGRAMS.values():
        fgrad.vjp(record, z, w)
        fgrad.vjp(rules, z, w)
    make = COMPLEX_PROGRAMS["jacobian"]
    missing = COMPLEX_RULES - seen
    assert not missing, f"complex rules no program checks: {sorted(missing)}"


# ---------------------------------------------------------------- against JAX
def test_complex_derivatives_agree_with_jax():
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    z = np.array([0.6 + 0.3j, -0.4 + 0.5j])
    cases = [
        (lambda np_: lambda z: np_.sum(np_.abs(np_.exp(z) * z) ** 2), {}),
        (lambda np_: lambda z: np_.real(np_.sum(np_.sin(z) * np_.conj(z))), {}),
        (lambda np_: lambda z: np_.sum(np_.angle(z * (1 + 2j))), {}),
        (lambda np_: lambda z: np_.sum(np_.log(z) * z ** 2), {"holomorphic": True}),
    ]
    for make, kw in cases:
        ours = fgrad.grad(make(np), **kw)(z)
        theirs = np.asarray(jax.grad(make(jnp), **kw)(jnp.asarray(z)))
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    a = np.array([[1 + 1j, 2.0], [0.5j, -1.0]])
    ours = fgrad.jacrev(lambda z: np.tanh(a @ z), holomorphic=True)(z)
    theirs = np.asarray(jax.jacrev(lambda z: jnp.tanh(jnp.asarray(a) @ z), holomorphic=True)(jnp.asarray(z)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ---------------------------------------------------------------- composites: NumPy's complex semantics
# Composites written for reals that NumPy defines with a conjugate or |.|^2 on complex
# values (before, each gave a silently wrong number): NumPy's values, real where NumPy's
# are, and derivatives along both directions to second order.
ZA = np.array([[0.6 + 0.3j, -0.4 + 0.5j, 1.1 - 0.2j], [0.5 - 0.2j, 0.3 + 0.4j, -0.7 - 0.6j]])
ZB = np.array([0.2 - 0.9j, 1.3 + 0.1j, -0.5 + 0.4j])
COMPOSITES = {
    "var std": lambda a, b: np.var(a) + np.var(a, axis=0, ddof=1) * np.std(a, 1, keepdims=True) + np.std(b),
    "var std where mean": lambda a, b: np.var(a, where=np.array([True, False, True]), axis=1)
    + np.std(b, mean=np.mean(b) * 0.9),
    "nanvar nanstd": lambda a, b: np.nanvar(a, axis=1) + np.nanstd(np.where(np.isnan(b.real) | (b.real > 1), np.nan, b)),
    "cov corrcoef": lambda a, b: np.cov(a) + np.cov(a, b, rowvar=True)[:2, :2] + np.corrcoef(a, b)[1:, :2]
    + np.cov(a.T, rowvar=False, bias=True),
    "vecdot vecmat matvec": lambda a, b: np.vecdot(a, b) + np.vecmat(b, a.T) + np.matvec(a, b)
    + np.linalg.vecdot(a, a, axis=0)[:2],
    "polyfit": lambda a, b: np.polyfit(np.arange(3.0), b, 1) + np.polyfit(b, a.T, 1)[0]
    + np.polyfit(np.arange(3.0), a.T, 1, full=True)[1] + np.polyfit(a[0], b, 1, w=a[1].real),
    "interp complex fp": lambda a, b: np.interp(np.array([0.5, 1.5, 2.5]), np.arange(3.0), b)[:2]
    + np.interp(np.array([-1.0, 3.0]), np.arange(3.0), a[0], left=b[0], right=b[1])
    + np.interp(np.array([0.25, 2.75]), np.arange(3.0), b, period=3.0),
    "nan_to_num nanmedian norm0": lambda a, b: np.nan_to_num(np.where(np.array([True, False, False]), complex(np.nan, 1),
                                                                     np.where(np.array([0, 0, 1]) > 0, complex(2, np.inf), a)), posinf=5.0)
    + np.nanmedian(a, axis=1)[:, None] * np.linalg.norm(b, 0),
}


@pytest.mark.parametrize("make", COMPOSITES.values(), ids=COMPOSITES.keys())
def test_composites_have_numpys_complex_values_and_derivatives(make):
    with np.errstate(all="ignore"):
        want = make(ZA, ZB)
        got = fgrad.vjp(make, ZA, ZB)[0]
    assert np.result_type(got) == np.result_type(want)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    with np.errstate(all="ignore"):
        fgrad.check_grads(make, (ZA, ZB), order=2, modes=("fwd", "rev"), eps=1e-5)


def test_variances_of_complex_values_are_real():
    d_var = 2 * np.conj(ZB - ZB.mean()) / ZB.size  # d/dx - i d/dy of mean(|z - mean|^2)
    for f, is_std in ((np.var, False), (np.std, True), (np.nanvar, False), (np.nanstd, True),
                      (lambda z: np.var(z, mean=np.mean(z)), False)):
        value, g = fgrad.value_and_grad(f)(ZB)
        assert np.result_type(value) == np.float64 and value == pytest.approx(f(ZB), rel=1e-14)
        np.testing.assert_allclose(g, d_var / (2 * np.std(ZB)) if is_std else d_var, rtol=1e-13)


def test_cov_and_vecdot_agree_with_jax():
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    cases = [
        lambda np_: lambda a: np_.sum(np_.abs(np_.cov(a)) ** 2),
        lambda np_: lambda a: np_.real(np_.sum(np_.vecdot(a, a[::-1] * 1j))) + np_.sum(np_.var(a, axis=1)),
        lambda np_: lambda a: np_.sum(np_.abs(np_.vecmat(a[0], np_.outer(a[1], a[0]))) ** 2) + np_.std(a),
    ]
    for make in cases:
        ours = fgrad.grad(make(np))(ZA)
        theirs = np.asarray(jax.grad(make(jnp))(jnp.asarray(ZA)))
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


COMPLEX_REFUSED_AS_BY_NUMPY = {
    "interp x": (lambda z: np.interp(z, np.arange(3.0), np.arange(3.0)), r"`interp` does not support complex values of `x`"),
    "interp xp period": (lambda z: np.interp(np.ones(2), z, np.arange(2.0), period=2.0),
                         r"`interp` does not support complex values of `xp`"),
    "interp left": (lambda z: np.interp(np.ones(2), np.arange(2.0), z.real, left=z[0]), r"interp: `left` must be real"),
    "quantile": (lambda z: np.quantile(z, 0.3), r"quantile: a must be an array of real numbers"),
    "nanpercentile": (lambda z: np.nanpercentile(z, 30.0), r"nanpercentile: a must be an array of real numbers"),
    "logaddexp.reduce": (lambda z: np.logaddexp.reduce(z), r"`logaddexp.reduce` does not support complex values"),
}


@pytest.mark.parametrize("make, message", COMPLEX_REFUSED_AS_BY_NUMPY.values(), ids=COMPLEX_REFUSED_AS_BY_NUMPY.keys())
def test_complex_values_numpy_refuses_are_refused_clearly(make, message):
    with pytest.raises(TypeError, match=message):
        fgrad.vjp(make, Z2)


# ---------------------------------------------------------------- real values: exact
REAL_PARTS = {
    "np.real": (lambda x: np.real(x) ** 3, lambda x: 3 * x ** 2),
    "fnp.real": (lambda x: fnp.real(x) ** 3, lambda x: 3 * x ** 2),
    ".real": (lambda x: x.real ** 3, lambda x: 3 * x ** 2),
    "np.conj": (lambda x: np.conj(x) * x, lambda x: 2 * x),
    "np.conjugate": (lambda x: np.conjugate(x) * np.sin(x), lambda x: np.sin(x) + x * np.cos(x)),
    ".conj()": (lambda x: x.conj() * x, lambda x: 2 * x),
    ".conjugate()": (lambda x: x.conjugate() ** 2, lambda x: 2 * x),
    "np.imag": (lambda x: np.imag(x) + x * x, lambda x: 2 * x),
    ".imag": (lambda x: x.imag * 5.0 + np.exp(x), lambda x: np.exp(x)),
    "np.angle": (lambda x: np.angle(x) + x, lambda x: np.ones_like(x)),
    "np.angle(deg=True)": (lambda x: np.angle(x, deg=True) * x, lambda x: np.where(x < 0, 180.0, 0.0)),
}


@pytest.mark.parametrize("f, df", REAL_PARTS.values(), ids=REAL_PARTS.keys())
def test_real_imag_conj_angle_of_real_traced_values_are_exact(f, df):
    x = np.array([0.7, -1.3, 2.0])
    value, g = fgrad.value_and_grad(lambda x: np.sum(f(x)))(x)
    assert value == pytest.approx(np.sum(f(x)), rel=1e-15)  # the same numbers as NumPy's on arrays
    np.testing.assert_allclose(g, df(x), rtol=1e-14)
    np.testing.assert_allclose(g, fgrad.numerical_grad(lambda x: np.sum(f(x)), x), rtol=1e-7)


def test_parts_of_real_traced_values_have_numpys_values_shapes_and_dtypes():
    x = np.array([[0.5, -2.0]], dtype=np.float32)
    seen = {}

    def f(t):
        seen.update(real=np.real(t), imag=np.imag(t), conj=np.conj(t), angle=np.angle(t), dot_imag=t.imag)
        return np.sum(t)

    fgrad.grad(f)(x)
    for name, got in seen.items():
        want = {"real": np.real, "imag": np.imag, "conj": np.conj, "angle": np.angle, "dot_imag": np.imag}[name](x)
        got = getattr(got, "value", got)
        assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want), name


def test_real_parts_differentiate_again():
    d2 = fgrad.grad(fgrad.grad(lambda x: np.real(np.conj(x)) ** 3 + np.imag(x)))(1.5)
    assert d2 == pytest.approx(6 * 1.5, rel=1e-15)
    h = fgrad.hessian(lambda x: np.sum(x.real * x.conj() * np.exp(np.angle(x))))(np.array([1.0, -2.0]))
    np.testing.assert_allclose(h, np.diag([2.0, 2.0 * math.e ** math.pi]), rtol=1e-14)
