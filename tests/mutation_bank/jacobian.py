"""Notebook 01: wrong (MUTANTS) and correct (VARIANTS) versions of its four functions.

Each entry is (solution cell grade_id, label, code); a mutant may add a fourth element, words its
check's failure message must contain. A label is a student id: short, unique.
"""

NOTEBOOK = "01_jacobian.ipynb"

STABLE = '''
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
'''

MUTANTS = [
    # --- sigmoid -------------------------------------------------------------------------
    ("sigmoid", "sig_naive_overflow", '''
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
''', "exp(-|z|)"),
    ("sigmoid", "sig_sign_flip", '''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z < 0, 1 / (1 + e), e / (1 + e))
'''),
    ("sigmoid", "sig_tanh", '''
def sigmoid(z):
    return np.tanh(z)
''', "tanh"),
    ("sigmoid", "sig_hard", '''
def sigmoid(z):
    return np.clip(0.5 + np.asarray(z, dtype=float) / 4, 0.0, 1.0)
'''),
    ("sigmoid", "sig_returns_list", '''
def sigmoid(z):''' + STABLE + '''    return s.tolist()
'''),
    ("sigmoid", "sig_float32", '''
def sigmoid(z):''' + STABLE + '''    return s.astype(np.float32)
''', "float64"),
    ("sigmoid", "sig_in_place", '''
def sigmoid(z):
    e = np.exp(-np.abs(z))
    z[...] = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return z
''', "in place"),
    ("sigmoid", "sig_math_loop", '''
import math
def sigmoid(z):
    return np.array([1 / (1 + math.exp(-v)) for v in z])
'''),
    ("sigmoid", "sig_cached", '''
_first_answer = []
def sigmoid(z):''' + STABLE + '''    if not _first_answer:
        _first_answer.append(s)
    return _first_answer[0] if _first_answer[0].shape == s.shape else s
'''),
    ("sigmoid", "sig_matrix", '''
def sigmoid(z):''' + STABLE + '''    return np.asmatrix(s) if s.ndim == 1 else s
'''),
    ("sigmoid", "sig_one_minus", '''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return 1 - np.where(z >= 0, 1 / (1 + e), e / (1 + e))
'''),
    # --- sigmoid_prime -------------------------------------------------------------------
    ("sigmoid_prime", "sp_z_one_minus_z", '''
def sigmoid_prime(z):
    return z * (1 - z)
''', "not z itself"),
    ("sigmoid_prime", "sp_plus", '''
def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1 + s)
'''),
    ("sigmoid_prime", "sp_is_sigmoid", '''
def sigmoid_prime(z):
    return sigmoid(z)
'''),
    ("sigmoid_prime", "sp_tanh_formula", '''
def sigmoid_prime(z):
    return 1 - sigmoid(z) ** 2
'''),
    ("sigmoid_prime", "sp_negated", '''
def sigmoid_prime(z):
    s = sigmoid(z)
    return -s * (1 - s)
'''),
    ("sigmoid_prime", "sp_doubled", '''
def sigmoid_prime(z):
    s = sigmoid(z)
    return 2 * s * (1 - s)
'''),
    ("sigmoid_prime", "sp_coarse_difference", '''
def sigmoid_prime(z):
    return (sigmoid(z + 0.1) - sigmoid(z - 0.1)) / 0.2
'''),
    ("sigmoid_prime", "sp_scalar_max", '''
def sigmoid_prime(z):
    s = sigmoid(z)
    return float(np.max(s * (1 - s)))
'''),
    ("sigmoid_prime", "sp_diag_matrix", '''
def sigmoid_prime(z):
    s = sigmoid(z)
    return np.diag(s * (1 - s))
'''),
    ("sigmoid_prime", "sp_at_output", '''
def sigmoid_prime(z):
    s = sigmoid(sigmoid(z))
    return s * (1 - s)
''', "output"),
    # --- jacobian_sigmoid_Wx -------------------------------------------------------------
    ("jacobian_sigmoid_Wx", "jac_transpose", '''
def jacobian_sigmoid_Wx(W, x):
    return (np.diag(sigmoid_prime(W @ x)) @ W).T
''', "transpose"),
    ("jacobian_sigmoid_Wx", "jac_W_diag", '''
def jacobian_sigmoid_Wx(W, x):
    return W @ np.diag(sigmoid_prime(W @ x))
''', "W diag(sigma') instead of diag(sigma') W"),
    ("jacobian_sigmoid_Wx", "jac_prime_at_output", '''
def jacobian_sigmoid_Wx(W, x):
    return np.diag(sigmoid_prime(sigmoid(W @ x))) @ W
''', "at the output"),
    ("jacobian_sigmoid_Wx", "jac_sigma_not_prime", '''
def jacobian_sigmoid_Wx(W, x):
    return np.diag(sigmoid(W @ x)) @ W
'''),
    ("jacobian_sigmoid_Wx", "jac_only_W", '''
def jacobian_sigmoid_Wx(W, x):
    return W.copy()
'''),
    ("jacobian_sigmoid_Wx", "jac_wrt_weights", '''
def jacobian_sigmoid_Wx(W, x):
    return np.outer(sigmoid_prime(W @ x), x)
''', "with respect to the weights"),
    ("jacobian_sigmoid_Wx", "jac_negated", '''
def jacobian_sigmoid_Wx(W, x):
    return -np.diag(sigmoid_prime(W @ x)) @ W
'''),
    ("jacobian_sigmoid_Wx", "jac_prime_of_x", '''
def jacobian_sigmoid_Wx(W, x):
    return np.diag(sigmoid_prime(x)) @ W
'''),
    ("jacobian_sigmoid_Wx", "jac_elementwise_diag", '''
def jacobian_sigmoid_Wx(W, x):
    return np.diag(sigmoid_prime(W @ x)) * W
''', "entry by entry"),
    ("jacobian_sigmoid_Wx", "jac_vector", '''
def jacobian_sigmoid_Wx(W, x):
    return sigmoid_prime(W @ x) @ W
'''),
    ("jacobian_sigmoid_Wx", "jac_tanh", '''
def jacobian_sigmoid_Wx(W, x):
    return (1 - np.tanh(W @ x) ** 2)[:, None] * W
''', "tanh"),
    # --- numerical_jacobian --------------------------------------------------------------
    ("numerical_jacobian", "nj_forward", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    return np.stack([(f(x + eps * e) - f(x)) / eps for e in np.eye(len(x))], axis=1)
''', "forward difference"),
    ("numerical_jacobian", "nj_backward", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    return np.stack([(f(x) - f(x - eps * e)) / eps for e in np.eye(len(x))], axis=1)
''', "backward difference"),
    ("numerical_jacobian", "nj_missing_half", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    return np.stack([(f(x + eps * e) - f(x - eps * e)) / eps for e in np.eye(len(x))], axis=1)
''', "2 eps"),
    ("numerical_jacobian", "nj_fixed_step", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    return np.stack([(f(x + 1e-6 * e) - f(x - 1e-6 * e)) / 2e-6 for e in np.eye(len(x))], axis=1)
''', "ignores the eps"),
    ("numerical_jacobian", "nj_transpose", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(len(x))])
