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

from array_library_cases import CASES, VMAP_CASES, XB, XN, rows_that_run, table_gradients, w3
from extras_support import import_extra

xp = import_extra("array-api", "array_api_strict")
LIBRARY_ARRAY = type(xp.asarray(1.0))


@pytest.fixture(autouse=True)
def _no_conversion_to_numpy(monkeypatch):
    """NumPy converting the library's array is an error in every test (array-api-strict
    allows it on Python 3.11), so a NumPy function fgrad does not translate cannot
    compute in NumPy unseen."""
    def refuse(self, *args, **kwargs):
        raise RuntimeError("an array-api-strict array was converted to a NumPy array")

    monkeypatch.setattr(LIBRARY_ARRAY, "__array__", refuse)


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
    with pytest.raises(TypeError, match="np.linalg.lstsq is not available for array_api_strict arrays"):
        fgrad.grad(lambda x: np.sum(np.linalg.lstsq(x.reshape(4, 3), np.ones(4))[0]))(xp.asarray(XN))
    with pytest.raises(TypeError, match="take_along_axis: indices in an array of array_api_strict .* not supported"):
        fgrad.grad(lambda x: np.sum(np.quantile(x, 0.3)))(xp.asarray(XN))  # (its rule needs a scatter-add)


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
    for g, w, a in zip(tree_leaves(got), tree_leaves(want), args):
        assert type(g) is LIBRARY_ARRAY or (not isinstance(a, np.ndarray) and isinstance(g, (float, np.generic))), \
            type(g)  # (the gradient for an array is the library's array)
        values = _values(g) if type(g) is LIBRARY_ARRAY else np.asarray(g)
        np.testing.assert_allclose(values, w, rtol=1e-12, atol=1e-12, equal_nan=True,
                                   err_msg=f"{r.name}: a wrong derivative on array-API arrays")


def test_most_of_the_table_computes_in_the_array_api_library():
    """A floor on the table gradients that run in the library (the others are refusals
    naming a NumPy function the translation table lacks, or a rule that computes on
    NumPy values): a change that breaks the common rules, or removes translations, fails
    here. A share of the table, whose rows vary with the NumPy version (255 of 279 with
    NumPy 2.4; 174 before linalg, fft, einsum, pad, gathers and ufunc methods were
    translated)."""
    computed = rows_that_run(TABLE, _in_library, REFUSALS)
    assert computed >= 0.9 * len(TABLE), f"{computed} of {len(TABLE)} table gradients ran in the array-API library"


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




# ---------------------------------------------------------------- translations that are more than a rename
# NumPy's function called on the adapter (what fgrad's rules do) against NumPy's own result.
from fgrad._array_api import ArrayAPIValue, scatter_add  # noqa: E402

RNG = np.random.default_rng(3)
M = RNG.uniform(-1.0, 1.0, (3, 4))
SQUARE = RNG.uniform(-1.0, 1.0, (2, 3, 3))
COMPLEX = SQUARE + 1j * RNG.uniform(-1.0, 1.0, (2, 3, 3))


def _held(a):
    return ArrayAPIValue(xp.asarray(a))


def _same(got, want, exact=False):
    """`got` (adapters, in a tuple or named tuple) equals NumPy's `want`: values, dtype, kind of tuple."""
    if isinstance(want, tuple):
        assert type(got).__name__ == type(want).__name__ and len(got) == len(want)
        assert getattr(got, "_fields", None) == getattr(want, "_fields", None)
        for g, w in zip(got, want):
            _same(g, w, exact)
        return
    assert type(got) is ArrayAPIValue and type(got.array) is LIBRARY_ARRAY, type(got)
    assert got.dtype == np.asarray(want).dtype and got.shape == np.shape(want)
    if exact:
        np.testing.assert_array_equal(_values(got.array), want)
    else:
        np.testing.assert_allclose(_values(got.array), want, rtol=1e-12, atol=1e-13)


