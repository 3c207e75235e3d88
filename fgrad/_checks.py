"""Numerical derivatives and `check_grads`: the reference fgrad's derivatives are tested against."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ._complex import is_complex
from ._forward import jvp
from ._transforms import _check_argnums_spec, _resolve_argnums, vjp
from .tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["numerical_grad", "check_grads"]


def _as_float_array(x: Any, what: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind not in "fiubc":
        raise TypeError(f"{what} must be numeric, got dtype {a.dtype}")
    return a.astype(np.result_type(a.dtype, np.float64) if a.dtype.kind not in "fc" else a.dtype)


def _working(x: Any) -> np.ndarray:
    """`x` as float64, or complex128 if complex: the precision differences are taken in."""
    a = np.asarray(x)
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def numerical_grad(fun: Callable[..., Any], *args: Any, argnums: int | Sequence[int] = 0,
                   eps: float = 1e-6) -> Any:
    """Gradient of a scalar function by central differences, ``(f(x+h) - f(x-h)) / 2h``.

    Slow (two calls of ``fun`` per input element) and approximate (error of order
    ``eps**2`` plus rounding), but independent of fgrad's machinery: the reference
    the tests check fgrad against. For a complex argument ``z = x + iy`` it steps
    along the real and the imaginary direction separately and returns
    ``df/dx - i df/dy``, the gradient in JAX's convention (what `fgrad.grad` gives).

    Example:
        >>> import numpy as np, fgrad
        >>> g = fgrad.numerical_grad(lambda x: np.sum(x ** 3), np.array([1.0, 2.0]))
        >>> np.round(g, 6)
        array([ 3., 12.])
    """
    nums = _check_argnums_spec(argnums, "numerical_grad")
    resolved = _resolve_argnums(nums, len(args), argnums, "numerical_grad")
    if not eps > 0:
        raise ValueError(f"numerical_grad: `eps` must be positive, got {eps!r}")
    results = []
    for i in resolved:
        leaves, treedef = tree_flatten(args[i])
        arrays = [_as_float_array(leaf, f"numerical_grad: argument {i}") for leaf in leaves]
        grads = []
        for k, base in enumerate(arrays):
            work = _working(base)
            g = np.zeros(base.shape, dtype=work.dtype)
            # (d/dx - i d/dy for a complex leaf: JAX's gradient convention)
            steps = (eps, -1j * eps) if work.dtype.kind == "c" else (eps,)
            for idx in np.ndindex(base.shape):
                def at(delta: Any) -> float:
                    moved = work.copy()
                    moved[idx] += delta
                    new_leaves = list(arrays)
                    new_leaves[k] = moved if moved.ndim else moved[()]
                    new_args = list(args)
                    new_args[i] = tree_unflatten(treedef, new_leaves)
                    return float(np.asarray(_real_output(fun(*new_args), "numerical_grad")))
                for step in steps:
                    direction = step / eps  # 1 or -i
                    g[idx] += np.conj(direction) * (at(step) - at(-step)) / (2 * eps)
            grads.append(g.astype(base.dtype) if base.ndim else base.dtype.type(g[()]))
        results.append(tree_unflatten(treedef, grads))
    return results[0] if isinstance(argnums, (int, np.integer)) else tuple(results)


def _inner(a: Any, b: Any) -> float:
    """``Re(sum(a * b))``: how a cotangent pairs with a tangent (bilinear, as in JAX)."""
    la, lb = tree_flatten(a)[0], tree_flatten(b)[0]
    return float(sum(np.real(np.sum(_working(x) * _working(y))) for x, y in zip(la, lb)))


def _random_like(tree: Any, rng: np.random.Generator) -> Any:
    """Random values shaped like `tree`'s leaves: complex for a complex leaf, else real."""
    def one(x: Any) -> Any:
        a = np.asarray(x)
        dtype = np.result_type(a.dtype, np.float32)
        r = rng.standard_normal(a.shape)
        if dtype.kind == "c":
            r = r + 1j * rng.standard_normal(a.shape)
        return r.astype(dtype) if a.ndim else (complex(r) if dtype.kind == "c" else float(r))
    return tree_map(one, tree)


def _real_output(out: Any, caller: str) -> Any:
    """`fun`'s output, refused if complex: its gradient is defined for real functions."""
    for k, leaf in enumerate(tree_flatten(out)[0]):
        if is_complex(leaf):
            raise TypeError(
                f"{caller}: output leaf {k} of `fun` is complex ({np.result_type(leaf)}): a gradient is "
                "defined for real-valued functions; differentiate np.real(f) and np.imag(f) separately"
            )
    return out


def _directional_derivative(fun: Callable[..., Any], args: tuple, tangents: tuple, eps: float) -> Any:
    def shifted(s: float) -> Any:
        moved = tree_map(lambda x, t: _working(x) + s * eps * _working(t), args, tangents)
        return fun(*moved)

    return tree_map(lambda a, b: (_working(a) - _working(b)) / (2 * eps), shifted(1.0), shifted(-1.0))


