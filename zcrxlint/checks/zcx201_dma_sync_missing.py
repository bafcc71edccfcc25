from __future__ import annotations

from ..finding import Severity
from ..provider import assigned_value, call_args, callee_name, subtree
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
        example=("niov = zc_area_pop(area);\n"
                 "net_mp_netmem_place_in_cache(pp, net_iov_to_netmem(niov));"),
        instead=("niov = zc_area_pop(area);\n"
                 "zc_sync_for_device(pp, niov);   /* __dma_sync_single_for_device() under\n"
                 "                                   CONFIG_DMA_NEED_SYNC and dma_dev_need_sync() */\n"
                 "net_mp_netmem_place_in_cache(pp, net_iov_to_netmem(niov));"),
    )

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
            if self._synced(pm, function, netmem, set()):
                continue
            finding = ctx.finding(
                self.rule, anchor,
                f"{model.text(netmem)} {how} without a DMA sync for device: page_pool does not "
                "sync what a provider hands over itself, and ->init leaves dma_sync on; sync it "
                "(__dma_sync_single_for_device() under dma_dev_need_sync()) before it reaches "
                f"the device{also}, or switch dma_sync off in ->init if this memory must not be synced",
                function, related=related, subject=f"{how}")
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