TRANSLATIONS = {
    "pad widths, per-axis values, corners": lambda np, a: np.pad(a, ((1, 2), (0, 3)), constant_values=((1.0, 2.0),
                                                                                                        (3.0, 4.0))),
    "pad one width": lambda np, a: np.pad(a, 2),
    "pad a pair for every axis": lambda np, a: np.pad(a, (0, 1), constant_values=-1.5),
    "diagonal offset and axes": lambda np, a: np.diagonal(np.reshape(a, (2, 3, 2)), 1, 2, 1),
    "diagonal below, past the end": lambda np, a: (np.diagonal(a, -2), np.diagonal(a, 5)),
    "tril triu": lambda np, a: np.tril(a, -1) + np.triu(a, 2),
    "squeeze every axis of one": lambda np, a: np.squeeze(np.reshape(a, (1, 3, 1, 4))),
    "roll flat and by axes": lambda np, a: np.roll(a, 5) + np.roll(a, (1, -2), axis=(0, 1)),
    "swapaxes": lambda np, a: np.swapaxes(np.reshape(a, (2, 3, 2)), 0, 2),
    "argwhere": lambda np, a: np.argwhere(a > 0),
    "sort and argsort, flattened": lambda np, a: (np.sort(a, axis=None), np.argsort(a, axis=0)),
    "clip broadcasting, a_min > a_max": lambda np, a: np.clip(a[0], np.full((2, 4), 0.2), -0.5 * np.ones(4)),
    "clip one side": lambda np, a: np.clip(a, None, 0.1),
    "sum where initial": lambda np, a: np.sum(a, axis=1, where=a > 0, initial=2.0),
    "prod where": lambda np, a: np.prod(a, axis=0, where=np.array([True, False, True, True])),
    "max where initial, empty": lambda np, a: (np.max(a, where=a < 0, initial=-5.0), np.min(a[:, :0], axis=1,
                                                                                           initial=3.0)),
    "mean where": lambda np, a: np.mean(a, axis=0, where=a > -0.2, keepdims=True),
    "ufunc reduce folds": lambda np, a: (np.subtract.reduce(a, axis=1), np.hypot.reduce(a, 0),
                                         np.subtract.reduce(a, axis=0, keepdims=True, initial=1.0)),
    "ufunc accumulate": lambda np, a: (np.maximum.accumulate(a, axis=1), np.add.accumulate(a),
                                       np.multiply.accumulate(a, 1)),
    "advanced indexing": lambda np, a: (a[[0, 0, 2]], a[1:, [3, 0, 3]], a[a > 0], a[np.array([2, 0]), None, 1:3]),
    "take_along_axis": lambda np, a: np.take_along_axis(a, np.argsort(a, axis=1), axis=1),
    "mixed dtypes as NumPy promotes them": lambda np, a: (a + np.arange(4), (a > 0) * a, a * np.float32(2.0),
                                                          np.where(a > 0, np.arange(4), a)),
    "einsum matrix product, trace, diagonal": lambda np, a: (
        np.einsum("ij,kj->ik", a, a), np.einsum("ii->", a[:, :3]), np.einsum("ii->i", a[:, :3])),
    "einsum batch, broadcast, three operands": lambda np, a: (
        np.einsum("bij,bjk->bik", np.reshape(a, (2, 2, 3)), np.reshape(a, (2, 3, 2))),
        np.einsum("ij,ij->ij", a[:1], a), np.einsum("ij,jk,kl->il", a, a.T, a), np.einsum("ij->", a)),
    "var std with correction": lambda np, a: (np.var(a, axis=0, correction=1), np.std(a, ddof=2, keepdims=True)),
    "full_like shape dtype": lambda np, a: (np.full_like(a, 2.5, shape=(2,)), np.full_like(a, 7.9, dtype=np.int32)),
    "concatenate mixed dtypes, flat": lambda np, a: (np.concatenate([a, np.arange(4)[None]]),
                                                     np.concatenate([a, a[:1]], axis=None)),
    "convolve, longer second": lambda np, a: np.convolve(a[0, :2], a[1]),
    "convolve an infinity": lambda np, a: np.convolve(np.array([1.0, np.inf, 2.0]), a[0]),
    "fft n axis norm": lambda np, a: (np.fft.fft(a, n=6, axis=0, norm="ortho"), np.fft.ifft(a, norm="forward")),
    "rfft irfft odd n": lambda np, a: (np.fft.rfft(a, axis=0), np.fft.irfft(np.fft.rfft(a), n=5)),
}


