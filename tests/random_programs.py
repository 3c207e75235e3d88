"""Random straight-line NumPy programs for differential testing (tests/test_differential_jax.py).

A `Program` is Python source: one line per operation, written against a module named
``xp`` (``numpy`` for fgrad, whose traced values dispatch ``np.*`` calls, or
``jax.numpy`` for the reference), so both implementations run the very same text and a
failing program prints as a self-contained reproducer.

Programs are built forward from concrete input values: each candidate operation is
evaluated with NumPy on the values it would see, and kept only where both fgrad and the
reference are smooth there with a margin (no log near 0, no max with near-ties, no
inverse of an ill-conditioned matrix ...). Derivatives are local, so a margin at the
one point evaluated is all smoothness needs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

# Input shapes: few, so that the reference's per-shape compilation caches stay warm.
INPUT_SHAPES = [(), (3,), (2, 3), (3, 3)]
MAX_SIZE = 36  # elements per value: keeps Jacobians and Hessians small
MAX_ABS = 1e3  # values beyond this are refused (exp of exp ...), not compared
MARGIN = 1e-2  # distance every kink, pole and domain edge keeps from the values

# Relative tolerances by kind of operation; a program uses the largest of its lines'.
RTOL = {"elementwise": 1e-9, "reduce": 1e-9, "shape": 1e-9, "contract": 1e-9, "linalg": 1e-8}


@dataclass(eq=False)
class Program:
    """A straight-line program over the inputs ``v0 .. v{n-1}``; the last value is its output."""

    inputs: tuple[np.ndarray, ...]
    lines: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    weights: np.ndarray | None = None  # the scalar output is sum(out * weights)

    @property
    def rtol(self) -> float:
        return max([RTOL[k] for k in self.kinds], default=min(RTOL.values()))

    def source(self) -> str:
        args = ", ".join(f"v{i}" for i in range(len(self.inputs)))
        body = [f"    {line}" for line in self.lines]
        out = f"v{len(self.inputs) + len(self.lines) - 1}"
        return "\n".join([f"def f(xp, {args}):", *body, f"    return {out}"])

    def function(self, xp: Any) -> Callable[..., Any]:
        """The program as a function of its inputs, calling ``xp`` (numpy or jax.numpy)."""
        namespace: dict[str, Any] = {"np": np}
        exec(compile(self.source(), "<random program>", "exec"), namespace)
        f = namespace["f"]
        return lambda *args: f(xp, *args)

    def scalar_function(self, xp: Any) -> Callable[..., Any]:
        """sum(program(*args) * weights): a real scalar to take gradients and Hessians of."""
        f, w = self.function(xp), self.weights
        return lambda *args: xp.sum(f(*args) * w)

    def reproducer(self) -> str:
        inputs = ", ".join(_literal(x) for x in self.inputs)
        return f"{self.source()}\ninputs = ({inputs},)\nweights = {_literal(self.weights)}"


def _literal(x: Any) -> str:
    # repr of a Python float round-trips exactly, so a printed program reproduces the bits
    return f"np.array({np.asarray(x).tolist()!r})"


# ---------------------------------------------------------------- guards on concrete values
def _away(x: np.ndarray, points: Any) -> bool:
    """True when no element of x is within MARGIN of any of the points."""
    return bool(np.all(np.abs(np.asarray(x)[..., None] - np.asarray(points, float)) > MARGIN))


def _away_from_integers(x: np.ndarray, offset: float = 0.0) -> bool:
    y = np.asarray(x) - offset
    return bool(np.all(np.abs(y - np.round(y)) > MARGIN))


def _no_ties(x: np.ndarray, axis: Any) -> bool:
    """The two largest and the two smallest along `axis` differ by more than MARGIN."""
    x = np.asarray(x)
    if x.ndim == 0:
        return True
    axes = tuple(range(x.ndim)) if axis is None else (axis,) if isinstance(axis, int) else axis
    axes = tuple(a % x.ndim for a in axes)
    rest = [a for a in range(x.ndim) if a not in axes]
    flat = np.sort(np.transpose(x, rest + list(axes)).reshape(*[x.shape[a] for a in rest], -1), axis=-1)
    if flat.shape[-1] < 2:
        return True
    return bool(np.all(np.diff(flat, axis=-1) > MARGIN))


# ---------------------------------------------------------------- the operations
# Each table maps a code template to its guard. `{0}`, `{1}` are the operands.
UNARY: dict[str, Callable[[np.ndarray], bool]] = {
    "xp.sin({0})": lambda a: True,
    "xp.cos({0})": lambda a: True,
    "xp.tanh({0})": lambda a: True,
    "xp.arctan({0})": lambda a: True,
    "xp.arcsinh({0})": lambda a: True,
    "xp.square({0})": lambda a: True,
    "xp.negative({0})": lambda a: True,
    "xp.positive({0})": lambda a: True,
    "xp.deg2rad({0})": lambda a: True,
    "xp.rad2deg({0})": lambda a: np.all(np.abs(a) < 10),
    "xp.nan_to_num({0})": lambda a: True,
    "-{0}": lambda a: True,
    "{0} ** 2": lambda a: True,
    "{0} ** 3": lambda a: True,
    "{0} * {0}": lambda a: True,
    "1.0 / (1.0 + xp.exp(-{0}))": lambda a: np.all(a > -20),
    "xp.sinh({0})": lambda a: np.all(np.abs(a) < 4),
    "xp.cosh({0})": lambda a: np.all(np.abs(a) < 4),
    "xp.exp({0})": lambda a: np.all(a < 4),
    "xp.expm1({0})": lambda a: np.all(a < 4),
    "xp.exp2({0})": lambda a: np.all(a < 4),
    "xp.log({0})": lambda a: np.all(a > 0.1),
    "xp.log2({0})": lambda a: np.all(a > 0.1),
    "xp.log10({0})": lambda a: np.all(a > 0.1),
    "xp.log1p({0})": lambda a: np.all(a > -0.9),
    "xp.sqrt({0})": lambda a: np.all(a > 0.1),
    "xp.cbrt({0})": lambda a: np.all(np.abs(a) > 0.1),
    "xp.reciprocal({0})": lambda a: np.all(np.abs(a) > 0.1),
    "1.0 / {0}": lambda a: np.all(np.abs(a) > 0.1),
    "xp.power({0}, 0.5)": lambda a: np.all(a > 0.1),
    "{0} ** 1.5": lambda a: np.all(a > 0.1),
    "{0} ** -1.0": lambda a: np.all(np.abs(a) > 0.1),
    "{0} ** -2": lambda a: np.all(np.abs(a) > 0.1),
    "xp.float_power({0}, 2.5)": lambda a: np.all(a > 0.1),
    "xp.absolute({0})": lambda a: _away(a, [0]),
    "xp.fabs({0})": lambda a: _away(a, [0]),
    "abs({0})": lambda a: _away(a, [0]),
    "xp.arcsin({0})": lambda a: np.all(np.abs(a) < 0.9),
    "xp.arccos({0})": lambda a: np.all(np.abs(a) < 0.9),
    "xp.arctanh({0})": lambda a: np.all(np.abs(a) < 0.9),
    "xp.arccosh({0})": lambda a: np.all(a > 1.1),
    "xp.tan({0})": lambda a: np.all(np.abs(a) < 1.2),
    "xp.sign({0}) * {0}": lambda a: _away(a, [0]),
    "xp.floor({0}) + {0}": lambda a: _away_from_integers(a),
    "xp.ceil({0}) * {0}": lambda a: _away_from_integers(a),
    "xp.trunc({0}) + {0}": lambda a: _away_from_integers(a),
    "xp.rint({0}) - {0}": lambda a: _away_from_integers(a, 0.5),
    "xp.round({0}, 1) + {0}": lambda a: _away_from_integers(10 * a, 0.5),
    "xp.clip({0}, -0.5, 0.8)": lambda a: _away(a, [-0.5, 0.8]),
    "xp.maximum({0}, 0.0)": lambda a: _away(a, [0]),
    "xp.where({0} > 0, {0}, 0.5 * {0})": lambda a: _away(a, [0]),
}

BINARY: dict[str, Callable[[np.ndarray, np.ndarray], bool]] = {
    "{0} + {1}": lambda a, b: True,
    "{0} - {1}": lambda a, b: True,
    "{0} * {1}": lambda a, b: True,
    "xp.add({0}, {1})": lambda a, b: True,
    "xp.subtract({0}, {1})": lambda a, b: True,
    "xp.multiply({0}, {1})": lambda a, b: True,
    "{0} / {1}": lambda a, b: np.all(np.abs(b) > 0.1),
    "xp.divide({0}, {1})": lambda a, b: np.all(np.abs(b) > 0.1),
    "xp.power({0}, {1})": lambda a, b: np.all(a > 0.1) and np.all(np.abs(b) < 3),
    "{0} ** {1}": lambda a, b: np.all(a > 0.1) and np.all(np.abs(b) < 3),
    "xp.float_power({0}, {1})": lambda a, b: np.all(a > 0.1) and np.all(np.abs(b) < 3),
    "xp.maximum({0}, {1})": lambda a, b: _away(a - b, [0]),
    "xp.minimum({0}, {1})": lambda a, b: _away(a - b, [0]),
    "xp.fmax({0}, {1})": lambda a, b: _away(a - b, [0]),
    "xp.fmin({0}, {1})": lambda a, b: _away(a - b, [0]),
    "xp.where({0} > {1}, {0}, {1})": lambda a, b: _away(a - b, [0]),
    "xp.where({1} < 0.3, {0} * {1}, {1})": lambda a, b: _away(b, [0.3]),
    "xp.arctan2({0}, {1})": lambda a, b: np.all(a * a + b * b > 0.01),
    "xp.hypot({0}, {1})": lambda a, b: np.all(a * a + b * b > 0.01),
    "xp.logaddexp({0}, {1})": lambda a, b: True,
    "xp.logaddexp2({0}, {1})": lambda a, b: True,
    "xp.remainder({0}, {1})": lambda a, b: np.all(np.abs(b) > 0.1) and _away_from_integers(a / b),
    "xp.fmod({0}, {1})": lambda a, b: np.all(np.abs(b) > 0.1) and _away_from_integers(a / b),
    "{0} % {1}": lambda a, b: np.all(np.abs(b) > 0.1) and _away_from_integers(a / b),
}

REDUCTIONS: dict[str, Callable[[np.ndarray, Any], bool]] = {
    "xp.sum({0}{axis})": lambda a, ax: True,
    "xp.mean({0}{axis})": lambda a, ax: True,
    "xp.nansum({0}{axis})": lambda a, ax: True,
    "xp.nanmean({0}{axis})": lambda a, ax: True,
    "{0}.sum({axis_})": lambda a, ax: True,
    "xp.prod({0}{axis})": lambda a, ax: np.all(np.abs(a) > 0.1) and np.all(np.abs(a) < 3),
    "xp.max({0}{axis})": _no_ties,
    "xp.min({0}{axis})": _no_ties,
    "xp.amax({0}{axis})": _no_ties,
    "xp.nanmin({0}{axis})": _no_ties,
    "{0}.max({axis_})": _no_ties,
    "xp.ptp({0}{axis})": _no_ties,
    "xp.var({0}{axis})": lambda a, ax: True,
    "xp.std({0}{axis})": lambda a, ax: np.all(np.var(a, axis=ax) > 0.01),
    "xp.linalg.norm({0}{axis})": lambda a, ax: (np.ndim(a) <= 2 or ax is not None)
    and np.all(np.linalg.norm(a, axis=ax) > 0.1),
}
SCANS = ["xp.cumsum({0}{axis})", "xp.cumprod({0}{axis})"]


@dataclass
class Builder:
    """The program under construction, with the concrete value of every variable."""

    draw: Callable[[st.SearchStrategy], Any]
    program: Program
    values: list[np.ndarray]

    def pick(self) -> int:
        # Shrinks towards the newest value, i.e. towards chains of operations.
        return len(self.values) - 1 - self.draw(st.integers(0, len(self.values) - 1))

    def name(self, i: int) -> str:
        return f"v{i}"

    def try_add(self, expr: str, kind: str) -> bool:
        """Evaluate `expr` with NumPy on the concrete values; keep it if the result is tame."""
        namespace = {"xp": np, "np": np, **{self.name(i): v for i, v in enumerate(self.values)}}
        try:
            with np.errstate(all="raise"):
                value = np.asarray(eval(expr, namespace), dtype=float)
        except (FloatingPointError, ValueError, np.linalg.LinAlgError):
            return False
        if value.size == 0 or value.size > MAX_SIZE or not np.all(np.isfinite(value)):
            return False
        if np.any(np.abs(value) > MAX_ABS):
            return False
        self.program.lines.append(f"v{len(self.values)} = {expr}")
        self.program.kinds.add(kind)
        self.values.append(value)
        return True


def _constant(draw: Callable, shape: tuple[int, ...], positive: bool = False) -> str:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.uniform(0.3, 1.5, size=shape) if positive else rng.uniform(-1.5, 1.5, size=shape)
    return _literal(np.round(x, 3))


def _axis_choices(ndim: int, tuples: bool = True) -> list[Any]:
    axes: list[Any] = [None] + list(range(-ndim, ndim))
    if tuples and ndim >= 2:
        axes += list(itertools.combinations(range(ndim), 2))
    return axes


# ---------------------------------------------------------------- families of operations
def _unary(b: Builder) -> bool:
    i = b.pick()
    a = b.values[i]
    ok = [t for t, guard in UNARY.items() if guard(a)]
    return b.try_add(b.draw(st.sampled_from(ok)).format(b.name(i)), "elementwise")


def _broadcastable_shapes(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    out = [(), shape, shape[1:], (1,) + shape]
    if shape:
        out.append(shape[:-1] + (1,))
    return out


def _binary(b: Builder) -> bool:
    i = b.pick()
    a = b.values[i]
    if b.draw(st.booleans()):
        other_shape = b.draw(st.sampled_from(_broadcastable_shapes(a.shape)))
        positive = b.draw(st.booleans())
        rhs = _constant(b.draw, other_shape, positive)
        bval = eval(rhs, {"np": np})
    else:
        j = b.pick()
        rhs, bval = b.name(j), b.values[j]
        try:
            np.broadcast_shapes(a.shape, bval.shape)
        except ValueError:
            return False
    lhs = b.name(i)
    if b.draw(st.booleans()):  # the traced value on either side
        lhs, rhs, a, bval = rhs, lhs, bval, a
    a, bval = np.broadcast_arrays(a, bval)
    ok = [t for t, guard in BINARY.items() if guard(a, bval)]
    return b.try_add(b.draw(st.sampled_from(ok)).format(lhs, rhs), "elementwise")


def _axis_text(axis: Any, keepdims: bool, method: bool = False) -> str:
    parts = [] if axis is None else [f"axis={axis!r}"]
    if keepdims:
        parts.append("keepdims=True")
    text = ", ".join(parts)
    return text if method else (", " + text if text else "")


def _reduction(b: Builder) -> bool:
    i = b.pick()
    a = b.values[i]
    if b.draw(st.integers(0, 4)) == 0:  # a running sum or product
        axis = b.draw(st.sampled_from(_axis_choices(a.ndim, tuples=False)))
        template = b.draw(st.sampled_from(SCANS))
        if "cumprod" in template and not (np.all(np.abs(a) > 0.1) and np.all(np.abs(a) < 3)):
            return False
        return b.try_add(template.format(b.name(i), axis="" if axis is None else f", axis={axis}"), "reduce")
    axis = b.draw(st.sampled_from(_axis_choices(a.ndim)))
    keepdims = b.draw(st.booleans())
    ok = [t for t, guard in REDUCTIONS.items() if guard(a, axis)]
    template = b.draw(st.sampled_from(ok))
    expr = template.format(b.name(i), axis=_axis_text(axis, keepdims), axis_=_axis_text(axis, keepdims, True))
    return b.try_add(expr, "reduce")


def _factorizations(n: int) -> list[tuple[int, ...]]:
    out = [(n,), (1, n), (n, 1)]
    for p in range(2, n):
        if n % p == 0:
            out += [(p, n // p)]
            out += [(p, q, n // p // q) for q in range(2, n // p) if (n // p) % q == 0]
    return out


def _shape_op(b: Builder) -> bool:
    i = b.pick()
    a, v = b.values[i], b.name(i)
    nd = a.ndim
    options = [f"xp.reshape({v}, {s!r})" for s in _factorizations(a.size)]
    options += [f"{v}.reshape(-1)", f"xp.ravel({v})", f"xp.expand_dims({v}, 0)", f"xp.atleast_2d({v})",
                f"xp.broadcast_to({v}, (2,) + {v}.shape)", f"xp.tile({v}, 2)"]
    options += [f"xp.squeeze({v}, {k})" for k in range(nd) if a.shape[k] == 1]
    if nd >= 1:
        options += [f"xp.flip({v}, {k})" for k in range(nd)]
        options += [f"xp.roll({v}, 1, axis={k})" for k in range(nd)]
        options += [f"xp.repeat({v}, 2, axis={k})" for k in range(nd)]
        options += [f"xp.expand_dims({v}, {nd})", f"xp.pad({v}, 1)"]
        options += [f"xp.diff({v}, axis={k})" for k in range(nd) if a.shape[k] >= 2]
        if _no_ties(a, -1):
            options.append(f"xp.sort({v}, axis=-1)")
    if nd >= 2:
        options += [f"xp.transpose({v}, {p!r})" for p in itertools.permutations(range(nd)) if list(p) != list(range(nd))]
        options += [f"{v}.T", f"xp.swapaxes({v}, 0, -1)", f"xp.moveaxis({v}, 0, -1)", f"xp.rot90({v})",
                    f"xp.diagonal({v})", f"xp.diagonal({v}, 1)", f"xp.trace({v})", f"xp.tril({v})",
                    f"xp.triu({v}, 1)", f"xp.fliplr({v})"]
    return b.try_add(b.draw(st.sampled_from(options)), "shape")


def _join(b: Builder) -> bool:
    i, j = b.pick(), b.pick()
    a, c = b.values[i], b.values[j]
    u, w = b.name(i), b.name(j)
    options = []
    if a.shape == c.shape:
        options += [f"xp.stack([{u}, {w}], axis={k})" for k in range(a.ndim + 1)]
        options += [f"xp.where({u} > {w}, {u} * {w}, {u} - {w})"] if _away(a - c, [0]) else []
    if a.ndim == c.ndim >= 1:
        for k in range(a.ndim):
            if a.shape[:k] + a.shape[k + 1:] == c.shape[:k] + c.shape[k + 1:]:
                options.append(f"xp.concatenate([{u}, {w}], axis={k})")
        if a.shape[1:] == c.shape[1:]:
            options.append(f"xp.vstack([{u}, {w}])")
    if not options:
        options = [f"xp.concatenate([xp.ravel({u}), xp.ravel({w})])", f"xp.stack([{u}, {u}])"]
    return b.try_add(b.draw(st.sampled_from(options)), "shape")


def _index(b: Builder) -> bool:
    i = b.pick()
    a, v = b.values[i], b.name(i)
    if a.ndim == 0:
        return b.try_add(f"{v}[None]", "shape")
    n = a.shape[0]
    rng = np.random.default_rng(b.draw(st.integers(0, 2**32 - 1)))
    idx = rng.integers(-n, n, size=int(rng.integers(1, 5))).tolist()  # repeats: cotangents accumulate
    # (JAX refuses a list as an index, so integer arrays are spelled np.array([...]))
    options = [f"{v}[{rng.integers(-n, n)}]", f"{v}[1:]", f"{v}[::-1]", f"{v}[None]", f"{v}[..., :2]",
               f"{v}[np.array({idx!r})]", f"xp.take({v}, np.array({idx!r}), axis=0)"]
    mask = rng.random(a.shape) < 0.5
    mask.flat[0] = True
    options.append(f"{v}[np.array({mask.tolist()!r})]")
    if a.ndim >= 2:
        m = a.shape[1]
        jdx = rng.integers(0, m, size=len(idx)).tolist()
        options += [f"{v}[:, np.array({jdx!r})]", f"{v}[np.array({idx!r}), np.array({jdx!r})]", f"{v}[1:, ::2]",
                    f"{v}[:, None, 0]", f"xp.take({v}, np.array({jdx!r}), axis=1)", f"{v}[..., -1]"]
    return b.try_add(b.draw(st.sampled_from(options)), "shape")


def _broadcast(a: np.ndarray, c: np.ndarray) -> bool:
    try:
        np.broadcast_shapes(a.shape, c.shape)
    except ValueError:
        return False
    return True


def _contract(b: Builder) -> bool:
    i = b.pick()
    a, v = b.values[i], b.name(i)
    j = b.pick()
    c, w = b.values[j], b.name(j)
    options = []
    if a.ndim >= 1 and c.ndim >= 1 and a.shape[-1] == c.shape[-2 if c.ndim >= 2 else 0]:
        options += [f"{v} @ {w}", f"xp.matmul({v}, {w})"]
        if a.ndim <= 2 and c.ndim <= 2:
            options.append(f"xp.dot({v}, {w})")
    if a.ndim >= 1 and c.ndim >= 1 and a.shape[-1] == c.shape[-1]:
        options += [f"xp.inner({v}, {w})"]
        if a.ndim == c.ndim == 2:
            options += [f"xp.einsum('ij,kj->ik', {v}, {w})", f"xp.einsum('ij,kj->', {v}, {w})"]
    if a.shape == c.shape and a.ndim == 2:
        options += [f"xp.einsum('ij,ij->j', {v}, {w})", f"xp.tensordot({v}, {w}, 2)", f"xp.vdot({v}, {w})"]
    if a.ndim == 2:
        options += [f"{v} @ {v}.T", f"xp.einsum('ij,kj->ik', {v}, {v})", f"xp.einsum('ij->j', {v})",
                    f"xp.tensordot({v}, {v}, axes=([0], [0]))"]
        if a.shape[0] == a.shape[1]:
            options += [f"xp.einsum('ii->i', {v})", f"xp.linalg.matrix_power({v}, 2)"]
    if a.ndim <= 1 and c.ndim <= 1:
        options += [f"xp.outer({v}, {w})", f"xp.kron({v}, {w})"]
    if a.ndim >= 1 and a.shape[-1] == 3 and c.ndim >= 1 and c.shape[-1] == 3 and _broadcast(a, c):
        options.append(f"xp.cross({v}, {w})")
    if a.ndim == 1:
        options += [f"{v} @ {v}", f"xp.polyval({_constant(b.draw, (3,))}, {v})"]
    if not options:
        return False
    try:
        return b.try_add(b.draw(st.sampled_from(options)), "contract")
    except ValueError:
        return False


def _linalg(b: Builder) -> bool:
    i = b.pick()
    a, v = b.values[i], b.name(i)
    if a.ndim < 2:
        return False
    n = a.shape[-2]
    spd = f"({v} @ xp.swapaxes({v}, -1, -2) + {n}.0 * np.eye({n}))"  # symmetric positive definite
    options = [f"xp.linalg.inv({spd})", f"xp.linalg.det({spd})", f"xp.linalg.slogdet({spd})[1]",
               f"xp.linalg.cholesky({spd})", f"xp.linalg.solve({spd}, {v})"]
    if a.ndim == 2:  # a 1-d right-hand side is a vector only for a single matrix
        options.append(f"xp.linalg.solve({spd}, {v}[:, 0])")
    if a.shape[-1] == n:
        with np.errstate(all="ignore"):
            cond = np.linalg.cond(a)
        det = np.linalg.det(a)
        if np.all(cond < 30) and np.all(np.abs(det) > 0.05):
            options += [f"xp.linalg.inv({v})", f"xp.linalg.det({v})", f"xp.linalg.slogdet({v})[1]",
                        f"xp.linalg.solve({v}, {v})", f"xp.linalg.matrix_power({v}, -1)"]
            if a.ndim == 2:
                options.append(f"xp.linalg.solve({v}, {v}[:, 0])")
        options += [f"xp.linalg.matrix_power({v}, 3)", f"xp.trace({v})"]
    if np.linalg.norm(a) > 0.1:
        options.append(f"xp.linalg.norm({v})")
    try:
        return b.try_add(b.draw(st.sampled_from(options)), "linalg")
    except ValueError:
        return False


FAMILIES: list[Callable[[Builder], bool]] = [_unary, _binary, _reduction, _shape_op, _join, _index, _contract,
                                             _linalg]


def input_value(draw: Callable, shape: tuple[int, ...]) -> np.ndarray:
    """Random inputs kept MARGIN away from 0 (so sign-like operations have room)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    magnitude = rng.uniform(0.2, 1.5, size=shape)
    if draw(st.booleans()):  # all positive, so log/sqrt/power can apply to inputs as they are
        return np.asarray(magnitude)
    return np.asarray(magnitude * rng.choice([-1.0, 1.0], size=shape))


@st.composite
def programs(draw: Callable, max_inputs: int = 2, max_lines: int = 6,
             shapes: list[tuple[int, ...]] | None = None) -> Program:
    """A random program with 1..max_inputs inputs and 1..max_lines operations."""
    shapes = shapes or INPUT_SHAPES
    n_inputs = draw(st.integers(1, max_inputs))
    inputs = tuple(input_value(draw, draw(st.sampled_from(shapes))) for _ in range(n_inputs))
    b = Builder(draw, Program(inputs), list(inputs))
    n_lines = draw(st.integers(1, max_lines))
    attempts = 0
    while len(b.program.lines) < n_lines and attempts < 4 * n_lines:
        attempts += 1
        draw(st.sampled_from(FAMILIES))(b)
    if not b.program.lines:  # every attempt refused: one smooth line
        b.try_add(f"xp.sin(v{n_inputs - 1})", "elementwise")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    b.program.weights = rng.uniform(-1.0, 1.0, size=b.values[-1].shape)
    return b.program
