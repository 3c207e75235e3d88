"""Using fgrad.numpy: unmodified NumPy code three ways, a real model, and the semantics a
demanding user relies on (ties, zeros, dtypes, indices, functional updates, the fast path)."""

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad._core import Node


# ---------------------------------------------------------------- one body, three ways
def body(xp, w, X):
    """A small model written once against a NumPy-like namespace `xp`."""
    z = xp.dot(X, w)
    h = xp.where(z > 0, z, 0.1 * z)
    logits = h - xp.max(h, axis=1, keepdims=True)
    p = xp.exp(logits) / xp.sum(xp.exp(logits), axis=1, keepdims=True)
    spread = xp.concatenate([xp.ravel(p), xp.diag(w @ w.T)])
    penalty = xp.linalg.norm(w) ** 2 + xp.trace(w.T @ w) + xp.linalg.slogdet(w.T @ w + xp.eye(2))[1]
    top = xp.sort(xp.abs(h), axis=1)[:, -1]
    return xp.mean(xp.log(p[:, 0])) + xp.var(spread, ddof=1) + 0.01 * penalty + xp.sum(top ** 2) \
        + xp.prod(xp.cumsum(xp.clip(w, -1.0, 1.0), axis=0)[-1]) + w.max() * w.std()


W = np.array([[0.3, -0.7], [1.1, 0.4], [-0.5, 0.9]])
X = np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.2], [2.0, 0.1, 0.4], [-0.7, 1.5, 1.0]])


def test_same_body_plain_numpy_grad_through_np_and_through_fnp():
    plain = body(np, W, X)
    assert type(plain) is np.float64
    assert body(fnp, W, X) == plain  # fgrad.numpy on plain arrays: NumPy, exactly

    g_np = fgrad.grad(lambda w: body(np, w, X))(W)  # unmodified np.* code under grad
    g_fnp = fgrad.grad(lambda w: body(fnp, w, X))(W)
    np.testing.assert_allclose(g_np, g_fnp, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g_np, fgrad.numerical_grad(lambda w: body(np, w, X), W), rtol=1e-6, atol=1e-7)
    assert fgrad.value_and_grad(lambda w: body(np, w, X))(W)[0] == pytest.approx(plain, rel=1e-14)
    for xp in (np, fnp):
        fgrad.check_grads(lambda w: body(xp, w, X), (W,), order=2, modes=("rev",))


# ---------------------------------------------------------------- a real example
def test_logistic_regression_gradient_and_hessian_match_hand_derived_formulas():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = np.where(rng.uniform(size=200) < 0.5, -1.0, 1.0)
    w = rng.normal(size=5) * 0.3

    def loss(w):
        return np.mean(np.logaddexp(0, -y * (X @ w)))

    margins = y * (X @ w)
    s = 1.0 / (1.0 + np.exp(margins))  # sigmoid(-y x.w)
    want = -(X.T @ (y * s)) / len(y)
    np.testing.assert_allclose(fgrad.grad(loss)(w), want, rtol=1e-12, atol=1e-15)

    # Hessian-vector product: X^T diag(s (1 - s)) X v / n.
    v = rng.normal(size=5)
    hvp = fgrad.grad(lambda w: np.dot(fgrad.grad(loss)(w), v))(w)
    np.testing.assert_allclose(hvp, X.T @ (s * (1 - s) * (X @ v)) / len(y), rtol=1e-10)


