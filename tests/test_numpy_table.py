"""Every function of fgrad.numpy, from one table: first and second derivatives against central
differences, on scalars, vectors, matrices, broadcasting pairs and axis variants.

Each row is a call written against a namespace ``np`` and is run three ways:
- with ``np = numpy`` on plain arrays (the reference value),
- with ``np = fgrad.numpy`` on plain arrays (must give exactly NumPy's result),
- with both namespaces on traced values (``np.*`` dispatch and ``fnp.*``): values equal
  the reference, both record the same primitives, and `fgrad.check_grads` verifies
  first and second derivatives (reverse mode) against central differences.

Adding a function means adding a row.
"""

from __future__ import annotations

import importlib
import pathlib
import warnings
import zlib
from typing import Callable

import numpy
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad._core import Node
from fgrad.tree import tree_flatten

from table_support import *  # noqa: F403 - domains, Row, row, unary, binary, shape lists

inf = numpy.inf

ROWS = [
    # ---- unary elementwise
    *[unary(name, real) for name in ("negative", "positive", "exp", "expm1", "exp2", "square", "sin", "cos",
                                     "arctan", "sinh", "cosh", "tanh", "arcsinh", "deg2rad", "rad2deg", "radians",
                                     "degrees")],
    *[unary(name, positive) for name in ("log", "log1p", "log2", "log10", "sqrt")],
    *[unary(name, nonzero) for name in ("cbrt", "reciprocal", "abs", "absolute", "fabs")],
    *[unary(name, unit) for name in ("tan", "arcsin", "arccos", "arctanh")],
    unary("arccosh", above_one),
    row("conj", lambda np, x: np.conj(x) * np.real(x) + np.conjugate(x), UNARY),
    row("op -x, +x, abs(x)", lambda np, x: -x + (+x) * abs(x), UNARY, nonzero),
    row("op x ** 3, 2 ** x", lambda np, x: x ** 3 + 2.0 ** x, UNARY),
    row("sign/floor are constants", lambda np, x: x * np.sign(x) + np.floor(x) * x, UNARY, nonzero),
    # ---- binary elementwise (broadcasting pairs) and operators
    *[binary(name, real) for name in ("add", "subtract", "multiply", "logaddexp", "logaddexp2", "maximum", "minimum",
                                      "fmax", "fmin")],
    *[binary(name, (real, nonzero)) for name in ("divide", "true_divide")],
    *[binary(name, (positive, real)) for name in ("power", "float_power")],
    *[binary(name, (nonzero, nonzero)) for name in ("arctan2", "hypot")],
    *[binary(name, (real, positive)) for name in ("remainder", "mod", "fmod")],
    row("divmod", lambda np, x, y: np.divmod(x, y)[1] + np.floor_divide(x, y), BINARY, (real, positive)),
    row("operators + - * / ** %", lambda np, x, y: (x + y) * (x - y) / (y * y + 1.0) + abs(y) ** x + x % y
        + (x // y) * x, BINARY, (real, positive)),
    row("reflected operators", lambda np, x, y: 2.0 - x + 3.0 / y + 1.5 % y + numpy.ones(2) * x, [((), ())],
        (real, positive)),
    row("nan_to_num", lambda np, x: np.nan_to_num(np.log(x)) + np.nan_to_num(x, nan=1.0, posinf=2.0), UNARY, positive),
    row("select", lambda np, x, y: np.select([x < 0, x < 1], [-x, x * y], default=2.0 * y), BINARY),
    row("polyval", lambda np, p, x: np.polyval(p, x), [((3,), ()), ((4,), (2, 3))]),
    # ---- where, clip
    row("where", lambda np, x, y: np.where(x > 0, x, 0.1 * y), BINARY),
    row("where scalar branch", lambda np, x: np.where(x > 0, x * x, 0.5), UNARY),
    row("clip", lambda np, x, lo, hi: np.clip(x, lo, hi), [((2, 3), (), (3,)), ((4,), (4,), ())],
        (real, low, high)),
    row("clip one-sided", lambda np, x: np.clip(x, None, 0.5) + np.clip(x, -0.5, None), UNARY),
    row("x.clip", lambda np, x: x.clip(-1.0, 1.0) if isinstance(x, Node) else numpy.clip(x, -1.0, 1.0), UNARY),
    # ---- reductions, axis variants
    row("sum", lambda np, x: np.sum(x), UNARY),
    row("sum axis positional", lambda np, x: np.sum(x, 1), MATRIX + CUBE),
    row("sum axis=-1 keepdims", lambda np, x: np.sum(x, axis=-1, keepdims=True) * x, MATRIX + CUBE),
    row("sum axis tuple", lambda np, x: np.sum(x, axis=(0, 2)), CUBE),
    row("x.sum(0)", lambda np, x: x.sum(0), MATRIX),
    row("mean", lambda np, x: np.mean(x) + np.mean(x, 0) + np.mean(x, axis=-1, keepdims=True), MATRIX + CUBE),
    row("x.mean()", lambda np, x: x.mean(axis=1), MATRIX),
    row("prod", lambda np, x: np.prod(x), UNARY, nonzero),
    row("prod axis", lambda np, x: np.prod(x, 1) + np.prod(x, axis=(0, -1), keepdims=True).sum(), CUBE, nonzero),
    row("var", lambda np, x: np.var(x), UNARY[1:]),
    row("var axis ddof", lambda np, x: np.var(x, 0, ddof=1) + np.var(x, axis=-1, keepdims=True).sum(), MATRIX + CUBE),
    row("x.var()", lambda np, x: x.var(), MATRIX),
    row("std", lambda np, x: np.std(x) + np.std(x, 1) .sum() + np.std(x, axis=0, ddof=1).sum(), MATRIX + CUBE),
    row("x.std()", lambda np, x: x.std(axis=-1), MATRIX),
    row("max", lambda np, x: np.max(x), UNARY, spaced),
    row("max axis", lambda np, x: np.max(x, 1), MATRIX + CUBE, spaced),
    row("amax keepdims", lambda np, x: np.amax(x, axis=0, keepdims=True) * x, MATRIX + CUBE, spaced),
    row("min", lambda np, x: np.min(x, axis=-1), MATRIX + CUBE, spaced),
    row("amin", lambda np, x: np.amin(x), MATRIX, spaced),
    row("x.max() x.min()", lambda np, x: x.max() - x.min(0), MATRIX, spaced),
    row("ptp", lambda np, x: np.ptp(x, axis=1), MATRIX, spaced),
    row("logsumexp via max", lambda np, x: np.max(x, axis=1, keepdims=True)
        + np.log(np.sum(np.exp(x - np.max(x, axis=1, keepdims=True)), axis=1, keepdims=True)), MATRIX, spaced),
    row("average", lambda np, x, w: np.average(x, axis=1, weights=w), [((2, 3), (3,))], (real, positive)),
    row("average same shape", lambda np, x, w: np.average(x, weights=w), [((2, 3), (2, 3))], (real, positive)),
    row("cumsum", lambda np, x: np.cumsum(x), UNARY),
    row("cumsum axis", lambda np, x: np.cumsum(x, 1) + np.cumsum(x, axis=-1), MATRIX + CUBE),
    row("cumprod", lambda np, x: np.cumprod(x) , UNARY, nonzero),
    row("cumprod axis", lambda np, x: np.cumprod(x, 0), MATRIX + CUBE, nonzero),
    row("x.cumsum x.cumprod x.prod", lambda np, x: x.cumsum(0) + x.cumprod(1) + x.prod(), MATRIX, nonzero),
    row("nansum nanmean", lambda np, x: np.nansum(x) + np.nansum(x, 0) * np.nanmean(x, axis=0)
        + np.nanmean(x, 1, keepdims=True).sum(), [(2, 3)], with_nan),
    row("nanmax nanmin", lambda np, x: np.nanmax(x) + np.nanmin(x, 0) + np.nanmax(x, axis=1, keepdims=True).sum(),
        [(2, 3)], with_nan),
    row("cumulative_sum cumulative_prod", lambda np, x: np.cumulative_sum(x, axis=1, include_initial=True)
        + np.cumulative_prod(x, axis=1, include_initial=True), MATRIX, nonzero),
    row("diff", lambda np, x: np.diff(x).sum() + np.diff(x, 2, axis=0).sum() + np.diff(x, axis=0, prepend=0.5,
        append=x[:1]).sum(), [(3, 4)]),
    row("ediff1d", lambda np, x, y: np.ediff1d(x, to_begin=y, to_end=2.0), [((2, 3), (2,))]),
    row("trapezoid", lambda np, y, x: np.trapezoid(y, x) + np.trapezoid(y, dx=0.3, axis=0).sum(),
        [((2, 3), (3,)), ((3, 4), (3, 4))], (real, increasing)),
    row("cov", lambda np, x, y: np.cov(x) + np.cov(x, rowvar=False, ddof=0).sum() + np.cov(x, y, bias=True).sum(),
        [((2, 4), (4,))]),
    row("corrcoef", lambda np, x: np.corrcoef(x), [(3, 5)]),
    row("ufunc.reduce", lambda np, x: np.add.reduce(x) + np.multiply.reduce(x, axis=1).sum()
        + np.maximum.reduce(x, 1).sum() + np.minimum.reduce(x, axis=None), MATRIX, spaced, namespaces=("np",)),
    row("logaddexp.reduce", lambda np, x: np.logaddexp.reduce(x, axis=1) + np.logaddexp2.reduce(x, 0).sum(),
        MATRIX, namespaces=("np",)),
    row("ufunc.accumulate/outer", lambda np, x, y: np.add.accumulate(x, 1) + np.multiply.accumulate(x)
        + np.multiply.outer(x[0], y).sum(0) + np.subtract.outer(y, y).sum(), [((2, 3), (3,))], nonzero, namespaces=("np",)),
    # ---- products, diagonals, triangles
    row("matmul", lambda np, x, y: np.matmul(x, y), [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)),
                                                      ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)), ((2, 1, 2, 3), (3, 3, 2))]),
    row("@", lambda np, x, y: x @ y + numpy.ones((2, 3)) @ y, [((2, 3), (3, 4))]),
    row("dot", lambda np, x, y: np.dot(x, y), [((), (3,)), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                                                ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4, 2))]),
    row("x.dot(w)", lambda np, x, y: x.dot(y), [((2, 3), (3,))]),
    row("vdot", lambda np, x, y: np.vdot(x, y), [((3,), (3,)), ((2, 3), (2, 3))]),
    row("inner", lambda np, x, y: np.inner(x, y), [((3,), (3,)), ((2, 3), (4, 3)), ((), (2,))]),
    row("outer", lambda np, x, y: np.outer(x, y), [((3,), (2,)), ((2, 2), (3,))]),
    row("tensordot", lambda np, x, y: np.tensordot(x, y, 1), [((2, 3), (3, 4))]),
    row("tensordot axes pairs", lambda np, x, y: np.tensordot(x, y, axes=([0, 2], [2, -2])), [((2, 3, 4), (3, 4, 2))]),
    row("tensordot axes=0", lambda np, x, y: np.tensordot(x, y, axes=0), [((2,), (3,))]),
    row("einsum ij,jk->ik", lambda np, x, y: np.einsum("ij,jk->ik", x, y), [((2, 3), (3, 4))]),
    row("einsum batch", lambda np, x, y: np.einsum("bij,bjk->bik", x, y), [((2, 2, 3), (2, 3, 2))]),
    row("einsum ellipsis broadcast", lambda np, x, y: np.einsum("...ij,...jk->...ik", x, y),
        [((2, 2, 3), (3, 2)), ((1, 2, 3), (4, 3, 2))]),
    row("einsum implicit", lambda np, x, y: np.einsum("ij,j", x, y) + np.einsum("i,i", y, y), [((2, 3), (3,))]),
    row("einsum trace/diag/sum", lambda np, x: np.einsum("ii", x) + np.einsum("ii->i", x).sum()
        + np.einsum("ij->", x) + np.einsum("ij->ji", x)[0, 1], [(3, 3)]),
    row("einsum three operands", lambda np, x, y, z: np.einsum("ij,jk,k->i", x, y, z), [((2, 3), (3, 4), (4,))]),
    row("kron", lambda np, x, y: np.kron(x, y), [((2,), (3,)), ((2, 2), (2, 3)), ((2,), (2, 3))]),
    row("cross", lambda np, x, y: np.cross(x, y), [((3,), (3,)), ((2, 3), (3,))]),
    row("cross axes", lambda np, x, y: np.cross(x, y, axisa=0, axisb=1, axisc=0) + np.cross(x.T, y, axis=1).T,
        [((3, 2), (2, 3))]),
    row("vecdot", lambda np, x, y: np.vecdot(x, y) + np.vecdot(x, x, axis=0).sum(), [((2, 3), (3,)), ((3, 3), (3, 3))]),
    row("matvec vecmat", lambda np, x, y: np.matvec(x, y) + np.vecmat(y[:2], x).sum(), [((2, 3), (3,)), ((2, 2, 3), (3,))]),
    row("trace", lambda np, x: np.trace(x) + np.trace(x, 1), [(3, 3), (2, 4)]),
    row("trace axes", lambda np, x: np.trace(x, -1, axis1=1, axis2=2), CUBE),
    row("diagonal", lambda np, x: np.diagonal(x) + np.diagonal(x, 1).sum() + np.diagonal(x, -1).sum(), [(3, 3), (3, 4)]),
    row("diagonal axes", lambda np, x: np.diagonal(x, 1, 2, 0), CUBE),
    row("x.diagonal x.trace", lambda np, x: x.diagonal().sum() + x.trace(), [(3, 3)]),
    row("diag", lambda np, x: np.diag(x) + np.diag(x, 1)[1:, :-1] + np.diag(x, -1)[:-1, 1:], [(3,)]),
    row("diag of matrix", lambda np, x: np.diag(x) + np.diag(x, -1).sum(), [(3, 3), (3, 4)]),
    row("tril triu", lambda np, x: np.tril(x) + np.triu(x, 1) * np.tril(x, -1).sum(), [(3, 3), (2, 3, 4)]),
    # ---- linear algebra
    row("linalg.inv", lambda np, a: np.linalg.inv(a), SQUARE, well_conditioned),
    row("linalg.det", lambda np, a: np.linalg.det(a), SQUARE, well_conditioned),
    row("linalg.slogdet", lambda np, a: np.linalg.slogdet(a)[1] * np.linalg.slogdet(a)[0], SQUARE, well_conditioned),
    row("linalg.slogdet negative det", lambda np, a: np.linalg.slogdet(a[::-1])[1], [(2, 2)], well_conditioned),
    row("linalg.solve vector", lambda np, a, b: np.linalg.solve(a, b), [((3, 3), (3,)), ((2, 3, 3), (3,))],
        (well_conditioned, real)),
    row("linalg.solve matrix", lambda np, a, b: np.linalg.solve(a, b), [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))],
        (well_conditioned, real)),
    row("linalg.cholesky", lambda np, a: np.linalg.cholesky((a + np.swapaxes(a, -1, -2)) / 2), SQUARE, spd),
    row("linalg.norm", lambda np, x: np.linalg.norm(x), [(3,), (2, 3)], nonzero),
    row("linalg.norm vector ords", lambda np, x: np.linalg.norm(x, 1) + np.linalg.norm(x, inf)
        + np.linalg.norm(x, -inf) + np.linalg.norm(x, 3) + np.linalg.norm(x, 2), [(4,)], spaced),
    row("linalg.norm axis keepdims", lambda np, x: np.linalg.norm(x, axis=1) + np.linalg.norm(x, axis=0, keepdims=True).sum(),
        MATRIX, nonzero),
    row("linalg.norm matrix ords", lambda np, x: np.linalg.norm(x, "fro") + np.linalg.norm(x, 1)
        + np.linalg.norm(x, inf) + np.linalg.norm(x, -1) + np.linalg.norm(x, -inf), [(3, 3)], spaced),
    row("linalg.multi_dot", lambda np, x, y, z: np.linalg.multi_dot([x, y, z]), [((3,), (3, 4), (4, 2))]),
    row("linalg.matrix_power", lambda np, a: np.linalg.matrix_power(a, 3) + np.linalg.matrix_power(a, -2)
        + np.linalg.matrix_power(a, 0), [(3, 3)], well_conditioned),
    row("linalg array-API spellings", lambda np, x, y: np.linalg.trace(x) + np.linalg.diagonal(x, offset=1).sum()
        + np.linalg.outer(x[0, 0], y).sum() + np.linalg.tensordot(x, x, axes=3) + np.linalg.cross(x[0], y).sum()
        + np.linalg.vecdot(x, y).sum() + np.linalg.matrix_transpose(x)[0].sum(), [((2, 3, 3), (3,))]),
    row("linalg.vector_norm matrix_norm", lambda np, x: np.linalg.vector_norm(x) + np.linalg.vector_norm(x, axis=1, ord=3)
        .sum() + np.linalg.matrix_norm(x).sum() + np.linalg.matrix_norm(x, ord=inf, keepdims=True).sum(), [(3, 3), (2, 3, 3)],
        spaced),
    # ---- shapes
    row("reshape", lambda np, x: np.reshape(x, (3, 2)) + np.reshape(x, -1).reshape(3, 2), MATRIX),
    row("x.reshape", lambda np, x: x.reshape(3, -1) + x.reshape((3, 2)), MATRIX),
    row("ravel flatten", lambda np, x: np.ravel(x) + x.ravel() * x.flatten(), MATRIX),
    row("transpose", lambda np, x: np.transpose(x), MATRIX + CUBE),
    row("transpose axes", lambda np, x: np.transpose(x, (2, 0, 1)) + np.transpose(x, (-1, 0, 1)), CUBE),
    row("x.T x.transpose", lambda np, x: x.T @ x + x.transpose(1, 0) @ x, MATRIX),
    row("moveaxis", lambda np, x: np.moveaxis(x, 0, -1) + np.moveaxis(x, [0, 1], [1, 2]).reshape(3, 4, 2), CUBE),
    row("rollaxis matrix_transpose", lambda np, x: np.rollaxis(x, 2) * np.matrix_transpose(x).transpose(1, 0, 2)
        + np.rollaxis(x, 0, 3).transpose(1, 2, 0), CUBE),
    row("swapaxes", lambda np, x: np.swapaxes(x, 0, -1) * x.swapaxes(2, 0), CUBE),
    row("expand_dims", lambda np, x: np.expand_dims(x, 0) * np.expand_dims(x, (-1, 0)).reshape(1, 2, 3), MATRIX),
    row("squeeze", lambda np, x: np.squeeze(x) + np.squeeze(x, axis=0).sum() + x.squeeze(2).sum(), [(1, 3, 1)]),
    row("broadcast_to", lambda np, x: np.broadcast_to(x, (2, 3)), [(3,), (2, 1), ()]),
    row("broadcast_arrays", lambda np, x, y: np.broadcast_arrays(x, y)[0] * np.broadcast_arrays(x, y)[1],
        [((3,), (2, 1))]),
    row("atleast_nd", lambda np, x: np.atleast_1d(x).sum() + np.atleast_2d(x).sum() + np.atleast_3d(x)[0, 0, 0] ** 2,
        UNARY),
    row("concatenate", lambda np, x, y: np.concatenate([x, y]) * 2.0, [((2,), (3,)), ((2, 3), (1, 3))]),
    row("concatenate axis", lambda np, x, y: np.concatenate((x, y, x), 1) * np.concatenate([y, x, y], axis=-1),
        [((2, 3), (2, 3))]),
    row("concatenate axis=None, plain parts", lambda np, x: np.concatenate([x, numpy.ones(2), x * x], axis=None),
        MATRIX),
    row("stack", lambda np, x, y: np.stack([x, y]) + np.stack((y, x), axis=-1).sum(), [((3,), (3,)), ((2, 3), (2, 3))]),
    row("hstack vstack dstack", lambda np, x, y: np.hstack([x, y]).sum() + np.vstack([x, y]).sum(0)
        + np.dstack([x, y]).sum((0, 1)).sum() * x, [((2, 3), (2, 3)), ((3,), (3,))]),
    row("column_stack append", lambda np, x, y: np.column_stack([x, y]) + np.append(x, y).reshape(2, 3).T,
        [((3,), (3,))]),
    row("split", lambda np, x: np.split(x, 3, axis=1), [(2, 3)]),
    row("split indices", lambda np, x: np.split(x, [1, 3])[0] * np.split(x, [1, 3])[2], [(4,)]),
    row("array_split hsplit vsplit", lambda np, x: np.array_split(x, 2, 1)[1].sum() + np.hsplit(x, 2)[0]
        + np.vsplit(x, 2)[1].T, [(2, 2)]),
    row("flip", lambda np, x: np.flip(x) * np.arange(6.0).reshape(2, 3) + np.flip(x, 1) + np.flip(x, axis=(0, 1)),
        MATRIX),
    row("fliplr flipud rot90", lambda np, x: np.fliplr(x) * np.flipud(x) + np.rot90(x) + np.rot90(x, 3)
        + np.rot90(x, 2, axes=(1, 0)), [(3, 3)]),
    row("roll", lambda np, x: np.roll(x, 1) * np.arange(6.0).reshape(2, 3) + np.roll(x, (1, -1), (0, 1)), MATRIX),
    row("tile", lambda np, x: np.tile(x, 2).sum(0) + np.tile(x, (2, 1, 2)).sum((0, 1)), [(2, 3)]),
    row("repeat", lambda np, x: np.repeat(x, 2) * np.arange(12.0) + np.repeat(x, [1, 2], axis=0).sum(), [(2, 3)]),
    row("x.repeat x.take", lambda np, x: x.repeat(2, axis=1).sum(0) + x.take([0, 5, 5]).sum(), [(2, 3)]),
    row("pad constant", lambda np, x: np.pad(x, 1) + np.pad(x, ((0, 1), (2, 0)), constant_values=3.0).sum(),
        MATRIX),
    row("pad edge wrap reflect symmetric", lambda np, x: np.pad(x, 2, mode="edge") * np.pad(x, 2, mode="wrap")
        + np.pad(x, (2, 2), mode="reflect") + np.pad(x, 2, mode="symmetric"), [(3,), (3, 4)]),
    row("copy", lambda np, x: np.copy(x) * x.copy(), UNARY[1:]),
    row("meshgrid", lambda np, x, y: np.meshgrid(x, y)[0] * np.meshgrid(x, y, indexing="ij")[1].T, [((3,), (2,))]),
    row("full_like", lambda np, x: np.full_like(x, 2.0) * x, UNARY[1:]),
    row("full full_like traced fill", lambda np, v: np.full((2, 3), v) * np.full_like(numpy.zeros(3), v), [()],
        namespaces=("fnp",)),  # NumPy writes the fill value with np.copyto: fgrad.numpy only
    row("astype", lambda np, x: np.astype(x, numpy.float64) * x.astype(numpy.float64), UNARY[1:]),
    row("array of traced scalars", lambda np, x: np.array([x[0], 2.0 * x[1], 1.0]) * np.asarray([x, x]), [(3,)],
        namespaces=("fnp",)),
    # ---- indexing
    row("getitem basic", lambda np, x: x[1] * x[:, ::2].sum() + x[..., None][0, -1, 0] + x[-1, 1:].sum(), MATRIX),
    row("getitem int array", lambda np, x: x[[0, 0, 1]] * 2.0 + x[numpy.array([[1, 0], [1, 1]])].sum(), MATRIX),
    row("getitem int arrays pair", lambda np, x: x[[0, 1, 1], [2, 0, 2]] + x[1:, [0, 0]].sum(), MATRIX),
    row("getitem boolean", lambda np, x: x[x > 0] ** 2 if False else (x[numpy.array([[True, False, True],
        [False, True, True]])] ** 2), MATRIX),
    row("getitem boolean row mask", lambda np, x: x[numpy.array([True, False])] * x[:, [True, False, True]].sum(), MATRIX),
    row("take", lambda np, x: np.take(x, [0, 2, 2]) + np.take(x, [1, 1], axis=1).sum() + np.take(x, [-1, 7], mode="wrap").sum(),
        MATRIX),
    row("take_along_axis", lambda np, x: np.take_along_axis(x, numpy.array([[2, 0], [1, 1]]), axis=1), MATRIX),
    row("sort", lambda np, x: np.sort(x) * numpy.arange(3.0) + np.sort(x, axis=0).sum() + np.sort(x, axis=None)[-1],
        MATRIX, spaced),
    row("diff-free stable logsumexp with ufunc method", lambda np, x: np.logaddexp.reduce(x * 50.0), [(4,)],
        namespaces=("np",)),
]


