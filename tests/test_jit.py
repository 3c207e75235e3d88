"""fgrad.jit: compiled programs give eager fgrad's numbers, guards keep Python control flow right,
and the graph passes each preserve what a graph computes."""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad._graph_passes import (
    eliminate_common_subexpressions, eliminate_dead_code, fold_constants, optimize, simplify,
)
from fgrad.tree import tree_flatten, tree_leaves

from table_support import argument_shapes, float64_arguments, table_rows

ROWS = [r for r in table_rows() if not r.doc_only and "fnp" in r.namespaces]


def _cases():
    for r in ROWS:
        shapes = argument_shapes(r.shapes[0])
        yield pytest.param(r, shapes, id=f"{r.name}-{'x'.join(map(str, shapes))}")


def _assert_same(got, want, exact=True):
    g_leaves, g_def = tree_flatten(got)
    w_leaves, w_def = tree_flatten(want)
    assert g_def == w_def
    for g, w in zip(g_leaves, w_leaves):
        assert type(g) is type(w) or np.ndim(w) == 0, (type(g), type(w))
        assert np.result_type(g) == np.result_type(w)
        if exact:
            np.testing.assert_array_equal(g, w)
        else:
            np.testing.assert_allclose(g, w, rtol=1e-15, atol=0)


def _arguments(r, shapes, k):
    return float64_arguments(r, shapes, zlib.crc32(r.name.encode()) % 1000 + k)


@pytest.mark.parametrize("r, shapes", list(_cases()))
def test_every_table_function_compiles_to_eager_numbers(r, shapes):
    """Every row of the function table under jit: the first call (the trace) and later calls
    with new values (the compiled program, or a new trace where a guard fails) equal eager."""
    f = lambda *xs: r.fun(fnp, *xs)  # noqa: E731
    jitted = fgrad.jit(f)
    for k in range(3):
        args = _arguments(r, shapes, k)
        with np.errstate(all="ignore"):
            # (traced, fgrad's functions run their own bodies where NumPy's may round differently:
            # the function table checks those against NumPy; a program must equal them)
            _assert_same(jitted(*args), fgrad.vjp(f, *args)[0], exact=False)
    info = jitted.cache_info()
    assert info.hits + info.traces + info.eager == 3


@pytest.mark.parametrize("r, shapes", [c for c in _cases() if c.values[0].order >= 1])
def test_every_table_gradient_compiles_to_eager_numbers(r, shapes):
    def loss(*xs):
        return sum(fnp.sum(fnp.real(leaf)) for leaf in tree_leaves(r.fun(fnp, *xs))
                   if np.result_type(leaf).kind in "fc")

    argnums = tuple(range(len(shapes)))
    eager = fgrad.grad(loss, argnums=argnums)
    jitted = fgrad.jit(eager)
    for k in range(3):
        args = _arguments(r, shapes, k)
        with np.errstate(all="ignore"):
            _assert_same(jitted(*args), eager(*args), exact=False)


def _same_bits(got, want):
    """Equal to the bit (signed zeros told apart), any nan matching any nan."""
    g, w = np.asarray(got), np.asarray(want)
    assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, w.shape, g.dtype, w.dtype)
    if g.dtype.kind not in "fc":
        np.testing.assert_array_equal(g, w)
        return
    g, w = np.ascontiguousarray(g).reshape(-1), np.ascontiguousarray(w).reshape(-1)
    same = (g.view(np.uint8).reshape(g.size, -1) == w.view(np.uint8).reshape(w.size, -1)).all(axis=-1)
    assert np.all(same | (np.isnan(g) & np.isnan(w))), (got, want)


def _element_and_plain_programs_agree(fun, traced_args, new_args):
    """The program holding small arrays as Python floats gives the bits of the plain one."""
    from fgrad._codegen import GuardFailed, generate

    graph = fgrad.jit(fun).lower(*traced_args)
    fast, plain = generate(graph), generate(graph, reuse_buffers=False, elements=False)
    assert "tolist()" not in plain.source and " _array(" not in plain.source
    leaves = [x for x in tree_leaves(new_args)]
    try:
        want = plain.run(*leaves)
    except GuardFailed:
        with pytest.raises(GuardFailed):
            fast.run(*leaves)
        return fast
    for g, w in zip(fast.run(*leaves), want):
        _same_bits(g, w)
    return fast


