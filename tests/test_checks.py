"""The hidden checks, called directly: every mutant fails its check, every variant passes it."""

import nbformat
import pytest

from autograder.checks import CheckFailed
from autograder.hidden_tests import hidden_calls
from autograder.notebook_files import source_notebooks
from tests.mutation_bank import MUTANTS, VARIANTS
from autograder.verdicts import student_code
from tests.submissions import solved_release

# Mutants whose message must name the mistake (label -> words the message must contain).
NAMED = {
    "sig_naive_overflow": "exp(-|z|)",
    "sig_tanh": "tanh",
    "sig_float32": "float64",
    "sig_in_place": "in place",
    "sp_z_one_minus_z": "not z itself",
    "sp_at_output": "output",
    "jac_transpose": "transpose",
    "jac_W_diag": "W diag(sigma') instead of diag(sigma') W",
    "jac_prime_at_output": "at the output",
    "jac_wrt_weights": "with respect to the weights",
    "jac_tanh": "tanh",
    "jac_elementwise_diag": "entry by entry",
    "nj_forward": "forward difference",
    "nj_backward": "backward difference",
    "nj_missing_half": "2 eps",
    "nj_fixed_step": "ignores the eps",
    "nj_transpose": "transpose",
    "nj_moves_x": "in place",
    "fw_stores_h_init": "row 0 must be h_0",
    "sj_W_diag": "W diag(sigma')",
    "im_axes_swapped": "swapped",
    "ds_from_k1": "k = 1",
    "ds_only_immediate": "only the immediate terms",
    "ds_reversed_product": "wrong order",
    "bp_W_not_transposed": "W.T",
    "cn_transposed": "below the diagonal",
    "cn_no_k0_column": "k = 0",
    "pe_transpose_for_inverse": "Q^T instead of Q^{-1}",
    "pe_inverse_wrong_side": "wrong side",
    "pe_abs_lam": "abs(lam)",
    "pe_diag_power_elementwise": "0 ** 0 = 1",
    "pe_entrywise_power": "entry by entry",
    "pe_off_by_one": "n + 1",
    "pe_float32": "float64",
    "w30_typed_digits": "rounded",
    "w30_entrywise": "W ** 30",
    "w30_swapped_eigenvalues": "wrong eigenvectors",
    "sr_spectral_norm": "spectral norm",
    "sr_no_abs": "absolute value is missing",
    "sr_eigvalsh": "eigvalsh",
    "sr_complex_result": "absolute value",
    "sr_all_moduli": "one number",
    "gr_ignores_tol": "tol was ignored",
    "gr_default_tol_only": "in favour of the default",
    "gr_spectral_norm": "spectral norm",
    "gr_largest_real_eigenvalue": "without its absolute value",
    "ls_h_is_o_times_c": "o * tanh(c)",
    "ls_tanh_forget_gate": "sigmoid",
    "ls_no_input_gate": "input gate is missing",
    "ls_sigmoid_candidate": "c_hat",
    "ls_f_i_swapped": "swapped",
    "ls_no_bias": "bias is missing",
    "cbn_strings": "True or False",
    "cp_sum": "a sum instead of a product",
    "cp_wrong_axis": "shape",
    "dc_only_forget_gate": "only diag(f)",
    "dc_missing_forget_term": "through the forget gate",
    "dc_missing_candidate_term": "through the candidate",
    "dc_transposed": "transpose",
    "dc_no_output_gate_factor": "o_{t-1} is missing",
    "dc_D_on_the_left": "columns",
    "tfm_typed_blog_bound": "rounded bound",
    "tfm_typed_four_digits": "looks rounded",
    "tfm_argmax_not_max": "where the maximum sits",
    "tfm_coarse_grid": "grid is too coarse",
    "tfm_tanh_not_squared": "1 - tanh^2 u",
    "us_negative_root": "negative root",
    "us_value_not_location": "maximum value",
    "us_typed_digits": "looks rounded",
    "us_grid": "close but not accurate",
    "us_tanh_not_squared": "1 - tanh^2 u",
    "gs_z_swapped": "z and 1 - z are swapped",
    "gs_torch_reset": "PyTorch's convention",
    "gs_no_reset": "reset gate is missing",
    "gs_sigmoid_candidate": "h_hat uses the sigmoid",
    "gs_returns_candidate": "candidate alone",
    "gs_tanh_update_gate": "sigmoid",
    "gs_no_bias": "bias b_z is missing",
    "gj_only_leading_term": "only diag(1 - z)",
    "gj_missing_update_term": "through the update gate",
    "gj_update_term_sign": "sign of the update-gate term",
    "gj_reset_as_constant": "reset gate was treated as a constant",
    "gj_missing_diag_r": "starts with diag(r)",
    "gj_leading_diag_z": "not diag(z)",
    "gj_transposed": "transpose",
    "gj_no_tanh_derivative": "1 - h_hat^2",
    "clip_elementwise_clip": "np.clip",
    "clip_always_rescales": "although its norm is below",
    "clip_unit_norm": "not 1",
    "clip_spectral_norm": "largest singular value",
    "clip_per_row": "its own norm",
    "clip_in_place": "in place",
    "clip_l1_norm": "L1 norm",
    "clip_float32": "float64",
}


