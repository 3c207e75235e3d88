"""`python -m fgrad graph MODULE:FUNCTION --args ...`: a picture without writing code.

Traces the function (or its N-th derivative) at the given arguments and writes the
graph with `fgrad.render`, so the command and the API give the same file.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ._dot import _FORMATS, _RANKDIRS, DEFAULT_MAX_NODES, DotNotFoundError, render, to_dot
from ._graph import trace
from ._transforms import grad

__all__ = ["main", "build_parser", "load_function"]

EXAMPLES = """\
examples:
  python -m fgrad graph fgrad._tour:goldstein --args 1.0 1.0 -o goldstein.svg
  python -m fgrad graph numpy:tanh --args 1.0 --grad 4 -o tanh4.png
  python -m fgrad graph my_model.py:loss --args "[1.0, 2.0]" 0.5 --verbose --print

MODULE is an importable module (searched from the current directory first) or a .py
file; FUNCTION may be dotted (Class.method). Without -o the DOT text is printed.
"""


class CliError(Exception):
    """A mistake in the command line, reported as `error: ...` with exit status 2."""


def _argument(text: str) -> Any:
    """A numeric argument: 1.0, -2, 1e-3, or a (nested) list such as "[1, 2.5]"."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or a list of numbers") from None
    if isinstance(value, bool) or not isinstance(value, (int, float, list, tuple)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or a list of numbers")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or a rectangular list of numbers") from None
    # Integers become floats: on the command line `1` means the number, and grad needs floats.
    return float(array) if array.ndim == 0 else array


def _max_nodes(text: str) -> int | None:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0 (0 draws every node)")
    return n or None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fgrad graph",
        description="Trace a Python function (or its N-th derivative) with fgrad and draw its "
                    "computational graph: orange variables, light-blue primitives, gray constants.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", metavar="MODULE:FUNCTION",
                        help="the function to trace, e.g. fgrad._tour:goldstein or path/to/file.py:f")
    parser.add_argument("--args", nargs="+", type=_argument, default=[], metavar="X",
                        help="positional arguments: numbers, or lists of numbers for arrays")
    parser.add_argument("--grad", type=int, default=0, metavar="N",
                        help="draw the graph of the N-th derivative, grad applied N times (default 0)")
    parser.add_argument("--argnum", type=int, default=0, metavar="K",
                        help="the argument --grad differentiates with respect to (default 0)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the graph to FILE: .svg, .png, .pdf (needs Graphviz's dot) or .dot/.gv; "
                             "without it the DOT text is printed")
    parser.add_argument("--verbose", action="store_true", help="label variables with shape, dtype and scalar values")
    parser.add_argument("--rankdir", choices=_RANKDIRS, help="layout direction (Graphviz's default is TB)")
    parser.add_argument("--no-constants", action="store_true", help="do not draw constant operands")
    parser.add_argument("--max-nodes", type=_max_nodes, default=DEFAULT_MAX_NODES, metavar="N",
                        help=f"draw at most N primitive applications, the rest collapsed into a note "
                             f"(default {DEFAULT_MAX_NODES}; 0 draws all)")
    parser.add_argument("--print", action="store_true", dest="print_program",
                        help="also print the graph as a program listing")
    return parser


def _import(module_name: str) -> Any:
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise CliError(f"no such file: {module_name!r}")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            raise CliError(f"running {module_name!r} raised {type(e).__name__}: {e}") from e
        return module
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        raise CliError(f"cannot import module {module_name!r}: {e}. Check the name, or give a .py file path") from e
    except Exception as e:
        raise CliError(f"importing {module_name!r} raised {type(e).__name__}: {e}") from e