# ---------------------------------------------------------------- semantics
def test_maximum_and_max_share_the_derivative_on_ties():
    g = fgrad.grad(lambda x, y: np.sum(np.maximum(x, y)), argnums=(0, 1))(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    np.testing.assert_array_equal(g[0], [0.5, 0.0])
    np.testing.assert_array_equal(g[1], [0.5, 1.0])
    np.testing.assert_array_equal(fgrad.grad(np.max)(np.array([2.0, 1.0, 2.0])), [0.5, 0.0, 0.5])
    np.testing.assert_array_equal(fgrad.grad(lambda x: np.sum(np.min(x, axis=0)))(np.array([[1.0, 2.0], [1.0, 0.0]])),
                                  [[0.5, 0.0], [0.5, 1.0]])
    g = fgrad.grad(lambda x: np.sum(np.fmax(x, np.nan)))(np.array([1.0, -1.0]))
    np.testing.assert_array_equal(g, [1.0, 1.0])  # fmax ignores NaN: x always wins


def test_prod_and_cumprod_with_zeros_have_the_exact_first_derivative():
    for x in (np.array([2.0, 0.0, 3.0, 4.0]), np.array([0.0, 0.0, 3.0]), np.array([[1.5, 0.0], [2.0, -1.0]])):
        np.testing.assert_allclose(fgrad.grad(np.prod)(x), fgrad.numerical_grad(np.prod, x), atol=1e-8)
        f = lambda x: np.sum(np.cumprod(x, axis=-1) * np.arange(1.0, x.shape[-1] + 1))  # noqa: E731
        np.testing.assert_allclose(fgrad.grad(f)(x), fgrad.numerical_grad(f, x), atol=1e-8)
    g = fgrad.grad(lambda x: np.sum(np.prod(x, axis=1)))(np.array([[1.5, 0.0, 2.0], [2.0, -1.0, 3.0]]))
    np.testing.assert_allclose(g, [[0.0, 3.0, 0.0], [-3.0, 6.0, -2.0]])


def test_clip_sends_the_derivative_to_the_active_bound():
    x, lo, hi = np.array([-2.0, 0.5, 3.0]), np.array([-1.0, -1.0, -1.0]), 2.0
    gx, glo, ghi = fgrad.grad(lambda x, lo, hi: np.sum(np.clip(x, lo, hi) * np.array([1.0, 2.0, 3.0])),
                              argnums=(0, 1, 2))(x, lo, hi)
    np.testing.assert_array_equal(gx, [0.0, 2.0, 0.0])
    np.testing.assert_array_equal(glo, [1.0, 0.0, 0.0])
    assert ghi == 3.0


def test_integer_and_boolean_indices():
    x = np.arange(12.0).reshape(3, 4)
    g = fgrad.grad(lambda x: np.sum(x[[0, 0, 2], [1, 1, 3]] ** 2))(x)
    want = np.zeros((3, 4))
    want[0, 1], want[2, 3] = 2 * 2 * 1.0, 2 * 11.0  # the repeated index accumulates
    np.testing.assert_array_equal(g, want)
    np.testing.assert_array_equal(fgrad.grad(lambda x: np.sum(x[x > 6.0]))(x), (x > 6.0).astype(float))
    mask = np.array([True, False, True])
    np.testing.assert_array_equal(fgrad.grad(lambda x: np.sum(x[mask, 1:]))(x), np.outer(mask, [0, 1, 1, 1]))
    np.testing.assert_array_equal(fgrad.grad(lambda x: np.sum(x[[[0], [2]], [1, 2]]))(x)[[0, 2]][:, 1:3], np.ones((2, 2)))


def test_empty_and_list_indices_behave_as_in_numpy():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(fgrad.grad(lambda x: np.sum(x[[]]) + np.sum(x[:, []]) + x[[1], [2]][0])(x),
                                  [[0, 0, 0], [0, 0, 1]])


def test_index_arrays_are_copied_so_later_writes_do_not_change_the_derivative():
    idx = np.array([0, 1])
    out, f_vjp = fgrad.vjp(lambda x: x[idx], np.arange(3.0))
    idx[:] = 2  # the caller reuses its array
    np.testing.assert_array_equal(out, [0.0, 1.0])
    np.testing.assert_array_equal(f_vjp(np.ones(2))[0], [1.0, 1.0, 0.0])


def test_functional_updates_with_at():
    x = np.array([1.0, 2.0, 3.0])

    def f(x):
        y = x.at[1].set(x[0] * 10.0)  # y = [x0, 10 x0, x2]
        y = y.at[[2, 2]].add(x[1])  # repeated indices accumulate: y2 = x2 + 2 x1
        return np.sum(y * np.array([1.0, 2.0, 3.0]))

    np.testing.assert_array_equal(fgrad.grad(f)(x), [21.0, 6.0, 3.0])
    # Repeated indices in set: the last write wins, and only it gets the derivative.
    g = fgrad.grad(lambda v: np.sum(fnp.at(np.zeros(3))[[0, 0]].set(v) * 2.0))(np.array([5.0, 7.0]))
    np.testing.assert_array_equal(g, [0.0, 2.0])
    np.testing.assert_array_equal(fnp.at(x)[1:].get(), [2.0, 3.0])
    np.testing.assert_array_equal(fnp.at(x)[0].set(9.0), [9.0, 2.0, 3.0])
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])  # never written
    fgrad.check_grads(lambda x: fnp.at(fnp.at(x)[::2].set(x[1] ** 2))[1].add(x[0] * x[2]), (x,), order=2)


