"""ndarray methods and attributes on traced values: ``x.max()``, ``x.dot(w)``, ``x.at[i]``...

Code written against NumPy arrays calls methods as often as functions. Each entry maps
an ndarray attribute to the fgrad function it means, and becomes a property of `Node`
(`fgrad._dispatch.register_array_attributes`).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .._core import value_of
from .._dispatch import register_array_attributes
from .._ops import ARRAY_ATTRIBUTES, swapaxes
from . import _contract, _creation, _elementwise, _indexing, _reductions, _shape

_METHODS = {
    "all": _creation.all, "any": _creation.any, "argmax": _creation.argmax, "argmin": _creation.argmin,
    "argsort": _creation.argsort, "nonzero": _creation.nonzero, "round": _elementwise.round,
    "clip": _elementwise.clip, "conj": _elementwise.conjugate, "conjugate": _elementwise.conjugate,
    "max": _reductions.max, "min": _reductions.min, "prod": _reductions.prod, "var": _reductions.var,
    "std": _reductions.std, "cumsum": _reductions.cumsum, "cumprod": _reductions.cumprod,
    "dot": _contract.dot, "trace": _contract.trace, "diagonal": _contract.diagonal,
    "ravel": _shape.ravel, "flatten": _shape.ravel, "squeeze": _shape.squeeze, "repeat": _shape.repeat,
    "copy": _shape.copy, "take": _indexing.take, "swapaxes": _shape.swapaxes,
}
_PROPERTIES = {
    "real": _elementwise.real,
    "imag": _elementwise.imag,
    "mT": lambda x: swapaxes(x, -1, -2),
    "itemsize": lambda x: value_of(x).itemsize,
    "nbytes": lambda x: value_of(x).nbytes,
}

register_array_attributes({name: (lambda f: lambda x: functools.partial(f, x))(f) for name, f in _METHODS.items()})
register_array_attributes(_PROPERTIES)


def array_attributes() -> list[str]:
    """The ndarray methods and attributes traced values support beyond the Node class's own.

    Example:
        >>> import fgrad.numpy as fnp
        >>> {"max", "dot", "at", "flatten"} <= set(fnp.array_attributes())
        True
    """
    return sorted(ARRAY_ATTRIBUTES)


