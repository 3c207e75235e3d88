"""docs/reference/numpy.md: one line per function, generated, and tied to the function table.

docs/numpy_reference.py holds a line for each public function of fgrad.numpy (its
derivative rule, convention, refusals) and renders the page. Here: the committed page is
what it renders now; every public function of ``fgrad.numpy``, ``fgrad.numpy.linalg`` and
``fgrad.numpy.fft`` has exactly one line and every line names a real function; every one of
them is exercised by the systematic function table (tests/test_numpy_table.py), so the
reference and the table cannot drift apart; and the section of zero derivatives holds
exactly the piecewise-constant helpers.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import types
from pathlib import Path

import numpy as np
import fgrad.numpy as fnp
import test_numpy_table

ROOT = Path(__file__).resolve().parent.parent


def _load_reference_module():
    spec = importlib.util.spec_from_file_location("docs_numpy_reference", ROOT / "docs" / "numpy_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_reference_module()
ENTRIES = reference.entries()

# Public functions the function table does not call, each with where it is checked instead.
TESTED_ELSEWHERE = {
    "angle": "tests/test_complex.py",  # a complex function: the table's rows are real
    "imag": "tests/test_complex.py",
    "at": "tests/test_numpy_usage.py",  # functional updates, `x.at[idx]`
    "supported": "tests/test_numpy_dispatch.py",  # introspection, nothing to differentiate
    "array_attributes": "tests/test_numpy_usage.py",
    "linalg.matmul": "tests/test_numpy_table.py",  # the same function as fnp.matmul
}


def _public_names() -> list[str]:
    """``sin``, ``linalg.inv``, ``fft.rfft``: every public function of the three namespaces."""
    names = [n for n in fnp.__all__ if not isinstance(getattr(fnp, n), types.ModuleType)]
    return names + [f"linalg.{n}" for n in fnp.linalg.__all__] + [f"fft.{n}" for n in fnp.fft.__all__]


def _resolve(qualified: str):
    obj = fnp
    for part in qualified.split("."):
        obj = getattr(obj, part)
    return obj


def test_committed_page_is_current():
    page = reference.PAGE.read_text(encoding="utf-8")
    assert page == reference.render(), "docs/reference/numpy.md is out of date: run `python docs/numpy_reference.py write`"


def test_every_public_function_has_a_line():
    missing = [n for n in _public_names() if n not in ENTRIES]
    assert not missing, f"add a line to docs/numpy_reference.py for: {missing}"


def _in_numpy(name: str) -> bool:
    import numpy

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
    assert not unknown, f"docs/numpy_reference.py has lines for names fgrad.numpy lacks: {unknown}"


def test_lines_are_single_table_cells():
    bad = [name for name, text in ENTRIES.items() if not text.strip() or "\n" in text or not text.endswith(".")]
    assert not bad, f"lines must be one sentence-like cell ending with '.': {bad}"


def test_every_public_function_is_in_the_function_table():
    """The coverage logic of test_table_covers_every_differentiable_function, per reference line."""
    sources = "\n".join(inspect.getsource(r.fun) for r in test_numpy_table.ROWS)
    row_names = {r.name for r in test_numpy_table.ROWS}

    def in_table(name: str) -> bool:
        if name.startswith("linalg."):
            return f"np.linalg.{name[7:]}(" in sources
        if name.startswith("fft."):
            return f"np.fft.{name[4:]}(" in sources
        return name in row_names or f"np.{name}(" in sources or f".{name}(" in sources

    zero = reference.zero_derivative_names()
    missing = [n for n in _public_names() if not in_table(n) and n not in zero and n not in TESTED_ELSEWHERE
               and not getattr(_resolve(n), "is_plain", False)]
    assert not missing, f"functions with a reference line but no row in the function table: {missing}"
    for name, where in TESTED_ELSEWHERE.items():
        assert name in ENTRIES
        short = name.rpartition(".")[2]
        assert short in (ROOT / where).read_text(encoding="utf-8"), f"{where} does not exercise {name}"


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


def test_main_check_and_write(tmp_path, monkeypatch):
    page = tmp_path / "numpy.md"
    monkeypatch.setattr(reference, "PAGE", page)
    assert reference.main(["numpy_reference.py", "write"]) == 0
    assert reference.main(["numpy_reference.py", "check"]) == 0
    page.write_text("stale", encoding="utf-8")
    assert reference.main(["numpy_reference.py", "check"]) == 1
    assert reference.main(["numpy_reference.py"]) == 2
