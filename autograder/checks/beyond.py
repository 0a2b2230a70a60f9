"""Checks for notebook 05: tanh_factor_max, u_star, gru_step, gru_dh_dhprev, clip_by_norm.

Shapes: x (m,), h_prev (n,), W_* (n, m), U_* (n, n), b_* (n,); g of any shape for clip_by_norm.
"""

import numpy as np

from ..reference import beyond as ref
from ..reference.jacobian import sigmoid
from . import core
from .gated_cells import SHRINK, random_cases, random_params

RTOL = 1e-9
GATES = ("z", "r", "h_hat")
# u in [0, 5], where the maxima of the tanh factors of the likely mistakes lie.
_GRID = np.linspace(0.0, 5.0, 500_001)


def _argmax(values):
    """The grid point of _GRID where values is largest, refined by a parabola through its neighbours."""
    i = int(np.argmax(values))
    left, mid, right = values[i - 1], values[i], values[i + 1]
    step = _GRID[1] - _GRID[0]
    return float(_GRID[i] + 0.5 * step * (left - right) / (left - 2 * mid + right))


def check_tanh_factor_max(tanh_factor_max):
    """The maximum of |(1 - tanh^2 u) u|, to six significant digits."""
    core.require_assigned_value(tanh_factor_max, "tanh_factor_max", "the number")
    case = "the maximum over all real u of |(1 - tanh(u)^2) u|"
    found = core.require_real_number(tanh_factor_max, "tanh_factor_max", case)
    error = abs(found[0] - ref.tanh_factor_max) / ref.tanh_factor_max
    typed = (0.45, round(ref.tanh_factor_max, 4), round(ref.tanh_factor_max, 3))  # diagnosed below
    if 1e-6 < error < 1e-2 and found[0] not in typed:
        raise core.CheckFailed(
            f"tanh_factor_max = {found[0]!r} is close but not accurate to six significant digits "
            f"(relative error {error:.1e}, tolerance 1e-06). Likely mistake: the grid is too coarse; "
            "a grid of step h finds a smooth maximum only to about h^2, so use a finer grid (or SymPy).")
    if abs(found[0] - ref.u_star) < 1e-3 * ref.u_star:
        raise core.CheckFailed(f"tanh_factor_max = {found[0]!r} is wrong for {case}. Likely mistake: this is where the "
                               f"maximum sits (u ~ {ref.u_star:.4f}), not the maximum value.")
    core.compare(found, np.array([ref.tanh_factor_max]), name="tanh_factor_max", case=case, rtol=1e-6, mistakes={
        "0.45 is the blog's rounded bound, not the maximum: compute it": np.array([0.45]),
        "the value looks rounded: compute it in code (a fine grid, or SymPy) rather than typing digits":
            np.array([round(ref.tanh_factor_max, 4)]),
        "the value looks rounded to three digits: compute it in code rather than typing digits":
            np.array([round(ref.tanh_factor_max, 3)]),
        "this is the value at u = 1, not the maximum": np.array([(1 - np.tanh(1.0) ** 2) * 1.0]),
        "this is the maximum of 1 - tanh^2 u alone (at u = 0); the factor is (1 - tanh^2 u) u": np.array([1.0]),
        "this is the maximum of (1 - tanh u) u; the derivative of tanh is 1 - tanh^2 u":
            np.array([np.max((1 - np.tanh(_GRID)) * _GRID)]),
    })


