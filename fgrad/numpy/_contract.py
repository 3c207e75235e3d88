"""Products and diagonals: dot, vdot, inner, outer, tensordot, einsum, trace, diag(onal), tril, triu.

``tensordot`` and ``einsum`` are the primitives; their VJP rules are again a
``tensordot``/``einsum`` (so second derivatives need nothing more). ``dot``, ``inner``,
``vdot`` and ``outer`` are written with them or with the core ``matmul``.
"""

from __future__ import annotations

import builtins
import string
from collections import Counter
from typing import Any

import numpy as np

from .._backend import in_library_of
from .._core import value_of
from .._ops import broadcast_to, matmul, multiply, ndim_of, reshape, shape_of, sum, transpose, unbroadcast
from ._elementwise import conjugate
from ._register import composite, no_out as _no_out, numpy_function, numpy_primitive, variadic_primitive
from ._shape import moveaxis, normalize_axis_index, normalize_axis_tuple, pad, ravel, stack

__all__ = ["cross", "diag", "diagonal", "dot", "einsum", "inner", "kron", "matmul", "matvec", "outer", "tensordot",
           "trace", "tril", "triu", "vdot", "vecdot", "vecmat"]

MATRIX = "(np.array([[0.3, 0.6], [0.5, 0.1]]),)"
MATRICES = "(np.array([[0.3, 0.6], [0.5, 0.1]]), np.array([[0.8, 0.2], [0.4, 0.7]]))"


# ---------------------------------------------------------------- tensordot
def _tensordot_axes(axes: Any, nd_a: int, nd_b: int) -> tuple[list[int], list[int]]:
    if np.ndim(axes) == 0:
        n = int(axes)
        axes_a, axes_b = list(range(nd_a - n, nd_a)), list(range(n))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if np.ndim(axes_a) == 0 else list(axes_a)
        axes_b = [axes_b] if np.ndim(axes_b) == 0 else list(axes_b)
    return list(normalize_axis_tuple(axes_a, nd_a)), list(normalize_axis_tuple(axes_b, nd_b))


def _order(labels: list[int]) -> tuple[int, ...]:
    """The permutation putting axes labelled `labels` back in increasing label order."""
    return tuple(int(i) for i in np.argsort(labels))


