"""Notebook 05: beyond the homework (the tanh bound, the GRU, gradient clipping).

GRU in the notation of the blog seeds, elementwise ``*``, sigmoid gates:
``z = sigma(W_z x + U_z h_prev + b_z)``, ``r = sigma(W_r x + U_r h_prev + b_r)``,
``h_hat = tanh(W_h x + U_h (r * h_prev) + b_h)``, ``h = (1 - z) * h_prev + z * h_hat``.
Shapes: x (m,), h_prev (n,), W_* (n, m), U_* (n, n), b_* (n,).
"""

import numpy as np

from .jacobian import sigmoid

GRU_PARAMS = ("W_z", "U_z", "b_z", "W_r", "U_r", "b_r", "W_h", "U_h", "b_h")


def _tanh_factor_argmax():
    """The u > 0 where |(1 - tanh^2 u) u| is largest: the root of u tanh(u) = 1/2, by Newton's method."""
    u = 0.77
    for _ in range(50):
        t = np.tanh(u)
        u -= (u * t - 0.5) / (t + u * (1.0 - t * t))
    return float(u)


u_star = _tanh_factor_argmax()                                  # ~ 0.7717
tanh_factor_max = float((1.0 - np.tanh(u_star) ** 2) * u_star)  # ~ 0.4477


def gru_step(x, h_prev, params):
    """One GRU step: returns (h (n,), gates) with gates {"z", "r", "h_hat"} -> (n,)."""
    z = sigmoid(params["W_z"] @ x + params["U_z"] @ h_prev + params["b_z"])
    r = sigmoid(params["W_r"] @ x + params["U_r"] @ h_prev + params["b_r"])
    h_hat = np.tanh(params["W_h"] @ x + params["U_h"] @ (r * h_prev) + params["b_h"])
    return (1.0 - z) * h_prev + z * h_hat, {"z": z, "r": r, "h_hat": h_hat}


def gru_dh_dhprev(x, h_prev, params):
    """dh_t/dh_{t-1} (n, n) of one GRU step:

    diag(1 - z) + diag((h_hat - h_prev) z (1 - z)) U_z
                + diag(z (1 - h_hat^2)) U_h (diag(r) + diag(h_prev r (1 - r)) U_r).
    """
    h_prev = np.asarray(h_prev, dtype=float)
    _, g = gru_step(x, h_prev, params)
    z, r, h_hat = g["z"], g["r"], g["h_hat"]
    through_z = ((h_hat - h_prev) * z * (1.0 - z))[:, None] * params["U_z"]
    d_reset_input = np.diag(r) + (h_prev * r * (1.0 - r))[:, None] * params["U_r"]  # d(r * h_prev)/dh_prev
    through_h_hat = (z * (1.0 - h_hat**2))[:, None] * (params["U_h"] @ d_reset_input)
    return np.diag(1.0 - z) + through_z + through_h_hat


def clip_by_norm(g, max_norm):
    """Rescale g (any shape) by max_norm / ||g|| when ||g|| > max_norm; else return it unchanged (a copy)."""
    g = np.asarray(g, dtype=float)
    norm = np.sqrt(np.sum(g * g))
    if norm > max_norm:
        return g * (max_norm / norm)
    return g.copy()
