"""`fgrad.trace`: frozen Graph records of what a function computed, derivatives included."""

import collections
import inspect
import sys
import textwrap

import attrs
import numpy as np
import pytest
from numpy.polynomial import Polynomial

import fgrad
from fgrad._core import value_of
from fgrad._tour import goldstein
from graphviz_support import every_dot_text_is_accepted_by_dot  # noqa: F401


def assert_topological(graph):
    position = {n: i for i, n in enumerate(graph.nodes)}
    assert len(position) == len(graph.nodes), "a node is listed twice"
    for n in graph.nodes:
        for p in n.parents:
            assert position[p] < position[n]
    assert graph.nodes[: len(graph.inputs)] == graph.inputs


# ---------------------------------------------------------------- goldstein-price
def test_goldstein_graph_has_38_primitive_applications():
    graph = fgrad.trace(goldstein)(1.0, 1.0)
    # Counting the operators of the formula (see fgrad/_tour.py):
    #   first factor  1 + (x + y + 1)**2 * (19 - 14x + 3x**2 - 14y + 6xy + 3y**2):
    #     add 6 (x+y, +1, +3x², +6xy, +3y², 1+), sub 2, pow 3, mul 7 (14x, 3x², 14y,
    #     6x, ·y, 3y², the product)                                          -> 18
    #   second factor 30 + (2x - 3y)**2 * (18 - 32x + 12x**2 + 48y - 36xy + 27y**2):
    #     add 4, sub 3, pow 3, mul 9 (2x, 3y, 32x, 12x², 48y, 36x, ·y, 27y², product) -> 19
    #   and the product of the two factors                                   ->  1
    # Constants never become nodes and each operator is one primitive: 38 in all.
    assert len(graph.applications) == 38
    assert graph.primitive_counts() == {"add": 10, "mul": 17, "pow": 6, "sub": 5}
    assert [n.name for n in graph.inputs] == ["x", "y"]
    assert len(graph.nodes) == 2 + 38
    assert_topological(graph)
    assert value_of(graph.outputs[0]) == (1 + 9 * 3) * (30 + 1 * 37)  # goldstein(1, 1) = 28 * 67 = 1876
    assert repr(graph) == "Graph(2 inputs, 1 output, 38 primitive applications: add, mul, pow, sub)"


def test_graph_is_a_frozen_record():
    graph = fgrad.trace(goldstein)(1.0, 1.0)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        graph.nodes = ()
    arrays = fgrad.trace(lambda v: v * v)(np.ones(2))
    with pytest.raises(ValueError, match="read-only"):
        arrays.inputs[0].value[0] = 2.0
    with pytest.raises(ValueError, match="read-only"):
        arrays.outputs[0].value[0] = 2.0


# ---------------------------------------------------------------- printing
def test_print_is_a_program_with_shapes_and_dtypes():
    def f(x, w):
        h = fgrad.name(x @ w, "h")
        return np.sum(np.tanh(h) ** 2, axis=0), 3.0

    graph = fgrad.trace(f)(np.ones((2, 3)), np.ones((3, 4), dtype=np.float32))
    assert str(graph) == textwrap.dedent("""\
        graph(x:f64[2,3], w:f32[3,4]) {
          h:f64[2,4] = matmul x w
          t0:f64[2,4] = tanh h
          t1:f64[2,4] = pow t0 2
          t2:f64[4] = sum[axis=0] t1
          return t2, 3.0
        }""")


def test_program_names_are_unique():
    def f(x):
        h = x
        for _ in range(3):
            h = fgrad.name(h * 2.0, "h")
        t0 = fgrad.name(h + 1.0, "t0")  # a user name that looks like an automatic one
        return t0 - h * t0

    assert str(fgrad.trace(f)(1.0)) == textwrap.dedent("""\
        graph(x:f64[]) {
          h:f64[] = mul x 2.0
          h_1:f64[] = mul h 2.0
          h_2:f64[] = mul h_1 2.0
          t0:f64[] = add h_2 1.0
          t1:f64[] = mul h_2 t0
          t2:f64[] = sub t0 t1
          return t2
        }""")


# ---------------------------------------------------------------- inputs
def test_inputs_are_named_after_parameters_and_pytree_paths():
    Pair = collections.namedtuple("Pair", "a b")

    def f(w, params, pair, *rest):
        return w[0] * params["k"] + pair.b * rest[1]

    graph = fgrad.trace(f)([1.0, 2.0], {"k": 3.0}, Pair(4.0, 5.0), 6.0, 7.0)
    assert [n.name for n in graph.inputs] == ["w[0]", "w[1]", "params['k']", "pair.a", "pair.b", "rest[0]", "rest[1]"]
    assert value_of(graph.outputs[0]) == 1.0 * 3.0 + 5.0 * 7.0
    assert_topological(graph)


