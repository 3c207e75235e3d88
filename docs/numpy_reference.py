"""The reference page of fgrad.numpy: one line per function, from the function table.

docs/reference/numpy.md is made here. Each public function of ``fgrad.numpy``,
``fgrad.numpy.linalg`` and ``fgrad.numpy.fft`` has one line: its derivative rule, its
convention at non-smooth points, and what it refuses on traced values. The lines live in
the systematic function table, on the row that tests the function
(``row(..., doc="name: text")`` in tests/table_rows_*.py, built with
tests/table_support.py), and a function the table runs no row for has a ``doc_only``
row with the reason; ``in_section`` places the lines under a heading below. So the
reference and the tests are one table and cannot drift apart. The headings, their
introductions and their order are here. tests/test_numpy_reference.py checks that every
public function has exactly one line, that every line names a real function that the
table runs (or says why not), that the zero-derivative section holds exactly the
piecewise-constant helpers, and that the committed page is what `render` makes now.

In the rules, ``g`` is the cotangent of the result and ``ans`` the result; binary rules
sum their cotangent back over broadcast axes (``unbroadcast``), which is not repeated on
every line.

Commands (run from the repository root)::

    python docs/numpy_reference.py write   # regenerate docs/reference/numpy.md
    python docs/numpy_reference.py check   # exit 1 if the committed page is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

DOCS = Path(__file__).resolve().parent
PAGE = DOCS / "reference" / "numpy.md"
TESTS = DOCS.parent / "tests"


class Section(NamedTuple):
    title: str
    intro: str
    zero: bool = False  # the piecewise-constant helpers: plain values out, derivative zero


# The page's headings, in order; which functions each holds, and their lines, come from the table.
SECTIONS = [
    Section("Arithmetic and powers", "Broadcast like NumPy."),
    Section("Exponentials, logarithms and trigonometry", ""),
    Section("Selection, clipping and piecewise functions",
            "Conditions and masks are plain: comparisons of traced values give plain booleans."),
    Section("Complex parts", "JAX's convention: cotangents pair with tangents by `Re(sum(ct * t))`, without "
            "conjugation; a real input's cotangent is real."),
    Section("Reductions and scans",
            "`axis` (an int, a tuple or negative), `keepdims` and a constant `where=` mask as in NumPy; a traced "
            "`where=` mask and `out=` are refused (TypeError)."),
    Section("Sorting and order statistics",
            "Each result is a weighted pair of elements of the input, so the derivative follows those elements; tied "
            "elements are ranked by position (a stable sort)."),
    Section("Products, contractions and triangles", "Vectors, matrices and stacks of matrices as in NumPy."),
    Section("Shapes, joining and splitting", "Pure data movement: each rule moves the cotangent back."),
    Section("Indexing and functional updates",
            "`x[idx]` supports basic, integer-array and boolean indices: its rule puts `g` back at the indices, "
            "repeated ones accumulating. Traced values are immutable."),
    Section("Sampled signals, ranges and fitting", ""),
    Section("Building arrays and types",
            "A result of integer or boolean dtype is piecewise constant: a plain array, derivative zero, as JAX's "
            "integer results."),
    Section("Non-differentiable helpers",
            "Piecewise-constant functions, comparisons, predicates and shape queries read the value and return plain "
            "NumPy results, even for traced arguments: their derivative is zero wherever it exists, so nothing is "
            "recorded.", zero=True),
    Section("Introspection", ""),
    Section("NumPy's own constructors and dtypes",
            "NumPy's own objects, for constants: their arguments are sizes and dtypes, not arrays. The constants "
            "`pi`, `e`, `inf`, `nan`, `euler_gamma` and `newaxis` are NumPy's too."),
    Section("fgrad.numpy.linalg", "Stacks of matrices as in NumPy. Rules are written with `inv`, `solve` and "
            "`matmul`, so they differentiate again."),
    Section("fgrad.numpy.fft", "Every `norm`, `n`/`s` and `axis`/`axes`. Each rule is the transpose of its "
            "transform, another transform of the family, so every order works; a real input's gradient is real "
            "(the real part of the complex cotangent). `n` and `s` must be constant integers (TypeError)."),
]


class Line(NamedTuple):
    name: str  # "sin", "linalg.inv", "fft.rfft"
    text: str
    section: str
    row: str  # the name of the table row holding it


def table_rows() -> list:
    """Every row of the function table (tests/table_rows_*.py), doc-only rows included."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import table_support

    return table_support.table_rows()


def lines(rows: list | None = None) -> list[Line]:
    """Every reference line of the table, in table order; raises on a line without a
    section, under an unknown section, or a function with two lines."""
    known = {s.title for s in SECTIONS}
    out: list[Line] = []
    seen: dict[str, str] = {}
    for r in table_rows() if rows is None else rows:
        for line in r.doc:
            name, sep, text = line.partition(": ")
            if not sep or not text:
                raise ValueError(f"row {r.name!r}: a reference line is 'name: text', not {line!r}")
            if r.section not in known:
                raise ValueError(f"row {r.name!r}: its lines need a section of docs/numpy_reference.py (in_section), "
                                 f"not {r.section!r}")
            if name in seen:
                raise ValueError(f"{name} has two lines: on rows {seen[name]!r} and {r.name!r}")
            seen[name] = r.name
            out.append(Line(name, text, r.section, r.name))
    return out


def entries() -> dict[str, str]:
    """Every function's line, by qualified name (``sin``, ``linalg.inv``, ``fft.rfft``)."""
    return {line.name: line.text for line in lines()}


def zero_derivative_names() -> set[str]:
    zero = {s.title for s in SECTIONS if s.zero}
    return {line.name for line in lines() if line.section in zero}


HEADER = """\
# fgrad.numpy

::: fgrad.numpy
    options:
      show_root_heading: false
      members: false

Each function below has its line: its derivative rule, its choice at non-smooth points
(compared with JAX's; [Derivatives at non-smooth points](../how-to/non-smooth-points.md)
lists them all), and what it refuses on traced values. In the rules `g` is the
cotangent of the result and `ans` the result; the rules are written with fgrad
operations, so they differentiate again. Binary functions sum their cotangents back over
broadcast axes. The NumPy functions that dispatch to these are listed in the
[how-to guide](../how-to/numpy-code.md).

<!-- Generated by docs/numpy_reference.py from the function table: edit a line on its row
     (`doc=` in tests/table_rows_*.py) and run `python docs/numpy_reference.py write`. -->
"""


def render() -> str:
    """The page docs/reference/numpy.md."""
    by_section: dict[str, list[Line]] = {}
    for line in lines():
        by_section.setdefault(line.section, []).append(line)
    parts = [HEADER]
    for section in SECTIONS:
        parts.append(f"\n## {section.title}\n")
        if section.intro:
            parts.append(f"\n{section.intro}\n")
        parts.append("\n| function | derivative |\n| --- | --- |\n")
        for line in by_section.get(section.title, []):
            parts.append(f"| `{line.name}` | {line.text} |\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "write":
        PAGE.write_text(render(), encoding="utf-8")
        return 0
    if command == "check":
        if PAGE.read_text(encoding="utf-8") != render():
            print(f"{PAGE} is out of date: run `python docs/numpy_reference.py write`", file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
