from __future__ import annotations

from ..finding import Severity
from ..provider import assigned_value, call_args, callee_name, subtree
from ..prefilter import provider_code_triggers
from ..registry import Check, Rule
from ._provider import provider_code

_NULLS = ("0", "NULL", "0UL")
RETURNED = "returned from alloc_netmems"


class DmaSyncMissing(Check):
    rule = Rule(
        code="ZCX201",
        name="dma-sync-missing",
        severity=Severity.ERROR,
        summary="a netmem is handed to the device without a DMA sync for device",
        why=("page_pool syncs for device only what goes back through its own put path. What a "
             "provider returns from alloc_netmems, places with net_mp_netmem_place_in_cache() or "
             "stores in pp->alloc.cache goes straight to the NIC's fill queue, and page_pool_init() "
             "forces dma_sync on for provider pools: unless the provider's ->init switches "
             "dma_sync off (memory that must not be synced, as devmem's dma-buf) or refuses "
             "mapped pools, the provider must sync each such buffer itself, as io_uring zcrx "
             "does in io_zcrx_sync_for_device() before every placement. Reviewers call this "
             "'missing dma_sync handling'."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* the release_netmem, destroy and nl_fill callbacks */\n"
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
            "\tstruct net_iov *niov;\n"
            "\n"
            "\tif (!area->free_count)\n"
            "\t\treturn 0;\n"
            "\tniov = &area->nia.niovs[area->freelist[--area->free_count]];\n"
            "\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\treturn net_iov_to_netmem(niov);\n"
            "}\n"
            "\n"
            "static int acme_zc_pp_init(struct page_pool *pp)\n"
            "{\n"
            "\tif (!pp->mp_priv || pp->p.order != 0)\n"
            "\t\treturn -EINVAL;\n"
            "\treturn 0;\n"
            "}\n"
            "\n"
            "static const struct memory_provider_ops acme_zc_ops = {\n"
            "\t.alloc_netmems = acme_zc_alloc_netmems,\n"
            "\t.release_netmem = acme_zc_release_netmem,\n"
            "\t.init = acme_zc_pp_init,\n"
            "\t.destroy = acme_zc_pp_destroy,\n"
            "\t.nl_fill = acme_zc_nl_fill,\n"
            "};\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/dma-mapping.h>\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* the release_netmem, destroy and nl_fill callbacks */\n"
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
            "\n"
            "static int acme_zc_pp_init(struct page_pool *pp)\n"
            "{\n"
            "\tif (!pp->mp_priv || pp->p.order != 0)\n"
            "\t\treturn -EINVAL;\n"
            "\treturn 0;\n"
            "}\n"
            "\n"
            "static const struct memory_provider_ops acme_zc_ops = {\n"
            "\t.alloc_netmems = acme_zc_alloc_netmems,\n"
            "\t.release_netmem = acme_zc_release_netmem,\n"
            "\t.init = acme_zc_pp_init,\n"
            "\t.destroy = acme_zc_pp_destroy,\n"
            "\t.nl_fill = acme_zc_nl_fill,\n"
            "};\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "__dma_sync_single_for_device() at page_pool_get_dma_addr_netmem() "
            "+ pp->p.offset, include/linux/dma-mapping.h",
            "io_uring zcrx (6.15+): io_zcrx_sync_for_device() on each niov before net_mp_netmem_place_in_cache()",
            "devmem (6.14+) clears pp->dma_sync in ->init instead: its dma-buf memory must not be synced",
        ),
    )

    def triggers(self, facts):
        return provider_code_triggers(facts)

    def run(self, ctx):
        pm = ctx.model.provider
        if not provider_code(ctx) or not pm.callbacks.get("init") \
                or pm.sync_disabled_in_init is not None or pm.refuses_dma_map is not None:
            return
        model = ctx.model
        batched = self._batched_sync(pm)
        related = frozenset(model.alloc_path | pm.init_path | (pm.syncers & set(model.function_by_name)))
        synced_placer = next((h.name for h in model.learned.values() if {"places", "syncs"} <= h.does), None)
        also = f", or hand it over with {synced_placer}(), which syncs" if synced_placer else ""
        for function, anchor, netmem, how in self._placements(pm):
            if self._popped(pm, netmem, function):
                continue
            if how != RETURNED and batched:
                continue
            # A helper's parameter is synced or not by its callers: blame the calls that
            # pass an unsynced netmem, where the sync is missing.
            for site, at, value, helpers in self._unsynced(pm, function, anchor, netmem, ()):
                through = f" through {'() -> '.join(helpers)}()" if helpers else ""
                finding = ctx.finding(
                    self.rule, at,
                    f"{model.text(value)} {how}{through} without a DMA sync for device: page_pool "
                    "does not sync what a provider hands over itself, and ->init leaves dma_sync on; "
                    "sync it (__dma_sync_single_for_device() under dma_dev_need_sync()) before it "
                    f"reaches the device{also}, or switch dma_sync off in ->init if this memory must "
                    "not be synced", site, related=related, subject=f"{how}{through}")
                if finding:
                    yield finding

    def _placements(self, pm):
        model, facts = pm.model, pm.facts
        alloc = pm.callbacks.get("alloc_netmems", set())
        for function in model.functions:
            for name, call in pm.calls_in(function):
                index = facts.placement_calls.get(name)
                learned = model.learned.get(name)
                if index is None and learned is not None and "places" in learned.does:
                    index = learned.netmem_arg
                args = call_args(call)
                if index is not None and index < len(args):
                    yield function, call, args[index], f"passed to {name}()"
            if function.name in alloc:
                for ret in model.nodes_of(function, "return_statement"):
                    value = next((c for c in ret.named_children if c.type != "comment"), None)
                    if value is not None and model.text(value) not in _NULLS:
                        yield function, ret, value, RETURNED
        for access in model.pool_accesses:
            if access.chain == "alloc.cache" and access.mode == "push":
                value = assigned_value(model, access.node)
                if value is not None and model.text(value) not in _NULLS:
                    yield access.function, access.node, value, "stored in pp->alloc.cache"

    @staticmethod
    def _popped(pm, netmem, function) -> bool:
        """Taken back out of pp->alloc.cache: it was synced when it was placed."""
        return any("alloc.cache" in pm.text(node) for node in pm.derivation(netmem, function))

    @staticmethod
    def _batched_sync(pm) -> bool:
        """One sync over the whole refilled cache before alloc_netmems returns (zcrx 7.1)."""
        for function in pm.model.functions:
            if function.name not in pm.model.alloc_path:
                continue
            for name, call in pm.calls_in(function):
                if pm.is_sync_call(name) and any(
                        "alloc.cache" in pm.text(node)
                        for arg in call_args(call) for node in pm.derivation(arg, function)):
                    return True
        return False

    def _unsynced(self, pm, function, anchor, netmem, helpers: tuple[str, ...]):
        """(function, anchor, netmem, helpers it went through) for each path on which the
        netmem reaches `anchor` unsynced: the anchor itself or, for a netmem a helper is
        handed, the calls that hand it over unsynced."""
        if self._synced(pm, function, netmem, set()):
            return []
        parameter = self._handed_in(pm, netmem, function)
        sites = pm.call_sites(function.name) if parameter is not None else []
        if not sites or function.name in helpers \
                or any(parameter >= len(call_args(call)) for _, call in sites):
            return [(function, anchor, netmem, helpers)]
        return [found for caller, call in sites
                for found in self._unsynced(pm, caller, call, call_args(call)[parameter],
                                            (function.name, *helpers))]

    @staticmethod
    def _handed_in(pm, netmem, function) -> int | None:
        """The parameter that is the netmem itself, converted or cast, not a structure it is
        looked up in."""
        names = list(function.params)
        for node in pm.derivation(netmem, function):
            for sub in subtree(node):
                if sub.type == "identifier" and pm.text(sub) in function.params and \
                        sub.parent.type not in ("field_expression", "subscript_expression"):
                    return names.index(pm.text(sub))
        return None

    def _synced(self, pm, function, netmem, seen) -> bool:
        memory = pm.memory_roots(netmem, function)
        for node in pm.derivation(netmem, function):
            for sub in subtree(node):
                if sub.type == "call_expression" and pm.is_sync_call(callee_name(pm.model, sub) or ""):
                    return True
        for name, call in pm.calls_in(function):
            if pm.is_sync_call(name) and any(pm.memory_roots(a, function) & memory for a in call_args(call)):
                return True
        # A helper's parameter: synced if every caller syncs what it passes.
        parameter = pm.parameter_of(netmem, function)
        if parameter is None or function.name in seen:
            return False
        sites = pm.call_sites(function.name)
        seen = seen | {function.name}
        return bool(sites) and all(
            parameter < len(call_args(call)) and self._synced(pm, caller, call_args(call)[parameter], seen)
            for caller, call in sites)
