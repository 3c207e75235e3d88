"""The engine's fast and frugal paths compute exactly what the plain paths compute.

Covers: the backward walk freeing the graph as it goes (peak memory), rules that do not
read `ans`, in-place fan-in sums, the product-with-ones shortcut, float64 scalar
arithmetic without ufunc dispatch, the paused cyclic collector, long chains, the walk
in creation order, negations folded into fan-in sums, read-only broadcast views, bind's
one- and two-argument paths, the cached check of a call's arguments, records made
without attrs' per-field setattr, small records that keep their caller's argument tuple,
and operators calling `bind` directly.
"""

import gc
import sys
import tracemalloc
import weakref

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad._collector import _PAUSED
from fgrad._core import Node, new_level


def traced_peak(fn, *args):
    """Peak bytes allocated during fn(*args) beyond what was live before (NumPy reports to tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = fn(*args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak - base


# ---------------------------------------------------------------- memory
def loss(x):
    return np.sum(np.tanh(x) ** 2 * np.exp(-x))


def hand_value_and_grad(x):
    t, e = np.tanh(x), np.exp(-x)
    t2 = t * t
    return np.sum(t2 * e), (2.0 * t * (1.0 - t2) - t2) * e


def test_large_array_gradient_peak_memory_matches_hand_written_numpy():
    # The graph holds -x, e, t, t², t²e (5 arrays). Dropping each record before its
    # rules run, not copying `1 * b` for sum's cotangent and summing fan-in in place
    # keep the whole call at 5 arrays, what the hand-written pass peaks at; before,
    # the caller's reference kept the graph alive through the walk and it took 9.
    x = np.random.default_rng(0).standard_normal(200_000)
    (value, g), fgrad_peak = traced_peak(fgrad.value_and_grad(loss), x)
    (want_value, want_g), hand_peak = traced_peak(hand_value_and_grad, x)
    np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-15)
    assert value == pytest.approx(want_value, rel=1e-12)
    assert fgrad_peak <= 5.2 * x.nbytes
    assert fgrad_peak <= 1.05 * hand_peak


def test_vjp_keeps_its_graph_for_repeated_pullbacks():
    x = np.linspace(-1.0, 1.0, 5000)
    out, pull = fgrad.vjp(lambda v: np.tanh(v) * np.exp(-v), x)
    ct = np.ones_like(x)
    first = pull(ct)[0]
    second = pull(ct)[0]
    t = np.tanh(x)
    want = ((1 - t * t) - t) * np.exp(-x)
    np.testing.assert_allclose(first, want, rtol=1e-12)
    np.testing.assert_array_equal(first, second)
    assert first is not second


# ---------------------------------------------------------------- rules without `ans`
def test_exp_differentiates_on_every_python():
    # Python 3.13 compiles `g * ans` to an opcode the old bytecode scan did not know,
    # and exp's rule was handed ans=None.
    assert fgrad.grad(np.exp)(1.0) == np.exp(1.0)
    assert fgrad.grad(fgrad.grad(np.exp))(1.0) == np.exp(1.0)
    assert fgrad.grad(np.tanh)(0.5) == 1 - np.tanh(0.5) ** 2


def test_rules_get_ans_exactly_as_declared():
    seen = {}

    def reads(g, ans, x):
        seen["reads"] = ans
        return g * 2.0 * x

    def ignores(g, ans, x):
        seen["ignores"] = ans
        return g * 3.0 * x * x

    square = fgrad.primitive(lambda x: x * x, reads, name="square_reads")
    cube = fgrad.primitive(lambda x: x ** 3, ignores, name="cube_ignores", uses_ans=False)
    assert fgrad.grad(lambda x: square(x) + cube(x))(2.0) == 4.0 + 12.0
    assert seen == {"reads": 4.0, "ignores": None}
    # and to any order: the nested rules still see their values
    assert fgrad.grad(fgrad.grad(lambda x: square(x) + cube(x)))(2.0) == 2.0 + 12.0


def test_uses_ans_per_rule_and_after_defvjp():
    seen = []
    rule = lambda g, ans, x, y: seen.append(ans) or g  # noqa: E731
    both = fgrad.primitive(np.add, rule, rule, name="add_seen", uses_ans=(True, False))
    assert both.primitive.reads_ans == (True, False)
    assert fgrad.grad(lambda x: both(x, 2.0))(1.0) == 1.0
    assert fgrad.grad(lambda y: both(1.0, y))(2.0) == 1.0
    assert seen == [3.0, None]
    # new rules are assumed to read `ans` unless they say otherwise
    fgrad.defvjp(both, rule, rule)
    assert both.primitive.reads_ans == (True, True)
    fgrad.defvjp(both, rule, None, uses_ans=False)
    assert both.primitive.reads_ans == (False, False)


@pytest.mark.parametrize("uses_ans", ["yes", (True,), (True, 1), None])
def test_a_malformed_uses_ans_is_refused_where_it_is_written(uses_ans):
    rule = lambda g, ans, x, y: g  # noqa: E731
    with pytest.raises(TypeError, match=r"primitive `pair`: uses_ans must be True, False or a tuple of 2 bools"):
        fgrad.primitive(np.add, rule, rule, name="pair", uses_ans=uses_ans)


def test_core_rules_declare_what_they_read():
    # (Every built-in rule declared ans-free runs with ans=None in the table-driven
    # tests of fgrad.numpy, which would fail on a rule that read it.)
    import fgrad._ops as ops

    assert ops.exp.primitive.reads_ans == (True,)
    assert ops.sin.primitive.reads_ans == (False,)
    assert ops.divide.primitive.reads_ans == (False, True)
    assert ops.power.primitive.reads_ans == (False, True)
    assert ops.sqrt.primitive.reads_ans == (True,)


# ---------------------------------------------------------------- fan-in and aliasing
def test_in_place_fan_in_is_exact_and_touches_no_caller_array():
    rng = np.random.default_rng(1)
    x, a, b = (rng.standard_normal(10_000) for _ in range(3))
    copies = [v.copy() for v in (x, a, b)]
    g = fgrad.grad(lambda v: np.sum(np.sin(v) * a + np.cos(v) * b + v * v))(x)
    np.testing.assert_allclose(g, np.cos(x) * a - np.sin(x) * b + 2 * x, rtol=1e-12, atol=1e-14)
    for before, after in zip(copies, (x, a, b)):
        np.testing.assert_array_equal(before, after)


def test_one_cotangent_reaching_two_inputs_gives_two_arrays():
    c = np.arange(1.0, 5001.0)
    gx, gy = fgrad.grad(lambda x, y: np.sum((x + y) * c), argnums=(0, 1))(np.ones(5000), np.zeros(5000))
    np.testing.assert_array_equal(gx, c)
    np.testing.assert_array_equal(gy, c)
    assert not np.shares_memory(gx, gy)
    gx[0] = -1.0
    assert gy[0] == 1.0


def test_product_with_ones_gives_a_fresh_gradient():
    a = np.linspace(0.0, 1.0, 3000)
    b = np.linspace(2.0, 3.0, 3000)
    ga, gb = fgrad.grad(lambda u, v: np.sum(u * v), argnums=(0, 1))(a, b)
    np.testing.assert_array_equal(ga, b)
    np.testing.assert_array_equal(gb, a)
    for g in (ga, gb):
        assert g.flags.writeable and not np.shares_memory(g, a) and not np.shares_memory(g, b)
    # broadcasting, float32 and a scaled seed still take the ordinary rule
    col = np.arange(3.0).reshape(3, 1)
    g = fgrad.grad(lambda u: np.sum(u * col))(np.ones((3, 4)))
    np.testing.assert_array_equal(g, np.broadcast_to(col, (3, 4)))
    g32 = fgrad.grad(lambda u: np.sum(u * b.astype(np.float32)))(a.astype(np.float32))
    assert g32.dtype == np.float32
    g2 = fgrad.grad(lambda u: 2.0 * np.sum(u * b))(a)
    np.testing.assert_array_equal(g2, 2.0 * b)


# ---------------------------------------------------------------- scalars
def test_float64_scalar_arithmetic_matches_the_ufuncs_bit_for_bit():
    def f(x):
        return (x * 3.0 + 1.0 / x - 2 - x / 7.0) * (x - 0.1)

    rng = np.random.default_rng(2)
    for v in rng.uniform(0.1, 10.0, 50):
        value, slope = fgrad.value_and_grad(f)(float(v))
        with np.errstate(all="ignore"):
            x = np.float64(v)
            left = np.subtract(np.subtract(np.add(np.multiply(x, 3.0), np.true_divide(1.0, x)), 2), np.true_divide(x, 7.0))
            a = np.multiply(left, np.subtract(x, 0.1))
        assert type(value) is np.float64 and value == a
        assert type(slope) is np.float64
        assert slope == pytest.approx(fgrad.numerical_grad(f, float(v)), rel=1e-6)
    value32, slope32 = fgrad.value_and_grad(f)(np.float32(2.0))
    assert value32.dtype == np.float32 and slope32.dtype == np.float32


def test_scalar_division_by_zero_warns_like_numpy():
    with pytest.warns(RuntimeWarning):
        assert fgrad.grad(lambda x: x / 0.0)(1.0) == np.inf


# ---------------------------------------------------------------- collector and long graphs
def test_the_collector_is_paused_while_tracing_and_restored_after():
    # Paused = the older generations' thresholds out of reach; young collections go on
    # (more in tests/test_collector.py).
    assert gc.isenabled()
    thresholds = gc.get_threshold()
    states = []

    def f(x):
        states.append((gc.isenabled(), gc.get_threshold()))
        return x * x

    fgrad.grad(f)(1.0)
    assert states == [(True, (thresholds[0], _PAUSED, _PAUSED))] and gc.isenabled()
    assert gc.get_threshold() == thresholds
    with pytest.raises(ZeroDivisionError):
        fgrad.grad(lambda x: 1 // 0)(1.0)
    assert gc.isenabled() and gc.get_threshold() == thresholds
    gc.disable()
    try:
        fgrad.grad(f)(1.0)
        assert not gc.isenabled()  # a caller's own choice is left alone
    finally:
        gc.enable()


def test_long_chains_need_no_recursion_to_differentiate_or_free():
    n = 200_000
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        def chain(x):
            for _ in range(n):
                x = np.sin(x) * 1.0001 + 0.001
            return x

        value, slope = fgrad.value_and_grad(chain)(0.5)
        x, d = 0.5, 1.0
        for _ in range(n):
            x, d = np.sin(x) * 1.0001 + 0.001, np.cos(x) * 1.0001 * d
        assert value == pytest.approx(x, rel=1e-12)
        assert slope == pytest.approx(d, rel=1e-9, abs=1e-300)
        held = chain(Node(np.float64(0.5), level=new_level()))  # a graph the caller holds
        freed = weakref.ref(held)
        del held  # freed by reference counting, without recursion
        assert freed() is None
    finally:
        sys.setrecursionlimit(limit)


# ---------------------------------------------------------------- the walk in creation order
def test_every_node_is_numbered_after_its_parents():
    seen = []

    def f(x, y):
        z = x * y + np.sin(x)
        w = (z * z - y) / (1.0 + x)
        seen.extend([z, w])
        return w

    fgrad.grad(fgrad.grad(f))(1.5, 0.5)
    nodes, stack = set(), list(seen)
    while stack:
        n = stack.pop()
        if type(n) is Node and n not in nodes:
            nodes.add(n)
            stack.extend(n.parents)
            stack.append(n.value)  # the outer levels' records too
    assert len(nodes) > 10
    assert all(p.seq < n.seq for n in nodes for p in n.parents)
    assert len({n.seq for n in nodes}) == len(nodes)


def test_fan_in_from_branches_of_different_depths_is_complete():
    # x reaches the output through a long branch and a short one, and `a` through both
    # of its children; a walk taking a Node before all its children would lose terms.
    def f(x):
        a = x * x
        long = a
        for _ in range(50):
            long = np.sin(long) + 0.5 * long
        return long * a + a + x

    eps = 1e-6
    expected = (f(1.3 + eps) - f(1.3 - eps)) / (2 * eps)
    assert fgrad.grad(f)(1.3) == pytest.approx(expected, rel=1e-7)
    # d/dx (x**2 * exp(x)) = (2x + x**2) exp(x): a fan-in of two rules at two depths
    g = fgrad.grad(lambda x: x * x * np.exp(x) + 0 * x)
    assert g(0.7) == pytest.approx((2 * 0.7 + 0.49) * np.exp(0.7), rel=1e-14)


# ---------------------------------------------------------------- bind's one- and two-argument paths
def same(xs, ys):
    """Tuples of the same objects (Node's == compares values)."""
    return len(xs) == len(ys) and all(x is y for x, y in zip(xs, ys))


def test_binary_bind_records_the_right_parents_at_every_level_mix():
    from fgrad._core import bind

    prim = fgrad._ops.multiply.primitive
    outer = Node(np.float64(3.0), level=new_level())
    inner = Node(np.float64(2.0), level=new_level())
    for args, parents, argnums in [
        ((inner, inner), (inner, inner), (0, 1)),
        ((inner, 5.0), (inner,), (0,)),
        ((5.0, inner), (inner,), (1,)),
        ((inner, outer), (inner,), (0,)),  # the outer value stays an argument ...
        ((outer, inner), (inner,), (1,)),
    ]:
        out = bind(prim, args, {})
        assert out.level == inner.level and same(out.parents, parents) and out.argnums == argnums
        assert fgrad._core.value_of(out) == np.prod([fgrad._core.value_of(a) for a in args])
    out = bind(prim, (inner, outer), {})
    assert type(out.value) is Node and out.value.level == outer.level  # ... recorded on its own trace
    assert same(out.value.parents, (outer,)) and out.args[0] == 2.0 and out.args[1] is outer
    # a unary application of an inner value that holds an outer one records on both
    nested = Node(outer, level=new_level())
    y = bind(fgrad._ops.negative.primitive, (nested,), {})
    assert same(y.parents, (nested,)) and same(y.value.parents, (outer,)) and fgrad._core.value_of(y) == -3.0
    # results are read-only arrays, scalars stay scalars
    arr = bind(fgrad._ops.tanh.primitive, (Node(np.ones(3), level=new_level()),), {})
    assert not arr.value.flags.writeable
    assert type(bind(prim, (inner, 5.0), {}).value) is np.float64


def test_a_record_derives_parents_argnums_and_args_from_its_inputs():
    from fgrad._core import bind, primitive

    fma = primitive(lambda a, b, c: a * b + c, name="fma")  # three arguments: the general path
    outer = Node(np.float64(3.0), level=new_level())
    inner = Node(np.float64(2.0), level=new_level())
    for inputs, argnums in [
        ((inner, 4.0, 1.0), (0,)),
        ((4.0, inner, inner), (1, 2)),
        ((outer, 4.0, inner), (2,)),  # the outer Node is a constant at the inner level
        ((inner, inner, inner), (0, 1, 2)),
    ]:
        out = bind(fma.primitive, inputs, {})
        assert out.inputs is inputs  # the caller's tuple itself, no copy
        assert out.argnums == argnums and same(out.parents, tuple(inputs[i] for i in argnums))
        want_args = tuple(x.value if i in argnums else x for i, x in enumerate(inputs))
        assert same(out.args, want_args)
    # operators keep their own argument tuple too, and a transform input has none
    x = Node(np.float64(2.0), level=new_level())
    y = x * 5.0
    assert y.inputs[0] is x and y.inputs[1] == 5.0 and y.argnums == (0,) and same(y.args, (x.value, 5.0))
    assert x.inputs == () and x.parents == () and x.argnums == () and x.args == ()


def test_a_recorded_operation_is_small():
    # A record is its seven slots and nothing more. A scalar chain step (sin, *, +:
    # three records) holds its records, their values and sequence numbers and the
    # callers' argument tuples; records that also kept their own parents and
    # unwrapped-argument tuples took a third more, and at 10**6 steps every byte is
    # also a page fault's worth of kernel time. Sizes are this interpreter's own
    # (objects grew by 8 bytes in Python 3.12), so the bounds are measured here too.
    from fgrad._core import make_node

    class SevenSlots:
        __slots__ = ("a", "b", "c", "d", "e", "f", "g", "__weakref__")

    record = make_node(np.float64(1.0), None, (), {}, 1, None, 1)
    assert sys.getsizeof(record) == sys.getsizeof(SevenSlots())

    def chain(x, n):
        for _ in range(n):
            x = np.sin(x) * 1.0001 + 0.001
        return x

    n = 10_000
    level = new_level()
    x = Node(np.float64(0.5), level=level)
    must_hold = 3 * (sys.getsizeof(record) + sys.getsizeof(np.float64(1.0)) + sys.getsizeof(10**6)) \
        + sys.getsizeof((x,)) + 2 * sys.getsizeof((x, x))
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        out = chain(x, n)
        per_step = (tracemalloc.get_traced_memory()[0] - base) / n
    finally:
        tracemalloc.stop()
    assert out.level == level
    assert per_step < 1.1 * must_hold, f"{per_step:.0f} bytes per step, {must_hold} must be held"


def test_make_node_gives_the_same_frozen_record_as_node():
    import attrs
    from fgrad._core import make_node

    fields = (np.float64(2.0), fgrad._ops.exp.primitive, (), {}, 3, "n", 7)
    made, built = make_node(*fields), Node(*fields)
    assert type(made) is Node and attrs.asdict(made, recurse=False) == attrs.asdict(built, recurse=False)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.value = 5.0
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del made.name
    assert attrs.evolve(made, name="m").name == "m" and made.name == "n"
    assert weakref.ref(made)() is made
    # every record a trace makes is one of these
    _, y = capture_out(lambda x: np.exp(x) * 2.0 + 1.0, np.ones(2))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        y.parents = ()


def capture_out(f, x):
    seen = {}

    def probe(x):
        seen["out"] = out = f(x)
        return fnp.sum(out)

    fgrad.grad(probe)(x)
    return x, seen["out"]


@pytest.mark.parametrize("call", [lambda x: x + 1.0, lambda x: 1.0 + x, lambda x: np.add(x, 1.0)])
def test_operators_and_ufuncs_record_the_current_primitive(monkeypatch, call):
    # they call bind directly, reading the function's `.primitive` at each call, so
    # rules attached later (defvjp replaces the record) are the ones used
    import attrs

    replaced = attrs.evolve(fgrad._ops.add.primitive, vjps=(lambda g, ans, x, y: 10.0 * g,) * 2)
    monkeypatch.setattr(fgrad._ops.add, "primitive", replaced)
    assert fgrad.grad(call)(2.0) == 10.0
    _, y = capture_out(call, np.ones(2))
    assert y.primitive is replaced


def test_the_call_check_runs_again_when_the_rules_change():
    f = fgrad.primitive(lambda x, scale=1.0: x * scale, lambda g, ans, x, scale=1.0: g * scale, name="scaled")
    assert fgrad.grad(lambda x: f(x, scale=2.0))(1.0) == 2.0  # checked once for (1 arg, scale=)
    assert fgrad.grad(lambda x: f(x, scale=3.0))(1.0) == 3.0  # same call shape: cached
    f.defvjp(lambda g, ans, x: g)  # the new rule takes no `scale`
    with pytest.raises(TypeError, match="scaled: these arguments are not supported"):
        fgrad.grad(lambda x: f(x, scale=2.0))(1.0)
    assert fgrad.grad(f)(1.0) == 1.0


def test_broadcast_view_is_numpys_broadcast_to_made_faster():
    from fgrad._ops import broadcast_view

    grid = np.arange(12.0).reshape(3, 4)
    cases = [(np.float64(2.0), (3,)), (np.float64(2.0), ()), (np.arange(3.0).reshape(3, 1), (2, 3, 4)),
             (np.arange(3.0), (4, 3)), (grid[:, :1], (3, 5)), (grid[:, ::2][:, :1], (3, 5)),
             (grid.T[:, :1], (4, 6)), (grid[:, ::2], (5, 3, 2)), (np.float32(1.5), (2, 2)),
             (np.ones((2, 1)), (2, 1)), (np.ones((0, 1)), (0, 3)), (2.5, (2,)), (np.arange(4, dtype=np.int64), (2, 4))]
    for a, shape in cases:
        got, want = broadcast_view(a, shape), np.broadcast_to(a, shape)
        assert got.shape == want.shape and got.dtype == want.dtype and not got.flags.writeable
        np.testing.assert_array_equal(got, want)
        if isinstance(a, np.ndarray) and a.size:
            assert np.shares_memory(got, a)  # a view, not a copy
    for a, shape in [(np.arange(3.0), (2, 4)), (np.arange(4.0), (3,)), (np.ones((2, 3)), (3,))]:
        with pytest.raises(ValueError):
            broadcast_view(a, shape)


def test_negation_is_folded_into_the_next_fan_in_sum(monkeypatch):
    # In exp(-x) beside tanh(x), the cotangent of x is c - g (c from tanh, g from exp):
    # the walk keeps g un-negated until c arrives and subtracts in one pass, instead of
    # negating g (one pass) and adding (another).
    negations = []
    real_negative = np.negative

    def counting_negative(*args, **kwargs):
        negations.append(kwargs.get("out") is not None)
        return real_negative(*args, **kwargs)

    x = np.linspace(-2.0, 2.0, 10_000)
    t, e = np.tanh(x), np.exp(-x)
    monkeypatch.setattr(np, "negative", counting_negative)
    got = fgrad.grad(loss)(x)
    monkeypatch.undo()
    np.testing.assert_allclose(got, (2 * t * (1 - t * t) - t * t) * e, rtol=1e-13, atol=1e-15)
    assert negations == []


@pytest.mark.parametrize("f, df", [
    (lambda x: fnp.sum(fnp.exp(-x)), lambda x: -np.exp(-x)),  # negation reaching an input
    (lambda x: fnp.sum(fnp.exp(-(-x))), lambda x: np.exp(x)),  # negated twice
    (lambda x: fnp.sum(fnp.exp(-x) + fnp.exp(-x)), lambda x: -2 * np.exp(-x)),  # two deferred negations meet
    (lambda x: fnp.sum(fnp.exp(-x) * x), lambda x: np.exp(-x) - x * np.exp(-x)),  # contribution after the negation
    (lambda x: fnp.sum(x * x - fnp.exp(-x) * 3.0), lambda x: 2 * x + 3 * np.exp(-x)),
    (lambda x: fnp.sum(fnp.exp(-x).astype(np.float32)), lambda x: -np.exp(-x)),
])
def test_deferred_negations_give_exact_gradients(f, df):
    x = np.linspace(-1.0, 1.0, 5000)
    np.testing.assert_allclose(fgrad.grad(f)(x), df(x), rtol=1e-14)
    np.testing.assert_allclose(fgrad.grad(f)(x[:10]), df(x[:10]), rtol=1e-14)  # small arrays: no deferral
    # second order (cotangents are traced values, never deferred) against central differences
    h = np.float64(1e-5)
    v = np.linspace(0.5, 1.0, 5000)
    hv = fgrad.grad(lambda x: fnp.sum(fgrad.grad(f)(x) * v))(x)
    want = (df(x + h * v) - df(x - h * v)) / (2 * h)
    np.testing.assert_allclose(hv, want, rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------- reference counts
def test_the_sole_holder_count_is_measured_on_this_interpreter():
    from fgrad import _backward

    assert _backward._PRIVATE_REFCOUNT == _backward._sole_holder_count() > 0

    def holder():
        a = np.ones(_backward._IN_PLACE_MIN_SIZE)
        alone = _backward._is_private(a)
        b = a
        shared = _backward._is_private(a)
        del b
        return alone, shared

    assert holder() == (True, False)


@pytest.mark.parametrize("fake", [
    lambda x: 1,            # counts that never rise: cannot tell one holder from two
    lambda x: 2 ** 30,      # immortal-style constants
], ids=["constant", "immortal"])
def test_in_place_updates_are_off_where_counts_cannot_be_trusted(monkeypatch, fake):
    from fgrad import _backward

    monkeypatch.setattr(_backward.sys, "getrefcount", fake)
    assert _backward._sole_holder_count() == 0
    monkeypatch.delattr(_backward.sys, "getrefcount")
    assert _backward._sole_holder_count() == 0


def test_without_in_place_updates_results_are_the_same(monkeypatch):
    from fgrad import _backward

    x = np.linspace(-2.0, 2.0, 10_000)
    f = lambda v: np.sum(np.tanh(np.tanh(v)) + np.exp(-v * v) * np.sin(v) + v * v)  # noqa: E731
    fast = fgrad.grad(f)(x)
    monkeypatch.setattr(_backward, "_PRIVATE_REFCOUNT", 0)
    plain = fgrad.grad(f)(x)
    np.testing.assert_allclose(fast, plain, rtol=1e-15, atol=0)
