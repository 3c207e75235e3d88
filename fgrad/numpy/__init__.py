"""Differentiable NumPy: ``import fgrad.numpy as fnp``.

Each function behaves like its NumPy namesake: on plain arrays it is one NumPy call
with NumPy's result; on traced values it records a primitive whose VJP rule is written
in fgrad operations, so derivatives of any order work. The same functions are reached
by plain ``np.*`` calls and ndarray methods on traced values, so unmodified NumPy code
can be differentiated; ``fnp.supported()`` lists the NumPy functions that work, and
any other raises an error naming it. Piecewise-constant helpers (comparisons,
``argmax``, ``floor``, ``zeros_like``...) return plain values.

Example:
    >>> import numpy as np, fgrad, fgrad.numpy as fnp
    >>> fgrad.grad(lambda x: fnp.sum(fnp.sin(x) ** 2))(fnp.asarray([0.0, 1.0])).round(6)
    array([0.      , 0.909297])
    >>> fgrad.grad(lambda x: np.max(np.cumsum(x)) + x.dot(x))(np.array([1.0, -2.0, 3.0]))
    array([ 3., -3.,  7.])
"""

from numpy import (  # noqa: F401 - constants, dtypes and constructors (plain NumPy)
    arange, bool_, e, empty, euler_gamma, eye, float16, float32, float64, identity, inf, int32, int64,
    nan, newaxis, ones, pi, tri, zeros,
)

from .._ops import cast  # noqa: F401
from . import _contract, _creation, _elementwise, _indexing, _methods, _reductions, _shape, linalg
from ._contract import *  # noqa: F401,F403
from ._creation import *  # noqa: F401,F403
from ._elementwise import *  # noqa: F401,F403
from ._indexing import *  # noqa: F401,F403
from ._methods import array_attributes
from ._reductions import *  # noqa: F401,F403
from ._register import supported
from ._shape import *  # noqa: F401,F403
from . import _polynomial, _ranges, _signal, _special, _statistics
from ._polynomial import *  # noqa: F401,F403
from ._ranges import *  # noqa: F401,F403
from ._signal import *  # noqa: F401,F403
from ._special import *  # noqa: F401,F403
from ._statistics import *  # noqa: F401,F403
# `random` (NumPy's own random module: samples are constants) is imported on first use,
# by `__getattr__` below: numpy.random is a third of this package's import time.
from . import fft  # noqa: F401 - differentiable numpy.fft

__all__ = sorted({
    *_contract.__all__, *_creation.__all__, *_elementwise.__all__, *_indexing.__all__, *_reductions.__all__,
    *_shape.__all__, "array_attributes", "fft", "linalg", "supported",
    *_polynomial.__all__, *_ranges.__all__, *_signal.__all__, *_special.__all__, *_statistics.__all__,
})

# Most functions here are made by helpers (`numpy_primitive`, `composite`, `plain`), so
# doctest would not find their examples by module: list them for it explicitly.
__test__ = {
    name: obj for name, obj in ((n, globals()[n]) for n in __all__)
    if callable(obj) and "fgrad" in (getattr(obj, "__doc__", None) or "") and ">>>" in obj.__doc__
}
__test__.update({
    f"linalg.{name}": getattr(linalg, name) for name in linalg.__all__
    if "fgrad" in (getattr(linalg, name).__doc__ or "")
})


def __getattr__(name: str):  # noqa: ANN202
    """Plain NumPy names (``finfo``, ``ndarray``, ``errstate``...); see fgrad.numpy._fallback."""
    if name == "random":
        import importlib

        return importlib.import_module(__name__ + ".random")
    from ._fallback import numpy_attribute

    return numpy_attribute(name)


# fgrad's ufunc-like functions get the ufunc's attributes and methods (fnp.add.reduce...);
# last, after every module above has defined its functions.
from ._ufunc_methods import attach as _attach_ufunc_methods  # noqa: E402

_attach_ufunc_methods(globals())
