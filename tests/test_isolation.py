"""The process boundary: the wire format, and a child that cannot stall, crash or fool the grader."""

import contextlib
import json
import time

import numpy as np
import pytest

from autograder.checks.core import CheckFailed, call, require_float_array
from autograder.sandbox.wire import Opaque, Probe, decode, encode
from autograder.student_process import ProcessEnded, StudentCode, TimeLimitExceeded


@pytest.mark.parametrize("value", [
    np.arange(6.0).reshape(2, 3), np.array([1 + 2j, 3j]), np.array([True, False]), np.array(5, dtype=np.int32),
    (np.ones(2), {"f": np.zeros(3), "flag": True}), [1, 2.5, "x", None], np.float64(2.5), np.array([np.nan, np.inf]),
    1 - 2j, np.complex128(3 + 4j), np.complex64(-1j),
])
def test_wire_round_trip_gives_equal_fresh_values(value):
    back = decode(json.loads(json.dumps(encode(value))))
    assert type(back) is type(value)
    if np.isscalar(value):
        assert back == value
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape
        np.testing.assert_array_equal(back, value)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_look_alikes_do_not_cross_as_arrays():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    class Anything:
        shape = (2, 2)

        def __eq__(self, other):
            return True

    for liar in (np.zeros(3).view(Liar), Anything(), np.matrix([[1.0]])):
        back = decode(encode(liar))
        assert isinstance(back, Opaque) and type(back).__name__ == type(liar).__name__
        with pytest.raises(CheckFailed, match="numpy.ndarray"):
            require_float_array(back, (3,), "f", "a case")


def test_probes_are_rebuilt_only_where_allowed():
    probe = Probe("lambda v: A @ v", A=np.eye(2) * 3)
    wired = encode(probe)
    assert isinstance(decode(wired), Opaque), "the grader must never run code that came from the child"
    np.testing.assert_array_equal(decode(wired, allow_probes=True)(np.ones(2)), [3.0, 3.0])


CELLS = ["import numpy as np", "def double(v):\n    return 2 * v"]


@contextlib.contextmanager
def student_process(cells, call_seconds=5.0, **options):
    """One check's fork of a child that has run cells (what TrustedVerdicts gives each check)."""
    with StudentCode(cells, **options) as code, code.fork(call_seconds=call_seconds) as child:
        yield child


def test_child_runs_cells_and_answers_calls_despite_prints_and_input():
    cells = CELLS + ["print('noise'); import sys; print('more noise', file=sys.stderr)",
                     "def chatty(v):\n    print('hello')\n    input()\n    return v + 1"]
    with student_process(cells) as child:
        double, chatty = child.argument("double"), child.argument("chatty")
        result, _ = call(double, "double", {"v": np.arange(3.0)})
        np.testing.assert_array_equal(result, [0.0, 2.0, 4.0])
        with pytest.raises(CheckFailed, match="EOFError"):
            call(chatty, "chatty", {"v": np.arange(3.0)})


def test_child_cannot_import_the_reference_solutions():
    with student_process(CELLS + ["def peek():\n    import autograder.reference\n    return 1.0"]) as child:
        with pytest.raises(CheckFailed, match="ModuleNotFoundError"):
            call(child.argument("peek"), "peek", {})


def test_child_reports_in_place_changes_and_warnings():
    cells = CELLS + ["def scribble(v):\n    v[0] = 99.0\n    return v.copy()",
                     "def overflow(v):\n    return np.exp(v)"]
    with student_process(cells) as child:
        with pytest.raises(CheckFailed, match="in place"):
            call(child.argument("scribble"), "scribble", {"v": np.zeros(2)})
        _, warned = call(child.argument("overflow"), "overflow", {"v": np.array([1000.0])}, quiet=False)
        assert warned and "overflow" in warned[0]


def test_an_infinite_loop_costs_the_call_budget_only():
    with student_process(CELLS + ["def spin(v):\n    while True:\n        pass"], call_seconds=1.0) as child:
        spin = child.argument("spin")
        start = time.monotonic()
        with pytest.raises(TimeLimitExceeded):
            spin.invoke([np.zeros(1)], quiet=True)
        assert time.monotonic() - start < 5


@pytest.mark.parametrize("ending", ["import os\n    os._exit(3)", "import sys\n    sys.exit(0)",
                                    "import signal, os\n    os.kill(os.getpid(), signal.SIGKILL)"])
