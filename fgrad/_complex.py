"""Complex values are refused on every traced path, never cast to real.

fgrad differentiates real functions. A complex value that reached a derivative would
be cast to float somewhere (NumPy drops the imaginary part with only a ComplexWarning),
and the derivative would be silently wrong. So every place where a complex value can
enter a traced computation refuses it with one message, made here:

- a primitive applied to traced values whose result is complex (``x * 1j``,
  ``np.exp(1j * x)``, ``x.astype(complex)``): `fgrad._core.bind`;
- a complex argument to differentiate: the transforms' argument checks;
- a complex cotangent or tangent handed in by the caller (``vjp_fn(ct)``, ``jvp``'s
  tangents), returned by a user's rule (``fgrad.primitive``'s: the backward walk's
  `check_cotangent`; fgrad's own rules make none from real values) or by a
  ``custom_vjp``'s ``bwd``, or output by its ``fwd``;
- a complex output of the function `check_grads` / `numerical_grad` difference.

Since no traced value is ever complex, ``np.real``, ``np.conj`` (identity), ``np.imag``
(zeros) and ``np.angle`` (0 or pi, piecewise constant) are exact on traced values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["is_complex", "complex_error", "result_error"]

ADVICE = (
    "complex differentiation is not supported yet: fgrad refuses complex values rather "
    "than silently drop their imaginary part. Split the computation into real and "
    "imaginary float parts (e.g. x * (a + bj) as the pair x * a, x * b; exp(1j * x) as "
    "cos(x), sin(x))."
)


def is_complex(x: Any) -> bool:
    """Whether `x`, a plain value (array, NumPy scalar or Python number), is complex.

    Example:
        >>> import numpy as np
        >>> is_complex(np.array([1j])), is_complex(2 + 0j), is_complex(np.float64(1.0))
        (True, True, False)
    """
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype.kind == "c"
    return isinstance(x, complex)


def _describe(x: Any) -> str:
    dtype = np.result_type(x) if isinstance(x, (np.ndarray, np.generic, complex)) else type(x).__name__
    return f"{dtype} array of shape {np.shape(x)}" if np.ndim(x) else f"{dtype} {_scalar(x)!r:.40}"


def _scalar(x: Any) -> Any:
    """A 0-d value as a Python number, which prints as ``1j`` rather than ``np.complex128(1j)``."""
    return x.item() if isinstance(x, (np.ndarray, np.generic)) else x


def complex_error(what: str, value: Any = None) -> TypeError:
    """The TypeError for a complex value met on a traced path; `what` says where.

    Example:
        >>> print(complex_error("vjp_fn: cotangent leaf 0", 1j))  # doctest: +ELLIPSIS
        vjp_fn: cotangent leaf 0 is complex (complex128 1j); complex differentiation is not supported yet: ...
    """
    found = f" ({_describe(value)})" if value is not None else ""
    return TypeError(f"{what} is complex{found}; {ADVICE}")


def result_error(name: str, args: tuple[Any, ...], out: Any) -> TypeError:
    """The error for primitive `name` whose result on traced arguments `args` is complex.

    Names the complex constant among the arguments when there is one (``x * 1j``).

    Example:
        >>> print(result_error("mul", ("x", 1j), np.complex128(2j)))  # doctest: +ELLIPSIS
        `mul` applied to a traced value (argument 1 is the complex constant 1j): its result is complex (complex128 2j); ...
    """
    # (Traced values are never complex, so a complex argument is a constant.)
    constants = [f"argument {i} is the complex constant "
                 + (f"{_scalar(a)!r}" if np.ndim(a) == 0 else f"array of shape {np.shape(a)}")
                 for i, a in enumerate(args) if is_complex(a)]
    cause = f" ({'; '.join(constants)})" if constants else ""
    return complex_error(f"`{name}` applied to a traced value{cause}: its result", out)

