"""The engine: traced values (`Node`), primitives, trace levels and `bind`.

A transform opens a new trace *level* and wraps its inputs in `Node` records of that
level.  Applying a primitive to arguments that include Nodes (`bind`) takes the highest
level among them, unwraps the arguments of that level to their values (which may be
Nodes of lower, i.e. outer, levels), applies the primitive again to those, and wraps the
result in a new Node whose parents are the arguments of the highest level.  Nested
transforms therefore record their derivative computations on the outer graph, and an
inner backward pass never walks an outer graph.

When no argument is a Node, a primitive is exactly one call of its NumPy forward.
"""

from __future__ import annotations

import inspect
import itertools
import operator
import threading
from collections import deque
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

import attrs
import numpy as np

from . import _backend
from ._complex import COMPLEX_RULES, STATE as _COMPLEX, is_complex, mark_active, unsupported_error
from ._primitive_checks import check_definition
from ._rules import rule_overwrites_cotangent, rules_are_fgrads_own, rules_reading_ans

__all__ = ["Node", "Primitive", "UnexpectedTracerError", "primitive", "defvjp", "new_level", "end_level", "unwrap",
           "value_of", "is_node"]

_NO_PARAMS: Mapping[str, Any] = MappingProxyType({})

# Levels are globally unique and increasing: a transform started later (in particular
# one nested inside another) always has a higher level, and a Node that leaks out of a
# finished transform can never be mistaken for a Node of a later one.  `next()` on an
# itertools.count is atomic under the GIL, so threads need no lock.
_next_level: Callable[[], int] = itertools.count(1).__next__

# The levels whose trace is running, each with what opened it: (transform, function
# name), for error messages.  `bind` checks its top level against these, once per call:
# a Node whose level is absent escaped a trace that has ended (it was stored in a
# global, a list, an attribute), and taken for a constant its derivative would silently
# be zero.  `_TOP`, the highest live level, settles the common case (the innermost
# transform's own Nodes) with one comparison of ints, a quarter of a dict lookup.
_LIVE: dict[int, tuple[str, str]] = {}
_TOP = 0
# Each level has an interpreter: what `bind` does with a primitive application whose
# highest level it is. The reverse-mode tape (record a Node) is the default, written
# inline in `bind` for speed; the others (vmap's batching) are listed here by level.
# `_TAPE_TOP` is `_TOP` when the highest live level is a tape, else 0: `bind` compares
# its top level with it once, and only a mismatch (an outer level, a batching level,
# an ended one) costs a lookup.
_INTERPRETERS: dict[int, Any] = {}
_TAPE_TOP = 0
# Levels whose Nodes are not derivative information, opened by `fgrad.jit` to stage a
# program: level -> its recorder of guards (fgrad._staging). `value_of` keeps their Nodes
# (as it keeps vmap's batched values), so code that looks at values stays staged, and a
# conversion to a Python value records a guard instead of being baked in silently.
_STAGING: dict[int, Any] = {}
# What opened the levels that ended last, only to name it in the error (bounded: a
# program calling `grad` in a loop must not grow a table).
_ENDED: deque[tuple[int, tuple[str, str]]] = deque(maxlen=1024)
# Threads open and end levels concurrently; the lock keeps `_TOP` equal to the highest
# live level.  (`bind` reads without it: `_TOP` only ever spares it the dict lookup.)
_LEVELS_LOCK = threading.Lock()


def new_level(transform: str = "new_level", fun: Any = None, interpreter: Any = None) -> int:
    """Open a new trace level: live (Nodes of it may be computed with) until `end_level`.

    `transform` and `fun` only name the level in the error for an escaped Node.
    `interpreter` handles the primitive applications whose highest level this is: an
    object with ``process(prim, args, params, level)``; None is the reverse-mode tape.
    """
    global _TOP, _TAPE_TOP
    if _NUMPY_UNLOADED:
        _load_numpy()
    origin = (transform, _function_name(fun))
    with _LEVELS_LOCK:
        _TOP = level = _next_level()  # (the highest yet: levels increase)
        _LIVE[level] = origin
        if interpreter is not None:
            _INTERPRETERS[level] = interpreter
        _TAPE_TOP = 0 if interpreter is not None else level
    return level


# `import fgrad` leaves fgrad.numpy unloaded (it is most of fgrad's import time); its
# registrations (np.* dispatch on traced values, ndarray methods of Node) must be in
# place before a traced value exists, so the first trace loads it.
_NUMPY_UNLOADED = True


def _load_numpy() -> None:
    global _NUMPY_UNLOADED
    import fgrad.numpy  # noqa: F401

    _NUMPY_UNLOADED = False


def end_level(level: int) -> None:
    """Mark `level`'s trace as ended: computing with its Nodes raises from now on."""
    global _TOP, _TAPE_TOP
    with _LEVELS_LOCK:
        origin = _LIVE.pop(level, None)
        if origin is None:
            return
        _ENDED.append((level, origin))
        _INTERPRETERS.pop(level, None)
        if level == _TOP:
            _TOP = max(_LIVE, default=0)
        _TAPE_TOP = 0 if _TOP in _INTERPRETERS else _TOP


def _function_name(fun: Any) -> str:
    if fun is None:
        return ""
    return getattr(fun, "__qualname__", None) or getattr(fun, "__name__", None) or type(fun).__name__


class UnexpectedTracerError(TypeError):
    """A traced value was computed with after the transform that created it had returned.

    Inside a transform, values are `Node` records of the transform's trace. One stored
    for later (in a global, a list, an attribute) and used once that trace has ended
    would be taken for a constant, and its derivative silently lost: fgrad raises this
    error instead (JAX's error of the same name is the model). Return the value from the
    function, as an output or as auxiliary data with ``has_aux=True``, and use that.

    Example:
        >>> import fgrad
        >>> box = {}
        >>> def f(x):
        ...     box["y"] = x * 2.0
        ...     return x * x
        >>> fgrad.grad(f)(3.0)
        np.float64(6.0)
        >>> box["y"] + 1.0
        Traceback (most recent call last):
        ...
        fgrad.UnexpectedTracerError: cannot apply `add` to the traced value Node(f64[] = 6.0) (the output of `mul`): it was created inside `grad` of `f`, whose trace has ended...
    """


