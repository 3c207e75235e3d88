"""DESIGN §9: the DeZero reference results, reproduced to 1e-12 relative (or as stated)."""

import math

import numpy as np
import pytest
from numpy.polynomial import Polynomial

import fgrad
from fgrad._tour import goldstein

REL = 1e-12


def close(got, want, rel=REL, abs_=0.0):
    return got == pytest.approx(want, rel=rel, abs=abs_)


def test_square_exp_square():
    f = lambda x: np.square(np.exp(np.square(x)))
    value, slope = fgrad.value_and_grad(f)(0.5)
    assert close(value, 1.648721270700128)
    assert close(slope, 3.297442541400256)


def test_reused_variable_and_step16_graph():
    assert fgrad.grad(lambda x: x + x)(3.0) == 2.0

    def f(x):
        a = x ** 2
        return a ** 2 + a ** 2

    value, slope = fgrad.value_and_grad(f)(2.0)
    assert (value, slope) == (32.0, 64.0)


def test_sphere_matyas_goldstein():
    sphere = lambda x, y: x ** 2 + y ** 2
    matyas = lambda x, y: 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y
    assert fgrad.grad(sphere, argnums=(0, 1))(1.0, 1.0) == (2.0, 2.0)
    gx, gy = fgrad.grad(matyas, argnums=(0, 1))(1.0, 1.0)
    assert abs(gx - 0.040000000000000036) <= 1e-15 and abs(gy - 0.040000000000000036) <= 1e-15
    assert fgrad.grad(goldstein, argnums=(0, 1))(1.0, 1.0) == (-5376.0, 8064.0)


def taylor_sin(x, threshold=1e-4):
    """DeZero step 27: terms are added until one is smaller than the threshold."""
    y = 0.0
    for i in range(100000):
        term = (-1) ** i / math.factorial(2 * i + 1) * x ** (2 * i + 1)
        y = y + term
        if abs(term) < threshold:
            return y
    raise AssertionError("series did not converge")


def test_taylor_series_sin_with_python_control_flow():
    value, slope = fgrad.value_and_grad(taylor_sin)(np.pi / 4)
    assert close(value, 0.7071064695751781)
    assert close(slope, 0.7071032148228457)
    assert close(np.sin(np.pi / 4), 0.7071067811865476, rel=1e-15)


def rosenbrock(x0, x1):
    return 100 * (x1 - x0 ** 2) ** 2 + (1 - x0) ** 2


def test_rosenbrock_gradient_and_gradient_descent_loop():
    assert fgrad.grad(rosenbrock, argnums=(0, 1))(0.0, 2.0) == (-2.0, 400.0)
    step = fgrad.grad(rosenbrock, argnums=(0, 1))
    x0, x1 = 0.0, 2.0
    for _ in range(1000):
        g0, g1 = step(x0, x1)
        x0, x1 = x0 - 0.001 * g0, x1 - 0.001 * g1
    assert abs(x0 - 0.6837118569) < 1e-9 and abs(x1 - 0.4659526837) < 1e-9


def test_newton_by_hand_with_second_derivative():
    f = lambda x: x ** 4 - 2 * x ** 2
    d1, d2 = fgrad.grad(f), fgrad.grad(fgrad.grad(f))
    expected = [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978,
                1.0009084519430513, 1.0000012353089454, 1.000000000002289, 1.0]
    x, iterates = 2.0, []
    for _ in range(len(expected)):
        iterates.append(x)
        x = x - d1(x) / d2(x)
    assert iterates == pytest.approx(expected, rel=1e-15, abs=0)


def test_polynomial_derivatives_to_order_four():
    f = lambda x: x ** 4 - 2 * x ** 2
    derivs = [fgrad.grad(f)]
    for _ in range(3):
        derivs.append(fgrad.grad(derivs[-1]))
    for x in (2.0, -0.7, 0.3):
        assert [d(x) for d in derivs] == pytest.approx(
            [4 * x ** 3 - 4 * x, 12 * x ** 2 - 4, 24 * x, 24.0], rel=REL)
    assert derivs[0](2.0) == 24.0 and derivs[1](2.0) == 44.0


def test_sin_derivatives_one_to_three():
    d = np.sin
    got = []
    for _ in range(3):
        d = fgrad.grad(d)
        got.append(d(1.0))
    assert got == pytest.approx([math.cos(1), -math.sin(1), -math.cos(1)], rel=REL)


def tanh_derivative_polynomials(n):
    """d^k/dx^k tanh as polynomials in t = tanh(x): P0 = t, P_{k+1} = (1 - t^2) P_k'."""
    polys = [Polynomial([0, 1])]
    for _ in range(n):
        polys.append(Polynomial([1, 0, -1]) * polys[-1].deriv())
    return polys


@pytest.mark.parametrize("x", [1.0, -0.4, 0.05])
def test_tanh_to_order_eight_matches_closed_forms(x):
    polys = tanh_derivative_polynomials(8)
    d = np.tanh
    for n in range(1, 9):
        d = fgrad.grad(d)
        want = polys[n](math.tanh(x))
        assert d(x) == pytest.approx(want, rel=1e-12, abs=1e-12 * max(1.0, abs(want))), n
