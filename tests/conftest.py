import os

from hypothesis import settings

# In-process runs re-raise internal errors instead of folding them into exit status 2,
# so a bug shows its traceback in the test report.
os.environ.setdefault("ZCRXLINT_DEBUG", "1")

# Hypothesis profiles for tests/test_fuzz.py.
#   default: the normal run; reproducible (derandomized), writes no .hypothesis/ database,
#            and the whole fuzz file stays around ten seconds on two cores.
#   long:    a nightly or by-hand run: random, thousands of examples, bigger inputs.
# Pick one with ZCRXLINT_HYPOTHESIS_PROFILE=long or with pytest's --hypothesis-profile=long
# (the option wins: Hypothesis's plugin loads it after this file).
# The deadline is per example and generous: an example that runs far too long (one the
# --time-budget the tests pass failed to stop) fails as DeadlineExceeded. Hypothesis checks
# it when the example returns, so it cannot break into a true endless loop.
# No health check is suppressed: none fires on these strategies, even in long runs.
settings.register_profile(
    "default",
    max_examples=150,
    deadline=10_000,
    derandomize=True,
    database=None,
    print_blob=True,
)
settings.register_profile(
    "long",
    max_examples=3_000,
    deadline=30_000,
    derandomize=False,
    print_blob=True,
)
settings.load_profile(os.environ.get("ZCRXLINT_HYPOTHESIS_PROFILE") or "default")
