"""`fgrad.optimize.plot_path` and `OptimizeResult.plot`: the drawn path is the history.

The drawing tests need matplotlib (the `plot` extra) and skip without it; they draw with
the Agg backend. The missing-matplotlib message is tested everywhere.
"""

import sys

import numpy as np
import pytest

import fgrad
from extras_support import requires_extra

requires_matplotlib = requires_extra("plot", "matplotlib")


def rosen(x):
    return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2


def quartic(x):
    return x ** 4 - 2 * x ** 2


@pytest.fixture
def plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


@pytest.fixture(scope="module")
def newton_rosen():
    return fgrad.optimize.newton(rosen, np.array([0.0, 2.0]))


def contour_sets(ax):
    from matplotlib.contour import ContourSet

    return [c for c in ax.collections if isinstance(c, ContourSet)]


@requires_matplotlib
def test_the_path_is_the_iterates_over_the_contours(plt, newton_rosen):
    ax = fgrad.optimize.plot_path(newton_rosen, rosen)
    (line,) = ax.lines
    iterates = np.array([r.x for r in newton_rosen.history])
    np.testing.assert_array_equal(line.get_xydata(), iterates)
    (contours,) = contour_sets(ax)
    assert len(contours.levels) == 20
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x[0]", "x[1]")


@requires_matplotlib
def test_the_method_draws_what_the_function_draws(plt, newton_rosen):
    by_method = newton_rosen.plot(rosen, levels=7)
    by_function = fgrad.optimize.plot_path(newton_rosen, rosen, levels=7)
    assert by_method is not by_function and by_method.figure is not by_function.figure
    np.testing.assert_array_equal(by_method.lines[0].get_xydata(), by_function.lines[0].get_xydata())
    np.testing.assert_array_equal(contour_sets(by_method)[0].levels, contour_sets(by_function)[0].levels)


@requires_matplotlib
def test_it_draws_on_the_axes_given_and_without_f_only_the_path(plt, newton_rosen):
    fig, ax = plt.subplots()
    assert fgrad.optimize.plot_path(newton_rosen, ax=ax, color="k", marker=None, label="newton") is ax
    (line,) = ax.lines
    assert contour_sets(ax) == []
    assert (line.get_color(), line.get_marker(), line.get_label()) == ("k", "None", "newton")


@requires_matplotlib
def test_default_levels_are_geometric_above_the_lowest_value(plt, newton_rosen):
    calls = []

    def recording(x):
        calls.append(np.array(x))
        return rosen(x)

    bounds = (-0.5, 1.5, -0.25, 2.25)
    ax = fgrad.optimize.plot_path(newton_rosen, recording, bounds=bounds, resolution=11, levels=6)
    points = np.array(calls)
    assert points.shape == (121, 2)  # resolution ** 2 evaluations, of 2-vectors like result.x
    np.testing.assert_allclose(points.min(axis=0), [-0.5, -0.25])
    np.testing.assert_allclose(points.max(axis=0), [1.5, 2.25])
    z = np.array([rosen(p) for p in points])
    rise = np.sort(contour_sets(ax)[0].levels) - z.min()
    assert len(rise) == 6 and np.all(rise > 0)
    np.testing.assert_allclose(rise[1:] / rise[:-1], rise[1] / rise[0])  # one common ratio
    assert rise[-1] < np.ptp(z)  # every level crosses the region drawn


@requires_matplotlib
def test_explicit_levels_are_used_as_given(plt, newton_rosen):
    levels = [0.5, 5.0, 50.0, 500.0]
    ax = newton_rosen.plot(rosen, levels=levels, resolution=20)
    np.testing.assert_array_equal(contour_sets(ax)[0].levels, levels)


@requires_matplotlib
def test_a_pytree_of_two_scalars_is_a_point_in_the_plane(plt):
    seen = set()

    def f(p):
        seen.add((type(p).__name__, len(p)))
        return rosen(p)

    res = fgrad.optimize.newton(f, (0.0, 2.0))
    ax = res.plot(f, resolution=5)
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), [[float(a), float(b)] for a, b in (r.x for r in res.history)])
    assert seen == {("tuple", 2)}
    assert len(contour_sets(ax)) == 1


@requires_matplotlib
def test_one_coordinate_is_drawn_over_the_curve(plt):
    res = fgrad.optimize.newton(quartic, 2.0)
    ax = res.plot(quartic, bounds=(-2.5, 2.5), resolution=51)
    curve, path = ax.lines
    np.testing.assert_array_equal(path.get_xydata(), [[r.x, r.f] for r in res.history])
    xs = np.linspace(-2.5, 2.5, 51)
    np.testing.assert_allclose(curve.get_xydata(), np.column_stack([xs, quartic(xs)]))
    assert contour_sets(ax) == [] and (ax.get_xlabel(), ax.get_ylabel()) == ("x", "f(x)")


@requires_matplotlib
def test_default_bounds_hold_every_iterate_with_a_margin(plt, newton_rosen):
    calls = []
    fgrad.optimize.plot_path(newton_rosen, lambda x: calls.append(np.array(x)) or rosen(x), resolution=3)
    grid = np.array(calls)
    iterates = np.array([r.x for r in newton_rosen.history])
    span = iterates.max(axis=0) - iterates.min(axis=0)
    np.testing.assert_allclose(grid.min(axis=0), iterates.min(axis=0) - 0.1 * span)
    np.testing.assert_allclose(grid.max(axis=0), iterates.max(axis=0) + 0.1 * span)


@requires_matplotlib
@pytest.mark.parametrize("kwargs, message", [
    ({"bounds": (0.0, 1.0)}, r"bounds must be \(xmin, xmax, ymin, ymax\)"),
    ({"bounds": (1.0, 0.0, 0.0, 1.0)}, "each min < max"),
    ({"resolution": 1}, "resolution must be an int >= 2"),
    ({"levels": 0}, "levels must be a positive int"),
])
def test_bad_options_are_refused_clearly(plt, newton_rosen, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fgrad.optimize.plot_path(newton_rosen, rosen, **kwargs)


@requires_matplotlib
def test_more_than_two_coordinates_are_refused_clearly(plt):
    res = fgrad.optimize.newton(lambda x: np.sum((x - 1.0) ** 2), np.zeros(3))
    with pytest.raises(ValueError, match="one or two coordinates, but result.x has 3 numbers"):
        res.plot()


def test_without_matplotlib_the_error_says_what_to_install(monkeypatch, newton_rosen):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'fgrad\[plot\]'") as info:
        newton_rosen.plot(rosen)
    assert info.value.name == "matplotlib"


def test_import_fgrad_does_not_import_matplotlib():
    import subprocess

    code = "import sys, fgrad, fgrad.optimize; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
