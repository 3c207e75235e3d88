"""What the distributions of `fgrad.scipy.stats` are written with.

`loc_scale` evaluates one method of a continuous location-scale distribution from its
standardized formula, as SciPy's ``rv_continuous`` does: NaN for invalid parameters
(``scale <= 0``, a shape outside its range) or a NaN argument, the fixed values outside
the support (``-inf`` for ``logpdf``, 0 or 1 for ``cdf``...), and the formula inside.
The formula is evaluated at safe points where it is not selected, so a masked-out
element never brings a NaN into the derivative (0 * inf). `method` makes a public
function of it: SciPy's own call on plain inputs, a runnable example in its docstring.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np
import scipy.stats

from ... import numpy as fnp
from ..._core import value_of
from .._support import any_traced

__all__ = ["loc_scale", "method", "safe", "refuse_traced_counts"]

# (value below the support, value above it) of each method
OUTSIDE = {
    "logpdf": (-np.inf, -np.inf), "pdf": (0.0, 0.0), "logpmf": (-np.inf, -np.inf), "pmf": (0.0, 0.0),
    "cdf": (0.0, 1.0), "logcdf": (-np.inf, 0.0), "sf": (1.0, 0.0), "logsf": (0.0, -np.inf),
}


def safe(mask: np.ndarray, x: Any, fill: float) -> Any:
    """`x` where `mask` holds, `fill` elsewhere (nothing recorded when the mask is all true)."""
    if np.all(mask):
        return x
    return fnp.where(mask, x, fill)


def _plain(x: Any) -> np.ndarray:
    return np.asarray(value_of(x), dtype=float)


def loc_scale(kind: str, formula: Callable[..., Any], x: Any, loc: Any, scale: Any, shapes: tuple = (),
              shapes_ok: Any = True, support: tuple[Any, Any] = (-np.inf, np.inf), point: float = 0.0) -> Any:
    """Method `kind` at `x` of the distribution whose standardized method is ``formula(z, *shapes)``.

    For ``logpdf`` the formula is the standardized log density (``log(scale)`` is
    subtracted here), for ``pdf`` the same log density (exponentiated here). `point` is a
    standardized value inside the support, where the formula is evaluated for the
    elements outside it.
    """
    ok = (_plain(scale) > 0) & np.asarray(shapes_ok)
    scale = safe(ok, scale, 1.0)
    shapes = tuple(safe(ok, s, 1.0) for s in shapes)
    z = (x - loc) / scale
    vz = _plain(z)
    lo, hi = support
    with np.errstate(invalid="ignore"):
        if kind in ("logpdf", "pdf"):
            inside = (lo <= vz) & (vz <= hi) & ok
        else:
            inside = (lo < vz) & (vz < hi) & ok
        above = vz >= hi
    z = safe(inside, z, point)
    value = formula(z, *shapes)
    if kind in ("logpdf", "pdf"):
        value = value - fnp.log(scale)
        if kind == "pdf":
            value = fnp.exp(value)
    below_value, above_value = OUTSIDE[kind]
    if not np.all(inside):
        value = fnp.where(inside, value, np.where(above, above_value, below_value))
    bad = ~ok | np.isnan(vz)
    if np.any(bad):
        value = fnp.where(bad, np.nan, value)
    return value


def refuse_traced_counts(name: str, k: Any) -> None:
    """A discrete distribution's argument is an integer count: it has no derivative."""
    if any_traced(k):
        raise TypeError(f"{name}: `k` is an integer count, so it has no derivative; pass it as a plain value "
                        "(differentiate in the distribution's parameters)")


def method(dist: str, kind: str, sample: str, argnums: tuple[int, ...], note: str = "") -> Callable[[Callable], Callable]:
    """Decorator: the body runs on traced inputs, ``scipy.stats.<dist>.<kind>`` on plain ones.

    `sample` (source of an argument tuple) and `argnums` make the runnable example.
    """
    scipy_method = getattr(getattr(scipy.stats, dist), kind)

    def decorate(body: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(body)
        def fun(*args: Any, **kwargs: Any) -> Any:
            if any_traced(*args, *kwargs.values()):
                return body(*args, **kwargs)
            return scipy_method(*args, **kwargs)

        fun.__doc__ = f"""``scipy.stats.{dist}.{kind}``, differentiable in {note or 'all its arguments'}.

    On plain inputs it is SciPy's own call; on traced values a composition of fgrad
    functions (equal to SciPy's value to about 1e-12, relative), which differentiates
    to any order.

    Example:
        >>> import numpy as np, scipy.stats, fgrad
        >>> from fgrad.scipy import stats
        >>> args = {sample}
        >>> f = lambda st, *a: np.sum(st.{dist}.{kind}(*a))
        >>> got = fgrad.grad(lambda *a: f(stats, *a), argnums={argnums})(*args)
        >>> want = fgrad.numerical_grad(lambda *a: f(scipy.stats, *a), *args, argnums={argnums})
        >>> bool(np.all([np.allclose(g, w, rtol=1e-5, atol=1e-7) for g, w in zip(got, want)]))
        True
    """
        return fun

    return decorate


# The standardized formula each method of a location-scale family applies (pdf is the
# exponential of the logpdf formula: `loc_scale` takes care of it).
_STANDARD_KINDS = (("logpdf", "logpdf"), ("pdf", "logpdf"), ("cdf", "cdf"), ("logcdf", "logcdf"),
                   ("sf", "sf"), ("logsf", "logsf"))


def loc_scale_methods(dist: str, formulas: dict[str, Callable[[Any], Any]], support: tuple[float, float],
                      point: float, sample: str = "(np.array([0.3, 1.2]), 0.1, 1.5)") -> tuple[Callable, ...]:
    """``logpdf, pdf, cdf, logcdf, sf, logsf`` of the location-scale family `dist`, each
    ``f(x, loc=0.0, scale=1.0)``, from the standardized `formulas` by kind (logpdf, cdf,
    logcdf, sf, logsf), the `support` and a `point` inside it (see `loc_scale`).

    Example:
        >>> import numpy as np, fgrad
        >>> logpdf, pdf, *_ = loc_scale_methods("expon", {"logpdf": lambda z: -z, "cdf": None, "logcdf": None,
        ...                                      "sf": None, "logsf": None}, (0.0, np.inf), 1.0)
        >>> float(fgrad.grad(lambda x: logpdf(x, 0.0, 2.0))(1.0))
        -0.5
    """
    def standard(kind: str, formula: Callable[[Any], Any]) -> Callable[..., Any]:
        def body(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
            return loc_scale(kind, formula, x, loc, scale, support=support, point=point)

        body.__name__ = body.__qualname__ = kind
        return method(dist, kind, sample, (0, 1, 2))(body)

    return tuple(standard(kind, formulas[source]) for kind, source in _STANDARD_KINDS)
