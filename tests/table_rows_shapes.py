"""Function-table rows: shapes, joining and splitting, indexing, building arrays (run by
tests/test_numpy_table.py). Each row's ``doc=`` is its function's line on
docs/reference/numpy.md.
"""

from __future__ import annotations

import warnings

import numpy

from table_support import *  # noqa: F403


def _row_stack(np, x, y):
    # NumPy 2 deprecates row_stack (fgrad.numpy's warns the same): the warning is not under test here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return np.row_stack([x, y]) ** 2 + np.row_stack((y, x))

ROWS: list = [
    *in_section("Shapes, joining and splitting", [
        row("reshape", lambda np, x: np.reshape(x, (3, 2)) + np.reshape(x, -1).reshape(3, 2), MATRIX,
            doc="reshape: `reshape(g, x.shape)`; refuses `order='F'` (TypeError)."),
        row("x.reshape", lambda np, x: x.reshape(3, -1) + x.reshape((3, 2)), MATRIX),
        row("ravel flatten", lambda np, x: np.ravel(x) + x.ravel() * x.flatten(), MATRIX,
            doc="ravel: `reshape(g, x.shape)` (also `x.ravel()` and `x.flatten()`); refuses `order='F'` (TypeError)."),
        row("transpose", lambda np, x: np.transpose(x), MATRIX + CUBE,
            doc="transpose: `g` transposed by the inverse permutation."),
        row("transpose axes", lambda np, x: np.transpose(x, (2, 0, 1)) + np.transpose(x, (-1, 0, 1)), CUBE),
        row("x.T x.transpose", lambda np, x: x.T @ x + x.transpose(1, 0) @ x, MATRIX),
        row("moveaxis", lambda np, x: np.moveaxis(x, 0, -1) + np.moveaxis(x, [0, 1], [1, 2]).reshape(3, 4, 2), CUBE,
            doc="moveaxis: `g` with the axes moved back."),
        row("rollaxis matrix_transpose", lambda np, x: np.rollaxis(x, 2) * np.matrix_transpose(x).transpose(1, 0, 2)
            + np.rollaxis(x, 0, 3).transpose(1, 2, 0), CUBE,
            doc=("rollaxis: `g` with the axis moved back.",
                 "matrix_transpose: `g` with the last two axes swapped.")),
        row("swapaxes", lambda np, x: np.swapaxes(x, 0, -1) * x.swapaxes(2, 0), CUBE,
            doc="swapaxes: `g` with the same two axes swapped."),
        row("expand_dims", lambda np, x: np.expand_dims(x, 0) * np.expand_dims(x, (-1, 0)).reshape(1, 2, 3), MATRIX,
            doc="expand_dims: `g` with the new axes removed."),
        row("squeeze", lambda np, x: np.squeeze(x) + np.squeeze(x, axis=0).sum() + x.squeeze(2).sum(), [(1, 3, 1)],
            doc="squeeze: `g` with the removed axes put back."),
        row("broadcast_to", lambda np, x: np.broadcast_to(x, (2, 3)), [(3,), (2, 1), ()],
            doc="broadcast_to: `g` summed over the broadcast axes."),
        row("broadcast_arrays", lambda np, x, y: np.broadcast_arrays(x, y)[0] * np.broadcast_arrays(x, y)[1],
            [((3,), (2, 1))],
            doc="broadcast_arrays: each result's `g` summed back over its broadcast axes."),
        row("atleast_nd", lambda np, x: np.atleast_1d(x).sum() + np.atleast_2d(x).sum() + np.atleast_3d(x)[0, 0, 0] ** 2,
            UNARY,
            doc=("atleast_1d: `reshape(g, x.shape)`.",
                 "atleast_2d: `reshape(g, x.shape)`.",
                 "atleast_3d: `reshape(g, x.shape)`.")),
        row("concatenate", lambda np, x, y: np.concatenate([x, y]) * 2.0, [((2,), (3,)), ((2, 3), (1, 3))],
            doc="concatenate: `g` split back into the parts (`axis=None` flattens them first); refuses `dtype=` (TypeError)."),
        row("concatenate axis", lambda np, x, y: np.concatenate((x, y, x), 1) * np.concatenate([y, x, y], axis=-1),
            [((2, 3), (2, 3))]),
        row("concatenate axis=None, plain parts", lambda np, x: np.concatenate([x, numpy.ones(2), x * x], axis=None),
            MATRIX),
        row("stack", lambda np, x, y: np.stack([x, y]) + np.stack((y, x), axis=-1).sum(), [((3,), (3,)), ((2, 3), (2, 3))],
            doc="stack: `g` split along the new axis; refuses `dtype=` (TypeError), arrays of different shapes (ValueError)."),
        row("hstack vstack dstack", lambda np, x, y: np.hstack([x, y]).sum() + np.vstack([x, y]).sum(0)
            + np.dstack([x, y]).sum((0, 1)).sum() * x, [((2, 3), (2, 3)), ((3,), (3,))],
            doc=("hstack: `concatenate` along the second axis (the first for 1-D inputs).",
                 "vstack: `concatenate` along the first axis, 1-D inputs becoming rows.",
                 "dstack: `concatenate` along the third axis.")),
        # removed in some NumPy 2 release: then the line stays, and no row runs
        row("row_stack", _row_stack, [((3,), (3,)), ((2, 3), (1, 3))],
            namespaces=("fnp", "np") if hasattr(numpy, "row_stack") else (),
            doc="row_stack: `vstack`, with NumPy's DeprecationWarning."),
        row("column_stack append", lambda np, x, y: np.column_stack([x, y]) + np.append(x, y).reshape(2, 3).T,
            [((3,), (3,))],
            doc=("column_stack: `concatenate` of the columns: `g` split back.",
                 "append: `concatenate`: `g` split back to `arr` and `values`.")),
        row("split", lambda np, x: np.split(x, 3, axis=1), [(2, 3)],
            doc="split: each part's `g` put back in place (zeros for parts not used)."),
        row("split indices", lambda np, x: np.split(x, [1, 3])[0] * np.split(x, [1, 3])[2], [(4,)]),
        row("array_split hsplit vsplit", lambda np, x: np.array_split(x, 2, 1)[1].sum() + np.hsplit(x, 2)[0]
            + np.vsplit(x, 2)[1].T, [(2, 2)],
            doc=("array_split: `split` with sections differing in size by one.",
                 "hsplit: `split` along the axis NumPy's `hsplit` uses.",
                 "vsplit: `split` along the first axis.")),
        row("dsplit", lambda np, x: np.dsplit(x, 2)[0] * np.dsplit(x, [1, 3])[1][..., :1], [(2, 3, 4)],
            doc="dsplit: `split` along the third axis."),
        row("flip", lambda np, x: np.flip(x) * np.arange(6.0).reshape(2, 3) + np.flip(x, 1) + np.flip(x, axis=(0, 1)),
            MATRIX,
            doc="flip: `flip(g, axis)`."),
        row("fliplr flipud rot90", lambda np, x: np.fliplr(x) * np.flipud(x) + np.rot90(x) + np.rot90(x, 3)
            + np.rot90(x, 2, axes=(1, 0)), [(3, 3)],
            doc=("fliplr: `g` reversed along axis 1.",
                 "flipud: `g` reversed along axis 0.",
                 "rot90: `g` rotated back (`rot90` by `-k`).")),
        row("roll", lambda np, x: np.roll(x, 1) * np.arange(6.0).reshape(2, 3) + np.roll(x, (1, -1), (0, 1)), MATRIX,
            doc="roll: `roll(g, -shift, axis)`."),
        row("tile", lambda np, x: np.tile(x, 2).sum(0) + np.tile(x, (2, 1, 2)).sum((0, 1)), [(2, 3)],
            doc="tile: a broadcast: `g` summed over the copies."),
        row("repeat", lambda np, x: np.repeat(x, 2) * np.arange(12.0) + np.repeat(x, [1, 2], axis=0).sum(), [(2, 3)],
            doc="repeat: `g` summed over each element's copies."),
        row("x.repeat x.take", lambda np, x: x.repeat(2, axis=1).sum(0) + x.take([0, 5, 5]).sum(), [(2, 3)]),
        row("pad constant", lambda np, x: np.pad(x, 1) + np.pad(x, ((0, 1), (2, 0)), constant_values=3.0).sum(),
            MATRIX,
            doc="pad: constant padding (and 'empty', zeros on traced values) drops `g`'s padding; 'edge', 'wrap', 'reflect', 'symmetric' gather `g` back from every copy; 'maximum', 'minimum', 'mean', 'median', 'linear_ramp' are computed in fgrad operations; refuses a callable mode, `reflect_type='odd'` and traced `constant_values`, `stat_length` or `end_values` (TypeError)."),
        row("pad edge wrap reflect symmetric", lambda np, x: np.pad(x, 2, mode="edge") * np.pad(x, 2, mode="wrap")
            + np.pad(x, (2, 2), mode="reflect") + np.pad(x, 2, mode="symmetric"), [(3,), (3, 4)]),
        row("copy", lambda np, x: np.copy(x) * x.copy(), UNARY[1:],
            doc="copy: the traced value itself (immutable), so `g`."),
    ]),
    *in_section("Indexing and functional updates", [
        row("getitem basic", lambda np, x: x[1] * x[:, ::2].sum() + x[..., None][0, -1, 0] + x[-1, 1:].sum(), MATRIX),
        row("getitem int array", lambda np, x: x[[0, 0, 1]] * 2.0 + x[numpy.array([[1, 0], [1, 1]])].sum(), MATRIX),
        row("getitem int arrays pair", lambda np, x: x[[0, 1, 1], [2, 0, 2]] + x[1:, [0, 0]].sum(), MATRIX),
        row("getitem boolean", lambda np, x: x[x > 0] ** 2 if False else (x[numpy.array([[True, False, True],
            [False, True, True]])] ** 2), MATRIX),
        row("getitem boolean row mask", lambda np, x: x[numpy.array([True, False])] * x[:, [True, False, True]].sum(), MATRIX),
        row("take", lambda np, x: np.take(x, [0, 2, 2]) + np.take(x, [1, 1], axis=1).sum() + np.take(x, [-1, 7], mode="wrap").sum(),
            MATRIX,
            doc="take: `g` put back at `indices`, repeated indices accumulating; `mode=\"wrap\"`/`\"clip\"` as NumPy; refuses other modes (ValueError)."),
        row("take_along_axis", lambda np, x: np.take_along_axis(x, numpy.array([[2, 0], [1, 1]]), axis=1), MATRIX,
            doc="take_along_axis: `g` put back at `indices` along `axis`; refuses `indices` of another rank (ValueError)."),
        doc_only("at: `at(x)[idx].set(v)`: `g` to `x` except where overwritten, `g[idx]` to `v`; `.add(v)`: `g` to `x`, `g[idx]` to `v`, repeated indices accumulating; never writes into `x`.", "tests/test_numpy_usage.py"),
    ]),
    *in_section("Building arrays and types", [
        row("array of traced scalars", lambda np, x: np.array([x[0], 2.0 * x[1], 1.0]) * np.asarray([x, x]), [(3,)],
            namespaces=("fnp",),
            doc=("array: stacks traced values and (nested) lists of them: `g` split back to each.",
                 "asarray: a traced value is returned as it is; lists of them are stacked as by `array`.")),
        row("astype", lambda np, x: np.astype(x, numpy.float64) * x.astype(numpy.float64), UNARY[1:],
            doc=("astype: `cast`: `g` cast back to the input's dtype (between float types); an integer or boolean result is plain.",
                 "cast: `g` cast back to the input's dtype (the real part for a real input).")),
        row("full full_like traced fill", lambda np, v: np.full((2, 3), v) * np.full_like(numpy.zeros(3), v), [()],
            namespaces=("fnp",),  # NumPy writes the fill value with np.copyto: fgrad.numpy only
            doc="full: a traced `fill_value` is broadcast: `g` summed."),
        row("full_like", lambda np, x: np.full_like(x, 2.0) * x, UNARY[1:],
            doc="full_like: the result depends only on `fill_value`: `g` summed to it; `a` gets nothing."),
        row("meshgrid", lambda np, x, y: np.meshgrid(x, y)[0] * np.meshgrid(x, y, indexing="ij")[1].T, [((3,), (2,))],
            doc="meshgrid: broadcasts of the coordinate vectors: `g` summed back to each."),
    ]),
]
