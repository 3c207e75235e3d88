"""Jacobians and second derivatives: `jacrev`, `jacfwd`, `jacobian`, `hessian`, `hvp`.

`jacrev` traces ``fun`` once and walks back once per output leaf, with every one-hot
cotangent of that leaf at once: the seed is batched by a vmap level (`fgrad._batching`),
so each rule applies to all rows together, as JAX builds ``jacrev`` from ``vmap`` of a
VJP. `jacfwd` traces ``fun`` and its reverse pass once (`Linearized`) and pushes a
batch of all one-hot tangents of an input leaf the same way.  Blocks follow JAX: for output leaf ``o`` and input leaf ``x`` the
block has shape ``o.shape + x.shape``; the result is a pytree shaped like the output
whose leaves are pytrees shaped like the differentiated argument(s).  Blocks are
assembled with fgrad operations, so inside another transform a Jacobian is a traced
value of the outer level and differentiates again.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np

from ._array_api import unwrapped
from ._backend import in_library_of, is_foreign, owned
from ._batching import batched_value, batching_level, examples_apart_if_needed, unbatched_rows
from ._collector import call_paused
from ._forward import FlatTrace, Linearized, checked_like, output_dtype
from ._ops import add, multiply, reshape, shape_of, sum as fsum, transpose
from ._transforms import (
    _check_argnums_spec, _make_value_and_grad, _resolve_argnums, _unpack_grads, check_callable,
    check_holomorphic_inputs,
)
from .tree import tree_flatten, tree_map, tree_structure, tree_unflatten

__all__ = ["jacrev", "jacfwd", "jacobian", "hessian", "hvp"]


# ---------------------------------------------------------------- assembling blocks
def _block(pieces: list[Any], lead: tuple[int, ...], trail: tuple[int, ...], dtype: np.dtype,
           lead_last: bool, like: Any) -> Any:
    """One Jacobian block from its rows: ``pieces`` holds them stacked, ``(n,) + trail`` for the
    ``n`` elements of shape ``lead`` (or nothing, for an empty output or input).

    The block has shape ``lead + trail``, or ``trail + lead`` when ``lead_last``; an empty
    one is made in the library of `like`, the input.
    """
    full = lead + trail
    if not pieces:  # an empty output or input
        return in_library_of(np.zeros(trail + lead if lead_last else full, dtype=dtype), like)
    (x,) = pieces
    if shape_of(x) != full:
        x = reshape(x, shape=full)
    if lead_last and lead and trail:
        x = transpose(x, axes=tuple(range(len(lead), len(full))) + tuple(range(len(lead))))
    if type(x) is np.ndarray:
        if x.ndim == 0:
            return x[()]
        if x.base is not None or not x.flags.writeable:  # (a view of a batched pass: the caller's own array)
            return x.copy()
        return x
    return owned(x) if is_foreign(x) else x  # (CuPy's views are writable: copied as NumPy's are)


def _one_hot(shape: tuple[int, ...], idx: tuple[int, ...], dtype: np.dtype, like: Any) -> Any:
    if not shape:
        return in_library_of(dtype.type(1.0), like)
    e = np.zeros(shape, dtype=dtype)
    e[idx] = 1.0
    e.flags.writeable = False  # so a pass-through cotangent is copied, never aliased
    return in_library_of(e, like)


def _is_single(argnums: Any) -> bool:
    return isinstance(argnums, (int, np.integer))


# ---------------------------------------------------------------- Jacobians
def _identity_basis(shape: tuple[int, ...], dtype: np.dtype, like: Any) -> Any:
    """Every one-hot array of `shape`, stacked: ``(n,) + shape`` for ``n`` elements (read-only),
    in the library of `like`."""
    n = int(np.prod(shape, dtype=np.int64))
    basis = np.eye(n, dtype=dtype).reshape((n, *shape))
    basis.flags.writeable = False  # so a pass-through cotangent is copied, never aliased
    return in_library_of(basis, like)


def _all_rows(walk: Callable[[Any], list[Any]], like: Any, dtype: np.dtype, transform: str) -> list[Any]:
    """`walk` applied to every one-hot array of `like`'s shape in one batched pass (JAX's way).

    ``walk(seed)`` is one backward walk; run on a seed batched by a vmap level holding
    the identity basis, every rule applies to all seeds at once. Returns, per result of
    `walk`, the stacked rows ``(n,) + its shape``. A single element needs no batch. The
    seeds are made in `like`'s library (CuPy takes no NumPy operands).
    """
    shape = shape_of(like)
    n = int(np.prod(shape, dtype=np.int64))
    if n == 1:
        return walk(_one_hot(shape, (0,) * len(shape), dtype, like))
    with batching_level(n, transform) as level:
        results = walk(batched_value(_identity_basis(shape, dtype, like), level))
        return [unbatched_rows(r, level, n) for r in results]


def _reverse_blocks(flat: FlatTrace, out_dtypes: list[np.dtype], transform: str) -> list[list[Any]]:
    """Blocks [output leaf][input leaf]: one batched backward walk per output leaf."""
    traced = flat.traced
    in_shapes = [shape_of(x) for x in traced.in_leaves]
    blocks = []
    for o, odtype in zip(flat.out_leaves, out_dtypes):
        oshape = shape_of(o)
        if not _size(o):
            rows = [[] for _ in in_shapes]
        else:
            rows = [[r] for r in _all_rows(lambda seed: traced.pull_back([o], [seed]), o, odtype, transform)]
        blocks.append([
            _block(rows[k], oshape, ishape, traced.in_dtypes[k], lead_last=False, like=traced.in_leaves[k])
            for k, ishape in enumerate(in_shapes)
        ])
    return blocks


def _forward_blocks(flat: FlatTrace, out_dtypes: list[np.dtype], transform: str) -> list[list[Any]]:
    """Blocks [output leaf][input leaf]: one batched push per input leaf through one linearization."""
    lin = Linearized(flat, transform)
    out_shapes = [shape_of(o) for o in flat.out_leaves]
    by_input = []
    for k, x in enumerate(flat.traced.in_leaves):
        ishape, idtype = shape_of(x), flat.traced.in_dtypes[k]
        if not _size(x):
            cols = [[] for _ in out_shapes]
        else:
            cols = [[c] for c in _all_rows(lambda seed: lin.push_leaf(k, seed), x, idtype, transform)]
        by_input.append([
            _block(cols[j], ishape, oshape, odtype, lead_last=True, like=x)
            for j, (oshape, odtype) in enumerate(zip(out_shapes, out_dtypes))
        ])
    return [list(column) for column in zip(*by_input)] if by_input else [[] for _ in out_shapes]


def _size(x: Any) -> int:
    return int(np.prod(shape_of(x), dtype=np.int64))


_COMPLEX_ADVICE = (
    "For a holomorphic function of complex inputs pass holomorphic=True; otherwise split complex "
    "values into real and imaginary parts, or use fgrad.vjp / fgrad.jvp (see docs/how-to/complex.md)."
)


def _check_dtypes(flat: FlatTrace, transform: str, reverse: bool, holomorphic: bool) -> list[np.dtype]:
    """The output dtypes, after checking the kinds JAX's Jacobians accept.

    A Jacobian is one complex matrix only for a holomorphic function; otherwise reverse
    mode needs real outputs (rows are gradients, complex for complex inputs) and forward
    mode real inputs (columns are directional derivatives, complex for complex outputs).
    """
    if holomorphic:
        check_holomorphic_inputs(flat.traced, transform)
        return [output_dtype(o, j, transform, "c", "With holomorphic=True outputs must be complex.")
                for j, o in enumerate(flat.out_leaves)]
    if not reverse:
        for k, dtype in enumerate(flat.traced.in_dtypes):
            if dtype.kind == "c":
                raise TypeError(f"{transform}: input leaf {k} is complex ({dtype}), but forward-mode Jacobians "
                                f"of non-holomorphic functions need real inputs. {_COMPLEX_ADVICE}")
    return [output_dtype(o, j, transform, "f" if reverse else "fc", _COMPLEX_ADVICE)
            for j, o in enumerate(flat.out_leaves)]


def _jacobian_transform(fun: Callable[..., Any], argnums: Any, has_aux: bool, transform: str,
                        mode: str, holomorphic: bool = False) -> Callable[..., Any]:
    """The Jacobian function of ``fun``; ``mode`` is "rev", "fwd", or "auto" (fewer passes)."""
    check_callable(fun, transform)
    nums = _check_argnums_spec(argnums, transform)
    single = _is_single(argnums)

    @functools.wraps(fun)
    def jacobian_fun(*args: Any, **kwargs: Any) -> Any:
        resolved = _resolve_argnums(nums, len(args), argnums, transform)

        def trace_and_walk() -> tuple[list[Any], Any, Any, Any, bool]:
            flat = FlatTrace(fun, args, kwargs, resolved, transform, has_aux)
            reverse = mode == "rev" or (
                mode == "auto"
                and sum(_size(o) for o in flat.out_leaves) <= sum(_size(x) for x in flat.traced.in_leaves)
            )
            out_dtypes = _check_dtypes(flat, transform, reverse, holomorphic)
            blocks = _reverse_blocks(flat, out_dtypes, transform) if reverse else _forward_blocks(flat, out_dtypes, transform)
            return blocks, flat.traced.in_def, flat.out_def, flat.aux, flat.traced.array_api  # (the graph goes with this frame)

        # (no full collection scans the graph between the walks)
        blocks, in_def, out_def, aux, array_api = call_paused(trace_and_walk)
        jac = tree_unflatten(out_def, [_unpack_grads(b, in_def, single) for b in blocks])
        if array_api:  # (the caller's library's arrays, not fgrad's adapter)
            jac = tree_map(unwrapped, jac)
        return (jac, aux) if has_aux else jac

    return examples_apart_if_needed(jacobian_fun)  # (see there: vmap of value-inspecting code)


def jacrev(fun: Callable[..., Any], argnums: int | Sequence[int] = 0,
           has_aux: bool = False, holomorphic: bool = False) -> Callable[..., Any]:
    """Jacobian of ``fun`` by reverse mode: one batched backward walk per output leaf.

    Best when there are fewer outputs than inputs. ``fun`` is traced once per call, and
    the walk carries every row's cotangent at once (``vmap`` over the VJP, as JAX).

    Args:
        fun: a function of float arrays (or pytrees) returning float arrays (or a pytree).
        argnums: which positional argument(s) to differentiate (int or tuple of ints).
        has_aux: ``fun`` returns ``(output, aux)``; the Jacobian function then returns
            ``(jacobian, aux)``.
        holomorphic: ``fun`` is holomorphic in complex inputs with complex outputs; the
            Jacobian is then the complex one, ``d out / d z``.

    Returns:
        A function with ``fun``'s signature returning the Jacobian: for an output of
        shape ``out.shape`` and an argument of shape ``x.shape``, an array of shape
        ``out.shape + x.shape``; for pytrees, a pytree shaped like the output whose
        leaves are pytrees shaped like the argument (a tuple for a tuple ``argnums``).

    Example:
        >>> import numpy as np, fgrad
        >>> f = lambda x: np.array([1.0, 0.0]) * x[0] ** 2 + np.array([0.0, 1.0]) * x[0] * x[1]
        >>> fgrad.jacrev(f)(np.array([2.0, 3.0]))
        array([[4., 0.],
               [3., 2.]])
    """
    return _jacobian_transform(fun, argnums, has_aux, "jacrev", "rev", holomorphic)


def jacfwd(fun: Callable[..., Any], argnums: int | Sequence[int] = 0,
           has_aux: bool = False, holomorphic: bool = False) -> Callable[..., Any]:
    """Jacobian of ``fun`` by forward mode: one batched tangent push per input leaf.

    Best when there are fewer inputs than outputs. ``fun`` and its reverse pass are
    traced once per call; each input leaf then costs one walk carrying all its tangents.

    Args:
        fun: a function of float arrays (or pytrees) returning float arrays (or a pytree).
        argnums: which positional argument(s) to differentiate (int or tuple of ints).
        has_aux: ``fun`` returns ``(output, aux)``; the Jacobian function then returns
            ``(jacobian, aux)``.
        holomorphic: ``fun`` is holomorphic in complex inputs with complex outputs; the
            Jacobian is then the complex one, ``d out / d z``.

    Returns:
        A function returning the same Jacobian as `jacrev` (shape ``out.shape + x.shape``).

    Example:
        >>> import numpy as np, fgrad
        >>> fgrad.jacfwd(lambda x: np.array([1.0, 1.0, 1.0]) * x[0] * x[1] ** 2)(np.array([2.0, 3.0]))
        array([[ 9., 12.],
               [ 9., 12.],
               [ 9., 12.]])
    """
    return _jacobian_transform(fun, argnums, has_aux, "jacfwd", "fwd", holomorphic)


jacobian = jacrev


def hessian(fun: Callable[..., Any], argnums: int | Sequence[int] = 0,
            has_aux: bool = False, holomorphic: bool = False) -> Callable[..., Any]:
    """Hessian of ``fun``: the Jacobian of its reverse-mode Jacobian.

    The outer Jacobian is taken in whichever mode has the smaller batch: reverse mode for a
    scalar ``fun`` (one batched walk back over the gradient's trace), forward mode, i.e.
    ``jacfwd(jacrev(fun))``, when ``fun`` has several outputs.

    Args:
        fun: a function of float arrays (or pytrees), usually returning a scalar.
        argnums: which positional argument(s) to differentiate (int or tuple of ints).
        has_aux: ``fun`` returns ``(output, aux)``; the Hessian function then returns
            ``(hessian, aux)``.
        holomorphic: ``fun`` is holomorphic in complex inputs (complex second derivative).

    Returns:
        A function returning an array of shape ``out.shape + x.shape + x.shape`` (for
        pytrees, nested like ``jacfwd(jacrev(fun))``).

    Example:
        >>> import numpy as np, fgrad
        >>> rosenbrock = lambda x: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
        >>> fgrad.hessian(rosenbrock)(np.array([1.0, 1.0]))
        array([[ 802., -400.],
               [-400.,  200.]])
    """
    gradient = _jacobian_transform(fun, argnums, has_aux, "hessian", "rev", holomorphic)
    return _jacobian_transform(gradient, argnums, has_aux, "hessian", "auto", holomorphic)


def _tree_vdot(a: Any, b: Any) -> Any:
    total: Any = 0.0
    for x, y in zip(tree_flatten(a)[0], tree_flatten(b)[0]):
        total = add(total, fsum(multiply(x, y)))
    return total


def hvp(fun: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Hessian-vector product of a scalar ``fun``, without forming the Hessian.

    ``hvp(fun)(x, v)`` is ``hessian(fun)(x) @ v`` (for pytrees, the Hessian contracted
    with ``v`` over the argument's leaves), computed as the gradient of
    ``x -> <grad(fun)(x), v>`` (reverse over reverse): one trace of ``fun`` and the
    cost of a few gradients, whatever the size of ``x``.

    Args:
        fun: a function returning a real scalar.
        argnums: which positional argument(s) to differentiate (int or tuple of ints).

    Returns:
        A function ``hvp_fun(*args, v)``: the arguments of ``fun`` followed by the vector
        ``v``, which has the structure and shapes of ``grad(fun, argnums)(*args)``
        (a tuple for a tuple ``argnums``). It returns ``H @ v`` with that same structure.

    Example:
        >>> import numpy as np, fgrad
        >>> rosenbrock = lambda x: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
        >>> fgrad.hvp(rosenbrock)(np.array([1.0, 1.0]), np.array([1.0, 0.0]))
        array([ 802., -400.])
        >>> fgrad.hvp(lambda x, y: x * x * y, argnums=(0, 1))(3.0, 2.0, (1.0, 0.0))
        (np.float64(4.0), np.float64(6.0))
    """
    check_callable(fun, "hvp")
    nums = _check_argnums_spec(argnums, "hvp")
    single = _is_single(argnums)
    gradient = _make_value_and_grad(fun, nums, argnums, single, False, "hvp")

    @functools.wraps(fun)
    def hvp_fun(*args_and_v: Any, **kwargs: Any) -> Any:
        if len(args_and_v) < 2:
            raise TypeError(
                "hvp: call the Hessian-vector product function as `hvp(fun)(*args, v)`: the "
                f"arguments of `fun` followed by the vector `v`; got {len(args_and_v)} argument(s)"
            )
        *args, v = args_and_v
        resolved = _resolve_argnums(nums, len(args), argnums, "hvp")
        diff = args[resolved[0]] if single else tuple(args[i] for i in resolved)
        v = tree_unflatten(tree_structure(diff), checked_like(v, diff, "v", "the differentiated argument(s)", "hvp"))

        def directional(*a: Any, **kw: Any) -> Any:
            return _tree_vdot(gradient(*a, **kw)[1], v)

        return _make_value_and_grad(directional, nums, argnums, single, False, "hvp")(*args, **kwargs)[1]

    return hvp_fun
