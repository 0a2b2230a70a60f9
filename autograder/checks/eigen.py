"""Checks for notebook 03: power_via_eig, W30, spectral_radius, gradient_regime.

The homework's Q is orthogonal and symmetric, which hides several mistakes (Q^T for Q^{-1}, the
inverse on the wrong side); these checks use non-orthogonal bases, negative and complex
eigenvalues, and non-normal matrices whose spectral norm is far from their spectral radius.
"""

import numpy as np

from ..reference import eigen as ref
from . import core

RTOL = 1e-9
# (k, n): a 1x1 case, n = 0 and n = 1, a long power, and one case twice (stale answers show).
POWER_CASES = [(3, 5), (2, 30), (1, 4), (4, 0), (2, 1), (3, 5)]
REGIMES = ("vanishing", "neutral", "exploding")


def _basis(rng, k):
    """A random, well-conditioned, clearly non-orthogonal basis (columns are eigenvectors)."""
    while True:
        Q = rng.normal(size=(k, k))
        if np.linalg.cond(Q) < 30 and (k == 1 or not np.allclose(Q.T @ Q, np.eye(k), atol=0.1)):
            return Q


def _eigenvalues(rng, k):
    """Real eigenvalues of size 0.2 to 1.3, at least one of them negative."""
    lam = rng.uniform(0.2, 1.3, size=k) * rng.choice([-1.0, 1.0], size=k)
    lam[0] = -abs(lam[0])
    return rng.permutation(lam)


def _power_mistakes(Q, lam, n):
    inv = np.linalg.inv(Q)
    with np.errstate(all="ignore"):
        M = Q @ np.diag(lam) @ inv
        return {
            "Q^T instead of Q^{-1}: the two agree only when Q is orthogonal, which the homework's Q is but "
            "these test bases are not": Q @ np.diag(lam**n) @ Q.T,
            "the inverse is on the wrong side: M^n = Q Lambda^n Q^{-1}, not Q^{-1} Lambda^n Q":
                inv @ np.diag(lam**n) @ Q,
            "Q^{-1} is missing: you returned Q Lambda^n": Q @ np.diag(lam**n),
            "lam * n instead of lam ** n": Q @ np.diag(lam * n) @ inv,
            "abs(lam) ** n loses the sign of the negative eigenvalues": Q @ np.diag(np.abs(lam) ** n) @ inv,
            "the power is n - 1": Q @ np.diag(lam ** (n - 1.0)) @ inv,
            "the power is n + 1": Q @ np.diag(lam ** (n + 1.0)) @ inv,
            "** on an array works entry by entry: you raised the entries of M to the power n, not the matrix": M**n,
            "np.diag(lam) ** n is computed entry by entry, and 0 ** 0 = 1: for n = 0 the middle factor became a "
            "matrix of ones instead of the identity; raise the eigenvalues first, then build the diagonal":
                Q @ (np.diag(lam) ** n) @ inv,
        }


def _power_args(rng, k, n):
    return {"Q": _basis(rng, k), "lam": _eigenvalues(rng, k), "n": n}


def check_power_via_eig(power_via_eig):
    rng, seed = core.fresh_rng()
    for k, n in POWER_CASES:
        args = _power_args(rng, k, n)
        Q, lam = args["Q"], args["lam"]
        case = f"a non-orthogonal {k}x{k} Q, lam = {core.show(lam, 3)}, n = {n} (random case, seed {seed})"
        found, _ = core.call(power_via_eig, "power_via_eig", args)
        core.require_float_array(found, (k, k), "power_via_eig", case)
        core.compare(found, ref.power_via_eig(Q, lam, n), name="power_via_eig", case=case, rtol=RTOL,
                     mistakes=_power_mistakes(Q, lam, n), shrink=lambda: core.Shrinker(
                         power_via_eig, "power_via_eig", _power_args, lambda a: ref.power_via_eig(**a), rtol=RTOL,
                         seed=seed, floors={"n": 0, "k": 1},
                         rises={"n": "the identity M^0 = I is right, so look at how Lambda is raised to the power n",
                                "k": "a 1x1 matrix is right, so look at Q^{-1} and the order of the three factors"},
                         at_floor={"n": "even n = 0, where M^0 = Q Q^{-1} = I, is wrong: look at Q^{-1}, and at "
                                        "0 ** 0 = 1 on the diagonal",
                                   "k": "a 1x1 matrix is wrong too, so it is not a transpose or an inverse on "
                                        "the wrong side"})({"k": k, "n": n}))
        core.check_repeatable(power_via_eig, "power_via_eig", args, found)
    _check_complex_power(power_via_eig, rng, seed)


