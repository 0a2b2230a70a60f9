"""Notebook 03: wrong (MUTANTS) and correct (VARIANTS) versions of its four exercises."""

NOTEBOOK = "03_eigen.ipynb"

_HOMEWORK = '''
Q_hw = np.array([[-0.6, -0.8], [-0.8, 0.6]])
lam_hw = np.array([0.9, 0.4])
'''

MUTANTS = [
    ("power_via_eig", "pe_transpose_for_inverse", '''
def power_via_eig(Q, lam, n):
    return Q @ np.diag(lam ** n) @ Q.T
''', "Q^T instead of Q^{-1}"),
    ("power_via_eig", "pe_inverse_wrong_side", '''
def power_via_eig(Q, lam, n):
    return np.linalg.inv(Q) @ np.diag(lam ** n) @ Q
''', "wrong side"),
    ("power_via_eig", "pe_no_inverse", '''
def power_via_eig(Q, lam, n):
    return Q @ np.diag(lam ** n)
'''),
    ("power_via_eig", "pe_times_n", '''
def power_via_eig(Q, lam, n):
    return Q @ np.diag(lam * n) @ np.linalg.inv(Q)
'''),
    ("power_via_eig", "pe_abs_lam", '''
def power_via_eig(Q, lam, n):
    return Q @ np.diag(np.abs(lam) ** n) @ np.linalg.inv(Q)
''', "abs(lam)"),
    ("power_via_eig", "pe_diag_power_elementwise", '''
def power_via_eig(Q, lam, n):
    return Q @ (np.diag(lam) ** n) @ np.linalg.inv(Q)
''', "0 ** 0 = 1"),
    ("power_via_eig", "pe_entrywise_power", '''
def power_via_eig(Q, lam, n):
    return (Q @ np.diag(lam) @ np.linalg.inv(Q)) ** n
''', "entry by entry"),
    ("power_via_eig", "pe_drops_imaginary_part", '''
def power_via_eig(Q, lam, n):
    return np.abs(Q @ np.diag(lam ** n) @ np.linalg.inv(Q))
'''),
    ("power_via_eig", "pe_off_by_one", '''
def power_via_eig(Q, lam, n):
    M = Q @ np.diag(lam) @ np.linalg.inv(Q)
    out = M.copy()
    for _ in range(n):
        out = out @ M
    return out
''', "n + 1"),
    ("power_via_eig", "pe_float32", '''
def power_via_eig(Q, lam, n):
    Q32 = np.asarray(Q, dtype=np.float32)
    return Q32 @ np.diag((lam ** n).astype(np.float32)) @ np.linalg.inv(Q32)
''', "float64"),
    ("W30", "w30_power_29", _HOMEWORK + '''
W30 = power_via_eig(Q_hw, lam_hw, 29)
'''),
    ("W30", "w30_swapped_eigenvalues", _HOMEWORK + '''
W30 = power_via_eig(Q_hw, lam_hw[::-1], 30)
''', "wrong eigenvectors"),
    ("W30", "w30_entrywise", _HOMEWORK + '''
W30 = (Q_hw @ np.diag(lam_hw) @ Q_hw.T) ** 30
''', "W ** 30"),
    ("W30", "w30_typed_digits", _HOMEWORK + '''
W30 = np.array([[0.01526082, 0.02034776], [0.02034776, 0.02713034]])
''', "rounded"),
    ("spectral_radius", "sr_no_abs", '''
def spectral_radius(M):
    return float(np.max(np.linalg.eigvals(M).real))
''', "absolute value is missing"),
    ("spectral_radius", "sr_spectral_norm", '''
def spectral_radius(M):
    return float(np.linalg.norm(M, 2))
''', "spectral norm"),
    ("spectral_radius", "sr_real_parts", '''
def spectral_radius(M):
    return float(np.max(np.abs(np.linalg.eigvals(M).real)))
'''),
    ("spectral_radius", "sr_eigvalsh", '''
def spectral_radius(M):
    return float(np.max(np.abs(np.linalg.eigvalsh(M))))
''', "eigvalsh"),
    ("spectral_radius", "sr_max_diagonal", '''
def spectral_radius(M):
    return float(np.max(np.abs(np.diag(M))))
'''),
    ("spectral_radius", "sr_complex_result", '''
def spectral_radius(M):
    return max(np.linalg.eigvals(M), key=abs)
''', "absolute value"),
    ("spectral_radius", "sr_all_moduli", '''
def spectral_radius(M):
    return np.sort(np.abs(np.linalg.eigvals(M)))[::-1]
''', "one number"),
    ("gradient_regime", "gr_ignores_tol", '''
def gradient_regime(M, tol=1e-9):
    rho = spectral_radius(M)
    if rho == 1.0:
        return "neutral"
    return "vanishing" if rho < 1.0 else "exploding"
''', "tol was ignored"),
    ("gradient_regime", "gr_default_tol_only", '''
def gradient_regime(M, tol=1e-9):
    rho = spectral_radius(M)
    if abs(rho - 1.0) <= 1e-9:
        return "neutral"
    return "vanishing" if rho < 1.0 else "exploding"
''', "in favour of the default"),
    ("gradient_regime", "gr_spectral_norm", '''
def gradient_regime(M, tol=1e-9):
    size = np.linalg.norm(M, 2)
    if abs(size - 1.0) <= tol:
        return "neutral"
    return "vanishing" if size < 1.0 else "exploding"
''', "spectral norm"),
    ("gradient_regime", "gr_largest_real_eigenvalue", '''
def gradient_regime(M, tol=1e-9):
    top = np.max(np.linalg.eigvals(M).real)
    if abs(top - 1.0) <= tol:
        return "neutral"
    return "vanishing" if top < 1.0 else "exploding"
''', "without its absolute value"),
    ("gradient_regime", "gr_swapped_words", '''
def gradient_regime(M, tol=1e-9):
    rho = spectral_radius(M)
    if abs(rho - 1.0) <= tol:
        return "neutral"
    return "exploding" if rho < 1.0 else "vanishing"
'''),
    ("gradient_regime", "gr_capitalized", '''
def gradient_regime(M, tol=1e-9):
    rho = spectral_radius(M)
    if abs(rho - 1.0) <= tol:
        return "Neutral"
    return "Vanishing" if rho < 1.0 else "Exploding"
'''),
]

