from __future__ import annotations

from ..finding import Severity
from ..provider import subtree
from ..prefilter import provider_code_triggers
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
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/dma-mapping.h>\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "\n"
            "struct acme_zc_binding {\n"
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
            "\tstruct acme_zc_binding *binding = pp->mp_priv;\n"
            "\tstruct net_iov *niov;\n"
            "\n"
            "\tif (!binding->free_count)\n"
            "\t\treturn 0;\n"
            "\tniov = &binding->nia.niovs[binding->freelist[--binding->free_count]];\n"
            "\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\tacme_zc_sync_for_device(pp, niov);\n"
            "\treturn net_iov_to_netmem(niov);\n"
            "}\n"
            "\n"
            "static int acme_zc_pp_init(struct page_pool *pp)\n"
            "{\n"
            "\t/* dma-buf: the exporter owns coherency, its addresses must not be synced */\n"
            "\tpp->dma_sync = false;\n"
            "\tpp->dma_sync_for_cpu = false;\n"
            "\treturn 0;\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "\n"
            "struct acme_zc_binding {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
            "\n"
            "static netmem_ref acme_zc_alloc_netmems(struct page_pool *pp, gfp_t gfp)\n"
            "{\n"
            "\tstruct acme_zc_binding *binding = pp->mp_priv;\n"
            "\tstruct net_iov *niov;\n"
            "\n"
            "\tif (!binding->free_count)\n"
            "\t\treturn 0;\n"
            "\tniov = &binding->nia.niovs[binding->freelist[--binding->free_count]];\n"
            "\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\t/* no sync for device: ->init switched it off for this dma-buf memory */\n"
            "\treturn net_iov_to_netmem(niov);\n"
            "}\n"
            "\n"
            "static int acme_zc_pp_init(struct page_pool *pp)\n"
            "{\n"
            "\t/* dma-buf: the exporter owns coherency, its addresses must not be synced */\n"
            "\tpp->dma_sync = false;\n"
            "\tpp->dma_sync_for_cpu = false;\n"
            "\treturn 0;\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "devmem's ->init (6.14+): dma-buf addresses 'should not be used with dma_sync_for_cpu/device'",
            "io_uring zcrx (6.16+) syncs its dma-buf areas like host memory, hence only a warning",
        ),
        since="6.14",
    )

    def triggers(self, facts):
        return provider_code_triggers(facts)

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
