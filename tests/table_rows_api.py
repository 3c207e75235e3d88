"""Function-table rows: API mechanics (run by tests/test_numpy_table.py).

Lists holding traced values, ufunc methods, reductions' ``where=``, var/std's NumPy 2
keywords, every pad mode, einsum's sublist form and ``optimize``.
"""

from __future__ import annotations

import numpy

from table_support import *  # noqa: F403

MASK = numpy.array([[True, False, True], [True, True, False]])
PATH = ["einsum_path", (0, 1)]

ROWS: list = [
    row("list argument mean", lambda np, x: np.mean([x, x * 2.0, 1.0]), [()], namespaces=("fnp",)),
    row("list argument exp/dot", lambda np, x, y: np.dot(np.exp([x, 0.5]), [y, x]), [((), ())], namespaces=("fnp",)),
    row("tuple argument sum", lambda np, x: np.sum((x, numpy.ones(3))) + np.maximum.reduce([x, x * x]), [(3,)],
        domain=positive, namespaces=("fnp",)),
    row("ufunc reduce", lambda np, x: np.add.reduce(x, axis=1) * np.multiply.reduce(x, 0).sum()
        + np.logaddexp.reduce(x, axis=None) + np.subtract.reduce(x, axis=-1).sum(), MATRIX + CUBE),
    row("ufunc reduce initial where", lambda np, x: np.add.reduce(x, 1, initial=2.0, where=MASK)
        + np.maximum.reduce(x, axis=(0, 1), initial=-5.0) + np.hypot.reduce(x, 0).sum(), MATRIX, domain=spaced),
    row("ufunc accumulate", lambda np, x: np.maximum.accumulate(x, axis=1) + np.add.accumulate(x)
        + np.logaddexp.accumulate(x, 1), MATRIX, domain=spaced),
    row("ufunc reduceat outer", lambda np, x, y: np.add.reduceat(x, [0, 2, 1], axis=1).sum()
        + np.multiply.reduceat(x, [0, 2], axis=1).sum() + np.multiply.outer(x, y).sum() + np.arctan2.outer(y, y).sum(),
        [((2, 3), (2,))], domain=positive),
    row("reduction where", lambda np, x: np.sum(x, where=MASK) + np.mean(x, axis=0, where=MASK).sum()
        + np.prod(x, axis=1, where=MASK).sum() + np.max(x, where=MASK, initial=-3.0)
        + np.min(x, 1, where=MASK, initial=3.0).sum(), MATRIX, domain=spaced),
    row("prod initial with zero", lambda np, x: np.prod(x * numpy.array([0.0, 1.0, 1.0]), initial=2.0)
        + np.prod(x, axis=0, initial=0.5).sum(), [(3,), (2, 3)]),
    row("var std correction where mean", lambda np, x: np.var(x, axis=1, correction=1).sum()
        + np.std(x, where=MASK) + np.var(x, axis=0, where=MASK, ddof=0).sum()
        + np.var(x, axis=1, mean=np.mean(x, axis=1, keepdims=True)).sum(), MATRIX),
    row("pad statistics", lambda np, x: np.pad(x, ((1, 2), (2, 1)), mode="maximum").sum()
        + (np.pad(x, 2, mode="minimum", stat_length=2) ** 2).sum() + np.pad(x, 1, mode="mean", stat_length=(1, 2)).sum()
        + (np.pad(x, ((0, 1), (2, 0)), mode="median") ** 3).sum(), MATRIX, domain=spaced),
    row("pad linear_ramp empty", lambda np, x: (np.pad(x, ((1, 2), (3, 1)), mode="linear_ramp",
                                                    end_values=((1.0, -2.0), (0.5, 3.0))) ** 2).sum()
        + (np.pad(x, 2, mode="linear_ramp") ** 2).sum() + np.pad(x, 1, mode="empty")[1:-1, 1:-1].sum(), MATRIX),
    row("einsum sublist optimize", lambda np, x, y: np.einsum(x, [0, 1], y, [1, 2], [0, 2], optimize="optimal")
        + np.einsum("ij,jk->ik", x, y, optimize=PATH) + np.einsum(x, [Ellipsis, 1], y, [1, 2], optimize=True),
        [((2, 3), (3, 4))]),
    row("full_like traced fill", lambda np, x, y: np.full_like(x, y[0]) * x, [((2, 3), (3,))]),
]
