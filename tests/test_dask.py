"""Dask arrays through every transform: results are lazy Dask arrays (nothing is computed
while fgrad traces or walks back), and computing them gives the NumPy results, on the
local scheduler and on a dask.distributed cluster of worker processes."""

from __future__ import annotations

import numpy as np
import pytest

import fgrad
from fgrad.tree import tree_leaves

from array_library_cases import CASES, VMAP_CASES, XB, XN, W, rows_that_run, table_gradients, w3
from extras_support import import_extra

dask = import_extra("dask", "dask")
da = import_extra("dask", "dask.array")


def _refuse(*args, **kwargs):
    raise AssertionError("fgrad computed a Dask array (it must stay lazy)")


CASES = {**CASES, "numpy parameters, dask data": lambda x: fgrad.grad(lambda w: np.sum(np.tanh(x @ w) ** 2))(W)}


@pytest.mark.parametrize("name", list(CASES))
def test_every_transform_keeps_dask_arrays_lazy_and_equals_numpy(name):
    case = CASES[name]
    x = da.from_array(XN, chunks=5)
    with dask.config.set(scheduler=_refuse):
        got = case(x)
    want = case(XN)
    got_leaves, want_leaves = tree_leaves(got), tree_leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves):
        if np.ndim(w) > 0:  # (arrays stay Dask's; a NumPy number derived from constants may stay one)
            assert isinstance(g, da.Array), type(g)
        computed = g.compute() if isinstance(g, da.Array) else g
        assert np.shape(computed) == np.shape(w)
        np.testing.assert_allclose(computed, w, rtol=1e-13, atol=1e-15)  # (Dask sums chunk by chunk)


def test_custom_vjp_rules_run_on_dask_arrays():
    @fgrad.custom_vjp
    def clipped_sqrt(x):
        return np.sqrt(x)

    clipped_sqrt.defvjp(lambda x: (np.sqrt(x), x), lambda x, g: (g / (2.0 * np.sqrt(np.maximum(x, 1e-6))),))
    x = da.from_array(np.linspace(0.5, 2.0, 8), chunks=3)
    with dask.config.set(scheduler=_refuse):
        g = fgrad.grad(lambda x: np.sum(clipped_sqrt(x)))(x)
    np.testing.assert_allclose(g.compute(), 0.5 / np.sqrt(np.linspace(0.5, 2.0, 8)), rtol=1e-15)


def test_a_graph_of_a_dask_computation_is_drawn():
    x = da.from_array(XN, chunks=5)
    with dask.config.set(scheduler=_refuse):
        graph = fgrad.trace(fgrad.grad(w3))(x)
    assert "tanh" in str(graph) and "digraph" in fgrad.to_dot(graph)


def test_the_input_is_not_changed():
    x = da.from_array(XN, chunks=5)
    before = x.compute()
    fgrad.grad(w3)(x)
    fgrad.grad(lambda y: np.sum(y[np.array([0, 0, 3])] ** 2))(x)
    np.testing.assert_array_equal(x.compute(), before)


X2 = np.linspace(-1.5, 2.5, 24).reshape(4, 6)
X3 = np.linspace(-1.0, 3.0, 60).reshape(3, 4, 5)
MASK = np.array([True, False, True, True, False, True])


def _second_order(f):
    return lambda x: fgrad.grad(lambda y: np.sum(fgrad.grad(f)(y) * y))(x)


# name -> (the gradient of an integer-array gather, NumPy input, chunks): repeated entries add
GATHERS = {
    "repeated": (fgrad.grad(lambda y: np.sum(y[np.array([0, 0, 3, 3, 3, 11])] ** 2)), XN, 5),
    "negative": (fgrad.grad(lambda y: np.sum(np.sin(y[np.array([-1, -12, -1, 5])]))), XN, 5),
    "a list": (fgrad.grad(lambda y: np.sum(y[[0, 0, 3]] ** 2)), XN, 5),
    "chunks the indices straddle": (fgrad.grad(lambda y: np.sum(y[np.array([2, 3, 5, 6, 8, 9, 2, 6])] ** 3)), XN, 3),
    "2-D on axis 0": (fgrad.grad(lambda y: np.sum(y[np.array([3, 0, 3, -3])] ** 2)), X2, (3, 4)),
    "2-D on axis 1": (fgrad.grad(lambda y: np.sum(y[:, np.array([5, 0, 5, -2])] ** 2)), X2, (3, 4)),
    "two arrays broadcast": (fgrad.grad(lambda y: np.sum(y[np.array([[0], [3], [0]]), np.array([1, 5, 1])] ** 2)),
                             X2, (3, 4)),
    "with a slice": (fgrad.grad(lambda y: np.sum(y[1:4, np.array([2, 2, 0])] ** 2)), X2, (3, 4)),
    "arrays apart, a slice between": (fgrad.grad(lambda y: np.sum(y[np.array([0, 2, 0]), 1:3, np.array([4, 4, -1])]
                                                                  ** 2)), X3, 2),
    "an integer and an array": (fgrad.grad(lambda y: np.sum(y[0, ..., np.array([3, 3])] ** 2)), X3, 2),
    "a boolean mask": (fgrad.grad(lambda y: np.sum(y[:, MASK] ** 2)), X2, (3, 4)),
    "a 2-D boolean mask": (fgrad.grad(lambda y: np.sum(y[X2 > 0.3] ** 2)), X2, (3, 4)),
    "second order": (_second_order(lambda y: np.sum(np.sin(y[np.array([0, 0, 3, -1])]) * y[np.array([3, 7, 7, 0])])),
                     XN, 5),
}


