"""Function-table rows: sampled signals, ranges and fitting (run by tests/test_numpy_table.py).

convolve, correlate, interp, gradient, linspace, logspace, geomspace and polyfit. Each
row's ``doc=`` is its function's line on docs/reference/numpy.md. (The order statistics,
NaN-ignoring moments, piecewise, sinc and copysign rows are in table_rows_reductions.py
and table_rows_elementwise.py, with their sections of that page.)
"""

from __future__ import annotations

import numpy

from table_support import *  # noqa: F403


PAIRS = [((5,), (3,)), ((3,), (5,)), ((4,), (4,)), ((1,), (2,))]
XP = numpy.array([-1.2, -0.3, 0.4, 1.1])

ROWS: list = [
    *in_section("Sampled signals, ranges and fitting", [
        row("convolve", lambda np, a, v: np.convolve(a, v), PAIRS,
            doc="convolve: differentiable in both sequences: each rule is the full convolution of `g` with the other sequence reversed, cut to length (modes 'full', 'same', 'valid'); refuses arrays that are not 1-D or are empty (ValueError)."),
        row("convolve same valid", lambda np, a, v: np.convolve(a, v, "same") * np.convolve(a, v, mode="valid").sum(),
            PAIRS),
        row("correlate", lambda np, a, v: np.correlate(a, v) * np.correlate(a, v, "full").sum(), PAIRS,
            doc="correlate: `convolve` of `a` with `v` reversed and conjugated (as NumPy computes it), so the same rules; refuses arrays that are not 1-D or are empty (ValueError)."),
        row("correlate same", lambda np, a, v: np.correlate(a, v, mode="same"), PAIRS + [((2,), (5,))]),
        row("interp", lambda np, x, fp: np.interp(x, XP, fp) + np.interp(x, XP, fp, left=-2.0, right=fp[0] * 3.0),
            [((), (4,)), ((2, 3), (4,))], (real, real),
            doc="interp: piecewise-linear, differentiable in `x`, `xp` and `fp` (and traced `left`/`right`); at a knot the slope of the segment to the right (of the last at `xp[-1]`), 0 outside `[xp[0], xp[-1]]`, as JAX; refuses a traced `period` (TypeError)."),
        row("interp traced xp", lambda np, x, xp, fp: np.interp(x, xp - 1.5, fp), [((5,), (4,), (4,))],
            (real, increasing, real)),
        row("interp period", lambda np, x, fp: np.interp(x, XP, fp, period=2.5), [((5,), (4,))]),
        row("gradient", lambda np, f: np.gradient(f) + np.gradient(f, 0.5, edge_order=2), [(5,)],
            doc="gradient: NumPy's central differences (one-sided at the ends) in fgrad operations: differentiable in `f` and in traced spacings or coordinates."),
        row("gradient axes", lambda np, f: np.gradient(f)[0] * np.gradient(f, axis=1, edge_order=2)
            + np.gradient(f, 2.0, numpy.array([0.0, 0.5, 2.0, 2.5]))[1], [(3, 4)]),
        row("gradient traced spacing", lambda np, f, h, c: np.gradient(f, h, c, edge_order=2)[1]
            + np.gradient(f, c, axis=-1)[0], [((3, 4), (), (4,))], (real, positive, increasing)),
        row("linspace", lambda np, s, e: np.linspace(s, e, 5) + np.linspace(s, e, num=4, endpoint=False).sum()
            + np.linspace(s, e, 5, retstep=True)[1], [((), ()), ((3,), ())],
            doc="linspace: sample `k` has derivative `1 - k/div` in `start` and `k/div` in `stop`; with `retstep`, the step too."),
        row("linspace axis num=1", lambda np, s, e: np.linspace(s, e, 3, axis=1) * np.linspace(s, e, 1).sum()
            + np.linspace(s, e, 1, endpoint=False).sum(), [((2,), (2,))]),
        row("logspace", lambda np, s, e, b: np.logspace(s, e, 4) + np.logspace(s, e, 4, base=b, endpoint=False),
            [((), (), ())], (real, real, positive),
            doc="logspace: `base ** linspace(start, stop)`: differentiable in `start`, `stop` and `base`."),
        row("logspace array base axis", lambda np, s, e, b: np.logspace(s, e, 3, base=b, axis=-1),
            [((2,), (), (2,))], (real, real, positive)),
        row("geomspace", lambda np, s, e: np.geomspace(s, e, 4) + np.geomspace(-s, -e, 4, endpoint=False),
            [((), ()), ((2,), (2,))], positive,
            doc="geomspace: log-spaced samples from `start` to `stop` (same sign, nonzero), differentiable in both."),
        row("geomspace axis", lambda np, s, e: np.geomspace(s, e, 3, axis=1), [((2,), ())], positive),
        row("polyfit", lambda np, x, y, w: np.polyfit(x, y, 2) + np.polyfit(x, y, 1, w=w).sum(), [((5,), (5,), (5,))],
            (spaced, real, positive),
            doc="polyfit: least squares in fgrad operations: differentiable in `y`, `w` and `x`; refuses a rank-deficient fit (ValueError), `cov` (TypeError) and `full=True` with traced `x` or `w` (TypeError) on traced values."),
        row("polyfit 2-D y full", lambda np, y: np.polyfit(numpy.arange(6.0), y, 1)
            + np.polyfit(numpy.arange(6.0), y, 2, full=True)[1].sum(), [(6, 2)]),
    ]),
]