@pytest.mark.parametrize("r, shapes", list(_cases()))
def test_small_arrays_as_floats_give_the_plain_programs_bits(r, shapes):
    """Every table row, value and gradient, with its arrays held as Python floats where the
    program can: exactly the plain program's numbers, signed zeros and all."""
    def loss(*xs):
        return sum(fnp.sum(fnp.real(leaf)) for leaf in tree_leaves(r.fun(fnp, *xs))
                   if np.result_type(leaf).kind in "fc")

    f = lambda *xs: r.fun(fnp, *xs)  # noqa: E731
    funs = [f] + ([fgrad.value_and_grad(loss, argnums=tuple(range(len(shapes))))] if r.order >= 1 else [])
    with np.errstate(all="ignore"):
        for fun in funs:
            traced, new = _arguments(r, shapes, 0), _arguments(r, shapes, 1)
            try:
                fgrad.jit(fun).lower(*traced)
            except TypeError:
                continue  # (not stageable here: the table test covers it)
            _element_and_plain_programs_agree(fun, traced, new)


EDGES = np.array([0.0, -0.0, 1.5, -2.0, np.inf, -np.inf, np.nan, 1e-310, 1e308])


@pytest.mark.parametrize("fun", [
    lambda x, y: x / y, lambda x, y: x * y - y * y, lambda x, y: -(x + y) * 1.0 - 0.0,
    lambda x, y: np.square(x) + x ** 2 - (y + 0.0),
    lambda x, y: fgrad.grad(lambda a: np.sum(np.tanh(a) * a ** 2))(x) * y,
    lambda x, y: np.sum(np.reshape(x * y, (3, 3)), axis=0) + np.sum(np.reshape(x, (3, 3)).T, axis=1),
    lambda x, y: np.sum(x[:7]) + np.sum(x[::-2][1:] * y[1::2]) + x[4] * np.sum(x[2:3]),
    lambda x, y: fgrad.grad(lambda a: np.sum(a[1:] * a[:-1]) + a[0] * a[-1])(x + y),
], ids=["divide", "products", "signs", "squares", "tanh-vjp", "sums-by-axis", "sums-and-slices", "untake"])
def test_small_arrays_as_floats_on_signed_zeros_infinities_and_nans(fun):
    rng = np.random.default_rng(11)
    fast = None
    with np.errstate(all="ignore"):
        for k in range(30):
            x, y = rng.choice(EDGES, 9), rng.choice(EDGES, 9)
            fast = _element_and_plain_programs_agree(fun, (rng.standard_normal(9), rng.standard_normal(9) + 3), (x, y))
    assert "tolist()" in fast.source  # (the element path was taken)


def test_small_array_sums_follow_numpys_order_on_strided_and_transposed_inputs():
    rng = np.random.default_rng(2)
    f = lambda a: (np.sum(a, axis=0), np.sum(a, axis=1), np.sum(a[0]))  # noqa: E731
    base = rng.standard_normal((3, 5)) * 10.0 ** rng.integers(-8, 8, (3, 5))
    for a in (base, base.T.copy().T, np.asfortranarray(base), base[:, ::-1], np.repeat(base, 2, axis=1)[:, ::2]):
        _element_and_plain_programs_agree(f, (base,), (a,))
    for n in range(1, 12):  # (NumPy adds up to 7 elements in order, then pairwise: kept a NumPy call)
        v = rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)
        _element_and_plain_programs_agree(np.sum, (v,), (v,))


def goldstein(x, y):
    return ((1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2))
            * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2)))


def test_goldstein_gradient_compiles_once_and_equals_eager_bitwise():
    g = fgrad.jit(fgrad.grad(goldstein, argnums=(0, 1)))
    assert g(1.0, 1.0) == (-5376.0, 8064.0)
    rng = np.random.default_rng(0)
    for x, y in rng.uniform(-2, 2, (20, 2)):
        got, want = g(x, y), fgrad.grad(goldstein, argnums=(0, 1))(x, y)
        assert got == want and all(type(a) is np.float64 for a in got)
    info = g.cache_info()
    assert info.traces == 1 and info.hits == 20 and info.guard_failures == 0


