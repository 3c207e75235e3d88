"""Derivatives that used to be wrong without a word (issue 16, item 5): now right, or refused.

Each test pins one case with numbers: closed forms, central differences, or JAX's
values (JAX 0.10.2, float64) quoted in comments. JAX itself is not imported.
"""

from __future__ import annotations

import copy
import itertools
import math

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
import fgrad.optimize

grad = fgrad.grad


# ---------------------------------------------------------------- copy.copy / deepcopy of a traced value
@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy])
def test_copy_of_a_traced_value_keeps_its_derivative(copier):
    # d/dx (x * x) = 2x; the copy was a new record no trace knew: 1.0 (or an error)
    assert grad(lambda x: copier(x) * x)(1.0) == 2.0
    assert grad(lambda x: np.sum(copier(x) ** 2))(np.array([1.0, 3.0])).tolist() == [2.0, 6.0]


def test_copy_of_a_traced_value_is_the_record_itself():
    seen = []
    grad(lambda x: seen.append((copy.copy(x) is x, copy.deepcopy([x])[0] is x)) or x)(1.0)
    assert seen == [(True, True)]


# ---------------------------------------------------------------- x ** 0 at 0
def test_polynomial_with_constant_term_at_zero():
    # d/dx (1 + x + x**2) = 1 + 2x = 1 at 0 (JAX, autograd: 1.0; was nan from 0 * 0**-1)
    assert grad(lambda x: sum(x ** k for k in range(3)))(0.0) == 1.0


@pytest.mark.parametrize("k", [0, 1, 2, 3, 0.0, 1.0, 2.0, 3.0])
@pytest.mark.parametrize("x", [0.0, 1.5])
def test_derivatives_of_powers_to_third_order(k, x):
    # d^m/dx^m x**k = k (k-1) ... (k-m+1) x**(k-m), which is m! at 0 when m == k, else 0 there.
    def closed_form(m):
        coefficient = math.prod(k - j for j in range(m))
        return 0.0 if coefficient == 0 else coefficient * x ** (k - m)

    f = lambda x: x ** k
    derivatives = [grad(f), grad(grad(f)), grad(grad(grad(f)))]
    assert [float(d(x)) for d in derivatives] == pytest.approx([closed_form(m) for m in (1, 2, 3)], abs=1e-12)


def test_array_of_constant_exponents_with_zeros():
    zeros = np.zeros(4)
    exponents = np.array([0.0, 1.0, 2.0, 3.0])
    assert grad(lambda x: np.sum(x ** exponents))(zeros).tolist() == [0.0, 1.0, 0.0, 0.0]
    assert grad(lambda x: np.sum(np.float_power(x, exponents)))(zeros).tolist() == [0.0, 1.0, 0.0, 0.0]
    assert grad(lambda x: np.sum(np.float_power(x, 0.0)))(zeros).tolist() == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("y, want", [
    # JAX's jax.grad(lambda x, y: x ** y, argnums=(0, 1)) at x = 0:
    (0.0, (0.0, 0.0)),   # JAX: (nan, 0): with y fixed at 0, x**0 = 1 for every x, so d/dx is 0
    (1.0, (1.0, 0.0)),   # JAX: (1, 0)
    (2.0, (0.0, 0.0)),   # JAX: (0, 0)
    (0.5, (math.inf, 0.0)),  # JAX: (inf, 0)
])
def test_power_of_zero_base_in_both_arguments(y, want):
    with np.errstate(divide="ignore"):
        got = grad(lambda x, y: x ** y, argnums=(0, 1))(0.0, y)
    assert tuple(map(float, got)) == want


# ---------------------------------------------------------------- casts to integers
X = np.array([1.5, 2.5])


