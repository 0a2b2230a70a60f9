"""Independent oracles for the reference solutions: finite differences written here, not imported."""

import numpy as np


def central_difference(f, x, eps=1e-6):
    """d f / d x by central differences for any array shapes: result has shape f(x).shape + x.shape."""
    x = np.asarray(x, dtype=float)
    fx = np.asarray(f(x), dtype=float)
    out = np.empty(fx.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        bump = np.zeros_like(x)
        bump[idx] = eps
        out[(...,) + idx] = (np.asarray(f(x + bump)) - np.asarray(f(x - bump))) / (2 * eps)
    return out


def relative_error(a, b):
    """||a - b|| / max(||b||, 1e-300)."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / max(np.linalg.norm(b), 1e-300))


def random_rnn(rng, n, m, T, scale=1.0):
    """A random simple RNN problem: W (n, n), U (n, m), xs (T+1, m), h_init (n,), dL_dh (T+1, n)."""
    return (
        rng.normal(scale=scale, size=(n, n)),
        rng.normal(size=(n, m)),
        rng.normal(size=(T + 1, m)),
        rng.normal(size=n),
        rng.normal(size=(T + 1, n)),
    )


def random_lstm_params(rng, n, m, scale=0.5):
    """LSTM parameters in the contract's dict form, W_* (n, m), U_* (n, n), b_* (n,)."""
    params = {}
    for gate in "fioc":
        params["W_" + gate] = rng.normal(scale=scale, size=(n, m))
        params["U_" + gate] = rng.normal(scale=scale, size=(n, n))
        params["b_" + gate] = rng.normal(scale=scale, size=n)
    return params