def check_u_star(u_star):
    """The u > 0 where |(1 - tanh^2 u) u| peaks (the root of u tanh(u) = 1/2), to ten significant digits."""
    core.require_assigned_value(u_star, "u_star", "the number")
    case = "the u > 0 at which (1 - tanh(u)^2) u is largest"
    found = core.require_real_number(u_star, "u_star", case)
    error = abs(found[0] - ref.u_star) / ref.u_star
    if 1e-9 < error < 1e-3 and found[0] != round(ref.u_star, 4):
        raise core.CheckFailed(
            f"u_star = {found[0]!r} is close but not accurate to ten significant digits (relative "
            f"error {error:.1e}, tolerance 1e-09). Likely mistake: a grid or a rounded number; solve "
            "the equation the derivative gives with SymPy's nsolve instead.")
    core.compare(found, np.array([ref.u_star]), name="u_star", case=case, rtol=1e-9, mistakes={
        "this is the negative root: the maximum of |(1 - tanh^2 u) u| sits at +-u*, and the exercise asks for u > 0":
            np.array([-ref.u_star]),
        "this is the maximum value, not where it is attained": np.array([ref.tanh_factor_max]),
        "the value looks rounded: compute it with SymPy rather than typing digits": np.array([round(ref.u_star, 4)]),
        "this is where (1 - tanh u) u peaks; the derivative of tanh is 1 - tanh^2 u":
            np.array([_argmax((1 - np.tanh(_GRID)) * _GRID)]),
        "this is where (1 - tanh^2 u) peaks (u = 0); the factor is (1 - tanh^2 u) u": np.array([0.0]),
    })


def _step_mistakes(x, h_prev, p):
    """{description: h} for the classic slips in one GRU step: each wrong candidate of _gate_mistakes mixed
    in as h_hat, and the slips in the mixing itself."""
    z = sigmoid(p["W_z"] @ x + p["U_z"] @ h_prev + p["b_z"])
    r = sigmoid(p["W_r"] @ x + p["U_r"] @ h_prev + p["b_r"])
    h_hat = np.tanh(p["W_h"] @ x + p["U_h"] @ (r * h_prev) + p["b_h"])
    return {why: (1 - z) * h_prev + z * wrong for why, wrong in _gate_mistakes("h_hat", x, h_prev, p, r).items()} | {
        "z and 1 - z are swapped: here h = (1 - z) * h_prev + z * h_hat, so z is the share of the new candidate":
            z * h_prev + (1 - z) * h_hat,
        "the new state is the candidate alone: h = (1 - z) * h_prev + z * h_hat": h_hat,
        "the gates z and r are swapped (each uses the other's parameters)":
            (1 - r) * h_prev + r * np.tanh(p["W_h"] @ x + p["U_h"] @ (z * h_prev) + p["b_h"]),
    }


def _gate_mistakes(gate, x, h_prev, p, r):
    """{description: wrong value of gates[gate]}: the bias, the activation, the reset gate's place."""
    if gate == "h_hat":
        return {
            "the bias b_h is missing": np.tanh(p["W_h"] @ x + p["U_h"] @ (r * h_prev)),
            "the candidate h_hat uses the sigmoid; it is tanh(W_h x + U_h (r * h_prev) + b_h)":
                sigmoid(p["W_h"] @ x + p["U_h"] @ (r * h_prev) + p["b_h"]),
            "the reset gate multiplies U_h h_prev (r * (U_h h_prev), PyTorch's convention); here it multiplies "
            "h_prev before U_h: U_h (r * h_prev)": np.tanh(p["W_h"] @ x + r * (p["U_h"] @ h_prev) + p["b_h"]),
            "the reset gate is missing from the candidate: U_h (r * h_prev)":
                np.tanh(p["W_h"] @ x + p["U_h"] @ h_prev + p["b_h"]),
        }
    pre = p["W_" + gate] @ x + p["U_" + gate] @ h_prev
    return {f"the bias b_{gate} is missing": sigmoid(pre),
            f"the gate {gate} uses tanh; gates use the sigmoid": np.tanh(pre + p["b_" + gate])}


def _gru_args(rng, n, m):
    p = random_params(rng, ref.GRU_PARAMS, n, m, bias_scale=0.8)
    return {"x": rng.normal(size=m), "h_prev": rng.uniform(-1, 1, size=n), "params": p}


