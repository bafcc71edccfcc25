"""Read what the user named (patch files, mails, mboxes, plain diffs, stdin) into a series."""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
import sys
from dataclasses import dataclass

from .budget import OverBudget, time_budget
from .errors import InputError
from .patch import C_SUFFIXES, Patch, find_diff, parse_diff

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
PATCH_MIME_TYPES = ("text/x-patch", "text/x-diff", "application/x-patch", "text/x-diff-rich")


@dataclass
class _Message:
    text: str                 # headers and decoded body, LF line ends
    body_offset: int          # offset of the decoded body inside text
    subject: str
    date: object
    message_id: str | None
    counter: tuple[int, int] | None


def _read(name: str) -> bytes:
    if name == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("<stdin>", "no input on standard input (pipe a patch or mbox into it)")
        return _within_limit(sys.stdin.buffer.read(INPUT_LIMIT + 1), "<stdin>")
    try:
        with open(name, "rb") as fh:
            data = fh.read(INPUT_LIMIT + 1)
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


def _split_mbox(raw: bytes) -> list[tuple[bytes, int, str | None]]:
    """The messages of an mbox, each with the number of input lines before its headers
    and the sender (for git, the commit) of its `From ` line."""
    lead = len(raw) - len(raw.lstrip())
    starts = [(m.start(), m.group(1).decode("ascii", "replace")) for m in MBOX_FROM.finditer(raw)
              if m.start() <= lead or raw[m.start() - 2:m.start()] in (b"\n\n", b"\r\n")]
    if not starts:
        return [(raw, 0, None)]
    messages = []
    for i, (start, sender) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(raw)
        chunk = raw[start:end]
        chunk = chunk.split(b"\n", 1)[1] if b"\n" in chunk else b""
        # mboxrd escaping: ">From " lines in bodies lose one ">".
        chunk = re.sub(rb"(?m)^>(>*From )", rb"\1", chunk)
        messages.append((chunk, raw.count(b"\n", 0, start) + 1, sender))
    return messages


def _looks_like_mail(raw: bytes) -> bool:
    head = raw.lstrip()[:8192].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
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


def _header(msg, name: str) -> str:
    """A header's text, or "" when the email package cannot parse it (a `Message-ID: <`
    must not cost the patch under it)."""
    try:
        return str(msg.get(name, "") or "")
    except Exception:
        return ""


def _parse_message(raw: bytes, source: str) -> _Message:
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = _body_text(msg)
    except Exception as exc:  # the email package raises a zoo of errors on broken mail
        raise InputError(source, f"unreadable mail: {exc}") from None
    subject = " ".join(_header(msg, "subject").split())
    message_id = _header(msg, "message-id").strip() or None
    date = None
    try:
        if _header(msg, "date"):
            date = email.utils.parsedate_to_datetime(_header(msg, "date"))
    except (TypeError, ValueError):
        date = None
    counter = None
    for tag in SUBJECT_TAG.finditer(subject):
        m = COUNTER.search(tag.group(1))
        if m:
            counter = (int(m.group(1)), int(m.group(2)))
            break
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    header_text = head + "\n\n"
    body = body.replace("\r\n", "\n")
    return _Message(header_text + body, len(header_text), subject, date, message_id, counter)


def _diff_in(text: str, search_from: int, lines_before: int) -> list:
    """The file changes of the diff in `text` (searched from `search_from`), numbered so
    that #N counts lines of the input as read; [] when there is none."""
    start = find_diff(text[search_from:])
    if start is None:
        return []
    start += search_from
    return parse_diff(text[start:], lines_before + text.count("\n", 0, start) + 1)


def _patch_from_message(msg: _Message, source: str, lines_before: int,
                        sender: str | None, diff_lines: int | None = None) -> Patch | None:
    """`lines_before`: input lines ahead of the message (exact for 7bit/8bit mail; for
    encoded bodies #N counts lines of the decoded body). `diff_lines`: when known, the
    diff is the message's last so many lines, and a diff quoted above it in the commit
    message is no part of the change."""
    search_from = msg.body_offset
    if diff_lines is not None:
        text = msg.text.rstrip("\n")
        search_from = max(search_from, len(text) - len("\n".join(text.rsplit("\n", diff_lines)[1:])))
    files = _diff_in(msg.text, search_from, lines_before)
    if not files:
        return None
    subject = SUBJECT_TAGS.sub("", msg.subject).strip() or msg.subject
    commit = sender if sender and COMMIT_ID.match(sender) and sender.strip("0") else None
    return Patch(0, subject, source, files, msg.text.count("\n") + 1, msg.date,
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


def read_input(name: str, budget: float | None = None) -> InputPatches:
    source = "<stdin>" if name == "-" else name
    raw = _read(name)
    try:
        with time_budget(budget):
            return patches_from_bytes(raw, source)
    except OverBudget:
        raise InputError(source, f"reading stopped after {budget:g} s (--time-budget)") from None


def patches_from_bytes(raw: bytes, source: str, diff_lines: int | None = None) -> InputPatches:
    """The patches of one input (a patch, mail, mbox or plain diff), in series order;
    `diff_lines`: for one mail whose diff is known to be its last so many lines."""
    if not raw.strip():
        raise InputError(source, "empty input")
    if b"\n" not in raw:
        raw = raw.replace(b"\r", b"\n")     # CR-only line ends (classic Mac): no line would split
    stripped = raw.lstrip()
    lead = raw.count(b"\n", 0, len(raw) - len(stripped))
    if MBOX_FROM.match(stripped.split(b"\n", 1)[0] + b"\n") or _looks_like_mail(raw):
        chunks = _split_mbox(stripped) if MBOX_FROM.match(stripped.split(b"\n", 1)[0]) \
            else [(stripped, 0, None)]
        patches = []
        base_commit = None
        for i, (chunk, before, sender) in enumerate(chunks, 1):
            label = source if len(chunks) == 1 else f"{source}#{i}"
            message = _parse_message(chunk, label)
            base_commit = base_commit or _base_commit(message.text)
            patch = _patch_from_message(message, label, lead + before, sender, diff_lines)
            if patch:
                patches.append(patch)
        return InputPatches(_series_order(patches), len(chunks), base_commit)
    text = raw.decode("utf-8", "replace").replace("\r\n", "\n")
    if find_diff(text) is None:
        if b"\x00" in raw:
            raise InputError(source, "binary data, not a patch or mail")
        raise InputError(source, "not a patch: no diff, mail or mbox found")
    files = _diff_in(text, 0, 0)
    if not files:
        raise InputError(source, "not a patch: no file changes found")
    return InputPatches([Patch(0, "", source, files, text.count("\n") + 1)], 1, _base_commit(text))


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
