"""Every function of fgrad.numpy, from one table: first and second derivatives against central
differences, on scalars, vectors, matrices, broadcasting pairs and axis variants.

Each row is a call written against a namespace ``np`` and is run three ways:
- with ``np = numpy`` on plain arrays (the reference value),
- with ``np = fgrad.numpy`` on plain arrays (must give exactly NumPy's result),
- with both namespaces on traced values (``np.*`` dispatch and ``fnp.*``): values equal
  the reference, both record the same primitives, and `fgrad.check_grads` verifies
  first and second derivatives (reverse mode) against central differences.

Adding a function means adding a row, in the table_rows_*.py module of its area, with its
line for docs/reference/numpy.md (``doc=``; see tests/table_support.py).
"""

from __future__ import annotations

import warnings
import zlib
from typing import Callable

import numpy
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad._core import Node
from fgrad.tree import tree_flatten

from table_support import Row, argument_shapes, float64_arguments, table_rows

# The rows of each area, from the table_rows_*.py modules (each defines ROWS); doc-only
# rows (a reference line, nothing to run) are docs/numpy_reference.py's alone.
ROWS = [r for r in table_rows() if not r.doc_only]


def _cases():
    for r in ROWS:
        for case in r.shapes:
            shapes = argument_shapes(case)
            for ns in r.namespaces:
                for dtype in ("float64", "float32"):
                    yield pytest.param(r, shapes, ns, dtype, id=f"{r.name}-{'x'.join(map(str, shapes))}-{ns}-{dtype}")


def _arguments(r: Row, shapes: tuple, seed: int, dtype: str = "float64") -> tuple:
    """Arguments drawn from the row's domains: arrays of `dtype`, scalars as Python floats
    (float64) or NumPy float32 scalars."""
    args = float64_arguments(r, shapes, seed)
    if dtype == "float64":
        return args
    return tuple(numpy.asarray(a, dtype) if s else numpy.dtype(dtype).type(a) for a, s in zip(args, shapes))


def _recorded_primitives(fun: Callable, args: tuple) -> list[str]:
    """Names of the primitives `fun` records on traced args, in a canonical walk order."""
    seen: list = []

    def capture(*xs):
        out = fun(*xs)
        seen.append(out)
        return out

    fgrad.vjp(capture, *args)
    names, stack, visited = [], [o for o in tree_flatten(seen[0])[0] if isinstance(o, Node)], set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if node.primitive is not None:
            names.append(node.primitive.name)
        stack.extend(node.parents)
    return sorted(names)


def _assert_tree_equal(got, want, exact: bool, rtol: float = 1e-10) -> None:
    got_leaves, got_def = tree_flatten(got)
    want_leaves, want_def = tree_flatten(want)
    assert got_def == want_def
    for g, w in zip(got_leaves, want_leaves):
        if exact:
            assert type(g) is type(w) or numpy.ndim(w) == 0
            numpy.testing.assert_array_equal(g, w)
        else:
            g = fgrad.stop_gradient(g)
            assert numpy.result_type(g) == numpy.result_type(w), "fgrad changed the result's dtype"
            numpy.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * 1e-2)


@pytest.mark.parametrize("r, shapes, ns, dtype", list(_cases()))
def test_function_table(r: Row, shapes: tuple, ns: str, dtype: str):
    namespace = fnp if ns == "fnp" else numpy
    args = _arguments(r, shapes, zlib.crc32(r.name.encode()) % 1000, dtype)  # not hash(): salted per process
    reference = r.fun(numpy, *args)
    f = lambda *xs: r.fun(namespace, *xs)  # noqa: E731

    # Plain inputs: the namespace gives NumPy's result exactly (the fast path is NumPy).
    _assert_tree_equal(f(*args), reference, exact=True)
    # Traced inputs: the same value and dtype, and first and second derivatives agree with
    # central differences (taken in float64; float32 derivatives to check_grads' 1e-2).
    out, _ = fgrad.vjp(f, *args)
    _assert_tree_equal(out, reference, exact=False, rtol=1e-10 if dtype == "float64" else 1e-5)
    fgrad.check_grads(f, args, order=r.order, modes=("fwd", "rev"))


