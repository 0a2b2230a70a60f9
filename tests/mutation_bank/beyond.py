"""Notebook 05: wrong (MUTANTS) and correct (VARIANTS) versions of its five graded exercises."""

NOTEBOOK = "05_beyond.ipynb"

_GATES = '''
def gru_step(x, h_prev, params):
    z = sigmoid(params["W_z"] @ x + params["U_z"] @ h_prev + params["b_z"])
    r = sigmoid(params["W_r"] @ x + params["U_r"] @ h_prev + params["b_r"])
'''

_JAC = '''
def gru_dh_dhprev(x, h_prev, params):
    _, g = gru_step(x, h_prev, params)
    z, r, h_hat = g["z"], g["r"], g["h_hat"]
    leading = np.diag(1.0 - z)
    through_z = np.diag((h_hat - h_prev) * z * (1.0 - z)) @ params["U_z"]
    outer = np.diag(z * (1.0 - h_hat**2)) @ params["U_h"]
    direct = outer @ np.diag(r)
    via_r = outer @ np.diag(h_prev * r * (1.0 - r)) @ params["U_r"]
'''

MUTANTS = [
    ("tanh_factor_max", "tfm_typed_blog_bound", '''
tanh_factor_max = 0.45
''', "rounded bound"),
    ("tanh_factor_max", "tfm_typed_four_digits", '''
tanh_factor_max = 0.4477
''', "looks rounded"),
    ("tanh_factor_max", "tfm_argmax_not_max", '''
grid = np.linspace(0.0, 10.0, 1_000_001)
tanh_factor_max = float(grid[np.argmax((1.0 - np.tanh(grid) ** 2) * grid)])
''', "where the maximum sits"),
    ("tanh_factor_max", "tfm_coarse_grid", '''
grid = np.linspace(0.0, 10.0, 101)
tanh_factor_max = float(np.max((1.0 - np.tanh(grid) ** 2) * grid))
''', "grid is too coarse"),
    ("tanh_factor_max", "tfm_tanh_not_squared", '''
grid = np.linspace(0.0, 10.0, 1_000_001)
tanh_factor_max = float(np.max((1.0 - np.tanh(grid)) * grid))
''', "1 - tanh^2 u"),
    ("tanh_factor_max", "tfm_value_at_one", '''
tanh_factor_max = float(1.0 - np.tanh(1.0) ** 2)
'''),
    ("u_star", "us_negative_root", '''
u = sp.symbols("u")
u_star = float(sp.nsolve(sp.diff((1 - sp.tanh(u) ** 2) * u, u), u, -0.8))
''', "negative root"),
    ("u_star", "us_value_not_location", '''
u = sp.symbols("u", positive=True)
factor = (1 - sp.tanh(u) ** 2) * u
u_star = float(factor.subs(u, sp.nsolve(sp.diff(factor, u), u, 0.8)))
''', "maximum value"),
    ("u_star", "us_typed_digits", '''
u_star = 0.7717
''', "looks rounded"),
    ("u_star", "us_grid", '''
grid = np.linspace(0.0, 5.0, 30_001)
u_star = float(grid[np.argmax((1 - np.tanh(grid) ** 2) * grid)])
''', "close but not accurate"),
    ("u_star", "us_tanh_not_squared", '''
u = sp.symbols("u", positive=True)
u_star = float(sp.nsolve(sp.diff((1 - sp.tanh(u)) * u, u), u, 0.8))
''', "1 - tanh^2 u"),
    ("gru_step", "gs_z_swapped", _GATES + '''
    h_hat = np.tanh(params["W_h"] @ x + params["U_h"] @ (r * h_prev) + params["b_h"])
    return z * h_prev + (1.0 - z) * h_hat, {"z": z, "r": r, "h_hat": h_hat}
''', "z and 1 - z are swapped"),
    ("gru_step", "gs_torch_reset", _GATES + '''
    h_hat = np.tanh(params["W_h"] @ x + r * (params["U_h"] @ h_prev) + params["b_h"])
    return (1.0 - z) * h_prev + z * h_hat, {"z": z, "r": r, "h_hat": h_hat}
''', "PyTorch's convention"),
    ("gru_step", "gs_no_reset", _GATES + '''
    h_hat = np.tanh(params["W_h"] @ x + params["U_h"] @ h_prev + params["b_h"])
    return (1.0 - z) * h_prev + z * h_hat, {"z": z, "r": r, "h_hat": h_hat}
''', "reset gate is missing"),
    ("gru_step", "gs_sigmoid_candidate", _GATES + '''
    h_hat = sigmoid(params["W_h"] @ x + params["U_h"] @ (r * h_prev) + params["b_h"])
    return (1.0 - z) * h_prev + z * h_hat, {"z": z, "r": r, "h_hat": h_hat}
''', "h_hat uses the sigmoid"),
    ("gru_step", "gs_returns_candidate", _GATES + '''
    h_hat = np.tanh(params["W_h"] @ x + params["U_h"] @ (r * h_prev) + params["b_h"])
    return h_hat, {"z": z, "r": r, "h_hat": h_hat}
''', "candidate alone"),
    ("gru_step", "gs_tanh_update_gate", '''
def gru_step(x, h_prev, params):
    z = np.tanh(params["W_z"] @ x + params["U_z"] @ h_prev + params["b_z"])
    r = sigmoid(params["W_r"] @ x + params["U_r"] @ h_prev + params["b_r"])
    h_hat = np.tanh(params["W_h"] @ x + params["U_h"] @ (r * h_prev) + params["b_h"])
    return (1.0 - z) * h_prev + z * h_hat, {"z": z, "r": r, "h_hat": h_hat}
''', "sigmoid"),
    ("gru_step", "gs_no_bias", '''
def gru_step(x, h_prev, params):
    z = sigmoid(params["W_z"] @ x + params["U_z"] @ h_prev)
    r = sigmoid(params["W_r"] @ x + params["U_r"] @ h_prev)
    h_hat = np.tanh(params["W_h"] @ x + params["U_h"] @ (r * h_prev))
    return (1.0 - z) * h_prev + z * h_hat, {"z": z, "r": r, "h_hat": h_hat}
''', "bias b_z is missing"),
    ("gru_dh_dhprev", "gj_only_leading_term", '''
def gru_dh_dhprev(x, h_prev, params):
    _, g = gru_step(x, h_prev, params)
    return np.diag(1.0 - g["z"])
''', "only diag(1 - z)"),
    ("gru_dh_dhprev", "gj_missing_update_term", _JAC + '''
    return leading + direct + via_r
''', "through the update gate"),
    ("gru_dh_dhprev", "gj_update_term_sign", _JAC + '''
    return leading - through_z + direct + via_r
''', "sign of the update-gate term"),
    ("gru_dh_dhprev", "gj_reset_as_constant", _JAC + '''
    return leading + through_z + direct
''', "reset gate was treated as a constant"),
    ("gru_dh_dhprev", "gj_missing_diag_r", _JAC + '''
    return leading + through_z + via_r
''', "starts with diag(r)"),
    ("gru_dh_dhprev", "gj_leading_diag_z", _JAC + '''
    return np.diag(z) + through_z + direct + via_r
''', "not diag(z)"),
    ("gru_dh_dhprev", "gj_transposed", _JAC + '''
    return (leading + through_z + direct + via_r).T
''', "transpose"),
    ("gru_dh_dhprev", "gj_no_tanh_derivative", '''
def gru_dh_dhprev(x, h_prev, params):
    _, g = gru_step(x, h_prev, params)
    z, r, h_hat = g["z"], g["r"], g["h_hat"]
    reset = np.diag(r) + np.diag(h_prev * r * (1.0 - r)) @ params["U_r"]
    return (np.diag(1.0 - z) + np.diag((h_hat - h_prev) * z * (1.0 - z)) @ params["U_z"]
            + np.diag(z) @ params["U_h"] @ reset)
''', "1 - h_hat^2"),
    ("clip_by_norm", "clip_elementwise_clip", '''
def clip_by_norm(g, max_norm):
    return np.clip(g, -max_norm, max_norm).astype(float)
''', "np.clip"),
    ("clip_by_norm", "clip_always_rescales", '''
def clip_by_norm(g, max_norm):
    return g * (max_norm / np.linalg.norm(g))
''', "although its norm is below"),
    ("clip_by_norm", "clip_unit_norm", '''
def clip_by_norm(g, max_norm):
    norm = np.linalg.norm(g)
    return g / norm if norm > max_norm else g.copy()
''', "not 1"),
    ("clip_by_norm", "clip_spectral_norm", '''
def clip_by_norm(g, max_norm):
    norm = np.linalg.norm(g, 2) if g.ndim == 2 else np.linalg.norm(g)
    return g * (max_norm / norm) if norm > max_norm else g.copy()
''', "largest singular value"),
    ("clip_by_norm", "clip_per_row", '''
def clip_by_norm(g, max_norm):
    rows = np.atleast_2d(np.asarray(g, dtype=float))
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return (rows * np.minimum(1.0, max_norm / np.maximum(norms, 1e-300))).reshape(np.shape(g))
''', "its own norm"),
    ("clip_by_norm", "clip_in_place", '''
def clip_by_norm(g, max_norm):
    norm = np.linalg.norm(g)
    if norm > max_norm:
        g *= max_norm / norm
    return g
''', "in place"),
    ("clip_by_norm", "clip_l1_norm", '''
def clip_by_norm(g, max_norm):
    norm = np.sum(np.abs(g))
    return g * (max_norm / norm) if norm > max_norm else g.copy()
''', "L1 norm"),
    ("clip_by_norm", "clip_float32", '''
def clip_by_norm(g, max_norm):
    g = np.asarray(g, dtype=np.float32)
    norm = np.linalg.norm(g)
    return g * np.float32(max_norm / norm) if norm > max_norm else g.copy()
''', "float64"),
]

