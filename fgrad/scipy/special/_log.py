"""Logistic, logarithmic and entropy functions: ``expit``, ``logit``, ``xlogy``, ``entr``,
``rel_entr``, ``kl_div``, and the reductions ``logsumexp``, ``softmax``, ``log_softmax``.

The ufuncs are primitives (SciPy's forward, closed-form rules). The reductions are not
ufuncs, so ``scipy.special.logsumexp`` cannot dispatch on a traced value: call the
functions here. They are compositions of fgrad functions, shifted by the (constant)
maximum as SciPy does; on plain arrays they are SciPy's own call.
"""

from __future__ import annotations


from typing import Any

import numpy as np
import scipy.special as sc

from ... import numpy as fnp
from ..._core import value_of
from ..._ops import unbroadcast
from .._support import any_traced, scipy_primitive

__all__ = ["expit", "logit", "log_expit", "xlogy", "xlog1py", "entr", "rel_entr", "kl_div",
           "logsumexp", "softmax", "log_softmax"]

UNIT = "(np.array([0.3, 0.6]),)"
PAIR = "(np.array([0.7, 2.5]), np.array([1.5, 0.8]))"

expit = scipy_primitive(sc.expit, lambda g, ans, x: g * ans * (1.0 - ans))
logit = scipy_primitive(sc.logit, lambda g, ans, x: g / (x * (1.0 - x)), sample=UNIT, uses_ans=False)
log_expit = scipy_primitive(sc.log_expit, lambda g, ans, x: g * expit(-x), uses_ans=False)
# JAX's rules: d/dx = log(y) (also where x = 0), d/dy = x / y.
xlogy = scipy_primitive(sc.xlogy, lambda g, ans, x, y: unbroadcast(g * fnp.log(y), x),
                        lambda g, ans, x, y: unbroadcast(g * x / y, y), sample=PAIR, uses_ans=False)
xlog1py = scipy_primitive(sc.xlog1py, lambda g, ans, x, y: unbroadcast(g * fnp.log1p(y), x),
                          lambda g, ans, x, y: unbroadcast(g * x / (1.0 + y), y), sample=PAIR, uses_ans=False)
entr = scipy_primitive(sc.entr, lambda g, ans, x: -(g * (1.0 + fnp.log(x))), sample=UNIT, uses_ans=False)
rel_entr = scipy_primitive(sc.rel_entr, lambda g, ans, x, y: unbroadcast(g * (fnp.log(x / y) + 1.0), x),
                           lambda g, ans, x, y: unbroadcast(-(g * x / y), y), sample=PAIR, uses_ans=False)
kl_div = scipy_primitive(sc.kl_div, lambda g, ans, x, y: unbroadcast(g * fnp.log(x / y), x),
                         lambda g, ans, x, y: unbroadcast(g * (1.0 - x / y), y), sample=PAIR, uses_ans=False)


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return tuple(sorted(int(a) % ndim for a in np.atleast_1d(axis))) if ndim else ()


def _shift(x: Any, axis: Any) -> np.ndarray:
    """The maximum of `x` over `axis` (kept), as a constant; 0 where it is not finite (as SciPy)."""
    m = np.max(value_of(x), axis=axis, keepdims=True) if np.size(value_of(x)) else np.zeros(())
    return np.where(np.isfinite(m), m, 0.0)


def logsumexp(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False, return_sign: bool = False) -> Any:
    """``log(sum(b * exp(a), axis))``, computed stably; differentiable in `a` and `b`.

    As in SciPy: `b` scales the terms (entries where ``b == 0`` are left out), and with
    ``return_sign=True`` the result is ``(log|sum|, sign)``, the sign a plain value.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import special
        >>> a = np.array([1.0, 2.0, 3.0])
        >>> bool(np.allclose(fgrad.grad(special.logsumexp)(a), special.softmax(a)))
        True
    """
    if not any_traced(a, b):
        return sc.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign)
    if b is not None:
        shape = np.broadcast_shapes(np.shape(value_of(a)), np.shape(value_of(b)))
        a = fnp.broadcast_to(a, shape) if np.shape(value_of(a)) != shape else a
        b = fnp.broadcast_to(b, shape) if np.shape(value_of(b)) != shape else b
        dropped = value_of(b) == 0
        if type(dropped) is not np.ndarray or np.any(dropped):  # (inside vmap: a batched mask)
            a = fnp.where(dropped, -np.inf, a)
    shape = np.shape(value_of(a))
    axes = _axes(axis, len(shape))
    m = _shift(a, axes)
    terms = fnp.exp(a - m)
    if b is not None:
        terms = terms * b
    total = fnp.sum(terms, axis=axes, keepdims=True)
    sign = None
    if return_sign:
        sign = np.sign(value_of(total))
        total = fnp.abs(total)
    out = fnp.log(total) + m
    if not keepdims:
        out = fnp.reshape(out, tuple(n for i, n in enumerate(shape) if i not in axes))
        sign = None if sign is None else sign.reshape(np.shape(value_of(out)))
    return (out, sign[()] if sign.ndim == 0 else sign) if return_sign else out


def softmax(x: Any, axis: Any = None) -> Any:
    """``exp(x) / sum(exp(x), axis)``, computed stably; differentiable.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import special
        >>> fgrad.grad(lambda x: special.softmax(x)[0])(np.zeros(2))
        array([ 0.25, -0.25])
    """
    if not any_traced(x):
        return sc.softmax(x, axis=axis)
    terms = fnp.exp(x - _shift(x, axis))
    return terms / fnp.sum(terms, axis=axis, keepdims=True)


def log_softmax(x: Any, axis: Any = None) -> Any:
    """``x - logsumexp(x, axis)``, computed stably; differentiable.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad.scipy import special
        >>> fgrad.grad(lambda x: special.log_softmax(x)[0])(np.zeros(2))
        array([ 0.5, -0.5])
    """
    if not any_traced(x):
        return sc.log_softmax(x, axis=axis)
    shifted = x - _shift(x, axis)
    return shifted - fnp.log(fnp.sum(fnp.exp(shifted), axis=axis, keepdims=True))