def load_function(target: str) -> Callable[..., Any]:
    """The function named by ``MODULE:FUNCTION`` (FUNCTION may be dotted).

    Example:
        >>> from fgrad._cli_graph import load_function
        >>> load_function("fgrad._tour:goldstein").__name__
        'goldstein'
    """
    module_name, sep, attr = target.rpartition(":")
    if not sep or not module_name or not attr:
        raise CliError(f"expected MODULE:FUNCTION (e.g. fgrad._tour:goldstein), got {target!r}")
    obj = _import(module_name)
    for part in attr.split("."):
        if not hasattr(obj, part):
            public = sorted(n for n, v in vars(obj).items()
                            if (inspect.isroutine(v) or isinstance(v, np.ufunc)) and not n.startswith("_"))
            hint = f"; its public functions are: {', '.join(public[:20])}" if public else ""
            raise CliError(f"{module_name!r} has no attribute {attr!r}{hint}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise CliError(f"{target!r} is a {type(obj).__name__}, not a function")
    return obj


# Each --grad nests one more transform, and the function is called through all of them:
# a few Python stack frames per derivative.
_RECURSION_HINT = (
    ". The function, or the --grad derivatives nested around it, went deeper than Python's "
    "recursion limit ({limit}); each derivative adds a few stack frames, so use a smaller --grad"
)


def _takes_no_arguments(fun: Callable[..., Any]) -> bool:
    try:
        return not inspect.signature(fun).parameters
    except (TypeError, ValueError):  # builtins without a signature: unknown
        return False


def _check_derivative_options(opts: argparse.Namespace, fun: Callable[..., Any]) -> None:
    """Refuse --grad/--argnum values that cannot work, before tracing anything.

    Example:
        >>> argv = ["fgrad._tour:goldstein", "--args", "1", "1", "--grad", "1", "--argnum", "2"]
        >>> opts = build_parser().parse_args(argv)
        >>> _check_derivative_options(opts, load_function(opts.target))
        Traceback (most recent call last):
        ...
        fgrad._cli_graph.CliError: --argnum 2 is out of range: 2 arguments were given with --args (valid: 0..1)
    """
    if not opts.grad:
        return
    limit = sys.getrecursionlimit()
    if opts.grad > limit:
        raise CliError(
            f"--grad {opts.grad} is more than Python can nest: each derivative nests one more "
            f"transform, a few stack frames each, within a recursion limit of {limit}; use a smaller --grad"
        )
    n = len(opts.args)
    if n == 0:
        if _takes_no_arguments(fun):
            raise CliError(f"{opts.target} takes no arguments, so --grad has nothing to differentiate")
        raise CliError(f"--grad differentiates with respect to argument {opts.argnum}, but no --args were given")
    if not -n <= opts.argnum < n:
        raise CliError(
            f"--argnum {opts.argnum} is out of range: {n} argument{'s were' if n != 1 else ' was'} "
            f"given with --args (valid: 0..{n - 1})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    opts = parser.parse_args(argv)
    if opts.grad < 0:
        parser.error(f"--grad must be >= 0, got {opts.grad}")
    if opts.output is not None and Path(opts.output).suffix.lower() not in _FORMATS:
        parser.error(f"-o/--output must end in {', '.join(_FORMATS)}, got {opts.output!r}")
    try:
        fun = load_function(opts.target)
        _check_derivative_options(opts, fun)
    except CliError as e:
        parser.error(str(e))
    for _ in range(opts.grad):
        fun = grad(fun, argnums=opts.argnum)
    options = dict(verbose=opts.verbose, rankdir=opts.rankdir, show_constants=not opts.no_constants,
                   max_nodes=opts.max_nodes)
    try:
        graph = trace(fun)(*opts.args)
        if opts.output is None:
            print(to_dot(graph, **options))
        else:
            render(graph, opts.output, **options)
    except DotNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except (TypeError, ValueError, ArithmeticError, RecursionError) as e:
        what = f"grad^{opts.grad} of {opts.target}" if opts.grad else opts.target
        hint = _RECURSION_HINT.format(limit=sys.getrecursionlimit()) if isinstance(e, RecursionError) else ""
        print(f"error: tracing {what} at {tuple(opts.args)} failed: {type(e).__name__}: {e}{hint}", file=sys.stderr)
        return 1
    if opts.print_program:
        print(graph)
    if opts.output is not None:
        print(f"wrote {opts.output}: {graph!r}")
    return 0
