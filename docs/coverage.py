"""The coverage page: which NumPy and SciPy functions fgrad differentiates, beside autograd and JAX.

docs/reference/coverage.md is made here, from two sources:

- what fgrad does, read from its code each time: the dispatch tables behind
  ``fgrad.numpy.supported()`` (every NumPy or SciPy function a traced value reaches), the
  ``is_plain`` mark of piecewise-constant helpers, and the public functions of
  fgrad's mirror modules (``fgrad.numpy``, ``fgrad.numpy.linalg``, ``fgrad.numpy.fft``,
  ``fgrad.scipy.special``, ``fgrad.scipy.stats``; a missing one is skipped);
- what HIPS autograd and JAX do, from a committed snapshot, docs/coverage_reference.json,
  so that neither library is needed to build the page.

Commands (run from the repository root)::

    python docs/coverage.py snapshot   # re-read autograd and JAX (needs both installed)
    python docs/coverage.py write      # regenerate docs/reference/coverage.md
    python docs/coverage.py check      # exit 1 if the committed page is out of date
    python docs/coverage.py gaps       # the autograd functions fgrad lacks (tests/test_coverage_table.py)

tests/test_coverage_table.py checks that the committed page is what `render` makes now.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import sys
from pathlib import Path
from typing import Any, Iterable

DOCS = Path(__file__).resolve().parent
SNAPSHOT = DOCS / "coverage_reference.json"
PAGE = DOCS / "reference" / "coverage.md"

# The modules compared, each with fgrad's mirror of it.
MODULES = {
    "numpy": "fgrad.numpy",
    "numpy.linalg": "fgrad.numpy.linalg",
    "numpy.fft": "fgrad.numpy.fft",
    "scipy.special": "fgrad.scipy.special",
    "scipy.stats": "fgrad.scipy.stats",
}

# fgrad's status of one function. WORKS are the ones a traced value may be passed to.
DIFFERENTIABLE = "differentiable"  # np.X(traced) reaches fgrad's version
MODULE_ONLY = "differentiable-module"  # only fgrad's own function (SciPy/NumPy's cannot see a traced value)
ZERO = "zero"  # piecewise constant: plain values out, derivative zero
NUMPY_OWN = "numpy"  # NumPy's own function, whose arguments are sizes, dtypes or files, not arrays
INTEGER = "integer"  # an integer-only ufunc: nothing to differentiate
MISSING = "missing"  # a traced value is refused with an error naming the function
ABSENT = "absent"  # this NumPy/SciPy has no such function
WORKS = (DIFFERENTIABLE, MODULE_ONLY, ZERO)

SYMBOLS = {
    DIFFERENTIABLE: "✓", MODULE_ONLY: "✓ *", ZERO: "0", NUMPY_OWN: "NumPy", INTEGER: "int",
    MISSING: "—", ABSENT: "n/a",
}


# ---------------------------------------------------------------- names and objects
def label(module: str, name: str) -> str:
    """How a user writes the function: ``np.linalg.inv``, ``scipy.stats.norm.logpdf``."""
    return ("np" + module[len("numpy"):] if module.startswith("numpy") else module) + "." + name


def _attribute(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return obj


def reference_object(module: str, name: str) -> Any:
    """``numpy.linalg.inv`` for ("numpy.linalg", "inv"); None where this NumPy/SciPy lacks it."""
    try:
        return _attribute(importlib.import_module(module), name)
    except ImportError:
        return None


def mirror(module: str) -> Any:
    """fgrad's module for `module` (``fgrad.numpy.linalg`` for "numpy.linalg"), or None if absent."""
    if module.startswith("scipy") and importlib.util.find_spec("scipy") is None:
        return None  # fgrad.scipy needs SciPy, an optional dependency
    try:
        return importlib.import_module(MODULES[module])
    except ModuleNotFoundError as e:
        # Only the mirror itself (or SciPy) may be missing: any other import error is a bug to show.
        if e.name is not None and (MODULES[module].startswith(e.name) or e.name.split(".")[0] == "scipy"):
            return None
        raise


