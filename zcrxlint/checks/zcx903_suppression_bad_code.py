from __future__ import annotations

from ..finding import Severity
from ..prefilter import Triggers
from ..registry import Check, Rule
from .. import checks  # the registry; find_rule is looked up when the check runs


class SuppressionBadCode(Check):
    rule = Rule(
        code="ZCX903",
        name="suppression-bad-code",
        severity=Severity.WARNING,
        summary="an inline suppression names no code, or a code or name zcrxlint does not have",
        why=("A misspelt code silences nothing, so the finding it was meant for still fails "
             "the run, or worse, a blanket suppression would hide findings nobody reviewed. "
             "Each suppression must name the codes (ZCX101) or names (pp-private-field) it "
             "means, and only those."),
        example=(
            "#include <net/page_pool/types.h>\n"
            "\n"
            "static void acme_debug_held(struct seq_file *s, struct page_pool *pool)\n"
            "{\n"
            "\t/* zcrxlint: ignore[ZCX101, pp-private-feild] debugfs only, a racy read is fine */\n"
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
        refs=("`zcrxlint rules` lists every code and name",),
    )

    def triggers(self, facts):
        return Triggers(frozenset({"zcrxlint"}))   # only suppression comments

    def run(self, ctx):
        for s in ctx.model.suppressions:
            if s.verb != "ignore":
                problem = (f"'zcrxlint: {s.verb}' is not a directive zcrxlint knows: "
                           "write zcrxlint: ignore[CODE] reason")
            elif not s.codes:
                problem = ("suppression names no code: zcrxlint does not suppress everything "
                           "at once; write ignore[CODE] with the codes meant")
            else:
                unknown = [c for c in s.codes if checks.find_rule(c) is None]
                if not unknown:
                    continue
                problem = (f"suppression names {', '.join(unknown)}, which zcrxlint does not have: "
                           "see 'zcrxlint rules' for the codes and names")
            finding = ctx.finding_at_row(self.rule, s.row, problem, ctx.model.function_at(s.row))
            if finding:
                yield finding
