from __future__ import annotations

from ..finding import Severity
from ..prefilter import helper_triggers
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
        example=(
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
            "static netmem_ref acme_zc_alloc_netmems(struct page_pool *pp, gfp_t gfp)\n"
            "{\n"
            "\tstruct acme_zc_area *area = pp->mp_priv;\n"
            "\n"
            "\twhile (area->free_count && pp->alloc.count < PP_ALLOC_CACHE_REFILL) {\n"
            "\t\tstruct net_iov *niov = &area->nia.niovs[area->freelist[--area->free_count]];\n"
            "\n"
            "\t\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\t\tpage_pool_mp_return_in_cache(pp, net_iov_to_netmem(niov));\n"
            "\t}\n"
            "\tif (!pp->alloc.count)\n"
            "\t\treturn 0;\n"
            "\treturn pp->alloc.cache[--pp->alloc.count];\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* acme_zc_sync_for_device() */\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
            "\n"
            "static netmem_ref acme_zc_alloc_netmems(struct page_pool *pp, gfp_t gfp)\n"
            "{\n"
            "\tstruct acme_zc_area *area = pp->mp_priv;\n"
            "\n"
            "\twhile (area->free_count && pp->alloc.count < PP_ALLOC_CACHE_REFILL) {\n"
            "\t\tstruct net_iov *niov = &area->nia.niovs[area->freelist[--area->free_count]];\n"
            "\n"
            "\t\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\t\tacme_zc_sync_for_device(pp, niov);\n"
            "\t\tnet_mp_netmem_place_in_cache(pp, net_iov_to_netmem(niov));\n"
            "\t}\n"
            "\tif (!pp->alloc.count)\n"
            "\t\treturn 0;\n"
            "\treturn pp->alloc.cache[--pp->alloc.count];\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "your own sync for device, then net_mp_netmem_place_in_cache(), "
            "include/net/page_pool/memory_provider.h (6.15+)",
            "io_uring zcrx v6-v9 used page_pool_mp_return_in_cache(); "
            "v10 moved the sync into the provider and kept the push",
            "renames: net_iov_binding() is net_devmem_iov_binding() from 6.15; "
            "net_mp_open_rxq() is netif_mp_open_rxq() from 7.1 (inferred)",
        ),
        by_release=True,
    )

    def triggers(self, facts):
        return helper_triggers(facts, {"never-merged", "renamed"})

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
