from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule
from ._pool import inferred_note, one_per_line, severity_for

READ_ONLY = ("public-param", "historic-param", "provider-context", "readable-flag")


class ReadonlyFieldWrite(Check):
    rule = Rule(
        code="ZCX106",
        name="pp-readonly-field-write",
        severity=Severity.ERROR,
        summary="a page_pool field providers may only read is written",
        why=("A provider reads the pool parameters (p.dev, p.order, p.dma_dir, p.offset, "
             "p.max_len), mp_priv, mp_ops and dma_map to validate the pool in ->init and to "
             "sync; the driver chose them at page_pool_create() and page_pool_init() copied "
             "mp_priv/mp_ops from the queue. Writing them changes a pool the provider does "
             "not own."),
        example="pp->p.offset = 0;",
        instead="if (pp->p.offset) return -EOPNOTSUPP;   /* in ->init */",
    )

    def run(self, ctx):
        if ctx.is_owner_file:
            return
        for access in one_per_line(ctx.model.pool_accesses):
            fact = ctx.facts.field(access.chain)
            if fact.access not in READ_ONLY or access.mode not in ("write", "push", "escape"):
                continue
            message = (f"{ctx.model.text(access.node)} written: {fact.why}; "
                       f"{fact.instead}{inferred_note(access)}")
            finding = ctx.finding(self.rule, access.node, message, access.function,
                                  severity_for(access, self.rule.severity))
            if finding:
                yield finding
