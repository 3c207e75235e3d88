"""A staged program (a `Graph` with guards) as straight-line Python over NumPy.

Each Node becomes one line ``t7 = F3(t2, c0, **P1)`` calling its primitive's forward,
the NumPy function the eager engine calls; constants, functions and parameters are
globals of the generated module. A guard becomes a check right after the line that
computes its value (``if bool(t4) is not True: raise GuardFailed(0)``), in the order the
trace met it, so nothing computed after a failed guard is trusted. The source is built
as text and compiled with `compile()`: no dependency beyond Python and NumPy.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

import numpy as np

from . import _elements
from ._core import Node
from ._graph import Graph
from ._staging import Guard

__all__ = ["GuardFailed", "Compiled", "generate"]


class GuardFailed(Exception):
    """A compiled program met a value its trace did not see: trace again."""


def _same_number(a: Any, b: Any) -> bool:
    return a == b or (a != a and b != b)  # (nan is the same nan)


def _same_array(a: Any, b: np.ndarray) -> bool:
    a = np.asarray(a)
    return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


_CHECKS = {
    "bool": "bool({x}) is not {v}",
    "int": "int({x}) != {v}", "index": "int({x}) != {v}",
    "float": "not _same_number(float({x}), {v})", "complex": "not _same_number(complex({x}), {v})",
    "np.asarray": "not _same_array({x}, {v})",
}


# Primitives whose forward always returns an array of its own (reductions write a new
# array even over no axis; the VJP kernels write into a temporary they made).
_NEW_ARRAYS = frozenset({"sum", "mean", "tanh_vjp", "square_vjp"})


class Compiled:
    """A compiled program: ``run(*input_leaves)`` returns the output leaves (or raises GuardFailed)."""

    __slots__ = ("run", "source", "graph", "_output_def", "scalar", "fresh", "plain_outputs")

    def __init__(self, run: Callable[..., list], source: str, graph: Graph, scalar: bool = False) -> None:
        self.run, self.source, self.graph = run, source, graph
        self._output_def: Any = None  # (the outputs' pytree, set by fgrad.jit)
        self.scalar = scalar  # (every input a float64 number: the program takes Python floats as they are)
        # Per output: a new array the program made (a ufunc's result, a reduction's), never a view of an input.
        self.fresh = tuple(type(o) is Node and not any(o is x for x in graph.inputs)
                           and (_is_ufunc_call(o, params_ok=True) or o.primitive.name in _NEW_ARRAYS)
                           for o in graph.outputs)
        self.plain_outputs = False

    @property
    def output_def(self) -> Any:
        return self._output_def

    @output_def.setter
    def output_def(self, treedef: Any) -> None:
        self._output_def = treedef
        # Outputs the caller can have as they are: all new arrays or numbers, one leaf or a tuple of leaves.
        self.plain_outputs = treedef is not None and all(
            f or type(o) is not Node or type(o.value) is not np.ndarray for f, o in zip(self.fresh, self.graph.outputs)
        ) and (treedef.kind is None or (treedef.kind is tuple and all(c.kind is None for c in treedef.children)))


def generate(graph: Graph, name: str = "program", reuse_buffers: bool = True, elements: bool = True) -> Compiled:
    """Python source for `graph` (inputs to outputs, guards checked on the way), compiled.

    ``elements`` holds float64 numbers and small float64 arrays as Python floats where the
    operations on them have an element-wise form with NumPy's bits (`fgrad._elements`):
    every value of W1's Goldstein gradient, the two-vectors of a 2-D Newton step.
    ``reuse_buffers`` frees dead temporaries and writes ufunc results into them
    (`_Liveness`). Without either, every line is the NumPy call eager fgrad makes (the
    plain path, for tests).
    """
    names: dict[int, str] = {}
    env: dict[str, Any] = {"GuardFailed": GuardFailed, "_same_number": _same_number, "_same_array": _same_array,
                           "f64": np.float64, "_divide": np.true_divide, "_array": np.array}
    constants: dict[int, str] = {}
    scalar = bool(graph.inputs) and all(type(x.value) is np.float64 for x in graph.inputs)
    arrays: set[str] = set()  # names holding the value itself (an array, or a NumPy number)
    held: dict[str, list[str]] = {}  # names held as elements: each element's Python float source
    computed: dict[str, str] = {}  # element arithmetic written so far -> the name holding it
    arithmetic: set[str] = set()  # names assigned float arithmetic (candidates for inlining)
    lines: list[str] = []

    def constant(value: Any, prefix: str = "c") -> str:
        if value is None or (type(value) in (bool, int, str)) or (type(value) is float and math.isfinite(value)):
            return repr(value)
        key = id(value)
        if key not in constants:
            constants[key] = f"{prefix}{len(constants)}"
            env[constants[key]] = value
        return constants[key]

    def elements_of(x: Any) -> list[str] | None:
        """The operand as Python floats (an array value unpacked once), or None."""
        if type(x) is not Node:
            if type(x) is np.ndarray and x.dtype.kind in "fi" and 0 < x.size <= _elements.SMALL:
                values = x.astype(np.float64).ravel().tolist()
                if x.dtype.kind == "i" and any(abs(v) > 2 ** 53 for v in values):
                    return None
                return [constant(v) for v in values]
            return [constant(float(x))] if _elements.float_literal(x) is not None else None
        n = names[id(x)]
        if n not in held:
            if not _elements.is_small(x.value):
                return None
            if type(x.value) is np.float64:
                lines.append(f"    {n}_f = float({n})")
                held[n] = [f"{n}_f"]
            else:
                held[n] = [f"{n}_{k}" for k in range(x.value.size)]
                lines.append(f"    {', '.join(held[n])}, = {n}.ravel().tolist()")
        return held[n]

    def value_of(x: Any) -> str:
        """The operand as NumPy takes it (elements packed into an array once)."""
        if type(x) is not Node:
            return constant(x)
        n = names[id(x)]
        if n in arrays:
            return n
        if type(x.value) is np.float64:
            return f"f64({held[n][0]})"
        lines.append(f"    {n} = _array({_nested(held[n], x.value.shape)})")
        arrays.add(n)
        return n

    def guard_operand(x: Any) -> str:
        if type(x) is Node and names[id(x)] in held and type(x.value) is np.float64:
            return held[names[id(x)]][0]
        return value_of(x)

    params_names: dict[int, str] = {}
    functions: dict[int, str] = {}
    for k, x in enumerate(graph.inputs):
        names[id(x)] = f"x{k}"
        arrays.add(f"x{k}")
    if scalar:  # (the program takes Python floats or NumPy numbers alike)
        for x in graph.inputs:
            n = names[id(x)]
            lines.append(f"    {n} = float({n})")
            arrays.discard(n)
            held[n] = [n]
    guards = sorted(graph.guards, key=lambda g: g.seq)
    memory = None if scalar or not reuse_buffers else _Liveness(graph, guards)
    guard_at = 0
    for i, node in enumerate(graph.nodes):
        if id(node) in names:
            continue
        while guard_at < len(guards) and guards[guard_at].seq < node.seq:
            lines.append(_guard_line(guards[guard_at], guard_at, guard_operand, constant))
            guard_at += 1
        if memory is not None:
            lines += memory.free_before(i, names)
        out = f"t{i}"
        rule = _elements.rule(node) if elements else None
        operands = [elements_of(a) for a in node.inputs] if rule is not None else []
        if rule is not None and None not in operands:
            names[id(node)] = out
            if rule.elementwise is not None:
                sources = [rule.elementwise(*row) for row in zip(*_elements.broadcast_operands(node, operands))]
            else:
                sources = rule.compute(operands)
            if rule.moves:  # (the result's elements are operands' elements: nothing to run)
                held[out] = sources
                continue
            targets = [out] if type(node.value) is np.float64 else [f"{out}_{k}" for k in range(len(sources))]
            held[out] = []
            for target, expression in zip(targets, sources):
                expression = _elements.folded(expression)
                if _elements.is_atom(expression):  # (a name or a number: nothing to compute)
                    held[out].append(expression)
                elif expression in computed:  # (the same arithmetic on the same elements: the same bits)
                    held[out].append(computed[expression])
                else:
                    lines.append(f"    {target} = {expression}")
                    arithmetic.add(target)
                    computed[expression] = target
                    held[out].append(target)
            continue
        forward = node.primitive.forward
        fname = functions.setdefault(id(forward), f"F{len(functions)}")
        env[fname] = forward
        call = ", ".join(value_of(a) for a in node.inputs)
        if node.params:
            pname = params_names.setdefault(id(node.params), f"P{len(params_names)}")
            env[pname] = dict(node.params)
            call = f"{call}, **{pname}" if call else f"**{pname}"
        names[id(node)] = out
        reuse = memory.buffer_for(i, node, names) if memory is not None else None
        if reuse is not None:  # (a dead temporary of this shape and dtype: written in place)
            call = f"{call}, out={reuse}"
        if type(node.value) is np.float64 and elements:  # (a Python float for the arithmetic after it)
            lines.append(f"    {out} = float({fname}({call}))")
            held[out] = [out]
        else:
            lines.append(f"    {out} = {fname}({call})")
            arrays.add(out)
        if reuse is not None:  # (the buffer now has one name: freed when its new owner dies)
            lines.append(f"    del {reuse}")
    for k in range(guard_at, len(guards)):
        lines.append(_guard_line(guards[k], k, guard_operand, constant))
    # (an array the program packs, or a copy of a constant one, is the caller's own)
    packed = [(type(o) is Node and names[id(o)] not in arrays and type(o.value) is np.ndarray)
              or type(o) is np.ndarray for o in graph.outputs]
    results = [f"{constant(o)}.copy()" if type(o) is np.ndarray else value_of(o) for o in graph.outputs]
    lines.append(f"    return [{', '.join(results)}]")
    if elements:
        lines = _inline_single_uses(lines, arithmetic)
    head = f"def {name}({', '.join(names[id(x)] for x in graph.inputs)}):"
    source = "\n".join([head, *lines]) + "\n"
    code = compile(source, f"<fgrad.jit {name}>", "exec")
    exec(code, env)  # noqa: S102 - our own generated source
    compiled = Compiled(env[name], source, graph, scalar)
    compiled.fresh = tuple(f or p for f, p in zip(compiled.fresh, packed))  # (a packed array is new too)
    compiled.output_def = None
    return compiled


# A name the generator assigns (t7, t7_2, x0_1, x0_f): the tokens inlining substitutes.
_ASSIGNED = re.compile(r"\b[tx]\d+(?:_\w+)?\b")
# Deeper expressions are kept as lines (Python's parser limits nesting).
_MAX_INLINE_DEPTH = 24


def _inline_single_uses(lines: list[str], arithmetic: set[str]) -> list[str]:
    """Float arithmetic read once written into its reader: ``t5 = a * b; t7 = t6 + t5``
    becomes ``t7 = t6 + (a * b)``, the same operations on the same operands (so the same
    bits) without storing and loading ``t5``, which on a program of Python floats is a third
    of the time. Names are assigned once, so moving an expression to its reader reads the
    same values."""
    uses: dict[str, int] = {}
    for line in lines:
        right = line.split(" = ", 1)[1] if " = " in line else line
        for token in _ASSIGNED.findall(right):
            uses[token] = uses.get(token, 0) + 1
    inlined: dict[str, tuple[str, int]] = {}  # name -> (its expression, nesting depth)
    out = []
    for line in lines:
        target, sep, right = line.partition(" = ")
        if not sep or line.lstrip().startswith(("if ", "del ", "return ")):
            target, right = None, line
        depth = 0

        def substitute(m: re.Match) -> str:
            nonlocal depth
            found = inlined.pop(m.group(0), None)
            if found is None:
                return m.group(0)
            depth = max(depth, found[1] + 1)
            return f"({found[0]})"

        right = _ASSIGNED.sub(substitute, right)
        name = target.strip() if target is not None else None
        if name in arithmetic and uses.get(name) == 1 and depth < _MAX_INLINE_DEPTH:
            inlined[name] = (right, depth)
        else:
            out.append(f"{target}{sep}{right}" if target is not None else right)
    return out


def _nested(elements: list[str], shape: tuple[int, ...]) -> str:
    """Source of a nested list of `elements` in the given shape (C order)."""
    if len(shape) <= 1:
        return f"[{', '.join(elements)}]"
    step = len(elements) // shape[0]
    return f"[{', '.join(_nested(elements[k * step:(k + 1) * step], shape[1:]) for k in range(shape[0]))}]"


# Below this many elements a new array costs less than keeping track of old ones.
_REUSE_MIN_SIZE = 4096


class _Liveness:
    """Where each temporary of an array program is last read: large temporaries are freed
    (``del``) once dead, and a ufunc writes its result into one that dies at its own call
    (``out=``), as NumPy's temporary elision does for ``a * b * c``.

    A buffer is reused only if the program made it (a ufunc's or `_NEW_ARRAYS`' fresh result) and every
    reader is a ufunc (so no view of it outlives it); outputs are never touched.
    """

    def __init__(self, graph: Graph, guards: list) -> None:
        nodes = graph.nodes
        position = {id(n): i for i, n in enumerate(nodes)}
        self.last: dict[int, int] = {}
        readers_ok: dict[int, bool] = {}
        for i, n in enumerate(nodes):
            for a in n.inputs:
                if type(a) is Node and id(a) in position:
                    self.last[id(a)] = i
                    readers_ok[id(a)] = readers_ok.get(id(a), True) and _is_ufunc_call(n)
        for g in guards:  # (a guard is checked before the first node made after it)
            at = next((i for i, n in enumerate(nodes) if n.seq > g.seq), len(nodes))
            if type(g.node) is Node and id(g.node) in position:
                self.last[id(g.node)] = max(self.last.get(id(g.node), 0), at)
                readers_ok[id(g.node)] = False
        keep = {id(o) for o in graph.outputs if type(o) is Node} | {id(x) for x in graph.inputs}
        self.nodes = nodes
        self.dying: dict[int, list[Node]] = {}
        for n in nodes:
            if id(n) not in keep and id(n) in self.last and _large(n.value):
                self.dying.setdefault(self.last[id(n)], []).append(n)
        self.reusable = {id(n) for n in nodes
                         if id(n) not in keep and readers_ok.get(id(n)) and _large(n.value)
                         and (_is_ufunc_call(n) or n.primitive.name in _NEW_ARRAYS)}
        self.taken: set[int] = set()

    def buffer_for(self, i: int, node: Node, names: dict[int, str]) -> str | None:
        if not _is_ufunc_call(node) or not _large(node.value):
            return None
        for a in node.inputs:  # (an operand that dies here, of the result's shape and dtype)
            if (type(a) is Node and id(a) in self.reusable and id(a) not in self.taken and self.last[id(a)] == i
                    and a.value.shape == node.value.shape and a.value.dtype == node.value.dtype):
                self.taken.add(id(a))
                return names[id(a)]
        return None

    def free_before(self, i: int, names: dict[int, str]) -> list[str]:
        """``del`` lines for the temporaries whose last reader ran just before node `i`."""
        dead = [n for n in self.dying.get(i - 1, ()) if id(n) not in self.taken and id(n) in names]
        return [f"    del {', '.join(names[id(n)] for n in dead)}"] if dead else []


def _is_ufunc_call(node: Node, params_ok: bool = False) -> bool:
    forward = node.primitive.forward if node.primitive is not None else None
    return isinstance(forward, np.ufunc) and forward.nout == 1 and (params_ok or not node.params)


def _large(value: Any) -> bool:
    return type(value) is np.ndarray and value.size >= _REUSE_MIN_SIZE


def _guard_line(guard: Guard, k: int, operand: Callable[[Any], str], constant: Callable[..., str]) -> str:
    value = guard.value
    shown = constant(value, "g") if guard.conversion == "np.asarray" or not isinstance(value, (bool, int, float)) \
        or (type(value) is float and not math.isfinite(value)) else repr(value)
    check = _CHECKS.get(guard.conversion, "not _same_array({x}, {v})").format(x=operand(guard.node), v=shown)
    return f"    if {check}: raise GuardFailed({k})"
