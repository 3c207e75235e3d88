"""Saving graphs: how a `Graph`, a `Node` and a `Primitive` pickle.

A Graph is a frozen record of what a function computed, and a user may want to keep
one (to print, draw or analyse it later). A pickle holds every record's value, name,
static params and structure (which records each was computed from), and each
primitive *by reference*: the module and the name it is defined under
(``fgrad._ops:exp``, or ``mymodule:cube`` for ``cube = fgrad.primitive(...)`` at the
top level of an importable module), so loading finds the very same primitive. A
primitive without such a name (defined inside a function, made by `fgrad.custom_vjp`,
or replaced by `defvjp` since) cannot be saved, as a lambda cannot: pickling then
raises a TypeError that says what can be saved instead.

Records are written flat, parents first, and rebuilt in a loop, so a graph of any
depth pickles without recursion. Loaded records get trace levels of their own, fresh
for each load (in the same order as the saved ones) and already ended, so a loaded
value is never taken for a value of a transform running in the loading process:
computing with one raises `fgrad.UnexpectedTracerError`, as for any escaped value.
"""

from __future__ import annotations

import importlib
import sys
from types import MappingProxyType
from typing import Any, Iterable

import numpy as np

from ._core import _NO_PARAMS, Node, Primitive, end_level, make_node, new_level, next_seq

__all__ = ["reduce_graph", "reduce_node", "reduce_primitive"]

# One saved record: (value, value_link, primitive, inputs, links, params, level, name).
# `value_link` is the index of the record holding the value when that is a Node (nested
# traces), else -1; `links` pairs each position of `inputs` that held a Node (stored
# there as None) with that Node's record index.
Record = tuple


def _children(node: Node) -> list[Node]:
    kids = [x for x in node.inputs if type(x) is Node]
    if type(node.value) is Node:
        kids.append(node.value)
    return kids


