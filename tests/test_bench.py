"""A smoke run of the benchmark script on the fixtures, so that it cannot rot. No timing
is asserted: the numbers only mean something in the full run (README, Benchmark)."""

from __future__ import annotations

import re
import subprocess
import sys

from helpers import FIXTURES, REPO


def test_the_benchmark_runs_on_the_fixtures(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--smoke", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    results = (tmp_path / "RESULTS.md").read_text()
    rows = re.findall(r"^\| ([^|]+?) \| (\d+\.\d\d) s, \d+ MB \|", results, re.M)
    assert [name for name, _ in rows] == ["series: 15 patches", "tree: drivers/net/", "tree: net/",
                                          "whole tree"]
    scaling = re.findall(r"^\| (\d+ (?:files|patches)) [^|]*\| \d+\.\d\d s \| \d+ MB \|", results, re.M)
    drivers = sum(1 for _ in (FIXTURES / "tree" / "drivers" / "net").rglob("*.c"))
    assert scaling == ["1 files", f"{min(10, drivers)} files", "1 patches", "15 patches"]
    # The tree rows read zcrxlint's JSON: the fixture driver's ZCX1xx findings are counted.
    counted = re.search(r"^- drivers/net/: ZCX1xx findings (\d+)", results, re.M)
    assert counted and int(counted.group(1)) > 0
    assert "A smoke run on the fixtures" in results
    # Every heavy shape ran, and its peak was read from the process (no timing asserted).
    heavy = re.findall(r"^\| ([^|]+) \| \d+\.\d MB \| \d+\.\d s \| (\d+) MB \| [012] \| \d+ \| \d+ \| (yes|NO) \|",
                       results, re.M)
    assert [name for name, _, _ in heavy] == ["new files (100 KB each)", "small files (4 KB each)",
                                              "one file's diff", "growing file (100 KB a patch)",
                                              "archive of replies, then the patch"]
    assert all(int(peak) > 0 for _, peak, _ in heavy)
