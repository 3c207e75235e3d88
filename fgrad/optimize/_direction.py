"""Newton search directions: a damped direct solve, or truncated conjugate gradients.

Both return a descent direction for a gradient ``g`` that is not zero, and say whether it
is the pure Newton step ``-H⁻¹g`` (the Hessian was positive definite as it stands).
"""

from __future__ import annotations

from typing import Callable

import attrs
import numpy as np

__all__ = ["Direction", "damped_newton", "truncated_cg"]


@attrs.frozen(eq=False)
class Direction:
    """A search direction ``p``; ``pure`` when it is the undamped Newton step."""

    p: np.ndarray
    pure: bool
    damping: float | None = None
    products: int = 0  # Hessian-vector products spent (conjugate gradients)


def damped_newton(h: np.ndarray, g: np.ndarray) -> Direction:
    """Solve ``(H + τI) p = -g`` with the smallest tried ``τ ≥ 0`` that makes the matrix
    positive definite (τ = 0 first when the diagonal is positive; then doubling, as in
    Nocedal & Wright's Cholesky with added multiple of the identity).

    Example:
        >>> import numpy as np
        >>> damped_newton(np.array([[44.0]]), np.array([24.0])).p
        array([-0.54545455])
        >>> d = damped_newton(np.array([[-1.0, 0.0], [0.0, 1.0]]), np.array([-0.01, 0.5]))
        >>> d.pure, d.damping > 1.0
        (False, True)
    """
    n = g.size
    if not np.all(np.isfinite(h)):
        raise ValueError("damped_newton: the Hessian has non-finite entries")
    # NumPy's linear algebra has no float16: solve in float32, return p in g's dtype.
    dtype = g.dtype
    h = h.astype(np.promote_types(h.dtype, np.float32), copy=False)
    g = g.astype(np.promote_types(g.dtype, np.float32), copy=False)
    scale = float(np.max(np.abs(h)))
    floor = 1e-3 * scale if scale > 0 else 1.0
    smallest_diagonal = float(np.min(np.diag(h)))
    tau = 0.0 if smallest_diagonal > 0 else floor - smallest_diagonal
    eye = np.eye(n, dtype=h.dtype)
    while True:
        modified = h + tau * eye if tau else h
        try:
            np.linalg.cholesky(modified)
            break
        except np.linalg.LinAlgError:
            tau = max(2.0 * tau, floor)
    if n == 1:
        # `x + p` is then exactly the textbook `x - g / h`, whatever LAPACK does with a 1x1 solve.
        p = -(g / modified[0, 0])
    else:
        p = -np.linalg.solve(modified, g)
    return Direction(p=p.astype(dtype, copy=False), pure=tau == 0.0, damping=tau)


def truncated_cg(hvp: Callable[[np.ndarray], np.ndarray], g: np.ndarray, max_iter: int) -> Direction:
    """Approximately solve ``H p = -g`` by conjugate gradients from ``p = 0``, to the
    relative residual ``min(0.5, sqrt|g|)`` (superlinear local convergence), stopping
    early where ``H`` shows non-positive curvature (then ``-g`` if that happens at once).

    Example:
        >>> import numpy as np
        >>> h = np.array([[4.0, 1.0], [1.0, 3.0]])
        >>> d = truncated_cg(lambda v: h @ v, np.array([1e-6, 2e-6]), max_iter=10)
        >>> np.allclose(h @ d.p, -np.array([1e-6, 2e-6])), d.pure, d.products
        (True, True, 2)
    """
    g_norm = float(np.linalg.norm(g))
    target = min(0.5, np.sqrt(g_norm)) * g_norm
    p = np.zeros_like(g)
    r = g.copy()
    d = -r
    rr = float(r @ r)
    for j in range(max_iter):
        hd = hvp(d)
        curvature = float(d @ hd)
        if not curvature > 0:
            return Direction(p=-g if j == 0 else p, pure=False, products=j + 1)
        alpha = rr / curvature
        p = p + alpha * d
        r = r + alpha * hd
        rr_new = float(r @ r)
        if np.sqrt(rr_new) <= target:
            return Direction(p=p, pure=True, products=j + 1)
        d = -r + (rr_new / rr) * d
        rr = rr_new
    return Direction(p=p, pure=True, products=max_iter)
