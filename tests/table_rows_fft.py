"""Function-table rows: fft (run by tests/test_numpy_table.py)."""

from __future__ import annotations

import numpy  # noqa: F401

from table_support import *  # noqa: F403

ROWS: list = []
