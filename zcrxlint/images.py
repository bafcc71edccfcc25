"""Pre- and post-images of each changed file, as complete as can be had.

(1) the file as an earlier patch of the series left it (created or applied whole), else
(2) the file from the base tree (--tree DIR, or a commit's parent in `series` mode), else
(3) the hunks alone. In case (3) each hunk is widened to
the function git names in its `@@ ... @@ header`: the header line and the braces the hunk
is missing are written around it as synthetic rows that map to no line of the file.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .basetree import BaseTree, GitRepo, decode_source, leaves_tree
from .patch import DiffLine, FileChange, Hunk

FRAGMENT_PREFIX = "__zcrxlint_fragment_"
# The condition of an `if` a hunk cut off: its `else` is shown, the `if` line is not.
CUT_CONDITION = "__zcrxlint_condition_not_shown"
_FUNCTION_HEADER = re.compile(r"^[A-Za-z_][\w\s\*,()]*?\b([A-Za-z_]\w*)\s*\(")
_LABEL = re.compile(r"^[A-Za-z_]\w*:(?!:)")
_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_COMMENTS = re.compile(r"/\*.*?\*/|//.*$")
_TYPE_ONLY_HEADER = re.compile(r"^[A-Za-z_][\w\s\*]*$")
_BODYLESS_HEADER = re.compile(r"^\s*(?:(?:\}\s*)?else(?:\s+if\b.*\))?|(?:if|while|for)\b.*\))\s*$")


class Rows(Sequence):
    """Row -> 1-based file line, None for a row no file line is: an array, not a list of
    int objects (a run may hold hundreds of hunk-only images of thousands of rows)."""

    __slots__ = ("_lines",)

    def __init__(self, lines: Iterable[int | None]):
        self._lines = array("I", (0 if line is None else line for line in lines))

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [line or None for line in self._lines[row]]
        return self._lines[row] or None

    def __iter__(self) -> Iterator[int | None]:
        return (line or None for line in self._lines)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (Rows, list)) else NotImplemented

    def __repr__(self) -> str:
        return f"Rows({list(self)!r})"


@dataclass
class Image:
    """One side of one file: text to parse plus where each of its rows is in the file."""
    path: str
    text: str
    rows: Rows | None = None                 # row -> 1-based file line; None: identity
    partial: str | None = None               # why only part of the file is known
    fragment_names: dict[str, str] = field(default_factory=dict)  # synthetic name -> git's header
    # Synthetic rows that stand for lines of a function no patch showed, between two parts
    # of it that are shown: row -> (first, last) missing file line.
    gaps: dict[int, tuple[int, int]] = field(default_factory=dict)
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

    def row_text(self, row: int) -> str:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines[row] if 0 <= row < len(self._lines) else ""

    def line_of(self, row: int) -> int | None:
        if self.rows is None:
            return row + 1
        return self.rows[row] if 0 <= row < len(self.rows) else None


@dataclass
class FileImages:
    change: FileChange
    pre: Image | None          # None when the patch creates the file
    post: Image | None         # None when the patch deletes it
    # Post-image lines the patch adds or removed lines next to, in order (an array: a
    # patch creating a file of a million lines must not hold a million int objects).
    changed: array

    @classmethod
    def of(cls, change: FileChange, pre: Image | None, post: Image | None,
           added: Iterable[int] = (), removed_at: Iterable[int] = ()) -> "FileImages":
        return cls(change, pre, post, array("I", sorted(set(added) | set(removed_at))))


class ApplyError(Exception):
    pass


def _norm(line: str) -> str:
    return line.rstrip()


def apply_hunks(base: list[str], hunks: tuple[Hunk, ...]) -> tuple[list[str], set[int], set[int]]:
    """Apply hunks like patch(1) with offsets but no fuzz; return post lines, added, removed_at."""
    out: list[str] = []
    added: set[int] = set()
    removed_at: set[int] = set()
    pos = 0
    for hunk in hunks:
        old = [ln.text for ln in hunk.side(old=True)]
        want = max(hunk.old_start - 1, 0) if hunk.old_length else hunk.old_start
        start = _locate(base, old, want, pos)
        if start is None:
            raise ApplyError(f"hunk @@ -{hunk.old_start},{hunk.old_length} @@ does not match")
        out.extend(base[pos:start])
        i = start
        pending_removal = False
        for ln in hunk.lines:
            if ln.kind == " ":
                if pending_removal:
                    removed_at.add(len(out) + 1)
                    pending_removal = False
                out.append(base[i])
                i += 1
            elif ln.kind == "-":
                i += 1
                pending_removal = True
            else:
                out.append(ln.text)
                added.add(len(out))
        if pending_removal:
            removed_at.add(len(out) + 1 if i < len(base) else max(len(out), 1))
        pos = i
    out.extend(base[pos:])
    return out, added, removed_at


def _locate(base: list[str], old: list[str], want: int, floor: int) -> int | None:
    def fits(at: int) -> bool:
        return at >= floor and at + len(old) <= len(base) and all(
            _norm(base[at + k]) == _norm(old[k]) for k in range(len(old)))
    if not old:
        return min(max(want, floor), len(base))
    for delta in range(0, max(len(base), 1) + 1):
        for at in (want - delta, want + delta) if delta else (want,):
            if fits(at):
                return at
        if want - delta < floor and want + delta > len(base):
            break
    return None


def _code_only(line: str) -> str:
    return _COMMENTS.sub("", _STRINGS.sub('""', line))


def _starts_inside_block(texts: list[str]) -> bool:
    """Whether a hunk's first line sits inside a braced top-level item (a function body)."""
    in_comment = False
    for text in texts:
        stripped = text.strip()
        if in_comment:
            in_comment = "*/" not in stripped
            continue
        if not stripped:
            continue
        if stripped.startswith("/*"):
            in_comment = "*/" not in stripped
            continue
        if stripped.startswith(("//", "#", "*")):
            continue
        if text[0] in " \t":
            return True
        if _LABEL.match(text):
            return True
        return stripped.startswith("}")
    return False


