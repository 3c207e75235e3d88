"""Minimisation built on fgrad's transforms: Newton's method and gradient descent.

Both accept any objective fgrad can differentiate (fgrad operations, plain ``np.*``
calls, Python control flow on values) over a float, an array or a pytree of them, and
return a frozen `OptimizeResult` with the full iteration history.

Example:
    >>> import numpy as np, fgrad
    >>> rosen = lambda x: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
    >>> res = fgrad.optimize.newton(rosen, np.array([-1.2, 1.0]))
    >>> res.converged, res.x
    (True, array([1., 1.]))
"""

from ._gradient_descent import gradient_descent
from ._newton import newton
from ._plot import plot_path
from ._result import Iteration, OptimizeResult

__all__ = ["Iteration", "OptimizeResult", "gradient_descent", "newton", "plot_path"]
