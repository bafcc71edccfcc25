from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule
from ._pool import inferred_note, one_per_line, severity_for

WRITES = ("write", "push", "escape", "pop")


class AllocCacheWrite(Check):
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

    def run(self, ctx):
        if ctx.is_owner_file:
            return
        alloc_path = ctx.model.alloc_path
        for access in one_per_line(ctx.model.pool_accesses):
            fact = ctx.facts.field(access.chain)
            if fact.access != "alloc-cache" or access.mode not in WRITES:
                continue
            on_alloc_path = access.function.name in alloc_path
            if access.mode == "pop" and on_alloc_path:
                continue
            what = {"pop": "popped", "escape": "handed out for writing"}.get(
                access.mode, "written by hand")
            where = ("in the alloc_netmems path" if on_alloc_path
                     else "outside the provider's alloc_netmems path")
            message = (f"{ctx.model.text(access.node)} {what} {where}: it is {fact.why}; "
                       f"use {fact.instead}{inferred_note(access)}")
            severity = Severity.WARNING if on_alloc_path else self.rule.severity
            finding = ctx.finding(self.rule, access.node, message, access.function,
                                  severity_for(access, severity))
            if finding:
                yield finding
