"""Notebook 02: wrong (MUTANTS) and correct (VARIANTS) versions of its six functions."""

NOTEBOOK = "02_bptt.ipynb"

MUTANTS = [
    ("rnn_forward", "fw_stores_h_init", '''
def rnn_forward(W, U, xs, h_init):
    hs, h = [h_init], h_init
    for x in xs[:-1]:
        h = sigmoid(W @ h + U @ x)
        hs.append(h)
    return np.array(hs)
''', "row 0 must be h_0"),
    ("rnn_forward", "fw_from_zeros", '''
def rnn_forward(W, U, xs, h_init):
    hs, h = [], np.zeros(len(h_init))
    for x in xs:
        h = sigmoid(W @ h + U @ x)
        hs.append(h)
    return np.array(hs)
'''),
    ("rnn_forward", "fw_tanh", '''
def rnn_forward(W, U, xs, h_init):
    hs, h = [], h_init
    for x in xs:
        h = np.tanh(W @ h + U @ x)
        hs.append(h)
    return np.array(hs)
'''),
    ("step_jacobian", "sj_W_diag", '''
def step_jacobian(W, U, x_t, h_prev):
    return W @ np.diag(sigmoid_prime(W @ h_prev + U @ x_t))
''', "W diag(sigma')"),
    ("step_jacobian", "sj_prime_at_output", '''
def step_jacobian(W, U, x_t, h_prev):
    return np.diag(sigmoid_prime(sigmoid(W @ h_prev + U @ x_t))) @ W
'''),
    ("step_jacobian", "sj_no_input", '''
def step_jacobian(W, U, x_t, h_prev):
    return np.diag(sigmoid_prime(W @ h_prev)) @ W
'''),
    ("immediate_dh_dW", "im_axes_swapped", '''
def immediate_dh_dW(W, U, x_t, h_prev):
    return np.einsum("ib,i,a->iab", np.eye(len(h_prev)), sigmoid_prime(W @ h_prev + U @ x_t), h_prev)
''', "swapped"),
    ("immediate_dh_dW", "im_no_delta", '''
def immediate_dh_dW(W, U, x_t, h_prev):
    n = len(h_prev)
    row = np.outer(sigmoid_prime(W @ h_prev + U @ x_t), h_prev)
    return np.repeat(row[:, None, :], n, axis=1)
'''),
    ("bptt_double_sum", "ds_from_k1", '''
def bptt_double_sum(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    grad = np.zeros(W.shape)
    for t in range(len(xs)):
        row = dL_dh[t]
        for k in range(t, 0, -1):
            grad += np.tensordot(row, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1)
            row = row @ step_jacobian(W, U, xs[k], prev[k])
    return grad
''', "k = 1"),
    ("bptt_double_sum", "ds_only_immediate", '''
def bptt_double_sum(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    return sum(np.tensordot(dL_dh[t], immediate_dh_dW(W, U, xs[t], prev[t]), axes=1) for t in range(len(xs)))
''', "only the immediate terms"),
    ("bptt_double_sum", "ds_reversed_product", '''
def bptt_double_sum(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    grad = np.zeros(W.shape)
    for t in range(len(xs)):
        for k in range(t + 1):
            chain = np.eye(len(h_init))
            for j in range(k + 1, t + 1):
                chain = chain @ step_jacobian(W, U, xs[j], prev[j])
            grad += np.tensordot(dL_dh[t] @ chain, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1)
    return grad
''', "wrong order"),
    ("bptt", "bp_W_not_transposed", '''
def bptt(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = np.vstack([h_init, hs[:-1]])
    grad, carried = np.zeros(W.shape), np.zeros(len(h_init))
    for t in range(len(xs) - 1, -1, -1):
        delta = sigmoid_prime(W @ prev[t] + U @ xs[t]) * (dL_dh[t] + carried)
        grad += np.outer(delta, prev[t])
        carried = W @ delta
    return grad
''', "W.T"),
    ("bptt", "bp_no_sigma_prime_carried", '''
def bptt(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = np.vstack([h_init, hs[:-1]])
    grad, carried = np.zeros(W.shape), np.zeros(len(h_init))
    for t in range(len(xs) - 1, -1, -1):
        g = dL_dh[t] + carried
        grad += np.outer(sigmoid_prime(W @ prev[t] + U @ xs[t]) * g, prev[t])
        carried = W.T @ g
    return grad
'''),
    ("bptt", "bp_skips_first_step", '''
def bptt(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = np.vstack([h_init, hs[:-1]])
    grad, carried = np.zeros(W.shape), np.zeros(len(h_init))
    for t in range(len(xs) - 1, 0, -1):
        delta = sigmoid_prime(W @ prev[t] + U @ xs[t]) * (dL_dh[t] + carried)
        grad += np.outer(delta, prev[t])
        carried = W.T @ delta
    return grad
'''),
    ("contribution_norms", "cn_transposed", '''
def contribution_norms(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    norms = np.zeros((len(xs), len(xs)))
    for t in range(len(xs)):
        row = dL_dh[t]
        for k in range(t, -1, -1):
            norms[k, t] = np.linalg.norm(np.tensordot(row, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1))
            row = row @ step_jacobian(W, U, xs[k], prev[k])
    return norms
''', "below the diagonal"),
    ("contribution_norms", "cn_squared", '''
def contribution_norms(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    norms = np.zeros((len(xs), len(xs)))
    for t in range(len(xs)):
        row = dL_dh[t]
        for k in range(t, -1, -1):
            norms[t, k] = np.sum(np.tensordot(row, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1) ** 2)
            row = row @ step_jacobian(W, U, xs[k], prev[k])
    return norms
'''),
    ("contribution_norms", "cn_no_k0_column", '''
def contribution_norms(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    norms = np.zeros((len(xs), len(xs)))
    for t in range(len(xs)):
        row = dL_dh[t]
        for k in range(t, 0, -1):
            norms[t, k] = np.linalg.norm(np.tensordot(row, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1))
            row = row @ step_jacobian(W, U, xs[k], prev[k])
    return norms
''', "k = 0"),
]

