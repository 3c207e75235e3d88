"""Traced values that escape their transform raise `fgrad.UnexpectedTracerError` (issue 16, item 3).

A Node stored during one transform (in a dict, a list, a global) and computed with
after that transform's trace has ended used to be taken for a constant: a gradient
of 0.0 inside another transform, a bare Node outside any. Every computation with
one now raises an error naming the value and the transform it came from; every
legitimate use of Nodes after a trace (vjp functions, linearize, Graph records,
nested transforms closing over outer values) keeps working.
"""

import threading

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad._core import _ENDED, _LIVE


def leak_from_grad(x0=2.0):
    """A value computed inside `grad` of `f` and stored in a dict: `box['y']` = 2 * x0."""
    box = {}

    def f(x):
        box["y"] = x * 2.0
        return x * x

    assert fgrad.grad(f)(x0) == 2 * x0
    return box["y"]


# ------------------------------------------------------------ the two cases
def test_value_stored_in_an_inner_grad_and_used_in_the_outer_function_raises():
    box = {}

    def inner(y):
        box["y"] = y
        return y * y

    def outer(x):
        fgrad.grad(inner)(x)
        return x * box["y"]  # gave a gradient of 0.0, as if box['y'] were a constant

    with pytest.raises(fgrad.UnexpectedTracerError) as info:
        fgrad.grad(outer)(3.0)
    message = str(info.value)
    assert "cannot apply `mul` to the traced value Node(f64[] = 3.0)" in message
    assert "an input of the traced function" in message
    assert "created inside `grad` of `" in message and "inner`" in message
    assert "has_aux=True" in message


def test_value_used_outside_any_transform_raises_instead_of_returning_a_node():
    leaked = leak_from_grad(2.0)
    with pytest.raises(fgrad.UnexpectedTracerError) as info:
        leaked * 3.0  # returned Node(f64[] = 12.0)
    message = str(info.value)
    assert "Node(f64[] = 4.0) (the output of `mul`)" in message
    assert "created inside `grad` of `" in message and "whose trace has ended" in message


def test_the_error_is_a_type_error_exported_by_fgrad():
    assert issubclass(fgrad.UnexpectedTracerError, TypeError)
    assert "UnexpectedTracerError" in fgrad.__all__
    with pytest.raises(TypeError, match="whose trace has ended"):
        leak_from_grad() + 1.0


# ------------------------------------------------------------ every way of computing with one
@pytest.mark.parametrize("use, prim", [
    (lambda y: -y, "negative"),
    (lambda y: 1.0 - y, "sub"),
    (lambda y: y ** 2, "pow"),
    (lambda y: y @ y, "matmul"),
    (lambda y: np.sin(y), "sin"),
    (lambda y: np.sum(y), "sum"),
    (lambda y: fnp.exp(y), "exp"),
    (lambda y: y.sum(), "sum"),
    (lambda y: y[0], "getitem"),
    (lambda y: list(y), "getitem"),
    (lambda y: np.maximum(y, 0.0), "maximum"),
    (lambda y: fnp.stack([y, y]), "stack"),
    (lambda y: np.einsum("i,i->", y, y), "einsum"),
])
def test_operators_and_numpy_calls_on_an_escaped_array_raise(use, prim):
    box = {}

    def f(x):
        box["y"] = x * 2.0
        return np.sum(x * x)

    np.testing.assert_array_equal(fgrad.grad(f)(np.array([1.0, 2.0])), [2.0, 4.0])
    with pytest.raises(fgrad.UnexpectedTracerError, match=r"Node\(f64\[2\] = \[2\. 4\.\]\)"):
        use(box["y"])


def test_escaped_value_in_a_later_transform_raises():
    leaked = leak_from_grad(2.0)  # a lower level than the transform below
    with pytest.raises(fgrad.UnexpectedTracerError, match="Node.f64.. = 4.0."):
        fgrad.grad(lambda z: z * leaked)(3.0)
    with pytest.raises(fgrad.UnexpectedTracerError, match="Node.f64.. = 4.0."):
        fgrad.jvp(lambda z: np.sin(z) + leaked, (3.0,), (1.0,))


