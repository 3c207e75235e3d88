"""Which arguments a VJP rule reads, decided from its code.

A rule ``rule(g, ans, *args)`` gets the primitive's output `ans`; most rules never read
it (``g * cos(x)``), and the backward walk then need not keep the output alive, which
frees large intermediate arrays early.  Decided once per code object from its bytecode.
"""

from __future__ import annotations

import dis
from typing import Any, Callable

_LOCAL_OPS = frozenset({"LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR", "STORE_FAST",
                        "DELETE_FAST", "LOAD_CLOSURE", "MAKE_CELL", "LOAD_DEREF"})
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "sys", "inspect"})
_READS_ANS: dict[Any, bool] = {}


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
