"""Differentiable ``scipy.linalg``: triangular, Cholesky and LU solves, ``expm``, ``sqrtm``.

On plain arrays each function is SciPy's own call. On traced values it records
primitives whose rules are fgrad operations (so Hessians through them work). SciPy's
linear algebra functions are not ufuncs: ``scipy.linalg.expm(x)`` cannot see a traced
``x``; call the functions here.

Example:
    >>> import numpy as np, fgrad
    >>> from fgrad.scipy import linalg
    >>> float(fgrad.grad(lambda t: linalg.expm(t * np.ones((1, 1)))[0, 0])(1.0))  # d/dt e^t
    2.718281828459045
"""

from . import _matrix_functions, _triangular
from ._matrix_functions import *  # noqa: F401,F403
from ._triangular import *  # noqa: F401,F403

__all__ = sorted({*_matrix_functions.__all__, *_triangular.__all__})
