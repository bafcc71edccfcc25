import os

# In-process runs re-raise internal errors instead of folding them into exit status 2,
# so a bug shows its traceback in the test report.
os.environ.setdefault("ZCRXLINT_DEBUG", "1")
