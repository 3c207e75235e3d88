"""fgrad.scipy.special against scipy.special: a table of rows, each run with both namespaces.

Each row is a call written against a namespace ``sp`` and run with ``sp = scipy.special``
on plain inputs (the reference) and with ``sp = fgrad.scipy.special`` (and, for ufuncs,
``scipy.special`` itself, which dispatches) on plain inputs (exactly SciPy's result)
and traced inputs (the same value; first and second derivatives in forward and reverse
mode against central differences, via `fgrad.check_grads`). Also: closed forms, JAX's
derivatives in float64, the refusals, and dispatch without importing fgrad.scipy.
"""

from __future__ import annotations

import subprocess
import sys
import zlib

import numpy
import pytest

import fgrad
from extras_support import import_extra
from fgrad.tree import tree_flatten
from table_support import UNARY, BINARY, Row, argument_shapes, float64_arguments, positive, real, row

scipy_special = import_extra("scipy", "scipy.special")
fsp = import_extra("scipy", "fgrad.scipy.special")


def prob(rng, shape):
    return rng.uniform(0.1, 0.9, shape)


def unit(rng, shape):
    return rng.uniform(-0.8, 0.8, shape)


def twoish(rng, shape):  # inside (0, 2), for erfcinv
    return rng.uniform(0.2, 1.8, shape)


def nonzero_real(rng, shape):  # away from |x|'s kink in the scaled Bessel functions
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 1.5, shape)


def _unary(name, domain, shapes=UNARY):
    return row(name, lambda sp, x: getattr(sp, name)(x), shapes, domain, namespaces=("fgrad", "scipy"))


def _binary(name, domain):
    return row(name, lambda sp, x, y: getattr(sp, name)(x, y), BINARY, domain, namespaces=("fgrad", "scipy"))


ONLY_FGRAD = ("fgrad",)  # not ufuncs: SciPy's own version cannot see a traced value

ROWS = [
    *[_unary(n, real) for n in ("erf", "erfc", "erfcx", "expit", "log_expit", "ndtr", "log_ndtr", "i0", "i1")],
    *[_unary(n, nonzero_real) for n in ("i0e", "i1e")],
    *[_unary(n, positive) for n in ("gamma", "rgamma", "gammaln", "loggamma", "digamma", "psi", "entr")],
    *[_unary(n, prob) for n in ("logit", "ndtri")],
    _unary("erfinv", unit),
    _unary("erfcinv", twoish),
    *[_binary(n, (positive, positive)) for n in ("beta", "betaln", "rel_entr", "kl_div")],
    _binary("xlogy", (real, positive)),
    _binary("xlog1py", (real, positive)),
    row("iv ive (x)", lambda sp, x: sp.iv(1.5, x) + sp.iv(numpy.array([0.0, 2.0, 3.0]), x) + sp.ive(2.0, x),
        [(), (3,)], nonzero_real, namespaces=("fgrad", "scipy")),
    *[_unary(n, real) for n in ("j0", "j1")],
    *[_unary(n, positive) for n in ("y0", "y1")],  # Y has a log singularity at 0
    row("jv jn (x)", lambda sp, x: sp.jv(1.5, x) + sp.jn(2, x) + sp.jv(numpy.array([0.0, 1.0, 3.0]), x),
        [(), (3,)], positive, namespaces=("fgrad", "scipy")),
    row("yv yn (x)", lambda sp, x: sp.yv(1.5, x) + sp.yn(2, x) + sp.yn(numpy.array([0, 1, 3]), x),
        [(), (3,)], positive, namespaces=("fgrad", "scipy")),
    row("gammainc gammaincc (x)", lambda sp, x: sp.gammainc(1.7, x) + sp.gammaincc(numpy.array([0.6, 2.5, 4.0]), x),
        [(), (3,)], positive, namespaces=("fgrad", "scipy")),
    row("betainc (x)", lambda sp, x: sp.betainc(1.7, 0.8, x), UNARY, prob, namespaces=("fgrad", "scipy")),
    row("stdtr (t)", lambda sp, t: sp.stdtr(3.5, t), UNARY, real, namespaces=("fgrad", "scipy")),
    row("pdtr (m)", lambda sp, m: sp.pdtr(numpy.array([0.0, 2.0, 5.0]), m), [(3,), (2, 3)], positive,
        namespaces=("fgrad", "scipy")),
    row("gammasgn is a constant", lambda sp, x: sp.gammasgn(x) * x, UNARY, real, namespaces=("fgrad", "scipy")),
    row("polygamma", lambda sp, x: sp.polygamma(0, x) + sp.polygamma(1, x) + sp.polygamma(3, x), UNARY, positive,
        namespaces=ONLY_FGRAD),
    row("zeta (q)", lambda sp, q: sp.zeta(2.5, q) + sp.zeta(4.0, q), UNARY, positive, namespaces=ONLY_FGRAD),
    row("multigammaln", lambda sp, a: sp.multigammaln(a, 3), UNARY, lambda rng, s: rng.uniform(1.5, 3.0, s),
        namespaces=ONLY_FGRAD),
    row("logsumexp", lambda sp, x: sp.logsumexp(x), UNARY, real, namespaces=ONLY_FGRAD),
    row("logsumexp axis keepdims", lambda sp, x: sp.logsumexp(x, axis=1) + sp.logsumexp(x, axis=(0, 2),
        keepdims=True).sum(), [(2, 3, 4)], real, namespaces=ONLY_FGRAD),
    row("logsumexp b", lambda sp, x, b: sp.logsumexp(x, b=b, axis=-1), [((2, 3), (3,)), ((3,), (3,))],
        (real, positive), namespaces=ONLY_FGRAD),
    row("logsumexp return_sign", lambda sp, x, b: sp.logsumexp(x, b=b - 1.2, return_sign=True), [((3,), (3,))],
        (real, positive), namespaces=ONLY_FGRAD),
    row("softmax log_softmax", lambda sp, x: sp.softmax(x) + sp.softmax(x, axis=0) * sp.log_softmax(x, axis=1)
        + sp.log_softmax(x), [(2, 3)], real, namespaces=ONLY_FGRAD),
]


