"""fgrad.numpy.fft: values, derivatives to second order on real and complex inputs, JAX.

Every transform is checked against central differences (`fgrad.check_grads`, forward and
reverse mode, along the real and the imaginary direction of complex inputs) at every
norm, odd and even lengths, ``n``/``s`` shorter and longer than the input, and axes
variants; composed with a nonlinear function, so that the second-order check
differentiates the VJP rules themselves. Closed forms (Parseval, the DFT matrix) and
JAX's gradients (float64) of real-valued losses check the numbers independently.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from extras_support import import_extra
from fgrad._complex import COMPLEX_RULES
from fgrad._core import Node

NORMS = (None, "backward", "ortho", "forward")
ONE_D = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
REAL_ONLY = ("rfft", "ihfft")  # NumPy refuses complex input


def _real(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape)


def _complex(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, shape) + 1j * rng.uniform(-1.0, 1.0, shape)


def _inputs(fn, *shape):
    yield "real", _real(*shape)
    if fn not in REAL_ONLY:
        yield "complex", _complex(*shape)


def _check(f, x):
    """Traced values equal NumPy's exactly (the same pocketfft calls); derivatives of
    ``f`` and of a nonlinear composition agree with central differences, order 2."""
    out, _ = fgrad.vjp(f, x)
    np.testing.assert_array_equal(out, f(x))
    fgrad.check_grads(lambda x: f(x) + f(x * x) * x.sum(), (x,), order=2, modes=("fwd", "rev"))


# ---------------------------------------------------------------- 1-D transforms
@pytest.mark.parametrize("norm", NORMS[1:])  # (None is "backward": the default, tested below)
@pytest.mark.parametrize("length", [5, 6])
@pytest.mark.parametrize("n", [None, 3, 4, 8, 9])
@pytest.mark.parametrize("fn", ONE_D)
def test_one_dimensional_transforms(fn, n, length, norm):
    transform = getattr(np.fft, fn)
    for _, x in _inputs(fn, 2, length):
        _check(lambda x: transform(x, n=n, norm=norm), x)


@pytest.mark.parametrize("fn", ONE_D)
def test_one_dimensional_transforms_along_an_axis(fn):
    transform = getattr(np.fft, fn)
    for _, x in _inputs(fn, 3, 4, 2):
        _check(lambda x: transform(x, axis=0), x)
        _check(lambda x: transform(x, 5, 1, "ortho"), x)  # positional n, axis, norm
        _check(lambda x: getattr(fnp.fft, fn)(x, n=2, axis=-2, norm="forward"), x)


def test_gradient_dtypes_follow_the_inputs():
    loss = lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2)
    assert fgrad.grad(loss)(_real(4)).dtype == np.float64  # the real part of the complex cotangent
    assert fgrad.grad(loss)(_complex(4)).dtype == np.complex128
    assert fgrad.grad(loss)(_real(4).astype(np.float32)).dtype == np.float32
    assert fgrad.grad(lambda z: np.sum(np.fft.irfft(z)))(_complex(4)).dtype == np.complex128


# ---------------------------------------------------------------- n-dimensional transforms
ND_CASES = [dict(), dict(axes=(0,)), dict(axes=(-1, 0)), dict(axes=(0, 2)), dict(s=(3, 5), axes=(1, 2)),
            dict(s=(4, 2, 3), axes=(0, 1, 2)), dict(s=(-1, 6), axes=(0, 2)), dict(axes=[2, 0, 1]),
            dict(axes=(1, 1))]  # a repeated axis is transformed twice, as in NumPy


@pytest.mark.parametrize("norm", (None, "ortho", "forward"))
@pytest.mark.parametrize("kw", ND_CASES, ids=str)
@pytest.mark.parametrize("fn", ("fftn", "ifftn", "rfftn", "irfftn"))
def test_n_dimensional_transforms(fn, kw, norm):
    transform = getattr(np.fft, fn)
    for _, x in _inputs(fn.replace("rfftn", "rfft"), 2, 3, 4):
        _check(lambda x: transform(x, norm=norm, **kw), x)


@pytest.mark.parametrize("kw", [dict(), dict(s=(3, 5)), dict(axes=(0, 2)), dict(s=(2, 2), axes=(2, 1)),
                                dict(norm="ortho"), dict(norm="forward")], ids=str)
@pytest.mark.parametrize("fn", ("fft2", "ifft2", "rfft2", "irfft2"))
def test_two_dimensional_transforms(fn, kw):
    transform = getattr(np.fft, fn)
    for _, x in _inputs(fn.replace("rfft2", "rfft"), 2, 3, 4):
        _check(lambda x: transform(x, **kw), x)


@pytest.mark.parametrize("axes", [None, 0, (1,), (0, 1), [-1]], ids=str)
@pytest.mark.parametrize("fn", ("fftshift", "ifftshift"))
def test_shifts_are_permutations(fn, axes):
    shift = getattr(np.fft, fn)
    for x in (_real(3, 5), _complex(4, 3)):
        _check(lambda x: shift(x, axes), x)
    # the transpose of a permutation is its inverse
    inverse = np.fft.ifftshift if fn == "fftshift" else np.fft.fftshift
    w = np.arange(5.0)
    np.testing.assert_array_equal(fgrad.grad(lambda x: np.sum(shift(x) * w))(np.zeros(5)), inverse(w))


def test_frequencies_are_constants_with_a_differentiable_spacing():
    assert fnp.fft.fftfreq is np.fft.fftfreq and fnp.fft.rfftfreq is np.fft.rfftfreq
    # fftfreq(n, d) = k / (n d): d/dd = -k / (n d^2)
    np.testing.assert_allclose(fgrad.jacfwd(lambda d: np.fft.fftfreq(4, d))(0.5), -np.array([0, 1, -2, -1]) / 4 / 0.25,
                               rtol=1e-15)
    np.testing.assert_allclose(fgrad.grad(lambda d: np.sum(np.fft.rfftfreq(6, d=d)))(2.0), -6 / 6 / 4.0, rtol=1e-15)


# ---------------------------------------------------------------- closed forms
@pytest.mark.parametrize("n", [5, 6])
def test_parseval(n):
    x, z = _real(n), _complex(n)
    energy = lambda x, norm=None: np.sum(np.abs(np.fft.fft(x, norm=norm)) ** 2)
    np.testing.assert_allclose(fgrad.grad(energy)(x), 2 * n * x, rtol=1e-13)
    np.testing.assert_allclose(fgrad.grad(energy)(z), 2 * n * np.conj(z), rtol=1e-13)  # df/dx - i df/dy
    np.testing.assert_allclose(fgrad.grad(lambda x: energy(x, "ortho"))(z), 2 * np.conj(z), rtol=1e-13)
    np.testing.assert_allclose(fgrad.hessian(energy)(x), 2 * n * np.eye(n), atol=1e-12)
    # rfft holds half the spectrum: the other half is its mirror (n even: not the Nyquist bin)
    half = lambda x: np.sum(np.abs(np.fft.rfft(x)) ** 2)
    weights = np.full(n // 2 + 1, 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    full = lambda x: np.sum(np.abs(np.fft.rfft(x)) ** 2 * weights)
    np.testing.assert_allclose(fgrad.grad(full)(x), 2 * n * x, rtol=1e-13)
    np.testing.assert_allclose(fgrad.grad(half)(x), fgrad.numerical_grad(half, x), rtol=1e-7)


def test_jacobians_are_the_dft_matrices():
    n = 5
    k = np.arange(n)
    dft = np.exp(-2j * np.pi * np.outer(k, k) / n)
    z, x = _complex(n), _real(n)
    np.testing.assert_allclose(fgrad.jacrev(np.fft.fft, holomorphic=True)(z), dft, atol=1e-14)
    np.testing.assert_allclose(fgrad.jacfwd(np.fft.fft, holomorphic=True)(z), dft, atol=1e-14)
    np.testing.assert_allclose(fgrad.jacfwd(lambda z: np.fft.ifft(z, norm="ortho"), holomorphic=True)(z),
                               np.conj(dft) / np.sqrt(n), atol=1e-14)
    np.testing.assert_allclose(fgrad.jacfwd(np.fft.fft)(x), dft, atol=1e-14)  # real in, complex out
    np.testing.assert_allclose(fgrad.jacfwd(np.fft.rfft)(x), dft[:3], atol=1e-14)
    # irfft inverts rfft: the Jacobian of the round trip is the identity, for odd and even n
    for m in (5, 6):
        np.testing.assert_allclose(fgrad.jacrev(lambda x: np.fft.irfft(np.fft.rfft(x), m))(_real(m)), np.eye(m),
                                   atol=1e-14)


def test_irfft_ignores_what_numpy_ignores():
    # bins past n // 2, and the imaginary parts of bin 0 and (n even) of the Nyquist bin
    z = _complex(5)
    g = fgrad.grad(lambda z: np.sum(np.fft.irfft(z, 4) * np.arange(1.0, 5.0)))(z)
    assert np.all(g[3:] == 0) and g[0].imag == 0 and g[2].imag == 0 and g[1].imag != 0
    g = fgrad.grad(lambda z: np.sum(np.fft.irfft(z, 5) * np.arange(1.0, 6.0)))(z)
    assert np.all(g[3:] == 0) and g[0].imag == 0 and g[2].imag != 0  # n odd: no Nyquist bin


# ---------------------------------------------------------------- against JAX
def _jax():
    jax = import_extra("reference", "jax")
    jax.config.update("jax_enable_x64", True)
    return jax, jax.numpy


LOSSES = {
    "weighted power spectrum": lambda np, x: np.sum(np.abs(np.fft.fft(x, norm="ortho")) ** 2
                                                    * np.linspace(0.5, 2.0, x.shape[-1])),
    "rfft/irfft deconvolution": lambda np, x: np.sum((np.fft.irfft(np.fft.rfft(x, 8) / (1.5 + np.cos(
        np.linspace(0.0, 3.0, 5))), 8) - np.linspace(-1.0, 1.0, 8)) ** 2),
    "fft2/ifft2 filter": lambda np, x: np.sum(np.real(np.fft.ifft2(np.fft.fft2(x, s=(4, 6)) * np.exp(
        -np.linspace(0.0, 1.0, 6)))) ** 3),
    "rfftn/irfftn": lambda np, x: np.sum(np.sin(np.fft.irfftn(np.fft.rfftn(x, axes=(0, 1)) ** 2, s=(3, 5),
                                                               axes=(0, 1), norm="forward"))),
    "hfft/ihfft": lambda np, x: np.sum(np.fft.hfft(np.fft.ihfft(x * x), 7) ** 2)
    + np.sum(np.abs(np.fft.ihfft(x, norm="ortho"))),
    "fftn crop and shift": lambda np, x: np.sum(np.abs(np.fft.fftshift(np.fft.fftn(x, s=(2, 3), axes=(1, 0))))),
}


@pytest.mark.parametrize("loss", LOSSES.values(), ids=LOSSES.keys())
def test_values_and_gradients_agree_with_jax_on_real_inputs(loss):
    jax, jnp = _jax()
    x = _real(3, 5, seed=7)
    value, grad = fgrad.value_and_grad(lambda x: loss(np, x))(x)
    # (jitted: one compilation instead of one per operation)
    want_value, want_grad = jax.jit(jax.value_and_grad(lambda x: loss(jnp, x)))(x)
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-10, atol=1e-12)
    hvp = fgrad.hvp(lambda x: loss(np, x))(x, _real(3, 5, seed=8))
    want_hvp = jax.jit(lambda x, t: jax.jvp(jax.grad(lambda x: loss(jnp, x)), (x,), (t,))[1])(x, _real(3, 5, seed=8))
    np.testing.assert_allclose(hvp, want_hvp, rtol=1e-9, atol=1e-11)


COMPLEX_LOSSES = {
    "power spectrum": lambda np, z: np.sum(np.abs(np.fft.fft(z, 7)) ** 2 * np.linspace(0.5, 2.0, 7)),
    "ifft cropped, forward norm": lambda np, z: np.sum(np.real(np.fft.ifft(z * z, 3, norm="forward") * (1 - 2j))),
    "fftn axes": lambda np, z: np.sum(np.abs(np.fft.fftn(np.sin(z), axes=(1, 0))) ** 3),
    "ifft2 padded": lambda np, z: np.sum(np.imag(np.fft.ifft2(z, s=(4, 6), norm="ortho")) ** 2),
    "irfft": lambda np, z: np.sum(np.fft.irfft(z, 9) ** 2 * np.linspace(-1.0, 1.0, 9)),
    "irfftn": lambda np, z: np.sum(np.cos(np.fft.irfftn(z, s=(3, 4), axes=(0, 1), norm="ortho"))),
}


@pytest.mark.parametrize("loss", COMPLEX_LOSSES.values(), ids=COMPLEX_LOSSES.keys())
def test_values_and_gradients_agree_with_jax_on_complex_inputs(loss):
    jax, jnp = _jax()
    z = _complex(3, 5, seed=9)
    value, grad = fgrad.value_and_grad(lambda z: loss(np, z))(z)
    want_value, want_grad = jax.jit(jax.value_and_grad(lambda z: loss(jnp, z)))(z)
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-10, atol=1e-12)  # both df/dx - i df/dy
    np.testing.assert_allclose(grad, fgrad.numerical_grad(lambda z: loss(np, z), z), rtol=1e-6, atol=1e-8)


def test_holomorphic_jacobian_agrees_with_jax():
    jax, jnp = _jax()
    z = _complex(2, 4, seed=3)
    f = lambda np, z: np.fft.fft2(z * z, s=(3, 4), norm="ortho")
    got = fgrad.jacrev(lambda z: f(np, z), holomorphic=True)(z)
    want = jax.jit(jax.jacrev(lambda z: f(jnp, z), holomorphic=True))(z)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- plumbing, errors
def test_plain_inputs_give_numpys_result():
    x, z = _real(3, 4), _complex(3, 4)
    for name in fnp.fft.__all__:
        if name in ("fftfreq", "rfftfreq"):
            continue
        arg = x if name in ("rfft", "rfft2", "rfftn", "ihfft") else z
        got, want = getattr(fnp.fft, name)(arg), getattr(np.fft, name)(arg)
        assert type(got) is type(want) and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    out = np.empty((3, 4), complex)
    assert fnp.fft.fft(z, out=out) is out  # NumPy's own call


def test_every_function_is_registered_and_complex_ready():
    names = set(fnp.supported())
    assert {f"np.fft.{n}" for n in fnp.fft.__all__ if not n.endswith("freq")} <= names
    assert {"fft", "ifft", "rfft", "irfft"} <= COMPLEX_RULES
    assert fnp.fft is fgrad.numpy.fft and "fft" in fnp.__all__


def test_table_covers_every_fft_function():
    import table_rows_fft

    sources = "\n".join(inspect.getsource(r.fun) for r in table_rows_fft.ROWS)
    missing = [n for n in fnp.fft.__all__ if f"np.fft.{n}(" not in sources]
    assert not missing, f"add rows to tests/table_rows_fft.py for: {missing}"


def test_the_graph_records_one_primitive_per_transform():
    counts = fgrad.trace(lambda x: np.fft.irfft(np.fft.rfft(x, 8) * 2.0, 8))(_real(6)).primitive_counts()
    assert counts == {"pad": 1, "rfft": 1, "mul": 1, "irfft": 1}
    counts = fgrad.trace(lambda x: np.fft.fft2(x, s=(3, 5)))(_real(2, 4)).primitive_counts()
    assert counts == {"pad": 2, "fft": 2}


ERRORS = [
    (lambda x: fnp.fft.fft(x, out=np.zeros(4, complex)), TypeError, r"np\.fft\.fft\(\.\.\., out=\.\.\.\) would write"),
    (lambda x: np.fft.ifft(x, out=np.zeros(4, complex)), TypeError, r"out=.*traced values are immutable"),
    (lambda x: fnp.fft.rfftn(x, out=np.zeros(3, complex)), TypeError, r"out="),
    (lambda x: np.fft.fft(x, 0), ValueError, r"Invalid number of FFT data points \(0\)"),
    (lambda x: np.fft.irfft(x[:1]), ValueError, r"Invalid number of FFT data points \(0\)"),
    (lambda x: np.fft.rfft(x, -2), ValueError, r"Invalid number of FFT data points \(-2\)"),
    (lambda x: np.fft.fft(x, norm="unitary"), ValueError, r"Invalid norm value unitary"),
    (lambda x: np.fft.hfft(x, norm="unitary"), ValueError, r"Invalid norm value unitary"),
    (lambda x: np.fft.fft(x, axis=1), np.exceptions.AxisError, r"axis 1 is out of bounds"),
    (lambda x: np.fft.fft(x, n=x[0]), TypeError, r"fft: the number of points `n` must be a constant integer"),
    (lambda x: np.fft.fftn(x, s=(x[0],), axes=(0,)), TypeError, r"`s` must be constant integers"),
    (lambda x: np.fft.fftn(x, s=(3, 4), axes=(0,)), ValueError, r"Shape and axes have different lengths"),
    (lambda x: np.fft.rfft(x * 1j), TypeError, r"rfft: the input must be real"),
]


@pytest.mark.parametrize("call, error, match", ERRORS)
def test_errors_name_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        fgrad.grad(lambda x: np.sum(np.abs(call(x))))(_real(4))


def test_deprecated_spellings_warn_as_in_numpy():
    x = _real(3, 4)
    with pytest.warns(DeprecationWarning, match="`axes` should not be `None` if `s` is not `None`"):
        got = fgrad.jacfwd(lambda x: np.fft.fftn(x, s=(2, 4)))(x)
    assert isinstance(got, np.ndarray) and got.shape == (2, 4, 3, 4)


def test_nothing_the_caller_passed_is_changed():
    x = _complex(6)
    before = x.copy()
    fgrad.grad(lambda z: np.sum(np.abs(np.fft.irfft(np.fft.fft(z, 9), 5)) ** 2))(x)
    np.testing.assert_array_equal(x, before)
    assert type(fgrad.vjp(np.fft.fft, x)[0]) is np.ndarray and not isinstance(fgrad.vjp(np.fft.fft, x)[0], Node)
