"""Graphviz for the graph tests: `requires_dot`, and a check that `dot` accepts every DOT text.

Tests needing the `dot` program skip only when it is absent *and* the CI variable is
unset: CI installs Graphviz (.ci/run), so there they always run.
"""

import os
import shutil
import subprocess

import pytest

import fgrad
from fgrad import _cli_graph, _dot

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
DOT = shutil.which("dot")  # resolved once: some tests hide it by emptying PATH
HAVE_DOT = DOT is not None

requires_dot = pytest.mark.skipif(
    not HAVE_DOT and not IN_CI, reason="Graphviz's dot is not installed (CI installs it; there this runs)"
)


def dot_to_svg(text: str) -> str:
    """`dot -Tsvg` on `text`; fails the test if dot rejects or warns about it."""
    proc = subprocess.run([DOT or "dot", "-Tsvg"], input=text, capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stderr, f"dot rejected the DOT text: {proc.stderr}\n{text[:2000]}"
    assert "<svg" in proc.stdout
    return proc.stdout


@pytest.fixture(autouse=True)
def every_dot_text_is_accepted_by_dot(monkeypatch):
    """Record each DOT text a test makes (directly or via render) and run `dot -Tsvg` on it."""
    produced = []
    real = _dot.to_dot

    def recording(*args, **kwargs):
        text = real(*args, **kwargs)
        produced.append(text)
        return text

    for module in (fgrad, _dot, _cli_graph):
        monkeypatch.setattr(module, "to_dot", recording)
    yield produced
    if HAVE_DOT or IN_CI:
        for text in dict.fromkeys(produced):
            dot_to_svg(text)
