"""Notebook 02: wrong (MUTANTS) and correct (VARIANTS) versions of its eight functions."""

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
''', "Right for T = 0, wrong from T = 1"),
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
    ("forward_mode_dW", "fm_transposed_jacobian", '''
def forward_mode_dW(W, U, xs, h_init, dL_dh):
    n = len(h_init)
    P, grad, h_prev = np.zeros((n, n, n)), np.zeros((n, n)), h_init
    for t in range(len(xs)):
        P = np.tensordot(step_jacobian(W, U, xs[t], h_prev).T, P, axes=1) + immediate_dh_dW(W, U, xs[t], h_prev)
        grad += np.tensordot(dL_dh[t], P, axes=1)
        h_prev = sigmoid(W @ h_prev + U @ xs[t])
    return grad
''', "the step Jacobian is transposed"),
    ("forward_mode_dW", "fm_last_loss_only", '''
def forward_mode_dW(W, U, xs, h_init, dL_dh):
    n = len(h_init)
    P, h_prev = np.zeros((n, n, n)), h_init
    for t in range(len(xs)):
        P = np.tensordot(step_jacobian(W, U, xs[t], h_prev), P, axes=1) + immediate_dh_dW(W, U, xs[t], h_prev)
        h_prev = sigmoid(W @ h_prev + U @ xs[t])
    return np.tensordot(dL_dh[-1], P, axes=1)
''', "only dL_dh[T]"),
    ("forward_mode_dW", "fm_no_carry", '''
def forward_mode_dW(W, U, xs, h_init, dL_dh):
    grad, h_prev = np.zeros(W.shape), h_init
    for t in range(len(xs)):
        grad += np.tensordot(dL_dh[t], immediate_dh_dW(W, U, xs[t], h_prev), axes=1)
        h_prev = sigmoid(W @ h_prev + U @ xs[t])
    return grad
''', "only the immediate terms"),
    ("forward_mode_dW", "fm_state_lags", '''
def forward_mode_dW(W, U, xs, h_init, dL_dh):
    n = len(h_init)
    P, grad, h_prev = np.zeros((n, n, n)), np.zeros((n, n)), h_init
    for t in range(len(xs)):
        h_prev = sigmoid(W @ h_prev + U @ xs[t])
        P = np.tensordot(step_jacobian(W, U, xs[t], h_prev), P, axes=1) + immediate_dh_dW(W, U, xs[t], h_prev)
        grad += np.tensordot(dL_dh[t], P, axes=1)
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
    ("bptt_truncated", "bt_strict_window", '''
def bptt_truncated(W, U, xs, h_init, dL_dh, tau):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    grad = np.zeros(W.shape)
    for t in range(len(xs)):
        row = dL_dh[t]
        for k in range(t, max(0, t - tau + 1) - 1, -1):
            grad += np.tensordot(row, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1)
            row = row @ step_jacobian(W, U, xs[k], prev[k])
    return grad
''', "t - k = tau are missing"),
    ("bptt_truncated", "bt_window_from_start", '''
def bptt_truncated(W, U, xs, h_init, dL_dh, tau):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    grad = np.zeros(W.shape)
    for t in range(len(xs)):
        row = dL_dh[t]
        for k in range(t, -1, -1):
            if k <= tau:
                grad += np.tensordot(row, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1)
            row = row @ step_jacobian(W, U, xs[k], prev[k])
    return grad
''', "from the start of the sequence"),
    ("bptt_truncated", "bt_ignores_tau", '''
def bptt_truncated(W, U, xs, h_init, dL_dh, tau):
    return bptt(W, U, xs, h_init, dL_dh)
''', "tau was ignored"),
    ("bptt_truncated", "bt_drops_k0_when_clipped", '''
def bptt_truncated(W, U, xs, h_init, dL_dh, tau):
    hs = rnn_forward(W, U, xs, h_init)
    prev = [h_init] + list(hs[:-1])
    grad = np.zeros(W.shape)
    for t in range(len(xs)):
        row = dL_dh[t]
        for k in range(t, max(0, t - tau), -1):
            grad += np.tensordot(row, immediate_dh_dW(W, U, xs[k], prev[k]), axes=1)
            row = row @ step_jacobian(W, U, xs[k], prev[k])
    return grad
'''),
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
    ("forward_mode_dW", "ok_fm_einsum", '''
def forward_mode_dW(W, U, xs, h_init, dL_dh):
    n = len(h_init)
    hs = rnn_forward(W, U, xs, h_init)
    prev = np.vstack([h_init, hs[:-1]])
    P = np.zeros((n, n, n))
    grad = np.zeros((n, n))
    for t in range(len(xs)):
        s_prime = sigmoid_prime(W @ prev[t] + U @ xs[t])
        P = np.einsum("i,ij,jab->iab", s_prime, W, P)
        P[np.arange(n), np.arange(n), :] += s_prime[:, None] * prev[t]
        grad += np.einsum("i,iab->ab", dL_dh[t], P)
    return grad
'''),
    ("bptt_truncated", "ok_bt_backward_per_loss", '''
def bptt_truncated(W, U, xs, h_init, dL_dh, tau):
    hs = rnn_forward(W, U, xs, h_init)
    prev = np.vstack([h_init, hs[:-1]])
    pre = prev @ W.T + xs @ U.T
    grad = np.zeros(W.shape)
    for t in range(len(xs)):
        delta = sigmoid_prime(pre[t]) * dL_dh[t]
        for k in range(t, -1, -1):
            if t - k > tau:
                break
            grad += np.outer(delta, prev[k])
            if k > 0:
                delta = sigmoid_prime(pre[k - 1]) * (W.T @ delta)
    return grad
'''),
]
