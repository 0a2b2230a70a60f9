"""Checks called by the hidden tests, one module per notebook (``jacobian`` for 01, ...).

A check calls a student's function on fresh random cases, compares the result with the
reference solution, and raises ``CheckFailed`` with a message that states the case, the
expected and found values, the tolerance, and the likely mistake when it recognizes one.
"""

from .core import CheckFailed

__all__ = ["CheckFailed"]
