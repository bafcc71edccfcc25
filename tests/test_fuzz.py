"""Property-based tests: whatever bytes it is given, zcrxlint reads them or refuses them in
one line, and never skips a C file it has read in silence.

The contract:

1. The patch reader (`patches_from_bytes`) returns patches made of file changes, or raises
   InputError whose message is one line starting with the input's name. Anything else it
   raises is a bug.
2. `check` exits 0, 1 or 2. Exit 2: nothing on stdout, one line on stderr that starts with
   "zcrxlint: " and names the input. Exit 0 or 1: stdout is JSON, and every C file change the
   reader found (with hunks, or unreadable) in a file the patch leaves in place is listed,
   against its patch, as analysed (`summary.coverage`) or as not analysed in full
   (`summary.partial`): no C file is skipped in silence. `files` exits 0 or 1 on any bytes
   in a `.c` file, and parses and lists that file.
3. The same on real patches (fixtures/demo, fixtures/series/provider-15, fixtures/provider,
   and the hostile inputs of fixtures/bad) and whole C files (fixtures/tree, fixtures/bad)
   broken the ways mail clients, editors and people break them: lines lost, doubled,
   swapped, wrapped or made up, cut short, hunk headers with a wrong number, stray bytes,
   CRLF line ends, junk around them.

In-process runs have ZCRXLINT_DEBUG=1 (conftest.py): an internal error raises here with its
traceback instead of becoming exit 2. Profiles are in conftest.py: `default` in the normal
run, `long` (ZCRXLINT_HYPOTHESIS_PROFILE=long or --hypothesis-profile=long) for thousands of
examples with bigger inputs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import event, example, given, settings, strategies as st

from helpers import FIXTURES, run
from zcrxlint.errors import InputError
from zcrxlint.inputs import InputPatches, patches_from_bytes
from zcrxlint.patch import FileChange, Hunk, Patch

# ---- sizes and example counts, by profile ------------------------------------------------

# The profile is settled before this module is imported (conftest.py, then Hypothesis's
# pytest plugin for --hypothesis-profile), so sizes can follow it.
LONG = settings.get_current_profile_name().split("-with-")[0] == "long"
MAX_BYTES = 65_536 if LONG else 4_096          # arbitrary bytes
MAX_SEED = 65_536 if LONG else 8_192           # consecutive patches of a series, before mutation
MAX_MUTATIONS = 12 if LONG else 5
TIME_BUDGET = ["--time-budget", "5"]           # per-file analysis budget, in seconds


def examples(share: float) -> settings:
    """This test's share of the profile's max_examples (the default profile's total is
    sized to keep the file near ten seconds on two cores)."""
    return settings(max_examples=max(1, int(settings.default.max_examples * share)))


# ---- seeds ---------------------------------------------------------------------------------

def _patch_series() -> list[list[Path]]:
    """The fixture patches, grouped by directory in series order."""
    dirs = [FIXTURES / "demo", FIXTURES / "series" / "provider-15",
            *sorted(p for p in (FIXTURES / "provider").iterdir() if p.is_dir())]
    return [found for d in dirs if (found := sorted(d.glob("*.patch")))]


SERIES = [[p.read_bytes() for p in group] for group in _patch_series()]
PATCHES = [raw for group in SERIES for raw in group]


def _joined(parts: list[bytes]) -> bytes:
    return b"".join(p if p.endswith(b"\n") else p + b"\n" for p in parts)


# Consecutive patches of a series as one mbox, where later patches edit what earlier ones
# made: two at a time in the default profile, up to whole series in the long one.
RUNS = [_joined(group[i:j]) for group in SERIES for i in range(len(group))
        for j in range(i + 2, (len(group) if LONG else i + 2) + 1)
        if sum(map(len, group[i:j])) <= MAX_SEED]
# fixtures/bad: the catalogue of hostile inputs (CRLF, QP, base64, MIME, NUL, binary,
# renames, lying counts, ...), mutated further.
BAD = FIXTURES / "bad"
HOSTILE = [p.read_bytes() for ext in ("patch", "eml", "mbox") for p in sorted(BAD.glob(f"*.{ext}"))]
HOSTILE = [raw for raw in HOSTILE if raw.strip()]
C_FILES = [p.read_bytes() for p in [*sorted((FIXTURES / "tree").rglob("*.c")), *sorted(BAD.glob("*.c"))]]
if LONG:    # bigger translation units: two or three fixture files end to end
    C_FILES += [_joined(C_FILES[i:i + n]) for n in (2, 3) for i in range(len(C_FILES) - n + 1)]

assert len(PATCHES) >= 20 and RUNS and HOSTILE and len(C_FILES) >= 10, "fixtures missing"

# ---- mutations -------------------------------------------------------------------------------

HUNK_HEADER = re.compile(rb"(?m)^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
STRAY_BYTES = [b"\x00", b"\xff", b"\xe9", b"\r"]

# Lines that mean something to a diff, mail or C reader, to insert among real ones.
MEANINGFUL_LINES = [
    b"", b" ", b"+", b"-", b"\\ No newline at end of file", b"-- ", b"---", b"+++",
    b"@@ -1 +1 @@", b"@@ -0,0 +1,3 @@", b"@@ -1,3 +1,4 @@ static int f(void)", b"@@ @@",
    b"@@ -99999999999999999999,1 +1 @@",
    b"diff --git a/io_uring/zcopy.c b/io_uring/zcopy.c", b"diff --git a/x.c b/x.c",
    b"--- a/io_uring/zcopy.c", b"+++ b/io_uring/zcopy.c", b"--- /dev/null", b"+++ /dev/null",
    b"index 0000000..1111111 100644", b"index 1234567..89abcde", b"new file mode 100644",
    b"deleted file mode 100644", b"rename from a.c", b"rename to b.c", b"similarity index 90%",
    b"Binary files a/x.c and b/x.c differ", b"GIT binary patch", b"literal 0",
    b"Index: x.c", b"===================================================================",
    b"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001",
    b"From: A <a@example.org>", b"Subject: [PATCH 2/1] x", b"Date: not a date",
    b"Subject: =?utf-8?q?=E9t=E9?=", b"Message-ID: <20260302100000.1-a@example.org>",
    b"In-Reply-To: <cover.1@example.org>", b"References: <a@b> <c@d>",
    b"To: netdev@vger.kernel.org", b"Cc: \"Kovac, Mira\" <mira@example.org>",
    b"Content-Type: text/plain; charset=\"iso-8859-1\"", b"Received: from x by y; Mon, 2 Mar 2026",
    b"Content-Type: multipart/mixed; boundary=\"b\"", b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: quoted-printable", b"MIME-Version: 1.0", b"--b", b"--b--",
    b"base-commit: 0123456789abcdef0123456789abcdef01234567", b">From x",
    b"+\tpp->alloc.cache[pp->alloc.count++] = netmem;", b"+\tpool->pages_state_hold_cnt++;",
    b"+static const struct memory_provider_ops ops = {", b"+/* zcrxlint: ignore[ZCX101] */",
    b"+}", b"+{", b"-}", b" }", b"+#if 0", b"+#endif", b"+#define X(a) a", b"+/*", b"+\"",
    b"+'", b"+\\", b"}", b"{", b"/*", b"#if 0", b"#else", b"#endif", b"#define F(x) {",
    b"__attribute__((", b"struct page_pool *pp = (struct page_pool *)", b"return pp->p.napi;",
    b"\tnet_iov_owner(niov)->area", b"static int f(struct page_pool *pp) {",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\x0c", b"\x1b[31m", "é€😀".encode(),
]

LINE = st.one_of(
    st.sampled_from(MEANINGFUL_LINES),
    st.builds(lambda prefix, body: prefix + body,
              st.sampled_from([b"", b" ", b"+", b"-", b"@@ ", b"\t"]),
              st.binary(max_size=80).map(lambda b: b.replace(b"\n", b""))),
    st.text(max_size=80).map(lambda t: t.replace("\n", "").encode("utf-8", "surrogatepass")),
)
JUNK = st.one_of(st.binary(max_size=200),
                 st.lists(LINE, max_size=6).map(lambda ls: b"\n".join(ls) + b"\n"))


def _header_digits(raw: bytes) -> list[int]:
    """Offsets of the digits of every hunk header's numbers."""
    found = []
    for m in HUNK_HEADER.finditer(raw):
        for group in range(1, 5):
            if m.start(group) >= 0:
                found.extend(range(m.start(group), m.end(group)))
    return found


