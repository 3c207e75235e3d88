"""Differentiable ``numpy.fft``: ``fnp.fft.fft``, ``rfft``, ``irfft``, ``fftn``, ``fftshift``...

Every transform is linear, so its VJP is another transform of the same family, its
transpose under fgrad's pairing of cotangents with tangents, ``Re(sum(c * t))``
(bilinear, no conjugation; see ``fgrad._complex``). Four primitives do the work, each
along one axis at its input's own length: ``fft`` and ``ifft`` (their DFT matrices are
symmetric, so each is its own transpose), ``rfft`` (transposed by zero-filling the
half spectrum and taking the real part of an ``fft``) and ``irfft`` (transposed by an
``rfft``, the bins it counts twice weighted by two). ``n=`` and ``s=`` crop or zero-pad
the input first, as NumPy does; the n-dimensional functions are NumPy's own loops over
axes of the 1-D ones, so values on traced inputs are computed by the same calls. The
rules are fgrad calls of these primitives, so every order of derivative works, on real
and complex inputs. ``fftfreq`` and ``rfftfreq`` are NumPy's own functions (constants;
a traced spacing ``d`` goes through fgrad's arithmetic).

Example:
    >>> import numpy as np, fgrad, fgrad.numpy as fnp
    >>> x = np.array([1.0, 2.0, 0.0, -1.0])
    >>> power = lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2)  # Parseval: 4 * sum(x**2)
    >>> fgrad.grad(power)(x)
    array([ 8., 16.,  0., -8.])
"""

from __future__ import annotations

import operator
import warnings
from typing import Any, Sequence

import numpy as np

from .._backend import in_library_of
from .._core import Node, value_of
from .._ops import conj, getitem, ndim_of, real, shape_of
from ._register import composite, no_out, numpy_primitive
from ._shape import normalize_axis_index, pad, roll

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "ifft", "ifft2", "ifftn", "ifftshift", "ihfft",
           "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn"]

# Constants: NumPy's own (a traced `d` is handled by fgrad's arithmetic inside them).
fftfreq = np.fft.fftfreq
rfftfreq = np.fft.rfftfreq

_SWAP = {"backward": "forward", None: "forward", "ortho": "ortho", "forward": "backward"}


def _swap(norm: Any) -> Any:
    """The norm whose forward scaling is `norm`'s inverse scaling (NumPy's `_swap_direction`)."""
    try:
        return _SWAP[norm]
    except (KeyError, TypeError):
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".') from None


# ---------------------------------------------------------------- the four primitives
# Each transforms along `axis` at the input's own length there (no cropping or padding).
def _fft_vjp(g: Any, ans: Any, a: Any, axis: int, norm: Any) -> Any:
    # the DFT matrix (scaled by 1, 1/sqrt(n) or 1/n) is symmetric: fft is its own transpose
    return _fft(g, axis=axis, norm=norm)


def _ifft_vjp(g: Any, ans: Any, a: Any, axis: int, norm: Any) -> Any:
    return _ifft(g, axis=axis, norm=norm)


def _rfft_vjp(g: Any, ans: Any, a: Any, axis: int, norm: Any) -> Any:
    # rfft keeps bins 0..n//2 of fft: its transpose puts the cotangent there, zeros in the
    # other bins, and applies fft's transpose (fft); the input is real, so the real part.
    n = shape_of(a)[axis]
    return real(_fft(_resized(g, n, axis), axis=axis, norm=norm))


