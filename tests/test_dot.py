"""DOT text in DeZero's visual language (step 26), deterministic; rendering with Graphviz."""

import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import fgrad
from fgrad._dot import DotNotFoundError
from fgrad._tour import goldstein
from graphviz_support import dot_to_svg, every_dot_text_is_accepted_by_dot, requires_dot  # noqa: F401


def add_graph():
    # DeZero step 26: x0 = Variable(1.0), x1 = Variable(1.0), y = x0 + x1, all named.
    return fgrad.trace(lambda x0, x1: fgrad.name(x0 + x1, "y"))(1.0, 1.0)


# ---------------------------------------------------------------- golden text
def test_golden_add_non_verbose():
    assert fgrad.to_dot(add_graph()) == textwrap.dedent("""\
        digraph g {
        0 [label="x0", color=orange, style=filled]
        1 [label="x1", color=orange, style=filled]
        2 [label="add", color=lightblue, style=filled, shape=box]
        0 -> 2
        1 -> 2
        3 [label="y", color=orange, style=filled]
        2 -> 3
        }""")


def test_golden_add_verbose():
    # DeZero's verbose label is "x0: () float64"; scalars also show their value.
    assert fgrad.to_dot(add_graph(), verbose=True) == textwrap.dedent("""\
        digraph g {
        0 [label="x0: () float64\\n1.0", color=orange, style=filled]
        1 [label="x1: () float64\\n1.0", color=orange, style=filled]
        2 [label="add", color=lightblue, style=filled, shape=box]
        0 -> 2
        1 -> 2
        3 [label="y: () float64\\n2.0", color=orange, style=filled]
        2 -> 3
        }""")


def test_golden_one_primitive_exp():
    graph = fgrad.trace(lambda x: fgrad.name(np.exp(x), "y"))(np.float64(0.5))
    assert fgrad.to_dot(graph) == textwrap.dedent("""\
        digraph g {
        0 [label="x", color=orange, style=filled]
        1 [label="exp", color=lightblue, style=filled, shape=box]
        0 -> 1
        2 [label="y", color=orange, style=filled]
        1 -> 2
        }""")


def test_unnamed_values_have_empty_labels_and_constants_are_gray_nodes():
    text = fgrad.to_dot(fgrad.trace(lambda x: 2.0 * x)(3.0))
    assert text == textwrap.dedent("""\
        digraph g {
        0 [label="x", color=orange, style=filled]
        1 [label="2.0", color=lightgray, style=filled]
        2 [label="mul", color=lightblue, style=filled, shape=box]
        1 -> 2
        0 -> 2
        3 [label="", color=orange, style=filled]
        2 -> 3
        }""")


def test_primitive_labels_show_static_params():
    def f(x):
        y = np.sum(x ** 3, axis=1)
        return y.reshape((1, 2))[0, :1]

    text = fgrad.to_dot(fgrad.trace(f)(np.ones((2, 3))), show_constants=False)
    boxes = [line.split('"')[1] for line in text.splitlines() if "shape=box" in line]
    assert boxes == ["pow 3", "sum axis=1", "reshape shape=(1, 2)", "getitem idx=[0, :1]"]
    assert "lightgray" not in text


def test_array_constants_and_verbose_arrays():
    text = fgrad.to_dot(fgrad.trace(lambda x: x + np.array([1.0, 2.0]))(np.zeros(2)), verbose=True)
    assert '[label="[1.,2.]\\n(2,) float64", color=lightgray, style=filled]' in text
    assert '[label="x: (2,) float64", color=orange, style=filled]' in text


# ---------------------------------------------------------------- goldstein-price
def test_goldstein_dot_counts_and_determinism():
    graph = fgrad.trace(goldstein)(1.0, 1.0)
    text = fgrad.to_dot(graph)
    lines = text.splitlines()
    boxes = [line for line in lines if "shape=box" in line]
    # 38 primitive applications (see tests/test_graph.py for the count by operator).
    assert len(boxes) == 38
    assert sum('label="pow 2"' in b for b in boxes) == 6  # x**2, y**2 twice each, two squares
    # The formula's 17 constants are one gray node each: 1, 14, 19, 3, 14, 6, 3, 1 in the
    # first factor and 2, 3, 32, 18, 12, 48, 36, 27, 30 in the second. The six exponents
    # sit in the `pow 2` labels, as DeZero's Pow keeps its exponent as an attribute.
    constants = [line.split('"')[1] for line in lines if "lightgray" in line]
    assert constants == ["1", "14", "19", "3", "14", "6", "3", "1", "2", "3", "32", "18", "12", "48", "36", "27", "30"]
    assert lines[:2] == ['digraph g {', '0 [label="x", color=orange, style=filled]']
    # Ids are 0..N-1 in order of appearance: nothing depends on memory addresses.
    declared = [int(line.split(" ", 1)[0]) for line in lines if "[label=" in line]
    assert declared == list(range(len(declared)))
    assert text == fgrad.to_dot(fgrad.trace(goldstein)(1.0, 1.0))


def test_dot_text_is_identical_across_processes():
    # Different hash seeds and memory layouts: the text must not change by a byte.
    code = "import fgrad; from fgrad._tour import goldstein; print(fgrad.to_dot(fgrad.trace(fgrad.grad(goldstein))(1.0, 1.0)))"
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outs) == 1
    assert outs.pop().rstrip("\n") == fgrad.to_dot(fgrad.trace(fgrad.grad(goldstein))(1.0, 1.0))


