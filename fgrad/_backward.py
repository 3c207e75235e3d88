"""Reverse-mode accumulation over the Nodes of one trace level.

Iterative throughout (graphs of 10**6 nodes and more).  Every Node is numbered when it
is made, after its parents (`Node.seq`), so taking the pending Node with the highest
number is a reverse topological order: by then every child that could still send it a
cotangent has sent it.  The walk keeps only the *frontier*, the Nodes holding a
cotangent not yet passed on: a dictionary of cotangents and a heap of their numbers.
A chain (each Node the only new parent of the one before) never touches the heap, and
no table ever holds every Node of the graph, so the time per Node stays flat from 10**3
to 10**6 Nodes (a table of 3*10**6 entries no longer fits in any cache).

Memory is what limits large-array gradients, so the walk lets the graph go as early as
it can: each cotangent is dropped from the call-local table once propagated, the walk's
own reference to a Node is dropped *before* its VJP rules run (so a value no rule needs,
e.g. the input of ``exp``, whose rule uses only the output, is freed before the rules
allocate their results), and fan-in sums are added in place into cotangent buffers that
nothing but the walk can see (a negation, as in ``exp(-x)``, is folded into such a sum
rather than made a pass of its own).
"""

from __future__ import annotations

import sys
from heapq import heapify, heappop, heappush, heappushpop
from typing import Any

import numpy as np

from ._complex import STATE as _COMPLEX, real_part_for
from ._backend import dtype_of, is_foreign
from ._batching import per_example
from ._core import BatchedConversionError, Node, split_inputs, value_of
from ._kernels import lend
from ._ops import add, shape_of, subtract


# ----------------------------------------------------------------- which rules read `ans`
def _ans_needed(reads: tuple[bool, ...] | None, argnums: tuple[int, ...]) -> bool:
    """Whether any rule that will run for these argument positions reads the output.

    `reads` is the primitive's `reads_ans` (None: unknown, so assume they do).
    """
    if reads is None:
        return True
    for i in argnums:
        if i < len(reads) and reads[i]:
            return True
    return False


# ----------------------------------------------------------------- in-place updates
# Below this many elements a new array costs less than the checks that avoid it.
_IN_PLACE_MIN_SIZE = 4096


def _references_seen_by_callee(x: Any) -> int:
    """What `sys.getrefcount` reports for `x` one call below its holder, as `_is_private` sees it."""
    return sys.getrefcount(x)


def _sole_holder_count() -> int:
    """The reference count `_is_private` sees for an array one local variable holds.

    Measured on this interpreter (3.10 counts one more than 3.11 for an argument still
    on the caller's stack), and 0, which disables in-place updates, wherever the count
    cannot tell one holder from two: an interpreter without reference counts, or one
    whose counts do not rise with each new reference. Writing into a buffer that
    someone else can see would be a silent wrong result; not doing so is only slower.
    """
    getrefcount = getattr(sys, "getrefcount", None)
    if getrefcount is None or sys.implementation.name != "cpython":
        return 0

    def probe() -> tuple[int, int, int]:
        a = np.empty(1)
        one = _references_seen_by_callee(a)
        b = a
        two = _references_seen_by_callee(a)
        c = [a]
        three = _references_seen_by_callee(a)
        del b, c
        return one, two, three

    one, two, three = probe()
    return one if two == one + 1 and three == one + 2 else 0


_PRIVATE_REFCOUNT = _sole_holder_count()


def _is_private(x: Any) -> bool:
    """Whether `x` is a large array that only its caller's one local variable can see.

    Rule results at the outermost level are fresh arrays; graph values and caller
    cotangents are read-only (or views), and a cotangent that reaches several parents
    (``x + y``) or is still in the cotangent table has more references.
    """
    return (
        type(x) is np.ndarray
        and x.size >= _IN_PLACE_MIN_SIZE
        and x.flags.writeable
        and x.base is None
        and sys.getrefcount(x) <= _PRIVATE_REFCOUNT
    )