def _check_complex_power(power_via_eig, rng, seed):
    """A real 3x3 matrix with a complex-conjugate pair of eigenvalues, given by numpy.linalg.eig."""
    angle, radius = rng.uniform(0.4, 2.5), rng.uniform(0.8, 1.1)
    block = radius * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    B = _basis(rng, 3)
    M = B @ np.block([[block, np.zeros((2, 1))], [np.zeros((1, 2)), -0.5 * np.ones((1, 1))]]) @ np.linalg.inv(B)
    lam, Q = np.linalg.eig(M)
    n = int(rng.integers(6, 12))
    args = {"Q": Q, "lam": lam, "n": n}
    case = (f"Q and lam = {core.show(lam, 3)} from numpy.linalg.eig of a real 3x3 matrix with complex eigenvalues, "
            f"n = {n} (seed {seed})")
    found, _ = core.call(power_via_eig, "power_via_eig", args)
    if type(found) is not np.ndarray or found.dtype.kind not in "fc" or found.shape != (3, 3):
        raise core.CheckFailed(f"power_via_eig should return a (3, 3) numpy array (complex is fine here) for {case}, "
                               f"but returned {type(found).__name__} {getattr(found, 'dtype', '')} "
                               f"of shape {np.shape(found)}.")
    core.compare(found, np.linalg.matrix_power(M, n).astype(complex), name="power_via_eig", case=case, rtol=1e-8,
                 mistakes={"you kept only the absolute values of complex numbers": np.abs(ref.power_via_eig(Q, lam, n)),
                           **_power_mistakes(Q, lam, n)})


def check_W30(W30):
    """The homework's W^30, to nine digits."""
    core.require_assigned_value(W30, "W30", "the (2, 2) array W^30")
    case = "the homework's Q = [[-0.6, -0.8], [-0.8, 0.6]] and Lambda = diag(0.9, 0.4)"
    W30 = core.require_float_array(W30, (2, 2), "W30", case)
    Q, lam = ref.HOMEWORK_Q, ref.HOMEWORK_LAMBDA
    W = Q @ np.diag(lam) @ Q.T
    core.compare(W30, ref.W30, name="W30", case=case, rtol=RTOL, mistakes={
        "this is W^29": ref.power_via_eig(Q, lam, 29),
        "this is W^31": ref.power_via_eig(Q, lam, 31),
        "the eigenvalues are paired with the wrong eigenvectors: 0.9 belongs to the first column of Q":
            ref.power_via_eig(Q, lam[::-1], 30),
        "W ** 30 raises each entry to the 30th power; the matrix power needs the eigenvalues (or matrix_power)":
            W**30,
        "this is W itself": W,
        "the values look rounded: compute W30 in code (for example with power_via_eig) rather than typing digits":
            np.round(ref.W30, 8),
    })


def _similar(rng, matrix):
    """matrix conjugated by a random orthogonal matrix: same eigenvalues and same non-normality."""
    orthogonal, _ = np.linalg.qr(rng.normal(size=matrix.shape))
    return orthogonal @ matrix @ orthogonal.T


def _radius_cases(rng):
    """(description, M): complex spectra, a dominant negative eigenvalue, a non-normal matrix, 1x1."""
    B = _basis(rng, 3)
    yield "a random non-symmetric 4x4 matrix", rng.normal(size=(4, 4))
    yield ("a 3x3 matrix whose largest eigenvalue in size is -1.4",
           B @ np.diag(rng.permutation([-1.4, 0.9, 0.3])) @ np.linalg.inv(B))
    yield ("a non-normal 2x2 matrix, eigenvalues 0.6 and 0.5 with a large off-diagonal coupling",
           _similar(rng, np.array([[0.6, rng.uniform(5, 20)], [0.0, 0.5]])))
    angle = rng.uniform(1.2, 1.9)
    yield ("1.2 times a rotation by about 90 degrees (complex eigenvalues, small real parts)",
           _similar(rng, 1.2 * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])))
    yield "a 1x1 matrix", np.array([[-rng.uniform(0.2, 2.0)]])
    yield "a random non-symmetric 4x4 matrix", rng.normal(size=(4, 4))


