"""custom_vjp: user-written backward rules, exact where the naive expression overflows."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fgrad


# ---------------------------------------------------------------- a numerically stable log(1 + e^x)
@fgrad.custom_vjp
def log1pexp(x):
    # max(x, 0) + log(1 + exp(-|x|)): never overflows; written in fgrad-differentiable
    # operations so the rule below can be differentiated again.
    return (x + np.abs(x)) / 2 + np.log(1.0 + np.exp(-np.abs(x)))


def log1pexp_fwd(x):
    out = log1pexp(x)
    return out, (x, out)


def log1pexp_bwd(residuals, g):
    x, out = residuals
    return (g * np.exp(x - out),)  # sigmoid(x) = e^x / (1 + e^x) = exp(x - log1pexp(x))


log1pexp.defvjp(log1pexp_fwd, log1pexp_bwd)


def naive(x):
    return np.log(1.0 + np.exp(x))


def sigmoid(x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def test_gradient_at_1000_is_finite_and_exact_where_naive_overflows():
    assert log1pexp(1000.0) == 1000.0
    g = fgrad.grad(log1pexp)(1000.0)
    assert np.isfinite(g) and abs(g - 1.0) <= 1e-15
    with np.errstate(over="ignore", invalid="ignore"):
        assert not np.isfinite(fgrad.grad(naive)(1000.0))


def test_gradient_at_moderate_x_equals_the_sigmoid():
    for x in np.linspace(-30.0, 30.0, 61):  # equal up to a few units in the last place
        assert fgrad.grad(log1pexp)(x) == pytest.approx(sigmoid(x), rel=4e-15)
    assert fgrad.grad(log1pexp)(-1000.0) == 0.0


def test_higher_derivatives_differentiate_the_rule():
    for x in (-3.0, 0.0, 0.7, 5.0):
        s = sigmoid(x)
        assert fgrad.grad(fgrad.grad(log1pexp))(x) == pytest.approx(s * (1 - s), rel=1e-14)
        third = fgrad.grad(fgrad.grad(fgrad.grad(log1pexp)))(x)
        assert third == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-12, abs=1e-16)
    assert fgrad.grad(fgrad.grad(log1pexp))(1000.0) == 0.0


def test_rule_composes_with_every_transform_on_arrays():
    x = np.array([-1000.0, -3.0, 0.0, 2.5, 1000.0])
    s = sigmoid(x)
    for transform in (fgrad.jacrev, fgrad.jacfwd):
        np.testing.assert_allclose(transform(log1pexp)(x), np.diag(s), rtol=1e-15)
    np.testing.assert_allclose(fgrad.hessian(lambda x: np.sum(log1pexp(x)))(x), np.diag(s * (1 - s)), rtol=1e-14)
    np.testing.assert_allclose(fgrad.hvp(lambda x: np.sum(log1pexp(x)))(x, np.ones(5)), s * (1 - s), rtol=1e-14)
    out, t = fgrad.jvp(log1pexp, (x,), (np.ones(5),))
    np.testing.assert_allclose(t, s, rtol=1e-15)
    third = fgrad.hessian(fgrad.grad(lambda x: np.sum(log1pexp(x))))(x[1:4])
    np.testing.assert_allclose(np.diagonal(np.diagonal(third)), (s * (1 - s) * (1 - 2 * s))[1:4], rtol=1e-12, atol=1e-16)
    fgrad.check_grads(log1pexp, (x[1:4],), order=3)


def test_rule_is_used_at_every_nesting_level():
    # f(x) * f'(x): the outer derivative of f(x) must use the custom rule too
    x = 2.0
    s = sigmoid(x)
    got = fgrad.grad(lambda x: log1pexp(x) * fgrad.grad(log1pexp)(x))(x)
    assert got == pytest.approx(s * s + log1pexp(x) * s * (1 - s), rel=1e-14)


# A stable forward written with a NumPy tool fgrad cannot see through (np.vectorize over
# Python math): only the custom rule can differentiate it.
_log1pexp_elementwise = np.vectorize(lambda v: math.log1p(math.exp(-abs(v))) + max(v, 0.0), otypes=[float])


@fgrad.custom_vjp
def log1pexp_numpy(x):
    return _log1pexp_elementwise(x)[()]


def log1pexp_numpy_fwd(x):
    out = log1pexp_numpy(x)  # the residual goes through this function again, hence its rule
    return out, (x, out)


log1pexp_numpy.defvjp(log1pexp_numpy_fwd, log1pexp_bwd)


def test_any_numpy_forward_differentiates_to_any_order_through_the_rule():
    with pytest.raises(TypeError, match=r"cannot convert the traced value .* cut its derivative"):
        fgrad.grad(_log1pexp_elementwise)(1.0)
    x = np.array([-1000.0, -2.0, 0.0, 1.5, 1000.0])
    s = sigmoid(x)
    np.testing.assert_allclose(fgrad.grad(lambda x: np.sum(log1pexp_numpy(x)))(x), s, rtol=4e-15)
    np.testing.assert_allclose(fgrad.hessian(lambda x: np.sum(log1pexp_numpy(x)))(x), np.diag(s * (1 - s)), rtol=1e-14)
    third = fgrad.grad(fgrad.grad(fgrad.grad(log1pexp_numpy)))(0.7)
    s7 = sigmoid(0.7)
    assert third == pytest.approx(s7 * (1 - s7) * (1 - 2 * s7), rel=1e-13)
    fgrad.check_grads(log1pexp_numpy, (x[1:4],), order=3)


def test_fifth_derivative_runs_fwd_once_per_level():
    calls = []

    @fgrad.custom_vjp
    def softplus(x):
        return np.logaddexp(0.0, x)

    def softplus_fwd(x):
        calls.append(x)
        out = softplus(x)
        return out, (x, out)

    softplus.defvjp(softplus_fwd, log1pexp_bwd)
    d = softplus
    for _ in range(5):
        d = fgrad.grad(d)
    s = sigmoid(0.3)
    # the fourth derivative of the sigmoid
    assert d(0.3) == pytest.approx(s * (1 - s) * (1 - 2 * s) * (1 - 12 * s + 12 * s * s), rel=1e-12)
    assert len(calls) == 5


# ---------------------------------------------------------------- other uses
@fgrad.custom_vjp
def clip_gradient(x, lo, hi):
    return x


# Clipping is not linear in g, so this rule is for first-order reverse mode only.
clip_gradient.defvjp(lambda x, lo, hi: (x, (lo, hi)), lambda res, g: (np.clip(g, res[0], res[1]), None, None))


def test_rule_replaces_the_derivative():
    # forward is the identity, backward clips the cotangent
    g = fgrad.grad(lambda x: np.sum(clip_gradient(x, -1.0, 1.0) * np.array([5.0, -0.5, -7.0])))(np.zeros(3))
    np.testing.assert_array_equal(g, [1.0, -0.5, -1.0])


@fgrad.custom_vjp
def round_ste(x):
    return np.round(x)


round_ste.defvjp(lambda x: (round_ste(fgrad.stop_gradient(x)), None), lambda res, g: (g,))


def test_straight_through_estimator():
    x = np.array([0.2, 1.7, -2.6])
    w = np.array([1.0, 2.0, 3.0])
    value, g = fgrad.value_and_grad(lambda x: np.sum(round_ste(x) * w))(x)
    assert value == 0.0 * 1 + 2.0 * 2 + (-3.0) * 3
    np.testing.assert_array_equal(g, w)


@fgrad.custom_vjp
def scaled_pair(p, k, n):
    """Two outputs from a pytree argument, a plain factor and an integer count."""
    return (p["a"] * p["b"] * k) ** n, p["a"] - k


def scaled_pair_fwd(p, k, n):
    return scaled_pair(p, k, n), (p, k, n)


def scaled_pair_bwd(res, g):
    p, k, n = res
    g_prod, g_diff = g
    base = p["a"] * p["b"] * k
    d = g_prod * n * base ** (n - 1)
    return {"a": d * p["b"] * k + g_diff, "b": d * p["a"] * k}, d * p["a"] * p["b"] - g_diff, None


scaled_pair.defvjp(scaled_pair_fwd, scaled_pair_bwd)


def test_pytree_arguments_multiple_outputs_and_none_cotangents():
    p = {"a": 1.5, "b": -0.5}
    f = lambda p, k: scaled_pair(p, k, 3)[0] + 2.0 * scaled_pair(p, k, 3)[1]
    reference = lambda p, k: (p["a"] * p["b"] * k) ** 3 + 2.0 * (p["a"] - k)
    got = fgrad.grad(f, argnums=(0, 1))(p, 0.8)
    want = fgrad.grad(reference, argnums=(0, 1))(p, 0.8)
    assert got[0]["a"] == pytest.approx(want[0]["a"], rel=1e-14)
    assert got[0]["b"] == pytest.approx(want[0]["b"], rel=1e-14)
    assert got[1] == pytest.approx(want[1], rel=1e-14)
    j = fgrad.jacrev(lambda p: scaled_pair(p, 0.8, 3))(p)
    jw = fgrad.jacrev(lambda p: ((p["a"] * p["b"] * 0.8) ** 3, p["a"] - 0.8))(p)
    for k in (0, 1):
        for key in "ab":
            assert j[k][key] == pytest.approx(jw[k][key], rel=1e-14)
    fgrad.check_grads(lambda p, k: scaled_pair(p, k, 2), (p, 0.8), order=2)


def test_plain_calls_run_the_function_only():
    calls = []

    @fgrad.custom_vjp
    def f(x):
        calls.append("f")
        return x * 2.0

    f.defvjp(lambda x: (calls.append("fwd") or x * 2.0, None), lambda res, g: (g * 2.0,))
    assert f(3.0) == 6.0 and calls == ["f"]
    assert fgrad.grad(f)(3.0) == 2.0 and calls == ["f", "fwd"]
    assert f.__name__ == "f" and "custom_vjp f" in repr(f)


def test_decorating_a_method_and_static_keyword_arguments():
    class Scaler:
        factor = 3.0

        @fgrad.custom_vjp
        def apply(self, x, power=2):
            return self.factor * x ** power

    Scaler.apply.defvjp(lambda self, x, power=2: (self.apply(x, power=power), (self, x, power)),
                        lambda res, g: (None, g * res[0].factor * res[2] * res[1] ** (res[2] - 1)))
    s = Scaler()
    assert fgrad.grad(lambda x: s.apply(x, power=3))(2.0) == 36.0
    with pytest.raises(TypeError, match=r"keyword argument `power` of `apply` is a traced value"):
        fgrad.grad(lambda x: s.apply(1.0 * x, power=x))(2.0)


# ---------------------------------------------------------------- errors
def test_errors_name_what_is_wrong():
    with pytest.raises(TypeError, match=r"custom_vjp: `fun` must be callable, got int"):
        fgrad.custom_vjp(3)

    @fgrad.custom_vjp
    def f(x, y):
        return x * y

    with pytest.raises(TypeError, match=r"custom_vjp.defvjp: `bwd` must be callable"):
        f.defvjp(lambda x, y: (x * y, None), "bwd")
    with pytest.raises(TypeError, match=r"`f` is being differentiated but has no rule yet: call `f.defvjp\(fwd, bwd\)`"):
        fgrad.grad(f)(1.0, 2.0)

    f.defvjp(lambda x, y: x * y, lambda res, g: (g, g))
    with pytest.raises(TypeError, match=r"the fwd rule of `f` must return a pair \(output, residuals\), got float"):
        fgrad.grad(f)(1.0, 2.0)

    f.defvjp(lambda x, y: (x * y, None), lambda res, g: g)
    with pytest.raises(TypeError, match=r"the bwd rule of `f` must return a tuple with one cotangent per positional argument \(2\), got float"):
        fgrad.grad(f)(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, None), lambda res, g: (g,))
    with pytest.raises(TypeError, match=r"\(2\), got tuple of length 1"):
        fgrad.grad(f)(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, None), lambda res, g: (g * np.ones(3), None))
    with pytest.raises(ValueError, match=r"returned a cotangent of shape \(3,\) for argument leaf 0, expected \(\)"):
        fgrad.grad(f)(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, None), lambda res, g: ((g,), None))
    with pytest.raises(ValueError, match=r"returned a cotangent of structure tuple\(\*\) for argument 0, expected \*"):
        fgrad.grad(f)(1.0, 2.0)


def test_differentiated_calls_leave_nothing_behind():
    # Each differentiated call makes a primitive whose rule holds that call's residuals
    # (here 8 MB arrays): once the call returns, nothing may keep them, with or without
    # the cyclic collector.
    import gc
    import tracemalloc

    grad = fgrad.grad(lambda x: np.sum(log1pexp(x * 2.0)))
    x = np.linspace(-3.0, 3.0, 10 ** 6)
    grad(x)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        gc.disable()
        try:
            for _ in range(20):
                g = grad(x)
            del g
            kept = tracemalloc.get_traced_memory()[0] - base
        finally:
            gc.enable()
    finally:
        tracemalloc.stop()
    assert kept < 2 * x.nbytes, f"{kept / x.nbytes:.1f}x the input still held after 20 calls"
