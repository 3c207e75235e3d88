"""The documentation's figures, drawn by fgrad itself while the site is built.

`FIGURES` is the one list of pictures the pages show. Each entry names an SVG file
and a function that traces the graph to draw; this module is an MkDocs hook
(``hooks:`` in mkdocs.yml) whose `on_files` renders every entry with `fgrad.render`
and adds the SVGs to the site under ``figures/``, so a page links to
``../figures/NAME.svg``. Nothing is committed, so no picture can be older than the
code that draws it. A `Plot` entry is the other kind of picture: a matplotlib figure
(an optimizer's path, say), drawn by a function that returns it and saved as SVG.

Each page draws its own figures in its examples, writing a file of the same NAME
(``fgrad.render(graph, "NAME.svg")``, or ``ax.figure.savefig("NAME.svg")`` for a
plot); tests/test_docs_figures.py checks that what the
page's code draws is exactly what the entry here draws, and that every figure a page
links to is produced. To add a figure: render it in the page's example, add an entry
below, and link to it from the page.

Its `on_page_content` keeps every figure readable where a page shows it: a figure is
never drawn smaller than the width at which its labels are `MIN_LABEL_PX` pixels high
(whatever ``{ width=... }`` the page asks for), a figure wider than the text column
scrolls inside it (docs/stylesheets/extra.css), and each one links to its own SVG, which
the browser opens at full size.
"""

from __future__ import annotations

import math
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

import attrs
import numpy as np

import fgrad
from fgrad._tour import goldstein  # the formula the tutorial types in

FIGURES_DIR = "figures"  # where the figures appear in the built site
MIN_LABEL_PX = 12.0  # figures are drawn at least this large on the pages: labels this many pixels high


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


@attrs.frozen
class Plot:
    """One matplotlib picture: its file name and a function that draws it, returning its Figure.

    The function is the page's own plotting code; pages save the figure with
    ``ax.figure.savefig("NAME.svg")``. Needs matplotlib (the ``docs`` extra has it).
    """

    name: str
    plot: Callable[[], Any]

    @property
    def src_uri(self) -> str:
        return f"{FIGURES_DIR}/{self.name}"

    def draw(self, directory: Path) -> Path:
        """Draw the plot with the Agg backend (no display needed) and save it as SVG in ``directory``."""
        try:
            import matplotlib
        except ImportError as err:
            raise ModuleNotFoundError(f"docs/figures.py: {self.name} is drawn with matplotlib, which is not "
                                      "installed: pip install -e '.[docs]'", name="matplotlib") from err
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure = self.plot()
        path = directory / self.name
        path.write_bytes(plot_svg(figure))
        plt.close(figure)
        return path


def plot_svg(figure: Any) -> bytes:
    """A matplotlib figure as SVG, the same bytes for the same drawing (no date, fixed ids)."""
    import io

    import matplotlib

    out = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "fgrad-docs"}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


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


def rosenbrock(x):
    """The Rosenbrock function of one 2-vector, as tutorial/gradient-descent.md and newton.md type it."""
    return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2


def gradient_descent_plot() -> Any:
    """DeZero step 28's picture: gradient descent's path over Rosenbrock's contours."""
    res = fgrad.optimize.gradient_descent(rosenbrock, np.array([0.0, 2.0]), lr=0.001, steps=1000)
    return res.plot(rosenbrock).figure


def newton_plot() -> Any:
    """Newton's method and 10000 steps of gradient descent on Rosenbrock, from the same start."""
    res = fgrad.optimize.newton(rosenbrock, np.array([0.0, 2.0]))
    gd = fgrad.optimize.gradient_descent(rosenbrock, np.array([0.0, 2.0]), lr=0.001, steps=10_000)
    ax = res.plot(rosenbrock, bounds=(-0.2, 1.6, -0.2, 2.8), levels=15, label=f"Newton, {res.nit} steps")
    gd.plot(ax=ax, color="tab:blue", marker=None, label=f"gradient descent, {gd.nit} steps")
    ax.legend(loc="upper left")
    return ax.figure


def momentum_plot() -> Any:
    """how-to/optimizer-options.md: gradient descent with and without momentum on Rosenbrock."""
    runs = {m: fgrad.optimize.gradient_descent(rosenbrock, np.array([0.0, 2.0]), lr=0.001, steps=1000, momentum=m)
            for m in [0.0, 0.9]}
    ax = runs[0.9].plot(rosenbrock, marker=None, label="momentum=0.9")
    runs[0.0].plot(ax=ax, color="tab:blue", marker=None, label="momentum=0")
    ax.legend()
    return ax.figure


