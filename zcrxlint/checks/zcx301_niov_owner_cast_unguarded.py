from __future__ import annotations

from ..finding import Severity
from ..prefilter import ownership_triggers
from ..registry import Check, Rule
from ._provider import proving_guard, provider_file, unread_caveat


class NiovOwnerCastUnguarded(Check):
    rule = Rule(
        code="ZCX301",
        name="niov-owner-cast-unguarded",
        severity=Severity.ERROR,
        summary="a net_iov from an skb or a socket queue is cast to a provider's type without proof of its owner",
        why=("container_of(net_iov_owner(niov), struct my_area, nia) and the net_devmem_* "
             "helpers check nothing: they return garbage for another provider's niov. Inside "
             "the provider's own callbacks, or for a niov taken from its own area by index, "
             "the owner is known. A niov read from an skb frag or a socket receive queue may "
             "belong to devmem, to another io_uring instance, or be a TX niov with no pool: "
             "'why are we sure this doesn't return garbage?' (zcrx v1 review). Upstream "
             "proves it first on every path: io_zcrx_recv_frag() requires pp && "
             "pp->mp_ops == &io_uring_pp_zc_ops && pp->mp_priv == ifq; tcp_recvmsg_dmabuf() "
             "requires net_is_devmem_iov()."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/skbuff.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* acme_zc_ops, acme_zc_copy_frag(), acme_zc_post_cqe() */\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tstruct acme_zc_ifq *ifq;\n"
            "};\n"
            "\n"
            "static int acme_zc_recv_frag(struct acme_zc_ifq *ifq, const skb_frag_t *frag, u32 len)\n"
            "{\n"
            "\tstruct acme_zc_area *area;\n"
            "\tstruct net_iov *niov;\n"
            "\n"
            "\tif (!skb_frag_is_net_iov(frag))\n"
            "\t\treturn acme_zc_copy_frag(ifq, frag, len);\n"
            "\tniov = netmem_to_net_iov(skb_frag_netmem(frag));\n"
            "\tarea = container_of(net_iov_owner(niov), struct acme_zc_area, nia);\n"
            "\treturn acme_zc_post_cqe(area, net_iov_idx(niov), skb_frag_off(frag), len);\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/skbuff.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* acme_zc_ops, acme_zc_copy_frag(), acme_zc_post_cqe() */\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tstruct acme_zc_ifq *ifq;\n"
            "};\n"
            "\n"
            "static int acme_zc_recv_frag(struct acme_zc_ifq *ifq, const skb_frag_t *frag, u32 len)\n"
            "{\n"
            "\tstruct acme_zc_area *area;\n"
            "\tstruct page_pool *pp;\n"
            "\tstruct net_iov *niov;\n"
            "\n"
            "\tif (!skb_frag_is_net_iov(frag))\n"
            "\t\treturn acme_zc_copy_frag(ifq, frag, len);\n"
            "\tniov = netmem_to_net_iov(skb_frag_netmem(frag));\n"
            "\t/* another provider's buffer, or a TX niov with no pool */\n"
            "\tpp = niov->desc.pp;\n"
            "\tif (!pp || pp->mp_ops != &acme_zc_ops || pp->mp_priv != ifq)\n"
            "\t\treturn -EFAULT;\n"
            "\tarea = container_of(net_iov_owner(niov), struct acme_zc_area, nia);\n"
            "\treturn acme_zc_post_cqe(area, net_iov_idx(niov), skb_frag_off(frag), len);\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "io_uring zcrx's io_zcrx_recv_frag(): pp && pp->mp_ops == &io_uring_pp_zc_ops && pp->mp_priv == ifq",
            "devmem's tcp_recvmsg_dmabuf(): -ENODEV unless net_is_devmem_iov(), before any net_devmem_*() call",
            "netdev review (Mina Almasry): one socket receive queue can mix page, devmem and io_uring skbs",
            "niov->type == NET_IOV_* (6.16+) proves the kind, not the instance: compare pp->mp_priv too",
        ),
    )

    def triggers(self, facts):
        return ownership_triggers(facts)

    def run(self, ctx):
        if not provider_file(ctx):
            return
        for verdict in ctx.model.provider.ownership_verdicts:
            if verdict.source is None or verdict.site.need == "net_iov":
                continue
            site = verdict.site
            via = f" (through {' -> '.join(f'{n}()' for n in verdict.trail)})" if verdict.trail else ""
            severity, caveat = unread_caveat(verdict)
            finding = ctx.finding(
                self.rule, verdict.anchor,
                f"net_iov from {verdict.source} reaches a cast to {site.target}{via} with no guard "
                f"proving its owner on every path: it may belong to another provider or have no "
                f"pool; check {proving_guard(ctx, site.need)} first{caveat}",
                verdict.function, severity, related=frozenset(verdict.trail), subject=f"{site.target}")
            if finding:
                yield finding
