"""The beta distribution: ``fgrad.scipy.stats.beta.logpdf(x, a, b, loc=0, scale=1)``, ``pdf``, ``cdf``, ``logcdf`` (the cdf is not differentiable in `a`, `b`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ..special import betainc, betaln, xlog1py, xlogy
from ._family import loc_scale, method

__all__ = ["logpdf", "pdf", "cdf", "logcdf"]

_S = "(np.array([0.3, 0.7]), 2.5, 1.5, -0.1, 1.2)"
_CDF_NOTE = "`x`, `loc` and `scale` (not `a`, `b`: SciPy's betainc has no derivative in them)"
_SUPPORT = (0.0, 1.0)


def _logpdf(z: Any, a: Any, b: Any) -> Any:
    return xlogy(a - 1.0, z) + xlog1py(b - 1.0, -z) - betaln(a, b)


def _method(kind: str, formula: Any, x: Any, a: Any, b: Any, loc: Any, scale: Any) -> Any:
    ok = (np.asarray(value_of(a)) > 0) & (np.asarray(value_of(b)) > 0)
    return loc_scale(kind, formula, x, loc, scale, (a, b), ok, _SUPPORT, 0.5)


@method("beta", "logpdf", _S, (0, 1, 2, 3, 4))
def logpdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("logpdf", _logpdf, x, a, b, loc, scale)


@method("beta", "pdf", _S, (0, 1, 2, 3, 4))
def pdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("pdf", _logpdf, x, a, b, loc, scale)


@method("beta", "cdf", _S, (0, 3, 4), _CDF_NOTE)
def cdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("cdf", lambda z, a, b: betainc(a, b, z), x, a, b, loc, scale)


@method("beta", "logcdf", _S, (0, 3, 4), _CDF_NOTE)
def logcdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("logcdf", lambda z, a, b: fnp.log(betainc(a, b, z)), x, a, b, loc, scale)


__test__ = {name: globals()[name] for name in __all__}
