from __future__ import annotations

from ..finding import Severity
from ..prefilter import Triggers
from ..registry import Check, Rule


class SuppressionWithoutReason(Check):
    rule = Rule(
        code="ZCX902",
        name="suppression-without-reason",
        severity=Severity.WARNING,
        summary="an inline suppression gives no reason",
        why=("A suppression is an exception a reviewer agreed to; the next reader of the code "
             "needs to know why, or the exception outlives its cause unexamined. The "
             "suppression still silences its statement, so only this finding is shown."),
        example=(
            "#include <net/page_pool/types.h>\n"
            "\n"
            "static void acme_debug_held(struct seq_file *s, struct page_pool *pool)\n"
            "{\n"
            "\t/* zcrxlint: ignore[ZCX101] */\n"
            "\tseq_printf(s, \"held %u\\n\", pool->pages_state_hold_cnt);\n"
            "}\n"),
        instead=(
            "#include <net/page_pool/types.h>\n"
            "\n"
            "static void acme_debug_held(struct seq_file *s, struct page_pool *pool)\n"
            "{\n"
            "\t/* zcrxlint: ignore[ZCX101] debugfs only, a racy read is fine */\n"
            "\tseq_printf(s, \"held %u\\n\", pool->pages_state_hold_cnt);\n"
            "}\n"),
        refs=("Suppressions: `/* zcrxlint: ignore[CODE or name, ...] reason */` on the statement "
              "or the lines before it (README, Suppressions)",),
    )

    def triggers(self, facts):
        return Triggers(frozenset({"zcrxlint"}))   # only suppression comments

    def run(self, ctx):
        for s in ctx.model.suppressions:
            if s.verb == "ignore" and s.codes and not s.reason:
                finding = ctx.finding_at_row(
                    self.rule, s.row,
                    f"suppression of {', '.join(s.codes)} gives no reason: say why the code is "
                    "right after the codes, e.g. ignore[ZCX101] debugfs read only",
                    ctx.model.function_at(s.row))
                if finding:
                    yield finding
