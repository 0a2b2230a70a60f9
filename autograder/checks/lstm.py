"""Checks for notebook 04: lstm_step, can_be_negative, cell_path_gradient, dc_dcprev.

Shapes: x (m,), h_prev, c_prev, o_prev (n,), W_* (n, m), U_* (n, n), b_* (n,); fs (K, n).
"""

import numpy as np

from ..reference import lstm as ref
from ..reference.jacobian import sigmoid
from . import core
from .gated_cells import SHRINK, random_cases, random_params

RTOL = 1e-9
GATES = ("f", "i", "o", "c_hat")


def _pre(p, g, x, h_prev):
    return p["W_" + g] @ x + p["U_" + g] @ h_prev + p["b_" + g]


def _step_mistakes(x, h_prev, c_prev, p):
    """{description: (h, c)} for the classic slips in one LSTM step."""
    f, i, o = (sigmoid(_pre(p, g, x, h_prev)) for g in "fio")
    c_hat = np.tanh(_pre(p, "c", x, h_prev))
    c = f * c_prev + i * c_hat
    c_sigmoid_candidate = f * c_prev + i * sigmoid(_pre(p, "c", x, h_prev))
    return {
        "h = o * c: the output is o * tanh(c)": (o * c, c),
        "the input gate is missing: c = f * c_prev + i * c_hat": (o * np.tanh(f * c_prev + c_hat), f * c_prev + c_hat),
        "h uses the previous cell state: h = o * tanh(c_t), with the new c_t": (o * np.tanh(c_prev), c),
        "the candidate c_hat uses the sigmoid; it is tanh(W_c x + U_c h_prev + b_c)":
            (o * np.tanh(c_sigmoid_candidate), c_sigmoid_candidate),
        "the forget gate multiplies the candidate and the input gate the old state (f and i swapped)":
            (o * np.tanh(i * c_prev + f * c_hat), i * c_prev + f * c_hat),
    }


def _step_args(rng, n, m):
    p = random_params(rng, ref.GATE_PARAMS, n, m, bias_scale=0.5)
    return {"x": rng.normal(size=m), "h_prev": rng.normal(size=n), "c_prev": rng.normal(scale=2.0, size=n),
            "params": p}


def _shrink_step(lstm_step, index, seed, n, m):
    """The smallest failing case of lstm_step's result number index (0: h, 1: c)."""
    return core.Shrinker(lstm_step, "lstm_step", _step_args, lambda a: ref.lstm_step(**a)[index], rtol=RTOL,
                         seed=seed, part=lambda result: result[index], **SHRINK)({"n": n, "m": m})


def check_lstm_step(lstm_step):
    for n, m, args, case, seed in random_cases(_step_args):
        x, h_prev, c_prev, p = args["x"], args["h_prev"], args["c_prev"], args["params"]
        found, _ = core.call(lstm_step, "lstm_step", args)
        if type(found) not in (tuple, list) or len(found) != 3:
            raise core.CheckFailed(
                f"lstm_step should return a tuple (h, c, gates), but returned {core.show(found)} for {case}.")
        h, c, gates = found
        h_ref, c_ref, gates_ref = ref.lstm_step(x, h_prev, c_prev, p)
        core.check_gates(gates, gates_ref, function="lstm_step", position="third", tanh_gate="c_hat", n=n, case=case,
                         mistakes={g: {"the bias is missing": (np.tanh if g == "c_hat" else sigmoid)(
                                           _pre(p, g[0], x, h_prev) - p["b_" + g[0]]),
                                       "tanh where the gate needs the sigmoid (or the other way round)":
                                           (sigmoid if g == "c_hat" else np.tanh)(_pre(p, g[0], x, h_prev))}
                                   for g in GATES})
        mistakes = _step_mistakes(x, h_prev, c_prev, p)
        core.compare(core.require_float_array(c, (n,), "lstm_step's c", case), c_ref, name="lstm_step's c", case=case,
                     rtol=RTOL, mistakes={why: wrong_c for why, (_, wrong_c) in mistakes.items()},
                     shrink=lambda: _shrink_step(lstm_step, 1, seed, n, m))
        h = core.require_float_array(h, (n,), "lstm_step's h", case)
        if np.any(np.abs(h) >= 1.0):
            raise core.CheckFailed(
                f"lstm_step's h = {core.show(h)} leaves (-1, 1) for {case}: h = o * tanh(c) is a gate "
                "value in (0, 1) times a tanh in (-1, 1). Is the tanh missing (h = o * c)?")
        core.compare(h, h_ref, name="lstm_step's h", case=case,
                     rtol=RTOL, mistakes={why: wrong_h for why, (wrong_h, _) in mistakes.items()},
                     shrink=lambda: _shrink_step(lstm_step, 0, seed, n, m))
        core.check_repeatable(lstm_step, "lstm_step", args, found)


def check_can_be_negative(can_be_negative):
    keys = ("f", "i", "o", "c_hat", "c", "h")
    core.require_assigned_value(can_be_negative, "can_be_negative", "a dict of six booleans")
    if type(can_be_negative) is not dict or set(can_be_negative) != set(keys):
        found = sorted(can_be_negative) if type(can_be_negative) is dict else type(can_be_negative).__name__
        raise core.CheckFailed(f"can_be_negative should be a dict with exactly the keys {list(keys)}, got {found}.")
    wrong = [k for k in keys if type(can_be_negative[k]) is not bool]
    if wrong:
        raise core.CheckFailed(f"can_be_negative's values should be True or False; not for {wrong}.")
    errors = [k for k in keys if can_be_negative[k] != ref.can_be_negative[k]]
    if errors:
        raise core.CheckFailed(
            f"can_be_negative is wrong for {len(errors)} of the 6 quantities. Look at the range of the "
            "function that produces each one, and at what c and h are built from; the empirical "
            "check in the notebook shows the signs each quantity actually takes.")


