"""docs/reference/coverage.md: current, true, and never shrinking against autograd.

docs/coverage.py compares fgrad's functions (read from its code) with a committed
snapshot of what HIPS autograd and JAX provide. Here: the committed page is what the
generator makes now; every function the page marks as working really is reached by a
traced value; the statuses mean what the page says; and the list of autograd functions
fgrad lacks is a committed list that may only shrink, so losing a function fails.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import fgrad
from extras_support import import_extra

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _load_coverage_module():
    spec = importlib.util.spec_from_file_location("docs_coverage", DOCS / "coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


coverage = _load_coverage_module()

# Functions autograd takes (with a derivative or a zero one) that fgrad refuses today.
# It may only shrink: when fgrad gains one, delete it here (`python docs/coverage.py gaps`
# prints today's list); a name fgrad loses (or one a new snapshot adds) fails
# `test_fgrad_lacks_no_autograd_function_beyond_the_known_list`.
KNOWN_AUTOGRAD_GAPS: frozenset[str] = frozenset()  # none: fgrad takes every one


@pytest.fixture(scope="module")
def rows():
    return coverage.table()


# ---------------------------------------------------------------- (a) the page is current
def test_the_committed_page_is_what_the_generator_makes():
    page = coverage.PAGE.read_text(encoding="utf-8")
    made_with = re.search(r"Made with NumPy (\S+) and SciPy (\S+)\.", page)
    assert made_with, "docs/reference/coverage.md lost its 'Made with NumPy X and SciPy Y.' line"
    here = (coverage._minor_version("numpy"), coverage._minor_version("scipy"))
    if made_with.groups() != here:
        # Which functions exist (and so fgrad's column) depends on the NumPy/SciPy version.
        pytest.skip(f"the page was made with NumPy {made_with[1]} / SciPy {made_with[2]}; "
                    f"this is NumPy {here[0]} / SciPy {here[1]}")
    assert page == coverage.render(), (
        "docs/reference/coverage.md is out of date: run `python docs/coverage.py write` and commit it")


def test_the_page_is_in_the_site_navigation():
    nav = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+- .*: reference/coverage\.md$", nav, re.M)


def test_the_snapshot_is_what_the_installed_libraries_give():
    import_extra("reference", "jax")
    import_extra("bench", "autograd")
    from importlib.metadata import version

    import scipy

    snap = coverage.load_snapshot()
    now = (version("autograd"), version("jax"), np.__version__, scipy.__version__)
    then = (snap["autograd"]["version"], snap["jax"]["version"], snap["numpy_version"], snap["scipy_version"])
    if now != then:
        pytest.skip(f"the snapshot is of autograd/JAX/NumPy/SciPy {then}; installed: {now}")
    fresh = coverage.snapshot()
    assert fresh == snap, "docs/coverage_reference.json is stale: run `python docs/coverage.py snapshot`"


# ---------------------------------------------------------------- (b) what the page claims is true
class _Reached(Exception):
    pass


def _probe_arguments(target):
    """Ways to call `target` on a traced ``x`` so that NumPy's dispatcher sees it (argument builders)."""
    if isinstance(target, np.ufunc):
        return [lambda x: (x,) * target.nin]
    try:
        params = inspect.signature(target).parameters.values()
    except ValueError:  # a C function without a signature (np.concatenate on NumPy < 2.3): try one to three
        return [lambda x, n=n: (x,) * n for n in (1, 2, 3)] + [lambda x: ([x, x],)]
    required = sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                   for p in params)
    if not required:  # (*arrays) or (*operands)
        return [lambda x: (x, x)]
    return [lambda x: (x,) * required, lambda x: ([x, x],) + (x,) * (required - 1)]


def _reaches(target, monkeypatch) -> bool:
    """Whether ``target(traced, ...)`` arrives at the function fgrad registered for it."""
    from fgrad._ops import ARRAY_FUNCTIONS, UFUNCS

    def recorder(*args, **kwargs):
        raise _Reached

    monkeypatch.setitem(UFUNCS if isinstance(target, np.ufunc) else ARRAY_FUNCTIONS, target, recorder)
    for arguments in _probe_arguments(target):
        def f(x, arguments=arguments):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                target(*arguments(x))
            return fgrad.numpy.sum(x)

        try:
            fgrad.grad(f)(np.ones((2, 2)))
        except _Reached:
            return True
        except Exception:  # this way of calling does not fit the function: try the next
            continue
    return False


