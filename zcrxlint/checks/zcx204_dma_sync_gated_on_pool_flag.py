from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule
from ._provider import provider_code


class DmaSyncGatedOnPoolFlag(Check):
    rule = Rule(
        code="ZCX204",
        name="dma-sync-gated-on-pool-flag",
        severity=Severity.WARNING,
        summary="a provider's sync is decided by pp->dma_sync, page_pool's own bit",
        why=("pp->dma_sync says whether page_pool syncs on its put path; page_pool_init() "
             "requires it for every provider pool, so testing it in the provider tells "
             "nothing about the provider's memory. The zcrx v1 review questioned exactly "
             "this test; the merged provider decides from its own memory and "
             "dma_dev_need_sync(pp->p.dev)."),
        example="if (pp->dma_sync && dma_dev_need_sync(pp->p.dev))\n\tzc_sync(pp, niov);",
        instead="if (dma_dev_need_sync(pp->p.dev))\n\tzc_sync(pp, niov);",
    )

    def run(self, ctx):
        if not provider_code(ctx):
            return
        pm = ctx.model.provider
        syncing = {f.name for f in ctx.model.functions
                   if any(pm.is_sync_call(name) for name, _ in pm.calls_in(f))}
        for access in ctx.model.pool_accesses:
            function = access.function
            if access.chain != "dma_sync" or access.mode != "read" or function.name not in syncing \
                    or function.name in pm.init_path or not self._in_condition(access.node):
                continue
            finding = ctx.finding(
                self.rule, access.node,
                f"sync gated on {ctx.model.text(access.node)}: that is page_pool's bit, always on "
                "for provider pools; decide from your own memory and dma_dev_need_sync(pp->p.dev)",
                function, subject="dma_sync")
            if finding:
                yield finding

    @staticmethod
    def _in_condition(node) -> bool:
        cur = node
        while cur.parent is not None:
            parent = cur.parent
            if parent.type in ("if_statement", "while_statement", "conditional_expression") \
                    and cur == parent.child_by_field_name("condition"):
                return True
            if parent.type in ("expression_statement", "compound_statement", "function_definition"):
                return False
            cur = parent
        return False
