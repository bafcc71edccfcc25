"""Read what the user named (patch files, mails, mboxes, plain diffs, stdin) into a series."""

from __future__ import annotations

import binascii
import contextlib
import email
import email.header
import email.policy
import email.utils
import quopri
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from .budget import OverBudget, time_budget
from .errors import InputError, read_bounded
from .patch import C_SUFFIXES, DIFF_START, Patch, find_diff, parse_diff

# An mbox "From " separator: `From <sender or sha> <asctime date>` at the start of a line.
MBOX_FROM = re.compile(rb"^From (\S+) +\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4}\s*$", re.M)
# git format-patch puts the commit in the envelope line; the base in a trailer (--base).
COMMIT_ID = re.compile(r"^[0-9a-f]{40}$")
BASE_COMMIT = re.compile(r"(?m)^base-commit: ([0-9a-f]{7,40})\s*$")
HEADER_LINE = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9-]*:[ \t]")
SUBJECT_TAGS = re.compile(r"^\s*(?:(?:re|fwd?)\s*:\s*)*(?:\[[^\]]*\]\s*)+", re.I)
# A subject's bracketed tags, and the [PATCH n/m] counter at the end of one: searched tag
# by tag, so that the search is linear in the subject whatever brackets it holds.
SUBJECT_TAG = re.compile(r"\[([^\[\]]*)\]")
COUNTER = re.compile(r"(?<![\w/])(\d{1,6})/(\d{1,6})$")
# The most one input may hold: memory and time stay bounded whatever is named (/dev/zero).
INPUT_LIMIT = 128 << 20
LEADING_SPACE = re.compile(rb"\s*")
MBOXRD_QUOTED_FROM = re.compile(rb"(?m)^>(>*From )")
# What a message must hold to need the email package: a diff's start, or a body encoded
# so that the diff cannot be seen in it.
DIFF_START_BYTES = re.compile(DIFF_START.pattern.encode())
ENCODED_BODY = re.compile(rb"(?im)^content-transfer-encoding:[ \t]*(?!7bit|8bit|binary)")
# git's subjects are a line; a longer one is cut before its encoded words are decoded.
SUBJECT_LIMIT = 4096
# Where a text is cut to be decoded in pieces: before each git file header.
GIT_DIFF_LINE = re.compile(rb"(?m)^diff --git ")
# Where a mail's headers end: its first empty line.
HEADER_END = re.compile(rb"\r?\n\r?\n")
# The email package holds several copies of a mail it parses whole: it is given only
# multipart or oddly encoded mails up to this size (a plain one's body is read as bytes).
MULTIPART_LIMIT = 16 << 20
MAX_PARTS = 1000
PART_HEADER = re.compile(rb"(?im)^content-type:")
PATCH_MIME_TYPES = ("text/x-patch", "text/x-diff", "application/x-patch", "text/x-diff-rich")


@dataclass
class _Message:
    head_lines: int           # lines of the headers and the empty line after them
    body: list[str]           # the decoded body in pieces (_decode_pieces), LF line ends
    subject: str
    date: object
    message_id: str | None
    counter: tuple[int, int] | None


def _read(name: str) -> bytes:
    if name == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("<stdin>", "no input on standard input (pipe a patch or mbox into it)")
        return _within_limit(read_bounded(sys.stdin.buffer, INPUT_LIMIT), "<stdin>")
    try:
        with open(name, "rb") as fh:
            data = read_bounded(fh, INPUT_LIMIT)
    except IsADirectoryError:
        raise InputError(name, "is a directory (name the patch files in it)") from None
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    return _within_limit(data, name)


def _within_limit(data: bytes, source: str) -> bytes:
    if len(data) > INPUT_LIMIT:
        raise InputError(source, f"larger than {INPUT_LIMIT >> 20} MB: no patch series is (split the mbox)")
    return data


def _mbox_messages(raw: bytes, start: int, first_sender: str) -> Iterator[tuple[bytes, int, str]]:
    """The messages of the mbox that starts at `start` in `raw`, one at a time (an archive
    of 100 MB is never copied whole), each with the number of input lines before its
    headers and the sender (for git, the commit) of its `From ` line."""
    lines_before = 0
    begin, sender = start, first_sender
    for m in MBOX_FROM.finditer(raw, start + 1):
        if raw[m.start() - 2:m.start()] in (b"\n\n", b"\r\n"):
            yield _mbox_message(raw, begin, m.start()), lines_before + 1, sender
            lines_before += raw.count(b"\n", begin, m.start())
            begin, sender = m.start(), m.group(1).decode("ascii", "replace")
    yield _mbox_message(raw, begin, len(raw)), lines_before + 1, sender


