"""`jit`: trace a function once per input signature, run straight-line NumPy afterwards."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from ._codegen import Compiled, GuardFailed, generate
from ._core import _NO_PARAMS, Node, end_level, make_node, new_level, next_seq
from ._graph import Graph, _topological
from ._graph_passes import optimize
from ._staging import close_staging, open_staging
from ._transforms import check_callable
from .tree import tree_flatten, tree_unflatten

__all__ = ["jit"]

# Variants kept per input signature: each a path through the function's Python control
# flow; past this many, further paths run eagerly (counted in cache_info).
MAX_VARIANTS = 8


class CacheInfo(NamedTuple):
    """What a jitted function did: ``traces`` (compilations), ``hits`` (calls a compiled
    program answered), ``guard_failures`` (compiled programs that met a new path),
    ``eager`` (calls run without a program: traced arguments, uncompilable traces, or too
    many paths), ``signatures`` (input signatures seen), ``variants`` (programs kept)."""

    traces: int
    hits: int
    guard_failures: int
    eager: int
    signatures: int
    variants: int


class _Signature(NamedTuple):
    treedef: Any
    leaves: tuple
    static: tuple


def _leaf_key(x: Any) -> Any:
    if type(x) is np.ndarray:
        return (x.shape, x.dtype.str)
    if isinstance(x, (float, int, complex, bool, np.generic)):  # (2.0 and np.float64(2.0) alike: both staged as the latter)
        return ("scalar", np.result_type(_numpy_scalar(x)).str)
    raise TypeError(f"jit: arguments must be NumPy arrays, numbers or pytrees of them (mark others static; "
                    f"other libraries' arrays run eagerly, without jit), got {type(x).__name__} {x!r:.60}")


class Jitted:
    """A function compiled by `fgrad.jit` (callable like the function itself)."""

    def __init__(self, fun: Callable[..., Any], static_argnums: tuple[int, ...], static_argnames: tuple[str, ...],
                 guards: bool) -> None:
        self.fun = fun
        self.static_argnums = static_argnums
        self.static_argnames = static_argnames
        self.guards = guards
        self._cache: dict[_Signature, list[Compiled]] = {}
        # The same lists, keyed for calls with only positional arrays and numbers (the
        # common case), so such a call finds its programs without flattening a pytree.
        self._fast: dict[tuple, list[Compiled]] = {}
        self._counts = {"traces": 0, "hits": 0, "guard_failures": 0, "eager": 0}
        functools.update_wrapper(self, fun)

    # ----- calls
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fast = None if kwargs or self.static_argnums else _fast_key(args)
        if fast is not None:
            variants = self._fast.get(fast[0])
            if variants:
                _, fast_leaves, python_floats = fast
                for program in variants:
                    try:
                        if program.scalar or not python_floats:  # (a scalar program takes floats as they are)
                            out = program.run(*fast_leaves)
                        else:
                            out = program.run(*[np.float64(x) if type(x) is float else x for x in fast_leaves])
                    except GuardFailed:
                        self._counts["guard_failures"] += 1
                        continue
                    self._counts["hits"] += 1
                    if program.plain_outputs:
                        return out[0] if program.output_def.kind is None else tuple(out)
                    return self._outputs(out, program, () if program.scalar else fast_leaves)
        signature, leaves, rebuild = self._split(args, kwargs)
        leaves = [_numpy_scalar(x) if type(x) in _PYTHON_NUMBERS else x for x in leaves]
        if any(type(leaf) is Node for leaf in leaves):  # traced by an outer transform: differentiate through
            self._counts["eager"] += 1
            return self.fun(*args, **kwargs)
        variants = self._cache.setdefault(signature, [])
        if fast is not None:
            self._fast[fast[0]] = variants
        for program in variants:
            try:
                out = program.run(*leaves)
            except GuardFailed:
                self._counts["guard_failures"] += 1
                continue
            self._counts["hits"] += 1
            return self._outputs(out, program, leaves)
        if len(variants) >= MAX_VARIANTS:
            self._counts["eager"] += 1
            return self.fun(*args, **kwargs)
        result, staged = self._trace(leaves, rebuild)
        if staged is None:
            self._counts["eager"] += 1
            return result
        graph, out_def = staged
        program = generate(optimize(graph), _program_name(self.fun))
        program.output_def = out_def
        variants.append(program)
        self._counts["traces"] += 1
        return result

    def lower(self, *args: Any, **kwargs: Any) -> Graph:
        """The optimised program for these arguments: a `Graph` (printable, drawable with `fgrad.to_dot`)."""
        _, leaves, rebuild = self._split(args, kwargs)
        leaves = [_numpy_scalar(x) if type(x) in _PYTHON_NUMBERS else x for x in leaves]
        _, staged = self._trace(leaves, rebuild)
        if staged is None:
            raise TypeError(f"jit: `{_program_name(self.fun)}` cannot be staged for these arguments (it computes "
                            "with traced values of an enclosing transform)")
        return optimize(staged[0])

    def source(self, *args: Any, **kwargs: Any) -> str:
        """The Python source compiled for these arguments."""
        return generate(self.lower(*args, **kwargs), _program_name(self.fun)).source

    def cache_info(self) -> CacheInfo:
        """Counts of traces, hits, guard failures and eager calls (see `CacheInfo`)."""
        return CacheInfo(**self._counts, signatures=len(self._cache),
                         variants=sum(len(v) for v in self._cache.values()))

    def clear_cache(self) -> None:
        """Forget every compiled program."""
        self._cache.clear()

    # ----- internals
    def _split(self, args: tuple, kwargs: dict) -> tuple[_Signature, list, Callable[[list], tuple]]:
        """The call's signature, its dynamic leaves, and a function putting new leaves back."""
        nargs = len(args)
        static_pos = tuple(sorted({i % nargs for i in self.static_argnums if -nargs <= i < nargs}))
        dynamic = tuple(a for i, a in enumerate(args) if i not in static_pos)
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self.static_argnames}
        static = tuple((i, args[i]) for i in static_pos) + tuple(
            sorted((k, v) for k, v in kwargs.items() if k in self.static_argnames))
        leaves, treedef = tree_flatten((dynamic, dyn_kwargs))
        try:
            hash(static)
        except TypeError as e:
            raise TypeError(f"jit: static arguments must be hashable, got {static!r:.80}") from e
        signature = _Signature(treedef, tuple(map(_leaf_key, (leaf for leaf in leaves if type(leaf) is not Node))),
                               static)

        def rebuild(new_leaves: list) -> tuple[tuple, dict]:
            dyn, kw = tree_unflatten(treedef, new_leaves)
            it = iter(dyn)
            full = tuple(args[i] if i in static_pos else next(it) for i in range(nargs))
            return full, {**{k: v for k, v in kwargs.items() if k in self.static_argnames}, **kw}

        return signature, leaves, rebuild

    def _trace(self, leaves: list, rebuild: Callable[[list], tuple]) -> tuple[Any, Graph | None]:
        """Run the function on staged inputs: its result now, and the program (None if not compilable)."""
        names = self._input_names(len(leaves), rebuild)
        level = new_level("jit", self.fun)
        staging = open_staging(level, self.guards, _program_name(self.fun))
        try:
            inputs = [make_node(_read_only(x), None, (), _NO_PARAMS, level, name, next_seq())
                      for x, name in zip(leaves, names)]
            args, kwargs = rebuild(inputs)
            out = self.fun(*args, **kwargs)
        finally:
            close_staging(level)
            end_level(level)
        out_leaves, out_def = tree_flatten(out)
        # (a constant output is copied too: the program keeps the array it returns every call)
        result = tree_unflatten(out_def, [_fresh(o.value) if type(o) is Node and o.level == level
                                          else np.array(o) if type(o) is np.ndarray else o for o in out_leaves])
        graph = _program(inputs, out_leaves, staging.guards, level)
        return result, (graph, out_def) if graph is not None else None

    def _input_names(self, n: int, rebuild: Callable[[list], tuple]) -> list[str]:
        """Display names of the input leaves, after the function's parameters (x, w[0], b['k'])."""
        from ._graph import _input_label, _leaf_paths

        try:
            params = list(inspect.signature(self.fun).parameters.values())
        except (TypeError, ValueError):
            params = []
        markers = [_Marker() for _ in range(n)]  # (each leaf replaced by a marker, to find where it sits)
        index = {id(m): k for k, m in enumerate(markers)}
        args, kwargs = rebuild(markers)
        names = [f"x{k}" for k in range(n)]
        labelled = [(a, _input_label(params, i, len(args))) for i, a in enumerate(args)]
        labelled += [(v, key) for key, v in kwargs.items()]
        for value, label in labelled:
            leaves, treedef = tree_flatten(value)
            for leaf, path in zip(leaves, _leaf_paths(label, treedef)):
                if type(leaf) is _Marker:
                    names[index[id(leaf)]] = path
        return names

    def _outputs(self, out: list, program: Compiled, inputs: list) -> Any:
        out_def = program.output_def
        arrays = [i for i in inputs if type(i) is np.ndarray]
        if arrays:  # (an output some ufunc just made cannot be a view of an input)
            out = [o if fresh else _own(o, arrays) for o, fresh in zip(out, program.fresh)]
        if out_def.kind is None:  # (one leaf)
            return out[0]
        if out_def.kind is tuple and all(c.kind is None for c in out_def.children):
            return tuple(out)
        return tree_unflatten(out_def, out)