@pytest.mark.parametrize("name", list(TRANSLATIONS))
def test_a_translation_gives_numpys_result(name):
    with np.errstate(all="ignore"):
        want = TRANSLATIONS[name](np, M)
        got = TRANSLATIONS[name](np, _held(M))
    _same(got, want)


LINALG = {
    "eigh reads the lower triangle": lambda a: np.linalg.eigh(a),
    "eigvalsh": lambda a: np.linalg.eigvalsh(a, "U"),
    "eig, real eigenvalues real": lambda a: np.linalg.eig(np.triu(a)),
    "eig, complex eigenvalues complex": lambda a: np.linalg.eig(a - np.swapaxes(a, -1, -2)),
    "eigvals": lambda a: (np.linalg.eigvals(np.triu(a)), np.linalg.eigvals(a - np.swapaxes(a, -1, -2))),
    "svd full": lambda a: np.linalg.svd(a[..., :2]),
    "svd reduced": lambda a: np.linalg.svd(a[..., :2, :], full_matrices=False),
    "svd values": lambda a: np.linalg.svd(a, compute_uv=False),
    "qr reduced and complete": lambda a: (np.linalg.qr(a[..., :2]), np.linalg.qr(a[..., :2], mode="complete")),
    "qr r": lambda a: np.linalg.qr(a, mode="r"),
    "slogdet": lambda a: np.linalg.slogdet(a),
    "pinv": lambda a: np.linalg.pinv(a[..., :2]),
}


@pytest.mark.parametrize("matrix", ["real", "complex"])
@pytest.mark.parametrize("name", list(LINALG))
def test_a_linalg_translation_gives_numpys_result(name, matrix):
    """Named tuples, dtypes (eig's real results for real eigenvalues), and the triangle
    eigh reads of a matrix that is not symmetric (and, complex, has a complex diagonal)."""
    a = SQUARE if matrix == "real" else COMPLEX
    _same(LINALG[name](_held(a)), LINALG[name](a))


def test_eigh_ignores_the_other_triangle_even_an_infinity():
    a = np.tril(SQUARE[0]) + np.triu(np.full((3, 3), np.inf), 1)
    _same(np.linalg.eigh(_held(a)), np.linalg.eigh(a))
    _same(np.linalg.eigvalsh(_held(a.T), UPLO="U"), np.linalg.eigvalsh(a.T, UPLO="U"))


def test_pinv_keeps_numpys_cutoff():
    """NumPy's default cutoff is 1e-15 of the largest singular value, the standard's
    max(M, N) eps: a singular value of 8.5e-16 relative is dropped by NumPy, inverted by
    the standard."""
    a = np.diag([1.0, 0.5, 8.5e-16])
    assert np.linalg.pinv(a)[2, 2] == 0.0 and np.linalg.pinv(a, rtol=None)[2, 2] > 1e15  # (the case matters)
    for kwargs in ({}, {"rtol": None}, {"rcond": 1e-3}, {"hermitian": True}):
        _same(np.linalg.pinv(_held(a), **kwargs), np.linalg.pinv(a, **kwargs))


def test_fft_keeps_float32_precision():
    a = M.astype(np.float32)
    _same(np.fft.fft(_held(a)), np.fft.fft(a))
    _same(np.fft.rfft(_held(a)), np.fft.rfft(a))


def test_scatter_add_is_numpys_add_at_bit_for_bit():
    for idx, shape in [(np.array([0, 3, 0, 0, 1]), (4, 3)),
                       ((np.array([[1], [0], [1], [1], [2]]), np.array([0, 0, 2])), (3, 3)),
                       ((slice(None), np.array([2, 2, 0])), (5, 4)), (np.array([[True], [False], [True]]), (3, 1))]:
        g = RNG.standard_normal(np.zeros(shape)[idx].shape)
        want = np.zeros(shape)
        np.add.at(want, idx, g)
        got = scatter_add(_held(g), idx, shape)
        np.testing.assert_array_equal(_values(got.array), want)


