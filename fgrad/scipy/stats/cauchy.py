"""The Cauchy distribution: ``fgrad.scipy.stats.cauchy.logpdf(x, loc=0, scale=1)`` and its other methods."""

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


logpdf, pdf, cdf, logcdf, sf, logsf = loc_scale_methods(
    "cauchy", {"logpdf": _logpdf, "cdf": _cdf, "logcdf": _logcdf, "sf": _sf, "logsf": _logsf},
    support=_SUPPORT, point=_POINT,
)
