from __future__ import annotations

from .. import fix
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
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* page_pool_clear_pp_info(), exposed by an earlier patch */\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
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
            "#include \"acme_zc.h\" /* page_pool_clear_pp_info(), exposed by an earlier patch */\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
            "\n"
            "/* Give a buffer back to the freelist; called from ->release_netmem. */\n"
            "static void acme_zc_put_niov(struct acme_zc_area *area, struct net_iov *niov)\n"
            "{\n"
            "\tnet_mp_niov_clear_page_pool(niov);\n"
            "\tarea->freelist[area->free_count++] = net_iov_idx(niov);\n"
            "}\n"
        ),
        fix=("For a target of 6.15 or later and a file that includes "
             "<net/page_pool/memory_provider.h>: "
             "'page_pool_clear_pp_info(net_iov_to_netmem(niov))' becomes "
             "'net_mp_niov_clear_page_pool(niov)', which is all that helper does; and "
             "'page_pool_set_pp_info(pool, net_iov_to_netmem(niov));' directly followed by "
             "'pool->pages_state_hold_cnt++;' (and the trace_page_pool_state_hold() of it) "
             "becomes 'net_mp_niov_set_page_pool(pool, niov);', the three statements that "
             "helper is. page_pool_set_pp_info() alone is not rewritten: the helper would add "
             "the hold count it lacks."),
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

    def fix(self, ctx, finding, node):
        """The memory_provider.h wrapper where a call does exactly what it does: clearing a
        net_iov's pool info, or setting it followed at once by the hold count (and its trace)."""
        callee = node.child_by_field_name("function") if node.type == "call_expression" else None
        name = ctx.model.text(callee) if callee is not None else None
        args = node.child_by_field_name("arguments").named_children if callee is not None else []
        niov = _niov_of(ctx.model, args[-1]) if args else None
        if name == "page_pool_clear_pp_info" and len(args) == 1 and niov is not None:
            missing = fix.helper_missing(ctx.model, "net_mp_niov_clear_page_pool")
            return missing or fix.Rewrite((fix.replace(node, f"net_mp_niov_clear_page_pool({niov})"),))
        if name != "page_pool_set_pp_info" or len(args) != 2 or niov is None:
            return None
        pool = fix.place_text(ctx.model, args[0])
        statement = node.parent
        if pool is None or statement.type != "expression_statement":
            return None
        counted = fix.next_statement(statement)
        if counted is None or fix.squeezed(ctx.model, counted) not in _hold_count_bumps("".join(pool.split())):
            return fix.NoFix("only page_pool_set_pp_info() followed at once by the pool's "
                             "pages_state_hold_cnt++ is what net_mp_niov_set_page_pool() does")
        missing = fix.helper_missing(ctx.model, "net_mp_niov_set_page_pool")
        if missing is not None:
            return missing
        edits = [fix.replace(statement, f"net_mp_niov_set_page_pool({pool}, {niov});"),
                 fix.delete_lines(ctx.model, counted)]
        traced = fix.next_statement(counted)
        if traced is not None and _is_hold_trace(ctx.model, traced, "".join(pool.split()),
                                                 fix.squeezed(ctx.model, args[1])):
            edits.append(fix.delete_lines(ctx.model, traced))
        return fix.Rewrite(tuple(edits)) if all(edits) else None


def _niov_of(model, netmem) -> str | None:
    """`niov` when the netmem argument is `net_iov_to_netmem(niov)`."""
    callee = netmem.child_by_field_name("function") if netmem.type == "call_expression" else None
    if callee is None or model.text(callee) != "net_iov_to_netmem":
        return None
    args = netmem.child_by_field_name("arguments").named_children
    return model.text(args[0]) if len(args) == 1 else None


def _hold_count_bumps(pool: str) -> set[str]:
    count = f"{pool}->pages_state_hold_cnt"
    return {f"{count}++;", f"++{count};", f"{count}+=1;"}


def _is_hold_trace(model, statement, pool: str, netmem: str) -> bool:
    """The tracepoint net_mp_niov_set_page_pool() fires itself, with the same pool and count."""
    call = statement.named_children[0] if statement.type == "expression_statement" and statement.named_children else None
    if call is None or call.type != "call_expression" \
            or model.text(call.child_by_field_name("function")) != "trace_page_pool_state_hold":
        return False
    args = call.child_by_field_name("arguments").named_children
    return len(args) == 3 and fix.squeezed(model, args[0]) == pool \
        and fix.squeezed(model, args[1]) == netmem and fix.squeezed(model, args[2]) == f"{pool}->pages_state_hold_cnt"