def _program(inputs: list, outputs: list, guards: list, level: int) -> Graph | None:
    """The staged Graph, or None where it would not be the function (values of other levels in it)."""
    roots = [o for o in outputs if type(o) is Node and o.level == level] + [g.node for g in guards]
    nodes = _topological(roots, inputs)
    members = set(map(id, nodes))
    for n in nodes:
        if type(n.value) is Node:
            return None  # (computed with an outer transform's traced value, captured by the function)
        for a in n.inputs:
            if type(a) is Node and id(a) not in members:
                return None
    if any(type(o) is Node and o.level != level for o in outputs):
        return None
    nodes.sort(key=lambda n: n.seq)  # (creation order: a topological order with the guards' places)
    return Graph(tuple(inputs), tuple(outputs), tuple(nodes), tuple(guards))


class _Marker:
    """A stand-in leaf (see Jitted._input_names)."""

    __slots__ = ()


_PYTHON_NUMBERS = (float, int, bool, complex)


def _numpy_scalar(x: Any) -> Any:
    """A Python number as the NumPy scalar transforms work with (2.0 -> np.float64(2.0))."""
    return np.asarray(x)[()]


def _read_only(x: Any) -> Any:
    if type(x) is np.ndarray:
        view = x.view()
        view.setflags(write=False)
        return view
    return x


