"""Notebook 02: backpropagation through time for h_t = sigma(W h_{t-1} + U x_t).

Shapes: W (n, n), U (n, m), xs (T+1, m), h_init (n,), dL_dh (T+1, n).
"""

import numpy as np

from .jacobian import sigmoid, sigmoid_prime


def rnn_forward(W, U, xs, h_init):
    """Hidden states h_0..h_T, shape (T+1, n); h_init stands in for h_{-1}."""
    h = np.asarray(h_init, dtype=float)
    hs = []
    for x in np.asarray(xs, dtype=float):
        h = sigmoid(W @ h + U @ x)
        hs.append(h)
    return np.array(hs).reshape(len(hs), len(h))


def step_jacobian(W, U, x_t, h_prev):
    """dh_t/dh_{t-1} = diag(sigma'(W h_prev + U x_t)) W, shape (n, n)."""
    return sigmoid_prime(W @ h_prev + U @ x_t)[:, None] * W


def immediate_dh_dW(W, U, x_t, h_prev):
    """d+h_t/dW with h_{t-1} held fixed: [i, a, b] = delta_ia sigma'(s)_i h_prev_b, (n, n, n)."""
    s_prime = sigmoid_prime(W @ h_prev + U @ x_t)
    n = len(s_prime)
    return np.einsum("ia,i,b->iab", np.eye(n), s_prime, np.asarray(h_prev, dtype=float))


def _previous_states(hs, h_init):
    """h_{t-1} for t = 0..T, shape (T+1, n)."""
    return np.vstack([np.asarray(h_init, dtype=float)[None, :], hs[:-1]])


def contribution_terms(W, U, xs, h_init, dL_dh):
    """Yield (t, k, term) for k <= t, term = dL_t/dh_t dh_t/dh_k d+h_k/dW, (n, n)."""
    xs = np.asarray(xs, dtype=float)
    hs = rnn_forward(W, U, xs, h_init)
    prev = _previous_states(hs, h_init)
    for t in range(len(xs)):
        row = np.asarray(dL_dh[t], dtype=float)  # dL_t/dh_k as a row vector, k going down from t
        for k in range(t, -1, -1):
            yield t, k, np.tensordot(row, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1)
            if k > 0:
                row = row @ step_jacobian(W, U, xs[k], prev[k])


def bptt_double_sum(W, U, xs, h_init, dL_dh):
    """dL/dW (n, n) as the literal double sum over t and k = 0..t."""
    return sum(term for _, _, term in contribution_terms(W, U, xs, h_init, dL_dh))


def contribution_norms(W, U, xs, h_init, dL_dh):
    """(T+1, T+1): [t, k] = Frobenius norm of the (t, k) term for k <= t, else 0."""
    size = len(xs)
    norms = np.zeros((size, size))
    for t, k, term in contribution_terms(W, U, xs, h_init, dL_dh):
        norms[t, k] = np.linalg.norm(term)
    return norms


def bptt(W, U, xs, h_init, dL_dh):
    """dL/dW (n, n) by the backward recursion, O(T n^2)."""
    xs = np.asarray(xs, dtype=float)
    hs = rnn_forward(W, U, xs, h_init)
    prev = _previous_states(hs, h_init)
    grad = np.zeros_like(np.asarray(W, dtype=float))
    carried = np.zeros(hs.shape[1])  # dL/dh_t through later time steps
    for t in range(len(xs) - 1, -1, -1):
        delta = (np.asarray(dL_dh[t], dtype=float) + carried) * sigmoid_prime(W @ prev[t] + U @ xs[t])
        grad += np.outer(delta, prev[t])
        carried = W.T @ delta
    return grad


def bptt_truncated(W, U, xs, h_init, dL_dh, tau):
    """dL/dW (n, n) from the double-sum terms with t - k <= tau only; tau >= T gives bptt."""
    xs = np.asarray(xs, dtype=float)
    hs = rnn_forward(W, U, xs, h_init)
    prev = _previous_states(hs, h_init)
    s_primes = sigmoid_prime(prev @ np.asarray(W, dtype=float).T + xs @ np.asarray(U, dtype=float).T)
    grad = np.zeros_like(np.asarray(W, dtype=float))
    for t in range(len(xs)):
        delta = np.asarray(dL_dh[t], dtype=float) * s_primes[t]  # dL_t/ds_k, k going down from t
        for k in range(t, max(t - tau, 0) - 1, -1):
            grad += np.outer(delta, prev[k])
            if k > 0:
                delta = (W.T @ delta) * s_primes[k - 1]
    return grad


def forward_mode_dW(W, U, xs, h_init, dL_dh):
    """dL/dW (n, n) in forward mode: P_t = dh_t/dW (n, n, n), P_t = J_t P_{t-1} + d+h_t/dW, P_{-1} = 0."""
    xs = np.asarray(xs, dtype=float)
    hs = rnn_forward(W, U, xs, h_init)
    prev = _previous_states(hs, h_init)
    n = len(hs[0])
    P, grad = np.zeros((n, n, n)), np.zeros((n, n))
    for t in range(len(xs)):
        P = np.tensordot(step_jacobian(W, U, xs[t], prev[t]), P, axes=1) + immediate_dh_dW(W, U, xs[t], prev[t])
        grad += np.tensordot(np.asarray(dL_dh[t], dtype=float), P, axes=1)
    return grad
