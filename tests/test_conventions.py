"""The derivative fgrad returns where a function has a kink, a jump, a tie or a pole.

Each row is one line of the table in docs/how-to/non-smooth-points.md: the function, the
point, fgrad's derivative there and JAX's where it differs. The first test asserts
fgrad's numbers and needs no JAX; the second asserts JAX's (only where JAX is installed,
the test-only extra ``reference``), so that a row that says "same as JAX" stays true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import fgrad
from extras_support import import_extra

SAME = "same as fgrad"  # the `jax` column of a row where JAX agrees


@dataclass(frozen=True)
class Convention:
    name: str
    function: Callable[[Any], Callable[[Any], Any]]  # xp (numpy or jax.numpy) -> f
    x: Any
    fgrad: Any  # d/dx f(x) as fgrad computes it
    jax: Any = SAME
    # JAX's answer before a release, where it changed: ((major, minor), value)
    jax_before: tuple[tuple[int, int], Any] | None = None


def _ints(xp: Any, x: Any) -> Any:
    return xp.array([1.0, 2.0, 3.0]) @ x


CONVENTIONS = [
    # kinks: fgrad takes 0 (the middle of the subgradients) for abs, like autograd and PyTorch
    Convention("abs at 0", lambda xp: xp.abs, 0.0, 0.0, jax=1.0),
    Convention("maximum(x, 0) at 0", lambda xp: lambda x: xp.maximum(x, 0.0), 0.0, 0.5),
    Convention("minimum(x, 0) at 0", lambda xp: lambda x: xp.minimum(x, 0.0), 0.0, 0.5),
    Convention("maximum(x, 1) at a tie", lambda xp: lambda x: xp.maximum(x, 1.0), 1.0, 0.5),
    Convention("where(x > 0, x, 0) at 0", lambda xp: lambda x: xp.where(x > 0, x, 0.0), 0.0, 0.0),
    # clip passes the gradient on the closed interval [lo, hi], like PyTorch's clamp
    Convention("clip(x, 0, 1) at 0", lambda xp: lambda x: xp.clip(x, 0.0, 1.0), 0.0, 1.0, jax=0.5),
    Convention("clip(x, 0, 1) at 1", lambda xp: lambda x: xp.clip(x, 0.0, 1.0), 1.0, 1.0, jax=0.5),
    # ties in reductions: the cotangent is shared equally between the tied elements
    Convention("max with a tie", lambda xp: xp.max, np.array([1.0, 1.0, 0.0]), np.array([0.5, 0.5, 0.0])),
    Convention("min with a tie", lambda xp: xp.min, np.array([0.0, 1.0, 0.0]), np.array([0.5, 0.0, 0.5])),
    Convention("ptp with a tie", lambda xp: xp.ptp, np.array([1.0, 1.0, 0.0]), np.array([0.5, 0.5, -1.0])),
    Convention("amax(axis=0) with a tie", lambda xp: lambda x: xp.sum(xp.amax(x, axis=0)),
               np.array([[1.0, 2.0], [1.0, 0.0]]), np.array([[0.5, 1.0], [0.5, 0.0]])),
    # sort: tied elements keep their order (a stable sort), each gets its own slot's cotangent
    Convention("sort with a tie", lambda xp: lambda x: _ints(xp, xp.sort(x)), np.array([1.0, 1.0, 0.0]),
               np.array([2.0, 3.0, 1.0])),
    # steps: zero everywhere, the jump included
    Convention("sign at 0", lambda xp: xp.sign, 0.0, 0.0),
    Convention("floor at 1", lambda xp: xp.floor, 1.0, 0.0),
    Convention("ceil at 1", lambda xp: xp.ceil, 1.0, 0.0),
    Convention("trunc at 1", lambda xp: xp.trunc, 1.0, 0.0),
    Convention("round at 0.5", lambda xp: xp.round, 0.5, 0.0),
    Convention("rint at 0.5", lambda xp: xp.rint, 0.5, 0.0),
    Convention("heaviside(x, 0.5) at 0", lambda xp: lambda x: xp.heaviside(x, 0.5), 0.0, 0.0),
    Convention("remainder(x, 1) at 1", lambda xp: lambda x: xp.remainder(x, 1.0), 1.0, 1.0),
    Convention("fmod(x, 1) at 1", lambda xp: lambda x: xp.fmod(x, 1.0), 1.0, 1.0),
    # poles and edges of the domain: the formula's value, inf (no error, no warning promised)
    Convention("sqrt at 0", lambda xp: xp.sqrt, 0.0, np.inf),
    Convention("x ** 0.5 at 0", lambda xp: lambda x: x ** 0.5, 0.0, np.inf),
    Convention("cbrt at 0", lambda xp: xp.cbrt, 0.0, np.inf),
    Convention("log at 0", lambda xp: xp.log, 0.0, np.inf),
    Convention("log1p at -1", lambda xp: xp.log1p, -1.0, np.inf),
    Convention("arcsin at 1", lambda xp: xp.arcsin, 1.0, np.inf),
    # 0/0 in the formula: nan, as in JAX
    Convention("norm at 0", lambda xp: xp.linalg.norm, np.zeros(2), np.array([np.nan, np.nan])),
    Convention("std of equal values", lambda xp: xp.std, np.ones(3), np.array([np.nan] * 3)),
    Convention("arctan2(x, x) at 0", lambda xp: lambda x: xp.arctan2(x, x), 0.0, np.nan),
    # fgrad's rule is x / hypot(x, y): 0/0 as for norm; JAX's gave 0.5 before 0.12
    Convention("hypot(x, 0) at 0", lambda xp: lambda x: xp.hypot(x, 0.0 * x), 0.0, np.nan,
               jax_before=((0, 12), 0.5)),
    # powers: the exact derivative of a constant or linear power, even at 0
    Convention("x ** 0 at 0", lambda xp: lambda x: x ** 0, 0.0, 0.0),
    Convention("x ** 1.0 at 0", lambda xp: lambda x: x ** 1.0, 0.0, 1.0),
    Convention("power(x, 2.0) at 0", lambda xp: lambda x: xp.power(x, 2.0), 0.0, 0.0),
    # products with zeros: exact, never a division by the zero
    Convention("prod with a zero", lambda xp: xp.prod, np.array([2.0, 0.0, 3.0]), np.array([0.0, 6.0, 0.0])),
    Convention("prod with two zeros", lambda xp: xp.prod, np.array([2.0, 0.0, 0.0]), np.zeros(3)),
    Convention("cumprod with a zero", lambda xp: lambda x: xp.sum(xp.cumprod(x)), np.array([2.0, 0.0, 3.0]),
               np.array([1.0, 8.0, 0.0])),
]
IDS = [c.name for c in CONVENTIONS]


@pytest.mark.parametrize("row", CONVENTIONS, ids=IDS)
def test_fgrad_derivative_at_a_non_smooth_point(row: Convention):
    with np.errstate(divide="ignore", invalid="ignore"):
        got = fgrad.grad(row.function(np))(row.x)
    np.testing.assert_array_equal(np.asarray(got), row.fgrad)


@pytest.mark.parametrize("row", CONVENTIONS, ids=IDS)
def test_jax_derivative_at_a_non_smooth_point(row: Convention):
    jax = import_extra("reference", "jax")  # (required under .ci/run)
    jax.config.update("jax_enable_x64", True)
    with jax.disable_jit():
        got = jax.grad(row.function(jax.numpy))(row.x)
    want = row.fgrad if row.jax is SAME else row.jax
    if row.jax_before is not None:
        release, value = row.jax_before
        if tuple(int(part) for part in jax.__version__.split(".")[:2]) < release:
            want = value
    np.testing.assert_array_equal(np.asarray(got), want)


def test_the_docs_table_lists_every_row():
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "how-to" / "non-smooth-points.md").read_text("utf-8")
    missing = [c.name for c in CONVENTIONS if f"| {c.name} |" not in page]
    assert not missing, f"docs/how-to/non-smooth-points.md has no row for: {missing}"
