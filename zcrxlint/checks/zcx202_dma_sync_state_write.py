from __future__ import annotations

from ..finding import Severity
from ..provider import assigned_value, is_false
from ..prefilter import provider_code_triggers
from ..registry import Check, Rule
from ._provider import provider_code


class DmaSyncStateWrite(Check):
    rule = Rule(
        code="ZCX202",
        name="dma-sync-state-write",
        severity=Severity.ERROR,
        summary="pp->dma_sync or pp->dma_sync_for_cpu changed outside ->init, or set to true",
        why=("The two bits say whether page_pool syncs the pool's buffers. A provider whose "
             "memory must not be synced (devmem's dma-buf) clears them once, in its ->init, "
             "before the pool hands out a buffer. Clearing them later races with page_pool's "
             "recycle path (only page_pool_scrub() may do that, at teardown); setting them "
             "turns on syncs page_pool_init() decided against, for memory page_pool did not map."),
        example=(
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
            "\t/* dma-buf: the exporter owns coherency, its addresses must not be synced */\n"
            "\tpp->dma_sync = false;\n"
            "\tif (!binding->free_count)\n"
            "\t\treturn 0;\n"
            "\tniov = &binding->nia.niovs[binding->freelist[--binding->free_count]];\n"
            "\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\treturn net_iov_to_netmem(niov);\n"
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
            "\treturn net_iov_to_netmem(niov);\n"
            "}\n"
            "\n"
            "static int acme_zc_pp_init(struct page_pool *pp)\n"
            "{\n"
            "\tif (!pp->mp_priv || pp->p.order != 0)\n"
            "\t\treturn -EINVAL;\n"
            "\t/* dma-buf: the exporter owns coherency, its addresses must not be synced */\n"
            "\tpp->dma_sync = false;\n"
            "\tpp->dma_sync_for_cpu = false;\n"
            "\treturn 0;\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "devmem's ->init (6.14+): dma_sync and dma_sync_for_cpu set to false before the pool hands out a buffer",
            "page_pool_init() sets the bits; page_pool_scrub() clears dma_sync at teardown, under RCU",
        ),
        since="6.12",
    )

    def triggers(self, facts):
        return provider_code_triggers(facts)

    def run(self, ctx):
        if not provider_code(ctx):
            return
        pm = ctx.model.provider
        states = ctx.facts.provider.state_fields
        for access in ctx.model.pool_accesses:
            if access.chain not in states or access.mode not in ("write", "escape"):
                continue
            value = assigned_value(ctx.model, access.node)
            in_init = access.function.name in pm.init_path
            if in_init and value is not None and is_false(ctx.model, value):
                continue
            if not in_init:
                problem = (f"{ctx.model.text(access.node)} changed outside ->init: once the pool "
                           "runs, page_pool's recycle path reads it without a lock")
            else:
                problem = (f"{ctx.model.text(access.node)} set to "
                           f"{ctx.model.text(value) if value is not None else 'a computed value'} "
                           "in ->init: a provider may only switch page_pool's sync off")
            finding = ctx.finding(
                self.rule, access.node,
                f"{problem}; clear it with '= false' in the provider's ->init, or leave it alone",
                access.function, related=frozenset(pm.init_path), subject=access.chain)
            if finding:
                yield finding