def test_every_function_marked_working_is_reached(rows, monkeypatch):
    unreached = []
    for module, by_name in rows.items():
        for name, s in by_name.items():
            if s["fgrad"] not in coverage.WORKS:
                continue
            fun, via_numpy = coverage.fgrad_function(module, name)
            assert callable(fun), coverage.label(module, name)
            if s["fgrad"] == coverage.MODULE_ONLY:
                # Reached only as fgrad's own function: it must be fgrad's, in fgrad's module.
                assert not via_numpy and fun is not coverage.reference_object(module, name)
                assert fun is coverage._attribute(coverage.mirror(module), name), coverage.label(module, name)
                continue
            if s["fgrad"] == coverage.DIFFERENTIABLE:
                assert via_numpy, coverage.label(module, name)
            with monkeypatch.context() as m:
                if via_numpy and not _reaches(coverage.reference_object(module, name), m):
                    unreached.append(coverage.label(module, name))
    assert not unreached, f"marked as working, but a traced value does not reach fgrad's version: {unreached}"


def test_a_function_marked_working_really_differentiates():
    # np.linalg.svd dispatches on a traced value, and its singular values' gradient is U V^T.
    a = np.array([[3.0, 1.0], [0.5, 2.0]])
    if coverage.status("numpy.linalg", "svd") == coverage.DIFFERENTIABLE:
        got = fgrad.grad(lambda x: np.sum(np.linalg.svd(x, compute_uv=False)))(a)
        u, _, vt = np.linalg.svd(a)
        np.testing.assert_allclose(got, u @ vt, atol=1e-12)
    got = fgrad.grad(lambda x: np.sum(np.sinh(x)))(a)
    np.testing.assert_allclose(got, np.cosh(a), atol=1e-12)
    assert coverage.status("numpy", "sinh") == coverage.DIFFERENTIABLE


def test_statuses_mean_what_the_legend_says():
    assert coverage.status("numpy", "sum") == coverage.DIFFERENTIABLE
    assert coverage.status("numpy", "argmax") == coverage.ZERO
    assert getattr(coverage.fgrad_function("numpy", "argmax")[0], "is_plain", False)
    assert coverage.status("numpy", "left_shift") == coverage.INTEGER
    assert coverage.status("numpy", "bitwise_and") == coverage.ZERO  # (masks combined with &, | inside vmap)
    assert coverage.status("numpy", "zeros") == coverage.NUMPY_OWN  # fgrad.numpy.zeros is NumPy's own
    assert coverage.status("numpy", "asarray") == coverage.MODULE_ONLY  # np.asarray cannot see a traced value
    assert coverage.status("numpy", "unpackbits") == coverage.MISSING
    assert coverage.status("numpy", "no_such_function") == coverage.ABSENT
    with pytest.raises(TypeError, match="np.unpackbits"):
        fgrad.grad(lambda x: np.sum(np.unpackbits(x)))(np.ones(3))


def test_a_missing_mirror_module_is_skipped(monkeypatch):
    monkeypatch.setitem(coverage.MODULES, "numpy.fft", "fgrad.no_such_module")
    assert coverage.mirror("numpy.fft") is None
    assert coverage.status("numpy.fft", "rfft") in (coverage.DIFFERENTIABLE, coverage.MISSING)


def test_the_summary_counts_add_up(rows):
    for module, by_name in rows.items():
        s = coverage.summary(module, by_name)
        assert s["autograd_covered"] + len(s["autograd_lacks"]) <= s["autograd"]
        assert s["jax_covered"] + len(s["jax_lacks"]) <= s["jax"]
        assert s["fgrad"] == s["autograd_covered"] + len(s["beyond_autograd"])


# ---------------------------------------------------------------- (c) never shrinking
def test_fgrad_lacks_no_autograd_function_beyond_the_known_list(rows):
    gaps = set(coverage.autograd_gaps(rows))
    new = sorted(gaps - KNOWN_AUTOGRAD_GAPS)
    assert not new, f"fgrad no longer takes these functions autograd differentiates: {new}"


def test_autograd_classification_matches_autograd():
    import_extra("bench", "autograd")
    import autograd.numpy as anp
    import autograd.scipy.special as asp

    assert coverage._autograd_kind(anp.sum) == coverage.DIFFERENTIABLE
    assert coverage._autograd_kind(anp.vstack) == coverage.DIFFERENTIABLE  # written with concatenate
    assert coverage._autograd_kind(anp.argmax) == coverage.ZERO
    assert coverage._autograd_kind(anp.shape) == coverage.ZERO  # a notrace primitive
    assert coverage._autograd_kind(asp.gammasgn) == coverage.ZERO  # defvjp(gammasgn, None)
    assert coverage._autograd_kind(anp.median) is None  # wrapped, but no VJP