def _dispatch_tables() -> tuple[dict, dict]:
    for module in MODULES:
        mirror(module)  # importing a mirror fills the tables with its functions
    from fgrad._ops import ARRAY_FUNCTIONS, UFUNCS

    return UFUNCS, ARRAY_FUNCTIONS


def dispatches(obj: Any) -> bool:
    """Whether NumPy hands a traced argument of ``obj(...)`` to fgrad (a ufunc or an array function)."""
    import numpy as np

    return isinstance(obj, np.ufunc) or hasattr(obj, "_implementation")


def _integer_only(obj: Any) -> bool:
    import numpy as np

    return isinstance(obj, np.ufunc) and not any(
        set(t.split("->")[0]) & set("efdgFDG") for t in obj.types)


def fgrad_function(module: str, name: str) -> tuple[Any, bool]:
    """fgrad's version of ``module.name`` and whether ``module.name(traced)`` itself reaches it.

    (None, False) where fgrad has none. A mirror attribute that *is* the NumPy object
    (``fgrad.numpy.zeros``, a constructor re-exported) is not fgrad's version.
    """
    ufuncs, array_functions = _dispatch_tables()
    target = reference_object(module, name)
    try:
        fun = ufuncs.get(target) or array_functions.get(target)
    except TypeError:  # an unhashable object: not in the tables
        fun = None
    if fun is not None and dispatches(target):
        return fun, True
    own = mirror(module)
    fun = _attribute(own, name) if own is not None else None
    if fun is None or fun is target or not callable(fun) or inspect.ismodule(fun):
        return None, False
    return fun, False


def status(module: str, name: str) -> str:
    """fgrad's status of ``module.name`` (one of the constants above)."""
    target = reference_object(module, name)
    if target is None:
        return ABSENT
    fun, reached = fgrad_function(module, name)
    if fun is not None:
        if getattr(fun, "is_plain", False):
            return ZERO
        return DIFFERENTIABLE if reached else MODULE_ONLY
    if _integer_only(target):
        return INTEGER
    if module.startswith("numpy") and not dispatches(target):
        return NUMPY_OWN
    return MISSING


def _split(dotted: str) -> tuple[str, str] | None:
    """("numpy.linalg", "inv") for "np.linalg.inv"; None outside the compared modules."""
    full = "numpy" + dotted[2:] if dotted.startswith("np.") else dotted
    for module in sorted(MODULES, key=len, reverse=True):
        if full.startswith(module + "."):
            return module, full[len(module) + 1:]
    return None


def _public_callables(obj: Any) -> Iterable[str]:
    for n in getattr(obj, "__all__", None) or dir(obj):
        if not n.startswith("_") and callable(getattr(obj, n, None)):
            yield n


def fgrad_names() -> dict[str, set[str]]:
    """Per compared module, the names fgrad's code claims: supported() and the mirrors' functions."""
    import fgrad.numpy as fnp

    _dispatch_tables()
    claimed = list(fnp.supported())
    scipy_mirror = mirror("scipy.special") and importlib.import_module("fgrad.scipy")
    if hasattr(scipy_mirror, "supported"):
        claimed += list(scipy_mirror.supported())
    names: dict[str, set[str]] = {m: set() for m in MODULES}
    for dotted in claimed:
        where = _split(dotted)
        if where is not None:
            names[where[0]].add(where[1])
    for module in MODULES:
        own = mirror(module)
        if own is None:
            continue
        for n in dir(own):
            if n.startswith("_") or reference_object(module, n) is None:
                continue
            obj = getattr(own, n)
            if module == "scipy.stats" and not inspect.isfunction(obj):  # a distribution: its functions
                names[module].update(f"{n}.{m}" for m in _public_callables(obj))
            elif callable(obj) and not inspect.isclass(obj):
                names[module].add(n)
    return {m: {n for n in ns if reference_object(m, n) is not None} for m, ns in names.items()}


