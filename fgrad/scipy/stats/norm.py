"""The normal distribution: ``fgrad.scipy.stats.norm.logpdf(x, loc=0, scale=1)`` and its other methods."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ..special import log_ndtr, ndtr, ndtri
from ._family import loc_scale, method, safe

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_S = "(np.array([0.3, 1.2]), 0.5, 1.5)"
_ALL = (0, 1, 2)


def _logpdf(z: Any) -> Any:
    return -0.5 * fnp.square(z) - _LOG_SQRT_2PI


@method("norm", "logpdf", _S, _ALL)
def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logpdf", _logpdf, x, loc, scale)


@method("norm", "pdf", _S, _ALL)
def pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("pdf", _logpdf, x, loc, scale)


@method("norm", "cdf", _S, _ALL)
def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("cdf", ndtr, x, loc, scale)


@method("norm", "logcdf", _S, _ALL)
def logcdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logcdf", log_ndtr, x, loc, scale)


@method("norm", "sf", _S, _ALL)
def sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("sf", lambda z: ndtr(-z), x, loc, scale)


@method("norm", "logsf", _S, _ALL)
def logsf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logsf", lambda z: log_ndtr(-z), x, loc, scale)


@method("norm", "ppf", "(np.array([0.3, 0.8]), 0.5, 1.5)", _ALL)
def ppf(q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    ok = (np.asarray(value_of(scale)) > 0) & (np.asarray(value_of(q)) >= 0) & (np.asarray(value_of(q)) <= 1)
    out = loc + safe(ok, scale, 1.0) * ndtri(safe(ok, q, 0.5))
    return out if np.all(ok) else fnp.where(ok, out, np.nan)


__test__ = {name: globals()[name] for name in __all__}
