"""`--format reply`: the review a netdev reviewer would send, one section per patch with
objections.

Each section starts with the `Re:` subject it answers (as posted), then quotes the lines that matter
(`> `, the hunk header for where, a little context, the offending lines; the rest of the
patch trimmed as `[...]`) and writes the objection under them in plain words, with the fix.
Paste a section under the patch's mail.
"""

from __future__ import annotations

import re
import sys
import textwrap

from ..engine import PatchResult, RunResult
from ..finding import Finding
from ..patch import FileChange, Hunk
from .coverage import shown, summary_segments
from .options import ReportOptions

WIDTH = 72
CONTEXT_BEFORE = 3        # quoted lines above a finding, from its hunk
MAX_QUOTED = 6            # lines of one finding quoted at most
TRIM = "[...]"
_PLAIN_WORD = re.compile(r"[a-z]+")
_IMPERATIVE = ("use", "sync", "check", "call", "move", "switch", "add", "remove", "read",
               "drop", "write", "pass", "set", "make", "take", "keep", "register", "declare",
               "return", "clear", "bind", "test", "say", "see")


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    first = text.split(" ", 1)[0]
    if _PLAIN_WORD.fullmatch(first):      # never capitalise an identifier
        text = text[0].upper() + text[1:]
    return text if text.endswith("?") else text + "."


def _split_outside_parentheses(text: str, sep: str) -> tuple[str, str, str]:
    """text.rpartition(sep), skipping a separator inside parentheses."""
    depth, at = 0, -1
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and text.startswith(sep, i):
            at = i
    return (text, "", "") if at < 0 else (text[:at], sep, text[at + len(sep):])


def plain_words(message: str) -> str:
    """'what: why; fix' as three sentences; the fix asked for politely."""
    what, sep, rest = message.partition(": ")
    if not sep:
        return _sentence(message)
    why, sep, fix = _split_outside_parentheses(rest, "; ")
    if not sep:
        why, fix = rest, ""
    parts = [_sentence(what), _sentence(why)]
    if fix:
        verb = fix.split(" ", 1)[0]
        parts.append(_sentence(f"please {fix}" if verb in _IMPERATIVE else fix))
    return " ".join(parts)


def _comment(finding: Finding, lines: list[int]) -> str:
    words = plain_words(finding.message)
    if len(lines) > 1:
        words += f" (Lines {', '.join(map(str, lines[:-1]))} and {lines[-1]}.)"
    body = textwrap.fill(words, WIDTH, break_on_hyphens=False, break_long_words=False)
    return f"{body}\n[zcrxlint {finding.code} {finding.name}]"


class _Quoter:
    """Quotes a patch hunk by hunk, never the same diff line twice."""

    def __init__(self):
        self.quoted: dict[int, int] = {}      # id(hunk) -> index of the last line quoted
        self.files: set[str] = set()

    def quote(self, change: FileChange, hunk: Hunk, at: int, finding: Finding) -> list[str]:
        out = []
        if change.path not in self.files:
            self.files.add(change.path)
            out.append(f"> diff --git a/{change.old_path or change.path} b/{change.path}")
        last = self.quoted.get(id(hunk))
        start = max(at - CONTEXT_BEFORE, 0 if last is None else last + 1)
        if last is None:
            out.append(f"> @@ -{hunk.old_start},{hunk.old_length} +{hunk.new_start},{hunk.new_length} @@"
                       + (f" {hunk.header}" if hunk.header else ""))
            if start > 0:
                out.append(TRIM)
        elif start > last + 1:
            out.append(TRIM)
        end = at
        while end + 1 < len(hunk.lines) and end - at + 1 < MAX_QUOTED:
            following = hunk.lines[end + 1]
            if following.new_line is None or following.new_line > finding.end_line:
                break
            end += 1
        for line in hunk.lines[start:end + 1]:
            out.append(f"> {line.kind}{line.text}".rstrip())
        self.quoted[id(hunk)] = max(end, last if last is not None else -1)
        return out


def _section_title(result: PatchResult, total: int) -> str:
    """The subject the patch was posted under, as the reply's `Re:` line: its version and
    zero-padded number kept; for a commit, what git format-patch would have posted."""
    patch = result.patch
    if patch is None:
        return "Files: " + ", ".join(result.files)
    if patch.posted_subject:
        posted = patch.posted_subject
        return posted if posted.lower().startswith("re:") else f"Re: {posted}"
    number, count = patch.counter or (patch.index, total)
    counter = f"{number:0{len(str(count))}d}/{count}" if count > 1 else ""
    return f"Re: [PATCH{' ' + counter if counter else ''}] {patch.subject}"


def _objections(findings: list[Finding]) -> list[tuple[Finding, list[Finding]]]:
    """The findings of a patch as objections: the same message in one function is one
    objection, over all the lines it was found on."""
    grouped: dict[tuple, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: (f.path, f.line, f.column, f.code)):
        key = (finding.path, finding.function_key or finding.function, finding.code, finding.message)
        grouped.setdefault(key, []).append(finding)
    return [(group[0], group) for group in grouped.values()]


def _quote(result: PatchResult, quoter: _Quoter, finding: Finding) -> list[str]:
    shown = result.patch.diff_line(finding.path, finding.line) if result.patch is not None else None
    if shown is not None:
        return quoter.quote(*shown, finding)
    # An unchanged line the patch made wrong (a guard removed elsewhere in the function),
    # or a whole file: quote the line itself.
    return [f"> {finding.path}:{finding.line}:", f">  {finding.line_text}".rstrip()]


def _patch_section(result: PatchResult, total: int) -> list[str]:
    out = [_section_title(result, total), ""]
    quoter = _Quoter()
    for first, group in _objections(result.findings):
        quoted = [line for finding in group for line in _quote(result, quoter, finding)]
        # A second objection to lines already quoted goes under the first one.
        out += (quoted + [""] if quoted else []) + [_comment(first, [f.line for f in group]), ""]
    return out


def render_reply(run: RunResult, stream, options: ReportOptions = ReportOptions()) -> None:
    # What the tool could not read is for the reviewer, not for the mail: stderr.
    coverage = summary_segments(run, options)
    if coverage:
        sys.stderr.write(f"zcrxlint: {'; '.join(coverage)}\n")
    run = shown(run, options)
    total = len(run.results)
    sections = [_patch_section(r, total) for r in run.results if r.findings]
    if not sections:
        clean = f"{total} patch{'es' if total != 1 else ''}" if any(r.patch for r in run.results) \
            else "the files"
        stream.write(f"zcrxlint: nothing to reply: no page_pool memory-provider problems in {clean}.\n")
        return
    stream.write("\n".join("\n".join(section).rstrip("\n") + "\n" for section in sections))
