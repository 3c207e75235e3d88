"""What a VJP rule does with its arguments: the facts the backward walk plans with.

A rule ``rule(g, ans, *args)`` gets the primitive's output `ans`; most rules never read
it (``g * cos(x)``), and the backward walk then need not keep the output alive, which
frees large intermediate arrays early.  Decided once per code object from its bytecode.

A rule may also be marked `overwrites_cotangent`: it hands `g` to one fused kernel
(`fgrad._kernels`) and reads it nowhere after, so when the walk holds the only
reference to a large `g` it may lend that buffer for the kernel's result.
"""

from __future__ import annotations

import dis
from typing import Any, Callable

_LOCAL_OPS = frozenset({"LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR", "STORE_FAST",
                        "DELETE_FAST", "LOAD_CLOSURE", "MAKE_CELL", "LOAD_DEREF"})
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "sys", "inspect"})
_READS_ANS: dict[Any, bool] = {}
_OVERWRITES = "_fgrad_overwrites_cotangent"


def rule_reads_ans(rule: Callable[..., Any]) -> bool:
    """Whether ``rule(g, ans, *args)`` may read its `ans` argument (when unsure: yes).

    Decided once per code object from its bytecode: `ans` is unread when no instruction
    touches the local in second position and the rule uses no introspection.  Anything
    that is not a plain Python function is assumed to read it.
    """
    code = getattr(rule, "__code__", None)
    if code is None:
        return True
    known = _READS_ANS.get(code)
    if known is not None:
        return known
    reads = True
    if code.co_argcount >= 2 and not _INTROSPECTION.intersection(code.co_names):
        name = code.co_varnames[1]
        reads = name in code.co_cellvars or any(
            ins.opname in _LOCAL_OPS and ins.argval == name for ins in dis.get_instructions(code)
        )
    _READS_ANS[code] = reads
    return reads


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
