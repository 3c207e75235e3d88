"""What a VJP rule does with its arguments: the facts the backward walk plans with.

A rule ``rule(g, ans, *args)`` gets the primitive's output `ans`; most rules never read
it (``g * cos(x)``), and the backward walk then need not keep the output alive, which
frees large intermediate arrays early.  Whether a rule reads it is *declared* by the
primitive's author (``primitive(..., uses_ans=...)``), never inferred from the rule's
code: bytecode differs between Python versions, and a wrong guess would hand a rule
``None`` for its output.  Undeclared, a rule reads it: slower at worst, never wrong.

A rule may also be marked `overwrites_cotangent`: it hands `g` to one fused kernel
(`fgrad._kernels`) and reads it nowhere after, so when the walk holds the only
reference to a large `g` it may lend that buffer for the kernel's result.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

_OVERWRITES = "_fgrad_overwrites_cotangent"


def rules_reading_ans(name: str, rules: Sequence[Any], uses_ans: Any) -> tuple[bool, ...]:
    """Which of `rules` get ``ans``, from the declaration `uses_ans` (a bool or one per rule).

    Example:
        >>> rules_reading_ans("div", (lambda g, ans, x, y: g / y, None), (False, True))
        (False, False)
        >>> rules_reading_ans("exp", (lambda g, ans, x: g * ans,), True)
        (True,)
    """
    if uses_ans is True or uses_ans is False:
        flags = (uses_ans,) * len(rules)
    elif isinstance(uses_ans, tuple) and len(uses_ans) == len(rules) and all(f is True or f is False for f in uses_ans):
        flags = uses_ans
    else:
        raise TypeError(
            f"primitive `{name}`: uses_ans must be True, False or a tuple of {len(rules)} bools "
            f"(one per VJP rule), got {uses_ans!r}"
        )
    return tuple(rule is not None and reads for rule, reads in zip(rules, flags))


def overwrites_cotangent(rule: Callable[..., Any]) -> Callable[..., Any]:
    """Mark `rule` as reading its `g` only in one kernel call that may overwrite it.

    Example:
        >>> rule = overwrites_cotangent(lambda g, ans, x: g * 2.0)
        >>> rule_overwrites_cotangent(rule), rule_overwrites_cotangent(lambda g, ans, x: g)
        (True, False)
    """
    setattr(rule, _OVERWRITES, True)
    return rule


def rule_overwrites_cotangent(rule: Callable[..., Any] | None) -> bool:
    """Whether `rule` was marked with `overwrites_cotangent`."""
    return getattr(rule, _OVERWRITES, False) is True


def rules_are_fgrads_own(rules: Any) -> bool:
    """Whether every rule in `rules` was written in fgrad itself (trusted and tested).

    The backward walk checks the cotangents of every other rule (a user's
    `fgrad.primitive` or `defvjp`) against their arguments' shapes; fgrad's own are
    exempt, so the check costs the hot walk one test per record. `rules` is a tuple,
    or a variadic primitive's rules (with a `rule` attribute).

    Example:
        >>> from fgrad._ops import add
        >>> users_rule = lambda g, ans, x: g
        >>> users_rule.__module__ = "my_model"  # (a doctest runs in this module's namespace)
        >>> rules_are_fgrads_own(add.primitive.vjps), rules_are_fgrads_own((users_rule,))
        (True, False)
    """
    if type(rules) is not tuple:
        rules = (getattr(rules, "rule", rules),)
    for rule in rules:
        while hasattr(rule, "func"):  # functools.partial
            rule = rule.func
        module = getattr(rule, "__module__", None) or ""
        if rule is not None and module != "fgrad" and not module.startswith("fgrad."):
            return False
    return True
