"""Importing the peer frameworks, each optional: a missing one becomes a `PeerMissing`."""

from __future__ import annotations

import importlib
import os
import warnings
from types import ModuleType

import numpy as np

PEERS = ("autograd", "dezero", "torch", "jax")


class PeerMissing(Exception):
    """A peer framework is not installed (or cannot be imported); its rows are skipped."""


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except Exception as e:  # ImportError, or a peer broken by its own dependencies
        raise PeerMissing(f"{name} not installed ({type(e).__name__}: {e})".splitlines()[0][:120]) from e


def autograd() -> ModuleType:
    return _import("autograd")


def dezero() -> ModuleType:
    # DeZero 0.0.13 (the last release) uses `np.int` as a default argument at import
    # time, an alias NumPy 2 removed; provide it just for the import, then take it away.
    had = hasattr(np, "int")
    if not had:
        np.int = int  # type: ignore[attr-defined]
    try:
        return _import("dezero")
    finally:
        if not had:
            del np.int  # type: ignore[attr-defined]


def torch() -> ModuleType:
    return _import("torch")


def jax() -> ModuleType:
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jax = _import("jax")
    jax.config.update("jax_enable_x64", True)  # every workload is float64
    return jax


def versions() -> dict[str, str]:
    """Installed version of each peer, or why it is missing."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in PEERS:
        try:
            globals()[name]()
        except PeerMissing:
            out[name] = "not installed"
            continue
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "installed"
    return out
