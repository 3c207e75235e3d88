"""Integer-array indexing of Dask arrays, lazily: NumPy's gather ``x[idx]`` and its
transpose, the scatter-add ``np.add.at(zeros, idx, g)`` that is the gather's cotangent.

Dask takes one integer array at a time (`Array.vindex` takes several, but puts their
axes first whatever the index), and has no scatter-add. Both are built here from one
`IndexLayout`, which NumPy works out from the concrete index while the graph is built:
the integer arrays, integers and boolean masks of the index broadcast together to the
*entries*, each naming one element of the axes they index (the advanced axes); the
other axes are sliced. The entries, flattened, are the *rows* of a gather's result, and
a row's *target* is the flat position of its element among the advanced axes.

Dask is imported inside the functions: it is an optional dependency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class IndexLayout:
    """An index of integer arrays (and slices, integers, None, Ellipsis, boolean masks),
    as NumPy applies it to an array of a given shape.

    `grid` is that shape with a length-1 axis for each None or boolean scalar, and
    `items` holds one item per axis of the grid: a slice, or a non-negative integer array
    (an integer counts as a 0-d one, as NumPy counts it beside arrays; a boolean mask as
    its np.nonzero arrays), so that ``x.reshape(grid)[items]`` is ``x[idx]``.

    Example:
        >>> layout = IndexLayout.of((None, [True, False, True], -1), (3, 4))
        >>> layout.grid, layout.items
        ((1, 3, 4), (slice(None, None, None), array([0, 2]), array(3)))
        >>> layout.advanced, layout.entries, layout.targets
        ((1, 2), (2,), array([ 3, 11]))
    """

    grid: tuple[int, ...]
    items: tuple[Any, ...]

    @classmethod
    def of(cls, idx: Any, shape: tuple[int, ...]) -> "IndexLayout":
        grid: list[int] = []
        items: list[Any] = []
        axis = 0
        for item in _index_items(idx, len(shape)):
            if item is None:
                grid.append(1)
                items.append(slice(None))
            elif isinstance(item, np.ndarray) and item.dtype == bool:
                if item.ndim == 0:  # (as NumPy: a new axis of length 1, of which it keeps one element or none)
                    grid.append(1)
                    items.append(np.flatnonzero(item))
                else:
                    grid.extend(shape[axis:axis + item.ndim])
                    items.extend(np.nonzero(item))
                    axis += item.ndim
            else:
                n = shape[axis]
                grid.append(n)
                items.append(item if isinstance(item, slice) else np.where(np.asarray(item) < 0, item + n, item))
                axis += 1
        return cls(tuple(grid), tuple(items))

    @property
    def advanced(self) -> tuple[int, ...]:
        """The grid axes the integer arrays index."""
        return tuple(k for k, item in enumerate(self.items) if isinstance(item, np.ndarray))

    @property
    def basic(self) -> tuple[int, ...]:
        """The grid axes that are sliced."""
        return tuple(k for k, item in enumerate(self.items) if isinstance(item, slice))

    @cached_property
    def arrays(self) -> list[np.ndarray]:
        """The integer arrays, broadcast together."""
        return np.broadcast_arrays(*(self.items[k] for k in self.advanced))

    @property
    def entries(self) -> tuple[int, ...]:
        """The shape the integer arrays broadcast to."""
        return self.arrays[0].shape

    @property
    def targets(self) -> np.ndarray:
        """Each entry's flat position among the advanced axes, in the entries' order."""
        return np.ravel_multi_index(tuple(a.ravel() for a in self.arrays), tuple(self.grid[k] for k in self.advanced))

    @property
    def entries_at(self) -> int:
        """Where NumPy puts the entries' axes in the result: where the integer arrays are
        when those are adjacent, else first."""
        advanced = self.advanced
        return advanced[0] if advanced == tuple(range(advanced[0], advanced[-1] + 1)) else 0

    def advanced_whole(self) -> tuple[slice, ...]:
        """The index that slices the basic axes and keeps the advanced ones whole."""
        return tuple(item if isinstance(item, slice) else slice(None) for item in self.items)

    def rows_of(self, result: Any) -> Any:
        """A gather's result (or its cotangent) with the entries flattened into its first axis."""
        n = len(self.entries)
        rows = np.moveaxis(result, tuple(range(self.entries_at, self.entries_at + n)), tuple(range(n)))
        return rows.reshape((math.prod(self.entries), *rows.shape[n:]))

    def result_of(self, rows: Any) -> Any:
        """The inverse of `rows_of`: NumPy's layout of a gather's result."""
        n = len(self.entries)
        result = rows.reshape(self.entries + rows.shape[1:])
        return np.moveaxis(result, tuple(range(n)), tuple(range(self.entries_at, self.entries_at + n)))


def _index_items(idx: Any, ndim: int) -> list[Any]:
    """The items of `idx`, lists and booleans as NumPy arrays, Ellipsis (or the axes left
    at the end) spelt out as whole slices."""
    items = [np.asarray(i) if isinstance(i, (list, bool, np.bool_)) else i for i in _parts(idx)]
    taken = sum(_axes_taken(i) for i in items if i is not Ellipsis)
    at = next((k for k, i in enumerate(items) if i is Ellipsis), len(items))
    return items[:at] + [slice(None)] * (ndim - taken) + items[at + 1:]


