"""Student's t distribution: ``fgrad.scipy.stats.t.logpdf(x, df, loc=0, scale=1)`` and its other methods (the cdf is not differentiable in `df`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ..special import gammaln, stdtr
from ._family import loc_scale, method

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

_S = "(np.array([0.3, 1.2]), 3.5, 0.5, 1.5)"
_CDF_NOTE = "`x`, `loc` and `scale` (not `df`: SciPy's stdtr has no derivative in it)"


def _logpdf(z: Any, df: Any) -> Any:
    return (gammaln((df + 1.0) * 0.5) - gammaln(df * 0.5) - 0.5 * fnp.log(df * math.pi)
            - (df + 1.0) * 0.5 * fnp.log1p(fnp.square(z) / df))


def _ok(df: Any) -> Any:
    return np.asarray(value_of(df)) > 0


@method("t", "logpdf", _S, (0, 1, 2, 3))
def logpdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logpdf", _logpdf, x, loc, scale, (df,), _ok(df))


@method("t", "pdf", _S, (0, 1, 2, 3))
def pdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("pdf", _logpdf, x, loc, scale, (df,), _ok(df))


@method("t", "cdf", _S, (0, 2, 3), _CDF_NOTE)
def cdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("cdf", lambda z, df: stdtr(df, z), x, loc, scale, (df,), _ok(df))


@method("t", "logcdf", _S, (0, 2, 3), _CDF_NOTE)
def logcdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logcdf", lambda z, df: fnp.log(stdtr(df, z)), x, loc, scale, (df,), _ok(df))


@method("t", "sf", _S, (0, 2, 3), _CDF_NOTE)
def sf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("sf", lambda z, df: stdtr(df, -z), x, loc, scale, (df,), _ok(df))


@method("t", "logsf", _S, (0, 2, 3), _CDF_NOTE)
def logsf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logsf", lambda z, df: fnp.log(stdtr(df, -z)), x, loc, scale, (df,), _ok(df))


__test__ = {name: globals()[name] for name in __all__}