def test_fgrad_numpy_builds_arrays_from_traced_scalars():
    def f(x, y):
        v = fnp.array([x * y, [x, y][1], 3.0])
        return fnp.sum(v ** 2)

    assert fgrad.grad(f, argnums=(0, 1))(2.0, 3.0) == (2 * 6.0 * 3.0, 2 * 6.0 * 2.0 + 2 * 3.0)


def test_dtypes_are_preserved():
    x32 = np.array([[0.5, 1.5], [2.0, 0.25]], dtype=np.float32)
    funs = [
        lambda x: np.sum(np.logaddexp(x, 1.0)), lambda x: np.var(x, axis=0).sum(), lambda x: np.max(x),
        lambda x: np.linalg.det(x), lambda x: np.einsum("ij,jk->", x, x), lambda x: np.sum(np.maximum(x, 1.0)),
        lambda x: np.sum(np.clip(x, 0.6, 1.9)), lambda x: np.trace(x), lambda x: np.sum(np.diag(np.diag(x))),
        lambda x: np.sum(np.where(x > 1, x, 0.0)), lambda x: np.sum(np.pad(x, 1) ** 2), lambda x: np.prod(x),
        lambda x: np.sum(np.cumprod(x)), lambda x: np.linalg.norm(x), lambda x: np.sum(np.tile(x, 2)),
        lambda x: np.std(x), lambda x: np.sum(np.sort(x, axis=None)[1:]), lambda x: np.sum(np.arcsinh(x) ** 2),
    ]
    for f in funs:
        assert f(x32).dtype == np.float32
        g = fgrad.grad(f)(x32)
        assert g.dtype == np.float32, f
        np.testing.assert_allclose(g, fgrad.grad(f)(x32.astype(np.float64)), rtol=2e-3, atol=2e-3)


def test_the_fast_path_is_numpy():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert type(fnp.sum(x)) is np.float64 and fnp.sum(x) == np.sum(x)
    assert type(fnp.exp(1.0)) is np.float64
    for f, args in [(fnp.sum, (x, 1)), (fnp.max, (x,)), (fnp.var, (x,)), (fnp.linalg.inv, (x,)),
                    (fnp.concatenate, ([x, x],)), (fnp.einsum, ("ij->j", x)), (fnp.where, (x > 2, x, 0.0)),
                    (fnp.linalg.slogdet, (x,)), (fnp.split, (x, 2)), (fnp.sort, (x,))]:
        got, want = f(*args), getattr(np.linalg if f.__name__ in ("inv", "slogdet") else np, f.__name__)(*args)
        assert type(got) is type(want)
        np.testing.assert_array_equal(np.asarray(got, dtype=object) if isinstance(got, list) else got,
                                      np.asarray(want, dtype=object) if isinstance(want, list) else want)
    assert fnp.exp.primitive.forward is np.exp
    # sum and mean call NumPy's reduction directly (without np.sum's Python wrapper):
    # same values, types and dtypes as np.sum / np.mean, whatever the arguments
    f32 = x.astype(np.float32)
    cases = [((x,), {}), ((x, 1), {}), ((x,), {"axis": (0, 1), "keepdims": True}), ((f32, 0), {}),
             ((x.astype(np.float16),), {}), ((np.array([1, 2, 4]),), {}), ((np.float64(2.5),), {}),
             ((x,), {"where": x > 1.5}), ((x, None, np.float32), {}), ((x,), {"initial": 10.0}),
             ((x, 0, None, np.zeros(2)), {})]
    for mine, numpys in [(fnp.sum, np.sum), (fnp.mean, np.mean)]:
        for args, kwargs in cases:
            if mine is fnp.mean and "initial" in kwargs:
                continue
            got, want = mine.primitive.forward(*args, **kwargs), numpys(*args, **kwargs)
            assert type(got) is type(want) and got.dtype == want.dtype, (mine, args, kwargs)
            np.testing.assert_array_equal(got, want)


