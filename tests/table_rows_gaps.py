"""Rows for public fgrad.numpy functions the other tables did not call (found by
tests/test_numpy_reference.py, which ties docs/reference/numpy.md to the table)."""

from table_support import row

ROWS = [
    row("dsplit", lambda np, x: np.dsplit(x, 2)[0] * np.dsplit(x, [1, 3])[1][..., :1], [(2, 3, 4)]),
]