# Rows of each area, from the table_rows_*.py modules (each defines ROWS).
ROWS += [r for path in sorted(pathlib.Path(__file__).parent.glob("table_rows_*.py"))
         for r in importlib.import_module(path.stem).ROWS]


def _cases():
    for r in ROWS:
        for case in r.shapes:
            shapes = argument_shapes(case)
            for ns in r.namespaces:
                for dtype in ("float64", "float32"):
                    yield pytest.param(r, shapes, ns, dtype, id=f"{r.name}-{'x'.join(map(str, shapes))}-{ns}-{dtype}")


def _arguments(r: Row, shapes: tuple, seed: int, dtype: str = "float64") -> tuple:
    """Arguments drawn from the row's domains: arrays of `dtype`, scalars as Python floats
    (float64) or NumPy float32 scalars."""
    args = float64_arguments(r, shapes, seed)
    if dtype == "float64":
        return args
    return tuple(numpy.asarray(a, dtype) if s else numpy.dtype(dtype).type(a) for a, s in zip(args, shapes))


def _recorded_primitives(fun: Callable, args: tuple) -> list[str]:
    """Names of the primitives `fun` records on traced args, in a canonical walk order."""
    seen: list = []

    def capture(*xs):
        out = fun(*xs)
        seen.append(out)
        return out

    fgrad.vjp(capture, *args)
    names, stack, visited = [], [o for o in tree_flatten(seen[0])[0] if isinstance(o, Node)], set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if node.primitive is not None:
            names.append(node.primitive.name)
        stack.extend(node.parents)
    return sorted(names)


