"""What the function table (tests/test_numpy_table.py) is written with: argument domains,
the Row record and its builders, and the usual shape lists.

Rows live in the ``table_rows_*.py`` modules beside it (one per area: elementwise,
reductions, linear algebra, FFT, ...), each defining ``ROWS``; the table test runs them all.

The table is also the fgrad.numpy reference: the row that tests a function holds its
line on docs/reference/numpy.md (``doc="name: rule, convention, refusals."``), and
`in_section` puts lines under a heading of that page. A public function the table does
not run (a piecewise-constant helper, NumPy's own constructors) has a `doc_only` row: its
line, and the reason no row runs it. docs/numpy_reference.py renders the page from these
rows; tests/test_numpy_reference.py checks that every public function has exactly one line.
"""

from __future__ import annotations

import importlib
import pathlib
from typing import Any, Callable, NamedTuple

import numpy

# ---------------------------------------------------------------- domains: where each function is smooth
def real(rng, shape):
    return rng.uniform(-1.5, 1.5, shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def unit(rng, shape):  # inside (-1, 1), away from the ends
    return rng.uniform(-0.8, 0.8, shape)


def above_one(rng, shape):
    return rng.uniform(1.3, 3.0, shape)


def nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 1.5, shape)


def spaced(rng, shape):
    """Distinct values, far apart compared with the finite-difference step (no ties)."""
    n = int(numpy.prod(shape, dtype=int))
    return (rng.permutation(n).reshape(shape) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, shape)


def well_conditioned(rng, shape):
    return rng.uniform(-0.5, 0.5, shape) + 2.0 * numpy.eye(shape[-1])


def spd(rng, shape):
    a = rng.uniform(-1.0, 1.0, shape)
    return a @ numpy.swapaxes(a, -1, -2) + shape[-1] * numpy.eye(shape[-1])


def increasing(rng, shape):
    return numpy.cumsum(rng.uniform(0.3, 1.0, shape), axis=-1)


def with_nan(rng, shape):
    x = rng.uniform(-1.5, 1.5, shape)
    x.flat[1] = numpy.nan
    return x


def low(rng, shape):
    return rng.uniform(-1.0, -0.3, shape)


def high(rng, shape):
    return rng.uniform(0.3, 1.0, shape)


# ---------------------------------------------------------------- the table
class Row(NamedTuple):
    name: str
    fun: Callable[..., Any] | None  # fun(np, *args); None for a doc-only row
    shapes: list  # argument shapes, one tuple per case (a bare shape for one argument)
    domain: Any = real  # one domain, or one per argument
    order: int = 2
    namespaces: tuple = ("fnp", "np")  # ("np",): NumPy-only syntax such as ufunc methods
    doc: tuple = ()  # reference lines, "name: text" ("linalg.name", "fft.name" in the submodules)
    section: str = ""  # the heading of docs/reference/numpy.md the lines go under (`in_section`)
    doc_only: str = ""  # why the table runs no row for this function (a doc-only row)


def row(name, fun, shapes, domain=real, order=2, namespaces=("fnp", "np"), doc=()):
    """A row; ``doc`` is its reference line (a string) or lines (a tuple), "name: text"."""
    return Row(name, fun, shapes, domain, order, namespaces, (doc,) if isinstance(doc, str) else tuple(doc))


def unary(name, domain, doc=()):
    """The row of an elementwise function of one argument, on scalars, vectors and matrices."""
    return row(name, lambda np, x: getattr(np, name)(x), UNARY, domain, doc=doc)


def binary(name, domain, doc=()):
    """The row of an elementwise function of two arguments, on broadcasting pairs."""
    return row(name, lambda np, x, y: getattr(np, name)(x, y), BINARY, domain, doc=doc)


# Reasons a function has a doc-only row: tests/test_numpy_reference.py checks each claim.
PLAIN = "plain"  # piecewise constant: fgrad.numpy's `plain` (is_plain), plain values out, derivative zero
NUMPY_OWN = "NumPy's own"  # NumPy's object itself (a constructor, a dtype, numpy.random)


def doc_only(line: str, reason: str) -> Row:
    """A function's reference line with no row run: ``reason`` is `PLAIN`, `NUMPY_OWN`, or the
    test file that exercises it instead ("tests/test_complex.py")."""
    if not reason:
        raise ValueError(f"a doc-only row needs a reason: {line!r}")
    return Row(line.partition(": ")[0], None, [], namespaces=(), doc=(line,), doc_only=reason)


def in_section(title: str, rows: list) -> list:
    """``rows`` with their reference lines under the heading ``title`` of docs/reference/numpy.md."""
    return [r._replace(section=title) for r in rows]


def table_rows() -> list:
    """Every row of the table_rows_*.py modules, doc-only ones included, in file order."""
    here = pathlib.Path(__file__).parent
    return [r for path in sorted(here.glob("table_rows_*.py")) for r in importlib.import_module(path.stem).ROWS]


UNARY = [(), (3,), (2, 3)]
BINARY = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 2))]
MATRIX = [(2, 3)]
CUBE = [(2, 3, 4)]
SQUARE = [(3, 3), (2, 3, 3)]


def argument_shapes(case) -> tuple:
    """A case is one shape (one argument) or a tuple of shapes."""
    return case if case and isinstance(case[0], tuple) else (case,)


def float64_arguments(r, shapes: tuple, seed: int) -> tuple:
    """Arguments drawn from the row's domains: float64 arrays, scalars as Python floats."""
    rng = numpy.random.default_rng(seed)
    domains = r.domain if isinstance(r.domain, tuple) else (r.domain,) * len(shapes)
    return tuple(d(rng, s) if s else float(d(rng, (1,))[0]) for d, s in zip(domains, shapes))
