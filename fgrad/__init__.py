"""fgrad: functional automatic differentiation for plain Python + NumPy.

Example:
    >>> import fgrad
    >>> fgrad.grad(lambda x: x ** 3)(2.0)
    np.float64(12.0)
"""

from ._checks import check_grads, numerical_grad
from ._core import Node, Primitive, defvjp, primitive
from ._forward import jvp
from ._ops import stop_gradient
from ._transforms import grad, value_and_grad, vjp
from . import numpy, optimize, tree

__version__ = "0.1.0"

__all__ = [
    "Node", "Primitive", "check_grads", "defvjp", "grad", "jvp", "numerical_grad", "numpy",
    "optimize", "primitive", "stop_gradient", "tree", "value_and_grad", "vjp",
]
