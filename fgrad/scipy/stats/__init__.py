"""Differentiable ``scipy.stats`` distributions: ``fgrad.scipy.stats.norm.logpdf(x, loc, scale)``...

One module per distribution, as in ``jax.scipy.stats``, each with SciPy's methods and
signatures: `norm`, `t`, `gamma`, `chi2`, `beta`, `expon`, `laplace`, `logistic`, `uniform`,
`cauchy` (``logpdf``, ``pdf``, ``cdf``, ``logcdf``, and ``sf``/``logsf`` for most),
`poisson` and `bernoulli` (``logpmf``, ``pmf``, ``cdf``), `dirichlet` and
`multivariate_normal` (``logpdf``, ``pdf``; ``entropy`` for the latter). On plain inputs
each is SciPy's own call; on traced values a composition of fgrad functions (SciPy's
value to about 1e-12, relative) differentiable in the argument, ``loc``, ``scale`` and the shape parameters,
except where SciPy's function has no derivative (a cdf in its shape parameters).
SciPy's distribution objects cannot see traced values: call these.

Example:
    >>> import fgrad
    >>> from fgrad.scipy import stats
    >>> float(fgrad.grad(stats.norm.logpdf, argnums=1)(1.0, 0.0, 1.0))  # d/dloc = (x - loc) / scale**2
    1.0
"""

from . import bernoulli, beta, cauchy, chi2, dirichlet, expon, gamma, laplace, logistic, multivariate_normal, norm
from . import poisson, t, uniform

__all__ = ["bernoulli", "beta", "cauchy", "chi2", "dirichlet", "expon", "gamma", "laplace", "logistic",
           "multivariate_normal", "norm", "poisson", "t", "uniform"]
