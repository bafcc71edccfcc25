from __future__ import annotations

from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck

WRITES = ("write", "push", "escape", "pop")


class AllocCacheWrite(PoolFieldCheck):
    rule = Rule(
        code="ZCX102",
        name="pp-alloc-cache-write",
        severity=Severity.ERROR,
        summary="page_pool's alloc cache is filled or its count changed by hand",
        why=("pp->alloc is page_pool's NAPI-protected fast cache. Pushing into it by hand "
             "(pp->alloc.cache[pp->alloc.count++] = netmem) was rejected in the zcrx v1 review "
             "as 'not acceptable'; the merged API is net_mp_netmem_place_in_cache(), callable "
             "only from the provider's alloc_netmems path. Outside that path any write is an "
             "error; inside it an open-coded write is a warning. The pop "
             "'return pp->alloc.cache[--pp->alloc.count]' inside alloc_netmems is what "
             "upstream merged and is accepted."),
        example="pp->alloc.cache[pp->alloc.count++] = netmem;",
        instead="net_mp_netmem_place_in_cache(pp, netmem);",
    )

    access_classes = frozenset({"alloc-cache"})

    def judge(self, ctx, access, fact):
        on_alloc_path = access.function.name in ctx.model.alloc_path
        if access.mode not in WRITES or (access.mode == "pop" and on_alloc_path):
            return None
        what = {"pop": "popped", "escape": "handed out for writing"}.get(access.mode, "written by hand")
        where = "in the alloc_netmems path" if on_alloc_path else "outside the provider's alloc_netmems path"
        return (f"{ctx.model.text(access.node)} {what} {where}: it is {fact.why}; use {ctx.advice(fact.instead)}",
                Severity.WARNING if on_alloc_path else self.rule.severity)