def test_astype_int_has_zero_derivative():
    # JAX: jax.grad(lambda x: jnp.sum(x.astype(int) * x))([1.5, 2.5]) = [1., 2.] (the floor, a constant)
    assert grad(lambda x: np.sum(x.astype(int) * x))(X).tolist() == [1.0, 2.0]
    assert grad(lambda x: np.sum(x.astype(np.int32) * 1.0 + x.astype(bool) * 2.0))(X).tolist() == [0.0, 0.0]
    assert grad(lambda x: np.sum(fnp.asarray(x, dtype=int) * x))(X).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("reduce", [
    lambda x: np.sum(x, dtype=int),   # JAX: jnp.sum(x, dtype=int) has gradient [0., 0.]
    lambda x: np.mean(x, dtype=int),
    lambda x: np.sum(np.cumsum(x, dtype=int)),
    lambda x: np.add.reduce(x, dtype=np.int64),
])
def test_reductions_to_integers_have_zero_derivative(reduce):
    assert grad(lambda x: reduce(x) * 1.0 + np.sum(x * 0.0))(X).tolist() == [0.0, 0.0]


def test_float_casts_still_differentiate():
    assert grad(lambda x: np.sum(x.astype(np.float32) * x))(X).tolist() == [3.0, 5.0]


# ---------------------------------------------------------------- ndarray subclasses
MASKED = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])
SQUARE = lambda x: np.sum(x * x)  # noqa: E731


@pytest.mark.parametrize("call", [
    lambda a: grad(SQUARE)(a),
    lambda a: fgrad.value_and_grad(SQUARE)(a),
    lambda a: fgrad.vjp(lambda x: x * x, a),
    lambda a: fgrad.jvp(lambda x: x * x, (a,), (np.ones(3),)),
    lambda a: fgrad.linearize(lambda x: x * x, a),
    lambda a: fgrad.jacrev(lambda x: x * x)(a),
    lambda a: fgrad.jacfwd(lambda x: x * x)(a),
    lambda a: fgrad.hessian(SQUARE)(a),
    lambda a: fgrad.check_grads(SQUARE, (a,), order=1),
    lambda a: fgrad.optimize.newton(SQUARE, a),
    lambda a: grad(lambda t: np.sum(t["w"] ** 2))({"w": a}),
])
def test_masked_array_inputs_are_refused(call):
    # The gradient used to be [2, 2, 6]: the masked element differentiated as if present.
    with pytest.raises(TypeError, match=r"MaskedArray, a subclass of np.ndarray"):
        call(MASKED)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_matrix_inputs_are_refused_naming_the_argument():
    with pytest.raises(TypeError, match=r"argument 1 \(`w`\) is a numpy.matrix"):
        grad(lambda x, w: np.sum(x * w), argnums=1)(1.0, np.matrix([[1.0, 2.0]]))


def test_subclass_tangents_and_cotangents_are_refused():
    with pytest.raises(TypeError, match="`tangents` leaf 0 is a numpy.ma.MaskedArray"):
        fgrad.jvp(lambda x: x * x, (np.ones(3),), (MASKED,))
    _, f_vjp = fgrad.vjp(lambda x: x * x, np.ones(3))
    with pytest.raises(TypeError, match="cotangent leaf 0 is a numpy.ma.MaskedArray"):
        f_vjp(MASKED)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("f", [
    lambda x: np.sum(x * MASKED),
    lambda x: np.sum(np.multiply(MASKED, x)),
    lambda x: np.sum(np.matrix([[1.0, 2.0, 3.0]]) @ x),
])
def test_subclass_constants_in_a_computation_are_refused(f):
    with pytest.raises(TypeError):
        grad(f)(np.ones(3))


# ---------------------------------------------------------------- users' rules returning the wrong shape
def test_rule_cotangent_that_would_be_broadcast_is_refused():
    double = fgrad.primitive(lambda x: x * 2, lambda g, ans, x: np.ones(3) * g, name="double")
    # was [1., 1., 1.]: a gradient of shape (3,) for a scalar input
    with pytest.raises(ValueError, match=r"`double` for argument 0 returned a cotangent of shape \(3,\), expected \(\)"):
        grad(double)(1.0)