def taylor_sin(x, threshold=1e-150):
    """DeZero's step 27: sin by its Taylor series, stopping when a term is small (a value-dependent break)."""
    y = 0
    for i in range(100000):
        c = (-1) ** i / math.factorial(2 * i + 1)
        t = c * x ** (2 * i + 1)
        y = y + t
        if abs(t) < threshold:
            break
    return y


def test_taylor_sin_with_a_value_dependent_break_runs_under_jit_at_many_points():
    jitted = fgrad.jit(taylor_sin)
    points = np.linspace(-3.0, 3.0, 41)
    for x in points:
        assert jitted(np.float64(x)) == taylor_sin(np.float64(x))
    np.testing.assert_allclose([jitted(np.float64(x)) for x in points], np.sin(points), atol=1e-12)
    info = jitted.cache_info()
    assert info.guard_failures > 0 and info.hits > 0  # several paths (numbers of terms), each compiled
    d = fgrad.jit(fgrad.grad(taylor_sin))
    for x in points[::5]:
        assert d(np.float64(x)) == fgrad.grad(taylor_sin)(np.float64(x))


def test_guards_off_refuses_control_flow_as_jax_does():
    with pytest.raises(fgrad.ConcretizationError, match="guards=False"):
        fgrad.jit(lambda x: x if x > 0 else -x, guards=False)(1.0)
    assert fgrad.jit(lambda x: np.where(x > 0, x, -x), guards=False)(np.float64(-2.0)) == 2.0


def test_branches_are_guarded_not_baked_in():
    f = fgrad.jit(lambda x: np.sin(x) if np.sum(x) > 0 else np.cos(x))
    a, b = np.array([1.0, 2.0]), np.array([-1.0, -2.0])
    np.testing.assert_array_equal(f(a), np.sin(a))
    np.testing.assert_array_equal(f(b), np.cos(b))
    np.testing.assert_array_equal(f(a * 2), np.sin(a * 2))
    info = f.cache_info()
    assert info.traces == 2 and info.hits == 1 and info.guard_failures >= 1


def test_masks_and_argmax_are_recomputed_not_constants():
    f = fgrad.jit(lambda x: x * (x > 0) + x[np.argmax(x)])
    for k in range(4):
        x = np.random.default_rng(k).normal(size=5)
        np.testing.assert_array_equal(f(x), x * (x > 0) + x[np.argmax(x)])


def test_static_arguments_are_part_of_the_key():
    f = fgrad.jit(lambda x, n: x ** n, static_argnums=1)
    assert f(2.0, 3) == 8.0 and f(2.0, 2) == 4.0 and f(3.0, 2) == 9.0
    assert f.cache_info().traces == 2
    g = fgrad.jit(lambda x, mode="sin": np.sin(x) if mode == "sin" else np.cos(x), static_argnames="mode")
    assert g(0.0, mode="cos") == 1.0 and g(0.0) == 0.0
    with pytest.raises(TypeError, match="hashable"):
        fgrad.jit(lambda x, n: x, static_argnums=1)(1.0, [1])


def test_a_second_call_with_new_values_never_retraces():
    f = fgrad.jit(fgrad.grad(lambda w: np.sum(np.tanh(w) ** 2)))
    for k in range(5):
        f(np.random.default_rng(k).normal(size=4))
    assert f.cache_info().traces == 1 and f.cache_info().hits == 4
    f(np.ones(5))  # a new shape is a new signature
    assert f.cache_info().traces == 2 and f.cache_info().signatures == 2


def test_parameter_dicts_take_the_fast_path_in_key_order():
    loss = lambda p, x: np.sum(np.tanh(x @ p["w"] + p["b"]) ** 2) + p["s"] * p["s"]  # noqa: E731
    g = fgrad.jit(fgrad.grad(loss))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    for k in range(4):
        p = {"w": rng.normal(size=(3, 2)), "b": rng.normal(size=2), "s": float(k)}
        if k % 2:  # (insertion order is not the order of the leaves)
            p = dict(reversed(list(p.items())))
        got, want = g(p, x), fgrad.grad(loss)(p, x)
        assert list(got) == list(want)
        for name in want:
            np.testing.assert_array_equal(got[name], want[name])
    assert g.cache_info()[:3] == (1, 3, 0)
    nested = fgrad.jit(lambda t: [t[0] * 2.0, t[1]["a"]])
    a = np.ones(2)
    for _ in range(2):
        out = nested((a, {"a": a}))
        assert not np.shares_memory(out[1], a) and out[1].flags.writeable  # (an input returned is copied)
    assert nested.cache_info()[:2] == (1, 1)


