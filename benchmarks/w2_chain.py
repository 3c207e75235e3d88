"""W2 chain scaling: the gradient through N sequential steps ``x = sin(x) * 1.0001 + 0.001``.

Each step is three operations, so the graph has 3N records; the time per step should not
grow with N, and nothing may recurse.  The derivative is a product of N factors near
0.98, so it underflows to (almost) zero for large N: the agreement check compares the
output value tightly and the derivative with an absolute floor of 1e-300.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

import numpy as np

from . import _peers
from .harness import Row, Settings, close, interleaved_medians, plan_for, run_case

ID = "W2"
TITLE = "chain scaling: gradient through N steps x = sin(x) * 1.0001 + 0.001"
X0 = 0.5


def sizes(settings: Settings) -> list[int]:
    if settings.tiny:
        return [10, 100]
    return [10 ** 3, 10 ** 4] if settings.quick else [10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6]


def reference(n: int) -> tuple[float, float]:
    """Value and derivative by forward accumulation in plain Python floats."""
    x, dx = X0, 1.0
    for _ in range(n):
        x, dx = math.sin(x) * 1.0001 + 0.001, math.cos(x) * 1.0001 * dx
    return x, dx


def chain(x: Any, n: int, sin: Any = np.sin) -> Any:
    for _ in range(n):
        x = sin(x) * 1.0001 + 0.001
    return x


def builders(n: int) -> dict[str, Any]:
    def fgrad_():
        import fgrad

        vg = fgrad.value_and_grad(chain)
        return lambda: vg(X0, n)

    def autograd_():
        ag = _peers.autograd()
        import autograd.numpy as anp

        vg = ag.value_and_grad(lambda x: chain(x, n, anp.sin))
        return lambda: vg(X0)

    def dezero_():
        dezero = _peers.dezero()
        import dezero.functions as F

        def run():
            x = dezero.Variable(np.array(X0))
            y = chain(x, n, F.sin)
            y.backward()
            return float(y.data), float(x.grad.data)

        return run

    def torch_():
        torch = _peers.torch()

        def run():
            x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
            y = chain(x, n, torch.sin)
            (g,) = torch.autograd.grad(y, x)
            return y.item(), g.item()

        return run

    def jax_eager():
        jax = _peers.jax()
        vg = jax.value_and_grad(lambda x: chain(x, n, jax.numpy.sin))
        return lambda: tuple(float(v) for v in vg(X0))

    return {"fgrad": fgrad_, "autograd": autograd_, "dezero": dezero_, "torch": torch_, "jax (eager)": jax_eager}


def flatness(settings: Settings) -> list[Row]:
    """fgrad's time per step at the largest N over the smallest, the two timed in turn.

    The cases of `run` are measured minutes apart, and a shared machine's speed drifts by
    up to 2× over minutes, which the ratio of their medians would report as growth.
    Timing the two sizes batch by batch, in the same spells, measures the scaling alone.
    """
    if not (settings.timing and settings.wants("fgrad")):
        return []
    small, big = sizes(settings)[0], sizes(settings)[-1]
    calls, plans = {}, {}
    for n in (small, big):
        fn = builders(n)["fgrad"]()
        start = time.perf_counter()
        fn()  # (agreement was checked by `run`; this call is the warm-up)
        calls[str(n)], plans[str(n)] = fn, plan_for(time.perf_counter() - start, settings)
    medians = interleaved_medians(calls, plans)
    per_step = {n: medians[str(n)] / n for n in (small, big)}
    case = f"N={big:.0e} vs N={small:.0e}, timed in turn".replace("e+0", "e")
    figure = f"{per_step[big] * 1e6:.2f} vs {per_step[small] * 1e6:.2f} µs = {per_step[big] / per_step[small]:.2f}×"
    # Where the growth goes: CPU time in Python (user mode) against the kernel's, which is
    # mostly page faults on the fresh memory a large graph needs (Python's allocator hands
    # emptied arenas back to the system, so each call faults its graph's pages in again).
    split = {n: _user_and_kernel_per_step(calls[str(n)], n, steps=big) for n in (small, big)}
    (user_small, _), (user_big, kernel_big) = split[small], split[big]
    return [Row(ID, case, "fgrad", "ok", None, {
        "per step": figure,
        "user mode": f"{user_big * 1e6:.2f} vs {user_small * 1e6:.2f} µs = {user_big / user_small:.2f}×",
        "kernel": f"{kernel_big * 1e6:.2f} vs {split[small][1] * 1e6:.2f} µs",
    })]


def _user_and_kernel_per_step(fn: Any, n: int, steps: int, min_seconds: float = 0.5) -> tuple[float, float]:
    """CPU seconds per step in user and in kernel mode, over calls of `fn` (`n` steps each).

    Calls continue until they total at least `steps` steps and `min_seconds` (the
    clock behind `os.times` ticks in hundredths of a second).
    """
    done = 0
    before = os.times()
    start = time.perf_counter()
    while done < steps or time.perf_counter() - start < min_seconds:
        fn()
        done += n
    after = os.times()
    return (after.user - before.user) / done, (after.system - before.system) / done


def run(settings: Settings) -> list[Row]:
    rows = []
    for n in sizes(settings):
        want = reference(n)

        def check(result: Any, want: tuple[float, float] = want) -> None:
            value, slope = (float(v) for v in result)
            close(value, want[0], rtol=1e-9)
            close(slope, want[1], rtol=1e-9, atol=1e-300)

        # JAX eager re-dispatches every operation through its tracing machinery
        # (~ms per step); beyond 10**4 steps one call takes minutes.
        skip = {"jax (eager)": "too slow beyond N = 10^4 (minutes per call)"} if n > 10 ** 4 else None
        case_rows = run_case(ID, f"N={n:.0e}".replace("e+0", "e"), builders(n), check=check,
                             settings=settings, skip=skip)
        rows += [
            Row(r.workload, r.case, r.framework, r.status, r.seconds,
                {"per step": f"{r.seconds / n * 1e6:.2f} µs"} if r.seconds is not None else {})
            for r in case_rows
        ]
    return rows + flatness(settings)