def _tensordot_vjp_a(g: Any, ans: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    axes_a, axes_b = _tensordot_axes(axes, ndim_of(a), ndim_of(b))
    free_a = [i for i in range(ndim_of(a)) if i not in axes_a]
    free_b = [i for i in range(ndim_of(b)) if i not in axes_b]
    # g is (free_a..., free_b...); contracting its free_b part leaves b's summed axes in b's order.
    res = tensordot(g, b, axes=(list(range(len(free_a), len(free_a) + len(free_b))), free_b))
    return transpose(res, axes=_order(free_a + [axes_a[axes_b.index(j)] for j in sorted(axes_b)]))


def _tensordot_vjp_b(g: Any, ans: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    axes_a, axes_b = _tensordot_axes(axes, ndim_of(a), ndim_of(b))
    free_a = [i for i in range(ndim_of(a)) if i not in axes_a]
    free_b = [i for i in range(ndim_of(b)) if i not in axes_b]
    res = tensordot(a, g, axes=(free_a, list(range(len(free_a)))))
    return transpose(res, axes=_order([axes_b[axes_a.index(i)] for i in sorted(axes_a)] + free_b))


tensordot = numpy_primitive(np.tensordot, _tensordot_vjp_a, _tensordot_vjp_b, sample=MATRICES,
                            call="np.tensordot(x, y, axes=([0], [1]))", uses_ans=False)


# ---------------------------------------------------------------- dot family
@composite(np.dot)
def dot(a: Any, b: Any, out: Any = None) -> Any:
    """Matrix/tensor product with NumPy's ``dot`` rules (``x.dot(w)`` too).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda w: fnp.dot(np.array([1.0, 2.0]), w))(np.array([3.0, 4.0]))
        array([1., 2.])
    """
    _no_out(out, "dot")
    nd_a, nd_b = ndim_of(a), ndim_of(b)
    if nd_a == 0 or nd_b == 0:
        return multiply(a, b)
    if nd_a <= 2 and nd_b <= 2:
        return matmul(a, b)
    return tensordot(a, b, axes=([nd_a - 1], [0 if nd_b == 1 else nd_b - 2]))


@composite(np.vdot)
def vdot(a: Any, b: Any) -> Any:
    """Dot product of the flattened arrays, conjugating `a` if it is complex (as NumPy).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.vdot(x, x))(np.array([[1.0, 2.0]]))
        array([[2., 4.]])
    """
    return sum(ravel(conjugate(a)) * ravel(b))


@composite(np.inner)
def inner(a: Any, b: Any) -> Any:
    """Sum product over the last axes of `a` and `b`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.inner(x, np.array([1.0, -1.0])))(np.array([3.0, 4.0]))
        array([ 1., -1.])
    """
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([ndim_of(a) - 1], [ndim_of(b) - 1]))


@composite(np.outer)
def outer(a: Any, b: Any, out: Any = None) -> Any:
    """``a[i] * b[j]`` of the flattened arrays.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.outer(x, np.array([1.0, 2.0]))))(np.array([1.0, 1.0, 1.0]))
        array([3., 3., 3.])
    """
    _no_out(out, "outer")
    return reshape(ravel(a), (-1, 1)) * ravel(b)


@composite(np.kron)
def kron(a: Any, b: Any) -> Any:
    """Kronecker product: blocks ``a[i, j] * b``.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda a: fnp.sum(fnp.kron(a, np.array([1.0, 2.0]))))(np.ones(2))
        array([3., 3.])
    """
    nd = builtins.max(ndim_of(a), ndim_of(b))
    sa = (1,) * (nd - ndim_of(a)) + shape_of(a)
    sb = (1,) * (nd - ndim_of(b)) + shape_of(b)
    spread_a = reshape(a, tuple(n for pair in zip(sa, (1,) * nd) for n in pair))
    spread_b = reshape(b, tuple(n for pair in zip((1,) * nd, sb) for n in pair))
    return reshape(spread_a * spread_b, tuple(x * y for x, y in zip(sa, sb)))


@composite(np.cross)
def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None) -> Any:
    """Cross product of 3-vectors (or 2-vectors, giving the z component) along the vector axes.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda a: fnp.cross(a, np.array([0.0, 0.0, 1.0]))[0])(np.ones(3))
        array([0., 1., 0.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a = moveaxis(a, axisa, -1)
    b = moveaxis(b, axisb, -1)
    na, nb = shape_of(a)[-1], shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("cross: incompatible dimensions for cross product (dimension must be 2 or 3)")
    a0, a1, b0, b1 = a[..., 0], a[..., 1], b[..., 0], b[..., 1]
    z = a0 * b1 - a1 * b0
    if na == 2 and nb == 2:
        return z
    a2 = a[..., 2] if na == 3 else 0.0
    b2 = b[..., 2] if nb == 3 else 0.0
    parts = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, z]
    shape = np.broadcast_shapes(*(shape_of(p) for p in parts))
    c = stack([broadcast_to(p, shape=shape) for p in parts], axis=-1)
    return moveaxis(c, -1, axisc)


@composite(numpy_function("vecdot"), numpy_function("linalg.vecdot"), name="vecdot")
def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """Dot products of vectors along `axis`, broadcasting the other axes; as NumPy, a
    complex `x1` is conjugated (``sum(conj(x1) * x2)``).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.sum(fnp.vecdot(x, np.array([1.0, 2.0]))))(np.ones((3, 2)))
        array([[1., 2.],
               [1., 2.],
               [1., 2.]])
    """
    return sum(conjugate(x1) * x2, axis=axis)


@composite(numpy_function("matvec"), name="matvec")
def matvec(x1: Any, x2: Any, /) -> Any:
    """Matrix-vector products over the last axes, broadcasting the others.

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.matvec(np.eye(2), np.array([1.0, 2.0]))
        array([1., 2.])
    """
    return matmul(x1, reshape(x2, shape_of(x2) + (1,)))[..., 0]


@composite(numpy_function("vecmat"), name="vecmat")
def vecmat(x1: Any, x2: Any, /) -> Any:
    """Vector-matrix products over the last axes, broadcasting the others; as NumPy, a
    complex vector `x1` is conjugated (``conj(x1) @ x2``).

    Example:
        >>> import numpy as np, fgrad.numpy as fnp
        >>> fnp.vecmat(np.array([1.0, 2.0]), np.eye(2))
        array([1., 2.])
    """
    x1 = conjugate(x1)
    return matmul(reshape(x1, shape_of(x1)[:-1] + (1,) + shape_of(x1)[-1:]), x2)[..., 0, :]


# ---------------------------------------------------------------- einsum
def _explicit(subscripts: str, shapes: list[tuple[int, ...]]) -> str:
    """``'ij,jk->ik'`` form of any subscripts: output spelt out, ellipses as fresh letters."""
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    specs = inputs.split(",")
    if len(specs) != len(shapes):
        raise ValueError(f"einsum: {len(specs)} operand subscripts for {len(shapes)} operands")
    fresh = (c for c in string.ascii_letters if c not in subscripts)
    width = max([len(s) - len(spec) + 3 for spec, s in zip(specs, shapes) if "..." in spec] or [0])
    ellipsis = "".join(next(fresh) for _ in range(width))
    specs = [spec.replace("...", ellipsis[width - (len(s) - len(spec) + 3):]) for spec, s in zip(specs, shapes)]
    if arrow:
        output = output.replace("...", ellipsis)
    else:  # implicit mode: broadcast dimensions, then the letters used once, sorted
        counts = Counter(inputs.replace("...", "").replace(",", ""))
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))
    return ",".join(specs) + "->" + output


def _einsum_vjp(i: int, g: Any, ans: Any, spec: str, *operands: Any, optimize: Any = False) -> Any:
    # The cotangent of operand j is the einsum of g with the other operands, written into
    # j's subscripts. A letter repeated in j (a diagonal) gets a fresh letter tied to the
    # original by an identity matrix; a letter summed only inside j gets a vector of ones.
    j = i - 1
    inputs, output = spec.split("->")
    specs = inputs.split(",")
    target, shape = specs[j], shape_of(operands[j])
    dtype = np.result_type(value_of(g))
    fresh = (c for c in string.ascii_letters if c not in spec)
    letters: list[str] = []
    extra_specs: list[str] = []
    extra_ops: list[np.ndarray] = []
    first: dict[str, int] = {}
    for pos, c in enumerate(target):
        if c in first:
            letters.append(next(fresh))
            extra_specs.append(c + letters[-1])
            extra_ops.append(in_library_of(np.eye(shape[pos], dtype=dtype), g))
        else:
            first[c] = pos
            letters.append(c)
    elsewhere = set(output).union(*(specs[k] for k in range(len(specs)) if k != j))
    for c, pos in first.items():
        if c not in elsewhere:
            extra_specs.append(c)
            extra_ops.append(in_library_of(np.ones(shape[pos], dtype=dtype), g))
    others = [k for k in range(len(specs)) if k != j]
    grad_spec = ",".join([output] + [specs[k] for k in others] + extra_specs) + "->" + "".join(letters)
    # an explicit contraction path (a list) belongs to the forward's operands, not these
    path = optimize if isinstance(optimize, (bool, str)) else "greedy"
    res = _einsum(grad_spec, g, *(operands[k] for k in others), *extra_ops, optimize=path)
    return unbroadcast(res, operands[j])


def _sublist_subscripts(args: tuple) -> tuple[str, tuple]:
    """NumPy's interleaved form ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` as ``('ab,bc->ac', (a, b))``."""
    def letters(sub: Any) -> str:
        out = []
        for label in sub:
            if label is Ellipsis:
                out.append("...")
            elif isinstance(label, (int, np.integer)) and 0 <= label < 52:
                out.append(string.ascii_letters[int(label)])
            else:
                raise ValueError(f"einsum: subscript labels in the sublist form must be integers 0..51 or "
                                 f"Ellipsis, got {label!r}")
        return "".join(out)

    pairs, output = (args[:-1], args[-1]) if len(args) % 2 else (args, None)
    operands = pairs[0::2]
    spec = ",".join(letters(sub) for sub in pairs[1::2])
    return (spec if output is None else f"{spec}->{letters(output)}"), operands


