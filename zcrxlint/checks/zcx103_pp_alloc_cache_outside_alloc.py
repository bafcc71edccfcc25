from __future__ import annotations

from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck


class AllocCacheOutsideAlloc(PoolFieldCheck):
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

    access_classes = frozenset({"alloc-cache"})

    def judge(self, ctx, access, fact):
        if access.mode != "read" or access.function.name in ctx.model.alloc_path:
            return None
        return (f"{ctx.model.text(access.node)} read outside the provider's alloc_netmems path: "
                f"it is {fact.why}; read it only from the alloc_netmems callback", self.rule.severity)