def _depth_profile(texts: list[str]) -> tuple[int, int]:
    """The lowest brace depth (relative to the start) reached before the function's own
    closing brace in column 0, and the final depth."""
    depth = lowest = 0
    in_comment = False
    closed_function = False
    for text in texts:
        line = text
        if in_comment:
            if "*/" not in line:
                continue
            line = line.split("*/", 1)[1]
            in_comment = False
        code = _code_only(line)
        if "/*" in code:
            code, in_comment = code.split("/*", 1)[0], True
        for ch in code:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if not closed_function:
                    lowest = min(lowest, depth)
        if text.startswith("}"):
            closed_function = True
            lowest = min(lowest, depth + 1)
    return lowest, depth


def _opening_for(header: str, fragment: str) -> str:
    """The synthetic line that opens the block a hunk starts inside."""
    header = header.strip()
    if header.endswith("{"):
        return header
    if _FUNCTION_HEADER.match(header) and not header.rstrip().endswith(";"):
        if header.count("(") > header.count(")"):
            header = header.rstrip().rstrip(",") + ")" * (header.count("(") - header.count(")"))
        return header + " {"
    return f"static void {fragment}(void) {{"


def _code_lines(texts: list[str]) -> list[str]:
    return [t for t in texts if t.strip() and not t.strip().startswith(("/*", "*", "//", "#"))]


def _opens_in_comment(texts: list[str]) -> bool:
    """Whether a hunk starts inside a block comment: a `*/` before any `/*`."""
    for text in texts:
        if "/*" in text or "*/" in text:
            return text.find("*/") >= 0 and (text.find("/*") < 0 or text.find("*/") < text.find("/*"))
    return False


