"""DESIGN §8: bad input gets a TypeError/ValueError that names the argument and the fix."""

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp


def f(x, y=1.0):
    return x * y


@pytest.mark.parametrize("bad, pattern", [
    ("abc", r"argument 0 \(`x`\) must be a float.*got str"),
    (None, r"argument 0 \(`x`\) is None"),
    (object(), r"argument 0 \(`x`\) must be a float.*got object"),
    (np.array(["a"]), r"argument 0 \(`x`\) has dtype <U1, expected floating"),
    (np.array([1.0, None], dtype=object), r"argument 0 \(`x`\) has dtype object"),
])
def test_non_numeric_arguments(bad, pattern):
    with pytest.raises(TypeError, match=pattern):
        fgrad.grad(f)(bad)


@pytest.mark.parametrize("bad, dtype", [
    (2, "int64"), (np.array([1, 2]), "int64"), (True, "bool"), (np.int32(3), "int32"),
])
def test_integer_and_bool_inputs_say_how_to_fix(bad, dtype):
    with pytest.raises(TypeError, match=rf"argument 0 \(`x`\) has dtype {dtype}.*Pass a float instead"):
        fgrad.grad(f)(bad)


def test_complex_inputs_of_a_complex_output_say_how_to_differentiate():
    # complex inputs are differentiable (tests/test_complex.py); a complex *output* needs a choice
    with pytest.raises(TypeError, match=r"grad: `fun` must return a real scalar, but its output is complex "
                                        r"\(complex128\).*pass holomorphic=True"):
        fgrad.grad(f)(1.0 + 2.0j)
    with pytest.raises(TypeError, match=r"grad with holomorphic=True requires complex inputs, but input leaf 0"):
        fgrad.grad(f, argnums=1, holomorphic=True)(1j, 2.0)


def test_error_names_the_leaf_argument_inside_a_pytree():
    with pytest.raises(TypeError, match=r"argument 0 \(`x`\) has dtype int64"):
        fgrad.grad(lambda x: x["a"] * x["b"])({"a": 1.0, "b": 2})


def test_non_scalar_output_shows_the_shape():
    with pytest.raises(TypeError, match=r"must return a scalar \(shape \(\)\), but its output has shape \(3,\).*jacrev"):
        fgrad.grad(lambda x: x * 2.0)(np.ones(3))
    with pytest.raises(TypeError, match=r"real floating-point scalar.*dtype int64"):
        fgrad.grad(lambda x: 3)(1.0)
    with pytest.raises(TypeError, match=r"returned tuple.*has_aux=True"):
        fgrad.grad(lambda x: (x, x))(1.0)


@pytest.mark.parametrize("argnums, exc, pattern", [
    (2, ValueError, r"argnums=2 is out of range.*2 positional arguments"),
    ((0, 5), ValueError, r"argnums=\(0, 5\) is out of range"),
    (-3, ValueError, r"argnums=-3 is out of range"),
])
def test_argnums_out_of_range(argnums, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fgrad.grad(f, argnums=argnums)(1.0, 2.0)


@pytest.mark.parametrize("argnums, exc, pattern", [
    ((0, 0), ValueError, r"`argnums` contains duplicates"),
    ("0", TypeError, r"`argnums` must be an int or a tuple of ints"),
    (1.0, TypeError, r"`argnums` must be an int or a tuple of ints"),
    ((), ValueError, r"`argnums` must name at least one argument"),
    (True, TypeError, r"`argnums` must be an int"),
])
def test_argnums_malformed_or_duplicated(argnums, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fgrad.grad(f, argnums=argnums)


def test_argnums_naming_the_same_argument_twice_via_negative_index():
    with pytest.raises(ValueError, match=r"names the same argument twice"):
        fgrad.grad(f, argnums=(1, -1))(1.0, 2.0)


def test_has_aux_without_a_pair():
    with pytest.raises(TypeError, match=r"has_aux=True requires `fun` to return a pair \(output, aux\).*returned float"):
        fgrad.grad(lambda x: x * 1.0 if False else 2.0, has_aux=True)(1.0)
    with pytest.raises(TypeError, match=r"returned tuple of length 3"):
        fgrad.value_and_grad(lambda x: (x, 1, 2), has_aux=True)(1.0)


def test_non_callable_fun():
    with pytest.raises(TypeError, match=r"`fun` must be callable"):
        fgrad.grad(3.0)


def test_writes_into_traced_values_are_refused():
    def g(x):
        x[0] = 0.0
        return x.sum()

    with pytest.raises(TypeError, match=r"immutable.*where"):
        fgrad.grad(g)(np.ones(2))


def test_unsupported_numpy_function_is_named():
    with pytest.raises(TypeError, match=r"np\.histogram is not supported on traced values"):
        fgrad.grad(lambda x: np.histogram(x)[1].sum())(np.ones(4))


def test_vjp_cotangent_mismatch():
    _, f_vjp = fgrad.vjp(lambda x: x * 2.0, np.ones(3))
    with pytest.raises(ValueError, match=r"cotangent leaf 0 has shape \(2,\), expected \(3,\)"):
        f_vjp(np.ones(2))
    with pytest.raises(ValueError, match=r"cotangent has structure"):
        f_vjp((np.ones(3), np.ones(3)))


def test_numerical_grad_and_check_grads_arguments():
    with pytest.raises(ValueError, match="`eps` must be positive"):
        fgrad.numerical_grad(f, 1.0, eps=0.0)
    with pytest.raises(ValueError, match="`order` must be a positive int"):
        fgrad.check_grads(f, (1.0,), order=0)
    with pytest.raises(TypeError, match="`args` must be a tuple"):
        fgrad.check_grads(f, 1.0, order=1)
    with pytest.raises(ValueError, match="unknown modes"):
        fgrad.check_grads(f, (1.0,), order=1, modes=("sideways",))
