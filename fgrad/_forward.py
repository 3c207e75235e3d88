"""Forward mode: `jvp`, derived soundly from the VJP rules.

``ct -> vjp_fn(ct)`` is linear in ``ct`` and written in fgrad operations, so it can be
differentiated in turn: its VJP, applied to the tangents, is the JVP of ``fun``
(the "transpose of the transpose"). This costs about three reverse passes but needs no
second set of rules, and it differentiates to any order like everything else.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ._core import value_of
from ._transforms import vjp
from .tree import tree_flatten, tree_map

__all__ = ["jvp"]


def jvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Evaluate ``fun(*primals)`` and its directional derivative along ``tangents``.

    Args:
        fun: a function of float arrays (or pytrees of them).
        primals: tuple of ``fun``'s positional arguments.
        tangents: tuple of the same structure and shapes as ``primals``.

    Returns:
        ``(out, tangent_out)`` where ``tangent_out`` = J(primals) @ tangents, shaped like ``out``.

    Example:
        >>> import numpy as np, fgrad
        >>> fgrad.jvp(lambda x: x ** 3, (2.0,), (1.0,))
        (np.float64(8.0), np.float64(12.0))
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: `primals` and `tangents` must be tuples of positional arguments")
    primals, tangents = tuple(primals), tuple(tangents)
    p_def, t_def = tree_flatten(primals)[1], tree_flatten(tangents)[1]
    if p_def != t_def:
        raise ValueError(f"jvp: `tangents` has structure {t_def!r}, expected {p_def!r} (that of `primals`)")
    for k, (p, t) in enumerate(zip(tree_flatten(primals)[0], tree_flatten(tangents)[0])):
        if np.shape(value_of(p)) != np.shape(value_of(t)):
            raise ValueError(
                f"jvp: tangent leaf {k} has shape {np.shape(value_of(t))}, expected {np.shape(value_of(p))} (the primal's)"
            )
    out, f_vjp = vjp(fun, *primals)
    zeros = tree_map(_zeros_like, out)
    _, transpose = vjp(f_vjp, zeros)
    (tangent_out,) = transpose(tangents)
    return out, tangent_out


def _zeros_like(x: Any) -> Any:
    """Float zeros of x's shape, a scalar for a scalar and an array for an array."""
    v = value_of(x)
    dtype = np.result_type(v)
    zeros = np.zeros(np.shape(v), dtype=dtype if dtype.kind == "f" else np.float64)
    return zeros if isinstance(v, np.ndarray) else zeros[()]