def _continues_parameters(header: str, texts: list[str]) -> bool:
    """Whether a hunk starts inside the parameter list git's header line leaves open
    (`f(struct device *dev,` then `\t\t size_t size)` and `{`, or `size_t size);`)."""
    depth = header.count("(") - header.count(")")
    if depth <= 0 or not _FUNCTION_HEADER.match(header.strip()):
        return False
    for text in texts:
        if text.startswith("{"):
            return depth == 0
        code = _code_only(text)
        if not text[:1].isspace() or "{" in code:
            return False
        depth += code.count("(") - code.count(")")
        if ";" in code:
            return depth == 0
    return False


def _starts_in_cut_if(texts: list[str]) -> bool:
    """Whether a hunk starts in the consequence of an `if` it does not show: the first line
    less indented than the first code line is its `else`."""
    code = _code_lines(texts)
    if not code:
        return False
    indent = len(code[0].expandtabs(8)) - len(code[0].expandtabs(8).lstrip())
    for text in code[1:]:
        expanded = text.expandtabs(8)
        if len(expanded) - len(expanded.lstrip()) < indent:
            return re.match(r"\s*(?:\}\s*)?else\b", text) is not None
    return False


def _ends_without_body(texts: list[str]) -> bool:
    """Whether a hunk's last code line is an `if`, loop or `else` header whose statement the
    hunk does not show."""
    code = _code_lines(texts)
    return bool(code) and _BODYLESS_HEADER.match(_code_only(code[-1])) is not None


def _opens_declaration(texts: list[str]) -> bool:
    """Whether the brace a top-level hunk leaves open is a struct's, an enum's or an
    initializer's (closed by `};`), not a function body's."""
    depth, opener = 0, ""
    for text in texts:
        code = _code_only(text)
        if depth == 0 and "{" in code:
            opener = code.split("{", 1)[0]
        depth += code.count("{") - code.count("}")
    return re.search(r"\b(?:struct|union|enum)\b|=", opener) is not None


def _continues_type_header(header: str, texts: list[str]) -> bool:
    """Whether a hunk's first line goes on from git's header line when that gives only a
    type: the name and parameters under it (`struct net_iov *` then `alloc(...)`)."""
    code = _code_lines(texts)
    return bool(code) and _TYPE_ONLY_HEADER.match(header.strip()) is not None and \
        re.match(r"[A-Za-z_]\w*\(", code[0]) is not None


def _opens_with_a_body_brace(texts: list[str]) -> bool:
    """Whether a hunk's first code line opens a top-level body (a function's `{`)."""
    code = _code_lines(texts)
    return bool(code) and code[0].startswith("{")


def _ends_a_declarator(texts: list[str]) -> bool:
    """Whether the text so far ends on a line a body brace may follow (a signature)."""
    last = texts[-1].strip() if texts else ""
    return bool(last) and not last.endswith((";", "}", "*/")) and not last.startswith(("#", "//"))


def _signature_for(header: str, fragment: str) -> str:
    """The synthetic line above a body brace a hunk starts with: git's header when it is a
    declarator or an initialiser's `=`, else a function of the fragment's name."""
    if header.strip().endswith("="):
        return header.strip()
    return _opening_for(header, fragment).removesuffix("{").rstrip()


def _indent_depth(texts: list[str]) -> int:
    """The brace depth of a function fragment's first code line, read from its kernel-style
    tab indentation (a line that closes a block sits one level deeper than its tabs)."""
    for text in texts:
        stripped = text.strip()
        if not stripped or stripped.startswith(("/*", "*", "//", "#")):
            continue
        expanded = text.expandtabs(8)
        depth = (len(expanded) - len(expanded.lstrip())) // 8
        return max(depth + stripped.startswith("}"), 1)
    return 1


