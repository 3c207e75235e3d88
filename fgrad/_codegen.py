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
from typing import Any, Callable

import numpy as np

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


class Compiled:
    """A compiled program: ``run(*input_leaves)`` returns the output leaves (or raises GuardFailed)."""

    __slots__ = ("run", "source", "graph", "output_def", "scalar", "fresh")

    def __init__(self, run: Callable[..., list], source: str, graph: Graph, scalar: bool = False) -> None:
        self.run, self.source, self.graph = run, source, graph
        self.output_def: Any = None  # (the outputs' pytree, set by fgrad.jit)
        self.scalar = scalar  # (every input a float64 number: the program takes Python floats as they are)
        # Per output: made by a ufunc call of the program, so never a view of an input.
        self.fresh = tuple(type(o) is Node and not any(o is x for x in graph.inputs) and _is_ufunc_call(o, params_ok=True)
                           for o in graph.outputs)


# Numbers (float64 scalars: every value of W1's Goldstein gradient, the entries a 2-D
# Newton step picks out of its vector) are held as Python floats and their arithmetic
# runs on them: `a * b` costs a tenth of NumPy's scalar ufunc call and gives the same
# IEEE double (+, -, *, / and negation are correctly rounded either way).
# A zero divisor goes to NumPy's divide, for its inf or nan and its warning (Python's
# float division would raise ZeroDivisionError).
_FLOAT_ARITHMETIC = {np.add: "{0} + {1}", np.subtract: "{0} - {1}", np.multiply: "{0} * {1}",
                     np.true_divide: "({0} / {1} if {1} else float(_divide(f64({0}), {1})))", np.negative: "-{0}"}


def _float_expression(node: Node, operands: list[str]) -> str | None:
    """The node as Python float arithmetic (its operands are floats), if it is one of `_FLOAT_ARITHMETIC`."""
    from ._ops import power, square, square_vjp, tanh_vjp

    if type(node.value) is not np.float64 or node.params:
        return None
    forward = node.primitive.forward
    if forward is square.primitive.forward and len(operands) == 1:
        return f"{operands[0]} * {operands[0]}"
    if forward is square_vjp.primitive.forward:  # (what _square_vjp_forward computes for numbers)
        return f"{operands[0]} * (2.0 * {operands[1]})"
    if forward is tanh_vjp.primitive.forward:
        return f"{operands[0]} * (1.0 - {operands[1]} * {operands[1]})"
    if forward is power.primitive.forward and operands[1] in ("2", "2.0"):
        # x ** 2 as x * x: NumPy's power squares for an exponent of 2 (equal on 10**7 random
        # doubles of every magnitude: tests/test_jit.py), and a product cannot raise on overflow
        # as Python's float ** does
        return f"{operands[0]} * {operands[0]}"
    template = _FLOAT_ARITHMETIC.get(forward)
    if template is None or ("{1}" in template) != (len(operands) == 2) or len(operands) > 2:
        return None
    return template.format(*operands)


