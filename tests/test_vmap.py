"""fgrad.vmap: its API (in_axes, out_axes, axis_size), its errors, and its composition with
every other transform, with JAX's vmap as the reference for the semantics.

Numbers are checked against closed forms, against a loop of the unbatched function, and
(where JAX is installed, the `reference` extra) against ``jax.vmap`` of the same program
in float64. tests/test_vmap_table.py runs every function of the function table under
vmap; this module checks the transform itself.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad._core import BatchedConversionError
from fgrad.tree import tree_flatten, tree_leaves, tree_unflatten

from extras_support import import_extra

RTOL = 1e-12


@pytest.fixture(scope="module")
def jax():
    """JAX in float64, or a skip (only the tests that compare with JAX need it)."""
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def rng(seed=0):
    return np.random.default_rng(seed)


def assert_tree_close(got, want, rtol=RTOL, atol=1e-13):
    got_leaves, got_def = tree_flatten(got)
    want_leaves, want_def = tree_flatten(want)
    assert got_def == want_def, (got_def, want_def)
    for g, w in zip(got_leaves, want_leaves):
        w = np.asarray(w)
        assert np.shape(g) == w.shape, (np.shape(g), w.shape)
        np.testing.assert_allclose(np.asarray(g), w, rtol=rtol, atol=atol)


def loop(f, *args, in_axes=0):
    """``np.stack([f(*example) for ...])``: the unbatched reference (leaves stacked on axis 0)."""
    axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
    size = next(np.shape(a)[ax] for a, ax in zip(args, axes) if ax is not None)
    outs = [f(*[a if ax is None else np.take(a, i, axis=ax) for a, ax in zip(args, axes)])
            for i in range(size)]
    leaves = [tree_flatten(o)[0] for o in outs]
    treedef = tree_flatten(outs[0])[1]
    return tree_unflatten(treedef, [np.stack([np.asarray(ls[j]) for ls in leaves]) for j in range(len(leaves[0]))])


# ================================================================ 1. in_axes, out_axes, axis_size
X34 = np.arange(12.0).reshape(3, 4) / 7 - 0.5
X234 = rng(1).normal(size=(2, 3, 4))


def test_int_in_axes_maps_that_axis_of_every_argument():
    np.testing.assert_allclose(fgrad.vmap(lambda x: x.sum())(X34), X34.sum(axis=1), rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(lambda x: x.sum(), in_axes=1)(X34), X34.sum(axis=0), rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(lambda x, y: x * y, in_axes=1)(X34, X34 + 1),
                               (X34 * (X34 + 1)).T, rtol=RTOL)
    # in_axes=1 on a 3-d array: each example is x[:, i, :], of shape (2, 4)
    got = fgrad.vmap(lambda x: x @ np.ones(4), in_axes=1)(X234)
    np.testing.assert_allclose(got, X234.sum(axis=2).T, rtol=RTOL)


@pytest.mark.parametrize("axis, positive", [(-1, 2), (-2, 1), (-3, 0)])
def test_negative_in_axes_count_from_the_end(axis, positive):
    f = lambda x: np.sin(x) @ np.arange(1.0, 1.0 + np.shape(x)[-1])  # noqa: E731
    want = fgrad.vmap(f, in_axes=positive)(X234)
    np.testing.assert_allclose(fgrad.vmap(f, in_axes=axis)(X234), want, rtol=RTOL)
    np.testing.assert_allclose(want, loop(f, X234, in_axes=positive), rtol=RTOL)


def test_none_in_axes_broadcasts_the_argument_to_every_example():
    w = np.array([1.0, -2.0, 0.5, 3.0])
    got = fgrad.vmap(lambda w, x: np.tanh(x @ w), in_axes=(None, 0))(w, X34)
    np.testing.assert_allclose(got, np.tanh(X34 @ w), rtol=RTOL)
    got = fgrad.vmap(lambda x, w: x - w, in_axes=(1, None))(X34, np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(got, X34.T - [1.0, 2.0, 3.0], rtol=RTOL)


def test_in_axes_as_a_list_is_a_tuple():
    got = fgrad.vmap(lambda a, b: a * b, in_axes=[0, None])(X34, 2.0)
    np.testing.assert_allclose(got, 2 * X34, rtol=RTOL)


def test_pytree_prefix_in_axes_for_dicts_tuples_and_lists():
    params = {"w": X34.T, "b": np.array([0.1, 0.2, 0.3])}  # w's examples are columns

    def f(p, x):
        return p["w"] @ x + p["b"]

    xs = rng(2).normal(size=(3, 4))
    got = fgrad.vmap(f, in_axes=({"w": 1, "b": 0}, 0))(params, xs)
    want = np.stack([X34[i] @ xs[i] + params["b"][i] for i in range(3)])
    np.testing.assert_allclose(got, want, rtol=RTOL)
    # a leaf prefix covers a whole subtree; a tuple inside a list inside a tuple
    got = fgrad.vmap(lambda t: t[0] * t[1][0] + t[1][1], in_axes=((0, [None, 1]),))(
        (np.arange(3.0), [2.0, X34.T]))
    np.testing.assert_allclose(got, np.arange(3.0)[:, None] * 2.0 + X34, rtol=RTOL)
    got = fgrad.vmap(lambda t: t[0] + t[1][0] * t[1][1], in_axes=((None, 0),))((1.0, [X34, X34]))
    np.testing.assert_allclose(got, 1.0 + X34 * X34, rtol=RTOL)


def test_pytree_prefixes_agree_with_jax(jax):
    jnp = jax.numpy
    p = {"a": rng(3).normal(size=(4, 3)), "b": (rng(4).normal(size=(3,)), rng(5).normal(size=(2, 3)))}
    x = rng(6).normal(size=(2, 3))

    def prog(xp):
        return lambda p, x: (xp.sin(p["a"]).sum(0) * xp.sum(p["b"][0])
                             + xp.sum(p["b"][1] ** 2) * xp.cos(x).sum(-1))

    for in_axes in [({"a": 1, "b": (None, 1)}, 1), ({"a": 1, "b": None}, None), ({"a": 1, "b": (0, 1)}, None),
                    ({"a": 1, "b": (0, None)}, 1)]:
        got = fgrad.vmap(prog(np), in_axes=in_axes)(p, x)
        want = jax.vmap(prog(jnp), in_axes=in_axes)(p, x)
        assert_tree_close(got, want)


def test_keyword_arguments_are_mapped_along_axis_0(jax):
    f = lambda x, *, scale: x * scale  # noqa: E731
    got = fgrad.vmap(f, in_axes=1)(X34, scale=np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_allclose(got, X34.T * np.array([1.0, 2.0, 3.0, 4.0])[:, None], rtol=RTOL)
    want = jax.vmap(f, in_axes=1)(X34, scale=np.array([1.0, 2.0, 3.0, 4.0]))
    assert_tree_close(got, want)
    got = fgrad.vmap(lambda x, y: x - y, in_axes=(None,))(1.0, y=np.arange(3.0))
    np.testing.assert_allclose(got, 1.0 - np.arange(3.0), rtol=RTOL)


def test_axis_size_when_nothing_is_mapped():
    got = fgrad.vmap(lambda w: np.sin(w) * 2, in_axes=None, axis_size=5)(np.array([0.5, 1.0]))
    np.testing.assert_allclose(got, np.broadcast_to(np.sin([0.5, 1.0]) * 2, (5, 2)), rtol=RTOL)
    got = fgrad.vmap(lambda: 3.0, in_axes=(), axis_size=4)()
    np.testing.assert_array_equal(got, np.full(4, 3.0))
    # axis_size equal to the mapped size is allowed
    np.testing.assert_allclose(fgrad.vmap(np.cos, axis_size=3)(X34), np.cos(X34), rtol=RTOL)


def test_axis_size_zero_gives_empty_batches(jax):
    got = fgrad.vmap(lambda x: x.sum() * 2.0)(np.zeros((0, 3)))
    assert np.shape(got) == (0,)
    got = fgrad.vmap(lambda x: x[None] * 2.0)(np.zeros((0, 3)))
    want = jax.vmap(lambda x: x[None] * 2.0)(np.zeros((0, 3)))
    assert np.shape(got) == want.shape == (0, 1, 3)


def test_out_axes_int_and_negative(jax):
    jnp = jax.numpy
    prog = lambda xp: lambda x: xp.outer(x, xp.arange(1.0, 3.0))  # noqa: E731  # (4, 2) per example
    for out_axes in [0, 1, 2, -1, -2, -3]:
        got = fgrad.vmap(prog(np), out_axes=out_axes)(X34)
        want = jax.vmap(prog(jnp), out_axes=out_axes)(X34)
        assert_tree_close(got, want)
    np.testing.assert_allclose(fgrad.vmap(prog(np), out_axes=-1)(X34),
                               np.moveaxis(loop(prog(np), X34), 0, -1), rtol=RTOL)


def test_out_axes_none_for_outputs_that_do_not_depend_on_the_mapped_argument():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    out, unmapped = fgrad.vmap(lambda x, w: (x @ w, np.sum(w ** 2)), in_axes=(0, None),
                               out_axes=(0, None))(X34, w)
    np.testing.assert_allclose(out, X34 @ w, rtol=RTOL)
    assert np.shape(unmapped) == () and float(unmapped) == 30.0


def test_out_axes_pytree_prefixes(jax):
    jnp = jax.numpy

    def prog(xp):
        return lambda x: {"a": (x, xp.outer(x, x)), "b": [xp.sum(x), x[:2]]}

    out_axes = {"a": (1, -1), "b": 0}
    got = fgrad.vmap(prog(np), out_axes=out_axes)(X34)
    want = jax.vmap(prog(jnp), out_axes=out_axes)(X34)
    assert_tree_close(got, want)
    assert np.shape(got["a"][1]) == (4, 4, 3)


def test_outputs_independent_of_mapped_arguments_are_broadcast(jax):
    jnp = jax.numpy
    prog = lambda xp: lambda x, w: (w * 2.0, xp.ones(2), 7.0, x + 1.0)  # noqa: E731
    got = fgrad.vmap(prog(np), in_axes=(0, None))(X34, np.array([1.0, 2.0]))
    want = jax.vmap(prog(jnp), in_axes=(0, None))(X34, np.array([1.0, 2.0]))
    assert_tree_close(got, want)
    assert np.shape(got[0]) == (3, 2) and np.shape(got[2]) == (3,)
    np.testing.assert_array_equal(got[2], [7.0, 7.0, 7.0])
    # with out_axes=1 the broadcast axis goes there too
    got = fgrad.vmap(lambda x: np.arange(2.0), out_axes=1)(X34)
    np.testing.assert_array_equal(got, np.broadcast_to(np.arange(2.0)[:, None], (2, 3)))


def test_dtypes_are_kept():
    Xi = np.arange(6).reshape(3, 2)
    out = fgrad.vmap(lambda x: (x * 2 + 1, x > 2, x.sum(), x.mean(), np.argmax(x)))(Xi)
    assert [o.dtype for o in out] == [np.int64, np.bool_, np.int64, np.float64, np.int64]
    np.testing.assert_array_equal(out[0], Xi * 2 + 1)
    np.testing.assert_array_equal(out[1], Xi > 2)
    np.testing.assert_array_equal(out[4], [1, 1, 1])
    x32 = Xi.astype(np.float32)
    assert fgrad.vmap(lambda x: np.sin(x) * 2)(x32).dtype == np.float32
    g = fgrad.vmap(fgrad.grad(lambda x: np.sum(np.sin(x))))(x32)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, np.cos(x32), rtol=1e-6)


def test_outputs_returned_as_tuple_dict_and_nested():
    got = fgrad.vmap(lambda x: {"s": x.sum(), "pair": (x[0], x * 2), "l": [x.max()]})(X34)
    assert set(got) == {"s", "pair", "l"} and isinstance(got["pair"], tuple) and isinstance(got["l"], list)
    np.testing.assert_allclose(got["s"], X34.sum(1), rtol=RTOL)
    np.testing.assert_allclose(got["pair"][0], X34[:, 0], rtol=RTOL)
    np.testing.assert_allclose(got["pair"][1], 2 * X34, rtol=RTOL)
    np.testing.assert_allclose(got["l"][0], X34.max(1), rtol=RTOL)


# ================================================================ 2. errors that name the argument
def test_inconsistent_sizes_name_each_argument():
    with pytest.raises(ValueError, match=r"inconsistent sizes.*argument 0 has size 3.*argument 1 has size 4"):
        fgrad.vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"argument 1 has size 4 along axis 1"):
        fgrad.vmap(lambda a, b: a + b, in_axes=(0, 1))(np.ones(3), np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"keyword argument 'y' has size 2"):
        fgrad.vmap(lambda x, y: x + y)(np.ones(3), y=np.ones(2))
    with pytest.raises(ValueError, match=r"axis_size=5"):
        fgrad.vmap(np.sin, axis_size=5)(np.ones(3))


def test_axis_out_of_range_names_the_argument():
    with pytest.raises(ValueError, match=r"axis 2 of argument 0, which has 2 dimensions"):
        fgrad.vmap(np.sin, in_axes=2)(X34)
    with pytest.raises(ValueError, match=r"axis -3 of argument 1"):
        fgrad.vmap(lambda a, b: a + b, in_axes=(0, -3))(X34, X34)


def test_in_axes_length_mismatch():
    with pytest.raises(ValueError, match=r"in_axes has 2 entries but .* 3 positional"):
        fgrad.vmap(lambda a, b, c: a, in_axes=(0, 0))(X34, X34, X34)


def test_in_axes_prefix_that_does_not_match_the_argument():
    with pytest.raises(ValueError, match=r"argument 0"):
        fgrad.vmap(lambda d: d["a"], in_axes=({"a": 0},))({"a": X34, "b": X34})
    with pytest.raises(ValueError, match=r"argument 0"):
        fgrad.vmap(lambda t: t[0], in_axes=([0, 0],))((X34, X34))
    with pytest.raises(TypeError, match=r"in_axes"):
        fgrad.vmap(np.sin, in_axes="0")(X34)
    with pytest.raises(TypeError, match=r"in_axes"):
        fgrad.vmap(np.sin, in_axes=(1.5,))(X34)


def test_scalar_argument_mapped_names_it():
    with pytest.raises(ValueError, match=r"argument 1, but it is a scalar"):
        fgrad.vmap(lambda a, b: a * b)(np.ones(3), 2.0)


def test_out_axes_none_for_a_mapped_output():
    with pytest.raises(ValueError, match=r"out_axes is None for output leaf 1.*depends on a mapped"):
        fgrad.vmap(lambda x: (1.0, x), out_axes=None)(X34)
    with pytest.raises(ValueError, match=r"out_axes"):
        fgrad.vmap(lambda x: x, out_axes=3)(X34)


def test_no_mapped_argument_needs_axis_size():
    with pytest.raises(ValueError, match=r"axis_size"):
        fgrad.vmap(np.sin, in_axes=None)(X34)
    with pytest.raises(ValueError, match=r"axis_size"):
        fgrad.vmap(lambda: 1.0)()
    with pytest.raises(TypeError, match=r"axis_size"):
        fgrad.vmap(np.sin, axis_size=-1)
    with pytest.raises(TypeError, match=r"axis_size"):
        fgrad.vmap(np.sin, axis_size=2.0)


def test_python_control_flow_on_a_batched_value_is_refused_with_np_where_hint():
    def f(x):
        if x.sum() > 0:
            return x
        return -x

    with pytest.raises(BatchedConversionError, match=r"np\.where") as info:
        fgrad.vmap(f)(X34)
    assert isinstance(info.value, TypeError)
    with pytest.raises(BatchedConversionError, match=r"np\.where"):
        fgrad.vmap(lambda x: int(x[0]))(X34)
    with pytest.raises(BatchedConversionError, match=r"np\.where"):
        fgrad.vmap(lambda x: np.asarray(x))(X34)
    with pytest.raises(TypeError):
        fgrad.vmap(lambda x: float(x[0]))(X34)
    # (grad's own call, given batched values it cannot convert, runs once per example)
    np.testing.assert_array_equal(fgrad.vmap(fgrad.grad(lambda x: x ** 2 if x > 0 else -x))(np.array([1.5, -2.0])),
                                  [3.0, -1.0])
    with pytest.raises(BatchedConversionError, match=r"np\.where"):
        fgrad.vmap(lambda x: x if x > 0 else -x)(np.array([1.0, -2.0]))
    # the same function written with np.where works, per example
    np.testing.assert_allclose(fgrad.vmap(lambda x: np.where(x.sum() > 0, x, -x))(X34),
                               np.where(X34.sum(1, keepdims=True) > 0, X34, -X34), rtol=RTOL)


def test_float_of_a_batched_value_says_why():
    with pytest.raises(BatchedConversionError, match=r"np\.where"):
        fgrad.vmap(lambda x: float(x[0]))(X34)


def test_in_axes_dict_at_top_level_says_it_must_be_a_tuple():
    with pytest.raises(TypeError, match=r"in_axes must be an int, None or a tuple"):
        fgrad.vmap(lambda d: d["a"], in_axes={"a": 0})({"a": X34})


def test_non_callable_is_refused():
    with pytest.raises(TypeError, match=r"vmap"):
        fgrad.vmap(3.0)


# ================================================================ 5. nothing passed is mutated or aliased
def test_identity_returns_a_new_writeable_array_and_leaves_the_input_alone():
    X = X34.copy()
    before = X.copy()
    out = fgrad.vmap(lambda x: x)(X)
    assert not np.shares_memory(out, X)
    assert out.flags.writeable and X.flags.writeable
    np.testing.assert_array_equal(out, before)
    out[...] = 99.0
    np.testing.assert_array_equal(X, before)
    out = fgrad.vmap(lambda x: x, in_axes=1, out_axes=1)(X)
    assert not np.shares_memory(out, X) and out.flags.writeable
    np.testing.assert_array_equal(out, before)


def test_outputs_never_alias_inputs_or_each_other():
    X = X34.copy()
    w = np.array([1.0, 2.0, 3.0, 4.0])
    a, b, c, d = fgrad.vmap(lambda x, w: (x, x, w, x[::-1]), in_axes=(0, None))(X, w)
    for o in (a, b, c, d):
        assert o.flags.writeable
        assert not np.shares_memory(o, X) and not np.shares_memory(o, w)
    assert not np.shares_memory(a, b)
    np.testing.assert_array_equal(c, np.broadcast_to(w, (3, 4)))
    c[0, 0] = -1.0
    assert w[0] == 1.0 and c[1, 0] == 1.0


def test_unmapped_argument_returned_with_out_axes_none_is_not_aliased():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    (same,) = fgrad.vmap(lambda x, w: (w,), in_axes=(0, None), out_axes=None)(X34, w)
    assert not np.shares_memory(same, w)


def test_inplace_update_inside_vmap_does_not_touch_the_input():
    X = X34.copy()
    before = X.copy()
    out = fgrad.vmap(lambda x: x.at[0].set(100.0))(X)
    np.testing.assert_array_equal(X, before)
    assert X.flags.writeable
    np.testing.assert_array_equal(out[:, 0], 100.0)
    np.testing.assert_array_equal(out[:, 1:], before[:, 1:])

    def add_in_place(x):
        x += 1.0  # (rebinds x to a new value: traced values are immutable)
        return x

    np.testing.assert_allclose(fgrad.vmap(add_in_place)(X), before + 1.0, rtol=RTOL)
    np.testing.assert_array_equal(X, before)


def test_pytree_inputs_are_not_mutated():
    p = {"w": X34.copy(), "b": [np.ones(3)]}
    fgrad.vmap(lambda p: p["w"].sum() + p["b"][0], in_axes=({"w": 0, "b": [0]},))(p)
    assert set(p) == {"w", "b"} and len(p["b"]) == 1
    np.testing.assert_array_equal(p["w"], X34)
    assert p["w"].flags.writeable and p["b"][0].flags.writeable


# ================================================================ 6. nesting, sizes, axis_size
def test_nested_vmap_with_different_sizes_and_axes(jax):
    jnp = jax.numpy
    A = rng(7).normal(size=(5, 3, 4))  # outer over axis 0 (5), inner over axis 1 (4)
    B = rng(8).normal(size=(3, 5))     # outer over axis 1 (5), inner unmapped

    def prog(xp):
        return lambda a, b: xp.tanh(a) * b + xp.sum(a * b)

    got = fgrad.vmap(fgrad.vmap(prog(np), in_axes=(1, None)), in_axes=(0, 1))(A, B)
    want = jax.vmap(jax.vmap(prog(jnp), in_axes=(1, None)), in_axes=(0, 1))(A, B)
    assert_tree_close(got, want)
    assert np.shape(got) == (5, 4, 3)
    loops = np.stack([np.stack([prog(np)(A[i][:, j], B[:, i]) for j in range(4)]) for i in range(5)])
    np.testing.assert_allclose(got, loops, rtol=RTOL)
    # three levels, each with its own size and out_axes
    C = rng(9).normal(size=(2, 3, 4))
    f3 = fgrad.vmap(fgrad.vmap(fgrad.vmap(lambda x: x ** 2 + 1.0, in_axes=0, out_axes=0),
                               in_axes=1, out_axes=1), in_axes=2, out_axes=0)
    j3 = jax.vmap(jax.vmap(jax.vmap(lambda x: x ** 2 + 1.0, in_axes=0, out_axes=0),
                           in_axes=1, out_axes=1), in_axes=2, out_axes=0)
    assert_tree_close(f3(C), j3(C))


def test_nested_vmap_inner_unmapped_uses_outer_batch():
    xs = np.arange(3.0)
    ys = np.arange(4.0) * 10
    got = fgrad.vmap(lambda x: fgrad.vmap(lambda y: x * y + x)(ys))(xs)
    np.testing.assert_allclose(got, np.outer(xs, ys) + xs[:, None], rtol=RTOL)
    # the inner level captures the outer batched value: out is (3, 4); inner axis_size
    got = fgrad.vmap(lambda x: fgrad.vmap(lambda: x * 2.0, in_axes=(), axis_size=2)())(xs)
    np.testing.assert_allclose(got, np.broadcast_to(2 * xs[:, None], (3, 2)), rtol=RTOL)


def test_vmap_with_axis_size_and_all_none_in_axes(jax):
    w = np.array([1.0, -1.0, 2.0])
    got = fgrad.vmap(lambda w, c: np.exp(w) * c, in_axes=(None, None), axis_size=4)(w, 2.0)
    want = jax.vmap(lambda w, c: jax.numpy.exp(w) * c, in_axes=(None, None), axis_size=4)(w, 2.0)
    assert_tree_close(got, want)
    # under grad: the gradient of the sum of 4 copies is 4 times the gradient
    g = fgrad.grad(lambda w: fgrad.vmap(lambda w: np.sum(np.exp(w)), in_axes=None, axis_size=4)(w).sum())(w)
    np.testing.assert_allclose(g, 4 * np.exp(w), rtol=RTOL)


# ================================================================ 3. composition with every transform
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic_loss(w, x, y):
    return np.log1p(np.exp(-y * (x @ w)))


@pytest.fixture(scope="module")
def logistic_data():
    r = rng(10)
    X = r.normal(size=(256, 20))
    w = r.normal(size=20) * 0.3
    y = np.where(r.random(256) < 0.5, -1.0, 1.0)
    return w, X, y


def test_per_example_gradients_vmap_of_grad(logistic_data, jax):
    w, X, y = logistic_data
    got = fgrad.vmap(fgrad.grad(logistic_loss), in_axes=(None, 0, 0))(w, X, y)
    assert np.shape(got) == (256, 20)
    closed = (-y * _sigmoid(-y * (X @ w)))[:, None] * X
    np.testing.assert_allclose(got, closed, rtol=1e-11, atol=1e-15)
    looped = np.stack([fgrad.grad(logistic_loss)(w, X[i], y[i]) for i in range(256)])
    np.testing.assert_allclose(got, looped, rtol=1e-13, atol=1e-16)
    jnp = jax.numpy
    jloss = lambda w, x, y: jnp.log1p(jnp.exp(-y * (x @ w)))  # noqa: E731
    want = jax.vmap(jax.grad(jloss), in_axes=(None, 0, 0))(w, X, y)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    # gradients with respect to both w and x at once
    gw, gx = fgrad.vmap(fgrad.grad(logistic_loss, argnums=(0, 1)), in_axes=(None, 0, 0))(w, X, y)
    jw, jx = jax.vmap(jax.grad(jloss, argnums=(0, 1)), in_axes=(None, 0, 0))(w, X, y)
    np.testing.assert_allclose(gw, jw, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gx, jx, rtol=1e-12, atol=1e-15)


def test_grad_of_a_vmapped_sum(logistic_data):
    w, X, y = logistic_data
    total = lambda w: fgrad.vmap(logistic_loss, in_axes=(None, 0, 0))(w, X, y).sum()  # noqa: E731
    closed = ((-y * _sigmoid(-y * (X @ w)))[:, None] * X).sum(0)
    np.testing.assert_allclose(fgrad.grad(total)(w), closed, rtol=1e-11, atol=1e-14)
    value, g = fgrad.value_and_grad(total)(w)
    np.testing.assert_allclose(value, np.log1p(np.exp(-y * (X @ w))).sum(), rtol=1e-13)
    np.testing.assert_allclose(g, closed, rtol=1e-11, atol=1e-14)
    # and the Hessian: X^T diag(s (1 - s)) X
    s = _sigmoid(-y[:32] * (X[:32] @ w))
    h = fgrad.hessian(lambda w: fgrad.vmap(logistic_loss, in_axes=(None, 0, 0))(w, X[:32], y[:32]).sum())(w)
    np.testing.assert_allclose(h, X[:32].T @ ((s * (1 - s))[:, None] * X[:32]), rtol=1e-11, atol=1e-14)


def _f(x):
    return np.sum(np.sin(x) * x)


def _df(x):
    return np.sin(x) + x * np.cos(x)


def test_vmap_of_vmap_and_of_vmap_of_grad():
    A = rng(11).normal(size=(5, 4, 3))
    np.testing.assert_allclose(fgrad.vmap(fgrad.vmap(_f))(A), np.sum(np.sin(A) * A, axis=-1), rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(fgrad.vmap(fgrad.grad(_f)))(A), _df(A), rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(fgrad.vmap(fgrad.grad(_f), in_axes=1), in_axes=2)(A),
                               np.transpose(_df(A), (2, 1, 0)), rtol=RTOL)
    # grad between the two vmaps: per-row gradients of a vmapped sum
    inner = lambda m: fgrad.vmap(_f)(m).sum()  # noqa: E731
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(inner))(A), _df(A), rtol=RTOL)


def test_grad_of_grad_of_vmap():
    xs = np.array([0.3, -1.2, 2.0, 0.7])
    g = lambda w: fgrad.vmap(lambda w, x: np.sin(w * x), in_axes=(None, 0))(w, xs).sum()  # noqa: E731
    w = 0.8
    np.testing.assert_allclose(fgrad.grad(g)(w), np.sum(xs * np.cos(w * xs)), rtol=RTOL)
    np.testing.assert_allclose(fgrad.grad(fgrad.grad(g))(w), -np.sum(xs ** 2 * np.sin(w * xs)), rtol=RTOL)
    np.testing.assert_allclose(fgrad.grad(fgrad.grad(fgrad.grad(g)))(w), -np.sum(xs ** 3 * np.cos(w * xs)),
                               rtol=RTOL)
    # vmap(grad(grad)) per example: d2/dx2 sin(w x) = -w^2 sin(w x)
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(fgrad.grad(lambda x: np.sin(w * x))))(xs),
                               -w ** 2 * np.sin(w * xs), rtol=RTOL)


def test_jvp_and_vjp_of_a_vmapped_function(jax):
    A = rng(12).normal(size=(4, 3))
    T = rng(13).normal(size=(4, 3))
    f = lambda x: np.tanh(x) * np.sum(x ** 2)  # noqa: E731
    out, tangent = fgrad.jvp(fgrad.vmap(f), (A,), (T,))
    s = np.sum(A ** 2, axis=1, keepdims=True)
    np.testing.assert_allclose(out, np.tanh(A) * s, rtol=RTOL)
    want_t = (1 - np.tanh(A) ** 2) * T * s + np.tanh(A) * 2 * np.sum(A * T, axis=1, keepdims=True)
    np.testing.assert_allclose(tangent, want_t, rtol=RTOL)
    out, vjp_fn = fgrad.vjp(fgrad.vmap(f), A)
    (ct,) = vjp_fn(T)
    jnp = jax.numpy
    jf = lambda x: jnp.tanh(x) * jnp.sum(x ** 2)  # noqa: E731
    _, jvjp = jax.vjp(jax.vmap(jf), A)
    np.testing.assert_allclose(ct, jvjp(T)[0], rtol=RTOL)
    want_ct = (1 - np.tanh(A) ** 2) * T * s + 2 * A * np.sum(np.tanh(A) * T, axis=1, keepdims=True)
    np.testing.assert_allclose(ct, want_ct, rtol=RTOL)
    # with an unmapped argument: the tangent/cotangent of w sums over the batch
    w = np.array([0.5, -1.0, 2.0])
    g = lambda w, x: np.sin(w * x)  # noqa: E731
    _, t = fgrad.jvp(lambda w: fgrad.vmap(g, in_axes=(None, 0))(w, A), (w,), (np.ones(3),))
    np.testing.assert_allclose(t, A * np.cos(w * A), rtol=RTOL)
    _, vjp_fn = fgrad.vjp(lambda w: fgrad.vmap(g, in_axes=(None, 0))(w, A), w)
    np.testing.assert_allclose(vjp_fn(T)[0], np.sum(T * A * np.cos(w * A), axis=0), rtol=RTOL)


def test_vmap_of_jvp_and_of_vjp():
    A = rng(14).normal(size=(6, 3))
    T = rng(15).normal(size=(6, 3))
    f = lambda x: np.exp(x) * np.sum(x)  # noqa: E731
    out, tangent = fgrad.vmap(lambda x, t: fgrad.jvp(f, (x,), (t,)))(A, T)
    s = A.sum(1, keepdims=True)
    np.testing.assert_allclose(out, np.exp(A) * s, rtol=RTOL)
    np.testing.assert_allclose(tangent, np.exp(A) * T * s + np.exp(A) * T.sum(1, keepdims=True), rtol=RTOL)
    # one tangent for every example (in_axes None)
    t0 = np.array([1.0, 0.0, -1.0])
    _, tangent = fgrad.vmap(lambda x, t: fgrad.jvp(f, (x,), (t,)), in_axes=(0, None))(A, t0)
    np.testing.assert_allclose(tangent, np.exp(A) * t0 * s + np.exp(A) * t0.sum(), rtol=RTOL)
    cts = fgrad.vmap(lambda x, c: fgrad.vjp(f, x)[1](c)[0])(A, T)
    np.testing.assert_allclose(cts, np.exp(A) * T * s + np.sum(np.exp(A) * T, axis=1, keepdims=True), rtol=RTOL)


def test_vmap_of_hessian_and_jacrev_equal_loops():
    A = rng(16).normal(size=(5, 3))
    f = lambda x: np.sum(np.sin(x) ** 2) * x[0] * x[1] * x[2]  # noqa: E731
    vec = lambda x: np.tanh(np.outer(x, x)).sum(0) * x  # noqa: E731
    got_h = fgrad.vmap(fgrad.hessian(f))(A)
    np.testing.assert_allclose(got_h, np.stack([fgrad.hessian(f)(a) for a in A]), rtol=RTOL, atol=1e-14)
    got_j = fgrad.vmap(fgrad.jacrev(vec))(A)
    np.testing.assert_allclose(got_j, np.stack([fgrad.jacrev(vec)(a) for a in A]), rtol=RTOL, atol=1e-14)
    got_f = fgrad.vmap(fgrad.jacfwd(vec))(A)
    np.testing.assert_allclose(got_f, got_j, rtol=RTOL, atol=1e-14)
    # and the other way round: the Jacobian of a vmapped function is block diagonal
    J = fgrad.jacrev(fgrad.vmap(vec))(A)
    assert np.shape(J) == (5, 3, 5, 3)
    for i in range(5):
        for k in range(5):
            np.testing.assert_allclose(J[i, :, k, :], got_j[i] if i == k else 0.0, rtol=RTOL, atol=1e-14)


def _jvp_of(f, shape):
    return lambda a: fgrad.jvp(f, (a,), (np.ones(shape),))[1]


# Functions whose VJP rule looks at values (prod checks for zeros, sort and det branch):
# under vmap, grad's own call runs once per example, but forward mode does not.
_VALUE_RULES = {
    "prod": (np.prod, (5, 3)),
    "sort": (lambda x: np.sum(np.sort(x) * np.arange(3.0)), (5, 3)),
    "cumprod": (lambda x: np.sum(np.cumprod(x)), (5, 3)),
    "clip": (lambda x: np.sum(np.clip(x, -0.5, 0.5) ** 2), (5, 3)),
    "det": (np.linalg.det, (5, 3, 3)),
    "eigvalsh": (lambda m: np.sum(np.linalg.eigvalsh(m + m.T) ** 2), (5, 3, 3)),
}
_FORWARD_CASES = [("prod", "jvp"), ("prod", "jacfwd"), ("prod", "hessian"), ("prod", "jacrev(jacrev)"),
                  ("sort", "jvp"), ("sort", "hessian"), ("cumprod", "hessian"), ("clip", "jacfwd"),
                  ("clip", "hessian"), ("det", "jvp"), ("det", "hessian"), ("eigvalsh", "hessian")]


def test_vmap_of_grad_of_functions_whose_rules_look_at_values():
    for name, (f, shape) in _VALUE_RULES.items():
        A = rng(20).normal(size=shape)
        got = fgrad.vmap(fgrad.grad(f))(A)
        np.testing.assert_allclose(got, np.stack([fgrad.grad(f)(a) for a in A]), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("name, transform", _FORWARD_CASES)
def test_vmap_of_forward_mode_of_functions_whose_rules_look_at_values(name, transform):
    f, shape = _VALUE_RULES[name]
    T = {"jvp": lambda f: _jvp_of(f, shape[1:]), "jacfwd": fgrad.jacfwd, "hessian": fgrad.hessian,
         "jacrev(jacrev)": lambda f: fgrad.jacrev(fgrad.jacrev(f))}[transform]
    A = rng(21).normal(size=shape)
    got = fgrad.vmap(T(f))(A)
    np.testing.assert_allclose(got, np.stack([T(f)(a) for a in A]), rtol=1e-11, atol=1e-13)


def test_more_compositions():
    A = rng(22).normal(size=(3, 4))
    w = rng(23).normal(size=4)
    C = np.arange(12.0).reshape(4, 3)
    # in_axes / out_axes other than 0 under grad
    g = fgrad.grad(lambda X: (fgrad.vmap(lambda x: np.sin(x).sum(), in_axes=1)(X) ** 2).sum())(A)
    np.testing.assert_allclose(g, 2 * np.sin(A).sum(0) * np.cos(A), rtol=RTOL)
    g = fgrad.grad(lambda X: (fgrad.vmap(lambda x: np.sin(x) * np.arange(4.0), out_axes=1)(X) * C).sum())(A)
    np.testing.assert_allclose(g, np.cos(A) * np.arange(4.0) * C.T, rtol=RTOL)
    # an unmapped output (out_axes None) differentiated
    g = fgrad.grad(lambda w: fgrad.vmap(lambda x, w: (x @ w, (w ** 2).sum()), in_axes=(0, None),
                                        out_axes=(0, None))(A, w)[1])(w)
    np.testing.assert_allclose(g, 2 * w, rtol=RTOL)
    # a closure over grad's traced value
    np.testing.assert_allclose(fgrad.grad(lambda w: fgrad.vmap(lambda x: x @ w)(A).sum())(w), A.sum(0), rtol=RTOL)
    # value_and_grad, has_aux, stop_gradient, linearize, hvp under vmap
    v, g = fgrad.vmap(fgrad.value_and_grad(lambda x: np.sum(x ** 3)))(A)
    np.testing.assert_allclose(v, np.sum(A ** 3, axis=1), rtol=RTOL)
    np.testing.assert_allclose(g, 3 * A ** 2, rtol=RTOL)
    g, aux = fgrad.vmap(fgrad.grad(lambda x: (np.sum(x ** 3), x.sum()), has_aux=True))(A)
    np.testing.assert_allclose(g, 3 * A ** 2, rtol=RTOL)
    np.testing.assert_allclose(aux, A.sum(1), rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(lambda x: np.sum(x ** 2 * fgrad.stop_gradient(x))))(A),
                               2 * A * A, rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(lambda x, t: fgrad.linearize(np.sin, x)[1](t))(A, C.T),
                               np.cos(A) * C.T, rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(lambda x, v: fgrad.hvp(lambda y: np.sum(y ** 3))(x, v))(A, C.T),
                               6 * A * C.T, rtol=RTOL)
    # transforms of vmap(grad)
    per_example = fgrad.vmap(fgrad.grad(lambda x: np.sum(np.sin(x))))
    np.testing.assert_allclose(fgrad.grad(lambda X: per_example(X).sum())(A), -np.sin(A), rtol=RTOL)
    np.testing.assert_allclose(fgrad.jvp(per_example, (A,), (C.T,))[1], -np.sin(A) * C.T, rtol=RTOL)
    J = fgrad.jacfwd(fgrad.vmap(np.sin))(A)
    np.testing.assert_allclose(np.einsum("ijij->ij", J), np.cos(A), rtol=RTOL)
    fgrad.check_grads(fgrad.vmap(lambda x: np.sin(x) * x.sum()), (A,), order=2)


# ---------------------------------------------------------------- custom_vjp and vmap
@fgrad.custom_vjp
def doubled_sin(x):
    """sin, whose custom rule deliberately says the derivative is 2 cos(x)."""
    return np.sin(x)


def _doubled_sin_fwd(x):
    return np.sin(x), x


def _doubled_sin_bwd(x, g):
    return (2.0 * g * np.cos(x),)


doubled_sin.defvjp(_doubled_sin_fwd, _doubled_sin_bwd)


@fgrad.custom_vjp
def clip_gradient(x):
    """The identity, whose cotangent is clipped to [-1, 1]."""
    return x


clip_gradient.defvjp(lambda x: (x, None), lambda _, g: (np.clip(g, -1.0, 1.0),))


def test_custom_vjp_under_vmap_uses_the_rule_in_every_order():
    xs = np.array([-1.0, 0.2, 0.9, 2.5])
    np.testing.assert_allclose(fgrad.vmap(doubled_sin)(xs), np.sin(xs), rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(doubled_sin))(xs), 2 * np.cos(xs), rtol=RTOL)
    np.testing.assert_allclose(fgrad.grad(lambda x: fgrad.vmap(doubled_sin)(x).sum())(xs), 2 * np.cos(xs),
                               rtol=RTOL)
    # the rule differentiated again: d/dx 2 cos(x) = -2 sin(x)
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(fgrad.grad(doubled_sin)))(xs), -2 * np.sin(xs), rtol=RTOL)
    np.testing.assert_allclose(fgrad.grad(lambda x: fgrad.vmap(fgrad.grad(doubled_sin))(x).sum())(xs),
                               -2 * np.sin(xs), rtol=RTOL)
    A = np.stack([xs, xs[::-1] * 0.5])
    np.testing.assert_allclose(fgrad.vmap(fgrad.vmap(fgrad.grad(doubled_sin)))(A), 2 * np.cos(A), rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(lambda r: np.sum(doubled_sin(r) ** 2)))(A),
                               4 * np.sin(A) * np.cos(A), rtol=RTOL)


def test_clipped_gradient_custom_rule_in_every_order():
    xs = np.array([-3.0, -0.5, 0.25, 4.0])
    loss = lambda x: 5.0 * clip_gradient(x) ** 2  # noqa: E731  # true derivative 10 x
    clipped = np.clip(10 * xs, -1.0, 1.0)
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(loss))(xs), clipped, rtol=RTOL)
    np.testing.assert_allclose(fgrad.grad(lambda x: fgrad.vmap(loss)(x).sum())(xs), clipped, rtol=RTOL)
    np.testing.assert_allclose(fgrad.vmap(loss)(xs), 5 * xs ** 2, rtol=RTOL)
    # a batched cotangent reaches the rule: per example, different clipping
    w = np.array([0.01, 0.1, 1.0, 10.0])
    got = fgrad.vmap(fgrad.grad(lambda x, w: w * clip_gradient(x)), in_axes=(0, 0))(xs, w)
    np.testing.assert_allclose(got, np.clip(w, -1.0, 1.0), rtol=RTOL)
    got = fgrad.vmap(fgrad.grad(lambda x, w: w * clip_gradient(x)), in_axes=(0, None))(xs, 3.0)
    np.testing.assert_allclose(got, np.ones(4), rtol=RTOL)


def test_clipped_gradient_matches_jax_custom_vjp(jax):
    jnp = jax.numpy

    @jax.custom_vjp
    def jclip(x):
        return x

    jclip.defvjp(lambda x: (x, None), lambda _, g: (jnp.clip(g, -1.0, 1.0),))
    X = rng(17).normal(size=(6, 3))
    fl = lambda x: np.sum(np.sin(clip_gradient(x * 3.0)) * 4.0)  # noqa: E731
    jl = lambda x: jnp.sum(jnp.sin(jclip(x * 3.0)) * 4.0)  # noqa: E731
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(fl))(X), jax.vmap(jax.grad(jl))(X), rtol=RTOL)
    np.testing.assert_allclose(fgrad.grad(lambda x: fgrad.vmap(fl)(x).sum())(X),
                               jax.grad(lambda x: jax.vmap(jl)(x).sum())(X), rtol=RTOL)


@fgrad.custom_vjp
def row_norms(M):
    """The Euclidean norm of each row; its rules batch over the rows with vmap."""
    return fgrad.vmap(lambda r: np.sqrt(np.sum(r * r)))(M)


def _row_norms_fwd(M):
    n = row_norms(M)
    return n, (M, n)


def _row_norms_bwd(res, g):
    M, n = res
    return (fgrad.vmap(lambda r, nr, gr: gr * r / nr)(M, n, g),)


row_norms.defvjp(_row_norms_fwd, _row_norms_bwd)


def test_vmap_inside_custom_vjp_rules():
    M = rng(18).normal(size=(4, 3))
    n = np.linalg.norm(M, axis=1)
    np.testing.assert_allclose(row_norms(M), n, rtol=RTOL)
    c = np.array([1.0, -2.0, 0.5, 3.0])
    g = fgrad.grad(lambda M: np.sum(row_norms(M) * c))(M)
    np.testing.assert_allclose(g, c[:, None] * M / n[:, None], rtol=RTOL)
    # the rule differentiated again (its vmap recorded by grad): the Hessian of sum(norms)
    H = fgrad.hessian(lambda M: np.sum(row_norms(M)))(M)
    for i in range(4):
        r = M[i]
        block = (np.eye(3) - np.outer(r, r) / n[i] ** 2) / n[i]
        np.testing.assert_allclose(H[i, :, i, :], block, rtol=1e-11, atol=1e-14)
    # and under an outer vmap: per-matrix gradients
    Ms = rng(19).normal(size=(5, 4, 3))
    got = fgrad.vmap(fgrad.grad(lambda M: np.sum(row_norms(M) * c)))(Ms)
    ns = np.linalg.norm(Ms, axis=2, keepdims=True)
    np.testing.assert_allclose(got, c[None, :, None] * Ms / ns, rtol=RTOL)
    np.testing.assert_allclose(fgrad.grad(lambda Ms: fgrad.vmap(lambda M: np.sum(row_norms(M) * c))(Ms).sum())(Ms),
                               got, rtol=RTOL)


# ---------------------------------------------------------------- graphs and names
def test_trace_of_vmap_is_the_batched_computation():
    graph = fgrad.trace(fgrad.vmap(lambda x: np.sum(np.sin(x) * 2.0)))(X34)
    assert [n.shape for n in graph.inputs] == [(3, 4)]
    assert graph.primitive_counts() == {"mul": 1, "sin": 1, "sum": 1}
    assert np.shape(graph.outputs[0].value) == (3,)
    np.testing.assert_allclose(graph.outputs[0].value, np.sum(np.sin(X34) * 2, axis=1), rtol=RTOL)
    assert "x:f64[3,4]" in str(graph)
    # batched per-example gradients, one graph for the whole batch (no loop)
    graph = fgrad.trace(fgrad.vmap(fgrad.grad(lambda x: np.sum(np.sin(x)))))(X34)
    assert graph.primitive_counts().get("cos", 0) == 1
    assert "getitem" not in graph.primitive_counts() and "stack" not in graph.primitive_counts()
    np.testing.assert_allclose(graph.outputs[0].value, np.cos(X34), rtol=RTOL)
    # an unmapped argument keeps its own shape
    graph = fgrad.trace(fgrad.vmap(lambda w, x: x @ w, in_axes=(None, 0)))(np.ones(4), X34)
    assert [n.shape for n in graph.inputs] == [(4,), (3, 4)]
    assert np.shape(graph.outputs[0].value) == (3,)


def test_name_inside_vmap():
    out = fgrad.vmap(lambda x: fgrad.name(np.sin(x), "s") * 2.0)(X34)
    np.testing.assert_allclose(out, 2 * np.sin(X34), rtol=RTOL)
    g = fgrad.vmap(fgrad.grad(lambda x: np.sum(fgrad.name(x ** 2, "sq"))))(X34)
    np.testing.assert_allclose(g, 2 * X34, rtol=RTOL)
    graph = fgrad.trace(fgrad.vmap(lambda x: np.sum(fgrad.name(np.sin(x), "s"))))(X34)
    assert "s:f64[3,4] = sin x" in str(graph)
    # a pytree of names
    out = fgrad.vmap(lambda x: fgrad.name({"a": x, "b": x * 3}, "p"))(X34)
    np.testing.assert_allclose(out["b"], 3 * X34, rtol=RTOL)


# ================================================================ 4. what the function sees: one example
def test_shape_queries_see_one_example():
    seen = {}

    def f(x):
        seen.update(shape=x.shape, ndim=x.ndim, len=len(x), np_shape=np.shape(x), np_ndim=np.ndim(x),
                    size=np.size(x), x_size=x.size, T=x.T.shape, zeros=np.zeros_like(x), ones=np.ones_like(x),
                    empty=np.empty_like(x).shape, dtype=x.dtype)
        return x.reshape(len(x), -1).sum(axis=np.ndim(x) - 2) + np.zeros_like(x)[0]

    out = fgrad.vmap(f)(X234)
    assert seen["shape"] == seen["np_shape"] == (3, 4) and seen["T"] == (4, 3) and seen["empty"] == (3, 4)
    assert seen["ndim"] == seen["np_ndim"] == 2 and seen["len"] == 3 and seen["size"] == seen["x_size"] == 12
    assert seen["dtype"] == np.float64
    for k in ("zeros", "ones"):
        assert type(seen[k]) is np.ndarray and seen[k].shape == (3, 4) and seen[k].flags.writeable
    np.testing.assert_allclose(out, X234.sum(axis=1), rtol=RTOL)
    # with in_axes=1 the example is x[:, i]
    fgrad.vmap(f, in_axes=1)(np.swapaxes(X234, 0, 1))
    assert seen["shape"] == (3, 4)


def _loop_reference(prog, in_axes, args):
    """prog(fgrad.numpy) on each example's plain values (NumPy's own results), stacked."""
    return loop(prog(fnp), *args, in_axes=in_axes)


V3 = rng(30).normal(size=3)
V4 = rng(31).normal(size=4)
M34 = rng(32).normal(size=(3, 4))
M43 = rng(33).normal(size=(4, 3))
B3 = rng(34).normal(size=(5, 3))       # 5 examples of shape (3,)
B4 = rng(35).normal(size=(5, 4))
B34 = rng(36).normal(size=(5, 3, 4))
B43 = rng(37).normal(size=(5, 4, 3))
B33 = rng(38).normal(size=(5, 3, 3)) + 3 * np.eye(3)
M33 = rng(39).normal(size=(3, 3)) + 3 * np.eye(3)
B234 = rng(40).normal(size=(5, 2, 3, 4))
IDX = np.array([2, 0, 2, 1])
MASK3 = np.array([True, False, True])


def _take(xp):
    # np.take(t, i) dispatches on `t` only (NumPy's protocol ignores the indices): a plain
    # table indexed by a batched index needs fgrad.numpy.take
    return fnp.take if xp is np else xp.take


def _case(name, prog, in_axes, *args):
    return pytest.param(prog, in_axes, args, id=name)


SEMANTICS = [
    # masks and np.where
    _case("where", lambda xp: lambda x: xp.where(x > 0, x ** 2, -x), 0, B34),
    _case("where-unbatched-branch", lambda xp: lambda x, y: xp.where(x > 0.2, y, x), (0, None), B34, M34),
    _case("where-mask-combined", lambda xp: lambda x: xp.where((x > 0) & ~(x > 1) | (x < -1.5), x, 0.0), 0, B34),
    _case("where-mask-from-reduction", lambda xp: lambda x: xp.where(x > x.mean(), 1.0, -1.0) * x, 0, B34),
    _case("where-batched-mask-unbatched-values", lambda xp: lambda c, a, b: xp.where(c > 0, a, b),
          (0, None, None), B4, V4, -V4),
    _case("comparisons-as-floats", lambda xp: lambda x: (x > 0).astype(xp.float64) + (x <= -0.5), 0, B34),
    # argmax / argsort based indexing, per example
    _case("argmax-index", lambda xp: lambda x: x[xp.argmax(x)], 0, B4),
    _case("argmin-index-2d", lambda xp: lambda x: x[xp.argmin(x.sum(1))], 0, B34),
    _case("argsort-index", lambda xp: lambda x: x[xp.argsort(x)] * xp.arange(4.0), 0, B4),
    _case("argmax-axis", lambda xp: lambda x: xp.take_along_axis(x, xp.argmax(x, axis=1)[:, None], axis=1), 0, B34),
    _case("argmax-into-unbatched", lambda xp: lambda x, t: _take(xp)(t, xp.argmax(x)), (0, None), B4, V4),
    # integer casts
    _case("astype-int", lambda xp: lambda x: (3 * x).astype(xp.int64) * 1.5 + x, 0, B34),
    _case("floor-int-index", lambda xp: lambda x, t: _take(xp)(t, xp.clip(xp.floor(xp.abs(x)), 0, 3).astype(int)),
          (0, None), B3, V4),
    # reductions
    _case("sum-none", lambda xp: lambda x: xp.sum(x), 0, B234),
    _case("sum-neg", lambda xp: lambda x: xp.sum(x, axis=-1), 0, B234),
    _case("mean-tuple-neg", lambda xp: lambda x: xp.mean(x, axis=(-1, 0)), 0, B234),
    _case("max-keepdims", lambda xp: lambda x: xp.max(x, axis=-2, keepdims=True) - x, 0, B234),
    _case("prod-axis", lambda xp: lambda x: xp.prod(x, axis=1), 0, B34),
    _case("std-none", lambda xp: lambda x: xp.std(x) + xp.var(x, axis=0), 0, B34),
    _case("cumsum-none", lambda xp: lambda x: xp.cumsum(x), 0, B34),
    _case("cumsum-neg", lambda xp: lambda x: xp.cumsum(x, axis=-2), 0, B34),
    _case("method-reductions", lambda xp: lambda x: x.sum(0) + x.max(-1).mean() + x.min(), 0, B34),
    _case("reduce-in_axes-1", lambda xp: lambda x: xp.sum(x, axis=0) * xp.max(x), 1, B34),
    # matmul in every batched/unbatched combination
    _case("vec@vec-bb", lambda xp: lambda a, b: a @ b, 0, B4, B4),
    _case("vec@vec-bu", lambda xp: lambda a, b: a @ b, (0, None), B4, V4),
    _case("vec@vec-ub", lambda xp: lambda a, b: a @ b, (None, 0), V4, B4),
    _case("mat@vec-bb", lambda xp: lambda a, b: a @ b, 0, B34, B4),
    _case("mat@vec-bu", lambda xp: lambda a, b: a @ b, (0, None), B34, V4),
    _case("mat@vec-ub", lambda xp: lambda a, b: a @ b, (None, 0), M34, B4),
    _case("vec@mat-bb", lambda xp: lambda a, b: a @ b, 0, B3, B34),
    _case("vec@mat-bu", lambda xp: lambda a, b: a @ b, (0, None), B3, M34),
    _case("vec@mat-ub", lambda xp: lambda a, b: a @ b, (None, 0), V3, B34),
    _case("mat@mat-bb", lambda xp: lambda a, b: a @ b, 0, B34, B43),
    _case("mat@mat-bu", lambda xp: lambda a, b: a @ b, (0, None), B34, M43),
    _case("mat@mat-ub", lambda xp: lambda a, b: a @ b, (None, 0), M34, B43),
    _case("stack@mat-bu", lambda xp: lambda a, b: a @ b, (0, None), B234, M43),
    _case("matmul-in_axes-1", lambda xp: lambda a, b: xp.matmul(a, b), (1, 2), B34.transpose(1, 0, 2),
          B43.transpose(1, 2, 0)),
    _case("dot-vec-mat", lambda xp: lambda a, b: xp.dot(a, b), (0, None), B3, M34),
    _case("inner-outer", lambda xp: lambda a, b: xp.outer(a, b) + xp.inner(a, b[:3]), (0, None), B3, V4),
    # solve: vector and matrix right-hand sides
    _case("solve-vec-bb", lambda xp: lambda a, b: xp.linalg.solve(a, b), 0, B33, B3),
    _case("solve-vec-bu", lambda xp: lambda a, b: xp.linalg.solve(a, b), (0, None), B33, V3),
    _case("solve-vec-ub", lambda xp: lambda a, b: xp.linalg.solve(a, b), (None, 0), M33, B3),
    _case("solve-mat-bb", lambda xp: lambda a, b: xp.linalg.solve(a, b), 0, B33, B34),
    _case("solve-mat-bu", lambda xp: lambda a, b: xp.linalg.solve(a, b), (0, None), B33, M34),
    _case("solve-mat-ub", lambda xp: lambda a, b: xp.linalg.solve(a, b), (None, 0), M33, B34),
    _case("inv-det", lambda xp: lambda a: xp.linalg.inv(a) * xp.linalg.det(a), 0, B33),
    # einsum: explicit, implicit, ellipsis
    _case("einsum-explicit-bb", lambda xp: lambda a, b: xp.einsum("ij,jk->ik", a, b), 0, B34, B43),
    _case("einsum-explicit-bu", lambda xp: lambda a, b: xp.einsum("ij,jk->ki", a, b), (0, None), B34, M43),
    _case("einsum-explicit-ub", lambda xp: lambda a, b: xp.einsum("ij,j->i", a, b), (None, 0), M34, B4),
    _case("einsum-implicit", lambda xp: lambda a, b: xp.einsum("ij,kj", a, b), (0, None), B34, M34),
    _case("einsum-implicit-trace", lambda xp: lambda a: xp.einsum("ii", a), 0, B33),
    _case("einsum-ellipsis", lambda xp: lambda a, b: xp.einsum("...ij,j->...i", a, b), 0, B234, B4),
    _case("einsum-ellipsis-implicit", lambda xp: lambda a, b: xp.einsum("...j,jk", a, b), (0, None), B234, M43),
    _case("einsum-three-operands", lambda xp: lambda a, b, c: xp.einsum("i,ij,j->", a, b, c),
          (0, None, 0), B3, M34, B4),
    # tensordot with one side batched (and both)
    _case("tensordot-left", lambda xp: lambda a, b: xp.tensordot(a, b, axes=1), (0, None), B34, M43),
    _case("tensordot-right", lambda xp: lambda a, b: xp.tensordot(a, b, axes=([1], [0])), (None, 0), M34, B43),
    _case("tensordot-right-2", lambda xp: lambda a, b: xp.tensordot(a, b, axes=([0, 1], [1, 0])), (None, 0),
          M34, B43),
    _case("tensordot-both", lambda xp: lambda a, b: xp.tensordot(a, b, axes=([0], [1])), 0, B34, B43),
    _case("tensordot-int-axes-0", lambda xp: lambda a, b: xp.tensordot(a, b, 0), (None, 0), V3, B4),
    # concatenate / stack of batched and unbatched values
    _case("concatenate-bu", lambda xp: lambda a, b: xp.concatenate([a, b, a]), (0, None), B4, V3),
    _case("concatenate-axis1", lambda xp: lambda a, b: xp.concatenate([a, b], axis=1), (0, None), B34, M33),
    _case("concatenate-neg", lambda xp: lambda a, b: xp.concatenate([b, a], axis=-2), (0, None), B34, M34),
    _case("stack-bu", lambda xp: lambda a, b: xp.stack([a, b, a * b]), (0, None), B4, V4),
    _case("stack-axis-neg", lambda xp: lambda a, b: xp.stack([a, b], axis=-1), (0, None), B34, M34),
    _case("vstack-hstack", lambda xp: lambda a, b: xp.vstack([a, b]).sum() + xp.hstack([a[0], b[0]]), (0, None),
          B34, M34),
    # getitem: slices, None, Ellipsis, integer arrays, boolean masks, separated advanced indices
    _case("slices", lambda xp: lambda x: x[1:, ::2] + x[:-1, 1::2], 0, B34),
    _case("negative-step", lambda xp: lambda x: x[::-1, -2], 0, B34),
    _case("none-ellipsis", lambda xp: lambda x: x[None, ..., None, 1], 0, B234),
    _case("int-array", lambda xp: lambda x: x[IDX], 0, B4),
    _case("int-array-axis1", lambda xp: lambda x: x[:, IDX], 0, B34),
    _case("two-int-arrays", lambda xp: lambda x: x[IDX[:3] % 3, IDX[1:]], 0, B34),
    _case("bool-mask", lambda xp: lambda x: x[MASK3], 0, B34),
    _case("bool-mask-axis1", lambda xp: lambda x: x[:, np.array([True, False, False, True])], 0, B34),
    _case("separated-advanced", lambda xp: lambda x: x[np.array([1, 0, 1]), :, IDX[1:]], 0, B234),
    _case("separated-int-and-array", lambda xp: lambda x: x[1, :, IDX], 0, B234),
    _case("adjacent-int-and-array", lambda xp: lambda x: x[:, 1, IDX], 0, B234),
    _case("ellipsis-array", lambda xp: lambda x: x[..., IDX[:2]], 0, B234),
    _case("take", lambda xp: lambda x: xp.take(x, IDX, axis=-1), 0, B34),
    # shapes
    _case("reshape-transpose", lambda xp: lambda x: x.reshape(4, 3).T @ x.reshape(-1)[:4], 0, B34),
    _case("moveaxis-swapaxes", lambda xp: lambda x: xp.moveaxis(x, 0, -1) + xp.swapaxes(x, 0, 2).transpose(1, 0, 2), 0, B234),
    _case("broadcast_to", lambda xp: lambda x: xp.broadcast_to(x, (2, 4)) * xp.broadcast_to(2.0, (4,)), 0, B4),
    _case("expand-squeeze", lambda xp: lambda x: xp.squeeze(xp.expand_dims(x, 1), axis=1) + x[:, None].sum(1),
          0, B34),
    _case("pad-flip-roll", lambda xp: lambda x: xp.pad(xp.flip(x, 0), 1) + xp.roll(xp.pad(x, 1), 1), 0, B34),
    _case("roll-none", lambda xp: lambda x: xp.roll(x, 2), 0, B34),
    _case("diagonal-tril-trace", lambda xp: lambda x: xp.diagonal(x) + xp.tril(x).sum(0) + xp.trace(x), 0, B33),
    _case("outer-batched-scalar", lambda xp: lambda s, v: s * v + xp.sum(s), (0, None), B3[:, 0], V4),
]


@pytest.mark.parametrize("prog, in_axes, args", SEMANTICS)
def test_batched_semantics_equal_a_loop(prog, in_axes, args):
    got = fgrad.vmap(prog(np), in_axes=in_axes)(*args)
    want = _loop_reference(prog, in_axes, args)
    assert np.result_type(got) == np.result_type(want)
    assert_tree_close(got, want)


@pytest.mark.parametrize("prog, in_axes, args", SEMANTICS)
def test_batched_semantics_equal_jax_vmap(prog, in_axes, args, jax):
    got = fgrad.vmap(prog(np), in_axes=in_axes)(*args)
    want = jax.jit(jax.vmap(prog(jax.numpy), in_axes=in_axes))(*args)
    assert_tree_close(got, want)


@pytest.mark.parametrize("prog, in_axes, args",
                         [p for p in SEMANTICS if not any(k in p.id for k in ("int-index", "argm", "argsort", "astype",
                                                                               "comparisons", "where-batched-mask"))])
def test_per_example_gradients_of_the_semantics_cases(prog, in_axes, args):
    """vmap(grad(sum of prog * weights)) equals a loop of grads (argument 0)."""
    def loss(*xs):
        out = prog(np)(*xs)
        return np.sum(np.sin(out) * np.arange(1.0, 1.0 + np.size(out)).reshape(np.shape(out)))

    got = fgrad.vmap(fgrad.grad(loss), in_axes=in_axes)(*args)
    want = loop(fgrad.grad(loss), *args, in_axes=in_axes)
    assert_tree_close(got, want, rtol=1e-11, atol=1e-12)


def test_at_set_with_batched_array_or_value(jax):
    jnp = jax.numpy
    # `at(x)` is x.at for a batched x, fgrad.numpy.at(x) / jnp.asarray(x).at for a plain array
    cases = [
        ((0, None), B4, 7.0, lambda at, x, v: at(x)[1].set(v)),
        ((0, 0), B4, B3[:, 0], lambda at, x, v: at(x)[1].set(v)),
        ((None, 0), V4, B3[:, :2], lambda at, x, v: at(x)[IDX[:2]].set(v)),
        ((0, 0), B34, B4, lambda at, x, v: at(x)[2].add(v)),
        ((0, 0), B34, B3, lambda at, x, v: at(x)[:, 0].add(v * v)),
        ((None, 0), M34, B3, lambda at, x, v: at(x)[:, -1].set(v * 2)),
        ((0, None), B34, V4, lambda at, x, v: at(x)[MASK3].set(v)),
    ]
    f_at = lambda x: x.at if isinstance(x, fgrad.Node) else fnp.at(x)  # noqa: E731
    j_at = lambda x: jnp.asarray(x).at  # noqa: E731
    for in_axes, x, v, f in cases:
        got = fgrad.vmap(lambda x, v: f(f_at, x, v), in_axes=in_axes)(x, v)
        want = jax.jit(jax.vmap(lambda x, v: f(j_at, x, v), in_axes=in_axes))(x, v)
        assert_tree_close(got, want)
        # and the per-example gradients through the update
        loss = lambda x, v: np.sum(np.sin(f(f_at, x, v)))  # noqa: E731
        jloss = lambda x, v: jnp.sum(jnp.sin(f(j_at, x, v)))  # noqa: E731
        argnums = tuple(i for i, a in enumerate(in_axes) if a == 0)
        got = fgrad.vmap(fgrad.grad(loss, argnums=argnums), in_axes=in_axes)(x, v)
        want = jax.jit(jax.vmap(jax.grad(jloss, argnums=argnums), in_axes=in_axes))(x, v)
        assert_tree_close(got, want)


def test_plain_array_indexed_by_a_batched_index_is_refused_clearly():
    # NumPy's own indexing cannot dispatch to fgrad (as in JAX), nor can np.take, which
    # dispatches on the table only: fgrad.numpy.take is the way
    with pytest.raises(BatchedConversionError):
        fgrad.vmap(lambda x, t: t[np.argmax(x)], in_axes=(0, None))(B4, V4)
    with pytest.raises(BatchedConversionError):
        fgrad.vmap(lambda x, t: np.take(t, np.argmax(x)), in_axes=(0, None))(B4, V4)
    got = fgrad.vmap(lambda x, t: fnp.take(t, np.argmax(x)), in_axes=(0, None))(B4, V4)
    np.testing.assert_array_equal(got, V4[np.argmax(B4, axis=1)])


def test_at_set_equals_a_loop_of_fgrad_numpy_at():
    got = fgrad.vmap(lambda x, v: x.at[1].set(v))(B4, B3[:, 0])
    want = np.stack([fnp.at(B4[i])[1].set(B3[i, 0]) for i in range(5)])
    np.testing.assert_array_equal(got, want)
    got = fgrad.vmap(lambda v: fnp.at(np.zeros(4))[IDX[:2]].add(v))(B3[:, :2])
    want = np.stack([fnp.at(np.zeros(4))[IDX[:2]].add(B3[i, :2]) for i in range(5)])
    np.testing.assert_array_equal(got, want)


def test_matmul_and_solve_gradients_in_every_combination(jax):
    jnp = jax.numpy
    for a, b, axes in [(B34, B4, (0, 0)), (B34, V4, (0, None)), (M34, B4, (None, 0)), (B33, B3, (0, 0)),
                       (B33, V3, (0, None)), (M33, B3, (None, 0)), (B33, B34, (0, 0)), (M33, B34, (None, 0))]:
        square = np.shape(a)[-1] == np.shape(a)[-2]
        f = (lambda xp: lambda a, b: xp.sum(xp.linalg.solve(a, b) ** 2)) if square else \
            (lambda xp: lambda a, b: xp.sum(xp.tanh(a @ b)))
        got = fgrad.vmap(fgrad.grad(f(np), argnums=(0, 1)), in_axes=axes)(a, b)
        want = jax.jit(jax.vmap(jax.grad(f(jnp), argnums=(0, 1)), in_axes=axes))(a, b)
        assert_tree_close(got, want, rtol=1e-11)


# ================================================================ primitives without a batching rule
def test_the_primitives_that_loop_are_the_listed_ones():
    """Every fgrad primitive has a batching rule except those LOOPING lists, each with why."""
    import importlib

    for name in ("fgrad.numpy", "fgrad.numpy.linalg", "fgrad.numpy.fft", "fgrad.scipy.special",
                 "fgrad.scipy.linalg", "fgrad.scipy.stats"):
        importlib.import_module(name)
    from fgrad._batching_rules import LOOPING, looping_primitives

    assert set(looping_primitives()) == set(LOOPING)


# ================================================================ 7. random programs vs jax.vmap
# tests/random_programs.py's programs (those of test_differential_jax): every one under vmap
# and vmap(grad) against a loop of the unbatched function (NumPy's values, fgrad's gradients,
# themselves checked against JAX there), the first JAX_PROGRAMS also against jax.vmap (each
# costs JAX ~0.2 s of compiling).
RANDOM_PROGRAMS = 200
JAX_PROGRAMS = int(os.environ.get("FGRAD_VMAP_JAX_PROGRAMS", "60"))


def _batch_of(x, k):
    """`k` examples near `x` (relative steps of 1e-4: every guard of the program keeps its margin)."""
    return np.stack([x * (1.0 + 1e-4 * i) + 1e-4 * i for i in range(k)])


def _assert_random_agree(what, got, want, program, rtol=1e-10):
    got_leaves, want_leaves = tree_leaves(got), tree_leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves):
        w = np.asarray(w)
        context = f"{what} differs for the program\n{program.reproducer()}"
        assert np.shape(g) == w.shape, f"{context}\nshape {np.shape(g)}, want {w.shape}"
        # rounding error scales with the largest magnitudes (as in test_differential_jax)
        scale = max(1.0, float(np.max(np.abs(w), initial=0.0)))
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * scale, err_msg=context)


def _random_programs(n, check):
    """Run `check(program, in_axes, args)` on `n` random programs, batches of 3 examples."""
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    from random_programs import programs

    count = [0]

    @hypothesis.seed(20261205)
    @hypothesis.settings(max_examples=n, deadline=None, database=None,
                         phases=[hypothesis.Phase.generate, hypothesis.Phase.shrink],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(programs(), st.lists(st.booleans(), min_size=2, max_size=2))
    def run(program, mapped):
        count[0] += 1
        in_axes = tuple(0 if (i == 0 or mapped[i - 1]) else None for i in range(len(program.inputs)))
        args = [_batch_of(x, 3) if ax == 0 else x for x, ax in zip(program.inputs, in_axes)]
        check(program, in_axes, args)

    with np.errstate(all="ignore"):
        run()
    assert count[0] >= n


def test_random_programs_under_vmap_agree_with_a_loop():
    def check(program, in_axes, args):
        f, s = program.function(np), program.scalar_function(np)
        got = fgrad.vmap(f, in_axes=in_axes)(*args)
        _assert_random_agree("vmap vs a loop", got, loop(f, *args, in_axes=in_axes), program)
        got = fgrad.vmap(fgrad.grad(s), in_axes=in_axes)(*args)
        _assert_random_agree("vmap(grad) vs a loop", got, loop(fgrad.grad(s), *args, in_axes=in_axes), program)
        total = lambda *xs: np.sum(fgrad.vmap(s, in_axes=in_axes)(*xs))  # noqa: E731
        # (argument 0 is always mapped: its gradient is the per-example gradients)
        _assert_random_agree("grad(vmap) vs a loop", fgrad.grad(total)(*args),
                             loop(fgrad.grad(s), *args, in_axes=in_axes), program)

    _random_programs(RANDOM_PROGRAMS, check)


def test_random_programs_under_vmap_agree_with_jax_vmap(jax):
    jnp = jax.numpy

    def check(program, in_axes, args):
        f, s = program.function(np), program.scalar_function(np)
        jf, js = program.function(jnp), program.scalar_function(jnp)
        both = jax.jit(lambda *a: (jax.vmap(jf, in_axes=in_axes)(*a), jax.vmap(jax.grad(js), in_axes=in_axes)(*a)))
        want, want_grad = both(*args)  # (one compilation per program)
        _assert_random_agree("vmap vs jax.vmap", fgrad.vmap(f, in_axes=in_axes)(*args), want, program)
        _assert_random_agree("vmap(grad) vs jax", fgrad.vmap(fgrad.grad(s), in_axes=in_axes)(*args), want_grad,
                             program)

    _random_programs(JAX_PROGRAMS, check)


def test_diagonal_products_equal_the_plain_matrix_product():
    """The speed path of batched matrix products (a constant diagonal operand, as the identity
    seeds of jacrev/jacfwd make) gives the plain product's numbers, and only takes constants."""
    from fgrad._batching_rules import _diagonal, matrix_product
    from fgrad._ops import matmul

    rng = np.random.default_rng(3)
    d = np.diag(rng.normal(size=12))
    w = rng.normal(size=(12, 5))
    prim = matmul.primitive
    np.testing.assert_allclose(matrix_product(prim, d, w, {}), d @ w, rtol=1e-15, atol=0)
    np.testing.assert_allclose(matrix_product(prim, w.T, d, {}), w.T @ d, rtol=1e-15, atol=0)
    full = d + 1e-3  # not diagonal: the product itself
    assert _diagonal(full) is None and _diagonal(d) is not None
    np.testing.assert_array_equal(matrix_product(prim, full, w, {}), full @ w)
    # a traced diagonal matrix is never taken for a constant one (its derivative is not diagonal)
    g = fgrad.grad(lambda m: np.sum(matrix_product(prim, m, w, {}) ** 2))(d)
    np.testing.assert_allclose(g, 2 * (d @ w) @ w.T, rtol=1e-12)


def test_jacobians_of_an_elementwise_then_linear_map_use_the_diagonal_path():
    rng = np.random.default_rng(4)
    n = 40
    W, b, x = rng.normal(size=(n, n)) / n, rng.normal(size=n), rng.normal(size=n)
    want = (1 - np.tanh(W @ x + b) ** 2)[:, None] * W
    np.testing.assert_allclose(fgrad.jacrev(lambda x: np.tanh(W @ x + b))(x), want, rtol=1e-12)
    np.testing.assert_allclose(fgrad.jacfwd(lambda x: np.tanh(W @ x + b))(x), want, rtol=1e-12)
    want2 = W * (1 - np.tanh(W @ np.tanh(x)) ** 2)[:, None]  # (diag(t') W) then a linear map after
    np.testing.assert_allclose(fgrad.jacrev(lambda x: np.tanh(W @ np.tanh(x)))(x),
                               want2 * (1 - np.tanh(x) ** 2)[None, :], rtol=1e-12)
