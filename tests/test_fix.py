"""--fix: the rewrites are a diff git applies, they change only the findings' statements,
and what they leave is clean."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import FIXTURES, run
from kernel_repo import GIT_ENV

from zcrxlint.checks import CHECKS, RULES
from zcrxlint.docs import example_kernel
from zcrxlint.registry import Check

FIX = FIXTURES / "fix"
CASES = sorted(p for p in FIX.iterdir() if p.is_dir())
AT = "drivers/net/ethernet/acme/acme_zc.c"
HOOKED = {c.rule.code for c in CHECKS if type(c).fix is not Check.fix}


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, input=stdin, capture_output=True,
                          env={**GIT_ENV, "PATH": "/usr/bin:/bin"}, check=True)


def _repo(tmp_path: Path, files: dict[str, bytes], kernel: str) -> Path:
    repo = tmp_path / "tree"
    major, minor = kernel.split(".")
    files = {"Makefile": f"VERSION = {major}\nPATCHLEVEL = {minor}\nSUBLEVEL = 0\n".encode(), **files}
    for rel, data in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(data)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    return repo


def _fix(repo: Path, *args: str) -> tuple[int, str, str]:
    return run(["files", "--isolated", "--fix", *args, "."], cwd=repo)


def _findings(repo: Path, *args: str) -> list[dict]:
    code, out, _ = run(["files", "--isolated", "--format", "json", *args, "."], cwd=repo)
    assert code in (0, 1)
    return json.loads(out)["findings"]


def _apply(repo: Path, diff: str) -> None:
    if not diff:
        return
    _git(repo, "apply", "--check", stdin=diff.encode())
    _git(repo, "apply", stdin=diff.encode())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fix_fixture(case, tmp_path):
    args = (case / "args").read_text().split() if (case / "args").exists() else []
    repo = _repo(tmp_path, {AT: (case / "input.c").read_bytes()}, "6.15")
    before = _findings(repo, *args)
    code, diff, err = _fix(repo, *args)
    _apply(repo, diff)
    after = (repo / AT).read_bytes()
    # A case without fixed.c must come out unchanged: no rewrite is certain there.
    expected = case / "fixed.c"
    assert after == (expected.read_bytes() if expected.exists() else (case / "input.c").read_bytes()), diff + err
    assert expected.exists() or not diff
    # Every line no finding names is kept, byte for byte.
    named = {n for f in before for n in range(f["line"], f["end_line"] + 1)}
    old, new = (case / "input.c").read_bytes().split(b"\n"), after.split(b"\n")
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            assert set(range(i1 + 1, i2 + 1)) <= named, (tag, old[i1:i2])
    # The exit status is the findings the fix leaves.
    left = _findings(repo, *args)
    assert code == (1 if left else 0)
    assert not diff or len(left) < len(before)


def test_the_rules_examples_fixed_are_their_instead_blocks(tmp_path):
    """One tree of every documented example with a fix, each at its kernel: `files --fix |
    git apply` turns each into its instead block and leaves no finding a rewrite is for."""
    for rule in RULES:
        if rule.code not in HOOKED:
            continue
        kernel = str(example_kernel(rule))
        repo = _repo(tmp_path / rule.code, {rule.example_path: rule.example.encode()}, kernel)
        _, diff, err = _fix(repo, "--kernel", kernel)
        _apply(repo, diff)
        fixed = (repo / rule.example_path).read_text()
        assert fixed == (rule.instead if rule.fix_example else rule.example), rule.code + err
        assert not [f for f in _findings(repo, "--kernel", kernel) if f["code"] in HOOKED and rule.fix_example]


def test_every_rule_says_whether_it_has_a_fix():
    for rule in RULES:
        assert bool(rule.fix) or rule.code not in HOOKED, rule.code
    code, out, _ = run(["explain", "ZCX402"])
    assert code == 0 and "Fix (--fix):" in out and "static" in out.split("Fix (--fix):")[1]
    code, out, _ = run(["explain", "ZCX201"])
    assert "Fix (--fix):\n  None" in out


def test_a_series_fix_applies_after_the_series(tmp_path):
    """check --tree: the diff is against the files as the series leaves them."""
    case = FIXTURES / "provider" / "108-niov-refcount-by-hand"
    repo = tmp_path / "tree"
    shutil.copytree(FIXTURES / "tree", repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    patches = sorted(case.glob("*.patch"))
    code, diff, err = run(["check", "--isolated", "--tree", repo, *patches, "--fix"])
    assert "ZCX108" in err and code == 1           # niov->dma_addr has no mechanical fix
    for patch in patches:
        _git(repo, "apply", str(patch))
    _apply(repo, diff)
    text = (repo / "io_uring/zcopy.c").read_text()
    assert "page_pool_ref_netmem(net_iov_to_netmem(niov));" in text
    assert "atomic_long" not in text


def test_fix_inplace_writes_and_refuses_a_changed_file(tmp_path):
    rule = next(r for r in RULES if r.code == "ZCX402")
    repo = _repo(tmp_path, {rule.example_path: rule.example.encode()}, "6.15")
    code, out, err = run(["files", "--isolated", "--fix-inplace", "-q", "."], cwd=repo)
    assert (code, out) == (0, "") and (repo / rule.example_path).read_text() == rule.instead
    code, _, err = run(["check", "--fix-inplace", "x.patch"], cwd=repo)
    assert code == 2 and "--fix-inplace" in err
    assert re.search(r"--fix and --fix-inplace", run(["files", "--fix", "--fix-inplace", "."], cwd=repo)[2])
