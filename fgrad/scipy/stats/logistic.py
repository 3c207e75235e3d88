"""The logistic distribution: ``fgrad.scipy.stats.logistic.logpdf(x, loc=0, scale=1)`` and its other methods."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ..special import expit, log_expit
from ._family import loc_scale_methods

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

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


logpdf, pdf, cdf, logcdf, sf, logsf = loc_scale_methods(
    "logistic", {"logpdf": _logpdf, "cdf": _cdf, "logcdf": _logcdf, "sf": _sf, "logsf": _logsf},
    support=_SUPPORT, point=_POINT,
)
