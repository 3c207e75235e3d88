"""The logistic distribution: ``fgrad.scipy.stats.logistic.logpdf(x, loc=0, scale=1)`` and its other methods."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ..special import expit, log_expit
from ._family import loc_scale, method

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

_S = "(np.array([0.3, 1.2]), 0.1, 1.5)"
_ALL = (0, 1, 2)
_SUPPORT = (-np.inf, np.inf)
_POINT = 0.0


def _logpdf(z: Any) -> Any:
    return log_expit(z) + log_expit(-z)


def _cdf(z: Any) -> Any:
    return expit(z)


def _logcdf(z: Any) -> Any:
    return log_expit(z)


def _sf(z: Any) -> Any:
    return expit(-z)


def _logsf(z: Any) -> Any:
    return log_expit(-z)


@method("logistic", "logpdf", _S, _ALL)
def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logpdf", _logpdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("logistic", "pdf", _S, _ALL)
def pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("pdf", _logpdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("logistic", "cdf", _S, _ALL)
def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("cdf", _cdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("logistic", "logcdf", _S, _ALL)
def logcdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logcdf", _logcdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("logistic", "sf", _S, _ALL)
def sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("sf", _sf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("logistic", "logsf", _S, _ALL)
def logsf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logsf", _logsf, x, loc, scale, support=_SUPPORT, point=_POINT)


__test__ = {name: globals()[name] for name in __all__}
