"""check_grads in both modes: passes on correct rules, catches wrong ones with a readable report."""

from __future__ import annotations

import numpy as np
import pytest

import fgrad
from fgrad._core import value_of


def test_check_grads_passes_in_both_modes_to_third_order():
    f = lambda x, y: np.sin(x) * y ** 2 + np.exp(x * 0.3) / y
    args = (np.array([0.5, 1.5, -0.2]), np.array([1.2, 0.7, 2.0]))
    for modes in (("fwd",), ("rev",), ("fwd", "rev")):
        fgrad.check_grads(f, args, order=3, modes=modes)


def test_check_grads_on_pytree_arguments_and_outputs():
    f = lambda p: {"s": np.sum(p["w"] ** 2) * p["b"], "t": (np.tanh(p["w"]),)}
    fgrad.check_grads(f, ({"w": np.array([0.3, -0.6]), "b": 1.5},), order=2)


def test_check_grads_accepts_a_single_mode_string():
    fgrad.check_grads(np.sin, (0.4,), order=2, modes="fwd")


def test_check_grads_float32():
    fgrad.check_grads(lambda x: np.tanh(x) * x, (np.array([0.2, 0.9], dtype=np.float32),), order=2)


bad_sin = fgrad.primitive(np.sin, lambda g, ans, x: g * np.sin(x), name="bad_sin")    # wrong: sin, not cos
zero_sin = fgrad.primitive(np.sin, lambda g, ans, x: g * 0.0, name="zero_sin")        # wrong: no derivative
# Right first derivative, but computed from the plain value, which cuts the second derivative.
cut_sin = fgrad.primitive(np.sin, lambda g, ans, x: g * np.cos(value_of(x)), name="cut_sin")


@pytest.mark.parametrize("mode, what", [("rev", "reverse-mode derivative (VJP)"),
                                        ("fwd", "forward-mode derivative (JVP)")])
def test_wrong_rule_is_caught_with_a_readable_report(mode, what):
    x = np.array([0.5, 1.5])
    with pytest.raises(AssertionError) as info:
        fgrad.check_grads(lambda x: bad_sin(x) * 2.0, (x,), order=1, modes=(mode,))
    message = str(info.value)
    assert message.startswith(f"check_grads: {what} of order 1 disagrees with central differences")
    lines = message.splitlines()
    assert lines[1].strip().startswith("fgrad:") and lines[2].strip().startswith("numerical:")
    assert "|diff| =" in lines[3] and "> atol + rtol*|numerical| =" in lines[3]
    got, want = float(lines[1].split()[-1]), float(lines[2].split()[-1])
    assert abs(got - want) > 1e-3


def test_forward_report_names_the_element():
    # element 1 is where the wrong rule is furthest off (sin(1.5) vs cos(1.5))
    with pytest.raises(AssertionError, match=r"\(output leaf 0, element \(1,\)\)") as info:
        fgrad.check_grads(lambda x: bad_sin(x), (np.array([0.8, 1.5]),), order=1, modes="fwd")
    numbers = [float(line.split()[-1]) for line in str(info.value).splitlines()[1:3]]
    assert numbers[1] != 0.0


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_rule_that_drops_the_derivative_is_caught(mode):
    with pytest.raises(AssertionError, match="order 1"):
        fgrad.check_grads(zero_sin, (np.array([0.3, 1.1]),), order=1, modes=mode)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_rule_that_is_not_differentiable_again_is_caught_at_order_2(mode):
    x = (np.array([0.3, 1.1]),)
    fgrad.check_grads(cut_sin, x, order=1, modes=mode)  # first derivatives are right
    with pytest.raises(AssertionError, match="of order 2 disagrees"):
        fgrad.check_grads(cut_sin, x, order=2, modes=mode)


def test_check_grads_argument_errors():
    with pytest.raises(TypeError, match=r"check_grads: `args` must be a tuple"):
        fgrad.check_grads(np.sin, 1.0, order=1)
    with pytest.raises(ValueError, match=r"check_grads: `order` must be a positive int, got 0"):
        fgrad.check_grads(np.sin, (1.0,), order=0)
    with pytest.raises(ValueError, match=r"check_grads: unknown modes \['backward'\]"):
        fgrad.check_grads(np.sin, (1.0,), order=1, modes=("backward",))
