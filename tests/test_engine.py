"""The engine: Node records, primitives, nesting by level, the backward pass."""

import gc
import threading
import tracemalloc

import attrs
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad import Node


def capture(f, *args):
    """The Nodes `f` sees and returns inside a grad (for inspecting records)."""
    seen = {}

    def probe(x):
        seen["x"] = x
        out = f(x)
        seen["out"] = out
        return fnp.sum(out) if np.ndim(fgrad._core.value_of(out)) else out

    fgrad.grad(probe)(*args)
    return seen["x"], seen["out"]


# ---------------------------------------------------------------- records
def test_node_is_frozen_with_read_only_arrays_and_identity_hash():
    x, y = capture(lambda x: x * 2.0, np.array([1.0, 2.0, 3.0]))
    assert isinstance(y, Node) and y.primitive.name == "mul" and y.parents == (x,)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        y.value = np.zeros(3)
    with pytest.raises(ValueError, match="read-only"):
        y.value[0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        x.value[0] = 5.0
    assert hash(y) == object.__hash__(y) and {y: 1}[y] == 1 and y.level == x.level


def test_node_array_metadata_and_repr():
    x, y = capture(lambda x: x + 0.0, np.arange(6.0).reshape(2, 3))
    assert (y.shape, y.ndim, y.size, y.dtype, len(y)) == ((2, 3), 2, 6, np.float64, 2)
    x1, _ = capture(lambda x: x, np.array([1.0, 2.0, 3.0]))
    assert repr(x1) == "Node(f64[3] = [1. 2. 3.])"
    s, _ = capture(lambda x: x, 2.5)
    assert repr(s) == "Node(f64[] = 2.5)" and f"{s:.2f}" == "2.50"
    x32, _ = capture(lambda x: x, np.array([1.0], dtype=np.float32))
    assert repr(x32) == "Node(f32[1] = [1.])"


def test_all_operators_including_reflected_and_matmul():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[0.5, -1.0], [2.0, 0.25]])
    cases = [
        lambda x: x + b, lambda x: b + x, lambda x: x - b, lambda x: b - x, lambda x: x * b,
        lambda x: b * x, lambda x: x / b, lambda x: b / x, lambda x: x ** 2, lambda x: 2.0 ** x,
        lambda x: x ** b, lambda x: b ** x if False else np.abs(b) ** x, lambda x: x @ b,
        lambda x: b @ x, lambda x: -x, lambda x: +x, lambda x: abs(x), lambda x: x.T @ x,
        lambda x: 3 + x, lambda x: 1 - x, lambda x: 2 * x, lambda x: 1 / x,
    ]
    for f in cases:
        g = fgrad.grad(lambda x: fnp.sum(f(x)))(a)
        want = fgrad.numerical_grad(lambda x: np.sum(f(x)), a)
        np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(fgrad.grad(lambda x: fnp.sum(f(x)))(a).shape, a.shape)


def test_ndarray_on_the_left_dispatches_to_fgrad():
    w = np.array([1.0, 2.0, 3.0])
    x = np.array([0.5, -0.5, 2.0])
    np.testing.assert_allclose(fgrad.grad(lambda x: np.sum(w * x))(x), w)
    np.testing.assert_allclose(fgrad.grad(lambda x: np.sum(w - x))(x), -np.ones(3))
    np.testing.assert_allclose(fgrad.grad(lambda x: w @ x)(x), w)
    assert fgrad.grad(lambda x: np.float64(3.0) * x)(2.0) == 3.0


def test_comparisons_bool_int_read_the_value_for_control_flow():
    def relu_ish(x):
        if x > 0:
            return x * x
        elif x <= -1:
            return -x
        return 0.0 * x

    assert fgrad.grad(relu_ish)(3.0) == 6.0
    assert fgrad.grad(relu_ish)(-2.0) == -1.0
    assert fgrad.grad(relu_ish)(-0.5) == 0.0

    def loop(x):
        n = 0
        while x < 100.0:
            x = x * 2.0
            n += 1
        return x * int(n > 0)

    assert fgrad.grad(loop)(3.0) == 64.0
    x, _ = capture(lambda x: x, np.array([1.0, 2.0]))
    np.testing.assert_array_equal(x == np.array([1.0, 5.0]), [True, False])
    np.testing.assert_array_equal(x != 2.0, [True, False])


