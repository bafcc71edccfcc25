"""A series: ordered patches, each a set of file changes with their hunks."""

from __future__ import annotations

import datetime as _dt
import functools
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import unidiff

from .limits import MAX_FILE_DIFF_BYTES, mib


C_SUFFIXES = (".c", ".h")
# Where the diff of a message starts: a git header, a plain unified header, or svn-style Index.
DIFF_START = re.compile(r"(?m)^(?:diff --(?:git|cc|combined) |Index: |--- \S[^\n]*\n\+\+\+ )")
GIT_INDEX = re.compile(r"(?m)^index ([0-9a-f]{7,64})\.\.([0-9a-f]{7,64})")
# Where each file's part of a diff starts: git's header, else a plain `---`/`+++` pair
# (with svn's `Index:` lines above it).
GIT_FILE_START = re.compile(r"(?m)^diff --(?:git|cc|combined) ")
# A hunk header as git writes and applies it; any other line starting with @@ is corrupt.
HUNK_HEADER = re.compile(r"@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@(?:[ \t]|$)")
PLAIN_FILE_START = re.compile(r"(?m)^(?:Index: [^\n]*\n(?:=+\n)?)?--- [^\n]*\n\+\+\+ ")
# A path as git writes it: bare, or C-quoted when it holds a quote, backslash, control
# character or (under the default core.quotePath) a byte above 0x7f.
_GIT_PATH = r'(?:"(?:[^"\\\n]|\\.)*"|\S+)'
GIT_HEADER_PATHS = re.compile(rf"^diff --git ({_GIT_PATH}) ({_GIT_PATH})")
COMBINED_HEADER_PATH = re.compile(rf"^diff --(?:cc|combined) ({_GIT_PATH})")
PLAIN_HEADER_PATH = re.compile(rf"(?m)^(---|\+\+\+) ({_GIT_PATH})")
_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_C_ESCAPE = re.compile(r'\\([0-7]{1,3}|.)', re.S)
# unidiff's words for a corrupt hunk, said so that a patch author knows what to look for.
UNIDIFF_PROBLEMS = {
    "Hunk is shorter than expected":
        "a hunk ends before the lines its @@ header counts (cut off, or the counts lie)",
    "Hunk is longer than expected":
        "a hunk has more lines than its @@ header counts",
}
# A line that can only belong to a hunk: an added, removed or context line (a mail's
# `-- ` signature separator is none of these).
HUNK_BODY_LINE = re.compile(r"^(?:\+|-(?!- ?$)| \S)")


@dataclass(frozen=True)
class DiffLine:
    kind: str                 # " ", "+" or "-"
    text: str                 # without the newline
    old_line: int | None      # 1-based line in the pre-image
    new_line: int | None      # 1-based line in the post-image
    patch_line: int           # 1-based line in the patch text as read (checkpatch's #N)


class DiffLines(Sequence):
    """A hunk's lines, held as one text and a few arrays; a DiffLine is made when asked for.
    An object per line costs over 200 bytes, and a 100 MB patch has some 4 million lines."""

    __slots__ = ("_text", "_ends", "_kinds", "_old", "_new", "_patch")

    def __init__(self, lines: Iterable[tuple[str, str, int | None, int | None, int]]):
        texts, kinds = [], []
        ends, old, new, patch = array("I"), array("I"), array("I"), array("I")
        at = 0
        for kind, text, old_line, new_line, patch_line in lines:
            texts.append(text)
            at += len(text)
            ends.append(at)
            kinds.append(kind)
            old.append(0 if old_line is None else old_line + 1)     # 0: no such line
            new.append(0 if new_line is None else new_line + 1)
            patch.append(patch_line)
        self._text, self._kinds = "".join(texts), "".join(kinds)
        self._ends, self._old, self._new, self._patch = ends, old, new, patch

    def _line(self, at: int) -> DiffLine:
        start = self._ends[at - 1] if at else 0
        old, new = self._old[at], self._new[at]
        return DiffLine(self._kinds[at], self._text[start:self._ends[at]],
                        old - 1 if old else None, new - 1 if new else None, self._patch[at])

    def __len__(self) -> int:
        return len(self._kinds)

    def __getitem__(self, at):
        if isinstance(at, slice):
            return [self._line(i) for i in range(*at.indices(len(self)))]
        if at < 0:
            at += len(self)
        if not 0 <= at < len(self):
            raise IndexError(at)
        return self._line(at)

    def __iter__(self) -> Iterator[DiffLine]:
        for at in range(len(self._kinds)):
            yield self._line(at)

    def _key(self) -> tuple:
        return (self._text, self._kinds, self._ends.tobytes(), self._old.tobytes(),
                self._new.tobytes(), self._patch.tobytes())

    def __eq__(self, other) -> bool:
        return isinstance(other, DiffLines) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"DiffLines({len(self)} lines)"


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_length: int
    new_start: int
    new_length: int
    header: str               # the text after the second @@: git's enclosing function line
    lines: DiffLines          # a sequence of DiffLine (DiffLine objects are taken too)

    def __post_init__(self):
        if not isinstance(self.lines, DiffLines):
            object.__setattr__(self, "lines", DiffLines(
                (ln.kind, ln.text, ln.old_line, ln.new_line, ln.patch_line) for ln in self.lines))

    def side(self, old: bool) -> list[DiffLine]:
        keep = "-" if old else "+"
        return [ln for ln in self.lines if ln.kind in (" ", keep)]


