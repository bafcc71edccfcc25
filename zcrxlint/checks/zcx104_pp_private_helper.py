from __future__ import annotations

from ..finding import Severity
from ..prefilter import helper_triggers
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
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include \"../../../../net/core/page_pool_priv.h\"\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
            "\n"
            "/* Take a free buffer for the pool; called on the ->alloc_netmems path. */\n"
            "static struct net_iov *acme_zc_get_niov(struct page_pool *pp, struct acme_zc_area *area)\n"
            "{\n"
            "\tstruct net_iov *niov = &area->nia.niovs[area->freelist[--area->free_count]];\n"
            "\n"
            "\tpage_pool_set_pp_info(pp, net_iov_to_netmem(niov));\n"
            "\treturn niov;\n"
            "}\n"
            "\n"
            "/* Give a buffer back to the freelist; called from ->release_netmem. */\n"
            "static void acme_zc_put_niov(struct acme_zc_area *area, struct net_iov *niov)\n"
            "{\n"
            "\tpage_pool_clear_pp_info(net_iov_to_netmem(niov));\n"
            "\tarea->freelist[area->free_count++] = net_iov_idx(niov);\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
            "\n"
            "/* Take a free buffer for the pool; called on the ->alloc_netmems path. */\n"
            "static struct net_iov *acme_zc_get_niov(struct page_pool *pp, struct acme_zc_area *area)\n"
            "{\n"
            "\tstruct net_iov *niov = &area->nia.niovs[area->freelist[--area->free_count]];\n"
            "\n"
            "\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\treturn niov;\n"
            "}\n"
            "\n"
            "/* Give a buffer back to the freelist; called from ->release_netmem. */\n"
            "static void acme_zc_put_niov(struct acme_zc_area *area, struct net_iov *niov)\n"
            "{\n"
            "\tnet_mp_niov_clear_page_pool(niov);\n"
            "\tarea->freelist[area->free_count++] = net_iov_idx(niov);\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "net_mp_niov_{set,clear}_page_pool() and net_mp_niov_set_dma_addr(), "
            "include/net/page_pool/memory_provider.h (6.15+)",
            "netdev review of io_uring zcrx v9 (Jakub Kicinski): rather "
            "not expose page_pool_set_pp_info() to every page_pool user",
            "netdev review of io_uring zcrx v10: page_pool_set_dma_addr_netmem() "
            "stays out of helpers.h, which is for drivers",
        ),
        by_release=True,
    )

    def triggers(self, facts):
        return helper_triggers(facts, {"net-core-private"})

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
