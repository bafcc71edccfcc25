"""The tools users already run, for real: pre-commit (the hooks of this repository, set up
as the README says) and b4 (offline, over a local mbox, with zcrxlint as its per-patch
check command and as the consumer of `b4 am -o -`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, command
from kernel_repo import BAD_ACCOUNTING, FIVE_COMMITS, GIT_ENV, PROVIDER, git, make_kernel_repo

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    assert Path(found).exists(), f"{name} is not installed: pip install '.[test]'"
    return found


def _isolated_env(tmp_path: Path) -> dict:
    """No user configuration or caches leak in, and none are written to."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {**os.environ, **GIT_ENV, "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "ZCRXLINT_DEBUG": ""}


README_CONFIG = re.compile(r"<!-- pre-commit-config:start -->\n```yaml\n(.*?)```\n<!-- pre-commit-config:end -->", re.S)


def _clone_beside(kernel: Path) -> str:
    """zcrxlint as the README has a newcomer keep it, a clone beside the kernel tree
    (`../zcrxlint`): this working tree's files, committed. Returns the commit to pin."""
    clone = kernel.parent / "zcrxlint"
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    git(clone, "init", "-q")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "zcrxlint")
    return git(clone, "rev-parse", "HEAD").strip()


def test_the_readme_pre_commit_steps_give_a_hook_that_fails_on_the_finding_then_passes(tmp_path):
    """The README's pre-commit section, step by step: its .pre-commit-config.yaml with rev:
    pinned to a commit of the clone beside the kernel, `pre-commit install`, `git commit`."""
    kernel = make_kernel_repo(tmp_path, series=[])
    env = _isolated_env(tmp_path)
    rev = _clone_beside(kernel.path)
    config = README_CONFIG.search((REPO / "README.md").read_text()).group(1)
    assert "repo: ../zcrxlint " in config and "- id: zcrxlint " in config
    (kernel.path / ".pre-commit-config.yaml").write_text(re.sub(r"(?m)^(\s*rev: )\S+", rf"\g<1>{rev}", config))
    installed = subprocess.run([_tool("pre-commit"), "install"], cwd=kernel.path, env=env,
                               capture_output=True, text=True, timeout=60)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    target = kernel.path / PROVIDER
    good = target.read_text()
    anchor = "\t\tnet_mp_niov_set_page_pool(pp, niov);\n"
    target.write_text(good.replace(anchor, anchor + BAD_ACCOUNTING))
    git(kernel.path, "add", PROVIDER)
    bad_line = target.read_text().split("\n").index(BAD_ACCOUNTING.rstrip("\n")) + 1

    def commit():
        done = subprocess.run(["git", "commit", "-q", "-m", "io_uring/zcopy: account the niov"],
                              cwd=kernel.path, env=env, capture_output=True, text=True, timeout=300)
        return done.returncode, done.stdout + done.stderr

    status, output = commit()
    assert status == 1, output
    assert re.search(r"zcrxlint \(page_pool memory providers, staged change\)\.+Failed", output), output
    located = re.findall(r"^ERROR:ZCX101: .*\n(?:#\d+: )?FILE: (\S+):(\d+):", output, re.M)
    assert located == [(PROVIDER, str(bad_line))]
    assert "mutable reference" not in output

    # The author fixes the change: the pool's own helper already accounts the niov.
    target.write_text(good.replace(anchor, anchor + "\t\t/* accounted by net_mp_niov_set_page_pool() */\n"))
    git(kernel.path, "add", PROVIDER)
    status, output = commit()
    assert status == 0, output
    assert "mutable reference" not in output


# ---- b4 ------------------------------------------------------------------------------------

@pytest.fixture
def mailed_series(tmp_path):
    """The five-commit series as a reviewer receives it: a threaded mbox with a cover letter."""
    kernel = make_kernel_repo(tmp_path)
    out = tmp_path / "outgoing"
    git(kernel.path, "format-patch", "-q", "--cover-letter", "--thread=shallow", f"--base={kernel.base}",
        "--subject-prefix=PATCH net-next", "-o", str(out), f"{kernel.base}..HEAD")
    messages = sorted(out.glob("*.patch"))
    cover = messages[0].read_text().replace("*** SUBJECT HERE ***", "io_uring/zcopy: refill work")
    messages[0].write_text(cover)
    mbox = tmp_path / "thread.mbox"
    mbox.write_text("".join(m.read_text() for m in messages))
    # The reviewer's checkout has the base, not the series.
    git(kernel.path, "branch", "base", kernel.base)
    reviewer = tmp_path / "reviewer"
    git(tmp_path, "clone", "-q", "--no-local", "--single-branch", "--branch", "base", str(kernel.path), str(reviewer))
    assert git(reviewer, "cat-file", "-t", kernel.base).strip() == "commit"
    assert subprocess.run(["git", "-C", str(reviewer), "cat-file", "-e", kernel.commits[0]]).returncode != 0
    return kernel, mbox, reviewer


