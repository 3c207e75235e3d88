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
    try:
        keys = tuple(sorted(d))
    except TypeError:
        raise _unsortable_keys(d) from None
    return [d[k] for k in keys], keys


def _unsortable_keys(d: dict) -> TypeError:
    """The error for a dict whose keys cannot be sorted (a pytree orders a dict's children by key)."""
    kinds = sorted({type(k).__name__ for k in d})
    what = f"keys of types {', '.join(kinds)}" if len(kinds) > 1 else f"{kinds[0]} keys that cannot be compared"
    return TypeError(
        f"pytree: a {type(d).__name__} is flattened in the order of its sorted keys, but this one "
        f"has {what}: {list(d)!r:.200}. Use keys of one type (e.g. all str), or a "
        "collections.OrderedDict, whose children keep insertion order."
    )


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


@attrs.frozen(eq=False)
class PyTreeDef:
    """The structure of a pytree: its container types and their static data, without leaves.

    Comparison, hashing and printing walk the structure with an explicit stack, so a
    structure thousands of containers deep works like any other.

    Example:
        >>> from fgrad.tree import tree_structure
        >>> tree_structure({"b": [1.0, 2.0], "a": (3.0, None)})
        {'a': tuple(*, NoneType()), 'b': list(*, *)}
        >>> tree_structure({"a": 1.0}) == tree_structure({"a": 2.0}), tree_structure([1.0]).num_leaves
        (True, 1)
    """

    kind: Any  # the container type, or None for a leaf
    aux: Any = None
    children: tuple["PyTreeDef", ...] = ()

    @property
    def num_leaves(self) -> int:
        return sum(1 for t in _preorder(self) if t.kind is None)

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, PyTreeDef):
            return NotImplemented
        pairs = [(self, other)]
        while pairs:
            a, b = pairs.pop()
            if a is b:
                continue
            if a.kind != b.kind or len(a.children) != len(b.children) or not (a.aux is b.aux or a.aux == b.aux):
                return False
            pairs.extend(zip(a.children, b.children))
        return True

    def __hash__(self) -> int:
        return hash(tuple((t.kind, t.aux, len(t.children)) for t in _preorder(self)))

    def __repr__(self) -> str:
        return _structure_text(self)


def _preorder(td: PyTreeDef) -> Iterator[PyTreeDef]:
    stack = [td]
    while stack:
        t = stack.pop()
        yield t
        stack.extend(reversed(t.children))


def _child_names(kind: Any, aux: Any) -> tuple[str, Any] | None:
    """How a container's children are named: ("key", its keys), ("field", field names), or None (by position)."""
    if kind is dict or kind is collections.OrderedDict:
        return "key", aux
    if kind is collections.defaultdict:
        return "key", aux[1]
    if isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields"):  # namedtuple
        return "field", kind._fields
    if isinstance(kind, type) and attrs.has(kind) and kind is not Node:
        return "field", [f.name for f in attrs.fields(kind)]
    return None


def _child_labels(td: PyTreeDef) -> list[str] | None:
    """The prefixes of `td`'s children in its text: ``'a': `` for keys, ``x=`` for fields."""
    names = _child_names(td.kind, td.aux)
    if names is None:
        return None
    return [f"{n!r}: " if names[0] == "key" else f"{n}=" for n in names[1]]


def path_steps(kind: Any, aux: Any, n: int) -> list[str]:
    """The steps of a path to each of the `n` children of a container (type `kind`, static
    data `aux`): ``['a']`` for a key, ``.x`` for a field, ``[0]`` by position.

    Example:
        >>> path_steps(dict, ("a", "b"), 2), path_steps(list, None, 2)
        (["['a']", "['b']"], ['[0]', '[1]'])
    """
    names = _child_names(kind, aux)
    if names is None:
        return [f"[{i}]" for i in range(n)]
    return [f"[{name!r}]" if names[0] == "key" else f".{name}" for name in names[1]]


def _opening(td: PyTreeDef) -> tuple[str, str]:
    name = getattr(td.kind, "__name__", str(td.kind))
    if td.kind is dict:
        return "{", "}"
    if td.kind is collections.OrderedDict or td.kind is collections.defaultdict:
        return name + "({", "})"
    return name + "(", ")"


def _structure_text(td: PyTreeDef) -> str:
    """``*`` for a leaf, ``list(*, *)``, ``{'a': *, 'b': *}``, ``Point(x=*, y=*)``: keys and
    fields are shown, so two structures that differ can be told apart."""
    parts: list[str] = []
    # Work items: a structure to write, or a literal piece of text.
    work: list[Any] = [td]
    while work:
        item = work.pop()
        if type(item) is str:
            parts.append(item)
            continue
        if item.kind is None:
            parts.append("*")
            continue
        opening, closing = _opening(item)
        labels = _child_labels(item) or [""] * len(item.children)
        parts.append(opening)
        todo: list[Any] = []
        for i, (label, child) in enumerate(zip(labels, item.children)):
            todo += [", " + label if i else label, child]
        todo.append(closing)
        work.extend(reversed(todo))
    return "".join(parts)


