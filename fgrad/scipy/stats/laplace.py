"""The Laplace distribution: ``fgrad.scipy.stats.laplace.logpdf(x, loc=0, scale=1)`` and its other methods."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ._family import loc_scale_methods

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

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


logpdf, pdf, cdf, logcdf, sf, logsf = loc_scale_methods(
    "laplace", {"logpdf": _logpdf, "cdf": _cdf, "logcdf": _logcdf, "sf": _sf, "logsf": _logsf},
    support=_SUPPORT, point=_POINT,
)
