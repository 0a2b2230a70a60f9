"""Checks for notebook 02: rnn_forward, step_jacobian, immediate_dh_dW, bptt_double_sum, bptt,
forward_mode_dW, contribution_norms, bptt_truncated
(shapes: W (n, n), U (n, m), xs (T+1, m), h_init (n,), dL_dh (T+1, n))."""

import numpy as np

from ..reference import bptt as ref
from ..reference.jacobian import sigmoid, sigmoid_prime
from .core import Shrinker, call, check_repeatable, compare, fresh_rng, require_float_array

RTOL = 1e-8
# (n, m, T): non-square U, a single step, a square case, a one-unit network, a shape twice.
CASES = [(3, 2, 4), (2, 5, 0), (4, 4, 6), (1, 3, 2), (3, 2, 4)]


def _problem(rng, n, m, T):
    return {"W": rng.normal(scale=1.2, size=(n, n)), "U": rng.normal(size=(n, m)),
            "xs": rng.normal(size=(T + 1, m)), "h_init": rng.normal(size=n)}


# How the smallest failing case reads: what it means that the answer is right one size below and wrong from
# there on, or wrong even at the smallest size.
RISES = {"T": "the error is in how the gradient is passed one step back",
         "n": "one unit is right, so look for a transpose or the order of a matrix product",
         "m": "the error involves the input term U x_t"}
AT_FLOOR = {"T": "a single step (T = 0) is wrong, so the error is in the immediate term, "
                 "the outer product of sigma'(s_t) * dL_dh[t] with h_(t-1)",
            "n": "one unit is wrong too, so it is not a transpose or the order of a product"}
FLOORS = {"T": 0, "n": 1, "m": 1}


def _gradient_problem(rng, n, m, T):
    p = _problem(rng, n, m, T)
    p["dL_dh"] = rng.normal(size=(T + 1, n))
    return p


def _case(seed, n, m, T):
    return f"n = {n}, m = {m}, T = {T} (random case, seed {seed})"


def _cases(problem):
    """A check's cases on a fresh generator: (n, m, T, problem(rng, n, m, T), the case's description, the
    seed) for each shape of CASES (the seed replays the case; Shrinker takes it)."""
    rng, seed = fresh_rng()
    for n, m, T in CASES:
        yield n, m, T, problem(rng, n, m, T), _case(seed, n, m, T), seed


def _previous(W, U, xs, h_init):
    hs = ref.rnn_forward(W, U, xs, h_init)
    return hs, np.vstack([h_init[None, :], hs[:-1]])


def _gradient(W, U, xs, h_init, dL_dh, *, first_k=0, only_immediate=False, reverse_product=False,
              outer_with_h_t=False):
    """dL/dW by the double sum, optionally with one of the classic mistakes built in."""
    hs, prev = _previous(W, U, xs, h_init)
    grad = np.zeros_like(W)
    for t in range(len(xs)):
        for k in range(first_k, t + 1):
            if only_immediate and k != t:
                continue
            factors = [ref.step_jacobian(W, U, xs[j], prev[j]) for j in range(k + 1, t + 1)]
            chain = np.eye(len(h_init))
            for J in (factors if reverse_product else factors[::-1]):
                chain = chain @ J
            s_prime = sigmoid_prime(W @ prev[k] + U @ xs[k])
            grad += np.outer((dL_dh[t] @ chain) * s_prime, hs[k] if outer_with_h_t else prev[k])
    return grad


def _recursion_with_W_not_transposed(W, U, xs, h_init, dL_dh):
    _, prev = _previous(W, U, xs, h_init)
    grad, carried = np.zeros_like(W), np.zeros(len(h_init))
    for t in range(len(xs) - 1, -1, -1):
        delta = (dL_dh[t] + carried) * sigmoid_prime(W @ prev[t] + U @ xs[t])
        grad += np.outer(delta, prev[t])
        carried = W @ delta
    return grad


