"""Bessel functions: of the first kind ``j0``, ``j1``, ``jv`` (``jn``), of the second kind ``y0``,
``y1``, ``yn``, ``yv``, and modified of the first kind ``i0``, ``i1``, ``iv`` with their scaled ``*e`` forms.

Every rule is the family again, so it is exact at every point and to every order:
``J_v' = (J_{v-1} - J_{v+1}) / 2`` (``J_0' = -J_1``), the same for ``Y``, and
``I_v' = (I_{v-1} + I_{v+1}) / 2``. ``J_1' = (J_0 - J_2) / 2`` holds at ``x = 0`` too,
where the textbook ``J_0 - J_1 / x`` would divide by zero. The scaled functions
``ive(v, x) = iv(v, x) exp(-|x|)`` add ``-sign(x) ive(v, x)``; at ``x = 0``, where ``|x|``
has no derivative, the sign is taken as 0 (as JAX does). The order is not differentiable
(only ``x`` is): a traced order is refused.
"""

from __future__ import annotations

import numpy as np
import scipy.special as sc

from ..._core import value_of
from ..._ops import unbroadcast
from .._support import no_derivative, scipy_primitive

__all__ = ["i0", "i0e", "i1", "i1e", "iv", "ive", "j0", "j1", "jn", "jv", "y0", "y1", "yn", "yv"]

_ORDER = "its order is not differentiable here (only x is)"


def _sign(x):
    return np.sign(value_of(x))


def _order(n):
    # plain, keeping its dtype: yn takes integer orders (a float one is truncated, with a warning)
    return np.asarray(value_of(n))


iv = scipy_primitive(sc.iv, no_derivative("scipy.special.iv", "v", _ORDER),
                     lambda g, ans, v, x: unbroadcast(g * (iv(v - 1.0, x) + iv(v + 1.0, x)) * 0.5, x),
                     sample="(np.array([0.5, 2.0]), np.array([0.3, 1.6]))", argnums=(1,), uses_ans=False)
ive = scipy_primitive(sc.ive, no_derivative("scipy.special.ive", "v", _ORDER),
                      lambda g, ans, v, x: unbroadcast(g * ((ive(v - 1.0, x) + ive(v + 1.0, x)) * 0.5 - _sign(x) * ans), x),
                      sample="(np.array([0.5, 2.0]), np.array([0.3, 1.6]))", argnums=(1,))
i0 = scipy_primitive(sc.i0, lambda g, ans, x: g * i1(x), uses_ans=False)
i1 = scipy_primitive(sc.i1, lambda g, ans, x: g * (i0(x) + iv(2.0, x)) * 0.5, uses_ans=False)
i0e = scipy_primitive(sc.i0e, lambda g, ans, x: g * (i1e(x) - _sign(x) * ans))
i1e = scipy_primitive(sc.i1e, lambda g, ans, x: g * ((i0e(x) + ive(2.0, x)) * 0.5 - _sign(x) * ans))

_ORDERS = "(np.array([0.5, 2.0]), np.array([0.3, 1.6]))"
_INTEGER_ORDERS = "(np.array([0, 2]), np.array([0.3, 1.6]))"

jv = scipy_primitive(sc.jv, no_derivative("scipy.special.jv", "v", _ORDER),
                     lambda g, ans, v, x: unbroadcast(g * (jv(_order(v) - 1, x) - jv(_order(v) + 1, x)) * 0.5, x),
                     sample=_ORDERS, argnums=(1,), uses_ans=False)
jn = jv  # SciPy's jn is jv itself
yv = scipy_primitive(sc.yv, no_derivative("scipy.special.yv", "v", _ORDER),
                     lambda g, ans, v, x: unbroadcast(g * (yv(_order(v) - 1, x) - yv(_order(v) + 1, x)) * 0.5, x),
                     sample=_ORDERS, argnums=(1,), uses_ans=False)
yn = scipy_primitive(sc.yn, no_derivative("scipy.special.yn", "n", _ORDER),
                     lambda g, ans, n, x: unbroadcast(g * (yn(_order(n) - 1, x) - yn(_order(n) + 1, x)) * 0.5, x),
                     sample=_INTEGER_ORDERS, argnums=(1,), uses_ans=False)
j0 = scipy_primitive(sc.j0, lambda g, ans, x: -(g * j1(x)), uses_ans=False)
j1 = scipy_primitive(sc.j1, lambda g, ans, x: g * (j0(x) - jv(2, x)) * 0.5, uses_ans=False)
y0 = scipy_primitive(sc.y0, lambda g, ans, x: -(g * y1(x)), uses_ans=False)
y1 = scipy_primitive(sc.y1, lambda g, ans, x: g * (y0(x) - yn(2, x)) * 0.5, uses_ans=False)
