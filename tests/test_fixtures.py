"""The one walker over fixtures/: every `expect:` annotation must be reported, exactly where
it sits, and nothing else may be."""

from __future__ import annotations

from collections import Counter

import pytest

from helpers import (FIXTURES, compare, file_expectations, header_args, run_json,
                     series_args, series_expectations, series_inputs)

TREE = FIXTURES / "tree"
TREE_FILES = sorted(p for p in TREE.rglob("*") if p.suffix in (".c", ".h"))
# fixtures/provider: one defect at a time added to the clean provider in the tree.
SERIES = sorted([FIXTURES / "demo",
                 *(p for group in ("series", "provider") for p in (FIXTURES / group).iterdir()
                   if p.is_dir())])


@pytest.mark.parametrize("path", TREE_FILES, ids=lambda p: str(p.relative_to(TREE)))
def test_tree_file(path):
    text = path.read_text()
    _, doc = run_json(["files", path, *header_args(text)])
    rel = path.relative_to(TREE).as_posix()
    expected = Counter((rel, line, code, sev) for line, code, sev in file_expectations(text))
    actual = Counter((f["path"], f["line"], f["code"], f["severity"]) for f in doc["findings"])
    problems = compare(expected, actual, lambda w: f"{w[0]}:{w[1]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("directory", SERIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_series(directory):
    inputs = series_inputs(directory)
    _, doc = run_json(["check", *inputs, *series_args(directory)])
    actual = Counter((f["patch"]["index"], f["path"], f["line"], f["code"], f["severity"])
                     for f in doc["findings"])
    problems = compare(series_expectations(directory), actual,
                       lambda w: f"patch {w[0]}: {w[1]}:{w[2]}")
    assert not problems, "\n".join(problems)