_einsum = variadic_primitive(
    lambda subscripts, *operands, optimize=False: np.einsum(subscripts, *operands, optimize=optimize),
    _einsum_vjp, name="einsum")


@composite(np.einsum)
def einsum(*operands: Any, out: Any = None, optimize: Any = False, **kwargs: Any) -> Any:
    """Einstein summation, e.g. ``einsum('ij,jk->ik', a, b)``; implicit output and ``...`` work.

    NumPy's interleaved form (``einsum(a, [0, 1], b, [1, 2], [0, 2])``) and every
    `optimize` (True, False, 'greedy', 'optimal', a path from ``np.einsum_path``) work
    too; the derivatives' own contractions are optimized greedily when given a path.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
        >>> fgrad.grad(lambda a: fnp.einsum("ii", a) + fnp.einsum("ij,ij->", a, a))(a)
        array([[3., 4.],
               [6., 9.]])
        >>> fgrad.grad(lambda a: fnp.einsum(a, [0, 1], a, [0, 1], [], optimize="optimal"))(a)
        array([[2., 4.],
               [6., 8.]])
    """
    _no_out(out, "einsum")
    if kwargs:
        raise TypeError(f"einsum: {sorted(kwargs)} not supported on traced values")
    if not operands:
        raise TypeError("einsum: give the subscripts and the operands, e.g. einsum('ij,jk->ik', a, b)")
    if isinstance(operands[0], str):
        subscripts, arrays = operands[0], operands[1:]
    else:
        subscripts, arrays = _sublist_subscripts(operands)
    if type(optimize) is list:
        optimize = tuple(optimize)  # (static parameters are compared, and kept: never the caller's list)
    spec = _explicit(subscripts, [shape_of(o) for o in arrays])
    return _einsum(spec, *arrays, optimize=optimize)