def _continues(hunk: Hunk, following: Hunk | None, old: bool, body: list[str]) -> bool:
    """Whether the next hunk is more of the same function: git names the same function for
    it, it starts inside a block, and this hunk does not close the function."""
    if following is None or not hunk.header or following.header != hunk.header:
        return False
    if any(text.startswith("}") for text in body):
        return False
    return _starts_inside_block([ln.text for ln in following.side(old)])


def hunks_only_image(path: str, hunks: tuple[Hunk, ...], old: bool, reason: str) -> Image:
    """Concatenate each hunk's side, each wrapped so it parses on its own; the hunks of one
    function share its wrapper, with the lines between them marked as a gap."""
    texts: list[str] = []
    rows: list[int | None] = []
    names: dict[str, str] = {}
    gaps: dict[int, tuple[int, int]] = {}
    open_depth = 0              # braces a previous hunk of the same function left open
    last_line = 0
    for n, hunk in enumerate(hunks):
        side = hunk.side(old)
        body = [ln.text for ln in side]
        lines = [ln.old_line if old else ln.new_line for ln in side]
        lowest, final = _depth_profile(body)
        following = hunks[n + 1] if n + 1 < len(hunks) else None
        continues = _continues(hunk, following, old, body)
        if open_depth:
            opened = max(_indent_depth(body), 1 - min(lowest, 0))
            gaps[len(rows)] = (last_line + 1, lines[0] - 1 if lines else last_line)
            texts.append("/* lines not shown */")
            rows.append(None)
            brace = "{" if opened > open_depth else "}"
            for _ in range(abs(opened - open_depth)):
                texts.append(brace)
                rows.append(None)
        else:
            opened = 0
            # The hunk before ended on this function's head itself: its `{` needs no other.
            after_own_head = bool(lines and last_line and lines[0] <= last_line + 1
                                  and _ends_a_declarator(texts))
            if _continues_parameters(hunk.header, body) or (
                    _continues_type_header(hunk.header, body) and not after_own_head):
                texts.append(hunk.header.strip())      # the rest of the head is in the hunk
                rows.append(None)
            elif _starts_inside_block(body):
                fragment = f"{FRAGMENT_PREFIX}{n + 1}"
                opening = _opening_for(hunk.header, fragment)
                if opening.startswith(f"static void {fragment}"):
                    names[fragment] = hunk.header
                texts.append(opening)
                rows.append(None)
                # A hunk that starts in a nested block closes more braces than it opens;
                # one that goes on in a later hunk opens as deep as it is indented.
                opened = max(1 - min(lowest, 0), _indent_depth(body) if continues else 1)
                for _ in range(opened - 1):
                    texts.append("{")
                    rows.append(None)
            elif _opens_with_a_body_brace(body) and not after_own_head:
                # git's usual shape when a function's first lines change: the hunk starts
                # at the function's own opening brace, and its header is the head above
                # (unless the hunk before ends on that line itself); a header that is no
                # head gets a signature named for the fragment.
                fragment = f"{FRAGMENT_PREFIX}{n + 1}"
                signature = _signature_for(hunk.header, fragment)
                if signature.startswith(f"static void {fragment}"):
                    names[fragment] = hunk.header
                texts.append(signature)
                rows.append(None)
        if _starts_in_cut_if(body):
            if texts and rows[-1] is None and texts[-1] == "{":
                texts[-1] = f"if ({CUT_CONDITION}) {{"
            else:
                texts.append(f"if ({CUT_CONDITION})")
                rows.append(None)
        if _opens_in_comment(body):
            texts.append("/*")
            rows.append(None)
        texts.extend(body)
        rows.extend(lines)
        last_line = lines[-1] if lines else last_line
        if _ends_without_body(body):
            texts.append(";")                  # the statement the hunk cut off
            rows.append(None)
        unclosed = sum(_code_only(t).count("(") - _code_only(t).count(")") for t in body)
        if unclosed > 0 and not opened and not final:
            texts.append(")" * unclosed + ";")  # a prototype the hunk cut off
            rows.append(None)
        if continues and opened + final >= 1:
            open_depth = opened + final
            continue
        open_depth = 0
        for _ in range(max(opened + final, 0)):
            texts.append("}")
            rows.append(None)
        if not opened and final > 0 and _opens_declaration(body):
            texts[-1] = "};"                   # a struct or an initializer the hunk cut
    return Image(path, "\n".join(texts) + "\n", Rows(rows), reason, names, gaps)


