"""``python -m benchmarks.charts [--results DIR] [--out DIR] [--format svg|png] [--docs]``: draw a run's charts.

Reads a run's ``latest.json`` (``--results``, default ``benchmarks/results``, where
``python -m benchmarks`` writes) and draws, with matplotlib (in the ``bench`` and
``docs`` extras):

* ``performance-overview``: every workload's time, fgrad next to each peer, on a log
  scale, each peer's bar labelled with its time as a multiple of fgrad's;
* ``performance-w2``: W2's time per step against the chain's length N, per framework;
* ``performance-w3``: W3's time and peak memory as multiples of the hand-written NumPy's.

``--docs`` redraws what docs/performance.md shows from the committed results
(``benchmarks/published/latest.json``): the SVGs in docs/charts/ and the page's
generated blocks (the targets table, the full tables). To publish a new run::

    cp benchmarks/results/latest.json benchmarks/results/latest.md benchmarks/published/
    python -m benchmarks.charts --docs

tests/test_performance_page.py fails until that has been done, so the page cannot
drift from the results it quotes. The drawings are deterministic (no dates, fixed ids)
and each SVG records a digest of the numbers it shows.

Example:
    >>> from benchmarks.harness import Row
    >>> from benchmarks.summary import Results
    >>> rows = [Row("W1", "x", "fgrad", "ok", 1e-4), Row("W1", "x", "torch", "ok", 4e-4)]
    >>> overview_data(Results({}, rows))["groups"][0]["bars"]
    [['fgrad', 0.0001, 1.0], ['torch', 0.0004, 4.0]]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

from . import summary
from .report import format_seconds

REPO = Path(__file__).resolve().parent.parent
DOCS_CHARTS = REPO / "docs" / "charts"
DOCS_PAGE = REPO / "docs" / "performance.md"
DEFAULT_RESULTS = Path(__file__).resolve().parent / "results"

# Bars and lines in this order, in these colours, whatever order the run wrote them in.
FRAMEWORKS = {
    "fgrad": "#e64a19",
    "fgrad.jit": "#ff8a65",
    "hand-written": "#9e9e9e",
    "autograd": "#1f77b4",
    "dezero": "#2ca02c",
    "torch": "#9467bd",
    "jax (eager)": "#8c564b",
    "jax (jit)": "#d4a017",
}
# The case each workload's bar group shows: the size its target is stated at (W8, without a
# target: the Jacobian, the case one batched pass replaces a walk per row in).
HEADLINE_CASE = {"W2": "N=1e6", "W3": "n=1e7", "W4": "n=8", "W5": "2-D", "W8": "Jacobian 200×200"}


def _family(framework: str) -> str | None:
    if framework.startswith("hand-written"):
        return "hand-written"
    return framework if framework in FRAMEWORKS else None


def _workload_titles() -> dict[str, str]:
    from .__main__ import WORKLOADS

    return {w: m.TITLE.split(":")[0] for w, m in WORKLOADS.items()}


# ---------------------------------------------------------------- the numbers drawn
def overview_data(results: summary.Results) -> dict[str, Any]:
    """Per workload: the case shown and ``[framework, seconds, × fgrad]`` per bar."""
    groups = []
    for workload in dict.fromkeys(r.workload for r in results.rows):
        cases = [r.case for r in results.rows if r.workload == workload and r.framework == "fgrad" and r.seconds]
        if not cases:
            continue
        case = HEADLINE_CASE.get(workload, cases[-1])
        case = case if case in cases else cases[-1]
        ours = summary.seconds(results, workload, case, "fgrad")
        bars = {}
        for r in results.rows:
            family = _family(r.framework)
            if (r.workload, r.case) == (workload, case) and r.status == "ok" and r.seconds and family:
                bars.setdefault(family, [family, r.seconds, r.seconds / ours])
        groups.append({"workload": workload, "case": case,
                       "bars": [bars[f] for f in FRAMEWORKS if f in bars]})
    return {"groups": groups}


def w2_data(results: summary.Results) -> dict[str, Any]:
    """Per framework: ``[N, seconds per step]`` for every N it ran."""
    lines: dict[str, list[list[float]]] = {}
    for n, case in summary.sized_cases(results, "W2"):
        for r in results.rows:
            family = _family(r.framework)
            if (r.workload, r.case) == ("W2", case) and r.status == "ok" and r.seconds and family:
                lines.setdefault(family, []).append([n, r.seconds / n])
    flat = summary._w2_flatness(results).figure
    return {"lines": {f: lines[f] for f in FRAMEWORKS if f in lines}, "flatness": flat}


def w3_data(results: summary.Results) -> dict[str, Any]:
    """Per size: ``[framework, time ×, memory ×, memory measured by]`` against hand-written NumPy."""
    sizes = []
    for _, case in summary.sized_cases(results, "W3"):
        base = summary.row(results, "W3", case, "hand-written NumPy")
        if base is None or not base.seconds:
            continue
        bars = []
        for r in results.rows:
            family = _family(r.framework)
            if (r.workload, r.case) == ("W3", case) and r.status == "ok" and r.seconds and family:
                memory = r.extra.get("peak extra / input")
                bars.append([family, r.seconds / base.seconds,
                             memory / base.extra["peak extra / input"] if memory else None,
                             r.extra.get("memory method", "")])
        order = list(FRAMEWORKS)
        sizes.append({"case": case, "bars": sorted(bars, key=lambda b: order.index(b[0]))})
    return {"sizes": sizes}


def digest(data: Any) -> str:
    """A short fingerprint of a chart's numbers, stored in the SVG so a test can tell it is current."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---------------------------------------------------------------- drawing