@pytest.mark.parametrize("transform", [
    lambda f, x: fgrad.grad(f)(x),
    lambda f, x: fgrad.value_and_grad(f)(x),
    lambda f, x: fgrad.vjp(f, x),
    lambda f, x: fgrad.jvp(f, (x,), (1.0,)),
    lambda f, x: fgrad.hessian(f)(x),
    lambda f, x: fgrad.trace(f)(x),
])
def test_escaped_value_as_the_argument_of_a_transform_raises(transform):
    leaked = leak_from_grad(2.0)
    with pytest.raises(fgrad.UnexpectedTracerError, match=r"a transform cannot take as its argument the traced value Node"):
        transform(lambda x: x, leaked)  # the identity computes nothing: the input itself is checked


def test_custom_vjp_and_name_refuse_an_escaped_value():
    @fgrad.custom_vjp
    def double(x):
        return 2.0 * x

    double.defvjp(lambda x: (double(x), None), lambda res, g: (2.0 * g,))
    assert fgrad.grad(double)(1.5) == 2.0
    leaked = leak_from_grad(2.0)
    with pytest.raises(fgrad.UnexpectedTracerError, match="the custom_vjp function `double`"):
        double(leaked)
    with pytest.raises(fgrad.UnexpectedTracerError, match="cannot name the traced value"):
        fgrad.name(leaked, "y")


@pytest.mark.parametrize("transform, name", [
    (lambda f: fgrad.grad(f)(2.0), "grad"),
    (lambda f: fgrad.value_and_grad(f)(2.0), "value_and_grad"),
    (lambda f: fgrad.vjp(f, 2.0)[1](1.0), "vjp"),
    (lambda f: fgrad.jvp(f, (2.0,), (1.0,)), "jvp"),
    (lambda f: fgrad.linearize(f, 2.0)[1](1.0), "linearize"),
    (lambda f: fgrad.jacrev(f)(2.0), "jacrev"),
    (lambda f: fgrad.jacfwd(f)(2.0), "jacfwd"),
    (lambda f: fgrad.hessian(f)(2.0), "hessian"),
    (lambda f: fgrad.trace(f)(2.0), "trace"),
])
def test_the_message_names_the_transform_and_function_that_made_the_value(transform, name):
    box = {}

    def stores_its_square(x):
        box["y"] = x * x
        return x * x * x

    transform(stores_its_square)
    with pytest.raises(fgrad.UnexpectedTracerError) as info:
        box["y"] + 1.0
    message = str(info.value)
    assert f"created inside `{name}` of `" in message and "stores_its_square`" in message
    assert "Node(f64[] = 4.0) (the output of `mul`)" in message


def test_a_forgotten_origin_still_gives_the_error():
    leaked = leak_from_grad(2.0)
    g = fgrad.grad(lambda x: x * x)
    for _ in range(_ENDED.maxlen + 10):  # the names of ended levels are kept for the last ones only
        assert g(1.0) == 2.0
    with pytest.raises(fgrad.UnexpectedTracerError, match=r"created inside a transform \(trace level \d+\)"):
        leaked * 2.0


def test_reading_an_escaped_value_is_allowed():
    # Reading a value computes nothing new and cannot lose a derivative: the number is
    # exactly what was computed then (and `Graph` records are read like this).
    leaked = leak_from_grad(2.0)
    assert bool(leaked > 3.0) and leaked == 4.0 and int(leaked) == 4
    assert f"{leaked:.2f}" == "4.00" and repr(leaked) == "Node(f64[] = 4.0)"
    assert leaked.value == 4.0 and leaked.shape == () and leaked.dtype == np.float64
    assert fgrad.stop_gradient(leaked) == 4.0  # the explicit way to a constant


def test_the_fix_the_message_suggests_works():
    def f(x):
        y = x * 2.0
        return x * x, y  # returned as auxiliary data, not stored

    g, y = fgrad.grad(f, has_aux=True)(2.0)
    assert g == 4.0 and y == 4.0 and type(y) is np.float64


# ------------------------------------------------------------ what must keep working
def test_nested_grad_closing_over_outer_values():
    # inner: d/dy (x y^2) = 2 x y, at y = x: 2 x^2; outer: 4 x = 12 at 3
    assert fgrad.grad(lambda x: fgrad.grad(lambda y: x * y * y)(x))(3.0) == 12.0
    assert fgrad.grad(fgrad.grad(lambda x: x ** 4))(2.0) == 48.0


def test_an_outer_value_stored_and_used_inside_an_inner_transform():
    box = {}

    def outer(x):
        box["x"] = x  # its trace is still running while the inner grad uses it
        return fgrad.grad(lambda y: y * box["x"])(1.0) * x  # x * x

    assert fgrad.grad(outer)(3.0) == 6.0


