from __future__ import annotations

from .. import fix
from ..finding import Severity
from ..prefilter import Triggers
from ..registry import Check, Rule

_WRITTEN = ("write", "push", "escape")
# The raw atomics on a net_iov's pp_ref_count that a page_pool helper does exactly, as
# (helper, how the call reads with the netmem filled in).
_REF_COUNT_HELPERS = {
    "atomic_long_inc": ("page_pool_ref_netmem", "page_pool_ref_netmem({})"),
    "atomic_long_dec_and_test": ("page_pool_unref_netmem", "page_pool_unref_netmem({}, 1) == 0"),
}


class NetmemPpState(Check):
    rule = Rule(
        code="ZCX108",
        name="netmem-pp-state",
        severity=Severity.ERROR,
        by_release=True,
        summary="a net_iov's page_pool state (pp_ref_count, pp_magic, dma_addr, pp) handled by hand",
        why=("page_pool keeps its state of a netmem in the netmem itself: the reference count "
             "every skb frag holding it shares, the signature and pool pointer that mark it as "
             "a pool's, and its DMA address in page_pool's own encoding. Outside the networking "
             "stack a provider goes through the helpers: reviewers asked the zcrx postings that "
             "bumped and tested niov->pp_ref_count with raw atomics for "
             "page_pool_ref_netmem()/page_pool_unref_netmem(), and the pool pointer, magic "
             "and address are set by net_mp_niov_set_page_pool() and net_mp_niov_set_dma_addr()."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "\n"
            "/* Hand a buffer to the user: one more reference until the user gives it back. */\n"
            "static void acme_zc_give_to_user(struct net_iov *niov)\n"
            "{\n"
            "\tatomic_long_inc(&niov->pp_ref_count);\n"
            "}\n"
            "\n"
            "/* The user gave it back: true when that was the last reference. */\n"
            "static bool acme_zc_user_returned(struct net_iov *niov)\n"
            "{\n"
            "\treturn atomic_long_dec_and_test(&niov->pp_ref_count);\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "\n"
            "/* Hand a buffer to the user: one more reference until the user gives it back. */\n"
            "static void acme_zc_give_to_user(struct net_iov *niov)\n"
            "{\n"
            "\tpage_pool_ref_netmem(net_iov_to_netmem(niov));\n"
            "}\n"
            "\n"
            "/* The user gave it back: true when that was the last reference. */\n"
            "static bool acme_zc_user_returned(struct net_iov *niov)\n"
            "{\n"
            "\treturn page_pool_unref_netmem(net_iov_to_netmem(niov), 1) == 0;\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        example_kernel="6.15",
        fix=("For a target of 6.13 or later (page_pool_ref_netmem() takes a net_iov from the "
             "6.13 fix) and a file that includes <net/page_pool/helpers.h>: "
             "'atomic_long_inc(&niov->pp_ref_count)' becomes "
             "'page_pool_ref_netmem(net_iov_to_netmem(niov))' and "
             "'atomic_long_dec_and_test(&niov->pp_ref_count)' becomes "
             "'page_pool_unref_netmem(net_iov_to_netmem(niov), 1) == 0' (which leaves the count "
             "at 1 after the last reference, as page_pool expects); on "
             "'netmem_to_net_iov(netmem)' the netmem is used as it is. Other uses of the "
             "fields are not rewritten."),
        refs=(
            "page_pool_ref_netmem() / page_pool_unref_netmem() and "
            "page_pool_get_dma_addr_netmem(), include/net/page_pool/helpers.h",
            "net_mp_niov_{set,clear}_page_pool() and net_mp_niov_set_dma_addr(), "
            "include/net/page_pool/memory_provider.h (6.15+)",
            "netdev review of io_uring zcrx v7 (Mina Almasry): use the generic page_pool "
            "helpers, not raw atomics on niov->pp_ref_count",
        ),
    )

    def triggers(self, facts):
        """A field is judged only on a base typed as one of the structs: the file names the
        struct or calls a function the facts say returns one."""
        structs = facts.netmem_state_structs
        returning = {name for name, ctype in facts.returns.items() if ctype.name in structs}
        return Triggers(frozenset(structs | returning))

    def run(self, ctx):
        facts, model = ctx.facts, ctx.model
        if facts.owns_netmem_state(ctx.path):
            return
        for function in model.functions:
            seen = set()
            for node in model.nodes_of(function, "field_expression"):
                name = model.text(node.child_by_field_name("field"))
                fact = facts.netmem_state.get(name)
                if fact is None or (node.start_point[0], name) in seen:
                    continue
                base = model.type_of(node.child_by_field_name("argument"), function)
                if base is None or base.name not in facts.netmem_state_structs:
                    continue
                written = model.use_of(node, name) in _WRITTEN
                if fact.access == "owner-link" and not written:
                    continue
                seen.add((node.start_point[0], name))
                instead = fact.instead if written or not fact.read_instead else fact.read_instead
                message = (f"{model.text(node)} {'written' if written else 'used'} by hand outside "
                           f"the networking stack: {fact.why}; use {ctx.advice(instead)}")
                finding = ctx.finding(self.rule, node, message, function)
                if finding:
                    yield finding

    def fix(self, ctx, finding, node):
        """A raw atomic on a net_iov's pp_ref_count, as the page_pool helper doing it."""
        if node.type != "field_expression" or ctx.model.text(node.child_by_field_name("field")) != "pp_ref_count":
            return None
        address = node.parent
        call = address.parent.parent if address is not None and address.type == "pointer_expression" \
            and address.parent is not None and address.parent.type == "argument_list" else None
        callee = call.child_by_field_name("function") if call is not None else None
        helper = _REF_COUNT_HELPERS.get(ctx.model.text(callee)) if callee is not None else None
        if helper is None or len(call.child_by_field_name("arguments").named_children) != 1:
            return None
        niov = node.child_by_field_name("argument")
        if niov.type == "field_expression" and ctx.model.text(niov.child_by_field_name("field")) == "desc" \
                and niov.child_by_field_name("operator").type == "->":
            niov = niov.child_by_field_name("argument")
        elif node.child_by_field_name("operator").type != "->":
            return None
        function = ctx.model.function_at(node.start_point[0])
        ctype = ctx.model.type_of(niov, function) if function is not None else None
        if ctype is None or (ctype.name, ctype.pointers) != ("net_iov", 1):
            return None
        missing = fix.helper_missing(ctx.model, helper[0])
        if missing is not None:
            return missing
        inner = niov.child_by_field_name("function") if niov.type == "call_expression" else None
        if inner is not None and ctx.model.text(inner) == "netmem_to_net_iov" \
                and len(niov.child_by_field_name("arguments").named_children) == 1:
            netmem = ctx.model.text(niov.child_by_field_name("arguments").named_children[0])
        else:
            netmem = f"net_iov_to_netmem({ctx.model.text(niov)})"
        text = helper[1].format(netmem)
        negated = call.parent if call.parent is not None and call.parent.type == "unary_expression" \
            and call.parent.child_by_field_name("operator").type == "!" else None
        if text.endswith(" == 0") and negated is not None:
            # !(count_left == 0) is the count left itself.
            return fix.Rewrite((fix.replace(negated, text.removesuffix(" == 0")),))
        if text.endswith(" == 0") and call.parent.type == "expression_statement":
            text = text.removesuffix(" == 0")      # the answer is dropped: no comparison to drop
        return fix.Rewrite((fix.replace(call, fix.as_operand(call, text) if " == " in text else text),))
