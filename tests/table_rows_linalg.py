"""Function-table rows: linalg (run by tests/test_numpy_table.py)."""

from __future__ import annotations

import numpy  # noqa: F401

from table_support import *  # noqa: F403

inf = numpy.inf


# ---------------------------------------------------------------- domains of the decompositions
def distinct_singular(rng, shape):
    """Random singular vectors, singular values 0.5 + 0.7 k: far apart and from 0."""
    u, _, vh = numpy.linalg.svd(rng.uniform(-1.0, 1.0, shape), full_matrices=False)
    k = min(shape[-2:])
    return (u * (0.5 + 0.7 * numpy.arange(k, 0, -1))[..., None, :]) @ vh


def distinct_symmetric(rng, shape):
    """Not symmetric (eigh reads one triangle), with eigenvalues of either triangle near 1, 2, 3...

    Positive, so the singular values of the symmetric matrix are distinct too.
    """
    n = shape[-1]
    return rng.uniform(-0.2, 0.2, shape) + numpy.diag(1.0 + numpy.arange(n))


def _sym(np, a, uplo="L"):
    """The symmetric matrix NumPy's eigh sees in `a`."""
    t = np.tril(a) if uplo == "L" else np.triu(a)
    return t + np.swapaxes(t, -1, -2) - t * numpy.eye(a.shape[-1])


def _span_uses(np, a):
    """Uses of full_matrices=True's extra columns of u (rows of vh) that depend on their span only."""
    u, s, vh = np.linalg.svd(a)
    if a.shape[-2] > a.shape[-1]:
        extra = u[..., :, 2:]
        return extra @ np.swapaxes(extra, -1, -2) + u[..., :, :1] * s[..., None, :1]
    extra = vh[..., 2:, :]
    return np.swapaxes(extra, -1, -2) @ extra + vh[..., :1, :]


def distinct_eigenvalues(rng, shape):
    """Not symmetric, with eigenvalues 1 +- 0.8i, 2.5 (and 0.3 +- 1.5i for n = 5): a complex
    pair of a real matrix, all far apart. The pairs' blocks are not normal, so each
    eigenvector has one clearly largest component (the one NumPy makes real)."""
    n = shape[-1]
    blocks = [numpy.array([[1.0, 1.6], [-0.4, 1.0]]), numpy.array([[2.5]]), numpy.array([[0.3, 3.0], [-0.75, 0.3]])]
    b = numpy.zeros((n, n))
    at = 0
    for block in blocks:
        k = min(len(block), n - at)
        b[at:at + k, at:at + k] = block[:k, :k]
        at += k
    s = numpy.eye(n) + rng.uniform(-0.2, 0.2, shape)
    return s @ b @ numpy.linalg.inv(s)


def real_eigenvalues(rng, shape):
    """Not symmetric, with real eigenvalues 1, 2, 3...: NumPy's eig returns real arrays."""
    n = shape[-1]
    s = numpy.eye(n) + rng.uniform(-0.3, 0.3, shape)
    return (s * (1.0 + numpy.arange(n))[..., None, :]) @ numpy.linalg.inv(s)


SVD_SHAPES = [(3, 3), (4, 2), (2, 4), (2, 3, 2)]
TALL_WIDE = [(4, 2), (2, 4)]

