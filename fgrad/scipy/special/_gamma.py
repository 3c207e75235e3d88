"""The gamma family: ``gamma``, ``gammaln``, ``digamma``, ``polygamma``, ``beta``, incomplete
gamma and beta functions, ``zeta``, ``multigammaln``, and the distribution functions
``stdtr`` and ``pdtr`` built on them.

Each derivative is another function of the family, so every order works: ``digamma``'s
rule is ``polygamma(1, x)``, ``polygamma(n, x)``'s is ``polygamma(n + 1, x)``,
``zeta(x, q)``'s (in `q`) is ``-x zeta(x + 1, q)``. Where SciPy's function has no
closed-form derivative in an argument (the order `n`, the incomplete functions' shape
parameters, `zeta`'s exponent) a traced value there is refused with a TypeError, never
given a wrong derivative.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special as sc

from ... import numpy as fnp
from ..._batching import batch_plain
from ..._core import Node, plain_value, primitive, value_of
from ..._ops import unbroadcast, zero_cotangent
from ...numpy._register import register
from .._support import any_traced, no_derivative, scipy_primitive
from ._log import xlog1py, xlogy

__all__ = ["gamma", "rgamma", "gammaln", "loggamma", "digamma", "psi", "polygamma", "beta", "betaln",
           "gammainc", "gammaincc", "betainc", "zeta", "multigammaln", "stdtr", "pdtr", "gammasgn"]

POSITIVE = "(np.array([0.7, 2.5]),)"
PAIR = "(np.array([0.7, 2.5]), np.array([1.5, 0.8]))"
_SHAPE = "no closed form is available for it (SciPy gives none)"


gamma = scipy_primitive(sc.gamma, lambda g, ans, x: g * ans * digamma(x), sample=POSITIVE)
rgamma = scipy_primitive(sc.rgamma, lambda g, ans, x: -(g * ans * digamma(x)), sample=POSITIVE)
gammaln = scipy_primitive(sc.gammaln, lambda g, ans, x: g * digamma(x), sample=POSITIVE, uses_ans=False)
loggamma = scipy_primitive(sc.loggamma, lambda g, ans, x: g * digamma(x), sample=POSITIVE, uses_ans=False)


def _polygamma_dx(g: Any, ans: Any, n: Any, x: Any) -> Any:
    return unbroadcast(g * polygamma(np.asarray(value_of(n)) + 1, x), x)


_polygamma = primitive(sc.polygamma, no_derivative("scipy.special.polygamma", "n", "the order is an integer"),
                       _polygamma_dx, name="polygamma", uses_ans=False)


def polygamma(n: Any, x: Any) -> Any:
    """The `n`-th derivative of `digamma` at `x` (differentiable in `x`; `n` is an integer order).

    Its derivative is ``polygamma(n + 1, x)``, so every order works.

    Example:
        >>> import numpy as np, scipy.special, fgrad
        >>> from fgrad.scipy import special
        >>> got = fgrad.grad(lambda x: special.polygamma(1, x))(2.5)
        >>> bool(np.isclose(got, scipy.special.polygamma(2, 2.5)))
        True
    """
    return _polygamma(n, x)


digamma = scipy_primitive(sc.digamma, lambda g, ans, x: g * polygamma(1, x), sample=POSITIVE, uses_ans=False)
psi = digamma


def _beta_rule(which: int, uses_ans: bool) -> Any:
    def rule(g: Any, ans: Any, a: Any, b: Any) -> Any:
        d = digamma((a, b)[which]) - digamma(a + b)
        return unbroadcast(g * ans * d if uses_ans else g * d, (a, b)[which])

    return rule


beta = scipy_primitive(sc.beta, _beta_rule(0, True), _beta_rule(1, True), sample=PAIR)
betaln = scipy_primitive(sc.betaln, _beta_rule(0, False), _beta_rule(1, False), sample=PAIR, uses_ans=False)


def _gammainc_density(a: Any, x: Any) -> Any:
    """``x**(a-1) exp(-x) / gamma(a)``, the derivative of the regularized lower incomplete gamma in x."""
    return fnp.exp(xlogy(a - 1.0, x) - x - gammaln(a))


gammainc = scipy_primitive(sc.gammainc, no_derivative("scipy.special.gammainc", "a", _SHAPE),
                           lambda g, ans, a, x: unbroadcast(g * _gammainc_density(a, x), x),
                           sample=PAIR, argnums=(1,), uses_ans=False)
gammaincc = scipy_primitive(sc.gammaincc, no_derivative("scipy.special.gammaincc", "a", _SHAPE),
                            lambda g, ans, a, x: unbroadcast(-(g * _gammainc_density(a, x)), x),
                            sample=PAIR, argnums=(1,), uses_ans=False)


def _betainc_dx(g: Any, ans: Any, a: Any, b: Any, x: Any) -> Any:
    return unbroadcast(g * fnp.exp(xlogy(a - 1.0, x) + xlog1py(b - 1.0, -x) - betaln(a, b)), x)


betainc = scipy_primitive(sc.betainc, no_derivative("scipy.special.betainc", "a", _SHAPE),
                          no_derivative("scipy.special.betainc", "b", _SHAPE), _betainc_dx,
                          sample="(np.array([0.7, 2.5]), np.array([1.5, 0.8]), np.array([0.3, 0.6]))",
                          argnums=(2,), uses_ans=False)


def _stdtr_dt(g: Any, ans: Any, df: Any, t: Any) -> Any:
    # Student's t density at t
    log_pdf = (gammaln((df + 1.0) * 0.5) - gammaln(df * 0.5) - 0.5 * fnp.log(df * math.pi)
               - (df + 1.0) * 0.5 * fnp.log1p(t * t / df))
    return unbroadcast(g * fnp.exp(log_pdf), t)


stdtr = scipy_primitive(sc.stdtr, no_derivative("scipy.special.stdtr", "df", _SHAPE), _stdtr_dt,
                        sample="(np.array([2.5, 4.0]), np.array([-0.3, 1.6]))", argnums=(1,), uses_ans=False)


def _pdtr_dm(g: Any, ans: Any, k: Any, m: Any) -> Any:
    # pdtr(k, m) = gammaincc(floor(k) + 1, m): minus the Poisson probability of floor(k)
    k = np.floor(np.asarray(value_of(k), dtype=float))
    return unbroadcast(-(g * fnp.exp(xlogy(k, m) - m - sc.gammaln(k + 1.0))), m)


pdtr = scipy_primitive(sc.pdtr, lambda g, ans, k, m: zero_cotangent(g, k), _pdtr_dm,
                       sample="(np.array([2.0, 4.0]), np.array([1.5, 3.2]))", argnums=(1,), uses_ans=False)


def _hurwitz_dq(g: Any, ans: Any, x: Any, q: Any) -> Any:
    return unbroadcast(-(g * x * zeta(x + 1.0, q)), q)


_EXPONENT = "its derivative in the exponent is not implemented (JAX does not implement it either)"
_hurwitz = primitive(sc.zeta, no_derivative("scipy.special.zeta", "x", _EXPONENT), _hurwitz_dq, name="zeta",
                     uses_ans=False)
_riemann = primitive(lambda x: sc.zeta(x), no_derivative("scipy.special.zeta", "x", _EXPONENT), name="zeta")


def zeta(x: Any, q: Any = None) -> Any:
    """The Hurwitz zeta function ``sum((k + q) ** -x)`` (Riemann's when `q` is None).

    Differentiable in `q`: its derivative is ``-x zeta(x + 1, q)``, so every order works.
    The derivative in the exponent `x` is not available: a traced `x` is refused.

    Example:
        >>> import numpy as np, scipy.special, fgrad
        >>> from fgrad.scipy import special
        >>> got = fgrad.grad(lambda q: special.zeta(3.0, q))(1.5)
        >>> bool(np.isclose(got, -3.0 * scipy.special.zeta(4.0, 1.5)))
        True
    """
    if q is None:
        return _riemann(x)
    return _hurwitz(x, q)


def multigammaln(a: Any, d: int) -> Any:
    """The log of the multivariate gamma function of dimension `d` (differentiable in `a`).

    ``d (d - 1) / 4 log(pi) + sum(gammaln(a - j / 2) for j in range(d))``.

    Example:
        >>> import numpy as np, scipy.special, fgrad
        >>> from fgrad.scipy import special
        >>> got = fgrad.grad(lambda a: special.multigammaln(a, 3))(4.0)
        >>> bool(np.isclose(got, sum(scipy.special.digamma(4.0 - j / 2) for j in range(3))))
        True
    """
    if not any_traced(a):
        return sc.multigammaln(a, d)
    sc.multigammaln(plain_value(a), d)  # SciPy's checks of `a` and `d` (ValueError), every example's
    total = (d * (d - 1) * 0.25) * math.log(math.pi)
    for j in range(int(d)):
        total = total + gammaln(a - j / 2.0)
    return total


def _gammasgn(x: Any) -> Any:
    x = value_of(x)
    if type(x) is Node:  # batched by vmap
        return batch_plain(sc.gammasgn, _gammasgn, (x,), {})
    return sc.gammasgn(x)


def gammasgn(x: Any) -> Any:
    """The sign of ``gamma(x)``: piecewise constant, so a plain value even for a traced `x`.

    Example:
        >>> import fgrad
        >>> from fgrad.scipy import special
        >>> float(fgrad.grad(lambda x: special.gammasgn(x) * x)(-1.5))
        1.0
    """
    return _gammasgn(x)


gammasgn.accepts_ufunc_kwargs = gammasgn.is_plain = True  # type: ignore[attr-defined]

register((sc.gammasgn,), gammasgn)
