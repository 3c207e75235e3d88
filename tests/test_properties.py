"""Property tests: on random expression trees over the core primitives, with scalars and
small broadcasting arrays, fgrad's gradient equals central differences."""

import numpy as np
from hypothesis import given, settings, strategies as st

import fgrad
import fgrad.numpy as fnp

# Unary operations chosen to stay smooth and finite on the values the trees produce.
UNARY = {
    "sin": fnp.sin, "cos": fnp.cos, "tanh": fnp.tanh, "neg": lambda a: -a,
    "exp_soft": lambda a: fnp.exp(fnp.tanh(a)),
    "log_pos": lambda a: fnp.log(a * a + 1.0),
    "sqrt_pos": lambda a: fnp.sqrt(a * a + 0.5),
    "square": fnp.square, "sq_pow": lambda a: a ** 2, "cube": lambda a: a ** 3,
    "tan_small": lambda a: fnp.tan(0.3 * fnp.tanh(a)),
    "abs_shift": lambda a: fnp.abs(a + 10.0),
    "mean_keep": lambda a: a - fnp.mean(a, axis=-1, keepdims=True) if np.ndim(a) else a,
}
BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "pow": lambda a, b: (a * a + 1.0) ** fnp.tanh(b),
}
# Leaf shapes that broadcast against each other: scalar, (3,), (2, 1), (2, 3).
SHAPES = [(), (3,), (2, 1), (2, 3)]

exprs = st.recursive(
    st.tuples(st.just("leaf"), st.integers(0, len(SHAPES) - 1)),
    lambda children: st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), children),
        st.tuples(st.sampled_from(sorted(BINARY)), children, children),
    ),
    max_leaves=8,
)


def evaluate(expr, xs):
    kind = expr[0]
    if kind == "leaf":
        return xs[expr[1]]
    if kind in UNARY:
        return UNARY[kind](evaluate(expr[1], xs))
    return BINARY[kind](evaluate(expr[1], xs), evaluate(expr[2], xs))


def loss(expr):
    return lambda *xs: fnp.sum(evaluate(expr, xs) * 1.0)


@settings(max_examples=120, deadline=None)
@given(expr=exprs, seed=st.integers(0, 2 ** 32 - 1))
def test_grad_matches_central_differences_on_random_expression_trees(expr, seed):
    rng = np.random.default_rng(seed)
    xs = tuple(rng.uniform(-1.5, 1.5, size=s) if s else float(rng.uniform(-1.5, 1.5)) for s in SHAPES)
    f = loss(expr)
    grads = fgrad.grad(f, argnums=(0, 1, 2, 3))(*xs)
    for i, g in enumerate(grads):
        want = fgrad.numerical_grad(f, *xs, argnums=i)
        assert np.shape(g) == np.shape(xs[i])
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(expr=exprs, seed=st.integers(0, 2 ** 32 - 1))
def test_second_derivatives_match_central_differences(expr, seed):
    rng = np.random.default_rng(seed)
    xs = tuple(rng.uniform(-1.0, 1.0, size=s) if s else float(rng.uniform(-1.0, 1.0)) for s in SHAPES)
    fgrad.check_grads(loss(expr), xs, order=2, modes=("rev",), atol=1e-5, rtol=1e-4)
