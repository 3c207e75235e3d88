"""Differentiable ``scipy.special``: ``import fgrad.scipy.special as fsp`` (or ``from fgrad.scipy import special``).

On plain arrays every function returns exactly what SciPy returns. On traced values
the ufuncs (``erf``, ``expit``, ``gammaln``, ``xlogy``...) record a primitive whose
forward is SciPy's function and whose VJP rules are fgrad operations, so every order
of derivative works; calling SciPy itself on a traced value (``scipy.special.erf(x)``)
records the same primitive. ``logsumexp``, ``softmax``, ``log_softmax``, ``polygamma``,
``zeta`` and ``multigammaln`` are not ufuncs, so SciPy's versions cannot see a traced
value: call the ones here.

Example:
    >>> import numpy as np, scipy.special, fgrad
    >>> import fgrad.scipy.special as fsp
    >>> fgrad.grad(lambda x: scipy.special.gammaln(x))(3.0) == scipy.special.digamma(3.0)
    np.True_
"""

from . import _bessel, _erf, _gamma, _log
from ._bessel import *  # noqa: F401,F403
from ._erf import *  # noqa: F401,F403
from ._gamma import *  # noqa: F401,F403
from ._log import *  # noqa: F401,F403

__all__ = sorted({*_bessel.__all__, *_erf.__all__, *_gamma.__all__, *_log.__all__})

# Most functions here are made by `scipy_primitive`, so doctest would not find their
# examples by module: list them for it explicitly.
__test__ = {name: globals()[name] for name in __all__ if ">>>" in (globals()[name].__doc__ or "")}
