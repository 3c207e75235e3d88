"""The batching interpreter: what `bind` does at a level opened by `fgrad.vmap`.

A value batched by vmap is a `Node` of that level whose primitive is `BATCHED` and
whose value holds every example along its first axis (the batch axis is always 0
inside, whatever ``in_axes`` said; `fgrad.vmap` moves it there and back). The
function being vmapped sees one example: ``x.shape`` is the per-example shape.

`bind` hands every primitive application whose highest level is a batching level to
`BatchInterpreter.process`: the batched arguments are unwrapped to their values (one
level down, which may be an outer transform's Nodes), the primitive's batching rule
applies the primitive to whole batches, and the result is wrapped again. Rules live in
`BATCH_RULES`, keyed by the primitive's forward function (stable when `defvjp`
replaces a primitive's rules); they are written with fgrad operations, so the work
they do is recorded by the levels below (``grad(vmap(f))``). A primitive without a
rule runs once per example (`loop_rule`): always correct, only slower; the primitives
that still do are listed by `looping_primitives`.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ._complex import mark_active, unsupported_error
from ._core import (
    BATCHED, _NO_PARAMS, BatchedConversionError, Node, Primitive, bind, end_level, make_node, new_level, next_seq,
    plain_value,
)
from ._ops import broadcast_to, getitem, reshape, shape_of

__all__ = ["BatchInterpreter", "BATCH_RULES", "batched_value", "batching_rule", "loop_rule", "batch_plain",
           "has_batched", "per_example_ndim"]

# rule(prim, values, batched, params, size) -> the batched result (batch axis 0)
BatchRule = Callable[[Primitive, list, list, Any, int], Any]
BATCH_RULES: dict[Any, BatchRule] = {}


def batching_rule(*forwards: Any) -> Callable[[BatchRule], BatchRule]:
    """Decorator: register a rule for the primitives whose forward is one of `forwards`."""
    def register(rule: BatchRule) -> BatchRule:
        for f in forwards:
            BATCH_RULES[f] = rule
        return rule
    return register


def batched_value(value: Any, level: int) -> Node:
    """The batched value of `level` holding `value` (its examples along axis 0)."""
    if type(value) is Node and value.level >= level:  # (levels nest outside in: never the other way)
        raise TypeError(
            "vmap: a computation that runs once per example here (it looks at values, e.g. a mask or a "
            "sort) used a batched value it was not given as an argument, such as one captured by a "
            "lambda; pass that value as an argument, or compute the result with fgrad operations")
    return make_node(value, BATCHED, (), _NO_PARAMS, level, None, next_seq())


_make_batched = make_node


def per_example_ndim(value: Any, batched: bool) -> int:
    """The number of axes one example of `value` has."""
    n = len(shape_of(value))
    return n - 1 if batched else n


class BatchInterpreter:
    """Applies primitives to whole batches at one vmap level (of `size` examples)."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        _install_rules()  # (the rules of fgrad modules imported since the last batch)
        self.size = size

    def process(self, prim: Primitive, args: Sequence[Any], params: Any, level: int) -> Node:
        values = list(args)
        batched = [False] * len(values)
        for i, a in enumerate(args):
            if type(a) is Node and a.level == level:
                values[i] = a.value
                batched[i] = True
        if params and _has_batched_parameter(params, level):  # (an index computed from examples: `x[np.argmax(x)]`)
            out = _loop_with_parameters(prim, values, batched, params, level, self.size)
        else:
            out = BATCH_RULES.get(prim.forward, loop_rule)(prim, values, batched, params, self.size)
        plain = out if type(out) is np.ndarray else plain_value(out)
        if getattr(plain, "dtype", None) is not None and plain.dtype.kind == "c":
            if not prim.complex_ok:  # (as `bind` checks a complex result)
                raise unsupported_error(prim.name, plain)
            mark_active()
        if type(out) is Node and out.level >= level:
            batched_value(out, level)  # (raises: see there)
        return _make_batched(out, BATCHED, (), _NO_PARAMS, level, None, next_seq())


# ---------------------------------------------------------------- helpers for rules
@contextlib.contextmanager
def batching_level(size: int, transform: str, fun: Any = None) -> Iterator[int]:
    """A vmap level of `size` examples, live for the ``with`` block (the transforms' own batches)."""
    level = new_level(transform, fun, BatchInterpreter(size))
    try:
        yield level
    finally:
        end_level(level)


