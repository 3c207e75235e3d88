"""W9 W3's gradient on Dask: ``sum(tanh(x)**2 * exp(-x))`` and its gradient over a Dask array
computed by a ``dask.distributed`` cluster of two worker processes on this machine.

The input is generated lazily, chunk by chunk (``da.random``), so it never exists whole:
at ``--large``'s 10^9 float64 elements it is 8 GB, a third of this machine's memory. Both
rows build the value and the gradient lazily and compute the value and the gradient's sum
(a gradient that size is consumed chunk by chunk, as an update step would); fgrad's row
takes its gradient with ``fgrad.value_and_grad``, the other is W3's hand-written forward
and backward pass, in Dask. Timed: building the graph and computing it. Memory: the peak
resident memory of the whole process tree (this process, the scheduler, the workers and
their nannies), sampled every 20 ms during one call.

Run with ``python -m benchmarks --only W9 [--large]``; skipped when dask.distributed is
not installed (``pip install -e .[dask]``).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from . import _peers
from .harness import Row, Settings, close, run_case
from .w3_arrays import hand_value_and_grad, loss

ID = "W9"
TITLE = "W3's gradient on Dask (2 worker processes)"
CHUNK = 10 ** 7  # elements (80 MB) per chunk


def sizes(settings: Settings) -> list[int]:
    if settings.tiny:
        return [10 ** 5]
    if getattr(settings, "large", False):
        return [10 ** 9]
    return [10 ** 6] if settings.quick else [10 ** 8]


class PeakMemory:
    """The highest summed resident memory of this process and its descendants while active."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._root, self._interval, self.peak = psutil.Process(), interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for p in [self._root, *self._root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self._interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def _dask() -> Any:
    try:
        import dask.array as da
        import dask.distributed  # noqa: F401
    except ImportError as e:
        raise _peers.PeerMissing(f"dask.distributed not installed ({e})") from e
    return da


def run(settings: Settings) -> list[Row]:
    try:
        da = _dask()
    except _peers.PeerMissing as e:
        return [Row(ID, "—", name, f"skipped: {e}") for name in ("fgrad", "hand-written Dask")]
    import dask
    from dask.distributed import Client, LocalCluster

    rows: list[Row] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="1.5GiB",
                      dashboard_address=None) as cluster, Client(cluster):
        for n in sizes(settings):
            def data(n: int = n) -> Any:
                return da.random.default_rng(0).standard_normal(n, chunks=min(CHUNK, n))

            def consumed(value: Any, grad: Any) -> tuple[float, float]:
                return tuple(float(v) for v in dask.compute(value, grad.sum()))

            def fgrad_() -> Any:
                import fgrad

                vg = fgrad.value_and_grad(loss)
                return lambda: consumed(*vg(data()))

            def hand() -> Any:
                return lambda: consumed(*hand_value_and_grad(data()))

            reference = consumed(*hand_value_and_grad(data()))

            def check(result: Any) -> None:
                close(result[0], reference[0], rtol=1e-12)
                close(result[1], reference[1], rtol=1e-9)  # (chunked sums in another order)

            def memory(framework: str, fn: Any, result: Any) -> dict[str, Any]:
                with PeakMemory() as peak:
                    fn()
                return {"peak memory (process tree)": f"{peak.peak / 2 ** 30:.2f} GiB"}

            rows += run_case(ID, f"{n:.0e} float64".replace("+0", ""), {"fgrad": fgrad_, "hand-written Dask": hand},
                             check=check, settings=settings, extra=memory)
    return rows
