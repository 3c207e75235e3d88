"""`vmap`: map a function over an axis of its arguments, as one batched computation."""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from ._array_api import ArrayAPIValue, unwrapped, wrapped
from ._backend import is_foreign
from ._batching import BatchInterpreter, batched_value, broadcast_batch
from ._core import BATCHED, Node, end_level, new_level
from ._ops import shape_of
from ._transforms import check_callable
from .tree import _handler_of, tree_flatten, tree_leaves, tree_unflatten

__all__ = ["vmap"]

def _is_axis(x: Any) -> bool:
    return x is None or (isinstance(x, (int, np.integer)) and not isinstance(x, bool))


def _broadcast_prefix(prefix: Any, tree: Any, where: str, what: str) -> list:
    """One axis per leaf of `tree` from `prefix`, a pytree prefix of it (JAX's in_axes/out_axes)."""
    if _is_axis(prefix):
        return [prefix] * len(tree_leaves(tree))
    prefix_handler, tree_handler = _handler_of(prefix, None), _handler_of(tree, None)
    if prefix_handler is None:
        raise TypeError(f"vmap: {what} must hold ints or None, got {prefix!r} for {where}")
    p_children, p_aux = prefix_handler[0](prefix)
    if tree_handler is None or type(prefix) is not type(tree):
        raise ValueError(f"vmap: {what} {prefix!r} for {where} is a {type(prefix).__name__}, but {where} is "
                         f"a {type(tree).__name__}: {what} must be an int, None, or a pytree prefix of it")
    t_children, t_aux = tree_handler[0](tree)
    if len(p_children) != len(t_children) or p_aux != t_aux:
        raise ValueError(f"vmap: {what} for {where} has {len(p_children)} entries, but {where} has "
                         f"{len(t_children)}: it must be a pytree prefix of it")
    axes = []
    for k, (p, t) in enumerate(zip(p_children, t_children)):
        axes += _broadcast_prefix(p, t, f"{where}[{k}]", what)
    return axes


def _is_array(x: Any) -> bool:
    return type(x) is np.ndarray or type(x) is Node or type(x) is float or type(x) is np.float64


def _normalized(axis: int, ndim: int, where: str) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"vmap: in_axes asks for axis {axis} of {where}, which has {ndim} "
                         f"dimension{'s' if ndim != 1 else ''}")
    return axis % ndim


def _move(x: Any, source: int, destination: int) -> Any:
    if source == destination:
        return x
    from .numpy._shape import moveaxis

    return moveaxis(x, source, destination)


def vmap(fun: Callable[..., Any], in_axes: Any = 0, out_axes: Any = 0,
         axis_size: int | None = None) -> Callable[..., Any]:
    """Vectorize `fun` over an axis of its arguments: one batched call instead of a loop.

    ``vmap(f)(xs)`` equals ``np.stack([f(x) for x in xs])``, computed by running `f`
    once on whole batches: every primitive applies a batching rule (elementwise
    functions broadcast, reductions move their ``axis``, linear algebra works on
    stacks), so `f` is written for one example and sees one (``x.shape`` is an
    example's shape). JAX's semantics:

    - `in_axes`: an int (the mapped axis of every argument), None (not mapped), or a
      tuple with one entry per positional argument, each an int, None or a pytree
      prefix of that argument. Keyword arguments are mapped along axis 0.
    - `out_axes`: where the mapped axis goes in each output (same forms; None only for
      outputs that do not depend on a mapped argument).
    - `axis_size`: the number of examples, needed only when no argument is mapped.

    It composes with every transform in any order: ``vmap(grad(f))`` gives
    per-example gradients, ``grad(lambda w: vmap(f, (None, 0))(w, X).sum())``
    differentiates through a batch, ``vmap(vmap(f))`` maps two axes. Python control
    flow that depends on a mapped value is refused (each example would take its own
    branch): use ``np.where``.

    Example:
        >>> import numpy as np, fgrad
        >>> xs = np.array([1.0, 2.0, 3.0])
        >>> fgrad.vmap(fgrad.grad(lambda x: x ** 3))(xs)
        array([ 3., 12., 27.])
        >>> W = np.array([[1.0, 2.0], [3.0, 4.0]])
        >>> fgrad.vmap(lambda w, x: w @ x, in_axes=(None, 0))(W, np.eye(2))
        array([[1., 3.],
               [2., 4.]])
    """
    check_callable(fun, "vmap")
    if not (_is_axis(in_axes) or isinstance(in_axes, (tuple, list))):
        raise TypeError(f"vmap: in_axes must be an int, None or a tuple with one entry per positional argument "
                        f"(each an int, None or a pytree prefix of the argument), got {in_axes!r}")
    if axis_size is not None and (not isinstance(axis_size, (int, np.integer)) or axis_size < 0):
        raise TypeError(f"vmap: axis_size must be a non-negative int, got {axis_size!r}")

    @functools.wraps(fun)
    def batched_fun(*args: Any, **kwargs: Any) -> Any:
        axes_spec = in_axes
        if isinstance(in_axes, list):
            axes_spec = tuple(in_axes)
        if isinstance(axes_spec, tuple) and len(axes_spec) != len(args):
            raise ValueError(f"vmap: in_axes has {len(axes_spec)} entries but the function was called with "
                             f"{len(args)} positional arguments")
        leaves, treedef = tree_flatten(args)
        if _is_axis(axes_spec):
            axes = [axes_spec] * len(leaves)
        elif len(leaves) == len(args) and all(map(_is_array, args)):  # (one leaf per argument: the axes as given)
            axes = list(axes_spec)
            for a in axes:
                if not _is_axis(a):
                    raise TypeError(f"vmap: in_axes must hold ints or None for array arguments, got {a!r}")
        else:
            axes = []
            for i, (spec, arg) in enumerate(zip(axes_spec, args)):
                axes += _broadcast_prefix(spec, arg, f"argument {i}", "in_axes")
        kw_leaves, kw_def = tree_flatten(kwargs) if kwargs else ([], None)
        all_leaves = leaves + kw_leaves
        all_axes = axes + [0] * len(kw_leaves)
        labels = _Labels(args, kwargs)  # (built only for an error message)
        sizes = []
        normalized = []
        for k, (leaf, axis) in enumerate(zip(all_leaves, all_axes)):
            if axis is None:
                normalized.append(None)
                continue
            shape = shape_of(leaf)
            if not shape:
                raise ValueError(f"vmap: in_axes maps axis {axis} of {labels[k]}, but it is a scalar (0-d); "
                                 "use None in in_axes for arguments that are not mapped")
            if not -len(shape) <= axis < len(shape):
                _normalized(axis, len(shape), labels[k])
            ax = axis % len(shape)
            normalized.append(ax)
            sizes.append((k, ax, shape[ax]))
        size = _common_size(sizes, axis_size, labels)
        level = new_level("vmap", fun, BatchInterpreter(size))
        try:
            held = [wrapped(leaf) for leaf in all_leaves]  # (array-API arrays: in the adapter)
            wrapped_leaves = [leaf if ax is None else batched_value(_move(_readable(leaf), ax, 0), level)
                              for leaf, ax in zip(held, normalized)]
            call_args = tree_unflatten(treedef, wrapped_leaves[:len(leaves)])
            call_kwargs = tree_unflatten(kw_def, wrapped_leaves[len(leaves):]) if kwargs else {}
            out = fun(*call_args, **call_kwargs)
            out_leaves, out_def = tree_flatten(out)
            out_spec = [out_axes] * len(out_leaves) if _is_axis(out_axes) else \
                _broadcast_prefix(out_axes, out, "the output", "out_axes")
            results = [_unbatch(o, ax, level, size, k) for k, (o, ax) in enumerate(zip(out_leaves, out_spec))]
        finally:
            end_level(level)
        library_input = next((leaf for leaf, ax in zip(held, normalized) if ax is not None and is_foreign(leaf)),
                             None)
        if library_input is not None:  # (an output the same for every example: in the examples' library too)
            results = [np.asarray(r, like=library_input) if type(r) is np.ndarray else r for r in results]
        if any(type(leaf) is ArrayAPIValue for leaf in held):  # (the caller's library's own arrays back)
            results = [unwrapped(r) for r in results]
        return tree_unflatten(out_def, [_unaliased(r, all_leaves) for r in results])

    return batched_fun


