"""Function-table rows: linalg (run by tests/test_numpy_table.py).

Each row's ``doc=`` is its function's line on docs/reference/numpy.md.
"""

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
        return extra @ np.conj(np.swapaxes(extra, -1, -2)) + u[..., :, :1] * s[..., None, :1]
    extra = vh[..., 2:, :]
    return np.conj(np.swapaxes(extra, -1, -2)) @ extra + vh[..., :1, :]


def _gauge_free(v):
    """Eigenvectors times the conjugate of their first entries: the same whichever phase (or sign)
    LAPACK gave each vector, so a complex input's derivative is well conditioned."""
    return v * v[..., :1, :].conj()


def _qr_modes(np, a):
    q = np.linalg.qr(a, mode="complete")[0]
    extra = q[..., :, 2:]  # the completed columns: only their span is defined
    return (np.linalg.qr(a, mode="r").sum() + np.linalg.qr(a, "complete")[1].sum()
            + np.linalg.qr(a, mode="complete").Q[..., :, :2].sum(0) + (extra @ np.conj(np.swapaxes(extra, -1, -2))).sum())


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
    *in_section("fgrad.numpy.linalg", [
        row("linalg.inv", lambda np, a: np.linalg.inv(a), SQUARE, well_conditioned,
            doc="linalg.inv: `-ans.T @ g @ ans.T`."),
        row("linalg.det", lambda np, a: np.linalg.det(a), SQUARE, well_conditioned,
            doc="linalg.det: the cofactor matrix: `g * ans * inv(a).T` where `det != 0`, else computed from the SVD, so also at singular matrices (rank n-1: not zero; JAX agrees), to every order."),
        row("linalg.slogdet", lambda np, a: np.linalg.slogdet(a)[1] * np.linalg.slogdet(a)[0], SQUARE, well_conditioned,
            doc="linalg.slogdet: `logabsdet`: `g * inv(a).T`; at a singular matrix ±inf (nan where the cofactor is 0 too), as JAX; a real matrix's sign is plain, a complex one's differentiable."),
        row("linalg.slogdet negative det", lambda np, a: np.linalg.slogdet(a[::-1])[1], [(2, 2)], well_conditioned),
        row("linalg.solve vector", lambda np, a, b: np.linalg.solve(a, b), [((3, 3), (3,)), ((2, 3, 3), (3,))],
            (well_conditioned, real),
            doc="linalg.solve: `solve(a.T, g)` to `b`, `-solve(a.T, g) @ x.T` to `a`."),
        row("linalg.solve matrix", lambda np, a, b: np.linalg.solve(a, b), [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))],
            (well_conditioned, real)),
        row("linalg.cholesky", lambda np, a: np.linalg.cholesky((a + np.swapaxes(a, -1, -2)) / 2), SQUARE, spd,
            doc="linalg.cholesky: Murray's rule, reading only the lower triangle as NumPy does: zero above the diagonal, each entry below carrying both halves of a symmetric pair (JAX symmetrizes instead)."),
        row("linalg.eigh", lambda np, a: np.linalg.eigh(a), [(3, 3), (2, 3, 3)], distinct_symmetric,
            doc="linalg.eigh: eigenvalues: as `eigvalsh`; eigenvectors: defined where eigenvalues are distinct, else a `DegenerateDerivativeWarning`; the gradient lies in the `UPLO` triangle."),
        row("linalg.eigh UPLO", lambda np, a: _gauge_free(np.linalg.eigh(a, UPLO="U")[1]) * np.linalg.eigh(a, "U")[0][..., None, :]
            + _gauge_free(np.linalg.eigh(a, "l").eigenvectors), [(3, 3), (2, 3, 3)], distinct_symmetric),
        row("linalg.eigvalsh", lambda np, a: np.linalg.eigvalsh(a) + np.linalg.eigvalsh(a, UPLO="U") ** 2,
            [(3, 3), (2, 3, 3)], distinct_symmetric,
            doc="linalg.eigvalsh: `v @ diag(g) @ v.T` folded onto the `UPLO` triangle it reads; at repeated eigenvalues right when `g` weighs the tied ones equally (their sum), else a `DegenerateDerivativeWarning`."),
        # (LAPACK leaves the sign of a real matrix's eigenvectors free: it may flip between
        # nearby matrices, which central differences would see. These points have no flip
        # within the step; the 5 x 5 row uses sign-free products, as robust code would.)
        row("linalg.eig", lambda np, a: np.linalg.eig(a), [(3, 3), (2, 3, 3)], distinct_eigenvalues,
            doc="linalg.eig: NumPy's eigenvectors (unit norm, largest component real), differentiated exactly; up to what LAPACK leaves free (signs, order); repeated eigenvalues warn (`DegenerateDerivativeWarning`)."),
        row("linalg.eig sign-free vectors", lambda np, a: np.linalg.eig(a)[1] * np.linalg.eig(a)[1][..., :1, :]
            + np.linalg.eig(a).eigenvalues, [(5, 5)], distinct_eigenvalues),
        row("linalg.eig real eigenvalues", lambda np, a: np.linalg.eig(a).eigenvectors * np.linalg.eig(a)[0][..., None, :],
            [(3, 3), (2, 3, 3)], real_eigenvalues),
        row("linalg.eigvals", lambda np, a: np.linalg.eigvals(a) ** 2 + np.abs(np.linalg.eigvals(a)),
            [(3, 3), (2, 3, 3)], distinct_eigenvalues,
            doc="linalg.eigvals: `dw_i = (inv(V) da V)_ii`; at a repeated eigenvalue, symmetric functions of the tie are differentiable, others warn (`DegenerateDerivativeWarning`)."),
        row("linalg.eigvals real", lambda np, a: np.linalg.eigvals(a), [(3, 3)], real_eigenvalues),
        row("linalg.svd reduced", lambda np, a: np.linalg.svd(a, full_matrices=False), SVD_SHAPES, distinct_singular,
            doc="linalg.svd: through `s` everywhere (repeated values too), through `u` and `vh` where the singular values are distinct (and nonzero if not square), else a `DegenerateDerivativeWarning`; with `full_matrices=True` and M != N, functions of the arbitrary extra columns are refused (ValueError)."),
        row("linalg.svd square full", lambda np, a: np.linalg.svd(a), [(3, 3), (2, 3, 3)], distinct_singular),
        row("linalg.svd full_matrices tall/wide, basis-free uses", lambda np, a: _span_uses(np, a),
            [(4, 2), (2, 4), (2, 4, 2)], distinct_singular),
        row("linalg.svd compute_uv=False, svdvals", lambda np, a: np.linalg.svd(a, compute_uv=False)
            + np.linalg.svdvals(a) ** 2, SVD_SHAPES, distinct_singular,
            doc="linalg.svdvals: `u @ diag(g) @ vh`, everywhere but at 0; symmetric functions of tied values are right, others warn (`DegenerateDerivativeWarning`)."),
        row("linalg.svd hermitian", lambda np, a: np.linalg.svd(a, hermitian=True)[0]
            * np.linalg.svd(a, hermitian=True)[1][..., None, :] + np.linalg.svd(a, hermitian=True)[2]
            + np.linalg.svd(a, compute_uv=False, hermitian=True)[..., None],
            [(3, 3), (2, 3, 3)], distinct_symmetric),
        row("linalg.qr", lambda np, a: np.linalg.qr(a), [(3, 3), (4, 2), (2, 4), (2, 4, 3)], distinct_singular,
            doc="linalg.qr: differentiable where the leading columns are independent; modes 'reduced', 'complete', 'r'; refuses 'raw' (TypeError); with 'complete' and M > N, functions of the arbitrary extra columns of `q` are refused (ValueError)."),
        row("linalg.qr modes", _qr_modes, [(4, 2), (3, 3)], distinct_singular),
        row("linalg.pinv", lambda np, a: np.linalg.pinv(a), SVD_SHAPES, distinct_singular,
            doc="linalg.pinv: differentiable where the rank is locally constant; at a rank-deficient matrix it warns and gives the derivative along rank-keeping perturbations; `hermitian=True` reads the lower triangle."),
        row("linalg.pinv rcond rtol hermitian", lambda np, a: np.linalg.pinv(a, 1e-10) + np.linalg.pinv(a, rtol=1e-12)
            + np.linalg.pinv(a, hermitian=True), [(3, 3), (2, 3, 3)], distinct_symmetric),
        row("linalg.lstsq", lambda np, a, b: np.linalg.lstsq(a, b)[0] * np.linalg.lstsq(a, b, rcond=None)[1].sum()
            + np.linalg.lstsq(a, b)[3].sum(), [((4, 2), (4,)), ((4, 2), (4, 3)), ((2, 3), (2,)), ((3, 3), (3, 2))],
            (distinct_singular, real),
            doc="linalg.lstsq: `x = pinv(a) @ b`, residuals and `s` differentiable where the rank is locally constant (warns as `pinv` otherwise); `rank` is plain."),
        row("linalg.norm", lambda np, x: np.linalg.norm(x), [(3,), (2, 3)], nonzero,
            doc="linalg.norm: vector norms (2, 1, ±inf, 0, any p) and matrix norms ('fro', 'nuc', ±1, ±2, ±inf) in fgrad operations (`abs`, `max`, `sum`, `svdvals`); the 2-norm is `nan` at zero (0/0), as JAX; the 0-\"norm\" is plain; an invalid `ord` is a ValueError."),
        row("linalg.norm vector ords", lambda np, x: np.linalg.norm(x, 1) + np.linalg.norm(x, inf)
            + np.linalg.norm(x, -inf) + np.linalg.norm(x, 3) + np.linalg.norm(x, 2), [(4,)], spaced),
        row("linalg.norm axis keepdims", lambda np, x: np.linalg.norm(x, axis=1) + np.linalg.norm(x, axis=0, keepdims=True).sum(),
            MATRIX, nonzero),
        row("linalg.norm matrix ords", lambda np, x: np.linalg.norm(x, "fro") + np.linalg.norm(x, 1)
            + np.linalg.norm(x, inf) + np.linalg.norm(x, -1) + np.linalg.norm(x, -inf), [(3, 3)], spaced),
        row("linalg.vector_norm matrix_norm", lambda np, x: np.linalg.vector_norm(x) + np.linalg.vector_norm(x, axis=1, ord=3)
            .sum() + np.linalg.matrix_norm(x).sum() + np.linalg.matrix_norm(x, ord=inf, keepdims=True).sum(), [(3, 3), (2, 3, 3)],
            spaced,
            doc=("linalg.vector_norm: `norm` of a vector over `axis` (all axes when None).",
                 "linalg.matrix_norm: `norm` of the matrices in the last two axes.")),
        row("linalg.cond", lambda np, a: np.linalg.cond(a) + np.linalg.cond(a, 2) + np.linalg.cond(a, -2),
            [(3, 3), (2, 4), (4, 3), (2, 3, 3)], distinct_singular,
            doc="linalg.cond: `s_max / s_min` from `svdvals` (`p` None or 2; `s_min / s_max` for -2), else `norm(a, p) * norm(inv(a), p)`, in fgrad operations."),
        row("linalg.cond fro nuc", lambda np, a: np.linalg.cond(a, "fro") + np.linalg.cond(a, "nuc"), [(3, 3), (2, 3, 3)],
            distinct_singular),
        row("linalg.cond 1 inf", lambda np, a: np.linalg.cond(a, 1) + np.linalg.cond(a, -1) + np.linalg.cond(a, inf)
            + np.linalg.cond(a, -inf), [(3, 3)], spaced),
        row("linalg.norm 2 -2 nuc", lambda np, a: np.linalg.norm(a[0], 2) + np.linalg.norm(a[1], -2)
            + np.linalg.norm(a[0], "nuc") + np.linalg.norm(a, 2, axis=(2, 0)) + np.linalg.norm(a, "nuc", (0, 1), True).sum()
            + np.linalg.matrix_norm(a, ord=-2).sum() + np.linalg.matrix_norm(a, ord="nuc", keepdims=True).sum(),
            [(2, 3, 2)], distinct_singular),
        row("linalg.matrix_power", lambda np, a: np.linalg.matrix_power(a, 3) + np.linalg.matrix_power(a, -2)
            + np.linalg.matrix_power(a, 0), [(3, 3)], well_conditioned,
            doc="linalg.matrix_power: repeated squaring with `matmul` (`inv` first for negative `n`); `n = 0` gives a constant identity."),
        row("linalg.multi_dot", lambda np, x, y, z: np.linalg.multi_dot([x, y, z]), [((3,), (3, 4), (4, 2))],
            doc="linalg.multi_dot: the chained `matmul`s; refuses fewer than two arrays (ValueError)."),
        row("linalg.tensorinv", lambda np, a: np.linalg.tensorinv(a) + np.linalg.tensorinv(a, ind=2), [(2, 3, 6)],
            lambda rng, s: well_conditioned(rng, (6, 6)).reshape(s),
            doc="linalg.tensorinv: NumPy's reshape to a matrix `inv`, in fgrad operations."),
        row("linalg.tensorinv ind=1", lambda np, a: np.linalg.tensorinv(a, ind=1), [(4, 2, 2)],
            lambda rng, s: well_conditioned(rng, (4, 4)).reshape(s)),
        row("linalg.tensorsolve", lambda np, a, b: np.linalg.tensorsolve(a, b), [((2, 3, 6), (2, 3)), ((6, 2, 3), (6,))],
            (lambda rng, s: well_conditioned(rng, (6, 6)).reshape(s), real),
            doc="linalg.tensorsolve: NumPy's reshape to a `solve`, in fgrad operations."),
        row("linalg.tensorsolve axes", lambda np, a, b: np.linalg.tensorsolve(a, b, axes=(0,)), [((6, 2, 3), (2, 3))],
            (lambda rng, s: numpy.moveaxis(well_conditioned(rng, (6, 6)).reshape(2, 3, 6), 2, 0), real)),
        row("linalg array-API spellings", lambda np, x, y: np.linalg.trace(x) + np.linalg.diagonal(x, offset=1).sum()
            + np.linalg.outer(x[0, 0], y).sum() + np.linalg.tensordot(x, x, axes=3) + np.linalg.cross(x[0], y).sum()
            + np.linalg.vecdot(x, y).sum() + np.linalg.matmul(x, x)[0, 0].sum() + np.linalg.matrix_transpose(x)[0].sum(), [((2, 3, 3), (3,))],
            doc=("linalg.matmul: the same function as `matmul`.",
                 "linalg.tensordot: `tensordot` with `axes` as a keyword.",
                 "linalg.outer: `outer` of two 1-D vectors; refuses others (ValueError).",
                 "linalg.cross: `cross` of 3-vectors along `axis`; refuses others (ValueError).",
                 "linalg.trace: `trace` of the matrices in the last two axes.",
                 "linalg.diagonal: `diagonal` of the matrices in the last two axes.",
                 "linalg.matrix_transpose: the same function as `matrix_transpose`.",
                 "linalg.vecdot: the same function as `vecdot`.")),
    ]),
]