# ---------------------------------------------------------------- diagonals and triangles
def _embed_diagonal(d: Any, n: int, m: int, offset: int) -> Any:
    """(..., k) values placed on diagonal `offset` of (..., n, m) matrices of zeros."""
    lead, k = shape_of(d)[:-1], shape_of(d)[-1]
    eye = in_library_of(np.eye(n, m, k=offset, dtype=np.result_type(value_of(d), np.float16)), d)
    # Row r of diagonal `offset` >= 0 is element r of d; for offset < 0 column c is.
    rows = n if offset >= 0 else m
    filled = pad(d, [(0, 0)] * len(lead) + [(0, rows - k)])
    return reshape(filled, lead + ((n, 1) if offset >= 0 else (1, m))) * eye


def _diagonal_vjp(g: Any, ans: Any, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    shape = shape_of(a)
    ax1, ax2 = normalize_axis_index(axis1, len(shape)), normalize_axis_index(axis2, len(shape))
    full = _embed_diagonal(g, shape[ax1], shape[ax2], offset)
    rest = [i for i in range(len(shape)) if i not in (ax1, ax2)]
    return transpose(full, axes=_order(rest + [ax1, ax2]))


diagonal = numpy_primitive(np.diagonal, _diagonal_vjp, sample="(np.arange(6.0).reshape(2, 3) / 5,)",
                           call="np.diagonal(x, 1) ** 2", uses_ans=False)


@composite(np.trace)
def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None) -> Any:
    """Sum along a diagonal.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.trace(x))(np.ones((2, 2)))
        array([[1., 0.],
               [0., 1.]])
    """
    _no_out(out, "trace")
    return sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


@composite(np.diag)
def diag(v: Any, k: int = 0) -> Any:
    """The diagonal `k` of a matrix, or a matrix with the vector `v` on diagonal `k`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda v: fnp.sum(fnp.diag(v) @ np.ones(2)))(np.array([1.0, 2.0]))
        array([1., 1.])
    """
    if ndim_of(v) == 1:
        n = shape_of(v)[0] + abs(k)
        return _embed_diagonal(v, n, n, k)
    if ndim_of(v) == 2:
        return diagonal(v, k)
    raise ValueError("diag: input must be 1- or 2-d")


tril = numpy_primitive(np.tril, lambda g, ans, m, k=0: unbroadcast(tril(g, k), m), sample=MATRIX,
                       call="np.tril(x) * np.arange(1.0, 5.0).reshape(2, 2)", uses_ans=False)
triu = numpy_primitive(np.triu, lambda g, ans, m, k=0: unbroadcast(triu(g, k), m), sample=MATRIX,
                       call="np.triu(x, -1) * np.arange(1.0, 5.0).reshape(2, 2)", uses_ans=False)
