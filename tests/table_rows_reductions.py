"""Function-table rows: reductions, scans and order statistics (run by tests/test_numpy_table.py).

Sums, means, products, extrema, moments and their axis variants, cumulative scans, the
NaN-ignoring versions, ufunc methods, sorting, median, quantiles (every method),
partition, cov and corrcoef. Each row's ``doc=`` is its function's line on
docs/reference/numpy.md.
"""

from __future__ import annotations

import numpy

from table_support import *  # noqa: F403


def fraction(rng, shape):  # a quantile level, away from 0 and 1
    return rng.uniform(0.1, 0.9, shape)


def spaced_with_nan(rng, shape):
    x = spaced(rng, shape)  # noqa: F405
    x.flat[1] = numpy.nan
    return x


METHODS = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf", "hazen",
           "weibull", "linear", "median_unbiased", "normal_unbiased", "lower", "higher", "nearest", "midpoint")

ROWS: list = [
    *in_section("Reductions and scans", [
        row("sum", lambda np, x: np.sum(x), UNARY,
            doc="sum: `g` broadcast back over the reduced axes (0 where `where=` leaves an element out)."),
        row("sum axis positional", lambda np, x: np.sum(x, 1), MATRIX + CUBE),
        row("sum axis=-1 keepdims", lambda np, x: np.sum(x, axis=-1, keepdims=True) * x, MATRIX + CUBE),
        row("sum axis tuple", lambda np, x: np.sum(x, axis=(0, 2)), CUBE),
        row("x.sum(0)", lambda np, x: x.sum(0), MATRIX),
        row("mean", lambda np, x: np.mean(x) + np.mean(x, 0) + np.mean(x, axis=-1, keepdims=True), MATRIX + CUBE,
            doc="mean: `g / count` broadcast back over the reduced axes."),
        row("x.mean()", lambda np, x: x.mean(axis=1), MATRIX),
        row("prod", lambda np, x: np.prod(x), UNARY, nonzero,
            doc="prod: `g * ans / x` while no element is 0; with zeros, exactly the product of the other elements (no division), so a single zero gets the product of the rest."),
        row("prod axis", lambda np, x: np.prod(x, 1) + np.prod(x, axis=(0, -1), keepdims=True).sum(), CUBE, nonzero),
        row("max", lambda np, x: np.max(x), UNARY, spaced,
            doc="max: `g` to the elements equal to the maximum, shared equally between tied ones (as JAX)."),
        row("max axis", lambda np, x: np.max(x, 1), MATRIX + CUBE, spaced),
        row("min", lambda np, x: np.min(x, axis=-1), MATRIX + CUBE, spaced,
            doc="min: `g` to the elements equal to the minimum, shared equally between tied ones (as JAX)."),
        row("amax keepdims", lambda np, x: np.amax(x, axis=0, keepdims=True) * x, MATRIX + CUBE, spaced,
            doc="amax: the same rule as `max`."),
        row("amin", lambda np, x: np.amin(x), MATRIX, spaced, doc="amin: the same rule as `min`."),
        row("x.max() x.min()", lambda np, x: x.max() - x.min(0), MATRIX, spaced),
        row("ptp", lambda np, x: np.ptp(x, axis=1), MATRIX, spaced,
            doc="ptp: `max - min`: each side shared among its tied elements."),
        row("logsumexp via max", lambda np, x: np.max(x, axis=1, keepdims=True)
            + np.log(np.sum(np.exp(x - np.max(x, axis=1, keepdims=True)), axis=1, keepdims=True)), MATRIX, spaced),
        row("ufunc.reduce", lambda np, x: np.add.reduce(x) + np.multiply.reduce(x, axis=1).sum()
            + np.maximum.reduce(x, 1).sum() + np.minimum.reduce(x, axis=None), MATRIX, spaced, namespaces=("np",)),
        row("logaddexp.reduce", lambda np, x: np.logaddexp.reduce(x, axis=1) + np.logaddexp2.reduce(x, 0).sum(),
            MATRIX, namespaces=("np",)),
        row("ufunc.accumulate/outer", lambda np, x, y: np.add.accumulate(x, 1) + np.multiply.accumulate(x)
            + np.multiply.outer(x[0], y).sum(0) + np.subtract.outer(y, y).sum(), [((2, 3), (3,))], nonzero, namespaces=("np",)),
        row("diff-free stable logsumexp with ufunc method", lambda np, x: np.logaddexp.reduce(x * 50.0), [(4,)],
            namespaces=("np",)),
        row("var", lambda np, x: np.var(x), UNARY[1:],
            doc="var: `g * 2 * (x - mean) / (count - ddof)` (complex values: the mean of `|x - mean|**2`, real as NumPy's); `mean=` and `correction=` as in NumPy 2; refuses a traced value with no more elements than `ddof` (ValueError) and `ddof` with `correction` (ValueError)."),
        row("var axis ddof", lambda np, x: np.var(x, 0, ddof=1) + np.var(x, axis=-1, keepdims=True).sum(), MATRIX + CUBE),
        row("x.var()", lambda np, x: x.var(), MATRIX),
        row("std", lambda np, x: np.std(x) + np.std(x, 1) .sum() + np.std(x, axis=0, ddof=1).sum(), MATRIX + CUBE,
            doc="std: `g * (x - mean) / (ans * (count - ddof))`: `nan` where all values are equal (0/0), as JAX."),
        row("x.std()", lambda np, x: x.std(axis=-1), MATRIX),
        row("average", lambda np, x, w: np.average(x, axis=1, weights=w), [((2, 3), (3,))], (real, positive),
            doc="average: `sum(a * w) / sum(w)` in fgrad operations: differentiable in `a` and `weights`; refuses weights of another shape unless 1-D with an int `axis` (TypeError)."),
        row("average same shape", lambda np, x, w: np.average(x, weights=w), [((2, 3), (2, 3))], (real, positive)),
        row("cumsum", lambda np, x: np.cumsum(x), UNARY, doc="cumsum: the reversed cumulative sum of `g`."),
        row("cumsum axis", lambda np, x: np.cumsum(x, 1) + np.cumsum(x, axis=-1), MATRIX + CUBE),
        row("cumprod", lambda np, x: np.cumprod(x) , UNARY, nonzero,
            doc="cumprod: `reversed_cumsum(g * ans) / x` while no element is 0; with zeros, exact products of the other factors."),
        row("cumprod axis", lambda np, x: np.cumprod(x, 0), MATRIX + CUBE, nonzero),
        row("x.cumsum x.cumprod x.prod", lambda np, x: x.cumsum(0) + x.cumprod(1) + x.prod(), MATRIX, nonzero),
        row("cumulative_sum cumulative_prod", lambda np, x: np.cumulative_sum(x, axis=1, include_initial=True)
            + np.cumulative_prod(x, axis=1, include_initial=True), MATRIX, nonzero,
            doc=("cumulative_sum: `cumsum`, optionally starting with 0 (`include_initial`); refuses a missing `axis` on arrays of more than one dimension (ValueError).",
                 "cumulative_prod: `cumprod`, optionally starting with 1 (`include_initial`); refuses a missing `axis` on arrays of more than one dimension (ValueError).")),
        row("diff", lambda np, x: np.diff(x).sum() + np.diff(x, 2, axis=0).sum() + np.diff(x, axis=0, prepend=0.5,
            append=x[:1]).sum(), [(3, 4)],
            doc="diff: differences of slices: `g` to the later element, `-g` to the earlier; `prepend`/`append` may be traced."),
        row("ediff1d", lambda np, x, y: np.ediff1d(x, to_begin=y, to_end=2.0), [((2, 3), (2,))],
            doc="ediff1d: `diff` of the flattened array; `to_begin`/`to_end` may be traced."),
        row("trapezoid", lambda np, y, x: np.trapezoid(y, x) + np.trapezoid(y, dx=0.3, axis=0).sum(),
            [((2, 3), (3,)), ((3, 4), (3, 4))], (real, increasing),
            doc="trapezoid: the trapezoidal sum in fgrad operations: differentiable in `y` and in sample points `x` (or `dx`)."),
        row("nansum nanmean", lambda np, x: np.nansum(x) + np.nansum(x, 0) * np.nanmean(x, axis=0)
            + np.nanmean(x, 1, keepdims=True).sum(), [(2, 3)], with_nan,
            doc=("nansum: `sum` with NaN as 0: NaN elements get derivative 0.",
                 "nanmean: `mean` of the non-NaN elements: NaN elements get derivative 0.")),
        row("nanmax nanmin", lambda np, x: np.nanmax(x) + np.nanmin(x, 0) + np.nanmax(x, axis=1, keepdims=True).sum(),
            [(2, 3)], with_nan,
            doc=("nanmax: `max` ignoring NaN: ties shared, NaN elements get 0.",
                 "nanmin: `min` ignoring NaN: ties shared, NaN elements get 0.")),
        row("nanprod", lambda np, x: np.nanprod(x) + np.nanprod(x, axis=1, keepdims=True), [(2, 3)], with_nan,
            doc="nanprod: `prod` with NaN as 1: NaN elements get derivative 0."),
        row("nancumsum nancumprod", lambda np, x: np.nancumsum(x) * np.nancumprod(x) + np.nancumsum(x, axis=0).sum()
            + np.nancumprod(x, 1).sum(), [(2, 3)], with_nan,
            doc=("nancumsum: `cumsum` with NaN as 0: NaN elements get derivative 0.",
                 "nancumprod: `cumprod` with NaN as 1: NaN elements get derivative 0.")),
        row("nanvar nanstd", lambda np, x: np.nanvar(x) + np.nanvar(x, axis=0, ddof=1) * np.nanstd(x, 1, keepdims=True)
            + np.nanstd(x, axis=1, correction=1).sum(), [(3, 4)], spaced_with_nan,
            doc=("nanvar: `var` of the non-NaN elements: NaN elements get 0; a slice with no more than `ddof` values gives NaN with NumPy's warning.",
                 "nanstd: `sqrt(nanvar(...))`.")),
    ]),
    *in_section("Sorting and order statistics", [
        row("sort", lambda np, x: np.sort(x) * numpy.arange(3.0) + np.sort(x, axis=0).sum() + np.sort(x, axis=None)[-1],
            MATRIX, spaced,
            doc="sort: the derivative follows each element to its place; ties keep their order; refuses `order=` (TypeError)."),
        row("partition", lambda np, x: np.partition(x, 2) * numpy.arange(5.0) + np.partition(x, [0, 3]),
            [(5,), (2, 5)], spaced,
            doc="partition: NumPy's own arrangement; each element's derivative follows it to its place, equal elements matched in order of position; refuses `order=` (TypeError)."),
        row("partition axis", lambda np, x: np.partition(x, 1, axis=0) + np.partition(x, -1, axis=None)[-1],
            [(3, 4)], spaced),
        row("argpartition nanargmax nanargmin pick elements", lambda np, x: x[np.argpartition(x, 1)] * x[np.nanargmax(x)]
            + x[np.nanargmin(x)], [(4,)], spaced),
        row("median", lambda np, x: np.median(x), [(3,), (4,), (2, 3)], spaced,
            doc="median: `g` to the middle element, or `g / 2` to each of the middle two of an even count (as JAX)."),
        row("median axis keepdims", lambda np, x: np.median(x, axis=1) + np.median(x, 0, keepdims=True).sum()
            + np.median(x, axis=(0, 2)).sum(), [(2, 3, 4)], spaced),
        row("quantile", lambda np, x: np.quantile(x, 0.3) + np.quantile(x, [0.25, 0.8], axis=0).sum(0), [(3, 4)],
            spaced,
            doc="quantile: every `method=` of NumPy (all thirteen): weights `1 - gamma` and `gamma` on two order statistics; differentiable in `a`, and in `q` for the continuous methods; refuses `weights=` (TypeError)."),
        row("quantile methods", lambda np, x: np.stack([np.quantile(x, [0.1, 0.45, 0.9], axis=-1, method=m)
                                                        for m in METHODS]), [(2, 5)], spaced),
        row("quantile traced q", lambda np, x, q: np.quantile(x, q) + np.quantile(x, q, method="hazen")
            + np.percentile(x, 100.0 * q, method="weibull"), [((5,), ()), ((6,), (2,))], (spaced, fraction)),
        row("percentile", lambda np, x: np.percentile(x, [10.0, 50.0], axis=1, keepdims=True), [(2, 5)], spaced,
            doc="percentile: `quantile(a, q / 100)`."),
        row("nanmedian nanquantile nanpercentile", lambda np, x: np.nanmedian(x) + np.nanmedian(x, axis=1)
            + np.nanquantile(x, 0.3, axis=1, method="hazen") + np.nanpercentile(x, [20.0, 70.0], axis=1).sum(0),
            [(2, 5)], spaced_with_nan,
            doc=("nanmedian: `median` of the non-NaN elements: NaN elements get 0.",
                 "nanquantile: `quantile` of the non-NaN elements: NaN elements get 0; an all-NaN slice gives NaN.",
                 "nanpercentile: `percentile` of the non-NaN elements: NaN elements get 0.")),
        row("cov", lambda np, x, y: np.cov(x) + np.cov(x, rowvar=False, ddof=0).sum() + np.cov(x, y, bias=True).sum(),
            [((2, 4), (4,))],
            doc="cov: centred products `X @ conj(X).T` in fgrad operations (`rowvar`, `bias`, `ddof`, a second variable `y`); refuses `fweights`/`aweights` (TypeError)."),
        row("corrcoef", lambda np, x: np.corrcoef(x), [(3, 5)],
            doc="corrcoef: `cov` divided by the outer product of its standard deviations, in fgrad operations."),
    ]),
]