UnexpectedTracerError.__module__ = "fgrad"  # where users import it from, as tracebacks show


def _origin(level: int) -> str:
    """What opened `level`: "`grad` of `f`" (or the level number once that is forgotten)."""
    origin = _LIVE.get(level)
    if origin is None:
        origin = next((o for lv, o in reversed(tuple(_ENDED)) if lv == level), None)  # (a copy: threads append)
    if origin is None:
        return f"a transform (trace level {level})"
    transform, name = origin
    return f"`{transform}` of `{name}`" if name else f"`{transform}`"


def escaped_error(node: "Node", doing: str) -> UnexpectedTracerError:
    """The error for computing with `node` after its trace ended; `doing` says what was tried."""
    made = f"the output of `{node.primitive.name}`" if node.primitive is not None else "an input of the traced function"
    return UnexpectedTracerError(
        f"{doing} the traced value {node!r} ({made}): it was created inside {_origin(node.level)}, "
        "whose trace has ended, so its derivative can no longer be tracked (used anyway, it "
        "would silently count as a constant). Do not store traced values for later (in a "
        "global, a list, an attribute): return them from the function, as an output or as "
        "auxiliary data with has_aux=True, and use what the transform returns. "
        "(If a constant is what you want, `fgrad.stop_gradient(x)` is the number it held.)"
    )


def check_live(x: Any, doing: str) -> None:
    """Raise `UnexpectedTracerError` if `x` is a Node of an ended trace (or holds one)."""
    while type(x) is Node:
        if x.level and x.level not in _LIVE:
            raise escaped_error(x, doing)
        x = x.value


def _escaped_in_bind(prim: "Primitive", args: Sequence[Any], top: int) -> UnexpectedTracerError:
    node = next(a for a in args if type(a) is Node and a.level == top)
    return escaped_error(node, f"cannot apply `{prim.name}` to")


# Every Node takes the next number from one counter when it is made, after its parents
# were: decreasing `seq` is therefore a topological order of any graph, which the
# backward walk follows without counting children in a table of every Node.
next_seq: Callable[[], int] = itertools.count(1).__next__


def the_record_itself(self: Any, memo: Any = None) -> Any:
    """``copy.copy``/``copy.deepcopy`` of a frozen record: the record itself (nothing in it can change)."""
    return self


def array_class_name(cls: type) -> str:
    """An ndarray subclass as users import it: ``numpy.ma.MaskedArray``, ``numpy.matrix``."""
    return f"{cls.__module__.replace('numpy.ma.core', 'numpy.ma')}.{cls.__name__}"


def _short_dtype(dtype: np.dtype) -> str:
    kind = {"f": "f", "i": "i", "u": "u", "b": "bool", "c": "c"}.get(dtype.kind, dtype.kind)
    return kind if kind == "bool" else f"{kind}{dtype.itemsize * 8}"


# NumPy converts a value assigned into an array, `a[i] = x`, with float() or __array__,
# and reports only "setting an array element with a sequence" (with this as its cause).
_ASSIGNMENT_HINT = (
    " Assigning it into a NumPy array, `a[i] = x`, converts it too: an array cannot hold "
    "a traced value. Build the array with fgrad instead: `a = fgrad.numpy.at(a)[i].set(x)`, "
    "`fgrad.numpy.where(mask, x, a)` or `fgrad.numpy.stack([...])`."
)


def _numpy_caller() -> str | None:
    """The public NumPy function (written in Python) converting a traced value, if any: for messages."""
    frame = inspect.currentframe()
    frame = frame.f_back.f_back if frame and frame.f_back else None  # (past Node.__array__)
    name = None
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("numpy"):
        if not frame.f_code.co_name.startswith("_"):
            name = frame.f_code.co_name
        frame = frame.f_back
    return name


def _float(self: "Node") -> float:
    if _STAGING and self.level in _STAGING:  # a staged value (no derivative): its number, guarded
        return float(_STAGING[self.level].guard(self, "float"))
    return _refuse_float_conversion(self)


def _complex(self: "Node") -> complex:
    if _STAGING and self.level in _STAGING:
        return complex(_STAGING[self.level].guard(self, "complex"))
    return _refuse_float_conversion(self)


def _refuse_float_conversion(self: "Node", *_: Any) -> Any:
    _concrete(self, "float")  # (a batched value: vmap's own error)
    raise TypeError(
        f"cannot convert the traced value {self!r} to a Python number: that would silently "
        "cut its derivative. Keep computing with it as an array, or if you really want a "
        "constant, say so explicitly with `float(x.value)` or `fgrad.stop_gradient(x)`."
        + _ASSIGNMENT_HINT
    )


# A Node's fields, in order; the slots are declared once, on a plain base class, so
# that `make_node` can fill them without going through the frozen class (see there).
_NODE_FIELDS = ("value", "primitive", "inputs", "params", "level", "name", "seq")


class _NodeSlots:
    __slots__ = (*_NODE_FIELDS, "__weakref__")


