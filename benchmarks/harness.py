"""What every workload shares: settings, timing, agreement checks, result rows.

A workload builds, for each case, one zero-argument callable per framework (all set-up,
such as converting the inputs to the framework's tensors, happens outside the callable),
then hands them to `run_case`, which calls each once, checks its numbers against the
expected ones, and only then times it.

Example:
    >>> rows = run_case("W0", "demo", {"fgrad": lambda: (lambda: 2.0)},
    ...                 check=lambda result: close(result, 2.0), settings=Settings(timing=False))
    >>> rows[0].status, rows[0].seconds
    ('ok', None)
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any, Callable, Mapping

import attrs
import numpy as np

from ._peers import PeerMissing

Builder = Callable[[], Callable[[], Any]]


@attrs.frozen
class Settings:
    """How hard to measure.

    Attributes:
        quick: smaller sizes and fewer repeats (a run of a couple of minutes).
        tiny: toy sizes, for the smoke test that keeps the harness from rotting.
        timing: time the callables; False only checks the numbers (the smoke test).
        frameworks: only these frameworks (None: all).
        repeats: timed batches per measurement (the median is reported).
        min_batch: seconds a timed batch lasts at least (short calls are repeated in a batch).
        budget: seconds one measurement may take; long calls get fewer repeats (at least 1).
    """

    quick: bool = False
    tiny: bool = False
    timing: bool = True
    frameworks: tuple[str, ...] | None = None
    repeats: int = 7
    min_batch: float = 0.05
    budget: float = 10.0

    def wants(self, framework: str) -> bool:
        return self.frameworks is None or framework in self.frameworks


@attrs.frozen
class Row:
    """One framework on one case of one workload.

    ``status`` is ``ok``, ``skipped: ...`` (peer not installed, or not run at this size),
    ``MISMATCH: ...`` (its numbers disagree, so it was not timed) or ``ERROR: ...`` (it
    raised). ``seconds`` is the
    median time of one call; ``extra`` holds workload-specific figures (memory, graph
    size, iterations, time per op...).
    """

    workload: str
    case: str
    framework: str
    status: str
    seconds: float | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)


class Mismatch(AssertionError):
    """A framework computed different numbers from the expected ones."""


def close(got: Any, want: Any, rtol: float = 1e-9, atol: float = 0.0) -> None:
    """Raise `Mismatch` unless `got` and `want` (nested tuples/lists/dicts of arrays) agree."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or sorted(got) != sorted(want):
            raise Mismatch(f"expected keys {sorted(want)}, got {got!r:.80}")
        for k in want:
            close(got[k], want[k], rtol, atol)
        return
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            raise Mismatch(f"expected {len(want)} results, got {got!r:.80}")
        for g, w in zip(got, want):
            close(g, w, rtol, atol)
        return
    g, w = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if g.shape != w.shape:
        raise Mismatch(f"expected shape {w.shape}, got {g.shape}")
    if not np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=False):
        worst = float(np.max(np.abs(g - w) / (atol + rtol * np.abs(w) + 1e-300)))
        raise Mismatch(f"values differ (worst error {worst:.3g}x the tolerance): got {g.ravel()[:3]}, want {w.ravel()[:3]}")


def median_seconds(fn: Callable[[], Any], settings: Settings, first_call: float) -> float:
    """Median seconds per call of `fn`, over `settings.repeats` batches.

    A batch repeats `fn` until it lasts `min_batch`, so microsecond calls are not
    measured at the timer's resolution; when one call is slow the repeats are cut so the
    measurement stays within `budget` (the first call tells how slow it is).  The first
    call is never the measurement, however slow: it pays once-per-process costs (the
    allocator taking memory from the OS, first touches of pages), which for a 10**6-step
    graph are a third of the time and would be charged to the largest size only.
    The collector runs before each batch so garbage of earlier batches is not charged.
    """
    if first_call >= settings.budget:
        gc.collect()
        start = time.perf_counter()
        fn()  # one warm call fills the budget: it is the measurement
        return time.perf_counter() - start
    number = max(1, int(settings.min_batch / max(first_call, 1e-7)))
    repeats = max(1, min(settings.repeats, int(settings.budget / max(first_call * number, 1e-9))))
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def run_case(
    workload: str,
    case: str,
    builders: Mapping[str, Builder],
    *,
    check: Callable[[Any], None],
    settings: Settings,
    extra: Callable[[str, Callable[[], Any], Any], Mapping[str, Any]] | None = None,
    skip: Mapping[str, str] | None = None,
) -> list[Row]:
    """Check, then time, each framework's callable on one case.

    Args:
        builders: framework name -> function building the zero-argument callable to time
            (it raises `PeerMissing` when the peer is not installed).
        check: raises `Mismatch` when a result is wrong.
        extra: optional ``extra(framework, callable, result) -> dict`` of further figures.
        skip: framework -> reason, for frameworks deliberately not run on this case.
    """
    rows = []
    for name, build in builders.items():
        if not settings.wants(name):
            continue
        if skip and name in skip:
            rows.append(Row(workload, case, name, f"skipped: {skip[name]}"))
            continue
        try:
            fn = build()
        except PeerMissing as e:
            rows.append(Row(workload, case, name, f"skipped: {e}"))
            continue
        start = time.perf_counter()
        try:
            result = fn()
        except Exception as e:  # a peer failing on this workload is reported, not fatal
            rows.append(Row(workload, case, name, f"ERROR: {type(e).__name__}: {e}".splitlines()[0][:160]))
            continue
        first = time.perf_counter() - start
        try:
            check(result)
        except Mismatch as e:
            rows.append(Row(workload, case, name, f"MISMATCH: {e}"))
            continue
        figures = dict(extra(name, fn, result)) if extra else {}
        del result
        seconds = median_seconds(fn, settings, first) if settings.timing else None
        rows.append(Row(workload, case, name, "ok", seconds, figures))
    return rows
