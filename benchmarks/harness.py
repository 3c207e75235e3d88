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
        large: the sizes that outgrow memory (W9's 10^9 elements on Dask), in place of the usual ones.
        timing: time the callables; False only checks the numbers (the smoke test).
        frameworks: only these frameworks (None: all).
        repeats: timed batches per measurement (the median is reported).
        min_batch: seconds a timed batch lasts at least (short calls are repeated in a batch).
        budget: seconds one measurement may take; long calls get fewer repeats (at least 1;
            the full run's 40 s gives a call of 10 s, fgrad's at W2's largest size, a
            median of three rather than a single reading).
    """

    quick: bool = False
    tiny: bool = False
    large: bool = False
    timing: bool = True
    frameworks: tuple[str, ...] | None = None
    repeats: int = 7
    min_batch: float = 0.05
    budget: float = 40.0

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


@attrs.frozen
class Plan:
    """How one framework's call is timed: `number` calls per batch, `repeats` batches."""

    number: int
    repeats: int


def plan_for(first_call: float, settings: Settings) -> Plan:
    """Batches long enough to time, few enough to stay within the budget.

    A batch repeats the call until it lasts `min_batch`, so microsecond calls are not
    measured at the timer's resolution; when one call is slow the repeats are cut so the
    measurement stays within `budget` (the first call tells how slow it is), but there is
    always at least one batch after it.  The first call is never the measurement,
    however slow: it pays once-per-process costs (the allocator taking memory from the
    OS, first touches of pages), which for a 10**6-step graph are a third of the time
    and would be charged to the largest size only.
    """
    number = max(1, int(settings.min_batch / max(first_call, 1e-7)))
    repeats = max(1, min(settings.repeats, int(settings.budget / max(first_call * number, 1e-9))))
    return Plan(number, repeats)


def interleaved_medians(calls: Mapping[str, Callable[[], Any]], plans: Mapping[str, Plan]) -> dict[str, float]:
    """Median seconds per call of each callable, timing them in turn, batch by batch.

    On a shared machine the speed drifts over seconds (other jobs, BLAS threads, CPU
    frequency); timing every framework's batches back to back would charge a slow spell
    to one framework only.  Round by round, each framework's k-th batch runs in the
    same spell as the others', so the ratios are compared under the same conditions.
    The collector runs before each batch so garbage of earlier batches is not charged.
    """
    times: dict[str, list[float]] = {name: [] for name in calls}
    for k in range(max((p.repeats for p in plans.values()), default=0)):
        for name, fn in calls.items():
            plan = plans[name]
            if k >= plan.repeats:
                continue
            gc.collect()
            start = time.perf_counter()
            for _ in range(plan.number):
                fn()
            times[name].append((time.perf_counter() - start) / plan.number)
    return {name: statistics.median(t) for name, t in times.items()}


# First calls shorter than this are repeated to size the plan (longer ones are timed one
# per batch anyway, and repeating a 10-second call would only cost time).
_RESIZE_BELOW = 1.0


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
    """Check each framework's callable on one case, then time them all, interleaved.

    Args:
        builders: framework name -> function building the zero-argument callable to time
            (it raises `PeerMissing` when the peer is not installed).
        check: raises `Mismatch` when a result is wrong.
        extra: optional ``extra(framework, callable, result) -> dict`` of further figures.
        skip: framework -> reason, for frameworks deliberately not run on this case.
    """
    rows: dict[str, Row] = {}
    calls: dict[str, Callable[[], Any]] = {}
    plans: dict[str, Plan] = {}
    for name, build in builders.items():
        if not settings.wants(name):
            continue
        if skip and name in skip:
            rows[name] = Row(workload, case, name, f"skipped: {skip[name]}")
            continue
        try:
            fn = build()
        except PeerMissing as e:
            rows[name] = Row(workload, case, name, f"skipped: {e}")
            continue
        try:
            start = time.perf_counter()
            result = fn()
            first = time.perf_counter() - start
            if first < _RESIZE_BELOW:
                # A first call may pay one-time costs (imports done lazily, caches filled);
                # sized on it, a fast call would be timed one at a time, cold after each
                # collection (fgrad's W1 read 400 µs instead of 130): size on a second one.
                start = time.perf_counter()
                fn()
                first = time.perf_counter() - start
        except Exception as e:  # a peer failing on this workload is reported, not fatal
            rows[name] = Row(workload, case, name, f"ERROR: {type(e).__name__}: {e}".splitlines()[0][:160])
            continue
        try:
            check(result)
        except Mismatch as e:
            rows[name] = Row(workload, case, name, f"MISMATCH: {e}")
            continue
        figures = dict(extra(name, fn, result)) if extra else {}
        del result
        rows[name] = Row(workload, case, name, "ok", None, figures)
        if settings.timing:
            calls[name], plans[name] = fn, plan_for(first, settings)
    for name, seconds in interleaved_medians(calls, plans).items():
        rows[name] = attrs.evolve(rows[name], seconds=seconds)
    return list(rows.values())
