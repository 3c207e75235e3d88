"""JAX's and autograd's names that fgrad lacks: an AttributeError that says what to use instead.

fgrad/_missing.py holds the list; docs/coming-from-jax.md has a section listing the same
names, which each error points to.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import fgrad
from fgrad._missing import MISSING, PAGE

ROOT = Path(__file__).resolve().parent.parent
JAX_PAGE = ROOT / "docs" / "coming-from-jax.md"

EXPECTED = {  # name -> a phrase its message must hold (the alternative)
    "pmap": "loop", "lax": "fgrad.stop_gradient",
    "random": "np.random.default_rng", "tree_util": "fgrad.tree", "make_jaxpr": "fgrad.trace",
    "custom_jvp": "fgrad.custom_vjp", "checkpoint": "not available", "remat": "not available",
    "make_jvp": "fgrad.jvp", "make_vjp": "fgrad.vjp", "make_hvp": "fgrad.hvp",
    "holomorphic_grad": "holomorphic=True", "grad_named": "argnums", "deriv": "fgrad.grad",
    "tensor_jacobian_product": "fgrad.vjp", "vector_jacobian_product": "fgrad.vjp",
    "hessian_vector_product": "fgrad.hvp", "hessian_tensor_product": "fgrad.hvp",
    "grad_and_aux": "has_aux=True", "make_ggnvp": "fgrad.jvp",
}


def test_the_list_is_the_expected_one():
    assert set(MISSING) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_missing_name_says_what_to_use_instead(name):
    with pytest.raises(AttributeError) as info:
        getattr(fgrad, name)
    message = str(info.value)
    assert message.startswith(f"module 'fgrad' has no attribute {name!r}")
    assert EXPECTED[name] in message
    assert message.endswith(f"see {PAGE}")
    assert not hasattr(fgrad, name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_alternative_named_exists(name):
    for dotted in re.findall(r"\bfgrad\.(\w+)", MISSING[name][1]):
        assert hasattr(fgrad, dotted), f"{name}'s message names fgrad.{dotted}, which does not exist"


def test_other_unknown_names_keep_the_plain_message():
    with pytest.raises(AttributeError, match=r"^module 'fgrad' has no attribute 'no_such_name'$"):
        fgrad.no_such_name  # noqa: B018


def test_lazy_names_still_load():
    assert callable(fgrad.jacrev) and fgrad.numpy.__name__ == "fgrad.numpy"


def test_the_page_lists_every_name_under_the_linked_anchor():
    text = JAX_PAGE.read_text(encoding="utf-8")
    anchor = PAGE.partition("#")[2]
    headings = {re.sub(r"[^\w\- ]", "", h.lower()).strip().replace(" ", "-"): h
                for h in re.findall(r"^## (.+)$", text, re.M)}
    assert anchor in headings, f"{JAX_PAGE.name} has no heading for #{anchor}"
    section = text.split(f"## {headings[anchor]}", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(\w+)` \|", section, re.M))
    assert listed == set(MISSING), f"page and fgrad/_missing.py differ: {sorted(listed ^ set(MISSING))}"