def check_rnn_forward(rnn_forward):
    for n, m, T, p, case, seed in _cases(_problem):
        found, _ = call(rnn_forward, "rnn_forward", p)
        require_float_array(found, (T + 1, n), "rnn_forward", case)
        expected = ref.rnn_forward(**p)
        shifted = np.vstack([p["h_init"][None, :], expected[:-1]])
        compare(found, expected, name="rnn_forward", case=case, rtol=RTOL, mistakes={
            "row 0 must be h_0 = sigma(W h_init + U x_0); you stored h_init itself as the first state": shifted,
            "the recursion starts from zeros: use h_init as h_{-1}": ref.rnn_forward(p["W"], p["U"], p["xs"],
                                                                                       np.zeros(n)),
            "W.T instead of W: the new state is sigma(W h_prev + U x_t)": ref.rnn_forward(p["W"].T, p["U"], p["xs"],
                                                                                          p["h_init"]),
            "tanh instead of the sigmoid": _forward_with(np.tanh, p),
            "the activation is missing (a linear recursion)": _forward_with(lambda s: s, p),
        }, shrink=lambda: Shrinker(
            rnn_forward, "rnn_forward", _problem, lambda a: ref.rnn_forward(**a), rtol=RTOL, floors=FLOORS, seed=seed,
            rises={"T": "the first state is right, so the error is in how a state feeds the next"},
            at_floor={"T": "the first state h_0 = sigma(W h_init + U x_0) is already wrong"})({"n": n, "m": m, "T": T}))
        check_repeatable(rnn_forward, "rnn_forward", p, found)


def _forward_with(activation, p):
    h, out = p["h_init"], []
    with np.errstate(all="ignore"):
        for x in p["xs"]:
            h = activation(p["W"] @ h + p["U"] @ x)
            out.append(h)
    return np.array(out)


def _one_step(rng, n, m):
    W, U = rng.normal(scale=1.2, size=(n, n)), rng.normal(size=(n, m))
    return {"W": W, "U": U, "x_t": rng.normal(size=m), "h_prev": rng.normal(size=n)}


def _one_step_cases():
    """(args, case description, s, shrink) for single-step functions: args W, U, x_t, h_prev;
    s = W h_prev + U x_t; shrink(fn, name, reference) -> the smallest failing case's lines."""
    rng, seed = fresh_rng()
    for n, m, _ in CASES:
        args = _one_step(rng, n, m)
        s = args["W"] @ args["h_prev"] + args["U"] @ args["x_t"]
        yield (args, f"n = {n}, m = {m} (random case, seed {seed})", s,
               lambda fn, name, reference, n=n, m=m: Shrinker(
                   fn, name, _one_step, lambda a: reference(**a), rtol=RTOL, floors={"n": 1, "m": 1}, seed=seed,
                   rises=RISES, at_floor=AT_FLOOR)({"n": n, "m": m}))


def check_step_jacobian(step_jacobian):
    for args, case, s, shrink in _one_step_cases():
        W, h_prev = args["W"], args["h_prev"]
        found, _ = call(step_jacobian, "step_jacobian", args)
        require_float_array(found, W.shape, "step_jacobian", case)
        expected = ref.step_jacobian(**args)
        compare(found, expected, name="step_jacobian", case=case, rtol=RTOL, mistakes={
            "you returned the transpose": expected.T,
            "W diag(sigma') instead of diag(sigma') W": W * sigmoid_prime(s)[None, :],
            "sigma' evaluated at the new state h_t = sigma(s) instead of at s = W h_prev + U x_t":
                sigmoid_prime(sigmoid(s))[:, None] * W,
            "the input term U x_t is missing from the pre-activation": sigmoid_prime(W @ h_prev)[:, None] * W,
            "the factor diag(sigma') is missing: you returned W": W,
        }, shrink=lambda: shrink(step_jacobian, "step_jacobian", ref.step_jacobian))
        check_repeatable(step_jacobian, "step_jacobian", args, found)


