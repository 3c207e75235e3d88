"""Jacobians, Hessians, HVPs, jvp/linearize and their compositions (issue 3)."""

from __future__ import annotations

import doctest
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import fgrad
from fgrad import hessian, hvp, jacfwd, jacobian, jacrev, jvp, linearize, vjp


def numerical_jacobian(f, x, eps=1e-6):
    """Central differences, column by column: shape f(x).shape + x.shape."""
    x = np.asarray(x, dtype=np.float64)
    out_shape = np.shape(f(x))
    jac = np.zeros(out_shape + x.shape)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = eps
        jac[(...,) + idx] = (np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * eps)
    return jac


def rosenbrock(x):
    return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2


# R^n -> R^m test functions, written with plain NumPy calls.
A = np.array([[1.0, -2.0, 0.5], [0.3, 0.0, 1.5]])
FUNCTIONS = {
    "R3->R2 linear+sin": (lambda x: A @ np.sin(x) + x[0] * x[2], np.array([0.3, -1.2, 0.7])),
    "R2->R4 polynomial": (lambda x: np.array([1.0, 0.0, 0.0, 0.0]) * x[0] ** 2 * x[1]
                          + np.array([0.0, 1.0, 0.0, 0.0]) * np.exp(x[1])
                          + np.array([0.0, 0.0, 1.0, 0.0]) * x[0] / x[1]
                          + np.array([0.0, 0.0, 0.0, 1.0]) * np.tanh(x[0] - x[1]), np.array([0.8, 1.9])),
    "R^(2x3)->R^3 matrix": (lambda m: np.sum(np.cos(m) * m, axis=0) ** 2,
                            np.arange(6.0).reshape(2, 3) / 7),
    "R4->R4 softmax-like": (lambda x: np.exp(x) / np.sum(np.exp(x)), np.array([0.1, -0.4, 1.3, 0.0])),
}


# ---------------------------------------------------------------- Jacobians vs numbers
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("transform", [jacrev, jacfwd, jacobian])
def test_jacobian_equals_numerical_jacobian(name, transform):
    f, x = FUNCTIONS[name]
    got = transform(f)(x)
    want = numerical_jacobian(f, x)
    assert type(got) is np.ndarray
    assert got.shape == np.shape(f(x)) + x.shape
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-8)


def test_jacobian_is_jacrev():
    assert jacobian is jacrev


@pytest.mark.parametrize("transform", [jacrev, jacfwd])
def test_jacobian_shapes_follow_jax(transform):
    x = np.arange(1.0, 7.0).reshape(2, 3)
    assert transform(lambda x: np.sum(x * x))(x).shape == (2, 3)          # scalar out
    assert transform(lambda t: t * np.arange(4.0))(2.0).shape == (4,)       # scalar in
    assert transform(lambda x: x.T * 2.0)(x).shape == (3, 2, 2, 3)
    scalar = transform(lambda t: t ** 3)(2.0)
    assert type(scalar) is np.float64 and scalar == 12.0
    np.testing.assert_array_equal(transform(lambda t: t * np.arange(4.0))(2.0), np.arange(4.0))
    j = transform(lambda x: x.T * 2.0)(x)
    for i, k in np.ndindex(3, 2):
        expect = np.zeros((2, 3))
        expect[k, i] = 2.0
        np.testing.assert_array_equal(j[i, k], expect)


@pytest.mark.parametrize("transform", [jacrev, jacfwd])
def test_jacobian_of_constant_and_unused_inputs_is_zero(transform):
    j = transform(lambda x, y: x * 2.0, argnums=(0, 1))(np.ones(2), np.ones(3))
    np.testing.assert_array_equal(j[0], 2.0 * np.eye(2))
    np.testing.assert_array_equal(j[1], np.zeros((2, 3)))
    np.testing.assert_array_equal(transform(lambda x: np.ones(2))(np.ones(3)), np.zeros((2, 3)))


@pytest.mark.parametrize("transform", [jacrev, jacfwd])
def test_jacobian_keeps_float32(transform):
    x = np.array([1.0, 2.0], dtype=np.float32)
    j = transform(lambda x: x * x)(x)
    assert j.dtype == np.float32
    np.testing.assert_array_equal(j, np.diag([2.0, 4.0]).astype(np.float32))


