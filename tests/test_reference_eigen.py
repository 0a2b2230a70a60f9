"""The notebook-03 reference: powers via the eigendecomposition, spectral radius, regime."""

import numpy as np
import pytest

from autograder.reference import eigen as ref
from tests.oracles import relative_error


@pytest.mark.parametrize("k,n", [(2, 30), (3, 7), (5, 12)])
def test_power_via_eig_with_a_non_orthogonal_basis(k, n):
    rng = np.random.default_rng(k * n)
    Q = rng.normal(size=(k, k)) + 2 * np.eye(k)
    assert not np.allclose(Q @ Q.T, np.eye(k))
    lam = rng.uniform(-1.2, 1.2, size=k)
    M = Q @ np.diag(lam) @ np.linalg.inv(Q)
    assert relative_error(ref.power_via_eig(Q, lam, n), np.linalg.matrix_power(M, n)) < 1e-9


def test_power_via_eig_with_complex_eigenvalues():
    M = np.array([[0.6, -0.9], [0.5, 0.4]])  # a rotation-like, non-normal matrix
    lam, Q = np.linalg.eig(M)
    assert np.iscomplexobj(lam)
    P = ref.power_via_eig(Q, lam, 9)
    np.testing.assert_allclose(P, np.linalg.matrix_power(M, 9), rtol=1e-10, atol=1e-14)


def test_W30_is_the_homework_value_to_eight_digits():
    expected = np.array([[0.01526082, 0.02034776], [0.02034776, 0.02713034]])
    assert ref.W30.shape == (2, 2) and ref.W30.dtype == np.float64
    assert np.all(np.round(ref.W30, 8) == expected)
    W = ref.HOMEWORK_Q @ np.diag(ref.HOMEWORK_LAMBDA) @ np.linalg.inv(ref.HOMEWORK_Q)
    np.testing.assert_allclose(ref.W30, np.linalg.matrix_power(W, 30), rtol=1e-12)


def test_spectral_radius_and_regime():
    N = np.array([[0.5, 10.0], [0.0, -0.9]])  # non-normal: spectral norm far above the radius
    assert ref.spectral_radius(N) == pytest.approx(0.9)
    assert np.linalg.norm(N, 2) > 5
    assert ref.gradient_regime(N) == "vanishing"
    assert ref.gradient_regime(np.diag([-1.5, 0.1])) == "exploding"
    assert ref.gradient_regime(np.array([[0.0, -1.0], [1.0, 0.0]])) == "neutral"  # eigenvalues +-i
    assert ref.gradient_regime(np.eye(2) * (1 + 1e-12)) == "neutral"
    assert ref.gradient_regime(np.eye(2) * (1 + 1e-6)) == "exploding"
    assert ref.gradient_regime(np.eye(2) * (1 + 1e-6), tol=1e-3) == "neutral"
