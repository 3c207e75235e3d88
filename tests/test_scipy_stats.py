"""fgrad.scipy.stats against scipy.stats: a table of rows (see tests/test_scipy_special.py's runner).

On plain inputs each method is SciPy's own call (exactly its result); on traced inputs
a composition of fgrad functions, whose value must agree with SciPy's to 1e-12
relative (the formulas are not bit-identical to SciPy's), and whose first and second
derivatives in forward and reverse mode agree with central differences.
"""

from __future__ import annotations

import numpy
import pytest

import fgrad
from extras_support import import_extra
from table_support import positive, real, row

scipy_stats = import_extra("scipy", "scipy.stats")
fst = import_extra("scipy", "fgrad.scipy.stats")
scipy_special = import_extra("scipy", "scipy.special")
from test_scipy_special import cases, prob, run_row  # noqa: E402  (after the skip above)

NS = ("fgrad",)
LOC_SCALE = [((3,), (), ()), ((2, 3), (3,), (2, 1))]
WITH_SHAPE = [((3,), (), (), ()), ((2, 3), (3,), (), (2, 1))]


def shape_param(rng, shape):
    return rng.uniform(1.5, 4.0, shape)


def in_unit(rng, shape):  # x for beta with loc = -0.1, scale = 1.3: inside (loc, loc + scale)
    return rng.uniform(0.05, 1.1, shape)


def small(rng, shape):
    return rng.uniform(-0.1, 0.1, shape)


def around_one(rng, shape):
    return rng.uniform(1.2, 1.5, shape)


def _loc_scale_rows(dist, methods, domain=real):
    return [row(f"{dist}.{m}", lambda st, x, loc, scale, m=m: getattr(getattr(st, dist), m)(x, loc, scale),
                LOC_SCALE, (domain, small, around_one), namespaces=NS) for m in methods]


ALL = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")

