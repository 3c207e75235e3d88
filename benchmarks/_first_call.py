"""The first call of a jitted row (tracing and compiling included), reported apart from its median.

A jitted function is timed after its first call; that call, which traces the function
and compiles it, is what a user waits for once, so it is shown in its own column.

Example:
    >>> first = FirstCalls()
    >>> fn = first.warm_up("fgrad.jit", lambda: 2.0)
    >>> fn(), sorted(first.extra("fgrad.jit")), first.extra("fgrad")
    (2.0, ['first call (compile)'], {})
"""

from __future__ import annotations

import gc
import time
from typing import Any, Callable

from .report import format_seconds

JIT = "fgrad.jit"  # the name of fgrad's jitted rows (not "fgrad": ratios are to the eager row)
COLUMN = "first call (compile)"


class FirstCalls:
    """How long each framework's first call took, for the ``first call (compile)`` column."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def warm_up(self, framework: str, fn: Callable[[], Any]) -> Callable[[], Any]:
        """Call `fn` once (tracing and compiling), record how long that took, and return `fn`.

        The collector runs first, as before every timed batch: otherwise the first call
        that crosses the collector's threshold pays for a full collection of the heap the
        peers' imports left (about 290,000 objects, 130 ms, once torch and JAX are loaded),
        which is the process's cost, not the compiler's.
        """
        gc.collect()
        begin = time.perf_counter()
        fn()
        self.seconds[framework] = time.perf_counter() - begin
        return fn

    def extra(self, framework: str) -> dict[str, str]:
        return {COLUMN: format_seconds(self.seconds[framework])} if framework in self.seconds else {}
