"""What the function table (tests/test_numpy_table.py) is written with: argument domains,
the Row record and its builders, and the usual shape lists.

Rows live in test_numpy_table.py and in the ``table_rows_*.py`` modules beside it (one per
area: linear algebra, FFT, ...), each defining ``ROWS``; the table test runs them all.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy

# ---------------------------------------------------------------- domains: where each function is smooth
def real(rng, shape):
    return rng.uniform(-1.5, 1.5, shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def unit(rng, shape):  # inside (-1, 1), away from the ends
    return rng.uniform(-0.8, 0.8, shape)


def above_one(rng, shape):
    return rng.uniform(1.3, 3.0, shape)


def nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 1.5, shape)


def spaced(rng, shape):
    """Distinct values, far apart compared with the finite-difference step (no ties)."""
    n = int(numpy.prod(shape, dtype=int))
    return (rng.permutation(n).reshape(shape) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, shape)


def well_conditioned(rng, shape):
    return rng.uniform(-0.5, 0.5, shape) + 2.0 * numpy.eye(shape[-1])


def spd(rng, shape):
    a = rng.uniform(-1.0, 1.0, shape)
    return a @ numpy.swapaxes(a, -1, -2) + shape[-1] * numpy.eye(shape[-1])


def increasing(rng, shape):
    return numpy.cumsum(rng.uniform(0.3, 1.0, shape), axis=-1)


def with_nan(rng, shape):
    x = rng.uniform(-1.5, 1.5, shape)
    x.flat[1] = numpy.nan
    return x


def low(rng, shape):
    return rng.uniform(-1.0, -0.3, shape)


def high(rng, shape):
    return rng.uniform(0.3, 1.0, shape)


# ---------------------------------------------------------------- the table
class Row(NamedTuple):
    name: str
    fun: Callable[..., Any]  # fun(np, *args)
    shapes: list  # argument shapes, one tuple per case (a bare shape for one argument)
    domain: Any = real  # one domain, or one per argument
    order: int = 2
    namespaces: tuple = ("fnp", "np")  # ("np",): NumPy-only syntax such as ufunc methods


def row(name, fun, shapes, domain=real, order=2, namespaces=("fnp", "np")):
    return Row(name, fun, shapes, domain, order, namespaces)


def unary(name, domain):
    """The row of an elementwise function of one argument, on scalars, vectors and matrices."""
    return row(name, lambda np, x: getattr(np, name)(x), UNARY, domain)


def binary(name, domain):
    """The row of an elementwise function of two arguments, on broadcasting pairs."""
    return row(name, lambda np, x, y: getattr(np, name)(x, y), BINARY, domain)


UNARY = [(), (3,), (2, 3)]
BINARY = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 2))]
MATRIX = [(2, 3)]
CUBE = [(2, 3, 4)]
SQUARE = [(3, 3), (2, 3, 3)]


def argument_shapes(case) -> tuple:
    """A case is one shape (one argument) or a tuple of shapes."""
    return case if case and isinstance(case[0], tuple) else (case,)


def float64_arguments(r, shapes: tuple, seed: int) -> tuple:
    """Arguments drawn from the row's domains: float64 arrays, scalars as Python floats."""
    rng = numpy.random.default_rng(seed)
    domains = r.domain if isinstance(r.domain, tuple) else (r.domain,) * len(shapes)
    return tuple(d(rng, s) if s else float(d(rng, (1,))[0]) for d, s in zip(domains, shapes))
