from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule


class PrivateHelper(Check):
    rule = Rule(
        code="ZCX104",
        name="pp-private-helper",
        severity=Severity.ERROR,
        summary="a net/core-private page_pool or netmem helper is called outside net/core",
        why=("page_pool_set_pp_info(), page_pool_clear_pp_info(), "
             "page_pool_set_dma_addr_netmem() and the netmem_set_*() setters live in "
             "net/core/page_pool_priv.h and netmem_priv.h. Exposing them to providers was "
             "refused in the zcrx v9/v10 reviews ('I'd really rather not expose such low "
             "level functions'); the memory_provider.h wrappers exist for exactly this."),
        example="page_pool_set_pp_info(pp, net_iov_to_netmem(niov));",
        instead="net_mp_niov_set_page_pool(pp, niov);",
    )

    def run(self, ctx):
        if ctx.facts.may_call_private_helpers(ctx.path):
            return
        local = ctx.model.function_by_name
        for call in ctx.model.calls:
            fact = ctx.facts.helper(call.name)
            if fact is None or fact.kind != "net-core-private" or call.name in local:
                continue
            if call.name in ctx.model.learned:
                continue  # the series adds it to page_pool's API files: sanctioned for it
            message = (f"{call.name}() is private to net/core: {fact.why}; "
                       f"use {ctx.advice(fact.instead)}")
            finding = ctx.finding(self.rule, call.node, message, call.function)
            if finding:
                yield finding