def test_rule_cotangent_that_would_be_summed_is_refused():
    double = fgrad.primitive(lambda x: x * 2, lambda g, ans, x: np.sum(g) * 2, name="double")
    # was [6., 6., 6.]: the rule's scalar broadcast back over the input
    with pytest.raises(ValueError, match=r"returned a cotangent of shape \(\), expected \(3,\)"):
        grad(lambda x: np.sum(double(x)))(np.ones(3))


def test_rule_cotangent_of_the_second_argument_is_checked_in_nested_transforms():
    scale = fgrad.primitive(lambda x, s: x * s, lambda g, ans, x, s: g * s,
                            lambda g, ans, x, s: g * x, name="scale")  # forgets to sum for `s`
    with pytest.raises(ValueError, match=r"`scale` for argument 1 returned a cotangent of shape \(2,\), expected \(\)"):
        grad(lambda s: np.sum(scale(np.array([1.0, 2.0]), s)))(3.0)
    with pytest.raises(ValueError, match="`scale` for argument 1"):
        grad(grad(lambda s: np.sum(scale(np.array([1.0, 2.0]), s * s))))(3.0)


def test_rule_returning_none_is_refused_and_good_rules_pass():
    lazy = fgrad.primitive(lambda x: x * 2, lambda g, ans, x: None, name="lazy")
    with pytest.raises(TypeError, match="`lazy` for argument 0 returned None"):
        grad(lazy)(1.0)
    good = fgrad.primitive(lambda x: x * 2, lambda g, ans, x: g * 2, name="good")
    assert grad(lambda x: np.sum(good(x)))(np.ones(2)).tolist() == [2.0, 2.0]
    assert grad(grad(lambda x: good(x) * x))(1.5) == 4.0


# ---------------------------------------------------------------- vjp / linearize and the caller's arrays
def test_vjp_function_is_unaffected_by_later_writes_into_the_input():
    a = np.array([1.0, 2.0])
    out, f_vjp = fgrad.vjp(lambda x: x * x, a)
    a[0] = 10.0  # the caller reuses its array
    # d(x*x) = 2x at the point vjp was called: [2, 4] (was [20, 4], a mix of old and new)
    assert f_vjp(np.ones(2))[0].tolist() == [2.0, 4.0]
    assert out.tolist() == [1.0, 4.0]


def test_linearize_function_is_unaffected_by_later_writes_into_the_input():
    a = np.array([1.0, 2.0])
    _, f_jvp = fgrad.linearize(lambda x: np.sin(x) * x, a)
    want = np.sin([1.0, 2.0]) + np.cos([1.0, 2.0]) * [1.0, 2.0]
    a[:] = 7.0
    np.testing.assert_allclose(f_jvp(np.ones(2)), want, rtol=1e-15)


def test_jvp_and_linearize_never_return_the_callers_tangent():
    t = np.array([1.0, 1.0])
    _, t_out = fgrad.jvp(lambda x: x, (np.array([1.0, 2.0]),), (t,))
    _, f_jvp = fgrad.linearize(lambda x: x, np.array([1.0, 2.0]))
    for got in (t_out, f_jvp(t)):
        assert not np.shares_memory(got, t)
        got[0] = 5.0  # the result is the caller's to change ...
        assert t.tolist() == [1.0, 1.0]  # ... without touching its tangent


# ---------------------------------------------------------------- det and slogdet at singular matrices
def _permutation_sign(p: tuple[int, ...]) -> int:
    return round(np.linalg.det(np.eye(len(p))[list(p)]))


