from __future__ import annotations

from ..finding import Severity
from ..prefilter import provider_code_triggers
from ..registry import Check, Rule
from ._provider import provider_code


class DmaSyncGatedOnPoolFlag(Check):
    rule = Rule(
        code="ZCX204",
        name="dma-sync-gated-on-pool-flag",
        severity=Severity.WARNING,
        summary="a provider's sync is decided by pp->dma_sync or PP_FLAG_DMA_SYNC_DEV, page_pool's own duty",
        why=("pp->dma_sync says whether page_pool syncs on its put path; page_pool_init() "
             "requires it for every provider pool, so testing it in the provider tells "
             "nothing about the provider's memory. The same holds for the PP_FLAG_DMA_SYNC_DEV "
             "flag of the pool's parameters it is set from: a provider that copies page_pool's "
             "own sync under that flag syncs what the driver asked page_pool to sync, not what "
             "its memory needs. The finding sits on the sync the gate decides. The zcrx v1 review questioned exactly "
             "this test; the merged provider decides from its own memory and "
             "dma_dev_need_sync(pp->p.dev)."),
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
            "#if defined(CONFIG_HAS_DMA) && defined(CONFIG_DMA_NEED_SYNC)\n"
            "\tdma_addr_t dma;\n"
            "\n"
            "\tif (!pp->dma_sync || !dma_dev_need_sync(pp->p.dev))\n"
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
            "io_uring zcrx v1 synced under pp->dma_sync && "
            "dma_dev_need_sync(); the merged version tests only the device",
            "page_pool_init() (6.14+) refuses a provider pool without dma_sync: the bit is always set",
        ),
    )

    def triggers(self, facts):
        return provider_code_triggers(facts)

    def run(self, ctx):
        if not provider_code(ctx):
            return
        pm, facts = ctx.model.provider, ctx.facts.provider
        bit_reads = {(a.node.start_byte, a.node.end_byte) for a in ctx.model.pool_accesses
                     if a.chain == facts.sync_flag and a.mode == "read"}

        def tests_sync_bit(node) -> bool:
            if node.type == "field_expression":
                return (node.start_byte, node.end_byte) in bit_reads
            return pm.tests_pool_bit(node, facts.sync_flag, facts.sync_param_flag)

        for function in ctx.model.functions:
            for name, call in pm.calls_in(function):
                if not pm.is_sync_call(name):
                    continue
                gate = next((c.node for c in pm.dominating(call, function) if tests_sync_bit(c.node)), None)
                if gate is None:
                    continue
                finding = ctx.finding(
                    self.rule, call,
                    f"{name}() gated on {ctx.model.text(gate)}: that is page_pool's own duty to "
                    "sync for the driver (pp->dma_sync, set from PP_FLAG_DMA_SYNC_DEV; always on "
                    "for provider pools from 6.14); decide from your own memory and "
                    "dma_dev_need_sync(pp->p.dev)",
                    function, subject=name)
                if finding:
                    yield finding
