from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule
from ._pool import inferred_note, one_per_line


class AllocCacheOutsideAlloc(Check):
    rule = Rule(
        code="ZCX103",
        name="pp-alloc-cache-outside-alloc",
        severity=Severity.WARNING,
        summary="page_pool's alloc cache is read outside the alloc_netmems path",
        why=("pp->alloc is protected by page_pool's NAPI context and is only stable inside "
             "the allocation path that page_pool calls the provider's alloc_netmems from. "
             "Reading alloc.count or alloc.cache anywhere else races with the consumer."),
        example="if (pool->alloc.count == 0) refill_later(pool);",
        instead="decide inside the provider's alloc_netmems callback",
    )

    def run(self, ctx):
        if ctx.is_owner_file:
            return
        alloc_path = ctx.model.alloc_path
        for access in one_per_line(ctx.model.pool_accesses):
            fact = ctx.facts.field(access.chain)
            if fact.access != "alloc-cache" or access.mode != "read" \
                    or access.function.name in alloc_path:
                continue
            message = (f"{ctx.model.text(access.node)} read outside the provider's "
                       f"alloc_netmems path: it is {fact.why}; read it only from the "
                       f"alloc_netmems callback{inferred_note(access)}")
            finding = ctx.finding(self.rule, access.node, message, access.function)
            if finding:
                yield finding