@pytest.mark.parametrize("chunk_size", ["128MiB", "48B"], ids=["one result block", "result blocks of 6"])
@pytest.mark.parametrize("name", list(GATHERS))
def test_integer_gathers_differentiate_lazily_and_exactly(name, chunk_size):
    grad, xn, chunks = GATHERS[name]
    with dask.config.set({"scheduler": _refuse, "array.chunk-size": chunk_size}):
        got = grad(da.from_array(xn, chunks=chunks))
    assert isinstance(got, da.Array), type(got)
    want = grad(xn)
    if name == "second order":  # (Dask sums chunk by chunk)
        np.testing.assert_allclose(got.compute(), want, rtol=1e-15)
    else:  # (the rows sent to one element add in NumPy's order)
        np.testing.assert_array_equal(got.compute(), want)


def test_a_lazy_index_array_is_refused_clearly():
    x = da.from_array(XN, chunks=5)
    lazy = da.from_array(np.array([0, 0, 3]), chunks=2)
    with pytest.raises(TypeError, match="index must be NumPy arrays or lists"):
        fgrad.grad(lambda y: np.sum(y[lazy] ** 2))(x)


def test_mixing_two_array_libraries_is_a_clear_error():
    class Duck(np.lib.mixins.NDArrayOperatorsMixin):  # (a second library that speaks NumPy's protocols)
        __module__ = "ducklib"

        def __init__(self, a):
            self.a = np.asarray(a)
            self.dtype, self.shape = self.a.dtype, self.a.shape

        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return NotImplemented

        def __array_function__(self, func, types, args, kwargs):
            return NotImplemented

    x = da.from_array(XN, chunks=5)
    with pytest.raises(TypeError, match=r"mix arrays of (dask|ducklib) .* and (dask|ducklib)"):
        fgrad.grad(lambda a, b: np.sum(a) + np.sum(b), argnums=(0, 1))(x, Duck(XN))


