"""Clear errors instead of confusing ones (issue 16, item 7), and the behaviour that replaced them.

Each test reproduces a case that used to fail with a message about something else
(`cannot pickle 'mappingproxy'`, a RecursionError, `np.expit`, `dict(*, *)`, ...).
"""

import copy
import pickle
import subprocess
import sys

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad._cli_graph import main
from fgrad._dot import MAX_LABEL
from fgrad.tree import tree_flatten, tree_map, tree_structure, tree_unflatten
from graphviz_support import HAVE_DOT, dot_to_svg, every_dot_text_is_accepted_by_dot  # noqa: F401

# A primitive defined at the top level of an importable module: pickled by reference.
cube = fgrad.primitive(lambda x: x ** 3, lambda g, ans, x: g * 3.0 * x * x, name="cube")


def _model(x, w):
    h = fgrad.name(np.tanh(x @ w), "hidden")
    z = np.concatenate([h, h ** 2], axis=0)
    return np.sum(np.exp(-z / 10.0)) + np.max(z) + np.sum(cube(x[0]))


X = np.arange(6.0).reshape(2, 3) / 7
W = np.eye(3) + 0.1


def _round_trip(obj):
    return pickle.loads(pickle.dumps(obj))


# ------------------------------------------------------------------ pickling and copies
@pytest.mark.parametrize("graph", [
    fgrad.trace(_model)(X, W),
    fgrad.trace(fgrad.grad(_model))(X, W),
    fgrad.trace(fgrad.hessian(lambda x: np.sum(np.sin(x) ** 3)))(np.ones(2)),
], ids=["model", "grad", "hessian"])
def test_a_pickled_graph_prints_draws_and_holds_the_same(graph):
    loaded = _round_trip(graph)
    assert str(loaded) == str(graph) and repr(loaded) == repr(graph)
    assert fgrad.to_dot(loaded, verbose=True) == fgrad.to_dot(graph, verbose=True)
    assert loaded.primitive_counts() == graph.primitive_counts()
    assert len(loaded.nodes) == len(graph.nodes)
    for new, old in zip(loaded.nodes, graph.nodes):
        np.testing.assert_array_equal(new.value, old.value)
        assert new.primitive is old.primitive and new.name == old.name and dict(new.params) == dict(old.params)
        # A trace level of its own: never taken for a value of a transform running now.
        assert new.level != old.level
        if isinstance(new.value, np.ndarray):
            assert not new.value.flags.writeable
    # Data, not a running trace: computing with a loaded value raises, as for any escaped one.
    with pytest.raises(fgrad.UnexpectedTracerError, match=r"created inside `pickle.loads`"):
        loaded.nodes[-1] + 1.0


def test_a_deep_graph_pickles_without_recursion():
    def chain(x):
        for _ in range(5000):
            x = x * 1.0001
        return x

    graph = fgrad.trace(chain)(1.0)
    loaded = _round_trip(graph)
    assert str(loaded) == str(graph)
    assert float(loaded.outputs[0].value) == float(graph.outputs[0].value)


def test_a_traced_value_pickles_with_the_records_it_came_from():
    node = fgrad.trace(lambda x: fgrad.name(np.exp(x) * 2.0, "y"))(np.ones(2)).outputs[0]
    loaded = _round_trip(node)
    assert repr(loaded) == repr(node)
    assert str(fgrad.graph_of(loaded)) == str(fgrad.graph_of(node))


def test_a_primitive_with_no_importable_name_is_refused_with_what_can_be_saved():
    local = fgrad.primitive(lambda x: x ** 3, lambda g, ans, x: g * 3.0 * x * x, name="local_cube")
    graph = fgrad.trace(lambda x: local(x) + 1.0)(2.0)
    with pytest.raises(TypeError, match=r"cannot pickle primitive 'local_cube': fgrad saves a primitive by "
                                        r"reference.*str\(graph\)` or `fgrad.to_dot\(graph\)`"):
        pickle.dumps(graph)


