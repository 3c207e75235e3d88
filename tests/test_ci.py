"""`.ci/run` proves what the README promises: the same test command, on every claimed Python."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CI = (REPO / ".ci" / "run").read_text(encoding="utf-8")


def _readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in quick_start.strip().splitlines()]


def test_ci_runs_the_readme_test_command_verbatim():
    tour, tests = _readme_commands()
    assert tests == "pip install -e '.[test]' && python -m pytest"
    body = CI.split("readme_test_command() {", 1)[1].split("\n}", 1)[0]
    assert [line.strip() for line in body.splitlines() if line.strip() and not line.strip().startswith("#")] == [tests]
    assert "in_fresh_venv \"$python\" \"$work/py$version\" readme_test_command" in CI


def test_ci_claims_every_python_the_package_claims():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    oldest = re.search(r'requires-python = ">=(3\.\d+)"', pyproject).group(1)
    claimed = re.search(r"^claimed=\(([^)]*)\)", CI, re.M).group(1).split()
    assert claimed[0] == oldest
    assert claimed == [f"3.{n}" for n in range(int(oldest.split(".")[1]), 14)]


def test_ci_requires_the_extras_it_installs():
    # A test that needs an extra skips without it, except where .ci/run requires it.
    assert "FGRAD_REQUIRE_EXTRAS=reference FGRAD_DIFF_EXAMPLES=" in CI
    assert "FGRAD_REQUIRE_EXTRAS=docs,dask,array-api python -m pytest" in CI
    assert "FGRAD_REQUIRE_EXTRAS=dask,array-api python -m pytest -p no:cacheprovider tests/test_dask.py" in CI
    extras = (REPO / "pyproject.toml").read_text(encoding="utf-8").split("[project.optional-dependencies]", 1)[1]
    for extra in ("test", "docs", "reference", "dask", "array-api"):
        assert re.search(rf"^{extra} = \[", extras, re.M), extra


def test_ci_script_is_valid_bash():
    subprocess.run(["bash", "-n", str(REPO / ".ci" / "run")], check=True)