def test_unnamed_signature_and_argnums():
    try:  # NumPy 2.3 and later give ufuncs signatures; before, the inputs are numbered
        want = list(inspect.signature(np.multiply).parameters)[:2]
    except ValueError:
        want = ["x0", "x1"]
    assert [n.name for n in fgrad.trace(np.multiply)(2.0, 3.0).inputs] == want
    assert [n.name for n in fgrad.trace(lambda *a: a[0] * a[1])(2.0, 3.0).inputs] == ["a[0]", "a[1]"]
    graph = fgrad.trace(lambda x, c: x * c, argnums=0)(2.0, 3.0)
    assert [n.name for n in graph.inputs] == ["x"]
    assert str(graph).splitlines()[1] == "  t0:f64[] = mul x 3.0"


def test_unused_inputs_and_constant_outputs():
    graph = fgrad.trace(lambda x, y: (x + 1.0, 2.0))(1.0, 5.0)
    assert [n.name for n in graph.inputs] == ["x", "y"]
    assert graph.outputs[1] == 2.0
    assert str(graph).splitlines()[-2] == "  return t0, 2.0"


def test_caller_arrays_are_not_touched():
    x = np.arange(3.0)
    graph = fgrad.trace(lambda v: v * v)(x)
    assert x.flags.writeable and np.shares_memory(value_of(graph.inputs[0]), x)


@pytest.mark.parametrize("call, error, match", [
    (lambda: fgrad.trace(3.0), TypeError, "trace: `fun` must be callable"),
    (lambda: fgrad.trace(lambda x: x)("a"), TypeError, r"trace: argument 0 \(`x`\) must be a number"),
    (lambda: fgrad.trace(lambda x: x)(np.array(["a"])), TypeError, "expected numbers"),
    (lambda: fgrad.trace(lambda x: x, argnums=3)(1.0), ValueError, "out of range"),
    (lambda: fgrad.trace(lambda x: x, argnums="0"), TypeError, "argnums"),
])
def test_bad_input_is_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------- naming values
def test_name_changes_neither_values_nor_derivatives():
    def f(x, y):
        a = fgrad.name(x * y, "a")
        return fgrad.name(np.sin(a) * fgrad.name(x, "x_again"), "out")

    def plain(x, y):
        return np.sin(x * y) * x

    assert f(2.0, 3.0) == plain(2.0, 3.0)
    assert fgrad.grad(f, argnums=(0, 1))(2.0, 3.0) == fgrad.grad(plain, argnums=(0, 1))(2.0, 3.0)
    assert fgrad.grad(fgrad.grad(f))(2.0, 3.0) == fgrad.grad(fgrad.grad(plain))(2.0, 3.0)
    x, y = 2.0, 3.0  # closed forms: d/dx = y cos(xy) x + sin(xy), d/dy = x² cos(xy)
    assert fgrad.grad(f, argnums=(0, 1))(x, y) == pytest.approx((y * np.cos(x * y) * x + np.sin(x * y), x * x * np.cos(x * y)), rel=1e-14)


def test_named_functions_pass_the_numerical_checks_in_both_modes():
    f = lambda x: fgrad.name(np.sin(fgrad.name(x, "x0")), "s") * x
    fgrad.check_grads(f, (1.3,), order=3)
    assert fgrad.jvp(f, (1.0,), (1.0,))[1] == pytest.approx(np.cos(1.0) + np.sin(1.0), rel=1e-14)


def test_named_input_keeps_its_gradient():
    # A renamed *copy* of an input would be a new leaf: its gradient would be lost.
    assert fgrad.grad(lambda x: fgrad.name(x, "x0") ** 3)(2.0) == 12.0


def test_a_value_used_named_and_unnamed_is_drawn_once():
    def f(x):
        a = x * x
        return fgrad.name(a, "a") + a

    graph = fgrad.trace(f)(3.0)
    assert graph.primitive_counts() == {"add": 1, "mul": 1}
    assert str(graph).splitlines()[1:3] == ["  a:f64[] = mul x x", "  t0:f64[] = add a a"]
    assert fgrad.grad(f)(3.0) == 12.0


