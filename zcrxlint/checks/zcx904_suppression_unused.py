from __future__ import annotations

from ..finding import Severity
from ..prefilter import Triggers
from ..registry import Check, Rule
from .. import checks  # the registry; find_rule is looked up when the check runs


class SuppressionUnused(Check):
    rule = Rule(
        code="ZCX904",
        name="suppression-unused",
        severity=Severity.WARNING,
        summary="an inline suppression silences nothing on its statement",
        why=("A suppression whose finding is gone (the code was fixed, or the comment sits on "
             "the wrong statement) is noise today and a hole tomorrow: the next violation on "
             "that statement would pass unseen. Remove it, or move it onto the statement it "
             "was meant for."),
        example=(
            "#include <net/page_pool/types.h>\n"
            "\n"
            "static unsigned int acme_pool_size(struct page_pool *pool)\n"
            "{\n"
            "\t/* zcrxlint: ignore[ZCX101] pool size is needed for the ring */\n"
            "\treturn pool->p.pool_size;\n"
            "}\n"),
        instead=(
            "#include <net/page_pool/types.h>\n"
            "\n"
            "static unsigned int acme_pool_size(struct page_pool *pool)\n"
            "{\n"
            "\treturn pool->p.pool_size;\n"
            "}\n"),
        refs=("A suppression covers one statement: the one on its line, else the next one; "
              "for if/for/while/switch and functions, only the header",),
    )
    after_suppressions = True

    def triggers(self, facts):
        return Triggers(frozenset({"zcrxlint"}))   # only suppression comments

    def run(self, ctx):
        for s in ctx.model.suppressions:
            if s.verb != "ignore":
                continue
            idle = [c for c in s.codes
                    if (rule := checks.find_rule(c)) is not None and rule.code in ctx.ran_codes
                    and c not in s.used]
            if not idle:
                continue
            listed = ", ".join(idle)
            fix = "remove it" if len(idle) == len(s.codes) else f"remove {listed} from it"
            message = (f"suppression of {listed} silences nothing on the statement it covers; {fix}"
                       if s.covers else
                       f"suppression of {listed} covers no statement (none follows it in its block); {fix}")
            finding = ctx.finding_at_row(
                self.rule, s.row, message,
                ctx.model.function_at(s.row))
            if finding:
                yield finding
