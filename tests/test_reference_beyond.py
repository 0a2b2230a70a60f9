"""The notebook-05 reference: the tanh bound, the GRU step and its Jacobian, gradient clipping."""

import numpy as np
import pytest
import sympy as sp

from autograder.reference import beyond as ref
from tests.oracles import central_difference, relative_error


def logistic(z):
    return 1 / (1 + np.exp(-z))


def random_gru_params(rng, n, m, scale=0.8):
    return {name: rng.normal(scale=scale, size=(n, m) if name[0] == "W" else (n, n) if name[0] == "U" else n)
            for name in ref.GRU_PARAMS}


def test_tanh_factor_max_agrees_with_sympy_and_a_grid():
    u = sp.symbols("u", positive=True)
    factor = (1 - sp.tanh(u) ** 2) * u
    u_star = sp.nsolve(sp.diff(factor, u), u, 0.8, prec=30)
    assert ref.u_star == pytest.approx(float(u_star), rel=1e-14)
    assert ref.tanh_factor_max == pytest.approx(float(factor.subs(u, u_star)), rel=1e-14)
    grid = np.linspace(-6, 6, 1_200_001)
    assert ref.tanh_factor_max == pytest.approx(np.max(np.abs((1 - np.tanh(grid) ** 2) * grid)), rel=1e-10)
    assert 0.447 < ref.tanh_factor_max < 0.448


@pytest.mark.parametrize("n,m", [(1, 1), (3, 2), (2, 5)])
def test_gru_step_against_the_equations_element_by_element(n, m):
    rng = np.random.default_rng(n + 7 * m)
    p = random_gru_params(rng, n, m)
    x, h_prev = rng.normal(size=m), rng.normal(size=n)
    h, gates = ref.gru_step(x, h_prev, p)
    assert set(gates) == {"z", "r", "h_hat"}
    r = [logistic(sum(p["W_r"][j, a] * x[a] for a in range(m)) + sum(p["U_r"][j, b] * h_prev[b] for b in range(n))
                  + p["b_r"][j]) for j in range(n)]
    for j in range(n):
        z = logistic(sum(p["W_z"][j, a] * x[a] for a in range(m)) + sum(p["U_z"][j, b] * h_prev[b] for b in range(n))
                     + p["b_z"][j])
        h_hat = np.tanh(sum(p["W_h"][j, a] * x[a] for a in range(m))
                        + sum(p["U_h"][j, b] * r[b] * h_prev[b] for b in range(n)) + p["b_h"][j])
        assert gates["z"][j] == pytest.approx(z) and gates["h_hat"][j] == pytest.approx(h_hat)
        assert h[j] == pytest.approx((1 - z) * h_prev[j] + z * h_hat)


@pytest.mark.parametrize("n,m", [(1, 2), (3, 2), (4, 3)])
def test_gru_dh_dhprev_against_finite_differences(n, m):
    rng = np.random.default_rng(5 * n + m)
    p = random_gru_params(rng, n, m)
    x, h_prev = rng.normal(size=m), rng.normal(size=n)
    J = ref.gru_dh_dhprev(x, h_prev, p)
    assert J.shape == (n, n)
    assert relative_error(J, central_difference(lambda h: ref.gru_step(x, h, p)[0], h_prev)) < 1e-8


def test_gru_dh_dhprev_is_one_minus_z_without_recurrent_weights():
    rng = np.random.default_rng(6)
    p = random_gru_params(rng, 3, 2)
    for gate in "zrh":
        p["U_" + gate] = np.zeros((3, 3))
    x, h_prev = rng.normal(size=2), rng.normal(size=3)
    z = ref.gru_step(x, h_prev, p)[1]["z"]
    np.testing.assert_array_equal(ref.gru_dh_dhprev(x, h_prev, p), np.diag(1 - z))


def test_gru_dh_dhprev_matches_torch_autograd():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional extra oracle")
    n, m = 4, 3
    rng = np.random.default_rng(22)
    p = random_gru_params(rng, n, m)
    x, h_prev = rng.normal(size=m), rng.normal(size=n)
    t = {k: torch.from_numpy(v) for k, v in p.items()}
    xt = torch.from_numpy(x)

    def step(h):  # the GRU equations written again, in torch
        z = torch.sigmoid(t["W_z"] @ xt + t["U_z"] @ h + t["b_z"])
        r = torch.sigmoid(t["W_r"] @ xt + t["U_r"] @ h + t["b_r"])
        return (1 - z) * h + z * torch.tanh(t["W_h"] @ xt + t["U_h"] @ (r * h) + t["b_h"])

    expected = torch.autograd.functional.jacobian(step, torch.from_numpy(h_prev)).numpy()
    np.testing.assert_allclose(ref.gru_dh_dhprev(x, h_prev, p), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ref.gru_step(x, h_prev, p)[0], step(torch.from_numpy(h_prev)).numpy(), rtol=1e-12)


def test_clip_by_norm_rescales_only_above_the_threshold():
    rng = np.random.default_rng(3)
    g = rng.normal(size=(4, 3)) * 10
    clipped = ref.clip_by_norm(g, 1.5)
    assert np.isclose(np.linalg.norm(clipped), 1.5)
    np.testing.assert_allclose(clipped / np.linalg.norm(clipped), g / np.linalg.norm(g), rtol=1e-12)
    small = g / (2 * np.linalg.norm(g))
    np.testing.assert_array_equal(ref.clip_by_norm(small, 1.0), small)
    assert ref.clip_by_norm(small, 1.0) is not small


def test_clip_by_norm_matches_torch_clip_grad_norm():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional extra oracle")
    rng = np.random.default_rng(4)
    for shape, max_norm in [((5,), 0.3), ((3, 4), 2.0), ((2, 3, 2), 100.0)]:
        g = rng.normal(size=shape)
        param = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
        param.grad = torch.from_numpy(g.copy())
        torch.nn.utils.clip_grad_norm_([param], max_norm)
        np.testing.assert_allclose(ref.clip_by_norm(g, max_norm), param.grad.numpy(), rtol=1e-5)
