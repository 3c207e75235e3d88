"""The reference page of fgrad.numpy: one line per function, from the table below.

docs/reference/numpy.md is made here. Each public function of ``fgrad.numpy``,
``fgrad.numpy.linalg`` and ``fgrad.numpy.fft`` has one line in `SECTIONS`: its
derivative rule, its convention at non-smooth points, and what it refuses on traced
values. The lines are written from the rules in the code (fgrad/_ops.py,
fgrad/numpy/*.py) and docs/how-to/non-smooth-points.md; tests/test_numpy_reference.py
checks that every public function has a line, that every line names a real function,
that every function is exercised by the systematic function table
(tests/test_numpy_table.py), that the zero-derivative section holds exactly the
piecewise-constant helpers, and that the committed page is what `render` makes now.

In the rules, ``g`` is the cotangent of the result and ``ans`` the result; binary rules
sum their cotangent back over broadcast axes (``unbroadcast``), which is not repeated on
every line.

Commands (run from the repository root)::

    python docs/numpy_reference.py write   # regenerate docs/reference/numpy.md
    python docs/numpy_reference.py check   # exit 1 if the committed page is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

DOCS = Path(__file__).resolve().parent
PAGE = DOCS / "reference" / "numpy.md"


class Section(NamedTuple):
    title: str
    intro: str
    lines: str  # one function a line: "name: text" ("linalg.name", "fft.name" for the submodules)
    zero: bool = False  # the piecewise-constant helpers: plain values out, derivative zero


SECTIONS = [
    Section("Arithmetic and powers", "Broadcast like NumPy.", """
add: `g` to each argument.
subtract: `g` to `x1`, `-g` to `x2`.
multiply: `g * x2` to `x1`, `g * x1` to `x2`.
divide: `g / x2` to `x1`, `-g * ans / x2` to `x2`; division by zero gives NumPy's inf/nan, with its warning.
true_divide: the same function as `divide`.
negative: `-g`.
positive: `x` itself (traced values are immutable), so `g`.
reciprocal: `-g * ans**2`, written with the output.
square: `2 * g * x`, one primitive of its own (`square_vjp`) so high-order graphs stay small.
sqrt: `g / (2 * ans)`, written with the output; `inf` at 0, as in JAX.
cbrt: `g / (3 * ans**2)`; `inf` at 0, as in JAX.
power: base: `g * y * x**(y - 1)`, and exactly 0 for a constant exponent 0 (`x ** 0` at `x = 0` too, to every order); exponent: `g * ans * log(x)`, 0 at `x = 0` (as JAX).
float_power: the rules of `power`, in float64.
abs: `g * sign(x)`: 0 at 0 (JAX gives 1); a complex `z` gets `g * conj(z) / abs(z)`, 0 at 0.
absolute: the same function as `abs`.
fabs: `g * sign(x)`, 0 at 0.
remainder: `g` to `x1` (also at the jumps, as JAX); `-g * floor(x1 / x2)` to `x2`.
mod: the same function as `remainder`.
fmod: `g` to `x1`; `-g * trunc(x1 / x2)` to `x2`.
divmod: `(floor_divide(x1, x2), remainder(x1, x2))`: the quotient is plain (derivative 0), the remainder differentiates as `remainder`.
""".strip()),
    Section("Exponentials, logarithms and trigonometry", "", """
