"""Pytrees: nested containers of arrays that transforms accept and return.

Containers are tuples, lists, dicts (children ordered by key; OrderedDicts in insertion
order; defaultdicts keep their factory), ``None`` (no children),
namedtuples, frozen attrs classes (fields in order) and any type registered with
`register_pytree_node`. Everything else is a leaf.

Example:
    >>> from fgrad.tree import tree_flatten, tree_unflatten, tree_map
    >>> leaves, treedef = tree_flatten({"b": [1.0, 2.0], "a": (3.0, None)})
    >>> leaves
    [3.0, 1.0, 2.0]
    >>> tree_unflatten(treedef, [x * 10 for x in leaves])
    {'a': (30.0, None), 'b': [10.0, 20.0]}
    >>> tree_map(lambda x: x + 1, [1.0, {"k": 2.0}])
    [2.0, {'k': 3.0}]
"""

from __future__ import annotations

import collections
from typing import Any, Callable, Hashable, Iterable, Iterator

import attrs

from ._core import Node

__all__ = [
    "PyTreeDef", "register_pytree_node", "tree_flatten", "tree_unflatten", "tree_map",
    "tree_leaves", "tree_structure",
]

Flatten = Callable[[Any], "tuple[Iterable[Any], Hashable]"]
Unflatten = Callable[[Hashable, list], Any]

_REGISTRY: dict[type, tuple[Flatten, Unflatten]] = {}
# _handler's answers by type, cleared by each registration: flattening the same kinds
# of containers and leaves on every transform call need not ask attrs and the registry
# about each one again.
_HANDLERS: dict[type, "tuple[Flatten, Unflatten] | None"] = {}


def register_pytree_node(cls: type, flatten: Flatten, unflatten: Unflatten) -> None:
    """Make `cls` a container: ``flatten(obj) -> (children, aux)``, ``unflatten(aux, children) -> obj``.

    Example:
        >>> import fgrad
        >>> class Pair:
        ...     def __init__(self, a, b): self.a, self.b = a, b
        >>> fgrad.tree.register_pytree_node(Pair, lambda p: ((p.a, p.b), None), lambda _, c: Pair(*c))
        >>> g = fgrad.grad(lambda p: p.a * p.b)(Pair(2.0, 5.0))
        >>> (float(g.a), float(g.b))
        (5.0, 2.0)
    """
    if not isinstance(cls, type):
        raise TypeError(f"register_pytree_node: `cls` must be a type, got {cls!r}")
    if not (callable(flatten) and callable(unflatten)):
        raise TypeError("register_pytree_node: `flatten` and `unflatten` must be callable")
    _REGISTRY[cls] = (flatten, unflatten)
    _HANDLERS.clear()


register_pytree_node(tuple, lambda t: (t, None), lambda _, c: tuple(c))
register_pytree_node(list, lambda t: (t, None), lambda _, c: list(c))
register_pytree_node(type(None), lambda t: ((), None), lambda _, c: None)


def _dict_flatten(d: dict) -> tuple[list, tuple]:
    keys = tuple(sorted(d))
    return [d[k] for k in keys], keys


register_pytree_node(dict, _dict_flatten, lambda keys, c: dict(zip(keys, c)))
# An OrderedDict's order is its meaning: children in insertion order.  A defaultdict
# keeps its default factory (static data) and, like dict, orders children by key.
register_pytree_node(
    collections.OrderedDict,
    lambda d: (list(d.values()), tuple(d)),
    lambda keys, c: collections.OrderedDict(zip(keys, c)),
)
def _defaultdict_flatten(d: collections.defaultdict) -> tuple[list[Any], Any]:
    children, keys = _dict_flatten(d)
    return children, (d.default_factory, keys)


register_pytree_node(
    collections.defaultdict,
    _defaultdict_flatten,
    lambda aux, c: collections.defaultdict(aux[0], zip(aux[1], c)),
)


def _attrs_init_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in attrs.fields(cls))


def _handler(cls: type) -> tuple[Flatten, Unflatten] | None:
    """The (flatten, unflatten) pair for container type `cls`, or None for a leaf type."""
    try:
        return _HANDLERS[cls]
    except KeyError:
        pass
    handler = _find_handler(cls)
    if len(_HANDLERS) < 10_000:  # types made on the fly must not grow it forever
        _HANDLERS[cls] = handler
    return handler