def _fits_into(buffer: np.ndarray, contribution: Any) -> bool:
    """Whether ``buffer ± contribution`` can be written into `buffer` (same shape and dtype)."""
    return (
        type(contribution) is not Node
        and np.shape(contribution) == buffer.shape
        and np.result_type(buffer, contribution) == buffer.dtype
    )


def _accumulate(cts: dict[Node, Any], p: Node, contribution: Any, negated: set[Node]) -> None:
    """``cts[p] += contribution``, in place when the buffer is provably the walk's own.

    If `p` is in `negated`, ``cts[p]`` holds the negation of its cotangent (see
    `backward`): ``contribution - cts[p]`` is then one pass, in that private buffer.
    """
    existing = cts.pop(p)
    if negated and p in negated:
        negated.remove(p)
        if type(existing) is not np.ndarray:  # (another library's array: no buffer to write into)
            cts[p] = subtract(contribution, existing) if type(contribution) is Node else np.subtract(contribution, existing)
            return
        if _fits_into(existing, contribution):
            cts[p] = np.subtract(contribution, existing, out=existing)
            return
        existing = np.negative(existing, out=existing)
    if _is_private(existing) and _fits_into(existing, contribution):
        cts[p] = np.add(existing, contribution, out=existing)
    elif type(existing) is Node or type(contribution) is Node:
        cts[p] = add(existing, contribution)  # recorded on the enclosing trace
    else:
        cts[p] = np.add(existing, contribution)  # (what `add` does for plain values, without its call)


def _call_lending(rule: Any, g: Any, ans: Any, args: tuple[Any, ...], params: Any) -> Any:
    """``rule(g, ans, *args, **params)`` with `g`'s buffer lent to its kernel (see `fgrad._kernels`).

    The loan ends with the call, also when the rule raises.
    """
    lend(g)
    try:
        return rule(g, ans, *args, **params)
    finally:
        lend(None)


# ----------------------------------------------------------------- users' rules
def check_cotangent(name: str, i: int, contribution: Any, arg: Any) -> None:
    """Refuse a cotangent that does not fit argument `i` of the primitive `name`.

    Added into the others as it is, a wrong shape would be broadcast or summed away
    without a word; a non-numeric one would fail later with an obscure error.

    Example:
        >>> check_cotangent("cube", 0, np.ones(3), 2.0)
        Traceback (most recent call last):
        ...
        ValueError: the VJP rule of `cube` for argument 0 returned a cotangent of shape (3,), expected () (the argument's shape)
    """
    if contribution is None:
        raise TypeError(
            f"the VJP rule of `{name}` for argument {i} returned None; return the cotangent "
            "(zeros of the argument's shape if the output does not depend on it)"
        )
    got, want = shape_of(contribution), shape_of(arg)
    if got != want:
        raise ValueError(
            f"the VJP rule of `{name}` for argument {i} returned a cotangent of shape {got}, "
            f"expected {want} (the argument's shape)"
        )
    value = value_of(contribution)
    dtype = dtype_of(value) or np.asarray(value).dtype
    if dtype.kind not in "fiubc":  # (complex: kept for a complex argument, its real part for a real one)
        raise TypeError(
            f"the VJP rule of `{name}` for argument {i} returned a cotangent of dtype {dtype}, "
            "expected floating-point or complex numbers"
        )


# ----------------------------------------------------------------- the walk
_NEGATIVE = np.negative


