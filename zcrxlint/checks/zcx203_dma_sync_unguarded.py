from __future__ import annotations

from ..finding import Severity
from ..provider import callee_name
from ..registry import Check, Rule
from ._provider import provider_code


class DmaSyncUnguarded(Check):
    rule = Rule(
        code="ZCX203",
        name="dma-sync-unguarded",
        severity=Severity.WARNING,
        summary="an open-coded sync for device without the CONFIG_DMA_NEED_SYNC and dma_dev_need_sync() guards",
        why=("On most systems a sync for device is a no-op, and the kernel says so twice: "
             "CONFIG_DMA_NEED_SYNC compiles the sync calls out where no device needs them, and "
             "dma_dev_need_sync() answers per device at run time. page_pool's own sync and "
             "io_uring zcrx's io_zcrx_sync_for_device() use both, so the refill loop pays "
             "nothing when there is nothing to do; a provider that calls "
             "__dma_sync_single_for_device() without them pays on every buffer."),
        example=("static void zc_sync(struct page_pool *pp, dma_addr_t dma)\n{\n"
                 "\t__dma_sync_single_for_device(pp->p.dev, dma, PAGE_SIZE, pp->p.dma_dir);\n}"),
        instead=("static void zc_sync(struct page_pool *pp, dma_addr_t dma)\n{\n"
                 "#if defined(CONFIG_HAS_DMA) && defined(CONFIG_DMA_NEED_SYNC)\n"
                 "\tif (!dma_dev_need_sync(pp->p.dev))\n\t\treturn;\n"
                 "\t__dma_sync_single_for_device(pp->p.dev, dma, PAGE_SIZE, pp->p.dma_dir);\n"
                 "#endif\n}"),
    )

    def run(self, ctx):
        if not provider_code(ctx):
            return
        pm = ctx.model.provider
        facts = ctx.facts.provider
        for function in ctx.model.functions:
            for name, call in pm.calls_in(function):
                if name not in facts.sync_needs_guard:
                    continue
                conditions = pm.dominating(call, function)
                config_text = pm.preproc_conditions(call) + " " + " ".join(
                    pm.text(c.node) for c in conditions if c.truth)
                missing = []
                if not all(symbol in config_text for symbol in facts.config_guard):
                    missing.append("#if defined(" + ") && defined(".join(facts.config_guard) + ")")
                if not any(c.truth and c.node.type == "call_expression"
                           and callee_name(ctx.model, c.node) == facts.runtime_guard for c in conditions):
                    missing.append(f"an 'if (!{facts.runtime_guard}(dev)) return;' fast-out")
                if not missing:
                    continue
                finding = ctx.finding(
                    self.rule, call,
                    f"{name}() without {' or '.join(missing)}: the sync is a no-op on most "
                    "systems, and these guards make it free there", function, subject=name)
                if finding:
                    yield finding
