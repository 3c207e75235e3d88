"""The docs' graph figures: drawn by fgrad while the site builds, and what the pages' code draws.

docs/figures.py holds the table of figures and the MkDocs hook that renders them. Here:
every figure a page links to is in the table (and every table entry is linked), the
hook turns each one into an SVG of the site, the drawing is exactly what the page's own
example draws under the same file name, and the `python -m fgrad graph` commands shown
in the docs run.
"""

import importlib.util
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import fgrad
from extras_support import import_extra, requires_extra
from graphviz_support import HAVE_DOT, IN_CI, requires_dot
from test_docs import DOCS, PAGES, fenced_blocks, run_page

REPO = DOCS.parent


def _load_figures_module():
    spec = importlib.util.spec_from_file_location("docs_figures", DOCS / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


figures = _load_figures_module()

# A Markdown image or link whose target is figures/NAME, from any page depth.
_FIGURE_LINK = re.compile(r"\]\((?:\.\./)*" + re.escape(figures.FIGURES_DIR) + r"/([^)\s]+)\)")


def prose(text: str) -> str:
    """A page without its code: fenced blocks and inline code spans removed."""
    lines = text.splitlines()
    for block, end in fenced_blocks(text):
        for i in range(block.line - 2, end):
            lines[i] = ""
    return re.sub(r"(`+).+?\1", "", "\n".join(lines))


def linked_figures() -> dict[str, list[Path]]:
    """Figure file name -> the pages that link to it (outside code)."""
    linked: dict[str, list[Path]] = {}
    for page in PAGES:
        for name in _FIGURE_LINK.findall(prose(page.read_text(encoding="utf-8"))):
            linked.setdefault(name, []).append(page)
    return linked


LINKED = linked_figures()
PAGES_WITH_FIGURES = sorted({page for pages in LINKED.values() for page in pages})


def _page_id(page: Path) -> str:
    return str(page.relative_to(DOCS))


def test_the_figure_table_matches_the_figures_the_pages_show():
    table = set(figures.figures_by_name())
    assert len(LINKED) >= 10, "the figure-link pattern found too few figures: is it still right?"
    missing = sorted(set(LINKED) - table)
    assert not missing, f"pages link to figures that docs/figures.py does not draw: {missing}"
    unused = sorted(table - set(LINKED))
    assert not unused, f"docs/figures.py draws figures no page shows: {unused}"


def test_links_inside_code_are_not_figure_links():
    page = "![a](../figures/a.svg)\n`![b](../figures/b.svg)`\n\n```markdown\n![c](figures/c.svg)\n```\n"
    assert _FIGURE_LINK.findall(prose(page)) == ["a.svg"]


def test_figure_names_must_be_unique_svg_names(monkeypatch):
    first = figures.FIGURES[0]
    monkeypatch.setattr(figures, "FIGURES", (first, first))
    with pytest.raises(ValueError, match="unique"):
        figures.figures_by_name()


requires_mkdocs = requires_extra("docs", "mkdocs")


def _mkdocs_config():
    """The site's configuration, with its plugins and hooks started as `mkdocs build` does."""
    from mkdocs.config import load_config

    config = load_config(str(REPO / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    return config.plugins.on_config(config)


def _files_event(config, files):
    """The build's `on_files` event: every plugin and hook listed in mkdocs.yml, in order."""
    return config.plugins.on_files(files, config=config)


@requires_mkdocs
@requires_dot
def test_the_build_hook_adds_every_figure_as_an_svg_of_its_graph():
    from mkdocs.structure.files import Files

    made = {f.src_uri: f for f in _files_event(_mkdocs_config(), Files([]))}
    for name, figure in figures.figures_by_name().items():
        file = made.pop(f"{figures.FIGURES_DIR}/{name}", None)
        assert file is not None, f"the build (hooks: in mkdocs.yml) did not add {name}"
        root = ET.fromstring(file.content_bytes)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        if isinstance(figure, figures.Plot):  # a matplotlib plot: the same SVG as drawing it again
            assert file.content_bytes == _plot_svg(figure), name
            continue
        # One drawn node per node statement of the figure's DOT text.
        dot = fgrad.to_dot(figure.graph(), **figure.options)
        statements = len(re.findall(r"^\d+ \[label=", dot, re.M))
        drawn = root.findall(".//{http://www.w3.org/2000/svg}g[@class='node']")
        assert len(drawn) == statements, name
    assert not made, f"the build added files that are not figures: {sorted(made)}"


@requires_mkdocs
def test_the_hook_refuses_a_committed_file_in_the_figures_place():
    from mkdocs.structure.files import File, Files

    config = _mkdocs_config()
    name = figures.FIGURES[0].name
    existing = File(f"{figures.FIGURES_DIR}/{name}", src_dir=str(DOCS), dest_dir=config.site_dir,
                    use_directory_urls=config.use_directory_urls)
    with pytest.raises(ValueError, match="drawn at build time"):
        _files_event(config, Files([existing]))


def _plot_svg(plot) -> bytes:
    """The SVG of a `figures.Plot` entry's drawing, its figure closed afterwards."""
    import matplotlib.pyplot as plt

    figure = plot.plot()
    try:
        return figures.plot_svg(figure)
    finally:
        plt.close(figure)


def _record_plots(monkeypatch, drawn: dict) -> None:
    """Record what each matplotlib ``savefig("NAME.svg")`` saves, by file name, as SVG bytes."""
    matplotlib = import_extra("docs", "matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    real_savefig = Figure.savefig

    def recording_savefig(self, fname, *args, **kwargs):
        if isinstance(fname, (str, os.PathLike)):
            drawn[Path(fname).name] = figures.plot_svg(self)
        return real_savefig(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", recording_savefig)


@pytest.mark.parametrize("page", PAGES_WITH_FIGURES, ids=_page_id)
def test_each_figure_is_what_its_page_draws(page, tmp_path, monkeypatch):
    table = figures.figures_by_name()
    shown = sorted(n for n, pages in LINKED.items() if page in pages)
    if any(isinstance(table[n], figures.Figure) for n in shown) and not (HAVE_DOT or IN_CI):
        pytest.skip("Graphviz's dot is not installed (CI installs it; there this runs)")
    drawn: dict = {}
    plots = [n for n in shown if isinstance(table[n], figures.Plot)]
    if plots:
        _record_plots(monkeypatch, drawn)
    real_render = fgrad.render

    def recording_render(graph, path, verbose=False, **options):
        drawn[Path(path).name] = fgrad.to_dot(graph, verbose, **options)
        return real_render(graph, path, verbose, **options)

    monkeypatch.setattr(fgrad, "render", recording_render)
    monkeypatch.chdir(tmp_path)
    try:
        run_page(page.read_text(encoding="utf-8"), _page_id(page))
    finally:
        if plots:  # the page's figures stay open in pyplot: close them
            import matplotlib.pyplot as plt

            plt.close("all")
    for name in shown:
        assert name in drawn, f"{_page_id(page)} shows {name}, but its examples never draw a file of that name"
        figure = table[name]
        expected = _plot_svg(figure) if isinstance(figure, figures.Plot) else fgrad.to_dot(figure.graph(),
                                                                                            **figure.options)
        assert drawn[name] == expected, f"{_page_id(page)} draws {name} differently from its entry in docs/figures.py"


def cli_commands() -> list[tuple[Path, str]]:
    """The `python -m fgrad graph ...` lines of the docs' ```bash blocks."""
    found = []
    for page in PAGES:
        for block, _ in fenced_blocks(page.read_text(encoding="utf-8")):
            if block.lang == "bash":
                found += [(page, line.strip()) for line in block.code.splitlines()
                          if line.strip().startswith("python -m fgrad graph")]
    return found


CLI_COMMANDS = cli_commands()


def test_the_docs_show_graph_commands():
    assert len(CLI_COMMANDS) >= 3


@requires_dot
@pytest.mark.parametrize("page, command", CLI_COMMANDS, ids=[c for _, c in CLI_COMMANDS])
def test_graph_commands_in_the_docs_run(page, command, tmp_path):
    args = shlex.split(command.split("#")[0])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, *args[1:]], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, f"{_page_id(page)}: `{command}` failed:\n{proc.stderr}"
    if "-o" not in args:
        assert proc.stdout.startswith("digraph g {")
        return
    output = tmp_path / args[args.index("-o") + 1]
    assert output.stat().st_size > 0
    assert proc.stdout.rstrip().splitlines()[-1].startswith(f"wrote {output.name}: Graph(")