def _find_handler(cls: type) -> tuple[Flatten, Unflatten] | None:
    handler = _REGISTRY.get(cls)
    if handler is not None:
        return handler
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):  # namedtuple
        return (lambda t: (tuple(t), None)), (lambda _, c: cls(*c))
    if attrs.has(cls) and cls is not Node:  # a traced value is a leaf, not a record to open
        names = _attrs_init_names(cls)
        return (
            (lambda o: ([getattr(o, n) for n in names], None)),
            (lambda _, c: _rebuild_attrs(cls, c)),
        )
    return None


def _rebuild_attrs(cls: type, children: list) -> Any:
    fields = attrs.fields(cls)
    init_kwargs = {f.alias: v for f, v in zip(fields, children) if f.init}
    obj = cls(**init_kwargs)
    # Fields with init=False are restored as the container held them.
    for f, v in zip(fields, children):
        if not f.init:
            object.__setattr__(obj, f.name, v)
    return obj


@attrs.frozen
class PyTreeDef:
    """The structure of a pytree: its container types and their static data, without leaves."""

    kind: Any  # the container type, or None for a leaf
    aux: Any = None
    children: tuple["PyTreeDef", ...] = ()

    @property
    def num_leaves(self) -> int:
        if self.kind is None:
            return 1
        return _sum_leaves(self.children)

    def __repr__(self) -> str:
        if self.kind is None:
            return "*"
        inner = ", ".join(map(repr, self.children))
        return f"{getattr(self.kind, '__name__', self.kind)}({inner})"


def _sum_leaves(children: tuple[PyTreeDef, ...]) -> int:
    total = 0
    for c in children:
        total += c.num_leaves
    return total


_LEAF = PyTreeDef(None)


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list, PyTreeDef]:
    """Leaves of `tree` in a fixed order, and its structure (for `tree_unflatten`)."""
    handler = _handler_of(tree, is_leaf)
    if handler is None:
        return [tree], _LEAF
    leaves: list = []
    return leaves, _flatten_into(tree, handler, leaves, is_leaf)


# (module-level, not closures: a recursive closure is a reference cycle that would keep
# the leaves, and the graphs behind traced ones, alive until the cyclic collector runs)
def _handler_of(node: Any, is_leaf: Callable[[Any], bool] | None) -> tuple[Flatten, Unflatten] | None:
    return None if (is_leaf is not None and is_leaf(node)) else _handler(type(node))


def _flatten_into(node: Any, handler: tuple[Flatten, Unflatten], leaves: list,
                  is_leaf: Callable[[Any], bool] | None) -> PyTreeDef:
    children, aux = handler[0](node)
    defs = []
    for c in children:  # leaves inline: most children are leaves
        h = _handler_of(c, is_leaf)
        if h is None:
            leaves.append(c)
            defs.append(_LEAF)
        else:
            defs.append(_flatten_into(c, h, leaves, is_leaf))
    return PyTreeDef(type(node), aux, tuple(defs))


def _build(td: PyTreeDef, it: Iterator[Any]) -> Any:
    children = [next(it) if c.kind is None else _build(c, it) for c in td.children]
    return _handler(td.kind)[1](td.aux, children)


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
    """Rebuild a pytree of structure `treedef` from `leaves`."""
    it = iter(leaves)
    try:
        out = next(it) if treedef.kind is None else _build(treedef, it)
    except StopIteration:
        raise ValueError(f"tree_unflatten: too few leaves for structure {treedef!r}") from None
    if next(it, _SENTINEL) is not _SENTINEL:
        raise ValueError(f"tree_unflatten: too many leaves for structure {treedef!r}")
    return out


_SENTINEL = object()


def tree_leaves(tree: Any) -> list:
    """The leaves of `tree`, in flattening order."""
    return tree_flatten(tree)[0]


def tree_structure(tree: Any) -> PyTreeDef:
    """The structure of `tree` without its leaves."""
    return tree_flatten(tree)[1]


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """Apply `f` to corresponding leaves of `tree` and of each tree in `rest` (same structure).

    Example:
        >>> from fgrad.tree import tree_map
        >>> tree_map(lambda a, b: a + b, {"x": 1.0, "y": [2.0]}, {"x": 10.0, "y": [20.0]})
        {'x': 11.0, 'y': [22.0]}
    """
    leaves, treedef = tree_flatten(tree)
    others = []
    for i, r in enumerate(rest):
        r_leaves, r_def = tree_flatten(r)
        if r_def != treedef:
            raise ValueError(
                f"tree_map: tree {i + 1} has structure {r_def!r}, expected {treedef!r}"
            )
        others.append(r_leaves)
    return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])
