"""The notebook-02 reference: BPTT two ways, against finite differences and against each other."""

import warnings

import numpy as np
import pytest

from autograder.reference import bptt as ref
from autograder.reference.jacobian import sigmoid
from tests.oracles import central_difference, random_rnn, relative_error

CASES = [(1, 1, 0), (2, 3, 1), (3, 2, 4), (4, 5, 7)]  # (n, m, T)


def loss(W, U, xs, h_init, dL_dh):
    """L = sum_t dL_dh[t] . h_t: its direct gradients dL_t/dh_t are exactly dL_dh."""
    return float(np.sum(dL_dh * ref.rnn_forward(W, U, xs, h_init)))


@pytest.mark.parametrize("n,m,T", CASES)
def test_rnn_forward_unrolls_the_recurrence(n, m, T):
    W, U, xs, h_init, _ = random_rnn(np.random.default_rng(n + m + T), n, m, T)
    hs = ref.rnn_forward(W, U, xs, h_init)
    assert hs.shape == (T + 1, n)
    h = h_init
    for t in range(T + 1):
        h = 1 / (1 + np.exp(-(W @ h + U @ xs[t])))
        np.testing.assert_allclose(hs[t], h, rtol=1e-13)


@pytest.mark.parametrize("n,m,T", CASES)
def test_bptt_matches_finite_differences_and_the_double_sum(n, m, T):
    W, U, xs, h_init, dL_dh = random_rnn(np.random.default_rng(7 * n + m + T), n, m, T)
    numeric = central_difference(lambda V: loss(V, U, xs, h_init, dL_dh), W)
    fast = ref.bptt(W, U, xs, h_init, dL_dh)
    slow = ref.bptt_double_sum(W, U, xs, h_init, dL_dh)
    assert fast.shape == slow.shape == (n, n)
    assert relative_error(fast, numeric) < 1e-7
    assert relative_error(slow, fast) < 1e-12


def test_inner_sum_from_k_equal_one_is_wrong():
    W, U, xs, h_init, dL_dh = random_rnn(np.random.default_rng(5), 3, 2, 4)
    without_k0 = sum(term for _, k, term in ref.contribution_terms(W, U, xs, h_init, dL_dh) if k > 0)
    numeric = central_difference(lambda V: loss(V, U, xs, h_init, dL_dh), W)
    assert relative_error(without_k0, numeric) > 1e-3


@pytest.mark.parametrize("n,m", [(2, 3), (4, 1)])
def test_step_and_immediate_jacobians_against_finite_differences(n, m):
    rng = np.random.default_rng(n * m)
    W, U, x, h_prev = rng.normal(size=(n, n)), rng.normal(size=(n, m)), rng.normal(size=m), rng.normal(size=n)
    step = ref.step_jacobian(W, U, x, h_prev)
    assert relative_error(step, central_difference(lambda h: sigmoid(W @ h + U @ x), h_prev)) < 1e-8
    immediate = ref.immediate_dh_dW(W, U, x, h_prev)
    assert immediate.shape == (n, n, n)
    assert relative_error(immediate, central_difference(lambda V: sigmoid(V @ h_prev + U @ x), W)) < 1e-8


def test_contribution_norms_are_the_norms_of_per_step_weight_gradients():
    """Term (t, k) is dL_t/dW_k when step k gets its own copy W_k of the weights."""
    n, m, T = 3, 2, 4
    W, U, xs, h_init, dL_dh = random_rnn(np.random.default_rng(11), n, m, T)
    norms = ref.contribution_norms(W, U, xs, h_init, dL_dh)
    assert norms.shape == (T + 1, T + 1)
    assert np.all(np.triu(norms, 1) == 0)
    for t in range(T + 1):
        for k in range(t + 1):
            def loss_t(Wk, t=t, k=k):
                h = h_init
                for step in range(t + 1):
                    h = sigmoid((Wk if step == k else W) @ h + U @ xs[step])
                return float(dL_dh[t] @ h)
            term = central_difference(loss_t, W)
            assert abs(norms[t, k] - np.linalg.norm(term)) <= 1e-7 * max(1.0, np.linalg.norm(term))


def per_step_weight_gradient(W, U, xs, h_init, dL_dh, t, k):
    """dL_t/dW_k by central differences, when step k gets its own copy W_k of the weights: term (t, k)."""
    def loss_t(Wk):
        h = h_init
        for step in range(t + 1):
            h = sigmoid((Wk if step == k else W) @ h + U @ xs[step])
        return float(dL_dh[t] @ h)
    return central_difference(loss_t, W)


@pytest.mark.parametrize("n,m,T", [(2, 3, 4), (3, 1, 5)])
def test_truncated_bptt_keeps_exactly_the_terms_within_tau(n, m, T):
    W, U, xs, h_init, dL_dh = random_rnn(np.random.default_rng(13 * n + T), n, m, T)
    terms = {(t, k): per_step_weight_gradient(W, U, xs, h_init, dL_dh, t, k)
             for t in range(T + 1) for k in range(t + 1)}
    for tau in range(T + 2):
        kept = sum(term for (t, k), term in terms.items() if t - k <= tau)
        assert relative_error(ref.bptt_truncated(W, U, xs, h_init, dL_dh, tau), kept) < 1e-7
    assert relative_error(ref.bptt_truncated(W, U, xs, h_init, dL_dh, T), ref.bptt(W, U, xs, h_init, dL_dh)) < 1e-13


@pytest.mark.parametrize("n,m,T", CASES)
def test_forward_mode_matches_torch_forward_mode_and_the_recursion(n, m, T):
    """torch's dual numbers (torch.autograd.forward_ad) push one tangent of W at a time forward through the
    unrolled network: an independent forward mode."""
    torch = pytest.importorskip("torch", reason="PyTorch is the optional extra oracle")
    from torch.autograd import forward_ad

    W, U, xs, h_init, dL_dh = random_rnn(np.random.default_rng(3 * n + m + T), n, m, T)
    oracle = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            tangent = torch.zeros((n, n), dtype=torch.float64)
            tangent[a, b] = 1.0
            with forward_ad.dual_level(), warnings.catch_warnings():
                # the first dual tensor loads decompositions through the deprecated torch.jit.script
                warnings.simplefilter("ignore", DeprecationWarning)
                Wt, h = forward_ad.make_dual(torch.from_numpy(W), tangent), torch.from_numpy(h_init)
                total = torch.zeros((), dtype=torch.float64)
                for t in range(T + 1):
                    h = torch.sigmoid(Wt @ h + torch.from_numpy(U) @ torch.from_numpy(xs[t]))
                    total = total + torch.from_numpy(dL_dh[t]) @ h
                oracle[a, b] = forward_ad.unpack_dual(total).tangent.item()
    forward = ref.forward_mode_dW(W, U, xs, h_init, dL_dh)
    assert forward.shape == (n, n)
    assert relative_error(forward, oracle) < 1e-12
    assert relative_error(forward, ref.bptt(W, U, xs, h_init, dL_dh)) < 1e-12
