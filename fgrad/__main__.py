"""Command line: ``python -m fgrad`` runs the tour; ``python -m fgrad graph ...`` draws a graph."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] == "tour":
        from ._tour import run

        run()
        return 0
    if argv[0] == "graph":
        from ._cli_graph import main as graph_main

        return graph_main(argv[1:])
    print(f"usage: python -m fgrad [tour | graph MODULE:FUNCTION --args X ... (see graph --help)]\n"
          f"unknown command: {argv[0]!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