def _bin_weights(n: int, axis: int, nd: int, dtype: Any) -> np.ndarray:
    """How often irfft counts each of bins 0..n//2 (once for 0 and, n even, n/2; else twice),
    shaped to broadcast along `axis` of an `nd`-dimensional array."""
    w = np.full(n // 2 + 1, 2.0, dtype=dtype)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    w = w.reshape((-1,) + (1,) * (nd - 1 - axis))
    w.flags.writeable = False
    return w


def _irfft_vjp(g: Any, ans: Any, a: Any, n: int, axis: int, norm: Any) -> Any:
    # irfft(a)_j = s Re(sum_k w_k a_k e^{+2 pi i jk/n}): bins 1..(n-1)//2 stand for
    # themselves and their conjugate mirrors (w_k = 2), and only the real part of bin 0
    # and of the Nyquist bin counts. With g real, its transpose is
    # w_k s sum_j g_j e^{+2 pi i jk/n} = w_k conj(rfft(g)_k), rfft scaled by the same s
    # (the swapped norm).
    value = value_of(a)
    weights = in_library_of(_bin_weights(n, axis, np.ndim(value), np.result_type(value.real.dtype, 1.0)), g)
    return conj(_rfft(g, axis=axis, norm=_swap(norm))) * weights


_fft = numpy_primitive(np.fft.fft, _fft_vjp, name="fft", public=False, uses_ans=False,
                       forward=lambda a, axis, norm: np.fft.fft(a, axis=axis, norm=norm))
_ifft = numpy_primitive(np.fft.ifft, _ifft_vjp, name="ifft", public=False, uses_ans=False,
                        forward=lambda a, axis, norm: np.fft.ifft(a, axis=axis, norm=norm))
_rfft = numpy_primitive(np.fft.rfft, _rfft_vjp, name="rfft", public=False, uses_ans=False,
                        forward=lambda a, axis, norm: np.fft.rfft(a, axis=axis, norm=norm))
_irfft = numpy_primitive(np.fft.irfft, _irfft_vjp, name="irfft", public=False, uses_ans=False,
                         forward=lambda a, n, axis, norm: np.fft.irfft(a, n=n, axis=axis, norm=norm))


# ---------------------------------------------------------------- arguments
def _length(n: Any, name: str) -> int:
    """`n` (a number of points) as an int >= 1, with NumPy's error otherwise."""
    if type(n) is Node:
        raise TypeError(f"{name}: the number of points `n` must be a constant integer, got a traced value")
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _resized(a: Any, n: int, axis: int) -> Any:
    """`a` cropped or zero-padded at the end of `axis` to length `n` (what ``n=`` does)."""
    have = shape_of(a)[axis]
    if n < have:
        return getitem(a, idx=(slice(None),) * axis + (slice(0, n),))
    if n > have:
        widths = [(0, 0)] * ndim_of(a)
        widths[axis] = (0, n - have)
        return pad(a, widths)
    return a


def _prepare(a: Any, n: Any, axis: Any, norm: Any, out: Any, name: str, default: Any = None) -> tuple[int, int]:
    """Check a 1-D transform's arguments on a traced call: ``(n, axis)``, normalized."""
    no_out(out, f"np.fft.{name}")
    _swap(norm)  # (NumPy's error for a bad `norm`, before any work)
    axis = normalize_axis_index(operator.index(axis), ndim_of(a))
    if n is None:
        n = shape_of(a)[axis] if default is None else default(shape_of(a)[axis])
    return _length(n, name), axis


# ---------------------------------------------------------------- 1-D transforms
@composite(np.fft.fft)
def fft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: Any = None) -> Any:
    """The discrete Fourier transform along `axis`, cropped or zero-padded to `n` points.

    Real input gives a complex result; the gradient of a real input is real (the real
    part of the complex cotangent). Its transpose is itself.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.fft(x)[1].imag)(np.zeros(4))  # -sin(2 pi j / 4)
        array([ 0., -1.,  0.,  1.])
    """
    n, axis = _prepare(a, n, axis, norm, out, "fft")
    return _fft(_resized(a, n, axis), axis=axis, norm=norm)


@composite(np.fft.ifft)
def ifft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: Any = None) -> Any:
    """The inverse discrete Fourier transform along `axis`, of `n` points.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.ifft(x)[0].real)(np.zeros(4))  # the mean of x
        array([0.25, 0.25, 0.25, 0.25])
    """
    n, axis = _prepare(a, n, axis, norm, out, "ifft")
    return _ifft(_resized(a, n, axis), axis=axis, norm=norm)


@composite(np.fft.rfft)
def rfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: Any = None) -> Any:
    """The transform of real input: bins ``0 .. n//2`` of `fft`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.rfft(x)[-1].real)(np.zeros(4))  # the Nyquist bin
        array([ 1., -1.,  1., -1.])
    """
    if np.iscomplexobj(value_of(a)):  # (NumPy's own refusal names a ufunc loop)
        raise TypeError("rfft: the input must be real (NumPy's rfft refuses complex arrays); use fft")
    n, axis = _prepare(a, n, axis, norm, out, "rfft")
    return _rfft(_resized(a, n, axis), axis=axis, norm=norm)


