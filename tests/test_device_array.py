"""Arrays of a GPU library (CuPy) through every transform, on a CPU stand-in for CuPy's
ndarray (tests/device_array.py: it refuses conversion to NumPy and NumPy operands, as
CuPy does). Results stay the library's arrays and equal NumPy's; fgrad's own constants
(seeds, identity bases, masks) are made in the input's library; NumPy arrays the
caller's code mixes in are refused as CuPy refuses them."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import fgrad
from fgrad.tree import tree_leaves

from array_library_cases import CASES, VMAP_CASES, XB, XN, W, rows_that_run, table_gradients, w3
from device_array import DeviceArray


@pytest.fixture
def no_transfers(monkeypatch):
    """Makes any copy to the host (`.get()`) an error while the test computes."""
    def refuse(self):
        raise AssertionError("fgrad copied a device array to the host")

    monkeypatch.setattr(DeviceArray, "get", refuse)
    yield
    monkeypatch.undo()


def _host(a):
    return a.get() if isinstance(a, DeviceArray) else a


# ---------------------------------------------------------------- the stand-in is CuPy-like
def test_the_stand_in_refuses_what_cupy_refuses_and_keeps_results_on_the_device():
    x = DeviceArray(XN)
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.asarray(x)
    with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
        x * np.ones(12)
    with pytest.raises(TypeError, match="Unsupported type"):
        np.concatenate([x, np.ones(2)])
    total = np.sum(x)
    assert type(total) is DeviceArray and total.shape == () and float(total) == np.sum(XN)
    out = DeviceArray(np.zeros(12))
    assert np.multiply(x, 2.0, out=out) is out and np.array_equal(out.get(), 2.0 * XN)
    out[np.array([0, 1])] = 5.0  # (indices and values may be NumPy's: CuPy copies them over)
    assert out.get()[:2].tolist() == [5.0, 5.0] and not hasattr(out, "setflags")
    assert type(np.asarray(XN, like=x)) is DeviceArray and fgrad._backend.library(x) == "devicelib"


# ---------------------------------------------------------------- the shared cases
def _cases(w, ones):
    """The shared cases, with the constants the caller's code writes -- the layer's weights
    `w`, a cotangent, a tangent, from ``ones(n)`` -- in the input's library."""
    def layer(x):
        return np.tanh(x @ w) * 2.0

    return {**CASES,
            "vjp": lambda x: fgrad.vjp(layer, x)[1](ones(3)),
            "jvp": lambda x: fgrad.jvp(layer, (x,), (ones(12),)),
            "linearize": lambda x: fgrad.linearize(layer, x)[1](ones(12)),
            "jacrev": lambda x: fgrad.jacrev(layer)(x),
            "jacfwd": lambda x: fgrad.jacfwd(layer)(x),
            "hvp": lambda x: fgrad.hvp(w3)(x, ones(12)),
            "parameters and data": lambda x: fgrad.grad(lambda v: np.sum(np.tanh(x @ v) ** 2))(w)}


NUMPY_CASES = _cases(W, np.ones)
DEVICE_CASES = _cases(DeviceArray(W), lambda n: DeviceArray(np.ones(n)))


@pytest.mark.parametrize("name", list(DEVICE_CASES))
def test_every_transform_stays_on_the_device_and_equals_numpy(name, no_transfers):
    got = tree_leaves(DEVICE_CASES[name](DeviceArray(XN)))
    want = tree_leaves(NUMPY_CASES[name](XN))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert type(g) is DeviceArray, type(g)  # (values too: CuPy's reductions give 0-d arrays)
        np.testing.assert_allclose(g._host, w, rtol=1e-13, atol=1e-15)


# (the jvp case's NumPy tangent is the caller's own NumPy array: refused, as CuPy would)
@pytest.mark.parametrize("name", [n for n in VMAP_CASES if not n.startswith("vmap(jvp)")])
def test_derivatives_inside_vmap_stay_on_the_device(name, no_transfers):
    got, want = VMAP_CASES[name](DeviceArray(XB)), VMAP_CASES[name](XB)
    assert type(got) is DeviceArray and got.shape == want.shape
    np.testing.assert_allclose(got._host, want, rtol=1e-14, atol=1e-15)


