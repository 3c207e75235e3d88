"""fgrad.scipy.linalg against scipy.linalg: a table of rows (see tests/test_scipy_special.py's runner),
closed forms, JAX's derivatives in float64, and the refusals.

Traced values agree with SciPy's to 1e-12 relative where the computation differs from
SciPy's own (the Cholesky and LU solves are compositions of triangular solves; the
primitives `solve_triangular`, `expm`, `sqrtm`, `solve_sylvester` and `lu_factor`'s
packed factor are SciPy's own call).
"""

from __future__ import annotations

import numpy
import pytest

import fgrad
from extras_support import import_extra
from table_support import real, spd, well_conditioned, row

scipy_linalg = import_extra("scipy", "scipy.linalg")
fla = import_extra("scipy", "fgrad.scipy.linalg")
from test_scipy_special import cases, run_row  # noqa: E402  (after the skip above)

NS = ("fgrad",)
SOLVE = [((3, 3), (3,)), ((3, 3), (3, 2))]


def pivoted(rng, shape):
    """Well conditioned, with rows reversed: LU pivots, the same ones within a finite-difference step."""
    return well_conditioned(rng, shape)[::-1].copy()


def small(rng, shape):
    return rng.uniform(-0.5, 0.5, shape)


ROWS = [
    *[row(f"solve_triangular lower={lower} trans={trans} unit={unit}",
          lambda la, a, b, lower=lower, trans=trans, unit=unit: la.solve_triangular(
              a, b, trans=trans, lower=lower, unit_diagonal=unit), SOLVE, (well_conditioned, real), namespaces=NS)
      for lower in (False, True) for trans in (0, 1, "T") for unit in (False, True)],
    row("cho_factor", lambda la, a: la.cho_factor(a)[0] + la.cho_factor(a, lower=True)[0], [(3, 3)], spd,
        namespaces=NS),
    row("cho_solve", lambda la, a, b: la.cho_solve(la.cho_factor(a), b) + la.cho_solve(la.cho_factor(a, lower=True), b),
        [((3, 3), (3,)), ((3, 3), (3, 2))], (spd, real), namespaces=NS),
    row("lu_factor", lambda la, a: la.lu_factor(a)[0], [(3, 3), (4, 4)], pivoted, namespaces=NS),
    row("lu_solve", lambda la, a, b: la.lu_solve(la.lu_factor(a), b) + la.lu_solve(la.lu_factor(a), b, trans=1),
        [((3, 3), (3,)), ((4, 4), (4, 2))], (pivoted, real), namespaces=NS),
    row("expm", lambda la, a: la.expm(a), [(2, 2), (3, 3), (2, 3, 3)], small, namespaces=NS),
    row("sqrtm", lambda la, a: la.sqrtm(a), [(2, 2), (3, 3)], spd, namespaces=NS),
    row("solve_sylvester", lambda la, a, b, q: la.solve_sylvester(a, b, q), [((3, 3), (2, 2), (3, 2))],
        (well_conditioned, well_conditioned, real), namespaces=NS),
]


@pytest.mark.parametrize("r, shapes, ns", list(cases(ROWS)))
def test_linalg_table(r, shapes, ns):
    run_row(r, shapes, fla, scipy_linalg, rtol=1e-12)


def test_table_covers_every_function():
    names = " ".join(r.name for r in ROWS)
    assert not [n for n in fla.__all__ if n not in names]


def test_closed_forms():
    # d/dt expm(t A) at t = 0 is A; d/dt at t of expm(t A) is A expm(t A)
    a = numpy.array([[0.3, -1.0], [0.5, 0.2]])
    jac = fgrad.jacobian(lambda t: fla.expm(t * a))(0.7)
    numpy.testing.assert_allclose(jac, a @ scipy_linalg.expm(0.7 * a), rtol=1e-12)
    # sqrtm of a diagonal matrix: d sqrt(d_i) = 1 / (2 sqrt(d_i)) on the diagonal
    g = fgrad.grad(lambda d: numpy.trace(fla.sqrtm(numpy.diag(d))))(numpy.array([4.0, 9.0]))
    numpy.testing.assert_allclose(g, [0.25, 1 / 6], rtol=1e-12)
    # lu_solve, differentiated through lu_factor in a, is inv: d(a^-1 b) = -a^-1 da a^-1 b
    m = pivoted(numpy.random.default_rng(0), (3, 3))
    b = numpy.array([1.0, -2.0, 0.5])
    g = fgrad.grad(lambda m: fla.lu_solve(fla.lu_factor(m), b).sum())(m)
    numpy.testing.assert_allclose(g, -numpy.outer(numpy.linalg.solve(m.T, numpy.ones(3)), numpy.linalg.solve(m, b)),
                                  rtol=1e-12)


def test_solve_triangular_reads_one_triangle():
    a = numpy.array([[2.0, 7.0], [1.0, 3.0]])
    g = fgrad.grad(lambda a: fla.solve_triangular(a, numpy.ones(2), lower=True).sum())(a)
    assert g[0, 1] == 0.0
    g = fgrad.grad(lambda a: fla.solve_triangular(a, numpy.ones(2), lower=True, unit_diagonal=True).sum())(a)
    assert g[0, 0] == g[1, 1] == g[0, 1] == 0.0 and g[1, 0] == -1.0


def test_refusals():
    with pytest.raises(ValueError, match="square matrix"):
        fgrad.grad(lambda a: fla.sqrtm(a).sum())(numpy.ones((2, 3)))
    with pytest.raises(ValueError, match="incorrect value for trans"):
        fgrad.grad(lambda b: fla.solve_triangular(numpy.eye(2), b, trans="X").sum())(numpy.ones(2))
    with pytest.raises(TypeError, match="complex"):  # a real matrix whose principal root is complex
        fgrad.grad(lambda a: fla.sqrtm(a).sum())(numpy.array([[-1.0, 0.0], [0.0, 1.0]]))


def test_matches_jax_in_float64():
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    jla = import_extra("reference", "jax.scipy.linalg")
    rng = numpy.random.default_rng(3)
    a = small(rng, (3, 3))
    want = jax.hessian(lambda a: jla.expm(a)[0, 1])(a)
    got = fgrad.hessian(lambda a: fla.expm(a)[0, 1])(a)
    numpy.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    t, b = numpy.tril(well_conditioned(rng, (3, 3))), real(rng, (3,))
    for trans in (0, 1):
        want = jax.grad(lambda t, b: jla.solve_triangular(t, b, lower=True, trans=trans).sum(), argnums=(0, 1))(t, b)
        got = fgrad.grad(lambda t, b: fla.solve_triangular(t, b, lower=True, trans=trans).sum(), argnums=(0, 1))(t, b)
        numpy.testing.assert_allclose(got[1], want[1], rtol=1e-12)
        numpy.testing.assert_allclose(got[0], numpy.tril(want[0]), rtol=1e-12, atol=1e-15)