def assert_tree_equal(got, want, exact: bool, rtol: float) -> None:
    got_leaves, got_def = tree_flatten(got)
    want_leaves, want_def = tree_flatten(want)
    assert got_def == want_def
    for g, w in zip(got_leaves, want_leaves):
        if exact:
            assert type(g) is type(w) or numpy.ndim(w) == 0
            numpy.testing.assert_array_equal(g, w)
        else:
            numpy.testing.assert_allclose(fgrad.stop_gradient(g), w, rtol=rtol, atol=1e-14)


def cases(rows):
    for r in rows:
        for case in r.shapes:
            shapes = argument_shapes(case)
            for ns in r.namespaces:
                yield pytest.param(r, shapes, ns, id=f"{r.name}-{'x'.join(map(str, shapes))}-{ns}")


def run_row(r: Row, shapes: tuple, namespace, reference_namespace, rtol: float = 1e-12) -> None:
    """Plain: exactly the reference; traced: the same value, and derivatives of orders 1..r.order."""
    args = float64_arguments(r, shapes, seed=zlib.crc32(r.name.encode()) % 1000)
    reference = r.fun(reference_namespace, *args)
    f = lambda *xs: r.fun(namespace, *xs)  # noqa: E731
    assert_tree_equal(f(*args), reference, exact=True, rtol=rtol)
    out, _ = fgrad.vjp(f, *args)
    assert_tree_equal(out, reference, exact=False, rtol=rtol)
    fgrad.check_grads(f, args, order=r.order, modes=("fwd", "rev"))


@pytest.mark.parametrize("r, shapes, ns", list(cases(ROWS)))
def test_special_table(r: Row, shapes: tuple, ns: str):
    run_row(r, shapes, fsp if ns == "fgrad" else scipy_special, scipy_special)


def test_table_covers_every_function():
    import inspect

    sources = "\n".join(inspect.getsource(r.fun) for r in ROWS) + " ".join(r.name for r in ROWS)
    missing = [n for n in fsp.__all__ if f"sp.{n}(" not in sources and n not in sources.split()]
    assert not missing, f"add rows for: {missing}"


