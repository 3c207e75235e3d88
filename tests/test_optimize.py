"""fgrad.optimize: Newton's method and gradient descent against DeZero, closed forms and scipy."""

import math
import re

import attrs
import numpy as np
import pytest
from scipy import optimize as sp

import fgrad
from fgrad.optimize import Iteration, OptimizeResult, gradient_descent, newton
from fgrad.optimize._curvature import hessian_matrix, hvp_operator

DEZERO_NEWTON = [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978, 1.0009084519430513,
                 1.0000012353089454, 1.000000000002289, 1.0]


def quartic(x):
    return x ** 4 - 2 * x ** 2


def rosen2(p):
    return 100 * (p[1] - p[0] ** 2) ** 2 + (1 - p[0]) ** 2


def rosen_nd(x):
    """scipy.optimize.rosen, written with plain np.* calls."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def fs(res):
    return [r.f for r in res.history]


def assert_monotone(res):
    values = fs(res)
    assert all(b <= a for a, b in zip(values, values[1:])), values
    assert values[-1] < values[0]


# ---------------------------------------------------------------- DeZero references
def test_newton_reproduces_dezero_iterates_and_converges_at_iteration_7():
    res = newton(quartic, 2.0)
    xs = [float(r.x) for r in res.history]
    assert len(xs) == len(DEZERO_NEWTON)
    for got, want in zip(xs, DEZERO_NEWTON):
        assert abs(got - want) <= 1e-15, (got, want)
    assert res.converged and res.nit == 7 and res.status == "step"
    assert res.x == 1.0 and res.fun == -1.0 and res.grad == 0.0
    assert isinstance(res.x, np.float64)  # a float in, a float out
    # Every step was the pure Newton step x - f'/f'', accepted in full.
    assert all(r.step_length == 1.0 and r.damping == 0.0 for r in res.history[1:])
    assert (res.nfev, res.ngev, res.nhev) == (8, 8, 7)


def test_newton_iterates_are_the_same_for_a_length_one_vector():
    res = newton(lambda v: quartic(v[0]), np.array([2.0]))
    assert [float(r.x[0]) for r in res.history] == pytest.approx(DEZERO_NEWTON, abs=1e-15)
    assert res.x.shape == (1,) and res.nit == 7


@pytest.mark.parametrize("x0", [(0.0, 2.0), np.array([0.0, 2.0]), [0.0, 2.0]])
def test_gradient_descent_reproduces_dezero_step_28(x0):
    res = gradient_descent(rosen2, x0, lr=0.001, steps=1000)
    x = np.array([float(v) for v in res.x])
    np.testing.assert_allclose(x, [0.6837118569, 0.4659526837], rtol=0, atol=1e-9)
    assert type(res.x) is type(x0)
    assert res.nit == 1000 and res.nfev == 1001 and res.nhev == 0 and len(res.history) == 1001
    assert res.status == "steps" and not res.converged


def test_gradient_descent_is_exactly_the_hand_written_loop():
    x = np.array([0.0, 2.0])
    for _ in range(50):
        x = x - 0.001 * fgrad.grad(rosen2)(x)
    res = gradient_descent(rosen2, np.array([0.0, 2.0]), lr=0.001, steps=50)
    assert np.array_equal(res.x, x)


def test_gradient_descent_with_momentum_is_the_heavy_ball_update():
    x, v = np.array([0.0, 2.0]), np.zeros(2)
    for _ in range(30):
        v = 0.9 * v - 0.001 * fgrad.grad(rosen2)(x)
        x = x + v
    res = gradient_descent(rosen2, np.array([0.0, 2.0]), lr=0.001, steps=30, momentum=0.9)
    np.testing.assert_allclose(res.x, x, rtol=1e-15)
    # Momentum reaches the minimum where plain descent with the same lr crawls.
    fast = gradient_descent(rosen2, np.array([0.0, 2.0]), lr=0.001, steps=1000, momentum=0.9)
    np.testing.assert_allclose(fast.x, [1.0, 1.0], atol=1e-2)


def test_gradient_descent_stops_at_tol_and_on_divergence():
    res = gradient_descent(lambda x: np.sum((x - 3.0) ** 2), np.zeros(2), lr=0.25, steps=1000, tol=1e-10)
    assert res.converged and res.status == "gradient" and res.nit < 50
    np.testing.assert_allclose(res.x, [3.0, 3.0], atol=1e-10)
    with np.errstate(all="ignore"):
        bad = gradient_descent(rosen2, np.array([0.0, 2.0]), lr=0.1, steps=1000)
    assert bad.status == "nonfinite" and not bad.converged and "lower `lr`" in bad.message


# ---------------------------------------------------------------- Rosenbrock
def test_rosenbrock_watchdog_follows_pure_newton_and_beats_scipy_newton_cg():
    x0 = np.array([-1.2, 1.0])
    res = newton(rosen2, x0, line_search="watchdog")
    assert res.converged and res.nit <= 8
    np.testing.assert_allclose(res.x, [1.0, 1.0], rtol=0, atol=1e-8)
    # The iterates are those of the textbook iteration x <- x - H^-1 g with exact derivatives.
    x = x0.copy()
    for record in res.history:
        np.testing.assert_allclose(record.x, x, rtol=1e-12, atol=1e-14)
        x = x - np.linalg.solve(sp.rosen_hess(x), sp.rosen_der(x))
    # scipy's Newton-CG with the same exact derivatives needs an order of magnitude more.
    ref = sp.minimize(sp.rosen, x0, method="Newton-CG", jac=sp.rosen_der, hess=sp.rosen_hess)
    assert ref.nit >= 8 * res.nit, (ref.nit, res.nit)


def test_rosenbrock_default_line_search_descends_monotonically_and_beats_scipy():
    x0 = np.array([-1.2, 1.0])
    res = newton(rosen2, x0)
    assert res.converged
    np.testing.assert_allclose(res.x, [1.0, 1.0], rtol=0, atol=1e-8)
    assert_monotone(res)
    ref = sp.minimize(sp.rosen, x0, method="Newton-CG", jac=sp.rosen_der, hess=sp.rosen_hess)
    assert 2 * res.nit < ref.nit, (ref.nit, res.nit)


def test_pure_newton_without_line_search_lets_f_rise():
    res = newton(rosen2, np.array([-1.2, 1.0]), line_search=False)
    assert res.converged and res.nit == 7
    assert fs(res)[2] == pytest.approx(1411.845179309927, rel=1e-9)  # the famous overshoot


def test_watchdog_stopped_mid_sequence_returns_the_better_point():
    res = newton(rosen2, np.array([-1.2, 1.0]), line_search="watchdog", max_iter=2)
    assert res.status == "max_iter" and not res.converged and res.nit == 2
    assert fs(res)[2] > fs(res)[1] == res.fun
    np.testing.assert_array_equal(res.x, res.history[1].x)
    assert "returning iteration 1" in res.message


@pytest.mark.parametrize("solver", ["direct", "cg"])
def test_rosenbrock_10d_from_zeros_converges_monotonically(solver):
    res = newton(rosen_nd, np.zeros(10), solver=solver, max_iter=200)
    assert res.converged
    np.testing.assert_allclose(res.x, np.ones(10), rtol=0, atol=1e-8)
    assert_monotone(res)
    assert sp.rosen(res.x) == pytest.approx(0.0, abs=1e-20)


def test_rosenbrock_10d_from_alternating_start_reaches_a_local_minimizer_monotonically():
    x0 = np.tile([-1.2, 1.0], 5)
    res = newton(rosen_nd, x0)
    assert res.converged
    assert_monotone(res)
    # The n-D Rosenbrock function has a second local minimum near x[0] = -1 (as trust-exact finds).
    assert np.linalg.norm(sp.rosen_der(res.x)) < 1e-10
    assert np.all(np.linalg.eigvalsh(sp.rosen_hess(res.x)) > 0)
    ref = sp.minimize(sp.rosen, x0, method="trust-exact", jac=sp.rosen_der, hess=sp.rosen_hess)
    np.testing.assert_allclose(res.x, ref.x, atol=1e-5)
    assert res.fun <= ref.fun


# ---------------------------------------------------------------- non-convex starts
def double_well(p):
    return p[0] ** 4 / 4 - p[0] ** 2 / 2 + p[1] ** 2 / 2


def himmelblau(p):
    return (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2


HIMMELBLAU_MINIMA = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]])


@pytest.mark.parametrize("solver", ["direct", "cg"])
@pytest.mark.parametrize("f, x0", [(double_well, [0.01, 0.5]), (himmelblau, [0.09, 2.88]), (himmelblau, [-0.27, -0.92])])
def test_indefinite_start_descends_monotonically_to_a_minimizer(f, x0, solver):
    x0 = np.array(x0)
    assert np.linalg.eigvalsh(hessian_matrix(f, x0)).min() < 0  # a saddle or a maximum nearby
    res = newton(f, x0, solver=solver)
    assert res.converged
    assert_monotone(res)
    assert res.grad_norm < 1e-8
    assert np.all(np.linalg.eigvalsh(hessian_matrix(f, np.asarray(res.x))) > 0)
    if solver == "direct":
        assert res.history[1].damping > 0
    if f is double_well:
        np.testing.assert_allclose(res.x, [1.0, 0.0], atol=1e-10)
    else:
        assert np.min(np.linalg.norm(HIMMELBLAU_MINIMA - res.x, axis=1)) < 1e-5
        assert res.fun < 1e-20


# ---------------------------------------------------------------- kinds of objectives
def taylor_cos(x, threshold=1e-17):
    """cos by its Taylor series, adding terms until they are small: control flow on values."""
    y, i = 0.0, 0
    while True:
        term = (-1) ** i / math.factorial(2 * i) * x ** (2 * i)
        y = y + term
        if abs(term) < threshold:
            return y
        i += 1


def test_newton_on_define_by_run_function():
    res = newton(taylor_cos, 2.5)
    assert res.converged
    assert abs(res.x - np.pi) < 1e-12


def test_newton_on_branching_function_matches_branch_free_twin():
    def piecewise(x):
        total = 0.0
        for i in range(len(x)):
            if x[i] > 1.0:  # steeper above the minimum than below
                total = total + 3.0 * (x[i] - 1.0) ** 2
            else:
                total = total + (x[i] - 1.0) ** 2 + (x[i] - 1.0) ** 4
        return total

    res = newton(piecewise, np.array([4.0, -2.0, 0.5]))
    assert res.converged
    np.testing.assert_allclose(res.x, np.ones(3), atol=1e-8)
    assert_monotone(res)


def test_newton_on_plain_numpy_function_has_closed_form_minimizer():
    # log-sum-exp plus a quadratic: grad = softmax(x) + x = 0 at x_i = -1/n.
    f = lambda x: np.log(np.sum(np.exp(x))) + 0.5 * np.sum(np.square(x))
    res = newton(f, np.array([2.0, -1.0, 0.5, 3.0]))
    assert res.converged
    np.testing.assert_allclose(res.x, np.full(4, -0.25), rtol=0, atol=1e-14)


@attrs.frozen
class Params:
    w: np.ndarray
    b: float


def test_newton_minimises_least_squares_over_an_attrs_record():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=30)
    loss = lambda p: np.mean((X @ p.w + p.b - y) ** 2)
    w0 = np.zeros(3)
    res = newton(loss, Params(w0, 0.0))
    assert isinstance(res.x, Params) and isinstance(res.grad, Params)
    assert res.x.w.shape == (3,) and isinstance(res.x.b, np.float64)
    coef = np.linalg.lstsq(np.hstack([X, np.ones((30, 1))]), y, rcond=None)[0]
    np.testing.assert_allclose(res.x.w, coef[:3], rtol=0, atol=1e-12)
    assert abs(res.x.b - coef[3]) < 1e-12
    assert res.converged and res.nit <= 2  # a quadratic: one Newton step
    assert np.array_equal(w0, np.zeros(3))  # the caller's array is untouched


def test_gradient_descent_on_dict_pytree_keeps_structure_and_dtypes():
    x0 = {"a": np.array([1.0, 2.0], dtype=np.float32), "b": 0.5}
    res = gradient_descent(lambda t: np.sum(t["a"] ** 2) + t["b"] ** 2, x0, lr=0.1, steps=200)
    assert set(res.x) == {"a", "b"} and res.x["a"].dtype == np.float32
    np.testing.assert_allclose(res.x["a"], 0.0, atol=1e-6)
    assert abs(res.x["b"]) < 1e-6


def test_newton_in_float32_stops_on_the_step_test():
    res = newton(rosen2, np.array([-1.2, 1.0], dtype=np.float32))
    assert res.converged and res.x.dtype == np.float32 and res.grad.dtype == np.float32
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-5)


def test_step_test_ends_runs_whose_gradient_is_stuck_above_tol():
    f = lambda x: 1e4 * (x ** 2 - 2.0) ** 2  # |f'| cannot go below ~1e-11 in float64
    res = newton(f, 1.0)
    assert res.converged and res.status == "step"
    assert res.grad_norm > 1e-12 and abs(res.x - math.sqrt(2.0)) < 1e-15


def test_line_search_failure_on_a_wrong_gradient_is_reported():
    f = lambda x: x ** 2 - 3 * fgrad.stop_gradient(x)  # fgrad's derivative omits the -3
    res = newton(f, 1.0)
    assert not res.converged and res.status == "line_search" and res.x == 1.0


def test_nonfinite_objective_stops_cleanly():
    with np.errstate(all="ignore"):
        res = newton(lambda x: np.log(x), -1.0)
    assert res.status == "nonfinite" and not res.converged and res.nit == 0


# ---------------------------------------------------------------- second derivatives
def test_hessian_matrix_and_hvp_are_exact_on_rosenbrock():
    x = np.array([1.0, 1.0])
    np.testing.assert_array_equal(hessian_matrix(rosen2, x), [[802.0, -400.0], [-400.0, 200.0]])
    x = np.array([-1.2, 1.0, 0.3])
    v = np.array([0.5, -2.0, 1.0])
    np.testing.assert_allclose(hvp_operator(rosen_nd, x)(v), sp.rosen_hess(x) @ v, rtol=1e-13)
    np.testing.assert_allclose(hessian_matrix(rosen_nd, x), sp.rosen_hess(x), rtol=1e-13)


# ---------------------------------------------------------------- records, progress, callback
def test_results_are_frozen_with_read_only_arrays():
    res = newton(rosen_nd, np.zeros(3))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        res.nit = 0
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        res.history[0].f = 0.0
    with pytest.raises(ValueError):
        res.x[0] = 5.0
    assert isinstance(res, OptimizeResult) and all(isinstance(r, Iteration) for r in res.history)
    assert [r.iteration for r in res.history] == list(range(res.nit + 1))
    assert res.history[0].step is None and res.history[-1].f == res.fun


def test_repr_and_summary_are_readable():
    res = newton(quartic, 2.0)
    text = repr(res)
    for part in ("converged=True", "nit=7", "fun=-1.0", "x=np.float64(1.0)", "nfev=8", "history=<8 records"):
        assert part in text
    lines = res.summary().splitlines()
    assert len(lines) == 1 + 8 + 1 and lines[-1] == res.message


ROW = re.compile(r"^ *(\d+) +(-?\d\.\d{15}e[+-]\d\d) +(\d\.\d{3}e[+-]\d\d) +(\S+) +(\S+) +(\S+)$")


def test_progress_prints_one_aligned_line_per_iteration(capsys):
    res = newton(quartic, 2.0, progress=True)
    lines = capsys.readouterr().out.splitlines()
    header, rows, message = lines[0], lines[1:-1], lines[-1]
    assert header.split() == ["iter", "f", "|grad|", "|step|", "step", "len", "damping"]
    assert message == res.message and len(rows) == res.nit + 1
    assert {len(line) for line in [header, *rows]} == {len(header)}  # right-aligned columns
    for record, line in zip(res.history, rows):
        m = ROW.match(line)
        assert m, line
        assert int(m[1]) == record.iteration and float(m[2]) == pytest.approx(record.f, rel=1e-15)
    assert ROW.match(rows[0])[4] == "-" and float(ROW.match(rows[1])[4]) == pytest.approx(0.5454545, rel=1e-3)


def test_progress_every_n_prints_those_and_the_last(capsys):
    gradient_descent(rosen2, np.array([0.0, 2.0]), lr=0.001, steps=1000, progress=300)
    lines = capsys.readouterr().out.splitlines()
    assert [int(line.split()[0]) for line in lines[1:-1]] == [0, 300, 600, 900, 1000]


def test_callback_sees_every_record_and_stops_the_run():
    seen = []

    def stop_below(record):
        seen.append(record.iteration)
        return record.f < -0.99

    res = newton(quartic, 2.0, callback=stop_below)
    assert seen == [0, 1, 2, 3] and res.nit == 3 and res.status == "callback" and not res.converged
    assert res.x == DEZERO_NEWTON[3]
    res = gradient_descent(rosen2, np.array([0.0, 2.0]), lr=0.001, steps=100, callback=lambda r: r.iteration == 5)
    assert res.nit == 5 and res.status == "callback"
    assert newton(quartic, 2.0, callback=lambda r: None).nit == 7  # None means "go on"


def test_keep_history_false_keeps_first_and_last():
    res = gradient_descent(rosen2, np.array([0.0, 2.0]), lr=0.001, steps=1000, keep_history=False)
    assert [r.iteration for r in res.history] == [0, 1000]
    np.testing.assert_allclose(res.x, [0.6837118569, 0.4659526837], atol=1e-9)


# ---------------------------------------------------------------- errors
BAD_CALLS = [
    (lambda: newton(3.0, 1.0), TypeError, "`f` must be callable"),
    (lambda: newton(quartic, None), TypeError, "`x0` must be a float"),
    (lambda: newton(quartic, "2.0"), TypeError, "`x0` must be a float"),
    (lambda: newton(quartic, 2), TypeError, r"`x0` has dtype int64.*`2.0`"),
    (lambda: newton(quartic, np.array([1, 2])), TypeError, "`x0` has dtype int64"),
    (lambda: newton(quartic, np.array([1.0], dtype=object)), TypeError, "`x0` has dtype object"),
    (lambda: newton(quartic, 1.0 + 2.0j), TypeError, "`x0` is complex"),
    (lambda: newton(quartic, {}), TypeError, "no numbers to optimize"),
    (lambda: newton(quartic, 2.0, max_iter=0), ValueError, "`max_iter` must be an int >= 1"),
    (lambda: newton(quartic, 2.0, max_iter=2.5), TypeError, "`max_iter` must be an int"),
    (lambda: newton(quartic, 2.0, tol=-1.0), ValueError, "`tol` must be a number >= 0"),
    (lambda: newton(quartic, 2.0, step_tol="small"), TypeError, "`step_tol` must be a number"),
    (lambda: newton(quartic, 2.0, line_search="wolfe"), ValueError, "`line_search` must be"),
    (lambda: newton(quartic, 2.0, solver="lu"), ValueError, "`solver` must be"),
    (lambda: newton(quartic, 2.0, callback=5), TypeError, "`callback` must be callable"),
    (lambda: newton(quartic, 2.0, progress="yes"), TypeError, "`progress` must be"),
    (lambda: gradient_descent(quartic, 2.0, lr=0.0, steps=10), ValueError, "`lr` must be a finite number > 0"),
    (lambda: gradient_descent(quartic, 2.0, lr=-0.1, steps=10), ValueError, "`lr` must be"),
    (lambda: gradient_descent(quartic, 2.0, lr=float("nan"), steps=10), ValueError, "`lr` must be"),
    (lambda: gradient_descent(quartic, 2.0, lr="0.1", steps=10), TypeError, "`lr` must be"),
    (lambda: gradient_descent(quartic, 2.0, lr=0.1, steps=-1), ValueError, "`steps` must be an int >= 0"),
    (lambda: gradient_descent(quartic, 2.0, lr=0.1, steps=1.5), TypeError, "`steps` must be an int"),
    (lambda: gradient_descent(quartic, 2.0, lr=0.1, steps=10, momentum=1.0), ValueError, r"`momentum` must be a number in \[0, 1\)"),
    (lambda: gradient_descent(quartic, None, lr=0.1, steps=10), TypeError, "gradient_descent: `x0`"),
    (lambda: newton(lambda x: x * np.ones(3), 2.0), TypeError, r"`f` must return a scalar .*shape \(3,\)"),
    (lambda: newton(lambda x: (x, x), 2.0), TypeError, "`f` must return a real scalar"),
    (lambda: gradient_descent(lambda x: x, np.ones(2), lr=0.1, steps=3), TypeError, r"shape \(2,\)"),
]


@pytest.mark.parametrize("call, error, match", BAD_CALLS)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_zero_steps_returns_the_start():
    res = gradient_descent(rosen2, np.array([0.0, 2.0]), lr=0.001, steps=0)
    assert res.nit == 0 and len(res.history) == 1
    np.testing.assert_array_equal(res.grad, [-2.0, 400.0])  # DESIGN §9: the gradient at (0, 2)


def test_jitted_derivatives_give_the_same_iterates():
    import fgrad

    rosen = lambda x: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2  # noqa: E731
    x0 = np.array([-1.2, 1.0])
    for line_search in (True, "watchdog"):
        eager = fgrad.optimize.newton(rosen, x0, line_search=line_search)
        compiled = fgrad.optimize.newton(rosen, x0, line_search=line_search, jit=True)
        assert compiled.nit == eager.nit == 7 if line_search == "watchdog" else compiled.nit == eager.nit
        for a, b in zip(compiled.history, eager.history):
            np.testing.assert_array_equal(a.x, b.x)
    gd = fgrad.optimize.gradient_descent(rosen, x0, lr=1e-3, steps=50)
    gd_jit = fgrad.optimize.gradient_descent(rosen, x0, lr=1e-3, steps=50, jit=True)
    np.testing.assert_array_equal(gd.x, gd_jit.x)
    with pytest.raises(TypeError, match="jit"):
        fgrad.optimize.newton(rosen, x0, jit="yes")