_LEAF = PyTreeDef(None)


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list, PyTreeDef]:
    """Leaves of `tree` in a fixed order, and its structure (for `tree_unflatten`)."""
    handler = _handler_of(tree, is_leaf)
    if handler is None:
        return [tree], _LEAF
    leaves: list = []
    return leaves, _flatten_into(tree, handler, leaves, is_leaf)


def _handler_of(node: Any, is_leaf: Callable[[Any], bool] | None) -> tuple[Flatten, Unflatten] | None:
    return None if (is_leaf is not None and is_leaf(node)) else _handler(type(node))


def _flatten_into(root: Any, handler: tuple[Flatten, Unflatten], leaves: list,
                  is_leaf: Callable[[Any], bool] | None) -> PyTreeDef:
    """`root`'s structure, its leaves appended to `leaves`.

    Module-level, not a closure: a recursive closure is a reference cycle that would
    keep the leaves, and the graphs behind traced ones, alive until the cyclic
    collector runs.
    """
    children, aux = handler[0](root)
    rest = iter(children)
    defs: list[PyTreeDef] = []
    for c in rest:  # leaves inline: most children are leaves, most containers hold only leaves
        h = _handler_of(c, is_leaf)
        if h is not None:
            return _flatten_nested(root, aux, rest, defs, c, h, leaves, is_leaf)
        leaves.append(c)
        defs.append(_LEAF)
    return PyTreeDef(type(root), aux, tuple(defs))


def _flatten_nested(root: Any, aux: Any, rest: Iterator[Any], defs: list[PyTreeDef], child: Any,
                    handler: tuple[Flatten, Unflatten], leaves: list,
                    is_leaf: Callable[[Any], bool] | None) -> PyTreeDef:
    """`_flatten_into` from `root`'s first container child `child` on.

    Depth-first with an explicit stack of frames ``(container, aux, children left,
    defs so far)``, so nesting of any depth works; a container met again inside itself
    (a reference cycle) is refused.
    """
    stack = [(root, aux, rest, defs)]
    open_ids = {id(root)}  # the containers being flattened: ancestors of the current one
    while True:
        if child is not _SENTINEL:  # (not None: None is a container, without children)
            if id(child) in open_ids:
                raise _cycle_error(stack, child)
            if len(stack) >= MAX_DEPTH:
                raise _too_deep_error(child)
            kids, kid_aux = handler[0](child)
            stack.append((child, kid_aux, iter(kids), []))
            open_ids.add(id(child))
            child = _SENTINEL
        node, aux, rest, defs = stack[-1]
        for c in rest:
            h = _handler_of(c, is_leaf)
            if h is not None:
                child, handler = c, h
                break
            leaves.append(c)
            defs.append(_LEAF)
        else:
            stack.pop()
            open_ids.discard(id(node))
            td = PyTreeDef(type(node), aux, tuple(defs))
            if not stack:
                return td
            stack[-1][3].append(td)


# Deeper than any real tree: what reaches it is a flatten function that makes a new
# container each time it is called (a cycle that identity cannot see), which would
# otherwise fill the memory.
MAX_DEPTH = 100_000


def _too_deep_error(child: Any) -> ValueError:
    return ValueError(
        f"pytree: containers nested more than {MAX_DEPTH} deep (the innermost a "
        f"{type(child).__name__}): does a registered flatten function return a new container "
        "holding its argument, so that the nesting never ends?"
    )


def _cycle_error(stack: list, again: Any) -> ValueError:
    """The error for container `again`, met inside itself; `stack` holds the open frames."""
    path, where = "", ""
    for node, aux, _, defs in stack:
        if node is again:
            where = path
        path += path_steps(type(node), aux, len(defs) + 1)[len(defs)]  # (the child being flattened)
    same = f"the one at tree{where}" if where else "the tree itself"
    return ValueError(
        f"pytree: the {type(again).__name__} at tree{path} is {same}: "
        "the tree contains itself (a reference cycle), so it has no finite list of leaves. Break the "
        "cycle, or pass a copy of the inner container."
    )


def _build(td: PyTreeDef, it: Iterator[Any]) -> Any:
    """The pytree of structure `td` with leaves from `it`, built with an explicit stack."""
    stack = [(td, iter(td.children), [])]
    while True:
        t, rest, built = stack[-1]
        for c in rest:
            if c.kind is None:
                built.append(next(it))
            else:
                stack.append((c, iter(c.children), []))
                break
        else:
            stack.pop()
            obj = _handler(t.kind)[1](t.aux, built)
            if not stack:
                return obj
            stack[-1][2].append(obj)


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
