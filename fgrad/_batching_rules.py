"""Batching rules for fgrad's primitives, one table from primitive name to rule.

Most follow from NumPy's own broadcasting and stacking: an elementwise primitive runs
once on batches aligned to broadcast (`align_examples`), a reduction or a reshaping
primitive has its ``axis``/``shape`` parameters moved one axis along, linear algebra
already works on stacks of matrices. Each rule receives the arguments' values (batched
ones with the batch along axis 0), which of them are batched, the primitive's
parameters and the batch size, and returns the batched result. Rules apply the
primitive with `bind`, so levels below the batching one record what they do.
"""

from __future__ import annotations

import inspect
import string
import sys
from typing import Any

import numpy as np

from ._batching import BATCH_RULES, align_examples, broadcast_batch, loop_rule, per_example_ndim

# The primitives of fgrad that batch by running once per example (`loop_rule`), each with
# why: the goal is none. tests/test_vmap.py checks this list against the table.
LOOPING = {
    "convolve": "1-D by definition; a batch of convolutions is one per example",
    "lstsq": "NumPy's lstsq takes one matrix, not a stack",
    "orthogonal_complement": "completes one basis at a time (inside qr/svd with complete bases)",
    "sqrtm": "scipy.linalg.sqrtm takes one matrix",
    "lu_factor": "scipy.linalg.lu_factor takes one matrix",
    "solve_triangular": "scipy.linalg.solve_triangular takes one matrix",
    "solve_sylvester": "scipy.linalg.solve_sylvester takes one system",
}
from ._core import Primitive, bind
from ._ops import reshape, shape_of, transpose

__all__ = ["RULES", "install"]


def _axis_after_batch(axis: Any, ndim: int) -> Any:
    """A per-example ``axis`` (int, tuple or None = all) as an axis of the batched value."""
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, (tuple, list)):
        return tuple(int(a) % ndim + 1 if ndim else 1 for a in axis)
    return int(axis) % ndim + 1 if ndim else 1


def _move_batch_to_front(value: Any, axis: int) -> Any:
    if axis == 0:
        return value
    nd = len(shape_of(value))
    order = [axis] + [i for i in range(nd) if i != axis]
    return transpose(value, axes=tuple(order))


_PARAMETER_NAMES: dict[Any, list[str]] = {}


def _keywords(prim: Primitive, values: list, batched: list, params: Any) -> tuple[list, list, dict]:
    """The primitive's unbatched positional arguments after the first as keyword parameters
    (``np.max(x, 0)`` -> ``np.max(x, axis=0)``), so rules find ``axis`` in one place."""
    if len(values) == 1 or any(batched[1:]):
        return values, batched, params
    names = _PARAMETER_NAMES.get(prim.forward)
    if names is None:
        try:
            names = list(inspect.signature(prim.forward).parameters)
        except (TypeError, ValueError):
            names = []
        _PARAMETER_NAMES[prim.forward] = names
    if len(names) < len(values):
        return values, batched, params
    return values[:1], batched[:1], {**params, **dict(zip(names[1:], values[1:]))}