def _records_order(roots: Iterable[Any]) -> list[Node]:
    """Every Node reachable from `roots` (through inputs and values), each after those it holds.

    Depth-first with an explicit stack, as `fgrad._graph._topological`: no recursion.
    """
    order: list[Node] = []
    seen: set[Node] = set()
    for root in roots:
        if type(root) is not Node or root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(_children(root)))]
        while stack:
            node, kids = stack[-1]
            for k in kids:
                if k not in seen:
                    seen.add(k)
                    stack.append((k, iter(_children(k))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _encode(nodes: list[Node]) -> tuple[list[Record], dict[Node, int]]:
    index = {n: i for i, n in enumerate(nodes)}
    records = []
    for n in nodes:
        links = tuple((pos, index[x]) for pos, x in enumerate(n.inputs) if type(x) is Node)
        inputs = tuple(None if type(x) is Node else x for x in n.inputs) if links else n.inputs
        value_link = index[n.value] if type(n.value) is Node else -1
        records.append((None if value_link >= 0 else n.value, value_link, n.primitive, inputs, links,
                        dict(n.params) if n.params else None, n.level, n.name))
    return records, index


def _decode(records: list[Record]) -> list[Node]:
    # Fresh levels in the saved order (nested traces keep which one is inside which),
    # ended at once: a loaded record is data, and computing with it as a traced value
    # raises UnexpectedTracerError, as for any value whose trace has ended.
    levels = {0: 0}
    for level in sorted({r[6] for r in records} - {0}):
        levels[level] = new_level("pickle.loads")
        end_level(levels[level])
    nodes: list[Node] = []
    for value, value_link, prim, inputs, links, params, level, name in records:
        if value_link >= 0:
            value = nodes[value_link]
        elif type(value) is np.ndarray:
            value.setflags(write=False)  # a record's value is read-only, as when it was traced
        if links:
            filled = list(inputs)
            for pos, i in links:
                filled[pos] = nodes[i]
            inputs = tuple(filled)
        params = MappingProxyType(params) if params else _NO_PARAMS
        nodes.append(make_node(value, prim, inputs, params, levels[level], name, next_seq()))
    return nodes


def reduce_graph(graph: Any) -> tuple:
    """``Graph.__reduce__``: the graph's records, flat, and where its inputs, outputs and nodes are.

    Example:
        >>> import pickle, numpy as np, fgrad
        >>> graph = fgrad.trace(lambda x: np.sum(np.exp(x) * 2.0))(np.ones(3))
        >>> loaded = pickle.loads(pickle.dumps(graph))
        >>> loaded
        Graph(1 input, 1 output, 3 primitive applications: exp, mul, sum)
        >>> str(loaded) == str(graph), float(loaded.outputs[0].value) == float(graph.outputs[0].value)
        (True, True)
    """
    nodes = _records_order([*graph.inputs, *graph.nodes, *graph.outputs])
    records, index = _encode(nodes)
    outputs = tuple((index[o], None) if type(o) is Node else (-1, o) for o in graph.outputs)
    return _load_graph, (records, tuple(index[n] for n in graph.inputs), outputs,
                         tuple(index[n] for n in graph.nodes))


def _load_graph(records: list[Record], inputs: tuple[int, ...], outputs: tuple[tuple[int, Any], ...],
                order: tuple[int, ...]) -> Any:
    from ._graph import Graph

    nodes = _decode(records)
    return Graph(tuple(nodes[i] for i in inputs),
                 tuple(nodes[i] if i >= 0 else value for i, value in outputs),
                 tuple(nodes[i] for i in order))


def reduce_node(node: Node) -> tuple:
    """``Node.__reduce__``: the records it was computed from, flat, and which one it is.

    (Nodes pickled one by one do not share their common records when loaded; pickle a
    `Graph` to keep a computation whole.)

    Example:
        >>> import pickle, fgrad
        >>> y = fgrad.trace(lambda x: x * 3.0)(2.0).outputs[0]
        >>> pickle.loads(pickle.dumps(y))
        Node(f64[] = 6.0)
    """
    nodes = _records_order([node])
    records, index = _encode(nodes)
    return _load_node, (records, index[node])


def _load_node(records: list[Record], which: int) -> Node:
    return _decode(records)[which]


def _is_it(obj: Any, prim: Primitive) -> bool:
    if obj is prim:
        return True
    try:
        return getattr(obj, "primitive", None) is prim
    except Exception:  # any object may be a module attribute; its getattr may do anything
        return False


def _candidate_modules(prim: Primitive) -> list[str]:
    """fgrad's loaded modules, public ones first, then those of the primitive's functions."""
    ours = sorted((m for m in list(sys.modules) if m == "fgrad" or m.startswith("fgrad.")),
                  key=lambda m: ("._" in m, m))
    theirs = [getattr(f, "__module__", None) for f in (prim.forward, *_rules(prim))]
    return ours + [m for m in dict.fromkeys(theirs) if isinstance(m, str) and m not in ours]


def _rules(prim: Primitive) -> tuple:
    return tuple(r for r in prim.vjps if r is not None) if type(prim.vjps) is tuple else ()


def _reference(prim: Primitive) -> tuple[str, str] | None:
    """``(module, name)`` under which `prim` (or the function made from it) is defined."""
    for module_name in _candidate_modules(prim):
        module = sys.modules.get(module_name)
        for attr, obj in list(vars(module).items()) if module is not None else ():
            if _is_it(obj, prim):
                return module_name, attr
    return None


def reduce_primitive(prim: Primitive) -> tuple:
    """``Primitive.__reduce__``: a reference to it, or a TypeError saying what can be saved.

    Example:
        >>> import pickle, numpy as np, fgrad
        >>> from fgrad._ops import exp
        >>> pickle.loads(pickle.dumps(exp.primitive)) is exp.primitive
        True
        >>> pickle.dumps(fgrad.primitive(np.cbrt, name="local").primitive)
        Traceback (most recent call last):
        ...
        TypeError: cannot pickle primitive 'local': ...
    """
    ref = _reference(prim)
    if ref is None:
        raise TypeError(
            f"cannot pickle primitive {prim.name!r}: fgrad saves a primitive by reference, as the "
            "module and name it is defined under (e.g. `cube = fgrad.primitive(...)` at the top "
            "level of an importable module), and this one has none (it was defined inside a "
            "function, made by fgrad.custom_vjp, or replaced by defvjp since). To keep a graph "
            "that uses it, save its text, `str(graph)` or `fgrad.to_dot(graph)`, or its values, "
            "`[n.value for n in graph.nodes]`."
        )
    return _load_primitive, (*ref, prim.name)


def _load_primitive(module_name: str, attr: str, name: str) -> Primitive:
    obj = getattr(importlib.import_module(module_name), attr, None)
    prim = obj if isinstance(obj, Primitive) else getattr(obj, "primitive", None)
    if not isinstance(prim, Primitive):
        raise TypeError(
            f"cannot load primitive {name!r}: it was saved as {module_name}.{attr}, which is no "
            "longer a primitive there"
        )
    return prim
