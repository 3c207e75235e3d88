"""Second derivatives of a function of one vector: the Hessian matrix, or products with it.

Both come from fgrad's transforms. ``vjp`` of the gradient map at ``x`` pulls a vector
``v`` back to ``vᵀH``, which is ``Hv`` because the Hessian is symmetric: one trace of
``grad(f)`` then serves any number of products, one backward pass each.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._backend import is_foreign
from .._jacobians import hessian
from .._transforms import grad, vjp
from ._problem import in_iterates_library

__all__ = ["hessian_matrix", "hvp_operator"]


def hessian_matrix(f: Callable[[Any], Any], x: np.ndarray, hessian_of_f: Callable[[Any], Any] | None = None) -> np.ndarray:
    """The symmetric ``(n, n)`` Hessian of ``f`` at the vector ``x``.

    Computed by `fgrad.hessian` (one batched pass over the gradient's trace), or by
    ``hessian_of_f``, a function already made for ``f`` (a jitted one, say).

    Example:
        >>> import numpy as np
        >>> hessian_matrix(lambda v: v[0] ** 2 * v[1], np.array([1.0, 2.0]))
        array([[4., 2.],
               [2., 0.]])
    """
    n = x.size
    (h,) = in_iterates_library(x, (hessian_of_f or hessian(f))(x))
    h = (h.astype(x.dtype) if is_foreign(h) else np.asarray(h, dtype=x.dtype)).reshape(n, n)
    # Exact for a 1x1 matrix; elsewhere it removes round-off asymmetry.
    return (h + h.T) / 2


def hvp_operator(f: Callable[[Any], Any], x: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """``v -> H(x) @ v`` for the Hessian ``H`` of ``f``, without forming ``H``.

    Example:
        >>> import numpy as np
        >>> hv = hvp_operator(lambda v: (v ** 3).sum(), np.array([1.0, 2.0]))
        >>> hv(np.array([1.0, 1.0]))
        array([ 6., 12.])
    """
    _, pull_back = vjp(grad(f), x)
    return lambda v: in_iterates_library(x, pull_back(v)[0])[0]
