"""Complex values are refused on every traced path, never cast (issue 16, item 4).

Before: ``np.real``/``.real``/``np.conj`` of a complex traced value returned it unchanged,
``np.imag`` was a constant, ``x * (1 + 2j)`` was differentiated with its imaginary part
dropped (``grad(lambda x: abs(x * (1 + 2j)))(1.0)`` gave -1.34, not sqrt(5)), and complex
cotangents lost their imaginary part with only a ComplexWarning. Now each such path
raises a TypeError saying complex differentiation is not supported yet, and the real
uses of ``real``/``imag``/``conj``/``angle`` give the right numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.optimize import gradient_descent, newton

# A cast that drops an imaginary part warns; here it fails the test instead.
pytestmark = pytest.mark.filterwarnings("error::numpy.exceptions.ComplexWarning")

REFUSED = r"is complex.*complex differentiation is not supported yet.*real and imaginary float parts"
C = np.array([1j, 1.0 + 0.5j])
X2 = np.array([0.3, -1.2])


# ---------------------------------------------------------------- the cases
def test_real_of_a_complex_value_is_refused_not_its_input():
    # was (1.0, -0.985): np.real returned exp(1j x) itself, whose value was then cast
    f = lambda x: np.abs(np.real(np.exp(1j * x)))
    with pytest.raises(TypeError, match=r"`mul` applied to a traced value \(argument 0 is the complex constant "
                                        r"1j\): its result " + REFUSED):
        fgrad.value_and_grad(f)(0.7)


def test_imag_of_a_complex_value_is_refused_not_a_constant():
    # was gradient 0.0 (np.imag treated as piecewise constant), no warning
    with pytest.raises(TypeError, match=REFUSED):
        fgrad.grad(lambda x: np.imag(np.exp(1j * x)))(0.7)


def test_product_with_a_complex_constant_is_refused():
    # was -1.3416 with a ComplexWarning; the true derivative is sqrt(5)
    with pytest.raises(TypeError, match=r"`mul` applied to a traced value \(argument 1 is the complex constant "
                                        r"\(1\+2j\)\)"):
        fgrad.grad(lambda x: np.abs(x * (1 + 2j)))(1.0)


MIXED = {
    "add": lambda x: x + 1j,
    "rsub": lambda x: 1j - x,
    "div": lambda x: x / (1 + 1j),
    "pow": lambda x: x ** 1j,
    "exp of imaginary": lambda x: np.exp(1j * x),
    "conj of complex": lambda x: np.conj(x * 1j),
    ".real of complex": lambda x: (x * 1j).real,
    ".imag of complex": lambda x: (x * 1j).imag,
    ".conj() of complex": lambda x: (x * 1j).conj(),
    "astype complex": lambda x: x.astype(complex),
    "array with a complex entry": lambda x: fnp.array([x[0], 1j]),
    "where with a complex branch": lambda x: np.where(x > 0, x, 1j),
    "vdot with a complex constant": lambda x: np.vdot(C, x),
    "vdot of complex": lambda x: np.vdot(x * 1j, x),
    "dot": lambda x: np.dot(x, C),
    "matmul": lambda x: x @ C,
    "inner": lambda x: np.inner(x, C),
    "einsum": lambda x: np.einsum("i,i->", x, C),
    "norm of complex": lambda x: np.linalg.norm(x * C),
    "sum with complex dtype": lambda x: np.sum(x, dtype=complex),
}


@pytest.mark.parametrize("make", MIXED.values(), ids=MIXED.keys())
def test_complex_constants_mixed_with_traced_reals_are_refused(make):
    with pytest.raises(TypeError, match=REFUSED):
        fgrad.grad(lambda x: np.sum(np.abs(make(x))))(X2)


def complex_inside(x):
    return np.sum(np.abs(x * (1 + 2j)))


TRANSFORMS = {
    "grad": lambda: fgrad.grad(complex_inside)(X2),
    "value_and_grad": lambda: fgrad.value_and_grad(complex_inside)(X2),
    "vjp": lambda: fgrad.vjp(complex_inside, X2),
    "jvp": lambda: fgrad.jvp(complex_inside, (X2,), (np.ones(2),)),
    "linearize": lambda: fgrad.linearize(complex_inside, X2),
    "jacrev": lambda: fgrad.jacrev(complex_inside)(X2),
    "jacfwd": lambda: fgrad.jacfwd(complex_inside)(X2),
    "hessian": lambda: fgrad.hessian(complex_inside)(X2),
    "hvp": lambda: fgrad.hvp(complex_inside)(X2, np.ones(2)),
    "check_grads": lambda: fgrad.check_grads(complex_inside, (X2,), order=1),
    "gradient_descent": lambda: gradient_descent(complex_inside, X2, lr=0.1, steps=2),
    "newton": lambda: newton(complex_inside, X2),
    "trace": lambda: fgrad.trace(complex_inside)(X2),
    "nested grad": lambda: fgrad.grad(lambda x: fgrad.grad(complex_inside)(x * 1.0).sum())(X2),
}


@pytest.mark.parametrize("run", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_every_transform_refuses_a_complex_intermediate(run):
    # jvp, jacfwd, check_grads and the optimizers gave numbers (with ComplexWarnings)
    with pytest.raises(TypeError, match=REFUSED):
        run()


# ---------------------------------------------------------------- cotangents and tangents
def test_complex_cotangent_to_a_vjp_function_is_refused():
    # was (array([2., 4.]),) with a ComplexWarning
    _, f_vjp = fgrad.vjp(lambda x: x * 2.0, np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"vjp_fn: cotangent leaf 0 is complex \(complex128 array of shape \(2,\)\)"):
        f_vjp(np.array([1 + 1j, 2.0]))


def test_complex_scalar_cotangent_in_a_pytree_is_refused_naming_its_leaf():
    _, f_vjp = fgrad.vjp(lambda x: (x * 2.0, x * 3.0), 1.0)
    with pytest.raises(TypeError, match=r"vjp_fn: cotangent leaf 1 is complex \(complex128 1j\)"):
        f_vjp((1.0, 1j))


def test_complex_cotangent_from_a_custom_vjp_rule_is_refused():
    # was 1.0 with a ComplexWarning
    @fgrad.custom_vjp
    def twice(x):
        return x * 2.0

    twice.defvjp(lambda x: (x * 2.0, None), lambda res, g: (g * (1 + 1j),))
    with pytest.raises(TypeError, match=r"custom_vjp: the bwd rule of `twice` returned a cotangent for argument leaf 0 that "
                                        + REFUSED):
        fgrad.grad(twice)(1.0)


def test_complex_output_of_a_custom_vjp_forward_is_refused():
    # was passed on as a constant: the derivative through it was silently zero
    @fgrad.custom_vjp
    def rotate(x):
        return x * 1j

    rotate.defvjp(lambda x: (x * 1j, None), lambda res, g: (g,))
    with pytest.raises(TypeError, match=r"custom_vjp: output leaf 0 of the fwd rule of `rotate` " + REFUSED):
        fgrad.grad(lambda x: np.abs(rotate(x)))(1.0)


def test_complex_cotangent_from_a_primitive_rule_is_refused():
    # was 2.0 with a ComplexWarning
    twice = fgrad.primitive(lambda x: x * 2.0, lambda g, ans, x: g * (2 + 1j), name="twice")
    with pytest.raises(TypeError, match=r"the VJP rule of `twice` for argument 0 returned a cotangent that " + REFUSED):
        fgrad.grad(twice)(1.0)
    with pytest.raises(TypeError, match=r"the VJP rule of `twice` for argument 0"):
        fgrad.grad(lambda x: np.sum(twice(x)))(X2)
    with pytest.raises(TypeError, match=r"the VJP rule of `twice` for argument 0"):  # x of an outer level
        fgrad.grad(lambda x: fgrad.grad(twice)(x) * x)(1.0)
    # a traced cotangent: the rule's complex product is refused where it is made
    with pytest.raises(TypeError, match=r"`mul` applied to a traced value \(argument 1 is the complex constant "
                                        r"\(2\+1j\)\): its result " + REFUSED):
        fgrad.grad(lambda c: fgrad.vjp(twice, 1.0)[1](c)[0])(1.0)


def test_complex_forward_of_a_primitive_is_refused():
    # was 1.789 (abs(2 + 1j) / sqrt(5) * 2, the imaginary part cast away)
    rot = fgrad.primitive(lambda x: x * (2 + 1j), lambda g, ans, x: g * 2.0, name="rot")
    with pytest.raises(TypeError, match=r"`rot` applied to a traced value: its result is complex"):
        fgrad.grad(lambda x: np.abs(rot(x)))(1.0)


def test_complex_tangents_are_refused():
    with pytest.raises(TypeError, match=r"jvp: `tangents` leaf 0 " + REFUSED):
        fgrad.jvp(lambda x: x * 2.0, (1.0,), (1 + 1j,))
    _, f_jvp = fgrad.linearize(lambda x: x * 2.0, X2)
    with pytest.raises(TypeError, match=r"linearize: `tangents` leaf 0 " + REFUSED):
        f_jvp(np.array([1j, 0.0]))
    with pytest.raises(TypeError, match=r"hvp: `v` leaf 0 " + REFUSED):
        fgrad.hvp(lambda x: np.sum(x ** 3))(X2, C)


def test_reference_derivatives_refuse_a_complex_output():
    # check_grads cast the difference quotient with a ComplexWarning; numerical_grad failed in float()
    with pytest.raises(TypeError, match=r"check_grads: output leaf 0 of `fun` " + REFUSED):
        fgrad.check_grads(lambda x: x * 1j, (X2,), order=1)
    with pytest.raises(TypeError, match=r"numerical_grad: output leaf 0 of `fun` " + REFUSED):
        fgrad.numerical_grad(lambda x: np.sum(x * 1j), X2)


# ---------------------------------------------------------------- complex arguments
PRIMAL = {
    "grad": lambda z: fgrad.grad(complex_inside)(z),
    "vjp": lambda z: fgrad.vjp(complex_inside, z),
    "jvp": lambda z: fgrad.jvp(complex_inside, (z,), (np.ones(2),)),
    "linearize": lambda z: fgrad.linearize(complex_inside, z),
    "jacrev": lambda z: fgrad.jacrev(complex_inside)(z),
    "jacfwd": lambda z: fgrad.jacfwd(complex_inside)(z),
    "hessian": lambda z: fgrad.hessian(complex_inside)(z),
    "check_grads": lambda z: fgrad.check_grads(complex_inside, (z,), order=1),
    "trace": lambda z: fgrad.trace(complex_inside)(z),
}


@pytest.mark.parametrize("run", PRIMAL.values(), ids=PRIMAL.keys())
def test_complex_arguments_are_refused(run):
    # already refused before (trace accepted them), now with the one message
    with pytest.raises(TypeError, match=r"argument 0 \(`x`\) " + REFUSED):
        run(C)


@pytest.mark.parametrize("minimize", [newton, lambda f, x0: gradient_descent(f, x0, lr=0.1, steps=2)],
                         ids=["newton", "gradient_descent"])
def test_optimizers_refuse_a_complex_start(minimize):
    with pytest.raises(TypeError, match=r"`x0` " + REFUSED):
        minimize(complex_inside, C)


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
