"""Every example in fgrad's docstrings runs and prints what it shows."""

import doctest
import importlib
import pkgutil

import pytest

import fgrad
from extras_support import import_extra

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(fgrad.__path__, prefix="fgrad.") if not m.name.endswith("__main__")
) + ["fgrad"]


# Modules whose examples need an optional extra: (extra, module), skipped where it is missing.
NEEDS_EXTRA = {"fgrad.optimize._plot": ("plot", "matplotlib")}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    if name in NEEDS_EXTRA:
        import_extra(*NEEDS_EXTRA[name])
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_every_public_function_has_an_example():
    missing = []
    for name in fgrad.__all__:
        obj = getattr(fgrad, name)
        if callable(obj) and not isinstance(obj, type) and ">>>" not in (obj.__doc__ or ""):
            missing.append(name)
    assert not missing, f"public functions without a runnable example: {missing}"