def check_cell_path_gradient(cell_path_gradient):
    rng, seed = core.fresh_rng()
    for K, n in [(5, 3), (1, 4), (30, 2), (6, 1), (5, 3)]:
        fs = rng.uniform(0.05, 1.0, size=(K, n))
        case = f"fs of shape ({K}, {n}) (random case, seed {seed})"
        found, _ = core.call(cell_path_gradient, "cell_path_gradient", {"fs": fs})
        core.require_float_array(found, (n,), "cell_path_gradient", case)
        core.compare(found, ref.cell_path_gradient(fs), name="cell_path_gradient", case=case, rtol=RTOL, mistakes={
            "a sum instead of a product: the chain rule multiplies the factors of successive steps": fs.sum(axis=0),
            "this is the mean of the forget gates, not their product": fs.mean(axis=0),
            "only the last step's forget gate": fs[-1],
            "only the first step's forget gate": fs[0],
            "one factor too many or too few: dc_t/dc_k has one factor per step from k+1 to t":
                np.prod(fs[1:], axis=0) if K > 1 else np.ones(n),
        }, shrink=lambda: core.Shrinker(
            cell_path_gradient, "cell_path_gradient", lambda r, K, n: {"fs": r.uniform(0.05, 1.0, size=(K, n))},
            lambda a: ref.cell_path_gradient(**a), rtol=RTOL, seed=seed, floors={"K": 1, "n": 1},
            rises={"K": "one step is right, so the error is in how the steps combine"},
            at_floor={"K": "a single step is wrong: with one forget gate the answer is that gate"})({"K": K, "n": n}))
        core.check_repeatable(cell_path_gradient, "cell_path_gradient", {"fs": fs}, found)
    ones = np.ones((50, 3))
    found, _ = core.call(cell_path_gradient, "cell_path_gradient", {"fs": ones})
    core.compare(core.require_float_array(found, (3,), "cell_path_gradient", "fs = ones((50, 3))"), np.ones(3),
                 name="cell_path_gradient", case="fs = ones((50, 3)), the forget gate always open", rtol=RTOL)


def _dc_mistakes(x, c_prev, o_prev, p):
    h_prev = o_prev * np.tanh(c_prev)
    _, _, g = ref.lstm_step(x, h_prev, c_prev, p)
    D = o_prev * (1 - np.tanh(c_prev) ** 2)
    terms = [(c_prev * g["f"] * (1 - g["f"]))[:, None] * p["U_f"],
             (g["c_hat"] * g["i"] * (1 - g["i"]))[:, None] * p["U_i"],
             (g["i"] * (1 - g["c_hat"] ** 2))[:, None] * p["U_c"]]
    full = np.diag(g["f"]) + sum(terms) * D[None, :]
    return {
        "only diag(f): the three terms through h_{t-1} (the gates and the candidate depend on c_{t-1}) are missing":
            np.diag(g["f"]),
        "the term through the forget gate, diag(c_{t-1} f (1 - f)) U_f dh_{t-1}/dc_{t-1}, is missing":
            full - terms[0] * D[None, :],
        "the term through the input gate, diag(c_hat i (1 - i)) U_i dh_{t-1}/dc_{t-1}, is missing":
            full - terms[1] * D[None, :],
        "the term through the candidate, diag(i (1 - c_hat^2)) U_c dh_{t-1}/dc_{t-1}, is missing":
            full - terms[2] * D[None, :],
        "you returned the transpose": full.T,
        "dh_{t-1}/dc_{t-1} is diag(o_{t-1} (1 - tanh^2 c_{t-1})); the factor o_{t-1} is missing":
            np.diag(g["f"]) + sum(terms) * (1 - np.tanh(c_prev) ** 2)[None, :],
        "dh_{t-1}/dc_{t-1} is diag(o_{t-1} (1 - tanh^2 c_{t-1})); the tanh derivative is missing":
            np.diag(g["f"]) + sum(terms) * o_prev[None, :],
        "dh_{t-1}/dc_{t-1} multiplies the columns (on the right), not the rows":
            np.diag(g["f"]) + D[:, None] * sum(terms),
    }


def _dc_args(rng, n, m):
    p = random_params(rng, ref.GATE_PARAMS, n, m, bias_scale=0.5)
    return {"x": rng.normal(size=m), "c_prev": rng.normal(size=n), "o_prev": rng.uniform(0.1, 0.9, size=n),
            "params": p}


def check_dc_dcprev(dc_dcprev):
    for n, m, args, case, seed in random_cases(_dc_args):
        x, c_prev, o_prev, p = args["x"], args["c_prev"], args["o_prev"], args["params"]
        found, _ = core.call(dc_dcprev, "dc_dcprev", args)
        core.require_float_array(found, (n, n), "dc_dcprev", case)
        core.compare(found, ref.dc_dcprev(x, c_prev, o_prev, p), name="dc_dcprev", case=case, rtol=1e-8,
                     mistakes=_dc_mistakes(x, c_prev, o_prev, p), shrink=lambda: core.Shrinker(
                         dc_dcprev, "dc_dcprev", _dc_args, lambda a: ref.dc_dcprev(**a), rtol=1e-8, seed=seed,
                         **SHRINK)({"n": n, "m": m}))
        core.check_repeatable(dc_dcprev, "dc_dcprev", args, found)