def _mbox_message(raw: bytes, begin: int, end: int) -> bytes:
    """A message without its `From ` line, mboxrd escaping undone (">From " lines in
    bodies lose one ">")."""
    body = raw.find(b"\n", begin, end)
    if body < 0:
        return b""
    message = memoryview(raw)[body + 1:end]
    # A view, not a copy, unless some line needs its ">" taken off.
    return MBOXRD_QUOTED_FROM.sub(rb"\1", message) if MBOXRD_QUOTED_FROM.search(message) else message


def _may_hold_diff(message: bytes) -> bool:
    """Whether a message needs the email package's parse: a reply without a diff (most of
    an archive) is passed over by two linear scans."""
    return bool(DIFF_START_BYTES.search(message) or ENCODED_BODY.search(message))


def _looks_like_mail(raw: bytes) -> bool:
    head = raw[:8192].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    lines = head.split(b"\n")
    if not lines or not HEADER_LINE.match(lines[0]):
        return False
    names = {ln.split(b":", 1)[0].lower() for ln in lines if HEADER_LINE.match(ln)}
    return bool(names & {b"from", b"subject", b"message-id", b"date", b"received"})


def _body_text(msg) -> str:
    texts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = part.get_filename() or ""
        is_patch_file = filename.endswith((".patch", ".diff"))
        if ctype == "text/plain" or ctype in PATCH_MIME_TYPES or is_patch_file:
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "utf-8"
            try:
                texts.append(payload.decode(charset, "replace"))
            except LookupError:
                texts.append(payload.decode("utf-8", "replace"))
    return "\n".join(texts)


def _subject(msg) -> str:
    """The Subject, its encoded words decoded; cut at SUBJECT_LIMIT first, as the email
    package's own decoding is quadratic in the number of encoded words."""
    raw = _raw_header(msg, "subject")[:SUBJECT_LIMIT]
    try:
        decoded = str(email.header.make_header(email.header.decode_header(raw)))
    except Exception:  # an unknown charset, a broken encoded word: the text as written
        decoded = raw
    return " ".join(decoded.split())


def _raw_header(msg, name: str) -> str:
    """A header's text as the mail has it, unfolded: for the headers zcrxlint only shows
    or reads with a linear parser (Message-ID, Date), as the email package's parse of
    them is quadratic in hostile shapes (a Message-ID of 200,000 dots takes minutes)."""
    for key, value in msg.raw_items():
        if key.lower() == name:
            return " ".join(str(value).split())
    return ""


def _single_part_body(msg, raw_body: memoryview) -> bytes | memoryview | None:
    """The decoded body of a mail that is not multipart, read from the raw bytes without
    the email package (whose parse holds several copies of a large body); None when the
    mail is multipart or its encoding needs the email package."""
    if msg.is_multipart() or msg.get_content_maintype() == "multipart":
        return None
    filename = msg.get_filename() or ""
    if not (msg.get_content_type() in ("text/plain", *PATCH_MIME_TYPES) or filename.endswith((".patch", ".diff"))):
        return b""
    encoding = str(msg.get("content-transfer-encoding", "") or "").strip().lower()
    if encoding in ("", "7bit", "8bit", "binary"):
        return raw_body
    if encoding == "quoted-printable":
        return quopri.decodestring(bytes(raw_body))
    if encoding == "base64":
        try:
            return binascii.a2b_base64(raw_body)
        except binascii.Error:
            return None         # broken padding: the email package is more forgiving
    return None


def _parse_message(raw: bytes | memoryview, source: str) -> _Message:
    end = HEADER_END.search(raw)
    # The headers end with the newline of their last line; the body starts after the empty one.
    head_end, body_start = (end.start() + end.group().index(b"\n") + 1, end.end()) if end \
        else (len(raw), len(raw))
    head = bytes(raw[:head_end])
    try:
        # The headers alone; the body too only when it is multipart or oddly encoded, and
        # then within MULTIPART_LIMIT (the email package holds many copies of it).
        msg = email.message_from_bytes(head, policy=email.policy.default)
        decoded = _single_part_body(msg, memoryview(raw)[body_start:])
        if decoded is None:
            if len(raw) > MULTIPART_LIMIT:
                raise InputError(source, f"a multipart or encoded mail of {len(raw) / 1e6:.0f} MB: zcrxlint "
                                         f"reads those up to {MULTIPART_LIMIT >> 20} MiB; save the patch "
                                         "it carries and pass that")
            # The email package's parse of many parts is quadratic: count them first.
            parts = sum(1 for _, _ in zip(range(MAX_PARTS + 1), PART_HEADER.finditer(raw)))
            if parts > MAX_PARTS:
                raise InputError(source, f"a mail of more than {MAX_PARTS:,} MIME parts: save the patch "
                                         "it carries and pass that")
            msg = email.message_from_bytes(bytes(raw), policy=email.policy.default)
            body = [_body_text(msg).replace("\r\n", "\n")]
        else:
            body = _decode_pieces(decoded, msg.get_content_charset() or "utf-8")
            del decoded
    except InputError:
        raise
    except RecursionError:
        raise InputError(source, "unreadable mail: MIME parts nested deeper than the email "
                                 "package can follow") from None
    except Exception as exc:  # the email package raises a zoo of errors on broken mail
        raise InputError(source, f"unreadable mail: {exc}") from None
    subject = _subject(msg)
    message_id = _raw_header(msg, "message-id") or None
    date = None
    try:
        if _raw_header(msg, "date"):
            date = email.utils.parsedate_to_datetime(_raw_header(msg, "date"))
    except (TypeError, ValueError):
        date = None
    counter = None
    for tag in SUBJECT_TAG.finditer(subject):
        m = COUNTER.search(tag.group(1))
        if m:
            counter = (int(m.group(1)), int(m.group(2)))
            break
    head_lines = head.count(b"\n") + 1
    return _Message(head_lines, body, subject, date, message_id, counter)