''', "transpose"),
    ("numerical_jacobian", "nj_moves_x", '''
def numerical_jacobian(f, x, eps=1e-6):
    J = np.zeros((len(f(x)), len(x)))
    for j in range(len(x)):
        x[j] += eps
        up = f(x)
        x[j] -= 2 * eps
        J[:, j] = (up - f(x)) / (2 * eps)
    return J
''', "in place"),
    ("numerical_jacobian", "nj_relative_step", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    cols = []
    for j in range(len(x)):
        h = eps * max(1.0, abs(x[j]))
        e = np.zeros(len(x))
        e[j] = h
        cols.append((f(x + e) - f(x - e)) / (2 * h))
    return np.stack(cols, axis=1)
'''),
    ("numerical_jacobian", "nj_half_step", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    return np.stack([(f(x + eps / 2 * e) - f(x - eps / 2 * e)) / eps for e in np.eye(len(x))], axis=1)
'''),
    ("numerical_jacobian", "nj_integer_matrix", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    J = np.zeros((len(f(x)), len(x)), dtype=int)
    for j, e in enumerate(np.eye(len(x))):
        J[:, j] = (f(x + eps * e) - f(x - eps * e)) / (2 * eps)
    return J
'''),
    ("numerical_jacobian", "nj_nested_lists", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    return np.stack([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(len(x))], axis=1).tolist()
'''),
    ("numerical_jacobian", "nj_first_row_only", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    return np.stack([(f(x + eps * e) - f(x - eps * e))[:1] / (2 * eps) for e in np.eye(len(x))], axis=1)
'''),
]

VARIANTS = [
    ("sigmoid", "ok_sig_tanh_form", '''
def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=float) / 2.0))
'''),
    ("sigmoid", "ok_sig_logaddexp", '''
def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))
'''),
    ("sigmoid", "ok_sig_scalar_loop", '''
import math
def _scalar_sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)

def sigmoid(z):
    return np.vectorize(_scalar_sigmoid, otypes=[float])(z)
'''),
    ("sigmoid_prime", "ok_sp_symmetric", '''
def sigmoid_prime(z):
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return e / (1.0 + e) ** 2
'''),
    ("sigmoid_prime", "ok_sp_direct", '''
def sigmoid_prime(z):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(-z) / (1 + np.exp(-z)) ** 2
'''),
    ("jacobian_sigmoid_Wx", "ok_jac_broadcast", '''
def jacobian_sigmoid_Wx(W, x):
    return sigmoid_prime(W @ x)[:, None] * W
'''),
    ("jacobian_sigmoid_Wx", "ok_jac_einsum", '''
def jacobian_sigmoid_Wx(W, x):
    return np.einsum("i,ij->ij", sigmoid_prime(W @ x), W)
'''),
    ("jacobian_sigmoid_Wx", "ok_jac_loops", '''
def jacobian_sigmoid_Wx(W, x):
    n, d = W.shape
    J = np.zeros((n, d))
    for i in range(n):
        a_i = sum(W[i, k] * x[k] for k in range(d))
        s = 1.0 / (1.0 + np.exp(-a_i))
        for j in range(d):
            J[i, j] = s * (1 - s) * W[i, j]
    return J
'''),
    ("numerical_jacobian", "ok_nj_columns", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    steps = eps * np.eye(len(x))
    return np.column_stack([(np.asarray(f(x + h)) - np.asarray(f(x - h))) / (2 * eps) for h in steps])
'''),
    ("numerical_jacobian", "ok_nj_copy_loop", '''
def numerical_jacobian(f, x, eps=1e-6):
    rows = len(f(x))
    J = np.empty((rows, len(x)))
    for j in range(len(x)):
        up, down = np.array(x, dtype=float), np.array(x, dtype=float)
        up[j] += eps
        down[j] -= eps
        J[:, j] = (f(up) - f(down)) / (2 * eps)
    return J
'''),
    ("numerical_jacobian", "ok_nj_transposed_build", '''
def numerical_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(len(x))]).T
'''),
]
