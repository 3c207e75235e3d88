"""Function-table rows: products, contractions, diagonals and triangles (run by
tests/test_numpy_table.py). Each row's ``doc=`` is its function's line on
docs/reference/numpy.md.
"""

from __future__ import annotations

import numpy

from table_support import *  # noqa: F403

ROWS: list = [
    *in_section("Products, contractions and triangles", [
        row("matmul", lambda np, x, y: np.matmul(x, y), [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)),
                                                          ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)), ((2, 1, 2, 3), (3, 3, 2))],
            doc="matmul: `g @ y.T` to `x`, `x.T @ g` to `y` (plain transposes, also for complex values), over broadcast stacks."),
        row("@", lambda np, x, y: x @ y + numpy.ones((2, 3)) @ y, [((2, 3), (3, 4))]),
        row("dot", lambda np, x, y: np.dot(x, y), [((), (3,)), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                                                    ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4, 2))],
            doc="dot: NumPy's `dot` rules, as `matmul`/`tensordot` products: the rule of each is the other factor contracted with `g`."),
        row("x.dot(w)", lambda np, x, y: x.dot(y), [((2, 3), (3,))]),
        row("inner", lambda np, x, y: np.inner(x, y), [((3,), (3,)), ((2, 3), (4, 3)), ((), (2,))],
            doc="inner: a contraction over the last axes: `g` contracted with the other argument."),
        row("outer", lambda np, x, y: np.outer(x, y), [((3,), (2,)), ((2, 2), (3,))],
            doc="outer: `a[i] * b[j]` of the flattened arrays: `g @ b` to `a`, `g.T @ a` to `b`."),
        row("vdot", lambda np, x, y: np.vdot(x, y), [((3,), (3,)), ((2, 3), (2, 3))],
            doc="vdot: the flattened dot product, conjugating a complex `a` (as NumPy)."),
        row("vecdot", lambda np, x, y: np.vecdot(x, y) + np.vecdot(x, x, axis=0).sum(), [((2, 3), (3,)), ((3, 3), (3, 3))],
            doc="vecdot: elementwise products summed along `axis`: `g * b` to `a`, `g * a` to `b`, broadcast back (real values)."),
        row("matvec vecmat", lambda np, x, y: np.matvec(x, y) + np.vecmat(y[:2], x).sum(), [((2, 3), (3,)), ((2, 2, 3), (3,))],
            doc=("matvec: a contraction over the last axes: `g` times the other argument, broadcast back.",
                 "vecmat: a contraction over the last axes: `g` times the other argument, broadcast back.")),
        row("tensordot", lambda np, x, y: np.tensordot(x, y, 1), [((2, 3), (3, 4))],
            doc="tensordot: `g` contracted with the other argument over the free axes, axes moved back."),
        row("tensordot axes pairs", lambda np, x, y: np.tensordot(x, y, axes=([0, 2], [2, -2])), [((2, 3, 4), (3, 4, 2))]),
        row("tensordot axes=0", lambda np, x, y: np.tensordot(x, y, axes=0), [((2,), (3,))]),
        row("einsum ij,jk->ik", lambda np, x, y: np.einsum("ij,jk->ik", x, y), [((2, 3), (3, 4))],
            doc="einsum: the cotangent of each operand is another `einsum` of `g` with the other operands (explicit or implicit output, `...`, repeated indices for traces and diagonals, the interleaved form, every `optimize`); refuses other keywords (TypeError)."),
        row("einsum batch", lambda np, x, y: np.einsum("bij,bjk->bik", x, y), [((2, 2, 3), (2, 3, 2))]),
        row("einsum ellipsis broadcast", lambda np, x, y: np.einsum("...ij,...jk->...ik", x, y),
            [((2, 2, 3), (3, 2)), ((1, 2, 3), (4, 3, 2))]),
        row("einsum implicit", lambda np, x, y: np.einsum("ij,j", x, y) + np.einsum("i,i", y, y), [((2, 3), (3,))]),
        row("einsum trace/diag/sum", lambda np, x: np.einsum("ii", x) + np.einsum("ii->i", x).sum()
            + np.einsum("ij->", x) + np.einsum("ij->ji", x)[0, 1], [(3, 3)]),
        row("einsum three operands", lambda np, x, y, z: np.einsum("ij,jk,k->i", x, y, z), [((2, 3), (3, 4), (4,))]),
        row("kron", lambda np, x, y: np.kron(x, y), [((2,), (3,)), ((2, 2), (2, 3)), ((2,), (2, 3))],
            doc="kron: blocks `a[i, j] * b`, as a broadcast product: sums of `g`'s blocks."),
        row("cross", lambda np, x, y: np.cross(x, y), [((3,), (3,)), ((2, 3), (3,))],
            doc="cross: products of components in fgrad operations (3-vectors, or 2-vectors giving z); refuses other lengths (ValueError)."),
        row("cross axes", lambda np, x, y: np.cross(x, y, axisa=0, axisb=1, axisc=0) + np.cross(x.T, y, axis=1).T,
            [((3, 2), (2, 3))]),
        row("trace", lambda np, x: np.trace(x) + np.trace(x, 1), [(3, 3), (2, 4)],
            doc="trace: the sum of a diagonal: `g` on that diagonal, 0 elsewhere."),
        row("trace axes", lambda np, x: np.trace(x, -1, axis1=1, axis2=2), CUBE),
        row("diagonal", lambda np, x: np.diagonal(x) + np.diagonal(x, 1).sum() + np.diagonal(x, -1).sum(), [(3, 3), (3, 4)],
            doc="diagonal: `g` put back on the diagonal (with `offset`, `axis1`, `axis2`), 0 elsewhere."),
        row("diagonal axes", lambda np, x: np.diagonal(x, 1, 2, 0), CUBE),
        row("x.diagonal x.trace", lambda np, x: x.diagonal().sum() + x.trace(), [(3, 3)]),
        row("diag", lambda np, x: np.diag(x) + np.diag(x, 1)[1:, :-1] + np.diag(x, -1)[:-1, 1:], [(3,)],
            doc="diag: `diagonal` for a matrix, the vector put on diagonal `k` for a vector: the other one is the rule."),
        row("diag of matrix", lambda np, x: np.diag(x) + np.diag(x, -1).sum(), [(3, 3), (3, 4)]),
        row("tril triu", lambda np, x: np.tril(x) + np.triu(x, 1) * np.tril(x, -1).sum(), [(3, 3), (2, 3, 4)],
            doc=("tril: `tril(g, k)`.",
                 "triu: `triu(g, k)`.")),
    ]),
]
