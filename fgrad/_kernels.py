"""Fused elementwise kernels for the derivative primitives, run block by block.

``g * (1 - t*t)`` written as NumPy calls makes two full-size temporaries and reads or
writes main memory five times; on arrays larger than the cache that traffic, not the
arithmetic, is the cost.  Here such an expression is evaluated over blocks small enough
to stay in the core's cache: each block's temporaries live in one small scratch
buffer, so the whole kernel reads each input once and writes its result once.

Only plain C-contiguous arrays of one floating dtype and one shape take this path;
anything else (broadcasting, views with strides, mixed dtypes, traced values) is left
to the caller's NumPy expression, which gives the same numbers.

A kernel also writes its result into its cotangent argument when the backward walk has
*lent* it that array (`lend`): a cotangent only the walk can see, passed to a rule
marked `fgrad._rules.overwrites_cotangent`.  That saves allocating (and page-faulting)
one large array per rule, as NumPy's temporary elision does for ``a * b * c``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Elements per block: a kernel's three or four operands of 2**17 float64 (1 MiB each)
# stay in a shared L3 cache.  Smaller blocks pay more in per-call overhead than they
# gain (tanh's kernel at 10**7 elements on a 2-core EPYC: 8.5 ms with 2**14, 7.2 ms).
BLOCK = 1 << 17
# Below this many elements a kernel's few extra calls cost more than one pass saves.
MIN_SIZE = 1 << 16

_FLOATS = frozenset({np.dtype(np.float64), np.dtype(np.float32)})

# The cotangent the walk lends the rule it is running (None between rules).  Compared by
# identity, so a kernel only ever overwrites that very array.
_lent: Any = None


def lend(buffer: Any) -> None:
    """Let the next kernel given `buffer` as its cotangent write its result into it.

    Only the backward walk calls this, for a cotangent nothing else references, around
    one rule call (``lend(None)`` afterwards).
    """
    global _lent
    _lent = buffer


def _output_for(g: np.ndarray, like: np.ndarray) -> np.ndarray:
    """`g` itself if the walk lent it (once), else a new array shaped like `like`."""
    global _lent
    if g is _lent:
        _lent = None
        return g
    return np.empty_like(like)


def fusable(*arrays: Any) -> bool:
    """Whether `arrays` are large, C-contiguous float arrays of one shape and dtype.

    Example:
        >>> a = np.ones(1 << 16)
        >>> fusable(a, a), fusable(a, a[::-1]), fusable(a, np.ones(3))
        (True, False, False)
    """
    first = arrays[0]
    if type(first) is not np.ndarray or first.size < MIN_SIZE or first.dtype not in _FLOATS:
        return False
    for a in arrays:
        if (
            type(a) is not np.ndarray
            or a.shape != first.shape
            or a.dtype != first.dtype
            or not a.flags.c_contiguous
        ):
            return False
    return True


def tanh_derivative_times(g: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``g * (1 - t*t)`` for `fusable` arrays, in one pass over each.

    Example:
        >>> t = np.full(1 << 16, 0.5)
        >>> float(tanh_derivative_times(np.full(1 << 16, 2.0), t)[0])
        1.5
    """
    out = _output_for(g, t)
    g1, t1, out1 = g.reshape(-1), t.reshape(-1), out.reshape(-1)
    n = t1.size
    scratch = np.empty(min(BLOCK, n), t.dtype)  # (no larger than the array: fresh pages cost)
    multiply, subtract = np.multiply, np.subtract
    for start in range(0, n, BLOCK):
        stop = start + BLOCK
        tb = t1[start:stop]
        s = scratch if tb.size == scratch.size else scratch[: tb.size]
        multiply(tb, tb, out=s)
        subtract(1.0, s, out=s)
        multiply(g1[start:stop], s, out=out1[start:stop])
    return out


def twice_product(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``g * 2x`` (the derivative of ``x**2`` times `g`) for `fusable` arrays, in one pass.

    Example:
        >>> float(twice_product(np.full(1 << 16, 3.0), np.full(1 << 16, 0.5))[-1])
        3.0
    """
    out = _output_for(g, x)
    g1, x1, out1 = g.reshape(-1), x.reshape(-1), out.reshape(-1)
    multiply, add = np.multiply, np.add
    n = x1.size
    for start in range(0, n, BLOCK):
        ob = out1[start:start + BLOCK]
        multiply(g1[start:start + BLOCK], x1[start:start + BLOCK], out=ob)
        add(ob, ob, out=ob)  # (2y as y + y: exact, like 2.0 * y)
    return out
