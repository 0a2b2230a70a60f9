"""Notebook 01: the Jacobian of y = sigma(W x) (homework Ex.1a)."""

import numpy as np


def sigmoid(z):
    """Logistic sigmoid, elementwise; no overflow for large |z|. Shape of ``z``."""
    z = np.asarray(z, dtype=float)
    # exp of a non-positive number never overflows: write both branches that way.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)), elementwise. Shape of ``z``."""
    s = sigmoid(z)
    return s * (1.0 - s)


def jacobian_sigmoid_Wx(W, x):
    """dy/dx for y = sigma(W x): W (n, d), x (d,) -> (n, d) = diag(sigma'(W x)) W."""
    W = np.asarray(W, dtype=float)
    return sigmoid_prime(W @ np.asarray(x, dtype=float))[:, None] * W


def numerical_jacobian(f, x, eps=1e-6):
    """Central-difference Jacobian of f at x: x (d,) -> (len(f(x)), d)."""
    x = np.array(x, dtype=float)
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = eps
        columns.append((np.asarray(f(x + step), dtype=float) - np.asarray(f(x - step), dtype=float)) / (2 * eps))
    return np.stack(columns, axis=1)