def _complex_arguments(r: Row, shapes: tuple) -> tuple:
    """The row's arguments with an imaginary part of a tenth of their size: near the real
    domain where the function is smooth, but off the real axis in every element."""
    real_args = _arguments(r, shapes, zlib.crc32(r.name.encode()) % 1000)
    rng = numpy.random.default_rng(7)
    return tuple(a + 0.1j * numpy.abs(a) * rng.choice([-1.0, 1.0], numpy.shape(a)) if numpy.ndim(a)
                 else complex(a, 0.1 * abs(a)) for a in real_args)


@pytest.mark.parametrize("r", [r for r in ROWS if "fnp" in r.namespaces], ids=lambda r: r.name)
def test_function_table_on_complex_values(r: Row):
    """Every row on complex arguments: NumPy's values and derivatives checked along both
    directions to second order, or a TypeError naming a function that refuses complex
    values; never a wrong number. (Rows NumPy itself refuses on complex values pass.)"""
    args = _complex_arguments(r, argument_shapes(r.shapes[0]))
    with numpy.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reference = r.fun(numpy, *args)
        except (TypeError, ValueError, numpy.linalg.LinAlgError):
            return  # NumPy does not allow complex values here
    f = lambda *xs: r.fun(fnp, *xs)  # noqa: E731
    try:
        out, _ = fgrad.vjp(f, *args)
    except TypeError as e:
        assert "does not support complex values" in str(e) or "complex" in str(e), str(e)
        return
    if r.name in _COMPLEX_RESULT_BEFORE_NUMPY_2_3 and _NUMPY_VERSION < (2, 3):
        reference = numpy.real(reference)  # (a real result, as NumPy >= 2.3 gives)
    _assert_tree_equal(out, reference, exact=False, rtol=1e-9)
    # A tenth of the default step: off the real axis |z| is curved (1/|z| near small values,
    # e.g. an entry of inv(a) in cond(a, -1)) where on it it is piecewise linear, and the
    # central difference's truncation error (step**2) must stay below the same tolerances.
    fgrad.check_grads(f, args, order=r.order, modes=("fwd", "rev"), eps=1e-5)


# Rows whose NumPy < 2.3 gives a complex dtype for a real quantity of complex input
# (np.linalg.cond(a, 1) of a complex a is complex128 on NumPy 2.2, float64 on 2.3+).
_COMPLEX_RESULT_BEFORE_NUMPY_2_3 = {"linalg.cond 1 inf", "linalg.cond fro nuc"}
_NUMPY_VERSION = tuple(int(p) for p in numpy.__version__.split(".")[:2])


@pytest.mark.parametrize("r", [r for r in ROWS if len(r.namespaces) == 2], ids=lambda r: r.name)
def test_numpy_calls_record_the_same_primitives_as_fgrad_numpy(r: Row):
    args = _arguments(r, argument_shapes(r.shapes[-1]), seed=1)
    assert _recorded_primitives(lambda *xs: r.fun(numpy, *xs), args) == \
        _recorded_primitives(lambda *xs: r.fun(fnp, *xs), args)


def test_table_covers_every_differentiable_function():
    """Each differentiable fgrad.numpy function appears in some row (so it is checked)."""
    import inspect

    sources = "\n".join(inspect.getsource(r.fun) for r in ROWS)
    plain = {"sign", "floor", "ceil", "trunc", "rint", "fix", "round", "around", "floor_divide", "heaviside",
             "signbit", "isfinite", "isnan", "isinf", "isclose", "allclose", "array_equal", "greater",
             "greater_equal", "less", "less_equal", "equal", "not_equal", "logical_and", "logical_or",
             "logical_xor", "logical_not", "argmax", "argmin", "argsort", "argwhere", "nonzero", "flatnonzero",
             "count_nonzero", "all", "any", "searchsorted", "digitize", "zeros_like", "ones_like", "empty_like",
             "result_type", "iscomplexobj", "isrealobj", "shape", "ndim", "size", "supported",
             "array_attributes", "at", "linalg", "dsplit", "real", "cast", "imag", "angle", "isneginf", "isposinf", "isreal",
             "iscomplex", "isin", "array_equiv", "isscalar"}
    names = {r.name for r in ROWS}
    missing = [n for n in fnp.__all__
               if n not in plain | names and f"np.{n}(" not in sources and f".{n}(" not in sources]
    assert not missing, f"add rows for: {missing}"
    missing_linalg = [n for n in fnp.linalg.__all__ if n != "matmul" and f"np.linalg.{n}(" not in sources]
    assert not missing_linalg, f"add rows for: {missing_linalg}"