def test_refused_arguments_are_clear_errors():
    for call, match in [(lambda a: np.pad(a, 1, mode="edge"), "np.pad: mode='edge'"),
                        (lambda a: np.linalg.svd(a[:3, :3], hermitian=True), "hermitian=True"),
                        (lambda a: np.linalg.qr(a, mode="raw"), "mode='raw'"),
                        (lambda a: np.linalg.eigh(a[:3, :3], UPLO="U"), "UPLO='U'"),
                        (lambda a: np.convolve(a[0], a[1], "same"), "mode='same'"),
                        (lambda a: np.einsum("ij", a), "explicit subscripts"),
                        (lambda a: np.argpartition(a, 1), "np.argpartition is not available"),
                        (lambda a: np.asarray(a[0]) + 0, "not converted to a NumPy array")]:
        with pytest.raises(TypeError, match=match):
            call(_held(M))


@pytest.mark.parametrize("f", [
    lambda x: np.linalg.norm(x) + np.linalg.norm(x, axis=0).sum() + np.linalg.norm(x, ord=1, axis=1).sum(),
    lambda x: np.linalg.norm(x, ord=2) + np.linalg.norm(x, ord="nuc") + np.linalg.norm(x, ord=-2),
    lambda x: np.linalg.norm(x, ord=np.inf) + np.linalg.norm(x[0], ord=3) + np.linalg.norm(x, "fro", keepdims=True)[0, 0],
    lambda x: np.sum(np.linalg.eigh(x[:, :3] @ x[:, :3].T).eigenvectors ** 2 * np.arange(3.0)),
    lambda x: np.trace(x, 1) + np.sum(np.linalg.slogdet(x[:, 1:] + 3 * np.eye(3)).logabsdet),
    lambda x: np.sum(np.abs(np.fft.fft2(x)) ** 2) + np.sum(np.sort(x, axis=1) * np.arange(4.0)),
], ids=["norm ord axis", "norm 2 nuc -2", "norm inf 3 fro keepdims", "eigh vectors", "trace slogdet",
        "fft2 sort"])
def test_gradients_through_translated_functions_equal_numpys(f):
    got = fgrad.grad(f)(xp.asarray(M))
    assert type(got) is LIBRARY_ARRAY
    np.testing.assert_allclose(_values(got), fgrad.grad(f)(M), rtol=1e-12, atol=1e-12)


def test_dtypes_promote_as_numpys():
    """NumPy's promotion (NEP 50: Python numbers weak, NumPy scalars and arrays not),
    where the standard refuses to mix kinds."""
    a32 = M.astype(np.float32)
    for f in [lambda a: a * 2.0, lambda a: a * np.float64(2.0), lambda a: a + np.arange(4), lambda a: (a > 0) + a,
              lambda a: np.where(a > 0, a, 0.0), lambda a: np.where(a > 0, a, np.float64(0.0)),
              lambda a: np.tensordot(a, 2, 0), lambda a: np.maximum(a, np.arange(4)), lambda a: a / np.int64(3),
              lambda a: np.einsum("ij,j->i", a, np.arange(4))]:
        _same(f(_held(a32)), f(a32))


def test_sort_by_a_permutation_computed_in_the_library_to_second_order_and_under_vmap():
    """argsort's result stays in the library: sort's derivative gathers by the inverse
    permutation (no scatter-add, no reading the indices back), in a batch too."""
    w = np.arange(12.0).reshape(3, 4)

    def f(x):
        return np.sum(fgrad.vmap(np.sort)(x.reshape(3, 4)) ** 3 * w) + np.sum(np.sort(x) * np.arange(12.0))

    for transform in (fgrad.grad, fgrad.hessian):
        got = transform(f)(xp.asarray(XN))
        assert type(got) is LIBRARY_ARRAY
        np.testing.assert_allclose(_values(got), transform(f)(XN), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f", [lambda a: np.sum(np.linalg.eigh(a)[1][0] ** 3),
                               lambda a: np.linalg.svd(a, compute_uv=False)[0],
                               lambda a: np.sum(np.linalg.svd(a)[0][0] ** 3)], ids=["eigh", "svdvals", "svd"])
def test_decompositions_warn_at_ties_as_on_numpy_arrays(f):
    """The rules' checks (ties, found with argwhere) run on the library's values."""
    from fgrad.numpy.linalg import DegenerateDerivativeWarning

    a = np.diag([2.0, 2.0, 1.0])
    results = []
    for x in (a, xp.asarray(a)):
        with pytest.warns(DegenerateDerivativeWarning, match="repeated"):
            results.append(fgrad.grad(f)(x))
    np.testing.assert_allclose(_values(results[1]), results[0], rtol=1e-12, atol=1e-12)
