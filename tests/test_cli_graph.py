"""`python -m fgrad graph ...`: the same pictures as the API, and clear errors."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import fgrad
from fgrad._cli_graph import main
from fgrad._tour import goldstein
from graphviz_support import HAVE_DOT, IN_CI, every_dot_text_is_accepted_by_dot, requires_dot  # noqa: F401

REPO = Path(__file__).resolve().parents[1]


def cli(*args, env=None, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "fgrad", "graph", *args], capture_output=True, text=True,
                          cwd=cwd, env=env)


@requires_dot
def test_cli_svg_is_the_api_svg(tmp_path):
    proc = cli("fgrad._tour:goldstein", "--args", "1.0", "1.0", "-o", str(tmp_path / "cli.svg"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"wrote {tmp_path / 'cli.svg'}: Graph(2 inputs, 1 output, 38 primitive applications: add, mul, pow, sub)\n"
    api = fgrad.render(fgrad.trace(goldstein)(1.0, 1.0), tmp_path / "api.svg")
    assert (tmp_path / "cli.svg").read_bytes() == api.read_bytes()


@requires_dot
def test_cli_grad_png_is_the_api_png(tmp_path):
    proc = cli("numpy:tanh", "--args", "1", "--grad", "3", "--verbose", "-o", str(tmp_path / "cli.png"))
    assert proc.returncode == 0, proc.stderr
    f = fgrad.grad(fgrad.grad(fgrad.grad(np.tanh)))
    api = fgrad.render(fgrad.trace(f)(1.0), tmp_path / "api.png", verbose=True)
    assert (tmp_path / "cli.png").read_bytes() == api.read_bytes()
    assert api.read_bytes().startswith(b"\x89PNG")


def test_cli_prints_dot_text_without_output_file():
    proc = cli("fgrad._tour:goldstein", "--args", "1", "1", "--grad", "1", "--argnum", "1",
               "--rankdir", "LR", "--no-constants", "--max-nodes", "0")
    assert proc.returncode == 0, proc.stderr
    graph = fgrad.trace(fgrad.grad(goldstein, argnums=1))(1.0, 1.0)
    assert proc.stdout == fgrad.to_dot(graph, rankdir="LR", show_constants=False, max_nodes=None) + "\n"


def test_cli_print_and_array_arguments(tmp_path, capsys):
    source = tmp_path / "model.py"
    source.write_text(textwrap.dedent("""\
        import numpy as np

        def loss(w, b):
            return np.sum(np.tanh(w) * b)
        """))
    assert main([f"{source}:loss", "--args", "[1, 2]", "0.5", "--print", "-o", str(tmp_path / "m.dot")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("graph(w:f64[2], b:f64[]) {\n  t0:f64[2] = tanh w\n")
    assert (tmp_path / "m.dot").read_text().startswith('digraph g {\n0 [label="w", color=orange')


def test_help():
    proc = cli("--help")
    assert proc.returncode == 0
    for text in ("MODULE:FUNCTION", "--args", "--grad N", "-o FILE", "examples:", "fgrad._tour:goldstein"):
        assert text in proc.stdout
    top = subprocess.run([sys.executable, "-m", "fgrad", "nope"], capture_output=True, text=True, cwd=REPO)
    assert top.returncode == 2 and "graph MODULE:FUNCTION" in top.stderr


@pytest.mark.parametrize("args, message", [
    (["no_such_module_xyz:f", "--args", "1"], "cannot import module 'no_such_module_xyz'"),
    (["fgrad._tour:no_such", "--args", "1"], "'fgrad._tour' has no attribute 'no_such'; its public functions are: "),
    (["fgrad._tour", "--args", "1"], "expected MODULE:FUNCTION"),
    (["fgrad._tour:SECTIONS", "--args", "1"], "is a list, not a function"),
    (["missing_file.py:f"], "no such file: 'missing_file.py'"),
    (["fgrad._tour:goldstein", "--args", "one"], "'one' is not a number"),
    (["fgrad._tour:goldstein", "--args", "1", "1", "-o", "g.jpg"], "-o/--output must end in .svg"),
    (["fgrad._tour:goldstein", "--args", "1", "1", "--grad", "-1"], "--grad must be >= 0"),
    (["fgrad._tour:goldstein", "--args", "1", "1", "--max-nodes", "-3"], "must be >= 0"),
])
def test_command_line_mistakes_exit_2(args, message):
    proc = cli(*args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert "usage: python -m fgrad graph" in proc.stderr


def test_tracing_failures_exit_1():
    proc = cli("fgrad._tour:goldstein", "--args", "1")
    assert proc.returncode == 1
    assert "error: tracing fgrad._tour:goldstein at (1.0,) failed: TypeError" in proc.stderr
    proc = cli("numpy:tanh", "--args", "[1, 2]", "--grad", "1")
    assert proc.returncode == 1 and "must return a scalar" in proc.stderr


def test_missing_dot_is_reported(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}
    proc = cli("fgrad._tour:goldstein", "--args", "1", "1", "-o", str(tmp_path / "g.svg"), env=env)
    assert proc.returncode == 1 and "apt-get install graphviz" in proc.stderr
    assert not (tmp_path / "g.svg").exists()


def test_tour_draws_goldstein(tmp_path):
    out = subprocess.run([sys.executable, "-m", "fgrad"], capture_output=True, text=True, check=True, cwd=REPO).stdout
    section = out[out.index("Graphs:"):]
    assert "goldstein-price at (1, 1): 38 primitive applications (add, mul, pow, sub), DOT text " in section
    assert "primitive applications in trace(grad^n(tanh)), n = 0..6: 1, 2, 3, 8, 21, 56, 153" in section
    dot_bytes = len(fgrad.to_dot(fgrad.trace(goldstein)(1.0, 1.0)).encode())
    assert f"DOT text {dot_bytes} bytes" in section
    if HAVE_DOT or IN_CI:
        path = Path(section.split("  drawn to ", 1)[1].splitlines()[0])
        assert path.read_text() == fgrad.render(fgrad.trace(goldstein)(1.0, 1.0), tmp_path / "g.svg").read_text()
    else:
        assert "not drawn: Graphviz's `dot` program is not installed" in section


def test_tour_without_dot_still_reports_the_graph(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "fgrad"], capture_output=True, text=True, check=True,
                         cwd=REPO, env=env).stdout
    assert "goldstein-price at (1, 1): 38 primitive applications" in out
    assert "not drawn: Graphviz's `dot` program is not installed (e.g. `sudo apt-get install graphviz`)" in out
