"""Signals, ranges, order statistics, nan-moments, polyfit, piecewise, sinc, copysign: conventions
at ties and knots (against JAX where it is installed), edge cases and clear errors.

The smooth behaviour (values and first/second derivatives in both modes) is in the function
table: tests/table_rows_numpy_surface.py, table_rows_reductions.py (order statistics,
nan-moments) and table_rows_elementwise.py (piecewise, sinc, copysign).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from extras_support import import_extra


def grad(f, *args, argnums=0):
    return fgrad.grad(f, argnums=argnums)(*args)


# ---------------------------------------------------------------- conventions (numbers, no JAX needed)
def test_median_of_an_even_count_splits_between_the_middle_two():
    np.testing.assert_array_equal(grad(fnp.median, np.array([5.0, 1.0, 3.0, 2.0])), [0.0, 0.0, 0.5, 0.5])


def test_tied_order_statistics_are_ranked_by_position():
    np.testing.assert_array_equal(grad(fnp.median, np.array([2.0, 2.0, 2.0])), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(grad(fnp.median, np.array([1.0, 2.0, 2.0, 3.0])), [0.0, 0.5, 0.5, 0.0])
    np.testing.assert_array_equal(grad(lambda x: fnp.quantile(x, 0.0), np.array([4.0, 1.0, 1.0])), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(grad(lambda x: fnp.quantile(x, 1.0), np.array([4.0, 1.0, 4.0])), [0.0, 0.0, 1.0])


def test_partition_is_numpys_arrangement_and_moves_each_derivative_with_its_element():
    x = np.array([3.0, 1.0, 2.0, 1.0, 5.0, 0.5])
    weights = np.arange(1.0, 7.0)
    out, pull = fgrad.vjp(lambda t: fnp.partition(t, [1, 4]), x)
    np.testing.assert_array_equal(fgrad.stop_gradient(out), np.partition(x, [1, 4]))
    (g,) = pull(weights)
    # The element at output place p receives weights[p]; ties share nothing (each one its own place).
    arranged = np.partition(x, [1, 4])
    for value in np.unique(x):
        np.testing.assert_allclose(np.sort(g[x == value]), np.sort(weights[arranged == value]))
    assert np.sum(g) == np.sum(weights)


def test_interp_takes_the_right_segment_at_a_knot_and_is_flat_outside():
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    x = np.array([-1.0, 0.0, 1.0, 3.0, 4.0])
    got = grad(lambda t: fnp.sum(fnp.interp(t, xp, fp)), x)
    np.testing.assert_array_equal(got, [0.0, 2.0, 0.5, 0.5, 0.0])


def test_interp_derivative_in_xp_and_fp():
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    # y = fp0 + (fp1 - fp0) (x - xp0) / (xp1 - xp0) at x = 0.25
    np.testing.assert_allclose(grad(lambda f: fnp.interp(0.25, xp, f), fp), [0.75, 0.25, 0.0])
    np.testing.assert_allclose(grad(lambda p: fnp.interp(0.25, p, fp), xp), [-1.5, -0.5, 0.0])
    # left/right are traced constants outside the range
    np.testing.assert_allclose(grad(lambda a: fnp.interp(-1.0, xp, fp, left=a), 7.0), 1.0)


def test_interp_matches_numpy_at_a_duplicated_last_knot_and_with_one_point():
    xp, fp = np.array([0.0, 1.0, 1.0]), np.array([0.0, 2.0, 5.0])
    x = np.array([0.5, 1.0, 2.0])
    out, _ = fgrad.vjp(lambda f: fnp.interp(x, xp, f), fp)
    np.testing.assert_allclose(fgrad.stop_gradient(out), np.interp(x, xp, fp))
    out, _ = fgrad.vjp(lambda f: fnp.interp(x, np.array([1.0]), f, left=-1.0), np.array([4.0]))
    np.testing.assert_allclose(fgrad.stop_gradient(out), np.interp(x, [1.0], [4.0], left=-1.0))
    np.testing.assert_allclose(grad(lambda f: fnp.sum(fnp.interp(x, np.array([1.0]), f)), np.array([4.0])), [3.0])


def test_sinc_is_exact_at_zero_to_every_order():
    d = fnp.sinc
    want = [1.0, 0.0, -math.pi ** 2 / 3, 0.0, math.pi ** 4 / 5]
    for k, w in enumerate(want):
        assert d(0.0) == pytest.approx(w, abs=1e-12), k
        d = fgrad.grad(d)
    # and agrees with the closed form away from 0
    x = 0.3
    assert fgrad.grad(fnp.sinc)(x) == pytest.approx((math.cos(math.pi * x) - np.sinc(x)) / x, rel=1e-12)


def test_copysign_derivatives():
    x1, x2 = np.array([0.5, -0.5, 0.0, -0.0]), np.array([-1.0, -1.0, 2.0, -0.0])
    np.testing.assert_array_equal(grad(lambda a: fnp.sum(fnp.copysign(a, x2)), x1), [-1.0, 1.0, 1.0, -1.0])
    np.testing.assert_array_equal(grad(lambda b: fnp.sum(fnp.copysign(x1, b)), x2), [0.0, 0.0, 0.0, 0.0])


def test_linspace_end_point_weights_and_step():
    jac = fgrad.jacobian(lambda s: fnp.linspace(s[0], s[1], 5, endpoint=False))(np.array([0.0, 1.0]))
    k = np.arange(5) / 5
    np.testing.assert_allclose(jac, np.stack([1 - k, k], axis=1))
    step = fgrad.grad(lambda e: fnp.linspace(0.0, e, 5, retstep=True)[1])(2.0)
    assert step == pytest.approx(0.25)
    samples, step = fnp.linspace(fgrad.stop_gradient(1.0), 2.0, 1, retstep=True)
    assert np.isnan(step) and np.array_equal(samples, [1.0])


def test_ranges_with_integer_dtype_are_plain_and_match_numpy():
    seen = []
    fgrad.grad(lambda s: seen.append(fnp.linspace(s, 10.0, 4, dtype=int)) or s)(1.0)
    np.testing.assert_array_equal(seen[0], np.linspace(1.0, 10.0, 4, dtype=int))
    assert type(seen[0]) is np.ndarray


def test_geomspace_end_points_are_exact_and_negative_ranges_work():
    out, _ = fgrad.vjp(lambda s: fnp.geomspace(s, -8.0, 4), -1.0)
    np.testing.assert_array_equal(fgrad.stop_gradient(out)[[0, -1]], [-1.0, -8.0])
    np.testing.assert_allclose(fgrad.stop_gradient(out), np.geomspace(-1.0, -8.0, 4))


def test_gradient_in_spacing_and_coordinates():
    f = np.array([1.0, 4.0, 9.0, 16.0])
    # Uniform plain coordinates: d/dh of (f[2] - f[0]) / (2 h) at h = 2.
    assert fgrad.grad(lambda h: fnp.gradient(f, h)[1])(2.0) == pytest.approx(-8 / 8)
    # Traced coordinates that happen to be uniform still move the non-uniform stencil.
    c = np.array([0.0, 1.0, 2.0, 3.0])
    got = grad(lambda t: fnp.gradient(f, t)[1], c)
    want = fgrad.numerical_grad(lambda t: np.gradient(f, t)[1], c)
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_polyfit_derivative_in_weights_matches_differences():
    x, y = np.array([0.0, 1.0, 2.0, 3.5, 4.0]), np.array([1.0, 0.5, 2.0, 3.0, 2.5])
    w = np.array([1.0, 2.0, 0.5, 1.5, 1.0])
    got = grad(lambda t: fnp.polyfit(x, y, 2, w=t)[1], w)
    want = fgrad.numerical_grad(lambda t: np.polyfit(x, y, 2, w=t)[1], w)
    np.testing.assert_allclose(got, want, atol=1e-7)
    got_x = grad(lambda t: fnp.polyfit(t, y, 2)[0], x)
    np.testing.assert_allclose(got_x, fgrad.numerical_grad(lambda t: np.polyfit(t, y, 2)[0], x), atol=1e-7)


def test_nan_functions_give_nan_elements_no_derivative():
    x = np.array([[1.0, np.nan, 3.0], [2.0, 5.0, np.nan]])
    g = grad(lambda t: fnp.sum(fnp.nanstd(t, axis=1)) + fnp.nanvar(t) + fnp.nanmedian(t), x)
    assert np.all(g[np.isnan(x)] == 0) and np.all(np.isfinite(g))


def test_all_nan_slices_warn_and_give_nan_as_numpy_does():
    x = np.array([[np.nan, np.nan], [1.0, 2.0]])
    with pytest.warns(RuntimeWarning, match="All-NaN slice"):
        out, _ = fgrad.vjp(lambda t: fnp.nanmedian(t, axis=1), x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_array_equal(fgrad.stop_gradient(out), np.nanmedian(x, axis=1))
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
        out, _ = fgrad.vjp(lambda t: fnp.nanvar(t, axis=1, ddof=1), np.array([[np.nan, 1.0], [1.0, 2.0]]))
    assert np.isnan(fgrad.stop_gradient(out)[0])


def test_quantile_every_method_matches_numpy_on_traced_values():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 7))
    for method in ("inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
                   "hazen", "weibull", "linear", "median_unbiased", "normal_unbiased", "lower", "higher",
                   "nearest", "midpoint"):
        for q in (0.0, 0.07, 0.5, 0.93, 1.0, [0.2, 0.6]):
            out, _ = fgrad.vjp(lambda t: fnp.quantile(t, q, axis=1, method=method), x)
            np.testing.assert_allclose(fgrad.stop_gradient(out), np.quantile(x, q, axis=1, method=method),
                                       rtol=1e-12, err_msg=f"{method} {q}")
            out, _ = fgrad.vjp(lambda t: fnp.nanquantile(t, q, axis=0, method=method, keepdims=True),
                               np.where(x > 1.0, np.nan, x))
            np.testing.assert_allclose(fgrad.stop_gradient(out),
                                       np.nanquantile(np.where(x > 1.0, np.nan, x), q, axis=0, method=method,
                                                      keepdims=True), rtol=1e-12, err_msg=f"nan {method} {q}")


def test_nothing_the_caller_passed_is_changed():
    x = np.array([3.0, 1.0, np.nan, 2.0])
    kept = x.copy()
    fgrad.grad(lambda t: fnp.nanmedian(t) + fnp.sum(fnp.partition(fnp.nan_to_num(t), 1)) + fnp.nanvar(t))(x)
    np.testing.assert_array_equal(x, kept)


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("call, kind, words", [
    (lambda t: fnp.quantile(t, 0.5, weights=np.ones(3), method="inverted_cdf"), TypeError, "weights"),
    (lambda t: fnp.nanvar(t, mean=np.zeros(())), TypeError, "mean="),
    (lambda t: fnp.nanprod(t, where=np.ones(3, bool)), TypeError, "where="),
    (lambda t: fnp.nanprod(t, initial=2.0), TypeError, "initial="),
    (lambda t: fnp.polyfit(np.arange(3.0), t, 1, cov=True), TypeError, "cov"),
    (lambda t: fnp.polyfit(np.ones(3), t, 1), ValueError, "rank deficient"),
    (lambda t: fnp.polyfit(t, t, 1, full=True), TypeError, "full=True"),
    (lambda t: fnp.interp(0.5, np.arange(3.0), t, period=t[0]), TypeError, "period"),
    (lambda t: fnp.partition(t, 1, order="a"), TypeError, "order"),
    (lambda t: fnp.convolve(fnp.reshape(t, (3, 1)), t), ValueError, "one-dimensional"),
    (lambda t: fnp.correlate(t, t, "middle"), ValueError, "mode"),
    (lambda t: fnp.quantile(t, 1.5), ValueError, "range"),
    (lambda t: fnp.percentile(t, -1.0), ValueError, "[0, 100]"),
    (lambda t: fnp.quantile(t, 0.5, method="cubic"), ValueError, "not a valid method"),
    (lambda t: fnp.median(t, out=np.zeros(())), TypeError, "out="),
    (lambda t: fnp.gradient(t, edge_order=3), ValueError, "edge_order"),
    (lambda t: fnp.gradient(t[:2], edge_order=2), ValueError, "too small"),
])
def test_clear_errors_on_traced_values(call, kind, words):
    with pytest.raises(kind, match=re.escape(words)):
        fgrad.grad(lambda t: fnp.sum(call(t)))(np.array([1.0, 2.0, 4.0]))


# ---------------------------------------------------------------- against JAX
@pytest.fixture(scope="module")
def jax_numpy():
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    return jax, jax.numpy


def test_order_statistics_derivatives_agree_with_jax(jax_numpy):
    jax, jnp = jax_numpy
    cases = [np.array([5.0, 1.0, 3.0, 2.0]), np.array([2.0, 2.0, 2.0]), np.array([[3.0, 1.0, 2.0], [0.5, 0.5, 4.0]])]
    for x in cases:
        np.testing.assert_allclose(grad(fnp.median, x), jax.grad(jnp.median)(x))
        for method in ("linear", "lower", "higher", "nearest", "midpoint"):
            for q in (0.3, 0.5):
                if method == "nearest" and ((x.shape[-1] - 1) * q) % 1 == 0.5:
                    continue  # JAX rounds such halves down, NumPy to even: their values differ
                f = lambda np_, t: np_.sum(np_.quantile(t, q, axis=-1, method=method))  # noqa: E731
                np.testing.assert_allclose(grad(lambda t: f(fnp, t), x), jax.grad(lambda t: f(jnp, t))(x),
                                           err_msg=f"{method} {q} {x}")
    x = np.array([4.0, np.nan, 1.0, 2.0])
    np.testing.assert_allclose(grad(fnp.nanmedian, x), jax.grad(jnp.nanmedian)(x))
    np.testing.assert_allclose(grad(lambda t: fnp.nanquantile(t, 0.3), x), jax.grad(lambda t: jnp.nanquantile(t, 0.3))(x))
    # derivative in q
    y = np.array([4.0, 1.0, 3.0, 7.0])
    np.testing.assert_allclose(grad(lambda q: fnp.quantile(y, q), 0.4), jax.grad(lambda q: jnp.quantile(y, q))(0.4))


def test_interp_derivatives_agree_with_jax_at_knots_and_outside(jax_numpy):
    jax, jnp = jax_numpy
    xp, fp = np.array([0.0, 1.0, 3.0, 4.0]), np.array([0.0, 2.0, 3.0, 1.0])
    x = np.array([-1.0, 0.0, 0.5, 1.0, 3.0, 4.0, 5.0])
    for args in ((), (-2.0, 7.0)):
        f = lambda np_, a, b, c: np_.sum(np_.interp(a, b, c, *args) ** 2)  # noqa: E731
        got = fgrad.grad(lambda a, b, c: f(fnp, a, b, c), argnums=(0, 1, 2))(x, xp, fp)
        want = jax.grad(lambda a, b, c: f(jnp, a, b, c), argnums=(0, 1, 2))(x, xp, fp)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, atol=1e-12)


def test_signals_and_ranges_agree_with_jax(jax_numpy):
    jax, jnp = jax_numpy
    rng = np.random.default_rng(3)
    for n, m in ((5, 3), (2, 5)):
        a, v = rng.normal(size=n), rng.normal(size=m)
        for mode in ("full", "same", "valid"):
            for name in ("convolve", "correlate"):
                f = lambda np_, s, t: np_.sum(getattr(np_, name)(s, t, mode) ** 2)  # noqa: E731
                np.testing.assert_allclose(getattr(fnp, name)(a, v, mode), getattr(jnp, name)(a, v, mode),
                                           rtol=1e-12, atol=1e-12)
                got = fgrad.grad(lambda s, t: f(fnp, s, t), argnums=(0, 1))(a, v)
                want = jax.grad(lambda s, t: f(jnp, s, t), argnums=(0, 1))(a, v)
                for g, w in zip(got, want):
                    np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12, err_msg=f"{name} {mode} {n} {m}")
    ends = np.array([0.5, 2.0])
    for fun in (lambda np_, s: np_.linspace(s[0], s[1], 6), lambda np_, s: np_.logspace(s[0], s[1], 4, base=3.0),
                lambda np_, s: np_.geomspace(s[0], s[1], 5, endpoint=False)):
        np.testing.assert_allclose(fgrad.jacobian(lambda s: fun(fnp, s))(ends), jax.jacobian(lambda s: fun(jnp, s))(ends),
                                   rtol=1e-10)
    f = rng.normal(size=(4, 5))
    for kwargs in ({}, {"axis": 1}):  # (jnp.gradient has no edge_order)
        g = lambda np_, t: np_.sum(np_.stack(np_.gradient(t, 0.5, **kwargs)) ** 2)  # noqa: E731
        np.testing.assert_allclose(grad(lambda t: g(fnp, t), f), jax.grad(lambda t: g(jnp, t))(f), rtol=1e-10)


def test_elementwise_and_moments_agree_with_jax(jax_numpy):
    jax, jnp = jax_numpy
    for k in range(1, 4):
        d_f, d_j = fnp.sinc, jnp.sinc
        for _ in range(k):
            d_f, d_j = fgrad.grad(d_f), jax.grad(d_j)
        for x in (0.0, 0.4):
            assert d_f(x) == pytest.approx(float(d_j(x)), abs=1e-9), (k, x)
    x1, x2 = np.array([0.5, -0.5, 0.0, -0.0]), np.array([-1.0, -1.0, 2.0, -0.0])
    np.testing.assert_array_equal(grad(lambda a: fnp.sum(fnp.copysign(a, x2)), x1),
                                  jax.grad(lambda a: jnp.sum(jnp.copysign(a, x2)))(x1))
    x = np.array([[1.0, np.nan, 3.0], [2.0, 5.0, 0.5]])
    for name, kwargs in (("nanvar", {"ddof": 1}), ("nanstd", {"axis": 1}), ("nanprod", {}), ("nancumsum", {"axis": 1}),
                         ("nancumprod", {})):
        f = lambda np_, t: np_.sum(getattr(np_, name)(t, **kwargs) ** 2)  # noqa: E731
        np.testing.assert_allclose(grad(lambda t: f(fnp, t), x), jax.grad(lambda t: f(jnp, t))(x), rtol=1e-10,
                                   err_msg=name)
    xs, ys = np.array([0.0, 1.0, 2.0, 3.5, 4.0]), np.array([1.0, 0.5, 2.0, 3.0, 2.5])
    w = np.array([1.0, 2.0, 0.5, 1.5, 1.0])
    f = lambda np_, y, w: np_.sum(np_.polyfit(xs, y, 2, w=w) ** 2)  # noqa: E731
    got = fgrad.grad(lambda y, w: f(fnp, y, w), argnums=(0, 1))(ys, w)
    want = jax.grad(lambda y, w: f(jnp, y, w), argnums=(0, 1))(ys, w)
    for g, wj in zip(got, want):
        np.testing.assert_allclose(g, wj, rtol=1e-8)