def keyword_form(rule: Any) -> Any:
    """`rule` applied with extra positional arguments moved into its parameters."""
    def with_keywords(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
        return rule(prim, *_keywords(prim, values, batched, params), size)
    with_keywords.__name__ = getattr(rule, "__name__", "rule")
    return with_keywords


def _all_batched(values: list, batched: list, size: int) -> list:
    return [v if b else broadcast_batch(v, size) for v, b in zip(values, batched)]


# ---------------------------------------------------------------- elementwise
def elementwise(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    return bind(prim, align_examples(values, batched), params)


# ---------------------------------------------------------------- reductions and axis parameters
def reduction(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    """``axis`` (None: every axis of an example) moved past the batch axis."""
    if not batched[0] or any(batched[1:]):
        return loop_rule(prim, values, batched, params, size)
    nd = per_example_ndim(values[0], True)
    new = dict(params)
    new["axis"] = _axis_after_batch(params.get("axis"), nd)
    return bind(prim, values, new)


def cumulative(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    """cumsum/cumprod: ``axis=None`` runs along each example flattened."""
    (x,) = values
    axis = params.get("axis")
    new = dict(params)
    if axis is None:
        x = reshape(x, shape=(size, -1))
        new["axis"] = 1
    else:
        new["axis"] = _axis_after_batch(axis, per_example_ndim(x, True))
    return bind(prim, [x], new)


def one_axis(name: str) -> Any:
    """A primitive with one per-example axis parameter `name` (None not allowed)."""
    def rule(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
        if not batched[0] or any(batched[1:]):
            return loop_rule(prim, values, batched, params, size)
        new = dict(params)
        new[name] = _axis_after_batch(params.get(name, -1), per_example_ndim(values[0], True))
        return bind(prim, values, new)
    return rule


def flip(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    new = dict(params)
    new["axis"] = _axis_after_batch(params.get("axis"), per_example_ndim(values[0], True))
    return bind(prim, values, new)


def roll(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    x = values[0]
    if len(values) > 1 and any(batched[1:]):
        return loop_rule(prim, values, batched, params, size)
    axis = params.get("axis")
    new = dict(params)
    if axis is None:  # rolls each example flattened
        shape = shape_of(x)
        new["axis"] = 1
        return reshape(bind(prim, [reshape(x, shape=(size, -1)), *values[1:]], new), shape=shape)
    new["axis"] = _axis_after_batch(axis, per_example_ndim(x, True))
    return bind(prim, values, new)


def diagonal(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    nd = per_example_ndim(values[0], True)
    new = dict(params)
    new["axis1"] = _axis_after_batch(params.get("axis1", 0), nd)
    new["axis2"] = _axis_after_batch(params.get("axis2", 1), nd)
    return bind(prim, values, new)


def last_two_axes(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    """tril/triu and square-matrix functions: per-example matrices stack as they are."""
    if per_example_ndim(values[0], True) < 2 or any(batched[1:]):
        return loop_rule(prim, values, batched, params, size)
    return bind(prim, values, params)


# ---------------------------------------------------------------- shapes
def _shape(shape: Any) -> tuple:
    return (int(shape),) if np.ndim(shape) == 0 else tuple(shape)


def reshape_rule(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    new = dict(params)
    new["shape"] = (size, *_shape(params["shape"]))
    return bind(prim, values, new)


def transpose_rule(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    nd = per_example_ndim(values[0], True)
    axes = params.get("axes")
    order = tuple(range(nd, 0, -1)) if axes is None else tuple(int(a) % nd + 1 for a in axes)
    new = dict(params)
    new["axes"] = (0, *order)
    return bind(prim, values, new)


def broadcast_to_rule(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    target = _shape(params["shape"])
    (x,) = align_examples(values, batched, ndim=len(target))
    new = dict(params)
    new["shape"] = (size, *target)
    return bind(prim, [x], new)


def concatenate(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    values = _all_batched(values, batched, size)
    axis = params.get("axis", 0)
    new = dict(params)
    if axis is None:
        values = [reshape(v, shape=(size, -1)) for v in values]
        new["axis"] = 1
    else:
        new["axis"] = _axis_after_batch(axis, per_example_ndim(values[0], True))
    return bind(prim, values, new)


def _is_index_array(item: Any) -> bool:
    return not (item is None or item is Ellipsis or isinstance(item, slice)
                or isinstance(item, (int, np.integer)))


def _batched_index(idx: Any) -> tuple | None:
    """``idx`` with a full slice in front for the batch axis, or None where that would move axes.

    NumPy puts the axes of separated advanced indices (``x[[0, 1], :, [2, 3]]``) first,
    before the batch axis; such an index is batched one example at a time.
    """
    items = idx if type(idx) is tuple else (idx,)
    arrays = [i for i, item in enumerate(items) if _is_index_array(item)]
    if arrays:
        advanced = [i for i, item in enumerate(items) if _is_index_array(item) or isinstance(item, (int, np.integer))]
        if advanced != list(range(advanced[0], advanced[-1] + 1)):
            return None
    return (slice(None), *items)


def getitem(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    idx = _batched_index(params["idx"])
    if idx is None:
        return loop_rule(prim, values, batched, params, size)
    return bind(prim, values, {**params, "idx": idx})


def untake(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    idx = _batched_index(params["idx"])
    if idx is None:
        return loop_rule(prim, values, batched, params, size)
    return bind(prim, values, {**params, "idx": idx, "shape": (size, *tuple(params["shape"]))})


def set_items(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    """``x.at[idx].set(v)``: every example's array, and its values lined up with the selection."""
    idx = _batched_index(params["idx"])
    if idx is None:
        return loop_rule(prim, values, batched, params, size)
    x, v = values
    if not batched[0]:
        x = broadcast_batch(x, size)
    if batched[1]:  # the selection of one example has this many axes; its values broadcast to them
        selected = np.broadcast_to(np.zeros((), dtype=bool), shape_of(x)[1:])[params["idx"]].ndim
        (v,) = align_examples([v], [True], ndim=selected)
    return bind(prim, [x, v], {**params, "idx": idx})


def permute_along(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    """A gather by a permutation computed in an array-API library: every argument batched, one axis along."""
    axis = int(params["axis"]) % max(per_example_ndim(values[0], batched[0]), 1) + 1
    return bind(prim, _all_batched(values, batched, size), {**params, "axis": axis})


def pad(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    nd = per_example_ndim(values[0], True)
    widths = np.broadcast_to(np.asarray(params["pad_width"]), (nd, 2))
    constant = params.get("constant_values", 0)
    if np.ndim(constant) != 0 or any(batched[1:]):
        return loop_rule(prim, values, batched, params, size)
    new = dict(params)
    new["pad_width"] = ((0, 0), *map(tuple, widths.tolist()))
    return bind(prim, values, new)


# ---------------------------------------------------------------- products and linear algebra
def matmul(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    """Vectors become one-row/one-column matrices, stacks line up, the unit axes go again."""
    a, b = values
    vector_a = per_example_ndim(a, batched[0]) == 1
    vector_b = per_example_ndim(b, batched[1]) == 1
    # One matrix product for a batch of vectors and one matrix (a BLAS matrix-matrix
    # product, not a stack of matrix-vector ones): W @ x_i for all i is X @ W.T.
    if vector_a and vector_b and batched[0] != batched[1]:  # x_i . w for all i: one matrix-vector product
        return bind(prim, [a, b] if batched[0] else [b, a], params)
    if vector_a and batched[0] and not batched[1] and len(shape_of(b)) == 2:
        return matrix_product(prim, a, b, params)
    if vector_b and batched[1] and not batched[0] and len(shape_of(a)) == 2:
        from ._ops import swapaxes

        return matrix_product(prim, b, swapaxes(a, 0, 1), params)
    if not vector_a and not vector_b and batched[0] != batched[1]:
        out = _one_matrix_product(prim, a, b, batched[0], params)
        if out is not None:
            return out
    if vector_a:
        a = reshape(a, shape=shape_of(a)[:-1] + (1,) + shape_of(a)[-1:])
    if vector_b:
        b = reshape(b, shape=shape_of(b) + (1,))
    out = bind(prim, align_examples([a, b], batched), params)
    shape = shape_of(out)
    if vector_a and vector_b:
        return reshape(out, shape=shape[:-2])
    if vector_a:
        return reshape(out, shape=shape[:-2] + shape[-1:])
    if vector_b:
        return reshape(out, shape=shape[:-1])
    return out


def _diagonal(x: Any) -> np.ndarray | None:
    """The diagonal of `x` if it is a constant square matrix with nothing off its diagonal, else None.

    Jacobians walk with the identity as their batch of seeds, and an elementwise rule
    keeps it diagonal: ``diag(d) @ W`` is then ``d[:, None] * W``, O(n**2) where the
    product is O(n**3). Only for plain arrays: a traced matrix that happens to be
    diagonal here has derivatives off its diagonal. (Rejecting costs a look at one row.)
    """
    if type(x) is not np.ndarray or x.ndim != 2 or x.shape[0] != x.shape[1] or x.shape[0] < 8:
        return None
    if np.count_nonzero(x[0]) > 1 or np.count_nonzero(x[-1]) > 1:
        return None
    d = np.diagonal(x)
    return d if np.count_nonzero(x) == np.count_nonzero(d) else None


def matrix_product(prim: Primitive, a: Any, b: Any, params: Any) -> Any:
    """``a @ b`` of two matrices; as a scaling when either is a constant diagonal (see `_diagonal`)."""
    from ._ops import multiply

    d = _diagonal(a)
    if d is not None:
        return multiply(d[:, None], b)
    d = _diagonal(b)
    if d is not None:
        return multiply(a, d[None, :])
    return bind(prim, [a, b], params)


def _one_matrix_product(prim: Primitive, a: Any, b: Any, a_batched: bool, params: Any) -> Any:
    """A batch of matrices times one matrix (either side) as one large product, or None.

    NumPy runs ``(m, n) @ (B, n, k)`` as B small products; stacking the batch into the
    rows (or columns) of one matrix makes it a single BLAS call.
    """
    from ._ops import swapaxes

    sa, sb = shape_of(a), shape_of(b)
    if a_batched and len(sa) == 3 and len(sb) == 2:  # (B, m, n) @ (n, k): rows of one (B*m, n) matrix
        size, m, n = sa
        out = matrix_product(prim, reshape(a, shape=(size * m, n)), b, params)
        return reshape(out, shape=(size, m, sb[1]))
    if not a_batched and len(sa) == 2 and len(sb) == 3:  # (m, n) @ (B, n, k) = ((B, k, n) @ (n, m)).T
        size, n, k = sb
        rows = reshape(swapaxes(b, 1, 2), shape=(size * k, n))
        out = matrix_product(prim, rows, swapaxes(a, 0, 1), params)
        return swapaxes(reshape(out, shape=(size, k, sa[0])), 1, 2)
    return None


def solve(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    a, b = values
    vector_b = per_example_ndim(b, batched[1]) == 1
    if vector_b and batched[1]:
        b = reshape(b, shape=shape_of(b) + (1,))
        vector_b = False
        squeeze = True
    else:
        squeeze = False
    if not vector_b:
        a, b = align_examples([a, b], batched)
    out = bind(prim, [a, b], params)
    return reshape(out, shape=shape_of(out)[:-1]) if squeeze else out


def tensordot(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    if len(values) == 3 and not batched[2]:  # (axes given positionally)
        values, batched, params = values[:2], batched[:2], {**params, "axes": values[2]}
    if batched[0] and batched[1]:
        return loop_rule(prim, values, batched, params, size)
    from .numpy._contract import _tensordot_axes

    a, b = values
    nd_a, nd_b = per_example_ndim(a, batched[0]), per_example_ndim(b, batched[1])
    axes_a, axes_b = _tensordot_axes(params.get("axes", 2), nd_a, nd_b)
    if batched[0]:
        axes_a = [x % nd_a + 1 for x in axes_a]
        axes_b = [x % nd_b for x in axes_b]
    else:
        axes_a = [x % nd_a for x in axes_a]
        axes_b = [x % nd_b + 1 for x in axes_b]
    out = bind(prim, values, {**params, "axes": (axes_a, axes_b)})
    if batched[0]:
        return out
    return _move_batch_to_front(out, nd_a - len(axes_a))


def _explicit_subscripts(spec: str) -> tuple[list[str], str]:
    """The operands' subscripts and the output's, made explicit (``'ij,jk'`` -> ``'ij,jk->ik'``)."""
    spec = spec.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if not arrow:
        letters = [c for c in inputs if c.isalpha()]
        output = ("..." if "..." in inputs else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return terms, output


def einsum(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    """A fresh letter for the batch axis, on every batched operand and on the output."""
    subscripts, *operands = values
    if batched[0] or not isinstance(subscripts, str):
        return loop_rule(prim, values, batched, params, size)
    terms, output = _explicit_subscripts(subscripts)
    used = set(subscripts)
    letter = next(c for c in string.ascii_letters if c not in used)
    terms = [letter + t if b else t for t, b in zip(terms, batched[1:])]
    return bind(prim, [",".join(terms) + "->" + letter + output, *operands], params)


def fft_rule(prim: Primitive, values: list, batched: list, params: Any, size: int) -> Any:
    new = dict(params)
    new["axis"] = _axis_after_batch(params.get("axis", -1), per_example_ndim(values[0], True))
    return bind(prim, values, new)


# ---------------------------------------------------------------- the table
_ELEMENTWISE = """
abs add arccos arccosh arcsin arcsinh arctan arctan2 arctanh cast cbrt clip conj copysign cos cosh deg2rad div
exp exp2 expm1 fabs float_power fmax fmin fmod hypot imag log log10 log1p log2 logaddexp logaddexp2 maximum
minimum mul name neg pow rad2deg real reciprocal remainder sin sinc sinh sqrt square square_vjp sub tan tanh
tanh_vjp where polygamma zeta
""".split()

RULES: dict[str, Any] = {
    **{name: elementwise for name in _ELEMENTWISE},
    **{name: keyword_form(reduction) for name in "sum mean amax amin max min prod std var".split()},
    "cumsum": keyword_form(cumulative), "cumprod": keyword_form(cumulative),
    "flip": keyword_form(flip), "roll": keyword_form(roll), "diagonal": keyword_form(diagonal),
    "tril": keyword_form(last_two_axes), "triu": keyword_form(last_two_axes),
    **{name: last_two_axes for name in
       "inv det logabsdet slogdet_sign cholesky eig eigh eigvals eigvalsh svd svdvals qr pinv cofactor expm".split()},
    "reshape": keyword_form(reshape_rule), "transpose": keyword_form(transpose_rule),
    "broadcast_to": keyword_form(broadcast_to_rule), "concatenate": concatenate,
    "getitem": keyword_form(getitem), "untake": keyword_form(untake), "pad": keyword_form(pad),
    "at.set": set_items, "permute_along": permute_along,
    "matmul": matmul, "solve": solve, "tensordot": tensordot, "einsum": einsum,
    **{name: keyword_form(fft_rule) for name in "fft ifft rfft irfft".split()},
}


def looping_primitives() -> list[str]:
    """The names of fgrad's primitives that vmap runs once per example (no batching rule).

    Example:
        >>> from fgrad._batching_rules import looping_primitives
        >>> "lstsq" in looping_primitives() and "matmul" not in looping_primitives()
        True
    """
    install()
    return sorted({prim.name for prim in _fgrads_primitives() if prim.forward not in BATCH_RULES})


def _rule_of(prim: Primitive) -> Any:
    """The table's rule for `prim`; any other primitive whose forward is a ufunc (NumPy's or
    SciPy's special functions) is elementwise."""
    rule = RULES.get(prim.name)
    if rule is None and isinstance(prim.forward, np.ufunc):
        return elementwise
    return rule


def _fgrad_modules() -> list[tuple[str, Any]]:
    return [(name, module) for name, module in list(sys.modules.items())
            if module is not None and (name == "fgrad" or name.startswith("fgrad."))]


def _primitives_in(module: Any) -> list[Primitive]:
    """The primitives of fgrad's own functions (made by `fgrad.primitive`) that `module` defines."""
    return [fun.primitive for fun in list(vars(module).values())
            if isinstance(getattr(fun, "primitive", None), Primitive) and getattr(fun, "__module__", "").startswith("fgrad")]


def _fgrads_primitives() -> list[Primitive]:
    return [prim for _, module in _fgrad_modules() for prim in _primitives_in(module)]


_SCANNED: set[str] = set()
_MODULES_SEEN = [0]


def install() -> None:
    """Register the rules of fgrad's own primitives, from every fgrad module loaded so far.

    Found by name in `RULES` among the module's functions made by `fgrad.primitive`
    (a user's primitive named like one of fgrad's gets no rule: it loops, correctly).
    Cheap when no module was imported since the last call.
    """
    if len(sys.modules) == _MODULES_SEEN[0]:
        return
    _MODULES_SEEN[0] = len(sys.modules)
    for name, module in _fgrad_modules():
        if name in _SCANNED:
            continue
        _SCANNED.add(name)
        for prim in _primitives_in(module):
            rule = _rule_of(prim)
            if rule is not None:
                BATCH_RULES.setdefault(prim.forward, rule)