def unbatched_rows(x: Any, level: int, size: int) -> Any:
    """`x`, a result computed at `level`, as ``size`` stacked rows: the examples of a batched
    value, or `size` copies of a value that is the same for every example."""
    if type(x) is Node and x.primitive is BATCHED and x.level == level:
        return x.value
    return broadcast_batch(x, size)


def take_example(value: Any, i: int) -> Any:
    """Example `i` of a batched value (differentiable when `value` is traced)."""
    return getitem(value, idx=i) if type(value) is Node else value[i]


def stack_examples(pieces: list[Any]) -> Any:
    """The batch made of one result per example (axis 0)."""
    from .numpy._shape import stack

    return stack(pieces)


def _has_batched_parameter(params: Any, level: int) -> bool:
    for v in params.values():
        items = v if type(v) in (list, tuple) else (v,)
        if any(type(x) is Node and x.level == level for x in items):
            return True
    return False


def _loop_with_parameters(prim: Primitive, values: list, batched: list, params: Any, level: int, size: int) -> Any:
    """`loop_rule` for a primitive whose parameters (an index) hold batched values too."""
    pieces = []
    for i in range(size):
        p_i = {k: _example(v, level, i) for k, v in params.items()}
        pieces.append(bind(prim, [take_example(v, i) if b else v for v, b in zip(values, batched)], p_i))
    return stack_examples(pieces)


def examples_apart_if_needed(fun: Callable[..., Any]) -> Callable[..., Any]:
    """`fun` (a transformed function), run once per example when inside vmap it looks at values.

    A transform traces `fun`'s values at its own level, above the vmap level, where
    the examples cannot be taken apart; its whole call can (see `per_example`).
    """
    import functools

    @functools.wraps(fun)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fun(*args, **kwargs)
        except BatchedConversionError:
            if not (has_batched(args) or has_batched(tuple(kwargs.values()))):
                raise
            return per_example(fun, args, kwargs)
    return run


def examples_apart(fun: Callable[..., Any]) -> Callable[..., Any]:
    """`fun`, run once per example when given batched values (for functions that look at values)."""
    import functools

    @functools.wraps(fun)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_batched(args) or has_batched(tuple(kwargs.values())):
            return per_example(fun, args, kwargs)
        return fun(*args, **kwargs)
    return run


