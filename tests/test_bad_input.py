"""Bad input: exit status 2 and exactly one line on stderr that names the input and the
problem, from the installed command, never a traceback and never a silent 'clean'."""

from __future__ import annotations

import pytest

from helpers import FIXTURES, command

BAD = FIXTURES / "bad"
DEMO = sorted((FIXTURES / "demo").glob("*.patch"))


def assert_refused(result, *needles):
    err = result.stderr.decode()
    assert result.returncode == 2, (result.returncode, err, result.stdout.decode())
    assert "Traceback" not in err
    lines = err.strip().split("\n")
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert result.stdout == b"", "a refused run must not also print a report"


@pytest.mark.parametrize("name, problem", [
    ("not-a-patch.txt", "not a patch"),
    ("no-diff.mbox", "no patch found (2 messages, none with a diff)"),
    ("truncated-hunk.patch", "malformed diff: a hunk ends before the lines its @@ header counts"),
])
def test_bad_file(name, problem):
    assert_refused(command(["check", BAD / name]), name, problem)


def test_missing_path():
    assert_refused(command(["check", "does/not/exist.patch"]), "does/not/exist.patch", "no such file")


def test_directory_given_as_patch(tmp_path):
    assert_refused(command(["check", tmp_path]), str(tmp_path), "is a directory")


def test_unreadable_file_among_good_ones(tmp_path):
    """One bad input spoils the series: no partial verdict is printed for the rest."""
    assert_refused(command(["check", DEMO[0], tmp_path / "gone.patch", DEMO[1]]),
                   "gone.patch", "no such file")


def test_empty_and_binary_input(tmp_path):
    empty = tmp_path / "empty.patch"
    empty.write_bytes(b"")
    assert_refused(command(["check", empty]), "empty.patch", "empty input")
    binary = tmp_path / "blob.patch"
    binary.write_bytes(b"\x7fELF\x00\x00\x01")
    assert_refused(command(["check", binary]), "blob.patch", "binary data")


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
