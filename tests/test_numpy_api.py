"""fgrad.numpy's API mechanics: lists holding traced values, ufunc attributes and methods,
reductions' ``where=``, NumPy 2's var/std keywords, pad modes, einsum forms, fgrad.numpy.random
and the plain NumPy names reachable from fgrad.numpy (numbers: tests/table_rows_api.py)."""

from __future__ import annotations

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp

X = np.array([[0.3, -1.2, 0.8], [1.5, 0.4, -0.7]])
MASK = np.array([[True, False, True], [True, True, False]])


def grad_close(f, x, **kw):
    got = fgrad.grad(f)(x)
    want = fgrad.numerical_grad(f, x)
    np.testing.assert_allclose(got, want, atol=1e-6, **kw)
    return got


# ---------------------------------------------------------------- lists and tuples
@pytest.mark.parametrize("f", [
    lambda x: fnp.mean([x, x + 2.0]),
    lambda x: fnp.sum((x, 1.0)),
    lambda x: fnp.dot([x, 2.0], np.array([1.0, 3.0])),
    lambda x: fnp.dot([x, 2.0], fnp.stack([x, x * x])),
    lambda x: fnp.sum(fnp.exp([x, 1.0])),
    lambda x: fnp.sum(fnp.maximum([x, 0.5], [[1.0, x * x]])),
    lambda x: fnp.prod([[x, 1.0], (2.0, x)]),
    lambda x: fnp.var([x, 2.0 * x, 1.0], ddof=1),
    lambda x: fnp.sum(fnp.concatenate([[x, 1.0], [2.0]])),
    lambda x: fnp.einsum("i,i", [x, 1.0], [x, 2.0]),
    lambda x: fnp.add.reduce([x, x * x, 1.0]),
    lambda x: fnp.sum(fnp.cumsum((x, x))),
], ids=range(12))
def test_lists_holding_traced_values(f):
    grad_close(f, 0.7)
    grad_close(fgrad.grad(f), 0.7)  # second derivatives too


def test_lists_of_plain_values_give_numpy_results():
    assert fnp.mean([1.0, 2.0]) == np.mean([1.0, 2.0])
    np.testing.assert_array_equal(fnp.exp([0.0, 1.0]), np.exp([0.0, 1.0]))


def test_a_list_argument_is_not_mutated():
    seen = []

    def f(x):
        items = [x, 1.0]
        out = fnp.sum(items)
        seen.append(type(items[0]).__name__)
        return out

    fgrad.grad(f)(2.0)
    assert seen == ["Node"]


def test_ragged_lists_keep_their_own_error():
    with pytest.raises(TypeError, match="cannot convert the traced value"):
        fgrad.grad(lambda x: fnp.sum([x, [1.0, 2.0]]))(1.0)


def test_plain_numpy_on_a_list_names_the_function_and_the_fix():
    with pytest.raises(TypeError, match=r"\(in np\.sum\).*fgrad\.numpy\.sum\(\[\.\.\.\]\).*np\.stack"):
        fgrad.grad(lambda x: np.sum([x, 1.0]))(1.0)
    with pytest.raises(TypeError, match=r"fgrad\.numpy\.<function>\(\[\.\.\.\]\)"):
        fgrad.grad(lambda x: np.exp([x, 1.0]))(1.0)


def test_list_retry_costs_nothing_on_arrays():
    # the retry is an `except` clause: a call with arrays runs the NumPy function once
    calls = []
    f = fgrad.primitive(lambda x: calls.append(1) or np.sin(x), lambda g, ans, x: g * fnp.cos(x), name="s")
    fgrad.grad(f)(0.5)
    assert len(calls) == 1


# ---------------------------------------------------------------- ufunc attributes and methods
def test_ufunc_attributes():
    for name in ("add", "multiply", "maximum", "minimum", "logaddexp", "subtract", "arctan2", "hypot", "power"):
        fun, uf = getattr(fnp, name), getattr(np, name)
        assert (fun.nin, fun.nout, fun.identity, fun.__name__) == (uf.nin, uf.nout, uf.identity, uf.__name__)
        assert all(callable(getattr(fun, m)) for m in ("reduce", "accumulate", "reduceat", "outer"))
    assert (fnp.exp.nin, fnp.exp.nout, fnp.negative.__name__) == (1, 1, "negative")
    assert not hasattr(fnp.exp, "reduce") and not hasattr(fnp.matmul, "reduce")