def _mutate_once(draw, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    kinds = ["delete", "duplicate", "truncate", "insert-byte", "crlf", "insert-line",
             "swap", "wrap", "prepend", "append"]
    digits = _header_digits(raw)
    if digits:
        kinds.append("header-digit")
    kind = draw(st.sampled_from(kinds))
    line = st.integers(0, len(lines) - 1)
    if kind == "delete" and len(lines) > 1:
        del lines[draw(line)]
    elif kind == "duplicate":
        at = draw(line)
        lines.insert(at, lines[at])
    elif kind == "truncate":
        return raw[:draw(st.integers(0, len(raw)))]
    elif kind == "header-digit":
        at = draw(st.sampled_from(digits))
        return raw[:at] + draw(st.sampled_from(b"0123456789")).to_bytes(1, "big") + raw[at + 1:]
    elif kind == "insert-byte":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.sampled_from(STRAY_BYTES)) + raw[at:]
    elif kind == "crlf":
        if draw(st.booleans()):
            return re.sub(rb"(?<!\r)\n", b"\r\n", raw)
        for at in draw(st.sets(line, min_size=1, max_size=max(1, len(lines) // 2))):
            if at < len(lines) - 1 and not lines[at].endswith(b"\r"):
                lines[at] += b"\r"
    elif kind == "insert-line":
        lines.insert(draw(st.integers(0, len(lines))), draw(LINE))
    elif kind == "swap" and len(lines) > 1:
        a, b = draw(line), draw(line)
        lines[a], lines[b] = lines[b], lines[a]
    elif kind == "wrap":
        long_lines = [i for i, ln in enumerate(lines) if len(ln) >= 40] or \
            [i for i, ln in enumerate(lines) if len(ln) >= 2]
        if long_lines:
            at = draw(st.sampled_from(long_lines))
            cut = draw(st.integers(1, len(lines[at]) - 1))
            lines[at:at + 1] = [lines[at][:cut], lines[at][cut:]]
    elif kind == "prepend":
        return draw(JUNK) + raw
    elif kind == "append":
        return raw + draw(JUNK)
    return b"\n".join(lines)


@st.composite
def mutated(draw, *pools: list[bytes]) -> bytes:
    """A seed from one of the pools (each as likely as the others), mutated a few times."""
    raw = draw(st.sampled_from(draw(st.sampled_from(pools))))
    for _ in range(draw(st.integers(1, MAX_MUTATIONS))):
        raw = _mutate_once(draw, raw)
    return raw


# A diff of one or two files with well-formed hunks (counts right, or sometimes off by a
# little) around lines drawn from the ones above: it gets past "not a patch" far more often
# than random bytes do, and into the hunk reader and the analysis.
C_TEXT = st.one_of(
    st.sampled_from([ln.lstrip(b"+- ") for ln in MEANINGFUL_LINES]),
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
)


@st.composite
def hunk(draw, start: int) -> tuple[bytes, int]:
    body = draw(st.lists(st.tuples(st.sampled_from(b" +-"), C_TEXT), min_size=1, max_size=12))
    old = sum(kind != ord("+") for kind, _ in body) + draw(st.sampled_from([0, 0, 0, 0, 1, -1]))
    new = sum(kind != ord("-") for kind, _ in body) + draw(st.sampled_from([0, 0, 0, 0, 1, -1]))
    section = draw(st.sampled_from([b"", b" static int f(struct page_pool *pp)", b" {", b" \xe9"]))
    header = b"@@ -%d,%d +%d,%d @@%s" % (start, old, start, new, section)
    lines = [header, *(bytes([kind]) + text for kind, text in body)]
    return b"\n".join(lines), start + max(old, 0) + draw(st.integers(0, 30))


@st.composite
def patchish(draw) -> bytes:
    out = []
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from([b"io_uring/zcopy.c", b"x.c", b"a b.h", b"x.txt", b"\xe9.c",
                                     b"net/core/page_pool.c", b"dir/../x.c"]))
        old = draw(st.sampled_from([b"a/" + path, b"a/" + path, b"/dev/null"]))
        new = draw(st.sampled_from([b"b/" + path, b"b/" + path, b"/dev/null"]))
        out += [b"diff --git a/" + path + b" b/" + path, b"--- " + old, b"+++ " + new]
        start = draw(st.integers(0, 200))
        for _ in range(draw(st.integers(1, 3))):
            text, start = draw(hunk(start))
            out.append(text)
    return b"\n".join(out) + draw(st.sampled_from([b"", b"\n", b"\r\n"]))


# A mail whose headers are cut short, doubled or garbled (what a broken mailer or a bad
# copy and paste leaves) above a real or patch-shaped diff.
MAIL_HEADERS = [ln for ln in MEANINGFUL_LINES if re.match(rb"^[A-Za-z-]+: ", ln)]


# Header values made of the tokens address, message-id and encoded-word parsers split on.
HEADER_TOKENS = [b"<", b">", b"@", b".", b"a", b"example.org", b'"', b"(", b")", b",", b";",
                 b":", b" ", b"\\", b"[", b"]", b"=?utf-8?q?", b"=?utf-8?b?", b"?=", b"=E9", b"\xe9"]
HEADER_VALUE = st.one_of(
    st.lists(st.sampled_from(HEADER_TOKENS), max_size=8).map(b"".join),
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")),
)


@st.composite
def header(draw) -> bytes:
    line = draw(st.one_of(st.sampled_from(MAIL_HEADERS),
                          st.builds(lambda name, value: name + b": " + value,
                                    st.sampled_from([ln.split(b":")[0] for ln in MAIL_HEADERS]),
                                    HEADER_VALUE)))
    return line[:draw(st.integers(0, len(line)))] if draw(st.booleans()) else line


@st.composite
def mailish(draw) -> bytes:
    headers = [b"From: A <a@example.org>", *draw(st.lists(header(), min_size=1, max_size=8))]
    body = draw(st.one_of(st.sampled_from(PATCHES).map(lambda p: p[p.find(b"\n\n") + 2:]), patchish()))
    return b"\n".join(headers) + draw(st.sampled_from([b"\n\n", b"\r\n\r\n", b"\n"])) + body


MUTATED_PATCHES = mutated(PATCHES, RUNS, HOSTILE)
MUTATED_C = mutated(C_FILES)
ARBITRARY = st.binary(max_size=MAX_BYTES)

# ---- the contract ------------------------------------------------------------------------

_LINE_END = re.compile(r"\r\n|\r|\n")


def assert_one_line(text: str) -> None:
    assert len(_LINE_END.split(text)) == 1, f"not one line: {text!r}"


def read_contract(raw: bytes, source: str) -> InputPatches | InputError:
    """Point 1: patches, or an InputError in one line that names the input. Any other
    exception propagates: it is a bug."""
    try:
        found = patches_from_bytes(raw, source)
    except InputError as exc:
        message = str(exc)
        assert_one_line(message)
        assert message.startswith(source), message
        return exc
    assert isinstance(found, InputPatches)
    assert isinstance(found.patches, list)
    for patch in found.patches:
        assert isinstance(patch, Patch)
        assert isinstance(patch.files, list)
        for change in patch.files:
            assert isinstance(change, FileChange)
            assert isinstance(change.path, str)
            assert isinstance(change.is_c, bool)
            assert all(isinstance(h, Hunk) for h in change.hunks)
    return found


def assert_refusal(out: str, err: str, path: Path) -> None:
    assert out == "", "a refused run must not also print a report"
    assert err.endswith("\n"), repr(err)
    assert_one_line(err[:-1])
    assert err.startswith("zcrxlint: "), err
    assert str(path) in err, f"the message does not name {path}: {err!r}"


def check_contract(raw: bytes, path: Path) -> None:
    """Point 2, `check`: exit 0/1 with JSON that counts every C file read, or exit 2 in one
    line that names the input."""
    path.write_bytes(raw)
    code, out, err = run(["check", path, "--format", "json", *TIME_BUDGET])
    assert code in (0, 1, 2), (code, err)
    event(f"check exit {code}")      # --hypothesis-show-statistics: how deep the inputs get
    read = read_contract(raw, str(path))
    if code == 2:
        assert_refusal(out, err, path)
        return
    assert not isinstance(read, InputError), f"the reader refused it ({read}) but check exited {code}"
    assert read.patches, f"no patch in the input but check exited {code}"
    summary = json.loads(out)["summary"]
    assert summary["patches"] == len(read.patches), (summary["patches"], len(read.patches))
    # Every C file a patch changes with hunks and leaves in place (a deleted file has no
    # post-image to lint), or whose part of the diff is unreadable, is analysed (listed in
    # summary.coverage) or listed in summary.partial, against its patch (check numbers the
    # patches of one input 1, 2, ... in the reader's order).
    c_changes = {(change.path, index) for index, patch in enumerate(read.patches, 1)
                 for change in patch.files
                 if change.path.endswith((".c", ".h")) and change.new_path is not None
                 and ((change.is_c and change.hunks) or change.unread)}
    analysed = {(entry["path"], entry["patch"]) for entry in summary["coverage"]}
    partial = {(note["path"], note["patch"]) for note in summary["partial"]}
    event(f"C files analysed: {'some' if c_changes & analysed else 'none'}; "
          f"partial: {'some' if partial else 'none'}")
    skipped = c_changes - analysed - partial
    assert not skipped, f"C file changes neither analysed nor listed as partial: {sorted(skipped)}"
    # The count the summary gives agrees.
    c_paths = {path for path, _ in c_changes}
    partial_paths = {path for path, _ in partial}
    assert summary["files"] >= len(c_paths - partial_paths), (summary["files"], sorted(c_paths))


def files_contract(raw: bytes, path: Path) -> None:
    """Point 2, `files`: any bytes in a .c file are parsed and reported on, exit 0 or 1."""
    path.write_bytes(raw)
    code, out, err = run(["files", path, "--format", "json", "-j", "1", "--no-prefilter",
                          *TIME_BUDGET])
    assert code in (0, 1), (code, err)
    event(f"files exit {code}")
    summary = json.loads(out)["summary"]
    assert summary["files"] == 1, summary
    assert summary["unparsed"] == 0, f"the file was not parsed: {summary}"
    listed = {entry["path"] for entry in summary["coverage"]} | \
        {note["path"] for note in summary["partial"]}
    assert listed == {path.as_posix()}, f"the file is neither analysed nor listed as partial: {summary}"


# ---- the tests -------------------------------------------------------------------------------

# Inputs the suite found zcrxlint mishandling, kept as explicit examples (run first, in
# every profile).
# A Message-ID the email package cannot parse: it raised IndexError out of the reader.
BAD_MESSAGE_ID = b"From: A <a@example.org>\nMessage-ID: <\n\ndiff --git a/x.c b/x.c\n"
# unidiff quotes the offending line with its newline: the refusal took two stderr lines.
HUNK_LINE_EXPECTED = b"diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n@@ -1 +1 @@\n"
# A CR in a path from a diff header, echoed into the one-line refusal.
CR_IN_PATH = b"diff --git a/x.c b/x\r.c\nBinary files a/x.c and b/x\r.c differ\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@examples(2.0)
@given(raw=ARBITRARY)
def test_reader_arbitrary_bytes(raw):
    read_contract(raw, "fuzz.patch")


@examples(2.0)
@given(raw=st.one_of(MUTATED_PATCHES, patchish()))
def test_reader_mutated_patches(raw):
    read_contract(raw, "fuzz.patch")


@examples(1.0)
@given(raw=mailish())
@example(raw=BAD_MESSAGE_ID)
def test_reader_broken_mail_headers(raw):
    read_contract(raw, "fuzz.eml")


@examples(1.0)
@given(raw=st.one_of(ARBITRARY, patchish(), mailish()))
@example(raw=BAD_MESSAGE_ID)
@example(raw=HUNK_LINE_EXPECTED)
@example(raw=CR_IN_PATH)
def test_check_arbitrary_bytes(workdir, raw):
    check_contract(raw, workdir / "arbitrary.patch")


@examples(3.0)
@given(raw=MUTATED_PATCHES)
def test_check_mutated_patches(workdir, raw):
    check_contract(raw, workdir / "mutated.patch")


@examples(1.0)
@given(raw=ARBITRARY)
def test_files_arbitrary_bytes(workdir, raw):
    files_contract(raw, workdir / "arbitrary.c")


@examples(2.0)
@given(raw=MUTATED_C)
def test_files_mutated_c(workdir, raw):
    files_contract(raw, workdir / "mutated.c")


def test_mutations_keep_real_patches_readable():
    """The seeds themselves pass: what the fuzz tests find comes from the mutations."""
    for raw in PATCHES + RUNS:
        assert not isinstance(read_contract(raw, "seed.patch"), InputError)
