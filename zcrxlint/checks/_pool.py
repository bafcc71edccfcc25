"""The shared walk of checks that judge uses of struct page_pool fields."""

from __future__ import annotations

from typing import ClassVar

from ..facts import FieldFact
from ..finding import Severity
from ..model import PoolAccess
from ..prefilter import pool_access_triggers
from ..registry import Check

_WRITE_FIRST = {"write": 0, "push": 0, "pop": 1, "escape": 2, "read": 3, "size": 4}


def one_per_line(accesses):
    """`pp->x = pp->x + 1` is one objection, not two: keep the strongest use per line and field."""
    best = {}
    for access in accesses:
        key = (access.node.start_point[0], access.chain, id(access.function))
        if key not in best or _WRITE_FIRST[access.mode] < _WRITE_FIRST[best[key].mode]:
            best[key] = access
    return sorted(best.values(), key=lambda a: a.node.start_byte)


class PoolFieldCheck(Check):
    """Subclasses name the field access classes they judge and word the objection;
    page_pool's own files are exempt, and a guessed type caps the severity at warning."""
    access_classes: ClassVar[frozenset[str]]

    def judge(self, ctx, access: PoolAccess, fact: FieldFact) -> tuple[str, Severity] | None:
        raise NotImplementedError

    def triggers(self, facts):
        return pool_access_triggers(facts)

    def run(self, ctx):
        if ctx.is_owner_file:
            return
        for access in one_per_line(ctx.model.pool_accesses):
            fact = ctx.facts.field(access.chain)
            if fact.access not in self.access_classes:
                continue
            verdict = self.judge(ctx, access, fact)
            if verdict is None:
                continue
            message, severity = verdict
            if access.inferred:
                message += (f" (type of '{access.base}' inferred {access.inferred}: "
                            "its declaration is not in what was analysed)")
                severity = min(severity, Severity.WARNING)
            finding = ctx.finding(self.rule, access.node, message, access.function, severity)
            if finding:
                yield finding
