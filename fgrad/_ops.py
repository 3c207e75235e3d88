"""The core primitives, each defined once beside its VJP rules.

Every rule is written with fgrad operations, so applying it to Nodes of an outer trace
records the derivative computation there: that is what makes `grad(grad(f))` work.
Rules receive ``(g, ans, *args, **params)``: the output cotangent, the output value and
the primitive's arguments (unwrapped to the level being differentiated).

`UFUNCS` and `ARRAY_FUNCTIONS` map NumPy callables to these functions so that
``np.sin(node)`` or ``np.sum(node, axis=0)`` record the right primitive.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import _kernels
from ._backend import as_array, broadcast_like, gather, is_foreign, is_lazy_ones, per_chunk, scatter_add
from ._core import Node, plain_value, primitive, value_of
from ._rules import overwrites_cotangent

# NumPy callable -> fgrad function, consulted by Node.__array_ufunc__/__array_function__
# (see fgrad._dispatch); fgrad.numpy fills most of them.
UFUNCS: dict[Any, Callable[..., Any]] = {}
ARRAY_FUNCTIONS: dict[Any, Callable[..., Any]] = {}
# (ufunc, method) -> fgrad function, for np.add.reduce(x), np.multiply.outer(a, b), ...
UFUNC_METHODS: dict[tuple[Any, str], Callable[..., Any]] = {}
# ndarray attribute name -> function of the Node giving it: x.max, x.dot, x.at, ...
ARRAY_ATTRIBUTES: dict[str, Callable[[Node], Any]] = {}


def shape_of(x: Any) -> tuple[int, ...]:
    # Hot in every rule (unbroadcast): Python numbers and anything with `.shape`
    # (Nodes, arrays, NumPy scalars) skip np.shape's dispatch.
    if type(x) is float or type(x) is int:
        return ()
    try:
        return x.shape
    except AttributeError:
        return np.shape(x)


def ndim_of(x: Any) -> int:
    return len(shape_of(x))


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int:
        return (axis % ndim if ndim else 0,)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(int(a) % ndim if ndim else 0 for a in axes))


def unbroadcast(g: Any, like: Any) -> Any:
    """Sum the cotangent `g` back to the shape of the operand `like` was broadcast from."""
    # (arrays, the common case, without shape_of's call: this runs for most rules)
    shape = like.shape if type(like) is np.ndarray else shape_of(like)
    gshape = g.shape if type(g) is np.ndarray else shape_of(g)
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead))
    if 1 in shape:  # only then can `like` have been stretched along one of its own axes
        axes += tuple(i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
    if axes:
        # a plain cotangent is summed by the ufunc itself: np.sum's wrapper around it
        # costs more than the sum of a small array
        g = np.add.reduce(g, axis=axes) if type(g) is np.ndarray else sum(g, axis=axes)
    return g if shape_of(g) == shape else reshape(g, shape)


# ---------------------------------------------------------------- arithmetic
add = primitive(np.add,
                lambda g, ans, x, y: unbroadcast(g, x),
                lambda g, ans, x, y: unbroadcast(g, y), name="add", uses_ans=False)
subtract = primitive(np.subtract,
                     lambda g, ans, x, y: unbroadcast(g, x),
                     lambda g, ans, x, y: unbroadcast(negative(g), y), name="sub", uses_ans=False)
# Types that are never another library's array (a Dask seed, a chunked operand): the
# scalar and NumPy paths settle that with one test, before any call into the backend.
_NUMPY_OR_TRACED = frozenset({np.ndarray, np.float64, float, Node})


def _product_vjp(g: Any, other: Any, like: Any) -> Any:
    """``unbroadcast(g * other, like)``: the cotangent of one factor of a product.

    ``grad(lambda x: sum(a * b))`` sends `sum`'s cotangent, a read-only broadcast of the
    seed 1.0, into the product; multiplying would allocate ``1 * other`` in full, so
    when shapes and dtype already match, the read-only factor itself is handed on.
    """
    if (
        type(g) is np.ndarray
        and type(other) is np.ndarray
        and not g.flags.writeable
        and not other.flags.writeable
        and other.shape == g.shape
        and shape_of(like) == g.shape
        and g.size
        and not any(g.strides)
        and g.flat[0] == 1
        and np.result_type(g, other) == other.dtype
    ):
        return other
    if (type(g) not in _NUMPY_OR_TRACED and is_lazy_ones(g) and is_foreign(other)  # (the same for a lazy seed)
            and other.shape == g.shape == shape_of(like) and np.result_type(g.dtype, other.dtype) == other.dtype):
        return other
    return unbroadcast(g * other, like)


multiply = primitive(np.multiply,
                     lambda g, ans, x, y: _product_vjp(g, y, x),
                     lambda g, ans, x, y: _product_vjp(g, x, y), name="mul", uses_ans=False)
divide = primitive(np.true_divide,
                   lambda g, ans, x, y: unbroadcast(g / y, x),
                   lambda g, ans, x, y: unbroadcast(negative(g) * ans / y, y), name="div", uses_ans=(False, True))
negative = primitive(np.negative, overwrites_cotangent(lambda g, ans, x: negative(g)), name="neg", uses_ans=False)


def _pow_vjp_base(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if type(y) is not Node and np.ndim(y) == 0:  # constant scalar exponent: keep graphs small
        if y == 2:
            return unbroadcast(square_vjp(g, x), x)
        if y == 1:
            return unbroadcast(g, x)
        if y == 0:
            return zero_cotangent(g, x)
    return unbroadcast(g * y * x ** constant_exponent_less_one(y), x)


def zero_cotangent(g: Any, x: Any) -> Any:
    """Exact zeros of `x`'s shape: the cotangent of an argument a result does not depend on.

    (``x ** 0`` is the constant 1; its rule ``0 * x ** -1`` would be ``0 * inf = nan`` at 0.)

    Example:
        >>> zero_cotangent(np.float64(2.0), np.ones(2)), zero_cotangent(1.0, 3.0)
        (array([0., 0.]), np.float64(0.0))
    """
    zeros = np.zeros(shape_of(x), dtype=np.result_type(value_of(g), value_of(x)))
    return zeros if zeros.ndim else zeros[()]


def constant_exponent_less_one(y: Any) -> Any:
    """``y - 1`` for the base rule ``y * x ** (y - 1)``, but 0 where a constant `y` is 0.

    There the factor `y` makes the term 0, and ``x ** 0 = 1`` keeps it 0 at ``x = 0``
    (``x ** -1`` would make it nan); to every order, since the rule of ``x ** 0`` is 0
    again. A traced `y` keeps ``y - 1``: its own derivative there is ``x ** -1 = inf``.

    Example:
        >>> constant_exponent_less_one(np.array([0.0, 1.0, 3.0])), constant_exponent_less_one(2.0)
        (array([0., 0., 2.]), 1.0)
    """
    if type(y) is not Node and np.ndim(y):
        y = as_array(y)
        zero = y == 0
        if np.any(zero):
            return np.where(zero, 0, y - 1)
    return y - 1


def _pow_vjp_exponent(g: Any, ans: Any, x: Any, y: Any) -> Any:
    # d/dy x**y = x**y log x; where x == 0 the product is 0 (log of 1 instead of -inf).
    return unbroadcast(g * ans * log(x + (value_of(x) == 0)), y)


power = primitive(np.power, overwrites_cotangent(_pow_vjp_base), _pow_vjp_exponent, name="pow", uses_ans=(False, True))

# ---------------------------------------------------------------- elementwise functions
exp = primitive(np.exp, lambda g, ans, x: g * ans, name="exp")
log = primitive(np.log, lambda g, ans, x: g / x, name="log", uses_ans=False)
sin = primitive(np.sin, lambda g, ans, x: g * cos(x), name="sin", uses_ans=False)
cos = primitive(np.cos, lambda g, ans, x: g * negative(sin(x)), name="cos", uses_ans=False)
tan = primitive(np.tan, lambda g, ans, x: g * (1.0 + square(ans)), name="tan")
tanh = primitive(np.tanh, overwrites_cotangent(lambda g, ans, x: tanh_vjp(g, ans)), name="tanh")
sqrt = primitive(np.sqrt, lambda g, ans, x: g / (2.0 * ans), name="sqrt")
square = primitive(np.square, overwrites_cotangent(lambda g, ans, x: square_vjp(g, x)), name="square", uses_ans=False)


def _abs_vjp(g: Any, ans: Any, x: Any) -> Any:
    if np.iscomplexobj(value_of(x)):
        # d|z| = Re(conj(z)/|z| dz): the cotangent g conj(z)/|z|, 0 at z = 0 (as JAX)
        size = absolute(x)
        return g * conj(x) / (size + (value_of(size) == 0))
    return g * np.sign(value_of(x))


absolute = primitive(np.absolute, _abs_vjp, name="abs", uses_ans=False)

# Real part, imaginary part and conjugate: R-linear maps of complex values, whose
# transposes under the pairing Re(sum(c * t)) (see fgrad._complex) are c, -i c and conj(c).
real = primitive(np.real, lambda g, ans, x: g, name="real", uses_ans=False)
imag = primitive(np.imag, lambda g, ans, x: g * -1j, name="imag", uses_ans=False)
conj = primitive(np.conjugate, lambda g, ans, x: conj(g), name="conj", uses_ans=False)


# ---------------------------------------------------------------- derivative primitives
# The derivatives of square and tanh, each one primitive of the cotangent `g`: on large
# arrays one new array instead of two or three (the rest is done in place in that
# array), and in derivative graphs one record instead of two or three.  Their own rules
# are fgrad operations, so they differentiate to any order.
def _trace_level(x: Any) -> int:
    return x.level if type(x) is Node else 0


def product(*factors: Any) -> Any:
    """The product of `factors`, constants first, then traced values outermost trace first.

    In a derivative rule some factors are constants and others traced values of various
    levels; multiplying the constants together first folds them into one number, and
    each trace then records as few products as it can (higher-order graphs stay small).

    Example:
        >>> product(2.0, 3.0, 0.5)
        3.0
    """
    ordered = sorted(factors, key=_trace_level)
    out = ordered[0]
    for f in ordered[1:]:
        out = out * f
    return out


def _times_into(g: Any, out: Any) -> Any:
    """``g * out``, written into `out` (an array the caller just made) when the result fits."""
    if type(out) is np.ndarray:
        g_shape = shape_of(g)
        same_dtype = type(g) is np.ndarray and g.dtype == out.dtype  # (settled without np.result_type)
        if (not g_shape or g_shape == out.shape) and (same_dtype or np.result_type(g, out) == out.dtype):
            return np.multiply(g, out, out=out)
    return g * out


def _square_vjp_forward(g: Any, x: Any) -> Any:
    if _kernels.fusable(g, x):
        return _kernels.twice_product(g, x)
    if type(x) not in _NUMPY_OR_TRACED and (chunked := per_chunk(_square_vjp_forward, g, x)) is not None:
        return chunked
    return _times_into(g, 2.0 * x)


def _tanh_vjp_forward(g: Any, t: Any) -> Any:
    if _kernels.fusable(g, t):
        return _kernels.tanh_derivative_times(g, t)
    if type(t) not in _NUMPY_OR_TRACED and (chunked := per_chunk(_tanh_vjp_forward, g, t)) is not None:
        return chunked
    out = t * t
    if type(out) is np.ndarray:
        return _times_into(g, np.subtract(1.0, out, out=out))
    return g * (1.0 - out)


# g * 2x: bilinear, so each argument's rule is the same primitive of the other one.
square_vjp = primitive(_square_vjp_forward,
                       lambda ct, ans, g, x: unbroadcast(square_vjp(ct, x), g),
                       lambda ct, ans, g, x: unbroadcast(square_vjp(ct, g), x), name="square_vjp", uses_ans=False)
# g * (1 - t**2) of the output t = tanh(x): linear in g, and d/dt = -2 g t, so every
# derivative of tanh stays a polynomial in t and tanh itself is computed once.
tanh_vjp = primitive(_tanh_vjp_forward,
                     lambda ct, ans, g, t: unbroadcast(tanh_vjp(ct, t), g),
                     lambda ct, ans, g, t: unbroadcast(product(-2.0, ct, g, t), t), name="tanh_vjp", uses_ans=False)


# ---------------------------------------------------------------- reductions
def _keepdims_shape(x: Any, axis: Any) -> tuple[int, ...]:
    shape = shape_of(x)
    if type(axis) is int and shape:  # one axis, the common case: no list to build
        a = axis % len(shape)
        return shape[:a] + (1,) + shape[a + 1:]
    dims = list(shape)
    for a in _normalize_axes(axis, len(dims)):
        dims[a] = 1
    return tuple(dims)


def broadcast_view(a: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``np.broadcast_to(a, shape)`` for a plain array or number: a read-only view.

    Built directly from `a`'s memory and strides (zero along the broadcast axes) when `a`
    is contiguous, which costs half of what np.broadcast_to's general machinery does;
    reductions' rules make one per reduction, so it shows in small-array gradients.

    Example:
        >>> broadcast_view(np.array([[1.0], [2.0]]), (2, 3))
        array([[1., 1., 1.],
               [2., 2., 2.]])
    """
    if type(a) is not np.ndarray and is_foreign(a):  # (another library's array: its own broadcast)
        return np.broadcast_to(a, shape)
    a = np.asarray(a)
    if not a.ndim:  # a number (the cotangent of a full reduction): zero strides throughout
        view = np.ndarray(shape, a.dtype, a, 0, (0,) * len(shape))
        view.setflags(False)
        return view
    lead = len(shape) - a.ndim
    if lead < 0:
        return np.broadcast_to(a, shape)  # (NumPy's error)
    strides = [0] * lead
    for n, m, st in zip(a.shape, shape[lead:], a.strides):
        if n == m:
            strides.append(st)
        elif n == 1:
            strides.append(0)
        else:
            return np.broadcast_to(a, shape)  # (NumPy's error)
    try:
        view = np.ndarray(shape, a.dtype, a, 0, tuple(strides))
    except ValueError:  # `a` is not contiguous: NumPy's general way
        return np.broadcast_to(a, shape)
    view.setflags(False)
    return view