def test_float_conversion_refused_with_the_explicit_alternative():
    def f(x):
        return float(x) * x

    with pytest.raises(TypeError, match=r"float\(x\.value\).*stop_gradient"):
        fgrad.grad(f)(2.0)
    with pytest.raises(TypeError, match="cut its derivative"):
        fgrad.grad(lambda x: np.asarray(x).sum())(np.ones(2))
    assert fgrad.grad(lambda x: float(x.value) * x)(2.0) == 2.0


def test_in_place_writes_refused():
    def setitem(x):
        x[0] = 1.0
        return x.sum()

    with pytest.raises(TypeError, match="immutable"):
        fgrad.grad(setitem)(np.ones(3))

    def iadd_into_array(x):
        buf = np.zeros(3)
        buf += x
        return buf.sum()

    with pytest.raises(TypeError, match="in place"):
        fgrad.grad(iadd_into_array)(np.ones(3))


def test_rebinding_with_augmented_assignment_is_functional():
    def f(x):
        y = x
        y += 1.0  # rebinding a name, not a write
        y *= x
        return y.sum()

    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(fgrad.grad(f)(x), 2 * x + 1)


# ---------------------------------------------------------------- fast path, no recording outside
def test_outside_a_transform_operations_are_plain_numpy():
    x = np.array([0.1, 0.2])
    y = fnp.sin(x) * 2.0 + fnp.sum(x)
    assert type(y) is np.ndarray
    assert type(fnp.exp(1.0)) is np.float64
    np.testing.assert_allclose(y, np.sin(x) * 2 + 0.3)


def test_primitive_results_inside_are_nodes_of_the_level_and_plain_outside():
    levels = []

    def f(x):
        y = x * x
        levels.append((x.level, y.level))
        return y

    fgrad.grad(f)(1.0)
    fgrad.grad(f)(1.0)
    (a, b), (c, d) = levels
    assert a == b and c == d and c > a  # each transform call opens a fresh, higher level


# ---------------------------------------------------------------- gradients: types, shapes, dtypes
def test_gradient_types_shapes_and_dtypes_follow_the_argument():
    assert type(fgrad.grad(lambda x: x * x)(3.0)) is np.float64
    g32 = fgrad.grad(lambda x: fnp.sum(x * x * 2.0))(np.array([1.0, 2.0], dtype=np.float32))
    assert g32.dtype == np.float32 and g32.tolist() == [4.0, 8.0]
    s32 = fgrad.grad(lambda x: x * x)(np.float32(3.0))
    assert type(s32) is np.float32 and s32 == 6.0
    g0 = fgrad.grad(lambda x: x * x)(np.array(3.0))
    assert isinstance(g0, np.ndarray) and g0.shape == () and g0 == 6.0
    m = np.arange(6.0).reshape(2, 3)
    gm = fgrad.grad(lambda x: fnp.sum(x))(m)
    assert gm.shape == (2, 3) and gm.flags.writeable and gm.base is None
    np.testing.assert_array_equal(gm, np.ones((2, 3)))


def test_independent_output_gives_zero_gradient():
    assert fgrad.grad(lambda x: 3.0)(1.0) == 0.0
    np.testing.assert_array_equal(fgrad.grad(lambda x, y: fnp.sum(y), argnums=0)(np.ones(2), np.ones(3)), [0.0, 0.0])


def test_broadcasting_is_summed_back_to_operand_shapes():
    a = np.random.default_rng(0).standard_normal((4, 3))
    row = np.array([0.5, -1.0, 2.0])
    col = np.array([[1.0], [2.0], [3.0], [4.0]])
    f = lambda a, r, c, s: fnp.sum(fnp.tanh(a * r + c) * s)
    grads = fgrad.grad(f, argnums=(0, 1, 2, 3))(a, row, col, 0.7)
    for i, g in enumerate(grads):
        want = fgrad.numerical_grad(f, a, row, col, 0.7, argnums=i)
        np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-8)
        assert np.shape(g) == np.shape((a, row, col, 0.7)[i])


