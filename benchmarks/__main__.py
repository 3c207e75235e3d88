"""``python -m benchmarks [--quick] [--only W1,W3] [--frameworks fgrad,torch] [--out DIR] [--default-malloc]``: run, print, write results.

Prints one table per workload (times with their ratio to fgrad), writes
``results-<time>.json`` / ``.md`` and ``latest.json`` / ``latest.md`` into DIR
(default ``benchmarks/results``, which git ignores). Exits 1 if any framework computed
different numbers or failed. The run starts itself again with glibc's malloc thresholds
fixed, so that no framework's time depends on what ran before it (see
`benchmarks._allocator`); ``--default-malloc`` keeps glibc's default state.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from . import (_allocator, _peers, report, w1_scalar, w2_chain, w3_arrays, w4_higher, w5_newton, w6_mlp, w7_import,
               w8_batched, w9_dask)
from .harness import Row, Settings

WORKLOADS = {m.ID: m for m in (w1_scalar, w2_chain, w3_arrays, w4_higher, w5_newton, w6_mlp, w7_import, w8_batched, w9_dask)}
DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    parser.add_argument("--large", action="store_true", help="W9 at 10^9 elements (8 GB, computed by Dask workers)")
    parser.add_argument("--append", action="store_true",
                        help="add this run's rows to the results already in --out (replacing those of the same "
                             "workload and case), e.g. a --large run to a full one")
    parser.add_argument("--only", default="", help="comma-separated workloads to run, e.g. W1,W3 (default: all)")
    parser.add_argument("--frameworks", default="", help="comma-separated frameworks to run, e.g. fgrad,torch (default: all)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="directory for the JSON/Markdown results")
    parser.add_argument(_allocator.OPT_OUT, action="store_true",
                        help="measure in glibc's default allocator state instead of fixing its thresholds")
    args = parser.parse_args(argv)
    chosen = [w.strip().upper() for w in args.only.split(",") if w.strip()] or list(WORKLOADS)
    unknown = [w for w in chosen if w not in WORKLOADS]
    if unknown:
        parser.error(f"--only: unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    args.workloads = chosen
    return args


def markdown_report(rows: list[Row], meta: dict[str, Any], workloads: list[str]) -> str:
    lines = ["# fgrad benchmark results", "", "Machine: " + ", ".join(f"{k} {v}" for k, v in meta["machine"].items()),
             "", "Peers: " + ", ".join(f"{k} {v}" for k, v in meta["peers"].items()), "",
             f"Command: `{meta['command']}` ({meta['date']})", ""]
    for w in workloads:
        module = WORKLOADS[w]
        lines += [f"## {w} — {module.TITLE}", "", report.markdown_table([r for r in rows if r.workload == w]), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    frameworks = tuple(f.strip() for f in args.frameworks.split(",") if f.strip()) or None
    settings = Settings(quick=args.quick, large=args.large, frameworks=frameworks, repeats=3 if args.quick else 7, min_batch=0.02 if args.quick else 0.05,
                        budget=3.0 if args.quick else 40.0)
    meta = {
        "machine": {**report.machine_info(), "allocator": _allocator.state()},
        "peers": _peers.versions(),
        "command": "python -m benchmarks" + (" --quick" if args.quick else "") + (f" --only {args.only}" if args.only else "")
        + (f" --frameworks {args.frameworks}" if args.frameworks else "") + (" --large" if args.large else "")
        + (f" {_allocator.OPT_OUT}" if args.default_malloc else ""),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    print("fgrad benchmarks —", ", ".join(f"{k}: {v}" for k, v in meta["machine"].items()))
    print("peers —", ", ".join(f"{k} {v}" for k, v in meta["peers"].items()), flush=True)
    rows: list[Row] = []
    for w in args.workloads:
        module = WORKLOADS[w]
        print(f"\n{w}: {module.TITLE}", flush=True)
        start = time.perf_counter()
        new = module.run(settings)
        rows += new
        print(report.text_table(new))
        print(f"({time.perf_counter() - start:.0f} s)", flush=True)
    os.makedirs(args.out, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    workloads = args.workloads
    if args.append:
        rows, meta, workloads = _appended(args.out, rows, meta)
    md, js = markdown_report(rows, meta, workloads), report.to_json(rows, meta)
    for name in (f"results-{stamp}", "latest"):
        with open(os.path.join(args.out, name + ".md"), "w") as f:
            f.write(md + "\n")
        with open(os.path.join(args.out, name + ".json"), "w") as f:
            f.write(js + "\n")
    print(f"\nwrote {os.path.join(args.out, 'latest.md')} and .json")
    mismatches = [r for r in rows if r.status.startswith(("MISMATCH", "ERROR"))]
    for r in mismatches:
        print(f"{r.workload} {r.case} {r.framework}: {r.status}", file=sys.stderr)
    return 1 if mismatches else 0


def _appended(out: str, rows: list[Row], meta: dict[str, Any]) -> tuple[list[Row], dict[str, Any], list[str]]:
    """The results in `out` with `rows` added (a row of the same workload and case replaced),
    their meta kept, this run's command added to theirs."""
    from .summary import load

    earlier = load(out)
    new_cases = {(r.workload, r.case) for r in rows}
    merged = [r for r in earlier.rows if (r.workload, r.case) not in new_cases] + rows
    meta = {**earlier.meta, "command": f"{earlier.meta.get('command', '?')}; {meta['command']} --append"}
    order = list(WORKLOADS)
    return merged, meta, sorted({r.workload for r in merged}, key=order.index)


if __name__ == "__main__":
    _allocator.restart_pinned(sys.argv[1:])
    sys.exit(main())