def _assert_tree_equal(got, want, exact: bool, rtol: float = 1e-10) -> None:
    got_leaves, got_def = tree_flatten(got)
    want_leaves, want_def = tree_flatten(want)
    assert got_def == want_def
    for g, w in zip(got_leaves, want_leaves):
        if exact:
            assert type(g) is type(w) or numpy.ndim(w) == 0
            numpy.testing.assert_array_equal(g, w)
        else:
            g = fgrad.stop_gradient(g)
            assert numpy.result_type(g) == numpy.result_type(w), "fgrad changed the result's dtype"
            numpy.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * 1e-2)


@pytest.mark.parametrize("r, shapes, ns, dtype", list(_cases()))
def test_function_table(r: Row, shapes: tuple, ns: str, dtype: str):
    namespace = fnp if ns == "fnp" else numpy
    args = _arguments(r, shapes, zlib.crc32(r.name.encode()) % 1000, dtype)  # not hash(): salted per process
    reference = r.fun(numpy, *args)
    f = lambda *xs: r.fun(namespace, *xs)  # noqa: E731

    # Plain inputs: the namespace gives NumPy's result exactly (the fast path is NumPy).
    _assert_tree_equal(f(*args), reference, exact=True)
    # Traced inputs: the same value and dtype, and first and second derivatives agree with
    # central differences (taken in float64; float32 derivatives to check_grads' 1e-2).
    out, _ = fgrad.vjp(f, *args)
    _assert_tree_equal(out, reference, exact=False, rtol=1e-10 if dtype == "float64" else 1e-5)
    fgrad.check_grads(f, args, order=r.order, modes=("fwd", "rev"))


