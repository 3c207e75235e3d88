"""The plain NumPy names reachable from ``fgrad.numpy``, so ``import fgrad.numpy as np`` code runs.

``fgrad.numpy``'s module ``__getattr__`` (a name it does not define) comes here, and
the answer is, in this order:

1. fgrad's version, if the name is a NumPy alias of a function fgrad differentiates
   (``np.acos`` is ``np.arccos``, ``np.pow`` is ``np.power``, ``np.concat``...);
2. NumPy's object, if it cannot carry a derivative: a type (``ndarray``, ``dtype``,
   ``finfo``, ``errstate``, the scalar types), a constant or index helper that is not
   callable (``pi``, ``newaxis``, ``s_``, ``mgrid``), a few submodules (``testing``,
   ``typing``, ``exceptions``, ``dtypes``...), integer-only ufuncs (``bitwise_and``...)
   or one of `PLAIN_FUNCTIONS` (printing, error state, dtype queries, index builders,
   file I/O, window functions of an integer length);
3. otherwise an AttributeError that names the NumPy function and says what to do.

Why not fall back to NumPy for everything: a differentiable NumPy function fgrad does
not support (``np.frexp``, ``np.emath.sqrt``...) would then look supported
(``hasattr(fnp, "frexp")``), and fail only on a traced value. Refusing it by name at
the attribute keeps ``fgrad.numpy``'s namespace an honest list of what differentiates.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from .._ops import ARRAY_FUNCTIONS, UFUNCS

__all__ = ["PLAIN_FUNCTIONS", "PLAIN_MODULES", "numpy_attribute"]

# NumPy functions whose inputs are shapes, dtypes, integers, files or settings, never a
# differentiable array: NumPy's own function is the right one.
PLAIN_FUNCTIONS = frozenset("""
    array2string array_repr array_str base_repr binary_repr broadcast_shapes busday_count busday_offset can_cast
    common_type datetime_as_string datetime_data diag_indices diag_indices_from format_float_positional
    format_float_scientific frombuffer fromfile fromiter fromregex fromstring genfromtxt get_include
    get_printoptions getbufsize geterr geterrcall indices info is_busday isdtype isscalar issubdtype iterable ix_
    load loadtxt mask_indices may_share_memory min_scalar_type mintypecode printoptions promote_types
    ravel_multi_index save savetxt savez savez_compressed set_printoptions setbufsize seterr seterrcall
    shares_memory show_config show_runtime tril_indices tril_indices_from triu_indices triu_indices_from
    typename unravel_index bartlett blackman hamming hanning kaiser
""".split())

PLAIN_MODULES = frozenset({"testing", "typing", "exceptions", "dtypes", "char", "strings", "rec"})


def _integer_ufunc(obj: Any) -> bool:
    """A ufunc with no floating-point loop (bitwise operations, gcd...): nothing to differentiate."""
    return isinstance(obj, np.ufunc) and not any(c in "efdgFDG" for t in obj.types for c in t)


def numpy_attribute(name: str) -> Any:
    """``fgrad.numpy.<name>`` for a name fgrad.numpy does not define itself (see the module docstring).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.finfo is np.finfo and fnp.acos is fnp.arccos
        True
        >>> fnp.frexp
        Traceback (most recent call last):
        ...
        AttributeError: fgrad.numpy has no differentiable version of np.frexp (fgrad.numpy.supported() lists the NumPy functions fgrad differentiates). For a constant result, call numpy.frexp on plain values (`x.value`); to differentiate it, define it with fgrad.primitive or fgrad.custom_vjp.
    """
    obj = getattr(np, name, None) if not name.startswith("_") else None
    if obj is None and name != "newaxis":
        raise AttributeError(f"module 'fgrad.numpy' has no attribute {name!r}")
    ours = None
    try:
        ours = UFUNCS.get(obj) or ARRAY_FUNCTIONS.get(obj)
    except TypeError:  # (unhashable)
        pass
    if ours is not None:
        return ours
    if isinstance(obj, types.ModuleType):
        if name in PLAIN_MODULES:
            return obj
    elif isinstance(obj, type) or not callable(obj) or name in PLAIN_FUNCTIONS or _integer_ufunc(obj):
        return obj
    raise AttributeError(
        f"fgrad.numpy has no differentiable version of np.{name} (fgrad.numpy.supported() lists the NumPy "
        f"functions fgrad differentiates). For a constant result, call numpy.{name} on plain values "
        "(`x.value`); to differentiate it, define it with fgrad.primitive or fgrad.custom_vjp."
    )