ROWS = [
    *_loc_scale_rows("norm", ALL),
    *_loc_scale_rows("logistic", ALL),
    *_loc_scale_rows("cauchy", ALL),
    *_loc_scale_rows("laplace", ("logpdf", "pdf")),
    *_loc_scale_rows("laplace", ("cdf", "logcdf", "sf", "logsf"), lambda rng, s: numpy.abs(real(rng, s)) + 0.2),
    *_loc_scale_rows("laplace", ("cdf", "sf"), lambda rng, s: -numpy.abs(real(rng, s)) - 0.2),
    *_loc_scale_rows("expon", ALL, lambda rng, s: rng.uniform(0.3, 2.0, s)),
    *_loc_scale_rows("uniform", ALL, lambda rng, s: rng.uniform(0.2, 0.9, s)),
    row("norm.ppf", lambda st, q, loc, scale: st.norm.ppf(q, loc, scale), LOC_SCALE, (prob, small, around_one),
        namespaces=NS),
    *[row(f"t.{m}", lambda st, x, df, loc, scale, m=m: getattr(st.t, m)(x, df, loc, scale), WITH_SHAPE,
          (real, shape_param, small, around_one), namespaces=NS) for m in ("logpdf", "pdf")],
    *[row(f"t.{m}", lambda st, x, loc, scale, m=m: getattr(st.t, m)(x, 3.5, loc, scale), LOC_SCALE,
          (real, small, around_one), namespaces=NS) for m in ("cdf", "logcdf", "sf", "logsf")],
    *[row(f"gamma.{m}", lambda st, x, a, loc, scale, m=m: getattr(st.gamma, m)(x, a, loc, scale), WITH_SHAPE,
          (lambda rng, s: rng.uniform(0.5, 3.0, s), shape_param, small, around_one), namespaces=NS)
      for m in ("logpdf", "pdf")],
    *[row(f"gamma.{m}", lambda st, x, loc, scale, m=m: getattr(st.gamma, m)(x, 2.5, loc, scale), LOC_SCALE,
          (lambda rng, s: rng.uniform(0.5, 3.0, s), small, around_one), namespaces=NS)
      for m in ("cdf", "logcdf", "sf", "logsf")],
    *[row(f"chi2.{m}", lambda st, x, df, loc, scale, m=m: getattr(st.chi2, m)(x, df, loc, scale), WITH_SHAPE,
          (lambda rng, s: rng.uniform(0.5, 3.0, s), shape_param, small, around_one), namespaces=NS)
      for m in ("logpdf", "pdf")],
    *[row(f"chi2.{m}", lambda st, x, loc, scale, m=m: getattr(st.chi2, m)(x, 3.5, loc, scale), LOC_SCALE,
          (lambda rng, s: rng.uniform(0.5, 3.0, s), small, around_one), namespaces=NS)
      for m in ("cdf", "logcdf", "sf", "logsf")],
    *[row(f"beta.{m}", lambda st, x, a, b, m=m: getattr(st.beta, m)(x, a, b, -0.1, 1.3),
          [((3,), (), ()), ((2, 3), (3,), (2, 1))], (in_unit, shape_param, shape_param), namespaces=NS)
      for m in ("logpdf", "pdf")],
    *[row(f"beta.{m}", lambda st, x, loc, scale, m=m: getattr(st.beta, m)(x, 2.5, 1.7, loc, scale), LOC_SCALE,
          (in_unit, small, lambda rng, s: rng.uniform(1.3, 1.5, s)), namespaces=NS) for m in ("cdf", "logcdf")],
    *[row(f"poisson.{m}", lambda st, mu, m=m: getattr(st.poisson, m)(numpy.array([0.0, 1.0, 4.0]), mu),
          [(), (3,), (2, 3)], positive, namespaces=NS) for m in ("logpmf", "pmf", "cdf", "logcdf")],
    *[row(f"bernoulli.{m}", lambda st, p, m=m: getattr(st.bernoulli, m)(numpy.array([0.0, 1.0, 1.0]), p),
          [(), (3,)], prob, namespaces=NS) for m in ("logpmf", "pmf", "cdf")],
    *[row(f"dirichlet.{m}", lambda st, x, alpha, m=m: getattr(st.dirichlet, m)(x, alpha),
          [((2,), (3,)), ((2, 4), (3,))], (lambda rng, s: rng.uniform(0.1, 0.45, s), shape_param), namespaces=NS)
      for m in ("logpdf", "pdf")],
    *[row(f"multivariate_normal.{m}", lambda st, x, mean, c, m=m: getattr(st.multivariate_normal, m)(
        x, mean, c @ c.T + 3.0 * numpy.eye(3)), [((3,), (3,), (3, 3)), ((4, 3), (3,), (3, 3))],
        (real, small, real), namespaces=NS) for m in ("logpdf", "pdf")],
    row("multivariate_normal diagonal cov", lambda st, x, v: st.multivariate_normal.logpdf(x, numpy.zeros(3), v)
        + st.multivariate_normal.logpdf(x[..., :1], cov=2.0).sum() + st.multivariate_normal.logpdf(x[..., 0], 0.5, v[0]), [((3,), (3,)), ((2, 3), (3,))], (real, positive), namespaces=NS),
    row("multivariate_normal.entropy", lambda st, c, v: st.multivariate_normal.entropy(cov=c @ c.T + 3.0 * numpy.eye(3))
        + st.multivariate_normal.entropy(numpy.zeros(3), v) + st.multivariate_normal.entropy(numpy.zeros(2), v[0])
        + st.multivariate_normal.entropy(None, v[1]), [((3, 3), (3,))], (real, positive), namespaces=NS),
]


@pytest.mark.parametrize("r, shapes, ns", list(cases(ROWS)))
def test_stats_table(r, shapes, ns):
    run_row(r, shapes, fst, scipy_stats, rtol=1e-12)


def test_table_covers_every_method():
    for dist in fst.__all__:
        module = getattr(fst, dist)
        for method in module.__all__:
            assert any(r.name.startswith(f"{dist}.{method}") or r.name.startswith(f"{dist} ") for r in ROWS) \
                or f"{dist}.{method}" in {r.name for r in ROWS}, f"add a row for {dist}.{method}"