def test_composition_grad_of_jit_and_jit_of_hessian_and_vmap():
    f = lambda x: np.sum(np.sin(x) ** 3)  # noqa: E731
    x = np.array([0.3, -0.7, 1.1])
    jf = fgrad.jit(f)
    np.testing.assert_array_equal(fgrad.grad(jf)(x), fgrad.grad(f)(x))  # traced arguments: runs f itself
    np.testing.assert_array_equal(fgrad.hessian(jf)(x), fgrad.hessian(f)(x))
    np.testing.assert_allclose(fgrad.jit(fgrad.hessian(f))(x), fgrad.hessian(f)(x), rtol=1e-15)
    xs = np.stack([x, 2 * x])
    np.testing.assert_allclose(fgrad.vmap(jf)(xs), [f(x), f(2 * x)], rtol=1e-15)
    np.testing.assert_allclose(fgrad.jit(fgrad.vmap(fgrad.grad(f)))(xs), fgrad.vmap(fgrad.grad(f))(xs), rtol=1e-15)
    np.testing.assert_array_equal(fgrad.jit(fgrad.jit(f))(x), f(x))


def test_a_captured_traced_value_of_an_outer_transform_is_never_baked_in():
    def outer(w):
        inner = fgrad.jit(lambda x: w * x)  # closes over a value `grad` traces
        return inner(3.0) + inner(4.0)

    assert fgrad.grad(outer)(2.0) == 7.0
    assert fgrad.grad(outer)(5.0) == 7.0


def test_results_are_the_callers_own_arrays():
    x = np.arange(3.0)
    f = fgrad.jit(lambda x: x)
    for _ in range(2):
        y = f(x)
        assert not np.shares_memory(x, y) and y.flags.writeable
    g = fgrad.jit(lambda x: x.reshape(3, 1))
    for _ in range(2):
        assert not np.shares_memory(g(x), x)
    np.testing.assert_array_equal(x, np.arange(3.0))


def test_lower_source_and_cache_info():
    f = fgrad.jit(lambda x: np.sin(x) + np.sin(x) * 1.0)
    graph = f.lower(np.ones(2))
    assert isinstance(graph, fgrad.Graph)
    assert graph.primitive_counts() == {"add": 1, "sin": 1}  # sin once (CSE), * 1.0 gone
    assert "graph(" in str(graph) and "digraph" in fgrad.to_dot(graph)
    src = f.source(np.ones(2))
    assert src.startswith("def ") and "return" in src
    compile(src, "<test>", "exec")


def test_too_many_paths_fall_back_to_eager_calls():
    f = fgrad.jit(lambda x: x * int(x))  # a guard per integer part
    for v in range(12):
        assert f(np.float64(v + 0.5)) == (v + 0.5) * v
    info = f.cache_info()
    assert info.variants == 8 and info.eager == 4


# ---------------------------------------------------------------- the passes, each on its own
def _graph(fun, *args):
    return fgrad.trace(fun)(*args)


def _run(graph, *args):
    from fgrad._codegen import generate

    return generate(graph).run(*args)


def test_dead_code_elimination_keeps_what_outputs_need():
    g = _graph(lambda x: (np.sin(x), np.cos(x))[0], 1.0)
    assert eliminate_dead_code(g).primitive_counts() == {"sin": 1}


def test_common_subexpressions_merge_and_compute_the_same():
    f = lambda x: np.exp(x) * np.exp(x) + np.exp(x)  # noqa: E731
    g = _graph(f, np.array([0.5, 1.5]))
    merged = eliminate_common_subexpressions(g)
    assert merged.primitive_counts()["exp"] == 1 and g.primitive_counts()["exp"] == 3
    np.testing.assert_array_equal(_run(merged, np.array([0.5, 1.5]))[0], f(np.array([0.5, 1.5])))