@pytest.mark.parametrize("call", [
    lambda m, x: m.add.reduce(x, axis=1),
    lambda m, x: m.multiply.reduce(x, axis=None),
    lambda m, x: m.maximum.accumulate(x, axis=1),
    lambda m, x: m.subtract.accumulate(x),
    lambda m, x: m.add.reduceat(x, [0, 2, 1], axis=1),
    lambda m, x: m.multiply.outer(x[0], x[1]),
    lambda m, x: m.logaddexp.reduce(x, axis=0, keepdims=True),
    lambda m, x: m.add.reduce(x, axis=1, initial=1.5, where=MASK),
    lambda m, x: m.hypot.reduce(x, axis=0),
], ids=range(9))
def test_ufunc_methods_match_numpy_and_differentiate(call):
    np.testing.assert_array_equal(call(fnp, X), call(np, X))  # plain: NumPy's own result
    got = fgrad.grad(lambda x: fnp.sum(call(fnp, x) ** 2))(X)
    want = fgrad.numerical_grad(lambda x: np.sum(call(np, x) ** 2), X)
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_ufunc_methods_keep_numpys_errors():
    with pytest.raises(ValueError, match="not reorderable"):
        fgrad.grad(lambda x: fnp.sum(np.subtract.reduce(x, axis=(0, 1))))(X)
    with pytest.raises(TypeError, match="in place"):
        fgrad.grad(lambda x: fnp.add.at(x, [0], 1.0))(X)
    counts = np.zeros(3)
    fnp.add.at(counts, [0, 0, 2], 1.0)  # on plain arrays, NumPy's in-place method as it is
    np.testing.assert_array_equal(counts, [2.0, 0.0, 1.0])


# ---------------------------------------------------------------- where=, correction=, mean=
@pytest.mark.parametrize("call", [
    lambda m, x: m.sum(x, axis=1, where=MASK),
    lambda m, x: m.mean(x, where=MASK),
    lambda m, x: m.mean(x, axis=0, where=MASK),
    lambda m, x: m.prod(x, axis=1, where=MASK),
    lambda m, x: m.max(x, axis=0, where=MASK, initial=-2.0),
    lambda m, x: m.min(x, where=MASK, initial=2.0),
    lambda m, x: m.var(x, axis=1, correction=1),
    lambda m, x: m.std(x, where=MASK, ddof=1),
    lambda m, x: m.var(x, axis=0, mean=m.mean(x, axis=0, keepdims=True)),
    lambda m, x: m.std(x, axis=1, keepdims=True, where=MASK, correction=0),
], ids=range(10))
def test_reduction_keywords(call):
    np.testing.assert_allclose(call(fnp, X), call(np, X), rtol=1e-14)
    for m in (fnp, np):
        grad_close(lambda x: np.sum(call(m, x) ** 2), X)
    v = np.linspace(-1.0, 1.0, X.size).reshape(X.shape)  # Hessian-vector products, numerically checked
    grad_close(lambda x: np.sum(fgrad.grad(lambda y: np.sum(call(np, y) ** 2))(x) * v), X)


def test_var_with_a_traced_mean_uses_it_as_numpy_does():
    offset = 0.25  # a centre that is not the mean: the result depends on it
    f = lambda x: fnp.var(x, mean=fnp.mean(x, keepdims=True) + offset)  # noqa: E731
    g = lambda x: np.var(x, mean=np.mean(x, keepdims=True) + offset)  # noqa: E731
    np.testing.assert_allclose(fgrad.grad(f)(X), fgrad.numerical_grad(g, X), atol=1e-6)


def test_ddof_and_correction_together_are_refused():
    with pytest.raises(ValueError, match="correction"):
        fgrad.grad(lambda x: fnp.var(x, ddof=1, correction=1))(X)


