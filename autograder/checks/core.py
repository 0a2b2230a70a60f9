"""Building blocks of every check: safe calls, strict result types, tolerant comparison, diagnosis."""

import copy
import secrets
import warnings

import numpy as np


class CheckFailed(AssertionError):
    """A student's function gave a wrong, malformed or unsafe result; the message says why."""


# Floating-point error handling while a student function runs: silent, or warning on real trouble.
QUIET_ERRSTATE = {"divide": "ignore", "over": "ignore", "under": "ignore", "invalid": "ignore"}
WARN_ERRSTATE = {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}


class IsolatedCallable:
    """A student's function that runs elsewhere (see autograder.student_process).

    ``invoke(args, quiet)`` returns (result, runtime warning messages) and raises the
    student's exception, like a local call wrapped by ``call`` below. ``missing`` is True when
    the notebook does not define the name at all.
    """

    missing = False

    def invoke(self, args, quiet):
        raise NotImplementedError


def fresh_rng():
    """A generator on an unpredictable seed, and the seed (quoted in messages to replay a case)."""
    seed = secrets.randbits(32)
    return np.random.default_rng(seed), seed


def show(value, precision=4):
    """A short, readable rendering of an array (or anything) for a message."""
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=precision, suppress_small=False, threshold=20, edgeitems=2)
    return repr(value)[:200]


def describe_args(args):
    """'W (3, 2), x (2,)'-style summary of the inputs handed to a student function."""
    parts = []
    for name, value in args.items():
        if isinstance(value, np.ndarray):
            parts.append(f"{name} of shape {value.shape}")
        elif callable(value):
            parts.append(f"{name} = a function")
        else:
            parts.append(f"{name} = {value!r}")
    return ", ".join(parts)


def call(fn, name, args, *, quiet=True):
    """Call fn(*args.values()) on copies of the inputs; fail if it raises or modifies them.

    With quiet=True, floating-point warnings are silenced (a test that is not about
    numerical stability must not print to stderr). Returns (result, RuntimeWarning messages).
    """
    handed = copy.deepcopy(args)
    try:
        if isinstance(fn, IsolatedCallable):
            result, caught = fn.invoke(list(handed.values()), quiet)
        else:
            result, caught = _invoke_here(fn, list(handed.values()), quiet)
    except NotImplementedError:
        raise CheckFailed(f"{name} is not implemented yet (it raised NotImplementedError).") from None
    except Exception as exc:  # the student's error, reported with the case that caused it
        raise CheckFailed(
            f"{name} raised {type(exc).__name__}: {exc}\n  when called with {describe_args(args)}."
        ) from None
    for key, original in args.items():
        if isinstance(original, np.ndarray) and not np.array_equal(original, handed[key], equal_nan=True):
            raise CheckFailed(f"{name} modified its input {key!r} in place; it must leave its arguments unchanged.")
    return result, caught


def _invoke_here(fn, args, quiet):
    """Call fn in this process; return (result, messages of the RuntimeWarnings it raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(**(QUIET_ERRSTATE if quiet else WARN_ERRSTATE)):
            result = fn(*args)
    return result, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def require_float_array(result, shape, name, case):
    """Fail unless result is a real floating numpy.ndarray (not a subclass) of exactly this shape."""
    if type(result) is not np.ndarray:
        raise CheckFailed(
            f"{name} should return a numpy.ndarray of shape {shape}, but returned {type(result).__name__} "
            f"for {case}."
        )
    if result.dtype.kind != "f":
        raise CheckFailed(
            f"{name} should return a real floating-point array, but its dtype is {result.dtype} for {case}."
        )
    if result.shape != shape:
        hint = ""
        if result.shape == shape[::-1] and shape[0] != shape[-1]:
            hint = " Did you return the transpose?"
        raise CheckFailed(f"{name} returned shape {result.shape}, expected {shape} for {case}.{hint}")
    return result


def require_real_number(value, name, case):
    """Fail unless value is one real number (not bool, complex or an array); returns it as a 1-element array."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        kind = type(value).__name__
        hint = " It is complex: take its absolute value (np.abs)." if isinstance(value, (complex, np.complexfloating)) \
            else " Return one number, for example float(...)." if isinstance(value, np.ndarray) else ""
        raise CheckFailed(f"{name} should return a real number, but returned {kind} {show(value)} for {case}.{hint}")
    return np.array([float(value)])


