"""The smallest failing case (autograder.checks.core.Shrinker), fed mistakes that no check's list names."""

import re
import time

import numpy as np
import pytest

from autograder.checks import CheckFailed, beyond, bptt, eigen, jacobian, lstm
from autograder.checks.core import Shrinker, show
from autograder.reference import beyond as ref_beyond
from autograder.reference import bptt as ref_bptt
from autograder.reference import eigen as ref_eigen
from autograder.reference import jacobian as ref_jacobian
from autograder.reference import lstm as ref_lstm
from autograder.reference.jacobian import sigmoid
from tests.mutation_bank import MUTANTS
from tests.test_checks import namespace_with


def failure(check, fn):
    with pytest.raises(CheckFailed) as caught:
        check(fn)
    return str(caught.value)


def smallest(message):
    """{size: value} of the 'Smallest failing case' line."""
    line = re.search(r"Smallest failing case found by shrinking: (.*) \(fresh inputs", message)
    assert line, message
    return {k: int(v) for k, v in re.findall(r"(\w+) = (\d+)", line.group(1))}


def test_bptt_passing_g_back_is_right_for_one_step_and_wrong_from_two():
    """The issue's example: g, not sigma' * g, is carried back (the bank's bp_no_sigma_prime_carried)."""
    mutant = next(m for m in MUTANTS if m.label == "bp_no_sigma_prime_carried")
    message = failure(bptt.check_bptt, namespace_with(mutant)["bptt"])
    assert "Likely mistake" not in message
    assert smallest(message) == {"n": 1, "m": 1, "T": 1}
    assert "Right for T = 0, wrong from T = 1: the error is in how the gradient is passed one step back" in message
    assert "Wrong already with n = 1" in message


def test_the_reported_case_is_replayable_and_its_expected_value_is_the_reference():
    seen = []

    def build(rng, n, T):
        seen.append((n, T))
        return {"x": rng.normal(size=(T + 1, n))}

    def wrong(x):
        return np.cumsum(x, axis=0) * (1.0 + (len(x) > 2))  # right while T <= 1

    lines = Shrinker(wrong, "cumsum", build, lambda a: np.cumsum(a["x"], axis=0), rtol=1e-12,
                     floors={"T": 0, "n": 1}, rises={"T": "it breaks at the third step"}, seed=7)({"n": 3, "T": 5})
    assert smallest(lines) == {"n": 1, "T": 2}
    assert "Right for T = 1, wrong from T = 2: it breaks at the third step." in lines
    replay = np.cumsum(np.random.default_rng([7, 1, 2]).normal(size=(3, 1)), axis=0)
    assert f"expected {show(replay, 6)}" in lines and f"found    {show(2 * replay, 6)}" in lines
    assert (3, 0) in seen and (1, 2) in seen


def test_a_forward_pass_that_breaks_after_the_first_state():
    def half_input_later(W, U, xs, h_init):
        h, out = h_init, []
        for t, x in enumerate(xs):
            h = sigmoid(W @ h + (1.0 if t == 0 else 0.5) * (U @ x))
            out.append(h)
        return np.array(out)

    message = failure(bptt.check_rnn_forward, half_input_later)
    assert smallest(message)["T"] == 1
    assert "Right for T = 0, wrong from T = 1: the first state is right" in message


def test_truncation_with_a_hole_in_long_windows():
    def hole_at_one_step(W, U, xs, h_init, dL_dh, tau):
        """From tau = 2 on, the terms with t - k = 1 go missing."""
        def window(width):
            return ref_bptt.bptt_truncated(W, U, xs, h_init, dL_dh, width)
        return window(tau) - (window(1) - window(0)) * (tau >= 2)

    message = failure(bptt.check_bptt_truncated, hole_at_one_step)
    assert "Likely mistake" not in message
    assert smallest(message) == {"n": 1, "m": 1, "T": 1, "tau": 2}
    assert "Right for T = 0, wrong from T = 1" in message and "Right for tau = 1, wrong from tau = 2" in message


def test_a_jacobian_wrong_for_a_single_output():
    message = failure(jacobian.check_jacobian_sigmoid_Wx,
                      lambda W, x: ref_jacobian.jacobian_sigmoid_Wx(W, x) + 0.01)
    assert smallest(message) == {"n": 1, "d": 1}
    assert "Wrong already with n = 1: one output, y = sigma(w . x), is already wrong" in message


def test_an_elementwise_function_that_mixes_entries():
    message = failure(jacobian.check_sigmoid, lambda z: ref_jacobian.sigmoid(z - np.mean(z) * (np.size(z) > 1)))
    assert smallest(message) == {"entries": 2}
    assert "Right for entries = 1, wrong from entries = 2" in message


def test_a_power_that_breaks_from_the_square_on():
    message = failure(eigen.check_power_via_eig,
                      lambda Q, lam, n: ref_eigen.power_via_eig(Q, lam, n) * (1.0 + 0.1 * (n >= 2)))
    assert smallest(message) == {"k": 1, "n": 2}
    assert "Right for n = 1, wrong from n = 2" in message and "Wrong already with k = 1" in message


