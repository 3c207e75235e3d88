"""W3 large arrays: the gradient of ``sum(tanh(x)**2 * exp(-x))`` for 10^6 and 10^7 float64.

Compared with a hand-written NumPy forward + backward pass (the practical limit for any
NumPy-based engine) in time and in peak extra memory, i.e. the highest memory in use
during one call beyond what was allocated before it (the input), counting the gradient
it returns.  How memory is measured:

* NumPy-based frameworks (hand-written, fgrad, fgrad.jit, autograd, DeZero): `tracemalloc`, which
  sees every NumPy allocation (NumPy reports them to it), in this process.
* torch and JAX allocate outside Python's view, so they run in a subprocess each: a
  warm-up call on a small input (and JAX jit compiles for the real shape without
  running), then the kernel's resident-set high-water mark is reset
  (/proc/self/clear_refs) and read again after one call.  Allocator caches can make
  this lower or higher than what the call itself needs; it is indicative only.

``fgrad.jit(fgrad.value_and_grad(loss))`` (the ``fgrad.jit`` row) is timed and measured
after its first call (tracing, compiling and one run), which is reported apart
(``first call (compile)``).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tracemalloc
from typing import Any

import numpy as np

from . import _peers
from ._first_call import JIT, FirstCalls
from .harness import Row, Settings, close, run_case

ID = "W3"
TITLE = "large arrays: gradient of sum(tanh(x)**2 * exp(-x))"
NUMPY_BACKED = ("hand-written NumPy", "fgrad", JIT, "autograd", "dezero")


def sizes(settings: Settings) -> list[int]:
    if settings.tiny:
        return [1000]
    return [10 ** 6] if settings.quick else [10 ** 6, 10 ** 7]


def make_input(n: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(n)


def loss(x: Any, np_: Any = np) -> Any:
    return np_.sum(np_.tanh(x) ** 2 * np_.exp(-x))


def hand_value_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
    """Forward and backward written by hand: d/dx t²e = (2t(1 - t²) - t²) e."""
    t = np.tanh(x)
    e = np.exp(-x)
    t2 = t * t
    value = np.sum(t2 * e)
    return value, (2.0 * t * (1.0 - t2) - t2) * e


def builders(x: np.ndarray, first: FirstCalls | None = None) -> dict[str, Any]:
    first = first or FirstCalls()

    def numpy_():
        return lambda: hand_value_and_grad(x)

    def fgrad_():
        import fgrad

        vg = fgrad.value_and_grad(loss)
        return lambda: vg(x)

    def fgrad_jit():
        import fgrad

        vg = fgrad.jit(fgrad.value_and_grad(loss))
        return first.warm_up(JIT, lambda: vg(x))

    def autograd_():
        ag = _peers.autograd()
        import autograd.numpy as anp

        vg = ag.value_and_grad(lambda v: loss(v, anp))
        return lambda: vg(x)

    def dezero_():
        dezero = _peers.dezero()
        import dezero.functions as F

        def run():
            v = dezero.Variable(x)
            y = F.sum(F.tanh(v) ** 2 * F.exp(-v))
            y.backward()
            return y.data, v.grad.data

        return run

    def torch_():
        torch = _peers.torch()
        xt = torch.from_numpy(x)

        def run():
            v = xt.detach().requires_grad_(True)
            y = torch.sum(torch.tanh(v) ** 2 * torch.exp(-v))
            (g,) = torch.autograd.grad(y, v)
            return y.item(), g.numpy()

        return run

    def jax_eager():
        jax = _peers.jax()
        xj = jax.numpy.asarray(x)
        vg = jax.value_and_grad(lambda v: loss(v, jax.numpy))
        return lambda: jax.block_until_ready(vg(xj))

    def jax_jit():
        jax = _peers.jax()
        xj = jax.numpy.asarray(x)
        vg = jax.jit(jax.value_and_grad(lambda v: loss(v, jax.numpy)))
        vg.lower(xj).compile()
        return lambda: jax.block_until_ready(vg(xj))

    return {"hand-written NumPy": numpy_, "fgrad": fgrad_, JIT: fgrad_jit, "autograd": autograd_, "dezero": dezero_,
            "torch": torch_, "jax (eager)": jax_eager, "jax (jit)": jax_jit}


def traced_peak(fn: Any) -> int:
    """Peak bytes NumPy/Python allocate during one call of `fn`, beyond what was live before."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
        del result
    finally:
        tracemalloc.stop()
    return peak - base


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"{field} not in /proc/self/status")


def rss_peak_in_subprocess(framework: str, n: int) -> int | None:
    """Peak resident-memory growth during one call, measured in a fresh process (or None)."""
    try:
        out = subprocess.run([sys.executable, "-m", "benchmarks.w3_arrays", "--rss", framework, str(n)],
                             capture_output=True, text=True, timeout=600)
        return int(json.loads(out.stdout.strip().splitlines()[-1])["peak_bytes"])
    except (subprocess.SubprocessError, OSError, ValueError, IndexError, KeyError):
        return None


def _rss_child(framework: str, n: int) -> None:
    builders(make_input(1000))[framework]()()  # warm up the framework on a small input
    x = make_input(n)
    fn = builders(x)[framework]()
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the resident-set high-water mark to the current size
    base = _rss_kib("VmRSS")
    result = fn()
    peak = _rss_kib("VmHWM")
    del result
    print(json.dumps({"peak_bytes": (peak - base) * 1024}))


def run(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    for n in sizes(settings):
        x = make_input(n)
        want = hand_value_and_grad(x)
        first = FirstCalls()

        def extra(framework: str, fn: Any, result: Any, n: int = n, nbytes: int = x.nbytes,
                  first: FirstCalls = first) -> dict[str, Any]:
            if framework in NUMPY_BACKED:
                return {"peak extra / input": round(traced_peak(fn) / nbytes, 2), "memory method": "tracemalloc",
                        **first.extra(framework)}
            if not settings.timing:
                return {}
            peak = rss_peak_in_subprocess(framework, n)
            return {"peak extra / input": "n/a" if peak is None else round(peak / nbytes, 2),
                    "memory method": "RSS high-water mark (subprocess)"}

        case_rows = run_case(ID, f"n={n:.0e}".replace("e+0", "e"), builders(x, first),
                             check=lambda r, want=want: close((float(r[0]), np.asarray(r[1])), want, rtol=1e-9),
                             settings=settings, extra=extra)
        rows += _versus_numpy(case_rows)
    return rows


def _versus_numpy(rows: list[Row]) -> list[Row]:
    """Add each row's time and memory relative to the hand-written NumPy baseline."""
    base = next((r for r in rows if r.framework == "hand-written NumPy" and r.status == "ok"), None)
    out = []
    for r in rows:
        extra = dict(r.extra)
        if base is not None and r.status == "ok":
            if r.seconds is not None and base.seconds:
                extra["time × NumPy"] = round(r.seconds / base.seconds, 2)
            mem, base_mem = extra.get("peak extra / input"), base.extra.get("peak extra / input")
            if r.framework in NUMPY_BACKED and isinstance(mem, float) and isinstance(base_mem, float) and base_mem:
                extra["memory × NumPy"] = round(mem / base_mem, 2)
        out.append(Row(r.workload, r.case, r.framework, r.status, r.seconds, extra))
    return out


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--rss":
        _rss_child(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: python -m benchmarks.w3_arrays --rss FRAMEWORK N  (internal; run `python -m benchmarks`)")
