"""The documentation's figures, drawn by fgrad itself while the site is built.

`FIGURES` is the one list of pictures the pages show. Each entry names an SVG file
and a function that traces the graph to draw; this module is an MkDocs hook
(``hooks:`` in mkdocs.yml) whose `on_files` renders every entry with `fgrad.render`
and adds the SVGs to the site under ``figures/``, so a page links to
``../figures/NAME.svg``. Nothing is committed, so no picture can be older than the
code that draws it.

Each page draws its own figures in its examples, writing a file of the same NAME
(``fgrad.render(graph, "NAME.svg")``); tests/test_docs_figures.py checks that what the
page's code draws is exactly what the entry here draws, and that every figure a page
links to is produced. To add a figure: render it in the page's example, add an entry
below, and link to it from the page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

import attrs
import numpy as np

import fgrad
from fgrad._tour import goldstein  # the formula the tutorial types in

FIGURES_DIR = "figures"  # where the figures appear in the built site


@attrs.frozen
class Figure:
    """One picture: its file name, the graph it shows and `fgrad.to_dot` options."""

    name: str
    graph: Callable[[], fgrad.Graph]
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=lambda d: MappingProxyType(dict(d)))

    @property
    def src_uri(self) -> str:
        return f"{FIGURES_DIR}/{self.name}"

    def draw(self, directory: Path) -> Path:
        """Render the figure into ``directory`` with fgrad's own renderer."""
        return fgrad.render(self.graph(), directory / self.name, **self.options)


# ---------------------------------------------------------------- the functions drawn
def add_named(x0, x1):
    """DeZero step 26's first graph: y = x0 + x1, with y named."""
    return fgrad.name(x0 + x1, "y")


def goldstein_z(x, y):
    """Goldstein-Price with its output named z, as in DeZero step 26."""
    return fgrad.name(goldstein(x, y), "z")


def nth_derivative(f: Callable[[Any], Any], n: int) -> Callable[[Any], Any]:
    """``grad`` applied ``n`` times."""
    for _ in range(n):
        f = fgrad.grad(f)
    return f


def tanh_derivative_graph(n: int) -> fgrad.Graph:
    """DeZero step 35: the graph of the n-th derivative of tanh, its output named gx<n>."""
    d = nth_derivative(np.tanh, n)
    return fgrad.trace(lambda x: fgrad.name(d(x), f"gx{n}"))(1.0)


LOSS_DATA = {
    "x": np.array([[1.0, 2.0], [0.0, 1.0], [2.0, 0.5]]),
    "y": np.array([0.0, -0.5, 0.5]),
}


def loss(w, b, x, y):
    """The small regression loss of how-to/render-graphs.md."""
    p = np.tanh(x @ w + b)
    return np.mean((p - y) ** 2)


def loss_graph(*, derivative: bool = False) -> fgrad.Graph:
    """The graph of `loss` (or of its gradient) in w and b, with x and y constants."""
    f = fgrad.grad(loss, argnums=(0, 1)) if derivative else loss
    return fgrad.trace(f, argnums=(0, 1))(np.array([0.5, -0.5]), 0.1, LOSS_DATA["x"], LOSS_DATA["y"])


# ---------------------------------------------------------------- the table
FIGURES: tuple[Figure, ...] = (
    # tutorial/drawing-graphs.md (DeZero steps 25-26)
    Figure("add.svg", lambda: fgrad.trace(add_named)(1.0, 1.0)),
    Figure("add-verbose.svg", lambda: fgrad.trace(add_named)(1.0, 1.0), {"verbose": True}),
    Figure("goldstein.svg", lambda: fgrad.trace(goldstein_z)(1.0, 1.0)),
    # tutorial/higher-order.md (DeZero step 35)
    *(Figure(f"tanh-grad{n}.svg", lambda n=n: tanh_derivative_graph(n)) for n in (1, 2, 3, 5)),
    # how-to/render-graphs.md
    Figure("loss.svg", loss_graph),
    Figure("loss-lr-verbose.svg", loss_graph, {"verbose": True, "rankdir": "LR"}),
    Figure("loss-no-constants.svg", loss_graph, {"show_constants": False, "rankdir": "LR"}),
    Figure("loss-grad-collapsed.svg", lambda: loss_graph(derivative=True), {"max_nodes": 5}),
)


def figures_by_name() -> dict[str, Figure]:
    """The table keyed by file name; names must be unique SVG file names."""
    by_name: dict[str, Figure] = {}
    for figure in FIGURES:
        if figure.name in by_name or not figure.name.endswith(".svg") or "/" in figure.name:
            raise ValueError(f"docs/figures.py: figure names must be unique .svg file names, got {figure.name!r}")
        by_name[figure.name] = figure
    return by_name


# ---------------------------------------------------------------- the MkDocs hook
def on_files(files: Any, config: Any) -> Any:
    """Draw every figure and add it to the site's files, as if it were in docs/figures/."""
    from mkdocs.structure.files import File

    with tempfile.TemporaryDirectory() as tmp:
        for figure in figures_by_name().values():
            if files.get_file_from_path(figure.src_uri) is not None:
                raise ValueError(f"docs/{figure.src_uri} exists, but the figure of that name is drawn at build "
                                 "time (docs/figures.py): delete the file or rename the figure")
            svg = figure.draw(Path(tmp)).read_bytes()
            files.append(File.generated(config, figure.src_uri, content=svg))
    return files
