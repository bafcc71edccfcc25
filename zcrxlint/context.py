"""What a check is given: one file's model, the facts, and what the series defines."""

from __future__ import annotations

import re
from typing import Callable

from .facts import Facts
from .finding import Finding, Severity
from .model import FileModel, Function
from .registry import Rule


_LEADING_CALL = re.compile(r"(\w+)\(\)")


class CheckContext:
    def __init__(self, model: FileModel, is_defined: Callable[[str], bool],
                 ran_codes: frozenset[str] = frozenset()):
        self.model = model
        self.facts: Facts = model.facts
        self.path = model.path
        self.is_owner_file = self.facts.is_owner_file(self.path)
        # Whether the series (any file, any patch) or the base tree defines a name.
        self.is_defined = is_defined
        # The codes whose checks run on this file: a suppression of another code cannot be
        # judged unused.
        self.ran_codes = ran_codes

    def advice(self, instead: str) -> str:
        """`instead` as given by the facts, unless it names a sanctioned helper the target
        kernel lacks: then the helper this series adds doing the same, or when it came."""
        m = _LEADING_CALL.match(instead)
        helper = self.facts.sanctioned.get(m.group(1)) if m else None
        if helper is None or helper.span.holds_at(self.facts.kernel):
            return instead
        rest = instead[m.end():]
        for learned in self.model.learned.values():
            if helper.does <= learned.does:
                return f"{learned.name}(){rest}, which patch {learned.patch} adds to {learned.path}"
        return (f"{instead}, which arrived in {helper.span.since}: {self.facts.kernel} lacks it, so add "
                "it to page_pool first")

    def _row_text(self, row: int) -> str:
        return self.model.parsed.row_text(row)

    def finding_at_row(self, rule: Rule, row: int, message: str,
                       function: Function | None) -> Finding | None:
        """A finding that covers the text of one row, from its first non-blank byte."""
        raw = self.model.parsed.row_text(row).encode("utf-8")
        start = len(raw) - len(raw.lstrip())
        return self._finding(rule, (row, start), (row, len(raw)), message, function, None)

    def finding(self, rule: Rule, node, message: str, function: Function | None,
                severity: Severity | None = None, related: frozenset = frozenset(),
                subject: str = "") -> Finding | None:
        """A finding anchored at `node`, or None when the node is on a synthetic row."""
        return self._finding(rule, node.start_point, node.end_point, message, function, severity,
                             related, subject)

    def _finding(self, rule, start, end, message, function, severity,
                 related=frozenset(), subject="") -> Finding | None:
        start_row, start_col = start
        end_row, end_col = end
        line = self.model.image.line_of(start_row)
        if line is None:
            return None
        end_line = self.model.image.line_of(end_row) or line
        row_text = self._row_text(start_row)
        column = len(row_text.encode("utf-8")[:start_col].decode("utf-8", "replace")) + 1
        end_text = row_text if end_row == start_row else self._row_text(end_row)
        end_column = len(end_text.encode("utf-8")[:end_col].decode("utf-8", "replace")) + 1
        return Finding(
            code=rule.code, name=rule.name, severity=severity or rule.severity,
            path=self.path, line=line, column=column, end_line=end_line, end_column=end_column,
            function=function.display_name if function else None, message=message,
            function_key=function.name if function else None,
            anchor_text=" ".join(row_text.split()),
            line_text=self.model.image.row_text(start_row),
            related=related, subject=subject,
        )
