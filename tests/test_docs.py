"""Every ```python block in docs/ runs, and prints exactly what the page shows.

The convention (also described for authors in docs/contributing.md):

* The ```python blocks of one page run in order, in one namespace (``__name__ ==
  "__main__"``), in a fresh temporary working directory, with warnings turned into errors.
* A ```text block that directly follows a ```python block (nothing but blank lines
  between) is that block's output: exactly what it prints to stdout. Trailing spaces and
  leading/trailing blank lines are ignored, nothing else is.
* A ```python block without such an output block must print nothing.
* Python code is always fenced as ```python: other spellings (py, pycon, python3, ...)
  are refused so no example can escape the run. Other languages (bash, text, toml) are
  not run.

Tracebacks point at the Markdown file and line of the failing statement.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path
from typing import NamedTuple

import pytest

import fgrad
from fgrad._dot import DotNotFoundError
from extras_support import REQUIRED
from graphviz_support import HAVE_DOT, IN_CI

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+.-]*)(?P<rest>.*)$")
_OTHER_PYTHON = {"py", "py3", "python3", "pycon", "ipython", "ipython3", "pyi"}


class Block(NamedTuple):
    lang: str
    code: str
    line: int  # 1-based line of the first code line in the page


class Example(NamedTuple):
    code: Block
    output: Block | None


def fenced_blocks(text: str) -> list[tuple[Block, int]]:
    """Fenced code blocks of a Markdown page, with the line number where each one ends."""
    lines = text.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body = []
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        if j == len(lines):
            raise ValueError(f"line {i + 1}: code fence {fence!r} is never closed")
        blocks.append((Block(m["lang"].lower(), "\n".join(body), i + 2), j + 1))
        i = j + 1
    return blocks


def examples(text: str) -> list[Example]:
    """The page's ```python blocks, each paired with its ```text output block if it has one."""
    blocks = fenced_blocks(text)
    lines = text.splitlines()
    out = []
    for k, (block, end) in enumerate(blocks):
        if block.lang in _OTHER_PYTHON:
            raise ValueError(f"line {block.line - 1}: fence Python code as ```python, not ```{block.lang}")
        if block.lang != "python":
            continue
        output = None
        if k + 1 < len(blocks):
            nxt, _ = blocks[k + 1]
            between = lines[end:nxt.line - 2]
            if nxt.lang == "text" and all(not s.strip() for s in between):
                output = nxt
        out.append(Example(block, output))
    return out


def _normalized(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


# NumPy functions that newer NumPy versions removed: fgrad supports them where they
# exist, so on an older NumPy a printed list of supported functions has them too.
REMOVED_BY_NEWER_NUMPY = {"np.trapz"}


def _numpy_has(dotted: str) -> bool:
    import numpy as np

    obj = np
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part, None)
    return obj is not None


def _same_but_for_numpy_version(want: str, got: str) -> bool:
    """Whether two printouts differ only in which NumPy functions this NumPy version has.

    Pages list what fgrad supports on the newest NumPy; Python 3.10's NumPy (at most
    2.2) lacks a few of those and still has one that 2.4 removed.
    """
    names = re.compile(r"\bnp\.[\w.]*\w")
    counts = re.compile(r"^\d+ ")
    want_names, got_names = set(names.findall(want)), set(names.findall(got))
    def rest(text: str) -> list[str]:  # the printout without the names, their commas and the count
        return names.sub(" ", counts.sub("", text)).replace(",", " ").split()

    if not want_names or rest(want) != rest(got):
        return False
    missing = want_names - got_names
    extra = got_names - want_names
    return all(not _numpy_has(n) for n in missing) and extra <= REMOVED_BY_NEWER_NUMPY