def _complex_arguments(r: Row, shapes: tuple) -> tuple:
    """The row's arguments with an imaginary part of a tenth of their size: near the real
    domain where the function is smooth, but off the real axis in every element."""
    real_args = _arguments(r, shapes, zlib.crc32(r.name.encode()) % 1000)
    rng = numpy.random.default_rng(7)
    return tuple(a + 0.1j * numpy.abs(a) * rng.choice([-1.0, 1.0], numpy.shape(a)) if numpy.ndim(a)
                 else complex(a, 0.1 * abs(a)) for a in real_args)


@pytest.mark.parametrize("r", [r for r in ROWS if "fnp" in r.namespaces], ids=lambda r: r.name)
def test_function_table_on_complex_values(r: Row):
    """Every row on complex arguments: NumPy's values and derivatives checked along both
    directions to second order, or a TypeError naming a function that refuses complex
    values; never a wrong number. (Rows NumPy itself refuses on complex values pass.)"""
    args = _complex_arguments(r, argument_shapes(r.shapes[0]))
    with numpy.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reference = r.fun(numpy, *args)
        except (TypeError, ValueError, numpy.linalg.LinAlgError):
            return  # NumPy does not allow complex values here
    f = lambda *xs: r.fun(fnp, *xs)  # noqa: E731
    try:
        out, _ = fgrad.vjp(f, *args)
    except TypeError as e:
        assert "does not support complex values" in str(e) or "complex" in str(e), str(e)
        return
    if r.name in _COMPLEX_RESULT_BEFORE_NUMPY_2_3 and _NUMPY_VERSION < (2, 3):
        reference = numpy.real(reference)  # (a real result, as NumPy >= 2.3 gives)
    _assert_tree_equal(out, reference, exact=False, rtol=1e-9)
    # A tenth of the default step: off the real axis |z| is curved (1/|z| near small values,
    # e.g. an entry of inv(a) in cond(a, -1)) where on it it is piecewise linear, and the
    # central difference's truncation error (step**2) must stay below the same tolerances.
    fgrad.check_grads(f, args, order=r.order, modes=("fwd", "rev"), eps=1e-5)


