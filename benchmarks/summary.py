"""What a results file says at a glance: the targets, this run's figure for each, met or not.

`load` reads a run's ``latest.json`` (written by ``python -m benchmarks``) back into
`Row` records; `headline` turns them into one line per target; `headline_markdown` is
the table that opens docs/performance.md.  The targets of ``fgrad.jit`` (the
``fgrad.jit`` rows) have lines only in runs that have such rows. Nothing here measures: it only reads numbers
a run has already written, so the page can be regenerated from the committed results
(``benchmarks/published/latest.json``) and checked against them.

Example:
    >>> from benchmarks.harness import Row
    >>> rows = [Row("W6", "mlp", "fgrad", "ok", 5.0e-4), Row("W6", "mlp", "autograd", "ok", 7.76e-4),
    ...         Row("W6", "mlp", "hand-written NumPy", "ok", 3.8e-4)]
    >>> [line.met for line in headline(Results({}, rows)) if line.workload == "W6"]
    [True]
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable

import attrs

from .harness import Row
from ._first_call import COLUMN as FIRST_CALL
from ._first_call import JIT
from .report import format_seconds, parse_seconds

PUBLISHED = Path(__file__).resolve().parent / "published"  # the committed results the docs show
_ROW_KEYS = ("workload", "case", "framework", "status", "seconds", "ratio_to_fgrad")


@attrs.frozen
class Results:
    """One run: its ``meta`` (machine, peers, command, date) and its rows."""

    meta: dict[str, Any]
    rows: tuple[Row, ...] = attrs.field(converter=tuple)


def results_file(path: str | os.PathLike[str]) -> Path:
    """``path`` itself if it is a file, else the ``latest.json`` in that directory."""
    path = Path(path)
    return path / "latest.json" if path.is_dir() else path


def load(path: str | os.PathLike[str] = PUBLISHED) -> Results:
    """The run stored at ``path`` (a results directory or a JSON file)."""
    data = json.loads(results_file(path).read_text(encoding="utf-8"))
    rows = [Row(r["workload"], r["case"], r["framework"], r["status"], r["seconds"],
                {k: v for k, v in r.items() if k not in _ROW_KEYS}) for r in data["rows"]]
    return Results(data["meta"], rows)


# ---------------------------------------------------------------- reading rows
def seconds(results: Results, workload: str, case: str, framework: str) -> float | None:
    """The median time of ``framework`` on one case, or None when it was not timed."""
    for r in results.rows:
        if (r.workload, r.case, r.framework) == (workload, case, framework) and r.status == "ok":
            return r.seconds
    return None


def row(results: Results, workload: str, case: str, framework: str) -> Row | None:
    for r in results.rows:
        if (r.workload, r.case, r.framework) == (workload, case, framework):
            return r
    return None


def sized_cases(results: Results, workload: str) -> list[tuple[float, str]]:
    """``(size, case)`` for the cases named ``N=1e3`` / ``n=8``, smallest first."""
    found = {}
    for r in results.rows:
        m = re.fullmatch(r"[nN]=([0-9.e+]+)", r.case)
        if r.workload == workload and m:
            found[r.case] = float(m.group(1))
    return sorted((size, case) for case, size in found.items())


def ratio(results: Results, workload: str, case: str, framework: str, to: str = "fgrad") -> float | None:
    """``to``'s time over ``framework``'s (fgrad's time as a multiple of the peer's)."""
    ours, theirs = seconds(results, workload, case, to), seconds(results, workload, case, framework)
    return ours / theirs if ours and theirs else None


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def pretty_size(case: str) -> str:
    """``N=1e6`` -> ``10⁶``, ``n=8`` -> ``8``."""
    size = case.split("=", 1)[1]
    m = re.fullmatch(r"1e\+?(-?\d+)", size)
    return "10" + m.group(1).translate(_SUPERSCRIPT) if m else size


def fmt_ratio(values: Iterable[float | None]) -> str:
    """``0.19×``, or a range ``0.10–0.21×``; ``—`` when nothing was measured."""
    vals = [v for v in values if v is not None]
    if not vals:
        return "—"
    lo, hi = f"{min(vals):.2f}", f"{max(vals):.2f}"
    return f"{lo}×" if lo == hi else f"{lo}–{hi}×"


# ---------------------------------------------------------------- the targets
@attrs.frozen
class Line:
    """One target: what it asks, this run's figure, and whether the run meets it (None: not measured)."""

    workload: str
    target: str
    figure: str
    met: bool | None


