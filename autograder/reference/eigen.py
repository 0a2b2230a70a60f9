"""Notebook 03: matrix powers through the eigendecomposition (homework Ex.2b, Ex.2c)."""

import numpy as np


def power_via_eig(Q, lam, n):
    """Q diag(lam**n) Q^{-1}; Q (k, k) need not be orthogonal, lam (k,). Shape (k, k)."""
    Q = np.asarray(Q)
    scaled = Q * (np.asarray(lam) ** n)[None, :]  # Q diag(lam^n)
    # X Q = scaled  <=>  Q^T X^T = scaled^T
    return np.linalg.solve(Q.T, scaled.T).T


HOMEWORK_Q = np.array([[-0.6, -0.8], [-0.8, 0.6]])
HOMEWORK_LAMBDA = np.array([0.9, 0.4])

W30 = np.real_if_close(power_via_eig(HOMEWORK_Q, HOMEWORK_LAMBDA, 30))


def spectral_radius(M):
    """Largest absolute eigenvalue of the square matrix M, a float."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(M)))))


def gradient_regime(M, tol=1e-9):
    """"vanishing" if rho(M) < 1, "exploding" if rho(M) > 1, "neutral" if |rho - 1| <= tol."""
    rho = spectral_radius(M)
    if abs(rho - 1.0) <= tol:
        return "neutral"
    return "vanishing" if rho < 1.0 else "exploding"
