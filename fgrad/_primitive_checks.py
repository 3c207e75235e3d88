"""Checks of a primitive's definition, made when it is defined rather than when it is used.

A forward that is not callable, or a VJP rule that cannot be called as
``rule(g, ans, *args, **params)``, would otherwise surface only in a backward pass,
as an error about the *caller's* arguments. Checking here names the primitive and
the rule's position instead.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterator, Sequence

import numpy as np

__all__ = ["check_definition"]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _describe(x: Any) -> str:
    return f"{type(x).__name__} {x!r:.60}"


def _who(name: Any) -> str:
    return f"primitive {name!r}" if name else "fgrad.primitive"


def _signature(fun: Callable[..., Any]) -> inspect.Signature | None:
    if isinstance(fun, np.ufunc):  # its `out` is positional too, but fgrad never passes it
        names = ["x"] if fun.nin == 1 else [f"x{i + 1}" for i in range(fun.nin)]
        return inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY) for n in names])
    try:
        return inspect.signature(fun)
    except (TypeError, ValueError):  # builtins without a signature: nothing to check
        return None


def _call_shapes(forward_sig: inspect.Signature, position: int,
                 most: int) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Ways the forward can be called with argument `position` positional: (number of
    positional arguments, names of the required parameters then passed by keyword).
    A forward taking ``*args`` is tried with up to `most` positional arguments."""
    params = list(forward_sig.parameters.values())
    positional = [p for p in params if p.kind in _POSITIONAL]
    variadic = any(p.kind is p.VAR_POSITIONAL for p in params)
    required = [p for p in positional if p.default is p.empty]
    keyword_only = tuple(p.name for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty)
    for k in range(position + 1, max(position + 1, most if variadic else len(positional)) + 1):
        if k > len(positional) and not variadic:
            return
        by_keyword = required[k:]
        if any(p.kind is p.POSITIONAL_ONLY for p in by_keyword):
            continue
        yield k, tuple(p.name for p in by_keyword) + keyword_only


def _positional_names(sig: inspect.Signature) -> str:
    names = [p.name for p in sig.parameters.values() if p.kind in _POSITIONAL]
    names += [f"*{p.name}" for p in sig.parameters.values() if p.kind is p.VAR_POSITIONAL]
    return ", ".join(names)


def _rule_fits(rule_sig: inspect.Signature, shapes: Sequence[tuple[int, tuple[str, ...]]]) -> bool:
    """Whether ``rule(g, ans, *args, **params)`` binds for one of the forward's call shapes."""
    for nargs, names in shapes:
        try:
            rule_sig.bind(*(None,) * (nargs + 2), **dict.fromkeys(names))
            return True
        except TypeError:
            continue
    return False


def _check_rule(name: str, position: int, rule: Any, forward_sig: inspect.Signature | None) -> None:
    if rule is None:
        return
    where = f"{_who(name)}: the VJP rule for argument {position} (rule {position + 1})"
    if not callable(rule):
        raise TypeError(f"{where} must be callable or None, got {_describe(rule)}")
    rule_sig = _signature(rule)
    if forward_sig is None or rule_sig is None:
        return
    shapes = list(_call_shapes(forward_sig, position, len(rule_sig.parameters)))
    if not shapes:
        raise TypeError(
            f"{_who(name)} has a VJP rule for argument {position} (rule {position + 1}), but its "
            f"forward has no argument {position}: its positional arguments are "
            f"({_positional_names(forward_sig)}). Give one rule per positional argument (None "
            "for one not differentiated)."
        )
    if not _rule_fits(rule_sig, shapes):
        nargs, names = shapes[0]
        call = ", ".join(["g", "ans", *list(forward_sig.parameters)[:nargs], *(f"{n}=..." for n in names)])
        raise TypeError(
            f"{where} cannot be called as rule({call}): its signature is {rule_sig}. A VJP "
            "rule takes the output cotangent `g`, the output `ans`, then the forward's "
            f"arguments ({_positional_names(forward_sig)})."
        )


def check_definition(name: Any, forward: Any, vjps: Sequence[Any]) -> None:
    """Refuse a primitive whose forward or rules cannot be called as fgrad will call them.

    Example:
        >>> check_definition("cube", lambda x: x ** 3, [lambda g, ans, x: g * 3 * x * x])
        >>> check_definition("cube", lambda x: x ** 3, [lambda g, x: g])
        Traceback (most recent call last):
        ...
        TypeError: primitive 'cube': the VJP rule for argument 0 (rule 1) cannot be called as rule(g, ans, x): its signature is (g, x). A VJP rule takes the output cotangent `g`, the output `ans`, then the forward's arguments (x).
    """
    if not callable(forward):
        raise TypeError(
            f"{_who(name)}: `forward` must be callable (the NumPy function computing the "
            f"value from plain arrays), got {_describe(forward)}"
        )
    forward_sig = _signature(forward)
    for position, rule in enumerate(vjps):
        _check_rule(name, position, rule, forward_sig)