def _within(values: Iterable[float | None], limit: float) -> bool | None:
    vals = list(values)
    if not vals or any(v is None for v in vals):
        return None
    return all(v <= limit for v in vals)


def _w1(results: Results) -> Line:
    case = "goldstein (1, 1)"
    peers = {p: ratio(results, "W1", case, p) for p in ("autograd", "dezero", "torch")}
    t = seconds(results, "W1", case, "fgrad")
    figure = (f"{format_seconds(t)}: {fmt_ratio([peers['autograd']])} autograd, "
              f"{fmt_ratio([peers['dezero']])} DeZero, {fmt_ratio([peers['torch']])} torch")
    met = [_within([peers["autograd"]], 0.3), _within([peers["dezero"]], 0.5), _within([peers["torch"]], 0.999999)]
    return Line("W1", "W1 scalar gradient ≤ 0.3× autograd, ≤ 0.5× DeZero, faster than torch", figure,
                None if None in met else all(met))


def _w2_speed(results: Results) -> Line:
    cases = sized_cases(results, "W2")
    per_step = [seconds(results, "W2", c, "fgrad") for _, c in cases]
    steps = [t / n for t, (n, _) in zip(per_step, cases) if t is not None]
    peers = {p: [ratio(results, "W2", c, p) for _, c in cases] for p in ("autograd", "dezero", "torch")}
    span = f"{min(steps) * 1e6:.1f}–{max(steps) * 1e6:.1f} µs per step" if steps else "—"
    figure = (f"{span}: {fmt_ratio(peers['autograd'])} autograd, {fmt_ratio(peers['dezero'])} DeZero, "
              f"{fmt_ratio(peers['torch'])} torch")
    met = [_within(peers["autograd"], 0.3), _within(peers["dezero"], 0.5), _within(peers["torch"], 0.999999)]
    return Line("W2", "W2 chain of N steps, every N: ≤ 0.3× autograd, ≤ 0.5× DeZero, faster than torch",
                figure, None if None in met or not cases else all(met))


def _w2_flatness(results: Results) -> Line:
    cases = sized_cases(results, "W2")
    per_case = None
    if len(cases) >= 2:
        (n0, c0), (n1, c1) = cases[0], cases[-1]
        t0, t1 = seconds(results, "W2", c0, "fgrad"), seconds(results, "W2", c1, "fgrad")
        per_case = (t1 / n1) / (t0 / n0) if t0 and t1 else None
    in_turn = None
    for r in results.rows:
        if r.workload == "W2" and r.framework == "fgrad" and "timed in turn" in r.case:
            m = re.search(r"= ([0-9.]+)×", str(r.extra.get("per step", "")))
            in_turn = float(m.group(1)) if m else None
    figure = f"timed in turn {fmt_ratio([in_turn])}, per case {fmt_ratio([per_case])}"
    sizes = f"{pretty_size(cases[-1][1])} steps ≤ 1.3× at {pretty_size(cases[0][1])}" if cases else "10⁶ steps ≤ 1.3× at 10³"
    return Line("W2", f"W2 time per step at {sizes}", figure, _within([in_turn, per_case], 1.3))


def _w3(results: Results) -> Line:
    cases = sized_cases(results, "W3")
    if not cases:
        return Line("W3", "W3 at 10⁷ elements ≤ 1.2× hand-written NumPy's time and memory", "—", None)
    case = cases[-1][1]
    time = ratio(results, "W3", case, "hand-written NumPy")
    ours, base = row(results, "W3", case, "fgrad"), row(results, "W3", case, "hand-written NumPy")
    memory = None
    if ours and base and ours.extra.get("peak extra / input") and base.extra.get("peak extra / input"):
        memory = ours.extra["peak extra / input"] / base.extra["peak extra / input"]
    return Line("W3", f"W3 at {pretty_size(case)} elements ≤ 1.2× hand-written NumPy's time and memory",
                f"time {fmt_ratio([time])}, memory {fmt_ratio([memory])}", _within([time, memory], 1.2))


def _w4(results: Results) -> Line:
    cases = sized_cases(results, "W4")
    if not cases:
        return Line("W4", "W4 8th derivative of tanh ≤ 0.5× DeZero", "—", None)
    case = cases[-1][1]
    r = ratio(results, "W4", case, "dezero")
    fg = row(results, "W4", case, "fgrad")
    records = f", {fg.extra['graph records']} records" if fg and "graph records" in fg.extra else ""
    figure = f"{format_seconds(seconds(results, 'W4', case, 'fgrad'))}: {fmt_ratio([r])} DeZero{records}"
    return Line("W4", f"W4 derivative of order {pretty_size(case)} of tanh ≤ 0.5× DeZero", figure, _within([r], 0.5))