exp: `g * ans`, written with the output.
exp2: `g * ans * log(2)`.
expm1: `g * (ans + 1)`.
log: `g / x`; `inf` at 0, as in JAX.
log2: `g / (x * log(2))`.
log10: `g / (x * log(10))`.
log1p: `g / (x + 1)`; `inf` at -1.
logaddexp: `g * exp(x1 - ans)` to `x1`, `g * exp(x2 - ans)` to `x2`: stable for large arguments.
logaddexp2: `g * exp2(x1 - ans)` to `x1`, `g * exp2(x2 - ans)` to `x2`.
sin: `g * cos(x)`.
cos: `-g * sin(x)`.
tan: `g * (1 + ans**2)`, written with the output.
arcsin: `g / sqrt(1 - x**2)`; `inf` at ±1.
arccos: `-g / sqrt(1 - x**2)`; `-inf` at ±1.
arctan: `g / (1 + x**2)`.
arctan2: `g * x2 / (x1**2 + x2**2)` to `x1`, `-g * x1 / (x1**2 + x2**2)` to `x2`; `nan` at the origin (0/0), as JAX.
hypot: `g * x1 / ans` to `x1`, `g * x2 / ans` to `x2`; `nan` at (0, 0), as JAX.
sinh: `g * cosh(x)`.
cosh: `g * sinh(x)`.
tanh: `g * (1 - ans**2)`, one primitive of its own (`tanh_vjp`) written with the output.
arcsinh: `g / sqrt(x**2 + 1)`.
arccosh: `g / sqrt(x**2 - 1)`; `inf` at 1.
arctanh: `g / (1 - x**2)`.
deg2rad: `g * pi / 180`.
radians: the same function as `deg2rad`.
rad2deg: `g * 180 / pi`.
degrees: the same function as `rad2deg`.
sinc: `g * sinc'(x)`, each derivative its own primitive, exact at 0 to every order (a Maclaurin series near 0, JAX's values).
""".strip()),
    Section("Selection, clipping and piecewise functions",
            "Conditions and masks are plain: comparisons of traced values give plain booleans.", """
maximum: `g` to the larger argument; on a tie `g / 2` to each (as JAX); where either is NaN, neither gets any.
minimum: `g` to the smaller argument; on a tie `g / 2` to each (as JAX); where either is NaN, neither gets any.
fmax: all of `g` to the argument JAX's `where((x1 > x2) | isnan(x2), x1, x2)` picks: `x2` on a tie, `x1` when both are NaN.
fmin: all of `g` to the argument JAX's `where((x1 < x2) | isnan(x2), x1, x2)` picks: `x2` on a tie, `x1` when both are NaN.
clip: `g` to `a` on the closed interval `[a_min, a_max]` (bounds included; JAX gives 1/2 there), to the active bound outside it; differentiable in all three; refuses neither bound given (ValueError).
where: `g` to `x` where the condition holds, to `y` elsewhere; with only a condition, NumPy's plain indices; refuses one of `x`, `y` alone (ValueError).
select: nested `where`s, the first condition that holds winning: `g` to that choice (or `default`).
piecewise: runs NumPy's steps with fgrad operations: `g` flows through the function chosen for each element, and to traced constants; conditions are plain.
nan_to_num: `g` where `x` is finite, 0 where it was replaced; a derivative that is already NaN stays NaN (as JAX).
copysign: `±g` to `x1` (`sign(x1) * sign(x2)`, the one-sided value at `x1 = 0`, as JAX); 0 to `x2`.
polyval: Horner's scheme in fgrad operations: differentiable in the coefficients `p` and in `x`.
""".strip()),
    Section("Complex parts", "JAX's convention: cotangents pair with tangents by `Re(sum(ct * t))`, without conjugation; a real input's cotangent is real.", """
real: `g` (a real `val` is returned as it is).
imag: `-1j * g`; for a real value, plain zeros.
conj: `conj(g)`; a real `x` is returned as it is.
conjugate: the same function as `conj`.
angle: `arctan2(imag(z), real(z))` in fgrad operations (times `180 / pi` with `deg`); for a real value, plain 0 or pi.
real_if_close: NumPy's test on the value decides; then `real` of the traced value, or the value itself.
""".strip()),
    Section("Reductions and scans",
            "`axis` (an int, a tuple or negative), `keepdims` and a constant `where=` mask as in NumPy; a traced "
            "`where=` mask and `out=` are refused (TypeError).", """
sum: `g` broadcast back over the reduced axes (0 where `where=` leaves an element out).
mean: `g / count` broadcast back over the reduced axes.
prod: `g * ans / x` while no element is 0; with zeros, exactly the product of the other elements (no division), so a single zero gets the product of the rest.
max: `g` to the elements equal to the maximum, shared equally between tied ones (as JAX).
min: `g` to the elements equal to the minimum, shared equally between tied ones (as JAX).
amax: the same rule as `max`.
amin: the same rule as `min`.
ptp: `max - min`: each side shared among its tied elements.
var: `g * 2 * (x - mean) / (count - ddof)` (complex values: the mean of `|x - mean|**2`, real as NumPy's); `mean=` and `correction=` as in NumPy 2; refuses a traced value with no more elements than `ddof` (ValueError) and `ddof` with `correction` (ValueError).
std: `g * (x - mean) / (ans * (count - ddof))`: `nan` where all values are equal (0/0), as JAX.
average: `sum(a * w) / sum(w)` in fgrad operations: differentiable in `a` and `weights`; refuses weights of another shape unless 1-D with an int `axis` (TypeError).
cumsum: the reversed cumulative sum of `g`.
cumprod: `reversed_cumsum(g * ans) / x` while no element is 0; with zeros, exact products of the other factors.
cumulative_sum: `cumsum`, optionally starting with 0 (`include_initial`); refuses a missing `axis` on arrays of more than one dimension (ValueError).
cumulative_prod: `cumprod`, optionally starting with 1 (`include_initial`); refuses a missing `axis` on arrays of more than one dimension (ValueError).
diff: differences of slices: `g` to the later element, `-g` to the earlier; `prepend`/`append` may be traced.
ediff1d: `diff` of the flattened array; `to_begin`/`to_end` may be traced.
trapezoid: the trapezoidal sum in fgrad operations: differentiable in `y` and in sample points `x` (or `dx`).
nansum: `sum` with NaN as 0: NaN elements get derivative 0.
nanmean: `mean` of the non-NaN elements: NaN elements get derivative 0.
nanmax: `max` ignoring NaN: ties shared, NaN elements get 0.
nanmin: `min` ignoring NaN: ties shared, NaN elements get 0.
nanprod: `prod` with NaN as 1: NaN elements get derivative 0.
nancumsum: `cumsum` with NaN as 0: NaN elements get derivative 0.
nancumprod: `cumprod` with NaN as 1: NaN elements get derivative 0.
nanvar: `var` of the non-NaN elements: NaN elements get 0; a slice with no more than `ddof` values gives NaN with NumPy's warning.
nanstd: `sqrt(nanvar(...))`.
""".strip()),
    Section("Sorting and order statistics",
            "Each result is a weighted pair of elements of the input, so the derivative follows those elements; tied "
            "elements are ranked by position (a stable sort).", """
sort: the derivative follows each element to its place; ties keep their order; refuses `order=` (TypeError).
partition: NumPy's own arrangement; each element's derivative follows it to its place, equal elements matched in order of position; refuses `order=` (TypeError).
median: `g` to the middle element, or `g / 2` to each of the middle two of an even count (as JAX).
quantile: every `method=` of NumPy (all thirteen): weights `1 - gamma` and `gamma` on two order statistics; differentiable in `a`, and in `q` for the continuous methods; refuses `weights=` (TypeError).
percentile: `quantile(a, q / 100)`.
nanmedian: `median` of the non-NaN elements: NaN elements get 0.
nanquantile: `quantile` of the non-NaN elements: NaN elements get 0; an all-NaN slice gives NaN.
nanpercentile: `percentile` of the non-NaN elements: NaN elements get 0.
cov: centred products `X @ conj(X).T` in fgrad operations (`rowvar`, `bias`, `ddof`, a second variable `y`); refuses `fweights`/`aweights` (TypeError).
corrcoef: `cov` divided by the outer product of its standard deviations, in fgrad operations.
""".strip()),
    Section("Products, contractions and triangles", "Vectors, matrices and stacks of matrices as in NumPy.", """
matmul: `g @ y.T` to `x`, `x.T @ g` to `y` (plain transposes, also for complex values), over broadcast stacks.
dot: NumPy's `dot` rules, as `matmul`/`tensordot` products: the rule of each is the other factor contracted with `g`.
inner: a contraction over the last axes: `g` contracted with the other argument.
outer: `a[i] * b[j]` of the flattened arrays: `g @ b` to `a`, `g.T @ a` to `b`.
vdot: the flattened dot product, conjugating a complex `a` (as NumPy).
vecdot: elementwise products summed along `axis`: `g * b` to `a`, `g * a` to `b`, broadcast back (real values).
matvec: a contraction over the last axes: `g` times the other argument, broadcast back.
vecmat: a contraction over the last axes: `g` times the other argument, broadcast back.
tensordot: `g` contracted with the other argument over the free axes, axes moved back.
einsum: the cotangent of each operand is another `einsum` of `g` with the other operands (explicit or implicit output, `...`, repeated indices for traces and diagonals, the interleaved form, every `optimize`); refuses other keywords (TypeError).
kron: blocks `a[i, j] * b`, as a broadcast product: sums of `g`'s blocks.
cross: products of components in fgrad operations (3-vectors, or 2-vectors giving z); refuses other lengths (ValueError).
trace: the sum of a diagonal: `g` on that diagonal, 0 elsewhere.
diagonal: `g` put back on the diagonal (with `offset`, `axis1`, `axis2`), 0 elsewhere.
diag: `diagonal` for a matrix, the vector put on diagonal `k` for a vector: the other one is the rule.
tril: `tril(g, k)`.
triu: `triu(g, k)`.
""".strip()),
    Section("Shapes, joining and splitting",
            "Pure data movement: each rule moves the cotangent back.", """
reshape: `reshape(g, x.shape)`; refuses `order='F'` (TypeError).
ravel: `reshape(g, x.shape)` (also `x.ravel()` and `x.flatten()`); refuses `order='F'` (TypeError).
transpose: `g` transposed by the inverse permutation.
moveaxis: `g` with the axes moved back.
rollaxis: `g` with the axis moved back.
swapaxes: `g` with the same two axes swapped.
matrix_transpose: `g` with the last two axes swapped.
expand_dims: `g` with the new axes removed.
squeeze: `g` with the removed axes put back.
broadcast_to: `g` summed over the broadcast axes.
broadcast_arrays: each result's `g` summed back over its broadcast axes.
atleast_1d: `reshape(g, x.shape)`.
atleast_2d: `reshape(g, x.shape)`.
atleast_3d: `reshape(g, x.shape)`.
concatenate: `g` split back into the parts (`axis=None` flattens them first); refuses `dtype=` (TypeError).
stack: `g` split along the new axis; refuses `dtype=` (TypeError), arrays of different shapes (ValueError).
hstack: `concatenate` along the second axis (the first for 1-D inputs).
vstack: `concatenate` along the first axis, 1-D inputs becoming rows.
dstack: `concatenate` along the third axis.
row_stack: `vstack`, with NumPy's DeprecationWarning.
column_stack: `concatenate` of the columns: `g` split back.
append: `concatenate`: `g` split back to `arr` and `values`.
split: each part's `g` put back in place (zeros for parts not used).
array_split: `split` with sections differing in size by one.
hsplit: `split` along the axis NumPy's `hsplit` uses.
vsplit: `split` along the first axis.
dsplit: `split` along the third axis.
flip: `flip(g, axis)`.
fliplr: `g` reversed along axis 1.
flipud: `g` reversed along axis 0.
rot90: `g` rotated back (`rot90` by `-k`).
roll: `roll(g, -shift, axis)`.
tile: a broadcast: `g` summed over the copies.
repeat: `g` summed over each element's copies.
pad: constant padding (and 'empty', zeros on traced values) drops `g`'s padding; 'edge', 'wrap', 'reflect', 'symmetric' gather `g` back from every copy; 'maximum', 'minimum', 'mean', 'median', 'linear_ramp' are computed in fgrad operations; refuses a callable mode, `reflect_type='odd'` and traced `constant_values`, `stat_length` or `end_values` (TypeError).
copy: the traced value itself (immutable), so `g`.
""".strip()),
    Section("Indexing and functional updates",
            "`x[idx]` supports basic, integer-array and boolean indices: its rule puts `g` back at the indices, "
            "repeated ones accumulating. Traced values are immutable.", """
take: `g` put back at `indices`, repeated indices accumulating; `mode="wrap"`/`"clip"` as NumPy; refuses other modes (ValueError).
take_along_axis: `g` put back at `indices` along `axis`; refuses `indices` of another rank (ValueError).
at: `at(x)[idx].set(v)`: `g` to `x` except where overwritten, `g[idx]` to `v`; `.add(v)`: `g` to `x`, `g[idx]` to `v`, repeated indices accumulating; never writes into `x`.
""".strip()),
    Section("Sampled signals, ranges and fitting", "", """
convolve: differentiable in both sequences: each rule is the full convolution of `g` with the other sequence reversed, cut to length (modes 'full', 'same', 'valid'); refuses arrays that are not 1-D or are empty (ValueError).
correlate: `convolve` of `a` with `v` reversed and conjugated (as NumPy computes it), so the same rules; refuses arrays that are not 1-D or are empty (ValueError).
interp: piecewise-linear, differentiable in `x`, `xp` and `fp` (and traced `left`/`right`); at a knot the slope of the segment to the right (of the last at `xp[-1]`), 0 outside `[xp[0], xp[-1]]`, as JAX; refuses a traced `period` (TypeError).
gradient: NumPy's central differences (one-sided at the ends) in fgrad operations: differentiable in `f` and in traced spacings or coordinates.
linspace: sample `k` has derivative `1 - k/div` in `start` and `k/div` in `stop`; with `retstep`, the step too.
logspace: `base ** linspace(start, stop)`: differentiable in `start`, `stop` and `base`.
geomspace: log-spaced samples from `start` to `stop` (same sign, nonzero), differentiable in both.
polyfit: least squares in fgrad operations: differentiable in `y`, `w` and `x`; refuses a rank-deficient fit (ValueError), `cov` (TypeError) and `full=True` with traced `x` or `w` (TypeError) on traced values.
""".strip()),
    Section("Building arrays and types",
            "A result of integer or boolean dtype is piecewise constant: a plain array, derivative zero, as JAX's "
            "integer results.", """
array: stacks traced values and (nested) lists of them: `g` split back to each.
asarray: a traced value is returned as it is; lists of them are stacked as by `array`.
astype: `cast`: `g` cast back to the input's dtype (between float types); an integer or boolean result is plain.
cast: `g` cast back to the input's dtype (the real part for a real input).
full: a traced `fill_value` is broadcast: `g` summed.
full_like: the result depends only on `fill_value`: `g` summed to it; `a` gets nothing.
meshgrid: broadcasts of the coordinate vectors: `g` summed back to each.
""".strip()),
    Section("Non-differentiable helpers",
            "Piecewise-constant functions, comparisons, predicates and shape queries read the value and return plain "
            "NumPy results, even for traced arguments: their derivative is zero wherever it exists, so nothing is "
            "recorded.", """
sign: 0, at 0 too.
floor: 0, at the jumps too.
ceil: 0, at the jumps too.
trunc: 0, at the jumps too.
rint: 0, at the jumps too.
fix: 0, at the jumps too.
round: 0, at the jumps too.
around: 0, at the jumps too.
floor_divide: 0 (the quotient of `divmod`).
heaviside: 0, at 0 too.
signbit: a boolean.
isfinite: a boolean.
isnan: a boolean.
isinf: a boolean.
isneginf: a boolean.
isposinf: a boolean.
isreal: a boolean.
iscomplex: a boolean.
isclose: a boolean.
allclose: a boolean.
array_equal: a boolean.
array_equiv: a boolean.
isin: a boolean.
greater: a boolean.
greater_equal: a boolean.
less: a boolean.
less_equal: a boolean.
equal: a boolean.
not_equal: a boolean.
logical_and: a boolean.
logical_or: a boolean.
logical_xor: a boolean.
logical_not: a boolean.
all: a boolean.
any: a boolean.
argmax: integer indices.
argmin: integer indices.
nanargmax: integer indices.
nanargmin: integer indices.
argsort: integer indices.
argpartition: integer indices.
argwhere: integer indices.
nonzero: integer indices.
flatnonzero: integer indices.
searchsorted: integer indices.
digitize: integer indices.
count_nonzero: an integer.
zeros_like: a constant array.
ones_like: a constant array.
empty_like: a constant array.
result_type: a dtype.
iscomplexobj: a boolean, about the dtype.
isrealobj: a boolean, about the dtype.
isscalar: a boolean, about the value a traced argument carries (NumPy's own answers False for any traced value).
shape: a tuple.
ndim: an integer.
size: an integer.
""".strip(), zero=True),
    Section("Introspection", "", """
supported: the names of the NumPy functions that dispatch to fgrad on traced values.
array_attributes: the ndarray attributes and methods a traced value answers.
""".strip()),
    Section("NumPy's own constructors and dtypes",
            "NumPy's own objects, for constants: their arguments are sizes and dtypes, not arrays. The constants "
            "`pi`, `e`, `inf`, `nan`, `euler_gamma` and `newaxis` are NumPy's too.", """
arange: NumPy's; a constant.
empty: NumPy's; a constant.
eye: NumPy's; a constant.
identity: NumPy's; a constant.
ones: NumPy's; a constant.
zeros: NumPy's; a constant.
tri: NumPy's; a constant.
bool_: NumPy's dtype.
float16: NumPy's dtype.
float32: NumPy's dtype.
float64: NumPy's dtype.
int32: NumPy's dtype.
int64: NumPy's dtype.
""".strip()),
    Section("fgrad.numpy.linalg", "Stacks of matrices as in NumPy. Rules are written with `inv`, `solve` and "
            "`matmul`, so they differentiate again.", """
linalg.inv: `-ans.T @ g @ ans.T`.
linalg.det: the cofactor matrix: `g * ans * inv(a).T` where `det != 0`, else computed from the SVD, so also at singular matrices (rank n-1: not zero; JAX agrees), to every order.
linalg.slogdet: `logabsdet`: `g * inv(a).T`; at a singular matrix ±inf (nan where the cofactor is 0 too), as JAX; a real matrix's sign is plain, a complex one's differentiable.
linalg.solve: `solve(a.T, g)` to `b`, `-solve(a.T, g) @ x.T` to `a`.
linalg.cholesky: Murray's rule, reading only the lower triangle as NumPy does: zero above the diagonal, each entry below carrying both halves of a symmetric pair (JAX symmetrizes instead).
linalg.eigh: eigenvalues: as `eigvalsh`; eigenvectors: defined where eigenvalues are distinct, else a `DegenerateDerivativeWarning`; the gradient lies in the `UPLO` triangle.
linalg.eigvalsh: `v @ diag(g) @ v.T` folded onto the `UPLO` triangle it reads; at repeated eigenvalues right when `g` weighs the tied ones equally (their sum), else a `DegenerateDerivativeWarning`.
linalg.eig: NumPy's eigenvectors (unit norm, largest component real), differentiated exactly; up to what LAPACK leaves free (signs, order); repeated eigenvalues warn (`DegenerateDerivativeWarning`).
linalg.eigvals: `dw_i = (inv(V) da V)_ii`; at a repeated eigenvalue, symmetric functions of the tie are differentiable, others warn (`DegenerateDerivativeWarning`).
linalg.svd: through `s` everywhere (repeated values too), through `u` and `vh` where the singular values are distinct (and nonzero if not square), else a `DegenerateDerivativeWarning`; with `full_matrices=True` and M != N, functions of the arbitrary extra columns are refused (ValueError).
linalg.svdvals: `u @ diag(g) @ vh`, everywhere but at 0; symmetric functions of tied values are right, others warn (`DegenerateDerivativeWarning`).
linalg.qr: differentiable where the leading columns are independent; modes 'reduced', 'complete', 'r'; refuses 'raw' (TypeError); with 'complete' and M > N, functions of the arbitrary extra columns of `q` are refused (ValueError).
linalg.pinv: differentiable where the rank is locally constant; at a rank-deficient matrix it warns and gives the derivative along rank-keeping perturbations; `hermitian=True` reads the lower triangle.
linalg.lstsq: `x = pinv(a) @ b`, residuals and `s` differentiable where the rank is locally constant (warns as `pinv` otherwise); `rank` is plain.
linalg.norm: vector norms (2, 1, ±inf, 0, any p) and matrix norms ('fro', 'nuc', ±1, ±2, ±inf) in fgrad operations (`abs`, `max`, `sum`, `svdvals`); the 2-norm is `nan` at zero (0/0), as JAX; the 0-"norm" is plain; an invalid `ord` is a ValueError.
linalg.vector_norm: `norm` of a vector over `axis` (all axes when None).
linalg.matrix_norm: `norm` of the matrices in the last two axes.
linalg.cond: `s_max / s_min` from `svdvals` (`p` None or 2; `s_min / s_max` for -2), else `norm(a, p) * norm(inv(a), p)`, in fgrad operations.
linalg.matrix_power: repeated squaring with `matmul` (`inv` first for negative `n`); `n = 0` gives a constant identity.
linalg.multi_dot: the chained `matmul`s; refuses fewer than two arrays (ValueError).
linalg.tensorinv: NumPy's reshape to a matrix `inv`, in fgrad operations.
linalg.tensorsolve: NumPy's reshape to a `solve`, in fgrad operations.
linalg.matmul: the same function as `matmul`.
linalg.tensordot: `tensordot` with `axes` as a keyword.
linalg.outer: `outer` of two 1-D vectors; refuses others (ValueError).
linalg.cross: `cross` of 3-vectors along `axis`; refuses others (ValueError).
linalg.trace: `trace` of the matrices in the last two axes.
linalg.diagonal: `diagonal` of the matrices in the last two axes.
linalg.matrix_transpose: the same function as `matrix_transpose`.
linalg.vecdot: the same function as `vecdot`.
""".strip()),
    Section("fgrad.numpy.fft", "Every `norm`, `n`/`s` and `axis`/`axes`. Each rule is the transpose of its "
            "transform, another transform of the family, so every order works; a real input's gradient is real "
            "(the real part of the complex cotangent). `n` and `s` must be constant integers (TypeError).", """
fft.fft: `fft(g)` with the same `norm` (the DFT matrix is symmetric).
fft.ifft: `ifft(g)` with the same `norm`.
fft.rfft: `real(fft(g padded with zeros to n bins))`; refuses complex input (TypeError), as NumPy.
fft.irfft: `w * conj(rfft(g))` with the swapped `norm`, `w` counting each bin once or twice: bins past `n // 2` and the imaginary parts of bin 0 and the Nyquist bin, which NumPy ignores, get 0.
fft.hfft: `irfft(conj(a))` with the opposite scaling.
fft.ihfft: `conj(rfft(a))` with the opposite scaling.
fft.fft2: `fftn` over the last two axes.
fft.ifft2: `ifftn` over the last two axes.
fft.rfft2: `rfftn` over the last two axes.
fft.irfft2: `irfftn` over the last two axes.
fft.fftn: `fft` along each of `axes`.
fft.ifftn: `ifft` along each of `axes`.
fft.rfftn: `rfft` along the last of `axes`, then `fft`.
fft.irfftn: `ifft` along all of `axes` but the last, then `irfft`.
fft.fftshift: a `roll` by half of each axis: `g` rolled back.
fft.ifftshift: the inverse `roll`: `g` rolled back.
fft.fftfreq: NumPy's own: a constant.
fft.rfftfreq: NumPy's own: a constant.
""".strip()),
]


def entries() -> dict[str, str]:
    """Every function's line, by qualified name (``sin``, ``linalg.inv``, ``fft.rfft``)."""
    out: dict[str, str] = {}
    for section in SECTIONS:
        for line in section.lines.splitlines():
            name, _, text = line.partition(": ")
            if name in out:
                raise ValueError(f"{name} has two lines")
            out[name] = text
    return out


def zero_derivative_names() -> set[str]:
    return {line.partition(": ")[0] for s in SECTIONS if s.zero for line in s.lines.splitlines()}


HEADER = """\
# fgrad.numpy

::: fgrad.numpy
    options:
      show_root_heading: false
      members: false

Each function below has its line: its derivative rule, its choice at non-smooth points
(compared with JAX's; [Derivatives at non-smooth points](../how-to/non-smooth-points.md)
lists them all), and what it refuses on traced values. In the rules `g` is the
cotangent of the result and `ans` the result; the rules are written with fgrad
operations, so they differentiate again. Binary functions sum their cotangents back over
broadcast axes. The NumPy functions that dispatch to these are listed in the
[how-to guide](../how-to/numpy-code.md).

<!-- Generated by docs/numpy_reference.py from its table: edit there and run
     `python docs/numpy_reference.py write`. -->
"""


def render() -> str:
    """The page docs/reference/numpy.md."""
    parts = [HEADER]
    for section in SECTIONS:
        parts.append(f"\n## {section.title}\n")
        if section.intro:
            parts.append(f"\n{section.intro}\n")
        parts.append("\n| function | derivative |\n| --- | --- |\n")
        for line in section.lines.splitlines():
            name, _, text = line.partition(": ")
            parts.append(f"| `{name}` | {text} |\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "write":
        PAGE.write_text(render(), encoding="utf-8")
        return 0
    if command == "check":
        if PAGE.read_text(encoding="utf-8") != render():
            print(f"{PAGE} is out of date: run `python docs/numpy_reference.py write`", file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
