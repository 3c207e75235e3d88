"""Passes over a frozen `Graph`, each a pure function Graph -> Graph (for `fgrad.jit`).

A pass makes new records where it changes something (the input Graph is left as it
is) and keeps every Node's `seq`, so a program's guards keep their places. Each pass
preserves what the graph computes, bit for bit, except where its docstring says so.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._core import Node, make_node
from ._graph import NAME, Graph, _topological

__all__ = ["optimize", "eliminate_dead_code", "eliminate_common_subexpressions", "simplify", "fold_constants"]


def _rebuild(graph: Graph, replace: Callable[[Node, tuple], Any]) -> Graph:
    """Walk the nodes in order; ``replace(node, new_inputs)`` gives its new value in the graph:
    a Node (possibly the same), or any other value (a constant)."""
    mapping: dict[int, Any] = {id(x): x for x in graph.inputs}

    def mapped(x: Any) -> Any:
        return mapping.get(id(x), x) if type(x) is Node else x

    for node in graph.nodes:
        if id(node) in mapping:
            continue
        inputs = tuple(mapped(a) for a in node.inputs)
        if all(a is b for a, b in zip(inputs, node.inputs)):
            new = replace(node, node.inputs)
        else:
            new = replace(node, inputs)
        mapping[id(node)] = new
    outputs = tuple(mapped(o) for o in graph.outputs)
    guards = tuple(g if id(g.node) not in mapping or mapping[id(g.node)] is g.node else
                   type(g)(mapped(g.node), g.conversion, g.value, g.seq) for g in graph.guards)
    return eliminate_dead_code(Graph(graph.inputs, outputs, graph.nodes, guards))


def _with_inputs(node: Node, inputs: tuple) -> Node:
    if inputs is node.inputs:
        return node
    return make_node(node.value, node.primitive, inputs, node.params, node.level, node.name, node.seq)


def eliminate_dead_code(graph: Graph) -> Graph:
    """Only the nodes the outputs and guards depend on, in creation order.

    Example:
        >>> import numpy as np, fgrad
        >>> g = fgrad.trace(lambda x: np.sin(x))(1.0)
        >>> len(eliminate_dead_code(g).nodes) == len(g.nodes)
        True
    """
    roots = [o for o in graph.outputs if type(o) is Node] + [g.node for g in graph.guards if type(g.node) is Node]
    nodes = _topological(roots, graph.inputs)
    inputs = set(map(id, graph.inputs))
    body = sorted((n for n in nodes if id(n) not in inputs), key=lambda n: n.seq)
    return Graph(graph.inputs, graph.outputs, tuple(graph.inputs) + tuple(body),
                 tuple(g for g in graph.guards if type(g.node) is Node))


def _key(x: Any) -> Any:
    """A hashable stand-in for an operand or parameter: Nodes by identity, scalars by value."""
    if type(x) is Node:
        return ("node", id(x))
    if isinstance(x, (bool, int, float, complex, str, type(None), np.generic)):
        return ("value", type(x), x if x == x else "nan")
    if isinstance(x, np.dtype):
        return ("dtype", x.str)
    if isinstance(x, tuple):
        return ("tuple", tuple(_key(v) for v in x))
    if isinstance(x, slice):
        return ("slice", _key(x.start), _key(x.stop), _key(x.step))
    return ("object", id(x))


def eliminate_common_subexpressions(graph: Graph) -> Graph:
    """One node for each distinct (primitive, parameters, operands): derivative graphs repeat a lot.

    The operands of add and multiply count in either order: IEEE arithmetic gives
    ``a * b`` and ``b * a`` the same bits (real or complex).

    Example:
        >>> import numpy as np, fgrad
        >>> g = fgrad.trace(lambda x: np.sin(x) + np.sin(x))(1.0)
        >>> len(g.applications), len(eliminate_common_subexpressions(g).applications)
        (3, 2)
    """
    seen: dict[Any, Node] = {}
    commutative = {np.add, np.multiply}

    def replace(node: Node, inputs: tuple) -> Any:
        operands = tuple(_key(a) for a in inputs)
        if node.primitive.forward in commutative and not node.params:  # (b * a is a * b, bit for bit)
            operands = tuple(sorted(operands, key=repr))
        key = (id(node.primitive.forward), operands, tuple(sorted((k, _key(v)) for k, v in node.params.items())))
        if key in seen:
            return seen[key]
        new = _with_inputs(node, inputs)
        seen[key] = new
        return new

    return _rebuild(graph, replace)


def _same_as(node: Node, x: Any) -> bool:
    """Whether `x` already has the node's shape and dtype (dropping the node changes no type)."""
    v, w = node.value, x.value if type(x) is Node else x
    return np.shape(v) == np.shape(w) and np.result_type(v) == np.result_type(w) and type(v) is type(w)