def test_outside_the_support_and_invalid_parameters_as_scipy():
    x = numpy.array([-1.0, 0.0, 0.5, 2.0, numpy.nan, numpy.inf])
    for dist, args in (("expon", (0.0, 1.0)), ("uniform", (0.0, 1.0)), ("norm", (0.0, -1.0)),
                       ("gamma", (2.0, 0.0, 1.0)), ("beta", (2.0, 3.0)), ("t", (-1.0,))):
        for m in ("logpdf", "pdf", "cdf"):
            want = getattr(getattr(scipy_stats, dist), m)(x, *args)
            got, _ = fgrad.vjp(lambda x: getattr(getattr(fst, dist), m)(x, *args), x)
            numpy.testing.assert_allclose(fgrad.stop_gradient(got), want, rtol=1e-12, err_msg=f"{dist}.{m}")
    # outside the support the derivative is 0, not nan (the formula is evaluated at a safe point)
    g = fgrad.grad(lambda x: numpy.sum(fst.gamma.logpdf(x, 2.0)[1:]) + numpy.sum(fst.gamma.cdf(x, 2.0)))(numpy.array([-1.0, 1.0, 2.0]))
    assert numpy.all(numpy.isfinite(g)) and g[0] == 0.0


def test_closed_forms():
    # d/dloc, d/dscale of the normal log density
    x, loc, scale = 1.3, 0.2, 1.7
    gl, gs = fgrad.grad(fst.norm.logpdf, argnums=(1, 2))(x, loc, scale)
    z = (x - loc) / scale
    assert gl == pytest.approx(z / scale, rel=1e-14) and gs == pytest.approx((z * z - 1) / scale, rel=1e-14)
    # the Poisson log-likelihood in the rate: k / mu - 1
    assert fgrad.grad(lambda mu: fst.poisson.logpmf(3.0, mu))(2.0) == pytest.approx(0.5, rel=1e-14)
    # Laplace's cdf at its center has derivative 1/2 (each side's own formula, not |z|'s kink)
    assert fgrad.grad(fst.laplace.cdf)(0.0) == 0.5
    # chi2's log density in df: (log(x / 2) - digamma(df / 2)) / 2; its cdf's derivative is the density
    x, df = 1.7, 3.5
    want = 0.5 * (numpy.log(x / 2) - scipy_special.digamma(df / 2))
    assert fgrad.grad(fst.chi2.logpdf, argnums=1)(x, df) == pytest.approx(want, rel=1e-13)
    assert fgrad.grad(fst.chi2.cdf)(x, df) == pytest.approx(scipy_stats.chi2.pdf(x, df), rel=1e-13)
    assert fgrad.grad(fst.chi2.sf)(x, df) == pytest.approx(-scipy_stats.chi2.pdf(x, df), rel=1e-13)
    # the Gaussian entropy's derivative in a symmetric cov is inv(cov) / 2; read from cov's lower
    # triangle (as SciPy's eigh and fgrad's cholesky do), each off-diagonal entry counts twice
    cov = numpy.array([[1.5, 0.3, 0.1], [0.3, 0.8, -0.2], [0.1, -0.2, 1.1]])
    g = fgrad.grad(lambda c: fst.multivariate_normal.entropy(cov=c))(cov)
    inv = numpy.linalg.inv(cov)
    numpy.testing.assert_allclose(g, 0.5 * (numpy.tril(inv) + numpy.tril(inv, -1)), rtol=1e-13)
    h = fgrad.hessian(lambda v: fst.multivariate_normal.entropy(numpy.zeros(2), v))(numpy.array([0.5, 2.0]))
    numpy.testing.assert_allclose(h, numpy.diag([-2.0, -0.125]), rtol=1e-14)
    assert fgrad.grad(lambda m: fst.multivariate_normal.entropy(m, cov))(numpy.zeros(3)).tolist() == [0.0] * 3