def run_page(text: str, filename: str) -> None:
    """Run a page's examples in order; raise AssertionError on the first wrong output."""
    namespace: dict = {"__name__": "__main__"}
    for ex in examples(text):
        # Leading newlines make tracebacks report the line number in the page.
        code = compile("\n" * (ex.code.line - 1) + ex.code.code, filename, "exec")
        printed = io.StringIO()
        with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
            warnings.simplefilter("error")
            exec(code, namespace)
        got = _normalized(printed.getvalue())
        want = _normalized(ex.output.code) if ex.output else ""
        if got != want and not _same_but_for_numpy_version(want, got):
            where = f"{filename}, block at line {ex.code.line - 1}"
            if ex.output is None:
                raise AssertionError(f"{where} prints output but the page shows none; add a ```text block:\n{got}")
            raise AssertionError(f"{where}: printed output differs from the page.\n--- page shows:\n{want}\n--- printed:\n{got}")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_examples_run_and_print_what_they_show(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        run_page(page.read_text(encoding="utf-8"), str(page.relative_to(DOCS.parent)))
    except DotNotFoundError:
        # Pages that draw pictures need Graphviz (see tests/graphviz_support.py).
        if HAVE_DOT or IN_CI:
            raise
        pytest.skip("this page draws graphs with Graphviz's dot, which is not installed (CI installs it)")
    except ModuleNotFoundError as err:
        # Pages that plot need matplotlib (the plot and docs extras; CI's docs step has it).
        extra = {"matplotlib": "docs", "dask": "dask", "array_api_strict": "array-api"}.get((err.name or "").split(".")[0])
        if extra is None or extra in REQUIRED:
            raise
        pytest.skip(f"this page needs {err.name}, which is not installed (pip install -e '.[{extra}]')")


def test_only_numpy_version_differences_are_forgiven():
    want = "3 functions:\nnp.add, np.matvec, np.sin"
    assert _same_but_for_numpy_version(want, want)
    assert not _same_but_for_numpy_version(want, "2 functions:\nnp.add, np.sin")  # np.sin exists: a real gap
    assert not _same_but_for_numpy_version(want, "4 functions:\nnp.add, np.cos, np.matvec, np.sin")
    assert not _same_but_for_numpy_version(want, "3 functions:\nnp.add, np.matvec, np.sin, and more")
    if not _numpy_has("np.matvec"):
        assert _same_but_for_numpy_version(want, "2 functions:\nnp.add, np.sin")
    assert _same_but_for_numpy_version(want, "4 functions:\nnp.add, np.matvec, np.sin, np.trapz")


def test_the_checker_finds_the_examples():
    # Guards the checker itself: a parsing slip that found no blocks would pass every page.
    found = [ex for p in PAGES for ex in examples(p.read_text(encoding="utf-8"))]
    assert len(PAGES) >= 20
    assert len(found) >= 90
    assert sum(ex.output is not None for ex in found) >= 80


# ---------------------------------------------------------------- the checker itself
PAGE = """\
# A page

```python
x = 2.0
print(x * 3)
```

```text
{shown}
```

Later blocks see earlier names:

```python
y = x + 1
```
"""


def test_checker_accepts_the_right_output():
    run_page(PAGE.format(shown="6.0"), "page.md")


def test_checker_rejects_a_wrong_output():
    with pytest.raises(AssertionError, match="differs from the page"):
        run_page(PAGE.format(shown="6.5"), "page.md")


def test_checker_rejects_unshown_output():
    with pytest.raises(AssertionError, match="shows none"):
        run_page("```python\nprint(1)\n```\n\nSome prose.\n\n```text\n1\n```\n", "page.md")


def test_checker_reports_the_page_line_of_an_error():
    with pytest.raises(ZeroDivisionError) as info:
        run_page("# t\n\n```python\na = 1\nb = a / 0\n```\n", "page.md")
    assert info.traceback[-1].lineno + 1 == 5


def test_checker_runs_indented_blocks_and_refuses_other_python_fences():
    with pytest.raises(AssertionError):
        run_page('!!! note\n    ```python\n    print("a")\n    ```\n\n    ```text\n    b\n    ```\n', "page.md")
    with pytest.raises(ValueError, match="```python"):
        run_page("```py\nprint(1)\n```\n", "page.md")


def test_checker_turns_warnings_into_errors():
    with pytest.raises(RuntimeWarning):
        run_page("```python\nimport numpy as np\nnp.log(np.array(0.0))\n```\n", "page.md")


# ---------------------------------------------------------------- the API reference
REFERENCE = DOCS / "reference"


def _reference_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(REFERENCE.glob("*.md")))


def test_reference_documents_every_public_name():
    text = _reference_text()
    missing = [name for name in fgrad.__all__ if not re.search(rf"^::: fgrad\.{name}\s*$", text, re.M)]
    assert not missing, f"add `::: fgrad.NAME` to a page in docs/reference/ for: {missing}"


def test_numpy_reference_lists_every_function():
    import fgrad.numpy as fnp

    page = (REFERENCE / "numpy.md").read_text(encoding="utf-8")
    public = [n for n in dir(fnp) if not n.startswith("_") and callable(getattr(fnp, n))]
    missing = [n for n in public if f"`{n}`" not in page]
    assert not missing, f"docs/reference/numpy.md does not list: {missing}"
    listed = re.findall(r"^\| `(\w+)`", page, re.M)
    unknown = [n for n in listed if not hasattr(fnp, n) and _numpy_has(f"np.{n}")]  # (row_stack: gone in NumPy 2.5)
    assert not unknown, f"docs/reference/numpy.md lists names fgrad.numpy does not have: {unknown}"


def test_numpy_code_guide_lists_every_dispatched_numpy_function():
    import numpy as np

    from fgrad._ops import ARRAY_FUNCTIONS, UFUNCS

    page = (DOCS / "how-to" / "numpy-code.md").read_text(encoding="utf-8")
    mentioned = set()
    for dotted in re.findall(r"\bnp\.([\w.]*\w)", page):
        obj = np
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
        if obj is not None:
            mentioned.add(obj)
    from fgrad._dispatch import numpy_name

    missing = sorted(f.__name__ for f in [*UFUNCS, *ARRAY_FUNCTIONS]
                     if numpy_name(f).startswith("np.")  # (SciPy's ufuncs register here too once loaded)
                     and f not in mentioned and f"np.{f.__name__}" not in REMOVED_BY_NEWER_NUMPY)
    assert not missing, f"docs/how-to/numpy-code.md ('What is supported') does not list: {missing}"