def test_copies_of_frozen_records_are_the_records():
    graph = fgrad.trace(lambda x: np.sum(np.exp(x), axis=0))(np.ones(3))
    assert copy.copy(graph) is graph and copy.deepcopy(graph) is graph
    node = graph.outputs[0]
    assert copy.copy(node) is node and copy.deepcopy(node) is node
    prim = node.primitive
    assert copy.copy(prim) is prim and copy.deepcopy(prim) is prim


# ------------------------------------------------------------------ fgrad.primitive
def test_primitive_refuses_a_forward_that_is_not_callable():
    with pytest.raises(TypeError, match=r"fgrad.primitive: `forward` must be callable .* got float 3.0"):
        fgrad.primitive(3.0)


def test_primitive_refuses_a_rule_that_is_not_callable():
    with pytest.raises(TypeError, match=r"primitive 'sin': the VJP rule for argument 0 \(rule 1\) must be "
                                        r"callable or None, got int 5"):
        fgrad.primitive(np.sin, 5)


def test_primitive_refuses_a_rule_without_g_and_ans_when_defined_not_when_used():
    with pytest.raises(TypeError, match=r"primitive 'sin': the VJP rule for argument 0 \(rule 1\) cannot be "
                                        r"called as rule\(g, ans, x\): its signature is \(g, x\)"):
        fgrad.primitive(np.sin, lambda g, x: g)
    mul = fgrad.primitive(lambda a, b: a * b, name="mul2")
    with pytest.raises(TypeError, match=r"primitive 'mul2': the VJP rule for argument 1 \(rule 2\) cannot be "
                                        r"called as rule\(g, ans, a, b\)"):
        mul.defvjp(lambda g, ans, a, b: g * b, lambda g, ans, b: g)
    # Rules that fit a call shape of the forward are accepted: keywords, *args, optional arguments.
    where = fgrad.primitive(lambda c, x, y: np.where(c, x, y), None,
                            lambda g, ans, c, x, y: fnp.where(c, g, 0.0), lambda g, ans, c, x, y: fnp.where(c, 0.0, g))
    scaled = fgrad.primitive(lambda x, *, k: k * x, lambda g, ans, x, k: g * k)
    total = fgrad.primitive(lambda *xs: sum(xs), lambda g, ans, *xs: g, lambda g, ans, *xs: g)
    assert float(fgrad.grad(lambda x: where(True, x, 0.0) + scaled(x, k=3.0) + total(x, x))(1.0)) == 6.0


def test_primitive_refuses_more_rules_than_arguments():
    with pytest.raises(TypeError, match=r"primitive 'sin' has a VJP rule for argument 1 \(rule 2\), but its "
                                        r"forward has no argument 1: its positional arguments are \(x\)"):
        fgrad.primitive(np.sin, lambda g, ans, x: g, lambda g, ans, x: g)


# ------------------------------------------------------------------ pytrees
def test_a_dict_with_mixed_key_types_says_so():
    with pytest.raises(TypeError, match=r"pytree: a dict is flattened in the order of its sorted keys, but "
                                        r"this one has keys of types int, str: \[1, 'a'\].*OrderedDict"):
        tree_flatten({1: 1.0, "a": 2.0})


def test_a_tree_that_contains_itself_is_refused_with_its_path():
    loop = [1.0]
    loop.append(loop)
    with pytest.raises(ValueError, match=r"pytree: the list at tree\[1\] is the tree itself: .*reference cycle"):
        tree_flatten(loop)
    inner = {"a": 1.0}
    inner["self"] = [2.0, inner]
    with pytest.raises(ValueError, match=r"the dict at tree\[0\]\['self'\]\[1\] is the one at tree\[0\]"):
        fgrad.grad(lambda t: t[0]["a"])((inner,))


class _Endless:
    """A container whose flatten makes a new container each time: a cycle identity cannot see."""


