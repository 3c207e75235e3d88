"""Function-table rows: fft (run by tests/test_numpy_table.py).

The table runs real inputs; transforms of complex inputs (and comparisons with JAX) are
in tests/test_fft.py. Complex outputs are checked by pairing with complex cotangents.
Each row returns a tuple, so several variants (``n=`` shorter and longer than the input,
every ``norm``, axes) share one row. Each row's ``doc=`` holds the lines of
docs/reference/numpy.md for the functions it tests.
"""

from __future__ import annotations

import numpy  # noqa: F401

from table_support import *  # noqa: F403

ROWS: list = [
    *in_section("fgrad.numpy.fft", [
        row("fft.fft fft.ifft", lambda np, x: (np.fft.fft(x), np.fft.ifft(x, 3, axis=0, norm="ortho"),
                                               np.fft.fft(x, n=7, norm="forward"), np.fft.ifft(x * x, 6)),
            [(4,), (3, 5)],
            doc=("fft.fft: `fft(g)` with the same `norm` (the DFT matrix is symmetric).",
                 "fft.ifft: `ifft(g)` with the same `norm`.")),
        row("fft.rfft fft.irfft", lambda np, x: (np.fft.rfft(x, norm="ortho"), np.fft.irfft(x),
                                                 np.fft.rfft(x * x, 7, axis=0), np.fft.irfft(x, 5, axis=0, norm="forward"),
                                                 np.fft.irfft(np.fft.rfft(x), 2)),
            [(4,), (3, 5)],
            doc=("fft.rfft: `real(fft(g padded with zeros to n bins))`; refuses complex input (TypeError), as NumPy.",
                 "fft.irfft: `w * conj(rfft(g))` with the swapped `norm`, `w` counting each bin once or twice: bins past `n // 2` and the imaginary parts of bin 0 and the Nyquist bin, which NumPy ignores, get 0.")),
        row("fft.hfft fft.ihfft", lambda np, x: (np.fft.hfft(x), np.fft.ihfft(x, norm="ortho"), np.fft.hfft(x * x, 3, 0),
                                                 np.fft.ihfft(x, 6, norm="forward")),
            [(4,), (3, 5)],
            doc=("fft.hfft: `irfft(conj(a))` with the opposite scaling.",
                 "fft.ihfft: `conj(rfft(a))` with the opposite scaling.")),
        row("fft.fft2 fft.ifft2", lambda np, x: (np.fft.fft2(x), np.fft.ifft2(x, s=(4, 2), norm="forward"),
                                                 np.fft.fft2(x, axes=(0, -1))),
            [(3, 4), (2, 3, 4)],
            doc=("fft.fft2: `fftn` over the last two axes.",
                 "fft.ifft2: `ifftn` over the last two axes.")),
        row("fft.rfft2 fft.irfft2", lambda np, x: (np.fft.rfft2(x, norm="forward"), np.fft.irfft2(x),
                                                   np.fft.irfft2(x, s=(2, 5), axes=(1, 0))),
            [(3, 4)],
            doc=("fft.rfft2: `rfftn` over the last two axes.",
                 "fft.irfft2: `irfftn` over the last two axes.")),
        row("fft power spectrum", lambda np, x: np.abs(np.fft.rfft(x, axis=0)) ** 2
            + np.fft.irfft(np.fft.fft(x, axis=0).real, 3, axis=0).sum(),
            [(5,), (6, 2)]),
        row("fft.fftn fft.ifftn", lambda np, x: (np.fft.fftn(x), np.fft.ifftn(x, axes=(0, -1), norm="ortho"),
                                                 np.fft.fftn(x * x, s=(2, 5), axes=(2, 0)), np.fft.ifftn(x, axes=(1,))),
            [(2, 3, 4)],
            doc=("fft.fftn: `fft` along each of `axes`.",
                 "fft.ifftn: `ifft` along each of `axes`.")),
        row("fft.rfftn fft.irfftn", lambda np, x: (np.fft.rfftn(x), np.fft.irfftn(x, axes=(0, 2), norm="ortho"),
                                                   np.fft.rfftn(x * x, s=(3, 5), axes=(2, 1)),
                                                   np.fft.irfftn(np.fft.rfftn(x), s=x.shape, axes=(0, 1, 2))),
            [(2, 3, 4)],
            doc=("fft.rfftn: `rfft` along the last of `axes`, then `fft`.",
                 "fft.irfftn: `ifft` along all of `axes` but the last, then `irfft`.")),
        row("fft.fftshift fft.ifftshift", lambda np, x: (np.fft.fftshift(x) * numpy.arange(x.size).reshape(x.shape),
                                                         np.fft.ifftshift(x, axes=0), np.fft.fftshift(x, axes=(-1,))),
            [(5,), (3, 4)],
            doc=("fft.fftshift: a `roll` by half of each axis: `g` rolled back.",
                 "fft.ifftshift: the inverse `roll`: `g` rolled back.")),
        row("fft.fftfreq fft.rfftfreq traced d", lambda np, d: np.fft.fftfreq(5, d) + np.fft.rfftfreq(8, d=d)[:5], [()],
            positive,
            doc=("fft.fftfreq: NumPy's own: a constant.",
                 "fft.rfftfreq: NumPy's own: a constant.")),
    ]),
]
