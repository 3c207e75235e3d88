"""Command line: ``python -m fgrad`` runs the tour."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] == "tour":
        from ._tour import run

        run()
        return 0
    print(f"usage: python -m fgrad [tour]\nunknown command: {argv[0]!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
