"""The gamma distribution: ``fgrad.scipy.stats.gamma.logpdf(x, a, loc=0, scale=1)`` and its other methods (the cdf is not differentiable in `a`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ..special import gammainc, gammaincc, gammaln, xlogy
from ._family import loc_scale, method

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

_S = "(np.array([0.8, 2.2]), 2.5, 0.1, 1.5)"
_CDF_NOTE = "`x`, `loc` and `scale` (not `a`: SciPy's gammainc has no derivative in it)"
_SUPPORT = (0.0, np.inf)


def _logpdf(z: Any, a: Any) -> Any:
    return xlogy(a - 1.0, z) - z - gammaln(a)


def _ok(a: Any) -> Any:
    return np.asarray(value_of(a)) > 0


def _method(kind: str, formula: Any, x: Any, a: Any, loc: Any, scale: Any) -> Any:
    return loc_scale(kind, formula, x, loc, scale, (a,), _ok(a), _SUPPORT, 1.0)


@method("gamma", "logpdf", _S, (0, 1, 2, 3))
def logpdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("logpdf", _logpdf, x, a, loc, scale)


@method("gamma", "pdf", _S, (0, 1, 2, 3))
def pdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("pdf", _logpdf, x, a, loc, scale)


@method("gamma", "cdf", _S, (0, 2, 3), _CDF_NOTE)
def cdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("cdf", lambda z, a: gammainc(a, z), x, a, loc, scale)


@method("gamma", "logcdf", _S, (0, 2, 3), _CDF_NOTE)
def logcdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("logcdf", lambda z, a: fnp.log(gammainc(a, z)), x, a, loc, scale)


@method("gamma", "sf", _S, (0, 2, 3), _CDF_NOTE)
def sf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("sf", lambda z, a: gammaincc(a, z), x, a, loc, scale)


@method("gamma", "logsf", _S, (0, 2, 3), _CDF_NOTE)
def logsf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("logsf", lambda z, a: fnp.log(gammaincc(a, z)), x, a, loc, scale)


__test__ = {name: globals()[name] for name in __all__}
