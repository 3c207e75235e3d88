"""fgrad: functional automatic differentiation for plain Python + NumPy.

Example:
    >>> import fgrad
    >>> fgrad.grad(lambda x: x ** 3)(2.0)
    np.float64(12.0)
"""

from typing import TYPE_CHECKING

from ._core import BatchedConversionError, Node, Primitive, UnexpectedTracerError, defvjp, primitive
from ._staging import ConcretizationError
from ._custom import custom_vjp
from ._forward import jvp, linearize
from ._graph import Graph, graph_of, name, trace
from ._ops import stop_gradient
from ._transforms import elementwise_grad, grad, value_and_grad, vjp
from . import tree

# Loaded on first use (PEP 562), so that `import fgrad` costs little more than NumPy's
# own import (benchmarks/w7_import.py): name -> the module that defines it. fgrad.numpy
# (the largest part) is also loaded by the first trace, before a traced value can reach
# NumPy's dispatch (`fgrad._core.new_level`).
_LAZY = {
    "check_grads": "._checks", "numerical_grad": "._checks",
    "render": "._dot", "to_dot": "._dot",
    "hessian": "._jacobians", "hvp": "._jacobians", "jacfwd": "._jacobians",
    "jacobian": "._jacobians", "jacrev": "._jacobians",
    "numpy": ".numpy", "optimize": ".optimize", "vmap": "._vmap", "jit": "._jit",
}

if TYPE_CHECKING:  # what static tools (type checkers, the API reference's griffe) see
    from ._checks import check_grads, numerical_grad
    from ._dot import render, to_dot
    from ._jacobians import hessian, hvp, jacfwd, jacobian, jacrev
    from ._jit import jit
    from ._vmap import vmap
    from . import numpy, optimize

__version__ = "0.1.0"

__all__ = [
    # transforms
    "grad", "value_and_grad", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "jacobian",
    "hessian", "hvp", "vmap", "jit", "elementwise_grad", "stop_gradient",
    # defining differentiable operations
    "primitive", "defvjp", "custom_vjp",
    # graphs
    "trace", "graph_of", "name", "to_dot", "render",
    # checking derivatives
    "check_grads", "numerical_grad",
    # records and namespaces
    "Node", "Primitive", "Graph", "numpy", "optimize", "tree",
    # errors
    "UnexpectedTracerError", "BatchedConversionError", "ConcretizationError",
]


def __getattr__(attr: str):  # noqa: ANN202
    """The names of `_LAZY`, imported on first access (then cached in the module)."""
    home = _LAZY.get(attr)
    if home is None:
        # JAX's and autograd's names that fgrad lacks say what to use instead
        from ._missing import missing_attribute

        raise missing_attribute(attr)
    import importlib

    module = importlib.import_module(home, __name__)
    value = module if home == "." + attr else getattr(module, attr)
    globals()[attr] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))