# ---------------------------------------------------------------- the table
FIGURES: tuple[Figure | Plot, ...] = (
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
    # tutorial/gradient-descent.md and tutorial/newton.md (DeZero steps 28-29): matplotlib plots
    Plot("gradient-descent-path.svg", gradient_descent_plot),
    Plot("newton-path.svg", newton_plot),
    # how-to/optimizer-options.md
    Plot("momentum-paths.svg", momentum_plot),
)


def figures_by_name() -> dict[str, Figure]:
    """The table keyed by file name; names must be unique SVG file names."""
    by_name: dict[str, Figure] = {}
    for figure in FIGURES:
        if figure.name in by_name or not figure.name.endswith(".svg") or "/" in figure.name:
            raise ValueError(f"docs/figures.py: figure names must be unique .svg file names, got {figure.name!r}")
        by_name[figure.name] = figure
    return by_name


# ---------------------------------------------------------------- their size on the page
_SVG = "{http://www.w3.org/2000/svg}"


def svg_label_units(svg: bytes) -> tuple[float, float]:
    """(viewBox width, smallest label font size) of a Graphviz SVG, in its user units.

    Drawn ``W`` pixels wide, its smallest label is ``font * W / width`` pixels high;
    Graphviz's own ``scale(...)`` of the drawing is folded into the font size.

    >>> svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="100pt" viewBox="0.00 0.00 100.00 50.00">'
    ...        b'<g transform="scale(2 2) translate(4 46)"><text font-size="14.00">x</text></g></svg>')
    >>> svg_label_units(svg)
    (100.0, 28.0)
    """
    root = ET.fromstring(svg)
    width = float(root.get("viewBox", "").replace(",", " ").split()[2])
    drawing = root.find(f"{_SVG}g")
    m = re.search(r"scale\(([\d.]+)", drawing.get("transform", "") if drawing is not None else "")
    sizes = [float(t.get("font-size", "14")) for t in root.iter(f"{_SVG}text")]
    if not sizes:
        raise ValueError("the SVG has no text labels")
    return width, min(sizes) * (float(m.group(1)) if m else 1.0)


def readable_width(svg: bytes) -> int:
    """The narrowest width, in CSS pixels, at which the SVG's labels are `MIN_LABEL_PX` high."""
    width, font = svg_label_units(svg)
    return math.ceil(MIN_LABEL_PX * width / font)


# An <img> of the rendered page showing one of the figures, from any page depth.
_FIGURE_IMG = re.compile(r'<img\b[^>]*?\ssrc="(?P<src>(?:\.\./)*' + re.escape(FIGURES_DIR)
                         + r'/(?P<name>[^"/]+\.svg))"[^>]*>')


def show_figures(html: str, svg_of: Callable[[str], bytes | None]) -> str:
    """`html` with each figure image at least `readable_width` wide and linked to its SVG.

    `svg_of(name)` is the figure's SVG (None for a file that is not a figure).

    >>> svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 50">'
    ...        b'<g><text font-size="14">x</text></g></svg>')
    >>> print(show_figures('<p><img alt="x" src="../figures/x.svg" width="80" /></p>', {"x.svg": svg}.get))
    <p><a class="fgrad-figure" href="../figures/x.svg" title="Open the picture at full size"><img style="min-width: 258px" alt="x" src="../figures/x.svg" width="80" /></a></p>
    """
    def show(m: re.Match[str]) -> str:
        svg = svg_of(m["name"])
        if svg is None:
            return m[0]
        img = m[0].replace("<img", f'<img style="min-width: {readable_width(svg)}px"', 1)
        return f'<a class="fgrad-figure" href="{m["src"]}" title="Open the picture at full size">{img}</a>'

    return _FIGURE_IMG.sub(show, html)


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


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Show the page's graph figures readable and zoomable (`show_figures`); plots are
    drawn at a size with readable text already (matplotlib's 10 pt at 100 %)."""
    table = figures_by_name()

    def svg_of(name: str) -> bytes | None:
        file = files.get_file_from_path(f"{FIGURES_DIR}/{name}") if isinstance(table.get(name), Figure) else None
        return None if file is None else file.content_bytes

    return show_figures(html, svg_of)
