"""Notebook 04: wrong (MUTANTS) and correct (VARIANTS) versions of its four exercises."""

NOTEBOOK = "04_lstm.ipynb"

_PRE = '''
def lstm_step(x, h_prev, c_prev, params):
    def pre(gate):
        return params["W_" + gate] @ x + params["U_" + gate] @ h_prev + params["b_" + gate]
'''

_DC = '''
def dc_dcprev(x, c_prev, o_prev, params):
    h_prev = o_prev * np.tanh(c_prev)
    _, _, g = lstm_step(x, h_prev, c_prev, params)
    D = np.diag(o_prev * (1.0 - np.tanh(c_prev) ** 2))
    through_f = np.diag(c_prev * g["f"] * (1.0 - g["f"])) @ params["U_f"] @ D
    through_i = np.diag(g["c_hat"] * g["i"] * (1.0 - g["i"])) @ params["U_i"] @ D
    through_c_hat = np.diag(g["i"] * (1.0 - g["c_hat"] ** 2)) @ params["U_c"] @ D
'''

MUTANTS = [
    ("lstm_step", "ls_h_is_o_times_c", _PRE + '''
    gates = {"f": sigmoid(pre("f")), "i": sigmoid(pre("i")), "o": sigmoid(pre("o")), "c_hat": np.tanh(pre("c"))}
    c = gates["f"] * c_prev + gates["i"] * gates["c_hat"]
    return gates["o"] * c, c, gates
''', "o * tanh(c)"),
    ("lstm_step", "ls_tanh_forget_gate", _PRE + '''
    gates = {"f": np.tanh(pre("f")), "i": sigmoid(pre("i")), "o": sigmoid(pre("o")), "c_hat": np.tanh(pre("c"))}
    c = gates["f"] * c_prev + gates["i"] * gates["c_hat"]
    return gates["o"] * np.tanh(c), c, gates
''', "sigmoid"),
    ("lstm_step", "ls_no_input_gate", _PRE + '''
    gates = {"f": sigmoid(pre("f")), "i": sigmoid(pre("i")), "o": sigmoid(pre("o")), "c_hat": np.tanh(pre("c"))}
    c = gates["f"] * c_prev + gates["c_hat"]
    return gates["o"] * np.tanh(c), c, gates
''', "input gate is missing"),
    ("lstm_step", "ls_sigmoid_candidate", _PRE + '''
    gates = {"f": sigmoid(pre("f")), "i": sigmoid(pre("i")), "o": sigmoid(pre("o")), "c_hat": sigmoid(pre("c"))}
    c = gates["f"] * c_prev + gates["i"] * gates["c_hat"]
    return gates["o"] * np.tanh(c), c, gates
''', "c_hat"),
    ("lstm_step", "ls_h_from_c_prev", _PRE + '''
    gates = {"f": sigmoid(pre("f")), "i": sigmoid(pre("i")), "o": sigmoid(pre("o")), "c_hat": np.tanh(pre("c"))}
    c = gates["f"] * c_prev + gates["i"] * gates["c_hat"]
    return gates["o"] * np.tanh(c_prev), c, gates
'''),
    ("lstm_step", "ls_f_i_swapped", _PRE + '''
    gates = {"f": sigmoid(pre("f")), "i": sigmoid(pre("i")), "o": sigmoid(pre("o")), "c_hat": np.tanh(pre("c"))}
    c = gates["i"] * c_prev + gates["f"] * gates["c_hat"]
    return gates["o"] * np.tanh(c), c, gates
''', "swapped"),
    ("lstm_step", "ls_output_gate_uses_forget_weights", _PRE + '''
    gates = {"f": sigmoid(pre("f")), "i": sigmoid(pre("i")), "o": sigmoid(pre("f")), "c_hat": np.tanh(pre("c"))}
    c = gates["f"] * c_prev + gates["i"] * gates["c_hat"]
    return gates["o"] * np.tanh(c), c, gates
'''),
    ("lstm_step", "ls_no_bias", '''
def lstm_step(x, h_prev, c_prev, params):
    def pre(gate):
        return params["W_" + gate] @ x + params["U_" + gate] @ h_prev
    gates = {"f": sigmoid(pre("f")), "i": sigmoid(pre("i")), "o": sigmoid(pre("o")), "c_hat": np.tanh(pre("c"))}
    c = gates["f"] * c_prev + gates["i"] * gates["c_hat"]
    return gates["o"] * np.tanh(c), c, gates
''', "bias is missing"),
    ("can_be_negative", "cbn_all_true", '''
can_be_negative = {"f": True, "i": True, "o": True, "c_hat": True, "c": True, "h": True}
'''),
    ("can_be_negative", "cbn_cell_positive", '''
can_be_negative = {"f": False, "i": False, "o": False, "c_hat": True, "c": False, "h": True}
'''),
    ("can_be_negative", "cbn_h_positive", '''
can_be_negative = {"f": False, "i": False, "o": False, "c_hat": True, "c": True, "h": False}
'''),
    ("can_be_negative", "cbn_strings", '''
can_be_negative = {"f": "no", "i": "no", "o": "no", "c_hat": "yes", "c": "yes", "h": "yes"}
''', "True or False"),
    ("cell_path_gradient", "cp_sum", '''
def cell_path_gradient(fs):
    return np.sum(fs, axis=0)
''', "a sum instead of a product"),
    ("cell_path_gradient", "cp_wrong_axis", '''
def cell_path_gradient(fs):
    return np.prod(fs, axis=1)
''', "shape"),
    ("cell_path_gradient", "cp_last_step_only", '''
def cell_path_gradient(fs):
    return np.asarray(fs, dtype=float)[-1].copy()
'''),
    ("cell_path_gradient", "cp_skips_first_row", '''
def cell_path_gradient(fs):
    out = np.ones(fs.shape[1])
    for f in fs[1:]:
        out = out * f
    return out
'''),
    ("cell_path_gradient", "cp_cumprod", '''
def cell_path_gradient(fs):
    return np.cumprod(fs, axis=0)
'''),
    ("dc_dcprev", "dc_only_forget_gate", '''
def dc_dcprev(x, c_prev, o_prev, params):
    _, _, g = lstm_step(x, o_prev * np.tanh(c_prev), c_prev, params)
    return np.diag(g["f"])
''', "only diag(f)"),
    ("dc_dcprev", "dc_missing_forget_term", _DC + '''
    return np.diag(g["f"]) + through_i + through_c_hat
''', "through the forget gate"),
    ("dc_dcprev", "dc_missing_candidate_term", _DC + '''
    return np.diag(g["f"]) + through_f + through_i
''', "through the candidate"),
    ("dc_dcprev", "dc_transposed", _DC + '''
    return (np.diag(g["f"]) + through_f + through_i + through_c_hat).T
''', "transpose"),
    ("dc_dcprev", "dc_no_output_gate_factor", '''
def dc_dcprev(x, c_prev, o_prev, params):
    h_prev = o_prev * np.tanh(c_prev)
    _, _, g = lstm_step(x, h_prev, c_prev, params)
    D = np.diag(1.0 - np.tanh(c_prev) ** 2)
    total = np.diag(c_prev * g["f"] * (1 - g["f"])) @ params["U_f"] + np.diag(g["c_hat"] * g["i"] * (1 - g["i"])) \\
        @ params["U_i"] + np.diag(g["i"] * (1 - g["c_hat"] ** 2)) @ params["U_c"]
    return np.diag(g["f"]) + total @ D
''', "o_{t-1} is missing"),
    ("dc_dcprev", "dc_D_on_the_left", '''
def dc_dcprev(x, c_prev, o_prev, params):
    h_prev = o_prev * np.tanh(c_prev)
    _, _, g = lstm_step(x, h_prev, c_prev, params)
    D = np.diag(o_prev * (1.0 - np.tanh(c_prev) ** 2))
    total = np.diag(c_prev * g["f"] * (1 - g["f"])) @ params["U_f"] + np.diag(g["c_hat"] * g["i"] * (1 - g["i"])) \\
        @ params["U_i"] + np.diag(g["i"] * (1 - g["c_hat"] ** 2)) @ params["U_c"]
    return np.diag(g["f"]) + D @ total
''', "columns"),
]

