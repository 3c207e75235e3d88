"""Differentiable NumPy: ``import fgrad.numpy as fnp``.

Each function behaves like its NumPy namesake on plain arrays (one NumPy call) and
records a differentiable primitive on traced values.

Example:
    >>> import fgrad, fgrad.numpy as fnp
    >>> fgrad.grad(lambda x: fnp.sum(fnp.sin(x) ** 2))(fnp.asarray([0.0, 1.0])).round(6)
    array([0.      , 0.909297])
"""

from numpy import asarray, float32, float64, pi, e  # noqa: F401 - constants and constructors

from .._ops import (  # noqa: F401
    absolute, add, broadcast_to, cos, divide, exp, log, matmul, mean, multiply, negative,
    power, reshape, sign, sin, sqrt, square, subtract, sum, swapaxes, tan, tanh, transpose,
)

abs = absolute  # noqa: A001
true_divide = divide
