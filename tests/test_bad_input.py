"""Bad input: every entry of fixtures/bad/catalogue.toml behaves as catalogued, and inputs
that cannot be read exit 2 with exactly one line on stderr that names them, from the
installed command, never a traceback and never a silent 'clean'."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import tomllib

import pytest

from helpers import FIXTURES, command, run

BAD = FIXTURES / "bad"
DEMO = sorted((FIXTURES / "demo").glob("*.patch"))
CATALOGUE = tomllib.loads((BAD / "catalogue.toml").read_text())["input"]
# What the catalogue needs beside its inputs: the generator, the base tree the --tree
# cases apply to, and the file a `..` path points at, which must never be read.
SUPPORT = {"README.md", "catalogue.toml", "generated.py", "base", "outside", "__pycache__"}


def _generator():
    spec = importlib.util.spec_from_file_location("bad_generated", BAD / "generated.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generated():
    return _generator().GENERATED


def _case_id(case) -> str:
    return " ".join([case["file"], *case.get("args", [])])


@pytest.mark.parametrize("case", CATALOGUE, ids=_case_id)
def test_catalogued_input(case, tmp_path):
    # A copy outside any git repository: inside one, the pre-images the index lines name
    # would be looked up in it, and the notes would depend on where the tests run.
    where = tmp_path / "bad"
    shutil.copytree(BAD, where, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    if case.get("generated"):
        (where / case["file"]).write_bytes(_generated()[case["file"]]())
    mode = case.get("mode", "check")
    args = [mode, case["file"], *case.get("args", [])] + (["-j", "1"] if mode == "files" else [])
    code, out, err = run([*args, "--format", "json"], cwd=where)
    assert code == case["exit"], (code, err)
    assert err == (case["stderr"] + "\n" if "stderr" in case else ""), err
    if "findings" not in case:
        assert out == "", "a refused run must not also print a report"
        return
    doc = json.loads(out)
    assert [f"{f['path']}:{f['line']} {f['code']}" for f in doc["findings"]] == case["findings"]
    partial = doc["summary"]["partial"]
    assert [f"{p['kind']} {p['path']}: {p['reason']}" for p in partial] == case["partial"]
    assert [f"{c['path']} {c['parsed_lines']}/{c['lines']}" for c in doc["summary"]["coverage"]] \
        == case["coverage"]
    # The text report says the same: with -v a NOTE per partial entry; without, one NOTE
    # line for the run; and no verdict of silence about a file it did not analyse in full.
    code, text, _ = run([*args, "-v"], cwd=where)
    assert code == case["exit"]
    notes = [line for line in text.splitlines() if line.startswith("NOTE: ")]
    headline = {"unread": "not analysed", "kernel": "judged in part"}
    per_file = [f"NOTE: {p['path']} {headline.get(p['kind'], 'analysed in part')}: {p['reason']}"
                for p in partial]
    assert notes[:len(per_file)] == per_file
    assert len(notes) == len(per_file) + bool(partial)
    if any(p["kind"] in ("parse", "unread", "budget") for p in partial):
        assert "problems in what could be read." in text or "please review" in text
    code, text, _ = run(args, cwd=where)
    assert code == case["exit"]
    assert len([line for line in text.splitlines() if line.startswith("NOTE: ")]) == bool(partial)


def test_every_fixture_is_catalogued():
    named = {case["file"] for case in CATALOGUE}
    on_disk = {path.name for path in BAD.iterdir()} - SUPPORT
    assert on_disk == named - set(_generated())
    assert set(_generated()) <= named


def test_diff_header_paths_are_never_written(tmp_path):
    """A patch naming a file outside the working directory creates nothing there."""
    victim = tmp_path / "victim.c"
    patch = (BAD / "dev-null-pre-image.patch").read_text().replace(
        "io_uring/acme_zc.c", f"../../../../../../../..{victim}")
    (tmp_path / "escape.patch").write_text(patch)
    code, _, err = run(["check", tmp_path / "escape.patch", "--tree", BAD / "base"])
    assert code == 1, err
    assert not victim.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["escape.patch"]


def test_tree_reads_do_not_follow_a_symlink_out(tmp_path):
    """A file of --tree that is a symlink to a file outside the tree is not read: the
    hunk would apply to the outside file, yet the analysis has the hunk alone."""
    tree = tmp_path / "tree"
    shutil.copytree(BAD / "base", tree)
    (tree / "io_uring" / "acme_zc.c").unlink()
    (tree / "io_uring" / "acme_zc.c").symlink_to(BAD / "outside" / "acme_zc.c")
    patch = (BAD / "dotdot-path.patch").read_text().replace("../outside/", "io_uring/")
    (tmp_path / "edit.patch").write_text(patch)
    code, out, err = run(["check", tmp_path / "edit.patch", "--tree", tree, "--format", "json"],
                         cwd=tmp_path)
    doc = json.loads(out)
    assert [(f["line"], f["code"]) for f in doc["findings"]] == [(7, "ZCX102")], err
    assert [p["reason"] for p in doc["summary"]["partial"]] == ["hunks only: the file is not in --tree"]


def assert_refused(result, *needles):
    err = result.stderr.decode()
    assert result.returncode == 2, (result.returncode, err, result.stdout.decode())
    assert "Traceback" not in err
    lines = err.strip().split("\n")
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert result.stdout == b"", "a refused run must not also print a report"


@pytest.mark.parametrize("name", ["truncated-hunk.patch", "nul-only.patch", "elf-header.bin"])
def test_refused_by_the_installed_command(name):
    case = next(c for c in CATALOGUE if c["file"] == name)
    result = command(["check", name], cwd=BAD)
    assert_refused(result)
    assert result.stderr.decode() == case["stderr"] + "\n"


def test_missing_path():
    assert_refused(command(["check", "does/not/exist.patch"]), "does/not/exist.patch", "no such file")


def test_directory_given_as_patch(tmp_path):
    assert_refused(command(["check", tmp_path]), str(tmp_path), "is a directory")


def test_unreadable_file_among_good_ones(tmp_path):
    """One bad input spoils the series: no partial verdict is printed for the rest."""
    assert_refused(command(["check", DEMO[0], tmp_path / "gone.patch", DEMO[1]]),
                   "gone.patch", "no such file")


def test_empty_stdin():
    assert_refused(command(["check", "-"], stdin=b""), "<stdin>", "empty input")


def test_bad_options(tmp_path):
    assert_refused(command(["check", DEMO[0], "--kernel", "banana"]), "--kernel banana")
    assert_refused(command(["check", DEMO[0], "--kernel", "5.4"]), "--kernel 5.4", "no facts")
    assert_refused(command(["check", DEMO[0], "--tree", tmp_path / "nope"]), "nope", "--tree")
    assert_refused(command(["check", DEMO[0], "--format", "xml"]), "--format")
    assert_refused(command(["explain", "ZCX999"]), "ZCX999")
    assert_refused(command(["check"]), "INPUTS")


def test_files_mode_bad_paths(tmp_path):
    assert_refused(command(["files", tmp_path / "missing.c"]), "missing.c", "no such file")
    assert_refused(command(["files", tmp_path]), str(tmp_path), "no .c or .h files")


def test_files_mode_lists_a_file_it_cannot_read_and_analyses_the_rest(tmp_path, monkeypatch):
    """Whole files are independent: one that cannot be read (here: a read that fails as
    it would without permission, which root, running the tests, always has) is listed as
    unread; the others are analysed. Only when no file can be read is the run refused."""
    import zcrxlint.filescan
    for name in ("a.c", "b.c"):
        (tmp_path / name).write_bytes((BAD / "latin1-bytes.c").read_bytes())
    real_read = zcrxlint.filescan.Path.read_bytes

    def read_bytes(path):
        if path.name == "b.c":
            raise PermissionError(13, "Permission denied")
        return real_read(path)

    monkeypatch.setattr(zcrxlint.filescan.Path, "read_bytes", read_bytes)
    code, out, err = run(["files", "a.c", "b.c", "-j", "1", "--no-prefilter", "--format", "json"],
                         cwd=tmp_path)
    doc = json.loads(out)
    assert code == 1, err
    assert [(f["path"], f["line"], f["code"]) for f in doc["findings"]] == [("a.c", 7, "ZCX101")]
    assert doc["summary"]["partial"] == [
        {"path": "b.c", "patch": None, "kind": "unread", "reason": "cannot read: Permission denied"}]
    code, out, err = run(["files", "b.c", "-j", "1", "--no-prefilter"], cwd=tmp_path)
    assert (code, out, err) == (2, "", "zcrxlint: b.c: cannot read: Permission denied\n")


QUOTED_NAMES = ['acme_zc "rx".c', "acme_zc_café.c", "acme_zc\tq.c", "acme_zc\nnl.c", "acme_zc\\bs.c"]


def test_series_and_staged_read_the_names_git_quotes(tmp_path):
    """git quotes a path holding a quote, backslash, tab, newline or (by default) UTF-8;
    each such C file is still read, by `series` and by `staged`."""
    from kernel_repo import git
    body = "static void acme_zc_account(struct page_pool *pp)\n{\n}\n"
    (tmp_path / "io_uring").mkdir()
    for name in QUOTED_NAMES:
        (tmp_path / "io_uring" / name).write_text(body)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")

    def bump_everywhere():
        for name in QUOTED_NAMES:
            path = tmp_path / "io_uring" / name
            path.write_text(path.read_text().replace("{\n", "{\n\tpp->pages_state_hold_cnt++;\n", 1))
        git(tmp_path, "add", ".")

    def flagged(args):
        code, out, err = run([*args, "--format", "json"], cwd=tmp_path)
        assert code == 1, err
        return sorted(f["path"] for f in json.loads(out)["findings"] if f["code"] == "ZCX101")

    expected = sorted(f"io_uring/{name}" for name in QUOTED_NAMES)
    bump_everywhere()
    git(tmp_path, "commit", "-qm", "bump")
    assert flagged(["series", "HEAD"]) == expected
    bump_everywhere()
    assert flagged(["staged"]) == expected


def test_a_configuration_that_selects_no_check_is_refused(tmp_path):
    (tmp_path / ".zcrxlint.toml").write_text("select = []\n")
    code, out, err = run(["check", BAD / "dev-null-pre-image.patch", "--config", ".zcrxlint.toml"],
                         cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == ("zcrxlint: .zcrxlint.toml: select: selects no check, so nothing would be looked "
                   "for (name codes, names or families, e.g. ZCX1,ZCX203)\n")


def test_staged_lists_a_file_left_unmerged_by_a_conflict(tmp_path):
    """Mid-merge (or mid-rebase) a conflicted C file is only stages in the index, and
    `git diff --cached` skips it: refused naming the file, never "nothing staged"."""
    from kernel_repo import GIT_ENV, git
    source = tmp_path / "acme_zc.c"
    source.write_text("static void acme_zc_account(struct page_pool *pp)\n{\n}\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    for branch, line in (("side", "\tpp->pages_state_hold_cnt++;\n"), ("main", "\tpp->alloc.count = 0;\n")):
        git(tmp_path, "checkout", "-q", *(["-b"] if branch == "side" else []), branch)
        source.write_text(source.read_text().replace("{\n", "{\n" + line))
        git(tmp_path, "commit", "-qam", branch)
    # The merge fails by design: it stops on the conflict.
    subprocess.run(["git", "-C", str(tmp_path), "merge", "-q", "side"], capture_output=True,
                   env={**os.environ, **GIT_ENV})
    code, out, err = run(["staged"], cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == ("zcrxlint: git diff --cached: acme_zc.c: unmerged in the index (a merge or rebase "
                   "stopped on it): resolve it and git add it; no C change left to analyse\n")


def _repo_with_commits(path, *commits):
    """A repository at `path` whose commits each write {name: text} with a message."""
    from kernel_repo import git
    path.mkdir(exist_ok=True)
    git(path, "init", "-q")
    for message, files in commits:
        for name, text in files.items():
            (path / name).write_text(text)
        git(path, "add", ".")
        git(path, "commit", "-qm", message)
    return git


ACCOUNTING = "static void acme_zc_account(struct page_pool *pp)\n{\n\tpp->pages_state_hold_cnt++;\n}\n"


def test_series_does_not_blame_a_shallow_clones_boundary_for_the_whole_tree(tmp_path):
    """git shows the commit a shallow clone is cut at as creating every file: refused,
    naming the range and the commit, instead of blaming it for files it did not touch."""
    deep = tmp_path / "deep"
    git = _repo_with_commits(deep, ("base", {"acme_zc.c": ACCOUNTING}), ("stats", {"acme_stats.c": "/* a */\n"}),
                             ("more stats", {"acme_stats.c": "/* a */\n/* b */\n"}))
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{deep}", str(tmp_path / "shallow")],
                   check=True, capture_output=True)
    boundary = git(tmp_path / "shallow", "rev-parse", "HEAD~1").strip()
    code, out, err = run(["series", "HEAD~1"], cwd=tmp_path / "shallow")
    assert (code, out) == (2, "")
    assert err == (f"zcrxlint: HEAD~1: commit {boundary[:12]} is the boundary of a shallow clone: its "
                   "parent was not fetched, so what it changed is unknown (git fetch --deepen=N, or "
                   "start the range after it)\n")
    assert run(["series", "HEAD"], cwd=tmp_path / "shallow")[0] == 0


def test_series_does_not_read_a_diff_quoted_in_the_commit_message(tmp_path):
    quoted = ACCOUNTING.replace("\tpp->", "+\tpp->")
    message = ("acme_zc: document the accounting\n\nThe change we reverted was:\n\n"
               "diff --git a/acme_zc.c b/acme_zc.c\n--- a/acme_zc.c\n+++ b/acme_zc.c\n"
               "@@ -1,3 +1,4 @@\n" + "".join(" " + line if not line.startswith("+") else line
                                               for line in quoted.splitlines(True)))
    base = ACCOUNTING.replace("\tpp->pages_state_hold_cnt++;\n", "")
    _repo_with_commits(tmp_path, ("base", {"acme_zc.c": base}),
                       (message, {"acme_zc.c": base + "/* accounting is page_pool's */\n"}))
    code, out, err = run(["series", "HEAD", "--format", "json"], cwd=tmp_path)
    doc = json.loads(out)
    assert (code, doc["findings"], doc["summary"]["partial"]) == (0, [], []), err


@pytest.mark.parametrize("flags", [[], ["--terse"], ["--showfile"], ["--emacs"], ["-v"]])
def test_text_output_gives_a_ci_runner_nothing_to_obey(tmp_path, flags):
    """A path from a patch that holds a newline, `::` and an ESC sequence: in the text
    report no line starts with `::` (GitHub Actions runs such lines as workflow commands),
    no raw control character reaches the terminal, and --terse keeps a finding on one line."""
    hostile = r'"b/::error title=x::hi\n::warning::y\033[31m.c"'
    patch = (BAD / "dev-null-pre-image.patch").read_text().replace(
        "diff --git a/io_uring/acme_zc.c b/io_uring/acme_zc.c",
        f"diff --git {hostile.replace('b/', 'a/', 1)} {hostile}").replace(
        "+++ b/io_uring/acme_zc.c", f"+++ {hostile}")
    (tmp_path / "::error::named.patch").write_text(patch)
    code, out, err = run(["check", "::error::named.patch", *flags], cwd=tmp_path)
    assert code == 1, err
    assert not [line for line in out.splitlines() if line.startswith("::")], out
    assert not [c for c in out if ord(c) < 32 and c not in "\t\n"], out
    if flags == ["--terse"]:
        assert len([line for line in out.splitlines() if "ZCX101" in line]) == 1


def test_tree_search_reads_no_fifo_and_nothing_a_symlink_leads_to(tmp_path):
    """The search of --tree for a helper's definition skips a FIFO (reading it would stall
    the run) and files or directories a symlink leads to (they may be outside the tree)."""
    import signal
    from zcrxlint.basetree import DirTree
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.h").write_text("int acme_zc_helper(void);\n")
    tree = tmp_path / "tree"
    (tree / "include" / "net").mkdir(parents=True)
    os.mkfifo(tree / "include" / "net" / "stall.h")
    (tree / "include" / "net" / "leak.h").symlink_to(outside / "leak.h")
    (tree / "include" / "linux").symlink_to(outside)
    (tree / "include" / "net" / "inside.h").write_text("int acme_zc_other(void);\n")
    signal.alarm(20)
    try:
        texts = DirTree(tree).texts_mentioning("acme_zc", ("include/net", "include/linux"))
    finally:
        signal.alarm(0)
    assert texts == [b"int acme_zc_other(void);\n"]


def test_reading_a_fifty_megabyte_archive_is_bounded_in_time_and_memory(tmp_path):
    """Messages are read one at a time and replies without a diff are passed over: the
    patch at the end of a 50 MB archive is reached within a small budget, far under the
    500 MB a run may take."""
    import resource
    archive = tmp_path / "archive.mbox"
    archive.write_bytes(_generator().fifty_megabyte_archive())
    assert archive.stat().st_size > 50_000_000
    result = command(["check", archive, "--time-budget", "10", "--format", "json"])
    assert result.returncode == 1, result.stderr
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["ZCX101"]
    # The largest resident set of any child so far: this run's is at most that.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 500 * 1024


@pytest.mark.parametrize("mode", ["series", "staged"])
def test_reading_a_git_series_is_bounded_by_the_time_budget(tmp_path, mode):
    git = _repo_with_commits(tmp_path, ("base", {"acme_zc.c": ACCOUNTING}))
    (tmp_path / "acme_zc.c").write_text(ACCOUNTING * 2)
    git(tmp_path, "add", ".")
    label = {"series": "HEAD", "staged": "git diff --cached"}[mode]
    result = command([mode, *(["HEAD"] if mode == "series" else []), "--time-budget", "0.001"], cwd=tmp_path)
    assert_refused(result)
    assert result.stderr.decode() == f"zcrxlint: {label}: reading stopped after 0.001 s (--time-budget)\n"


def test_a_header_the_email_package_parses_slowly_costs_no_budget(tmp_path):
    """A Message-ID of 200,000 dots takes the email package minutes: it is read as the mail
    has it. Were it parsed, the budget would fire inside the header handler that forgives
    broken headers, and must end the reading, not be taken for a broken header."""
    import time
    mail = tmp_path / "mail.patch"
    mail.write_bytes(_generated()["message-id-of-200000-dots.patch"]())
    started = time.monotonic()
    code, out, err = run(["check", mail, "--time-budget", "3", "--format", "json"])
    assert time.monotonic() - started < 3
    assert (code, [f["code"] for f in json.loads(out)["findings"]]) == (1, ["ZCX101"]), err


PRIVATE_BUMP = (BAD / "latin1-bytes.c").read_bytes()


def test_files_lists_what_a_directory_walk_cannot_read_and_analyses_the_rest(tmp_path, monkeypatch):
    """In a named directory: a subdirectory it may not list (faked: root, running the
    tests, may list any), a symlinked file that loops, and one that leads out of the
    directory (never followed) are listed as unread; the other files are analysed."""
    scan = tmp_path / "scan"
    (scan / "denied").mkdir(parents=True)
    (scan / "a.c").write_bytes(PRIVATE_BUMP)
    (scan / "denied" / "b.c").write_bytes(PRIVATE_BUMP)
    (tmp_path / "outside.c").write_bytes(PRIVATE_BUMP)
    (scan / "leak.c").symlink_to(tmp_path / "outside.c")
    (scan / "loop.c").symlink_to(scan / "loop.c")
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "denied":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run(["files", "scan", "-j", "1", "--format", "json"], cwd=tmp_path)
    doc = json.loads(out)
    assert code == 1, err
    assert [(f["path"], f["code"]) for f in doc["findings"]] == [("scan/a.c", "ZCX101")]
    assert [(p["kind"], p["path"], p["reason"]) for p in doc["summary"]["partial"]] == [
        ("unread", "scan/denied/", "cannot list: Permission denied"),
        ("unread", "scan/leak.c", "a symlink out of the searched directory: not followed"),
        ("unread", "scan/loop.c", "a symlink loop: not followed")]
    assert run(["files", "scan/loop.c"], cwd=tmp_path) == (2, "", "zcrxlint: scan/loop.c: a symlink loop: not followed\n")


def test_files_batches_grep_by_the_length_of_the_paths(tmp_path):
    """2,000 paths of 1,300 bytes are more than one command line may hold."""
    deep = tmp_path.joinpath(*["d" * 250] * 5)
    deep.mkdir(parents=True)
    for n in range(2000):
        (deep / f"acme_zc_{n:04}.c").write_text("int acme_zc_quiet;\n")
    (deep / "acme_zc_private.c").write_bytes(PRIVATE_BUMP)
    code, out, err = run(["files", str(tmp_path), "-j", "1", "--format", "json"])
    assert code == 1, err
    assert [f["path"].rsplit("/", 1)[1] for f in json.loads(out)["findings"]] == ["acme_zc_private.c"]


def test_a_deleted_working_directory_is_one_line(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    result = subprocess.run(["sh", "-c", 'cd "$1" && rmdir "$1" && exec zcrxlint files "$2"', "sh",
                             str(gone), str(BAD / "latin1-bytes.c")], capture_output=True, timeout=60)
    assert_refused(result, "the working directory no longer exists")


def test_a_full_disk_on_stdout_is_one_line():
    with open("/dev/full", "w") as full:
        result = subprocess.run(["zcrxlint", "check", *DEMO], stdout=full, stderr=subprocess.PIPE, timeout=60)
    assert (result.returncode, result.stderr.decode()) == (
        2, "zcrxlint: cannot write the report to standard output: No space left on device\n")


@pytest.mark.parametrize("signum, status, word", [(2, 130, "interrupted"), (15, 143, "terminated")])
def test_a_stopped_parallel_run_says_so_in_one_line(tmp_path, signum, status, word):
    """Ctrl-C (SIGINT to the whole process group) or SIGTERM to the group, with workers
    running: no worker traceback, no hang on a dead worker, the shell's status."""
    import signal
    import time
    body = "".join(f"static int acme_zc_{n}(struct page_pool *pp) {{ return pp->p.order + {n}; }}\n"
                   for n in range(3000))
    for n in range(16):
        (tmp_path / f"acme_zc_{n}.c").write_text(body)
    running = subprocess.Popen(["zcrxlint", "files", str(tmp_path), "-j", "2"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(1.5)
    os.killpg(running.pid, signum)
    out, err = running.communicate(timeout=30)
    assert (running.returncode, err.decode(), out) == (status, f"zcrxlint: {word}\n", b"")


def test_a_closed_stdout_is_one_line():
    result = subprocess.run(["sh", "-c", 'exec zcrxlint check "$@" >&-', "sh", *map(str, DEMO)],
                            capture_output=True, timeout=60)
    assert (result.returncode, result.stderr.decode()) == (
        2, "zcrxlint: standard output is closed: nowhere to write the report\n")


# Shapes that make a parser quadratic or exhaust its stack, each at a size far past what
# it takes: refused in one line naming the file, before the parser runs.
USER_FILE_SHAPES = [
    ("--config", "deep.toml", "select = " + "[" * 100_000 + "]" * 100_000 + "\n",
     "not a configuration: arrays or tables nested 100000 deep (zcrxlint reads up to 64)"),
    ("--config", "dotted.toml", "a" + ".a" * 200_000 + " = 1\n",
     "not a configuration: line 1: a key of more than 64 dotted parts"),
    ("--config", "table-header.toml", "[" + "t." * 100 + "t]\nselect = []\n",
     "not a configuration: line 1: a key of more than 64 dotted parts"),
    ("--baseline", "deep.json", "[" * 100_000 + "]" * 100_000,
     "not a zcrxlint baseline (arrays or objects nested deeper than the JSON parser follows)"),
]


@pytest.mark.parametrize("option,name,text,reason", USER_FILE_SHAPES, ids=[s[1] for s in USER_FILE_SHAPES])
def test_hostile_configuration_and_baseline_shapes_are_one_line(option, name, text, reason, tmp_path):
    (tmp_path / name).write_text(text)
    shutil.copy(BAD / "dev-null-pre-image.patch", tmp_path / "ok.patch")
    code, out, err = run(["check", "ok.patch", option, name], cwd=tmp_path)
    assert (code, out, err) == (2, "", f"zcrxlint: {name}: {reason}\n")


def test_an_error_naming_a_megabyte_path_is_cut_to_one_readable_line(tmp_path):
    patch = (BAD / "dev-null-pre-image.patch").read_text().replace(
        "diff --git a/io_uring/acme_zc.c b/io_uring/acme_zc.c",
        "diff --git a/" + "x/" * 500_000 + "a.c b/" + "x/" * 500_000 + "a.c")
    (tmp_path / "long.patch").write_text(patch)
    code, out, err = run(["check", "long.patch"], cwd=tmp_path)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("zcrxlint: long.patch: x/x/") and len(err) < 2100
    assert re.search(r"x/\[\.\.\. \d{3},\d{3} characters \.\.\.\]/x", err)
    assert err.endswith("; no C change left to analyse\n")