@dataclass
class ShownLines:
    """What the series showed of a file it never showed whole: post-image lines by number,
    with git's function header for each, and the object id of that post-image."""
    lines: dict[int, tuple[str, str]]
    blob: str | None


def _same_object(a: str | None, b: str | None) -> bool:
    """Whether two (abbreviated) object ids may name one object; unknown ids do not differ."""
    if not a or not b:
        return True
    return a.startswith(b) or b.startswith(a)


def _carried_hunks(shown: ShownLines, hunks: tuple[Hunk, ...]) -> tuple[Hunk, ...]:
    """The lines an earlier patch showed that this patch's hunks do not, moved to this
    patch's numbering, as context-only hunks (one per run of lines)."""
    moved: list[tuple[int, int, str, str]] = []     # (old line, new line, text, header)
    for line in sorted(shown.lines):
        shift = 0
        for hunk in hunks:
            first, last = hunk.old_start, hunk.old_start + hunk.old_length - 1
            if hunk.old_length and first <= line <= last:
                break
            if (hunk.old_length and last < line) or (not hunk.old_length and hunk.old_start < line):
                shift += hunk.new_length - hunk.old_length
        else:
            text, header = shown.lines[line]
            moved.append((line, line + shift, text, header))
    runs: list[list[tuple[int, int, str, str]]] = []
    for item in moved:
        if runs and runs[-1][-1][1] + 1 == item[1] and runs[-1][-1][3] == item[3]:
            runs[-1].append(item)
        else:
            runs.append([item])
    return tuple(Hunk(run[0][0], len(run), run[0][1], len(run), run[0][3],
                      tuple(DiffLine(" ", text, old_line, new_line, 0)
                            for old_line, new_line, text, _ in run))
                 for run in runs)


def _is_object(data: bytes, object_id: str) -> bool:
    """Whether `data` is the blob `object_id` (abbreviated, SHA-1 or SHA-256) names, not
    another object that shares its prefix."""
    header = b"blob %d\0" % len(data)
    return any(hashlib.new(algorithm, header + data).hexdigest().startswith(object_id)
               for algorithm in ("sha1", "sha256"))