def namespace_with(implementation):
    """The code the trusted step would run for this submission, run here in a fresh namespace."""
    nb = nbformat.reads(solved_release(implementation.notebook, {implementation.exercise: implementation.code}),
                        as_version=4)
    ns = {}
    for source in student_code(nb):
        exec(source, ns)  # noqa: S102 (the course's own solutions and mutants)
    return ns


def run_check(implementation):
    ns = namespace_with(implementation)
    (call,) = [c for c in hidden_calls_of(implementation.notebook, implementation.test_cell)]
    call.resolve()(*[ns[name] for name in call.names])


def hidden_calls_of(notebook, test_cell):
    nb = nbformat.read(next(p for p in source_notebooks() if p.name == notebook), as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == test_cell]
    return hidden_calls(cell.source)


def test_bank_is_large_and_covers_every_exercise():
    assert len(MUTANTS) >= 40 and len(VARIANTS) >= 8
    labels = [m.label for m in MUTANTS + VARIANTS]
    assert len(labels) == len(set(labels)), "labels must be unique (they are student ids)"
    exercises = {m.exercise for m in MUTANTS}
    for path in source_notebooks():
        nb = nbformat.read(path, as_version=4)
        graded_code = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.cell_type == "code"
                       and c.metadata.get("nbgrader", {}).get("solution")}
        assert graded_code <= exercises, f"no mutant for {graded_code - exercises} in {path.name}"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.label for m in MUTANTS])
def test_every_mutant_fails_its_check(mutant):
    with pytest.raises(CheckFailed) as failure:
        run_check(mutant)
    if mutant.label in NAMED:
        assert NAMED[mutant.label] in str(failure.value), str(failure.value)


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.label for v in VARIANTS])
def test_every_correct_variant_passes_its_check(variant):
    run_check(variant)


def test_messages_state_expected_found_and_tolerance():
    mutant = next(m for m in MUTANTS if m.label == "jac_W_diag")
    with pytest.raises(CheckFailed) as failure:
        run_check(mutant)
    message = str(failure.value)
    for part in ("expected", "found", "tolerance", "seed", "Likely mistake"):
        assert part in message
    assert "def " not in message and "sigmoid_prime(a)[:, None]" not in message, "messages never show reference code"


VALUE_CHECKS = [("eigen", "check_W30"), ("lstm", "check_can_be_negative"), ("beyond", "check_tanh_factor_max"),
                ("beyond", "check_u_star")]


@pytest.mark.parametrize("module,check", VALUE_CHECKS)
def test_value_exercises_report_a_missing_name_or_a_function(module, check):
    from autograder.hidden_tests import HiddenCall
    from autograder.student_process import MissingName

    name = check.removeprefix("check_")
    run = HiddenCall(module, check, (name,)).resolve()
    with pytest.raises(CheckFailed, match=f"{name} is not defined by the notebook: assign .* to the name {name}"):
        run(MissingName(name))
    with pytest.raises(CheckFailed, match=f"{name} should be .* itself, not a function"):
        run(lambda: None)
