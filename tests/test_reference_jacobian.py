"""The notebook-01 reference against finite differences and closed forms."""

import warnings

import numpy as np
import pytest

from autograder.reference import jacobian as ref
from tests.oracles import central_difference, relative_error

SHAPES = [(1, 1), (3, 2), (2, 5), (4, 4)]


def test_sigmoid_is_stable_and_correct_at_extremes():
    z = np.array([-1000.0, -745.0, -30.0, 0.0, 30.0, 745.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            s = ref.sigmoid(z)
    assert np.all(np.isfinite(s))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    np.testing.assert_allclose(s + ref.sigmoid(-z), 1.0, rtol=0, atol=1e-15)


def test_sigmoid_matches_the_textbook_formula_where_it_is_safe():
    z = np.random.default_rng(0).uniform(-30, 30, size=(5, 7))
    np.testing.assert_allclose(ref.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)


def test_sigmoid_prime_is_the_derivative_of_sigmoid():
    z = np.random.default_rng(1).uniform(-8, 8, size=11)
    numeric = np.diag(central_difference(ref.sigmoid, z))
    assert relative_error(ref.sigmoid_prime(z), numeric) < 1e-8
    assert ref.sigmoid_prime(0.0) == 0.25
    assert np.max(ref.sigmoid_prime(np.linspace(-10, 10, 2001))) <= 0.25


@pytest.mark.parametrize("n,d", SHAPES)
def test_jacobian_sigmoid_Wx_against_finite_differences(n, d):
    rng = np.random.default_rng(10 * n + d)
    W, x = rng.normal(size=(n, d)), rng.normal(size=d)
    J = ref.jacobian_sigmoid_Wx(W, x)
    assert J.shape == (n, d)
    assert relative_error(J, central_difference(lambda v: ref.sigmoid(W @ v), x)) < 1e-8


@pytest.mark.parametrize("n,d", SHAPES)
def test_numerical_jacobian_against_analytic_derivative(n, d):
    rng = np.random.default_rng(100 + 10 * n + d)
    A = rng.normal(size=(n, d))

    def f(v):
        return np.sin(3 * A @ v)

    x = rng.normal(size=d)
    analytic = (3 * np.cos(3 * A @ x))[:, None] * A
    J = ref.numerical_jacobian(f, x)
    assert J.shape == (n, d)
    assert relative_error(J, analytic) < 1e-8


def test_numerical_jacobian_uses_its_step_and_leaves_x_alone():
    x = np.array([0.3, -1.2])
    x_before = x.copy()
    coarse = ref.numerical_jacobian(np.sin, x, eps=0.5)
    # The central difference of sin with step h is cos(x) sin(h) / h, exactly.
    np.testing.assert_allclose(np.diag(coarse), np.cos(x) * np.sin(0.5) / 0.5, rtol=1e-12)
    np.testing.assert_array_equal(x, x_before)
