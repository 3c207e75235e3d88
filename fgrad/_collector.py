"""Keep the cyclic collector's full collections away from a live graph.

A graph of 10**6 records is acyclic and alive until its backward walk: every collection
of the older generations would traverse all of it again, so the time per operation grew
with the graph.  While any transform runs, `call_paused` raises the thresholds of the
two older generations out of reach and leaves the youngest alone:

- young collections go on as CPython schedules them (every `threshold0` allocations of
  container objects), so cyclic garbage a traced function makes and drops is collected
  as in a plain call, and each record is scanned once, while young;
- generation-1 and full collections wait until the outermost transform returns; only
  cyclic garbage that outlives a young collection waits with them (as it would when
  CPython's own rule postpones full collections until the old generation grew by 25%);
- ``gc.enable()``/``gc.disable()`` are never called: whatever the caller chose, before
  or inside the traced function, stays.  Thresholds the caller sets inside a traced
  function are kept; those set before are restored when the last transform returns.

Interrupts (``KeyboardInterrupt`` from a signal handler) can arrive between any two
bytecodes.  The thresholds are therefore a function of the set of running pauses
(`_settle` is idempotent and re-reads both), every change is made inside a ``try``
whose ``finally`` releases the pause, and an outer handler releases it again should an
interrupt land in that ``finally``.  Only a second interrupt landing in that handler
too, microseconds later, could leave the thresholds raised, and the next transform
call then restores them.
"""

from __future__ import annotations

import gc
from typing import Any, Callable, TypeVar

__all__ = ["call_paused"]

_T = TypeVar("_T")

# The older generations' thresholds while paused: far beyond any count a run reaches,
# and recognisable, so that `_settle` can tell its own setting from the caller's.
_PAUSED = 2 ** 31 - 1

# One entry per running `call_paused` (any thread, any nesting depth); dict operations
# are atomic under the GIL, and a key is the call's own token, so removing it twice or
# removing one never added is harmless.
_holders: dict[object, None] = {}

# The caller's thresholds, saved when the pause was applied; restored when it ends.
_saved: tuple[int, ...] | None = None


def call_paused(fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
    """``fn(*args, **kwargs)`` with the older generations' collections held back.

    Nested and concurrent calls share one pause; the thresholds go back to the caller's
    when the last of them returns, however it returns.
    """
    if _holders and gc.get_threshold()[1] == _PAUSED:
        # Paused already (the trace and the walk inside a transform, or nested
        # transforms): a plain call, with nothing to undo.  (Should the pause belong to
        # another thread and end first, only speed is lost.)
        return fn(*args, **kwargs)
    token = object()
    try:
        try:
            _holders[token] = None
            if len(_holders) == 1:  # else the first of the running pauses has settled
                _settle()
            return fn(*args, **kwargs)
        finally:
            _release(token)
    except BaseException:
        # Whatever was raised, the release above has run, or was stopped by an interrupt
        # landing in it: releasing again completes it.  The token goes first, by a C
        # call that no bytecode able to take an interrupt precedes, so that even a
        # second interrupt here leaves no pause registered (the next call repairs the
        # thresholds then).
        _holders.pop(token, None)
        _release(token)
        raise


def _release(token: object) -> None:
    """End one pause (idempotent); the last one restores the caller's thresholds."""
    _holders.pop(token, None)
    if not _holders:
        _settle()


def _settle() -> None:
    """Make the thresholds match `_holders` (idempotent; any step may be interrupted).

    Paused while any pause runs; the caller's values otherwise.  The caller's values are
    saved *before* they are changed, so an interrupt between the two leaves a state the
    next settle restores correctly; a restore happens only while our own setting is in
    place, so thresholds the caller set inside a traced function are kept.
    """
    global _saved
    current = gc.get_threshold()
    if _holders:
        if current[1] != _PAUSED:
            _saved = current
            gc.set_threshold(current[0], _PAUSED, _PAUSED)
    elif current[1] == _PAUSED and _saved is not None:
        gc.set_threshold(*_saved)