def _det_derivatives(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian of det at `a` from the Leibniz formula det = sum_p sgn(p) prod_i a[i, p(i)]."""
    n = len(a)
    g, h = np.zeros((n, n)), np.zeros((n, n, n, n))
    for p in itertools.permutations(range(n)):
        s = _permutation_sign(p)
        for i in range(n):
            g[i, p[i]] += s * math.prod(a[m, p[m]] for m in range(n) if m != i)
            for k in range(n):
                if k != i:
                    h[i, p[i], k, p[k]] += s * math.prod(a[m, p[m]] for m in range(n) if m not in (i, k))
    return g, h


SINGULAR = [
    np.array([[1.0, 2.0], [2.0, 4.0]]),                              # rank 1 of 2
    np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),   # rank 2 of 3
    np.outer([1.0, 2.0, 3.0], [1.0, 1.0, 2.0]),                      # rank 1 of 3: gradient 0
    np.zeros((3, 3)),
]


def test_det_gradient_at_a_singular_matrix_is_the_adjugate():
    # JAX: jax.grad(jnp.linalg.det)([[1, 2], [2, 4]]) = [[4, -2], [-2, 1]] (was LinAlgError)
    np.testing.assert_allclose(grad(np.linalg.det)(SINGULAR[0]), [[4.0, -2.0], [-2.0, 1.0]], rtol=1e-14)


@pytest.mark.parametrize("a", SINGULAR, ids=["2x2-rank1", "3x3-rank2", "3x3-rank1", "3x3-zero"])
def test_det_first_and_second_derivatives_at_singular_matrices(a):
    want_grad, want_hessian = _det_derivatives(a)
    np.testing.assert_allclose(grad(np.linalg.det)(a), want_grad, atol=1e-12)
    np.testing.assert_allclose(fgrad.hessian(np.linalg.det)(a), want_hessian, atol=1e-12)


def test_det_gradient_of_a_stack_with_one_singular_matrix():
    stack = np.stack([SINGULAR[0], np.array([[2.0, 1.0], [1.0, 3.0]])])
    got = grad(lambda a: np.sum(np.linalg.det(a)))(stack)
    np.testing.assert_allclose(got, [[[4.0, -2.0], [-2.0, 1.0]], [[3.0, -1.0], [-1.0, 2.0]]], atol=1e-12)


def test_det_third_derivative_at_a_singular_matrix():
    # d^3 det / (da00 da11 da22) = 1 and d^3 det / (da01 da10 da22) = -1, for any 3 x 3 matrix
    t = fgrad.jacfwd(fgrad.hessian(np.linalg.det))(SINGULAR[1])
    assert t[0, 0, 1, 1, 2, 2] == pytest.approx(1.0, abs=1e-12)
    assert t[0, 1, 1, 0, 2, 2] == pytest.approx(-1.0, abs=1e-12)


def test_logabsdet_gradient_at_a_singular_matrix_is_infinite_as_in_jax():
    # JAX: jax.grad(lambda a: jnp.linalg.slogdet(a)[1])([[1, 2], [2, 4]]) = [[inf, -inf], [-inf, inf]],
    # and nan everywhere for the 3 x 3 zero matrix (0 / 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        got = grad(lambda a: np.linalg.slogdet(a)[1])(SINGULAR[0])
        zero = grad(lambda a: np.linalg.slogdet(a)[1])(np.zeros((3, 3)))
    assert got.tolist() == [[math.inf, -math.inf], [-math.inf, math.inf]]
    assert np.isnan(zero).all()


# ---------------------------------------------------------------- cholesky reads the lower triangle
A = np.array([[4.0, 1.0, 0.5], [2.0, 3.0, 0.2], [0.3, 0.4, 2.0]])  # not symmetric: NumPy uses its lower triangle
W = np.array([[1.0, 0.0, 0.0], [2.0, 3.0, 0.0], [-1.0, 0.5, 2.0]])
CHOL_LOSS = lambda a: np.sum(np.linalg.cholesky(a) * W)  # noqa: E731


def test_cholesky_gradient_matches_numpys_forward():
    got = grad(CHOL_LOSS)(A)
    np.testing.assert_allclose(got, fgrad.numerical_grad(CHOL_LOSS, A), atol=1e-8)
    assert got[np.triu_indices(3, 1)].tolist() == [0.0, 0.0, 0.0]  # NumPy never reads them
    fgrad.check_grads(CHOL_LOSS, (A,), order=2)


def test_cholesky_gradient_along_symmetric_directions_is_unchanged():
    # For a symmetric direction D, <grad, D> is the same whether the gradient is this
    # lower-triangular one or the symmetric one JAX returns (JAX symmetrizes the input).
    spd = (A + A.T) / 2
    d = np.array([[1.0, 0.5, -0.2], [0.5, 2.0, 0.3], [-0.2, 0.3, -1.0]])
    eps = 1e-6
    want = (CHOL_LOSS(spd + eps * d) - CHOL_LOSS(spd - eps * d)) / (2 * eps)
    assert np.sum(grad(CHOL_LOSS)(spd) * d) == pytest.approx(want, rel=1e-8)


# ---------------------------------------------------------------- fmax / fmin / maximum / minimum at ties and NaN
NAN = math.nan
PAIRS = [(1.0, 1.0), (2.0, 1.0), (1.0, 2.0), (NAN, 1.0), (1.0, NAN), (NAN, NAN)]


@pytest.mark.parametrize("f, want", [
    # jax.grad(f, argnums=(0, 1)) at each of PAIRS, JAX 0.10.2 with x64:
    (np.fmax, [(0, 1), (1, 0), (0, 1), (0, 1), (1, 0), (1, 0)]),
    (np.fmin, [(0, 1), (0, 1), (1, 0), (0, 1), (1, 0), (1, 0)]),
    (np.maximum, [(0.5, 0.5), (1, 0), (0, 1), (0, 0), (0, 0), (0, 0)]),
    (np.minimum, [(0.5, 0.5), (0, 1), (1, 0), (0, 0), (0, 0), (0, 0)]),
])
def test_extrema_at_ties_and_nans_follow_jax(f, want):
    got = [tuple(map(float, grad(f, argnums=(0, 1))(x, y))) for x, y in PAIRS]
    assert got == [tuple(map(float, w)) for w in want]


def test_fmax_ties_in_arrays_go_to_the_second_argument():
    x, y = np.array([1.0, 2.0, NAN]), np.array([1.0, 1.0, 3.0])
    gx, gy = grad(lambda x, y: np.sum(np.fmax(x, y)), argnums=(0, 1))(x, y)
    assert gx.tolist() == [0.0, 1.0, 0.0] and gy.tolist() == [1.0, 0.0, 1.0]


# ---------------------------------------------------------------- constants changed after vjp/linearize
def test_vjp_fn_refuses_constants_changed_after_tracing():
    w, x = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    _, f_vjp = fgrad.vjp(lambda x: np.sum(x * w), x)
    np.testing.assert_array_equal(f_vjp(1.0)[0], [1.0, 2.0])
    np.testing.assert_array_equal(f_vjp(2.0)[0], [2.0, 4.0])  # unchanged: any number of calls
    w[0] = 10.0  # the rule of `mul` would read the new w: a mix of old and new values
    with pytest.raises(ValueError, match=r"vjp_fn: an array the traced function used as a constant \(float64 of shape \(2,\)\) was modified"):
        f_vjp(1.0)


def test_a_read_only_view_of_a_changed_array_is_caught_too():
    w = np.array([1.0, 2.0])
    view = w[:]
    view.flags.writeable = False
    _, f_vjp = fgrad.vjp(lambda x: np.sum(x * view), np.ones(2))
    w[1] = 7.0
    with pytest.raises(ValueError, match="was modified after tracing"):
        f_vjp(1.0)


def test_linearize_refuses_constants_changed_after_tracing():
    c = np.array([1.0, 2.0])
    _, f_jvp = fgrad.linearize(lambda x: np.sum(np.sin(x) * c), np.array([0.0, 0.0]))
    assert f_jvp(np.array([1.0, 0.0])) == 1.0
    c[0] = 5.0
    with pytest.raises(ValueError, match="linearize's jvp_fn: an array the traced function used as a constant"):
        f_jvp(np.array([1.0, 0.0]))


def test_grad_copies_no_constants():
    from fgrad._transforms import _Traced

    traced = _Traced(lambda x: x * np.ones(3), (np.ones(3),), {}, (0,), "grad")
    assert traced.constants == ()