VARIANTS = [
    ("tanh_factor_max", "tfm_ok_newton", '''
u = 1.0
for _ in range(60):                      # Newton's method on u tanh(u) - 1/2 = 0
    t = np.tanh(u)
    u = u - (u * t - 0.5) / (t + u * (1 - t * t))
tanh_factor_max = float((1 - np.tanh(u) ** 2) * u)
'''),
    ("tanh_factor_max", "tfm_ok_symmetric_grid", '''
u = np.linspace(-8, 8, 3_200_001)
tanh_factor_max = np.abs((1 - np.tanh(u) ** 2) * u).max().item()
'''),
    ("u_star", "us_ok_equation", '''
u = sp.Symbol("u")
u_star = float(sp.nsolve(u * sp.tanh(u) - sp.Rational(1, 2), u, 1.0))
'''),
    ("gru_step", "gs_ok_stacked_gates", '''
def gru_step(x, h_prev, params):
    W = np.vstack([params["W_z"], params["W_r"]])
    U = np.vstack([params["U_z"], params["U_r"]])
    z, r = np.split(sigmoid(W @ x + U @ h_prev + np.concatenate([params["b_z"], params["b_r"]])), 2)
    h_hat = np.tanh(np.dot(params["W_h"], x) + np.dot(params["U_h"], r * h_prev) + params["b_h"])
    return [h_prev + z * (h_hat - h_prev), dict(z=z, r=r, h_hat=h_hat)]
'''),
    ("gru_dh_dhprev", "gj_ok_broadcasting", '''
def gru_dh_dhprev(x, h_prev, params):
    _, g = gru_step(x, h_prev, params)
    z, r, h_hat = g["z"], g["r"], g["h_hat"]
    inner = r[None, :] * params["U_h"] + (params["U_h"] * (h_prev * r * (1 - r))[None, :]) @ params["U_r"]
    return (np.diag(1 - z) + ((h_hat - h_prev) * z * (1 - z))[:, None] * params["U_z"]
            + (z * (1 - h_hat ** 2))[:, None] * inner)
'''),
    ("clip_by_norm", "clip_ok_scale_factor", '''
def clip_by_norm(g, max_norm):
    norm = np.sqrt(np.sum(np.square(g)))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return np.array(g, dtype=float) * scale
'''),
    ("clip_by_norm", "clip_ok_copy_then_in_place", '''
def clip_by_norm(g, max_norm):
    out = np.array(g, dtype=np.float64, copy=True)
    norm = np.linalg.norm(out.reshape(-1))
    if norm > max_norm:
        out *= max_norm / norm
    return out
'''),
]