# ---------------------------------------------------------------- options
def test_rankdir_and_hidden_constants():
    graph = fgrad.trace(goldstein)(1.0, 1.0)
    text = fgrad.to_dot(graph, rankdir="LR", show_constants=False)
    assert text.splitlines()[1] == "rankdir=LR"
    assert "lightgray" not in text and text.count("shape=box") == 38


def test_collapse_beyond_max_nodes():
    graph = fgrad.trace(goldstein)(1.0, 1.0)
    text = fgrad.to_dot(graph, max_nodes=5)
    assert text.count("shape=box") == 5
    assert "33 earlier primitive applications not drawn (max_nodes=5; max_nodes=None draws all 38)" in text
    assert fgrad.to_dot(graph, max_nodes=None).count("shape=box") == 38
    assert fgrad.to_dot(graph, max_nodes=38) == fgrad.to_dot(graph, max_nodes=None)


def test_default_max_nodes_collapses_a_long_chain():
    def chain(x):
        for _ in range(2000):
            x = x * 0.999
        return x

    text = fgrad.to_dot(fgrad.trace(chain)(1.0))
    assert text.count("shape=box") == 500
    assert "1500 earlier primitive applications not drawn" in text


@pytest.mark.parametrize("kwargs, error", [
    (dict(verbose="yes"), TypeError),
    (dict(show_constants=1), TypeError),
    (dict(rankdir="sideways"), ValueError),
    (dict(max_nodes=0), ValueError),
    (dict(max_nodes=2.5), ValueError),
])
def test_bad_options(kwargs, error):
    with pytest.raises(error, match="to_dot: `"):
        fgrad.to_dot(add_graph(), **kwargs)


def test_plain_values_have_no_graph():
    with pytest.raises(TypeError, match="fgrad.trace"):
        fgrad.to_dot(np.ones(3))


def test_labels_are_quoted():
    graph = fgrad.trace(lambda x: fgrad.name(x * x, 'say "hi" \\ bye'))(1.0)
    assert '[label="say \\"hi\\" \\\\ bye", color=orange, style=filled]' in fgrad.to_dot(graph)


def test_traced_outputs_draw_directly_inside_a_transform():
    texts = []

    def f(x):
        # grad does not name its inputs; naming the input labels the leaf itself.
        y = fgrad.name(np.exp(fgrad.name(x, "x")), "y")
        texts.append(fgrad.to_dot(y))
        return y

    assert fgrad.grad(f)(0.0) == 1.0
    assert texts == [fgrad.to_dot(fgrad.trace(lambda x: fgrad.name(np.exp(x), "y"))(0.0))]


def test_constant_outputs_are_drawn():
    text = fgrad.to_dot(fgrad.trace(lambda x: (x * x, 7.0))(1.0))
    assert text.splitlines()[-2] == '3 [label="7.0", color=lightgray, style=filled]'


# ---------------------------------------------------------------- rendering
@requires_dot
def test_render_svg_png_pdf(tmp_path):
    graph = fgrad.trace(goldstein)(1.0, 1.0)
    svg = fgrad.render(graph, tmp_path / "g.svg")
    assert svg == tmp_path / "g.svg"
    root = ET.parse(svg).getroot()  # well-formed XML
    assert root.tag.endswith("svg")
    # One SVG node per DOT node: 2 inputs + 38 boxes + 38 results + 17 constants.
    assert svg.read_text().count('class="node"') == 2 + 38 + 38 + 17
    png = fgrad.render(graph, str(tmp_path / "g.png")).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    pdf = fgrad.render(graph, tmp_path / "g.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert svg.read_text() == dot_to_svg(fgrad.to_dot(graph))


def test_render_dot_text_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    path = fgrad.render(add_graph(), tmp_path / "g.dot")
    assert path.read_text() == fgrad.to_dot(add_graph()) + "\n"


def test_render_without_dot_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    with pytest.raises(DotNotFoundError, match="apt-get install graphviz") as info:
        fgrad.render(add_graph(), tmp_path / "g.svg")
    assert isinstance(info.value, RuntimeError) and "to_dot" in str(info.value)
    assert not (tmp_path / "g.svg").exists()
    assert fgrad.to_dot(add_graph()).startswith("digraph g {")  # still works
    graph = add_graph()
    assert graph._repr_svg_() is None
    assert graph._repr_mimebundle_() == {"text/plain": str(graph)}


@requires_dot
def test_jupyter_display_is_svg():
    graph = add_graph()
    bundle = graph._repr_mimebundle_()
    assert bundle["text/plain"] == str(graph)
    assert ET.fromstring(bundle["image/svg+xml"]).tag.endswith("svg")
    assert graph._repr_svg_() == bundle["image/svg+xml"]


def test_render_bad_paths(tmp_path):
    with pytest.raises(ValueError, match=r"render: `path` must end in \.svg"):
        fgrad.render(add_graph(), tmp_path / "g.jpg")
    with pytest.raises(TypeError, match="render: `path` must be a file name"):
        fgrad.render(add_graph(), 3)


def test_every_dot_text_made_here_goes_to_dot(every_dot_text_is_accepted_by_dot, tmp_path):
    # The autouse fixture hands each DOT text a test makes, through to_dot or render,
    # to `dot -Tsvg` when the test ends.
    text = fgrad.to_dot(add_graph())
    path = fgrad.render(add_graph(), tmp_path / "g.dot", rankdir="LR")
    assert every_dot_text_is_accepted_by_dot == [text, path.read_text().rstrip("\n")]
    assert "rankdir=LR" in every_dot_text_is_accepted_by_dot[1]
