"""Checks for notebook 01: sigmoid, sigmoid_prime, jacobian_sigmoid_Wx, numerical_jacobian."""

import numpy as np

from ..reference import jacobian as ref
from ..sandbox.wire import Probe
from .core import CheckFailed, Shrinker, call, check_repeatable, compare, fresh_rng, require_float_array

RTOL = 1e-8


def _case(seed, **shapes):
    parts = ", ".join(f"{k} of shape {v}" for k, v in shapes.items())
    return f"{parts} (random case, seed {seed})"


def _shrink_elementwise(fn, name, reference, low, high, seed, size):
    """The smallest failing case of an elementwise function: the fewest entries of z, flattened."""
    return Shrinker(fn, name, lambda rng, entries: {"z": rng.uniform(low, high, size=entries)},
                    lambda a: reference(a["z"]), rtol=RTOL, seed=seed, floors={"entries": 1},
                    rises={"entries": "one number at a time is right, so the error is in how the entries are "
                                      "combined: an elementwise function treats each entry alone"},
                    at_floor={"entries": "it is wrong for a single number"})({"entries": size})


def check_sigmoid(sigmoid):
    """Values on random arrays of several shapes, then stability at z = +-1000."""
    rng, seed = fresh_rng()
    for shape in [(7,), (3, 4), (1,), (7,)]:  # a shape twice: stale answers show
        z = rng.uniform(-15, 15, size=shape)  # every stable formula keeps 1e-8 relative accuracy here
        case = _case(seed, z=shape)
        found, _ = call(sigmoid, "sigmoid", {"z": z})
        require_float_array(found, shape, "sigmoid", case)
        compare(found, ref.sigmoid(z), name="sigmoid", case=case, rtol=RTOL, mistakes={
            "the sign in the exponent: you computed sigma(-z) = 1 / (1 + exp(z))": ref.sigmoid(-z),
            "this is tanh(z), not the logistic sigmoid": np.tanh(z),
            "this is exp(-z), the sigmoid needs 1 / (1 + exp(-z))": np.exp(-z),
        }, shrink=lambda: _shrink_elementwise(sigmoid, "sigmoid", ref.sigmoid, -15, 15, seed, z.size))
        check_repeatable(sigmoid, "sigmoid", {"z": z}, found)
    extremes = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    found, overflow = call(sigmoid, "sigmoid", {"z": extremes}, quiet=False)
    require_float_array(found, extremes.shape, "sigmoid", "z = [-1000, -50, 0, 50, 1000]")
    if overflow or not np.all(np.isfinite(found)):
        raise CheckFailed(
            "sigmoid is not numerically stable: for z = [-1000, -50, 0, 50, 1000] it "
            + (f"warned {overflow[0]!r}" if overflow else f"returned {found}")
            + ". exp(1000) overflows; compute with exp(-|z|), which never exceeds 1, "
            "and pick the formula by the sign of z."
        )
    compare(found, ref.sigmoid(extremes), name="sigmoid", case="z = [-1000, -50, 0, 50, 1000]", rtol=RTOL)


def check_sigmoid_prime(sigmoid_prime):
    """Values on random arrays of several shapes, with the usual mix-ups named."""
    rng, seed = fresh_rng()
    for shape in [(9,), (2, 3), (9,)]:
        z = rng.uniform(-8, 8, size=shape)
        case = _case(seed, z=shape)
        found, _ = call(sigmoid_prime, "sigmoid_prime", {"z": z})
        require_float_array(found, shape, "sigmoid_prime", case)
        s = ref.sigmoid(z)
        compare(found, ref.sigmoid_prime(z), name="sigmoid_prime", case=case, rtol=RTOL, mistakes={
            "z (1 - z): the formula s (1 - s) needs s = sigmoid(z), not z itself": z * (1 - z),
            "sigma'(sigma(z)): you applied the derivative to the output instead of the input": ref.sigmoid_prime(s),
            "this is sigmoid(z) itself, not its derivative": s,
            "1 - sigmoid(z)^2 is the tanh-style formula; the sigmoid's is sigmoid(z) (1 - sigmoid(z))": 1 - s**2,
            "the sign: sigma' is positive everywhere": -ref.sigmoid_prime(z),
        }, shrink=lambda: _shrink_elementwise(sigmoid_prime, "sigmoid_prime", ref.sigmoid_prime, -8, 8, seed, z.size))
        check_repeatable(sigmoid_prime, "sigmoid_prime", {"z": z}, found)


def _layer(rng, n, d):
    return {"W": rng.normal(scale=1.5, size=(n, d)), "x": rng.normal(size=d)}


