"""Differential testing: random NumPy programs, differentiated by fgrad and by JAX.

tests/random_programs.py writes each program once, as source text against a module
``xp``; it runs with ``xp = numpy`` on fgrad's traced values and with ``xp = jax.numpy``
under JAX (float64), and the value, ``grad``, ``jvp``, ``jacrev`` and ``hessian`` must
agree to a relative tolerance of 1e-9 (1e-8 for programs with linear algebra), measured
against the largest entry of JAX's array. A failure prints the shrunk program as a
reproducer.

A second test nests the transforms (jvp of grad, grad of grad, grad of jvp, the Hessian
of a function that calls grad, and third derivatives of scalar programs).

The runs are deterministic (a fixed Hypothesis seed, no example database). Environment
variables: ``FGRAD_DIFF_EXAMPLES`` (programs; a third as many nested ones),
``FGRAD_DIFF_SEED`` (another set of programs) and ``FGRAD_DIFF_JAX_CACHE`` (a directory
for JAX's compiled primitives, which makes a repeated run about three times faster),
for example ``FGRAD_DIFF_EXAMPLES=3000 FGRAD_DIFF_SEED=7 python -m pytest
tests/test_differential_jax.py``. Every run reports how many programs and array
comparisons it made in pytest's summary, and writes them as JSON to
``$FGRAD_DIFF_REPORT`` if that is set.

JAX is the test-only extra ``reference`` (``pip install -e '.[reference]'``); without
it this module is skipped.
"""

from __future__ import annotations

import collections
import json
import os
import time
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

import fgrad
from extras_support import import_extra
from random_programs import Program, programs

# Skips without the `reference` extra, except under .ci/run, which requires it.
jax = import_extra("reference", "jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy
if os.environ.get("FGRAD_DIFF_JAX_CACHE"):
    # JAX's persistent cache, for repeated runs on one machine: compiling each primitive
    # for each shape is most of this module's time.
    jax.config.update("jax_compilation_cache_dir", os.environ["FGRAD_DIFF_JAX_CACHE"])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

# Most of the time goes to JAX compiling each primitive for each new shape (~50 ms each,
# cached for the rest of the run): about 0.6 s of CPU per program, 0.8 s per nested one,
# on a 2-core machine. The defaults fit about two minutes there.
EXAMPLES = int(os.environ.get("FGRAD_DIFF_EXAMPLES", "120"))
NESTED_EXAMPLES = EXAMPLES // 3
SEED = int(os.environ.get("FGRAD_DIFF_SEED", "20261204"))
# No example database and no explain phase: a run reads and writes nothing on disk.
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck))

# What this session compared: reported by the `report` fixture when the module ends.
COUNTS: collections.Counter[str] = collections.Counter()


@pytest.fixture(autouse=True)
def jax_op_by_op():
    # jax.numpy functions are jitted; differentiated eagerly, each call builds new jaxprs
    # and compiles them again. Op by op, each primitive compiles once per shape and the
    # cache serves every later program: several times faster over a run.
    with jax.disable_jit():
        yield


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest):
    start = time.perf_counter()
    yield
    counts = {**COUNTS, "seconds": round(time.perf_counter() - start, 1)}
    line = ("differential testing against JAX {jax}: {programs} programs ({nested} nested), "
            "{comparisons} array comparisons, {seconds} s").format(
        jax=jax.__version__, programs=COUNTS["programs"] + COUNTS["nested"], nested=COUNTS["nested"],
        comparisons=COUNTS["comparisons"], seconds=counts["seconds"])
    request.config.pluginmanager.register(_Summary(line))  # printed in pytest's closing summary
    if os.environ.get("FGRAD_DIFF_REPORT"):
        with open(os.environ["FGRAD_DIFF_REPORT"], "w", encoding="utf-8") as f:
            json.dump({"jax": jax.__version__, **counts}, f, indent=1)


class _Summary:
    """A plugin that adds one line to pytest's terminal summary."""

    def __init__(self, line: str) -> None:
        self.line = line

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("-", self.line)