def _w5(results: Results) -> Line:
    case = "2-D"
    r = ratio(results, "W5", case, "autograd")
    fg = row(results, "W5", case, "fgrad")
    iterations = fg.extra.get("iterations") if fg else None
    figure = f"{iterations} iterations, {format_seconds(seconds(results, 'W5', case, 'fgrad'))}: {fmt_ratio([r])} autograd"
    met = _within([r], 0.5)
    return Line("W5", "W5 2-D Newton on Rosenbrock: 7 iterations, ≤ 0.5× autograd", figure,
                None if met is None else met and iterations == 7)


def _w6(results: Results) -> Line:
    cases = sorted({r.case for r in results.rows if r.workload == "W6"})
    case = cases[0] if cases else ""
    r = ratio(results, "W6", case, "autograd")
    hand = seconds(results, "W6", case, "hand-written NumPy")
    ours = seconds(results, "W6", case, "fgrad")
    handwritten = f", {fmt_ratio([ours / hand])} the hand-written gradient" if ours and hand else ""
    return Line("W6", "W6 MLP gradient ≤ 0.7× autograd", f"{format_seconds(ours)}: {fmt_ratio([r])} autograd{handwritten}",
                _within([r], 0.7))


# ---------------------------------------------------------------- the targets of fgrad.jit
def _has_jit(results: Results, workload: str) -> bool:
    return any(r.workload == workload and r.framework == JIT for r in results.rows)


def first_call(results: Results, workload: str, case: str, framework: str) -> float | None:
    """Seconds of ``framework``'s first call (tracing and compiling included), or None."""
    r = row(results, workload, case, framework)
    return parse_seconds(r.extra.get(FIRST_CALL, "—")) if r is not None and r.status == "ok" else None


def _all_met(met: list[bool | None]) -> bool | None:
    return None if None in met else all(met)


def _w1_jit(results: Results) -> Line | None:
    if not _has_jit(results, "W1"):
        return None
    case = "goldstein (1, 1)"
    jax_jit, hand = ratio(results, "W1", case, "jax (jit)", JIT), ratio(results, "W1", case, "hand-written Python", JIT)
    compile_ = first_call(results, "W1", case, JIT)
    figure = (f"{format_seconds(seconds(results, 'W1', case, JIT))}: {fmt_ratio([jax_jit])} jax.jit, "
              f"{fmt_ratio([hand])} the hand-written derivative; first call {format_seconds(compile_)}")
    return Line("W1", "W1 jitted: ≤ 0.5× jax.jit, ≤ 5× the hand-written derivative, first call (compile) ≤ 5 ms",
                figure, _all_met([_within([jax_jit], 0.5), _within([hand], 5.0), _within([compile_], 5e-3)]))


def _w3_jit(results: Results) -> Line | None:
    cases = sized_cases(results, "W3")
    if not cases or not _has_jit(results, "W3"):
        return None
    case = cases[-1][1]
    time = ratio(results, "W3", case, "hand-written NumPy", JIT)
    ours, base = row(results, "W3", case, JIT), row(results, "W3", case, "hand-written NumPy")
    memory = None
    if ours and base and ours.extra.get("peak extra / input") and base.extra.get("peak extra / input"):
        memory = ours.extra["peak extra / input"] / base.extra["peak extra / input"]
    return Line("W3", f"W3 jitted at {pretty_size(case)} elements ≤ 1.0× hand-written NumPy's time and memory",
                f"time {fmt_ratio([time])}, memory {fmt_ratio([memory])}", _within([time, memory], 1.0))


def _w4_jit(results: Results) -> Line | None:
    cases = sized_cases(results, "W4")
    if not cases or not _has_jit(results, "W4"):
        return None
    case = cases[-1][1]
    r = ratio(results, "W4", case, "jax (jit)", JIT)
    ours, torch, jax_jit = (row(results, "W4", case, f) for f in (JIT, "torch", "jax (jit)"))
    records = ours.extra.get("compiled records") if ours else None
    torch_records = torch.extra.get("graph records") if torch else None
    jaxpr = jax_jit.extra.get("compiled records") if jax_jit else None
    figure = (f"{format_seconds(seconds(results, 'W4', case, JIT))}: {fmt_ratio([r])} jax.jit; "
              f"{records if records is not None else '—'} records (torch {torch_records or '—'}, "
              f"JAX's jaxpr {jaxpr or '—'})")
    fewer = None if None in (records, torch_records, jaxpr) else records < torch_records and records < jaxpr
    return Line("W4", f"W4 jitted derivative of order {pretty_size(case)} of tanh: fewer records than torch "
                "and JAX's jaxpr, ≤ 1× jax.jit", figure, _all_met([fewer, _within([r], 1.0)]))


