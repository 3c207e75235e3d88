"""Differentiable SciPy: ``fgrad.scipy.special``, ``fgrad.scipy.stats``, ``fgrad.scipy.linalg``.

SciPy is an optional dependency (``pip install 'fgrad[scipy]'``); ``import fgrad`` never
imports it. Each function follows its SciPy namesake: on plain arrays it returns exactly
what SciPy returns; on traced values it records a primitive (or a composition of fgrad
functions) whose derivative rules are written with fgrad operations, so it
differentiates to any order. SciPy's special functions that are ufuncs (``expit``,
``erf``, ``gammaln``...) also dispatch: ``scipy.special.expit(x)`` on a traced ``x``
records fgrad's ``expit``.

Example:
    >>> import numpy as np, fgrad
    >>> from fgrad.scipy import special
    >>> float(fgrad.grad(special.expit)(0.0))
    0.25
"""

try:
    import scipy  # noqa: F401
except ImportError as e:  # pragma: no cover - exercised where SciPy is missing
    raise ModuleNotFoundError(  # (an ImportError, as pytest.importorskip expects)
        "fgrad.scipy needs SciPy, an optional dependency of fgrad: install it with "
        "pip install 'fgrad[scipy]'", name="scipy"
    ) from e

from . import linalg, special, stats  # noqa: E402


def supported() -> list[str]:
    """The SciPy functions that dispatch to fgrad on traced values (``scipy.special``'s ufuncs), by name.

    The other functions of `fgrad.scipy` are reached only through it (SciPy's versions
    cannot see a traced value).

    Example:
        >>> import fgrad.scipy
        >>> "scipy.special.expit" in fgrad.scipy.supported()
        True
    """
    import scipy.special

    from .._ops import UFUNCS

    return sorted(f"scipy.special.{f.__name__}" for f in UFUNCS
                  if getattr(scipy.special, f.__name__, None) is f)


__all__ = ["linalg", "special", "stats", "supported"]
