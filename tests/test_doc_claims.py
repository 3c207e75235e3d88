"""The README's code comments that state a result are true.

README.md has no output blocks (docs/ pages do, and tests/test_docs.py checks them): its
examples state their results in comments, `expr  # result`. This test runs the README's
```python blocks in order, one statement at a time, and checks every comment that ends a
statement (or stands alone on the line after it):

* ``# == other_expr``: the statement's value equals ``other_expr``'s (to rounding);
* a literal, such as ``# (-5376.0, 8064.0)`` or ``# array([0.63970001, ...])``: the
  numbers, booleans and strings of the value, in order, to the digits shown; ``...``
  stands for any number of them;
* after ``print(fgrad.trace(...))``, a list of names, ``# tanh, tanh_vjp``: the
  primitives of the printed graph, in order.

Any other comment must be listed in PROSE, so a new claim cannot go unchecked by being
written in a form this test does not read.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import tokenize
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fgrad._dot import DotNotFoundError
from graphviz_support import HAVE_DOT, IN_CI
from test_docs import fenced_blocks

README = Path(__file__).resolve().parent.parent / "README.md"

# Comments that describe rather than state a value.
PROSE = {"exact gradient and Hessian", "one aligned line per iteration"}

_ATOM = re.compile(r"""\.\.\.|'[^']*'|"[^"]*"|[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|True|False|None""")
_NOISE = re.compile(r"\b(?:array|np\.float64|np\.int64|dtype|float64)\b")
_NAMES = re.compile(r"^\w+(?:, \w+)*$")
_GRAPH_LINE = re.compile(r"^\s+\S+ = (\w+)\b")


def claims(code: str) -> dict[int, str]:
    """Comment text by line number (1-based) in `code`."""
    out = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string[1:].strip()
    return out


def claim_of(stmt: ast.stmt, comments: dict[int, str], lines: list[str]) -> str | None:
    """The comment ending `stmt`'s last line, or alone on the next line."""
    if stmt.end_lineno in comments:
        return comments[stmt.end_lineno]
    nxt = stmt.end_lineno + 1
    if nxt in comments and lines[nxt - 1].lstrip().startswith("#"):
        return comments[nxt]
    return None


# ---------------------------------------------------------------- literal claims
def atoms_of_value(value: Any) -> list[Any]:
    if isinstance(value, (tuple, list)):
        return [a for item in value for a in atoms_of_value(item)]
    if isinstance(value, np.ndarray):
        return atoms_of_value(value.tolist()) if value.ndim else [value.item()]
    if isinstance(value, np.generic):
        return [value.item()]
    return [value]


def atoms_of_claim(text: str) -> list[str] | None:
    """The claim's atoms, or None when it is not a literal (words other than array etc.)."""
    without = _NOISE.sub("", _ATOM.sub("", text))
    if re.search(r"[A-Za-z_]", without):
        return None
    atoms = _ATOM.findall(text)
    return atoms or None


def atom_matches(shown: str, value: Any) -> bool:
    if shown in ("True", "False", "None"):
        return repr(value) == shown
    if shown[0] in "'\"":
        return value == shown[1:-1]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    mantissa = shown.lower().split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(shown.lower().split("e")[1]) if "e" in shown.lower() else 0
    # as many digits as shown: the value rounds to the number written
    return abs(value - float(shown)) <= 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9)


def sequence_matches(shown: list[str], values: list[Any]) -> bool:
    if not shown:
        return not values
    if shown[0] == "...":
        return any(sequence_matches(shown[1:], values[k:]) for k in range(len(values) + 1))
    return bool(values) and atom_matches(shown[0], values[0]) and sequence_matches(shown[1:], values[1:])


# ---------------------------------------------------------------- running the README
def check_claim(claim: str, value: Any, printed: str, namespace: dict, where: str) -> None:
    if claim.startswith("=="):
        expected = eval(claim[2:].strip(), namespace)
        # two ways of rounding the same sums: entries that cancel are held to the array's scale
        scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
        np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12 * scale, err_msg=where)
    elif _NAMES.match(claim) and printed:
        primitives = [m.group(1) for line in printed.splitlines() if (m := _GRAPH_LINE.match(line))]
        assert primitives == claim.split(", "), f"{where}: the graph printed has {primitives}"
    elif (shown := atoms_of_claim(claim)) is not None:
        got = atoms_of_value(value)
        assert sequence_matches(shown, got), f"{where}: the value is {value!r}"
    else:
        assert claim in PROSE, f"{where}: a comment this test cannot check; make it a claim or add it to PROSE"


def run_readme(text: str) -> int:
    """Run the README's Python blocks, checking claims; return how many were checked."""
    namespace: dict = {"__name__": "__main__"}
    checked = 0
    for block, _ in fenced_blocks(text):
        if block.lang != "python":
            continue
        comments, lines = claims(block.code), block.code.splitlines()
        for stmt in ast.parse(block.code).body:
            where = f"README.md line {block.line + stmt.lineno - 1}"
            claim = claim_of(stmt, comments, lines)
            source = ast.get_source_segment(block.code, stmt)
            printed = io.StringIO()
            with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
                warnings.simplefilter("error")
                try:
                    if isinstance(stmt, ast.Expr):
                        value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
                    else:
                        exec(compile(ast.Module([stmt], []), where, "exec"), namespace)
                        value = None
                except DotNotFoundError:
                    if HAVE_DOT or IN_CI or claim is not None:
                        raise
                    continue  # drawing needs Graphviz; the statement claims nothing
            if claim is not None:
                check_claim(claim, value, printed.getvalue(), namespace, f"{where}: {source!r}  # {claim}")
                checked += 1
    return checked


def test_readme_comments_state_what_the_code_gives(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the README draws goldstein.svg
    checked = run_readme(README.read_text(encoding="utf-8"))
    assert checked >= 10  # guards the parser: every claim found, none skipped silently


# ---------------------------------------------------------------- the checker itself
@pytest.mark.parametrize("code", [
    "1.0 + 2.0  # 3.0",
    "(1.5, 2)  # (1.5, 2)",
    "np.arange(5.0) / 3  # array([0., 0.33333333, ...])",
    "np.float64(44.0)  # 44.0",
    "['a', 'b', 'c']  # ['a', 'b', ...]",
    "np.ones(2)  # == np.array([1.0, 1.0])",
    "0.123456  # 0.1235",
    "print(fgrad.trace(np.sin)(1.0))  # sin",
])
def test_checker_accepts_true_claims(code):
    assert run_readme(f"```python\nimport numpy as np, fgrad\n{code}\n```\n") == 1


@pytest.mark.parametrize("code", [
    "1.0 + 2.0  # 3.5",
    "(1.5, 2)  # (1.5, 3)",
    "np.arange(5.0) / 3  # array([0., 0.3334, ...])",
    "np.ones(2)  # == np.array([1.0, 1.5])",
    "0.123456  # 0.1234",
    "print(fgrad.trace(np.sin)(1.0))  # cos",
    "print(fgrad.trace(fgrad.grad(np.tanh))(1.0))  # tanh, square, sub, mul",
    "1.0  # some words that claim something",
])
def test_checker_rejects_false_claims(code):
    with pytest.raises(AssertionError):
        run_readme(f"```python\nimport numpy as np, fgrad\n{code}\n```\n")