def expand_reduced(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Broadcast `g`, the result of reducing `x` over `axis`, back to the shape of `x`."""
    shape = shape_of(x)
    if shape_of(g) == shape:
        return g
    if type(g) is Node:
        if not keepdims and axis is not None:  # (a full reduction's scalar broadcasts as it is)
            g = reshape(g, _keepdims_shape(x, axis))
        return broadcast_to(g, shape)
    if not keepdims and axis is not None:
        g = (g if is_foreign(g) else np.asarray(g)).reshape(_keepdims_shape(x, axis))
    xv = plain_value(x)  # (inside vmap, all the examples: then shaped otherwise than x)
    if type(xv) is not np.ndarray and is_foreign(xv) and not is_foreign(g) and xv.shape == shape:
        return broadcast_like(g, xv)  # (in x's library: a NumPy broadcast would be copied into a Dask graph)
    return broadcast_view(g, shape)  # a plain cotangent: a read-only view


def reduced_count(x: Any, axis: Any) -> int:
    """How many elements of `x` each result of a reduction over `axis` combines."""
    shape = shape_of(x)
    if axis is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in _normalize_axes(axis, len(shape)))


# Rules mirror NumPy's signatures, so positional calls such as np.sum(x, 1) work; `out`
# is absent on purpose (traced values are never written into).
def _sum_vjp(g: Any, ans: Any, a: Any, axis: Any = None, dtype: Any = None, *,
             keepdims: bool = False, initial: Any = None) -> Any:
    return expand_reduced(g, a, axis, keepdims)


def _sum_forward(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
                 **kwargs: Any) -> Any:
    # what np.sum does for an ndarray, without its Python wrapper (half the time on small arrays)
    if type(a) is np.ndarray and out is None and not kwargs:
        return np.add.reduce(a, axis, dtype, None, keepdims)
    return np.sum(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kwargs)


sum = primitive(_sum_forward, _sum_vjp, name="sum", doc=np.sum.__doc__, uses_ans=False)  # noqa: A001 - mirrors numpy's name


def _mean_vjp(g: Any, ans: Any, a: Any, axis: Any = None, dtype: Any = None, *, keepdims: bool = False) -> Any:
    # divided before it is expanded: the same numbers, one per result instead of per element
    return expand_reduced(g / reduced_count(a, axis), a, axis, keepdims)


def _mean_forward(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
                  **kwargs: Any) -> Any:
    # what np.mean does for a float ndarray (sum, then divide by the count), without its
    # Python wrappers; float16 (summed in float32 by NumPy) and other dtypes go to np.mean
    if (type(a) is np.ndarray and dtype is None and out is None and not kwargs
            and a.dtype.kind == "f" and a.itemsize > 2):
        total = np.add.reduce(a, axis, None, None, keepdims)
        count = reduced_count(a, axis)
        if type(total) is np.ndarray:
            return np.true_divide(total, count, out=total)
        return total / count
    return np.mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kwargs)


mean = primitive(_mean_forward, _mean_vjp, name="mean", doc="""Arithmetic mean along `axis` (differentiable ``np.mean``).

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.mean(x * x))(fgrad.numpy.asarray([1.0, 2.0]))
        array([1., 2.])
    """, uses_ans=False)


# ---------------------------------------------------------------- shapes
reshape = primitive(lambda x, shape: x.reshape(shape) if type(x) is np.ndarray else np.reshape(x, shape),
                    lambda g, ans, x, shape: reshape(g, shape_of(x)), name="reshape", uses_ans=False)
broadcast_to = primitive(broadcast_view,
                         lambda g, ans, x, shape: unbroadcast(g, x), name="broadcast_to", uses_ans=False)


def _transpose_vjp(g: Any, ans: Any, x: Any, axes: Any = None) -> Any:
    return transpose(g, axes=None if axes is None else tuple(np.argsort(axes)))


transpose = primitive(lambda x, axes=None: np.transpose(x, axes), _transpose_vjp, name="transpose", uses_ans=False)


def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    """Exchange two axes (differentiable)."""
    if type(x) is np.ndarray:  # a constant (e.g. in a rule at the outermost level): a view
        return x.swapaxes(axis1, axis2)
    axes = list(range(ndim_of(x)))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, axes=tuple(axes))


def _plain_matrices(g: Any, x: Any, y: Any) -> bool:
    """Whether all three are plain 2-D arrays: a matrix product at the outermost level,
    whose cotangents are one NumPy product each (no shapes to work out, nothing to sum)."""
    return (type(g) is np.ndarray and type(x) is np.ndarray and type(y) is np.ndarray
            and g.ndim == 2 and x.ndim == 2 and y.ndim == 2)


def _matmul_vjp_left(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if _plain_matrices(g, x, y):
        return np.matmul(g, y.T)
    if ndim_of(y) == 1:
        if ndim_of(x) == 1:
            return g * y
        return reshape(g, shape_of(g) + (1,)) * y
    if ndim_of(x) == 1:
        return unbroadcast(matmul(y, reshape(g, shape_of(g) + (1,)))[..., 0], x)
    return unbroadcast(matmul(g, swapaxes(y, -1, -2)), x)


def _matmul_vjp_right(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if _plain_matrices(g, x, y):
        return np.matmul(x.T, g)
    if ndim_of(x) == 1:
        if ndim_of(y) == 1:
            return g * x
        return reshape(x, shape_of(x) + (1,)) * reshape(g, shape_of(g)[:-1] + (1,) + shape_of(g)[-1:])
    if ndim_of(y) == 1:
        return unbroadcast(matmul(swapaxes(x, -1, -2), reshape(g, shape_of(g) + (1,)))[..., 0], y)
    return unbroadcast(matmul(swapaxes(x, -1, -2), g), y)


matmul = primitive(np.matmul, _matmul_vjp_left, _matmul_vjp_right, name="matmul", uses_ans=False)


# ---------------------------------------------------------------- indexing
def _is_basic_index(idx: Any) -> bool:
    items = idx if type(idx) is tuple else (idx,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in items)


def _untake_forward(g: Any, idx: Any, shape: tuple[int, ...]) -> np.ndarray:
    if is_foreign(g):  # (in g's library: lazy for Dask)
        if not _is_basic_index(idx):  # integer-array indices may repeat: accumulate
            return scatter_add(g, idx, shape)
        out = np.zeros_like(g, shape=shape)  # (written with the library's own item assignment)
        out[idx] = g
        return out
    out = np.zeros(shape, dtype=np.result_type(g))
    if _is_basic_index(idx):
        out[idx] = g
    else:  # integer-array indices may repeat: accumulate
        np.add.at(out, idx, g)
    return out


def _getitem_forward(x: Any, idx: Any) -> Any:
    if type(x) is np.ndarray:
        return x[idx]
    if is_foreign(x):  # (integer arrays: NumPy's semantics, which Dask's own indexing lacks)
        return x[idx] if _is_basic_index(idx) else gather(x, idx)
    return np.asarray(x)[idx]  # (a 0-d value may arrive as a Python float, e.g. a tangent in forward mode)


getitem = primitive(_getitem_forward,
                    lambda g, ans, x, idx: untake(g, idx=idx, shape=shape_of(x)), name="getitem", uses_ans=False)
untake = primitive(_untake_forward,
                   lambda g, ans, x, idx, shape: getitem(g, idx=idx), name="untake", uses_ans=False)


# ---------------------------------------------------------------- dtypes
def _cast_forward(x: Any, dtype: Any) -> Any:
    if type(x) is not np.ndarray and is_foreign(x):  # (its own astype: CuPy refuses np.asarray)
        return x.astype(dtype)
    return np.asarray(x).astype(dtype)[()]


def _cast_vjp(g: Any, ans: Any, x: Any, dtype: Any) -> Any:
    like = value_of(x).dtype
    if np.iscomplexobj(value_of(g)) and like.kind != "c":
        g = real(g)  # a real value's cotangent is real (see fgrad._complex)
    return cast(g, dtype=like)


cast = primitive(_cast_forward, _cast_vjp, name="cast", uses_ans=False)


def stop_gradient(x: Any) -> Any:
    """The value of `x` treated as a constant by every transform (all levels).

    Example:
        >>> import fgrad
        >>> fgrad.grad(lambda x: x * fgrad.stop_gradient(x))(3.0)
        np.float64(3.0)
    """
    from .tree import tree_map

    return tree_map(value_of, x)


# ---------------------------------------------------------------- NumPy dispatch tables
UFUNCS.update({
    np.add: add, np.subtract: subtract, np.multiply: multiply, np.true_divide: divide,
    np.negative: negative, np.power: power, np.exp: exp, np.log: log, np.sin: sin,
    np.cos: cos, np.tan: tan, np.tanh: tanh, np.sqrt: sqrt, np.square: square,
    np.absolute: absolute, np.matmul: matmul,
})
ARRAY_FUNCTIONS.update({
    np.sum: sum, np.mean: mean,
    np.swapaxes: swapaxes,
    np.broadcast_to: lambda array, shape: broadcast_to(array, shape=shape),
})


def _plain_index_part(i: Any) -> Any:
    i = value_of(i)
    if isinstance(i, list):
        i = np.asarray([value_of(v) for v in i])
        if i.size == 0:  # NumPy reads an empty list as an empty integer index
            i = i.astype(np.intp)
    if isinstance(i, np.ndarray):  # a private copy: the graph must not see later writes
        i = i.copy()
        i.flags.writeable = False
    return i


def plain_index(idx: Any) -> Any:
    """An index with traced parts replaced by private constant copies of their values.

    Indices are not differentiated: integer and boolean arrays select elements.
    """
    if type(idx) is tuple:
        return tuple(_plain_index_part(i) for i in idx)
    return _plain_index_part(idx)
