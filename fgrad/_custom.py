"""`custom_vjp`: a function with a backward rule written by its author.

Called on plain values, the function simply runs.  Called on traced values, it runs
``fwd`` on the arguments one level down and records one Node per float output leaf at
the highest trace level among its arguments, whose VJP rule is the author's ``bwd``
applied to ``fwd``'s residuals.  Outer levels differentiate what ``fwd`` computed, as
in JAX: when ``fwd`` calls the decorated function itself, they meet this rule again,
and since ``bwd`` is written in fgrad operations on the residuals, differentiating it
gives the higher derivatives.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from . import _core
from ._backend import dtype_of, hold, is_foreign
from ._complex import is_complex, mark_active
from ._core import (
    _NO_PARAMS, Node, Primitive, check_live, make_node, next_seq, plain_value, split_inputs, top_level, value_of,
)
from ._ops import shape_of
from ._transforms import check_callable, zeros_like_leaf
from .tree import PyTreeDef, tree_flatten, tree_map, tree_structure, tree_unflatten

__all__ = ["custom_vjp"]


class custom_vjp:  # noqa: N801 - named like the decorator it is, as in JAX
    """Give a function its own reverse-mode rule (numerical stability, straight-through...).

    Decorate ``fun``, then attach the rule with ``fun.defvjp(fwd, bwd)``:

    - ``fwd(*args)`` returns ``(out, residuals)``: the output of ``fun`` and any pytree of
      values the backward rule needs;
    - ``bwd(residuals, g)`` takes the output cotangent ``g`` (structured like ``out``)
      and returns a tuple with one cotangent per positional argument of ``fun``, each
      structured like its argument (``None`` for no contribution).

    Plain calls run ``fun``; under a transform ``fwd`` and ``bwd`` are used. Write ``bwd``
    with fgrad operations or ``np.*`` calls on its inputs and the rule differentiates
    again: ``grad(grad(f))`` differentiates ``bwd``. For that, the residuals must be
    differentiable too: compute them in ``fwd`` with fgrad operations, or by calling the
    decorated function itself, as below -- then ``fun`` may use any NumPy code (here
    ``np.logaddexp``, which fgrad cannot differentiate) and derivatives of every order
    use the rule. Keyword arguments are static (not differentiated).

    Example:
        >>> import numpy as np, fgrad
        >>> @fgrad.custom_vjp
        ... def log1pexp(x):
        ...     return np.logaddexp(0.0, x)
        >>> def log1pexp_fwd(x):
        ...     out = log1pexp(x)
        ...     return out, (x, out)
        >>> def log1pexp_bwd(res, g):
        ...     x, out = res
        ...     return (g * np.exp(x - out),)  # sigmoid(x), without overflow
        >>> _ = log1pexp.defvjp(log1pexp_fwd, log1pexp_bwd)
        >>> fgrad.grad(log1pexp)(1000.0)
        np.float64(1.0)
        >>> float(fgrad.grad(fgrad.grad(log1pexp))(0.0))  # sigmoid'(0)
        0.25
        >>> with np.errstate(over="ignore", invalid="ignore"):  # the naive formula overflows
        ...     fgrad.grad(lambda x: np.log(1.0 + np.exp(x)))(1000.0)
        np.float64(nan)
    """

    def __init__(self, fun: Callable[..., Any]) -> None:
        check_callable(fun, "custom_vjp")
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.fwd: Callable[..., Any] | None = None
        self.bwd: Callable[..., Any] | None = None

    @property
    def _name(self) -> str:
        return getattr(self.fun, "__name__", "function")

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any]) -> "custom_vjp":
        """Attach the forward (``args -> (out, residuals)``) and backward rules."""
        for name, rule in (("fwd", fwd), ("bwd", bwd)):
            if not callable(rule):
                raise TypeError(f"custom_vjp.defvjp: `{name}` must be callable, got {type(rule).__name__} {rule!r:.60}")
        self.fwd, self.bwd = fwd, bwd
        return self

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self if obj is None else functools.partial(self, obj)

    def __repr__(self) -> str:
        return f"<custom_vjp {self._name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        leaves, in_def = tree_flatten(args)
        top = top_level(leaves)
        if not top:
            return self.fun(*args, **kwargs)
        for key, value in kwargs.items():
            if any(type(x) is Node for x in tree_flatten(value)[0]):
                raise TypeError(
                    f"custom_vjp: keyword argument `{key}` of `{self._name}` is a traced value, but "
                    "keyword arguments are static: pass values to differentiate positionally"
                )
        for leaf in leaves:  # (as `bind` does: outputs are recorded at the top level)
            check_live(leaf, f"cannot apply the custom_vjp function `{self._name}` to")
        if top in _core._INTERPRETERS:  # the top level is vmap's: the rules are batched (as in JAX)
            return self._batched(leaves, in_def, kwargs, top)
        if self.fwd is None or self.bwd is None:
            raise TypeError(
                f"custom_vjp: `{self._name}` is being differentiated but has no rule yet: "
                f"call `{self._name}.defvjp(fwd, bwd)` first"
            )
        inputs = tuple(leaves)  # every output's record keeps this one tuple
        _, vals = split_inputs(inputs, top)
        low_args = tree_unflatten(in_def, vals)
        out, residuals = self._run_fwd(low_args, kwargs)
        out_leaves, out_def = tree_flatten(out)
        arg_defs = tuple(tree_structure(a) for a in low_args)
        wrapped = []
        for j, o in enumerate(out_leaves):
            if is_complex(o):  # its cotangents follow JAX's convention (see fgrad._complex)
                mark_active()
            if not _is_float(o):
                wrapped.append(o)  # integer/bool outputs have no derivative
                continue
            pull = _Pullback(self, residuals, out_leaves, out_def, j, arg_defs, vals)
            rules = tuple(functools.partial(_leaf_rule, pull, i) for i in range(len(leaves)))
            prim = Primitive(self._name, self.fun, rules, uses_ans=False)  # (bwd gets residuals instead)
            wrapped.append(make_node(_frozen(o), prim, inputs, _NO_PARAMS, top, None, next_seq()))
        return tree_unflatten(out_def, wrapped)

    def _batched(self, leaves: list, in_def: Any, kwargs: dict, level: int) -> Any:
        """The call at a vmap level: a custom_vjp function of whole batches, its rules vmapped.

        Its forward, fwd and bwd run under `vmap` on the values one level down; a cotangent
        for an argument that is the same for every example is summed over the examples.
        """
        from ._batching import batched_value
        from ._vmap import vmap

        mapped = [type(x) is Node and x.level == level for x in leaves]
        values = tree_unflatten(in_def, [x.value if m else x for x, m in zip(leaves, mapped)])
        in_axes = tree_unflatten(in_def, [0 if m else None for m in mapped])
        in_axes = tuple(in_axes)
        fun, fwd, bwd = (functools.partial(f, **kwargs) if kwargs else f for f in (self.fun, self.fwd, self.bwd))
        arg_defs = [tree_structure(a) for a in values]

        def batched_bwd(residuals: Any, g: Any) -> tuple:
            cts = vmap(bwd)(residuals, g)
            summed = []
            for ct, axes, treedef in zip(cts, in_axes, arg_defs):
                ct_leaves = tree_flatten(ct)[0]
                axis_leaves = [axes] * len(ct_leaves) if axes is None or isinstance(axes, int) else tree_flatten(axes)[0]
                summed.append(tree_unflatten(treedef, [
                    c if a is not None else _sum_examples(c) for c, a in zip(ct_leaves, axis_leaves)]))
            return tuple(summed)

        whole = custom_vjp(vmap(fun, in_axes=in_axes))
        whole.defvjp(vmap(fwd, in_axes=in_axes), batched_bwd)
        out = whole(*values)
        return tree_map(lambda o: batched_value(o, level), out)

    def _run_fwd(self, args: tuple, kwargs: dict) -> tuple[Any, Any]:
        result = self.fwd(*args, **kwargs)  # type: ignore[misc]
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise TypeError(
                f"custom_vjp: the fwd rule of `{self._name}` must return a pair (output, residuals), "
                f"got {type(result).__name__}"
                + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
            )
        return result[0], result[1]


def _sum_examples(ct: Any) -> Any:
    from ._ops import sum as fsum

    return fsum(ct, axis=0)


def _is_float(x: Any) -> bool:
    v = plain_value(x)  # (the dtype is the same under every level, vmap's included)
    dtype = dtype_of(v)
    return dtype is not None and dtype.kind in "fc" and not isinstance(v, int)


def _frozen(x: Any) -> Any:
    """A value fit for a Node: a read-only array (a view, never the caller's own) or scalar."""
    if type(x) is Node:
        return x
    if isinstance(x, np.ndarray) or is_foreign(x):
        return hold(x)
    return np.asarray(x)[()]


def _leaf_rule(pull: "_Pullback", i: int, g: Any, ans: Any, *args: Any) -> Any:
    ct = pull(g)[i]
    return zeros_like_leaf(args[i], np.result_type(value_of(args[i]))) if ct is None else ct


class _Pullback:
    """The author's ``bwd`` for one output leaf of one call: ``g`` -> flat input cotangents.

    The backward pass asks once per differentiated input leaf with the same ``g``; the
    last answer is remembered (as one tuple, so concurrent walks never mix answers).
    """

    __slots__ = ("custom", "residuals", "out_leaves", "out_def", "j", "arg_defs", "vals", "memo")

    def __init__(self, custom: custom_vjp, residuals: Any, out_leaves: list, out_def: PyTreeDef,
                 j: int, arg_defs: tuple[PyTreeDef, ...], vals: tuple) -> None:
        self.custom, self.residuals = custom, residuals
        self.out_leaves, self.out_def, self.j = out_leaves, out_def, j
        self.arg_defs, self.vals = arg_defs, vals
        self.memo: tuple[Any, list] | None = None

    def __call__(self, g: Any) -> list:
        memo = self.memo
        if memo is not None and memo[0] is g:
            return memo[1]
        if len(self.out_leaves) == 1:
            g_tree = tree_unflatten(self.out_def, [g])
        else:  # by linearity, one output's cotangent with zeros for the others
            g_tree = tree_unflatten(self.out_def, [
                g if k == self.j else np.zeros_like(value_of(o), dtype=np.result_type(value_of(o)))
                for k, o in enumerate(self.out_leaves)
            ])
        cts = self._check(self.custom.bwd(self.residuals, g_tree))  # type: ignore[misc]
        self.memo = (g, cts)
        return cts

    def _check(self, cts: Any) -> list:
        """The flat cotangent leaves, after checking ``bwd``'s answer against the arguments."""
        name = self.custom._name
        n = len(self.arg_defs)
        if not (isinstance(cts, (tuple, list)) and len(cts) == n):
            got = f"{type(cts).__name__} of length {len(cts)}" if isinstance(cts, (tuple, list)) else type(cts).__name__
            raise TypeError(
                f"custom_vjp: the bwd rule of `{name}` must return a tuple with one cotangent per "
                f"positional argument ({n}), got {got}; for one argument write `return (g_x,)`"
            )
        flat: list = []
        for a, (ct, arg_def) in enumerate(zip(cts, self.arg_defs)):
            if ct is None:
                flat.extend([None] * arg_def.num_leaves)
                continue
            ct_leaves, ct_def = tree_flatten(ct)
            if ct_def != arg_def:
                raise ValueError(
                    f"custom_vjp: the bwd rule of `{name}` returned a cotangent of structure "
                    f"{ct_def!r} for argument {a}, expected {arg_def!r} (the argument's structure)"
                )
            flat.extend(ct_leaves)
        for k, (ct, v) in enumerate(zip(flat, self.vals)):
            if ct is not None and shape_of(ct) != shape_of(v):
                raise ValueError(
                    f"custom_vjp: the bwd rule of `{name}` returned a cotangent of shape "
                    f"{shape_of(ct)} for argument leaf {k}, expected {shape_of(v)} (the argument's shape)"
                )
        return flat

