"""A series: ordered patches, each a set of file changes with their hunks."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

import unidiff

from .errors import InputError

C_SUFFIXES = (".c", ".h")
# Where the diff of a message starts: a git header, a plain unified header, or svn-style Index.
DIFF_START = re.compile(r"(?m)^(?:diff --git |Index: |--- \S[^\n]*\n\+\+\+ )")
GIT_INDEX = re.compile(r"(?m)^index ([0-9a-f]{7,64})\.\.[0-9a-f]{7,64}")


@dataclass(frozen=True)
class DiffLine:
    kind: str                 # " ", "+" or "-"
    text: str                 # without the newline
    old_line: int | None      # 1-based line in the pre-image
    new_line: int | None      # 1-based line in the post-image
    patch_line: int           # 1-based line in the patch text as read (checkpatch's #N)


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_length: int
    new_start: int
    new_length: int
    header: str               # the text after the second @@: git's enclosing function line
    lines: tuple[DiffLine, ...]

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

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def is_c(self) -> bool:
        return self.path.endswith(C_SUFFIXES) and not self.binary


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

    def diff_line(self, path: str, new_line: int) -> tuple[FileChange, Hunk, int] | None:
        """Where the patch shows line `new_line` of `path`'s post-image (added or context):
        its file change, hunk and index in the hunk; None when no hunk shows it."""
        for change in self.files:
            if change.path != path:
                continue
            for hunk in change.hunks:
                for at, line in enumerate(hunk.lines):
                    if line.new_line == new_line and line.kind != "-":
                        return change, hunk, at
        return None


def _strip_prefix(path: str | None) -> str | None:
    if path is None or path == "/dev/null":
        return None
    path = path.split("\t", 1)[0]
    if path.startswith(("a/", "b/")):
        return path[2:]
    return path


def find_diff(text: str) -> int | None:
    """Offset where the diff of a message body starts, or None when it has none."""
    m = DIFF_START.search(text)
    return m.start() if m else None


def parse_diff(text: str, source: str, first_line: int = 1) -> list[FileChange]:
    """Parse unified-diff text; `first_line` is the line of `text` in the input as read."""
    try:
        patchset = unidiff.PatchSet(text)
    except unidiff.UnidiffParseError as exc:
        raise InputError(source, f"malformed diff: {exc}") from None
    except Exception as exc:  # unidiff raises bare errors on some corrupt headers
        raise InputError(source, f"malformed diff: {exc}") from None
    offset = first_line - 1
    changes = []
    for pfile in patchset:
        hunks = []
        for h in pfile:
            lines = tuple(
                DiffLine(ln.line_type, ln.value.rstrip("\n").rstrip("\r"), ln.source_line_no,
                         ln.target_line_no, ln.diff_line_no + offset)
                for ln in h if ln.line_type in (" ", "+", "-")
            )
            hunks.append(Hunk(h.source_start, h.source_length, h.target_start, h.target_length,
                              (h.section_header or "").strip(), lines))
        old = None if pfile.is_added_file else _strip_prefix(pfile.source_file)
        new = None if pfile.is_removed_file else _strip_prefix(pfile.target_file)
        index = GIT_INDEX.search(str(pfile.patch_info or ""))
        old_blob = index.group(1) if index and index.group(1).strip("0") else None
        changes.append(FileChange(old, new, tuple(hunks), binary=bool(pfile.is_binary_file),
                                  old_blob=old_blob))
    return changes