def check_immediate_dh_dW(immediate_dh_dW):
    for args, case, s, shrink in _one_step_cases():
        n, h_prev = len(args["h_prev"]), args["h_prev"]
        found, _ = call(immediate_dh_dW, "immediate_dh_dW", args)
        require_float_array(found, (n, n, n), "immediate_dh_dW", case)
        expected = ref.immediate_dh_dW(**args)
        compare(found, expected, name="immediate_dh_dW", case=case, rtol=RTOL, mistakes={
            "the last two axes are swapped: entry [i, a, b] is delta_ia sigma'(s)_i h_prev[b]":
                expected.transpose(0, 2, 1),
            "the Kronecker delta is missing: only W[i, :] influences h_t[i], so [i, a, b] = 0 when a != i":
                np.einsum("i,b->ib", sigmoid_prime(s), h_prev)[:, None, :] * np.ones((1, n, 1)),
            "h_t = sigma(s) was used instead of h_prev": np.einsum("ia,i,b->iab", np.eye(n), sigmoid_prime(s),
                                                                  sigmoid(s)),
            "sigma(s) was used instead of sigma'(s)": np.einsum("ia,i,b->iab", np.eye(n), sigmoid(s), h_prev),
        }, shrink=lambda: shrink(immediate_dh_dW, "immediate_dh_dW", ref.immediate_dh_dW))
        check_repeatable(immediate_dh_dW, "immediate_dh_dW", args, found)


def _check_gradient(fn, name, extra_mistakes):
    for n, m, T, p, case, seed in _cases(_gradient_problem):
        found, _ = call(fn, name, p)
        require_float_array(found, (n, n), name, case)
        expected = ref.bptt(**p)
        mistakes = {
            "the inner sum starts at k = 1: the k = 0 term (h_0 also depends on W) is missing":
                _gradient(**p, first_k=1),
            "only the immediate terms k = t: the gradient must also flow back through earlier states":
                _gradient(**p, only_immediate=True),
            "the Jacobians are multiplied in the wrong order: dh_t/dh_k = J_t J_{t-1} ... J_{k+1}":
                _gradient(**p, reverse_product=True),
            "the outer product uses h_t; the immediate derivative of h_t involves h_{t-1}":
                _gradient(**p, outer_with_h_t=True),
            "you returned the transpose of dL/dW": expected.T,
        }
        mistakes.update(extra_mistakes(p))
        compare(found, expected, name=name, case=case, rtol=RTOL, mistakes=mistakes, shrink=lambda: Shrinker(
            fn, name, _gradient_problem, lambda a: ref.bptt(**a), rtol=RTOL, floors=FLOORS, seed=seed,
            rises=RISES, at_floor=AT_FLOOR)({"n": n, "m": m, "T": T}))
        check_repeatable(fn, name, p, found)


def check_bptt_double_sum(bptt_double_sum):
    _check_gradient(bptt_double_sum, "bptt_double_sum", lambda p: {})


def check_bptt(bptt):
    _check_gradient(bptt, "bptt", lambda p: {
        "W instead of W.T carries the gradient back: dL/dh_{t-1} gets W^T (sigma' * dL/dh_t)":
            _recursion_with_W_not_transposed(**p)})


def _forward_mode_with(W, U, xs, h_init, dL_dh, *, transposed_jacobian=False, last_loss_only=False):
    """dL/dW by the forward recursion P_t = J_t P_{t-1} + d+h_t/dW, with one of the classic mistakes."""
    _, prev = _previous(W, U, xs, h_init)
    n = len(h_init)
    P, grad = np.zeros((n, n, n)), np.zeros((n, n))
    for t in range(len(xs)):
        J = ref.step_jacobian(W, U, xs[t], prev[t])
        P = np.tensordot(J.T if transposed_jacobian else J, P, axes=1) + ref.immediate_dh_dW(W, U, xs[t], prev[t])
        if not last_loss_only or t == len(xs) - 1:
            grad += np.tensordot(dL_dh[t], P, axes=1)
    return grad


def check_forward_mode_dW(forward_mode_dW):
    _check_gradient(forward_mode_dW, "forward_mode_dW", lambda p: {
        "the step Jacobian is transposed: P_t = J_t P_{t-1} + d+h_t/dW with J_t = diag(sigma') W":
            _forward_mode_with(**p, transposed_jacobian=True),
        "only dL_dh[T] . P_T is summed: every step's loss contributes dL_dh[t] . P_t":
            _forward_mode_with(**p, last_loss_only=True)})