def test_simplify_drops_algebraic_no_ops_only_where_types_are_kept():
    g = _graph(lambda x: -(-(x * 1.0 + 0.0)) - 0.0, np.ones(3))
    assert simplify(g).primitive_counts() == {}
    scalar_into_array = _graph(lambda x: x * np.ones(3), 2.0)  # (broadcasts: not a no-op)
    assert simplify(scalar_into_array).primitive_counts() == {"mul": 1}
    x32 = np.float32(2.0)
    to_float = _graph(lambda x: x * 1.0, x32)
    kept = simplify(to_float)
    out = _run(kept, x32)[0]  # (whatever the pass keeps, the program's type is eager's)
    assert type(out) is type(x32 * 1.0) and out == x32 * 1.0
    assert kept.primitive_counts() == ({} if type(x32 * 1.0) is np.float32 else {"mul": 1})


def test_simplify_folds_negations_into_sums_bit_for_bit():
    f = lambda x, y: (x + -y, -x + y, x - -y, -(x * y) + x)  # noqa: E731
    x = np.array([0.0, -0.0, 1.5, -2.0, np.inf, np.nan, 0.0, -0.0])
    y = np.array([0.0, 0.0, -1.5, 3.0, np.inf, 1.0, -0.0, -0.0])
    with np.errstate(invalid="ignore"):  # (inf - inf)
        g = _graph(f, x, y)
    folded = simplify(g)
    assert g.primitive_counts()["neg"] == 4 and "neg" not in folded.primitive_counts()
    assert folded.primitive_counts() == {"sub": 3, "add": 1, "mul": 1}
    with np.errstate(invalid="ignore"):
        results = list(zip(_run(folded, x, y), f(x, y)))
    for got, want in results:
        number = ~np.isnan(want)  # (a nan's sign is not part of IEEE arithmetic's result)
        np.testing.assert_array_equal(np.signbit(got[number]), np.signbit(want[number]))
        np.testing.assert_array_equal(got, want)


def test_common_subexpressions_merge_commuted_sums_and_products_bit_for_bit():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(5), rng.standard_normal(5) + 1j * rng.standard_normal(5)
    f = lambda x, y: (x * y + y * x) * (np.exp(x) + np.sin(y)) - (np.sin(y) + np.exp(x)) / (x - y)  # noqa: E731
    g = _graph(f, x, y)
    merged = eliminate_common_subexpressions(g)
    assert g.primitive_counts()["mul"] == 3 and merged.primitive_counts()["mul"] == 2
    assert g.primitive_counts()["add"] == 3 and merged.primitive_counts()["add"] == 2
    np.testing.assert_array_equal(_run(merged, x, y)[0], f(x, y))
    not_commuted = _graph(lambda x: np.maximum(x, -x) - np.maximum(-x, x), np.array([0.0, 1.0]))
    assert eliminate_common_subexpressions(not_commuted).primitive_counts()["maximum"] == 2  # (signed zeros differ)


def test_constant_folding_and_eighth_derivative_of_tanh_shrinks():
    f = np.tanh
    for _ in range(8):
        f = fgrad.grad(f)
    g = _graph(f, 0.5)
    optimized = optimize(g)
    assert len(optimized.applications) < len(g.applications)
    assert _run(optimized, np.float64(0.5))[0] == f(0.5)  # (every pass keeps the bits)
    assert len(optimized.applications) <= 440  # (with commuted operands merged; 527 without)
    assert fold_constants(g).primitive_counts() == g.primitive_counts()  # (nothing constant to fold)


@pytest.mark.parametrize("fun", [
    lambda x: np.sum(np.tanh(x) ** 2 * np.exp(-x)),
    lambda x: np.sum(np.sin(x) * np.cos(x) + np.exp(-x * x) / (1.0 + x * x)),
    lambda x: np.sum(np.maximum(x, 0.0) ** 3 - np.log1p(np.abs(x))),
], ids=["tanh-exp", "trig-gauss", "relu-cube"])
def test_buffer_reuse_gives_the_plain_programs_numbers(fun):
    """Freeing dead temporaries and writing ufunc results into them (out=) is a speed path:
    it must give exactly what the program that allocates every result gives."""
    from fgrad._codegen import generate

    x = np.linspace(-2.0, 2.0, 20000)
    graph = optimize(_graph(fgrad.value_and_grad(fun), x))
    fast, plain = generate(graph), generate(graph, reuse_buffers=False)
    assert "out=" in fast.source and "out=" not in plain.source
    for k in range(3):
        y = x * (k + 1) / 3
        before = y.copy()
        got, want = fast.run(y), plain.run(y)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
        np.testing.assert_array_equal(y, before)  # (the input is never written)