def test_np_calls_record_primitives_with_their_parameters():
    seen = []

    def f(x):
        y = np.sum(x, 1)
        seen.append(y)
        return np.sum(y)

    fgrad.grad(f)(np.ones((2, 3)))
    node = seen[0]
    assert isinstance(node, Node) and node.primitive is fnp.sum.primitive and node.args[1:] == (1,)


def test_nested_derivatives_through_np_calls():
    # The Hessian of logsumexp is diag(p) - p p^T.
    x = np.array([0.3, -1.2, 2.0])
    p = np.exp(x - np.logaddexp.reduce(x))
    hess = np.stack([fgrad.grad(lambda x: fgrad.grad(np.logaddexp.reduce)(x)[i])(x) for i in range(3)])
    np.testing.assert_allclose(hess, np.diag(p) - np.outer(p, p), atol=1e-12)
    # d^2/da^2 of log det a, contracted with h twice: -tr(a^-1 h a^-1 h).
    a = np.array([[2.0, 0.3], [0.1, 1.5]])
    h = np.array([[0.2, -0.4], [0.7, 0.1]])
    second = fgrad.grad(lambda a: np.sum(fgrad.grad(lambda b: np.linalg.slogdet(b)[1])(a) * h))(a)
    ainv = np.linalg.inv(a)
    assert np.sum(second * h) == pytest.approx(-np.trace(ainv @ h @ ainv @ h), rel=1e-12)


def test_ndarray_methods_on_traced_values():
    x = np.array([[0.9, -2.0, 3.0], [0.5, 4.0, -1.2]])

    def f(x):
        return (x.max() + x.min(axis=0).sum() + x.dot(np.ones(3)).sum() + x.ravel()[1] + x.flatten()[2]
                + x.clip(-1.0, 1.0).sum() + x.var() + x.std(axis=1).sum() + x[None].squeeze(0).sum() + x.T[0, 1]
                + x.prod() + x.cumsum(1)[:, -1].sum() + x.mT.sum() + x.real.sum() + x.imag.sum()
                + x.swapaxes(0, 1)[0, 0] + x.copy().sum() + x.reshape(3, 2)[0, 0] + x.sum(0)[0] + x.mean(1)[0]
                + x.argmax() + x.any() + x.round(1).sum() + x.astype(np.float64).sum())

    fgrad.check_grads(f, (x,), order=2, modes=("rev",))
    assert set(fnp.array_attributes()) >= {"max", "dot", "ravel", "flatten", "clip", "var", "std", "squeeze", "at"}


def test_tour_section(capsys):
    from fgrad import _tour

    _tour.numpy_code()
    out = capsys.readouterr().out
    assert "gradient equals X^T(-y sigmoid(-y Xw))/n: True" in out
    assert "grad of np.linalg.slogdet(a)[1] is inv(a)^T: True" in out
    assert f"{len(fnp.supported())} NumPy functions supported" in out
    assert "grad of the nuclear norm np.linalg.norm(a, 'nuc') is U V^T: True" in out
    assert "grad of |z|^2 at 3+4j is (6-8j)" in out
    assert "np.unique is not supported on traced values by fgrad" in out