def check_contribution_norms(contribution_norms):
    for n, m, T, p, case, seed in _cases(_gradient_problem):
        found, _ = call(contribution_norms, "contribution_norms", p)
        require_float_array(found, (T + 1, T + 1), "contribution_norms", case)
        expected = ref.contribution_norms(**p)
        without_k0 = expected.copy()
        without_k0[:, 0] = 0
        compare(found, expected, name="contribution_norms", case=case, rtol=RTOL, mistakes={
            "entry [t, k] belongs below the diagonal (k <= t); you filled [k, t]": expected.T,
            "squared norms: use the Frobenius norm itself": expected ** 2,
            "column k = 0 is empty: the terms through h_0 count too": without_k0,
        }, shrink=lambda: Shrinker(contribution_norms, "contribution_norms", _gradient_problem,
                                   lambda a: ref.contribution_norms(**a), rtol=RTOL, floors=FLOORS, seed=seed,
                                   rises={"T": "the terms one step apart (k = t - 1) are the first wrong ones"},
                                   at_floor=AT_FLOOR)({"n": n, "m": m, "T": T}))
        check_repeatable(contribution_norms, "contribution_norms", p, found)


# (n, m, T, tau): a window inside the sequence, tau = 0, tau = T, tau beyond T, one unit, a case twice.
TRUNCATION_CASES = [(3, 2, 6, 2), (2, 3, 5, 0), (3, 3, 4, 4), (2, 2, 3, 7), (1, 3, 5, 1), (3, 2, 6, 2)]


def _window(p, keep):
    """The double sum over the terms (t, k) with keep(t, k), from the reference's terms."""
    n = len(p["h_init"])
    terms = ref.contribution_terms(p["W"], p["U"], p["xs"], p["h_init"], p["dL_dh"])
    return sum((term for t, k, term in terms if keep(t, k)), np.zeros((n, n)))


def _truncation_problem(rng, n, m, T, tau):
    return dict(_gradient_problem(rng, n, m, T), tau=tau)


def check_bptt_truncated(bptt_truncated):
    rng, seed = fresh_rng()
    for n, m, T, tau in TRUNCATION_CASES:
        p = _truncation_problem(rng, n, m, T, tau)
        case = f"n = {n}, m = {m}, T = {T}, tau = {tau} (random case, seed {seed})"
        found, _ = call(bptt_truncated, "bptt_truncated", p)
        require_float_array(found, (n, n), "bptt_truncated", case)
        expected = ref.bptt_truncated(**p)
        full = {key: value for key, value in p.items() if key != "tau"}
        compare(found, expected, name="bptt_truncated", case=case, rtol=RTOL, mistakes={
            "the terms with t - k = tau are missing: keep every term with t - k <= tau":
                _window(p, lambda t, k: t - k < tau),
            "one term too many: keep the terms with t - k <= tau, that is k = t - tau .. t":
                _window(p, lambda t, k: t - k <= tau + 1),
            "tau was ignored: this is the whole gradient, but only the terms with t - k <= tau count":
                ref.bptt(**full),
            "the window is counted from the start of the sequence (k <= tau) instead of back from each t":
                _window(p, lambda t, k: k <= tau),
            "the window is counted back from the last step (k >= T - tau) instead of back from each t":
                _window(p, lambda t, k: k >= T - tau),
            "you kept the terms with t - k > tau and dropped the ones to keep": _window(p, lambda t, k: t - k > tau),
            "you returned the transpose of dL/dW": expected.T,
        }, shrink=lambda: Shrinker(bptt_truncated, "bptt_truncated", _truncation_problem,
                                   lambda a: ref.bptt_truncated(**a), rtol=RTOL,
                                   floors={"T": 0, "tau": 0, "n": 1, "m": 1}, seed=seed,
                                   rises=dict(RISES, tau="the window is right for the smaller tau"),
                                   at_floor=dict(AT_FLOOR, tau="even tau = 0, the immediate terms alone, is wrong"))(
                                       {"n": n, "m": m, "T": T, "tau": tau}))
        check_repeatable(bptt_truncated, "bptt_truncated", p, found)
