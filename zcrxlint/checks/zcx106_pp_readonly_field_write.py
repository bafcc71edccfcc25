from __future__ import annotations

from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck

class ReadonlyFieldWrite(PoolFieldCheck):
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

    access_classes = frozenset({"public-param", "historic-param", "provider-context", "readable-flag"})

    def judge(self, ctx, access, fact):
        # The driver that creates a pool owns its parameters; these rules are about providers.
        if not ctx.model.provider.is_provider or access.mode not in ("write", "push", "escape"):
            return None
        return f"{ctx.model.text(access.node)} written: {fact.why}; {ctx.advice(fact.instead)}", self.rule.severity
