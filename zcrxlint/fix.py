"""`--fix`: the findings whose fix is mechanical and certain, rewritten, as a unified diff.

Each check may offer a rewrite of the statements a finding is about (Check.fix). A rewrite
is kept only when the rewritten file parses where it was edited, has no finding on an
edited line, and has no finding the original did not have elsewhere: whatever the checks
know, they must find the fixed code clean. Every byte outside the edited statements is kept
as it was (indentation, comments, line endings).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .context import CheckContext
from .errors import InputError
from .finding import Finding
from .images import Image
from .model import FileModel
from .registry import Check

# A rewrite must not move an expression into a tighter operator than it had.
_BARE_EXPRESSION_PARENTS = frozenset({
    "parenthesized_expression", "return_statement", "init_declarator", "argument_list",
    "condition_clause", "expression_statement", "assignment_expression"})
# Expressions that name a place without side effects: safe to evaluate once instead of twice.
_PLACE_NODES = frozenset({"identifier", "field_expression", "field_identifier"})


@dataclass(frozen=True)
class Edit:
    start: int      # byte offsets into the file's UTF-8 text
    end: int
    text: str


@dataclass(frozen=True)
class Rewrite:
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class NoFix:
    reason: str


@dataclass
class FileFix:
    path: str
    before: str
    after: str
    fixed: list[Finding] = field(default_factory=list)
    not_fixed: list[tuple[Finding, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.after != self.before


# ---- what the checks' fix hooks use -------------------------------------------------------

def place_text(model: FileModel, node) -> str | None:
    """The text of an expression naming a place (`pp`, `ifq->pp`), or None when evaluating it
    once instead of twice (or twice instead of once) could change what the code does."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type not in _PLACE_NODES and current.type not in ("->", "."):
            return None
        stack.extend(current.children)
    return model.text(node)


def squeezed(model: FileModel, node) -> str:
    """A node's text without whitespace ("" for no node), to compare expressions."""
    return "".join(model.text(node).split()) if node is not None else ""


def as_operand(node, text: str) -> str:
    """`text` to stand where `node` stood, parenthesised unless its parent takes any expression."""
    parent = node.parent
    return text if parent is not None and parent.type in _BARE_EXPRESSION_PARENTS else f"({text})"


def helper_missing(model: FileModel, name: str) -> NoFix | None:
    """Why `name()` cannot be written into this file: the target kernel lacks it, or the file
    does not include the header that declares it."""
    fact = model.facts.fix_helpers[name]
    if not fact.span.holds_at(model.facts.kernel):
        return NoFix(f"{name}() is from {fact.span.since}; the target is {model.facts.kernel}")
    if not re.search(rf"(?m)^[ \t]*#[ \t]*include[ \t]*<{re.escape(fact.header)}>", model.image.text):
        return NoFix(f"{name}() needs <{fact.header}>, which the file does not include")
    return None


def enclosing(node, *kinds: str):
    while node is not None and node.type not in kinds:
        node = node.parent
    return node


def next_statement(node):
    """The statement after `node` in its block, comments skipped."""
    sibling = node.next_named_sibling
    while sibling is not None and sibling.type == "comment":
        sibling = sibling.next_named_sibling
    return sibling


def delete_lines(model: FileModel, node) -> Edit | None:
    """Remove the lines a statement fills, or None when it shares a line with other text."""
    source = model.parsed.source
    start = source.rfind(b"\n", 0, node.start_byte) + 1
    end = source.find(b"\n", node.end_byte)
    end = len(source) if end < 0 else end + 1
    if source[start:node.start_byte].strip() or source[node.end_byte:end].strip():
        return None
    return Edit(start, end, "")


def replace(node, text: str) -> Edit:
    return Edit(node.start_byte, node.end_byte, text)


# ---- applying and proving ----------------------------------------------------------------

def _apply(data: bytes, edits: list[Edit]) -> tuple[bytes, list[tuple[int, int]]]:
    """The edited bytes and the byte ranges the replacements fill in them."""
    out, spans, pos = [], [], 0
    length = 0
    for edit in sorted(edits, key=lambda e: e.start):
        out.append(data[pos:edit.start])
        length += edit.start - pos
        new = edit.text.encode("utf-8")
        spans.append((length, length + len(new)))
        out.append(new)
        length += len(new)
        pos = edit.end
    out.append(data[pos:])
    return b"".join(out), spans


def _rows(data: bytes, spans: list[tuple[int, int]]) -> set[int]:
    rows = set()
    for start, end in spans:
        if start == end:
            continue
        first = data.count(b"\n", 0, start)
        rows.update(range(first, first + data.count(b"\n", start, max(end - 1, start)) + 1))
    return rows