def test_name_outside_transforms_and_on_pytrees():
    x = np.ones(2)
    assert fgrad.name(x, "x") is x
    graph = fgrad.trace(lambda x: fgrad.name((x + 1.0, {"k": x * 2.0}), "pair"))(1.0)
    assert str(graph).splitlines()[1:3] == ["  pair[0]:f64[] = add x 1.0", "  pair[1]['k']:f64[] = mul x 2.0"]
    with pytest.raises(TypeError, match="name: `label` must be a string"):
        fgrad.name(x, 3)
    with pytest.raises(ValueError, match="non-empty"):
        fgrad.name(x, "")


def test_names_inside_grad_show_in_the_traced_derivative():
    def f(x):
        return fgrad.name(np.sin(x), "s") ** 2

    graph = fgrad.trace(fgrad.grad(f))(1.0)
    assert "  s:f64[] = sin x" in str(graph).splitlines()
    assert value_of(graph.outputs[0]) == pytest.approx(np.sin(2.0), rel=1e-14)  # d/dx sin² = sin 2x


# ---------------------------------------------------------------- derivative graphs
def test_trace_of_grad_and_grad_grad():
    # tanh's rule is one primitive, tanh_vjp(g, t) = g * (1 - t**2), of its output t
    assert str(fgrad.trace(fgrad.grad(np.tanh))(1.0)) == textwrap.dedent("""\
        graph(x:f64[]) {
          t0:f64[] = tanh x
          t1:f64[] = tanh_vjp 1.0 t0
          return t1
        }""")
    # and its rule for t is -2 g t: the second derivative reads as -2t (1 - t**2)
    assert str(fgrad.trace(fgrad.grad(fgrad.grad(np.tanh)))(1.0)) == textwrap.dedent("""\
        graph(x:f64[]) {
          t0:f64[] = tanh x
          t1:f64[] = mul -2.0 t0
          t2:f64[] = tanh_vjp t1 t0
          return t2
        }""")


def tanh_derivative(n, x):
    """Closed form: d^n/dx^n tanh = P_n(tanh x), P_0(t) = t, P_{n+1} = P_n' (1 - t^2)."""
    p = Polynomial([0.0, 1.0])
    for _ in range(n):
        p = p.deriv() * Polynomial([1.0, 0.0, -1.0])
    return p(np.tanh(x))


# The project's figures for higher-order graph growth: primitive applications in
# trace(grad^n(tanh))(x), n = 0..6. tanh's rule is one primitive of its output,
# tanh_vjp(g, t) = g * (1 - t**2), whose own rules are tanh_vjp again (for g) and the
# product -2 g t (constants multiplied first): the primal tanh is computed once and
# each order adds a polynomial in it.
TANH_GRAPH_SIZES = [1, 2, 3, 8, 21, 56, 153]


def test_tanh_derivative_graph_sizes():
    sizes = []
    f = np.tanh
    for n in range(7):
        graph = fgrad.trace(f)(1.0)
        again = fgrad.trace(f)(1.0)
        sizes.append(len(graph.applications))
        assert graph.primitive_counts()["tanh"] == 1
        assert value_of(graph.outputs[0]) == pytest.approx(tanh_derivative(n, 1.0), rel=1e-12)
        assert str(graph) == str(again) and fgrad.to_dot(graph, max_nodes=None) == fgrad.to_dot(again, max_nodes=None)
        assert_topological(graph)
        f = fgrad.grad(f)
    print("\nprimitive applications in trace(grad^n(tanh)), n = 0..6:", sizes)
    assert sizes == TANH_GRAPH_SIZES
    assert all(a < b for a, b in zip(sizes[1:], sizes[2:]))  # growing, and by less than 3x a step
    assert all(b < 3 * a for a, b in zip(sizes[1:], sizes[2:]))


def test_graph_of_inside_a_transform():
    seen = []

    def f(x):
        y = x * x
        seen.append(fgrad.graph_of(y))
        return y

    assert fgrad.grad(f)(3.0) == 6.0
    assert seen[0].primitive_counts() == {"mul": 1} and seen[0].inputs[0].name is None


# ---------------------------------------------------------------- large graphs
def test_long_chains_need_no_recursion():
    n = 100_000
    assert n > sys.getrecursionlimit() * 10

    def chain(x):
        for _ in range(n):
            x = x + 1.0
        return x

    graph = fgrad.trace(chain)(0.0)
    assert len(graph.applications) == n and value_of(graph.outputs[0]) == n
    assert graph.nodes[-1] is graph.outputs[0]
    assert str(graph).count("\n") == n + 2
    assert fgrad.to_dot(graph).count("shape=box") == 500
