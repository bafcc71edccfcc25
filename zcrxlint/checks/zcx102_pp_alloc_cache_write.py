from __future__ import annotations

from .. import fix
from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck

WRITES = ("write", "push", "escape", "pop")


class AllocCacheWrite(PoolFieldCheck):
    rule = Rule(
        code="ZCX102",
        name="pp-alloc-cache-write",
        severity=Severity.ERROR,
        summary="page_pool's alloc cache is filled or its count changed by hand",
        why=("pp->alloc is page_pool's NAPI-protected fast cache. Pushing into it by hand "
             "(pp->alloc.cache[pp->alloc.count++] = netmem) was rejected in the zcrx v1 review "
             "as 'not acceptable'; the merged API is net_mp_netmem_place_in_cache(), callable "
             "only from the provider's alloc_netmems path. Outside that path any write is an "
             "error; inside it an open-coded write is a warning. The pop "
             "'return pp->alloc.cache[--pp->alloc.count]' inside alloc_netmems is what "
             "upstream merged and is accepted."),
        example=(
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
            "\t\tnetmem_ref netmem = net_iov_to_netmem(niov);\n"
            "\n"
            "\t\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\t\tacme_zc_sync_for_device(pp, niov);\n"
            "\t\tpp->alloc.cache[pp->alloc.count++] = netmem;\n"
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
            "\t\tnetmem_ref netmem = net_iov_to_netmem(niov);\n"
            "\n"
            "\t\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\t\tacme_zc_sync_for_device(pp, niov);\n"
            "\t\tnet_mp_netmem_place_in_cache(pp, netmem);\n"
            "\t}\n"
            "\tif (!pp->alloc.count)\n"
            "\t\treturn 0;\n"
            "\treturn pp->alloc.cache[--pp->alloc.count];\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        fix=("On the alloc_netmems path, for a target of 6.15 or later and a file that includes "
             "<net/page_pool/memory_provider.h>: the statement "
             "'pool->alloc.cache[pool->alloc.count++] = netmem;' becomes "
             "'net_mp_netmem_place_in_cache(pool, netmem);'. Before 6.15 there is no helper to "
             "rewrite to; a pop, and a write outside the alloc path, are not rewritten."),
        refs=(
            "net_mp_netmem_place_in_cache(), include/net/page_pool/memory_provider.h "
            "(6.15+): alloc_netmems path only",
            "netdev review of io_uring zcrx v1 (Mina Almasry): pushing into pp->alloc.cache is 'not acceptable'",
            "Jakub Kicinski: the helper 'has to be called down the call chain from mp_ops->alloc()'",
        ),
    )

    access_classes = frozenset({"alloc-cache"})

    def judge(self, ctx, access, fact):
        on_alloc_path = access.function.name in ctx.model.alloc_path
        if access.mode not in WRITES or (access.mode == "pop" and on_alloc_path):
            return None
        what = {"pop": "popped", "escape": "handed out for writing"}.get(access.mode, "written by hand")
        where = "in the alloc_netmems path" if on_alloc_path else "outside the provider's alloc_netmems path"
        return (f"{ctx.model.text(access.node)} {what} {where}: it is {fact.why}; use {ctx.advice(fact.instead)}",
                Severity.WARNING if on_alloc_path else self.rule.severity)

    def fix(self, ctx, finding, node):
        """`P->alloc.cache[P->alloc.count++] = V;` on the alloc path, as the helper's body."""
        statement = fix.enclosing(node, "expression_statement")
        assignment = statement.named_children[0] if statement is not None and statement.named_children else None
        if assignment is None or assignment.type != "assignment_expression" \
                or assignment.child_by_field_name("operator").type != "=":
            return None
        slot = assignment.child_by_field_name("left")
        if slot.type != "subscript_expression":
            return None
        cache = slot.child_by_field_name("argument")
        pool = cache.child_by_field_name("argument") if cache.type == "field_expression" else None
        pool = pool.child_by_field_name("argument") if pool is not None and pool.type == "field_expression" else None
        pool_text = fix.place_text(ctx.model, pool) if pool is not None else None
        if pool_text is None or fix.squeezed(ctx.model, cache) != f"{''.join(pool_text.split())}->alloc.cache" \
                or fix.squeezed(ctx.model, slot.child_by_field_name("index")) \
                != f"{''.join(pool_text.split())}->alloc.count++":
            return None
        function = ctx.model.function_at(node.start_point[0])
        if function is None or function.name not in ctx.model.alloc_path:
            return fix.NoFix("net_mp_netmem_place_in_cache() may only be called on the alloc_netmems path")
        missing = fix.helper_missing(ctx.model, "net_mp_netmem_place_in_cache")
        if missing is not None:
            return missing
        value = ctx.model.text(assignment.child_by_field_name("right"))
        return fix.Rewrite((fix.replace(statement, f"net_mp_netmem_place_in_cache({pool_text}, {value});"),))
