"""Graph capture: `trace` records what a function computes as a frozen `Graph` record.

`trace(fun)(*args)` opens a trace level of its own, feeds `fun` input Nodes named after
its parameters, and collects every Node of that level the outputs depend on, in
topological order.  Because transforms nest, `trace(grad(f))(x)` records the
derivative computation itself: `grad` runs inside the trace's level, so each VJP rule
it applies is recorded there.

`name(value, "a")` labels a value for display.  It cannot simply return a renamed copy
of the value's Node (``attrs.evolve``): a copy of an *input* would be a new leaf that
no transform differentiates with respect to, and a copy of an intermediate that is
also used unrenamed would show its primitive twice.  Instead it applies `NAME`, an
identity primitive whose VJP passes the cotangent through (derivatives and their
graphs are unchanged), and displays fold each such alias into the value it names.
"""

from __future__ import annotations

import functools
import inspect
from types import MappingProxyType
from typing import Any, Callable, Iterable, Sequence

import attrs
import numpy as np

from ._backend import dtype_of, hold, is_other_array

from ._batching import batched_value
from ._core import BATCHED, Node, Primitive, check_live, end_level, make_node, new_level, next_seq, the_record_itself
from ._transforms import (
    _argument_label, _check_argnums_spec, _input_node, _resolve_argnums, check_callable, refuse_array_subclass,
)
from .tree import PyTreeDef, path_steps, tree_flatten, tree_unflatten

__all__ = ["Graph", "trace", "name", "graph_of", "NAME", "is_alias"]

# The identity primitive behind `name`; `label` is a static parameter.
NAME = Primitive("name", lambda x, label: x, (lambda g, ans, x, label: g,), uses_ans=False)


def is_alias(node: Any) -> bool:
    """Whether `node` was made by `name` (an alias to display as the value it names)."""
    return type(node) is Node and node.primitive is NAME


# ---------------------------------------------------------------- naming values
def _leaf_paths(prefix: str, treedef: PyTreeDef) -> list[str]:
    """Display names of the leaves of a pytree called `prefix`: x, x[0], x['w'], x.bias.

    An explicit stack, not recursion: a pytree may be nested thousands deep.
    """
    paths: list[str] = []
    stack = [(prefix, treedef)]
    while stack:
        path, td = stack.pop()
        if td.kind is None:
            paths.append(path)
            continue
        steps = path_steps(td.kind, td.aux, len(td.children))
        stack.extend(reversed([(path + step, child) for step, child in zip(steps, td.children)]))
    return paths


def _named(x: Node, label: str) -> Node:
    # What `bind` would build for NAME at every level of a nested value, with `name`
    # set on each, so an outer trace (e.g. `trace(grad(f))`) sees the label too.
    check_live(x, "cannot name")
    chain = [x]
    while type(chain[-1].value) is Node:
        chain.append(chain[-1].value)
    params = MappingProxyType({"label": label})
    out: Any = chain[-1].value
    for n in reversed(chain):
        if n.primitive is BATCHED:  # vmap's level keeps no graph: the examples, batched again
            out = batched_value(out, n.level)
        else:
            out = make_node(out, NAME, (n,), params, n.level, label, next_seq())
    return out


def name(value: Any, label: str) -> Any:
    """Label a value for graph displays; returns an equivalent value.

    The computation and every derivative are unchanged: inside a transform the result
    is an alias that `print(graph)`, `fgrad.to_dot` and `fgrad.render` show as `label`;
    outside any transform `value` is returned as is. Pytrees get one label per leaf
    (``label[0]``, ``label['w']``, ``label.bias``).

    Args:
        value: a value computed inside the function being traced (or a pytree of them).
        label: the display name, a non-empty string.

    Example:
        >>> import fgrad
        >>> def f(x0, x1):
        ...     return fgrad.name(x0 + x1, "y")
        >>> print(fgrad.trace(f)(1.0, 1.0))
        graph(x0:f64[], x1:f64[]) {
          y:f64[] = add x0 x1
          return y
        }
        >>> fgrad.grad(f)(1.0, 1.0)
        np.float64(1.0)
    """
    if not isinstance(label, str):
        raise TypeError(f"name: `label` must be a string, got {type(label).__name__} {label!r:.60}")
    if not label:
        raise ValueError("name: `label` must be a non-empty string")
    leaves, treedef = tree_flatten(value)
    if not any(type(leaf) is Node for leaf in leaves):
        return value
    labels = _leaf_paths(label, treedef)
    return tree_unflatten(treedef, [_named(v, s) if type(v) is Node else v for v, s in zip(leaves, labels)])