def test_third_derivatives_follow_the_derivative_families():
    # each rule is the family again: digamma -> polygamma(1) -> polygamma(2) -> polygamma(3)
    d3 = fgrad.grad(fgrad.grad(fgrad.grad(fsp.gammaln)))(2.5)
    assert d3 == pytest.approx(scipy_special.polygamma(2, 2.5), rel=1e-13)
    # I0' = I1, I1' = (I0 + I2) / 2: I0''' = (3 I1 + I3) / 4
    d3 = fgrad.grad(fgrad.grad(fgrad.grad(fsp.i0)))(0.7)
    assert d3 == pytest.approx((3 * scipy_special.i1(0.7) + scipy_special.iv(3, 0.7)) / 4, rel=1e-13)
    # also exactly at 0, where a formula with I1(x) / x would divide by zero
    assert fgrad.grad(fgrad.grad(fsp.i1))(0.0) == 0.0
    assert fgrad.grad(fsp.i1)(0.0) == 0.5
    assert fgrad.grad(lambda q: fsp.zeta(3.0, q))(2.0) == pytest.approx(-3.0 * scipy_special.zeta(4.0, 2.0), rel=1e-13)
    # J0' = -J1, J1' = (J0 - J2) / 2, so J0''' = (3 J1 - J3) / 4; the same recurrence for Y
    d3 = fgrad.grad(fgrad.grad(fgrad.grad(fsp.j0)))(0.7)
    assert d3 == pytest.approx((3 * scipy_special.j1(0.7) - scipy_special.jv(3, 0.7)) / 4, rel=1e-13)
    d3 = fgrad.grad(fgrad.grad(fgrad.grad(fsp.y0)))(0.7)
    assert d3 == pytest.approx((3 * scipy_special.y1(0.7) - scipy_special.yn(3, 0.7)) / 4, rel=1e-13)
    # J1'(0) = 1/2 and J1''(0) = 0 exactly, where J0 - J1 / x would divide by zero
    assert fgrad.grad(fsp.j1)(0.0) == 0.5 and fgrad.grad(fgrad.grad(fsp.j1))(0.0) == 0.0


@pytest.mark.parametrize("order", [1, 2, 3])
def test_bessel_derivatives_match_scipys_jvp_yvp(order):
    cases = [(fsp.j0, scipy_special.jvp, 0), (fsp.j1, scipy_special.jvp, 1), (fsp.y0, scipy_special.yvp, 0),
             (fsp.y1, scipy_special.yvp, 1),
             *[(lambda x, v=v: fsp.jv(v, x), scipy_special.jvp, v) for v in (0.5, 2, 4)],
             *[(lambda x, v=v: fsp.yv(v, x), scipy_special.yvp, v) for v in (0.5, 2)],
             *[(lambda x, n=n: fsp.yn(n, x), scipy_special.yvp, n) for n in (0, 3)]]
    for f, reference, v in cases:
        for _ in range(order):
            f = fgrad.grad(f)
        for x in (0.4, 1.3, 3.7, 9.2):
            assert f(x) == pytest.approx(reference(v, x, n=order), rel=1e-11, abs=1e-13), (reference, v, x)


def test_closed_forms():
    x = 0.3
    assert fgrad.grad(fsp.erf)(x) == pytest.approx(2 / numpy.sqrt(numpy.pi) * numpy.exp(-x * x), rel=1e-15)
    assert fgrad.grad(fsp.expit)(0.0) == 0.25
    assert fgrad.grad(fsp.erfinv)(0.0) == pytest.approx(numpy.sqrt(numpy.pi) / 2, rel=1e-15)
    assert fgrad.grad(fsp.ndtri)(0.5) == pytest.approx(numpy.sqrt(2 * numpy.pi), rel=1e-15)
    # log_ndtr's derivative far in the left tail, where ndtr underflows: ~ -x (Mills ratio)
    g = fgrad.grad(fsp.log_ndtr)(-40.0)
    assert numpy.isfinite(g) and g == pytest.approx(40.0249688, rel=1e-7)
    a = numpy.array([1.0, 2.0, 3.0])
    numpy.testing.assert_allclose(fgrad.grad(fsp.logsumexp)(a), scipy_special.softmax(a), rtol=1e-15)
    gx, gy = fgrad.grad(fsp.xlogy, argnums=(0, 1))(2.0, 3.0)
    assert (gx, gy) == (pytest.approx(numpy.log(3.0)), pytest.approx(2 / 3))


