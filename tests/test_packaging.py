"""An installed zcrxlint carries its facts and runs from any directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from helpers import FIXTURES, REPO, command


def test_wheel_ships_the_rules(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", tmp_path, REPO], check=True, capture_output=True, timeout=120)
    wheel = next(tmp_path.glob("zcrxlint-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {p.name for p in (REPO / "rules").glob("*.toml")}
    assert rules and {f"zcrxlint/rules/{name}" for name in rules} <= names
    assert "zcrxlint/ruledocs/rules.md" in names      # what SARIF rule links point at


def test_command_runs_from_another_directory(tmp_path):
    listed = command(["rules"], cwd=tmp_path)
    assert listed.returncode == 0 and b"ZCX101" in listed.stdout
    patch = FIXTURES / "demo" / "0002-io_uring-zcopy_rx-fill-the-alloc-cache-from-the-free.patch"
    result = command(["check", patch], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert b"ERROR:ZCX101:" in result.stdout and b"ERROR:ZCX104:" in result.stdout