def _fresh(x: Any) -> Any:
    """A result handed to the caller as an array of its own (values of the trace are read-only)."""
    if type(x) is np.ndarray and not x.flags.writeable:
        return np.array(x)
    return x


def _own(x: Any, arrays: list) -> Any:
    """An output as an array of its own: never a view of the caller's input arrays."""
    if type(x) is np.ndarray and any(np.may_share_memory(x, i) for i in arrays):
        return np.array(x)
    return x


def _fast_key(args: tuple) -> tuple[tuple, Any, bool] | None:
    """The signature of positional arguments made of arrays and floats in tuples, lists and
    dicts with str keys (a model's parameters), their leaves in `tree_flatten`'s order, and
    whether a leaf is a Python float, in one cheap walk; None for anything else (the full
    pytree path then decides)."""
    key = []
    python_floats = False
    for a in args:  # (the common case first: arrays and numbers only)
        t = type(a)
        if t is np.ndarray:
            key.append((a.shape, a.dtype))
        elif t is float or t is np.float64:
            key.append(t)
            python_floats = python_floats or t is float
        else:
            break
    else:
        return tuple(key), args, python_floats
    leaves: list = []
    nested = _fast_walk(args, leaves, 0)
    return None if nested is None else (nested, leaves, any(type(x) is float for x in leaves))


def _fast_walk(x: Any, leaves: list, depth: int) -> Any:
    t = type(x)
    if t is np.ndarray:
        leaves.append(x)
        return (x.shape, x.dtype)
    if t is float or t is np.float64:
        leaves.append(x)
        return t
    if depth > 8:
        return None
    if t is tuple or t is list:
        keys = [_fast_walk(c, leaves, depth + 1) for c in x]
    elif t is dict and all(type(k) is str for k in x):
        names = sorted(x)
        keys = [_fast_walk(x[k], leaves, depth + 1) for k in names]
        keys.append(tuple(names))
    else:
        return None
    if None in keys:
        return None
    return (t, *keys)


def _program_name(fun: Any) -> str:
    name = getattr(fun, "__name__", "program")
    return name if name.isidentifier() else "program"


def jit(fun: Callable[..., Any], static_argnums: int | Sequence[int] = (), static_argnames: str | Sequence[str] = (),
        guards: bool = True) -> Jitted:
    """Compile `fun` to straight-line NumPy: traced once per input signature, then run as one program.

    The first call for a signature (pytree structure, shapes and dtypes, static values)
    runs `fun` on staged values, records every operation as a program, optimises it
    (common subexpressions, dead code, constants) and compiles it to Python source that
    calls NumPy directly; later calls run only that code, with the same NumPy calls as
    eager fgrad, so the same numbers.

    Python control flow stays allowed: each place a staged value became a Python value
    (``if x > 0:``, ``int(n)``, an index) is a guard the compiled program re-checks; a
    failed guard traces the new path and keeps both (at most 8 per signature, then calls
    run eagerly). ``guards=False`` refuses such conversions instead
    (`fgrad.ConcretizationError`), as JAX's jit does.

    It composes: ``jit(grad(f))`` compiles the gradient computation; called on values
    traced by an outer transform (``grad(jit(f))``, ``vmap(jit(f))``), a jitted function
    runs `fun` itself, so it differentiates and batches like `fun`.

    Args:
        fun: the function (arrays, numbers or pytrees of them in and out).
        static_argnums: positions of arguments that are compile-time constants (hashable).
        static_argnames: names of keyword arguments that are compile-time constants.
        guards: allow Python control flow on staged values (re-checked on each call).

    Returns:
        A `Jitted` callable; ``.lower(*args)`` gives the optimised `Graph`, ``.source(*args)``
        the generated Python, ``.cache_info()`` the counts.

    Example:
        >>> import numpy as np, fgrad
        >>> f = fgrad.jit(fgrad.grad(lambda x: np.sum(np.tanh(x) ** 2)))
        >>> f(np.array([0.5, 1.0]))
        array([0.72686198, 0.63970001])
        >>> f(np.array([0.1, 0.2])).shape, f.cache_info().traces
        ((2,), 1)
    """
    check_callable(fun, "jit")
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    names = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames)
    return Jitted(fun, nums, names, guards)

