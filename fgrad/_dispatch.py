"""NumPy's protocols on traced values: ``np.sin(x)``, ``np.sum(x, 1)``, ``x.max()``.

`Node.__array_ufunc__` and `Node.__array_function__` land here. Each looks the NumPy
callable up in the tables of `fgrad._ops`, which `fgrad.numpy` fills, and calls fgrad's
version; ndarray methods (``x.max()``) are properties that `fgrad.numpy` adds to Node
with `register_array_attributes`. Anything not in a table is refused with
an error that names it: fgrad never hands back an object array and never drops a
derivative silently. Writes (``out=``, ``np.add.at``, ``np.copyto``, ``x.fill``) are
refused with the functional alternative.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, Callable, Mapping

import numpy as np

from . import _ops
from ._core import Node

IMMUTABLE_HINT = (
    "traced values are immutable, so fgrad cannot write into them. Build a new value "
    "instead: `x.at[idx].set(v)` / `x.at[idx].add(v)` (also `fgrad.numpy.at(x)[idx]` for "
    "plain arrays), `fgrad.numpy.where(mask, v, x)`, or `a = a + x` rather than `a += x` "
    "into an array."
)

# NumPy functions that write into an argument; refused with IMMUTABLE_HINT.
IN_PLACE_FUNCTIONS = frozenset({
    np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis,
})

# Alternatives worth naming for NumPy functions fgrad does not differentiate.
HINTS: dict[Any, str] = {
    np.unique: "index x with the positions of its unique values, "
               "x[np.unique(fgrad.stop_gradient(x), return_index=True)[1]]",
    np.block: "assemble the blocks with fgrad.numpy.concatenate",
}


def numpy_name(func: Any) -> str:
    """The name a user knows `func` by: ``np.linalg.inv``, ``np.add``, ``scipy.special.expit``.

    A ufunc does not say which module it comes from, so one NumPy does not have is looked
    up among the loaded modules (SciPy's are ufuncs too, and must not be called ``np.*``).

    Example:
        >>> import numpy as np
        >>> numpy_name(np.linalg.inv), numpy_name(np.add), numpy_name(np.sum)
        ('np.linalg.inv', 'np.add', 'np.sum')
    """
    name = getattr(func, "__name__", repr(func))
    if isinstance(func, np.ufunc):
        module = "numpy" if getattr(np, name, None) is func else _home_of(func, name)
    else:
        module = getattr(func, "__module__", None) or "numpy"
    if module == "numpy" or module.startswith("numpy."):
        return "np" + module[len("numpy"):] + "." + name
    return f"{module}.{name}"


def _home_of(func: Any, name: str) -> str:
    """The public module (the one with the shortest name) where `func` is found under `name`."""
    homes = []
    with warnings.catch_warnings():  # (SciPy's deprecated namespaces warn when read)
        warnings.simplefilter("ignore")
        for module_name, module in list(sys.modules.items()):
            if module is not None and not any(part.startswith("_") for part in module_name.split(".")):
                if getattr(module, name, None) is func:
                    homes.append(module_name)
    return min(homes, key=lambda m: (len(m), m)) if homes else "numpy"


def not_supported(what: str, hint: str | None = None) -> TypeError:
    """The error for a NumPy function or method fgrad does not differentiate."""
    advice = f" Instead: {hint}." if hint else ""
    return TypeError(
        f"{what} is not supported on traced values by fgrad, so its derivative cannot be "
        f"computed.{advice} fgrad.numpy.supported() lists what is; to differentiate {what} "
        "yourself define it with fgrad.primitive (a NumPy forward plus a VJP rule) or "
        "fgrad.custom_vjp; to use its result as a constant, call it on `x.value` or "
        "`fgrad.stop_gradient(x)`."
    )


def _refuse_out(what: Callable[[], str], kwargs: dict) -> None:
    out = kwargs.pop("out", None)
    if out is not None and not (type(out) is tuple and all(o is None for o in out)):
        raise TypeError(f"{what()}(..., out=...) would write into an array in place: {IMMUTABLE_HINT}")


def array_ufunc(ufunc: Any, method: str, inputs: tuple, kwargs: dict) -> Any:
    """``ufunc.method(*inputs, **kwargs)`` with a Node among the inputs.

    (`Node.__array_ufunc__` itself takes the common case, a plain call of a ufunc
    fgrad knows, without coming here.)
    """

    def what() -> str:
        name = numpy_name(ufunc)
        return name if method == "__call__" else f"{name}.{method}"

    if method == "at":
        raise TypeError(f"{what()}(x, idx, v) writes into its argument in place: {IMMUTABLE_HINT}")
    if ufunc not in _ops.UFUNCS:
        _load_scipy_special(ufunc)
    kwargs = dict(kwargs)
    _refuse_out(what, kwargs)
    if method == "outer" and ufunc.nin == 2 and ufunc in _ops.UFUNCS and not kwargs:
        a, b = inputs
        return _ops.UFUNCS[ufunc](_ops.reshape(a, shape=_ops.shape_of(a) + (1,) * _ops.ndim_of(b)), b)
    if method != "__call__" and getattr(_ops.UFUNCS.get(ufunc), "is_plain", False):
        return getattr(ufunc, method)(*_ops.plain_index(tuple(inputs)), **kwargs)  # np.logical_and.reduce...
    if method != "__call__":  # reduce, accumulate: wrappers with NumPy's signature
        fun = _ops.UFUNC_METHODS.get((ufunc, method))
        if fun is None and ufunc in _ops.UFUNCS:  # any other binary ufunc fgrad knows: a fold
            from .numpy._ufunc_methods import generic_method

            fun = generic_method(ufunc, method)
        if fun is None:
            raise not_supported(what())
        return fun(*inputs, **kwargs)
    fun = _ops.UFUNCS.get(ufunc)
    if fun is None:
        raise not_supported(what())
    if kwargs and not getattr(fun, "accepts_ufunc_kwargs", False):
        raise TypeError(
            f"{what()} with keyword arguments {sorted(kwargs)} is not supported on traced values "
            "by fgrad (its derivative would not account for them); call it without them."
        )
    return fun(*inputs, **kwargs)


def _load_scipy_special(ufunc: Any) -> None:
    """Register fgrad.scipy.special's ufuncs if `ufunc` is one of ``scipy.special``'s.

    SciPy's special functions are ufuncs, so ``scipy.special.expit(x)`` on a traced value
    comes here even when the user never imported fgrad.scipy; SciPy is loaded already
    (the ufunc came from it), and importing fgrad.scipy.special fills the table.
    """
    special = sys.modules.get("scipy.special")
    if special is not None and getattr(special, getattr(ufunc, "__name__", ""), None) is ufunc:
        import fgrad.scipy.special  # noqa: F401  (registers its ufuncs in _ops.UFUNCS)


def array_function(func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """``func(*args, **kwargs)`` for a NumPy function with a Node among its arguments."""
    fun = _ops.ARRAY_FUNCTIONS.get(func)
    if fun is None:
        name = numpy_name(func)
        if func in IN_PLACE_FUNCTIONS:
            also = " (np.full and np.full_like use it to write a traced fill value: call fgrad.numpy.full / full_like)"
            raise TypeError(f"{name}{also if func is np.copyto else ''} writes into its argument in place: {IMMUTABLE_HINT}")
        raise not_supported(name, HINTS.get(func))
    if "out" in kwargs:
        kwargs = dict(kwargs)
        _refuse_out(lambda: numpy_name(func), kwargs)
    return fun(*args, **kwargs)


# ndarray attributes refused with a specific reason, and the alternative.
_REFUSED_ATTRIBUTES = {
    **dict.fromkeys(("fill", "put", "itemset", "resize", "setfield", "setflags", "partition", "byteswap"),
                    "writes into the array in place: " + IMMUTABLE_HINT),
    "sort": "sorts in place: use `fgrad.numpy.sort(x)`, which returns a new, differentiable value",
    **dict.fromkeys(("item", "tolist", "tobytes", "tofile"),
                    "would turn the traced value into a Python constant and silently cut its "
                    "derivative: take the constant explicitly with `x.value`"),
}


def _refusal(name: str) -> property:
    """A property that refuses the ndarray attribute `name` on traced values, saying why."""
    reason = _REFUSED_ATTRIBUTES.get(name)
    if reason is not None:
        message = f"`x.{name}` on a traced value {reason}"
    else:
        message = (
            f"the ndarray attribute `x.{name}` is not supported on traced values by fgrad. "
            "Use the fgrad.numpy function of the same name if there is one "
            "(fgrad.numpy.supported()), or `x.value` for a constant."
        )

    def refuse(node: Any) -> Any:
        raise AttributeError(message)

    return property(refuse, doc=message)


def register_array_attributes(getters: Mapping[str, Callable[[Node], Any]]) -> None:
    """Make ``x.<name>`` on a traced value ``x`` mean ``getters[name](x)``.

    For the ndarray methods and attributes the Node class does not define itself:
    ``"max": lambda x: functools.partial(fnp.max, x)`` makes ``x.max(axis=0)`` work.
    Each becomes a property of Node (and an entry of `fgrad._ops.ARRAY_ATTRIBUTES`).
    """
    for name, get in getters.items():
        if name in _NODE_OWN:
            raise ValueError(f"register_array_attributes: Node defines `{name}` itself")
        _ops.ARRAY_ATTRIBUTES[name] = get
        setattr(Node, name, property(get, doc=f"``x.{name}``, as on an ndarray (see fgrad.numpy)"))


# What the class itself defines; every other public ndarray attribute is refused until
# fgrad.numpy registers it.
_NODE_OWN = frozenset(name for name in dir(Node))
for _name in dir(np.ndarray):
    if not _name.startswith("_") and _name not in _NODE_OWN:
        setattr(Node, _name, _refusal(_name))
del _name