def test_numpy_arrays_in_the_callers_code_are_refused_as_cupy_refuses_them():
    """The shared cases as written mix NumPy constants (the weights W, a NumPy cotangent or
    tangent) into device computations: CuPy refuses that, and so does fgrad on its arrays;
    every other case runs."""
    refused = set()
    for name, case in CASES.items():
        try:
            got = case(DeviceArray(XN))
        except TypeError as e:
            assert "Unsupported type <class 'numpy.ndarray'>" in str(e)
            refused.add(name)
            continue
        for g, w in zip(tree_leaves(got), tree_leaves(case(XN))):
            np.testing.assert_allclose(g.get(), w, rtol=1e-13, atol=1e-15)
    assert refused == {"vjp", "jvp", "linearize", "jacrev", "jacfwd", "hvp"}


def test_repeated_integer_indices_accumulate_on_the_device():
    rows = np.array([[0, 2], [2, 2], [1, 1]])  # (two axes of integer indices: CuPy's ufunc.at takes one array)
    f = fgrad.grad(lambda y: np.sum(y[np.array([0, 0, 3])] ** 2) + np.sum(np.take_along_axis(y.reshape(3, 4), rows, 1)))
    got = f(DeviceArray(XN))
    assert type(got) is DeviceArray
    np.testing.assert_array_equal(got.get(), f(XN))


# ---------------------------------------------------------------- custom rules, graphs, optimizers
def test_custom_vjp_and_trace_on_device_arrays(no_transfers):
    @fgrad.custom_vjp
    def clipped_sqrt(x):
        return np.sqrt(x)

    clipped_sqrt.defvjp(lambda x: (np.sqrt(x), x), lambda x, g: (g / (2.0 * np.sqrt(np.maximum(x, 1e-6))),))
    x = np.linspace(0.5, 2.0, 8)
    g = fgrad.grad(lambda x: np.sum(clipped_sqrt(x)))(DeviceArray(x))
    assert type(g) is DeviceArray
    np.testing.assert_allclose(g._host, 0.5 / np.sqrt(x), rtol=1e-15)
    graph = fgrad.trace(fgrad.grad(w3))(DeviceArray(XN))
    assert "tanh" in str(graph) and "digraph" in fgrad.to_dot(graph)


def _rosenbrock(x):
    return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2


@pytest.mark.parametrize("minimize", [
    lambda x0: fgrad.optimize.newton(_rosenbrock, x0),
    lambda x0: fgrad.optimize.gradient_descent(_rosenbrock, x0, lr=0.001, steps=200, momentum=0.5),
], ids=["newton", "gradient_descent"])
def test_optimizers_iterate_on_the_device_and_take_numpys_steps(minimize):
    start = np.array([-1.2, 1.0])
    got, want = minimize(DeviceArray(start)), minimize(start)
    assert type(got.x) is DeviceArray and all(type(r.x) is DeviceArray for r in got.history)
    assert (got.nit, got.converged, got.status) == (want.nit, want.converged, want.status)
    np.testing.assert_allclose(got.x.get(), want.x, rtol=1e-13)
    np.testing.assert_allclose([r.f for r in got.history], [r.f for r in want.history], rtol=1e-13)


def test_a_pytree_start_point_keeps_its_leaves_on_the_device():
    loss = lambda t: np.sum((t["w"] - 3.0) ** 2) + t["b"] ** 2  # noqa: E731
    got = fgrad.optimize.gradient_descent(loss, {"w": DeviceArray(np.zeros(3)), "b": 1.0}, lr=0.1, steps=100)
    want = fgrad.optimize.gradient_descent(loss, {"w": np.zeros(3), "b": 1.0}, lr=0.1, steps=100)
    assert type(got.x["w"]) is DeviceArray
    np.testing.assert_allclose(got.x["w"].get(), want.x["w"], rtol=1e-13)
    np.testing.assert_allclose(float(got.x["b"]), want.x["b"], rtol=1e-13, atol=1e-300)


# ---------------------------------------------------------------- mixing, mutation, jit and vmap
def test_mixing_device_and_dask_arrays_is_a_clear_error():
    da = pytest.importorskip("dask.array")
    with pytest.raises(TypeError, match=r"mix arrays of (devicelib|dask) .* and (devicelib|dask)"):
        fgrad.grad(lambda a, b: np.sum(a) + np.sum(b), argnums=(0, 1))(DeviceArray(XN), da.from_array(XN))


