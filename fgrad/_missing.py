"""What to use instead of the JAX and autograd names fgrad does not have.

``fgrad.pmap`` and friends raise an AttributeError that says what to write in fgrad
today and points to the page listing them all (docs/coming-from-jax.md); a plain "no
attribute" would leave a JAX or autograd user guessing.
"""

from __future__ import annotations

PAGE = "docs/coming-from-jax.md#names-fgrad-does-not-have"

# name -> (where it comes from, what to use instead)
MISSING: dict[str, tuple[str, str]] = {
    "pmap": ("JAX", "fgrad runs on one CPU: loop over the devices' shares in Python"),
    "lax": ("JAX", "write control flow in Python (if, for, while work on traced values); "
            "lax.stop_gradient is fgrad.stop_gradient"),
    "random": ("JAX", "use NumPy's own generator, np.random.default_rng(seed): samples are constants"),
    "tree_util": ("JAX", "the same functions are in fgrad.tree (tree_map, tree_flatten, tree_unflatten, "
                  "tree_leaves, tree_structure, register_pytree_node)"),
    "make_jaxpr": ("JAX", "fgrad.trace(f)(x) returns the recorded Graph, which prints as a small program"),
    "custom_jvp": ("JAX", "define the reverse rule with fgrad.custom_vjp (forward mode is derived from it)"),
    "checkpoint": ("JAX and autograd", "not available; fgrad keeps every intermediate value"),
    "remat": ("JAX", "not available; fgrad keeps every intermediate value"),
    "make_jvp": ("autograd", "fgrad.jvp(f, primals, tangents), or fgrad.linearize(f, x) for many tangents"),
    "make_vjp": ("autograd", "fgrad.vjp(f, x) returns (out, vjp_fn)"),
    "make_hvp": ("autograd", "fgrad.hvp(f)(x, v)"),
    "holomorphic_grad": ("autograd", "fgrad.grad(f, holomorphic=True)"),
    "grad_named": ("autograd", "fgrad.grad(f, argnums=i) with the argument's position"),
    "deriv": ("autograd", "fgrad.grad works on scalar functions of a scalar"),
    "tensor_jacobian_product": ("autograd", "fgrad.vjp(f, x)[1](v)"),
    "vector_jacobian_product": ("autograd", "fgrad.vjp(f, x)[1](v)"),
    "hessian_vector_product": ("autograd", "fgrad.hvp(f)(x, v)"),
    "hessian_tensor_product": ("autograd", "fgrad.hvp(f)(x, v)"),
    "grad_and_aux": ("autograd", "fgrad.grad(f, has_aux=True), with f returning (value, aux)"),
    "make_ggnvp": ("autograd", "not available; build the product from fgrad.jvp and fgrad.vjp"),
}


def missing_attribute(attr: str) -> AttributeError:
    """The error for ``fgrad.<attr>``: what to use instead, for a name of `MISSING`.

    Example:
        >>> print(missing_attribute("pmap"))
        module 'fgrad' has no attribute 'pmap' (from JAX): fgrad runs on one CPU: loop over the devices' shares in Python; see docs/coming-from-jax.md#names-fgrad-does-not-have
    """
    if attr not in MISSING:
        return AttributeError(f"module 'fgrad' has no attribute {attr!r}")
    origin, instead = MISSING[attr]
    return AttributeError(f"module 'fgrad' has no attribute {attr!r} (from {origin}): {instead}; see {PAGE}")