def _decode_pieces(data: bytes | memoryview, charset: str = "utf-8") -> list[str]:
    """Text decoded piece by piece, cut before each `diff --git` line (never inside a
    line, so never inside a character or a CRLF). Python stores a whole string at the
    width of its widest character: one emoji in a 100 MB text would take 400 MB, and
    now widens only its own file's part of the diff."""
    cuts = [m.start() for m in GIT_DIFF_LINE.finditer(data) if m.start() > 0]
    pieces = []
    for start, end in zip([0, *cuts], [*cuts, len(data)]):
        try:
            piece = str(data[start:end], charset, "replace")
        except LookupError:
            piece = str(data[start:end], "utf-8", "replace")
        pieces.append(piece.replace("\r\n", "\n") if "\r" in piece else piece)
    return pieces


def _diff_start_of_last_lines(pieces: list[str], count: int) -> tuple[int, int]:
    """(piece, offset) where the last `count` lines of the text begin (trailing empty
    lines not counted); (0, 0) when it has no more lines than that."""
    index = len(pieces) - 1
    at = len(pieces[index]) if pieces else 0
    while index >= 0:                                   # skip the trailing newlines
        while at and pieces[index][at - 1] == "\n":
            at -= 1
        if at or index == 0:
            break
        index -= 1
        at = len(pieces[index])
    left = count
    while index >= 0:
        found = pieces[index].rfind("\n", 0, at)
        if found >= 0:
            left -= 1
            if not left:
                return index, found + 1
            at = found
            continue
        if index == 0:
            break
        index -= 1
        at = len(pieces[index])
    return 0, 0


def _files_in(pieces: list[str], lines_before: int, search_from: tuple[int, int] = (0, 0)) -> tuple[list, int]:
    """The file changes of the diff in the pieces of a text, the diff searched for from
    `search_from` (piece, offset), and the line count of the text read so far; #N counts
    lines of the input as read."""
    files, line, started = [], lines_before, False
    for index, piece in enumerate(pieces):
        if index >= search_from[0]:
            start = 0 if started else find_diff(piece, search_from[1] if index == search_from[0] else 0)
            if start is not None:
                started = True
                files += parse_diff(piece, line + piece.count("\n", 0, start) + 1, start)
        line += piece.count("\n")
    return files, line


def _base_commit_in(pieces: list[str]) -> str | None:
    return next(filter(None, map(_base_commit, pieces)), None)


def _patch_from_message(msg: _Message, source: str, lines_before: int,
                        sender: str | None, diff_lines: int | None = None) -> Patch | None:
    """`lines_before`: input lines ahead of the message (exact for 7bit/8bit mail; for
    encoded bodies #N counts lines of the decoded body). `diff_lines`: when known, the
    diff is the message's last so many lines, and a diff quoted above it in the commit
    message is no part of the change."""
    search_from = _diff_start_of_last_lines(msg.body, diff_lines) if diff_lines is not None else (0, 0)
    files, last_line = _files_in(msg.body, lines_before + msg.head_lines, search_from)
    if not files:
        return None
    subject = SUBJECT_TAGS.sub("", msg.subject).strip() or msg.subject
    commit = sender if sender and COMMIT_ID.match(sender) and sender.strip("0") else None
    return Patch(0, subject, source, files, last_line - lines_before + 1, msg.date,
                 msg.message_id, msg.counter, commit=commit, posted_subject=msg.subject or None)


def _series_order(patches: list[Patch]) -> list[Patch]:
    """Order one mbox's patches by their [PATCH n/m] counters when all carry one."""
    counters = [p.counter for p in patches]
    if len(patches) < 2 or any(c is None for c in counters):
        return patches
    totals = {c[1] for c in counters}
    numbers = [c[0] for c in counters]
    if len(totals) != 1 or len(set(numbers)) != len(numbers):
        return patches
    return sorted(patches, key=lambda p: p.counter[0])


