"""Pytrees through every transform: attrs records, nested containers, user types, argnums."""

from __future__ import annotations

import collections
from typing import NamedTuple

import attrs
import numpy as np
import pytest

import fgrad
from fgrad.tree import (
    register_pytree_node, tree_flatten, tree_leaves, tree_map, tree_structure, tree_unflatten,
)


@attrs.frozen
class Params:
    w: np.ndarray
    b: float


@attrs.frozen
class Layer:
    params: Params
    name: str = attrs.field(default="dense")


def predict(p: Params, x: np.ndarray) -> np.ndarray:
    return np.tanh(p.w @ x + p.b)


def loss(p: Params, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.sum((predict(p, x) - y) ** 2)


P = Params(w=np.array([[0.5, -0.3], [0.1, 0.8]]), b=0.2)
X = np.array([1.0, 2.0])
Y = np.array([0.3, -0.1])


def closed_form_grad(p, x, y):
    z = p.w @ x + p.b
    r = 2 * (np.tanh(z) - y) * (1 - np.tanh(z) ** 2)
    return np.outer(r, x), np.sum(r)


# ---------------------------------------------------------------- attrs records
def test_gradient_wrt_attrs_params_is_a_params():
    g = fgrad.grad(loss)(P, X, Y)
    assert type(g) is Params
    gw, gb = closed_form_grad(P, X, Y)
    np.testing.assert_allclose(g.w, gw, rtol=1e-14)
    assert g.b == pytest.approx(gb, rel=1e-14)
    assert type(g.b) is np.float64 and g.w.shape == (2, 2)


def test_params_through_every_transform():
    value, g = fgrad.value_and_grad(loss)(P, X, Y)
    assert value == loss(P, X, Y) and type(g) is Params
    out, f_vjp = fgrad.vjp(lambda p: predict(p, X), P)
    (ct,) = f_vjp(np.ones(2))
    assert type(ct) is Params
    out, t = fgrad.jvp(lambda p: loss(p, X, Y), (P,), (Params(np.ones((2, 2)), 0.0),))
    assert t == pytest.approx(np.sum(g.w), rel=1e-13)
    for transform in (fgrad.jacrev, fgrad.jacfwd):
        j = transform(lambda p: predict(p, X))(P)
        assert type(j) is Params and j.w.shape == (2, 2, 2) and j.b.shape == (2,)
    h = fgrad.hessian(lambda p: loss(p, X, Y))(P)
    assert type(h) is Params and type(h.w) is Params and h.w.w.shape == (2, 2, 2, 2)
    assert h.w.b.shape == (2, 2) and h.b.w.shape == (2, 2) and np.shape(h.b.b) == ()
    np.testing.assert_allclose(h.w.b, h.b.w, rtol=1e-13)  # symmetry across leaves
    hv = fgrad.hvp(lambda p: loss(p, X, Y))(P, Params(np.zeros((2, 2)), 1.0))
    assert type(hv) is Params
    np.testing.assert_allclose(hv.w, h.b.w, rtol=1e-13)
    assert hv.b == pytest.approx(h.b.b, rel=1e-13)


def test_nested_records_and_static_string_fields_via_argnums():
    # `name` is a string: differentiate the record's params only.
    layer = Layer(P)
    g = fgrad.grad(lambda params, layer: loss(params, X, Y) if layer.name == "dense" else 0.0)(layer.params, layer)
    assert type(g) is Params
    with pytest.raises(TypeError, match=r"grad: argument 0 \(`l`\) must be a float.*got str"):
        fgrad.grad(lambda l: loss(l.params, X, Y))(layer)


def test_attrs_private_and_non_init_fields_round_trip():
    @attrs.frozen
    class Box:
        _scale: float
        total: float = attrs.field(init=False, default=0.0)

    box = Box(2.0)
    leaves, treedef = tree_flatten(box)
    assert leaves == [2.0, 0.0]
    rebuilt = tree_unflatten(treedef, [3.0, 7.0])
    assert rebuilt._scale == 3.0 and rebuilt.total == 7.0 and type(rebuilt) is Box
    g = fgrad.grad(lambda b: b._scale ** 2)(Box(1.5))
    assert type(g) is Box and g._scale == 3.0 and g.total == 0.0


# ---------------------------------------------------------------- containers
def make_tree():
    return {
        "layers": [Params(np.array([1.0, 2.0]), 0.5), Params(np.array([[3.0]]), -1.0)],
        "extra": [(4.0, None), {"z": np.float32(5.0), "a": np.arange(3.0)}],
    }


def test_dict_of_lists_of_attrs_records_round_trips():
    tree = make_tree()
    leaves, treedef = tree_flatten(tree)
    assert len(leaves) == treedef.num_leaves == 7
    # dict keys in sorted order: "extra" before "layers"; "a" before "z"
    assert leaves[0] == 4.0 and leaves[1] is tree["extra"][1]["a"] and leaves[2] == np.float32(5.0)
    rebuilt = tree_unflatten(treedef, leaves)
    assert tree_structure(rebuilt) == treedef
    assert type(rebuilt["layers"][0]) is Params and rebuilt["extra"][0][1] is None
    for a, b in zip(tree_leaves(rebuilt), leaves):
        assert a is b
    doubled = tree_map(lambda x: x * 2, tree)
    assert doubled["layers"][1].b == -2.0 and doubled["extra"][1]["z"] == np.float32(10.0)
    assert tree_structure(doubled) == treedef


def test_gradient_of_nested_tree_has_its_structure_and_dtypes():
    tree = make_tree()

    def f(t):
        total = 0.0
        for p in t["layers"]:
            total = total + np.sum(p.w ** 2) * p.b
        return total + t["extra"][0][0] * np.sum(t["extra"][1]["a"]) + t["extra"][1]["z"] * 2.0

    g = fgrad.grad(f)(tree)
    assert tree_structure(g) == tree_structure(tree)
    np.testing.assert_array_equal(g["layers"][0].w, 2 * np.array([1.0, 2.0]) * 0.5)
    assert g["layers"][0].b == 5.0 and g["layers"][1].b == 9.0
    np.testing.assert_array_equal(g["layers"][1].w, np.array([[-6.0]]))
    assert g["extra"][0][0] == 3.0
    np.testing.assert_array_equal(g["extra"][1]["a"], [4.0, 4.0, 4.0])
    assert g["extra"][1]["z"] == 2.0 and g["extra"][1]["z"].dtype == np.float32
    np.testing.assert_array_equal(tree["layers"][0].w, [1.0, 2.0])  # caller's arrays untouched


def test_namedtuple_ordered_dict_and_defaultdict():
    class Point(NamedTuple):
        x: float
        y: float

    g = fgrad.grad(lambda p: p.x * p.y ** 2)(Point(3.0, 2.0))
    assert type(g) is Point and g == (4.0, 12.0)

    od = collections.OrderedDict([("b", 1.0), ("a", 2.0)])
    assert tree_leaves(od) == [1.0, 2.0]  # insertion order
    g = fgrad.grad(lambda d: d["a"] * d["b"] ** 2)(od)
    assert type(g) is collections.OrderedDict and list(g) == ["b", "a"] and g == {"b": 4.0, "a": 1.0}

    dd = collections.defaultdict(list, {"b": 1.0, "a": 2.0})
    leaves, treedef = tree_flatten(dd)
    assert leaves == [2.0, 1.0]
    rebuilt = tree_unflatten(treedef, leaves)
    assert type(rebuilt) is collections.defaultdict and rebuilt.default_factory is list and rebuilt == dd


# ---------------------------------------------------------------- user registration
class Pair:
    def __init__(self, first, second):
        self.first, self.second = first, second


register_pytree_node(Pair, lambda p: ((p.first, p.second), None), lambda _, c: Pair(*c))


def test_user_registered_container_through_transforms():
    p = Pair(np.array([1.0, 2.0]), 3.0)
    f = lambda p: np.sum(p.first ** 2) * p.second
    g = fgrad.grad(f)(p)
    assert type(g) is Pair
    np.testing.assert_array_equal(g.first, [6.0, 12.0])
    assert g.second == 5.0
    j = fgrad.jacfwd(lambda p: p.first * p.second)(p)
    assert type(j) is Pair
    np.testing.assert_array_equal(j.first, 3.0 * np.eye(2))
    np.testing.assert_array_equal(j.second, [1.0, 2.0])
    leaves, treedef = tree_flatten([p, {"k": p}])
    assert len(leaves) == 4 and treedef.children[1].children[0].kind is Pair


def test_registration_with_static_aux_data():
    class Scaled:
        def __init__(self, value, unit):
            self.value, self.unit = value, unit

    register_pytree_node(Scaled, lambda s: ((s.value,), s.unit), lambda unit, c: Scaled(c[0], unit))
    g = fgrad.grad(lambda s: s.value ** 2 * (2.0 if s.unit == "m" else 1.0))(Scaled(3.0, "m"))
    assert type(g) is Scaled and g.unit == "m" and g.value == 12.0
    assert tree_structure(Scaled(1.0, "m")) != tree_structure(Scaled(1.0, "s"))


def test_registration_errors():
    with pytest.raises(TypeError, match=r"register_pytree_node: `cls` must be a type"):
        register_pytree_node("Pair", lambda p: ((), None), lambda _, c: None)
    with pytest.raises(TypeError, match=r"`flatten` and `unflatten` must be callable"):
        register_pytree_node(Pair, None, lambda _, c: None)


# ---------------------------------------------------------------- argnums selecting pytrees
def test_argnums_select_pytree_arguments():
    def f(params, n_steps, extra, scale):
        total = 0.0
        for _ in range(n_steps):
            total = total + params["a"] * extra.b + np.sum(extra.w) * scale
        return total

    params, extra = {"a": 2.0}, Params(np.array([1.0, 4.0]), 3.0)
    g_params, g_extra = fgrad.grad(f, argnums=(0, 2))(params, 2, extra, 0.5)
    assert g_params == {"a": 6.0}
    assert type(g_extra) is Params and g_extra.b == 4.0
    np.testing.assert_array_equal(g_extra.w, [1.0, 1.0])
    g_extra_only = fgrad.grad(f, argnums=-2)(params, 2, extra, 0.5)
    assert type(g_extra_only) is Params
    j = fgrad.jacrev(f, argnums=(2, 0))(params, 2, extra, 0.5)
    assert type(j[0]) is Params and j[1] == {"a": 6.0}


def test_tree_errors():
    with pytest.raises(ValueError, match=r"tree_map: tree 1 has structure"):
        tree_map(lambda a, b: a + b, {"x": 1.0}, {"y": 1.0})
    treedef = tree_structure((1.0, [2.0]))
    with pytest.raises(ValueError, match=r"tree_unflatten: too few leaves"):
        tree_unflatten(treedef, [1.0])
    with pytest.raises(ValueError, match=r"tree_unflatten: too many leaves"):
        tree_unflatten(treedef, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"grad: argument 0 \(`t`\) is None"):
        fgrad.grad(lambda t: 1.0)(None)
