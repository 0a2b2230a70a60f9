"""Notebook 04: the LSTM step and the cell-state derivative (homework Ex.3).

Shapes: x (m,), h_prev and c_prev (n,), W_* (n, m), U_* (n, n), b_* (n,).
"""

import numpy as np

from .jacobian import sigmoid

GATE_PARAMS = ("W_f", "U_f", "b_f", "W_i", "U_i", "b_i", "W_o", "U_o", "b_o", "W_c", "U_c", "b_c")


def _preactivation(params, gate, x, h_prev):
    return params["W_" + gate] @ x + params["U_" + gate] @ h_prev + params["b_" + gate]


def lstm_step(x, h_prev, c_prev, params):
    """One LSTM step: returns (h (n,), c (n,), gates) with gates {"f", "i", "o", "c_hat"} -> (n,)."""
    gates = {g: sigmoid(_preactivation(params, g, x, h_prev)) for g in ("f", "i", "o")}
    gates["c_hat"] = np.tanh(_preactivation(params, "c", x, h_prev))
    c = gates["f"] * c_prev + gates["i"] * gates["c_hat"]
    h = gates["o"] * np.tanh(c)
    return h, c, gates


# Ex.3b: sigmoid gates lie in (0, 1); tanh outputs, and what they feed, can be negative.
can_be_negative = {"f": False, "i": False, "o": False, "c_hat": True, "c": True, "h": True}


def cell_path_gradient(fs):
    """dC_t/dC_k along the direct cell path: product of forget gates fs (K, n) -> (n,)."""
    return np.prod(np.asarray(fs, dtype=float), axis=0)


def dc_dcprev(x, c_prev, o_prev, params):
    """Full dc_t/dc_{t-1} (n, n) with h_{t-1} = o_prev * tanh(c_prev), o_prev held fixed.

    diag(f) + diag(c_prev f(1-f)) U_f D + diag(c_hat i(1-i)) U_i D + diag(i (1-c_hat^2)) U_c D,
    where D = diag(o_prev (1 - tanh^2 c_prev)) = dh_{t-1}/dc_{t-1}.
    """
    c_prev = np.asarray(c_prev, dtype=float)
    h_prev = o_prev * np.tanh(c_prev)
    _, _, g = lstm_step(x, h_prev, c_prev, params)
    dh_dc = o_prev * (1.0 - np.tanh(c_prev) ** 2)
    forget_term = (c_prev * g["f"] * (1 - g["f"]))[:, None] * params["U_f"]
    input_term = (g["c_hat"] * g["i"] * (1 - g["i"]))[:, None] * params["U_i"]
    candidate_term = (g["i"] * (1 - g["c_hat"] ** 2))[:, None] * params["U_c"]
    return np.diag(g["f"]) + (forget_term + input_term + candidate_term) * dh_dc[None, :]