# ---------------------------------------------------------------- pad, full_like, einsum
@pytest.mark.parametrize("kw", [
    dict(mode="maximum"), dict(mode="minimum", stat_length=1), dict(mode="mean", stat_length=((1, 2), (2, 1))),
    dict(mode="median"), dict(mode="linear_ramp"), dict(mode="linear_ramp", end_values=(1.0, -1.0)),
], ids=lambda kw: "-".join(map(str, kw.values())))
def test_pad_modes(kw):
    width = ((1, 2), (2, 1))
    np.testing.assert_array_equal(fnp.pad(X, width, **kw), np.pad(X, width, **kw))
    seen = []
    fgrad.grad(lambda x: seen.append(fnp.pad(x, width, **kw).value) or fnp.sum(x))(X)
    np.testing.assert_allclose(seen[0], np.pad(X, width, **kw), rtol=1e-14)
    w = np.arange(5.0 * 6.0).reshape(5, 6)
    grad_close(lambda x: np.sum(np.pad(x, width, **kw) ** 2 * w), X)


def test_pad_refusals():
    with pytest.raises(TypeError, match="reflect_type='odd'"):
        fgrad.grad(lambda x: fnp.sum(fnp.pad(x, 1, mode="reflect", reflect_type="odd")))(X)
    with pytest.raises(ValueError):  # NumPy's own check of the arguments
        fgrad.grad(lambda x: fnp.sum(fnp.pad(x, 1, mode="maximum", stat_length=-1)))(X)


def test_full_like_with_a_traced_fill():
    assert fgrad.grad(lambda v: fnp.sum(fnp.full_like(X, v)))(1.0) == X.size
    assert fgrad.grad(lambda x: np.sum(np.full_like(x, x[0, 0] * 2.0)))(X)[0, 0] == 2.0 * X.size
    with pytest.raises(TypeError, match="fgrad.numpy.full / full_like"):  # np.full_like(plain, traced)
        fgrad.grad(lambda v: np.sum(np.full_like(X, v)))(1.0)


def test_einsum_sublists_and_optimize():
    a, b = X, X.T
    path = np.einsum_path("ij,jk->ik", a, b, optimize="optimal")[0]
    for opt in (False, True, "greedy", "optimal", path):
        np.testing.assert_array_equal(fnp.einsum(a, [0, 1], b, [1, 2], [0, 2], optimize=opt),
                                      np.einsum(a, [0, 1], b, [1, 2], [0, 2], optimize=opt))
        grad_close(lambda a: np.sum(np.einsum(a, [0, 1], b, [1, 2], [0, 2], optimize=opt) ** 2), a)
        grad_close(lambda a: np.sum(np.einsum("ij,jk->ik", a, b, optimize=opt) ** 2), a)
    assert path == np.einsum_path("ij,jk->ik", a, b, optimize="optimal")[0]  # not mutated
    with pytest.raises(ValueError, match="labels"):
        fgrad.grad(lambda a: fnp.einsum(a, ["x", "y"]))(a)


# ---------------------------------------------------------------- random and plain NumPy names
def test_random_is_numpys():
    assert fnp.random.normal is np.random.normal and fnp.random.default_rng is np.random.default_rng
    fnp.random.seed(3)
    a = fnp.random.randn(3)
    np.random.seed(3)
    np.testing.assert_array_equal(a, np.random.randn(3))
    assert fnp.random.PCG64 is np.random.PCG64
    with pytest.raises(TypeError, match="cannot convert the traced value"):
        fgrad.grad(lambda x: fnp.random.normal(loc=x))(1.0)


def test_plain_numpy_names():
    for name in ("float64", "ndarray", "array", "newaxis", "pi", "finfo", "iinfo", "dtype", "errstate",
                 "int8", "s_", "testing", "set_printoptions", "broadcast_shapes", "left_shift"):
        assert getattr(fnp, name) is getattr(np, name) or name == "array", name
    assert fnp.acos is fnp.arccos and fnp.pow is fnp.power and fnp.atan2 is fnp.arctan2


def test_differentiable_numpy_functions_fgrad_lacks_are_not_numpys():
    for name in ("emath", "frexp"):
        with pytest.raises(AttributeError, match=f"no differentiable version of np.{name}"):
            getattr(fnp, name)
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        fnp.no_such_name  # noqa: B018