def test_a_scalar_program_squares_as_numpy_does():
    """Scalar programs compute x ** 2 as x * x (Python floats): the same double as NumPy's power."""
    rng = np.random.default_rng(5)
    xs = rng.standard_normal(100000) * np.exp(rng.uniform(-300, 300, 100000))
    np.testing.assert_array_equal(np.power(xs, 2), xs * xs)
    square = fgrad.jit(lambda x: x ** 2)
    assert "x0 * x0" in square.source(1.0)
    for x in xs[:200]:
        assert square(x) == np.power(x, 2)
    assert square(1e200) == np.inf  # (no OverflowError, as NumPy)


# tests/random_programs.py's programs (those of test_differential_jax, whose numbers are
# checked against JAX there): each compiled, then called on new values near the traced
# ones, against eager fgrad -- the function, its gradient, and the gradient jitted.
def test_random_programs_compile_to_eager_numbers():
    hypothesis = pytest.importorskip("hypothesis")
    from random_programs import programs

    count, hits = [0], [0]

    @hypothesis.seed(20261205)
    @hypothesis.settings(max_examples=200, deadline=None, database=None,
                         phases=[hypothesis.Phase.generate, hypothesis.Phase.shrink],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(programs())
    def run(program):
        count[0] += 1
        f, s = program.function(np), program.scalar_function(np)
        jf, jg = fgrad.jit(f), fgrad.jit(fgrad.grad(s, argnums=tuple(range(len(program.inputs)))))
        eager_g = fgrad.grad(s, argnums=tuple(range(len(program.inputs))))
        for k in range(3):  # (the trace, then compiled calls or new traces where a guard fails)
            args = [x * (1.0 + 1e-3 * k) for x in program.inputs]
            for got, want in ((jf(*args), fgrad.vjp(f, *args)[0]), (jg(*args), eager_g(*args))):
                for g, w in zip(tree_leaves(got), tree_leaves(want)):
                    np.testing.assert_allclose(g, w, rtol=1e-15, atol=0,
                                               err_msg=f"jit differs for\n{program.reproducer()}")
                    assert not any(np.shares_memory(g, a) for a in args)  # (outputs `fresh` skips checking too)
        hits[0] += jf.cache_info().hits + jg.cache_info().hits

    with np.errstate(all="ignore"):
        run()
    assert count[0] >= 200
    assert hits[0] >= 600  # (most calls after the first ran a compiled program, not a new trace)


@pytest.mark.parametrize("a, b", [(1.0, 0.0), (-1.0, 0.0), (1.0, -0.0), (0.0, 0.0), (3.0, np.nan), (1.0, 4.0)])
def test_number_division_by_zero_gives_numpys_inf_nan_and_warning(a, b):
    f = fgrad.jit(lambda x, y: x / y + 0.0 * x)  # (a scalar program: Python floats)
    eager = lambda x, y: np.float64(x) / np.float64(y) + 0.0 * np.float64(x)  # noqa: E731
    for _ in range(2):  # (the trace, then the compiled program)
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            out = f(a, b)
        with warnings.catch_warnings(record=True) as want:
            warnings.simplefilter("always")
            expected = eager(a, b)
        np.testing.assert_array_equal(out, expected)
        assert np.signbit(out) == np.signbit(expected)
        assert [type(w.message) for w in got] == [type(w.message) for w in want]
    assert f.cache_info().hits == 1


def test_a_constant_output_is_a_new_array_on_every_call():
    f = fgrad.jit(lambda x: (x * 2.0, np.ones(3), {"k": np.zeros(2)}))
    x = np.ones(2)
    for _ in range(3):
        doubled, ones, nested = f(x)
        np.testing.assert_array_equal(ones, np.ones(3))
        np.testing.assert_array_equal(nested["k"], np.zeros(2))
        ones[0], nested["k"][0] = 5.0, 7.0  # (the caller's to change: the next call is not)
    assert f.cache_info().hits == 2