# ---------------------------------------------------------------- the comparison
def load_snapshot() -> dict[str, Any]:
    """docs/coverage_reference.json: autograd's and JAX's names per module, with versions."""
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def table(snapshot: dict[str, Any] | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """Per module, per function name: fgrad's status, autograd's ("differentiable"/"zero"/"") and JAX's."""
    snapshot = snapshot or load_snapshot()
    mine = fgrad_names()
    out: dict[str, dict[str, dict[str, str]]] = {}
    for module in MODULES:
        autograd = snapshot["autograd"]["modules"].get(module, {})
        jax = set(snapshot["jax"]["modules"].get(module, []))
        rows = {}
        for name in sorted(set(autograd) | jax | mine[module]):
            rows[name] = {"fgrad": status(module, name), "autograd": autograd.get(name, ""),
                          "jax": "yes" if name in jax else ""}
        out[module] = rows
    return out


def autograd_gaps(rows: dict[str, dict[str, dict[str, str]]] | None = None) -> list[str]:
    """Labels of the functions autograd takes (derivative or zero) that fgrad refuses, sorted."""
    rows = rows or table()
    return sorted(label(m, n) for m, r in rows.items() for n, s in r.items()
                  if s["autograd"] and s["fgrad"] not in WORKS and s["fgrad"] != ABSENT)


def jax_gaps(rows: dict[str, dict[str, dict[str, str]]] | None = None) -> list[str]:
    """Labels of the functions JAX has that fgrad refuses (leaving out NumPy's own and integer-only)."""
    rows = rows or table()
    return sorted(label(m, n) for m, r in rows.items() for n, s in r.items()
                  if s["jax"] and s["fgrad"] == MISSING)


def summary(module: str, rows: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The counts and lists of a module's summary line."""
    works = {n for n, s in rows.items() if s["fgrad"] in WORKS}
    autograd = {n for n, s in rows.items() if s["autograd"]}
    jax = {n for n, s in rows.items() if s["jax"]}
    return {
        "fgrad": len(works), "autograd": len(autograd), "jax": len(jax),
        "autograd_covered": len(autograd & works), "jax_covered": len(jax & works),
        "beyond_autograd": sorted(works - autograd),
        "autograd_lacks": [n for n in sorted(autograd - works) if rows[n]["fgrad"] != ABSENT],
        "jax_lacks": sorted(n for n in jax if rows[n]["fgrad"] == MISSING),
        "constant_here": sorted(n for n in autograd
                                if rows[n]["autograd"] == DIFFERENTIABLE and rows[n]["fgrad"] == ZERO),
    }


# ---------------------------------------------------------------- the page
def _minor_version(package: str) -> str:
    """"2.4" for NumPy 2.4.6; "absent" where `package` is not installed."""
    if importlib.util.find_spec(package) is None:
        return "absent"
    return ".".join(importlib.import_module(package).__version__.split(".")[:2])


def _names(module: str, names: list[str]) -> str:
    return ", ".join(f"`{label(module, n)}`" for n in names) if names else "none"


def render(snapshot: dict[str, Any] | None = None) -> str:
    """The Markdown text of docs/reference/coverage.md."""
    snapshot = snapshot or load_snapshot()
    rows = table(snapshot)
    ag, jx = snapshot["autograd"]["version"], snapshot["jax"]["version"]
    np_version, sp_version = _minor_version("numpy"), _minor_version("scipy")
    out = [
        "# Coverage: fgrad beside autograd and JAX",
        "",
        "<!-- Generated by docs/coverage.py (python docs/coverage.py write): do not edit by hand. -->",
        "",
        "Every function of `numpy`, `numpy.linalg`, `numpy.fft`, `scipy.special` and `scipy.stats`",
        f"that [HIPS autograd](https://github.com/HIPS/autograd) {ag} differentiates or that",
        f"[JAX](https://jax.readthedocs.io) {jx} provides, with what fgrad does with it, and every",
        "function fgrad adds to those. fgrad's column is read from its code (the functions behind",
        "`fgrad.numpy.supported()` and fgrad's SciPy modules); autograd's and JAX's come from",
        "docs/coverage_reference.json, a snapshot taken by `python docs/coverage.py snapshot`.",
        f"Made with NumPy {np_version} and SciPy {sp_version}.",
        "",
        "| Mark | fgrad | autograd | JAX |",
        "| --- | --- | --- | --- |",
        "| ✓ | differentiable: `np.f(x)` on a traced `x` records fgrad's version | differentiable | provided |",
        "| ✓ * | differentiable through fgrad's own function only (`fgrad.scipy.special.logsumexp`, "
        "`fgrad.scipy.stats.norm.logpdf`): "
        "NumPy's or SciPy's cannot see a traced value | | |",
        "| 0 | piecewise constant (`argmax`, `floor`, comparisons): plain values, derivative zero | "
        "derivative zero | |",
        "| NumPy | NumPy's own function: its arguments are sizes, dtypes or files, nothing to trace | | |",
        "| int | an integer-only ufunc: nothing to differentiate | | |",
        "| — | missing: a traced value is refused with an error naming the function | | |",
        "| n/a | not in this NumPy or SciPy | | |",
        "",
        "Counts are of the functions that take traced values (✓, ✓ * and 0 for fgrad).",
        "\"JAX has, fgrad lacks\" leaves out NumPy's own and integer-only functions.",
        "",
        "## Summary",
        "",
        "| Module | fgrad | autograd | of those, fgrad has | JAX | of those, fgrad has |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    sums = {m: summary(m, r) for m, r in rows.items()}
    for module, s in sums.items():
        out.append(f"| [`{module}`](#{module.replace('.', '')}) | {s['fgrad']} | {s['autograd']} | "
                   f"{s['autograd_covered']} | {s['jax']} | {s['jax_covered']} |")
    total = {k: sum(s[k] for s in sums.values()) for k in ("fgrad", "autograd", "autograd_covered", "jax", "jax_covered")}
    out.append(f"| all | {total['fgrad']} | {total['autograd']} | {total['autograd_covered']} | "
               f"{total['jax']} | {total['jax_covered']} |")
    for module, r in rows.items():
        s = sums[module]
        out += [
            "", f"## {module}", "",
            f"fgrad {s['fgrad']}, autograd {s['autograd']}, JAX {s['jax']}.",
            "",
            f"- **autograd has, fgrad lacks** ({len(s['autograd_lacks'])}): {_names(module, s['autograd_lacks'])}",
        ]
        if s["constant_here"]:
            out.append(f"- **autograd differentiates, fgrad treats as constant**: {_names(module, s['constant_here'])}")
        out += [
            f"- **JAX has, fgrad lacks** ({len(s['jax_lacks'])}): {_names(module, s['jax_lacks'])}",
            f"- **fgrad has, autograd lacks** ({len(s['beyond_autograd'])}): {_names(module, s['beyond_autograd'])}",
            "",
            "| Function | fgrad | autograd | JAX |",
            "| --- | :---: | :---: | :---: |",
        ]
        for name, st in r.items():
            ag_mark = {DIFFERENTIABLE: "✓", ZERO: "0"}.get(st["autograd"], "")
            out.append(f"| `{label(module, name)}` | {SYMBOLS[st['fgrad']]} | {ag_mark} | {'✓' if st['jax'] else ''} |")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the snapshot
def _autograd_kind(obj: Any) -> str | None:
    """"differentiable", "zero" or None (autograd refuses it) for an autograd.numpy/scipy object."""
    from autograd.core import VJPNode, primitive_vjps
    from autograd.tracer import notrace_primitives

    qualname = getattr(obj, "__qualname__", "")
    try:
        if obj in notrace_primitives[VJPNode] or qualname.startswith("notrace_primitive."):
            return ZERO
        maker = primitive_vjps.get(obj)
    except TypeError:
        return None
    if maker is not None:
        # `defvjp(f, None, ...)` makes every rule a zero ("translate_vjp"'s lambda).
        cells = dict(zip(maker.__code__.co_freevars, (c.cell_contents for c in maker.__closure__ or ())))
        rules = cells.get("vjps_dict")
        if rules and all(getattr(r, "__qualname__", "").startswith("translate_vjp.") for r in rules.values()):
            return ZERO
        return DIFFERENTIABLE
    if qualname.startswith("primitive.<locals>"):
        return None  # wrapped, but with no VJP: autograd raises on a boxed argument
    if inspect.isfunction(obj) and obj.__module__.startswith("autograd"):
        return DIFFERENTIABLE  # written with autograd's primitives (vstack, mean, linalg.norm)
    return None


def _autograd_modules() -> dict[str, dict[str, str]]:
    import autograd.numpy
    import autograd.numpy.fft
    import autograd.numpy.linalg
    import autograd.scipy.special
    import autograd.scipy.stats

    out: dict[str, dict[str, str]] = {}
    pairs = {"numpy": autograd.numpy, "numpy.linalg": autograd.numpy.linalg, "numpy.fft": autograd.numpy.fft,
             "scipy.special": autograd.scipy.special}
    for module, mod in pairs.items():
        found = {}
        for n in dir(mod):
            obj = getattr(mod, n)
            ref = reference_object(module, n)
            if n.startswith("_") or ref is None or inspect.isclass(ref) or inspect.ismodule(obj):
                continue
            kind = _autograd_kind(obj)
            if kind:
                found[n] = kind
        out[module] = found
    stats = {}
    for dist in dir(autograd.scipy.stats):
        mod = getattr(autograd.scipy.stats, dist)
        if dist.startswith("_") or not inspect.ismodule(mod) or reference_object("scipy.stats", dist) is None:
            continue
        for n in dir(mod):
            if not n.startswith("_") and reference_object("scipy.stats", f"{dist}.{n}") is not None:
                kind = _autograd_kind(getattr(mod, n))
                if kind:
                    stats[f"{dist}.{n}"] = kind
    out["scipy.stats"] = stats
    return {m: dict(sorted(v.items())) for m, v in out.items()}


def _jax_modules() -> dict[str, list[str]]:
    import jax.numpy
    import jax.scipy.special
    import jax.scipy.stats

    def functions(obj: Any) -> Iterable[str]:
        for n in dir(obj):
            v = getattr(obj, n)
            if not n.startswith("_") and callable(v) and not inspect.isclass(v) and not inspect.ismodule(v):
                yield n

    def in_reference(module: str, n: str) -> bool:
        ref = reference_object(module, n)
        return ref is not None and not inspect.isclass(ref)  # jnp.float32 is a function; NumPy's a type

    out = {}
    pairs = {"numpy": jax.numpy, "numpy.linalg": jax.numpy.linalg, "numpy.fft": jax.numpy.fft,
             "scipy.special": jax.scipy.special}
    for module, mod in pairs.items():
        out[module] = sorted(n for n in functions(mod) if in_reference(module, n))
    stats = [n for n in functions(jax.scipy.stats) if in_reference("scipy.stats", n)]
    for dist in dir(jax.scipy.stats):
        mod = getattr(jax.scipy.stats, dist)
        if not dist.startswith("_") and inspect.ismodule(mod):
            stats += [f"{dist}.{n}" for n in functions(mod) if in_reference("scipy.stats", f"{dist}.{n}")]
    out["scipy.stats"] = sorted(stats)
    return out


def snapshot() -> dict[str, Any]:
    """Read autograd's and JAX's function sets (both must be installed)."""
    import autograd  # noqa: F401
    import jax
    import numpy
    import scipy
    from importlib.metadata import version

    return {
        "about": ("Names per module that HIPS autograd differentiates (\"differentiable\": a VJP is "
                  "defined or the function is written with autograd's primitives; \"zero\": "
                  "autograd's non-differentiable/notrace functions and all-None VJPs) and the public "
                  "non-class callables JAX provides, each kept only where NumPy/SciPy (versions "
                  "below) has a function of that name. Made by `python docs/coverage.py snapshot`."),
        "numpy_version": numpy.__version__,
        "scipy_version": scipy.__version__,
        "autograd": {"version": version("autograd"), "modules": _autograd_modules()},
        "jax": {"version": jax.__version__, "modules": _jax_modules()},
    }


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "snapshot":
        SNAPSHOT.write_text(json.dumps(snapshot(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {SNAPSHOT}")
    elif command == "write":
        PAGE.write_text(render(), encoding="utf-8")
        print(f"wrote {PAGE}")
    elif command == "check":
        if PAGE.read_text(encoding="utf-8") != render():
            print(f"{PAGE} is out of date: run `python docs/coverage.py write`", file=sys.stderr)
            return 1
    elif command == "gaps":
        print("\n".join(autograd_gaps()))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
