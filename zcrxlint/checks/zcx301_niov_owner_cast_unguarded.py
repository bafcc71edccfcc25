from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule
from ._provider import proving_guard, provider_file


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
        example=("niov = netmem_to_net_iov(skb_frag_netmem(frag));\n"
                 "area = container_of(net_iov_owner(niov), struct zc_area, nia);"),
        instead=("niov = netmem_to_net_iov(skb_frag_netmem(frag));\n"
                 "pp = niov->desc.pp;\n"
                 "if (!pp || pp->mp_ops != &zc_ops || pp->mp_priv != ifq)\n"
                 "\treturn -EFAULT;\n"
                 "area = container_of(net_iov_owner(niov), struct zc_area, nia);"),
    )

    def run(self, ctx):
        if not provider_file(ctx):
            return
        for verdict in ctx.model.provider.ownership_verdicts:
            if verdict.source is None or verdict.site.need == "net_iov":
                continue
            site = verdict.site
            via = f" (through {' -> '.join(f'{n}()' for n in verdict.trail)})" if verdict.trail else ""
            finding = ctx.finding(
                self.rule, verdict.anchor,
                f"net_iov from {verdict.source} reaches a cast to {site.target}{via} with no guard "
                f"proving its owner on every path: it may belong to another provider or have no "
                f"pool; check {proving_guard(ctx, site.need)} first",
                verdict.function, related=frozenset(verdict.trail), subject=f"{site.target}")
            if finding:
                yield finding