def _gru_cases():
    """(params, x, h_prev, args, case, shrink) for each shape of CASES, on a fresh generator: the inputs of
    one GRU step, and shrink(fn, name, reference, part) -> the lines of the smallest failing case."""
    for n, m, args, case, seed in random_cases(_gru_args):
        yield args["params"], args["x"], args["h_prev"], args, case, \
            lambda fn, name, reference, part=None, n=n, m=m, seed=seed: core.Shrinker(
                fn, name, _gru_args, lambda a: reference(**a), rtol=1e-8, seed=seed, part=part, **SHRINK)(
                    {"n": n, "m": m})


def check_gru_step(gru_step):
    for p, x, h_prev, args, case, shrink in _gru_cases():
        n = len(h_prev)
        found, _ = core.call(gru_step, "gru_step", args)
        if type(found) not in (tuple, list) or len(found) != 2:
            raise core.CheckFailed(
                f"gru_step should return a tuple (h, gates), but returned {core.show(found)} for {case}.")
        h, gates = found
        h_ref, gates_ref = ref.gru_step(x, h_prev, p)
        core.check_gates(gates, gates_ref, function="gru_step", position="second", tanh_gate="h_hat", n=n, case=case,
                         mistakes={g: _gate_mistakes(g, x, h_prev, p, gates_ref["r"]) for g in GATES})
        h = core.require_float_array(h, (n,), "gru_step's h", case)
        core.compare(h, h_ref, name="gru_step's h", case=case, rtol=RTOL, mistakes=_step_mistakes(x, h_prev, p),
                     shrink=lambda: shrink(gru_step, "gru_step", lambda **a: ref.gru_step(**a)[0],
                                           part=lambda result: result[0]))
        core.check_repeatable(gru_step, "gru_step", args, found)


def _jacobian_mistakes(x, h_prev, p):
    _, g = ref.gru_step(x, h_prev, p)
    z, r, h_hat = g["z"], g["r"], g["h_hat"]
    through_z = ((h_hat - h_prev) * z * (1 - z))[:, None] * p["U_z"]
    outer = (z * (1 - h_hat**2))[:, None]
    reset_direct = outer * (p["U_h"] @ np.diag(r))
    reset_gate = outer * (p["U_h"] @ ((h_prev * r * (1 - r))[:, None] * p["U_r"]))
    full = np.diag(1 - z) + through_z + reset_direct + reset_gate
    return {
        "only diag(1 - z): the terms through z, r and h_hat (they all depend on h_{t-1}) are missing": np.diag(1 - z),
        "the term through the update gate, diag((h_hat - h_{t-1}) z (1 - z)) U_z, is missing": full - through_z,
        "the sign of the update-gate term is flipped: dh/dz = h_hat - h_{t-1}, not h_{t-1} - h_hat":
            full - 2 * through_z,
        "the reset gate was treated as a constant: the term with diag(h_{t-1} r (1 - r)) U_r is missing":
            full - reset_gate,
        "d(r * h_{t-1})/dh_{t-1} starts with diag(r); that part is missing": full - reset_direct,
        "the leading term is diag(1 - z), not diag(z)": full - np.diag(1 - z) + np.diag(z),
        "you returned the transpose": full.T,
        "the tanh derivative 1 - h_hat^2 is missing": np.diag(1 - z) + through_z
            + z[:, None] * (p["U_h"] @ (np.diag(r) + (h_prev * r * (1 - r))[:, None] * p["U_r"])),
    }


def check_gru_dh_dhprev(gru_dh_dhprev):
    for p, x, h_prev, args, case, shrink in _gru_cases():
        found, _ = core.call(gru_dh_dhprev, "gru_dh_dhprev", args)
        core.require_float_array(found, (len(h_prev), len(h_prev)), "gru_dh_dhprev", case)
        core.compare(found, ref.gru_dh_dhprev(x, h_prev, p), name="gru_dh_dhprev", case=case, rtol=1e-8,
                     mistakes=_jacobian_mistakes(x, h_prev, p),
                     shrink=lambda: shrink(gru_dh_dhprev, "gru_dh_dhprev", ref.gru_dh_dhprev))
        core.check_repeatable(gru_dh_dhprev, "gru_dh_dhprev", args, found)


