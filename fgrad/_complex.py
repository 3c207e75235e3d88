"""Complex values: JAX's convention, and the primitives whose rules follow it.

The convention (JAX's, see docs/how-to/complex.md). A cotangent ``c`` pairs with a
tangent ``t`` by ``Re(sum(c * t))``: bilinear, no conjugation. So:

- the VJP of a holomorphic function is ``g * f'(z)``, the very rule a real function has
  (``exp``'s ``g * ans``, ``matmul``'s plain transposes), and `grad(f, holomorphic=True)`
  is ``f'(z)``;
- ``grad`` of a real-valued ``f`` of complex ``z = x + iy`` is ``df/dx - i df/dy``, the
  conjugate of the steepest-ascent direction (``z - step * conj(grad)`` descends);
- a real value's cotangent is real: where a rule's result for a real argument is complex
  (``x * c`` with ``x`` real, ``c`` complex), the backward walk keeps its real part,
  which is what the pairing says (`real_part_for`).

Rules written for real numbers are right for complex ones only when the function is
holomorphic and the rule uses no ordering or sign of its argument. fgrad's own
primitives therefore refuse complex values unless their name is in `COMPLEX_RULES`
(each one tested against numerical derivatives along the real and the imaginary
direction); a user's `fgrad.primitive` follows the convention on its own terms.

`STATE.active` turns on the checks that only complex values need (in `bind` and the
backward walk): it is set the first time a traced value is complex, so real programs
never pay for them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._backend import is_foreign

__all__ = ["COMPLEX_RULES", "STATE", "is_complex", "unsupported_error", "real_part_for", "mark_active"]

# fgrad's primitives whose VJP rules are right for complex values (holomorphic rules in
# the convention above, or written for complex arguments: abs, real, imag, conj, cast).
COMPLEX_RULES = frozenset({
    # arithmetic and holomorphic elementwise functions
    "add", "sub", "mul", "div", "neg", "pow", "float_power", "square", "square_vjp", "sqrt", "reciprocal",
    "exp", "expm1", "exp2", "log", "log1p", "log2", "log10",
    "sin", "cos", "tan", "sinh", "cosh", "tanh", "tanh_vjp", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
    "arctanh",
    # functions of complex values written for them
    "abs", "real", "imag", "conj", "cast",
    # linear and structural
    "sum", "mean", "cumsum", "reshape", "broadcast_to", "transpose", "getitem", "untake", "concatenate",
    "flip", "roll", "pad", "where", "tril", "triu", "diagonal", "at.set", "matmul", "einsum", "tensordot",
    # products
    "prod", "cumprod",
    # linear algebra (holomorphic)
    "inv", "solve", "det", "cofactor", "logabsdet", "slogdet_sign",
    # general eigendecomposition (written for complex values: fgrad.numpy._eig)
    "eig", "eigvals",
    # Hermitian and unitary decompositions, written for complex values (conjugate transposes,
    # LAPACK's phase of the vectors: fgrad.numpy._decompositions, _pseudo_inverse, linalg)
    "svd", "svdvals", "eigh", "eigvalsh", "qr", "orthogonal_complement", "cholesky", "pinv", "lstsq",
    # discrete Fourier transforms (fgrad.numpy.fft; linear, each transposed by another)
    "fft", "ifft", "rfft", "irfft",
})


class _State:
    """Whether any traced value has been complex in this process (never reset: the
    checks are cheap, and a backward walk may run long after its trace ended)."""

    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = False


STATE = _State()


def mark_active() -> None:
    """Turn on the complex-only checks (a traced value is complex)."""
    STATE.active = True


def is_complex(x: Any) -> bool:
    """Whether `x`, a plain value (array, NumPy scalar or Python number), is complex.

    Example:
        >>> import numpy as np
        >>> is_complex(np.array([1j])), is_complex(2 + 0j), is_complex(np.float64(1.0))
        (True, True, False)
    """
    if isinstance(x, (np.ndarray, np.generic)) or is_foreign(x):
        return np.dtype(x.dtype).kind == "c"
    return isinstance(x, complex)


def _describe(x: Any) -> str:
    dtype = np.result_type(x) if isinstance(x, (np.ndarray, np.generic, complex)) else type(x).__name__
    return f"{dtype} array of shape {np.shape(x)}" if np.ndim(x) else f"{dtype} {_scalar(x)!r:.40}"


def _scalar(x: Any) -> Any:
    """A 0-d value as a Python number, which prints as ``1j`` rather than ``np.complex128(1j)``."""
    return x.item() if isinstance(x, (np.ndarray, np.generic)) else x


def unsupported_error(name: str, value: Any) -> TypeError:
    """The TypeError for fgrad's primitive `name` met with a complex `value`.

    Example:
        >>> print(unsupported_error("maximum", np.complex128(1j)))  # doctest: +ELLIPSIS
        `maximum` does not support complex values (got complex128 1j): ...
    """
    return TypeError(
        f"`{name}` does not support complex values (got {_describe(value)}): its derivative rule "
        "is written for real numbers (it orders, compares or takes signs of its argument, or is "
        "not holomorphic), so fgrad refuses rather than return a wrong derivative. Apply it to "
        "real parts, e.g. np.real(z), np.abs(z), or write the computation with supported functions."
    )


def real_part_for(contribution: Any, arg: Any) -> Any:
    """`contribution`, the cotangent of argument `arg`, as its real part if `arg` is real.

    Example:
        >>> real_part_for(np.array([1 + 2j]), 3.0), real_part_for(1 + 2j, 3j)
        (array([1.]), (1+2j))
    """
    from ._core import value_of
    from ._ops import real

    value = value_of(contribution)
    if np.iscomplexobj(value) and not np.iscomplexobj(value_of(arg)):
        return real(contribution)
    return contribution