@composite(np.fft.irfft)
def irfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: Any = None) -> Any:
    """The inverse of `rfft`: `n` real points (default ``2 * (m - 1)``) from a half spectrum.

    As in NumPy, bins past ``n // 2`` are ignored (and missing ones are zero), and so are
    the imaginary parts of bin 0 and, for even `n`, of bin ``n / 2``: their derivatives
    are zero.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> # irfft(z)[1] = (Re z0 - 2 Im z1 - Re z2) / 4: bin 1 counts twice, Nyquist bin 2 once
        >>> fgrad.grad(lambda z: fnp.fft.irfft(z)[1])(np.zeros(3, complex))  # df/dx - i df/dy
        array([ 0.25+0.j ,  0.  +0.5j, -0.25-0.j ])
    """
    n, axis = _prepare(a, n, axis, norm, out, "irfft", default=lambda m: 2 * (m - 1))
    return _irfft(_resized(a, n // 2 + 1, axis), n=n, axis=axis, norm=norm)


@composite(np.fft.hfft)
def hfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: Any = None) -> Any:
    """The transform of a signal with Hermitian symmetry, given by its first half: real output.

    It is ``irfft(conj(a), n, axis, norm)`` with the opposite scaling.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda z: fnp.fft.hfft(z)[0])(np.array([1.0, 2.0, 3.0]) + 0j)
        array([1.-0.j, 2.-0.j, 1.-0.j])
    """
    no_out(out, "np.fft.hfft")
    return irfft(conj(a), n, axis, norm=_swap(norm))


@composite(np.fft.ihfft)
def ihfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: Any = None) -> Any:
    """The inverse of `hfft`: the half spectrum ``conj(rfft(a))`` with the opposite scaling.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.ihfft(x)[0].real)(np.zeros(4))
        array([0.25, 0.25, 0.25, 0.25])
    """
    no_out(out, "np.fft.ihfft")
    return conj(rfft(a, n, axis, norm=_swap(norm)))


# ---------------------------------------------------------------- n-dimensional transforms
def _cook(a: Any, s: Any, axes: Any, invreal: bool = False) -> tuple[list[Any], list[int]]:
    """``(s, axes)`` as NumPy's ``_cook_nd_args`` makes them (warnings and errors included)."""
    if type(s) is Node or (isinstance(s, (list, tuple)) and any(type(v) is Node for v in s)):
        raise TypeError("the lengths `s` must be constant integers, got a traced value")
    shape = shape_of(a)
    shapeless = s is None
    if shapeless:
        s = list(shape) if axes is None else list(np.take(shape, axes))
    s = list(s)
    if axes is None:
        if not shapeless:
            warnings.warn("`axes` should not be `None` if `s` is not `None` (Deprecated in NumPy 2.0). In a future "
                          "version of NumPy, this will raise an error and `s[i]` will correspond to the size along "
                          "the transformed axis specified by `axes[i]`. To retain current behaviour, pass a sequence "
                          "[0, ..., k-1] to `axes` for an array of dimension k.", DeprecationWarning, stacklevel=4)
        axes = list(range(-len(s), 0))
    axes = list(axes)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if invreal and shapeless:
        s[-1] = (shape[axes[-1]] - 1) * 2
    if None in s:
        warnings.warn("Passing an array containing `None` values to `s` is deprecated in NumPy 2.0 and will raise "
                      "an error in a future version of NumPy. To use the default behaviour of the corresponding 1-D "
                      "transform, pass the value matching the default for its `n` parameter. To use the default "
                      "behaviour for every axis, the `s` argument can be omitted.", DeprecationWarning, stacklevel=4)
    s = [shape[ax] if v == -1 else v for v, ax in zip(s, axes)]
    return s, axes


def _each_axis(a: Any, s: Any, axes: Any, norm: Any, out: Any, one: Any, name: str) -> Any:
    """NumPy's ``_raw_fftnd``: the 1-D transform `one` along each axis, last first."""
    no_out(out, f"np.fft.{name}")
    s, axes = _cook(a, s, axes)
    for ii in reversed(range(len(axes))):
        a = one(a, n=s[ii], axis=axes[ii], norm=norm)
    return a


@composite(np.fft.fftn)
def fftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None,
         out: Any = None) -> Any:
    """The n-dimensional transform: `fft` along each of `axes` (all by default), sizes `s`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.fftn(x)[0, 0].real)(np.zeros((2, 2)))  # the sum
        array([[1., 1.],
               [1., 1.]])
    """
    return _each_axis(a, s, axes, norm, out, fft, "fftn")


@composite(np.fft.ifftn)
def ifftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None,
          out: Any = None) -> Any:
    """The n-dimensional inverse transform: `ifft` along each of `axes`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.ifftn(x)[0, 0].real)(np.zeros((2, 2)))  # the mean
        array([[0.25, 0.25],
               [0.25, 0.25]])
    """
    return _each_axis(a, s, axes, norm, out, ifft, "ifftn")