@attrs.frozen(eq=False, repr=False)
class Node(_NodeSlots):
    """A traced value: a frozen record of one primitive application inside a transform.

    Transforms such as `fgrad.grad` call your function with Nodes in place of arrays.
    A Node behaves like the array it holds (operators, ``np.*`` calls, comparisons,
    ``len``, ``if x > 0:``) and remembers how it was computed.

    Attributes:
        value: the computed value: a read-only ``np.ndarray``, an immutable NumPy scalar,
            or a Node of an outer trace when transforms are nested.
        primitive: the `Primitive` that produced it (``None`` for a transform input).
        inputs: the arguments the primitive was called with, as the caller passed them:
            this trace's Nodes (the parents) and everything else (constants, Nodes of
            outer traces).
        params: the primitive's static parameters (axis, shape, ...).
        level: the trace level the Node belongs to.
        name: an optional name used when the graph is displayed.
        seq: the Node's place in creation order (greater than its parents').

    Derived from ``inputs`` and ``level`` when read (a record stores each fact once):
    ``parents``, the Nodes of the same trace it was computed from; ``argnums``, their
    positions among the inputs; ``args``, the inputs with the parents unwrapped to
    their values, i.e. what the primitive's NumPy function was applied to.

    Example:
        >>> import fgrad
        >>> fgrad.grad(lambda x: x * x if x > 0 else -x)(3.0)
        np.float64(6.0)
    """

    value: Any
    primitive: "Primitive | None" = None
    inputs: tuple[Any, ...] = ()
    params: Mapping[str, Any] = _NO_PARAMS
    level: int = 0
    name: str | None = None
    seq: int = attrs.field(factory=next_seq)

    # NumPy: let Nodes win binary operations against arrays and scalars on the left.
    __array_priority__ = 100.0

    # ----- the record's structure, derived from `inputs` -----
    # (Stored, these three tuples were a quarter of a scalar record's memory, and
    # a graph of 10**6 records is paid for in page faults.)
    @property
    def parents(self) -> tuple["Node", ...]:
        """The Nodes of the same trace this one was computed from, in argument order."""
        inputs = self.inputs
        return tuple([inputs[i] for i in self.argnums])

    @property
    def argnums(self) -> tuple[int, ...]:
        """The positions of `parents` among `inputs`."""
        return split_inputs(self.inputs, self.level)[0]

    @property
    def args(self) -> tuple[Any, ...]:
        """The inputs with `parents` unwrapped to their values: what the primitive was applied to."""
        return split_inputs(self.inputs, self.level)[1]

    # ----- array-like metadata (read through nested Nodes) -----
    @property
    def shape(self) -> tuple[int, ...]:
        # Every value a Node holds (ndarray, NumPy scalar, inner Node) has `.shape`;
        # reading it directly avoids np.shape's dispatch on this hot path (unbroadcast).
        try:
            shape = self.value.shape
        except AttributeError:
            shape = np.shape(self.value)
        # a batched value holds the batch along its first axis; fun sees one example
        return shape[1:] if self.primitive is BATCHED else shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def dtype(self) -> np.dtype:
        return plain_value(self).dtype

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d traced value")
        return shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        v = plain_value(self)
        if is_batched(self):
            per_example = ",".join(map(str, self.shape))
            return f"Batched({_short_dtype(v.dtype)}[{per_example}], {v.shape[0]} examples)"
        shape = ",".join(map(str, np.shape(v)))
        if _backend.is_other_array(v):  # (its numbers may be lazy or on a device: named, not fetched)
            text = f"<{_backend.library(v)} {type(v).__name__}>"
        else:
            text = np.array2string(np.asarray(v), threshold=6, separator=" ") if np.ndim(v) else repr(v.item())
        return f"Node({_short_dtype(v.dtype)}[{shape}] = {text})"

    def __format__(self, spec: str) -> str:
        return format(_concrete(self, "format"), spec)

    # ----- reading the value: define-by-run control flow -----
    def __bool__(self) -> bool:
        return bool(_concrete(self, "bool"))

    def __int__(self) -> int:
        return int(_concrete(self, "int"))

    def __round__(self, ndigits: int | None = None) -> Any:
        # Piecewise constant, derivative zero: a plain value, as `np.round(x)` gives; for
        # a scalar what Python's round of the value gives (an int without `ndigits`).
        v = _concrete(self, "round")
        if np.ndim(v):
            return np.round(v, ndigits or 0)
        return round(v) if ndigits is None else round(v, ndigits)

    __float__ = _float
    __complex__ = _complex

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if is_batched(self):
            _concrete(self, "np.asarray")
        if _STAGING and self.level in _STAGING:  # a staged value (no derivative): its value, guarded
            value = np.asarray(_STAGING[self.level].guard(self, "np.asarray"))
            return value if dtype is None else value.astype(dtype)
        name = _numpy_caller()
        where = f" (in np.{name})" if name else ""
        call = f"fgrad.numpy.{name or '<function>'}"
        raise TypeError(
            f"cannot convert the traced value {self!r} to a NumPy array{where}: that would "
            "silently cut its derivative. Use fgrad operations or np.* functions on it directly, "
            "or take the constant explicitly with `x.value` / `fgrad.stop_gradient(x)`. "
            f"If it sits in a list or tuple passed to NumPy (`np.{name or 'sum'}([x, 1.0])`), NumPy "
            "converts the list itself, out of fgrad's reach: call "
            f"{call}([...]) instead (fgrad.numpy's functions accept such lists), or build "
            "the array first with `np.stack([...])` / `fgrad.numpy.array([...])`."
            + _ASSIGNMENT_HINT
        )

    def __lt__(self, other: Any) -> Any:
        return _compare(np.less, self, other)

    def __le__(self, other: Any) -> Any:
        return _compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Any:
        return _compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Any:
        return _compare(np.greater_equal, self, other)

    # `==` compares values like NumPy does (so `np.where(x == 0, ...)` means what it says);
    # hashing stays by identity, and since identity hashes of live objects never collide,
    # dictionaries keyed by Nodes never call this.
    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return _compare(np.equal, self, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return _compare(np.not_equal, self, other)

    __hash__ = object.__hash__

    # ----- operators (the primitives live in fgrad._ops) -----
    # Straight to `bind`: an operator always passes its primitive's own arguments, so
    # the call-shape check of the public functions has nothing to refuse here.
    # (`.primitive` is read on each call: defvjp may replace it.)
    def __neg__(self) -> "Node":
        return bind(_ops.negative.primitive, (self,), _NO_PARAMS)

    def __pos__(self) -> "Node":
        return self

    def __abs__(self) -> "Node":
        return bind(_ops.absolute.primitive, (self,), _NO_PARAMS)

    def __add__(self, other: Any) -> Any:
        return bind(_ops.add.primitive, (self, other), _NO_PARAMS)

    def __radd__(self, other: Any) -> Any:
        return bind(_ops.add.primitive, (other, self), _NO_PARAMS)

    def __sub__(self, other: Any) -> Any:
        return bind(_ops.subtract.primitive, (self, other), _NO_PARAMS)

    def __rsub__(self, other: Any) -> Any:
        return bind(_ops.subtract.primitive, (other, self), _NO_PARAMS)

    def __mul__(self, other: Any) -> Any:
        return bind(_ops.multiply.primitive, (self, other), _NO_PARAMS)

    def __rmul__(self, other: Any) -> Any:
        return bind(_ops.multiply.primitive, (other, self), _NO_PARAMS)

    def __truediv__(self, other: Any) -> Any:
        return bind(_ops.divide.primitive, (self, other), _NO_PARAMS)

    def __rtruediv__(self, other: Any) -> Any:
        return bind(_ops.divide.primitive, (other, self), _NO_PARAMS)

    def __pow__(self, other: Any) -> Any:
        return bind(_ops.power.primitive, (self, other), _NO_PARAMS)

    def __rpow__(self, other: Any) -> Any:
        return bind(_ops.power.primitive, (other, self), _NO_PARAMS)

    def __matmul__(self, other: Any) -> Any:
        return bind(_ops.matmul.primitive, (self, other), _NO_PARAMS)

    def __rmatmul__(self, other: Any) -> Any:
        return bind(_ops.matmul.primitive, (other, self), _NO_PARAMS)

    def __getitem__(self, idx: Any) -> Any:
        return _ops.getitem(self, idx=_ops.plain_index(idx))

    # ----- a few ndarray methods, for code written against arrays -----
    @property
    def T(self) -> "Node":
        return _ops.transpose(self)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Any:
        return _ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Any:
        return _ops.mean(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape: Any) -> Any:
        return _ops.reshape(self, shape=shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes: Any) -> Any:
        axes_ = axes[0] if len(axes) == 1 else (axes or None)
        return _ops.transpose(self, axes=None if axes_ is None else tuple(axes_))

    def astype(self, dtype: Any) -> Any:
        return _ops.cast(self, dtype=np.dtype(dtype))

    # ----- NumPy protocols: np.sin(node), np.sum(node), ndarray + node, x.max() -----
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "__call__" and not kwargs:  # np.tanh(x), a + x: straight to fgrad's
            fun = _ops.UFUNCS.get(ufunc)
            if fun is not None:
                prim = getattr(fun, "primitive", None)
                if prim is not None and len(inputs) == ufunc.nin:  # (as the operators do)
                    return bind(prim, inputs, _NO_PARAMS)
                return fun(*inputs)
        return _dispatch.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return _dispatch.array_function(func, args, kwargs)

    # Other ndarray methods and attributes (x.max(), x.dot(w), x.at[...]) are properties
    # that fgrad.numpy adds to this class (`_dispatch.register_array_attributes`), and
    # the rest refuse with a reason.  Not a `__getattr__`: a class with one loses
    # CPython's fast path for *every* attribute read, `.value` and `.level` included.

    def __floordiv__(self, other: Any) -> Any:
        return np.floor_divide(self, other)

    # masks combined inside vmap (`(x > 0) & (x < 1)` of batched values); plain values out
    def __and__(self, other: Any) -> Any:
        return np.bitwise_and(self, other)

    def __rand__(self, other: Any) -> Any:
        return np.bitwise_and(other, self)

    def __or__(self, other: Any) -> Any:
        return np.bitwise_or(self, other)

    def __ror__(self, other: Any) -> Any:
        return np.bitwise_or(other, self)

    def __xor__(self, other: Any) -> Any:
        return np.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Any:
        return np.bitwise_xor(other, self)

    def __invert__(self) -> Any:
        return np.invert(self)

    def __rfloordiv__(self, other: Any) -> Any:
        return np.floor_divide(other, self)

    def __mod__(self, other: Any) -> Any:
        return np.remainder(self, other)

    def __rmod__(self, other: Any) -> Any:
        return np.remainder(other, self)

    def __divmod__(self, other: Any) -> Any:
        return np.divmod(self, other)

    def __rdivmod__(self, other: Any) -> Any:
        return np.divmod(other, self)

    # ----- immutability -----
    # A Node is a frozen record of one step of a trace: a copy is the record itself.
    # (The default copy would make a new record that no trace knows, so the derivative
    # through it would silently be zero.)
    __copy__ = __deepcopy__ = the_record_itself

    # Pickled as data (value, name, params, the records it was computed from), with a
    # trace level of its own when loaded: see fgrad._pickle.
    def __reduce__(self) -> tuple:
        from ._pickle import reduce_node

        return reduce_node(self)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError(
            "traced values are immutable: item assignment `x[i] = v` is not supported. "
            "Build a new value instead: `x = x.at[i].set(v)` (or `.add(v)`), "
            "`fgrad.numpy.where(mask, v, x)`, or `fgrad.numpy.concatenate([...])`."
        )


class _NodeBuilder(_NodeSlots):
    """Builds a Node with plain slot stores, then freezes it by making it a Node.

    A frozen attrs class can only write its fields through ``object.__setattr__``,
    a generic call per field: for Node's seven, three times what plain slot stores cost
    (0.5 µs against 0.17), and `bind` makes one record per primitive application.
    The builder shares Node's slots and nothing else, so the record it hands over is a
    Node like any other, frozen from then on.
    """

    __slots__ = ()

    def __init__(self, value: Any, primitive: "Primitive | None", inputs: tuple,
                 params: Mapping[str, Any], level: int, name: str | None, seq: int) -> None:
        self.value = value
        self.primitive = primitive
        self.inputs = inputs
        self.params = params
        self.level = level
        self.name = name
        self.seq = seq
        self.__class__ = Node  # type: ignore[assignment]


if tuple(f.name for f in attrs.fields(Node)) != _NODE_FIELDS or Node.__slots__:  # pragma: no cover
    raise AssertionError("Node's attrs fields and the slots of _NodeSlots have drifted apart")

# Node(value, primitive, inputs, params, level, name, seq), all seven
# positional: the fast way to make a record (for hot paths; `Node(...)` is the same).
make_node: Callable[..., Node] = _NodeBuilder  # type: ignore[assignment]


def value_of(x: Any) -> Any:
    """`x` without derivative information: its value under every reverse-mode level.

    A value batched by `vmap` stays batched (its examples are not a derivative): the
    result is then a batched value holding the examples' plain values.
    """
    while type(x) is Node:
        if x.primitive is BATCHED:
            inner = value_of(x.value)
            return x if inner is x.value else make_node(inner, BATCHED, (), _NO_PARAMS, x.level, None, next_seq())
        if _STAGING and x.level in _STAGING:  # (a staged value of fgrad.jit: see _STAGING)
            return x
        x = x.value
    return x


def is_staged(x: Any) -> bool:
    """Whether `x` is a value staged by `fgrad.jit` (at its outermost level)."""
    return type(x) is Node and bool(_STAGING) and x.level in _STAGING


def plain_value(x: Any) -> Any:
    """The NumPy value under every level, batch axes included (for dtypes and messages)."""
    while type(x) is Node:
        x = x.value
    return x


def is_batched(x: Any) -> bool:
    """Whether `x` is a value batched by `vmap` (at its outermost level)."""
    return type(x) is Node and x.primitive is BATCHED


def _compare(ufunc: Any, a: Any, b: Any) -> Any:
    """A comparison of values: piecewise constant, so a plain result (batched inside vmap)."""
    a, b = value_of(a), value_of(b)
    if type(a) is Node or type(b) is Node:  # batched (vmap) or staged (jit): fgrad.numpy's comparison handles it
        return ufunc(a, b)
    return _PLAIN_OPERATORS[ufunc](a, b)


# (the operators themselves on plain values: the result NumPy's `x < y` gives, scalars included)
_PLAIN_OPERATORS = {np.less: operator.lt, np.less_equal: operator.le, np.greater: operator.gt,
                    np.greater_equal: operator.ge, np.equal: operator.eq, np.not_equal: operator.ne}


class BatchedConversionError(TypeError):
    """A value batched by `vmap` was converted to a plain value (``bool(x)``, ``np.asarray(x)``).

    Each example has its own value, so no single plain value exists (JAX's
    ConcretizationTypeError). fgrad's own functions that inspect values catch this and
    run once per example instead; in your code, use ``np.where`` rather than ``if``.

    Example:
        >>> import numpy as np, fgrad
        >>> fgrad.vmap(lambda x: x if x > 0 else -x)(np.array([1.0, -2.0]))
        Traceback (most recent call last):
        ...
        fgrad.BatchedConversionError: bool() of a value batched by vmap: ...
        >>> fgrad.vmap(lambda x: np.where(x > 0, x, -x))(np.array([1.0, -2.0]))
        array([1., 2.])
    """


BatchedConversionError.__module__ = "fgrad"

def _concrete(x: "Node", conversion: str) -> Any:
    """The plain value for a Python conversion (``bool(x)``, ``int(x)``): none exists for a
    batched value; a staged one's is recorded as a guard of the program being staged."""
    v = value_of(x)
    if type(v) is Node and v.primitive is not BATCHED and v.level in _STAGING:
        return _STAGING[v.level].guard(v, conversion)
    if type(v) is Node:
        raise BatchedConversionError(
            f"{conversion}() of a value batched by vmap: each example has its own value, so Python "
            "control flow (`if x > 0:`, `int(n)`) cannot depend on it inside vmap. Compute both "
            "branches and pick with `np.where(cond, a, b)` (or fgrad.numpy.where), or loop "
            "over the examples outside vmap."
        )
    return v


def is_node(x: Any) -> bool:
    return type(x) is Node


def unwrap(x: Any) -> Any:
    """One level down: a Node's value, anything else unchanged."""
    return x.value if type(x) is Node else x


VjpRule = Callable[..., Any]


@attrs.frozen(eq=False)
class Primitive:
    """An operation fgrad knows how to differentiate.

    Attributes:
        name: display name (used in graphs and error messages).
        forward: the NumPy function computing the value from plain arrays.
        vjps: one rule per argument position, ``rule(g, ans, *args, **params)`` returning
            the cotangent for that argument given the output cotangent ``g`` and the
            output ``ans``. Rules are written with fgrad operations so that they can be
            differentiated again. ``None`` marks a non-differentiable argument.
        uses_ans: declared by the primitive's author: whether its rules read their
            ``ans`` argument, for all rules (a bool) or per rule (a tuple of bools).
            A rule declared not to read it is passed ``ans=None``, and the backward
            walk frees the output before that rule runs. Default True, always safe.
        reads_ans: derived from `vjps` and `uses_ans`: whether each rule gets ``ans``;
            None when the rules are not a tuple (variadic primitives), meaning "they do".
        complex_ok: derived: whether complex values may pass (a user's rules, or fgrad's own
            rules listed in `fgrad._complex.COMPLEX_RULES`).
        checks_cotangents: derived from `vjps`: whether the backward walk checks the
            rules' cotangents against their arguments' shapes (rules not written in fgrad).
        lends_cotangent: derived from `vjps`: whether each rule may write its result into
            a `g` the walk lends it (see `fgrad._rules.overwrites_cotangent`); None when
            no rule may, the common case the walk tests first.
    """

    name: str
    forward: Callable[..., Any]
    vjps: tuple[VjpRule | None, ...] = ()
    uses_ans: bool | tuple[bool, ...] = True
    reads_ans: tuple[bool, ...] | None = attrs.field(init=False, repr=False)
    lends_cotangent: tuple[bool, ...] | None = attrs.field(init=False, repr=False)
    checks_cotangents: bool = attrs.field(init=False, repr=False)
    complex_ok: bool = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # Derived once here rather than cached by the walk in a table that would keep
        # every primitive (custom_vjp makes one per call, holding its residuals) alive.
        vjps = self.vjps
        reads = rules_reading_ans(self.name, vjps, self.uses_ans) if type(vjps) is tuple else None
        object.__setattr__(self, "reads_ans", reads)
        lends = tuple(map(rule_overwrites_cotangent, vjps)) if type(vjps) is tuple else ()
        object.__setattr__(self, "lends_cotangent", lends if True in lends else None)
        own = rules_are_fgrads_own(vjps)
        object.__setattr__(self, "checks_cotangents", not own)
        # A user's rules follow the complex convention on their own terms; fgrad's own are
        # allowed complex values only where tested for them.
        object.__setattr__(self, "complex_ok", not own or self.name in COMPLEX_RULES)

    # Pickled by reference, as the module and name it is defined under (its functions
    # are often lambdas, which cannot be pickled): see fgrad._pickle. It is immutable,
    # so a copy is the primitive itself.
    def __reduce__(self) -> tuple:
        from ._pickle import reduce_primitive

        return reduce_primitive(self)

    __copy__ = __deepcopy__ = the_record_itself


def _batched_marker(*args: Any, **params: Any) -> Any:  # pragma: no cover - never applied
    raise AssertionError("the batched-value marker is a record kind, not an operation")


# The `primitive` of a value batched by `vmap`: a Node of a batching level whose value
# holds every example along its first axis (see fgrad._batching). It is not an
# operation: such Nodes have no inputs and no rules.
BATCHED = Primitive("batched", _batched_marker)


# NumPy's arithmetic on float64 *scalars* (the `+` of np.float64) computes exactly what
# the ufunc does, same IEEE result, type and warnings, but without the ufunc machinery's
# ~0.5 µs of dispatch; in scalar-heavy code that dispatch was a third of the time of
# recording an operation. (Not power: np.power and scalar `**` differ in the last bit.)
_SCALAR_ARITHMETIC: dict[Any, Callable[[Any, Any], Any]] = {
    np.add: operator.add, np.subtract: operator.sub,
    np.multiply: operator.mul, np.true_divide: operator.truediv,
}


def _scalar_operands(a: Any, b: Any) -> bool:
    """Both float64 scalars or Python numbers, and at least one a float64 (so is the result)."""
    ta, tb = type(a), type(b)
    if ta is np.float64:
        return tb is np.float64 or tb is float or tb is int
    return tb is np.float64 and (ta is float or ta is int)


_FLOAT64 = np.dtype(np.float64)

# _INTEGER_RESULTS: `bind` hands back a result of integer or boolean dtype as the plain
# value, unrecorded (``x.astype(int)``, ``sum(x, dtype=int)``). Such a function is
# piecewise constant: its derivative is zero, as in JAX (whose integer results get
# float0, i.e. zero, cotangents). Recorded, the float cotangent would pass through the
# cast, a nonzero and wrong derivative. (A nested bind returns it plain at every level.)

# The positions of one or two traced arguments, the common cases: returned, not built.
_FIRST, _SECOND, _BOTH = (0,), (1,), (0, 1)


def split_inputs(inputs: tuple[Any, ...], level: int) -> tuple[tuple[int, ...], tuple[Any, ...]]:
    """``(argnums, args)`` of a record of trace `level` made from `inputs`.

    `argnums` are the positions of that level's Nodes among `inputs`, `args` the inputs
    with those Nodes unwrapped to their values: what the primitive was applied to.
    """
    n = len(inputs)
    if n == 2:
        a, b = inputs
        if type(a) is Node and a.level == level:
            if type(b) is Node and b.level == level:
                return _BOTH, (a.value, b.value)
            return _FIRST, (a.value, b)
        if type(b) is Node and b.level == level:
            return _SECOND, (a, b.value)
    elif n == 1:
        x = inputs[0]
        if type(x) is Node and x.level == level:
            return _FIRST, (x.value,)
    argnums = []
    args = list(inputs)
    for i, x in enumerate(inputs):
        if type(x) is Node and x.level == level:
            argnums.append(i)
            args[i] = x.value
    return tuple(argnums), tuple(args)


def top_level(values: Any) -> int:
    """The highest trace level among `values` (0 when none is a traced value)."""
    top = 0
    for v in values:
        if type(v) is Node and v.level > top:
            top = v.level
    return top


def _staged_parameters_concrete(params: Mapping[str, Any]) -> Mapping[str, Any]:
    """`params` with staged values replaced by their values, each a guard of the program
    (a static parameter is part of the compiled call, so it must be the same next time)."""
    def concrete(v: Any) -> Any:
        if type(v) is Node and v.level in _STAGING:
            return _STAGING[v.level].guard(v, "np.asarray")
        if type(v) is tuple or type(v) is list:
            return type(v)(concrete(x) for x in v)
        return v

    new = {k: concrete(v) for k, v in params.items()}
    return params if all(new[k] is v for k, v in params.items()) else new


def _batched_parameter_level(params: Mapping[str, Any]) -> int:
    """The highest level of a batched value among `params` (an index, inside a tuple too); 0 if none."""
    top = 0
    for v in params.values():
        for x in (v if type(v) is tuple or type(v) is list else (v,)):
            if type(x) is Node and x.primitive is BATCHED and x.level > top:
                top = x.level
    return top


def bind(prim: Primitive, args: Sequence[Any], params: Mapping[str, Any]) -> Any:
    """Apply `prim` to `args`, recording a Node at the highest trace level present.

    This runs once per primitive application inside a transform, so it is written for
    speed: one and two arguments, the common cases, find the top level and unwrap it
    without loops; the primitive's NumPy forward is called directly unless a
    lower-level Node is still among the arguments (nested transforms), which is the
    only case that needs to recurse.
    """
    if _STAGING and params:  # inside jit: a static parameter computed from staged values (`x[np.argmax(x)]`)
        params = _staged_parameters_concrete(params)
    if _INTERPRETERS and params:  # inside vmap: an index computed from the examples (`x[np.argmax(x)]`)
        level = _batched_parameter_level(params)
        if level > top_level(args):
            return _INTERPRETERS[level].process(prim, args, params, level)
    n = len(args)
    if n == 2:  # binary and unary, the common cases, without the bookkeeping of more
        a, b = args
        ta, tb = type(a), type(b)
        la = a.level if ta is Node else 0
        lb = b.level if tb is Node else 0
        if la >= lb:
            if not la:
                return prim.forward(a, b, **params)
            top = la
            a = a.value
            ta = type(a)
            if lb == la:
                b = b.value
                tb = type(b)
        else:
            top = lb
            b = b.value
            tb = type(b)
        if top != _TAPE_TOP and top not in _LIVE:  # (see _LIVE and _TAPE_TOP)
            raise _escaped_in_bind(prim, args, top)
        if top != _TAPE_TOP and top in _INTERPRETERS:
            return _INTERPRETERS[top].process(prim, args, params, top)
        if ta is Node or tb is Node:
            out = bind(prim, (a, b), params)
        elif params:
            out = prim.forward(a, b, **params)
        elif (ta is np.float64 or tb is np.float64) and _scalar_operands(a, b) and prim.forward in _SCALAR_ARITHMETIC:
            out = _SCALAR_ARITHMETIC[prim.forward](a, b)
        else:
            out = prim.forward(a, b)
    elif n == 1:
        x = args[0]
        if type(x) is not Node or not x.level:
            return prim.forward(x, **params)
        top = x.level
        if top != _TAPE_TOP:  # (see _LIVE and _TAPE_TOP)
            if top not in _LIVE:
                raise _escaped_in_bind(prim, args, top)
            if top in _INTERPRETERS:
                return _INTERPRETERS[top].process(prim, args, params, top)
        value = x.value
        if type(value) is Node:
            out = bind(prim, (value,), params)
        else:  # (a call with `**{}` costs more than the test)
            out = prim.forward(value, **params) if params else prim.forward(value)
    else:
        top = top_level(args)
        if not top:
            return prim.forward(*args, **params)
        if top != _TAPE_TOP:  # (see _LIVE and _TAPE_TOP)
            if top not in _LIVE:
                raise _escaped_in_bind(prim, args, top)
            if top in _INTERPRETERS:
                return _INTERPRETERS[top].process(prim, args, params, top)
        vals = []
        nested = False
        for a in args:
            if type(a) is Node:
                if a.level == top:
                    a = a.value
                    if type(a) is Node:
                        nested = True
                else:
                    nested = True
            vals.append(a)
        out = bind(prim, vals, params) if nested else prim.forward(*vals, **params)
    kind = type(out)
    if kind is np.ndarray:
        if out.dtype is not _FLOAT64:  # (float64's dtype is one object: the common case, one test)
            dtype_kind = out.dtype.kind
            if dtype_kind == "c":
                _complex_result(prim, out)
            elif dtype_kind in "biu" and not (_STAGING and top in _STAGING):  # (jit stages them too)
                return out  # see _INTEGER_RESULTS
        out.setflags(False)  # read-only (positionally: keyword parsing would double its cost)
    elif kind is Node:  # (checked by the inner bind that made it; but an integer one stays unrecorded here)
        if out.primitive is BATCHED or (_STAGING and out.level in _STAGING):
            if np.result_type(plain_value(out)).kind in "biu" and not (_STAGING and top in _STAGING):
                return out
    elif kind is not np.float64:
        if is_complex(out):
            _complex_result(prim, out)
        elif isinstance(out, np.ndarray):
            raise _subclass_result_error(prim.name, out)
        elif isinstance(out, (np.generic, int)) and np.result_type(out).kind in "biu" \
                and not (_STAGING and top in _STAGING):
            return out  # see _INTEGER_RESULTS
    if _COMPLEX.active and not prim.complex_ok:  # (a real result of complex arguments: see fgrad._complex)
        _refuse_complex_arguments(prim, args)
    # The record keeps the caller's own argument tuple (an operator's `(self, other)`,
    # NumPy's ufunc inputs): no copy, and nothing else to store (see Node.parents).
    inputs = args if type(args) is tuple else tuple(args)
    return make_node(out, prim, inputs, MappingProxyType(params) if params else _NO_PARAMS, top, None, next_seq())


def _complex_result(prim: Primitive, out: Any) -> None:
    """Let a complex result through if `prim`'s rules are right for it (see fgrad._complex)."""
    if not prim.complex_ok:
        raise unsupported_error(prim.name, out)
    mark_active()


def _refuse_complex_arguments(prim: Primitive, args: Sequence[Any]) -> None:
    for a in args:
        v = value_of(a)
        if is_complex(v):
            raise unsupported_error(prim.name, v)


def _call_problem(prim: Primitive, nargs: int, names: tuple[str, ...]) -> str:
    vjps = prim.vjps
    dummy = (None,) * (nargs + 2)
    for i in range(min(nargs, len(vjps))):
        rule = vjps[i]
        if rule is None:
            continue
        try:
            inspect.signature(rule).bind(*dummy, **dict.fromkeys(names))
        except TypeError as e:
            return (
                f"{prim.name}: these arguments are not supported on traced values ({e}), so "
                "fgrad could not differentiate the call. Pass only the arguments fgrad's "
                f"`{prim.name}` documents."
            )
        except ValueError:  # builtins without a signature: nothing to check
            continue
    return ""


def _check_call(prim: Primitive, nargs: int, names: tuple[str, ...]) -> None:
    """Refuse, at call time, arguments the VJP rules would not accept at backward time.

    Otherwise `np.sum(x, where=mask)` would compute a value and fail (or worse, drop the
    `where`) only when differentiated.
    """
    problem = _call_problem(prim, nargs, names)
    if problem:
        raise TypeError(problem)


def _refuse_traced_params(name: str, params: Mapping[str, Any]) -> None:
    for key, v in params.items():
        if type(v) is Node:
            raise TypeError(
                f"{name}: keyword argument `{key}` is a static parameter, but a traced value was "
                "passed: fgrad cannot differentiate with respect to it. Pass a constant "
                f"(`{key}=x.value`), or pass an array to differentiate positionally."
            )


def _subclass_result_error(name: str, out: np.ndarray) -> TypeError:
    """The error for a primitive whose NumPy forward returned an ndarray subclass.

    That happens when a constant argument is one (a masked array, np.matrix): the
    derivative rules know nothing of its mask or its products, so they would be wrong.
    """
    cls = type(out)
    return TypeError(
        f"{name}: a constant argument is a {array_class_name(cls)}, a subclass of "
        "np.ndarray whose meaning (a mask, matrix products, ...) fgrad's derivatives would "
        "silently ignore. Pass plain arrays: `np.asarray(c)`, or for a masked array "
        "`c.filled(value)`."
    )


def _stacked_lists(args: tuple) -> tuple | None:
    """`args` with lists/tuples holding traced values stacked (see fgrad.numpy._array_like)."""
    from .numpy._array_like import stacked_arguments

    stacked = stacked_arguments(args)
    return None if stacked is None else stacked[0]


def _make_function(prim: Primitive, doc: str | None) -> Callable[..., Any]:
    forward = prim.forward
    # Call shapes (number of positional args, or that and the keyword names) already
    # checked, each with the primitive it was checked against: the check runs once per
    # shape, and again if the rules change (defvjp).
    checked: dict[Any, Primitive] = {}

    def apply(*args: Any, **params: Any) -> Any:
        try:  # (free unless it raises: Python >= 3.11)
            for a in args:
                if type(a) is Node:
                    current = apply.primitive
                    shape = (len(args), *params) if params else len(args)
                    if checked.get(shape) is not current:
                        _check_call(current, len(args), tuple(params))
                        checked[shape] = current
                    return bind(current, args, params)
            if params:
                if _INTERPRETERS and _batched_parameter_level(params):
                    return bind(apply.primitive, args, params)
                _refuse_traced_params(prim.name, params)
            return forward(*args, **params)
        except TypeError as e:
            # NumPy could not convert a list holding a traced value (`fnp.sum([x, 1.0])`;
            # Node.__array__ raises TypeError itself, not a subclass): retry once with
            # such lists stacked into traced arrays
            stacked = _stacked_lists(args) if type(e) is TypeError or type(e) is BatchedConversionError else None
            if stacked is None:
                raise
        return apply(*stacked, **params)

    apply.primitive = prim  # type: ignore[attr-defined]
    apply.__name__ = apply.__qualname__ = prim.name
    apply.__doc__ = doc or getattr(forward, "__doc__", None)

    def _defvjp(*rules: VjpRule | None, uses_ans: bool | tuple[bool, ...] = True) -> Callable[..., Any]:
        check_definition(apply.primitive.name, apply.primitive.forward, rules)
        apply.primitive = attrs.evolve(apply.primitive, vjps=tuple(rules), uses_ans=uses_ans)  # type: ignore[attr-defined]
        return apply

    apply.defvjp = _defvjp  # type: ignore[attr-defined]
    return apply


def primitive(
    forward: Callable[..., Any],
    *vjps: VjpRule | None,
    name: str | None = None,
    doc: str | None = None,
    uses_ans: bool | tuple[bool, ...] = True,
) -> Callable[..., Any]:
    """Define a differentiable operation from a NumPy function and its VJP rules.

    Each rule ``rule(g, ans, *args, **params)`` returns the cotangent of one positional
    argument; write it with fgrad operations and the primitive differentiates to any
    order. Rules can also be attached later with ``f.defvjp(...)``. Keyword arguments
    of the returned function are static parameters (not differentiated).

    ``uses_ans=False`` declares that no rule reads ``ans`` (or a tuple says it per
    rule): the backward pass then passes ``ans=None`` and frees each output as soon
    as it can, which matters for large arrays. The default, True, is always correct.

    Example:
        >>> import numpy as np, fgrad
        >>> cube = fgrad.primitive(lambda x: x ** 3, lambda g, ans, x: g * 3 * x * x, name="cube")
        >>> fgrad.grad(cube)(2.0)
        np.float64(12.0)
        >>> fgrad.grad(fgrad.grad(cube))(2.0)
        np.float64(12.0)
        >>> halve = fgrad.primitive(lambda x: x / 2, lambda g, ans, x: g / 2, uses_ans=False)
        >>> fgrad.grad(halve)(3.0)
        np.float64(0.5)
    """
    check_definition(name or getattr(forward, "__name__", None), forward, vjps)
    prim = Primitive(name or getattr(forward, "__name__", "primitive"), forward, tuple(vjps), uses_ans)
    return _make_function(prim, doc)


def defvjp(fun: Callable[..., Any], *rules: VjpRule | None,
           uses_ans: bool | tuple[bool, ...] = True) -> Callable[..., Any]:
    """Attach VJP rules (one per positional argument) to a function made by `primitive`.

    `uses_ans` declares which rules read ``ans``, as in `primitive`.

    Example:
        >>> import numpy as np, fgrad
        >>> softplus = fgrad.primitive(lambda x: np.logaddexp(0.0, x), name="softplus")
        >>> _ = fgrad.defvjp(softplus, lambda g, ans, x: g * (1 - fgrad.numpy.exp(-ans)))
        >>> round(float(fgrad.grad(softplus)(0.0)), 6)
        0.5
    """
    if not hasattr(fun, "defvjp"):
        raise TypeError(f"defvjp: `fun` must be made by fgrad.primitive, got {fun!r}")
    return fun.defvjp(*rules, uses_ans=uses_ans)


from . import _dispatch, _ops  # noqa: E402  (Node's operators call the primitives, which need Node)
