"""The Dirichlet distribution: ``fgrad.scipy.stats.dirichlet.logpdf(x, alpha)`` and ``pdf``.

As in SciPy, the components of `x` run along its first axis (``x.shape[0]`` is
``len(alpha)``, or one less: the last component is then ``1 - sum``), and the result
has the shape of the remaining axes. Differentiable in `x` and `alpha`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.stats

from ... import numpy as fnp
from ..._core import value_of
from ..special import gammaln, xlogy
from ._family import method

__all__ = ["logpdf", "pdf"]

_S = "(np.array([0.2, 0.5]), np.array([1.5, 2.0, 3.5]))"  # the last component is 1 - sum


def _logpdf(x: Any, alpha: Any) -> Any:
    scipy.stats.dirichlet.logpdf(np.asarray(value_of(x)), np.asarray(value_of(alpha)))  # SciPy's checks (ValueError)
    k = np.shape(value_of(alpha))[0]
    if np.shape(value_of(x))[0] == k - 1:
        x = fnp.concatenate([x, 1.0 - fnp.sum(x, axis=0, keepdims=True)], axis=0)
    a = fnp.reshape(alpha, (k,) + (1,) * (len(np.shape(value_of(x))) - 1))
    log_norm = fnp.sum(gammaln(alpha)) - gammaln(fnp.sum(alpha))
    return fnp.sum(xlogy(a - 1.0, x), axis=0) - log_norm


@method("dirichlet", "logpdf", _S, (0, 1))
def logpdf(x: Any, alpha: Any) -> Any:
    return _logpdf(x, alpha)


@method("dirichlet", "pdf", _S, (0, 1))
def pdf(x: Any, alpha: Any) -> Any:
    return fnp.exp(_logpdf(x, alpha))


__test__ = {name: globals()[name] for name in __all__}