fgrad.tree.register_pytree_node(_Endless, lambda e: ((_Endless(),), None), lambda _, c: _Endless())


def test_a_flatten_that_never_ends_is_stopped_with_a_reason():
    with pytest.raises(ValueError, match=r"containers nested more than 100000 deep \(the innermost a _Endless\)"):
        tree_flatten(_Endless())


def test_a_tree_nested_5000_deep_works_like_any_other():
    deep = 1.0
    for _ in range(5000):
        deep = [deep]
    leaves, treedef = tree_flatten(deep)
    assert leaves == [1.0] and treedef.num_leaves == 1
    assert tree_structure(tree_unflatten(treedef, [2.0])) == treedef
    assert tree_structure(tree_map(lambda a, b: a + b, deep, deep)) == treedef
    assert hash(treedef) == hash(tree_structure(tree_unflatten(treedef, [3.0])))
    assert repr(treedef) == "list(" * 5000 + "*" + ")" * 5000
    g = fgrad.grad(lambda t: fgrad.tree.tree_leaves(t)[0] * 2.0)(deep)
    assert fgrad.tree.tree_leaves(g) == [2.0]
    assert repr(fgrad.trace(lambda t: fgrad.tree.tree_leaves(t)[0] * 2.0)(deep)).startswith("Graph(1 input")


def test_structure_mismatch_messages_show_keys_and_fields():
    with pytest.raises(ValueError, match=r"tree 1 has structure \{'a': \*, 'c': \*\}, expected \{'a': \*, 'b': \*\}"):
        tree_map(lambda a, b: a, {"a": 1.0, "b": 2.0}, {"a": 1.0, "c": 2.0})
    with pytest.raises(ValueError, match=r"cotangent has structure \{'u': \*\}, expected \{'v': \*\}"):
        fgrad.vjp(lambda x: {"v": x}, 1.0)[1]({"u": 1.0})


# ------------------------------------------------------------------ names and conversions
def test_scipy_functions_are_named_by_their_module():
    special = pytest.importorskip("scipy.special")
    with pytest.raises(TypeError, match=r"^scipy.special.spence is not supported on traced values"):
        fgrad.grad(lambda x: special.spence(x))(1.0)


def test_round_of_a_traced_value_is_a_constant_as_np_round():
    assert float(fgrad.grad(lambda x: round(x, 1) * x)(1.34)) == 1.3
    assert float(fgrad.grad(lambda x: round(x) + x)(1.34)) == 1.0
    seen = []
    fgrad.grad(lambda x: seen.append((round(x), round(x, 1))) or x * 1.0)(1.34)
    assert seen == [(1, 1.3)] and type(seen[0][0]) is int
    g = fgrad.grad(lambda x: np.sum(round(x, 1) * x))(np.array([1.34, 2.06]))
    np.testing.assert_array_equal(g, np.round([1.34, 2.06], 1))


def test_assigning_a_traced_value_into_a_numpy_array_says_how_to_build_it():
    def element(x):
        c = np.zeros(3)
        c[0] = x
        return np.sum(c)

    with pytest.raises(ValueError, match="setting an array element") as info:
        fgrad.grad(element)(1.0)
    cause = str(info.value.__cause__)
    assert "Assigning it into a NumPy array, `a[i] = x`, converts it too" in cause
    assert "fgrad.numpy.at(a)[i].set(x)" in cause and "fgrad.numpy.where" in cause

    def row(x):
        c = np.zeros((2, 2))
        c[0] = x
        return np.sum(c)

    with pytest.raises(TypeError, match=r"to a NumPy array.*`a\[i\] = x`.*fgrad.numpy.stack"):
        fgrad.grad(row)(np.ones(2))


