"""Building blocks of every check: safe calls, strict result types, tolerant comparison, diagnosis."""

import copy
import secrets
import time
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


def compare(found, expected, *, name, case, rtol, mistakes=None, shrink=None):
    """Fail with a teaching message unless found is within relative error rtol of expected.

    shrink: called (with no arguments) only when no known mistake matches; it returns more lines for the
    message, the smallest failing case (see Shrinker)."""
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
    elif shrink is not None:
        message += shrink()
    raise CheckFailed(message)


class Shrinker:
    """The smallest case on which a student's function is still wrong, for a mistake no list knows.

    build(rng, **sizes) -> the arguments (a dict) for sizes such as {"n": 3, "m": 2, "T": 4};
    expected_of(args) -> the reference answer; floors: the smallest value of each size, in the order to
    shrink them. rises: {size: what it means that the answer is right one below the minimal value and
    wrong from it on}; at_floor: {size: what it means that it is wrong even at the floor}; part(result)
    -> the array compared, for a function that returns several (a result without it counts as wrong).
    Inputs come from a generator seeded with the check's seed and the sizes, so every case can be replayed.
    """

    # Shrinking stops after this much time (s), out of the call budget the grader gives the whole check,
    # and reports nothing when a case failed because the process stopped (these grader-side errors,
    # autograder.student_process, reach a check as "<name> raised ...").
    budget = 1.0
    stopped = ("TimeLimitExceeded", "ProcessEnded", "StudentCodeStopped")

    def __init__(self, fn, name, build, expected_of, *, rtol, floors, rises=None, at_floor=None, seed=0,
                 part=None):
        self.fn, self.name, self.build, self.expected_of = fn, name, build, expected_of
        self.rtol, self.floors, self.seed, self.part = rtol, floors, seed, part
        self.rises, self.at_floor = rises or {}, at_floor or {}

    def _attempt(self, sizes):
        """(expected, found or the first line of the failure) on fresh inputs of these sizes."""
        args = self.build(np.random.default_rng([self.seed, *sizes.values()]), **sizes)
        expected = self.expected_of(args)
        try:
            found, _ = call(self.fn, self.name, args)
            return expected, found if self.part is None else self.part(found)
        except CheckFailed as exc:
            return expected, str(exc).splitlines()[0]
        except Exception as exc:  # the part could not be taken: a malformed result at this size
            return expected, f"the result has another form here ({type(exc).__name__}: {exc})"

    def _is_wrong(self, expected, found):
        if isinstance(found, str) or type(found) is not np.ndarray or found.shape != np.shape(expected):
            return True
        return not np.all(np.isfinite(found)) or relative_error(found, expected) > self.rtol

    def _wrong(self, sizes):
        return self._is_wrong(*self._attempt(sizes))

    def __call__(self, sizes):
        """Lines for the failure message: the smallest failing sizes, the answer there, and what passes."""
        start, current = time.monotonic(), dict(sizes)
        for size, floor in self.floors.items():
            current[size] = next((value for value in range(floor, current[size])
                                  if time.monotonic() - start > self.budget
                                  or self._wrong(dict(current, **{size: value}))), current[size])
        if current == sizes:
            return ""
        expected, found = self._attempt(current)
        if time.monotonic() - start > self.budget or not self._is_wrong(expected, found) or \
                (isinstance(found, str) and any(f"raised {name}" in found for name in self.stopped)):
            return ""
        where = ", ".join(f"{size} = {value}" for size, value in current.items())
        lines = [f"\n  Smallest failing case found by shrinking: {where} (fresh inputs, seed {self.seed}):",
                 f"\n    expected {show(expected, 6)}",
                 f"\n    found    {found if isinstance(found, str) else show(found, 6)}"]
        for size, floor in self.floors.items():
            if current[size] == floor:
                if size in self.at_floor:
                    lines.append(f"\n  Wrong already with {size} = {floor}: {self.at_floor[size]}.")
            elif not self._wrong(dict(current, **{size: current[size] - 1})):
                meaning = self.rises.get(size)
                lines.append(f"\n  Right for {size} = {current[size] - 1}, wrong from {size} = {current[size]}"
                             + (f": {meaning}." if meaning else "."))
        return "".join(lines)


def simplest_failure(fn, name, ladder, expected_of, *, is_wrong):
    """The Shrinker's counterpart for a function whose inputs have no size to shrink (a matrix judged by
    one property of it): lines for the failure message naming the first case of ladder, simplest first,
    on which fn is wrong, and the simpler case before it, on which it is right. ladder: (description,
    args) pairs; expected_of(args) -> the reference answer; is_wrong(expected, found or the first line of
    a failure) -> bool. Nothing when no case of the ladder fails, the time runs out, or a case failed
    because the process stopped (Shrinker.stopped)."""
    start, simpler = time.monotonic(), None
    for description, args in ladder:
        if time.monotonic() - start > Shrinker.budget:
            return ""
        expected = expected_of(args)
        try:
            found, _ = call(fn, name, args)
        except CheckFailed as exc:
            found = str(exc).splitlines()[0]
        if not is_wrong(expected, found):
            simpler = description
            continue
        if isinstance(found, str) and any(f"raised {stop}" in found for stop in Shrinker.stopped):
            return ""
        shown = found if isinstance(found, str) and found.startswith(name) else show(found, 6)
        return "".join([f"\n  Simplest failing case: {description}:",
                        f"\n    expected {show(expected, 6)}", f"\n    found    {shown}",
                        f"\n  Right for the simpler {simpler}." if simpler else
                        "\n  Wrong already for the simplest case of all."])
    return ""


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
