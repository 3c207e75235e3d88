"""The arrays a graph holds as constants, for functions that outlive their trace.

A graph keeps the caller's arrays by reference: `fun`'s closure constants (``x * w``)
and index arrays are not copied while tracing, which would cost every transform a copy
per constant.  `grad` walks its graph before returning, so nothing can change them in
between; `vjp_fn` and `linearize`'s `jvp_fn` walk it later, when the caller may have
written into such an array, and would compute with a mix of old and new values.  For
those, the writable arrays the graph holds are copied once when tracing ends and
compared before each later walk: a change is an error, never a silently wrong result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Node
from .tree import tree_leaves

__all__ = ["snapshot_constants", "check_constants"]


def _is_writable_array(x: Any) -> bool:
    """A writable array, or a read-only view of one (which changes with it)."""
    if not isinstance(x, np.ndarray):
        return False
    base = x.base
    return x.flags.writeable or (isinstance(base, np.ndarray) and base.flags.writeable)


def snapshot_constants(out: Any, level: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(array, copy)`` for each writable array the graph of `level` behind `out` holds.

    Example:
        >>> import numpy as np, fgrad
        >>> from fgrad._core import Node, new_level
        >>> w, level = np.array([1.0, 2.0]), new_level()
        >>> [a is w for a, _ in snapshot_constants(Node(np.ones(2), level=level) * w, level)]
        [True]
    """
    seen: set[int] = set()
    arrays: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    stack = [o for o in tree_leaves(out) if type(o) is Node and o.level == level]
    while stack:  # (iterative: graphs of 10**6 records)
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for x in (*node.inputs, *node.params.values()):
            if type(x) is Node:
                if x.level == level:
                    stack.append(x)
            elif _is_writable_array(x) and id(x) not in arrays:
                arrays[id(x)] = (x, x.copy())
    return list(arrays.values())


def check_constants(snapshots: list[tuple[np.ndarray, np.ndarray]], caller: str) -> None:
    """Raise ValueError if an array in `snapshots` changed since it was copied."""
    for array, copy in snapshots:
        if array.shape != copy.shape or not np.array_equal(array, copy, equal_nan=array.dtype.kind in "fc"):
            raise ValueError(
                f"{caller}: an array the traced function used as a constant ({array.dtype} of shape "
                f"{array.shape}) was modified after tracing, so the derivative would mix its old and "
                "new values. Pass a copy to the function (`w.copy()`), or trace again after the change."
            )
