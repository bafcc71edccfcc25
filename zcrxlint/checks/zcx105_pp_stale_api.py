from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule


class StaleApi(Check):
    rule = Rule(
        code="ZCX105",
        name="pp-stale-api",
        severity=Severity.WARNING,
        summary="a page_pool/provider helper that never merged, or is gone in the target kernel",
        why=("Provider series went through many revisions, and names from earlier postings "
             "(page_pool_mp_return_in_cache(), page_pool_mp_init_paged_area(), ...) or from "
             "older releases (net_iov_binding(), net_mp_open_rxq()) keep reappearing in new "
             "patches rebased from old trees. They do not exist in the target kernel, unless "
             "the series or the tree defines them itself."),
        example="page_pool_mp_return_in_cache(pp, netmem);",
        instead="io_zcrx_sync_for_device(pp, niov); net_mp_netmem_place_in_cache(pp, netmem);",
    )

    def run(self, ctx):
        kernel = ctx.facts.kernel
        for call in ctx.model.calls:
            fact = ctx.facts.helper(call.name)
            if fact is None:
                continue
            if fact.kind == "never-merged":
                reason = f"never reached mainline: {fact.why}"
            elif fact.kind == "renamed" and not fact.span.holds_at(kernel):
                reason = f"is gone since {fact.span.until} (target kernel {kernel})"
            else:
                continue
            if call.name in ctx.model.function_by_name or ctx.is_defined(call.name):
                continue
            message = f"{call.name}() {reason}; use {ctx.advice(fact.instead)}"
            finding = ctx.finding(self.rule, call.node, message, call.function)
            if finding:
                yield finding