VARIANTS = [
    ("lstm_step", "ls_ok_stacked_weights", '''
def lstm_step(x, h_prev, c_prev, params):
    W = np.vstack([params["W_" + g] for g in "fioc"])
    U = np.vstack([params["U_" + g] for g in "fioc"])
    b = np.concatenate([params["b_" + g] for g in "fioc"])
    f, i, o, c_pre = np.split(W @ x + U @ h_prev + b, 4)
    gates = {"f": sigmoid(f), "i": sigmoid(i), "o": sigmoid(o), "c_hat": np.tanh(c_pre)}
    c = gates["f"] * c_prev + gates["i"] * gates["c_hat"]
    return (gates["o"] * np.tanh(c), c, gates)
'''),
    ("lstm_step", "ls_ok_list_result", '''
def lstm_step(x, h_prev, c_prev, params):
    gates = {}
    for key, gate, act in (("f", "f", sigmoid), ("i", "i", sigmoid), ("o", "o", sigmoid), ("c_hat", "c", np.tanh)):
        gates[key] = act(np.dot(params["W_" + gate], x) + np.dot(params["U_" + gate], h_prev) + params["b_" + gate])
    c = np.multiply(gates["f"], c_prev) + np.multiply(gates["i"], gates["c_hat"])
    return [gates["o"] * np.tanh(c), c, gates]
'''),
    ("can_be_negative", "cbn_ok_comprehension", '''
can_be_negative = {name: name not in ("f", "i", "o") for name in ["f", "i", "o", "c_hat", "c", "h"]}
'''),
    ("cell_path_gradient", "cp_ok_loop", '''
def cell_path_gradient(fs):
    out = np.ones(np.shape(fs)[1])
    for f in fs:
        out = out * f
    return out
'''),
    ("cell_path_gradient", "cp_ok_log_space", '''
def cell_path_gradient(fs):
    return np.exp(np.sum(np.log(fs), axis=0))
'''),
    ("dc_dcprev", "dc_ok_broadcasting", '''
def dc_dcprev(x, c_prev, o_prev, params):
    h_prev = o_prev * np.tanh(c_prev)
    _, _, g = lstm_step(x, h_prev, c_prev, params)
    d = o_prev * (1 - np.tanh(c_prev) ** 2)
    rows = ((c_prev * g["f"] * (1 - g["f"]))[:, None] * params["U_f"]
            + (g["c_hat"] * g["i"] * (1 - g["i"]))[:, None] * params["U_i"]
            + (g["i"] * (1 - g["c_hat"] ** 2))[:, None] * params["U_c"])
    return np.diag(g["f"]) + rows * d[None, :]
'''),
]