def test_a_gradient_on_a_distributed_cluster_of_worker_processes():
    distributed = import_extra("dask", "dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        xn = np.linspace(-3.0, 2.0, 100_000)  # (not symmetric: the value is far from 0)
        x = da.from_array(xn, chunks=25_000)
        value, grad = fgrad.value_and_grad(w3)(x)
        value, grad = client.compute([value, grad], sync=True)
        assert len(client.scheduler_info()["workers"]) == 2
    want_value, want_grad = fgrad.value_and_grad(w3)(xn)
    np.testing.assert_allclose(value, want_value, rtol=1e-13)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("call", [
    lambda fnp, x: fnp.tanh(x) * fnp.exp(-x),
    lambda fnp, x: fnp.sum(x ** 2, axis=0),
    lambda fnp, x: fnp.cumsum(x),
    lambda fnp, x: fnp.einsum("i,i->", x, x),
    lambda fnp, x: fnp.linalg.norm(x),
    lambda fnp, x: fnp.where(x > 0, x, 0.5 * x),
], ids=["elementwise", "sum", "cumsum", "einsum", "norm", "where"])
def test_fgrad_numpy_functions_dispatch_to_dask_outside_a_transform(call):
    import fgrad.numpy as fnp

    x = da.from_array(XN, chunks=5)
    with dask.config.set(scheduler=_refuse):
        got = call(fnp, x)
    assert isinstance(got, da.Array)
    np.testing.assert_allclose(got.compute(), call(np, XN), rtol=1e-15, atol=1e-14)  # (sums by chunk)


@pytest.mark.parametrize("name", list(VMAP_CASES))
def test_derivatives_inside_vmap_are_per_example_on_dask(name):
    # (a sum's cotangent was once broadcast to all the examples' shape: 3x the gradient)
    with dask.config.set(scheduler=_refuse):
        got = VMAP_CASES[name](da.from_array(XB, chunks=2))
    want = VMAP_CASES[name](XB)
    assert isinstance(got, da.Array) and got.shape == want.shape
    np.testing.assert_allclose(got.compute(), want, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("method", ["newton", "newton-cg", "gradient_descent"])
def test_optimizers_fit_numpy_parameters_to_dask_data_one_compute_per_evaluation(method):
    X = da.from_array(np.linspace(-1.0, 1.0, 300).reshape(100, 3) ** np.arange(1, 4), chunks=(25, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1
    Xn, yn = X.compute(), y.compute()

    def make_loss(X, y):
        return lambda w: np.mean((X @ w - y) ** 2) + 0.1 * np.sum(w ** 4)

    run = {"newton": lambda f: fgrad.optimize.newton(f, np.zeros(3)),
           "newton-cg": lambda f: fgrad.optimize.newton(f, np.zeros(3), solver="cg"),
           "gradient_descent": lambda f: fgrad.optimize.gradient_descent(f, np.zeros(3), lr=0.1, steps=20)}[method]
    computes = []

    def counting_scheduler(dsk, keys, **kwargs):
        computes.append(keys)
        return dask.get(dsk, keys, **kwargs)

    with dask.config.set(scheduler=counting_scheduler):
        got = run(make_loss(X, y))
    want = run(make_loss(Xn, yn))
    assert type(got.x) is np.ndarray and type(got.fun) is float
    np.testing.assert_allclose(got.x, want.x, rtol=1e-12)
    np.testing.assert_allclose(got.fun, want.fun, rtol=1e-12)
    assert (got.nit, got.nfev, got.nhev) == (want.nit, want.nfev, want.nhev)
    assert len(computes) == got.nfev + got.nhev  # (the value and the gradient in one pass over the data)


def test_a_traced_dask_value_is_shown_without_computing_it():
    x = da.from_array(XN, chunks=5)
    shown = []
    with dask.config.set(scheduler=_refuse):
        fgrad.grad(lambda x: shown.append(repr(np.sum(x))) or np.sum(x))(x)
    assert shown == ["Node(f64[] = <dask Array>)"]


# ---------------------------------------------------------------- the backward pass's Dask graph
def _layer_names(a):
    """The names of the operations in `a`'s Dask graph, one per layer (task keys less their token)."""
    layers = {k[0] if isinstance(k, tuple) else k for k in a.__dask_graph__()}
    return sorted(name.rsplit("-", 1)[0] for name in layers)


def test_the_w3_gradient_graph_is_as_small_as_the_hand_written_one():
    # The seed of a sum's cotangent is made chunk by chunk, so Dask fuses each chunk's
    # forward and backward chain into one task, as it does for the hand-written pass.
    x = da.random.default_rng(0).standard_normal(40, chunks=10)

    def tasks(value, grad):
        value, total = dask.optimize(value, grad.sum())
        return len({**value.__dask_graph__(), **total.__dask_graph__()})

    t = np.tanh(x)
    e, t2 = np.exp(-x), t * t
    hand = (np.sum(t2 * e), (2.0 * t * (1.0 - t2) - t2) * e)
    ours = fgrad.value_and_grad(w3)(x)
    assert tasks(*ours) == tasks(*hand)
    for got, want in zip(dask.compute(*ours), dask.compute(*hand)):
        np.testing.assert_allclose(got, want, rtol=1e-13)


@pytest.mark.parametrize("chunk", [5, 1 << 16])  # (small chunks, and chunks the fused kernels take)
def test_fused_kernels_run_per_chunk_with_the_plain_rules_numbers(chunk, monkeypatch):
    xn = np.linspace(-3.0, 3.0, 3 * chunk)
    x = da.from_array(xn, chunks=chunk)
    f = fgrad.grad(lambda x: np.sum(np.tanh(x) ** 2 * np.cos(x)))
    with dask.config.set(scheduler=_refuse):
        fused = f(x)
    assert {"_tanh_vjp_forward", "_square_vjp_forward"} <= set(_layer_names(fused))
    monkeypatch.setattr(fgrad._ops, "per_chunk", lambda *args: None)  # (the plain Dask expressions)
    plain = f(x)
    assert "_tanh_vjp_forward" not in _layer_names(plain)
    np.testing.assert_array_equal(fused.compute(), plain.compute())
    np.testing.assert_array_equal(fused.compute(), f(xn))


@pytest.mark.parametrize("cotangent", [1.0, 2.5])
def test_a_product_rule_hands_on_the_other_factor_for_a_seed_of_ones(cotangent, monkeypatch):
    xn = np.linspace(-2.0, 2.0, 12)
    x = da.from_array(xn, chunks=5)

    def pulled_back(x):
        out, pull_back = fgrad.vjp(lambda x: np.sum(np.tanh(x) * np.exp(x)) + np.mean(x * x), x)
        return pull_back(cotangent)[0]

    with dask.config.set(scheduler=_refuse):
        skipped = pulled_back(x)
    # (the sum's seed of ones is not multiplied, so not in the graph; the mean's 1/12 is, as
    # is any seed of another cotangent)
    names = _layer_names(skipped)
    assert "fgrad-ones" not in names and names.count("fgrad-broadcast") == (1 if cotangent == 1.0 else 2)
    monkeypatch.setattr(fgrad._ops, "is_lazy_ones", lambda g: False)  # (the plain path: multiplied)
    plain = pulled_back(x)
    np.testing.assert_array_equal(skipped.compute(), plain.compute())
    np.testing.assert_allclose(skipped.compute(), pulled_back(xn), rtol=1e-15)


def test_a_negated_cotangent_is_subtracted_not_negated_then_added():
    xn = np.linspace(-2.0, 2.0, 12)
    x = da.from_array(xn, chunks=5)
    f = fgrad.grad(lambda x: np.sum(x * x) + np.sum(np.exp(-x)))
    with dask.config.set(scheduler=_refuse):
        g = f(x)
    names = _layer_names(g)
    assert names.count("negative") == 1 and "subtract" in names  # (the forward's -x, and x*x's part - exp's)
    np.testing.assert_array_equal(g.compute(), f(xn))


# ---------------------------------------------------------------- the function table
TABLE = list(table_gradients())
DASK_FAILURES = (TypeError, ValueError, NotImplementedError, IndexError)


def _as_dask(a):
    return da.from_array(a, chunks=max(1, a.shape[0] // 2)) if isinstance(a, np.ndarray) and a.ndim else a


@pytest.mark.filterwarnings("ignore::FutureWarning")  # (Dask's "not implemented by Dask array" notices)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("r, grad, args", TABLE, ids=[r.name for r, _, _ in TABLE])
def test_every_table_gradient_on_dask_is_right_lazy_or_refused(r, grad, args):
    """No silent wrong derivative on Dask arrays: every function fgrad differentiates gives,
    on Dask inputs, NumPy's gradient (lazily where it can, computing where a rule needs
    values) or raises an error."""
    with np.errstate(all="ignore"):
        want = grad(*args)
    try:
        with np.errstate(all="ignore"):
            got = grad(*[_as_dask(a) for a in args])
    except DASK_FAILURES:
        return  # (Dask lacks the function or its arguments: a clear refusal)
    for g, w in zip(tree_leaves(got), tree_leaves(want)):
        computed = g.compute() if isinstance(g, da.Array) else g
        np.testing.assert_allclose(computed, w, rtol=1e-12, atol=1e-12, equal_nan=True,
                                   err_msg=f"{r.name}: a wrong derivative on Dask arrays")


def test_most_of_the_table_stays_lazy_on_dask():
    """How many table gradients are lazy Dask computations (none computed while fgrad
    works): a floor, so a change that makes the common rules compute fails here. A share
    of the table, whose rows vary with the NumPy and Dask versions (194 of 279 with NumPy
    2.4.6 and Dask 2026.8.0; 185 before integer-array indexing was lazy)."""
    lazy = rows_that_run(TABLE, lambda args: [_as_dask(a) for a in args], (AssertionError, *DASK_FAILURES),
                         context=lambda: dask.config.set(scheduler=_refuse))
    assert lazy >= 0.68 * len(TABLE), f"{lazy} of {len(TABLE)} table gradients stay lazy"


def test_jit_refuses_dask_arrays_clearly_and_vmap_keeps_them_lazy():
    x = da.ones((3, 4), chunks=2)
    with pytest.raises(TypeError, match="NumPy arrays, numbers or pytrees"):
        fgrad.jit(lambda x: np.sum(x))(x)
    with dask.config.set(scheduler=_refuse):
        rows = fgrad.vmap(lambda x: np.sum(np.tanh(x)))(x)
    assert isinstance(rows, da.Array)
    np.testing.assert_allclose(rows.compute(), np.sum(np.tanh(np.ones((3, 4))), axis=1), rtol=1e-15)