def _radius_mistakes(M):
    eig = np.linalg.eigvals(M)
    top = eig[np.argmax(np.abs(eig))]
    return {
        "the absolute value is missing: the largest eigenvalue in absolute value may be negative or complex":
            np.array([np.max(eig.real)]),
        "this is the eigenvalue of largest absolute value itself; the spectral radius is its absolute value":
            np.array([top.real if top.imag == 0 else np.nan]),
        "this is the largest absolute real part; complex eigenvalues need their modulus, np.abs(lam)":
            np.array([np.max(np.abs(eig.real))]),
        "this is the spectral norm (the largest singular value), which differs from the spectral radius for "
        "non-normal matrices": np.array([np.linalg.norm(M, 2)]),
        "eigvalsh assumes a symmetric matrix; use eigvals for a general one":
            np.array([np.max(np.abs(np.linalg.eigvalsh(M)))]),
        "this is the largest diagonal entry in size, not an eigenvalue": np.array([np.max(np.abs(np.diag(M)))]),
        "this is the smallest eigenvalue in absolute value": np.array([np.min(np.abs(eig))]),
        "this is the Frobenius norm": np.array([np.linalg.norm(M)]),
    }


def _simple_matrices():
    """(description, M), simplest first: the ladder of simplest_failure for the spectral radius and the regime."""
    yield "M = [[0.5]] (1x1)", np.array([[0.5]])
    yield "M = [[2.0]] (1x1)", np.array([[2.0]])
    yield "M = [[-1.5]] (1x1, negative)", np.array([[-1.5]])
    yield "M = diag(0.5, -1.2) (diagonal)", np.diag([0.5, -1.2])
    yield "M = [[0.5, 20], [0, 0.5]] (triangular, eigenvalues 0.5 and 0.5)", np.array([[0.5, 20.0], [0.0, 0.5]])
    yield "M = [[0, -1.1], [1.1, 0]] (eigenvalues +-1.1i)", np.array([[0.0, -1.1], [1.1, 0.0]])
    yield "M = [[0.3, 2], [-0.5, 0.4]] (complex eigenvalues, not normal)", np.array([[0.3, 2.0], [-0.5, 0.4]])


def _radius_is_wrong(expected, found):
    try:
        number = core.require_real_number(found, "spectral_radius", "")
    except core.CheckFailed:
        return True
    return core.relative_error(number, np.array([expected])) > RTOL


def check_spectral_radius(spectral_radius):
    rng, seed = core.fresh_rng()
    for description, M in _radius_cases(rng):
        case = f"{description} (random case, seed {seed})"
        found, _ = core.call(spectral_radius, "spectral_radius", {"M": M})
        number = core.require_real_number(found, "spectral_radius", case)
        core.compare(number, np.array([ref.spectral_radius(M)]), name="spectral_radius", case=case, rtol=RTOL,
                     mistakes=_radius_mistakes(M), shrink=lambda: core.simplest_failure(
                         spectral_radius, "spectral_radius", [(d, {"M": m}) for d, m in _simple_matrices()],
                         lambda a: ref.spectral_radius(a["M"]), is_wrong=_radius_is_wrong))
        core.check_repeatable(spectral_radius, "spectral_radius", {"M": M}, found)