# ---------------------------------------------------------------- comparing results
def _leaves(x: Any) -> list[np.ndarray]:
    if isinstance(x, (tuple, list)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [np.asarray(x)]


def _assert_agree(what: str, got: Any, want: Any, program: Program) -> None:
    """fgrad's `got` equals JAX's `want`: same structure, shapes and (to the tolerance) values."""
    got_leaves, want_leaves = _leaves(got), _leaves(want)
    assert len(got_leaves) == len(want_leaves), f"{what}: {len(got_leaves)} arrays, JAX {len(want_leaves)}"
    for k, (g, w) in enumerate(zip(got_leaves, want_leaves)):
        COUNTS["comparisons"] += 1
        context = f"{what} (array {k}) differs from JAX's for the program\n{program.reproducer()}"
        assert g.shape == w.shape, f"{context}\nshape {g.shape}, JAX {w.shape}"
        # Rounding error scales with the largest magnitudes combined, hence an absolute
        # tolerance at the array's scale: entries that cancel to ~0 are not held to rtol.
        scale = max(1.0, float(np.max(np.abs(w), initial=0.0)))
        np.testing.assert_allclose(g, w, rtol=program.rtol, atol=program.rtol * scale, err_msg=context)


def _tangents(program: Program) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(len(program.lines))
    return tuple(rng.uniform(-1.0, 1.0, size=np.shape(x)) for x in program.inputs)


# ---------------------------------------------------------------- first derivatives and Hessians
@seed(SEED)
@SETTINGS
@given(programs())
def test_random_programs_agree_with_jax(program: Program):
    COUNTS["programs"] += 1
    args = program.inputs
    argnums = tuple(range(len(args)))
    f, jf = program.function(np), program.function(jnp)
    s, js = program.scalar_function(np), program.scalar_function(jnp)
    tangents = _tangents(program)

    out, tangent_out = fgrad.jvp(f, args, tangents)
    jout, jtangent_out = jax.jvp(jf, args, tangents)
    _assert_agree("value", out, jout, program)
    _assert_agree("jvp", tangent_out, jtangent_out, program)
    _assert_agree("grad", fgrad.grad(s, argnums)(*args), jax.grad(js, argnums)(*args), program)
    _assert_agree("jacrev", fgrad.jacrev(f, argnums)(*args), jax.jacrev(jf, argnums)(*args), program)
    _assert_agree("hessian", fgrad.hessian(s, argnums)(*args), jax.hessian(js, argnums)(*args), program)


# ---------------------------------------------------------------- nested transforms
def _nested(grad: Callable, jvp: Callable, hessian: Callable, s: Callable, xp: Any,
            x: Any, t: Any, w: Any) -> dict[str, Any]:
    """The same nested transforms, written once for fgrad and once for JAX."""
    g = grad(s)
    results = {
        "jvp of grad": jvp(g, (x,), (t,))[1],                                      # forward over reverse
        "grad of grad": grad(lambda y: xp.sum(g(y) * w))(x),                       # reverse over reverse
        "grad of jvp": grad(lambda y: xp.sum(jvp(s, (y,), (t,))[1]))(x),           # reverse over forward
        "hessian of a composition": hessian(lambda y: s(y) * xp.sum(g(y) * w))(x),  # third order inside
    }
    if np.ndim(x) == 0:
        results["grad of grad of grad"] = grad(grad(g))(x)
    return results


@seed(SEED)
@settings(SETTINGS, max_examples=max(1, NESTED_EXAMPLES))
@given(programs(max_inputs=1, max_lines=4, shapes=[(), (3,), (2, 3)]), st.integers(0, 2**32 - 1))
def test_nested_transforms_agree_with_jax(program: Program, rng_seed: int):
    COUNTS["nested"] += 1
    (x,) = program.inputs
    rng = np.random.default_rng(rng_seed)
    t, w = rng.uniform(-1, 1, size=np.shape(x)), rng.uniform(-1, 1, size=np.shape(x))
    ours = _nested(fgrad.grad, fgrad.jvp, fgrad.hessian, program.scalar_function(np), np, x, t, w)
    theirs = _nested(jax.grad, jax.jvp, jax.hessian, program.scalar_function(jnp), jnp, x, t, w)
    for what in ours:
        _assert_agree(what, ours[what], theirs[what], program)
