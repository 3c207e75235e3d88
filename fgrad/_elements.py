"""Small float64 arrays in a compiled program as Python floats, one name per element.

On an array of a few elements a NumPy call costs far more than the arithmetic; a Newton
step on a 2-D problem is nothing but such calls. A compiled program may therefore hold a
small float64 value as its elements and write each operation out element by element:
``t5_0 = t3_0 * t4_0``. Moving elements (an index, a reshape, a transpose, a broadcast) is
renaming, and costs nothing at run time.

Only operations whose element-wise form gives NumPy's bits are written this way (`rule`):
``+ - * /`` and negation (correctly rounded either way), squares (NumPy squares as
``x * x``), the square and tanh VJPs, zero-padding (`untake` of a basic index), and sums
along one axis of fewer than 8 elements (NumPy adds those in order; longer ones it adds
pairwise). Anything else is a NumPy call on the packed array, as in any program.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

import numpy as np

from ._core import Node
from ._ops import _is_basic_index

__all__ = ["SMALL", "is_small", "rule", "mapping", "float_literal", "folded", "is_atom"]

# Arrays of at most this many elements are held as elements (16 float operations cost
# about what one NumPy call on a tiny array costs).
SMALL = 16

# Reductions NumPy adds strictly in order (its pairwise summation starts at 8 elements).
_IN_ORDER = 8


def is_small(value: Any) -> bool:
    """Whether a value is a float64 number or a float64 array of 1..SMALL elements."""
    t = type(value)
    return t is np.float64 or (t is np.ndarray and value.dtype == np.float64 and 0 < value.size <= SMALL)


def float_literal(x: Any) -> str | None:
    """A number as Python source for its float64 value, if it is a finite float or an exact int."""
    if type(x) in (float, np.float64) and math.isfinite(x):
        return repr(float(x))
    if type(x) in (int, np.int64) and abs(x) <= 2 ** 53:
        return repr(float(x))
    return None


def mapping(index_shape: tuple[int, ...], apply: Callable[[np.ndarray], Any]) -> list[int] | None:
    """Which input element each output element is: `apply` run on the flat positions."""
    positions = np.arange(math.prod(index_shape), dtype=np.int64).reshape(index_shape)
    moved = apply(positions)
    return None if type(moved) is not np.ndarray and type(moved) is not np.int64 else np.ravel(moved).tolist()


def _broadcast(elements: list[str], shape: tuple[int, ...], out: tuple[int, ...]) -> list[str]:
    if shape == out:
        return elements
    index = np.broadcast_to(np.arange(len(elements)).reshape(shape), out).ravel().tolist()
    return [elements[i] for i in index]


# A name in element source (a letter that is not a number's exponent, as in 1e-05).
_NAME = re.compile(r"(?<![0-9.])[A-Za-z_]")


def is_atom(source: str) -> bool:
    """Whether an element's source is a name or a number (no arithmetic to run)."""
    if source.isidentifier():
        return True
    try:
        float(source)
    except ValueError:
        return False
    return True


def folded(source: str) -> str:
    """Arithmetic on numbers only, computed now (Python float arithmetic: the bits the
    program would compute); anything else as it is."""
    if _NAME.search(source) or is_atom(source):
        return source
    value = eval(source, {"__builtins__": {}})  # noqa: S307 - numbers, operators and parentheses only
    return repr(value) if type(value) is float and math.isfinite(value) else source


def _times(a: str, b: str) -> str:
    # (1.0 * x is x, bit for bit, nan and signed zeros included)
    return b if a == "1.0" else a if b == "1.0" else f"{a} * {b}"


# Element-wise arithmetic, each operand an element's source text; NumPy's bits each.
# A zero divisor goes to NumPy's divide for its inf or nan and its warning.
_ARITHMETIC: dict[Any, Callable[..., str]] = {
    np.add: lambda a, b: f"{a} + {b}",
    np.subtract: lambda a, b: a if b == "0.0" else f"{a} - {b}",  # (x - 0.0 is x, -0.0 included)
    np.multiply: _times,
    np.true_divide: lambda a, b: f"({a} / {b} if {b} else float(_divide(f64({a}), {b})))",
    np.negative: lambda a: f"-{a}" if a.isidentifier() else f"-({a})",
    np.square: lambda a: f"{a} * {a}",
}


