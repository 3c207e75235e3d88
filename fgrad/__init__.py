"""fgrad: functional automatic differentiation for plain Python + NumPy.

Example:
    >>> import fgrad
    >>> fgrad.grad(lambda x: x ** 3)(2.0)
    np.float64(12.0)
"""

from ._checks import check_grads, numerical_grad
from ._core import Node, Primitive, UnexpectedTracerError, defvjp, primitive
from ._custom import custom_vjp
from ._dot import render, to_dot
from ._forward import jvp, linearize
from ._graph import Graph, graph_of, name, trace
from ._jacobians import hessian, hvp, jacfwd, jacobian, jacrev
from ._ops import stop_gradient
from ._transforms import grad, value_and_grad, vjp
from . import numpy, optimize, tree

__version__ = "0.1.0"

__all__ = [
    # transforms
    "grad", "value_and_grad", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "jacobian",
    "hessian", "hvp", "stop_gradient",
    # defining differentiable operations
    "primitive", "defvjp", "custom_vjp",
    # graphs
    "trace", "graph_of", "name", "to_dot", "render",
    # checking derivatives
    "check_grads", "numerical_grad",
    # records and namespaces
    "Node", "Primitive", "Graph", "numpy", "optimize", "tree",
    # errors
    "UnexpectedTracerError",
]
