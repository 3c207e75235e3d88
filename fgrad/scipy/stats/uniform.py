"""The uniform distribution on ``[loc, loc + scale]``: ``fgrad.scipy.stats.uniform.logpdf(x, loc=0, scale=1)`` and its other methods."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import numpy as fnp
from ..._core import value_of
from ._family import loc_scale, method

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

_S = "(np.array([0.3, 1.2]), 0.1, 1.5)"
_ALL = (0, 1, 2)
_SUPPORT = (0.0, 1.0)
_POINT = 0.5


def _logpdf(z: Any) -> Any:
    return 0.0 * z


def _cdf(z: Any) -> Any:
    return z


def _logcdf(z: Any) -> Any:
    return fnp.log(z)


def _sf(z: Any) -> Any:
    return 1.0 - z


def _logsf(z: Any) -> Any:
    return fnp.log1p(-z)


@method("uniform", "logpdf", _S, _ALL)
def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logpdf", _logpdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("uniform", "pdf", _S, _ALL)
def pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("pdf", _logpdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("uniform", "cdf", _S, _ALL)
def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("cdf", _cdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("uniform", "logcdf", _S, _ALL)
def logcdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logcdf", _logcdf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("uniform", "sf", _S, _ALL)
def sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("sf", _sf, x, loc, scale, support=_SUPPORT, point=_POINT)


@method("uniform", "logsf", _S, _ALL)
def logsf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return loc_scale("logsf", _logsf, x, loc, scale, support=_SUPPORT, point=_POINT)


__test__ = {name: globals()[name] for name in __all__}