@pytest.mark.parametrize("transform", [jacrev, jacfwd, hessian])
def test_transforms_leave_caller_arrays_alone(transform):
    x = np.array([0.5, 1.5])
    before = x.copy()
    transform(lambda x: np.sum(np.sin(x) * x))(x)
    np.testing.assert_array_equal(x, before)
    assert x.flags.writeable
    v = np.array([1.0, 2.0])
    hvp(lambda x: np.sum(x ** 3))(x, v)
    assert x.flags.writeable and v.flags.writeable


def test_returned_jacobian_is_writable_and_independent():
    x = np.array([1.0, 2.0])
    j = jacrev(lambda x: x * 3.0)(x)
    j[0, 0] = 99.0  # a fresh array the caller owns
    assert jacrev(lambda x: x * 3.0)(x)[0, 0] == 3.0


# ---------------------------------------------------------------- Hessians
def test_hessian_of_rosenbrock_at_1_1():
    expected = np.array([[802.0, -400.0], [-400.0, 200.0]])
    x = np.array([1.0, 1.0])
    np.testing.assert_array_equal(hessian(rosenbrock)(x), expected)
    np.testing.assert_array_equal(jacfwd(jacrev(rosenbrock))(x), expected)
    np.testing.assert_array_equal(jacrev(jacrev(rosenbrock))(x), expected)
    np.testing.assert_array_equal(jacfwd(jacfwd(rosenbrock))(x), expected)
    np.testing.assert_array_equal(jacrev(jacfwd(rosenbrock))(x), expected)


def test_hessian_of_rosenbrock_general_point_closed_form():
    x0, x1 = 0.3, -1.7
    want = np.array([[1200 * x0 ** 2 - 400 * x1 + 2, -400 * x0], [-400 * x0, 200.0]])
    np.testing.assert_allclose(hessian(rosenbrock)(np.array([x0, x1])), want, rtol=1e-14)


def test_hessian_of_vector_function_has_jax_shape():
    f = lambda x: np.array([1.0, 0.0]) * x[0] ** 2 * x[1] + np.array([0.0, 1.0]) * np.sin(x[0] * x[1])
    x = np.array([0.4, 1.3])
    h = hessian(f)(x)
    assert h.shape == (2, 2, 2)
    a, b = x
    want = np.array([
        [[2 * b, 2 * a], [2 * a, 0.0]],
        [[-b * b * np.sin(a * b), np.cos(a * b) - a * b * np.sin(a * b)],
         [np.cos(a * b) - a * b * np.sin(a * b), -a * a * np.sin(a * b)]],
    ])
    np.testing.assert_allclose(h, want, rtol=1e-13, atol=1e-15)


def test_hessian_with_tuple_argnums_is_nested_blocks():
    f = lambda x, y: x ** 2 * y ** 3
    h = hessian(f, argnums=(0, 1))(2.0, 3.0)
    # d2/dx2 = 2y^3, d2/dxdy = 6xy^2, d2/dy2 = 6x^2 y
    assert h == ((54.0, 108.0), (108.0, 72.0))


def test_hessian_has_aux():
    h, aux = hessian(lambda x: (np.sum(x ** 3), "aux"), has_aux=True)(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(h, np.diag([6.0, 12.0]))
    assert aux == "aux"


# ---------------------------------------------------------------- jacfwd == jacrev (property)
ACTIVATIONS = {
    "sin": np.sin, "tanh": np.tanh, "cube": lambda z: z ** 3, "gauss": lambda z: np.exp(-z * z),
    "square": np.square, "softsign": lambda z: z / (1.0 + np.abs(z)),
}


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 4), m=st.integers(1, 4), hidden=st.integers(1, 4), seed=st.integers(0, 2 ** 16),
       act=st.sampled_from(sorted(ACTIVATIONS)), matrix_input=st.booleans())
