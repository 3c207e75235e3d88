"""One allocator state for every framework: glibc's malloc thresholds fixed for the run.

glibc hands out arrays above its *mmap threshold* (128 KiB when a process starts, then
raised to the size of each larger block freed) as fresh pages from the system, and gives
memory back once more than the *trim threshold* (twice the mmap threshold) lies free at
the top of the heap. Either way the next large array is made of new pages, and touching
them costs a page fault per 4 KiB. Whether a framework pays that on every call depends
on what the process allocated before, not on the framework: on this machine W6's
autograd gradient took 0.64 ms in one process state and 2.0-2.7 ms in another; fgrad's
took 0.43 ms, or 0.80 ms with 214 page faults per call until an unrelated computation
had run. A table whose ratios depend on the order of the workloads is no measurement.

So ``python -m benchmarks`` starts itself again with both thresholds fixed (glibc reads
them from the environment once, when a process starts): arrays up to 32 MiB come from
the heap, and up to 64 MiB of free heap is kept. Every framework then allocates its
temporaries without page faults, the state in which the Python-heavy frameworks are
fastest. ``--default-malloc`` measures in glibc's default state instead.
"""

from __future__ import annotations

import os
import platform
import sys

PINNED = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(64 << 20)}
OPT_OUT = "--default-malloc"


def _pinned() -> bool:
    return all(os.environ.get(k) == v for k, v in PINNED.items())


def state() -> str:
    """How this process's allocator is configured, for the report."""
    if _pinned():
        return "glibc, thresholds fixed: " + ", ".join(f"{k}={v}" for k, v in PINNED.items())
    if platform.libc_ver()[0] != "glibc":
        return "not glibc: default"
    return "glibc default (dynamic thresholds)"


def pinned_environment(argv: list[str]) -> dict[str, str] | None:
    """The environment to start the run again in, or None to run in this process.

    None when the thresholds are already fixed, when `argv` asks for the default state,
    or when the C library is not glibc (the variables would mean nothing).
    """
    if OPT_OUT in argv or platform.libc_ver()[0] != "glibc" or _pinned():
        return None
    return {**os.environ, **PINNED}


def restart_pinned(argv: list[str]) -> None:
    """Replace this process by ``python -m benchmarks *argv`` with the thresholds fixed (if needed)."""
    env = pinned_environment(argv)
    if env is not None:
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks", *argv], env)
