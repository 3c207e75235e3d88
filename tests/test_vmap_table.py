"""vmap on every function of the function table: the batched call equals a loop over examples.

Each row of tests/table_rows_*.py (the table that checks every function's derivatives) is
run on a batch of three examples: ``vmap(f)`` against stacking ``f`` of each example
(NumPy's own result), with every argument mapped and with only the first mapped; then
per-example gradients, ``vmap(grad(loss))``, against a loop of ``grad(loss)``, and
``grad`` of the summed batch (the transforms the other way round).
"""

from __future__ import annotations

import zlib

import numpy
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.tree import tree_flatten, tree_leaves

from table_support import argument_shapes, float64_arguments, table_rows

ROWS = [r for r in table_rows() if not r.doc_only and "fnp" in r.namespaces]
EXAMPLES = 3
# Rows vmap refuses, with the error that says why: np.piecewise runs once per example (its
# pieces depend on each example's masks), and this row's functions close over a mapped value.
REFUSED = {"piecewise conditions overlap": "captured by a lambda"}


def _cases():
    for r in ROWS:
        for case in r.shapes:
            shapes = argument_shapes(case)
            yield pytest.param(r, shapes, id=f"{r.name}-{'x'.join(map(str, shapes))}")


# scipy.special's table (tests/test_scipy_special.py), run with fgrad.scipy.special the same way
try:
    import scipy.special as _scipy_special

    import fgrad.scipy.special as _fgrad_special
    from test_scipy_special import ROWS as _SPECIAL_ROWS
except ImportError:  # (the scipy extra is not installed)
    _SPECIAL_ROWS = []


def _special_cases():
    for r in _SPECIAL_ROWS:
        for case in r.shapes:
            shapes = argument_shapes(case)
            yield pytest.param(r, shapes, id=f"scipy.special {r.name}-{'x'.join(map(str, shapes))}")


@pytest.mark.parametrize("r, shapes", list(_special_cases()))
def test_vmap_of_scipy_special_equals_a_loop(r, shapes):
    examples = _examples(r, shapes)
    want = _stack_trees([r.fun(_scipy_special if "scipy" in r.namespaces else _fgrad_special, *e) for e in examples])
    _assert_close(fgrad.vmap(lambda *xs: r.fun(_fgrad_special, *xs))(*[_stacked(examples, k) for k in range(len(shapes))]),
                  *want)
    if r.order >= 1:
        loss = lambda *xs: sum(fnp.sum(leaf) for leaf in tree_leaves(r.fun(_fgrad_special, *xs)))  # noqa: E731
        argnums = tuple(range(len(shapes)))
        per_example = _stack_trees([fgrad.grad(loss, argnums=argnums)(*e) for e in examples])
        _assert_close(fgrad.vmap(fgrad.grad(loss, argnums=argnums))(*[_stacked(examples, k) for k in argnums]),
                      *per_example)


def _examples(r, shapes):
    seed = zlib.crc32(r.name.encode()) % 1000
    return [float64_arguments(r, shapes, seed + i) for i in range(EXAMPLES)]


def _stacked(examples, k):
    return numpy.stack([numpy.asarray(e[k]) for e in examples])


def _stack_trees(trees):
    leaves = [tree_flatten(t)[0] for t in trees]
    treedef = tree_flatten(trees[0])[1]
    return [numpy.stack([numpy.asarray(ls[j]) for ls in leaves]) for j in range(len(leaves[0]))], treedef


def _assert_close(got, want_leaves, want_def):
    got_leaves, got_def = tree_flatten(got)
    assert got_def == want_def
    for g, w in zip(got_leaves, want_leaves):
        assert numpy.shape(g) == w.shape
        assert numpy.result_type(g) == w.dtype
        numpy.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("r, shapes", list(_cases()))
def test_vmap_equals_a_loop(r, shapes):
    if r.name in REFUSED:
        return _assert_refused(r, shapes)
    examples = _examples(r, shapes)
    f = lambda *xs: r.fun(fnp, *xs)  # noqa: E731
    want = _stack_trees([r.fun(numpy, *e) for e in examples])
    n = len(shapes)
    _assert_close(fgrad.vmap(f)(*[_stacked(examples, k) for k in range(n)]), *want)
    if n > 1:  # only the first argument mapped: the others are example 0's
        fixed = examples[0][1:]
        want_first = _stack_trees([r.fun(numpy, e[0], *fixed) for e in examples])
        got = fgrad.vmap(f, in_axes=(0,) + (None,) * (n - 1))(_stacked(examples, 0), *fixed)
        _assert_close(got, *want_first)


def _assert_refused(r, shapes):
    examples = _examples(r, shapes)
    with pytest.raises(TypeError, match=REFUSED[r.name]):
        fgrad.vmap(lambda *xs: r.fun(fnp, *xs))(*[_stacked(examples, k) for k in range(len(shapes))])


def _loss(r):
    def loss(*xs):
        leaves = [leaf for leaf in tree_leaves(r.fun(fnp, *xs)) if numpy.result_type(leaf).kind in "fc"]
        return sum(fnp.sum(fnp.real(leaf) * fnp.cos(fnp.arange(fnp.size(leaf)).reshape(fnp.shape(leaf))))
                   for leaf in leaves)
    return loss


@pytest.mark.parametrize("r, shapes", [c for c in _cases() if c.values[0].order >= 1])
def test_per_example_gradients_equal_a_loop(r, shapes):
    if r.name in REFUSED:
        return _assert_refused(r, shapes)
    examples = _examples(r, shapes)
    loss = _loss(r)
    argnums = tuple(range(len(shapes)))
    want = _stack_trees([fgrad.grad(loss, argnums=argnums)(*e) for e in examples])
    stacked = [_stacked(examples, k) for k in argnums]
    _assert_close(fgrad.vmap(fgrad.grad(loss, argnums=argnums))(*stacked), *want)
    # the other way round: the gradient of the batch's summed loss is the same numbers
    summed = lambda *xs: fnp.sum(fgrad.vmap(loss)(*xs))  # noqa: E731
    _assert_close(fgrad.grad(summed, argnums=argnums)(*stacked), *want)