def _readable(x: Any) -> Any:
    """A plain array argument as a read-only view: fgrad never writes into what the caller passed."""
    if type(x) is np.ndarray and x.flags.writeable:
        x = x.view()
        x.flags.writeable = False
    return x


class _Labels:
    """"argument 1", "keyword argument 'x'": the name of each flat leaf, made on demand."""

    def __init__(self, args: tuple, kwargs: dict) -> None:
        self.args, self.kwargs = args, kwargs

    def __getitem__(self, k: int) -> str:
        names = [f"argument {i}" for i, a in enumerate(self.args) for _ in tree_leaves(a)]
        names += [f"keyword argument {key!r}" for key, v in self.kwargs.items() for _ in tree_leaves(v)]
        return names[k]


def _common_size(sizes: list, axis_size: int | None, labels: _Labels) -> int:
    if not sizes:
        if axis_size is None:
            raise ValueError("vmap: no argument is mapped (every in_axes entry is None), so the number of "
                             "examples is unknown: pass axis_size=")
        return int(axis_size)
    first = sizes[0][2]
    if any(n != first for _, _, n in sizes) or (axis_size is not None and axis_size != first):
        listed = "; ".join(f"{labels[k]} has size {n} along axis {ax}" for k, ax, n in sizes)
        extra = f"; axis_size={axis_size}" if axis_size is not None else ""
        raise ValueError(f"vmap got inconsistent sizes for the mapped axes: {listed}{extra}")
    return first


def _unbatch(o: Any, axis: Any, level: int, size: int, k: int) -> Any:
    """Output leaf `o` of the batched call with its examples along `axis` of the result."""
    mine = type(o) is Node and o.primitive is BATCHED and o.level == level
    if axis is None:
        if mine:
            raise ValueError(f"vmap: out_axes is None for output leaf {k}, but it depends on a mapped "
                             "argument (it differs between examples)")
        return o
    if not _is_axis(axis):
        raise TypeError(f"vmap: out_axes must hold ints or None, got {axis!r}")
    value = o.value if mine else broadcast_batch(o, size)
    nd = len(shape_of(value))
    if not -nd <= axis < nd:
        raise ValueError(f"vmap: out_axes puts the mapped axis at {axis} for output leaf {k}, which has "
                         f"{nd} dimensions with it")
    return _move(value, 0, axis % nd)


def _unaliased(result: Any, inputs: list) -> Any:
    """A plain result as an array of its own: a view, a broadcast or an unmapped argument
    handed back is copied (fgrad never returns what the caller passed)."""
    if type(result) is np.ndarray and (result.base is not None or not result.flags.writeable
                                       or any(result is x for x in inputs)):
        return np.array(result)
    return result