def test_no_transform_writes_into_its_device_input():
    x = DeviceArray(XN.copy())
    fgrad.grad(w3)(x)
    fgrad.hessian(w3)(x[:4])
    fgrad.jacrev(lambda y: np.tanh(y) * y)(x)
    fgrad.vjp(lambda y: y * y, x)[1](DeviceArray(np.ones(12)))
    fgrad.grad(lambda y: np.sum(y[np.array([0, 0, 3])] ** 2))(x)
    np.testing.assert_array_equal(x._host, XN)


def test_results_are_arrays_of_their_own_as_numpys_are():
    """CuPy's views are writable: a gradient that broadcasts one number, and the Jacobian
    blocks of one batched pass, are copied (as NumPy's read-only views are)."""
    g = fgrad.grad(lambda x: np.sum(x))(DeviceArray(np.ones(4)))
    g[0] = 5.0
    assert g.get().tolist() == [5.0, 1.0, 1.0, 1.0]
    a, b = fgrad.jacrev(lambda a, b: a + b, argnums=(0, 1))(DeviceArray(np.ones(2)), DeviceArray(np.ones(2)))
    a[0, 0] = 7.0
    assert b.get().tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_jit_refuses_device_arrays_clearly_and_vmap_keeps_them_on_the_device(no_transfers):
    x = DeviceArray(np.ones((3, 4)))
    with pytest.raises(TypeError, match="NumPy arrays, numbers or pytrees"):
        fgrad.jit(lambda x: np.sum(x))(x)
    rows = fgrad.vmap(lambda x: np.sum(np.tanh(x)))(x)
    assert type(rows) is DeviceArray
    np.testing.assert_allclose(rows._host, np.sum(np.tanh(np.ones((3, 4))), axis=1), rtol=1e-15)


def test_the_gpu_scripts_checks_pass_on_the_stand_in(monkeypatch):
    """benchmarks/gpu_w3.py runs its checks on CuPy on a GPU machine; here on the stand-in,
    as a `cupy` module, so what fails on the stand-in is fixed before a GPU run."""
    import types

    cupy = types.ModuleType("cupy")
    cupy.asarray, cupy.ndarray, cupy.asnumpy = DeviceArray, DeviceArray, DeviceArray.get
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    from benchmarks import gpu_w3

    results = gpu_w3.checks()
    assert len(results) == 9 and all(ok for _, ok in results), results


# ---------------------------------------------------------------- the function table
TABLE = list(table_gradients())
REFUSALS = (TypeError, ValueError, NotImplementedError)  # (NotImplementedError: CuPy's "not supported yet")


def _on_device(args):
    return [DeviceArray(a) if isinstance(a, np.ndarray) else a for a in args]


@pytest.mark.parametrize("r, grad, args", TABLE, ids=[r.name for r, _, _ in TABLE])
def test_every_table_gradient_on_device_arrays_is_right_or_refused(r, grad, args):
    """No silent wrong derivative: every function fgrad differentiates gives NumPy's
    gradient as device arrays, or raises an error (CuPy lacks the function or refuses a
    NumPy operand in the row's own code)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = grad(*args)
        try:
            got = grad(*_on_device(args))
        except REFUSALS:
            return
    for a, g, w in zip(args, got, want):  # (one gradient per argument)
        for gl, wl in zip(tree_leaves(g), tree_leaves(w)):
            if isinstance(a, np.ndarray):
                assert type(gl) is DeviceArray, f"{r.name}: a {type(gl).__name__} for a device argument"
            np.testing.assert_allclose(_host(gl), wl, rtol=1e-12, atol=1e-12, equal_nan=True,
                                       err_msg=f"{r.name}: a wrong derivative on device arrays")


def test_most_of_the_table_runs_on_device_arrays():
    """A floor on the table gradients that run on the device (the others are refusals: a
    function or ufunc method CuPy lacks, or a NumPy constant in the row's own code): a
    change that makes a common rule mix a NumPy constant into device values fails here.
    A share of the table, whose rows vary with the NumPy version (244 of 279 with NumPy 2.4)."""
    ran = rows_that_run(TABLE, _on_device, REFUSALS)
    assert ran >= 0.85 * len(TABLE), f"{ran} of {len(TABLE)} table gradients ran on device arrays"