def test_gated_steps_shrink_to_one_unit():
    def lstm_step_scaled_h(x, h_prev, c_prev, params):
        h, c, gates = ref_lstm.lstm_step(x, h_prev, c_prev, params)
        return 0.9 * h, c, gates

    message = failure(lstm.check_lstm_step, lstm_step_scaled_h)
    assert message.startswith("lstm_step's h is wrong") and smallest(message) == {"n": 1, "m": 1}
    message = failure(beyond.check_gru_dh_dhprev,
                      lambda x, h_prev, params: ref_beyond.gru_dh_dhprev(x, h_prev, params) * 1.01)
    assert smallest(message) == {"n": 1, "m": 1} and "Wrong already with n = 1" in message


def test_a_listed_mistake_is_named_and_not_shrunk():
    message = failure(bptt.check_bptt, lambda W, U, xs, h_init, dL_dh: ref_bptt.bptt(W, U, xs, h_init, dL_dh).T)
    assert "Likely mistake: you returned the transpose" in message
    assert "Smallest failing case" not in message


def test_an_error_at_the_smallest_size_is_reported_as_found():
    def crashes_on_one_step(W, U, xs, h_init, dL_dh):
        if len(xs) == 1:
            raise IndexError("index 1 is out of bounds")
        return ref_bptt.bptt(W, U, xs, h_init, dL_dh) * 1.5

    message = failure(bptt.check_bptt, crashes_on_one_step)
    assert smallest(message)["T"] == 0
    assert "found    bptt raised IndexError: index 1 is out of bounds" in message


def test_shrinking_gives_up_rather_than_mislead():
    def build(rng, n):
        return {"x": rng.normal(size=n)}

    def slow_and_wrong(x):
        time.sleep(0.6)  # two calls exceed the budget
        return 2 * x

    assert Shrinker(slow_and_wrong, "slow", build, lambda a: a["x"], rtol=1e-12, floors={"n": 1})({"n": 6}) == ""

    class TimeLimitExceeded(Exception):
        """Stands for the grader's own error when the student's process runs out of time."""

    def out_of_time(x):
        if len(x) < 3:
            raise TimeLimitExceeded("the call took more than 3 s")
        return 2 * x

    assert Shrinker(out_of_time, "f", build, lambda a: a["x"], rtol=1e-12, floors={"n": 1})({"n": 6}) == ""
    assert smallest(Shrinker(lambda x: 2 * x, "f", build, lambda a: a["x"], rtol=1e-12, floors={"n": 1})({"n": 6})) \
        == {"n": 1}


def test_a_numerical_jacobian_and_a_clipping_wrong_from_the_second_entry():
    def step_never_reset(f, x, eps=1e-6):
        """The step vector is not cleared between columns: column j moves x_0 .. x_j together."""
        x, e, columns = np.asarray(x, dtype=float), np.zeros(len(x)), []
        for j in range(len(x)):
            e[j] = eps
            columns.append((f(x + e) - f(x - e)) / (2 * eps))
        return np.stack(columns, axis=1)

    message = failure(jacobian.check_numerical_jacobian, step_never_reset)
    assert "Likely mistake" not in message
    assert smallest(message) == {"m": 1, "d": 2} and "Right for d = 1, wrong from d = 2" in message

    def first_entry_ignored(g, max_norm):
        g = np.asarray(g, dtype=float)
        norm = np.linalg.norm(g.ravel()[1:]) if g.size > 1 else abs(g.ravel()[0])
        return g * (max_norm / norm) if norm > max_norm else g.copy()

    message = failure(beyond.check_clip_by_norm, first_entry_ignored)
    assert smallest(message) == {"entries": 2} and "Right for entries = 1, wrong from entries = 2" in message


def test_a_spectral_radius_averaging_the_eigenvalues_is_right_until_the_diagonal_case():
    """No size to shrink: the ladder of simple matrices (core.simplest_failure) names the first one it fails."""
    def mean_size(M):
        return float(np.mean(np.abs(np.linalg.eigvals(M))))

    message = failure(eigen.check_spectral_radius, mean_size)
    assert "Likely mistake" not in message
    assert "Simplest failing case: M = diag(0.5, -1.2) (diagonal):" in message, message
    assert "Right for the simpler M = [[-1.5]] (1x1, negative)." in message
    assert f"expected {show(1.2, 6)}" in message and f"found    {show(0.85, 6)}" in message


def test_a_regime_read_off_the_trace_is_shown_on_the_simplest_matrix_it_gets_wrong():
    def from_trace(M, tol=1e-9):
        rho = abs(np.trace(M)) / len(M)
        return "neutral" if abs(rho - 1) <= tol else "vanishing" if rho < 1 else "exploding"

    message = failure(eigen.check_gradient_regime, from_trace)
    assert "Simplest failing case: M = diag(0.5, -1.2) (diagonal):" in message, message
    assert "expected 'exploding'" in message and "found    'vanishing'" in message
    assert "Right for the simpler M = [[-1.5]] (1x1, negative)." in message


def test_a_regime_wrong_for_every_matrix_says_so():
    message = failure(eigen.check_gradient_regime, lambda M, tol=1e-9: "neutral")
    assert "Simplest failing case: M = [[0.5]] (1x1):" in message
    assert "Wrong already for the simplest case of all." in message
