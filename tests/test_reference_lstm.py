"""The notebook-04 reference: LSTM step against its formulas, dc_t/dc_{t-1} against finite differences."""

import numpy as np
import pytest

from autograder.reference import lstm as ref
from tests.oracles import central_difference, random_lstm_params, relative_error


def logistic(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("n,m", [(1, 1), (3, 2), (2, 5)])
def test_lstm_step_against_the_equations_element_by_element(n, m):
    rng = np.random.default_rng(n + 10 * m)
    p = random_lstm_params(rng, n, m)
    x, h_prev, c_prev = rng.normal(size=m), rng.normal(size=n), rng.normal(size=n)
    h, c, gates = ref.lstm_step(x, h_prev, c_prev, p)
    assert set(gates) == {"f", "i", "o", "c_hat"}
    for j in range(n):  # one unit at a time, with explicit sums instead of matrix products
        pre = {g: sum(p["W_" + g][j, a] * x[a] for a in range(m))
               + sum(p["U_" + g][j, b] * h_prev[b] for b in range(n)) + p["b_" + g][j] for g in "fioc"}
        f, i, o, c_hat = logistic(pre["f"]), logistic(pre["i"]), logistic(pre["o"]), np.tanh(pre["c"])
        assert gates["f"][j] == pytest.approx(f) and gates["c_hat"][j] == pytest.approx(c_hat)
        assert c[j] == pytest.approx(f * c_prev[j] + i * c_hat)
        assert h[j] == pytest.approx(o * np.tanh(f * c_prev[j] + i * c_hat))


@pytest.mark.parametrize("n,m", [(1, 2), (3, 2), (4, 3)])
def test_dc_dcprev_against_finite_differences(n, m):
    rng = np.random.default_rng(3 * n + m)
    p = random_lstm_params(rng, n, m, scale=1.0)
    x, c_prev, o_prev = rng.normal(size=m), rng.normal(size=n), rng.uniform(0.1, 0.9, size=n)

    def next_cell(c):
        return ref.lstm_step(x, o_prev * np.tanh(c), c, p)[1]

    J = ref.dc_dcprev(x, c_prev, o_prev, p)
    assert J.shape == (n, n)
    assert relative_error(J, central_difference(next_cell, c_prev)) < 1e-8


def test_dc_dcprev_is_diag_f_when_recurrent_weights_vanish():
    rng = np.random.default_rng(4)
    p = random_lstm_params(rng, 3, 2)
    for gate in "fic":
        p["U_" + gate] = np.zeros((3, 3))
    x, c_prev, o_prev = rng.normal(size=2), rng.normal(size=3), rng.uniform(size=3)
    f = ref.lstm_step(x, o_prev * np.tanh(c_prev), c_prev, p)[2]["f"]
    np.testing.assert_array_equal(ref.dc_dcprev(x, c_prev, o_prev, p), np.diag(f))


def test_cell_path_gradient_and_signs():
    fs = np.random.default_rng(2).uniform(size=(6, 4))
    np.testing.assert_allclose(ref.cell_path_gradient(fs), [np.prod(fs[:, j]) for j in range(4)])
    np.testing.assert_array_equal(ref.cell_path_gradient(np.ones((9, 3))), np.ones(3))
    # Signs: search random inputs for a negative value of each quantity.
    rng = np.random.default_rng(8)
    seen_negative = dict.fromkeys(ref.can_be_negative, False)
    for _ in range(200):
        p = random_lstm_params(rng, 3, 2, scale=2.0)
        h, c, gates = ref.lstm_step(rng.normal(size=2), rng.normal(size=3), rng.normal(size=3), p)
        for name, value in {**gates, "c": c, "h": h}.items():
            seen_negative[name] |= bool(np.any(value < 0))
    assert seen_negative == ref.can_be_negative


def test_lstm_step_matches_torch_lstm_cell():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional extra oracle")
    n, m = 3, 4
    rng = np.random.default_rng(21)
    p = random_lstm_params(rng, n, m)
    x, h_prev, c_prev = rng.normal(size=m), rng.normal(size=n), rng.normal(size=n)
    cell = torch.nn.LSTMCell(m, n, dtype=torch.float64)
    order = "ifco"  # torch stacks the input, forget, cell (g) and output blocks in this order
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(np.vstack([p["W_" + g] for g in order])))
        cell.weight_hh.copy_(torch.from_numpy(np.vstack([p["U_" + g] for g in order])))
        cell.bias_ih.copy_(torch.from_numpy(np.concatenate([p["b_" + g] for g in order])))
        cell.bias_hh.zero_()
        h_t, c_t = cell(torch.from_numpy(x)[None], (torch.from_numpy(h_prev)[None], torch.from_numpy(c_prev)[None]))
    h, c, _ = ref.lstm_step(x, h_prev, c_prev, p)
    np.testing.assert_allclose(h, h_t[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(c, c_t[0].numpy(), rtol=1e-12)
