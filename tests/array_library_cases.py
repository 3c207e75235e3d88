"""Programs and transforms run on the arrays of other libraries (tests/test_dask.py,
tests/test_array_api.py): each case applies a transform to one input array and returns
the pytree it gives, to compare with the same case on the NumPy array `XN`."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

import fgrad

XN = np.linspace(-2.0, 2.0, 12)
W = np.linspace(-1.0, 1.0, 36).reshape(12, 3)


def w3(x):
    return np.sum(np.tanh(x) ** 2 * np.exp(-x))


def mixed(x):
    return np.sum(np.sin(x) ** 2 + np.cos(x[::2]).sum() * np.mean(x)) + np.max(np.abs(x))


def layer(x):
    return np.tanh(x @ W) * 2.0


def piecewise(x):
    return np.sum(np.maximum(x, 0.0) ** 2 + np.where(x > 0, x, 0.5 * x))


def products(x):
    return np.sum((x.reshape(3, 4).T @ x.reshape(3, 4)) ** 2) / np.prod(x[:3])


CASES = {
    "grad": lambda x: fgrad.grad(w3)(x),
    "grad of reductions and slices": lambda x: fgrad.grad(mixed)(x),
    "grad of max/where": lambda x: fgrad.grad(piecewise)(x),
    "grad of matmul, transpose, prod": lambda x: fgrad.grad(products)(x),
    "value_and_grad": lambda x: fgrad.value_and_grad(w3)(x),
    "vjp": lambda x: fgrad.vjp(layer, x)[1](np.ones(3)),
    "jvp": lambda x: fgrad.jvp(layer, (x,), (np.ones_like(XN),)),
    "linearize": lambda x: fgrad.linearize(layer, x)[1](np.ones_like(XN)),
    "second order": lambda x: fgrad.grad(lambda y: np.sum(fgrad.grad(w3)(y) * y))(x),
    "jacrev": lambda x: fgrad.jacrev(layer)(x),
    "jacfwd": lambda x: fgrad.jacfwd(layer)(x),
    "hessian": lambda x: fgrad.hessian(w3)(x[:4]),
    "hvp": lambda x: fgrad.hvp(w3)(x, np.ones_like(XN)),
    "elementwise_grad": lambda x: fgrad.elementwise_grad(np.tanh)(x),
}


# vmap around derivatives: examples along axis 0 of XB, every transform of each function
XB = np.arange(12.0).reshape(3, 4) / 5
_PER_EXAMPLE = {
    "sum": np.sum,
    "sum of squares": lambda r: np.sum(r ** 2),
    "mean of tanh": lambda r: np.mean(np.tanh(r)),
    "axis sum": lambda r: np.sum(np.tanh(r) * r, axis=0).sum(),
    "index and product": lambda r: 3.0 * r[0] + r[1] * r[2] ** 2,
}
_VMAPPED = {
    "vmap(grad)": lambda f: fgrad.vmap(fgrad.grad(f)),
    "vmap(hessian)": lambda f: fgrad.vmap(fgrad.hessian(f)),
    "vmap(jvp)": lambda f: fgrad.vmap(lambda r: fgrad.jvp(f, (r,), (np.ones(4),))[1]),
    "vmap(jacrev)": lambda f: fgrad.vmap(fgrad.jacrev(lambda r: np.tanh(r) * f(r))),
    "grad(vmap(grad))": lambda f: fgrad.grad(lambda X: np.sum(fgrad.vmap(fgrad.grad(f))(X) ** 2)),
}
VMAP_CASES = {f"{t} of {f}": _VMAPPED[t](_PER_EXAMPLE[f]) for t in _VMAPPED for f in _PER_EXAMPLE}


def table_gradients():
    """(row, gradient function, NumPy arguments) for every function-table row with a derivative."""
    import zlib

    import fgrad.numpy as fnp
    from fgrad.tree import tree_leaves
    from table_support import argument_shapes, float64_arguments, table_rows

    for r in table_rows():
        if r.doc_only or "fnp" not in r.namespaces or r.order < 1:
            continue
        shapes = argument_shapes(r.shapes[0])

        def loss(*xs, r=r):
            return sum(fnp.sum(fnp.real(leaf)) for leaf in tree_leaves(r.fun(fnp, *xs))
                       if np.result_type(leaf).kind in "fc")

        yield r, fgrad.grad(loss, argnums=tuple(range(len(shapes)))), \
            float64_arguments(r, shapes, zlib.crc32(r.name.encode()) % 1000)


def rows_that_run(table, convert, refusals, context=contextlib.nullcontext):
    """How many of `table`'s gradients run on arguments made by `convert` (inside
    `context()`), counting a refusal (an exception in `refusals`) as not running; for the
    floor tests of each library. Warnings and floating-point errors are the rows' own."""
    ran = 0
    for _, grad, args in table:
        try:
            with context(), np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grad(*convert(args))
        except refusals:
            continue
        ran += 1
    return ran
