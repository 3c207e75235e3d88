"""NumPy's protocols on traced values: what is refused, and how it is explained.

Every NumPy function fgrad does not differentiate raises a TypeError naming it (never an
object array, never a silently dropped derivative); writes are refused with the
functional alternative; arguments fgrad cannot honour are refused at call time.
"""

import re

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad import _ops
from fgrad._core import Node, new_level
from fgrad._dispatch import IN_PLACE_FUNCTIONS, numpy_name


def traced(fun, x=None):
    """Run `fun` on a traced value inside grad (the error, if any, propagates)."""
    x = np.array([[0.5, 1.5], [2.0, 0.25]]) if x is None else x

    def f(t):
        fun(t)
        return fnp.sum(t)

    return fgrad.grad(f)(x)


def numpy_functions():
    """Every NumPy callable that dispatches to __array_function__ or __array_ufunc__."""
    found = {}
    for module in (np, np.linalg, np.fft):
        for name in dir(module):
            f = getattr(module, name)
            if isinstance(f, np.ufunc) or type(f).__name__ == "_ArrayFunctionDispatcher":
                found[numpy_name(f)] = f
    return found


UNSUPPORTED = {
    name: f for name, f in numpy_functions().items()
    if f not in _ops.UFUNCS and f not in _ops.ARRAY_FUNCTIONS and f not in IN_PLACE_FUNCTIONS
}


def test_the_unsupported_list_is_what_we_think():
    # Guards the enumeration itself: it must see NumPy's functions and leave out fgrad's.
    assert len(numpy_functions()) > 300
    assert {"np.unique", "np.histogram", "np.block", "np.lexsort"} <= set(UNSUPPORTED)
    assert not {"np.sum", "np.linalg.inv", "np.einsum", "np.sin", "np.argmax", "np.fft.fft", "np.linalg.eigh",
                "np.median", "np.convolve"} & set(UNSUPPORTED)
    assert len(fnp.supported()) > 200


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_every_unsupported_numpy_function_is_named_in_the_error(name):
    f = UNSUPPORTED[name]
    node = Node(np.ones(2), level=10**9)  # what NumPy hands the protocol: a traced value
    with pytest.raises(TypeError, match=re.escape(name) + " is not supported on traced values") as info:
        if isinstance(f, np.ufunc):
            node.__array_ufunc__(f, "__call__", *([node] * f.nin))
        else:
            node.__array_function__(f, (Node,), (node,), {})
    message = str(info.value)
    assert "derivative cannot be computed" in message and "fgrad.primitive" in message and "x.value" in message


@pytest.mark.parametrize("call, name", [
    (lambda x: np.unique(x), "np.unique"),
    (lambda x: np.block([[x, x]]), "np.block"),
    (lambda x: np.trim_zeros(x[0]), "np.trim_zeros"),
    (lambda x: np.vander(x[0]), "np.vander"),
    (lambda x: np.histogram(x), "np.histogram"),
    (lambda x: np.ldexp.reduce(x), "np.ldexp.reduce"),
])
def test_unsupported_calls_name_the_function(call, name):
    with pytest.raises(TypeError, match=re.escape(name) + " is not supported on traced values"):
        traced(call)


def test_unsupported_error_suggests_alternatives():
    with pytest.raises(TypeError, match=r"np\.unique .*x\[np\.unique\(fgrad\.stop_gradient\(x\), return_index=True\)\[1\]\]"):
        traced(np.unique)
    with pytest.raises(TypeError, match=r"fgrad\.numpy\.supported\(\)"):
        traced(np.histogram)


# ---------------------------------------------------------------- writes
def test_item_assignment_points_at_the_functional_update():
    def f(x):
        x[0, 0] = 1.0

    with pytest.raises(TypeError, match=r"immutable.*x\.at\[i\]\.set\(v\).*where"):
        traced(f)

    def g(x):
        x[0] += 1.0  # reads, then assigns: still refused

    with pytest.raises(TypeError, match="immutable"):
        traced(g)


@pytest.mark.parametrize("write, pattern", [
    (lambda x: np.add(x, 1.0, out=np.zeros((2, 2))), r"np\.add\(\.\.\., out=\.\.\.\) would write into an array in place"),
    (lambda x: np.sum(x, axis=0, out=np.zeros(2)), r"np\.sum\(\.\.\., out=\.\.\.\) would write"),
    (lambda x: np.add.at(x, [0], 1.0), r"np\.add\.at\(x, idx, v\) writes into its argument in place.*x\.at\[idx\]"),
    (lambda x: np.copyto(np.zeros((2, 2)), x), r"np\.copyto .*writes into its argument in place"),
    (lambda x: np.full((2, 2), x[0, 0], dtype=float), r"np\.copyto \(np\.full and np\.full_like .*fgrad\.numpy\.full"),
    (lambda x: np.full((2, 2), x[0, 0]), r"cut its derivative.*fgrad\.numpy\.full\(\[\.\.\.\]\)"),
    (lambda x: np.put(x, [0], 1.0), r"np\.put writes into its argument in place"),
    (lambda x: np.fill_diagonal(x, 0.0), r"np\.fill_diagonal writes"),
    (lambda x: np.place(x, x > 1, 0.0), r"np\.place writes"),
    (lambda x: x.fill(0.0), r"x\.fill` on a traced value writes into the array in place.*x\.at\[idx\]\.set"),
    (lambda x: x.sort(), r"x\.sort` on a traced value sorts in place: use `fgrad\.numpy\.sort\(x\)`"),
    (lambda x: x.resize(4), r"x\.resize` on a traced value writes"),
])
def test_in_place_writes_are_refused_with_the_alternative(write, pattern):
    with pytest.raises((TypeError, AttributeError), match=pattern):
        traced(write)