@dataclass(frozen=True)
class FileChange:
    old_path: str | None      # None when the patch creates the file
    new_path: str | None      # None when the patch deletes it
    hunks: tuple[Hunk, ...]
    binary: bool = False
    old_blob: str | None = None   # git's `index <old>..<new>` pre-image object id
    new_blob: str | None = None   # and post-image object id
    unreadable: str | None = None  # why this file's part of the diff cannot be used

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def is_c(self) -> bool:
        return self.path.endswith(C_SUFFIXES) and not self.binary

    @property
    def unread(self) -> str | None:
        """Why the C text this change makes cannot be analysed, if it cannot: a corrupt
        part of the diff (whatever its path says), or a binary patch to a C file."""
        if self.unreadable:
            return self.unreadable
        if self.binary and self.path.endswith(C_SUFFIXES):
            return "binary patch: the diff does not show the C text"
        return None

    @property
    def content_shown(self) -> bool:
        """Whether the diff shows any of the file's text: a rename, copy or mode change
        without hunks, and a binary patch, show none."""
        return bool(self.hunks) and not self.binary and self.unreadable is None


@dataclass
class Patch:
    index: int                # 1-based position in the series
    subject: str
    source: str               # the input it came from, as the user named it
    files: list[FileChange]
    line_count: int           # lines of patch text, for the "lines checked" summary
    date: _dt.datetime | None = None
    message_id: str | None = None
    counter: tuple[int, int] | None = None   # [PATCH n/m]
    commit: str | None = None                # the commit it was made from, when known
    base: object | None = None               # BaseTree it applies to (a commit's parent)
    posted_subject: str | None = None        # the mail's Subject: as posted, tags and all

    def diff_line(self, path: str, new_line: int) -> tuple[FileChange, Hunk, int] | None:
        """Where the patch shows line `new_line` of `path`'s post-image (added or context):
        its file change, hunk and index in the hunk; None when no hunk shows it."""
        return self._shown_lines.get((path, new_line))

    @functools.cached_property
    def _shown_lines(self) -> dict[tuple[str, int], tuple[FileChange, Hunk, int]]:
        # Built once: a report asks this for every finding, and a patch of 100,000
        # findings must not walk every hunk for each.
        shown = {}
        for change in self.files:
            for hunk in change.hunks:
                for at, line in enumerate(hunk.lines):
                    if line.kind != "-":
                        shown.setdefault((change.path, line.new_line), (change, hunk, at))
        return shown


def unquote_git_path(path: str) -> str:
    """A path as git wrote it, unquoted: `"caf\\303\\251.c"` is `café.c`."""
    if len(path) < 2 or not (path.startswith('"') and path.endswith('"')):
        return path
    raw = bytearray()
    at = 1
    for m in _C_ESCAPE.finditer(path, 1, len(path) - 1):
        raw += path[at:m.start()].encode("utf-8", "surrogateescape")
        code = m.group(1)
        raw.append(int(code, 8) & 0xFF if code[0] in "01234567" else _C_ESCAPES.get(code, ord(code[0]) & 0xFF))
        at = m.end()
    raw += path[at:len(path) - 1].encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "replace")


def _strip_prefix(path: str | None) -> str | None:
    if path is None or path == "/dev/null":
        return None
    path = unquote_git_path(path.split("\t", 1)[0])
    if path == "/dev/null":
        return None
    if path.startswith(("a/", "b/")):
        return path[2:]
    return path


def find_diff(text: str, start: int = 0) -> int | None:
    """Offset where the diff of a message body starts (searched from `start`), or None."""
    m = DIFF_START.search(text, start)
    return m.start() if m else None


def _sections(text: str, start: int) -> list[int]:
    """Offsets in `text` (from `start`) where each file's part of the diff starts."""
    starts = [m.start() for m in GIT_FILE_START.finditer(text, start)]
    if not starts:
        starts = [m.start() for m in PLAIN_FILE_START.finditer(text, start)]
    return starts or [start]


