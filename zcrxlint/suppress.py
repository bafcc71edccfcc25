"""Inline suppressions: `/* zcrxlint: ignore[ZCX101] reason */` (or `//`), on the line of
the statement it covers or on the lines just before it.

A suppression covers one statement. A statement written over several lines counts as one;
for `if`, `for`, `while`, `switch` and a function definition it is the header (up to the
condition or the parameter list), not the body, so one comment cannot hide a whole block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .finding import Finding

MARK = re.compile(rb"zcrxlint\s*:", re.I)
_DIRECTIVE = re.compile(r"zcrxlint\s*:\s*(?P<verb>\w*)\s*(?:\[(?P<codes>[^\]]*)\])?\s*(?P<reason>.*)",
                        re.I | re.S)
_WITH_HEADER = ("if_statement", "while_statement", "for_statement", "switch_statement",
                "function_definition", "do_statement")
_CONTAINERS = ("compound_statement", "translation_unit", "field_declaration_list",
               "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "case_statement",
               "labeled_statement", "declaration_list")


@dataclass
class Suppression:
    row: int                       # the comment's first row
    column: int                    # its first byte on that row
    end_row: int
    end_column: int
    text: str                      # the comment as written
    verb: str                      # "ignore" for a well-formed one
    codes: tuple[str, ...]         # as written in the brackets
    reason: str
    covers: tuple[int, int] | None  # rows of the statement it covers; None: nothing follows it
    used: set[str] = field(default_factory=set)   # the written codes that silenced a finding


def _statement(node) -> bool:
    kind = node.type
    return kind not in ("compound_statement",) and (
        kind.endswith("_statement") or kind in ("declaration", "field_declaration",
                                                "function_definition", "type_definition"))


def _header_rows(node) -> tuple[int, int]:
    first, last = node.start_point[0], node.end_point[0]
    if node.type in ("compound_statement", "case_statement", "labeled_statement"):
        return first, first     # a block, or a label: never the statements inside it
    if node.type in _WITH_HEADER:
        body = node.child_by_field_name("body") or node.child_by_field_name("consequence")
        if body is not None:
            before = body.prev_sibling
            last = before.end_point[0] if before is not None else first
            last = max(first, last)
        if node.type == "do_statement":
            last = first
    return first, last


def _enclosing_statement(node):
    while node is not None and not _statement(node):
        node = node.parent
    return node


def _covered(root, comment) -> tuple[int, int] | None:
    row = comment.start_point[0]
    # Code before the comment on its row: the statement that code belongs to.
    previous = comment.prev_sibling
    while previous is not None and previous.type == "comment":
        previous = previous.prev_sibling
    if previous is not None and previous.end_point[0] == row:
        inner = root.descendant_for_point_range(
            (previous.end_point[0], max(previous.end_point[1] - 1, 0)),
            (previous.end_point[0], max(previous.end_point[1] - 1, 0)))
        target = _enclosing_statement(inner)
        if target is not None and target.type == "compound_statement":
            target = _enclosing_statement(target.parent)
        if target is not None:
            return _header_rows(target)
    parent = comment.parent
    if parent is not None and parent.type not in _CONTAINERS:
        target = _enclosing_statement(parent)
        return _header_rows(target) if target is not None else None
    following = comment.next_named_sibling
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    if following is None:
        return None
    return _header_rows(following)


def parse(parsed) -> list[Suppression]:
    """Every `zcrxlint:` comment of one parsed file, in order."""
    source = parsed.source
    found: list[Suppression] = []
    seen: set[int] = set()
    root = parsed.root
    for match in MARK.finditer(source):
        node = root.descendant_for_byte_range(match.start(), match.end())
        if node is None or node.type != "comment" or node.start_byte in seen:
            continue
        seen.add(node.start_byte)
        text = parsed.text(node)
        body = (text[2:-2] if text.startswith("/*") else text[2:]).strip().lstrip("*").lstrip()
        directive = _DIRECTIVE.match(body)   # only a comment that starts with it: prose may mention zcrxlint
        if directive is None:
            continue
        codes = tuple(c.strip() for c in (directive.group("codes") or "").split(",") if c.strip())
        reason = " ".join(w for w in directive.group("reason").replace("*", " ").split())
        found.append(Suppression(
            row=node.start_point[0], column=node.start_point[1],
            end_row=node.end_point[0], end_column=node.end_point[1], text=text,
            verb=directive.group("verb").lower(),
            codes=codes if directive.group("codes") is not None else (),
            reason=reason, covers=_covered(root, node)))
    return found


def apply(findings: list[Finding], suppressions: list[Suppression], resolve, line_of) -> list[Finding]:
    """The findings no suppression covers. `resolve` maps a written code or name to a code
    (None if unknown); `line_of` maps a row to its file line. Marks what each one used."""
    if not suppressions:
        return findings
    spans = []
    for s in suppressions:
        if s.verb != "ignore" or s.covers is None:
            continue
        lines = [ln for ln in (line_of(r) for r in range(s.covers[0], s.covers[1] + 1)) if ln]
        if lines:
            codes = {code: c for c in s.codes if (code := resolve(c))}
            spans.append((min(lines), max(lines), codes, s))
    kept = []
    for finding in findings:
        for first, last, codes, s in spans:
            if first <= finding.line <= last and finding.code in codes:
                s.used.add(codes[finding.code])
                break
        else:
            kept.append(finding)
    return kept