def _is_scalar(x: Any, value: float) -> bool:
    """Whether `x` is the constant `value`: a number, or a broadcast of one (every stride 0,
    as the seed of a gradient is) -- the result then has the other operand's shape or it
    would not pass `_same_as`."""
    if type(x) is np.ndarray and x.size and not any(x.strides):
        return bool(x.flat[0] == value)
    return type(x) is not Node and np.ndim(x) == 0 and not isinstance(x, bool) and x == value


def simplify(graph: Graph) -> Graph:
    """Algebraic no-ops removed: ``x * 1``, ``x + 0``, ``x - 0``, ``--x``, reshapes and
    broadcasts to the shape a value has, and `name` aliases (labels for display only);
    negations folded into sums (``a + -b`` is ``a - b``, ``a - -b`` is ``a + b``, the same
    bits in IEEE arithmetic), which saves a pass over an array.

    Only where the result keeps the operand's shape, dtype and type; ``x + 0`` is ``x``
    also for ``x = -0.0`` (IEEE gives ``+0.0``): the one bit this pass may change.

    Example:
        >>> import numpy as np, fgrad
        >>> g = fgrad.trace(lambda x: -(-(x * 1.0)))(np.ones(2))
        >>> len(g.applications), len(simplify(g).applications)
        (3, 0)
    """
    from ._ops import add, multiply, negative, subtract

    mul, plus, minus, neg = (f.primitive.forward for f in (multiply, add, subtract, negative))

    def replace(node: Node, inputs: tuple) -> Any:
        f = node.primitive.forward
        candidate = None
        if node.primitive is NAME:
            candidate = inputs[0]
        elif f is mul and len(inputs) == 2:
            candidate = inputs[0] if _is_scalar(inputs[1], 1) else inputs[1] if _is_scalar(inputs[0], 1) else None
        elif f is plus and len(inputs) == 2:
            candidate = inputs[0] if _is_scalar(inputs[1], 0) else inputs[1] if _is_scalar(inputs[0], 0) else None
        elif f is minus and len(inputs) == 2 and _is_scalar(inputs[1], 0):
            candidate = inputs[0]
        elif f is neg and type(inputs[0]) is Node and inputs[0].primitive is not None \
                and inputs[0].primitive.forward is neg:
            candidate = inputs[0].inputs[0]
        elif node.primitive.name in ("reshape", "broadcast_to") and type(inputs[0]) is Node:
            candidate = inputs[0]
        if candidate is None and (f is plus or f is minus) and len(inputs) == 2:
            folded = _fold_negation(node, inputs, f is plus)
            if folded is not None:
                return folded
        if candidate is not None and type(candidate) is Node and _same_as(node, candidate):
            return candidate
        return _with_inputs(node, inputs)

    return _rebuild(graph, replace)


def _negated(x: Any) -> Any:
    """The operand of a negation node (None for anything else)."""
    from ._ops import negative

    if type(x) is Node and x.primitive is not None and x.primitive.forward is negative.primitive.forward:
        return x.inputs[0]
    return None


def _fold_negation(node: Node, inputs: tuple, is_sum: bool) -> Node | None:
    """``a + -b`` as ``a - b``, ``-a + b`` as ``b - a``, ``a - -b`` as ``a + b``: the same
    bits (IEEE negation is exact, and x + -y rounds as x - y), one array pass fewer."""
    from ._ops import add, subtract

    a, b = inputs  # (negation keeps the dtype and shape: the result's type is the same)
    if is_sum and _negated(b) is not None:
        new = (subtract, (a, _negated(b)))
    elif is_sum and _negated(a) is not None:
        new = (subtract, (b, _negated(a)))
    elif not is_sum and _negated(b) is not None:
        new = (add, (a, _negated(b)))
    else:
        return None
    fun, operands = new
    if node.params:
        return None
    return make_node(node.value, fun.primitive, operands, node.params, node.level, node.name, node.seq)


def fold_constants(graph: Graph) -> Graph:
    """Nodes none of whose operands depend on the inputs, replaced by their values.

    Example:
        >>> import numpy as np, fgrad
        >>> g = fgrad.trace(lambda x: x * 2.0)(1.0)
        >>> len(fold_constants(g).applications)
        1
    """
    def replace(node: Node, inputs: tuple) -> Any:
        if not any(type(a) is Node for a in inputs):
            return node.value
        return _with_inputs(node, inputs)

    return _rebuild(graph, replace)


def optimize(graph: Graph) -> Graph:
    """The passes `fgrad.jit` runs: constants folded, no-ops simplified, common
    subexpressions merged, dead code dropped."""
    return eliminate_common_subexpressions(simplify(fold_constants(eliminate_dead_code(graph))))
