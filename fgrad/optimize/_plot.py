"""Drawing an optimizer's path: the iterates over the contours (or the curve) of the objective.

matplotlib is an optional dependency (the ``plot`` extra): it is imported on the first
call, never by ``import fgrad``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ..tree import tree_flatten, tree_unflatten

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ._result import OptimizeResult

__all__ = ["plot_path"]

# The path's look unless the caller says otherwise (``line_options``).
_PATH_STYLE = {"color": "tab:red", "marker": "o", "markersize": 3, "linewidth": 1}


def plot_path(
    result: OptimizeResult,
    f: Callable[[Any], Any] | None = None,
    *,
    ax: Axes | None = None,
    levels: int | Sequence[float] = 20,
    bounds: Sequence[float] | None = None,
    resolution: int = 100,
    **line_options: Any,
) -> Axes:
    """Draw the iterates of an optimizer run as a path, over the contours of ``f``.

    With two coordinates (``x0`` a 2-vector, two scalars in a tuple, any pytree of two
    numbers) the path is drawn in the plane, ``x[0]`` across and ``x[1]`` up, over the
    contour lines of ``f``. With one coordinate it is drawn over the curve of ``f``, each
    iterate at its height ``f(x)``. Other sizes raise ValueError.

    ``f`` is called once per grid point (``resolution ** 2`` calls in the plane), on
    values shaped like ``result.x``; without it only the path is drawn, which is how a
    second run is added to the same Axes.

    Args:
        result: what `newton` or `gradient_descent` returned.
        f: the objective, to draw its contours (two coordinates) or its curve (one).
        ax: the matplotlib Axes to draw on; a new figure's Axes by default.
        levels: the contour levels: how many, spaced geometrically in height above the
            lowest value of ``f`` in the region drawn (so a flat valley floor gets lines
            as well as the steep walls), or the values themselves.
        bounds: the region drawn, ``(xmin, xmax, ymin, ymax)`` in the plane or
            ``(xmin, xmax)`` on a line; by default the iterates' extent plus a margin.
        resolution: grid points along each axis where ``f`` is evaluated.
        **line_options: passed to ``Axes.plot`` for the path (``label``, ``color``,
            ``marker``, ``markevery``, ...).

    Returns:
        The Axes drawn on (``ax.figure`` is its figure, to save or show).

    Raises:
        ModuleNotFoundError: matplotlib is not installed (``pip install 'fgrad[plot]'``).
        ValueError: ``result.x`` has neither one nor two coordinates, or ``bounds`` or
            ``resolution`` is malformed.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")  # draw without a display
        >>> import numpy as np, fgrad
        >>> rosen = lambda x: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
        >>> res = fgrad.optimize.newton(rosen, np.array([-1.2, 1.0]))
        >>> ax = fgrad.optimize.plot_path(res, rosen, label="Newton")
        >>> path = ax.lines[0].get_xydata()
        >>> len(path) == len(res.history), path[-1]
        (True, array([1., 1.]))
        >>> ax.figure.savefig("rosenbrock-newton.png")  # doctest: +SKIP
    """
    _require_matplotlib()
    if resolution < 2:
        raise ValueError(f"plot_path: resolution must be an int >= 2 (grid points per axis), got {resolution!r}")
    points = np.array([_coordinates(record.x) for record in result.history])
    leaves, treedef = tree_flatten(result.x)
    if points.shape[1] not in (1, 2):
        raise ValueError(
            f"plot_path draws paths in one or two coordinates, but result.x has {points.shape[1]} "
            "numbers; plot a slice of the history yourself, e.g. [r.x[:2] for r in result.history]"
        )
    ax = _new_axes() if ax is None else ax
    style = {**_PATH_STYLE, **line_options}
    if points.shape[1] == 2:
        box = _bounds(points, bounds, 4)
        if f is not None:
            xs, ys = np.linspace(box[0], box[1], resolution), np.linspace(box[2], box[3], resolution)
            z = np.array([[_value(f, treedef, leaves, (x, y)) for x in xs] for y in ys])
            ax.contour(xs, ys, z, levels=_levels(z, levels), cmap="viridis", linewidths=0.7, alpha=0.6)
        ax.plot(points[:, 0], points[:, 1], **style)
        ax.set_xlabel("x[0]")
        ax.set_ylabel("x[1]")
    else:
        box = _bounds(points, bounds, 2)
        if f is not None:
            xs = np.linspace(box[0], box[1], resolution)
            ax.plot(xs, [_value(f, treedef, leaves, (x,)) for x in xs], color="0.4", linewidth=1)
        ax.plot(points[:, 0], [record.f for record in result.history], **style)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    return ax


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise ModuleNotFoundError(
            "plotting an optimizer's path needs matplotlib: pip install 'fgrad[plot]' "
            "(the docs and bench extras include it too)",
            name="matplotlib",
        ) from err


def _new_axes() -> Axes:
    # pyplot, so that the figure shows in notebooks and with plt.show().
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


def _coordinates(x: Any) -> np.ndarray:
    """The numbers of an iterate, its leaves flattened in order."""
    leaves, _ = tree_flatten(x)
    return np.concatenate([np.ravel(np.asarray(leaf, dtype=float)) for leaf in leaves]) if leaves else np.zeros(0)


def _value(f: Callable[[Any], Any], treedef: Any, leaves: list, coords: tuple[float, ...]) -> float:
    """``f`` at the point with these coordinates, structured like ``result.x``."""
    it = iter(coords)
    filled = []
    for leaf in leaves:
        if isinstance(leaf, np.ndarray):
            dtype = leaf.dtype if leaf.dtype.kind == "f" else float
            filled.append(np.array([next(it) for _ in range(leaf.size)], dtype=dtype).reshape(leaf.shape))
        else:
            filled.append(next(it))
    return float(f(tree_unflatten(treedef, filled)))


def _bounds(points: np.ndarray, bounds: Sequence[float] | None, n: int) -> tuple[float, ...]:
    if bounds is not None:
        box = tuple(float(b) for b in bounds)
        if len(box) != n or any(box[i] >= box[i + 1] for i in range(0, n, 2)):
            shape = "(xmin, xmax, ymin, ymax)" if n == 4 else "(xmin, xmax)"
            raise ValueError(f"plot_path: bounds must be {shape} with each min < max, got {tuple(bounds)!r}")
        return box
    box = []
    for lo, hi in zip(points.min(axis=0), points.max(axis=0)):
        margin = 0.1 * (hi - lo) if hi > lo else 0.5 * max(1.0, abs(lo))
        box += [float(lo - margin), float(hi + margin)]
    return tuple(box)


def _levels(z: np.ndarray, levels: int | Sequence[float]) -> np.ndarray:
    if not isinstance(levels, (int, np.integer)):
        return np.asarray(levels, dtype=float)
    if levels < 1:
        raise ValueError(f"plot_path: levels must be a positive int or a sequence of values, got {levels!r}")
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        raise ValueError("plot_path: f is not finite anywhere in the region drawn")
    # Geometrically spaced heights above the lowest value: a narrow valley floor gets as
    # many lines as its steep walls.  The extreme 0.5% are left out so that every level
    # crosses the region drawn.
    rise = finite - finite.min()
    low, high = np.quantile(rise[rise > 0], [0.005, 0.995]) if np.any(rise > 0) else (0.0, 0.0)
    if not low < high:
        return np.unique(finite)[:1]
    return finite.min() + np.geomspace(low, high, levels)