def _regime_cases(rng):
    """(description, args): each regime, matrices that fool norm-, real-part- and tol-based answers."""
    B = _basis(rng, 3)
    scaled = rng.normal(size=(4, 4))
    scaled /= ref.spectral_radius(scaled)
    yield "a random 4x4 matrix scaled to spectral radius 0.8", {"M": 0.8 * scaled}
    yield "the same matrix scaled to spectral radius 1.3", {"M": 1.3 * scaled}
    yield ("a non-normal matrix with eigenvalues 0.5 (spectral norm above 10)",
           {"M": _similar(rng, np.array([[0.5, rng.uniform(20, 50)], [0.0, 0.5]]))})
    yield ("a matrix whose eigenvalues are -1.2, 0.6 and 0.3",
           {"M": B @ np.diag(rng.permutation([-1.2, 0.6, 0.3])) @ np.linalg.inv(B)})
    angle = rng.uniform(1.2, 1.9)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    yield "1.1 times a rotation (complex eigenvalues with small real parts)", {"M": _similar(rng, 1.1 * rotation)}
    yield ("a random orthogonal 3x3 matrix (every eigenvalue on the unit circle)",
           {"M": np.linalg.qr(rng.normal(size=(3, 3)))[0]})
    yield "a rotation scaled to spectral radius 1 + 1e-12 (default tol)", {"M": (1 + 1e-12) * rotation}
    yield "a rotation scaled to spectral radius 1.0004, with tol = 1e-3", {"M": 1.0004 * rotation, "tol": 1e-3}
    yield "a rotation scaled to spectral radius 0.9996, with tol = 1e-3", {"M": 0.9996 * rotation, "tol": 1e-3}
    yield "a rotation scaled to spectral radius 1.002, with tol = 1e-3", {"M": 1.002 * rotation, "tol": 1e-3}
    yield "a rotation scaled to spectral radius 1 + 1e-7 (default tol)", {"M": (1 + 1e-7) * rotation}


def _simple_regimes():
    """(description, args), simplest first: the simple matrices, then the neutral band and tol."""
    yield from ((d, {"M": M}) for d, M in _simple_matrices())
    yield "M = [[1.0]] (1x1, radius exactly 1)", {"M": np.array([[1.0]])}
    yield "M = [[1 + 1e-12]] (default tol)", {"M": np.array([[1 + 1e-12]])}
    yield "M = [[1.0004]] with tol = 1e-3", {"M": np.array([[1.0004]]), "tol": 1e-3}
    yield "M = [[1.002]] with tol = 1e-3", {"M": np.array([[1.002]]), "tol": 1e-3}


def _regime_of(value, tol):
    return "neutral" if abs(value - 1.0) <= tol else "vanishing" if value < 1.0 else "exploding"


def _regime_mistakes(M, tol):
    eig = np.linalg.eigvals(M)
    return {
        "the decision used the spectral norm; the regime of M^n is set by the spectral radius":
            _regime_of(np.linalg.norm(M, 2), tol),
        "the decision used the largest eigenvalue without its absolute value": _regime_of(np.max(eig.real), tol),
        "the decision used real parts; complex eigenvalues need their modulus":
            _regime_of(np.max(np.abs(eig.real)), tol),
        "the tol argument was ignored in favour of the default": _regime_of(ref.spectral_radius(M), 1e-9),
        "tol was ignored: a spectral radius within tol of 1 is neutral": _regime_of(ref.spectral_radius(M), 0.0),
    }


def check_gradient_regime(gradient_regime):
    rng, seed = core.fresh_rng()
    for description, args in _regime_cases(rng):
        case = f"{description} (random case, seed {seed})"
        found, _ = core.call(gradient_regime, "gradient_regime", args)
        if type(found) is not str or found not in REGIMES:
            raise core.CheckFailed(f"gradient_regime should return one of {REGIMES}, but returned {core.show(found)} "
                                   f"for {case}.")
        expected = ref.gradient_regime(**args)
        if found != expected:
            rho = ref.spectral_radius(args["M"])
            message = (f"gradient_regime is wrong for {case}: the spectral radius is {rho:.10g}, so the answer is "
                       f"{expected!r}, but it returned {found!r}.")
            likely = [why for why, regime in _regime_mistakes(args["M"], args.get("tol", 1e-9)).items()
                      if regime == found]
            if likely:  # a guess: with three possible answers, a mistake can give the right one by chance
                message += f"\n  Likely mistake: {likely[0]}."
            message += core.simplest_failure(gradient_regime, "gradient_regime", _simple_regimes(),
                                             lambda a: ref.gradient_regime(**a), is_wrong=lambda e, f: e != f)
            raise core.CheckFailed(message)
        core.check_repeatable(gradient_regime, "gradient_regime", args, found)
