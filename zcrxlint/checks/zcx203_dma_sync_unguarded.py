from __future__ import annotations

from ..finding import Severity
from ..provider import callee_name
from ..prefilter import provider_code_triggers
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
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/dma-mapping.h>\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
            "\n"
            "static void acme_zc_sync_for_device(struct page_pool *pp, struct net_iov *niov)\n"
            "{\n"
            "\tdma_addr_t dma = page_pool_get_dma_addr_netmem(net_iov_to_netmem(niov));\n"
            "\n"
            "\t__dma_sync_single_for_device(pp->p.dev, dma + pp->p.offset, PAGE_SIZE, pp->p.dma_dir);\n"
            "}\n"
            "\n"
            "static netmem_ref acme_zc_alloc_netmems(struct page_pool *pp, gfp_t gfp)\n"
            "{\n"
            "\tstruct acme_zc_area *area = pp->mp_priv;\n"
            "\tstruct net_iov *niov;\n"
            "\n"
            "\tif (!area->free_count)\n"
            "\t\treturn 0;\n"
            "\tniov = &area->nia.niovs[area->freelist[--area->free_count]];\n"
            "\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\tacme_zc_sync_for_device(pp, niov);\n"
            "\treturn net_iov_to_netmem(niov);\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/dma-mapping.h>\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
            "\n"
            "static void acme_zc_sync_for_device(struct page_pool *pp, struct net_iov *niov)\n"
            "{\n"
            "#if defined(CONFIG_HAS_DMA) && defined(CONFIG_DMA_NEED_SYNC)\n"
            "\tdma_addr_t dma;\n"
            "\n"
            "\tif (!dma_dev_need_sync(pp->p.dev))\n"
            "\t\treturn;\n"
            "\tdma = page_pool_get_dma_addr_netmem(net_iov_to_netmem(niov));\n"
            "\t__dma_sync_single_for_device(pp->p.dev, dma + pp->p.offset, PAGE_SIZE, pp->p.dma_dir);\n"
            "#endif\n"
            "}\n"
            "\n"
            "static netmem_ref acme_zc_alloc_netmems(struct page_pool *pp, gfp_t gfp)\n"
            "{\n"
            "\tstruct acme_zc_area *area = pp->mp_priv;\n"
            "\tstruct net_iov *niov;\n"
            "\n"
            "\tif (!area->free_count)\n"
            "\t\treturn 0;\n"
            "\tniov = &area->nia.niovs[area->freelist[--area->free_count]];\n"
            "\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\tacme_zc_sync_for_device(pp, niov);\n"
            "\treturn net_iov_to_netmem(niov);\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "dma_dev_need_sync(), include/linux/dma-mapping.h; CONFIG_DMA_NEED_SYNC dates from 6.10",
            "io_uring zcrx's io_zcrx_sync_for_device() (6.15+) and page_pool's own sync use both guards",
        ),
    )

    def triggers(self, facts):
        return provider_code_triggers(facts)

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
