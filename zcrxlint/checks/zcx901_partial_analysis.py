from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule


class PartialAnalysis(Check):
    rule = Rule(
        code="ZCX901",
        name="partial-analysis",
        severity=Severity.INFO,
        summary="a function could only be parsed in part; findings in it may be missing",
        why=("tree-sitter could not build a complete tree for part of this function (an "
             "unusual macro, an #if that splits a statement, or a hunk cut mid-statement). "
             "zcrxlint still checks what it could parse, but its silence about that part is "
             "not a verdict. The file is also listed under summary.partial."),
        example="MY_WEIRD_MACRO(a, b) { ... } else { ... }",
        instead="pass --tree DIR so whole files are parsed, or report the construct",
    )

    def run(self, ctx):
        model = ctx.model
        rows = model.parsed.error_rows
        for function in model.functions:
            first, last = function.start_row, function.last_row
            inside = [r for r in rows if first <= r <= last and model.image.line_of(r)]
            if not inside:
                continue
            row = inside[0]
            name = function.display_name
            message = (f"could not parse all of {name + '()' if name else 'this hunk'} "
                       "(first problem on this line); findings in it may be missing")
            finding = ctx.finding_at_row(self.rule, row, message, function)
            if finding:
                yield finding
