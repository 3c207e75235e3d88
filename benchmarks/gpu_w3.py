"""W3 on a GPU with CuPy: fgrad's transforms on CuPy arrays, checked against NumPy, then
W3's value and gradient at 10^8 float64 timed next to hand-written CuPy and torch (CUDA).

For a machine with an NVIDIA GPU, CuPy and (optionally) torch: ``python -m benchmarks.gpu_w3``.
It prints a Markdown report (the machine, each check, the timings) for docs/performance.md.
CI has no GPU: tests/test_device_array.py runs `checks` on a CPU stand-in for CuPy's
ndarray (tests/device_array.py: no conversion to NumPy, no NumPy operands), and
tests/test_dask.py the same engine path (NumPy's protocols) on Dask. What the stand-in
cannot show is CuPy's own numbers and semantics on the device, which these checks do.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any, Callable

import numpy as np

N = 10 ** 8
REPEATS = 15


def loss(x: Any) -> Any:
    return np.sum(np.tanh(x) ** 2 * np.exp(-x))


def hand_value_and_grad(x: Any) -> tuple[Any, Any]:
    import cupy as cp

    t = cp.tanh(x)
    e = cp.exp(-x)
    t2 = t * t
    return cp.sum(t2 * e), (2.0 * t * (1.0 - t2) - t2) * e


def checks() -> list[tuple[str, bool]]:
    """Each transform on a small CuPy array: results stay CuPy arrays and equal NumPy's."""
    import cupy as cp

    import fgrad

    xn = np.linspace(-2.0, 2.0, 12)
    w = np.linspace(-1.0, 1.0, 36).reshape(12, 3)
    layer = lambda x, w: np.tanh(x @ w) * 2.0  # noqa: E731
    cases: dict[str, Callable[[Any, Any], Any]] = {
        "grad": lambda x, w: fgrad.grad(loss)(x),
        "value_and_grad": lambda x, w: fgrad.value_and_grad(loss)(x),
        "vjp": lambda x, w: fgrad.vjp(lambda x: layer(x, w), x)[1](w[0] * 0 + 1.0),
        "jvp": lambda x, w: fgrad.jvp(lambda x: layer(x, w), (x,), (x * 0 + 1.0,)),
        "jacrev": lambda x, w: fgrad.jacrev(lambda x: layer(x, w))(x),
        "hessian": lambda x, w: fgrad.hessian(loss)(x[:4]),
        "grad wrt parameters": lambda x, w: fgrad.grad(lambda w: np.sum(layer(x, w) ** 2))(w),
        "jacfwd": lambda x, w: fgrad.jacfwd(lambda x: layer(x, w))(x),
        # (its dense Newton solve runs on the host: CuPy's Cholesky does not raise LinAlgError)
        "optimize.newton": lambda x, w: fgrad.optimize.newton(lambda v: np.sum((v - 1.0) ** 2 * (1.0 + v ** 2)),
                                                              x[:4]).x,
    }
    out = []
    for name, case in cases.items():
        try:
            got = fgrad.tree.tree_leaves(case(cp.asarray(xn), cp.asarray(w)))
            want = fgrad.tree.tree_leaves(case(xn, w))
            ok = all(isinstance(g, cp.ndarray) and np.allclose(cp.asnumpy(g), v, rtol=1e-12)
                     for g, v in zip(got, want) if np.ndim(v))
        except Exception as e:  # (reported, not hidden: the report says what failed and how)
            print(f"{name}: {type(e).__name__}: {e}", file=sys.stderr)
            ok = False
        out.append((name, ok))
    return out


def timed(fn: Callable[[], Any], sync: Callable[[], None]) -> float:
    fn()
    sync()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timings() -> dict[str, float]:
    import cupy as cp

    import fgrad

    x = cp.random.default_rng(0).standard_normal(N)
    sync = cp.cuda.Device().synchronize
    vg = fgrad.value_and_grad(loss)
    out = {"hand-written CuPy": timed(lambda: hand_value_and_grad(x), sync),
           "fgrad on CuPy": timed(lambda: vg(x), sync)}
    try:
        import torch
    except ImportError:
        return out
    xt = torch.as_tensor(x, device="cuda")

    def torch_step() -> Any:
        leaf = xt.detach().requires_grad_(True)
        value = torch.sum(torch.tanh(leaf) ** 2 * torch.exp(-leaf))
        (g,) = torch.autograd.grad(value, leaf)
        return value, g

    out["torch eager (CUDA)"] = timed(torch_step, torch.cuda.synchronize)
    return out


def main() -> int:
    import cupy as cp

    name = cp.cuda.runtime.getDeviceProperties(0)["name"].decode()
    print(f"# W3 on the GPU: {name}, CuPy {cp.__version__}, NumPy {np.__version__}\n")
    results = checks()
    print("| transform on CuPy arrays | equals NumPy, stays on the GPU |\n| --- | --- |")
    for check, ok in results:
        print(f"| {check} | {'yes' if ok else 'NO'} |")
    times = timings()
    base = times["hand-written CuPy"]
    print(f"\n| W3 at 10^8 float64 | median of {REPEATS} | × hand-written CuPy |\n| --- | --- | --- |")
    for framework, seconds in times.items():
        print(f"| {framework} | {seconds * 1e3:.2f} ms | {seconds / base:.2f} |")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
