"""``fgrad.numpy.random`` is NumPy's random module: ``import fgrad.numpy as np; np.random.randn(3)``.

Random numbers are constants to differentiation (sample them outside or inside the
function; either way they are plain arrays), so every name here is NumPy's own object,
sharing NumPy's global state: ``fgrad.numpy.random.seed(0)`` seeds ``numpy.random`` too.
A traced value passed as a distribution's parameter (``normal(loc=x)``) is refused
with an error rather than silently turned into a constant; to differentiate through a
sample, reparameterize: ``x + scale * fgrad.numpy.random.standard_normal(shape)``.

Example:
    >>> import numpy, fgrad.numpy as np
    >>> np.random.seed(0); a = np.random.randn(3)
    >>> numpy.random.seed(0); bool((a == numpy.random.randn(3)).all())
    True
    >>> np.random.default_rng(1).normal(size=2).shape, np.random.Generator is numpy.random.Generator
    ((2,), True)
"""

from __future__ import annotations

from typing import Any

import numpy.random as _random
from numpy.random import *  # noqa: F401,F403

__all__ = list(_random.__all__)


def __getattr__(name: str) -> Any:
    # whatever else numpy.random has (bit generators' modules...), as NumPy has it
    return getattr(_random, name)