ROWS: list = [
    # ---- SVD
    row("linalg.svd reduced", lambda np, a: np.linalg.svd(a, full_matrices=False), SVD_SHAPES, distinct_singular),
    row("linalg.svd square full", lambda np, a: np.linalg.svd(a), [(3, 3), (2, 3, 3)], distinct_singular),
    row("linalg.svd full_matrices tall/wide, basis-free uses", lambda np, a: _span_uses(np, a),
        [(4, 2), (2, 4), (2, 4, 2)], distinct_singular),
    row("linalg.svd compute_uv=False, svdvals", lambda np, a: np.linalg.svd(a, compute_uv=False)
        + np.linalg.svdvals(a) ** 2, SVD_SHAPES, distinct_singular),
    row("linalg.svd hermitian", lambda np, a: np.linalg.svd(a, hermitian=True)[0]
        * np.linalg.svd(a, hermitian=True)[1][..., None, :] + np.linalg.svd(a, hermitian=True)[2]
        + np.linalg.svd(a, compute_uv=False, hermitian=True)[..., None],
        [(3, 3), (2, 3, 3)], distinct_symmetric),
    # ---- symmetric eigenproblem (inputs not symmetric: only one triangle is read)
    row("linalg.eigh", lambda np, a: np.linalg.eigh(a), [(3, 3), (2, 3, 3)], distinct_symmetric),
    row("linalg.eigh UPLO", lambda np, a: np.linalg.eigh(a, UPLO="U")[1] * np.linalg.eigh(a, "U")[0][..., None, :]
        + np.linalg.eigh(a, "l").eigenvectors, [(3, 3), (2, 3, 3)], distinct_symmetric),
    row("linalg.eigvalsh", lambda np, a: np.linalg.eigvalsh(a) + np.linalg.eigvalsh(a, UPLO="U") ** 2,
        [(3, 3), (2, 3, 3)], distinct_symmetric),
    # ---- general eigenproblem (complex results: values and derivatives compared as complex)
    # (LAPACK leaves the sign of a real matrix's eigenvectors free: it may flip between
    # nearby matrices, which central differences would see. These points have no flip
    # within the step; the 5 x 5 row uses sign-free products, as robust code would.)
    row("linalg.eig", lambda np, a: np.linalg.eig(a), [(3, 3), (2, 3, 3)], distinct_eigenvalues),
    row("linalg.eig sign-free vectors", lambda np, a: np.linalg.eig(a)[1] * np.linalg.eig(a)[1][..., :1, :]
        + np.linalg.eig(a).eigenvalues, [(5, 5)], distinct_eigenvalues),
    row("linalg.eig real eigenvalues", lambda np, a: np.linalg.eig(a).eigenvectors * np.linalg.eig(a)[0][..., None, :],
        [(3, 3), (2, 3, 3)], real_eigenvalues),
    row("linalg.eigvals", lambda np, a: np.linalg.eigvals(a) ** 2 + np.abs(np.linalg.eigvals(a)),
        [(3, 3), (2, 3, 3)], distinct_eigenvalues),
    row("linalg.eigvals real", lambda np, a: np.linalg.eigvals(a), [(3, 3)], real_eigenvalues),
    # ---- QR
    row("linalg.qr", lambda np, a: np.linalg.qr(a), [(3, 3), (4, 2), (2, 4), (2, 4, 3)], distinct_singular),
    row("linalg.qr modes", lambda np, a: np.linalg.qr(a, mode="r").sum() + np.linalg.qr(a, "complete")[1].sum()
        + np.linalg.qr(a, mode="complete").Q[..., :, :2].sum(0) + (np.linalg.qr(a, mode="complete")[0][..., :, 2:]
        @ np.swapaxes(np.linalg.qr(a, mode="complete")[0][..., :, 2:], -1, -2)).sum(),
        [(4, 2), (3, 3)], distinct_singular),
    # ---- pseudo-inverse, least squares
    row("linalg.pinv", lambda np, a: np.linalg.pinv(a), SVD_SHAPES, distinct_singular),
    row("linalg.pinv rcond rtol hermitian", lambda np, a: np.linalg.pinv(a, 1e-10) + np.linalg.pinv(a, rtol=1e-12)
        + np.linalg.pinv(a, hermitian=True), [(3, 3), (2, 3, 3)], distinct_symmetric),
    row("linalg.lstsq", lambda np, a, b: np.linalg.lstsq(a, b)[0] * np.linalg.lstsq(a, b, rcond=None)[1].sum()
        + np.linalg.lstsq(a, b)[3].sum(), [((4, 2), (4,)), ((4, 2), (4, 3)), ((2, 3), (2,)), ((3, 3), (3, 2))],
        (distinct_singular, real)),
    # ---- condition numbers, SVD-based norms
    row("linalg.cond", lambda np, a: np.linalg.cond(a) + np.linalg.cond(a, 2) + np.linalg.cond(a, -2),
        [(3, 3), (2, 4), (4, 3), (2, 3, 3)], distinct_singular),
    row("linalg.cond fro nuc", lambda np, a: np.linalg.cond(a, "fro") + np.linalg.cond(a, "nuc"), [(3, 3), (2, 3, 3)],
        distinct_singular),
    row("linalg.cond 1 inf", lambda np, a: np.linalg.cond(a, 1) + np.linalg.cond(a, -1) + np.linalg.cond(a, inf)
        + np.linalg.cond(a, -inf), [(3, 3)], spaced),
    row("linalg.norm 2 -2 nuc", lambda np, a: np.linalg.norm(a[0], 2) + np.linalg.norm(a[1], -2)
        + np.linalg.norm(a[0], "nuc") + np.linalg.norm(a, 2, axis=(2, 0)) + np.linalg.norm(a, "nuc", (0, 1), True).sum()
        + np.linalg.matrix_norm(a, ord=-2).sum() + np.linalg.matrix_norm(a, ord="nuc", keepdims=True).sum(),
        [(2, 3, 2)], distinct_singular),
    # ---- tensors
    row("linalg.tensorsolve", lambda np, a, b: np.linalg.tensorsolve(a, b), [((2, 3, 6), (2, 3)), ((6, 2, 3), (6,))],
        (lambda rng, s: well_conditioned(rng, (6, 6)).reshape(s), real)),
    row("linalg.tensorsolve axes", lambda np, a, b: np.linalg.tensorsolve(a, b, axes=(0,)), [((6, 2, 3), (2, 3))],
        (lambda rng, s: numpy.moveaxis(well_conditioned(rng, (6, 6)).reshape(2, 3, 6), 2, 0), real)),
    row("linalg.tensorinv", lambda np, a: np.linalg.tensorinv(a) + np.linalg.tensorinv(a, ind=2), [(2, 3, 6)],
        lambda rng, s: well_conditioned(rng, (6, 6)).reshape(s)),
    row("linalg.tensorinv ind=1", lambda np, a: np.linalg.tensorinv(a, ind=1), [(4, 2, 2)],
        lambda rng, s: well_conditioned(rng, (4, 4)).reshape(s)),
]