def _overlaps(a: Rewrite, b: Rewrite) -> bool:
    return any(x.start < y.end and y.start < x.end or x.start == y.start
               for x in a.edits for y in b.edits)


Lint = Callable[[str], tuple[FileModel, list[Finding]]]


class _Prover:
    """Whether a set of rewrites leaves the file clean where it was edited and unchanged
    in its findings elsewhere."""

    def __init__(self, text: str, model: FileModel, findings: list[Finding], lint: Lint):
        self.text, self.model, self.findings, self.lint = text, model, findings, lint
        self.data = text.encode("utf-8", "surrogateescape")

    def edited_rows(self, rewrites: list[Rewrite]) -> set[int]:
        rows = set()
        for edit in (e for r in rewrites for e in r.edits):
            first = self.data.count(b"\n", 0, edit.start)
            rows.update(range(first, first + self.data.count(b"\n", edit.start, max(edit.end - 1, edit.start)) + 1))
        return rows

    def proves(self, rewrites: list[Rewrite]) -> str | None:
        if not rewrites:
            return None
        data, spans = _apply(self.data, [e for r in rewrites for e in r.edits])
        new_text = data.decode("utf-8", "surrogateescape")
        new_model, new_findings = self.lint(new_text)
        new_rows = _rows(data, spans)
        if len(new_model.parsed.error_rows) > len(self.model.parsed.error_rows) \
                or new_rows & set(new_model.parsed.unparsed_rows):
            return "the rewritten code does not parse"
        if any(f.line - 1 in new_rows for f in new_findings):
            return "the rewritten code would still be flagged"
        old_rows = self.edited_rows(rewrites)
        left = Counter(f.match_key for f in self.findings if f.line - 1 not in old_rows)
        left.subtract(f.match_key for f in new_findings)
        if any(count < 0 for count in left.values()):
            return "the rewrite would raise another finding"
        return None


def fix_file(path: str, text: str, targets: Iterable[Finding], lint: Lint, checks) -> FileFix:
    """Rewrite the `targets` (findings of `text`, as `lint` reports them) that have a certain
    fix; `checks` by code offer the rewrites."""
    result = FileFix(path, text, text)
    model, findings = lint(text)
    targets = list(targets)
    ctx = CheckContext(model, lambda name: False)
    offered: dict[tuple, tuple[Rewrite, list[Finding]]] = {}
    for finding in targets:
        check = checks.get(finding.code)
        node = _node_of(model, finding)
        answer = check.fix(ctx, finding, node) if check is not None and node is not None else None
        if isinstance(answer, NoFix):
            result.not_fixed.append((finding, answer.reason))
        elif isinstance(answer, Rewrite):
            offered.setdefault(answer.edits, (answer, []))[1].append(finding)
    prover = _Prover(text, model, findings, lint)
    # A rewrite settles every target on the lines it edits, and only those: a line that is
    # no target's statement is never touched.
    target_rows = {f.line - 1 for f in targets}
    candidates = []
    for rewrite, asked in offered.values():
        if not prover.edited_rows([rewrite]) <= target_rows:
            result.not_fixed.extend((f, "the rewrite would touch lines no finding names") for f in asked)
        else:
            candidates.append((rewrite, asked))
    accepted: list[Rewrite] = []
    if prover.proves([r for r, _ in candidates]) is None:
        accepted = [r for r, _ in candidates]
    else:
        for rewrite, asked in candidates:
            why = "it overlaps another rewrite" if any(_overlaps(rewrite, a) for a in accepted) \
                else prover.proves(accepted + [rewrite])
            if why is None:
                accepted.append(rewrite)
            else:
                result.not_fixed.extend((f, why) for f in asked)
    if accepted:
        data, _ = _apply(prover.data, [e for r in accepted for e in r.edits])
        result.after = data.decode("utf-8", "surrogateescape")
        rows = prover.edited_rows(accepted)
        result.fixed = [f for f in targets if f.line - 1 in rows]
        settled = {id(f) for f in result.fixed}
        result.not_fixed = [(f, why) for f, why in result.not_fixed if id(f) not in settled]
    return result


def _node_of(model: FileModel, finding: Finding):
    """The syntax node a finding was anchored at (findings of a whole file: row = line - 1)."""
    def byte_column(row: int, column: int) -> int:
        return len(model.parsed.row_text(row)[:column - 1].encode("utf-8"))
    start = (finding.line - 1, byte_column(finding.line - 1, finding.column))
    end = (finding.end_line - 1, byte_column(finding.end_line - 1, finding.end_column))
    node = model.parsed.root.named_descendant_for_point_range(start, end)
    while node is not None and node.parent is not None and \
            (node.start_point, node.end_point) == (node.parent.start_point, node.parent.end_point):
        node = node.parent
    return node