def _report(what: str, order: int, where: str, got: Any, want: Any, atol: float, rtol: float) -> None:
    diff = abs(got - want)
    bound = atol + rtol * abs(want)
    if not diff <= bound:
        raise AssertionError(
            f"check_grads: {what} of order {order} disagrees with central differences{where}:\n"
            f"  fgrad:     {got!r}\n  numerical: {want!r}\n"
            f"  |diff| = {diff:.3g} > atol + rtol*|numerical| = {bound:.3g}"
        )


def _compare_trees(what: str, order: int, got: Any, want: Any, atol: float, rtol: float) -> None:
    """Elementwise comparison; the report names the worst leaf and element."""
    for k, (g, w) in enumerate(zip(tree_flatten(got)[0], tree_flatten(want)[0])):
        g, w = _working(g), _working(w)
        excess = np.abs(g - w) - (atol + rtol * np.abs(w))
        if excess.size and not np.all(excess <= 0):
            idx = np.unravel_index(np.nanargmax(np.where(np.isnan(excess), np.inf, excess)), excess.shape)
            where = f" (output leaf {k}" + (f", element {tuple(map(int, idx))})" if g.ndim else ")")
            _report(what, order, where, g[idx].item(), w[idx].item(), atol, rtol)


def check_grads(fun: Callable[..., Any], args: Sequence[Any], order: int,
                modes: Sequence[str] = ("fwd", "rev"), atol: float | None = None,
                rtol: float | None = None, eps: float | None = None, seed: int = 0) -> None:
    """Check fgrad's derivatives of ``fun`` at ``args`` against central differences.

    For reverse mode, with random input direction ``t`` and output cotangent ``c``,
    ``<t, vjp(c)>`` must equal ``<(f(x + eps t) - f(x - eps t)) / 2eps, c>``; for
    ``order > 1`` the same check is applied recursively to ``x -> vjp(c)(x)``. Forward
    mode compares ``jvp`` along ``t`` with the same difference quotient element by
    element, recursively likewise. Complex arguments get complex directions (so both
    the real and the imaginary direction are checked) and complex outputs complex
    cotangents, paired as ``Re(sum(c * t))``, JAX's convention. Raises ``AssertionError`` with a readable report
    (mode, order, worst element, both values) when they disagree.

    Args:
        fun: function of float arrays (or pytrees) returning a pytree of arrays.
        args: the point, as a tuple of ``fun``'s positional arguments.
        order: highest derivative order to check (1 = first derivatives).
        modes: ``"rev"`` and/or ``"fwd"``.
        atol: absolute tolerance (default 1e-5 for float64, 1e-2 for float32).
        rtol: relative tolerance (default 1e-4 for float64, 1e-2 for float32).
        eps: finite-difference step (default 1e-4 for float64, 1e-3 for float32).
        seed: seed of the random directions and cotangents.

    Example:
        >>> import numpy as np, fgrad
        >>> fgrad.check_grads(lambda x: np.sin(x) * x, (np.array([0.5, 1.5]),), order=3)
    """
    if not isinstance(args, (tuple, list)):
        raise TypeError(f"check_grads: `args` must be a tuple of arguments, got {type(args).__name__}")
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"check_grads: `order` must be a positive int, got {order!r}")
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    unknown = set(modes) - {"fwd", "rev"}
    if unknown:
        raise ValueError(f"check_grads: unknown modes {sorted(unknown)}; use 'fwd' and/or 'rev'")
    args = tuple(args)
    low_precision = any(np.asarray(x).dtype in (np.float32, np.complex64) for x in tree_flatten(args)[0])
    eps = eps or (1e-3 if low_precision else 1e-4)
    atol = atol if atol is not None else (1e-2 if low_precision else 1e-5)
    rtol = rtol if rtol is not None else (1e-2 if low_precision else 1e-4)
    rng = np.random.default_rng(seed)
    _check(fun, args, order, tuple(modes), atol, rtol, eps, rng, 1)


def _check(fun: Callable[..., Any], args: tuple, order: int, modes: tuple, atol: float,
           rtol: float, eps: float, rng: np.random.Generator, level: int) -> None:
    tangents = tuple(_random_like(a, rng) for a in args)
    numeric = _directional_derivative(fun, args, tangents, eps)
    if "fwd" in modes:
        _, tangent_out = jvp(fun, args, tangents)
        _compare_trees("forward-mode derivative (JVP)", level, tangent_out, numeric, atol, rtol)
        if order > 1:
            _check(lambda *x: jvp(fun, x, tangents)[1], args, order - 1, modes, atol, rtol, eps, rng, level + 1)
    if "rev" in modes:
        out, f_vjp = vjp(fun, *args)
        ct = _random_like(out, rng)
        _report("reverse-mode derivative (VJP)", level, "", _inner(tangents, f_vjp(ct)),
                _inner(numeric, ct), atol, rtol)
        if order > 1:
            _check(lambda *x: vjp(fun, *x)[1](ct), args, order - 1, modes, atol, rtol, eps, rng, level + 1)
