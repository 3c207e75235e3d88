"""docs/reference/numpy.md: one line per function, generated from the function table.

Each public function of ``fgrad.numpy``, ``fgrad.numpy.linalg`` and ``fgrad.numpy.fft`` has
its reference line on the table row that tests it (``doc=`` in tests/table_rows_*.py), or
on a doc-only row saying why no row runs it; docs/numpy_reference.py renders the page from
those rows. Here: the committed page is what it renders now; every public function has
exactly one line and every line names a real function; the row holding a line runs that
function (or its doc-only reason holds); every function the table runs has a line; and the
section of zero derivatives holds exactly the piecewise-constant helpers.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import types
from pathlib import Path

import numpy
import pytest

import fgrad.numpy as fnp
import test_numpy_table
from table_support import NUMPY_OWN, PLAIN, UNARY, doc_only, in_section, row, table_rows

ROOT = Path(__file__).resolve().parent.parent


def _load_reference_module():
    spec = importlib.util.spec_from_file_location("docs_numpy_reference", ROOT / "docs" / "numpy_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_reference_module()
ROWS = table_rows()
ENTRIES = reference.entries()


def _public_names() -> list[str]:
    """``sin``, ``linalg.inv``, ``fft.rfft``: every public function of the three namespaces."""
    names = [n for n in fnp.__all__ if not isinstance(getattr(fnp, n), types.ModuleType)]
    return names + [f"linalg.{n}" for n in fnp.linalg.__all__] + [f"fft.{n}" for n in fnp.fft.__all__]


def _resolve(qualified: str):
    obj = fnp
    for part in qualified.split("."):
        obj = getattr(obj, part)
    return obj


def _calls(r, name: str) -> bool:
    """Whether row `r` is named after `name` or its source calls it (``np.name(``, ``x.name(``)."""
    if r.fun is None:
        return False
    source = inspect.getsource(r.fun)
    if name.startswith(("linalg.", "fft.")):
        return f"np.{name}(" in source
    return name in r.name.split() or bool(re.search(rf"(?<![\w.])np\.{name}\(|[\w)\]]\.{name}\(", source))


def _runs(r) -> bool:
    return r.fun is not None and bool(r.namespaces) and bool(r.shapes)


def _missing_lines(rows: list, names: list[str]) -> list[str]:
    """The functions among `names` that a running row of `rows` calls, with no line in `rows`."""
    lined = {line.partition(": ")[0] for r in rows for line in r.doc}
    return sorted({n for r in rows if _runs(r) for n in names if n not in lined and _calls(r, n)})


def test_committed_page_is_current():
    page = reference.PAGE.read_text(encoding="utf-8")
    assert page == reference.render(), "docs/reference/numpy.md is out of date: run `python docs/numpy_reference.py write`"


def test_every_public_function_has_exactly_one_line():
    missing = [n for n in _public_names() if n not in ENTRIES]
    assert not missing, f"give these a line (`doc=` on the table row that tests them, tests/table_rows_*.py): {missing}"
    names = [line.name for line in reference.lines()]
    assert len(names) == len(set(names))


def test_every_function_the_table_runs_has_a_line():
    """A row added for a function without its line fails here (and the page would lack it)."""
    assert _missing_lines(ROWS, _public_names()) == []


def test_a_row_without_its_line_is_caught():
    without_sinc = [r._replace(doc=()) if "sinc: " in " ".join(r.doc) else r for r in ROWS]
    assert _missing_lines(without_sinc, _public_names()) == ["sinc"]
    new = row("newfunc", lambda np, x: np.newfunc(x), UNARY)
    assert _missing_lines([*ROWS, new], [*_public_names(), "newfunc"]) == ["newfunc"]


def test_lines_need_a_known_section_and_one_row_each():
    sin = next(r for r in ROWS if "sin: " in " ".join(r.doc))
    with pytest.raises(ValueError, match="sin has two lines"):
        reference.lines([sin, sin])
    with pytest.raises(ValueError, match="need a section"):
        reference.lines([sin._replace(section="")])
    with pytest.raises(ValueError, match="a doc-only row needs a reason"):
        doc_only("sin: text.", "")


def _in_numpy(name: str) -> bool:
    obj = numpy
    for part in name.split("."):
        obj = getattr(obj, part, None)
    return obj is not None


def test_every_line_names_a_function_of_fgrad_numpy():
    unknown = []
    for name in ENTRIES:
        try:
            _resolve(name)
        except AttributeError:
            if _in_numpy(name):  # (a function a newer NumPy removed, row_stack, is fgrad's only where NumPy's is)
                unknown.append(name)
    assert not unknown, f"the table has lines for names fgrad.numpy lacks: {unknown}"


def test_lines_are_single_table_cells():
    bad = [name for name, text in ENTRIES.items() if not text.strip() or "\n" in text or not text.endswith(".")]
    assert not bad, f"lines must be one sentence-like cell ending with '.': {bad}"


def test_the_row_holding_a_line_runs_that_function():
    """Each line sits on a row of the table that calls its function (so the table checks the
    rule the line states), or on a doc-only row whose reason holds."""
    public = set(_public_names())
    by_row = {r.name: r for r in ROWS}
    wrong = []
    for line in reference.lines():
        r = by_row[line.row]
        if r.doc_only:
            continue
        if line.name in public and not (_runs(r) and (_calls(r, line.name) or _records(r, line.name))):
            wrong.append(f"{line.name} (row {r.name!r})")
    assert not wrong, f"lines on rows that do not run their function: {wrong}"


def _records(r, primitive: str) -> bool:
    """Whether row `r` records a primitive named `primitive` (``cast``, behind ``astype``)."""
    args = test_numpy_table._arguments(r, test_numpy_table.argument_shapes(r.shapes[0]), seed=1)
    return primitive in test_numpy_table._recorded_primitives(lambda *xs: r.fun(fnp, *xs), args)


def test_doc_only_rows_say_why_and_it_holds():
    for r in (r for r in ROWS if r.doc_only):
        assert r.fun is None and not r.shapes and len(r.doc) == 1, r.name
        if r.name not in _public_names() and r.name != "random":
            continue  # a name this NumPy lacks
        obj = _resolve(r.name)
        if r.doc_only == PLAIN:
            assert getattr(obj, "is_plain", False), f"{r.name}: doc-only as PLAIN, but recorded as differentiable"
        elif r.doc_only == NUMPY_OWN:
            assert obj is getattr(numpy, r.name), f"{r.name}: doc-only as NumPy's own, but fgrad.numpy has its own"
        else:
            where = ROOT / r.doc_only
            assert r.doc_only.startswith("tests/") and where.is_file(), f"{r.name}: unknown reason {r.doc_only!r}"
            assert r.name.rpartition(".")[2] in where.read_text(encoding="utf-8"), f"{where} does not exercise {r.name}"


def test_zero_derivative_section_holds_exactly_the_piecewise_constant_helpers():
    zero = reference.zero_derivative_names()
    not_plain = sorted(n for n in zero if not getattr(_resolve(n), "is_plain", False))
    assert not not_plain, f"listed as zero-derivative helpers but recorded as differentiable: {not_plain}"
    plain = sorted(n for n in _public_names() if getattr(_resolve(n), "is_plain", False))
    assert set(plain) <= zero, f"piecewise-constant helpers missing from the zero section: {sorted(set(plain) - zero)}"


def test_page_lists_every_callable_of_fgrad_numpy_in_a_table_row():
    page = reference.PAGE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([\w.]+)`", page, re.M))
    public = {n for n in dir(fnp) if not n.startswith("_") and callable(getattr(fnp, n))}
    assert public <= listed, f"not on the page: {sorted(public - listed)}"


def test_in_section_places_lines_under_a_heading():
    rows = in_section("Introspection", [doc_only("supported: a line.", "tests/test_numpy_dispatch.py")])
    assert reference.lines(rows) == [reference.Line("supported", "a line.", "Introspection", "supported")]


def test_main_check_and_write(tmp_path, monkeypatch):
    page = tmp_path / "numpy.md"
    monkeypatch.setattr(reference, "PAGE", page)
    assert reference.main(["numpy_reference.py", "write"]) == 0
    assert reference.main(["numpy_reference.py", "check"]) == 0
    page.write_text("stale", encoding="utf-8")
    assert reference.main(["numpy_reference.py", "check"]) == 1
    assert reference.main(["numpy_reference.py"]) == 2