@dataclass
class InputPatches:
    patches: list[Patch]
    messages: int
    base_commit: str | None      # from a `base-commit:` trailer, in any message


@contextlib.contextmanager
def reading_within(budget: float | None, source: str):
    """Reading one input (a file, a git range, the index) is bounded by --time-budget; a
    budget hit is an error that names the input and says so."""
    try:
        with time_budget(budget):
            yield
    except OverBudget:
        raise InputError(source, f"reading stopped after {budget:g} s (--time-budget)") from None


def read_input(name: str, budget: float | None = None) -> InputPatches:
    source = "<stdin>" if name == "-" else name
    with reading_within(budget, source):
        return patches_from_bytes(_read(name), source)


def patches_from_bytes(raw: bytes, source: str, diff_lines: int | None = None) -> InputPatches:
    """The patches of one input (a patch, mail, mbox or plain diff), in series order;
    `diff_lines`: for one mail whose diff is known to be its last so many lines."""
    if not raw.strip():
        raise InputError(source, "empty input")
    if b"\n" not in raw:
        raw = raw.replace(b"\r", b"\n")     # CR-only line ends (classic Mac): no line would split
    start = LEADING_SPACE.match(raw).end()
    lead = raw.count(b"\n", 0, start)
    line_end = raw.find(b"\n", start)
    first_line = raw[start:line_end if line_end >= 0 else len(raw)]
    mbox = MBOX_FROM.match(first_line)
    if mbox or _looks_like_mail(raw[start:start + 8192]):
        messages = _mbox_messages(raw, start, mbox.group(1).decode("ascii", "replace")) if mbox \
            else iter([(memoryview(raw)[start:], 0, None)])
        patches = []
        base_commit = None
        count = 0
        following = next(messages)
        while following:
            (chunk, before, sender), following = following, next(messages, None)
            count += 1
            label = source if count == 1 and following is None else f"{source}#{count}"
            if not _may_hold_diff(chunk):
                base_commit = base_commit or _base_commit(str(chunk, "utf-8", "replace"))
                continue
            message = _parse_message(chunk, label)
            base_commit = base_commit or _base_commit_in(message.body)
            patch = _patch_from_message(message, label, lead + before, sender, diff_lines)
            if patch:
                patches.append(patch)
        return InputPatches(_series_order(patches), count, base_commit)
    pieces = _decode_pieces(raw)
    if all(find_diff(piece) is None for piece in pieces):
        if b"\x00" in raw:
            raise InputError(source, "binary data, not a patch or mail")
        raise InputError(source, "not a patch: no diff, mail or mbox found")
    files, lines = _files_in(pieces, 0)
    if not files:
        raise InputError(source, "not a patch: no file changes found")
    return InputPatches([Patch(0, "", source, files, lines + 1)], 1, _base_commit_in(pieces))


def _base_commit(text: str) -> str | None:
    m = BASE_COMMIT.search(text)
    return m.group(1) if m else None


@dataclass
class Series:
    patches: list[Patch]
    base_commit: str | None      # the first `base-commit:` trailer of the inputs


def number(patches: list[Patch]) -> list[Patch]:
    for index, patch in enumerate(patches, 1):
        patch.index = index
        if not patch.subject:
            patch.subject = patch.source
    return patches


def read_series(names: list[str], budget: float | None = None) -> Series:
    """Every input in order, as one series; mails without a diff are skipped."""
    patches: list[Patch] = []
    messages = 0
    base_commit = None
    for name in names:
        found = read_input(name, budget)
        messages += found.messages
        patches.extend(found.patches)
        base_commit = base_commit or found.base_commit
    if not patches:
        what = ", ".join("<stdin>" if n == "-" else n for n in names)
        raise InputError(what, f"no patch found ({messages} message{'s' if messages != 1 else ''}, none with a diff)")
    refuse_when_nothing_readable(patches)
    return Series(number(patches), base_commit)


def refuse_when_nothing_readable(patches: list[Patch]) -> None:
    """A series whose every C change is unreadable gives nothing to analyse: that is an
    error naming the input, not a clean run. With one readable C change the run goes on
    and lists the rest as partial."""
    if any(c.is_c and c.content_shown for p in patches for c in p.files):
        return
    unread = [(p, c) for p in patches for c in p.files
              if c.unread and (c.path.endswith(C_SUFFIXES) or not c.path)]
    if unread:
        patch, change = unread[0]
        more = f" (and {len(unread) - 1} more like it)" if len(unread) > 1 else ""
        raise InputError(patch.source, f"{change.path or 'a file'}: {change.unread}{more}; "
                                       "no C change left to analyse")