class ImageSource:
    """Remembers the files the series has shown whole, and reads the base tree.

    A patch that carries its own base (a commit's parent, in `series` mode) is applied to
    that; otherwise to the file as the series left it, else to the base tree, else to the
    pre-image object its `index` line names, when the repository at hand has it (as
    `git am -3` finds it)."""

    def __init__(self, tree: BaseTree | None, objects: GitRepo | None = None):
        self.tree = tree
        self.objects = objects
        self.known: dict[str, str] = {}   # path -> whole current text (the post image's own)
        self.shown: dict[str, ShownLines] = {}   # path -> the parts of it the series showed
        # Files an earlier patch of the series did not apply to: their text after it is
        # unknown, and the tree's (or the series') copy is not what later patches were made
        # against, so each later patch of them is read from its hunks.
        self.broken: set[str] = set()

    def _base(self, change: FileChange, patch_base: BaseTree | None) -> tuple[str | None, str]:
        """The pre-image's text and where it came from, or None and why there is none."""
        path = change.old_path
        if leaves_tree(path):
            return None, ("hunks only: the path in the diff header leaves the tree (absolute or "
                          "with ..), so no file is read for it")
        if patch_base is not None:
            text = patch_base.read(path)
            if text is None:
                return None, f"hunks only: the file is not in {patch_base.label}"
            return text, patch_base.label
        if path in self.broken:
            return None, ("hunks only: an earlier patch of the series did not apply to this file, "
                          "so no whole text of it is the one this patch was made against")
        if path in self.known:
            return self.known[path], "the series"
        text = self.tree.read(path) if self.tree is not None else None
        if text is not None:
            return text, self.tree.label
        data = self.objects.object(change.old_blob) if self.objects and change.old_blob else None
        if data is not None and _is_object(data, change.old_blob):
            return decode_source(data), f"git object {change.old_blob}"
        if self.tree is not None:
            return None, f"hunks only: the file is not in {self.tree.label}"
        if self.objects is not None and change.old_blob:
            return None, (f"hunks only: this repository lacks the pre-image {change.old_blob}; "
                          "pass --tree DIR, or lint the whole series")
        return None, "hunks only: pass --tree DIR to analyse the whole file"

    def forget(self, change: FileChange) -> None:
        """A change whose diff cannot be read leaves the file's text unknown."""
        for path in (change.old_path, change.new_path):
            self.known.pop(path or "", None)
            self.shown.pop(path or "", None)

    def lose(self, change: FileChange) -> None:
        """A change that could not be read or applied: the file's text after it is unknown."""
        self.forget(change)
        self.broken.update(path for path in (change.old_path, change.new_path) if path)

    def images(self, change: FileChange, patch_base: BaseTree | None = None) -> FileImages:
        if change.new_path is None:
            self.forget(change)
            return FileImages.of(change, None, None)
        path = change.new_path
        if change.old_path is None:
            lines = [ln.text for h in change.hunks for ln in h.lines if ln.kind == "+"]
            self.shown.pop(path, None)
            self.broken.discard(path)
            post = Image(path, "\n".join(lines) + "\n")
            self.known[path] = post.text
            return FileImages(change, None, post, array("I", range(1, len(lines) + 1)))
        base, origin = self._base(change, patch_base)
        if base is not None:
            try:
                post_lines, added, removed_at = apply_hunks(base.split("\n"), change.hunks)
            except ApplyError as exc:
                reason = f"the patch does not apply to the file from {origin} ({exc}); hunks only"
                self.lose(change)
            else:
                self.forget(change)
                post = Image(path, "\n".join(post_lines))
                self.known[path] = post.text
                return FileImages.of(change, Image(change.old_path, base), post, added, removed_at)
        else:
            reason = origin
        self.known.pop(change.old_path, None)
        hunks = self._with_shown_lines(change)
        added, removed_at = set(), set()
        for hunk in change.hunks:
            next_new = hunk.new_start
            pending = False
            for ln in hunk.lines:
                if ln.kind == "-":
                    pending = True
                    continue
                if ln.kind == "+":
                    added.add(ln.new_line)
                if pending:
                    removed_at.add(ln.new_line)
                    pending = False
                next_new = ln.new_line + 1
            if pending:
                removed_at.add(max(next_new - 1, 1))
        return FileImages.of(
            change,
            hunks_only_image(change.old_path, hunks, old=True, reason=reason),
            hunks_only_image(path, hunks, old=False, reason=reason),
            added, removed_at)

    def _with_shown_lines(self, change: FileChange) -> tuple[Hunk, ...]:
        """This patch's hunks and, in order among them, what earlier patches of the series
        showed of the file (when this patch applies to what they left); remembers the
        result for the next patch."""
        shown = self.shown.pop(change.old_path, None)
        hunks = change.hunks
        if shown is not None and _same_object(shown.blob, change.old_blob):
            hunks = tuple(sorted(hunks + _carried_hunks(shown, hunks), key=lambda h: h.new_start))
        lines = {ln.new_line: (ln.text, hunk.header)
                 for hunk in hunks for ln in hunk.side(old=False) if ln.new_line is not None}
        self.shown[change.new_path] = ShownLines(lines, change.new_blob)
        return hunks
