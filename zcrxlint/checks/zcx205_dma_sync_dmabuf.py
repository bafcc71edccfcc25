from __future__ import annotations

from ..finding import Severity
from ..provider import subtree
from ..registry import Check, Rule
from ._provider import provider_code


class DmaSyncDmabuf(Check):
    rule = Rule(
        code="ZCX205",
        name="dma-sync-dmabuf",
        severity=Severity.WARNING,
        summary="a sync for device of memory the provider knows is a dma-buf",
        why=("dma-buf DMA addresses 'do not need and should not be used with "
             "dma_sync_for_cpu/device' (devmem's ->init comment): the exporter owns coherency. "
             "devmem switches page_pool's sync off in ->init for that reason. A provider that "
             "says so in its own ->init, or that syncs on a branch where it knows the memory "
             "is a dma-buf, is syncing what must not be synced. io_uring zcrx does not special-"
             "case its dma-buf areas today, so this is a warning, not an error."),
        example="if (area->is_dmabuf)\n\tzc_sync_for_device(pp, niov);",
        instead="if (!area->is_dmabuf)\n\tzc_sync_for_device(pp, niov);",
        since="6.14",
    )

    def run(self, ctx):
        if not provider_code(ctx):
            return
        pm = ctx.model.provider
        pattern = ctx.facts.provider.dmabuf_pattern
        disabled = pm.sync_disabled_in_init
        for function in ctx.model.functions:
            for name, call in pm.calls_in(function):
                if not pm.is_sync_call(name):
                    continue
                known = next((c for c in pm.dominating(call, function)
                              if c.truth and any(pattern.fullmatch(pm.text(i))
                                                 for i in subtree(c.node) if i.type in
                                                 ("identifier", "field_identifier"))), None)
                if known is not None:
                    why = f"it runs where '{pm.text(known.node)}' holds"
                elif disabled is not None and name in ctx.facts.provider.sync_for_device:
                    why = (f"->init switches page_pool's sync off "
                           f"('{pm.text(disabled.parent)}', line {ctx.model.line_of(disabled)}), "
                           "which says this memory must not be synced")
                else:
                    continue
                finding = ctx.finding(
                    self.rule, call,
                    f"{name}() syncs dma-buf memory: {why}; dma-buf addresses must not be synced "
                    "for device, skip the sync for them", function,
                    related=frozenset(pm.init_path), subject=name)
                if finding:
                    yield finding