@composite(np.fft.fft2)
def fft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
         out: Any = None) -> Any:
    """The 2-dimensional transform: `fftn` over the last two axes by default.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.fft2(x, norm="ortho")[0, 0].real)(np.zeros((2, 2)))
        array([[0.5, 0.5],
               [0.5, 0.5]])
    """
    return _each_axis(a, s, axes, norm, out, fft, "fft2")


@composite(np.fft.ifft2)
def ifft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
          out: Any = None) -> Any:
    """The 2-dimensional inverse transform: `ifftn` over the last two axes by default.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.ifft2(x, norm="forward")[0, 0].real)(np.zeros((2, 2)))
        array([[1., 1.],
               [1., 1.]])
    """
    return _each_axis(a, s, axes, norm, out, ifft, "ifft2")


@composite(np.fft.rfftn)
def rfftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None,
          out: Any = None) -> Any:
    """The n-dimensional transform of real input: `rfft` along the last of `axes`, then `fft`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.rfftn(x)[0, -1].real)(np.zeros((2, 2)))
        array([[ 1., -1.],
               [ 1., -1.]])
    """
    no_out(out, "np.fft.rfftn")
    s, axes = _cook(a, s, axes)
    a = rfft(a, s[-1], axes[-1], norm)
    for ii in range(len(axes) - 2, -1, -1):
        a = fft(a, s[ii], axes[ii], norm)
    return a


@composite(np.fft.irfftn)
def irfftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None,
           out: Any = None) -> Any:
    """The inverse of `rfftn`: `ifft` along all of `axes` but the last, then `irfft`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda z: fnp.fft.irfftn(z)[0, 0])(np.zeros((2, 2), complex))
        array([[0.25+0.j, 0.25+0.j],
               [0.25+0.j, 0.25+0.j]])
    """
    no_out(out, "np.fft.irfftn")
    s, axes = _cook(a, s, axes, invreal=True)
    for ii in range(len(axes) - 1):
        a = ifft(a, s[ii], axes[ii], norm)
    return irfft(a, s[-1], axes[-1], norm)


@composite(np.fft.rfft2)
def rfft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
          out: Any = None) -> Any:
    """`rfftn` over the last two axes by default.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.rfft2(x)[0, 0].real)(np.zeros((2, 3)))
        array([[1., 1., 1.],
               [1., 1., 1.]])
    """
    return rfftn(a, s, axes, norm, out=out)


@composite(np.fft.irfft2)
def irfft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
           out: Any = None) -> Any:
    """`irfftn` over the last two axes by default.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda z: fnp.fft.irfft2(z, norm="forward")[0, 0])(np.zeros((2, 2), complex))
        array([[1.+0.j, 1.+0.j],
               [1.+0.j, 1.+0.j]])
    """
    return irfftn(a, s, axes, norm, out=out)


# ---------------------------------------------------------------- shifts (permutations)
def _shifts(a: Any, axes: Any, sign: int) -> tuple[Any, Any]:
    shape = shape_of(a)
    if axes is None:
        axes = tuple(range(len(shape)))
        return [sign * (d // 2) for d in shape], axes
    if isinstance(axes, (int, np.integer)):
        return sign * (shape[axes] // 2), axes
    return [sign * (shape[ax] // 2) for ax in axes], axes


@composite(np.fft.fftshift)
def fftshift(x: Any, axes: Any = None) -> Any:
    """The zero frequency moved to the centre: a `roll` by half of each of `axes`.

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.fftshift(x)[0])(np.zeros(5))
        array([0., 0., 0., 1., 0.])
    """
    shift, axes = _shifts(x, axes, 1)
    return roll(x, shift, axes)


@composite(np.fft.ifftshift)
def ifftshift(x: Any, axes: Any = None) -> Any:
    """The inverse of `fftshift` (the same for even lengths).

    Example:
        >>> import numpy as np, fgrad, fgrad.numpy as fnp
        >>> fgrad.grad(lambda x: fnp.fft.ifftshift(x)[0])(np.zeros(5))
        array([0., 0., 1., 0., 0.])
    """
    shift, axes = _shifts(x, axes, -1)
    return roll(x, shift, axes)


# Made by `composite`, so doctest would not find their examples by module: list them.
__test__ = {name: globals()[name] for name in __all__ if name not in ("fftfreq", "rfftfreq")}
