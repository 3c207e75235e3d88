"""DOT text and pictures of graphs, in the visual language of DeZero's `plot_dot_graph`.

Variables are orange filled ellipses labelled by name, primitive applications light-blue
boxes, constants light-gray ellipses, and edges run input -> primitive -> output.  Ids
are sequential in topological order, so the same computation always gives the same
text, byte for byte, and pictures can be tested and diffed.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from ._core import Node, value_of
from ._graph import Graph, graph_of
from ._graph_text import constant_text, display_text, param_texts, resolve_names, scalar_text

__all__ = ["to_dot", "render", "DotNotFoundError", "svg_or_none"]

_RANKDIRS = ("TB", "LR", "BT", "RL")
DEFAULT_MAX_NODES = 500

# Constant arguments drawn inside the primitive's box instead of as nodes, like the
# exponent that DeZero's Pow keeps as an attribute: `pow 3`.
_LABELLED_CONSTANTS = {"pow": 1}

INSTALL_HINT = (
    "Install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`; macOS: `brew install graphviz`; "
    "conda: `conda install -c conda-forge graphviz`; Windows: https://graphviz.org/download/). "
    "fgrad.to_dot(graph) gives the DOT text without it."
)


class DotNotFoundError(RuntimeError):
    """Graphviz's `dot` program, needed to draw a graph, is not installed."""


def _in_label(node: Node, pos: int) -> bool:
    """Whether argument `pos` of `node` is a scalar constant shown in the primitive's box."""
    return (_LABELLED_CONSTANTS.get(node.primitive.name) == pos and pos not in node.argnums
            and np.ndim(value_of(node.args[pos])) == 0)


# Graphviz fails on labels much longer than this (16k characters) and on NUL; a
# picture cannot show them usefully anyway.
MAX_LABEL = 1000


def _quote(text: str) -> str:
    """`text` as a DOT string: control characters escaped (its line breaks kept), at most
    `MAX_LABEL` characters (then ending in ``...``), so that `dot` accepts every label."""
    if not text.replace("\n", "").isprintable():
        text = "\n".join(display_text(line) for line in text.split("\n"))
    if len(text) > MAX_LABEL:
        text = text[: MAX_LABEL - 3] + "..."
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _check_options(verbose: Any, rankdir: Any, show_constants: Any, max_nodes: Any) -> None:
    for flag, value in (("verbose", verbose), ("show_constants", show_constants)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"to_dot: `{flag}` must be True or False, got {value!r:.60}")
    if rankdir is not None and rankdir not in _RANKDIRS:
        raise ValueError(f"to_dot: `rankdir` must be one of {', '.join(_RANKDIRS)} or None, got {rankdir!r:.60}")
    if max_nodes is not None and (
        not isinstance(max_nodes, (int, np.integer)) or isinstance(max_nodes, bool) or max_nodes < 1
    ):
        raise ValueError(f"to_dot: `max_nodes` must be a positive int or None (no limit), got {max_nodes!r:.60}")


class _DotWriter:
    """Accumulates DOT statements, numbering every drawn item in the order it is drawn."""

    def __init__(self, graph: Graph, verbose: bool) -> None:
        self.names = resolve_names(graph.nodes)
        self.verbose = verbose
        self.ids: dict[Node, int] = {}
        self.lines: list[str] = []
        self._next = itertools.count().__next__

    def item(self, label: str, style: str) -> int:
        i = self._next()
        self.lines.append(f"{i} [label={_quote(label)}, {style}]")
        return i

    def edge(self, a: int, b: int) -> None:
        self.lines.append(f"{a} -> {b}")

    def variable(self, node: Node) -> int:
        label = self.names.label.get(node, "")
        if self.verbose:
            v = value_of(node)
            label = (label + ": " if label else "") + f"{np.shape(v)} {np.result_type(v)}"
            if np.ndim(v) == 0:
                label += "\n" + scalar_text(v)
        self.ids[node] = i = self.item(label, "color=orange, style=filled")
        return i

    def constant(self, value: Any) -> int:
        label = constant_text(value)
        if self.verbose and np.ndim(value_of(value)):
            label += f"\n{np.shape(value_of(value))} {np.result_type(value_of(value))}"
        return self.item(label, "color=lightgray, style=filled")

    def box(self, node: Node) -> int:
        words = [node.primitive.name]
        words += [scalar_text(value_of(a)) for pos, a in enumerate(node.args) if _in_label(node, pos)]
        words += param_texts(node)
        return self.item(" ".join(words), "color=lightblue, style=filled, shape=box")