def test_a_dying_child_is_reported_not_fatal(ending):
    with student_process(CELLS + [f"def die(v):\n    {ending}"]) as child:
        with pytest.raises(CheckFailed, match="die raised"):
            call(child.argument("die"), "die", {"v": np.zeros(1)})


def test_a_memory_bomb_hits_the_limit():
    bomb = "def bomb(v):\n    hog = []\n    while True:\n        hog.append(np.ones(10**7))"
    with student_process(CELLS + [bomb], memory_mb=1024) as child:
        with pytest.raises(CheckFailed, match="MemoryError|killed"):
            call(child.argument("bomb"), "bomb", {"v": np.zeros(1)})


def test_module_level_exit_in_a_cell_does_not_stop_the_child():
    with StudentCode(CELLS + ["import os\nos._exit(1)", "def later(v):\n    return v"]) as code:
        assert code.setup_failures
        with code.fork() as child:
            result, _ = call(child.argument("later"), "later", {"v": np.ones(2)})
        np.testing.assert_array_equal(result, [1.0, 1.0])


def test_a_missing_function_is_named():
    with student_process(CELLS) as child:
        with pytest.raises(CheckFailed, match="not defined"):
            call(child.argument("sigmoid"), "sigmoid", {"z": np.zeros(1)})


def test_setup_that_never_ends_is_cut():
    with pytest.raises(TimeLimitExceeded):
        StudentCode(["while True:\n    pass"], setup_seconds=1.0)


def test_a_process_that_ended_refuses_further_requests():
    kill = "def die(v):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)"
    with student_process(CELLS + [kill]) as child:
        die = child.argument("die")
        with pytest.raises(ProcessEnded):
            die.invoke([np.zeros(1)], quiet=True)
        with pytest.raises(ProcessEnded):
            child.argument("double")


def test_each_check_gets_its_own_copy_of_the_student_code():
    cells = CELLS + ["calls = []\ndef count(v):\n    calls.append(1)\n    return float(len(calls))",
                     "def die(v):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)"]
    with StudentCode(cells) as code:
        with code.fork() as first:
            count = first.argument("count")
            assert [call(count, "count", {"v": 0.0})[0] for _ in range(2)] == [1.0, 2.0]
        with code.fork() as crashed, pytest.raises(ProcessEnded):
            crashed.argument("die").invoke([0.0], quiet=True)
        with code.fork() as second:  # neither the first fork's state nor the crash reached it
            assert call(second.argument("count"), "count", {"v": 0.0})[0] == 1.0


def test_trusted_verdict_keeps_stability_warnings_under_an_outer_errstate():
    """Regression: the child used to inherit the grader's errstate(all="ignore") and miss overflow."""
    from autograder.hidden_tests import HiddenCall
    from autograder.verdicts import TrustedVerdicts

    naive = "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))"
    with np.errstate(all="ignore"):
        with StudentCode([naive]) as code:
            passed, message = TrustedVerdicts().verdict(code, HiddenCall("jacobian", "check_sigmoid", ("sigmoid",)))
    assert not passed and "not numerically stable" in message


DEFERRING_CELLS = [
    "import numpy as np\nimport matplotlib.pyplot as plt\nimport sympy as sp",
    "import sys\n"
    "def loaded():\n"
    "    return sorted(n for n in ('matplotlib.figure', 'sympy.core') if n in sys.modules)\n"
    "def draws():\n"
    "    figure = plt.figure(figsize=(2, 1))\n"
    "    return [type(figure).__name__, float(sp.sqrt(sp.Integer(4)))]\n",
    "from matplotlib.patches import Circle\ndef circle():\n    return type(Circle((0, 0), 1)).__name__",
]


def test_matplotlib_and_sympy_are_imported_only_when_a_function_uses_them():
    def result(child, name):
        return call(child.argument(name), name, {})[0]

    with StudentCode(DEFERRING_CELLS[:2]) as code:
        with code.fork(call_seconds=30) as child:
            assert result(child, "loaded") == [], "the import cell imported matplotlib or sympy at once"
            assert result(child, "draws") == ["Figure", 2.0]
            assert result(child, "loaded") == ["matplotlib.figure", "sympy.core"]
        with code.fork(call_seconds=30) as child:  # each fork starts from the child's state
            assert result(child, "loaded") == []
    with StudentCode(DEFERRING_CELLS) as code, code.fork(call_seconds=30) as child:
        assert result(child, "circle") == "Circle", "a from-import needs the real module at once"