VARIANTS = [
    ("power_via_eig", "pe_ok_inv", '''
def power_via_eig(Q, lam, n):
    return Q @ np.diag(lam ** n) @ np.linalg.inv(Q)
'''),
    ("power_via_eig", "pe_ok_matrix_power", '''
def power_via_eig(Q, lam, n):
    return np.linalg.matrix_power(Q @ np.diag(lam) @ np.linalg.inv(Q), n)
'''),
    ("power_via_eig", "pe_ok_real_part", '''
def power_via_eig(Q, lam, n):
    result = Q @ np.diag(np.power(lam, n)) @ np.linalg.inv(Q)
    return result.real if np.allclose(result.imag, 0) else result
'''),
    ("W30", "w30_ok_matrix_power", _HOMEWORK + '''
W30 = np.linalg.matrix_power(Q_hw @ np.diag(lam_hw) @ Q_hw.T, 30)
'''),
    ("W30", "w30_ok_outer_products", _HOMEWORK + '''
W30 = sum(l ** 30 * np.outer(q, q) for l, q in zip(lam_hw, Q_hw.T))
'''),
    ("spectral_radius", "sr_ok_numpy_scalar", '''
def spectral_radius(M):
    return np.abs(np.linalg.eigvals(M)).max()
'''),
    ("spectral_radius", "sr_ok_generator", '''
def spectral_radius(M):
    return max(abs(v) for v in np.linalg.eigvals(M))
'''),
    ("gradient_regime", "gr_ok_band", '''
def gradient_regime(M, tol=1e-9):
    rho = spectral_radius(M)
    if rho < 1 - tol:
        return "vanishing"
    if rho > 1 + tol:
        return "exploding"
    return "neutral"
'''),
    ("gradient_regime", "gr_ok_isclose", '''
def gradient_regime(M, tol=1e-9):
    rho = np.max(np.abs(np.linalg.eigvals(M)))
    return "neutral" if np.isclose(rho, 1.0, rtol=0.0, atol=tol) else ("vanishing" if rho < 1 else "exploding")
'''),
]