def require_assigned_value(value, name, what):
    """Fail unless the notebook bound name to a value (what: "the number", "a dict", ...): not to nothing,
    and not to a function."""
    if isinstance(value, IsolatedCallable) or callable(value):
        raise CheckFailed(f"{name} is not defined by the notebook: assign {what} to the name {name}."
                          if getattr(value, "missing", False) else f"{name} should be {what} itself, not a function.")
    return value


def relative_error(found, expected):
    """||found - expected|| / ||expected|| (Frobenius norms; absolute error when expected is 0)."""
    scale = np.linalg.norm(expected)
    diff = np.linalg.norm(np.asarray(found, dtype=complex if np.iscomplexobj(expected) else float) - expected)
    return float(diff / scale) if scale > 0 else float(diff)


def diagnose(found, mistakes, rtol):
    """The description of the first known mistake whose value matches found, or None."""
    for description, wrong in mistakes.items():
        wrong = np.asarray(wrong)
        if wrong.shape == found.shape and np.all(np.isfinite(wrong)) and relative_error(found, wrong) <= rtol:
            return description
    return None


def compare(found, expected, *, name, case, rtol, mistakes=None):
    """Fail with a teaching message unless found is within relative error rtol of expected."""
    if not np.all(np.isfinite(found)):
        raise CheckFailed(f"{name} returned NaN or infinite values for {case}:\n  found {show(found)}")
    error = relative_error(found, expected)
    if error <= rtol:
        return
    digits = int(min(12, max(4, 2 - np.floor(np.log10(error)))))  # enough digits to see the difference
    message = (
        f"{name} is wrong for {case}.\n"
        f"  expected {show(expected, digits)}\n"
        f"  found    {show(found, digits)}\n"
        f"  relative error {error:.2e} exceeds the tolerance {rtol:g}."
    )
    likely = diagnose(found, mistakes or {}, rtol)
    if likely:
        message += f"\n  Likely mistake: {likely}."
    elif found.dtype != np.float64 and found.dtype.kind == "f" and relative_error(found, expected) < 1e-4:
        message += f"\n  Likely mistake: the result is {found.dtype}, which keeps too few digits; compute in float64."
    raise CheckFailed(message)


def check_gates(gates, expected, *, function, position, tanh_gate, n, case, mistakes):
    """Fail unless gates is a dict with exactly the keys of expected, each a real float array of shape (n,)
    inside its range ((-1, 1) for tanh_gate, (0, 1) for sigmoid gates) and equal to expected[key].

    gates is the result at position ("third") of the student's function named function, so messages say
    "lstm_step's third result"; mistakes maps a gate to {description: wrong value}; using another gate's
    parameters is always diagnosed.
    """
    keys = list(expected)
    if type(gates) is not dict or set(gates) != set(keys):
        found = sorted(gates) if type(gates) is dict else type(gates).__name__
        raise CheckFailed(f"{function}'s {position} result should be a dict with the keys {keys}, got {found} "
                          f"for {case}.")
    for g in keys:
        value = require_float_array(gates[g], (n,), f"{function}'s gates[{g!r}]", case)
        low, high = (-1.0, 1.0) if g == tanh_gate else (0.0, 1.0)
        if np.any(value <= low) or np.any(value >= high):
            what = "tanh, so it lies in (-1, 1)" if g == tanh_gate else "a sigmoid, so it lies in (0, 1)"
            raise CheckFailed(f"gates[{g!r}] = {show(value)} leaves its range for {case}: it is {what}.")
        compare(value, expected[g], name=f"{function}'s gates[{g!r}]", case=case, rtol=1e-9,
                mistakes={f"this is gates[{other!r}]: the parameters of another gate were used": expected[other]
                          for other in keys if other != g} | mistakes.get(g, {}))


def check_repeatable(fn, name, args, first):
    """Fail if a second call with the same inputs gives a different answer (hidden state).

    first is the first call's result: an array, a number, a string, or a tuple, list or dict of them
    (compared item by item, each of the same type as in first).
    """
    again, _ = call(fn, name, args)
    if not _same_result(again, first):
        raise CheckFailed(f"{name} gave a different answer when called twice with the same inputs; "
                          "it must not keep state between calls.")


def _same_result(again, first):
    """True if again has the type of first and the same value (NaN equal to NaN), item by item in containers."""
    if type(again) is not type(first):
        return False
    if isinstance(first, (tuple, list)):
        return len(again) == len(first) and all(map(_same_result, again, first))
    if isinstance(first, dict):
        return again.keys() == first.keys() and all(_same_result(again[k], first[k]) for k in first)
    if isinstance(first, str):
        return again == first
    return np.array_equal(np.asarray(again), np.asarray(first), equal_nan=True)