def loop_rule(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    """Apply `prim` to one example at a time and stack the results: right for any primitive."""
    return stack_examples([
        bind(prim, [take_example(v, i) if b else v for v, b in zip(values, batched)], params)
        for i in range(size)
    ])


def broadcast_batch(value: Any, size: int) -> Any:
    """An unbatched `value` as a batch of `size` copies (a broadcast view, not a copy)."""
    return broadcast_to(value, shape=(size, *shape_of(value)))


def align_examples(values: list, batched: list, ndim: int | None = None) -> list:
    """Batched values reshaped so their batch axis lines up with the others' under broadcasting.

    Each example is given leading unit axes up to `ndim` axes (default: the most any
    argument has per example); unbatched values broadcast from the right as they are.
    """
    shapes = [shape_of(v) for v in values]
    ndims = [len(s) - 1 if b else len(s) for s, b in zip(shapes, batched)]
    if ndim is None:
        ndim = max(ndims)
    out = values
    for i, b in enumerate(batched):
        if b and ndims[i] < ndim:
            if out is values:
                out = list(values)
            shape = shapes[i]
            out[i] = reshape(values[i], shape=(shape[0],) + (1,) * (ndim - ndims[i]) + tuple(shape[1:]))
    return out


def has_batched(args: Sequence[Any]) -> bool:
    """Whether a batched value is among `args` (or inside a list or tuple argument)."""
    for a in args:
        if type(a) is Node and a.primitive is BATCHED:
            return True
        if type(a) in (list, tuple) and has_batched(a):
            return True
    return False



def _top_batched_level(args: Sequence[Any]) -> int:
    top = 0
    for a in args:
        if type(a) is Node and a.primitive is BATCHED:
            top = max(top, a.level)
        elif type(a) in (list, tuple):
            top = max(top, _top_batched_level(a))
    return top


def _unwrap_level(x: Any, level: int) -> tuple[Any, bool]:
    if type(x) is Node and x.primitive is BATCHED and x.level == level:
        return x.value, True
    return x, False


# Plain NumPy functions that read only shapes and dtypes: inside vmap they must see one
# example, so each batched argument is replaced by a stand-in of the example's shape.
SHAPE_ONLY_PLAIN = frozenset({
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj,
    np.zeros_like, np.ones_like, np.empty_like,
})


def _stand_in(x: Any) -> Any:
    """A zero-stride array with the shape and dtype of one example of `x`."""
    v = plain_value(x)
    return np.broadcast_to(np.zeros((), dtype=v.dtype), x.shape)


def batch_plain(np_func: Any, fun: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """``fun(*args, **kwargs)`` for a piecewise-constant NumPy function given batched values.

    Elementwise ufuncs run once on the aligned batches; shape and dtype queries see one
    example; anything else runs once per example. The result is batched like its inputs.
    """
    if np_func in SHAPE_ONLY_PLAIN:
        swap = lambda a: _stand_in(a) if type(a) is Node and a.primitive is BATCHED else a  # noqa: E731
        return np_func(*map(swap, args), **{k: swap(v) for k, v in kwargs.items()})
    level = _top_batched_level((*args, *kwargs.values()))
    direct = isinstance(np_func, np.ufunc) and len(args) == np_func.nin and not any(
        type(v) in (list, tuple) for v in (*args, *kwargs.values()))
    if not direct:
        return per_example(fun, args, kwargs)
    unwrapped = [_unwrap_level(a, level) for a in args]
    values = [v for v, _ in unwrapped]
    batched = [b for _, b in unwrapped]
    kw = {k: _unwrap_level(v, level) for k, v in kwargs.items()}
    if any(b for _, b in kw.values()):  # (a batched `where=`)
        return per_example(fun, args, kwargs)
    out = fun(*align_examples(values, batched), **{k: v for k, (v, _) in kw.items()})
    return batched_value(out, level)


def per_example(fun: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """``fun(*args, **kwargs)`` run once per example of the outermost batched level, results stacked.

    The fallback for code that looks at values (a mask computed with NumPy, a sort,
    Python control flow in a rule): right for anything, one call per example.
    """
    from .tree import tree_flatten, tree_unflatten

    level = _top_batched_level((*args, *kwargs.values()))
    if _top_level((*args, *kwargs.values())) > level:
        # A transform inside vmap traces these values: its examples cannot be taken apart
        # here, below that transform's level (the transform's own call is, see
        # fgrad._transforms), so the conversion error goes on up to it.
        raise BatchedConversionError(
            "a value batched by vmap was converted to a plain value inside a transform applied within "
            "vmap; compute it with fgrad operations (np.where rather than Python control flow)")
    size = _size_at(level, (*args, *kwargs.values()))
    results = []
    for i in range(size):
        a_i = [_example(a, level, i) for a in args]
        kw_i = {k: _example(v, level, i) for k, v in kwargs.items()}
        results.append(tree_flatten(fun(*a_i, **kw_i)))
    treedef = results[0][1]
    leaves = [batched_value(stack_examples([r[0][j] for r in results]), level)
              for j in range(len(results[0][0]))]
    return tree_unflatten(treedef, leaves)


def _top_level(args: Sequence[Any]) -> int:
    """The highest level of any traced value among `args` (inside lists and tuples too)."""
    top = 0
    for a in args:
        if type(a) is Node:
            top = max(top, a.level)
        elif type(a) in (list, tuple):
            top = max(top, _top_level(a))
    return top


def _example(x: Any, level: int, i: int) -> Any:
    """Example `i` of `x` at `level` (inside lists and tuples too); `x` itself if not batched there."""
    if type(x) is Node and x.primitive is BATCHED and x.level == level:
        return take_example(x.value, i)
    if type(x) in (list, tuple):
        return type(x)(_example(v, level, i) for v in x)
    return x


def _size_at(level: int, args: Sequence[Any]) -> int:
    for x in args:
        if type(x) is Node and x.primitive is BATCHED and x.level == level:
            return _batch_size(x.value)
        if type(x) in (list, tuple):
            try:
                return _size_at(level, x)
            except StopIteration:
                pass
    raise StopIteration


def _batch_size(value: Any) -> int:
    return shape_of(value)[0]


from ._batching_rules import install as _install_rules  # noqa: E402  (the rules import this module)