def _b4(tmp_path, *args, check_cmd: str | None = None, cwd: Path) -> subprocess.CompletedProcess:
    config = ["-c", f"b4.am-perpatch-check-cmd={check_cmd}"] if check_cmd else []
    return subprocess.run([_tool("b4"), "--offline-mode", "--no-stdin", *config, *args], cwd=cwd,
                          env=_isolated_env(tmp_path), capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_b4_am_output_piped_into_check(mailed_series, tmp_path):
    kernel, mbox, reviewer = mailed_series
    am = _b4(tmp_path, "am", "-m", str(mbox), "-o", "-", cwd=reviewer)
    assert am.returncode == 0, am.stderr.decode()
    linted = command(["check", "-", "--format", "json"], cwd=reviewer, stdin=am.stdout)
    assert linted.returncode == 1, linted.stderr.decode()
    doc = json.loads(linted.stdout)
    subjects = [s for s, _ in FIVE_COMMITS]
    assert [p["subject"] for p in doc["summary"]["per_patch"]] == subjects
    bad = kernel.commits[2]
    assert {(f["patch"]["index"], f["path"], f["line"], f["code"]) for f in doc["findings"]} == {
        (3, PROVIDER, kernel.line_of(bad, PROVIDER, BAD_ACCOUNTING.strip()), "ZCX101"),
        (3, PROVIDER, kernel.line_of(bad, PROVIDER, "net_mp_netmem_place_in_cache(pp, netmem);"), "ZCX201"),
    }
    # b4 drops the cover letter and its base-commit:, but the first pre-image is the
    # object the diff's index line names, which the checkout has; the rest is the series'.
    assert doc["summary"]["partial"] == []


def test_b4_per_patch_check_command(mailed_series, tmp_path):
    """The reviewer's `b4 am --check` with zcrxlint as am-perpatch-check-cmd: each patch
    mail alone on stdin, run at the top of the checkout; b4 marks a line with ERROR: as
    failed. A patch alone whose pre-image the checkout lacks is read from its hunks, and
    says so on its own line rather than passing in silence."""
    kernel, mbox, reviewer = mailed_series
    zcrxlint = _tool("zcrxlint")
    checked = _b4(tmp_path, "am", "--check", "-m", str(mbox), "-o", "-", cwd=reviewer,
                  check_cmd=f"{zcrxlint} check --terse --showfile --no-summary --mailback -q -")
    assert checked.returncode == 0, checked.stderr.decode()
    report = ANSI.sub("", checked.stderr.decode())
    per_patch = re.findall(r"^  \[PATCH (\d)/5\] (.*)\n((?:    .*\n)+)", report, re.M)
    assert [int(n) for n, _, _ in per_patch] == [1, 2, 3, 4, 5], report
    lines = {int(n): [ln.strip() for ln in block.splitlines()] for n, _, block in per_patch}
    bad = kernel.commits[2]
    bump = kernel.line_of(bad, PROVIDER, BAD_ACCOUNTING.strip())
    assert [ln.split(": ERROR:")[0] for ln in lines[3] if "ERROR:" in ln] == [f"● zcrxlint: {PROVIDER}:{bump}"]
    assert "ERROR:ZCX101: pp->pages_state_hold_cnt written outside page_pool" in lines[3][0]
    # A patch alone that was read from its hunks says once why the whole series reads
    # more, and what to run for it (b4 shows a stdout line without ERROR: as a warning).
    for later in (2, 3, 5):
        notes = [ln for ln in lines[later] if "NOTE:" in ln]
        assert len(notes) == 1 and "ERROR:" not in notes[0], report
        assert notes[0].startswith(f"● zcrxlint: NOTE: patch {later}/5 was checked without the "), report
        assert re.search(r"run b4 am -o - \S+@\S+ \| zcrxlint check -$", notes[0]), report
    # Patches 1 and 4 apply to files the checkout has: read whole, nothing to say.
    assert lines[1] == lines[4] == ["● zcrxlint: passed all checks"], report


# ---- the netdev patch CI ----------------------------------------------------------------

@pytest.mark.parametrize("at, status, description", [
    (2, 1, "Errors: 2 Warnings: 0 Partly read: 0"),
    (3, 0, "Errors: 0 Warnings: 0 Partly read: 0"),
])
def test_nipa_patch_test_protocol(tmp_path, at, status, description):
    """contrib/nipa/zcrxlint run as NIPA runs a patch test: the tree with the series
    applied up to the patch under test, the description on $DESC_FD, exit 0/250/1."""
    kernel = make_kernel_repo(tmp_path)
    git(kernel.path, "checkout", "-q", kernel.commits[at])
    results = tmp_path / "results"
    results.mkdir()
    read_end, write_end = os.pipe()
    env = {**_isolated_env(tmp_path), "RESULTS_DIR": str(results), "DESC_FD": str(write_end)}
    done = subprocess.run([str(REPO / "contrib" / "nipa" / "zcrxlint" / "zcrxlint.sh")], cwd=kernel.path,
                          env=env, pass_fds=(write_end,), capture_output=True, timeout=60)
    os.close(write_end)
    with os.fdopen(read_end) as desc:
        assert desc.read().strip() == description
    assert done.returncode == status, (results / "zcrxlint.err").read_text()
    if status:
        assert "io_uring/zcopy.c:" in (results / "zcrxlint.txt").read_text()