# Rows whose NumPy < 2.3 gives a complex dtype for a real quantity of complex input
# (np.linalg.cond(a, 1) of a complex a is complex128 on NumPy 2.2, float64 on 2.3+).
_COMPLEX_RESULT_BEFORE_NUMPY_2_3 = {"linalg.cond 1 inf"}
_NUMPY_VERSION = tuple(int(p) for p in numpy.__version__.split(".")[:2])


@pytest.mark.parametrize("r", [r for r in ROWS if len(r.namespaces) == 2], ids=lambda r: r.name)
def test_numpy_calls_record_the_same_primitives_as_fgrad_numpy(r: Row):
    args = _arguments(r, argument_shapes(r.shapes[-1]), seed=1)
    assert _recorded_primitives(lambda *xs: r.fun(numpy, *xs), args) == \
        _recorded_primitives(lambda *xs: r.fun(fnp, *xs), args)


def test_table_covers_every_differentiable_function():
    """Each differentiable fgrad.numpy function appears in some row (so it is checked)."""
    import inspect

    sources = "\n".join(inspect.getsource(r.fun) for r in ROWS)
    plain = {"sign", "floor", "ceil", "trunc", "rint", "fix", "round", "around", "floor_divide", "heaviside",
             "signbit", "isfinite", "isnan", "isinf", "isclose", "allclose", "array_equal", "greater",
             "greater_equal", "less", "less_equal", "equal", "not_equal", "logical_and", "logical_or",
             "logical_xor", "logical_not", "argmax", "argmin", "argsort", "argwhere", "nonzero", "flatnonzero",
             "count_nonzero", "all", "any", "searchsorted", "digitize", "zeros_like", "ones_like", "empty_like",
             "result_type", "iscomplexobj", "isrealobj", "shape", "ndim", "size", "supported",
             "array_attributes", "at", "linalg", "dsplit", "real", "cast", "imag", "angle", "isneginf", "isposinf", "isreal",
             "iscomplex", "isin", "array_equiv", "isscalar"}
    names = {r.name for r in ROWS}
    missing = [n for n in fnp.__all__
               if n not in plain | names and f"np.{n}(" not in sources and f".{n}(" not in sources]
    assert not missing, f"add rows for: {missing}"
    missing_linalg = [n for n in fnp.linalg.__all__ if n != "matmul" and f"np.linalg.{n}(" not in sources]
    assert not missing_linalg, f"add rows for: {missing_linalg}"