# ---------------------------------------------------------------- the record
@attrs.frozen(eq=False, repr=False)
class Graph:
    """What a function computed: a frozen record made by `fgrad.trace`.

    Attributes:
        inputs: the input Nodes, one per array leaf of the traced arguments, named after
            the function's parameters.
        outputs: the output leaves: Nodes of this graph, or constants when an output
            does not depend on the inputs.
        nodes: every Node of the graph, inputs first, each after its parents.
        guards: for a program staged by `fgrad.jit`, the conversions of its values to
            Python values (``if x > 0:``) that the compiled program re-checks.

    ``print(graph)`` shows it as a small program; in Jupyter it displays as SVG.

    Example:
        >>> import numpy as np, fgrad
        >>> graph = fgrad.trace(lambda x: np.sum(np.exp(x), axis=1))(np.ones((2, 3)))
        >>> graph
        Graph(1 input, 1 output, 2 primitive applications: exp, sum)
        >>> print(graph)
        graph(x:f64[2,3]) {
          t0:f64[2,3] = exp x
          t1:f64[2] = sum[axis=1] t0
          return t1
        }
    """

    inputs: tuple[Node, ...]
    outputs: tuple[Any, ...]
    nodes: tuple[Node, ...]
    guards: tuple[Any, ...] = ()  # a jit program's guards (fgrad._staging.Guard), in trace order

    @property
    def applications(self) -> tuple[Node, ...]:
        """The primitive applications (Nodes made by a primitive), `name` aliases excluded."""
        return tuple(n for n in self.nodes if n.primitive is not None and n.primitive is not NAME)

    def primitive_counts(self) -> dict[str, int]:
        """How many times each primitive is applied, by primitive name (sorted)."""
        counts: dict[str, int] = {}
        for n in self.applications:
            counts[n.primitive.name] = counts.get(n.primitive.name, 0) + 1
        return dict(sorted(counts.items()))

    def __repr__(self) -> str:
        def plural(k: int, word: str) -> str:
            return f"{k} {word}{'' if k == 1 else 's'}"

        kinds = ", ".join(self.primitive_counts())
        return (f"Graph({plural(len(self.inputs), 'input')}, {plural(len(self.outputs), 'output')}, "
                f"{plural(len(self.applications), 'primitive application')}{': ' + kinds if kinds else ''})")

    def __str__(self) -> str:
        from ._graph_text import format_program

        return format_program(self)

    # Jupyter: draw the graph when `dot` is available, the program text otherwise.
    def _repr_svg_(self) -> str | None:
        from ._dot import svg_or_none

        return svg_or_none(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        bundle = {"text/plain": str(self)}
        svg = self._repr_svg_()
        if svg is not None:
            bundle["image/svg+xml"] = svg
        return bundle

    # A frozen record: a copy is the graph itself. Pickling saves its records as data
    # and its primitives by reference (see fgrad._pickle).
    __copy__ = __deepcopy__ = the_record_itself

    def __reduce__(self) -> tuple:
        from ._pickle import reduce_graph

        return reduce_graph(self)


def _topological(roots: Iterable[Node], first: Sequence[Node]) -> list[Node]:
    """`first`, then every Node reachable from `roots`, each after its parents.

    Depth-first with an explicit stack (graphs of 10**6 nodes are fine), visiting
    parents in argument order, so the order, and every id derived from it, depends only
    on the computation, never on memory addresses.
    """
    order = list(first)
    seen = set(order)
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if p not in seen:
                    seen.add(p)
                    stack.append((p, iter(p.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def graph_of(outputs: Any) -> Graph:
    """The graph behind traced values (a Node or a pytree of Nodes) of one trace level.

    Useful inside a transform, where values are Nodes; `trace` is the usual way in.

    Example:
        >>> import fgrad
        >>> def f(x):
        ...     y = fgrad.name(x * x, "y")
        ...     print(repr(fgrad.graph_of(y)))
        ...     return y
        >>> fgrad.grad(f)(3.0)
        Graph(1 input, 1 output, 1 primitive application: mul)
        np.float64(6.0)
    """
    leaves = tree_flatten(outputs)[0]
    nodes = [leaf for leaf in leaves if type(leaf) is Node]
    if not nodes:
        raise TypeError(
            "expected a Graph from fgrad.trace or traced values (Nodes), got "
            f"{type(outputs).__name__}: plain values carry no graph. "
            "Trace the function instead: fgrad.trace(f)(*args)."
        )
    level = max(n.level for n in nodes)
    roots = [n for n in nodes if n.level == level]
    order = _topological(roots, ())
    inputs = [n for n in order if n.primitive is None]
    rest = [n for n in order if n.primitive is not None]
    return Graph(tuple(inputs), tuple(leaves), tuple(inputs + rest))


def _input_label(params: list[inspect.Parameter], i: int, nargs: int) -> str:
    """The display name of positional argument `i`: its parameter's name when known."""
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if i < len(positional):
        return positional[i].name
    star = next((p.name for p in params if p.kind == p.VAR_POSITIONAL), None)
    if star is not None:
        return f"{star}[{i - len(positional)}]"
    return "x" if nargs == 1 else f"x{i}"


def _leaf_dtype(x: Any, label: Callable[[], str]) -> np.dtype:
    """The dtype of an input leaf; `label()` names the argument, for errors only."""
    if type(x) is Node:
        return x.dtype
    refuse_array_subclass(x, label(), "trace")
    if isinstance(x, (np.ndarray, np.generic)):
        dtype = x.dtype
    elif is_other_array(x):
        dtype = dtype_of(hold(x))
    elif isinstance(x, (bool, int, float, complex)):
        dtype = np.asarray(x).dtype
    else:
        raise TypeError(f"trace: {label()} must be a number or a numeric NumPy array, got {type(x).__name__} {x!r:.60}")
    if dtype.kind not in "biufc":
        raise TypeError(f"trace: {label()} has dtype {dtype}, expected numbers (bool, int, float or complex)")
    return dtype


def trace(fun: Callable[..., Any], argnums: int | Sequence[int] | None = None) -> Callable[..., Graph]:
    """Make a function that runs ``fun`` and returns the `Graph` of what it computed.

    Inputs are named after ``fun``'s parameters (leaves of pytree arguments as
    ``w[0]``, ``params['b']``, ...); name intermediates with `fgrad.name`. Transforms
    compose: ``trace(grad(f))(x)`` is the graph of the derivative computation.

    Args:
        fun: the function to trace; it may return a value or a pytree of values.
        argnums: positional arguments to trace (int or tuple of ints); the default
            traces them all. Other arguments, and keyword arguments, are constants.

    Returns:
        A function with ``fun``'s signature returning a `Graph`.

    Example:
        >>> import numpy as np, fgrad
        >>> print(fgrad.trace(fgrad.grad(np.tanh))(1.0))
        graph(x:f64[]) {
          t0:f64[] = tanh x
          t1:f64[] = tanh_vjp 1.0 t0
          return t1
        }
    """
    check_callable(fun, "trace")
    nums = None if argnums is None else _check_argnums_spec(argnums, "trace")
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        params = []

    @functools.wraps(fun)
    def traced(*args: Any, **kwargs: Any) -> Graph:
        which = tuple(range(len(args))) if nums is None else _resolve_argnums(nums, len(args), argnums, "trace")
        level = new_level("trace", fun)
        try:  # the level ends with the call: the Graph's Nodes are for reading only
            new_args = list(args)
            inputs: list[Node] = []
            for i in which:
                leaves, treedef = tree_flatten(args[i])
                label = functools.partial(_argument_label, fun, i)  # (inspect.signature: errors only)
                paths = _leaf_paths(_input_label(params, i, len(args)), treedef)
                nodes = [_input_node(x, level, _leaf_dtype(x, label), path) for x, path in zip(leaves, paths)]
                inputs.extend(nodes)
                new_args[i] = tree_unflatten(treedef, nodes)
            outs = tree_flatten(fun(*new_args, **kwargs))[0]
        finally:
            end_level(level)
        roots = [o for o in outs if type(o) is Node and o.level == level]
        return Graph(tuple(inputs), tuple(outs), tuple(_topological(roots, inputs)))

    return traced
