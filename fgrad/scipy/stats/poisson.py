"""The Poisson distribution: ``fgrad.scipy.stats.poisson.logpmf(k, mu, loc=0)``, ``pmf``, ``cdf``, ``logcdf``.

Differentiable in the rate `mu` (and nothing else: `k` and `loc` are integer counts).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ..special import gammaln, pdtr, xlogy
from ._family import method, refuse_traced_counts, safe

__all__ = ["logpmf", "pmf", "cdf", "logcdf"]

_S = "(np.array([0.0, 3.0]), 2.5)"
_NOTE = "the rate `mu` (`k` is an integer count)"


def _evaluate(kind: str, k: Any, mu: Any, loc: Any) -> Any:
    refuse_traced_counts(f"poisson.{kind}", (k, loc))
    k = np.asarray(k, dtype=float) - np.asarray(loc, dtype=float)
    vmu = np.asarray(value_of(mu), dtype=float)
    ok = vmu >= 0
    mu = safe(ok, mu, 1.0)
    if kind in ("logpmf", "pmf"):
        inside = (k >= 0) & (np.floor(k) == k) & ok
        ks = np.where(inside, k, 0.0)
        value = xlogy(ks, mu) - gammaln(ks + 1.0) - mu
        value = fnp.exp(value) if kind == "pmf" else value
        outside = 0.0 if kind == "pmf" else -np.inf
    else:
        k = np.floor(k)
        inside = (k >= 0) & ok
        value = pdtr(np.where(inside, k, 0.0), mu)
        value = fnp.log(value) if kind == "logcdf" else value
        outside = -np.inf if kind == "logcdf" else 0.0
    value = value if np.all(inside) else fnp.where(inside, value, outside)
    bad = ~ok | np.isnan(k)
    return value if not np.any(bad) else fnp.where(bad, np.nan, value)


@method("poisson", "logpmf", _S, (1,), _NOTE)
def logpmf(k: Any, mu: Any, loc: Any = 0) -> Any:
    return _evaluate("logpmf", k, mu, loc)


@method("poisson", "pmf", _S, (1,), _NOTE)
def pmf(k: Any, mu: Any, loc: Any = 0) -> Any:
    return _evaluate("pmf", k, mu, loc)


@method("poisson", "cdf", _S, (1,), _NOTE)
def cdf(k: Any, mu: Any, loc: Any = 0) -> Any:
    return _evaluate("cdf", k, mu, loc)


@method("poisson", "logcdf", _S, (1,), _NOTE)
def logcdf(k: Any, mu: Any, loc: Any = 0) -> Any:
    return _evaluate("logcdf", k, mu, loc)


__test__ = {name: globals()[name] for name in __all__}
