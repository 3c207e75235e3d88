"""Reverse-mode transforms: `vjp`, `grad`, `value_and_grad`.

Each call opens a fresh trace level, wraps the differentiated arguments in input Nodes
of that level, runs the user's function, and pulls cotangents back with `backward`.
Results are lowered one level: plain NumPy at the outermost transform, Nodes of the
enclosing trace when nested.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Sequence

import numpy as np

from ._array_api import ArrayAPIValue, is_array_api, unwrapped, wrapped
from ._backend import check_one_library, dtype_of, hold, in_library_of, is_foreign, is_other_array, owned
from ._backward import backward
from ._batching import examples_apart_if_needed
from ._constants import check_constants, snapshot_constants
from ._collector import call_paused as _call_paused
from ._complex import is_complex, mark_active
from ._core import _FLOAT64, _NO_PARAMS, Node, array_class_name, check_live, end_level, make_node, new_level, next_seq, plain_value, value_of
from ._ops import cast, shape_of
from .tree import _LEAF, PyTreeDef, tree_flatten, tree_map, tree_unflatten

__all__ = ["grad", "value_and_grad", "vjp"]


# ---------------------------------------------------------------- argument handling
def check_callable(fun: Any, transform: str) -> None:
    if not callable(fun):
        raise TypeError(f"{transform}: `fun` must be callable, got {type(fun).__name__} {fun!r:.60}")


def _argument_label(fun: Callable[..., Any], i: int) -> str:
    """'argument 1 (`y`)', naming the parameter when the signature tells it."""
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        params = []
    if i < len(params) and params[i].kind in (params[i].POSITIONAL_ONLY, params[i].POSITIONAL_OR_KEYWORD):
        return f"argument {i} (`{params[i].name}`)"
    return f"argument {i}"


def _check_argnums_spec(argnums: Any, transform: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool) else argnums
    if not isinstance(nums, (tuple, list)) or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in nums
    ):
        raise TypeError(f"{transform}: `argnums` must be an int or a tuple of ints, got {argnums!r}")
    nums = tuple(int(a) for a in nums)
    if not nums:
        raise ValueError(f"{transform}: `argnums` must name at least one argument, got {argnums!r}")
    if len(set(nums)) != len(nums):
        raise ValueError(f"{transform}: `argnums` contains duplicates: {argnums!r}; list each argument once")
    return nums


def _resolve_argnums(nums: tuple[int, ...], nargs: int, argnums: Any, transform: str) -> tuple[int, ...]:
    out = []
    for a in nums:
        if not -nargs <= a < nargs:
            valid = f"valid argnums are 0..{nargs - 1}" if nargs else "so there is nothing to differentiate with respect to"
            raise ValueError(
                f"{transform}: argnums={argnums!r} is out of range: the function was called with "
                f"{nargs or 'no'} positional argument{'s' if nargs != 1 else ''} ({valid})"
            )
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise ValueError(f"{transform}: argnums={argnums!r} names the same argument twice")
    return tuple(out)


_NOT_CONTAINERS = (float, np.ndarray, np.float64, Node)


def _float_dtype_of(x: Any, fun: Callable[..., Any], i: int, transform: str) -> np.dtype:
    """The dtype of a differentiable leaf of argument `i`, or a TypeError saying what was expected."""
    if type(x) is float or type(x) is np.float64:  # common cases first: no label is built
        return _FLOAT64
    if (type(x) is np.ndarray or type(x) is Node) and x.dtype.kind == "f":
        return x.dtype
    return float_dtype_or_error(x, _argument_label(fun, i), transform)


def refuse_array_subclass(x: Any, label: str, caller: str) -> None:
    """A TypeError if `x` is an instance of an ndarray *subclass* (masked array, matrix...).

    Their operations carry meaning that fgrad's rules do not know (a masked array's mask,
    a matrix's ``*``), so derivatives would silently ignore it.

    Example:
        >>> refuse_array_subclass(np.ma.masked_array([1.0], mask=[True]), "argument 0", "grad")
        Traceback (most recent call last):
        ...
        TypeError: grad: argument 0 is a numpy.ma.MaskedArray, ...
    """
    cls = type(x)
    if cls is not np.ndarray and isinstance(x, np.ndarray):
        raise TypeError(
            f"{caller}: {label} is a {array_class_name(cls)}, "
            "a subclass of np.ndarray: fgrad differentiates plain arrays only, and its derivatives "
            "would silently ignore what the subclass adds (a mask, matrix products, ...). Pass a "
            "plain array, `np.asarray(x)`; for a masked array, decide what the masked elements "
            "mean: `x.filled(value)`, or `x.compressed()` for the unmasked ones."
        )


def float_dtype_or_error(x: Any, label: str, caller: str,
                         alternative: str | None = "or move the argument out of `argnums`") -> np.dtype:
    """The floating dtype of `x`, or a TypeError naming `label` and saying how to fix it."""
    refuse_array_subclass(x, label, caller)
    if type(x) is Node or isinstance(x, (np.ndarray, np.generic)):
        dtype = x.dtype
    elif is_other_array(x):
        dtype = dtype_of(hold(x))
    elif isinstance(x, float):
        return _FLOAT64
    elif isinstance(x, (bool, int, complex)):
        dtype = np.asarray(x).dtype
    else:
        raise TypeError(
            f"{caller}: {label} must be a float, a NumPy array of floats or a pytree of them, "
            f"got {type(x).__name__} {x!r:.60}"
        )
    if dtype.kind in "fc":
        return dtype
    if dtype.kind in "iub":
        raise TypeError(
            f"{caller}: {label} has dtype {dtype}, but derivatives are only defined for "
            "floating-point inputs. Pass a float instead (e.g. `2.0` rather than `2`, or "
            f"`np.asarray(x, dtype=float)`){', ' + alternative if alternative else ''}."
        )
    raise TypeError(
        f"{caller}: {label} has dtype {dtype}, expected floating-point numbers "
        "(object, string and other arrays cannot be differentiated)"
    )




def _input_node(x: Any, level: int, dtype: np.dtype, name: str | None = None, private: bool = False) -> Node:
    """The input Node of a transform for the leaf `x`.

    An array is held as a read-only view (no copy: grad's memory stays that of a
    hand-written gradient), or with `private` as a read-only copy: for `vjp` and
    `linearize`, whose returned functions read the graph after the call, when the
    caller may have written into the array since.
    """
    if type(x) is Node:
        check_live(x, "a transform cannot take as its argument")
        value = x
    elif isinstance(x, np.ndarray) or is_other_array(x):
        value = hold(x, private)  # (the caller's own array is left untouched)
    else:
        value = dtype.type(x)
    if dtype.kind == "c":
        mark_active()
    return make_node(value, None, (), _NO_PARAMS, level, name, next_seq())


def read_only_view(x: Any) -> Any:
    """A read-only view of an array (the caller's array stays writable); anything else as is.

    The walk copies the read-only cotangents it hands out, so what goes in this way
    never comes back as the caller's own array.
    """
    if isinstance(x, np.ndarray):
        x = x.view()
        x.flags.writeable = False
    return x


def _lower(x: Any, level: int, unwrap: bool = False) -> Any:
    """The value of a Node of `level` (one level down); anything else unchanged. With
    `unwrap` (the caller passed an array-API library's arrays), that library's array
    rather than fgrad's adapter."""
    if type(x) is Node and x.level == level:
        x = x.value
    return x.array if unwrap and type(x) is ArrayAPIValue else x


def zeros_like_leaf(leaf: Any, dtype: Any) -> Any:
    """Zeros of `leaf`'s shape in `dtype`: an array for an array leaf, else a scalar."""
    v = value_of(leaf)
    if is_foreign(v):
        return np.zeros_like(v, dtype=dtype)
    if is_array_api(v):  # (the caller's own array-API array: zeros of its library, handed back as such)
        return unwrapped(np.zeros_like(ArrayAPIValue(v), dtype=dtype))
    zeros = np.zeros(np.shape(v), dtype=dtype)
    return zeros if isinstance(v, np.ndarray) else zeros[()]


def _finalize(ct: Any, leaf: Any, dtype: np.dtype) -> Any:
    """A cotangent in the shape, dtype and kind (scalar/array) of the input `leaf`."""
    if type(ct) is np.ndarray and type(leaf) is np.ndarray and ct.dtype == dtype and ct.shape == leaf.shape:
        # the common case first; graph arrays are read-only and may be views: copied
        return ct if ct.flags.writeable and ct.base is None else ct.copy()
    if ct is None:
        return zeros_like_leaf(leaf, dtype)
    if type(ct) is Node:
        return ct if ct.dtype == dtype else cast(ct, dtype=dtype)
    lv = plain_value(leaf)
    other = is_other_array(lv)
    if is_foreign(ct) and not other:  # (NumPy input, another library's data: kept lazy)
        return unwrapped(ct.astype(dtype) if np.dtype(ct.dtype) != dtype else ct)  # (a number leaf: the caller's)
    if other:  # (in the input's library: lazy for Dask, on the device for CuPy)
        if not is_foreign(ct):  # (a derivative that does not depend on the input: a constant)
            ct = np.asarray(ct, like=lv if is_foreign(lv) else ArrayAPIValue(lv))
        out = ct.astype(dtype) if np.dtype(ct.dtype) != dtype else ct
        shape = leaf.shape  # (inside vmap, one example's: lv holds them all)
        out = out if out.shape == shape else np.broadcast_to(out, shape)
        return unwrapped(out) if is_array_api(lv) else owned(out)  # (the caller's own array for their array)
    if isinstance(lv, np.ndarray):
        out = np.asarray(ct, dtype=dtype)
        if out.shape != leaf.shape:  # a scalar cotangent of a broadcast operand
            out = np.broadcast_to(out, leaf.shape)
        # Graph arrays are read-only and may be broadcast views: hand out a fresh array.
        return out if out.flags.writeable and out.base is None else out.copy()
    return dtype.type(ct)


def _holds_array_api(tree: Any) -> bool:
    """Whether an argument (a pytree) holds arrays of a library with only the array API."""
    return is_array_api(tree) or any(is_array_api(leaf) for leaf in tree_flatten(tree)[0])


class _Traced:
    """One traced call of `fun`: the input Nodes and the raw (unlowered) output."""

    __slots__ = ("level", "in_nodes", "in_leaves", "in_dtypes", "in_def", "out", "constants", "array_api")

    def __init__(self, fun: Callable[..., Any], args: Sequence[Any], kwargs: dict,
                 argnums: tuple[int, ...], transform: str, private: bool = False) -> None:
        # `private`: copy the input arrays (see `_input_node`)
        # The level is live while `fun` runs, and ended when it returns: the backward
        # walks that follow (a `vjp_fn` called later too) apply their rules to the
        # values one level down, never to this level's Nodes, so any use of one after
        # this is a Node that escaped the trace (see `fgrad._core.end_level`).
        self.level = level = new_level(transform, fun)
        try:
            self._trace(fun, args, kwargs, argnums, transform, private, level)
        finally:
            end_level(level)

    def _trace(self, fun: Callable[..., Any], args: Sequence[Any], kwargs: dict,
               argnums: tuple[int, ...], transform: str, private: bool, level: int) -> None:
        leaves: list[Any] = []
        others = False
        dtypes = []
        defs = []
        counts = []
        for i in argnums:
            tree = args[i]
            if type(tree) in _NOT_CONTAINERS:  # the common case: one array or number
                tree_leaves, tree_def = (tree,), _LEAF
            elif tree is None:
                raise TypeError(f"{transform}: {_argument_label(fun, i)} is None, expected a float or an array of floats to differentiate")
            else:
                tree_leaves, tree_def = tree_flatten(tree)
            for leaf in tree_leaves:
                dtypes.append(_float_dtype_of(leaf, fun, i, transform))
                others = others or type(leaf) not in _NOT_CONTAINERS
            leaves.extend(tree_leaves)
            defs.append(tree_def)
            counts.append(len(tree_leaves))
        self.array_api = False  # (whether the caller passed an array-API library's arrays: results go back unwrapped)
        if others:  # (arrays of other libraries: one of them at most, besides NumPy)
            check_one_library(leaves, transform)
            self.array_api = any(is_array_api(leaf) for leaf in leaves)
        self.in_def = PyTreeDef(tuple, None, tuple(defs))
        self.in_leaves = leaves
        self.in_dtypes = dtypes
        self.in_nodes = nodes = [_input_node(x, level, d, None, private) for x, d in zip(leaves, dtypes)]
        new_args = list(args)
        start = 0
        for i, tree_def, count in zip(argnums, defs, counts):
            new_args[i] = nodes[start] if tree_def.kind is None else tree_unflatten(tree_def, nodes[start:start + count])
            start += count
        if len(args) > len(argnums) or kwargs:  # (constants: array-API arrays among them answer NumPy too)
            for j, a in enumerate(args):
                if j not in argnums and type(a) not in _NOT_CONTAINERS and _holds_array_api(a):
                    new_args[j] = tree_map(wrapped, a)
                    self.array_api = True
            if kwargs and any(_holds_array_api(v) for v in kwargs.values() if type(v) not in _NOT_CONTAINERS):
                kwargs = {k: tree_map(wrapped, v) for k, v in kwargs.items()}
                self.array_api = True
        self.out = _call_paused(fun, *new_args, **kwargs)
        # A private trace is walked after it returns: its constants are checked then.
        self.constants = snapshot_constants(self.out, level) if private else ()

    def check_constants(self, caller: str) -> None:
        """Refuse to walk a private trace whose constant arrays the caller has changed since."""
        if self.constants:
            check_constants(self.constants, caller)

    def pull_back(self, out_leaves: list[Any], cotangents: list[Any], keep: bool = True) -> list[Any]:
        """Input cotangents (finalized) for output leaves and their cotangents.

        With ``keep=False`` the caller hands over `out_leaves`: the list is emptied so
        that the graph can be freed while the backward walk runs.
        """
        roots, cts = [], []
        for o, c in zip(out_leaves, cotangents):
            if type(o) is Node and o.level == self.level:
                roots.append(o)
                cts.append(c)
        if not keep:
            out_leaves.clear()
            del o
        by_node = _call_paused(backward, roots, cts) if roots else {}
        handed_out: set[int] = set()
        grads = []
        for n, leaf, d in zip(self.in_nodes, self.in_leaves, self.in_dtypes):
            g = _finalize(by_node.get(n), leaf, d)
            if type(g) is np.ndarray:
                # One cotangent array can reach several inputs (``x + y``): each
                # gradient the caller receives must be an array of its own.
                if id(g) in handed_out:
                    g = g.copy()
                handed_out.add(id(g))
            grads.append(g)
        return grads


def _split_aux(out: Any, has_aux: bool, transform: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(
            f"{transform}: has_aux=True requires `fun` to return a pair (output, aux), but it "
            f"returned {type(out).__name__}{'' if not isinstance(out, (tuple, list)) else f' of length {len(out)}'}. "
            "Return `(out, aux)`, or drop has_aux=True."
        )
    return out[0], out[1]


def _unpack_grads(grads: list[Any], in_def: PyTreeDef, single: bool) -> Any:
    if all(c.kind is None for c in in_def.children):  # arrays or numbers, no containers
        trees = tuple(grads)
    else:
        trees = tree_unflatten(in_def, grads)
    return trees[0] if single else trees


# ---------------------------------------------------------------- transforms
def value_and_grad(fun: Callable[..., Any], argnums: int | Sequence[int] = 0,
                   has_aux: bool = False, holomorphic: bool = False) -> Callable[..., Any]:
    """Make a function returning both ``fun``'s value and its gradient.

    Args:
        fun: a function returning a real scalar (a float or a 0-d float array).
        argnums: which positional argument(s) to differentiate: an int, or a tuple of
            ints for a tuple of gradients. Each may be a pytree of float arrays.
        has_aux: ``fun`` returns ``(output, aux)``; ``aux`` is passed through.
        holomorphic: ``fun`` is a holomorphic function of complex arguments with a
            complex output; the gradient is then its complex derivative (see `grad`).

    Returns:
        A function with ``fun``'s signature returning ``(value, gradient)``, or
        ``((value, aux), gradient)`` with ``has_aux``. Each gradient has the structure,
        shape and floating dtype of its argument.

    Example:
        >>> import fgrad
        >>> fgrad.value_and_grad(lambda x, y: x * x * y, argnums=(0, 1))(3.0, 2.0)
        (np.float64(18.0), (np.float64(12.0), np.float64(9.0)))
    """
    nums = _check_argnums_spec(argnums, "value_and_grad")
    single = isinstance(argnums, (int, np.integer))
    return _make_value_and_grad(fun, nums, argnums, single, has_aux, "value_and_grad", holomorphic)


def _make_value_and_grad(fun: Callable[..., Any], nums: tuple[int, ...], argnums: Any,
                         single: bool, has_aux: bool, transform: str,
                         holomorphic: bool = False) -> Callable[..., Any]:
    check_callable(fun, transform)

    @functools.wraps(fun)
    def value_and_grad_fun(*args: Any, **kwargs: Any) -> Any:
        resolved = _resolve_argnums(nums, len(args), argnums, transform)

        def trace_and_walk() -> tuple[_Traced, Any, Any, list[Any]]:
            traced = _Traced(fun, args, kwargs, resolved, transform)
            if holomorphic:
                check_holomorphic_inputs(traced, transform)
            out, aux = _split_aux(traced.out, has_aux, transform)
            traced.out = None  # the backward walk may free the graph as it goes
            dtype = _check_scalar_output(out, transform, holomorphic)
            value = _lower(out, traced.level, traced.array_api)
            roots = [out]
            del out  # the walk owns the graph now and frees it as it goes
            seed = dtype.type(1.0)
            if type(value) is not np.float64:  # (CuPy: a 0-d array of its own)
                seed = in_library_of(seed, value)
            return traced, value, aux, traced.pull_back(roots, [seed], keep=False)

        # Paused from the trace to the end of the walk, not only during each: between the
        # two, a full collection would traverse the whole graph (0.5 s for 3*10**6
        # records); once the walk has freed it, nothing is left to scan.
        traced, value, aux, grads = _call_paused(trace_and_walk)
        g = _unpack_grads(grads, traced.in_def, single)
        if has_aux:
            return (value, tree_map(lambda a: _lower(a, traced.level, traced.array_api), aux)), g
        return value, g

    # (inside vmap, `fun` may look at a batched value below this trace: see there)
    return examples_apart_if_needed(value_and_grad_fun)


def check_holomorphic_inputs(traced: "_Traced", transform: str) -> None:
    """With ``holomorphic=True``, every differentiated input must be complex (as in JAX)."""
    for k, dtype in enumerate(traced.in_dtypes):
        if dtype.kind != "c":
            raise TypeError(
                f"{transform} with holomorphic=True requires complex inputs, but input leaf {k} has dtype "
                f"{dtype}: pass complex values (e.g. `x + 0j`), or drop holomorphic=True to differentiate "
                "a real function"
            )


def _check_scalar_output(out: Any, transform: str, holomorphic: bool = False) -> np.dtype:
    if type(out) is Node:
        v = value_of(out)
        if type(v) is np.float64 and not holomorphic:  # the common case: no shape or dtype to look up
            return _FLOAT64
    elif isinstance(out, (int, float, complex, np.ndarray, np.generic)):
        v = np.asarray(out) if not isinstance(out, (np.ndarray, np.generic)) else out
    elif is_foreign(out):
        v = out
    else:
        raise TypeError(
            f"{transform}: `fun` must return a real scalar, but it returned {type(out).__name__}"
            + (" (use has_aux=True to return extra values beside the output)" if isinstance(out, (tuple, list)) else "")
        )
    shape = np.shape(v)
    if shape != ():
        raise TypeError(
            f"{transform}: `fun` must return a scalar (shape ()), but its output has shape {shape}. "
            "Reduce it first (e.g. `.sum()`), or use fgrad.vjp / fgrad.jacrev for non-scalar outputs."
        )
    dtype = dtype_of(v)
    if holomorphic:
        if dtype.kind != "c":
            raise TypeError(
                f"{transform} with holomorphic=True requires a complex output, but `fun` returned dtype "
                f"{dtype}: drop holomorphic=True for a real-valued function"
            )
    elif dtype.kind == "c":
        raise TypeError(
            f"{transform}: `fun` must return a real scalar, but its output is complex ({dtype}). For the "
            "complex derivative of a holomorphic function pass holomorphic=True; for a non-holomorphic "
            "complex output use fgrad.vjp (see docs/how-to/complex.md)."
        )
    elif dtype.kind != "f":
        raise TypeError(
            f"{transform}: `fun` must return a real floating-point scalar, but its output has dtype "
            f"{dtype}. Make sure it computes with floats."
        )
    return dtype


def grad(fun: Callable[..., Any], argnums: int | Sequence[int] = 0,
         has_aux: bool = False, holomorphic: bool = False) -> Callable[..., Any]:
    """Make a function that evaluates the gradient of ``fun``.

    Transforms compose: ``grad(grad(f))`` is the second derivative, and ``fun`` may
    itself call ``grad``, use Python control flow on its arguments, or be written with
    plain ``np.*`` calls.

    Args:
        fun: a function returning a real scalar.
        argnums: which positional argument(s) to differentiate (int or tuple of ints).
        has_aux: ``fun`` returns ``(output, aux)``; the gradient function then returns
            ``(gradient, aux)``.
        holomorphic: ``fun`` is holomorphic in complex arguments and returns a complex
            scalar; the result is its complex derivative ``f'(z)``. Without it, a real
            ``fun`` of complex ``z = x + iy`` has gradient ``df/dx - i df/dy`` (JAX's
            convention: see docs/how-to/complex.md).

    Returns:
        A function with ``fun``'s signature returning the gradient, with the structure,
        shape and floating dtype of the differentiated argument(s) (a tuple for a tuple
        ``argnums``).

    Example:
        >>> import fgrad
        >>> fgrad.grad(lambda x: x ** 4 - 2 * x ** 2)(2.0)
        np.float64(24.0)
        >>> fgrad.grad(fgrad.grad(lambda x: x ** 4 - 2 * x ** 2))(2.0)
        np.float64(44.0)
    """
    nums = _check_argnums_spec(argnums, "grad")
    single = isinstance(argnums, (int, np.integer))
    vg = _make_value_and_grad(fun, nums, argnums, single, has_aux, "grad", holomorphic)

    @functools.wraps(fun)
    def grad_fun(*args: Any, **kwargs: Any) -> Any:
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_fun


def elementwise_grad(fun: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The derivative of an elementwise ``fun`` at every element at once (autograd's name).

    ``elementwise_grad(f)(x)`` is the gradient of ``sum(f(x))``: for an ``f`` acting on
    each element separately, element ``i`` of the result is ``f'(x[i])``, the whole
    derivative curve from one backward walk. (For other functions it sums the Jacobian's
    rows, ``vjp`` with a cotangent of ones, as in autograd.)

    Example:
        >>> import numpy as np, fgrad
        >>> fgrad.elementwise_grad(np.sin)(np.array([0.0, np.pi]))
        array([ 1., -1.])
        >>> fgrad.elementwise_grad(lambda x: x ** 3)(np.array([1.0, 2.0]))
        array([ 3., 12.])
    """
    check_callable(fun, "elementwise_grad")

    def summed(*args: Any, **kwargs: Any) -> Any:
        from ._ops import sum as fsum

        total: Any = 0.0
        for leaf in tree_flatten(fun(*args, **kwargs))[0]:
            total = total + fsum(leaf)
        return total

    gradient = grad(summed, argnums)
    return functools.wraps(fun)(lambda *args, **kwargs: gradient(*args, **kwargs))


def vjp(fun: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """Evaluate ``fun(*primals)`` and return its vector-Jacobian product function.

    Args:
        fun: a function of float arrays (or pytrees of them) returning a pytree of arrays.
        *primals: the point to linearize at.
        has_aux: ``fun`` returns ``(output, aux)``.

    Returns:
        ``(out, vjp_fn)`` or, with ``has_aux``, ``(out, vjp_fn, aux)``. ``vjp_fn(ct)``
        takes a cotangent with the structure and shapes of ``out`` and returns a tuple
        with one cotangent per primal. It can be called any number of times, and
        computes at the primals as they were when `vjp` was called (it holds copies);
        if an array `fun` used as a constant has been written into since, it raises
        ValueError rather than mix old and new values.

    Example:
        >>> import numpy as np, fgrad
        >>> out, f_vjp = fgrad.vjp(lambda x: x * x, np.array([1.0, 2.0]))
        >>> f_vjp(np.array([1.0, 10.0]))
        (array([ 2., 40.]),)
    """
    check_callable(fun, "vjp")
    # vjp_fn reads the graph after vjp returns: the graph keeps private copies of the
    # primals, so writing into them afterwards cannot change what vjp_fn computes.
    traced = _Traced(fun, primals, {}, tuple(range(len(primals))), "vjp", private=True)
    out, aux = _split_aux(traced.out, has_aux, "vjp")
    traced.out = None
    out_leaves, out_def = tree_flatten(out)
    level = traced.level
    out_value = tree_unflatten(out_def, [_lower(o, level, traced.array_api) for o in out_leaves])

    def vjp_fn(ct: Any) -> tuple[Any, ...]:
        traced.check_constants("vjp_fn")
        ct_leaves, ct_def = tree_flatten(ct)
        if ct_def != out_def:
            raise ValueError(f"vjp_fn: cotangent has structure {ct_def!r}, expected {out_def!r} (the output's)")
        for k, (o, c) in enumerate(zip(out_leaves, ct_leaves)):
            if shape_of(c) != shape_of(o):
                raise ValueError(
                    f"vjp_fn: cotangent leaf {k} has shape {shape_of(c)}, expected {shape_of(o)} (the output's)"
                )
            if is_complex(c) and not np.iscomplexobj(value_of(o)):
                raise TypeError(
                    f"vjp_fn: cotangent leaf {k} is complex ({np.result_type(c)}), but output leaf {k} is "
                    f"real ({np.result_type(value_of(o))}): a real output's cotangent is real"
                )
            refuse_array_subclass(c, f"cotangent leaf {k}", "vjp_fn")
        # read-only: a cotangent passed straight through is copied, never aliased
        ct_leaves = [read_only_view(c) for c in ct_leaves]
        return tuple(_unpack_grads(traced.pull_back(out_leaves, ct_leaves), traced.in_def, False))

    if has_aux:
        return out_value, vjp_fn, tree_map(lambda a: _lower(a, level, traced.array_api), aux)
    return out_value, vjp_fn
