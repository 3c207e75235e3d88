"""W7 import time: ``import fgrad`` against NumPy and the peers, each in a fresh interpreter.

A user pays for the import once per process, before anything else runs; fgrad's goal
is to cost at most 50 ms more than NumPy's own import, which it needs anyway. Each
reading is one new interpreter timing its import statement (the interpreter's own
start is excluded), the frameworks taken in turn, round by round, so that a slow
spell of a shared machine is shared too; the median is reported, with the difference
from NumPy's. Bytecode is cached as an installed package's would be (in a temporary
``PYTHONPYCACHEPREFIX``, filled by one untimed import first), even where the
environment turns caching off. A second case adds the first gradient, which for fgrad
includes loading fgrad.numpy (left out of ``import fgrad`` and loaded by the first trace).
"""

from __future__ import annotations

import ast
import os
import statistics
import subprocess
import sys
import tempfile
from typing import Mapping

from .harness import Row, Settings

ID = "W7"
TITLE = "import time: `import <framework>` in a fresh interpreter (median), and with a first gradient"

# framework -> the import statement timed in the first case
IMPORTS = {
    "fgrad": "import fgrad",
    "fgrad + fgrad.numpy": "import fgrad, fgrad.numpy",
    "numpy": "import numpy",
    "autograd": "import autograd",
    "torch": "import torch",
    "jax": "import jax",
}
# framework -> statements ending in `result = <the derivative of x*x at 3, i.e. 6>`
FIRST_GRADIENT = {
    "fgrad": "import fgrad; result = float(fgrad.grad(lambda x: x * x)(3.0))",
    "autograd": "import autograd; result = float(autograd.grad(lambda x: x * x)(3.0))",
    "torch": ("import torch; x = torch.tensor(3.0, requires_grad=True); (x * x).backward(); "
              "result = float(x.grad)"),
    "jax": "import jax; result = float(jax.grad(lambda x: x * x)(3.0))",
}
BASELINE = "numpy"
CHILD = """\
import time
_start = time.perf_counter()
{statement}
_seconds = time.perf_counter() - _start
print(repr((_seconds, globals().get("result"))))
"""


def child_environment(pycache: str) -> dict[str, str]:
    """The environment of the timed interpreters: bytecode cached under `pycache`, JAX on the CPU."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    env.setdefault("JAX_PLATFORMS", "cpu")
    return env


def time_statement(statement: str, env: Mapping[str, str]) -> tuple[float, object]:
    """Seconds `statement` takes in a new interpreter, and the `result` it set (or None).

    Raises `RuntimeError` with the child's last line of error when it fails.
    """
    done = subprocess.run([sys.executable, "-c", CHILD.format(statement=statement)], env=dict(env),
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(last[:160])
    seconds, result = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return seconds, result


def measure(statements: Mapping[str, str], repeats: int, env: Mapping[str, str]) -> dict[str, list | str]:
    """framework -> its readings (seconds), or why it could not be measured.

    One untimed run each first (it fills the bytecode cache, and tells whether the
    framework is installed), then `repeats` rounds with every framework in turn.
    """
    readings: dict[str, list | str] = {}
    for name, statement in statements.items():
        try:
            _, result = time_statement(statement, env)
        except RuntimeError as e:
            missing = str(e).startswith(("ModuleNotFoundError", "ImportError"))
            readings[name] = f"skipped: {name} not installed ({e})" if missing else f"ERROR: {e}"
            continue
        if result is not None and abs(float(result) - 6.0) > 1e-6:
            readings[name] = f"MISMATCH: d(x*x)/dx at 3 is 6, got {result!r}"
            continue
        readings[name] = []
    for _ in range(repeats):
        for name, statement in statements.items():
            if isinstance(readings[name], list):
                readings[name].append(time_statement(statement, env)[0])  # type: ignore[union-attr]
    return readings


def rows_for(case: str, readings: Mapping[str, list | str], wanted: list[str], timing: bool) -> list[Row]:
    """One row per wanted framework: median seconds, and the median difference from NumPy's.

    The difference is taken round by round (each reading less NumPy's of the same
    round, moments apart), so a machine's drift over the run cancels out of it.
    """
    base = readings.get(BASELINE)
    rows = []
    for name in wanted:
        got = readings[name]
        if isinstance(got, str):
            rows.append(Row(ID, case, name, got))
            continue
        if not timing:
            rows.append(Row(ID, case, name, "ok"))
            continue
        median = statistics.median(got)
        extra = {"readings": len(got)}
        if isinstance(base, list) and len(base) == len(got):
            difference = statistics.median(a - b for a, b in zip(got, base))
            extra[f"− {BASELINE} import"] = f"{difference * 1e3:+.0f} ms"
        rows.append(Row(ID, case, name, "ok", median, extra))
    return rows


def run(settings: Settings) -> list[Row]:
    repeats = 0 if not settings.timing else 5 if settings.quick or settings.tiny else 11
    rows = []
    with tempfile.TemporaryDirectory(prefix="fgrad-w7-pycache-") as pycache:
        env = child_environment(pycache)
        for case, table in (("import", IMPORTS), ("import + first gradient", FIRST_GRADIENT)):
            wanted = [name for name in table if settings.wants(name)]
            if not wanted:
                continue
            # NumPy's import is the yardstick: measured whenever anything is timed
            measured = {n: s for n, s in table.items() if n in wanted or (n == BASELINE and settings.timing)}
            if settings.timing and BASELINE not in measured:
                measured[BASELINE] = IMPORTS[BASELINE]
            rows += rows_for(case, measure(measured, repeats, env), wanted, settings.timing)
    return rows
