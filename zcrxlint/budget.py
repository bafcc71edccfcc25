"""A per-file time budget, so that a pathological file ends in a partial note, not a stall.

SIGALRM interrupts the analysis wherever it is (tree-sitter's parse returns to Python
first). Outside the main thread, or where there is no SIGALRM, the budget is not enforced.
"""

from __future__ import annotations

import contextlib
import signal
import threading


class OverBudget(BaseException):
    """The analysis of one file, or the reading of one input, ran past its budget. Not an
    Exception: a handler for a library's errors must never swallow it."""


def _expire(signum, frame):
    raise OverBudget


@contextlib.contextmanager
def time_budget(seconds: float | None):
    if not seconds or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def over_budget_reason(seconds: float) -> str:
    return f"analysis stopped after {seconds:g} s (--time-budget); findings in it may be missing"