def _time_label(seconds: float, _pos: Any = None) -> str:
    if seconds >= 10:
        return f"{seconds:.0f} s"
    return format_seconds(seconds)


def _ratio_label(r: float) -> str:
    if r >= 10:
        return f"{r:.0f}×"
    return f"{r:.1f}×" if r >= 1 else f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"


def _group_label(group: dict[str, Any], titles: dict[str, str]) -> str:
    title = textwrap.fill(titles.get(group["workload"], ""), 18)
    case = "" if group["case"] in title.replace("\n", " ") else "\n" + group["case"]
    return f"{group['workload']} {title}{case}"


def draw_overview(data: dict[str, Any], ax: Any) -> None:
    import matplotlib.ticker as ticker

    titles = _workload_titles()
    width = 0.8 / max(len(FRAMEWORKS), 1)
    seen: set[str] = set()
    for g, group in enumerate(data["groups"]):
        n = len(group["bars"])
        for i, (framework, secs, times_fgrad) in enumerate(group["bars"]):
            x = g + (i - (n - 1) / 2) * width
            ax.bar(x, secs, width * 0.92, color=FRAMEWORKS[framework],
                   label=None if framework in seen else framework)
            seen.add(framework)
            label = "fgrad" if framework == "fgrad" else _ratio_label(times_fgrad)
            ax.text(x, secs * 1.15, label, rotation=90, ha="center", va="bottom", fontsize=7,
                    fontweight="bold" if framework == "fgrad" else "normal")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(ticker.LogLocator(base=10, numticks=20))
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(_time_label))
    ax.set_xticks(range(len(data["groups"])))
    ax.set_xticklabels([_group_label(g, titles) for g in data["groups"]], fontsize=8)
    low = min(b[1] for g in data["groups"] for b in g["bars"])
    high = max(b[1] for g in data["groups"] for b in g["bars"])
    ax.set_ylim(low / 2, high * 12)
    ax.set_ylabel("median time per call (log scale)")
    ax.set_title("Time per call; each bar labelled with its time as a multiple of fgrad's (below 1×: faster)",
                 fontsize=9)
    ax.legend(ncol=len(seen), fontsize=8, loc="upper center", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def draw_w2(data: dict[str, Any], ax: Any) -> None:
    import matplotlib.ticker as ticker

    for framework, points in data["lines"].items():
        ns, steps = zip(*points)
        ax.plot(ns, steps, marker="o", color=FRAMEWORKS[framework], label=framework,
                linewidth=2.5 if framework == "fgrad" else 1.5)
        ax.text(ns[-1] * 1.3, steps[-1], _time_label(steps[-1]), va="center", fontsize=7,
                color=FRAMEWORKS[framework])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ns = sorted({n for points in data["lines"].values() for n, _ in points})
    ax.set_xticks(ns)
    ax.set_xticklabels([f"{int(n):,}".replace(",", " ") for n in ns])
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    ax.set_xlim(ns[0] / 2, ns[-1] * 6)
    ax.yaxis.set_major_locator(ticker.LogLocator(base=10, numticks=10))
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(_time_label))
    ax.set_xlabel("N, steps in the chain (log scale)")
    ax.set_ylabel("time per step (log scale)")
    ax.set_title(f"W2: time per step against chain length; fgrad's growth from the smallest N: {data['flatness']}",
                 fontsize=9)
    top = max(step for points in data["lines"].values() for _, step in points)
    ax.set_ylim(top=top * 6)
    ax.legend(fontsize=8, frameon=False, loc="upper center", ncol=len(data["lines"]))
    ax.grid(alpha=0.3)