def test_jacfwd_equals_jacrev_on_two_layer_maps(n, m, hidden, seed, act, matrix_input):
    rng = np.random.default_rng(seed)
    in_shape = (n, 2) if matrix_input else (n,)
    W1 = rng.standard_normal((hidden, int(np.prod(in_shape))))
    b1 = rng.standard_normal(hidden)
    W2 = rng.standard_normal((m, hidden))
    sigma = ACTIVATIONS[act]

    def f(x):
        return W2 @ sigma(W1 @ x.reshape(-1) + b1) * np.sum(x)

    x = rng.standard_normal(in_shape)
    fwd, rev = jacfwd(f)(x), jacrev(f)(x)
    assert fwd.shape == rev.shape == (m,) + in_shape
    np.testing.assert_allclose(fwd, rev, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rev, numerical_jacobian(f, x), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- HVP
@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 2 ** 16))
def test_hvp_equals_hessian_times_v_for_random_symmetric_cases(n, seed):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    S = M + M.T  # symmetric
    c = rng.standard_normal(n)
    f = lambda x: 0.5 * x @ S @ x + np.sum(np.sin(c * x)) + np.sum(x ** 4) * 0.1
    x, v = rng.standard_normal(n), rng.standard_normal(n)
    H = hessian(f)(x)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(H, S + np.diag(-c * c * np.sin(c * x) + 1.2 * x * x), rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(hvp(f)(x, v), H @ v, rtol=1e-11, atol=1e-11)


def test_hvp_with_pytree_and_tuple_argnums():
    f = lambda p, y: p["a"] ** 2 * p["b"] * y ** 2
    p = {"a": 2.0, "b": 3.0}
    got = hvp(f, argnums=(0, 1))(p, 5.0, ({"a": 1.0, "b": 0.0}, 0.0))
    # column 'a' of the Hessian: d2/da2 = 2 b y^2, d2/dadb = 2 a y^2, d2/dady = 4 a b y
    assert got == ({"a": 150.0, "b": 100.0}, 120.0)
    assert hvp(f)(p, 5.0, {"a": 0.0, "b": 1.0}) == {"a": 100.0, "b": 0.0}


def test_hvp_does_not_form_the_hessian():
    n = 20_000  # a dense Hessian would take 3.2 GB
    x = np.linspace(-1.0, 1.0, n)
    v = np.ones(n)
    f = lambda x: np.sum(np.sin(x) * x) + np.sum(x[1:] * x[:-1])
    tracemalloc.start()
    try:
        got = hvp(f)(x, v)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2 ** 20
    diag = 2 * np.cos(x) - x * np.sin(x)
    want = diag * v
    want[1:] += v[:-1]
    want[:-1] += v[1:]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- jvp and linearize
def test_jvp_matches_closed_form_and_pytrees():
    out, t = jvp(lambda x, y: np.sin(x) * y, (0.5, 2.0), (1.0, 0.25))
    assert out == np.sin(0.5) * 2.0
    assert t == pytest.approx(np.cos(0.5) * 2.0 + np.sin(0.5) * 0.25, rel=1e-15)
    out, t = jvp(lambda d: (d["a"] * d["b"], [d["a"] ** 2]), ({"a": 3.0, "b": 4.0},), ({"a": 1.0, "b": 0.0},))
    assert out == (12.0, [9.0]) and t == (4.0, [6.0])


def test_jvp_has_aux():
    out, t, aux = jvp(lambda x: (x ** 2, {"x": x}), (3.0,), (1.0,), has_aux=True)
    assert (out, t, aux) == (9.0, 6.0, {"x": 3.0})
    assert type(aux["x"]) is not fgrad.Node


def test_jvp_accepts_integer_tangent_for_float_primal():
    assert jvp(lambda x: x ** 3, (2.0,), (1,))[1] == 12.0


def test_jvp_differentiates_to_higher_order():
    x = 0.7
    d1 = lambda x: jvp(np.sin, (x,), (1.0,))[1]            # cos
    assert fgrad.grad(d1)(x) == pytest.approx(-np.sin(x), rel=1e-15)
    assert fgrad.grad(fgrad.grad(d1))(x) == pytest.approx(-np.cos(x), rel=1e-15)
    d2 = lambda x: jvp(d1, (x,), (1.0,))[1]                 # forward over forward
    assert d2(x) == pytest.approx(-np.sin(x), rel=1e-15)
    assert jvp(d2, (x,), (1.0,))[1] == pytest.approx(-np.cos(x), rel=1e-15)


def test_nested_jvp_has_no_perturbation_confusion():
    # d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x
    f = lambda x: x * jvp(lambda y: x * y, (3.0,), (1.0,))[1]
    assert jvp(f, (2.0,), (1.0,))[1] == 4.0
    assert fgrad.grad(f)(2.0) == 4.0
    assert jvp(lambda x: x * fgrad.grad(lambda y: x * y)(3.0), (2.0,), (1.0,))[1] == 4.0


def test_linearize_reuses_one_trace():
    calls = []

    def f(x):
        calls.append(1)
        return np.sin(x) * x

    x = np.array([0.2, 1.1])
    out, f_jvp = linearize(f, x)
    assert len(calls) == 1
    np.testing.assert_array_equal(out, np.sin(x) * x)
    for t in (np.array([1.0, 0.0]), np.array([0.5, -2.0])):
        np.testing.assert_allclose(f_jvp(t), (np.cos(x) * x + np.sin(x)) * t, rtol=1e-15)
    assert len(calls) == 1


def test_jacfwd_traces_fun_once():
    calls = []

    def f(x):
        calls.append(1)
        return np.tanh(x) * 2.0

    jacfwd(f)(np.ones(5))
    jacrev(f)(np.ones(5))
    assert len(calls) == 2


# ---------------------------------------------------------------- mixed compositions
def f_scalar(x):
    return np.sum(np.sin(x) * x ** 2) + x[0] * x[1] * x[2]


def hessian_f_scalar(x):
    d = 2 * np.sin(x) + 4 * x * np.cos(x) - x ** 2 * np.sin(x)
    H = np.diag(d)
    H[0, 1] = H[1, 0] = x[2]
    H[0, 2] = H[2, 0] = x[1]
    H[1, 2] = H[2, 1] = x[0]
    return H


X3 = np.array([0.3, -0.8, 1.4])
V3 = np.array([1.0, 0.5, -2.0])


def test_jacfwd_of_jacrev_is_the_hessian():
    np.testing.assert_allclose(jacfwd(jacrev(f_scalar))(X3), hessian_f_scalar(X3), rtol=1e-13, atol=1e-14)


def test_jacfwd_of_jacrev_of_vector_function_equals_numbers():
    f, x = FUNCTIONS["R3->R2 linear+sin"]
    got = jacfwd(jacrev(f))(x)
    assert got.shape == (2, 3, 3)
    np.testing.assert_allclose(got, numerical_jacobian(jacrev(f), x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got, jacrev(jacfwd(f))(x), rtol=1e-13, atol=1e-14)


def test_grad_of_jvp_is_hessian_vector_product():
    g = fgrad.grad(lambda x: jvp(f_scalar, (x,), (V3,))[1])(X3)
    np.testing.assert_allclose(g, hessian_f_scalar(X3) @ V3, rtol=1e-13, atol=1e-14)


def test_grad_through_the_tangent_argument_of_jvp():
    # jvp is linear in the tangent: its gradient w.r.t. v is the gradient of f.
    g = fgrad.grad(lambda v: jvp(f_scalar, (X3,), (v,))[1])(V3)
    np.testing.assert_allclose(g, fgrad.grad(f_scalar)(X3), rtol=1e-15)


def test_vjp_of_grad():
    out, f_vjp = vjp(fgrad.grad(f_scalar), X3)
    np.testing.assert_allclose(out, fgrad.grad(f_scalar)(X3), rtol=1e-15)
    (got,) = f_vjp(V3)
    np.testing.assert_allclose(got, hessian_f_scalar(X3).T @ V3, rtol=1e-13, atol=1e-14)
    (again,) = f_vjp(2 * V3)
    np.testing.assert_allclose(again, 2 * got, rtol=1e-15)


def test_third_derivatives_via_hessian_of_grad():
    def f(x):
        return x[0] ** 2 * x[1] + np.sin(x[1]) * x[2] + x[2] ** 4

    x = np.array([0.5, 1.2, -0.7])
    T = hessian(fgrad.grad(f))(x)
    want = np.zeros((3, 3, 3))
    for p in [(0, 0, 1), (0, 1, 0), (1, 0, 0)]:
        want[p] = 2.0
    want[1, 1, 1] = -np.cos(x[1]) * x[2]
    for p in [(1, 1, 2), (1, 2, 1), (2, 1, 1)]:
        want[p] = -np.sin(x[1])
    want[2, 2, 2] = 24 * x[2]
    np.testing.assert_allclose(T, want, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(jacrev(hessian(f))(x), want, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(jacfwd(jacfwd(jacrev(f)))(x), want, rtol=1e-14, atol=1e-15)


def test_grad_of_a_jacobian_and_of_an_hvp():
    f, x = FUNCTIONS["R3->R2 linear+sin"]
    for transform in (jacrev, jacfwd):
        scalar = lambda x: np.sum(transform(f)(x) ** 2)
        np.testing.assert_allclose(fgrad.grad(scalar)(x), fgrad.numerical_grad(scalar, x), rtol=1e-6)
    scalar = lambda x: np.sum(hvp(f_scalar)(x, V3) * x)
    np.testing.assert_allclose(fgrad.grad(scalar)(X3), fgrad.numerical_grad(scalar, X3), rtol=1e-6)


def test_fourth_order_through_mixed_stack():
    f = lambda x: np.tanh(x)
    d4 = fgrad.grad(lambda x: hessian(fgrad.grad(f))(x))(0.4)
    t = np.tanh(0.4)
    # third derivative: -2 (1 - t^2)(1 - 3 t^2); fourth: 8 t (1 - t^2)(2 - 3 t^2)
    assert d4 == pytest.approx(8 * t * (1 - t ** 2) * (2 - 3 * t ** 2), rel=1e-13)


def test_results_are_plain_outside_and_traced_of_outer_level_inside():
    seen = {}

    def inner(x):
        for name, value in (("jacrev", jacrev(np.sin)(x)), ("jacfwd", jacfwd(np.sin)(x)),
                            ("hessian", hessian(lambda y: np.sum(y ** 3))(x)),
                            ("hvp", hvp(lambda y: np.sum(y ** 3))(x, np.ones(2))),
                            ("jvp", jvp(np.sin, (x,), (np.ones(2),))[1])):
            seen[name] = (type(value), value.level == x.level)
        return np.sum(jacrev(np.sin)(x))

    fgrad.grad(inner)(np.array([0.1, 0.2]))
    assert seen == {k: (fgrad.Node, True) for k in seen} and len(seen) == 5
    for value in (jacrev(np.sin)(np.ones(2)), jacfwd(np.sin)(np.ones(2)), hvp(lambda y: np.sum(y ** 3))(np.ones(2), np.ones(2))):
        assert type(value) is np.ndarray


def test_jacobians_with_pytree_inputs_and_outputs():
    def f(p, scale):
        return {"u": p["w"] * p["b"] * scale, "v": (np.sum(p["w"]) ** 2,)}

    p = {"b": 2.0, "w": np.array([1.0, 3.0])}
    for transform in (jacrev, jacfwd):
        j = transform(f)(p, 0.5)
        assert set(j) == {"u", "v"}
        np.testing.assert_array_equal(j["u"]["w"], np.diag([1.0, 1.0]))
        np.testing.assert_array_equal(j["u"]["b"], np.array([0.5, 1.5]))
        np.testing.assert_array_equal(j["v"][0]["w"], np.array([8.0, 8.0]))
        assert j["v"][0]["b"] == 0.0
        j01 = transform(f, argnums=(0, 1))(p, 0.5)
        np.testing.assert_array_equal(j01["u"][1], np.array([2.0, 6.0]))
        np.testing.assert_array_equal(j01["u"][0]["w"], np.diag([1.0, 1.0]))


@pytest.mark.parametrize("transform", [jacrev, jacfwd])
def test_jacobian_has_aux(transform):
    j, aux = transform(lambda x: (x * 2.0, {"n": 3}), has_aux=True)(np.ones(2))
    np.testing.assert_array_equal(j, 2.0 * np.eye(2))
    assert aux == {"n": 3}


@pytest.mark.parametrize("transform", [jacrev, jacfwd])
def test_jacobian_negative_argnums(transform):
    assert transform(lambda x, y: x * y ** 2, argnums=-1)(3.0, 2.0) == 12.0


# ---------------------------------------------------------------- errors
TRANSFORMS = {"jacrev": jacrev, "jacfwd": jacfwd, "hessian": hessian, "hvp": hvp}


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_non_callable_fun_is_refused(name):
    with pytest.raises(TypeError, match=rf"{name}: `fun` must be callable, got int"):
        TRANSFORMS[name](3)


@pytest.mark.parametrize("name", ["jvp", "linearize", "vjp"])
def test_non_callable_fun_is_refused_by_point_transforms(name):
    call = {"jvp": lambda: jvp(3, (1.0,), (1.0,)), "linearize": lambda: linearize("f", 1.0),
            "vjp": lambda: vjp(None, 1.0)}[name]
    with pytest.raises(TypeError, match=rf"{name}: `fun` must be callable"):
        call()


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_bad_argnums_are_refused(name):
    t = TRANSFORMS[name]
    f = lambda x, y: x * y
    with pytest.raises(TypeError, match=rf"{name}: `argnums` must be an int or a tuple of ints, got 'x'"):
        t(f, argnums="x")
    with pytest.raises(ValueError, match=rf"{name}: `argnums` contains duplicates"):
        t(f, argnums=(0, 0))
    with pytest.raises(ValueError, match=rf"{name}: argnums=5 is out of range"):
        t(f, argnums=5)(1.0, 2.0, *((1.0,) if name == "hvp" else ()))


def test_integer_input_is_refused_naming_the_argument():
    with pytest.raises(TypeError, match=r"jacrev: argument 0 \(`x`\) has dtype int64"):
        jacrev(lambda x: x * 2)(np.array([1, 2]))
    with pytest.raises(TypeError, match=r"jacfwd: argument 1 \(`y`\) has dtype int64"):
        jacfwd(lambda x, y: x * y, argnums=1)(1.0, 2)


@pytest.mark.parametrize("transform", [jacrev, jacfwd])
def test_non_float_output_is_refused(transform):
    with pytest.raises(TypeError, match=r"output leaf 1 is a str"):
        transform(lambda x: (x, "label"))(1.0)


def test_jvp_argument_errors_name_the_argument():
    f = lambda x, y: x * y
    with pytest.raises(TypeError, match=r"jvp: `primals` must be a tuple"):
        jvp(f, 1.0, (1.0,))
    with pytest.raises(TypeError, match=r"jvp: `tangents` must be a tuple"):
        jvp(np.sin, (1.0,), np.ones(1))
    with pytest.raises(ValueError, match=r"jvp: `tangents` has 1 entries but `primals` has 2"):
        jvp(f, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match=r"jvp: `tangents` has structure .* must match `primals`"):
        jvp(lambda d: d["a"], ({"a": 1.0},), ({"b": 1.0},))
    with pytest.raises(ValueError, match=r"jvp: `tangents` leaf 0 has shape \(3,\), expected \(2,\)"):
        jvp(np.sin, (np.ones(2),), (np.ones(3),))
    with pytest.raises(TypeError, match=r"jvp: `tangents` leaf 0 must be a float"):
        jvp(np.sin, (1.0,), ("a",))
    with pytest.raises(TypeError, match=r"jvp: argument 0 .*has dtype int64"):
        jvp(np.sin, (1,), (1.0,))


def test_linearized_jvp_checks_its_tangents():
    _, f_jvp = linearize(np.sin, np.ones(2))
    with pytest.raises(ValueError, match=r"linearize: `tangents` leaf 0 has shape \(3,\), expected \(2,\)"):
        f_jvp(np.ones(3))
    with pytest.raises(ValueError, match=r"linearize: `tangents` has 2 entries but `primals` has 1"):
        f_jvp(np.ones(2), np.ones(2))


def test_hvp_checks_v():
    f = lambda x: np.sum(x ** 3)
    with pytest.raises(ValueError, match=r"hvp: `v` leaf 0 has shape \(3,\), expected \(2,\)"):
        hvp(f)(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match=r"hvp: `v` has structure .* must match the differentiated"):
        hvp(f)(np.ones(2), (np.ones(2),))
    with pytest.raises(TypeError, match=r"hvp: call the Hessian-vector product function as `hvp\(fun\)\(\*args, v\)`"):
        hvp(f)(np.ones(2))
    with pytest.raises(TypeError, match=r"hvp: `v` leaf 0 must be a float"):
        hvp(f)(np.ones(2), "v")


def test_tour_shows_a_jacobian_and_the_rosenbrock_hessian(capsys):
    from fgrad import _tour

    assert _tour.jacobians_and_hessians in _tour.SECTIONS
    _tour.jacobians_and_hessians()
    text = capsys.readouterr().out
    assert "[[1. 0.]\n     [0. 2.]]" in text
    assert "[[ 802. -400.]\n     [-400.  200.]]" in text
    assert "(hvp): [ 802. -400.]" in text


# ---------------------------------------------------------------- docstrings run
@pytest.mark.parametrize("module", ["fgrad._jacobians", "fgrad._forward", "fgrad._custom", "fgrad._checks", "fgrad.tree"])
def test_docstring_examples_run(module):
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_indexing_a_scalar_in_forward_mode():
    # a 0-d tangent reaches getitem as a Python float: it used to raise "'float' object is not subscriptable"
    for f in (lambda x: x[np.True_] * x, lambda x: x[None][0] ** 3, lambda x: x[()] * 2.0):
        fgrad.check_grads(f, (0.5,), order=2, modes=("fwd", "rev"))
    assert fgrad.jvp(lambda x: x[None] * x, (3.0,), (1.0,))[1] == pytest.approx(6.0)