def test_matmul_all_rank_combinations():
    rng = np.random.default_rng(1)
    shapes = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)), ((3,), (5, 3, 4))]
    for sa, sb in shapes:
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        f = lambda a, b: fnp.sum(fnp.sin(a @ b))
        ga, gb = fgrad.grad(f, argnums=(0, 1))(a, b)
        np.testing.assert_allclose(ga, fgrad.numerical_grad(f, a, b, argnums=0), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(gb, fgrad.numerical_grad(f, a, b, argnums=1), rtol=1e-6, atol=1e-8)


def test_reductions_and_shape_primitives():
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    fns = [
        lambda x: fnp.sum(fnp.sum(x, axis=1) ** 2),
        lambda x: fnp.sum(fnp.sum(x, axis=(0, -1), keepdims=True) * x),
        lambda x: fnp.sum(fnp.mean(x, axis=-1) ** 3),
        lambda x: fnp.sum(fnp.reshape(x, (6, 4)) @ np.ones(4)) ** 2,
        lambda x: fnp.sum(fnp.transpose(x, (2, 0, 1))[0] ** 2),
        lambda x: fnp.sum(fnp.broadcast_to(x[:, :1, :], (2, 5, 4)) ** 2),
        lambda x: fnp.sum(x.reshape(4, 6).T ** 2) + x.mean(),
        lambda x: fnp.sum(x[1, ::2] ** 3) + fnp.sum(x[[0, 0, 1], 1] ** 2),
        lambda x: fnp.sum(fnp.sqrt(fnp.abs(x) + 1.0) * fnp.log(fnp.square(x) + 1.0)),
        lambda x: fnp.sum(fnp.cos(x) * fnp.tan(x / 4) * fnp.exp(-x)),
    ]
    for f in fns:
        np.testing.assert_allclose(fgrad.grad(f)(x), fgrad.numerical_grad(f, x), rtol=1e-5, atol=1e-7)


def test_power_with_traced_exponent_and_zero_base():
    assert fgrad.grad(lambda y: 2.0 ** y)(3.0) == pytest.approx(8 * np.log(2), rel=1e-15)
    assert fgrad.grad(lambda y: 0.0 ** y)(2.0) == 0.0
    gx, gy = fgrad.grad(lambda x, y: x ** y, argnums=(0, 1))(1.5, 2.5)
    assert gx == pytest.approx(2.5 * 1.5 ** 1.5, rel=1e-14)
    assert gy == pytest.approx(1.5 ** 2.5 * np.log(1.5), rel=1e-14)


# ---------------------------------------------------------------- nesting
def test_nested_grad_has_no_perturbation_confusion():
    assert fgrad.grad(lambda x: x * fgrad.grad(lambda y: x * y)(3.0))(2.0) == 4.0


def test_inner_function_capturing_an_outer_traced_value():
    # d/dx [ x * d/dy (x*y^2 + sin(x) y)|_{y=x} ] = d/dx [x (2 x^2 + sin x)] = 6x^2 + sin x + x cos x
    def outer(x):
        inner = fgrad.grad(lambda y: x * y ** 2 + fnp.sin(x) * y)
        return x * inner(x)

    for x in (0.3, 1.7):
        assert fgrad.grad(outer)(x) == pytest.approx(6 * x ** 2 + np.sin(x) + x * np.cos(x), rel=1e-13)


def test_inner_grad_result_is_a_node_of_the_outer_level():
    seen = []

    def outer(x):
        g = fgrad.grad(lambda y: x * y)(3.0)
        seen.append((g.level, x.level))
        return g

    assert fgrad.grad(outer)(2.0) == 1.0
    assert seen[0][0] == seen[0][1]


def test_third_order_grad_of_multivariate_function():
    f = lambda x, y: x ** 3 * y ** 2
    fxxy = fgrad.grad(fgrad.grad(fgrad.grad(f, 0), 0), 1)
    assert fxxy(1.5, 2.0) == pytest.approx(6 * 1.5 * 2 * 2.0, rel=1e-14)


def test_stop_gradient_stops_every_level():
    assert fgrad.grad(lambda x: x * fgrad.stop_gradient(x))(3.0) == 3.0
    assert fgrad.grad(fgrad.grad(lambda x: x ** 2 * fgrad.stop_gradient(x ** 2)))(3.0) == 18.0
    assert fgrad.stop_gradient({"a": 1.0}) == {"a": 1.0}


def test_has_aux_passes_plain_aux_through():
    def loss(w):
        pred = w * 2.0
        return pred ** 2, {"pred": pred, "tag": "ok"}

    (value, aux), g = fgrad.value_and_grad(loss, has_aux=True)(3.0)
    assert value == 36.0 and g == 24.0 and aux["pred"] == 6.0 and aux["tag"] == "ok"
    assert not isinstance(aux["pred"], Node)
    g2, aux2 = fgrad.grad(loss, has_aux=True)(3.0)
    assert g2 == 24.0 and aux2["pred"] == 6.0


def test_keyword_arguments_are_not_differentiated():
    f = lambda x, scale=1.0: scale * x ** 2
    assert fgrad.grad(f)(3.0, scale=2.0) == 12.0


def test_user_defined_primitive_with_defvjp_differentiates_twice():
    cube = fgrad.primitive(lambda x: x ** 3, name="cube")
    fgrad.defvjp(cube, lambda g, ans, x: g * 3.0 * x * x)
    assert fgrad.grad(cube)(2.0) == 12.0
    assert fgrad.grad(fgrad.grad(cube))(2.0) == 12.0
    assert cube(2.0) == 8.0


def test_primitive_without_rule_for_an_argument_says_so():
    f = fgrad.primitive(lambda x, y: x * y, lambda g, ans, x, y: g * y, None, name="half")
    assert fgrad.grad(f)(2.0, 3.0) == 3.0
    with pytest.raises(TypeError, match="`half` with respect to its argument 1"):
        fgrad.grad(f, argnums=1)(2.0, 3.0)


def test_callers_arrays_are_never_modified():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    g = fgrad.grad(lambda x: fnp.sum(x ** 2))(x)
    assert x.flags.writeable and np.array_equal(x, before)
    g[0] = 100.0  # gradients are fresh, writeable arrays that do not alias anything
    assert np.array_equal(x, before)
    ct = np.ones(3)
    _, f_vjp = fgrad.vjp(lambda x: x + 0.0, x)
    (out,) = f_vjp(ct)
    out[0] = 7.0
    assert ct[0] == 1.0 and ct.flags.writeable


# ---------------------------------------------------------------- scale, threads, memory
def test_million_node_chain_differentiates_without_recursion():
    def chain(x):
        for _ in range(1_000_000):
            x = x + 1.0
        return x

    assert fgrad.grad(chain)(0.5) == 1.0


def test_deep_graph_is_freed_without_recursion_error():
    kept = []

    def chain(x):
        for _ in range(300_000):
            x = x * 1.0
        kept.append(x)
        return x

    fgrad.grad(chain)(1.0)
    kept.clear()  # dropping the last reference deallocates a 300k-deep chain of records
    gc.collect()


def _long_chain(x):
    for _ in range(100_000):
        x = np.sin(x) * 1.0001 + 0.001
    return x


@pytest.mark.parametrize("derivative", [
    lambda: fgrad.grad(_long_chain)(0.5),
    lambda: fgrad.jvp(_long_chain, (0.5,), (1.0,))[1],
    lambda: fgrad.jacrev(_long_chain)(0.5),
    lambda: fgrad.jacfwd(_long_chain)(0.5),
], ids=["grad", "jvp", "jacrev", "jacfwd"])
def test_the_cyclic_collector_never_scans_a_live_graph(derivative):
    # Records are acyclic and freed by reference counting; a collection started while
    # a graph is alive (e.g. between the trace and the walk) would traverse every
    # record of it: 0.5 s for a 10**6-step chain.
    scanned = []

    def on_collection(phase, info):
        if phase == "start":
            scanned.append(gc.get_count()[0])  # tracked objects allocated since the last one

    gc.collect()
    gc.callbacks.append(on_collection)
    try:
        slope = derivative()
    finally:
        gc.callbacks.remove(on_collection)
    x, dx = 0.5, 1.0
    for _ in range(100_000):  # the same chain by forward accumulation in Python floats
        x, dx = np.sin(x) * 1.0001 + 0.001, np.cos(x) * 1.0001 * dx
    assert slope == pytest.approx(dx, rel=1e-9, abs=1e-300)
    assert all(count < 10_000 for count in scanned), scanned


def test_threads_running_different_nested_grads_get_exact_results():
    def nth_derivative(n):
        f = np.sin
        for _ in range(n):
            f = fgrad.grad(f)
        return f

    expected = {n: [np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)][n % 4] for n in range(1, 9)}
    results, errors = {}, []
    barrier = threading.Barrier(8)

    def work(n):
        try:
            barrier.wait()
            f = nth_derivative(n)
            results[n] = [f(x) for x in np.linspace(-2, 2, 15)]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for n in range(1, 9):
        np.testing.assert_allclose(results[n], expected[n](np.linspace(-2, 2, 15)), rtol=1e-12, atol=1e-12)


def test_repeated_grad_calls_leave_memory_flat():
    g = fgrad.grad(lambda x: fnp.sum(fnp.tanh(x) * x))
    x = np.ones(16)
    for _ in range(200):
        g(x)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(10_000):
        g(x)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 200_000, f"memory grew by {grown} bytes over 10^4 grad calls"