def draw_w3(data: dict[str, Any], axes: Any) -> None:
    for ax, column, what in zip(axes, (1, 2), ("time", "peak extra memory")):
        sizes = data["sizes"]
        frameworks = [b[0] for b in sizes[-1]["bars"]] if sizes else []
        width = 0.8 / max(len(sizes), 1)
        for s, size in enumerate(sizes):
            by_name = {b[0]: b for b in size["bars"]}
            for i, framework in enumerate(frameworks):
                bar = by_name.get(framework)
                if bar is None or bar[column] is None:
                    continue
                indirect = column == 2 and bar[3] != "tracemalloc"
                x = i + (s - (len(sizes) - 1) / 2) * width
                ax.bar(x, bar[column], width * 0.92, color=FRAMEWORKS[framework], alpha=0.55 + 0.45 * s / max(len(sizes) - 1, 1),
                       hatch="//" if indirect else None, edgecolor="white" if indirect else None)
                ax.text(x, bar[column] + 0.05, f"{bar[column]:.2f}", rotation=90, ha="center", va="bottom", fontsize=7)
        ax.axhline(1.0, color="#555555", linewidth=0.8)
        ax.axhline(1.2, color="#e64a19", linewidth=0.8, linestyle="--", label="fgrad's target: 1.2×")
        ax.legend(fontsize=7, frameon=False, loc="upper right")
        ax.set_xticks(range(len(frameworks)))
        ax.set_xticklabels(frameworks, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel(f"{what} × hand-written NumPy")
        ax.set_title(f"W3 {what}, lighter to darker: " + ", ".join(summary.pretty_size(s["case"]) for s in sizes)
                     + " elements", fontsize=9)
        top = max([b[column] for s in sizes for b in s["bars"] if b[column] is not None] + [1.2])
        ax.set_ylim(0, top * 1.25)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    axes[1].text(0.02, 0.98, "hatched: torch and JAX allocate out of tracemalloc's sight;\n"
                 "resident-set high-water mark of a subprocess, indicative only",
                 transform=axes[1].transAxes, fontsize=7, va="top")


CHARTS: dict[str, tuple[Callable[[summary.Results], Any], Callable[[Any, Any], None], tuple[float, float], int]] = {
    # name: (data, draw, size in inches, number of panels)
    "performance-overview": (overview_data, draw_overview, (11.0, 5.0), 1),
    "performance-w2": (w2_data, draw_w2, (8.0, 4.5), 1),
    "performance-w3": (w3_data, draw_w3, (11.0, 4.2), 2),
}


def draw(results: summary.Results, out: str | os.PathLike[str], fmt: str = "svg") -> list[Path]:
    """Draw every chart of ``results`` into ``out``; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    style = {"svg.hashsalt": "fgrad-benchmarks", "svg.fonttype": "none", "font.size": 9,
             "axes.spines.top": False, "axes.spines.right": False}
    for name, (data_of, draw_chart, size, panels) in CHARTS.items():
        data = data_of(results)
        with plt.rc_context(style):
            fig, axes = plt.subplots(1, panels, figsize=size, layout="constrained")
            draw_chart(data, axes)
            path = out / f"{name}.{fmt}"
            metadata = ({"Date": None, "Creator": None, "Description": f"benchmarks.charts {name} data {digest(data)}"}
                        if fmt == "svg" else {"Software": None})
            fig.savefig(path, format=fmt, metadata=metadata, dpi=150, facecolor="white")
            plt.close(fig)
        written.append(path)
    return written


# ---------------------------------------------------------------- the performance page
BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) .*?-->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)", re.S)


def page_blocks(results: summary.Results) -> dict[str, str]:
    """The text of each generated block of docs/performance.md."""
    from .__main__ import markdown_report

    workloads = list(dict.fromkeys(r.workload for r in results.rows))
    tables = markdown_report(list(results.rows), results.meta, workloads)
    tables = tables.split("\n## ", 1)[1] if "\n## " in tables else ""
    return {
        "headline": ("![Time per call of each workload, fgrad next to each peer, with each peer's time as a "
                     "multiple of fgrad's](charts/performance-overview.svg)\n\n"
                     f"Run: {summary.run_description(results)}.\n\n{summary.headline_markdown(results)}\n"),
        "tables": "### " + tables.replace("\n## ", "\n### ").rstrip() + "\n",
    }


def render_page(text: str, results: summary.Results) -> str:
    """``text`` with its generated blocks replaced by what ``results`` gives."""
    blocks = page_blocks(results)
    found = {m.group("name") for m in BLOCK.finditer(text)}
    if found != set(blocks):
        raise ValueError(f"docs/performance.md: expected generated blocks {sorted(blocks)}, found {sorted(found)}")
    return BLOCK.sub(lambda m: m.group(1) + "\n" + blocks[m.group("name")] + "\n" + m.group(4), text)


def update_docs(results_path: str | os.PathLike[str] = summary.PUBLISHED) -> list[Path]:
    """Redraw docs/charts/ and rewrite docs/performance.md's generated blocks from the committed results."""
    results = summary.load(results_path)
    written = draw(results, DOCS_CHARTS, "svg")
    page = DOCS_PAGE.read_text(encoding="utf-8")
    DOCS_PAGE.write_text(render_page(page, results), encoding="utf-8")
    return [*written, DOCS_PAGE]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.charts", description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=None,
                        help="a results directory or JSON file (default: benchmarks/results; "
                             "with --docs, the committed benchmarks/published)")
    parser.add_argument("--out", default=None, help="where the charts go (default: a charts/ folder beside the results)")
    parser.add_argument("--format", choices=("svg", "png"), default="svg")
    parser.add_argument("--docs", action="store_true",
                        help="redraw docs/charts/ and docs/performance.md's generated blocks from the committed results")
    args = parser.parse_args(argv)
    if args.docs:
        if args.out or args.format != "svg":
            parser.error("--docs writes SVGs into docs/charts/; it takes no --out or --format")
        written = update_docs(args.results or summary.PUBLISHED)
    else:
        source = summary.results_file(args.results or DEFAULT_RESULTS)
        if not source.exists():
            parser.error(f"no results at {source}: run `python -m benchmarks` first, or pass --results")
        written = draw(summary.load(source), args.out or source.parent / "charts", args.format)
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