def _w5_jit(results: Results) -> Line | None:
    case = "2-D"
    if not _has_jit(results, "W5"):
        return None
    r = ratio(results, "W5", case, "jax (jit)", JIT)
    ours, theirs = first_call(results, "W5", case, JIT), first_call(results, "W5", case, "jax (jit)")
    figure = (f"{format_seconds(seconds(results, 'W5', case, JIT))}: {fmt_ratio([r])} jax.jit; first solve "
              f"{format_seconds(ours)}, jax.jit's {format_seconds(theirs)}")
    faster = None if ours is None or theirs is None else ours < theirs
    return Line("W5", "W5 2-D Newton, jitted derivatives: ≤ 0.5× jax.jit, first solve (compile) faster than JAX's",
                figure, _all_met([_within([r], 0.5), faster]))


def _w6_jit(results: Results) -> Line | None:
    cases = sorted({r.case for r in results.rows if r.workload == "W6"})
    if not cases or not _has_jit(results, "W6"):
        return None
    case = cases[0]
    hand, jax_jit = ratio(results, "W6", case, "hand-written NumPy", JIT), ratio(results, "W6", case, "jax (jit)", JIT)
    figure = (f"{format_seconds(seconds(results, 'W6', case, JIT))}: {fmt_ratio([hand])} the hand-written gradient, "
              f"{fmt_ratio([jax_jit])} jax.jit")
    return Line("W6", "W6 MLP gradient, jitted: ≤ 1.05× the hand-written NumPy gradient", figure, _within([hand], 1.05))


def _w9(results: Results) -> Line | None:
    cases = sorted((float(r.case.split()[0]), r.case) for r in results.rows
                   if r.workload == "W9" and re.fullmatch(r"1e\d+ float64", r.case))
    if not cases:
        return None
    size, case = cases[-1]
    r = ratio(results, "W9", case, "hand-written Dask")
    ours, hand = row(results, "W9", case, "fgrad"), row(results, "W9", case, "hand-written Dask")
    memory = (ours.extra.get("peak memory (process tree)") if ours else None) or "—"
    hand_memory = (hand.extra.get("peak memory (process tree)") if hand else None) or "—"
    figure = (f"{format_seconds(seconds(results, 'W9', case, 'fgrad'))}: {fmt_ratio([r])} hand-written Dask; "
              f"peak memory of the process tree {memory} (hand-written {hand_memory})")
    met = [_within([r], 1.3)]
    if size >= 1e9:
        met.append(float(memory.split()[0]) * 2 ** 30 <= 4e9 if memory != "—" else None)
    return Line("W9", f"W9 W3's gradient on Dask, 2 worker processes, {pretty_size('n=' + case.split()[0])} float64: "
                "≤ 1.3× hand-written "
                "Dask" + (", peak memory ≤ 4 GB" if size >= 1e9 else ""), figure, _all_met(met))


TARGETS: tuple[Callable[[Results], Line | None], ...] = (
    _w1, _w2_speed, _w2_flatness, _w3, _w4, _w5, _w6, _w1_jit, _w3_jit, _w4_jit, _w5_jit, _w6_jit, _w9)


def headline(results: Results) -> list[Line]:
    """One line per target, for the workloads the run measured (fgrad.jit's only where it ran)."""
    measured = {r.workload for r in results.rows}
    lines = (target(results) for target in TARGETS)
    return [line for line in lines if line is not None and line.workload in measured]


def run_description(results: Results) -> str:
    """'2026-12-05 00:00, fgrad 0d67bab, AMD EPYC (2 cores), ...': when and where the run was made."""
    m, machine = results.meta, results.meta.get("machine", {})
    return (f"`{m.get('command', '?')}` on {m.get('date', '?')}, fgrad {machine.get('fgrad commit', '?')}, "
            f"{machine.get('cpu', '?')} ({machine.get('cores', '?')} cores), Python {machine.get('python', '?')}, "
            f"NumPy {machine.get('numpy', '?')}")


def headline_markdown(results: Results) -> str:
    """The targets table of docs/performance.md."""
    lines = ["| target | this run | |", "| --- | --- | --- |"]
    for line in headline(results):
        status = {True: "met", False: "**not met**", None: "not measured"}[line.met]
        lines.append(f"| {line.target} | {line.figure} | {status} |")
    return "\n".join(lines)
