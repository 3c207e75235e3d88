"""numerical_grad and check_grads: the references the rest of the suite relies on."""

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp


def test_numerical_grad_matches_closed_forms():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(fgrad.numerical_grad(lambda x: np.sum(np.sin(x)), x), np.cos(x), rtol=1e-9)
    gx, gy = fgrad.numerical_grad(lambda x, y: x * y ** 2, 1.5, 2.0, argnums=(0, 1))
    assert gx == pytest.approx(4.0, rel=1e-9) and gy == pytest.approx(6.0, rel=1e-9)
    g = fgrad.numerical_grad(lambda p: p["a"] * np.sum(p["b"]), {"a": 2.0, "b": np.ones(2)})
    assert g["a"] == pytest.approx(2.0) and np.allclose(g["b"], [2.0, 2.0])


def test_check_grads_accepts_correct_derivatives_to_order_three():
    fgrad.check_grads(lambda x: fnp.sum(fnp.tanh(x) * fnp.exp(-x)), (np.array([0.1, 0.7, -0.4]),), order=3)
    fgrad.check_grads(lambda x, y: (x * y, fnp.sin(x) + y), (1.2, np.array([0.5, 2.0])), order=2)


def test_check_grads_catches_a_wrong_rule_with_a_readable_report():
    wrong_sin = fgrad.primitive(np.sin, lambda g, ans, x: g * fnp.cos(x) * 1.01, name="wrong_sin")
    with pytest.raises(AssertionError, match=r"reverse-mode derivative \(VJP\) of order 1.*\n  fgrad: .*\n  numerical:"):
        fgrad.check_grads(wrong_sin, (np.array([0.3, 0.9]),), order=1, modes=("rev",))


def test_check_grads_catches_a_wrong_second_derivative():
    # First derivative right, second wrong: the rule is cos(x) but computed from a constant.
    sneaky = fgrad.primitive(np.sin, lambda g, ans, x: g * np.cos(fgrad.stop_gradient(x)), name="sneaky")
    fgrad.check_grads(sneaky, (0.4,), order=1, modes=("rev",))
    with pytest.raises(AssertionError, match=r"of order 2"):
        fgrad.check_grads(sneaky, (0.4,), order=2, modes=("rev",))


def test_check_grads_forward_mode():
    fgrad.check_grads(lambda x: fnp.sum(x ** 3), (np.array([1.0, 2.0]),), order=2, modes=("fwd",))
    wrong = fgrad.primitive(np.exp, lambda g, ans, x: g * ans * 0.9, name="wrong_exp")
    with pytest.raises(AssertionError, match=r"forward-mode derivative \(JVP\)"):
        fgrad.check_grads(wrong, (0.5,), order=1, modes=("fwd",))