def test_refusals():
    with pytest.raises(TypeError, match="with respect to `a`"):
        fgrad.grad(lambda a: fst.gamma.cdf(1.0, a))(2.0)
    with pytest.raises(TypeError, match="integer count"):
        fgrad.grad(lambda k: fst.poisson.logpmf(k, 2.0))(1.0)
    for m in ("cdf", "logcdf", "sf", "logsf"):
        with pytest.raises(TypeError, match="with respect to `df`"):
            fgrad.grad(lambda df: getattr(fst.chi2, m)(1.0, df))(2.0)
    with pytest.raises(ValueError, match="positive definite"):  # SciPy: a pseudo-determinant
        fgrad.grad(lambda c: fst.multivariate_normal.entropy(cov=c))(numpy.ones((2, 2)))
    with pytest.raises(ValueError, match="positive semidefinite"):  # SciPy's own check
        fgrad.grad(lambda c: fst.multivariate_normal.entropy(cov=c))(numpy.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(TypeError, match="allow_singular"):
        fgrad.grad(lambda x: fst.multivariate_normal.logpdf(x, cov=numpy.eye(2), allow_singular=True))(numpy.ones(2))


def test_matches_jax_in_float64():
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    jst = import_extra("reference", "jax.scipy.stats")
    args = (0.7, 0.2, 1.3)
    for dist in ("norm", "logistic", "cauchy", "laplace"):
        for m in ("logpdf", "cdf"):
            want = jax.hessian(getattr(getattr(jst, dist), m), argnums=(0, 1, 2))(*args)
            got = fgrad.hessian(getattr(getattr(fst, dist), m), argnums=(0, 1, 2))(*args)
            numpy.testing.assert_allclose(numpy.array(got, dtype=float), numpy.array(want, dtype=float),
                                          rtol=1e-10, atol=1e-14, err_msg=f"{dist}.{m}")
    for m in ("logpdf", "pdf"):
        want = jax.hessian(getattr(jst.chi2, m), argnums=(0, 1, 2, 3))(1.7, 3.5, 0.2, 1.3)
        got = fgrad.hessian(getattr(fst.chi2, m), argnums=(0, 1, 2, 3))(1.7, 3.5, 0.2, 1.3)
        numpy.testing.assert_allclose(numpy.array(got, dtype=float), numpy.array(want, dtype=float),
                                      rtol=1e-10, atol=1e-14, err_msg=f"chi2.{m}")
    want = jax.hessian(jst.chi2.cdf, argnums=(0, 2, 3))(1.7, 3.5, 0.2, 1.3)
    got = fgrad.hessian(fst.chi2.cdf, argnums=(0, 2, 3))(1.7, 3.5, 0.2, 1.3)
    numpy.testing.assert_allclose(numpy.array(got, dtype=float), numpy.array(want, dtype=float), rtol=1e-10,
                                  atol=1e-14, err_msg="chi2.cdf")
    mean, cov = numpy.array([0.1, -0.3]), numpy.array([[1.5, 0.3], [0.3, 0.8]])
    x = numpy.array([0.4, 0.2])
    want = jax.grad(jst.multivariate_normal.logpdf, argnums=(0, 1, 2))(x, mean, cov)
    got = fgrad.grad(fst.multivariate_normal.logpdf, argnums=(0, 1, 2))(x, mean, cov)
    for g, w in zip(got[:2], want[:2]):
        numpy.testing.assert_allclose(g, w, rtol=1e-12)
    # JAX's cov gradient is symmetric; fgrad's reads cov's lower triangle (as cholesky does): they agree on
    # symmetric directions
    sym = lambda m: numpy.tril(m) + numpy.tril(m, -1).T  # noqa: E731
    numpy.testing.assert_allclose(numpy.tril(got[2] + got[2].T) - numpy.diag(numpy.diag(got[2])),
                                  numpy.tril(sym(numpy.asarray(want[2])) + numpy.asarray(want[2]).T)
                                  - numpy.diag(numpy.diag(want[2])), rtol=1e-10)