def generate(graph: Graph, name: str = "program", reuse_buffers: bool = True) -> Compiled:
    """Python source for `graph` (inputs to outputs, guards checked on the way), compiled.

    ``reuse_buffers`` frees dead temporaries and writes ufunc results into them
    (`_Liveness`); without it, every line allocates its result (the plain path, for tests).
    """
    names: dict[int, str] = {}
    env: dict[str, Any] = {"GuardFailed": GuardFailed, "_same_number": _same_number, "_same_array": _same_array,
                           "f64": np.float64, "_divide": np.true_divide}
    constants: dict[int, str] = {}
    scalar = bool(graph.inputs) and all(type(x.value) is np.float64 for x in graph.inputs)
    floats: set[str] = set()  # names holding Python floats (in a scalar program)

    def constant(value: Any, prefix: str = "c") -> str:
        if value is None or (type(value) in (bool, int, str)) or (type(value) is float and math.isfinite(value)):
            return repr(value)
        key = id(value)
        if key not in constants:
            constants[key] = f"{prefix}{len(constants)}"
            env[constants[key]] = value
        return constants[key]

    def operand(x: Any) -> str:
        if type(x) is Node:
            return names[id(x)]
        return constant(x)

    def is_float(x: Any) -> bool:
        if type(x) is Node:
            return names[id(x)] in floats
        return type(x) is float or type(x) is np.float64 or (type(x) is int and abs(x) < 2 ** 53)

    def as_float_operand(x: Any) -> str:
        return operand(x) if type(x) is Node else constant(float(x))

    def numpy_operand(x: Any) -> str:  # (a Python float goes back to float64 for NumPy's functions)
        text = operand(x)
        return f"f64({text})" if type(x) is Node and text in floats else text

    params_names: dict[int, str] = {}
    functions: dict[int, str] = {}
    for k, x in enumerate(graph.inputs):
        names[id(x)] = f"x{k}"
    lines = [f"def {name}({', '.join(names[id(x)] for x in graph.inputs)}):"]
    if scalar:
        lines += [f"    {names[id(x)]} = float({names[id(x)]})" for x in graph.inputs]
        floats.update(names[id(x)] for x in graph.inputs)
    guards = sorted(graph.guards, key=lambda g: g.seq)
    memory = None if scalar or not reuse_buffers else _Liveness(graph, guards)
    guard_at = 0
    for i, node in enumerate(graph.nodes):
        if id(node) in names:
            continue
        while guard_at < len(guards) and guards[guard_at].seq < node.seq:
            lines.append(_guard_line(guards[guard_at], guard_at, operand, constant))
            guard_at += 1
        if memory is not None:
            lines += memory.free_before(i, names)
        if all(is_float(a) for a in node.inputs):
            expression = _float_expression(node, [as_float_operand(a) for a in node.inputs])
            if expression is not None:
                names[id(node)] = f"t{i}"
                floats.add(f"t{i}")
                lines.append(f"    t{i} = {expression}")
                continue
        forward = node.primitive.forward
        fname = functions.setdefault(id(forward), f"F{len(functions)}")
        env[fname] = forward
        call = ", ".join(numpy_operand(a) for a in node.inputs)
        if node.params:
            pname = params_names.setdefault(id(node.params), f"P{len(params_names)}")
            env[pname] = dict(node.params)
            call = f"{call}, **{pname}" if call else f"**{pname}"
        names[id(node)] = f"t{i}"
        reuse = memory.buffer_for(i, node, names) if memory is not None else None
        if reuse is not None:  # (a dead temporary of this shape and dtype: written in place)
            call = f"{call}, out={reuse}"
        if type(node.value) is np.float64:  # (a Python float for the arithmetic after it)
            floats.add(f"t{i}")
            lines.append(f"    t{i} = float({fname}({call}))")
        else:
            lines.append(f"    t{i} = {fname}({call})")
        if reuse is not None:  # (the buffer now has one name: freed when its new owner dies)
            lines.append(f"    del {reuse}")
    for k in range(guard_at, len(guards)):
        lines.append(_guard_line(guards[k], k, operand, constant))
    lines.append(f"    return [{', '.join(numpy_operand(o) for o in graph.outputs)}]")
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<fgrad.jit {name}>", "exec")
    exec(code, env)  # noqa: S102 - our own generated source
    return Compiled(env[name], source, graph, scalar)


# Below this many elements a new array costs less than keeping track of old ones.
_REUSE_MIN_SIZE = 4096


class _Liveness:
    """Where each temporary of an array program is last read: large temporaries are freed
    (``del``) once dead, and a ufunc writes its result into one that dies at its own call
    (``out=``), as NumPy's temporary elision does for ``a * b * c``.

    A buffer is reused only if the program made it (a ufunc's fresh result) and every
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
                         if id(n) not in keep and readers_ok.get(id(n)) and _is_ufunc_call(n) and _large(n.value)}
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
