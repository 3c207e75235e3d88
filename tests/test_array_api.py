"""Arrays of a library that implements the array API standard but not NumPy's protocols
(array-api-strict, a strict implementation on the CPU, stands in for "not NumPy"): every
transform computes in that library -- no array is converted to NumPy on the way, which
the tests make an error -- returns that library's arrays, and equals the NumPy result."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import fgrad
from fgrad.tree import tree_leaves

from array_library_cases import CASES, VMAP_CASES, XB, XN, table_gradients, w3
from extras_support import import_extra

xp = import_extra("array-api", "array_api_strict")


@pytest.fixture(autouse=True)
def _no_conversion_to_numpy(monkeypatch):
    """Converting an array-api-strict array to NumPy (np.asarray, a ufunc's operand) is an error."""
    def refuse(self, *args, **kwargs):
        raise AssertionError("an array-API array was converted to NumPy")

    monkeypatch.setattr(type(xp.asarray(1.0)), "__array__", refuse, raising=False)

def _values(a):
    """An array-API array's values as a NumPy array, element by element (no conversion protocol)."""
    flat = xp.reshape(a, (-1,))
    return np.array([complex(flat[i]) if xp.isdtype(a.dtype, "complex floating") else float(flat[i])
                     for i in range(flat.shape[0])]).reshape(a.shape)


@pytest.mark.parametrize("name", list(CASES))
def test_every_transform_computes_in_the_arrays_library_and_equals_numpy(name):
    case = CASES[name]
    got, want = tree_leaves(case(xp.asarray(XN))), tree_leaves(case(XN))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert type(g) is type(xp.asarray(1.0)), type(g)  # (the library's own array, not fgrad's adapter)
        np.testing.assert_allclose(_values(g), w, rtol=1e-13, atol=1e-15)


def test_custom_vjp_and_trace_on_array_api_arrays():
    @fgrad.custom_vjp
    def clipped_sqrt(x):
        return np.sqrt(x)

    clipped_sqrt.defvjp(lambda x: (np.sqrt(x), x), lambda x, g: (g / (2.0 * np.sqrt(np.maximum(x, 1e-6))),))
    x = np.linspace(0.5, 2.0, 8)
    g = fgrad.grad(lambda x: np.sum(clipped_sqrt(x)))(xp.asarray(x))
    np.testing.assert_allclose(_values(g), 0.5 / np.sqrt(x), rtol=1e-15)
    assert "tanh" in str(fgrad.trace(fgrad.grad(w3))(xp.asarray(XN)))


def test_a_function_without_an_array_api_counterpart_is_a_clear_error():
    with pytest.raises(TypeError, match="np.linalg.eigh is not available for array_api_strict arrays"):
        fgrad.grad(lambda x: np.sum(np.linalg.eigh(x.reshape(3, 4)[:, :3])[0]))(xp.asarray(XN))


def test_mixing_array_libraries_is_a_clear_error():
    dask_array = pytest.importorskip("dask.array")
    with pytest.raises(TypeError, match=r"mix arrays of (dask|array_api_strict) .* and (dask|array_api_strict)"):
        fgrad.grad(lambda a, b: np.sum(a) + np.sum(b), argnums=(0, 1))(xp.asarray(XN), dask_array.from_array(XN))


TABLE = list(table_gradients())
REFUSALS = (TypeError, ValueError, NotImplementedError, IndexError, AttributeError)


def _in_library(args):
    return [xp.asarray(a) if isinstance(a, np.ndarray) else a for a in args]


@pytest.mark.parametrize("r, grad, args", TABLE, ids=[r.name for r, _, _ in TABLE])
def test_every_table_gradient_on_array_api_arrays_is_right_or_refused(r, grad, args):
    """No silent wrong derivative: every function fgrad differentiates gives NumPy's gradient
    in the array-API library, or raises an error (a function the standard lacks)."""
    with np.errstate(all="ignore"):
        want = grad(*args)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = grad(*_in_library(args))
        except REFUSALS:
            return
    for g, w in zip(tree_leaves(got), tree_leaves(want)):
        assert type(g) is type(xp.asarray(1.0)) or isinstance(g, (float, np.ndarray, np.generic)), type(g)
        values = _values(g) if type(g) is type(xp.asarray(1.0)) else np.asarray(g)
        np.testing.assert_allclose(values, w, rtol=1e-12, atol=1e-12, equal_nan=True,
                                   err_msg=f"{r.name}: a wrong derivative on array-API arrays")


def test_most_of_the_table_computes_in_the_array_api_library():
    """A floor on the table gradients that run in the library (the others are refusals
    naming a NumPy function the translation table lacks): a change that breaks the
    common rules on array-API arrays fails here. A share of the table, whose rows vary
    with the NumPy version (174 of 279 with NumPy 2.4)."""
    computed = 0
    for _, grad, args in TABLE:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grad(*_in_library(args))
        except REFUSALS:
            continue
        computed += 1
    assert computed >= 0.6 * len(TABLE), f"{computed} of {len(TABLE)} table gradients ran in the array-API library"


@pytest.mark.parametrize("name", list(VMAP_CASES))
def test_derivatives_inside_vmap_compute_in_the_arrays_library(name):
    got, want = VMAP_CASES[name](xp.asarray(XB)), VMAP_CASES[name](XB)
    assert type(got) is type(xp.asarray(1.0)) and got.shape == want.shape
    np.testing.assert_allclose(_values(got), want, rtol=1e-14, atol=1e-15)


def test_a_gradient_that_does_not_depend_on_the_input_is_zeros_of_its_library():
    x = xp.asarray(XN)
    for g in (fgrad.grad(lambda x: 3.0)(x), fgrad.grad(lambda x, y: np.sum(y), argnums=0)(x, x)):
        assert type(g) is type(x)
        np.testing.assert_array_equal(_values(g), np.zeros_like(XN))


def test_array_api_data_among_the_constants_computes_in_its_library():
    X, w = np.linspace(-1.0, 1.0, 36).reshape(12, 3), np.array([0.5, -1.0, 0.25])

    def loss(w, X, scale=1.0):
        return np.sum(np.tanh(X @ w) ** 2) * scale

    want = fgrad.grad(loss)(w, X)
    for got in (fgrad.grad(loss)(w, xp.asarray(X)), fgrad.grad(loss)(w, X=xp.asarray(X)),
                fgrad.grad(lambda w, data: loss(w, data["X"]))(w, {"X": xp.asarray(X)})):
        assert type(got) is type(xp.asarray(1.0))
        np.testing.assert_allclose(_values(got), want, rtol=1e-14)
