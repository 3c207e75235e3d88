"""``import fgrad`` stays light: what only some users need is imported on first use.

No timing here (benchmarks/w7_import.py measures it): each test looks at
``sys.modules`` in a fresh interpreter, so what the test session imported earlier
cannot hide an eager import.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import fgrad

ROOT = Path(__file__).resolve().parents[1]

# Never imported by `import fgrad`: heavy dependencies, and fgrad's own parts for some users only.
NOT_ON_IMPORT = (
    "graphviz", "matplotlib", "scipy", "jax", "torch", "autograd", "subprocess", "numpy.random",
    "fgrad.numpy", "fgrad.optimize", "fgrad.scipy", "fgrad._checks", "fgrad._dot", "fgrad._graph_text",
    "fgrad._cli_graph", "fgrad._jacobians", "fgrad._tour", "fgrad._pickle",
)


def fresh(code: str) -> dict:
    """Run `code` in a new interpreter; it sets `out`, which comes back (as JSON)."""
    done = subprocess.run([sys.executable, "-c", code + "\nimport json; print(json.dumps(out))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_fgrad_leaves_the_heavy_parts_unloaded():
    # (what NumPy itself loads does not count: NumPy 2.2 on Python 3.10 imports subprocess)
    out = fresh(f"import sys, numpy\nbase = set(sys.modules)\nimport fgrad\n"
                f"out = [m for m in {NOT_ON_IMPORT!r} if m in sys.modules and m not in base]")
    assert out == []


def test_import_fgrad_numpy_leaves_numpy_random_unloaded():
    out = fresh("import sys, fgrad.numpy as fnp\nbefore = 'numpy.random' in sys.modules\n"
                "out = [before, fnp.random.default_rng(0).normal(size=2).shape == (2,), fnp.random.__name__]")
    assert out == [False, True, "fgrad.numpy.random"]


def test_lazy_names_are_the_same_objects_as_their_modules():
    from fgrad import _checks, _dot, _jacobians, optimize

    import fgrad.numpy

    assert (fgrad.check_grads, fgrad.numerical_grad) == (_checks.check_grads, _checks.numerical_grad)
    assert (fgrad.render, fgrad.to_dot) == (_dot.render, _dot.to_dot)
    assert (fgrad.hessian, fgrad.hvp, fgrad.jacfwd, fgrad.jacobian, fgrad.jacrev) == (
        _jacobians.hessian, _jacobians.hvp, _jacobians.jacfwd, _jacobians.jacobian, _jacobians.jacrev)
    assert fgrad.numpy is sys.modules["fgrad.numpy"] and fgrad.optimize is optimize


def test_every_public_name_is_reachable_and_listed_by_dir_before_first_use():
    out = fresh(
        "import fgrad\nlisted = set(dir(fgrad))\n"
        "from fgrad import hessian, render, check_grads, numpy, optimize\n"
        "out = [sorted(set(fgrad.__all__) - listed), [n for n in fgrad.__all__ if getattr(fgrad, n, None) is None],"
        " numpy.__name__, hessian(lambda x: x ** 3)(2.0).item()]"
    )
    assert out == [[], [], "fgrad.numpy", 12.0]
    with pytest.raises(AttributeError, match="module 'fgrad' has no attribute 'no_such_name'"):
        fgrad.no_such_name  # noqa: B018


def test_numpy_dispatch_works_on_the_first_trace_without_importing_fgrad_numpy():
    # np.* on a traced value and ndarray methods (x.max(), x.dot) are registered by
    # fgrad.numpy, which the first trace loads
    out = fresh(
        "import sys, numpy as np, fgrad\nloaded = 'fgrad.numpy' in sys.modules\n"
        "g = fgrad.grad(lambda x: np.sum(np.sin(x)) + x.max() + np.fft.fft(x).real.sum() + x.dot(x))"
        "(np.array([0.0, 1.0]))\n"
        "out = [loaded, 'fgrad.numpy' in sys.modules, g.tolist()]"
    )
    # d/dx of: sum(sin x), max x (at index 1), sum(Re fft(x)) = 2 x[0], x.x
    want = [1.0 + 0.0 + 2.0 + 0.0, np.cos(1.0) + 1.0 + 0.0 + 2.0]
    assert out[:2] == [False, True]
    np.testing.assert_allclose(out[2], want, rtol=1e-12)


def test_the_static_view_names_every_lazy_name():
    # type checkers and the API reference (griffe) read the `if TYPE_CHECKING:` imports
    tree = ast.parse((ROOT / "fgrad" / "__init__.py").read_text(encoding="utf-8"))
    guarded = {
        alias.asname or alias.name
        for node in tree.body if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
        for stmt in node.body if isinstance(stmt, ast.ImportFrom) for alias in stmt.names
    }
    assert guarded == set(fgrad._LAZY)

