"""Function-table rows: numpy_surface (run by tests/test_numpy_table.py).

Signals and ranges (convolve, correlate, interp, gradient, linspace, logspace, geomspace),
order statistics (median, percentile, quantile, their nan- versions, partition), NaN-ignoring
moments, polyfit, piecewise, sinc, copysign.
"""

from __future__ import annotations

import numpy

from table_support import UNARY, binary, increasing, nonzero, positive, real, row, spaced, unary, with_nan


def fraction(rng, shape):  # a quantile level, away from 0 and 1
    return rng.uniform(0.1, 0.9, shape)


def spaced_with_nan(rng, shape):
    x = spaced(rng, shape)
    x.flat[1] = numpy.nan
    return x


PAIRS = [((5,), (3,)), ((3,), (5,)), ((4,), (4,)), ((1,), (2,))]
XP = numpy.array([-1.2, -0.3, 0.4, 1.1])
METHODS = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf", "hazen",
           "weibull", "linear", "median_unbiased", "normal_unbiased", "lower", "higher", "nearest", "midpoint")

ROWS: list = [
    # ---- convolution and correlation
    row("convolve", lambda np, a, v: np.convolve(a, v), PAIRS),
    row("convolve same valid", lambda np, a, v: np.convolve(a, v, "same") * np.convolve(a, v, mode="valid").sum(),
        PAIRS),
    row("correlate", lambda np, a, v: np.correlate(a, v) * np.correlate(a, v, "full").sum(), PAIRS),
    row("correlate same", lambda np, a, v: np.correlate(a, v, mode="same"), PAIRS + [((2,), (5,))]),
    # ---- ranges with traced end points
    row("linspace", lambda np, s, e: np.linspace(s, e, 5) + np.linspace(s, e, num=4, endpoint=False).sum()
        + np.linspace(s, e, 5, retstep=True)[1], [((), ()), ((3,), ())]),
    row("linspace axis num=1", lambda np, s, e: np.linspace(s, e, 3, axis=1) * np.linspace(s, e, 1).sum()
        + np.linspace(s, e, 1, endpoint=False).sum(), [((2,), (2,))]),
    row("logspace", lambda np, s, e, b: np.logspace(s, e, 4) + np.logspace(s, e, 4, base=b, endpoint=False),
        [((), (), ())], (real, real, positive)),
    row("logspace array base axis", lambda np, s, e, b: np.logspace(s, e, 3, base=b, axis=-1),
        [((2,), (), (2,))], (real, real, positive)),
    row("geomspace", lambda np, s, e: np.geomspace(s, e, 4) + np.geomspace(-s, -e, 4, endpoint=False),
        [((), ()), ((2,), (2,))], positive),
    row("geomspace axis", lambda np, s, e: np.geomspace(s, e, 3, axis=1), [((2,), ())], positive),
    # ---- interpolation and sampled derivatives
    row("interp", lambda np, x, fp: np.interp(x, XP, fp) + np.interp(x, XP, fp, left=-2.0, right=fp[0] * 3.0),
        [((), (4,)), ((2, 3), (4,))], (real, real)),
    row("interp traced xp", lambda np, x, xp, fp: np.interp(x, xp - 1.5, fp), [((5,), (4,), (4,))],
        (real, increasing, real)),
    row("interp period", lambda np, x, fp: np.interp(x, XP, fp, period=2.5), [((5,), (4,))]),
    row("gradient", lambda np, f: np.gradient(f) + np.gradient(f, 0.5, edge_order=2), [(5,)]),
    row("gradient axes", lambda np, f: np.gradient(f)[0] * np.gradient(f, axis=1, edge_order=2)
        + np.gradient(f, 2.0, numpy.array([0.0, 0.5, 2.0, 2.5]))[1], [(3, 4)]),
    row("gradient traced spacing", lambda np, f, h, c: np.gradient(f, h, c, edge_order=2)[1]
        + np.gradient(f, c, axis=-1)[0], [((3, 4), (), (4,))], (real, positive, increasing)),
    # ---- order statistics
    row("median", lambda np, x: np.median(x), [(3,), (4,), (2, 3)], spaced),
    row("median axis keepdims", lambda np, x: np.median(x, axis=1) + np.median(x, 0, keepdims=True).sum()
        + np.median(x, axis=(0, 2)).sum(), [(2, 3, 4)], spaced),
    row("quantile", lambda np, x: np.quantile(x, 0.3) + np.quantile(x, [0.25, 0.8], axis=0).sum(0), [(3, 4)],
        spaced),
    row("quantile methods", lambda np, x: np.stack([np.quantile(x, [0.1, 0.45, 0.9], axis=-1, method=m)
                                                    for m in METHODS]), [(2, 5)], spaced),
    row("quantile traced q", lambda np, x, q: np.quantile(x, q) + np.quantile(x, q, method="hazen")
        + np.percentile(x, 100.0 * q, method="weibull"), [((5,), ()), ((6,), (2,))], (spaced, fraction)),
    row("percentile", lambda np, x: np.percentile(x, [10.0, 50.0], axis=1, keepdims=True), [(2, 5)], spaced),
    row("nanmedian nanquantile nanpercentile", lambda np, x: np.nanmedian(x) + np.nanmedian(x, axis=1)
        + np.nanquantile(x, 0.3, axis=1, method="hazen") + np.nanpercentile(x, [20.0, 70.0], axis=1).sum(0),
        [(2, 5)], spaced_with_nan),
    row("partition", lambda np, x: np.partition(x, 2) * numpy.arange(5.0) + np.partition(x, [0, 3]),
        [(5,), (2, 5)], spaced),
    row("partition axis", lambda np, x: np.partition(x, 1, axis=0) + np.partition(x, -1, axis=None)[-1],
        [(3, 4)], spaced),
    row("argpartition nanargmax nanargmin pick elements", lambda np, x: x[np.argpartition(x, 1)] * x[np.nanargmax(x)]
        + x[np.nanargmin(x)], [(4,)], spaced),
    # ---- NaN-ignoring moments, products and scans
    row("nanvar nanstd", lambda np, x: np.nanvar(x) + np.nanvar(x, axis=0, ddof=1) * np.nanstd(x, 1, keepdims=True)
        + np.nanstd(x, axis=1, correction=1).sum(), [(3, 4)], spaced_with_nan),
    row("nanprod", lambda np, x: np.nanprod(x) + np.nanprod(x, axis=1, keepdims=True), [(2, 3)], with_nan),
    row("nancumsum nancumprod", lambda np, x: np.nancumsum(x) * np.nancumprod(x) + np.nancumsum(x, axis=0).sum()
        + np.nancumprod(x, 1).sum(), [(2, 3)], with_nan),
    # ---- fitting and piecewise definitions
    row("polyfit", lambda np, x, y, w: np.polyfit(x, y, 2) + np.polyfit(x, y, 1, w=w).sum(), [((5,), (5,), (5,))],
        (spaced, real, positive)),
    row("polyfit 2-D y full", lambda np, y: np.polyfit(numpy.arange(6.0), y, 1)
        + np.polyfit(numpy.arange(6.0), y, 2, full=True)[1].sum(), [(6, 2)]),
    row("piecewise", lambda np, x: np.piecewise(x, [x < 0, x > 0.5], [lambda v: v * v, np.sin, 0.25]),
        UNARY),
    row("piecewise conditions overlap", lambda np, x, a: np.piecewise(x, [x < 0.5, x < 0], [lambda v: a * v, a]),
        [((3,), ())]),
    # ---- elementwise
    unary("sinc", real),
    binary("copysign", (nonzero, nonzero)),
]