def _forwards() -> dict[Any, Callable[..., str]]:
    from ._ops import square_vjp, tanh_vjp

    return {**_ARITHMETIC,
            square_vjp.primitive.forward: lambda g, x: _times(g, f"(2.0 * {x})"),
            tanh_vjp.primitive.forward: lambda g, t: _times(g, f"(1.0 - {t} * {t})")}


_STRUCTURAL = ("getitem", "reshape", "transpose", "broadcast_to", "flip", "roll", "diagonal")


class Rule:
    """How a node is written on elements: ``elementwise`` (a function of one element per
    operand, operands broadcast to the result), or ``compute(operand_elements)`` giving the
    result's elements as source text; ``moves`` says the result's elements are operand
    elements themselves (no line to run)."""

    __slots__ = ("elementwise", "compute", "moves")

    def __init__(self, elementwise: Callable[..., str] | None = None,
                 compute: Callable[[list[list[str]]], list[str]] | None = None, moves: bool = False) -> None:
        self.elementwise, self.compute, self.moves = elementwise, compute, moves


def rule(node: Node) -> Rule | None:
    """The node's element-wise form, if it has one that gives NumPy's bits (else None)."""
    if not is_small(node.value):
        return None
    forward, params, out_shape = node.primitive.forward, node.params, np.shape(node.value)
    shapes = [np.shape(a.value if type(a) is Node else a) for a in node.inputs]
    name = node.primitive.name
    if name == "sum" and set(params) <= {"axis", "keepdims"} and len(node.inputs) == 1:
        return _sum_rule(shapes[0], params.get("axis"), bool(params.get("keepdims", False)), out_shape)
    if not params:
        if forward is np.power and len(node.inputs) == 2 and type(node.inputs[1]) in (int, float, np.float64) \
                and node.inputs[1] == 2:
            return Rule(compute=lambda ops: [f"{e} * {e}" for e in _broadcast(ops[0], shapes[0], out_shape)])
        template = _forwards().get(forward)
        if template is not None:
            return Rule(elementwise=template)
        return None
    x = node.inputs[0]
    if name in _STRUCTURAL and len(node.inputs) == 1 and type(x) is Node:
        index = mapping(shapes[0], lambda p: forward(p, **params))
        if index is None or len(index) != math.prod(out_shape):
            return None
        return Rule(compute=lambda ops: [ops[0][i] for i in index], moves=True)
    if name == "untake" and set(params) == {"idx", "shape"} and _is_basic_index(params["idx"]):
        index = mapping(tuple(params["shape"]), lambda p: p[params["idx"]])
        if index is None or len(index) != math.prod(shapes[0]):
            return None

        def padded(ops: list[list[str]]) -> list[str]:
            out = ["0.0"] * math.prod(out_shape)
            for k, i in enumerate(index):
                out[i] = ops[0][k]
            return out

        return Rule(compute=padded, moves=True)
    return None


def _sum_rule(shape: tuple[int, ...], axis: Any, keepdims: bool, out_shape: tuple[int, ...]) -> Rule | None:
    """A sum along one axis (or of a 1-D value) of fewer than 8 elements: in order, as NumPy adds them."""
    if axis is None:
        if len(shape) > 1:
            return None  # (NumPy may visit a multi-axis reduction in memory order)
        axis = 0
    axes = axis if type(axis) is tuple else (axis,)
    if len(axes) != 1 or not shape:
        return None
    a = axes[0] % len(shape)
    n = shape[a]
    if not 0 < n < _IN_ORDER:
        return None
    positions = np.moveaxis(np.arange(math.prod(shape)).reshape(shape), a, -1).reshape(-1, n).tolist()
    if len(positions) != math.prod(out_shape):
        return None
    return Rule(compute=lambda ops: [" + ".join(ops[0][i] for i in terms) for terms in positions],
                moves=n == 1)


def broadcast_operands(node: Node, operands: list[list[str]]) -> list[list[str]]:
    """Each operand's elements, broadcast to the node's shape."""
    out = np.shape(node.value)
    return [_broadcast(e, np.shape(a.value if type(a) is Node else a), out) for a, e in zip(node.inputs, operands)]
