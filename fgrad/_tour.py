"""`python -m fgrad`: a short guided tour that prints real results computed by fgrad.

Each section is a function registered in `SECTIONS`; features add their own section.
"""

from __future__ import annotations

import textwrap
from typing import Callable

import numpy as np

import fgrad

SECTIONS: list[Callable[[], None]] = []


def fmt(value: object) -> str:
    """Numbers as people write them: 3.25, (2.0, 2.0), [1. 2.]."""
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(v) for v in value) + ")"
    if isinstance(value, np.ndarray) and value.ndim:
        return np.array2string(value, precision=10)
    return repr(float(value))


def section(fun: Callable[[], None]) -> Callable[[], None]:
    SECTIONS.append(fun)
    return fun


def goldstein(x, y):
    """Goldstein-Price, written with plain operators."""
    return (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)) * (
        30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2)
    )


@section
def gradients() -> None:
    print("Gradients of plain Python/NumPy functions")
    f = lambda x: np.square(np.exp(np.square(x)))
    print(f"  d/dx exp(x^2)^2 at 0.5          = {fmt(fgrad.grad(f)(0.5))}")
    sphere = lambda x, y: x ** 2 + y ** 2
    print(f"  grad sphere at (1, 1)           = {fmt(fgrad.grad(sphere, argnums=(0, 1))(1.0, 1.0))}")
    print(f"  grad goldstein-price at (1, 1)  = {fmt(fgrad.grad(goldstein, argnums=(0, 1))(1.0, 1.0))}")


@section
def higher_order() -> None:
    print("Higher-order derivatives: transforms compose")
    f = lambda x: x ** 4 - 2 * x ** 2
    print(f"  f(x) = x^4 - 2x^2: f'(2) = {fmt(fgrad.grad(f)(2.0))}, f''(2) = {fmt(fgrad.grad(fgrad.grad(f))(2.0))}")
    d = np.tanh
    for _ in range(4):
        d = fgrad.grad(d)
    print(f"  4th derivative of tanh at 1.0   = {fmt(d(1.0))}")
    print(f"  nested, no perturbation confusion: {fmt(fgrad.grad(lambda x: x * fgrad.grad(lambda y: x * y)(3.0))(2.0))}")


@section
def control_flow() -> None:
    print("Define-by-run: Python control flow on traced values (Taylor series of sin)")

    def taylor_sin(x, threshold=1e-4):
        y, i = 0.0, 0
        while True:
            term = (-1) ** i / float(np.prod(np.arange(1, 2 * i + 2))) * x ** (2 * i + 1)
            y = y + term
            if abs(term) < threshold:
                return y
            i += 1

    value, slope = fgrad.value_and_grad(taylor_sin)(np.pi / 4)
    print(f"  taylor_sin(pi/4) = {fmt(value)}, derivative = {fmt(slope)} (np.sin: {fmt(np.sin(np.pi / 4))})")


@section
def jacobians_and_hessians() -> None:
    print("Jacobians, Hessians and Hessian-vector products")
    polar = lambda p: np.array([1.0, 0.0]) * p[0] * np.cos(p[1]) + np.array([0.0, 1.0]) * p[0] * np.sin(p[1])
    print("  Jacobian of (r, t) -> (r cos t, r sin t) at (2, 0):")
    print(textwrap.indent(fmt(fgrad.jacobian(polar)(np.array([2.0, 0.0]))), "    "))
    rosenbrock = lambda x: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
    x = np.array([1.0, 1.0])
    print("  Hessian of Rosenbrock 100(x1 - x0^2)^2 + (1 - x0)^2 at (1, 1):")
    print(textwrap.indent(fmt(fgrad.hessian(rosenbrock)(x)), "    "))
    print(f"  Hessian @ (1, 0) without forming it (hvp): {fmt(fgrad.hvp(rosenbrock)(x, np.array([1.0, 0.0])))}")


