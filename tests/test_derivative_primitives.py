"""The derivative primitives `tanh_vjp` and `square_vjp`, and the walk's in-place negation.

tanh's and square's rules are one primitive each of the cotangent, computed in one new
array (the rest in place in that array). They must give exactly what the plain
formulas give, never write into an argument, and differentiate to any order.
"""

import numpy as np
import pytest

import fgrad
from fgrad._core import Node, new_level, value_of
from fgrad._ops import product, square_vjp, tanh_vjp

RNG = np.random.default_rng(7)
T = np.tanh(RNG.uniform(-2.0, 2.0, (3, 4)))
G = RNG.standard_normal((3, 4))

# (g, t): same-shape arrays, scalars, a scalar cotangent, mixed precisions, and a
# cotangent that broadcasts to a larger shape than t (the result cannot reuse t's shape)
CASES = [
    (G, T),
    (np.float64(0.3), np.float64(0.7)),
    (1.0, T),
    (np.float64(2.0), T),
    (G.astype(np.float32), T.astype(np.float32)),
    (G, T.astype(np.float32)),
    (np.float64(1.5), T.astype(np.float32)),
    (G[:, :1], T[:1]),
]


@pytest.mark.parametrize("g, t", CASES)
def test_tanh_vjp_is_the_plain_formula_bit_for_bit(g, t):
    copies = [np.copy(g), np.copy(t)]
    got = tanh_vjp(g, t)
    want = g * (1.0 - np.square(t))
    assert np.shape(got) == np.shape(want) and np.result_type(got) == np.result_type(want)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(g, copies[0])
    np.testing.assert_array_equal(t, copies[1])


@pytest.mark.parametrize("g, x", CASES)
def test_square_vjp_is_the_plain_formula_bit_for_bit(g, x):
    copies = [np.copy(g), np.copy(x)]
    got = square_vjp(g, x)
    want = g * (2.0 * x)
    assert np.shape(got) == np.shape(want) and np.result_type(got) == np.result_type(want)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(g, copies[0])
    np.testing.assert_array_equal(x, copies[1])


@pytest.mark.parametrize("prim", [tanh_vjp, square_vjp], ids=["tanh_vjp", "square_vjp"])
def test_derivative_primitives_differentiate_to_order_three(prim):
    g, t = RNG.standard_normal(4), RNG.uniform(-0.9, 0.9, 4)
    fgrad.check_grads(prim, (g, t), order=3, modes=("fwd", "rev"))
    fgrad.check_grads(lambda t: prim(np.float64(0.7), t), (t,), order=3, modes=("fwd", "rev"))
    fgrad.check_grads(lambda g: prim(g, t[:1]), (g,), order=3, modes=("fwd", "rev"))  # broadcast t


def test_rules_built_on_them_differentiate_to_order_three():
    x = np.array([-1.3, -0.2, 0.4, 1.1])
    for f in (np.tanh, np.square, lambda v: v ** 2, lambda v: np.tanh(v) ** 2 * np.exp(-v)):
        fgrad.check_grads(lambda v: f(v), (x,), order=3, modes=("fwd", "rev"))
    # the closed forms: d/dx tanh = 1 - t², d²/dx² = -2t (1 - t²), d/dx x² = 2x
    t = np.tanh(0.8)
    assert fgrad.grad(np.tanh)(0.8) == 1.0 - t * t
    assert fgrad.grad(fgrad.grad(np.tanh))(0.8) == pytest.approx(-2.0 * t * (1.0 - t * t), rel=1e-15)
    assert fgrad.grad(lambda v: v ** 2)(1.5) == 3.0


def test_each_rule_is_one_record():
    # the derivative's graph: tanh (its rule reads the output), each rule once, and the
    # sum of the two cotangents of x (x**2 itself is not needed)
    graph = fgrad.trace(fgrad.grad(lambda x: x ** 2 + np.tanh(x)))(0.5)
    assert graph.primitive_counts() == {"tanh": 1, "square_vjp": 1, "tanh_vjp": 1, "add": 1}


def test_product_multiplies_constants_first_then_outer_traces():
    # 2 * x * 3 recorded left to right would be two products; constants first make it one
    graph = fgrad.trace(lambda x: product(2.0, x, 3.0))(1.5)
    assert graph.primitive_counts() == {"mul": 1}
    assert graph.applications[0].args[0] == 6.0
    assert product(2.0, 3.0) == 6.0
    # a value of an outer trace is multiplied before one of an inner trace, so that
    # product is recorded on the outer trace only
    outer = Node(np.float64(3.0), level=new_level())
    inner = Node(np.float64(2.0), level=new_level())
    out = product(inner, outer, 2.0)
    assert out.level == inner.level and out.parents == (inner,)
    first = out.args[0]
    assert type(first) is Node and first.level == outer.level and first.parents == (outer,)
    assert first.args == (2.0, 3.0) and value_of(out) == 12.0


# ---------------------------------------------------------------- the walk negates in place
def test_negation_in_place_gives_the_plain_gradient_and_touches_no_caller_array():
    x = np.linspace(-2.0, 2.0, 20_000)
    before = x.copy()
    g = fgrad.grad(lambda v: np.sum(np.tanh(v) ** 2 * np.exp(-v)))(x)
    t, e = np.tanh(x), np.exp(-x)
    np.testing.assert_allclose(g, (2.0 * t * (1.0 - t * t) - t * t) * e, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(x, before)


def test_a_cotangent_shared_by_two_parents_is_not_negated_in_place():
    # add hands one cotangent array to both operands: negating it in place for the
    # `-exp(x)` branch would flip the other branch's cotangent too
    x = np.linspace(0.1, 1.0, 10_000)
    c = np.linspace(1.0, 2.0, 10_000)  # writeable: sum's cotangent reaches add as a fresh c * 1
    want = (-np.exp(x) + np.cos(x)) * c
    # both orders: the walk reaches the negation before or after the other operand
    for f in (lambda v: np.sum((np.sin(v) + -np.exp(v)) * c), lambda v: np.sum((-np.exp(v) + np.sin(v)) * c)):
        np.testing.assert_allclose(fgrad.grad(f)(x), want, rtol=1e-14)


def test_negation_of_a_caller_cotangent_leaves_it_alone():
    x = np.linspace(0.1, 1.0, 10_000)
    ct = np.linspace(1.0, 3.0, 10_000)
    before = ct.copy()
    _, pull = fgrad.vjp(lambda v: -v, x)
    (g,) = pull(ct)
    np.testing.assert_array_equal(g, -before)
    np.testing.assert_array_equal(ct, before)
    np.testing.assert_array_equal(pull(ct)[0], -before)  # and again: nothing was consumed
