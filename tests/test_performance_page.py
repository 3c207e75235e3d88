"""docs/performance.md shows the committed results, and only them.

The page's generated blocks (the targets table that opens it, the full tables at its
end) and the charts in docs/charts/ are made by ``python -m benchmarks.charts --docs``
from benchmarks/published/latest.json. Here: regenerating them from that file gives
exactly what is committed, each chart records the digest of the numbers it draws, and
the targets are read correctly from a results file.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import charts, summary  # noqa: E402
from benchmarks.harness import Row  # noqa: E402
from extras_support import requires_extra  # noqa: E402

PAGE = REPO / "docs" / "performance.md"
SVG = "{http://www.w3.org/2000/svg}"
FIX = "run `python -m benchmarks.charts --docs` after changing benchmarks/published/"


@pytest.fixture(scope="module")
def published():
    return summary.load(summary.PUBLISHED)


def test_the_published_results_are_a_full_run(published):
    # a full run, with at most W9's --large run added to it (`--append`)
    assert published.meta["command"] in ("python -m benchmarks",
                                         "python -m benchmarks; python -m benchmarks --only W9 --large --append"), \
        "publish a full run, not --quick or --only"
    assert {r.workload for r in published.rows} >= {"W1", "W2", "W3", "W4", "W5", "W6"}
    assert not [r for r in published.rows if r.status.startswith(("MISMATCH", "ERROR"))]
    # the Markdown beside it is the same run
    from benchmarks.__main__ import markdown_report

    workloads = list(dict.fromkeys(r.workload for r in published.rows))
    md = (summary.PUBLISHED / "latest.md").read_text(encoding="utf-8")
    assert markdown_report(list(published.rows), published.meta, workloads) + "\n" == md


def test_the_page_is_what_the_committed_results_give(published):
    text = PAGE.read_text(encoding="utf-8")
    assert charts.render_page(text, published) == text, FIX


def test_the_page_opens_with_the_headline_chart_and_table(published):
    text = PAGE.read_text(encoding="utf-8")
    body = text.split("\n## ", 1)[0]  # before the first section
    assert "](charts/performance-overview.svg)" in body
    assert summary.headline_markdown(published) in body
    table_lines = [line for line in body.splitlines() if line.startswith("| W")]
    # seven targets, one more for each workload the run measured fgrad.jit on, and W9's
    jitted = {r.workload for r in published.rows if r.framework == "fgrad.jit"}
    dask = any(r.workload == "W9" for r in published.rows)
    assert len(table_lines) == len(summary.headline(published)) == \
        7 + len(jitted & {"W1", "W3", "W4", "W5", "W6"}) + dask


def test_every_chart_shown_is_committed_and_drawn_from_the_committed_results(published):
    text = PAGE.read_text(encoding="utf-8")
    shown = set(re.findall(r"\]\(charts/([\w-]+)\.svg\)", text))
    assert shown == set(charts.CHARTS), f"the page shows {sorted(shown)}; benchmarks.charts draws {sorted(charts.CHARTS)}"
    for name, (data_of, *_rest) in charts.CHARTS.items():
        root = ET.parse(REPO / "docs" / "charts" / f"{name}.svg").getroot()
        description = root.find(f".//{SVG}metadata").itertext()
        recorded = " ".join(t.strip() for t in description if t.strip())
        assert f"benchmarks.charts {name} data {charts.digest(data_of(published))}" in recorded, f"{name}.svg: {FIX}"


def _texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return sorted("".join(t.itertext()).strip() for t in root.iter(f"{SVG}text"))


@requires_extra("docs", "matplotlib")
def test_redrawing_the_charts_gives_the_same_labels(published, tmp_path):
    # Byte equality would tie the test to one matplotlib version; the labels (every
    # number and name the charts print) are what must not drift.
    for path in charts.draw(published, tmp_path, "svg"):
        assert _texts(path) == _texts(REPO / "docs" / "charts" / path.name), f"{path.name}: {FIX}"


def test_the_headline_reads_the_numbers_of_a_run():
    rows = [
        Row("W1", "goldstein (1, 1)", "fgrad", "ok", 1.0e-4), Row("W1", "goldstein (1, 1)", "autograd", "ok", 5.0e-4),
        Row("W1", "goldstein (1, 1)", "dezero", "ok", 4.0e-4), Row("W1", "goldstein (1, 1)", "torch", "ok", 0.9e-4),
        Row("W3", "n=1e7", "fgrad", "ok", 1.1, {"peak extra / input": 5.0}),
        Row("W3", "n=1e7", "hand-written NumPy", "ok", 1.0, {"peak extra / input": 5.0}),
        Row("W6", "mlp", "fgrad", "ok", 7.1e-4), Row("W6", "mlp", "autograd", "ok", 1.0e-3),
    ]
    lines = {line.target.split()[0]: line for line in summary.headline(summary.Results({}, rows))}
    assert sorted(lines) == ["W1", "W3", "W6"]  # only the workloads measured
    # torch at 0.9× fgrad's time: fgrad is not faster, so W1 is not met
    assert lines["W1"].figure == "100 µs: 0.20× autograd, 0.25× DeZero, 1.11× torch" and lines["W1"].met is False
    assert lines["W3"].figure == "time 1.10×, memory 1.00×" and lines["W3"].met is True
    assert lines["W6"].figure == "710 µs: 0.71× autograd" and lines["W6"].met is False


def test_the_jit_targets_read_the_jit_rows():
    w1, w3, w4, w5, w6 = "goldstein (1, 1)", "n=1e7", "n=8", "2-D", "mlp"
    rows = [
        Row("W1", w1, "fgrad", "ok", 1.0e-4), Row("W1", w1, "fgrad.jit", "ok", 1.0e-5, {"first call (compile)": "2.5 ms"}),
        Row("W1", w1, "hand-written Python", "ok", 4.0e-6), Row("W1", w1, "jax (jit)", "ok", 2.0e-5),
        Row("W3", w3, "fgrad.jit", "ok", 0.9, {"peak extra / input": 4.0}),
        Row("W3", w3, "hand-written NumPy", "ok", 1.0, {"peak extra / input": 5.0}),
        Row("W4", w4, "fgrad.jit", "ok", 5.0e-6, {"compiled records": 500}),
        Row("W4", w4, "torch", "ok", 1.0e-3, {"graph records": 550}),
        Row("W4", w4, "jax (jit)", "ok", 4.0e-6, {"compiled records": 2847}),
        Row("W5", w5, "fgrad.jit", "ok", 5.0e-5, {"first call (compile)": "9 ms"}),
        Row("W5", w5, "jax (jit)", "ok", 1.25e-4, {"first call (compile)": "80 ms"}),
        Row("W6", w6, "fgrad.jit", "ok", 3.1e-4), Row("W6", w6, "hand-written NumPy", "ok", 3.0e-4),
    ]
    jit = [line for line in summary.headline(summary.Results({}, rows)) if "jitted" in line.target]
    assert [line.workload for line in jit] == ["W1", "W3", "W4", "W5", "W6"]
    w1_line, w3_line, w4_line, w5_line, w6_line = jit
    assert w1_line.figure == "10 µs: 0.50× jax.jit, 2.50× the hand-written derivative; first call 2.5 ms"
    assert w1_line.met is True
    assert w3_line.figure == "time 0.90×, memory 0.80×" and w3_line.met is True
    # 500 records is fewer than torch's 550 and the jaxpr's 2847, but 5 µs is slower than jax.jit's 4
    assert w4_line.figure == "5 µs: 1.25× jax.jit; 500 records (torch 550, JAX's jaxpr 2847)" and w4_line.met is False
    assert w5_line.figure == "50 µs: 0.40× jax.jit; first solve 9 ms, jax.jit's 80 ms" and w5_line.met is True
    assert w6_line.figure == "310 µs: 1.03× the hand-written gradient, — jax.jit" and w6_line.met is True
    # a run without fgrad.jit rows has no jit lines: nothing to show as not measured
    assert not [line for line in summary.headline(summary.Results({}, rows[:1])) if "jitted" in line.target]


def test_a_page_without_its_generated_blocks_is_refused(published):
    with pytest.raises(ValueError, match="generated blocks"):
        charts.render_page("# Performance\n", published)


def test_the_charts_command_draws_a_results_directory(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    (tmp_path / "latest.json").write_text((summary.PUBLISHED / "latest.json").read_text(encoding="utf-8"))
    assert charts.main(["--results", str(tmp_path), "--format", "png"]) == 0
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == sorted(f"{n}.png" for n in charts.CHARTS)
    assert os.path.getsize(tmp_path / "charts" / "performance-overview.png") > 10_000
