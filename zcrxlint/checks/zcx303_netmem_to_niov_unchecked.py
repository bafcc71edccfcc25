from __future__ import annotations

from ..finding import Severity
from ..prefilter import ownership_triggers
from ..registry import Check, Rule
from ._provider import provider_file, through, unread_caveat


class NetmemToNiovUnchecked(Check):
    rule = Rule(
        code="ZCX303",
        name="netmem-to-niov-unchecked",
        severity=Severity.ERROR,
        summary="netmem_to_net_iov() on an skb's netmem that may be a page",
        why=("An skb frag holds a page or a net_iov, and one receive queue mixes both. "
             "netmem_to_net_iov() on a page returns NULL (with a debug warning only), so the "
             "next dereference oopses. io_uring zcrx sends non-niov frags to its copy path "
             "after skb_frag_is_net_iov(); the provider's own callbacks only see their own "
             "niovs and merely WARN_ON_ONCE(!netmem_is_net_iov(netmem))."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/skbuff.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* acme_zc_ops, acme_zc_copy_frag(), acme_zc_post_cqe() */\n"
            "\n"
            "static int acme_zc_recv_frag(struct acme_zc_ifq *ifq, const skb_frag_t *frag, u32 len)\n"
            "{\n"
            "\tstruct page_pool *pp;\n"
            "\tstruct net_iov *niov;\n"
            "\n"
            "\tniov = netmem_to_net_iov(skb_frag_netmem(frag));\n"
            "\tpp = niov->desc.pp;\n"
            "\tif (!pp || pp->mp_ops != &acme_zc_ops || pp->mp_priv != ifq)\n"
            "\t\treturn -EFAULT;\n"
            "\treturn acme_zc_post_cqe(ifq, niov, skb_frag_off(frag), len);\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/skbuff.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* acme_zc_ops, acme_zc_copy_frag(), acme_zc_post_cqe() */\n"
            "\n"
            "static int acme_zc_recv_frag(struct acme_zc_ifq *ifq, const skb_frag_t *frag, u32 len)\n"
            "{\n"
            "\tstruct page_pool *pp;\n"
            "\tstruct net_iov *niov;\n"
            "\n"
            "\t/* the same queue carries page frags: copy those */\n"
            "\tif (!skb_frag_is_net_iov(frag))\n"
            "\t\treturn acme_zc_copy_frag(ifq, frag, len);\n"
            "\tniov = netmem_to_net_iov(skb_frag_netmem(frag));\n"
            "\tpp = niov->desc.pp;\n"
            "\tif (!pp || pp->mp_ops != &acme_zc_ops || pp->mp_priv != ifq)\n"
            "\t\treturn -EFAULT;\n"
            "\treturn acme_zc_post_cqe(ifq, niov, skb_frag_off(frag), len);\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "skb_frag_is_net_iov() (include/linux/skbuff.h), netmem_is_net_iov() (include/net/netmem.h)",
            "io_uring zcrx's io_zcrx_recv_frag() sends page frags to its copy path first",
            "in their own ->release_netmem, both upstream providers still WARN_ON_ONCE(!netmem_is_net_iov())",
        ),
    )

    def triggers(self, facts):
        return ownership_triggers(facts)

    def run(self, ctx):
        if not provider_file(ctx):
            return
        for verdict in ctx.model.provider.ownership_verdicts:
            if verdict.source is None or verdict.site.need != "net_iov":
                continue
            severity, caveat = unread_caveat(verdict)
            finding = ctx.finding(
                self.rule, verdict.anchor,
                f"{verdict.site.target}{through(list(verdict.trail))} on a netmem from "
                f"{verdict.source} that may be a page: test netmem_is_net_iov() or "
                f"skb_frag_is_net_iov() first and send pages down a copy path{caveat}",
                verdict.function, severity, related=frozenset(verdict.trail), subject=verdict.site.target)
            if finding:
                yield finding
