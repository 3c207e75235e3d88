"""Tables of results: plain text for the terminal, Markdown and JSON for files.

Example:
    >>> from benchmarks.harness import Row
    >>> rows = [Row("W1", "x", "fgrad", "ok", 2e-4), Row("W1", "x", "torch", "ok", 5e-4)]
    >>> print(markdown_table(rows))
    | case | framework | median time | × fgrad |
    | --- | --- | --- | --- |
    | x | fgrad | 200 µs | 1.00 |
    | x | torch | 500 µs | 2.50 |
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from typing import Any, Iterable

import numpy as np

from .harness import Row


def format_seconds(s: float | None) -> str:
    """'1.23 ms'-style: three significant digits in a unit that fits."""
    if s is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def parse_seconds(text: str) -> float | None:
    """The inverse of `format_seconds` (to three significant digits); None for ``—`` or an unknown unit.

    >>> parse_seconds("2.15 ms"), parse_seconds(format_seconds(12.5e-6)), parse_seconds("—")
    (0.00215, 1.25e-05, None)
    """
    number, _, unit = str(text).partition(" ")
    per_second = {"s": 1.0, "ms": 1e3, "µs": 1e6, "ns": 1e9}.get(unit)
    try:
        return None if per_second is None else float(number) / per_second
    except ValueError:
        return None


def format_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def ratio_to_fgrad(row: Row, rows: Iterable[Row]) -> float | None:
    """`row`'s time divided by fgrad's on the same case (None when either is missing)."""
    for r in rows:
        if r.workload == row.workload and r.case == row.case and r.framework == "fgrad":
            if r.seconds and row.seconds is not None:
                return row.seconds / r.seconds
    return None


def _table(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    extra_keys: list[str] = []
    for r in rows:
        for k in r.extra:
            if k not in extra_keys:
                extra_keys.append(k)
    header = ["case", "framework", "median time", "× fgrad", *extra_keys]
    body = []
    for r in rows:
        if r.status != "ok":
            body.append([r.case, r.framework, r.status, "", *[""] * len(extra_keys)])
            continue
        ratio = ratio_to_fgrad(r, rows)
        body.append([
            r.case, r.framework, format_seconds(r.seconds),
            "—" if ratio is None else f"{ratio:.2f}",
            *[format_value(r.extra[k]) if k in r.extra else "" for k in extra_keys],
        ])
    return header, body


def markdown_table(rows: list[Row]) -> str:
    header, body = _table(rows)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(lines)


def text_table(rows: list[Row]) -> str:
    header, body = _table(rows)
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *map(fmt, body)])


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=os.path.dirname(__file__), timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "fgrad commit": commit or "unknown",
    }


def to_json(rows: list[Row], meta: dict[str, Any]) -> str:
    return json.dumps({
        "meta": meta,
        "rows": [
            {"workload": r.workload, "case": r.case, "framework": r.framework, "status": r.status,
             "seconds": r.seconds, "ratio_to_fgrad": ratio_to_fgrad(r, rows), **dict(r.extra)}
            for r in rows
        ],
    }, indent=2, default=str)