VARIANTS = [
    ("rnn_forward", "ok_fw_list", '''
def rnn_forward(W, U, xs, h_init):
    states = []
    for x in xs:
        states.append(sigmoid(W @ (states[-1] if states else h_init) + U @ x))
    return np.array(states, dtype=float)
'''),
    ("step_jacobian", "ok_sj_broadcast", '''
def step_jacobian(W, U, x_t, h_prev):
    return sigmoid_prime(W @ h_prev + U @ x_t)[:, None] * W
'''),
    ("immediate_dh_dW", "ok_im_einsum", '''
def immediate_dh_dW(W, U, x_t, h_prev):
    return np.einsum("ia,i,b->iab", np.eye(len(h_prev)), sigmoid_prime(W @ h_prev + U @ x_t), h_prev)
'''),
    ("bptt_double_sum", "ok_ds_chain_from_scratch", '''
def bptt_double_sum(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    grad = np.zeros(W.shape)
    for t in range(len(xs)):
        for k in range(t + 1):
            chain = np.eye(len(h_init))
            for j in range(t, k, -1):
                chain = chain @ step_jacobian(W, U, xs[j], prev[j])
            grad += np.tensordot(dL_dh[t] @ chain, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1)
    return grad
'''),
    ("bptt", "ok_bp_total_derivatives", '''
def bptt(W, U, xs, h_init, dL_dh):
    hs = rnn_forward(W, U, xs, h_init)
    prev = np.vstack([h_init, hs[:-1]])
    pre = prev @ W.T + xs @ U.T                      # s_t for every t, as rows
    g = np.array(dL_dh, dtype=float)
    for t in range(len(xs) - 2, -1, -1):              # total dL/dh_t, latest first
        g[t] += W.T @ (sigmoid_prime(pre[t + 1]) * g[t + 1])
    return (sigmoid_prime(pre) * g).T @ prev
'''),
]