def is_concrete(idx: Any) -> bool:
    """Whether `idx` is known while the graph is built: no part of it is a lazy array.

    Example:
        >>> is_concrete((slice(1, None), [0, 0], np.array([True, False])))
        True
    """
    return all(_is_concrete_part(i) for i in _parts(idx))


def _parts(idx: Any) -> tuple[Any, ...]:
    return idx if type(idx) is tuple else (idx,)


def _is_concrete_part(item: Any) -> bool:
    return item is None or item is Ellipsis or isinstance(item, (slice, int, np.integer, np.bool_, np.ndarray, list))


def _axes_taken(item: Any) -> int:
    """How many axes of the indexed array an index item selects along."""
    if item is None:
        return 0
    return item.ndim if isinstance(item, np.ndarray) and item.dtype == bool else 1


def gather(x: Any, idx: Any) -> Any:
    """``x[idx]`` for a Dask array `x` and an index with integer arrays, lazily, with
    NumPy's semantics (several arrays broadcast together, boolean masks of any rank)."""
    if not is_concrete(idx):  # (a lazy index: Dask's own indexing, as far as it goes)
        return x[idx]
    layout = IndexLayout.of(idx, x.shape)
    if len(layout.advanced) == 1 and layout.items[layout.advanced[0]].ndim == 1:
        return x.reshape(layout.grid)[layout.items]  # (one 1-D array: Dask's own take)
    x = x.reshape(layout.grid)[layout.advanced_whole()]
    leading = np.transpose(x, layout.advanced + layout.basic)  # (vindex indexes the first axes)
    return layout.result_of(leading.vindex[tuple(a.ravel() for a in layout.arrays)])


def scatter_add(g: Any, idx: Any, shape: tuple[int, ...]) -> Any:
    """``np.add.at(zeros(shape), idx, g)`` for a Dask array `g`, lazily: the cotangent of
    `gather`. Which rows land in which block of the result is settled here, with NumPy;
    each block is then one np.add.at of those rows (`_scatter_rows`)."""
    if not is_concrete(idx):
        lazy = next(i for i in _parts(idx) if not _is_concrete_part(i))
        raise TypeError(f"the derivative of indexing a Dask array with a {type(lazy).__module__}."
                        f"{type(lazy).__name__}: the integer or boolean arrays of an index must be "
                        "NumPy arrays or lists")
    layout = IndexLayout.of(idx, shape)
    advanced_shape = tuple(layout.grid[k] for k in layout.advanced)
    scattered = _scatter_rows(layout.rows_of(g), layout.targets, advanced_shape)
    out = np.transpose(scattered, tuple(np.argsort(layout.advanced + layout.basic)))
    if out.shape != layout.grid:  # (the basic axes were sliced: the slices go back in place)
        whole = np.zeros_like(out, shape=layout.grid)
        whole[layout.advanced_whole()] = out
        out = whole
    return out.reshape(shape)


def _scatter_rows(rows: Any, targets: np.ndarray, shape: tuple[int, ...]) -> Any:
    """A Dask array of `shape` followed by ``rows.shape[1:]``, whose leading axes, seen
    flattened, hold at each target the sum of the rows sent there.

    The rows are put in order of target (a stable sort: the rows sent to one place keep
    their order, so the sums are NumPy's to the bit) and rechunked so that each output
    block's rows are one block of theirs: each output block is one task, which depends on
    those rows only. Along the first axis the output is chunked as Dask chunks a new
    array (``array.chunk-size``); the other advanced axes are whole."""
    import dask.array as da

    first_chunks = da.core.normalize_chunks(
        ("auto", *(-1 for _ in shape[1:]), *(max(c, default=0) for c in rows.chunks[1:])),
        shape + rows.shape[1:], dtype=rows.dtype)[0]
    bounds = np.concatenate([[0], np.cumsum(first_chunks)]) * math.prod(shape[1:])
    order = np.argsort(targets, kind="stable")
    if np.any(order != np.arange(len(order))):  # (the targets of a mask, and of many indices, are in order)
        targets, rows = targets[order], rows[order]
    counts = tuple(np.diff(np.searchsorted(targets, bounds)).tolist())
    rows = rows.rechunk((counts, *rows.chunks[1:]))
    lone = (1,) * (rows.ndim - 1)  # (the targets are the same for every block of the other axes)
    local = targets - np.repeat(bounds[:-1], counts)  # (a target's place in its output block)
    local = da.from_array(local.reshape((-1, *lone)), chunks=(counts, *lone))
    ndim = len(shape) + rows.ndim - 1
    return da.map_blocks(_add_at_block, rows, local, new_axis=list(range(1, len(shape))),
                         chunks=(first_chunks, *((n,) for n in shape[1:]), *rows.chunks[1:]),
                         dtype=rows.dtype, meta=np.zeros_like(rows._meta, shape=(0,) * ndim))


def _add_at_block(rows: np.ndarray, local: np.ndarray, block_info: dict | None = None) -> np.ndarray:
    """One block of `_scatter_rows`: zeros, and `rows` added at the places `local`.

    Example:
        >>> _add_at_block(np.array([1.0, 2.0, 4.0]), np.array([1, 1, 0]), {None: {"chunk-shape": (2,)}})
        array([4., 3.])
    """
    out = np.zeros_like(rows, shape=block_info[None]["chunk-shape"], order="C")  # (reshaped as a view below)
    np.add.at(out.reshape((-1, *rows.shape[1:])), local.reshape(-1), rows)
    return out
