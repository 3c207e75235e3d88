"""The chi-squared distribution: ``fgrad.scipy.stats.chi2.logpdf(x, df, loc=0, scale=1)`` and its other methods.

It is the gamma distribution of shape ``df / 2`` and scale 2: the density's derivative
in `df` comes from `gammaln`'s (digamma). The cdf and sf are SciPy's ``chdtr`` and
``chdtrc`` (as in SciPy), whose derivative in the argument is the density; in `df`
SciPy gives none, so a traced `df` there is refused, naming it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special as sc

from ... import numpy as fnp
from ..._core import primitive, value_of
from ..._ops import unbroadcast
from .._support import no_derivative
from ..special import gammaln, xlogy
from ._family import loc_scale, method

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

_S = "(np.array([0.8, 2.2]), 3.5, 0.1, 1.5)"
_CDF_NOTE = "`x`, `loc` and `scale` (not `df`: SciPy's chdtr has no derivative in it)"
_SUPPORT = (0.0, np.inf)
_LOG_2 = math.log(2.0)
_NO_DF = "SciPy's chdtr (the regularized incomplete gamma function) has no closed-form derivative in it"


def _logpdf(z: Any, df: Any) -> Any:
    half = df * 0.5
    return xlogy(half - 1.0, z) - z * 0.5 - gammaln(half) - half * _LOG_2


def _density(g: Any, df: Any, z: Any) -> Any:
    return unbroadcast(g * fnp.exp(_logpdf(z, df)), z)


# The standardized cdf and sf, as primitives of their own so that a traced `df` is refused
# under its own name (through gammainc it would be gammainc's `a`).
_cdf = primitive(sc.chdtr, no_derivative("scipy.stats.chi2.cdf", "df", _NO_DF),
                 lambda g, ans, df, z: _density(g, df, z), name="chdtr", uses_ans=False)
_sf = primitive(sc.chdtrc, no_derivative("scipy.stats.chi2.sf", "df", _NO_DF),
                lambda g, ans, df, z: -_density(g, df, z), name="chdtrc", uses_ans=False)


def _ok(df: Any) -> Any:
    return np.asarray(value_of(df)) > 0


def _method(kind: str, formula: Any, x: Any, df: Any, loc: Any, scale: Any) -> Any:
    return loc_scale(kind, formula, x, loc, scale, (df,), _ok(df), _SUPPORT, 1.0)


@method("chi2", "logpdf", _S, (0, 1, 2, 3))
def logpdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("logpdf", _logpdf, x, df, loc, scale)


@method("chi2", "pdf", _S, (0, 1, 2, 3))
def pdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("pdf", _logpdf, x, df, loc, scale)


@method("chi2", "cdf", _S, (0, 2, 3), _CDF_NOTE)
def cdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("cdf", lambda z, df: _cdf(df, z), x, df, loc, scale)


@method("chi2", "logcdf", _S, (0, 2, 3), _CDF_NOTE)
def logcdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("logcdf", lambda z, df: fnp.log(_cdf(df, z)), x, df, loc, scale)


@method("chi2", "sf", _S, (0, 2, 3), _CDF_NOTE)
def sf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("sf", lambda z, df: _sf(df, z), x, df, loc, scale)


@method("chi2", "logsf", _S, (0, 2, 3), _CDF_NOTE)
def logsf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _method("logsf", lambda z, df: fnp.log(_sf(df, z)), x, df, loc, scale)


__test__ = {name: globals()[name] for name in __all__}
