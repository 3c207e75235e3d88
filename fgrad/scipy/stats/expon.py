"""The exponential distribution: ``fgrad.scipy.stats.expon.logpdf(x, loc=0, scale=1)`` and its other methods."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ._family import loc_scale_methods

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

_SUPPORT = (0.0, np.inf)
_POINT = 1.0


def _logpdf(z: Any) -> Any:
    return -z


def _cdf(z: Any) -> Any:
    return -fnp.expm1(-z)


def _logcdf(z: Any) -> Any:
    return fnp.log(-fnp.expm1(-z))


def _sf(z: Any) -> Any:
    return fnp.exp(-z)


def _logsf(z: Any) -> Any:
    return -z


logpdf, pdf, cdf, logcdf, sf, logsf = loc_scale_methods(
    "expon", {"logpdf": _logpdf, "cdf": _cdf, "logcdf": _logcdf, "sf": _sf, "logsf": _logsf},
    support=_SUPPORT, point=_POINT,
)