def test_augmented_assignment_into_an_array_is_refused_but_rebinding_works():
    def into_array(x):
        buf = np.zeros((2, 2))
        buf += x

    with pytest.raises(TypeError, match="in place"):
        traced(into_array)

    def rebinding(x):
        y = x
        y -= 1.0
        y *= x
        y /= 2.0
        y **= 2
        y @= np.eye(2)
        return fnp.sum(y)

    x = np.array([[0.5, 1.5], [2.0, 0.25]])
    np.testing.assert_allclose(fgrad.grad(rebinding)(x), 2 * ((x - 1) * x / 2) * (2 * x - 1) / 2)


def test_converting_to_a_python_constant_is_refused():
    with pytest.raises(AttributeError, match=r"x\.item` on a traced value would turn .* `x\.value`"):
        traced(lambda x: x.item(0))
    with pytest.raises(AttributeError, match="tolist"):
        traced(lambda x: x.tolist())


# ---------------------------------------------------------------- arguments fgrad cannot honour
@pytest.mark.parametrize("call, pattern", [
    (lambda x: np.mean(x, 0, None, None, True), r"mean: these arguments are not supported"),
    (lambda x: np.exp(x, dtype=np.float32), r"np\.exp with keyword arguments \['dtype'\] is not supported"),
    (lambda x: np.pad(x, 1, mode="reflect", reflect_type="odd"), r"pad: mode='reflect' with \['reflect_type'\] is not supported"),
    (lambda x: np.reshape(x, 4, order="F"), r"reshape: order='F' is not supported"),
    (lambda x: np.concatenate([x, x], dtype=np.float32), r"concatenate: `dtype` is not supported"),
    (lambda x: np.cov(x, fweights=[1, 2]), r"cov: `fweights`/`aweights` are not supported"),
    (lambda x: fnp.roll(x, 1, axis=0, foo=1), r"roll: these arguments are not supported"),
])
def test_arguments_fgrad_cannot_differentiate_are_refused_when_called(call, pattern):
    with pytest.raises(TypeError, match=pattern):
        traced(call)


def test_traced_keyword_arguments_are_refused_clearly():
    # Keyword arguments of a primitive are static: a traced one would be cut off.
    with pytest.raises(TypeError, match=r"roll: keyword argument `shift` is a static parameter, but a traced value"):
        traced(lambda x: fnp.roll(np.ones(3), shift=x[0, 0]))


def test_piecewise_constant_ufunc_methods_give_plain_values():
    seen = []
    traced(lambda x: seen.extend([np.logical_and.reduce(x > 1.0), np.greater.outer(x[0], x[1])]))
    np.testing.assert_array_equal(seen[0], [False, False])
    np.testing.assert_array_equal(seen[1], [[False, True], [False, True]])
    assert all(type(v) is np.ndarray for v in seen)


def test_no_object_arrays_ever():
    # NumPy would build an object array of Nodes if __array__ allowed it; it does not.
    with pytest.raises(TypeError, match="cut its derivative"):
        traced(lambda x: np.asarray(x))
    with pytest.raises(TypeError, match="cut its derivative"):
        traced(lambda x: np.array([x[0, 0], x[1, 1]]))
    with pytest.raises(TypeError, match="cut its derivative"):
        traced(lambda x: np.sum([x[0, 0], x[1, 1]]))


def test_unknown_attributes():
    with pytest.raises(AttributeError, match=r"the ndarray attribute `x\.partition`|x\.partition` on a traced value"):
        traced(lambda x: x.partition(1))
    with pytest.raises(AttributeError, match=r"the ndarray attribute `x\.byteswap`|x\.byteswap"):
        traced(lambda x: x.byteswap())
    with pytest.raises(AttributeError, match=r"'Node' object has no attribute 'frobnicate'"):
        traced(lambda x: x.frobnicate)
    assert not hasattr(Node(np.ones(1)), "__array_interface__")
    with pytest.raises(AttributeError, match=r"the ndarray attribute `x\.strides` is not supported"):
        traced(lambda x: x.strides)


def test_ndarray_methods_are_properties_of_the_class_not_a_getattr_hook():
    # a class with __getattr__ loses CPython's fast attribute reads for all its
    # attributes (node.value, node.level, ... on every recorded operation)
    from fgrad._dispatch import register_array_attributes

    assert not hasattr(Node, "__getattr__")
    assert isinstance(vars(Node)["max"], property) and isinstance(vars(Node)["at"], property)
    assert isinstance(vars(Node)["fill"], property)  # refused, with its reason
    x = Node(np.array([1.0, 3.0]), level=new_level())  # a live level: one that ended refuses x.max()
    assert x.max().value == 3.0 and x.real is x and x.nbytes == 16
    with pytest.raises(ValueError, match="Node defines `sum` itself"):
        register_array_attributes({"sum": lambda x: None})
