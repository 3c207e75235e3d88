"""Aligned progress lines, one per iteration, shared by the live display and `summary()`.

Example:
    >>> from fgrad.optimize import Iteration
    >>> from fgrad.optimize._progress import header, row
    >>> print(header()); print(row(Iteration(1, 1.5, -0.9375, 1.5, 0.5, 1.0, 0.0)))
     iter                       f        |grad|        |step|   step len     damping
        1  -9.375000000000000e-01     1.500e+00     5.000e-01          1   0.000e+00
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Iterable, TextIO

__all__ = ["header", "row", "table", "Printer"]


def _sci(digits: int) -> Callable[[Any], str]:
    return lambda v: f"{v:.{digits}e}"


# (title, attribute, width, format); a missing value (None) prints as "-".
COLUMNS: tuple[tuple[str, str, int, Callable[[Any], str]], ...] = (
    ("iter", "iteration", 5, str),
    ("f", "f", 24, _sci(15)),
    ("|grad|", "grad_norm", 14, _sci(3)),
    ("|step|", "step", 14, _sci(3)),
    ("step len", "step_length", 11, lambda v: f"{v:.4g}"),
    ("damping", "damping", 12, _sci(3)),
)


def header() -> str:
    """The column titles, aligned with `row`."""
    return "".join(title.rjust(width) for title, _, width, _ in COLUMNS)


def row(record: Any) -> str:
    """One `Iteration` as an aligned line."""
    cells = []
    for _, attribute, width, fmt in COLUMNS:
        value = getattr(record, attribute)
        cells.append(("-" if value is None else fmt(value)).rjust(width))
    return "".join(cells)


def table(records: Iterable[Any]) -> str:
    """A header and one row per record."""
    return "\n".join([header(), *map(row, records)])


class Printer:
    """Prints every `every`-th iteration (and the last one) as the run goes.

    ``every`` is 0 to stay silent.
    """

    def __init__(self, every: int, stream: TextIO | None = None) -> None:
        self.every = every
        self.stream = stream
        self._last_printed = -1

    def _print(self, text: str) -> None:
        print(text, file=self.stream if self.stream is not None else sys.stdout)

    def iteration(self, record: Any) -> None:
        if not self.every:
            return
        if record.iteration == 0:
            self._print(header())
        if record.iteration % self.every == 0:
            self._print(row(record))
            self._last_printed = record.iteration

    def finish(self, last: Any, message: str) -> None:
        if not self.every:
            return
        if last is not None and last.iteration != self._last_printed:
            self._print(row(last))
        self._print(message)