def test_logsumexp_b_with_zeros_and_sign():
    a, b = numpy.array([1.0, 2.0, 3.0]), numpy.array([1.0, -2.0, 0.0])
    (out, sign), _ = fgrad.vjp(lambda a: fsp.logsumexp(a, b=b, return_sign=True), a)
    want = scipy_special.logsumexp(a, b=b, return_sign=True)
    assert out == pytest.approx(want[0], rel=1e-14) and sign == want[1]
    g = fgrad.grad(lambda a: fsp.logsumexp(a, b=b, return_sign=True)[0])(a)
    s = numpy.exp(a) * b
    numpy.testing.assert_allclose(g, s / s.sum(), rtol=1e-14)  # 0 where b is 0


def test_scipy_ufuncs_dispatch_and_record_fgrads_primitives():
    assert not [n for n in fgrad.numpy.supported() if not n.startswith("np.")]  # NumPy's functions only
    names = import_extra("scipy", "fgrad.scipy").supported()
    assert "scipy.special.expit" in names and "scipy.special.erf" in names
    graph = fgrad.trace(lambda x: scipy_special.erf(x) + scipy_special.xlogy(x, 2.0))(0.5)
    assert "erf" in str(graph) and "xlogy" in str(graph)


def test_dispatch_without_importing_fgrad_scipy():
    code = ("import sys, fgrad, scipy.special\n"
            "assert 'fgrad.scipy' not in sys.modules\n"
            "print(float(fgrad.grad(scipy.special.expit)(0.0)))\n"
            "try:\n"
            "    fgrad.grad(scipy.special.spence)(0.5)\n"
            "except TypeError as e:\n"
            "    print(str(e).split(' is not')[0])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["0.25", "scipy.special.spence"]


def test_core_import_does_not_import_scipy():
    code = "import sys, fgrad, fgrad.numpy; print('scipy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_import_without_scipy_names_the_extra():
    code = ("import sys; sys.modules['scipy'] = None\n"
            "try:\n    import fgrad.scipy\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'fgrad[scipy]'" in out


@pytest.mark.parametrize("call, argument", [
    (lambda n: fsp.polygamma(n, 2.0), "n"),
    (lambda a: fsp.gammainc(a, 2.0), "a"),
    (lambda a: fsp.betainc(a, 2.0, 0.5), "a"),
    (lambda b: fsp.betainc(2.0, b, 0.5), "b"),
    (lambda x: fsp.zeta(x, 2.0), "x"),
    (lambda x: fsp.zeta(x), "x"),
    (lambda v: fsp.iv(v, 2.0), "v"),
    (lambda df: fsp.stdtr(df, 0.5), "df"),
    (lambda v: fsp.jv(v, 2.0), "v"),
    (lambda v: fsp.yv(v, 2.0), "v"),
    (lambda n: fsp.yn(n, 2.0), "n"),
])
def test_missing_derivatives_are_refused_naming_the_argument(call, argument):
    with pytest.raises(TypeError, match=f"with respect to `{argument}`"):
        fgrad.grad(call)(2.0)


def test_matches_jax_in_float64():
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    jsp = import_extra("reference", "jax.scipy.special")
    x = 0.7
    for name in ("erf", "erfc", "erfinv", "expit", "logit", "gammaln", "digamma", "ndtr", "ndtri", "log_ndtr",
                 "i0", "i0e", "i1", "i1e", "entr"):
        jf, ff = getattr(jsp, name), getattr(fsp, name)
        for order in (1, 2):
            jg, fg = jf, ff
            for _ in range(order):
                jg, fg = jax.grad(jg), fgrad.grad(fg)
            assert float(fg(x)) == pytest.approx(float(jg(x)), rel=1e-10), (name, order)
    a = numpy.array([0.3, -1.2, 2.0])
    numpy.testing.assert_allclose(fgrad.hessian(fsp.logsumexp)(a), jax.hessian(jsp.logsumexp)(a), rtol=1e-12)
