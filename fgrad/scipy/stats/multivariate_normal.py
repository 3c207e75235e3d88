"""The multivariate normal distribution: ``fgrad.scipy.stats.multivariate_normal.logpdf(x, mean=None, cov=1)``,
``pdf`` and ``entropy(mean=None, cov=1)``.

Differentiable in `x`, `mean` and `cov` (a matrix, a vector of variances, or one
variance, as in SciPy), through a Cholesky factorization: `cov` must be positive
definite (``allow_singular=True`` is refused on traced values). The components of `x`
run along its last axis.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.stats

from ... import numpy as fnp
from ..._core import value_of
from .._support import plain_value
from ..linalg import solve_triangular
from ._family import method

__all__ = ["logpdf", "pdf", "entropy"]

_S = "(np.array([0.3, -0.2]), np.array([0.1, 0.2]), np.array([[1.5, 0.3], [0.3, 0.8]]))"
_LOG_2PI = math.log(2.0 * math.pi)


def _dimension(mean: Any, cov: Any) -> int:
    """SciPy's: the size of `mean`, else the order of a 2-D `cov`, else 1."""
    if mean is not None:
        return int(np.size(value_of(mean)))
    return np.shape(value_of(cov))[0] if np.ndim(value_of(cov)) == 2 else 1


def _logpdf(x: Any, mean: Any, cov: Any, allow_singular: bool) -> Any:
    if allow_singular:
        raise TypeError("multivariate_normal on traced values: allow_singular=True is not supported "
                        "(the derivative goes through a Cholesky factorization of `cov`)")
    # SciPy's quantile convention: a vector `x` is one point (or, in dimension 1, many)
    cov_ndim = np.ndim(value_of(cov))
    k = _dimension(mean, cov)
    x_ndim = np.ndim(value_of(x))
    if x_ndim == 0 or (x_ndim == 1 and k == 1):
        x = fnp.reshape(x, (-1, 1))
    d = x if mean is None else x - fnp.reshape(mean, (k,))
    if cov_ndim < 2:  # one variance, or one per component
        var = fnp.broadcast_to(cov, (k,)) if cov_ndim == 0 else cov
        if np.any(np.asarray(value_of(var)) <= 0):
            raise ValueError("multivariate_normal: the covariance must be positive definite")
        maha = fnp.sum(fnp.square(d) / var, axis=-1)
        log_det = fnp.sum(fnp.log(var))
    else:
        chol = fnp.linalg.cholesky(cov)
        rows = fnp.reshape(d, (-1, k))
        z = solve_triangular(chol, fnp.transpose(rows), lower=True)
        maha = fnp.reshape(fnp.sum(fnp.square(z), axis=0), np.shape(value_of(d))[:-1])
        log_det = 2.0 * fnp.sum(fnp.log(fnp.diagonal(chol)))
    out = -0.5 * (k * _LOG_2PI + log_det + maha)
    squeezed = tuple(n for n in np.shape(value_of(out)) if n != 1)
    return out if squeezed == np.shape(value_of(out)) else fnp.reshape(out, squeezed)


@method("multivariate_normal", "logpdf", _S, (0, 1, 2))
def logpdf(x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
    return _logpdf(x, mean, cov, allow_singular)


@method("multivariate_normal", "pdf", _S, (0, 1, 2))
def pdf(x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
    return fnp.exp(_logpdf(x, mean, cov, allow_singular))


@method("multivariate_normal", "entropy", "(np.array([0.1, 0.2]), np.array([[1.5, 0.3], [0.3, 0.8]]))", (1,),
        "`cov` (it does not depend on `mean`)")
def entropy(mean: Any = None, cov: Any = 1) -> Any:
    # SciPy's checks and conventions first (shapes, a covariance that is not positive semidefinite)
    scipy.stats.multivariate_normal.entropy(plain_value(mean), plain_value(cov))
    k = _dimension(mean, cov)
    plain_cov = np.asarray(value_of(cov), dtype=float)
    if plain_cov.ndim < 2:  # one variance, or one per component
        var = fnp.broadcast_to(cov, (k,)) if plain_cov.ndim == 0 else cov
        singular = np.any(np.asarray(value_of(var)) <= 0)
    else:
        singular = not np.all(np.linalg.eigvalsh(plain_cov) > 0)
    if singular:
        # SciPy then uses the pseudo-determinant and the rank: not differentiable across ranks
        raise ValueError("multivariate_normal.entropy on traced values: `cov` must be positive definite "
                         "(for a singular one SciPy takes its pseudo-determinant, which has no derivative here)")
    if plain_cov.ndim < 2:
        log_det = fnp.sum(fnp.log(var))
    else:
        log_det = 2.0 * fnp.sum(fnp.log(fnp.diagonal(fnp.linalg.cholesky(cov))))
    return 0.5 * (k * (_LOG_2PI + 1.0) + log_det)


__test__ = {name: globals()[name] for name in __all__}