def to_dot(
    graph: Any,
    verbose: bool = False,
    *,
    rankdir: str | None = None,
    show_constants: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> str:
    """DOT text for a graph, in DeZero's visual language, with deterministic ids.

    Variables are orange ellipses labelled with their name (inputs are named after the
    traced function's parameters, intermediates with `fgrad.name`), primitive
    applications light-blue boxes (with their static params: ``pow 3``, ``sum
    axis=1``), constants light-gray ellipses showing their value.

    Args:
        graph: a `Graph` from `fgrad.trace`, or traced output values (Nodes).
        verbose: add ``shape dtype`` to variable labels, and the value of scalars.
        rankdir: Graphviz layout direction ("TB", "LR", "BT", "RL"); None keeps
            Graphviz's default (top to bottom).
        show_constants: draw constant operands (the ``1`` of ``x + 1``) as nodes.
        max_nodes: draw at most this many primitive applications (the last ones, those
            nearest the outputs); earlier ones collapse into one note saying how many
            were left out. None draws everything.

    Returns:
        The DOT source, identical for identical computations.

    Example:
        >>> import fgrad
        >>> graph = fgrad.trace(lambda x0, x1: fgrad.name(x0 + x1, "y"))(1.0, 1.0)
        >>> print(fgrad.to_dot(graph))
        digraph g {
        0 [label="x0", color=orange, style=filled]
        1 [label="x1", color=orange, style=filled]
        2 [label="add", color=lightblue, style=filled, shape=box]
        0 -> 2
        1 -> 2
        3 [label="y", color=orange, style=filled]
        2 -> 3
        }
    """
    g = graph if isinstance(graph, Graph) else graph_of(graph)
    _check_options(verbose, rankdir, show_constants, max_nodes)
    out = _DotWriter(g, bool(verbose))
    names, ids = out.names, out.ids
    if rankdir is not None:
        out.lines.append(f"rankdir={rankdir}")

    apps = g.applications
    hidden = set(apps[: len(apps) - max_nodes]) if max_nodes is not None and len(apps) > max_nodes else set()
    for n in g.nodes:  # the leaves (inputs) come first in every Graph
        if n.primitive is None:
            out.variable(n)
    note = None
    if hidden:
        note = out.item(f"{len(hidden)} earlier primitive applications not drawn (max_nodes={max_nodes}; "
                        f"max_nodes=None draws all {len(apps)})", "shape=note, style=dashed")
        fed = {names.of(p) for h in hidden for p in h.parents}
        for leaf in g.inputs:
            if leaf in fed:
                out.edge(ids[leaf], note)

    def operand(x: Any) -> int:
        """The id of a drawn value; a result of the collapsed part is drawn fed by the note."""
        root = names.of(x)
        if root not in ids:
            out.edge(note, out.variable(root))
        return ids[root]

    for n in apps:
        if n in hidden:
            continue
        operands = dict(zip(n.argnums, n.parents))
        sources = []
        for pos, arg in enumerate(n.args):
            if pos in operands:
                sources.append(operand(operands[pos]))
            elif show_constants and not _in_label(n, pos):
                sources.append(out.constant(arg))
        box = out.box(n)
        for s in sources:
            out.edge(s, box)
        out.edge(box, out.variable(n))
    for o in g.outputs:
        if type(o) is Node and names.of(o) in hidden:
            operand(o)
        elif not (type(o) is Node and names.of(o) in ids) and show_constants:
            out.constant(o)
    return "\n".join(["digraph g {", *out.lines, "}"])


def _pipe(dot_text: str, fmt: str) -> bytes:
    """`dot_text` drawn by Graphviz's `dot` in format `fmt`."""
    if shutil.which("dot") is None:
        raise DotNotFoundError(f"drawing a graph needs Graphviz's `dot` program, which is not on PATH. {INSTALL_HINT}")
    import graphviz

    try:
        return graphviz.pipe("dot", fmt, dot_text.encode("utf-8"))
    except graphviz.ExecutableNotFound as e:
        raise DotNotFoundError(f"Graphviz's `dot` program could not be run ({e}). {INSTALL_HINT}") from e
    except subprocess.CalledProcessError as e:
        stderr = e.stderr.decode("utf-8", "replace") if isinstance(e.stderr, bytes) else str(e.stderr or "")
        raise RuntimeError(
            f"Graphviz's `dot` failed to draw the graph as {fmt} (exit status {e.returncode}): "
            f"{stderr.strip()[:1000] or 'no message'}. fgrad.to_dot(graph) gives the DOT text it was given; "
            "please report this as an fgrad bug."
        ) from e


# File suffix -> Graphviz output format; None writes the DOT text itself.
_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": None, ".gv": None}


def render(
    graph: Any,
    path: str | os.PathLike[str],
    verbose: bool = False,
    *,
    rankdir: str | None = None,
    show_constants: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> Path:
    """Draw a graph to an image file with Graphviz (through the `graphviz` package).

    The format follows the file's suffix: ``.svg``, ``.png`` or ``.pdf`` are drawn by
    Graphviz's ``dot`` program (a `DotNotFoundError` saying how to install it is raised
    if it is missing); ``.dot``/``.gv`` write the DOT text, which needs nothing. The
    other arguments are those of `fgrad.to_dot`.

    Returns:
        The path written, as a `pathlib.Path`.

    Example:
        >>> import os, tempfile, fgrad
        >>> graph = fgrad.trace(lambda x: x * x)(3.0)
        >>> path = fgrad.render(graph, os.path.join(tempfile.mkdtemp(), "square.dot"))
        >>> path.read_text().splitlines()[:2]
        ['digraph g {', '0 [label="x", color=orange, style=filled]']

        ``fgrad.render(graph, "square.svg")`` draws the same graph as a picture.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"render: `path` must be a file name (str or os.PathLike), got {type(path).__name__} {path!r:.60}")
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in _FORMATS:
        raise ValueError(
            f"render: `path` must end in .svg, .png or .pdf (drawn by Graphviz) or .dot/.gv (DOT text), got {str(path)!r}"
        )
    text = to_dot(graph, verbose, rankdir=rankdir, show_constants=show_constants, max_nodes=max_nodes)
    fmt = _FORMATS[suffix]
    data = (text + "\n").encode("utf-8") if fmt is None else _pipe(text, fmt)
    target.write_bytes(data)
    return target


def svg_or_none(graph: Graph) -> str | None:
    """The graph as SVG text, or None when `dot` is not installed (for Jupyter displays)."""
    if shutil.which("dot") is None:
        return None
    return _pipe(to_dot(graph), "svg").decode("utf-8")
