"""How a `Graph` reads as text: display names, values, static params, the program listing.

Shared by ``print(graph)`` and the DOT renderer, so a picture and a listing of the same
graph say the same thing.  Everything is derived from the graph's topological order,
never from memory addresses or from the iteration order of a dictionary.
"""

from __future__ import annotations

from typing import Any, Sequence

import attrs
import numpy as np

from ._core import Node, _short_dtype, value_of
from ._graph import Graph, is_alias

__all__ = ["Names", "display_text", "resolve_names", "scalar_text", "constant_text", "type_text", "param_texts", "format_program"]


@attrs.frozen(eq=False)
class Names:
    """`name` aliases folded into the values they name.

    Attributes:
        root: alias Node -> the non-alias Node it stands for.
        label: non-alias Node -> its display label (the latest alias label, else its
            own ``name``); Nodes without one are absent.
    """

    root: dict[Node, Node]
    label: dict[Node, str]

    def of(self, node: Node) -> Node:
        return self.root.get(node, node)


def display_text(text: str) -> str:
    """`text` with its control characters (newline, NUL, ...) escaped as `repr` does, so that
    a name shows as one line of a listing and one label of a picture.

    Example:
        >>> print(display_text("loss"), display_text("a\\nb\\x00"))
        loss a\\nb\\x00
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def resolve_names(nodes: Sequence[Node]) -> Names:
    root: dict[Node, Node] = {}
    label: dict[Node, str] = {}
    for n in nodes:
        if is_alias(n):
            target = root.get(n.parents[0], n.parents[0])
            root[n] = target
            label[target] = display_text(n.params["label"])
        elif n.name is not None:
            label[n] = display_text(n.name)
    return Names(root, label)


def scalar_text(x: Any) -> str:
    """A short, stable text for a scalar: 1.0, 19, -5376.0, 0.761594, True."""
    v = np.asarray(x).item()
    if isinstance(v, float):
        text = f"{v:.6g}"
        return text if any(c in text for c in ".enia") else text + ".0"
    return str(v)


def type_text(x: Any) -> str:
    """jaxpr-style type: f64[], f32[2,3]."""
    v = value_of(x)
    return f"{_short_dtype(np.result_type(v))}[{','.join(map(str, np.shape(v)))}]"


def constant_text(x: Any) -> str:
    """A constant argument: its value when small, else its type."""
    v = value_of(x)
    if np.ndim(v) == 0:
        return scalar_text(v)
    if np.size(v) <= 6:
        return np.array2string(np.asarray(v), separator=",").replace("\n", "")
    return type_text(v)


def _index_text(idx: Any) -> str:
    def part(i: Any) -> str:
        if i is None:
            return "None"
        if i is Ellipsis:
            return "..."
        if isinstance(i, slice):
            text = ":".join("" if b is None else str(b) for b in (i.start, i.stop))
            return text if i.step is None else f"{text}:{i.step}"
        return constant_text(i)

    return "[" + ", ".join(part(i) for i in (idx if type(idx) is tuple else (idx,))) + "]"


def _param_value_text(key: str, value: Any) -> str:
    if key == "idx":
        return _index_text(value)
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return str(np.dtype(value))
    if isinstance(value, (np.ndarray, np.generic)):
        return constant_text(value)
    return display_text(str(value))


def param_texts(node: Node) -> list[str]:
    """Static params worth showing, ``key=value``, in the primitive's order.

    ``None`` and ``False`` are the defaults of every fgrad primitive's params (axis,
    keepdims, axes, ...), so leaving them out keeps labels to what matters.
    """
    return [f"{k}={_param_value_text(k, v)}" for k, v in node.params.items()
            if v is not None and v is not False]


def _unique_names(nodes: Sequence[Node], names: Names) -> dict[Node, str]:
    """A distinct program name per displayed Node: its label (a, a_1, ...) or t0, t1, ..."""
    labels = set(names.label.values())
    used: set[str] = set()
    out: dict[Node, str] = {}
    counter = 0
    for n in nodes:
        if is_alias(n):
            continue
        label = names.label.get(n)
        if label is None:
            while f"t{counter}" in labels or f"t{counter}" in used:
                counter += 1
            text = f"t{counter}"
            counter += 1
        else:
            text, k = label, 0
            while text in used:
                k += 1
                text = f"{label}_{k}"
        used.add(text)
        out[n] = text
    return out


def format_program(graph: Graph) -> str:
    """The graph as a listing, one primitive application per line (see `Graph`)."""
    names = resolve_names(graph.nodes)
    var = _unique_names(graph.nodes, names)

    def ref(x: Any) -> str:
        return var[names.of(x)] if type(x) is Node and names.of(x) in var else constant_text(x)

    header = ", ".join(f"{var[names.of(n)]}:{type_text(n)}" for n in graph.inputs)
    lines = [f"graph({header}) {{"]
    for n in graph.applications:
        operands = dict(zip(n.argnums, n.parents))
        args = " ".join(ref(operands[i]) if i in operands else constant_text(a) for i, a in enumerate(n.args))
        params = param_texts(n)
        prim = n.primitive.name + (f"[{', '.join(params)}]" if params else "")
        lines.append(f"  {var[n]}:{type_text(n)} = {prim} {args}".rstrip())
    lines.append(f"  return {', '.join(ref(o) for o in graph.outputs)}")
    lines.append("}")
    return "\n".join(lines)