# ------------------------------------------------------------------ graph text and DOT
def test_a_name_with_a_newline_cannot_forge_a_line_of_the_listing():
    forged = "y\n  t9:f64[] = forged x"
    graph = fgrad.trace(lambda x: fgrad.name(x * 2.0, forged))(1.0)
    text = str(graph)
    assert text.splitlines() == [
        "graph(x:f64[]) {",
        r"  y\n  t9:f64[] = forged x:f64[] = mul x 2.0",
        r"  return y\n  t9:f64[] = forged x",
        "}",
    ]


def test_dot_labels_with_nul_or_huge_text_are_escaped_and_cut():
    graph = fgrad.trace(lambda x: fgrad.name(x * 2.0, "y\x00" + "z" * 20_000))(1.0)
    text = fgrad.to_dot(graph)
    assert "\x00" not in text
    label = next(line for line in text.splitlines() if "y\\\\x00" in line)
    assert len(label.split('"')[1]) == MAX_LABEL + 1 and label.split('"')[1].endswith("zz...")  # (+1: the escaped \)
    if HAVE_DOT:
        dot_to_svg(text)


def test_dot_failures_are_reported_not_raised_raw(monkeypatch):
    import types

    from fgrad import _dot

    def failing_pipe(engine, fmt, data):
        raise subprocess.CalledProcessError(1, ["dot"], stderr=b"Error: syntax error in line 3")

    fake = types.SimpleNamespace(pipe=failing_pipe, ExecutableNotFound=type("ExecutableNotFound", (Exception,), {}))
    monkeypatch.setitem(sys.modules, "graphviz", fake)
    monkeypatch.setattr(_dot.shutil, "which", lambda name: "/usr/bin/dot")
    with pytest.raises(RuntimeError, match=r"Graphviz's `dot` failed to draw the graph as svg \(exit status 1\): "
                                           r"Error: syntax error in line 3\. fgrad.to_dot\(graph\)"):
        _dot._pipe("digraph g {}", "svg")


# ------------------------------------------------------------------ the CLI and argnums
def test_cli_refuses_a_grad_order_python_cannot_nest(capsys):
    with pytest.raises(SystemExit) as info:
        main(["numpy:tanh", "--args", "1.0", "--grad", "5000"])
    assert info.value.code == 2
    assert "error: --grad 5000 is more than Python can nest" in capsys.readouterr().err


def test_cli_reports_a_nesting_too_deep_for_the_stack(capsys):
    assert main(["numpy:sin", "--args", "1.0", "--grad", str(sys.getrecursionlimit() // 2), "--max-nodes", "5"]) == 1
    err = capsys.readouterr().err
    assert "failed: RecursionError" in err and "use a smaller --grad" in err


def test_cli_says_the_function_takes_no_arguments(tmp_path, capsys, monkeypatch):
    (tmp_path / "noargs.py").write_text("def f():\n    return 1.0\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(["noargs.py:f", "--grad", "1"])
    assert "error: noargs.py:f takes no arguments, so --grad has nothing to differentiate" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["numpy:tanh", "--args", "1.0", "--grad", "1", "--argnum", "3"])
    assert "--argnum 3 is out of range: 1 argument was given with --args (valid: 0..0)" in capsys.readouterr().err


def test_grad_of_a_function_called_without_arguments_says_so():
    with pytest.raises(ValueError, match=r"called with no positional arguments \(so there is nothing to "
                                         r"differentiate with respect to\)"):
        fgrad.grad(lambda: 1.0)()


# ------------------------------------------------------------------ optimizers
def test_newton_on_float16_solves_in_float32_and_keeps_float16():
    res = fgrad.optimize.newton(lambda x: np.sum((x - 1.0) ** 2 + (x - 1.0) ** 4), np.float16([3.0, 2.0]))
    assert res.converged and res.x.dtype == np.float16
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-2)
    scalar = fgrad.optimize.newton(lambda x: (x - 1.0) ** 2 + (x - 1.0) ** 4, np.float16(3.0))
    assert scalar.converged and type(scalar.x) is np.float16 and abs(float(scalar.x) - 1.0) <= 1e-2
