"""The Cauchy distribution: ``fgrad.scipy.stats.cauchy.logpdf(x, loc=0, scale=1)`` and its other methods."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ._family import loc_scale, method

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

_S = "(np.array([0.3, 1.2]), 0.1, 1.5)"
_ALL = (0, 1, 2)
_SUPPORT = (-np.inf, np.inf)
_POINT = 0.0
_LOGPI = math.log(math.pi)


def _logpdf(z: Any) -> Any:
    return -_LOGPI - fnp.log1p(fnp.square(z))


def _cdf(z: Any) -> Any:
    return 0.5 + fnp.arctan(z) / math.pi


def _logcdf(z: Any) -> Any:
    return fnp.log(_cdf(z))


def _sf(z: Any) -> Any:
    return 0.5 - fnp.arctan(z) / math.pi


def _logsf(z: Any) -> Any:
    return fnp.log(_sf(z))


@method("cauchy", "logpdf", _S, _ALL)
def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logpdf", _logpdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("cauchy", "pdf", _S, _ALL)
def pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("pdf", _logpdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("cauchy", "cdf", _S, _ALL)
def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("cdf", _cdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("cauchy", "logcdf", _S, _ALL)
def logcdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logcdf", _logcdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("cauchy", "sf", _S, _ALL)
def sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("sf", _sf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("cauchy", "logsf", _S, _ALL)
def logsf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logsf", _logsf, x, loc, scale, support=_SUPPORT, point=_POINT)


__test__ = {name: globals()[name] for name in __all__}