def _clip_cases(rng):
    """(description, g, max_norm): above and below the threshold, matrices, 3-D arrays, zero, an int bound."""
    yield "a vector whose norm is above max_norm", rng.normal(size=6) * 5, 1.0
    yield ("a 4x3 matrix whose norm is above max_norm (one entry much larger than the rest)",
           rng.normal(size=(4, 3)) + np.pad([[20.0]], ((0, 3), (0, 2))), 2.5)
    yield "a vector whose norm is below max_norm", rng.normal(size=5) * 0.1, 3.0
    yield "a 2x3x2 array whose norm is above max_norm", rng.normal(size=(2, 3, 2)) * 4, 0.5
    yield "a 3x5 matrix whose norm is below max_norm", rng.normal(size=(3, 5)) * 0.05, 1.0
    yield "an all-zero gradient", np.zeros(4), 1.0
    yield "a matrix above max_norm, with max_norm given as the int 2", rng.normal(size=(3, 3)) * 3, 2
    yield "a vector whose norm is above max_norm", rng.normal(size=6) * 5, 1.0


def _clip_mistakes(g, max_norm):
    norm = np.linalg.norm(g)
    with np.errstate(all="ignore"):
        return {
            "np.clip clips each entry to [-max_norm, max_norm]: that changes the direction of the gradient; "
            "clipping by norm rescales the whole array": np.clip(g, -max_norm, max_norm),
            "the gradient was rescaled although its norm is below max_norm; rescale only when ||g|| > max_norm":
                g * (max_norm / norm),
            "this is g / ||g||: the rescaled gradient should have norm max_norm, not 1": g / norm,
            "np.linalg.norm(g, 2) of a matrix is its largest singular value; the norm here is the square root of "
            "the sum of all squared entries (np.linalg.norm(g) or np.linalg.norm(g.ravel()))":
                g * (max_norm / np.linalg.norm(g, 2)) if g.ndim == 2 and np.linalg.norm(g, 2) > max_norm else
                np.full(g.shape, np.nan),
            "each row was clipped by its own norm; clip the whole array by its global norm":
                np.stack([row * min(1.0, max_norm / np.linalg.norm(row)) for row in g]) if g.ndim == 2 else
                np.full(g.shape, np.nan),
            "the factor is upside down: multiply by max_norm / ||g||": g * (norm / max_norm),
            "the L1 norm (sum of absolute values) was used; clip by the Euclidean norm":
                g * min(1.0, max_norm / np.sum(np.abs(g))),
        }


def _vector_like(norm, max_norm):
    """build(rng, entries) of a flat g with this norm (so on the same side of max_norm) and this max_norm."""
    def build(rng, entries):
        v = rng.normal(size=entries)
        return {"g": v * (norm / np.linalg.norm(v)), "max_norm": max_norm}
    return build


def check_clip_by_norm(clip_by_norm):
    rng, seed = core.fresh_rng()
    for description, g, max_norm in _clip_cases(rng):
        args = {"g": g, "max_norm": max_norm}
        case = f"{description} (||g|| = {np.linalg.norm(g):.4g}, max_norm = {max_norm}, random case, seed {seed})"
        found, _ = core.call(clip_by_norm, "clip_by_norm", args)
        core.require_float_array(found, g.shape, "clip_by_norm", case)
        core.compare(found, ref.clip_by_norm(g, max_norm), name="clip_by_norm", case=case, rtol=1e-12,
                     mistakes=_clip_mistakes(g, max_norm), shrink=lambda: core.Shrinker(
                         clip_by_norm, "clip_by_norm", _vector_like(np.linalg.norm(g), max_norm),
                         lambda a: ref.clip_by_norm(**a), rtol=1e-12, seed=seed, floors={"entries": 1},
                         rises={"entries": "one entry is right, so look at how the norm adds up the entries"},
                         at_floor={"entries": "a single number is wrong too"})({"entries": g.size}))
        core.check_repeatable(clip_by_norm, "clip_by_norm", args, found)