def _header_paths(section: str) -> tuple[str | None, str | None]:
    """The old and new paths a file's header names, for a part unidiff cannot read."""
    m = GIT_HEADER_PATHS.match(section)
    if m:
        return _strip_prefix(m.group(1)), _strip_prefix(m.group(2))
    m = COMBINED_HEADER_PATH.match(section)
    if m:
        return m.group(1), m.group(1)
    found = dict((side, path) for side, path in PLAIN_HEADER_PATH.findall(section[:4096]))
    return _strip_prefix(found.get("---")), _strip_prefix(found.get("+++"))


def _unread(section: str, reason: str) -> FileChange:
    old, new = _header_paths(section)
    return FileChange(old, new or old, (), unreadable=reason)


def parse_diff(text: str, first_line: int = 1, start: int = 0) -> list[FileChange]:
    """Parse unified-diff text from offset `start`; `first_line` is the line of that offset
    in the input as read.

    Each file's part is read on its own: a part that is corrupt (a hunk whose line counts
    lie, a hunk cut off, NUL bytes) becomes a FileChange with `unreadable` set and the
    other files are still read."""
    starts = _sections(text, start)
    changes = []
    line = first_line + text.count("\n", start, starts[0])
    for at, start in enumerate(starts):
        end = starts[at + 1] if at + 1 < len(starts) else len(text)
        if end - start > MAX_FILE_DIFF_BYTES:
            # Not copied out: its header names the file, and that is all that is read.
            changes.append(_unread(text[start:start + 4096], f"{mib(end - start)} of diff for one file, "
                                   f"over the {mib(MAX_FILE_DIFF_BYTES)} zcrxlint reads per file"))
        else:
            changes.extend(_parse_section(text[start:end], line))
        line += text.count("\n", start, end)
    return changes


def _bad_hunk_header(section: str) -> int | None:
    """The 0-based line of `section` holding a corrupt hunk header (unidiff skips those,
    and with them every line of the hunk), or None."""
    for at, line in enumerate(section.split("\n")):
        if line.startswith("@@") and not HUNK_HEADER.match(line.rstrip("\r")):
            return at
    return None


def _parse_section(section: str, first_line: int) -> list[FileChange]:
    if "\0" in section:
        return [_unread(section, "NUL bytes in the diff (a binary file shown as text)")]
    if COMBINED_HEADER_PATH.match(section):
        return [_unread(section, "combined diff (a merge shown against its parents): "
                                 "lint each side's own diff instead")]
    bad_header = _bad_hunk_header(section)
    if bad_header is not None:
        return [_unread(section, f"malformed diff: the hunk header at #{first_line + bad_header} "
                                 "is not one git writes or applies")]
    try:
        patchset = unidiff.PatchSet(section)
    except Exception as exc:  # unidiff raises its own error, and bare ones on corrupt headers
        said = " ".join(str(exc).split())     # unidiff quotes the offending line, newline and all
        problem = UNIDIFF_PROBLEMS.get(said, said)
        return [_unread(section, f"malformed diff: {problem}")]
    offset = first_line - 1
    section_lines = section.split("\n")
    changes = []
    for pfile in patchset:
        hunks = []
        for h in pfile:
            numbered = [ln.diff_line_no for ln in h if ln.diff_line_no is not None]
            # unidiff ends a hunk where its header's counts say and ignores what follows.
            # A hunk line right after it means the counts lie: git apply calls that corrupt.
            after = (numbered[-1] + (1 if h[-1].diff_line_no is None else 0)) if numbered else None
            if after is not None and after < len(section_lines) \
                    and HUNK_BODY_LINE.match(section_lines[after]):
                header = f"@@ -{h.source_start},{h.source_length} +{h.target_start},{h.target_length} @@"
                return [_unread(section, f"malformed diff: the hunk {header} at #{numbered[0] - 1 + offset} "
                                         f"counts fewer lines than it has (#{after + 1 + offset} "
                                         "is still a hunk line)")]
            lines = DiffLines(
                (ln.line_type, ln.value.rstrip("\n").rstrip("\r"), ln.source_line_no,
                 ln.target_line_no, ln.diff_line_no + offset)
                for ln in h if ln.line_type in (" ", "+", "-")
            )
            hunks.append(Hunk(h.source_start, h.source_length, h.target_start, h.target_length,
                              (h.section_header or "").strip(), lines))
        old = None if pfile.is_added_file else _strip_prefix(pfile.source_file)
        new = None if pfile.is_removed_file else _strip_prefix(pfile.target_file)
        index = GIT_INDEX.search(str(pfile.patch_info or ""))
        old_blob = index.group(1) if index and index.group(1).strip("0") else None
        new_blob = index.group(2) if index and index.group(2).strip("0") else None
        changes.append(FileChange(old, new, tuple(hunks), binary=bool(pfile.is_binary_file),
                                  old_blob=old_blob, new_blob=new_blob))
    return changes