def test_vjp_function_called_after_vjp_returned():
    out, f_vjp = fgrad.vjp(lambda x: x ** 3, 2.0)
    assert out == 8.0 and f_vjp(1.0) == (12.0,) and f_vjp(0.5) == (6.0,)
    # ... and differentiated, inside a later transform
    assert fgrad.grad(lambda c: f_vjp(c)[0])(1.0) == 12.0
    # a vjp nested in grad: d/dy (x y^2) = 2 x y at y = x, whose derivative is 4 x
    assert fgrad.grad(lambda x: fgrad.vjp(lambda y: x * y * y, x)[1](1.0)[0])(3.0) == 12.0


def test_jvp_linearize_and_jacobians():
    assert fgrad.jvp(lambda x: x ** 3, (2.0,), (1.0,)) == (8.0, 12.0)
    out, f_jvp = fgrad.linearize(lambda x: np.sin(x) * x, 0.0)
    assert out == 0.0 and f_jvp(1.0) == 0.0 and f_jvp(2.0) == 0.0
    out, f_jvp = fgrad.linearize(lambda x: x ** 3, 2.0)
    assert f_jvp(1.0) == 12.0 and fgrad.grad(lambda t: f_jvp(t))(1.0) == 12.0
    assert fgrad.grad(lambda x: fgrad.linearize(lambda y: y ** 3, x)[1](1.0))(2.0) == 12.0  # 6 x
    np.testing.assert_array_equal(fgrad.jacfwd(lambda x: x * x)(np.array([1.0, 2.0])), [[2.0, 0.0], [0.0, 4.0]])
    np.testing.assert_array_equal(fgrad.jacrev(lambda x: x * x)(np.array([1.0, 2.0])), [[2.0, 0.0], [0.0, 4.0]])


def test_hessian():
    rosenbrock = lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    np.testing.assert_allclose(fgrad.hessian(rosenbrock)(np.array([1.0, 1.0])),
                               [[802.0, -400.0], [-400.0, 200.0]], rtol=1e-12)


def test_custom_vjp_to_every_order():
    @fgrad.custom_vjp
    def cube(x):
        return x ** 3

    def cube_fwd(x):
        return cube(x), x

    cube.defvjp(cube_fwd, lambda x, g: (3 * x * x * g,))
    assert fgrad.grad(cube)(2.0) == 12.0
    assert fgrad.grad(fgrad.grad(cube))(2.0) == 12.0
    assert fgrad.jvp(cube, (2.0,), (1.0,)) == (8.0, 12.0)


def test_trace_then_print_draw_and_read_the_graph():
    graph = fgrad.trace(lambda x, y: fgrad.name(x * y, "z") + x)(2.0, 3.0)
    text = str(graph)
    assert "z:f64[] = mul x y" in text and "add z x" in text
    assert "mul" in fgrad.to_dot(graph)
    assert [float(n.value) for n in graph.nodes] == [2.0, 3.0, 6.0, 6.0, 8.0]
    assert repr(graph.outputs[0]) == "Node(f64[] = 8.0)"
    # ... but computing a new value from it raises: the trace is over
    with pytest.raises(fgrad.UnexpectedTracerError, match="created inside `trace` of `"):
        graph.outputs[0] * 2.0


def test_check_grads_passes():
    fgrad.check_grads(lambda x: np.tanh(x) * x, (0.3,), order=2)


def test_levels_end_when_the_function_raises_and_the_table_stays_small():
    live = dict(_LIVE)

    def fails(x):
        raise RuntimeError("boom")

    for transform in (fgrad.grad, fgrad.trace, lambda f: fgrad.jacfwd(fgrad.grad(f))):
        with pytest.raises(RuntimeError, match="boom"):
            transform(fails)(1.0)
    g = fgrad.grad(fgrad.grad(lambda x: x ** 3))
    for _ in range(_ENDED.maxlen + 10):
        assert g(1.0) == 6.0
    assert _LIVE == live and len(_ENDED) == _ENDED.maxlen
    assert fgrad._core._TOP == max(_LIVE, default=0)  # bind's shortcut: the highest live level


def test_threads_each_running_transforms():
    results = {}

    def work(k):
        g = fgrad.grad(fgrad.grad(lambda x: x ** 3))
        results[k] = [g(float(k)) for _ in range(300)]

    threads = [threading.Thread(target=work, args=(k,)) for k in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {k: [6.0 * k] * 300 for k in (1, 2, 3)}
    assert fgrad._core._TOP == max(_LIVE, default=0)