def backward(roots: list[Node], cotangents: list[Any]) -> dict[Node, Any]:
    """Cotangents of the leaves (input Nodes) reachable from `roots` (all of one level).

    Returns ``{input_node: cotangent}``; inputs the roots do not depend on are absent.
    The walk empties `roots` so that, if the caller holds no other reference, each part
    of the graph is freed as soon as it has been processed.
    """
    cts: dict[Node, Any] = {}
    # Nodes whose entry in `cts` is the *negation* of their cotangent: the rule of
    # `negative` defers its pass over a private array, and the entry is negated only
    # when taken, or in the same pass as the next contribution is added (`c - entry`).
    negated: set[Node] = set()
    r = c = None
    for r, c in zip(roots, cotangents):
        if r in cts:
            _accumulate(cts, r, c, negated)
        else:
            cts[r] = c
    del r, c  # (a root held by a loop variable would keep the whole graph alive)
    # The frontier other than `after`: (-seq, Node), so the heap's top is the latest made.
    heap = [(-r.seq, r) for r in cts]
    heapify(heap)
    roots.clear()
    after = None  # the Node to take next, when it is known without the heap
    leaves: dict[Node, Any] = {}
    # A real value's cotangent is real (see fgrad._complex): only a graph with complex
    # values can make a complex one, and then it is replaced by its real part.
    complex_values = _COMPLEX.active
    while True:
        if after is not None:
            node, after = after, None
        elif heap:
            node = heappop(heap)[1]
        else:
            break
        g = cts.pop(node)
        if negated and node in negated:
            negated.remove(node)
            g = np.negative(g, out=g) if type(g) is np.ndarray else np.negative(g)
        prim = node.primitive
        if prim is None:
            leaves[node] = g
            continue
        inputs = node.inputs
        argnums, args = split_inputs(inputs, node.level)
        params = node.params
        reads = prim.reads_ans
        if reads is not None and True not in reads:  # no rule reads it: the common case, without a call
            ans = None
        else:
            ans = node.value if _ans_needed(reads, argnums) else None
        # From here on only the locals above keep what the rules need; unless the
        # caller holds it, the Node goes now, and with it a value no rule reads.
        del node
        vjps = prim.vjps
        checks = prim.checks_cotangents
        # A rule that may write its result into g (tanh's, square's, negative's) gets g's
        # buffer when only the walk holds it and no other parent's rule will read it.
        # (The rule cannot tell, as its own frame holds g too.)
        lends = prim.lends_cotangent
        if lends is None:  # the common case, settled with one test
            lent = negate = False
        else:
            lent = type(g) is np.ndarray and len(argnums) == 1 and lends[argnums[0]] and _is_private(g)
            # -g needs no pass of its own (in exp(-x), exp's rule just made g): deferred
            # if the parent has no cotangent yet, else done in g's buffer. Another
            # library's arrays are never written into, so theirs is always deferred.
            negate = prim.forward is _NEGATIVE and (lent or type(g) is not np.ndarray and is_foreign(g))
        fresh = None  # the first parent that joins the frontier here
        for i in argnums:
            p = inputs[i]
            try:
                rule = vjps[i]
            except IndexError:  # (fewer rules than arguments)
                rule = None
            if rule is None:
                raise TypeError(
                    f"fgrad cannot differentiate `{prim.name}` with respect to its argument {i}: "
                    "no VJP rule is defined for it (add one with fgrad.defvjp, or wrap the "
                    "argument in fgrad.stop_gradient if it is meant to be constant)."
                )
            if negate:
                if p in cts:
                    contribution = np.negative(g, out=g) if lent else np.negative(g)
                else:
                    contribution = g
                    negated.add(p)
            elif lent:
                contribution = _call_lending(rule, g, ans, args, params)
            else:
                try:
                    # (unpacking an empty read-only mapping costs more than the test)
                    contribution = rule(g, ans, *args, **params) if params else rule(g, ans, *args)
                except BatchedConversionError:  # inside vmap, a rule that looks at values
                    contribution = per_example(rule, (g, ans, *args), dict(params))
            if checks:  # a user's rule: its cotangent must fit its argument (fgrad never reshapes it)
                check_cotangent(prim.name, i, contribution, args[i])
            if complex_values:
                contribution = real_part_for(contribution, args[i])
            if p in cts:
                existing = cts[p]
                if type(existing) is np.float64 and type(contribution) is np.float64:
                    cts[p] = existing + contribution  # same IEEE sum as np.add, without its dispatch
                else:
                    del existing
                    _accumulate(cts, p, contribution, negated)
            else:
                cts[p] = contribution
                if fresh is None:
                    fresh = p
                else:
                    heappush(heap, (-p.seq, p))
            del contribution
        if fresh is not None:
            # the next Node is the latest made of the frontier: `fresh` itself when the
            # heap is empty (a chain), else the heap's top after adding it
            after = heappushpop(heap, (-fresh.seq, fresh))[1] if heap else fresh
            del fresh
        del g, args, ans, inputs, p
    return leaves
