"""The Laplace distribution: ``fgrad.scipy.stats.laplace.logpdf(x, loc=0, scale=1)`` and its other methods."""

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
_LOG2 = math.log(2.0)


def _half_tail(z: Any, lower: bool) -> Any:
    """The cdf (`lower`) or sf: ``0.5 exp(-|z|)`` on the tail's side of 0, ``1 - 0.5 exp(-|z|)``
    on the other. Each side's own exponential is differentiated: through ``|z|`` the
    derivative at 0 would be 0 instead of the density 0.5."""
    left = np.asarray(value_of(z)) < 0
    tail = 0.5 * fnp.exp(fnp.where(left, z, -z))
    return fnp.where(left if lower else ~left, tail, 1.0 - tail)


def _logpdf(z: Any) -> Any:
    return -fnp.abs(z) - _LOG2


def _cdf(z: Any) -> Any:
    return _half_tail(z, True)


def _logcdf(z: Any) -> Any:
    return fnp.log(_cdf(z))


def _sf(z: Any) -> Any:
    return _half_tail(z, False)


def _logsf(z: Any) -> Any:
    return fnp.log(_sf(z))


@method("laplace", "logpdf", _S, _ALL)
def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logpdf", _logpdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("laplace", "pdf", _S, _ALL)
def pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("pdf", _logpdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("laplace", "cdf", _S, _ALL)
def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("cdf", _cdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("laplace", "logcdf", _S, _ALL)
def logcdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logcdf", _logcdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("laplace", "sf", _S, _ALL)
def sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("sf", _sf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("laplace", "logsf", _S, _ALL)
def logsf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logsf", _logsf, x, loc, scale, support=_SUPPORT, point=_POINT)


__test__ = {name: globals()[name] for name in __all__}