# ---- the diff -----------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def unified_diff(fixes: Iterable[FileFix]) -> str:
    """A diff `git apply` (and `patch -p1`) takes from the tree root: a/ and b/ paths."""
    out = []
    for fix in fixes:
        if not fix.changed:
            continue
        out.append(f"diff --git a/{fix.path} b/{fix.path}\n")
        for line in difflib.unified_diff(_lines(fix.before), _lines(fix.after),
                                         f"a/{fix.path}", f"b/{fix.path}", lineterm="\n"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# ---- the runs -----------------------------------------------------------------------------

def _fixable(analyzer, findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """By path, the findings of the files where a rule with a fix hook found something."""
    hooked = {c.rule.code for c in analyzer.checks if type(c).fix is not Check.fix}
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    return {path: found for path, found in by_path.items() if any(f.code in hooked for f in found)}


def _checks(analyzer) -> dict:
    return {c.rule.code: c for c in analyzer.checks}


def _matching(found: list[Finding], reported: list[Finding]) -> list[Finding]:
    """The findings of a file's last text that are the reported ones (by code, function and
    line text: a series reports each against the patch that introduced it)."""
    wanted = Counter(f.match_key for f in reported)
    out = []
    for finding in found:
        if wanted[finding.match_key] > 0:
            wanted[finding.match_key] -= 1
            out.append(finding)
    return out


def fix_series(analyzer, findings: Iterable[Finding]) -> list[FileFix]:
    """Rewrites of the files a series leaves behind, for the findings reported on them."""
    fixes = []
    for path, reported in _fixable(analyzer, findings).items():
        image = analyzer.final_images.get(path)
        if image is None or image.rows is not None or image.partial:
            fixes.append(FileFix(path, "", "", not_fixed=[
                (f, "the file is not known whole (give the tree the series applies to)") for f in reported]))
            continue

        def lint(text: str, path=path):
            model = analyzer.model(Image(path, text), position=10**9)   # adopts the ops structs
            return model, analyzer.findings(model)

        fixes.append(fix_file(path, image.text, _matching(lint(image.text)[1], reported),
                              lint, _checks(analyzer)))
    return fixes


def fix_files(analyzer, files: list[tuple[Path, str]], findings: Iterable[Finding]) -> list[FileFix]:
    """Rewrites of whole files (`zcrxlint files`), each linted on its own as the scan did."""
    where = {label: path for path, label in files}
    fixes = []
    for label, reported in _fixable(analyzer, findings).items():
        data = where[label].read_bytes()
        text = data.decode("utf-8", "replace")
        if text.encode("utf-8") != data:
            fixes.append(FileFix(label, "", "", not_fixed=[(f, "the file is not UTF-8") for f in reported]))
            continue

        linted: dict[str, tuple] = {}

        def lint(text: str, label=label, linted=linted):
            """Each text on its own analyzer, as the scan read the file; the original once."""
            if text not in linted:
                alone = analyzer.fresh()
                model = alone.model(Image(label, text))
                linted[text] = (model, alone.findings(model))
            return linted[text]

        fixes.append(fix_file(label, text, _matching(lint(text)[1], reported), lint, _checks(analyzer)))
    return fixes


def write_in_place(fixes: Iterable[FileFix], locate: Callable[[str], Path]) -> int:
    """Write the fixed files where `locate` says they are; refuse them all, before writing any,
    when one is not what was read."""
    changed = [(fix, locate(fix.path)) for fix in fixes if fix.changed]
    for fix, path in changed:
        try:
            on_disk = path.read_bytes()
        except OSError as exc:
            raise InputError(str(path), f"--fix-inplace: cannot read: {exc.strerror or exc}") from None
        if on_disk != fix.before.encode("utf-8", "surrogateescape"):
            raise InputError(str(path), "--fix-inplace: the file is not what was linted (changed since "
                                        "it was read, or the series is not applied to it); nothing written")
    for fix, path in changed:
        path.write_bytes(fix.after.encode("utf-8", "surrogateescape"))
    return len(changed)


def fixed_out(findings: list[Finding], fixes: Iterable[FileFix]) -> list[Finding]:
    """The reported findings the fixes leave standing."""
    settled = Counter((fix.path, f.match_key) for fix in fixes for f in fix.fixed)
    left = []
    for finding in findings:
        key = (finding.path, finding.match_key)
        if settled[key] > 0:
            settled[key] -= 1
        else:
            left.append(finding)
    return left
