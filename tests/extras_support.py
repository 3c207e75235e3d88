"""Tests that need an optional extra: they skip where it is not installed, never in CI.

The README's test command installs the `test` extra only, and there these tests skip.
`.ci/run` installs the other extras in their own environments and sets
``FGRAD_REQUIRE_EXTRAS`` (e.g. ``docs,reference``): there a missing extra is a failure,
so what CI proves cannot silently shrink.
"""

import importlib
import importlib.util
import os
from types import ModuleType

import pytest

REQUIRED = {e.strip() for e in os.environ.get("FGRAD_REQUIRE_EXTRAS", "").split(",") if e.strip()}


def _skip_reason(extra: str, module: str) -> str:
    return f"needs `{module}` from the `{extra}` extra (pip install -e '.[{extra}]'; .ci/run installs it)"


def requires_extra(extra: str, module: str) -> pytest.MarkDecorator:
    """Skip the test where `module` is missing, unless `extra` is required here."""
    missing = importlib.util.find_spec(module) is None
    return pytest.mark.skipif(missing and extra not in REQUIRED, reason=_skip_reason(extra, module))


def import_extra(extra: str, module: str) -> ModuleType:
    """`module`, or a module-level skip where it is missing and `extra` is not required."""
    if extra in REQUIRED:
        return importlib.import_module(module)  # a missing module is an error here
    return pytest.importorskip(module, reason=_skip_reason(extra, module))
