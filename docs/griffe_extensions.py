"""Griffe extension used by the API reference (mkdocs.yml, mkdocstrings `extensions`).

fgrad's docstrings introduce their doctest examples with ``Example:``, a heading the
Google style allows; griffe's Google parser only knows the plural ``Examples:`` and
would render the singular as a plain admonition, turning ``>>>`` lines into nested
quotes. This extension renames the heading before the docstring is parsed, so every
example is shown as a Python code block.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_SINGULAR_HEADING = re.compile(r"^(?P<indent>[ \t]*)Example:[ \t]*$", re.MULTILINE)


def plural_example_heading(docstring: str) -> str:
    """``Example:`` section headings renamed to ``Examples:``; nothing else changes.

    >>> plural_example_heading("Summary.\\n\\nExample:\\n    >>> 1 + 1\\n    2\\n")
    'Summary.\\n\\nExamples:\\n    >>> 1 + 1\\n    2\\n'
    """
    return _SINGULAR_HEADING.sub(r"\g<indent>Examples:", docstring)


class ExampleSections(griffe.Extension):
    """Make ``Example:`` docstring sections render as doctest code blocks."""

    def on_instance(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plural_example_heading(obj.docstring.value)