@section
def graphs() -> None:
    import tempfile
    from pathlib import Path

    from ._dot import DotNotFoundError

    print("Graphs: see what was computed (fgrad.trace, fgrad.to_dot, fgrad.render)")
    graph = fgrad.trace(goldstein)(1.0, 1.0)
    kinds = ", ".join(graph.primitive_counts())
    text = fgrad.to_dot(graph)
    print(f"  goldstein-price at (1, 1): {len(graph.applications)} primitive applications ({kinds}), "
          f"DOT text {len(text.encode())} bytes")
    path = Path(tempfile.gettempdir()) / "fgrad-goldstein.svg"
    try:
        print(f"  drawn to {fgrad.render(graph, path)}")
    except DotNotFoundError:
        print("  not drawn: Graphviz's `dot` program is not installed (e.g. `sudo apt-get install graphviz`)")
    print("  the derivative of tanh, traced: print(fgrad.trace(fgrad.grad(np.tanh))(1.0))")
    for line in str(fgrad.trace(fgrad.grad(np.tanh))(1.0)).splitlines():
        print("    " + line)
    sizes, d = [], np.tanh
    for _ in range(7):
        sizes.append(len(fgrad.trace(d)(1.0).applications))
        d = fgrad.grad(d)
    print(f"  primitive applications in trace(grad^n(tanh)), n = 0..6: {', '.join(map(str, sizes))}")


@section
def newton_method() -> None:
    print("Newton's method with exact second derivatives (fgrad.optimize)")
    res = fgrad.optimize.newton(lambda x: x ** 4 - 2 * x ** 2, 2.0)
    print("  x^4 - 2x^2 from 2.0, iterates: " + ", ".join(fmt(r.x) for r in res.history))
    print(f"    {res.message}")
    rosen = lambda x: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
    for line_search in ("armijo", "watchdog"):
        res = fgrad.optimize.newton(rosen, np.array([-1.2, 1.0]), line_search=line_search)
        print(f"  Rosenbrock from (-1.2, 1), line_search={line_search!r}: x = {fmt(res.x)} "
              f"in {res.nit} iterations, f = {fmt(res.fun)}")
    print("    " + res.summary().replace("\n", "\n    "))  # the watchdog run, step by step


@section
def numpy_code() -> None:
    print("Unmodified NumPy code: np.* calls on traced values record fgrad.numpy primitives")
    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(200, 5)), np.where(rng.uniform(size=200) < 0.5, -1.0, 1.0), np.zeros(5)
    loss = lambda w: np.mean(np.logaddexp(0, -y * (X @ w)))
    formula = -(X.T @ (y / (1 + np.exp(y * (X @ w))))) / len(y)
    print(f"  logistic loss on 200x5 data: gradient equals X^T(-y sigmoid(-y Xw))/n: {np.allclose(fgrad.grad(loss)(w), formula)}")
    a = np.array([[2.0, 0.5], [0.5, 1.0]])
    print(f"  grad of np.linalg.slogdet(a)[1] is inv(a)^T: {np.allclose(fgrad.grad(lambda a: np.linalg.slogdet(a)[1])(a), np.linalg.inv(a).T)}")
    u, _, vt = np.linalg.svd(a)
    print(f"  grad of the nuclear norm np.linalg.norm(a, 'nuc') is U V^T: "
          f"{np.allclose(fgrad.grad(lambda a: np.linalg.norm(a, 'nuc'))(a), u @ vt)}")
    print(f"  complex numbers, JAX's convention: grad of |z|^2 at 3+4j is {fgrad.grad(lambda z: np.abs(z) ** 2)(3 + 4j)}")
    print(f"  {len(fgrad.numpy.supported())} NumPy functions supported; any other is refused by name:")
    try:
        fgrad.grad(lambda x: np.unique(x).sum())(np.ones(4))
    except TypeError as err:
        print("  " + str(err).split(", so")[0])


def run() -> None:
    print(f"fgrad {fgrad.__version__}: functional automatic differentiation on frozen records\n")
    for show in SECTIONS:
        show()
        print()
