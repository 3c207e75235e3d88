"""Every benchmark workload runs once at a toy size with fgrad and the hand-written
baselines, and the numbers agree (no timing: this only keeps the harness from rotting)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import __main__ as cli  # noqa: E402
from benchmarks import report  # noqa: E402
from benchmarks.harness import Mismatch, Settings, close, interleaved_medians, plan_for, run_case  # noqa: E402
from extras_support import import_extra  # noqa: E402

OURS = ("fgrad", "fgrad.jit", "fgrad.optimize.newton", "fgrad.jacfwd", "fgrad, loop of grad", "hand-written Python",
        "hand-written NumPy", "hand-written Dask")
SMOKE = Settings(tiny=True, timing=False, frameworks=OURS)


@pytest.mark.parametrize("workload", sorted(cli.WORKLOADS))
def test_workload_agrees_at_a_tiny_size(workload):
    if workload == "W9":  # (a dask.distributed cluster: the dask extra)
        import_extra("dask", "dask.distributed")
    rows = cli.WORKLOADS[workload].run(SMOKE)
    assert rows, f"{workload} produced no rows"
    assert {r.framework for r in rows} <= set(OURS)
    assert any(r.framework == "fgrad" for r in rows)
    bad = [(r.case, r.framework, r.status) for r in rows if r.status != "ok" and not r.status.startswith("skipped: damped")]
    assert not bad, bad
    print(report.text_table(rows))


def test_w2_times_the_smallest_and_largest_chains_in_turn():
    from benchmarks import w2_chain

    quick_timing = Settings(tiny=True, frameworks=("fgrad",), repeats=2, min_batch=0.001, budget=1.0)
    (row,) = w2_chain.flatness(quick_timing)
    assert row.case == "N=1e2 vs N=1e1, timed in turn" and row.framework == "fgrad" and row.status == "ok"
    big, small, ratio = row.extra["per step"].replace(" µs", "").replace("×", "").replace(" vs ", " = ").split(" = ")
    assert float(ratio) == pytest.approx(float(big) / float(small), rel=0.02)
    # and the split of CPU time between Python (user mode) and the kernel (page faults)
    user_big, user_small, user_ratio = row.extra["user mode"].replace(" µs", "").replace("×", "").replace(" vs ", " = ").split(" = ")
    assert float(user_big) > 0 and float(user_small) > 0
    kernel_big, kernel_small = row.extra["kernel"].replace(" µs", "").split(" vs ")
    assert float(kernel_big) >= 0 and float(kernel_small) >= 0
    assert w2_chain.flatness(SMOKE) == []  # nothing is timed when timing is off


def test_w3_reports_memory_and_w4_graph_sizes():
    w3 = cli.WORKLOADS["W3"].run(SMOKE)
    fgrad_row = next(r for r in w3 if r.framework == "fgrad")
    numpy_row = next(r for r in w3 if r.framework == "hand-written NumPy")
    assert 0 < fgrad_row.extra["peak extra / input"] <= 1.2 * numpy_row.extra["peak extra / input"]
    w4 = cli.WORKLOADS["W4"].run(SMOKE)
    # records the n-th derivative's outermost walk covers: x and tanh for n = 1; tanh's
    # rule is one primitive of its output, so n = 2 adds one tanh_vjp and n = 3 one mul
    assert [r.extra["graph records"] for r in w4 if r.framework == "fgrad"] == [2, 3, 4]


def test_jit_rows_report_their_first_call_and_w4_its_program_size():
    from benchmarks import w4_higher

    for workload in ("W1", "W3", "W4", "W5", "W6"):
        every_row = cli.WORKLOADS[workload].run(SMOKE)
        rows = [r for r in every_row if r.framework == "fgrad.jit"]
        assert rows and all(r.status == "ok" for r in rows), (workload, rows)
        # the first call (tracing, compiling) is a column of its own, not part of the median
        assert all(r.extra["first call (compile)"].endswith("s") for r in rows), workload
        if workload == "W4":
            # the jitted n-th derivative is one optimised program, its size the records the page compares
            records = [r.extra["compiled records"] for r in rows]
            assert records == [w4_higher.fgrad_program_size(n) for n in (1, 2, 3)]
            assert all(isinstance(k, int) and k > 0 for k in records)
        if workload == "W3":
            # measured like the other NumPy-based rows, by tracemalloc, against the hand-written pass
            assert rows[0].extra["memory method"] == "tracemalloc" and rows[0].extra["peak extra / input"] > 0
            assert "memory × NumPy" in rows[0].extra


def test_w8_names_each_rows_transform_and_times_a_jit_apart_from_its_first_call():
    from benchmarks import charts, w8_batched

    rows = cli.WORKLOADS["W8"].run(SMOKE)
    assert [(r.case, r.framework, r.extra["transform"]) for r in rows] == [
        ("Jacobian 6×6", "fgrad", "fgrad.jacrev"), ("Jacobian 6×6", "fgrad.jacfwd", "fgrad.jacfwd"),
        ("Jacobian 6×6", "hand-written NumPy", "closed form"),
        ("Hessian 4-D", "fgrad", "fgrad.hessian"), ("Hessian 4-D", "hand-written NumPy", "closed form"),
        ("per-example 5×3", "fgrad", "fgrad.vmap(fgrad.grad)"),
        ("per-example 5×3", "fgrad, loop of grad", "fgrad.grad per example"),
        ("per-example 5×3", "hand-written NumPy", "closed form"),
        ("one batched gradient 5×3", "fgrad", "fgrad.grad of the summed loss"),
        ("one batched gradient 5×3", "hand-written NumPy", "closed form")]
    # the overview chart shows the Jacobian at the full run's size
    n = w8_batched.FULL[0]
    assert charts.HEADLINE_CASE["W8"] == f"Jacobian {n}×{n}"
    # a jitted peer's first call (tracing, compiling) is reported apart, not timed with the rest
    notes = w8_batched.Notes({"jax (jit)": "jax.jit(jax.jacrev)"})
    calls = []
    fn = notes.warm_up("jax (jit)", lambda: calls.append(1))
    assert calls == [1] and notes.first_call["jax (jit)"] >= 0
    figures = notes.extra("jax (jit)", fn, None)
    assert figures["transform"] == "jax.jit(jax.jacrev)" and figures["first call (compile)"].endswith("s")


def test_a_wrong_number_is_a_mismatch_row_not_a_crash():
    rows = run_case("W0", "demo", {"fgrad": lambda: (lambda: 1.0), "broken": lambda: (lambda: 1 / 0)},
                    check=lambda r: close(r, 2.0), settings=Settings(timing=False))
    assert rows[0].status.startswith("MISMATCH")
    assert rows[1].status.startswith("ERROR: ZeroDivisionError")
    with pytest.raises(Mismatch):
        close({"a": 1.0}, {"a": 1.0, "b": 2.0})


def test_missing_peers_are_skipped(monkeypatch):
    from benchmarks import _peers

    def missing():
        raise _peers.PeerMissing("torch not installed (test)")

    rows = run_case("W0", "demo", {"torch": missing}, check=lambda r: None, settings=Settings(timing=False))
    assert rows[0].status == "skipped: torch not installed (test)"


def test_cli_writes_json_and_markdown(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "Settings", lambda **kw: Settings(tiny=True, timing=False, frameworks=("fgrad",)))
    assert cli.main(["--only", "w1,W4", "--out", str(tmp_path)]) == 0
    md = (tmp_path / "latest.md").read_text()
    assert "## W1" in md and "## W4" in md and "| fgrad |" in md
    assert '"framework": "fgrad"' in (tmp_path / "latest.json").read_text()
    with pytest.raises(SystemExit):
        cli.main(["--only", "W99"])


def test_a_call_slower_than_the_budget_is_measured_warm_not_first():
    # the first call pays once-per-process costs; the measurement is a later call
    calls = []
    seconds = interleaved_medians({"f": lambda: calls.append(1)}, {"f": plan_for(5.0, Settings(budget=1.0))})["f"]
    assert calls == [1] and seconds < 1.0


def test_frameworks_are_timed_in_turn_batch_by_batch():
    order = []
    rows = run_case("W0", "demo", {"a": lambda: (lambda: order.append("a") or 2.0),
                                   "b": lambda: (lambda: order.append("b") or 2.0)},
                    check=lambda r: close(r, 2.0), settings=Settings(repeats=3, min_batch=0.0))
    assert [r.framework for r in rows] == ["a", "b"] and all(r.seconds > 0 for r in rows)
    # each checked, then called once more to size its batches (untimed one-time costs stay out
    # of the plan), then one batch of one call each, round by round
    assert order == ["a", "a", "b", "b"] + ["a", "b"] * 3


def test_the_run_restarts_with_the_allocator_thresholds_fixed(monkeypatch):
    from benchmarks import _allocator

    if _allocator.platform.libc_ver()[0] != "glibc":
        pytest.skip("the thresholds are glibc's")
    for k in _allocator.PINNED:
        monkeypatch.delenv(k, raising=False)
    env = _allocator.pinned_environment(["--only", "W6"])
    assert env is not None and {k: env[k] for k in _allocator.PINNED} == {
        "MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "67108864"}
    assert env["PATH"] == os.environ["PATH"]  # the rest of the environment is kept
    assert _allocator.pinned_environment(["--only", "W6", "--default-malloc"]) is None
    assert _allocator.state() == "glibc default (dynamic thresholds)"
    for k, v in _allocator.PINNED.items():
        monkeypatch.setenv(k, v)
    assert _allocator.pinned_environment([]) is None  # already fixed: no second restart
    assert _allocator.state().startswith("glibc, thresholds fixed: MALLOC_MMAP_THRESHOLD_=33554432")


def test_the_command_line_run_reports_its_allocator_state(tmp_path):
    import json
    import subprocess

    from benchmarks import _allocator

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {k: v for k, v in os.environ.items() if k not in _allocator.PINNED}
    for extra, want in (([], "glibc, thresholds fixed"), (["--default-malloc"], "glibc default")):
        out = tmp_path / (extra[0].strip("-") if extra else "pinned")
        done = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "W1", "--frameworks", "fgrad", "--quick",
                               "--out", str(out), *extra], cwd=root, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        meta = json.loads((out / "latest.json").read_text())["meta"]
        if _allocator.platform.libc_ver()[0] == "glibc":
            assert meta["machine"]["allocator"].startswith(want)
        assert meta["command"].endswith("--frameworks fgrad" + "".join(" " + e for e in extra))


def test_append_adds_a_runs_rows_to_published_results(tmp_path):
    from benchmarks.harness import Row

    meta = {"machine": {}, "peers": {}, "command": "python -m benchmarks", "date": "d"}
    first = [Row("W1", "a", "fgrad", "ok", 1.0), Row("W9", "1e8 float64", "fgrad", "ok", 2.0)]
    (tmp_path / "latest.json").write_text(report.to_json(first, meta) + "\n")
    rows, merged_meta, workloads = cli._appended(
        str(tmp_path), [Row("W9", "1e8 float64", "fgrad", "ok", 3.0), Row("W9", "1e9 float64", "fgrad", "ok", 9.0)],
        {**meta, "command": "python -m benchmarks --only W9 --large"})
    assert [(r.workload, r.case, r.seconds) for r in rows] == [
        ("W1", "a", 1.0), ("W9", "1e8 float64", 3.0), ("W9", "1e9 float64", 9.0)]
    assert merged_meta["command"] == "python -m benchmarks; python -m benchmarks --only W9 --large --append"
    assert workloads == ["W1", "W9"]