def check_jacobian_sigmoid_Wx(jacobian_sigmoid_Wx):
    """diag(sigma'(Wx)) W on non-square and square random cases."""
    rng, seed = fresh_rng()
    for n, d in [(4, 4), (3, 2), (2, 5), (1, 3), (3, 2)]:  # square first: W diag(sigma') only fits there
        W, x = _layer(rng, n, d).values()
        case = _case(seed, W=(n, d), x=(d,))
        found, _ = call(jacobian_sigmoid_Wx, "jacobian_sigmoid_Wx", {"W": W, "x": x})
        require_float_array(found, (n, d), "jacobian_sigmoid_Wx", case)
        a = W @ x
        expected = ref.jacobian_sigmoid_Wx(W, x)
        mistakes = {
            "you returned the transpose of the Jacobian": expected.T,
            "W diag(sigma') instead of diag(sigma') W: the diagonal factor multiplies the rows of W": (
                W * ref.sigmoid_prime(a)[None, :] if n == d else np.full((n, d), np.nan)),
            "sigma' evaluated at the output y = sigma(Wx) instead of at the pre-activation Wx": (
                ref.sigmoid_prime(ref.sigmoid(a))[:, None] * W),
            "diag(sigma(Wx)) W: the factor is the derivative sigma', not sigma itself": ref.sigmoid(a)[:, None] * W,
            "the factor diag(sigma'(Wx)) is missing: you returned W": W,
            "outer(sigma'(Wx), x) is dy/dW, the derivative with respect to the weights, not to x": (
                np.outer(ref.sigmoid_prime(a), x)),
            "the sign: sigma' is positive, so the Jacobian has the signs of W": -expected,
            "1 - tanh^2 is the derivative of tanh; this layer uses the sigmoid": (1 - np.tanh(a) ** 2)[:, None] * W,
            "sigma' evaluated at x instead of at the pre-activation Wx": (
                ref.sigmoid_prime(x)[:, None] * W if n == d else np.full((n, d), np.nan)),
            "np.diag(s) * W multiplies entry by entry and keeps only the diagonal; use np.diag(s) @ W": (
                np.diag(ref.sigmoid_prime(a)) * W if n == d else np.full((n, d), np.nan)),
        }
        compare(found, expected, name="jacobian_sigmoid_Wx", case=case, rtol=RTOL, mistakes=mistakes,
                shrink=lambda: Shrinker(
                    jacobian_sigmoid_Wx, "jacobian_sigmoid_Wx", _layer, lambda a: ref.jacobian_sigmoid_Wx(**a),
                    rtol=RTOL, seed=seed, floors={"n": 1, "d": 1},
                    rises={"n": "one output is right, so look at how the rows of W are scaled",
                           "d": "one input is right, so look at the columns of W and at W x"},
                    at_floor={"n": "one output, y = sigma(w . x), is already wrong"})({"n": n, "d": d}))
        check_repeatable(jacobian_sigmoid_Wx, "jacobian_sigmoid_Wx", {"W": W, "x": x}, found)


def _forward_difference(f, x, eps):
    return np.stack([(f(x + eps * e) - f(x)) / eps for e in np.eye(len(x))], axis=1)


def _backward_difference(f, x, eps):
    return np.stack([(f(x) - f(x - eps * e)) / eps for e in np.eye(len(x))], axis=1)


def _curved_map(rng, m, d):
    """The arguments of a numerical_jacobian case: f(x) = sin(3 A x) with A (m, d), and x (d,)."""
    A = rng.normal(size=(m, d))
    return {"f": Probe("lambda v: np.sin(3 * A @ v)", A=A), "x": rng.normal(scale=2.0, size=d)}


def _curved_map_jacobian(args):
    A, x = args["f"].env["A"], args["x"]
    return (3 * np.cos(3 * A @ x))[:, None] * A


def check_numerical_jacobian(numerical_jacobian):
    """Central differences of a curved map R^d -> R^m (m != d), at the default and at a given eps."""
    rng, seed = fresh_rng()
    for m, d in [(3, 2), (1, 4), (4, 4), (3, 2)]:
        A = rng.normal(size=(m, d))
        x = rng.normal(scale=2.0, size=d)  # some |x_j| > 1: a step scaled by |x_j| shows

        f = Probe("lambda v: np.sin(3 * A @ v)", A=A)  # shippable to an isolated process
        analytic = (3 * np.cos(3 * A @ x))[:, None] * A
        case = _case(seed, x=(d,)) + f", f(x) = sin(3 A x) with A of shape {(m, d)}"
        found, _ = call(numerical_jacobian, "numerical_jacobian", {"f": f, "x": x})
        require_float_array(found, (m, d), "numerical_jacobian", case)
        shrink = Shrinker(numerical_jacobian, "numerical_jacobian", _curved_map, _curved_map_jacobian, rtol=1e-7,
                          seed=seed, floors={"d": 1, "m": 1},
                          rises={"d": "one input is right, so look at how the columns (one per x_j) are built",
                                 "m": "one output is right, so look at how the rows (one per f_i) are stacked"},
                          at_floor={"d": "a single input is wrong, so the difference quotient itself is"})
        compare(found, analytic, name="numerical_jacobian", case=case + ", default eps", rtol=1e-7,
                shrink=lambda: shrink({"m": m, "d": d}), mistakes={
            "you returned the transpose: row i should hold the derivatives of f_i": analytic.T,
            "a forward difference (f(x + eps) - f(x)) / eps is only first-order accurate; "
            "use the central difference (f(x + eps) - f(x - eps)) / (2 eps)": _forward_difference(f, x, 1e-6),
            "the central difference must divide by 2 eps, not eps": 2 * analytic,
            "a backward difference (f(x) - f(x - eps)) / eps is only first-order accurate; "
            "use the central difference": _backward_difference(f, x, 1e-6),
        })
        coarse = ref.numerical_jacobian(f, x, eps=1e-2)
        found, _ = call(numerical_jacobian, "numerical_jacobian", {"f": f, "x": x, "eps": 1e-2})
        require_float_array(found, (m, d), "numerical_jacobian", case)
        compare(found, coarse, name="numerical_jacobian", case=case + ", eps = 0.01", rtol=1e-9, mistakes={
            "the step ignores the eps argument": ref.numerical_jacobian(f, x),
            "a forward difference instead of the central difference": _forward_difference(f, x, 1e-2),
            "a backward difference instead of the central difference": _backward_difference(f, x, 1e-2),
            "the central difference must divide by 2 eps, not eps": 2 * coarse,
        })
