"""Error functions and the normal distribution function: ``erf``, ``erfinv``, ``ndtr``, ``log_ndtr``...

Each rule is the closed-form derivative written with fgrad operations. Rules of the
inverse functions read the output (``erfinv' = sqrt(pi)/2 exp(erfinv(x)**2)``), and
``log_ndtr``'s divides by ``ndtr`` in log space, so it stays finite far in the left tail.
"""

from __future__ import annotations

import math

import scipy.special as sc

from ... import numpy as fnp
from .._support import scipy_primitive

__all__ = ["erf", "erfc", "erfcx", "erfinv", "erfcinv", "ndtr", "ndtri", "log_ndtr"]

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
HALF_SQRT_PI = math.sqrt(math.pi) / 2.0
SQRT_2PI = math.sqrt(2.0 * math.pi)
LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
UNIT = "(np.array([-0.4, 0.3]),)"


def _gauss(x):
    """``2/sqrt(pi) exp(-x**2)``, the derivative of erf."""
    return TWO_OVER_SQRT_PI * fnp.exp(-fnp.square(x))


erf = scipy_primitive(sc.erf, lambda g, ans, x: g * _gauss(x), uses_ans=False)
erfc = scipy_primitive(sc.erfc, lambda g, ans, x: -(g * _gauss(x)), uses_ans=False)
erfcx = scipy_primitive(sc.erfcx, lambda g, ans, x: g * (2.0 * x * ans - TWO_OVER_SQRT_PI))
erfinv = scipy_primitive(sc.erfinv, lambda g, ans, x: g * HALF_SQRT_PI * fnp.exp(fnp.square(ans)), sample=UNIT)
erfcinv = scipy_primitive(sc.erfcinv, lambda g, ans, x: -(g * HALF_SQRT_PI * fnp.exp(fnp.square(ans))),
                          sample="(np.array([0.4, 1.3]),)")
ndtr = scipy_primitive(sc.ndtr, lambda g, ans, x: g * fnp.exp(-0.5 * fnp.square(x)) / SQRT_2PI, uses_ans=False)
ndtri = scipy_primitive(sc.ndtri, lambda g, ans, x: g * SQRT_2PI * fnp.exp(0.5 * fnp.square(ans)))
# d log ndtr(x) = phi(x) / ndtr(x) = exp(-x**2/2 - log ndtr(x)) / sqrt(2 pi): no 0/0 in the tail.
log_ndtr = scipy_primitive(sc.log_ndtr, lambda g, ans, x: g * fnp.exp(-0.5 * fnp.square(x) - ans - LOG_SQRT_2PI),
                           sample="(np.array([-30.0, 0.6]),)")
