"""The derivative primitives `tanh_vjp` and `square_vjp`, and the walk's in-place work.

tanh's and square's rules are one primitive each of the cotangent, computed in one new
array (the rest in place in that array; on large arrays block by block, or in the
cotangent's own buffer when the walk lends it). They must give exactly what the plain
formulas give, never write into a caller's array, and differentiate to any order.
"""

import numpy as np
import pytest

import fgrad
from fgrad import _backward, _kernels
from fgrad._core import Node, new_level, value_of
from fgrad._ops import product, square_vjp, tanh_vjp
from fgrad._rules import overwrites_cotangent

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


# ---------------------------------------------------------------- blockwise kernels, lent buffers
LARGE = 2 * _kernels.BLOCK + 3  # more than one block, the last one partial


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(LARGE,), (3, _kernels.MIN_SIZE // 2 + 1)], ids=["1d", "2d"])
def test_large_arrays_take_the_blockwise_kernels_and_get_the_plain_numbers(dtype, shape):
    rng = np.random.default_rng(11)
    g = rng.standard_normal(shape).astype(dtype)
    t = np.tanh(rng.standard_normal(shape)).astype(dtype)
    assert _kernels.fusable(g, t)
    copies = [g.copy(), t.copy()]
    for got, want in [(tanh_vjp(g, t), g * (1.0 - np.square(t))), (square_vjp(g, t), g * (2.0 * t))]:
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(g, copies[0])  # nothing lent: the arguments are left alone
    np.testing.assert_array_equal(t, copies[1])


def test_only_plain_contiguous_same_dtype_float_arrays_are_fusable():
    a = np.ones(_kernels.MIN_SIZE)
    assert _kernels.fusable(a, a)
    assert not _kernels.fusable(a[: _kernels.MIN_SIZE - 1], a[1:])  # too small for blocks to pay
    assert not _kernels.fusable(a, np.ones(2 * _kernels.MIN_SIZE)[::2])  # strided view
    assert not _kernels.fusable(a, a.astype(np.float32))  # mixed precisions
    assert not _kernels.fusable(a, np.float64(2.0))  # broadcasting
    assert not _kernels.fusable(a.astype(np.int64), a.astype(np.int64))  # not floating
    assert not _kernels.fusable(np.ones((2, _kernels.MIN_SIZE)).T, np.ones((_kernels.MIN_SIZE, 2)))  # Fortran order


@pytest.fixture
def lent_buffers(monkeypatch):
    """The arrays the backward walk lends to rules in the test (spying on `lend`)."""
    lent = []

    def spy(buffer):
        if buffer is not None:
            lent.append(buffer)
        _kernels.lend(buffer)

    monkeypatch.setattr(_backward, "lend", spy)
    return lent


@pytest.mark.parametrize(
    "f, df",
    [
        (lambda x: np.sum(np.tanh(np.tanh(x))), lambda x: (1 - np.tanh(np.tanh(x)) ** 2) * (1 - np.tanh(x) ** 2)),
        (lambda x: np.sum(np.exp(x ** 2)), lambda x: np.exp(x ** 2) * 2 * x),
        (lambda x: np.sum(np.exp(np.square(x))), lambda x: np.exp(x ** 2) * 2 * x),
    ],
    ids=["tanh(tanh)", "exp(x**2)", "exp(square)"],
)
def test_a_cotangent_only_the_walk_holds_is_lent_and_overwritten(lent_buffers, f, df):
    # the inner rule's g is the outer rule's fresh result: its buffer becomes the gradient
    x = np.linspace(-1.5, 1.5, LARGE)
    g = fgrad.grad(f)(x)
    np.testing.assert_allclose(g, df(x), rtol=1e-13)
    assert len(lent_buffers) == 1 and g is lent_buffers[0]
    assert _kernels._lent is None  # the loan ended with the rule


@pytest.mark.parametrize("f", [np.tanh, np.square, lambda v: v ** 2], ids=["tanh", "square", "pow"])
def test_a_callers_cotangent_is_never_lent(lent_buffers, f):
    x = np.linspace(-1.5, 1.5, LARGE)
    ct = np.linspace(1.0, 2.0, LARGE)
    before = ct.copy()
    _, pull = fgrad.vjp(f, x)
    first = pull(ct)[0]
    np.testing.assert_array_equal(ct, before)
    np.testing.assert_array_equal(pull(ct)[0], first)  # and again: nothing was consumed
    assert lent_buffers == []


def test_a_cotangent_read_by_two_parents_is_not_lent(lent_buffers):
    # a marked rule for `a` could overwrite g before the rule for `b` reads it
    twice = fgrad.primitive(
        lambda a, b: a * a + b,
        overwrites_cotangent(lambda g, ans, a, b: square_vjp(g, a)),
        lambda g, ans, a, b: g,
        name="twice",
    )
    a, b = np.linspace(0.0, 1.0, LARGE), np.zeros(LARGE)
    ga, gb = fgrad.grad(lambda a, b: np.sum(twice(np.exp(a), b) * 3.0), argnums=(0, 1))(a, b)
    np.testing.assert_allclose(ga, 3.0 * 2.0 * np.exp(a) * np.exp(a), rtol=1e-14)
    np.testing.assert_array_equal(gb, np.full(LARGE, 3.0))
    assert lent_buffers == []


def test_a_loan_ends_when_the_rule_raises(lent_buffers):
    def failing_rule(g, ans, x):
        raise ArithmeticError("rule failed")

    bad = fgrad.primitive(np.tanh, overwrites_cotangent(failing_rule), name="bad")
    with pytest.raises(ArithmeticError, match="rule failed"):
        fgrad.grad(lambda x: np.sum(bad(x) * 3.0))(np.zeros(LARGE))  # g = 3 * ones: the walk's own
    assert len(lent_buffers) == 1
    assert _kernels._lent is None  # (a loan left behind would keep the array alive)


def test_kernels_under_higher_order_derivatives_keep_the_closed_forms():
    x = np.linspace(-1.5, 1.5, LARGE)
    t = np.tanh(x)
    d2 = fgrad.grad(lambda v: np.sum(fgrad.grad(lambda u: np.sum(np.tanh(u) ** 2))(v)))(x)
    # d/dx t² = 2t(1 - t²); d/dx of that = 2(1 - t²)(1 - 3t²)
    np.testing.assert_allclose(d2, 2.0 * (1.0 - t * t) * (1.0 - 3.0 * t * t), rtol=1e-12, atol=1e-14)
