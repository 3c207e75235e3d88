"""The Bernoulli distribution: ``fgrad.scipy.stats.bernoulli.logpmf(k, p, loc=0)``, ``pmf``, ``cdf``.

Differentiable in the probability `p` (`k` is a count, 0 or 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ..special import xlog1py, xlogy
from ._family import method, refuse_traced_counts, safe

__all__ = ["logpmf", "pmf", "cdf"]

_S = "(np.array([0.0, 1.0]), 0.3)"
_NOTE = "the probability `p` (`k` is a count, 0 or 1)"


def _evaluate(kind: str, k: Any, p: Any, loc: Any) -> Any:
    refuse_traced_counts(f"bernoulli.{kind}", (k, loc))
    k = np.asarray(k, dtype=float) - np.asarray(loc, dtype=float)
    vp = np.asarray(value_of(p), dtype=float)
    ok = (vp >= 0) & (vp <= 1)
    p = safe(ok, p, 0.5)
    if kind == "cdf":
        k = np.floor(k)
        inside = (k >= 0) & (k < 1) & ok
        value = 1.0 - p
        value = value if np.all(inside) else fnp.where(inside, value, np.where(k >= 1, 1.0, 0.0))
    else:
        inside = ((k == 0) | (k == 1)) & ok
        ks = np.where(inside, k, 0.0)
        value = xlogy(ks, p) + xlog1py(1.0 - ks, -p)
        value = fnp.exp(value) if kind == "pmf" else value
        outside = 0.0 if kind == "pmf" else -np.inf
        value = value if np.all(inside) else fnp.where(inside, value, outside)
    bad = ~ok | np.isnan(k)
    return value if not np.any(bad) else fnp.where(bad, np.nan, value)


@method("bernoulli", "logpmf", _S, (1,), _NOTE)
def logpmf(k: Any, p: Any, loc: Any = 0) -> Any:
    return _evaluate("logpmf", k, p, loc)


@method("bernoulli", "pmf", _S, (1,), _NOTE)
def pmf(k: Any, p: Any, loc: Any = 0) -> Any:
    return _evaluate("pmf", k, p, loc)


@method("bernoulli", "cdf", _S, (1,), _NOTE)
def cdf(k: Any, p: Any, loc: Any = 0) -> Any:
    return _evaluate("cdf", k, p, loc)


__test__ = {name: globals()[name] for name in __all__}
