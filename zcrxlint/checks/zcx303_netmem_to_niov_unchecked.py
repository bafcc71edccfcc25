from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule
from ._provider import provider_file, through


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
        example="niov = netmem_to_net_iov(skb_frag_netmem(frag));",
        instead=("if (!skb_frag_is_net_iov(frag))\n\treturn zc_copy_frag(req, frag);\n"
                 "niov = netmem_to_net_iov(skb_frag_netmem(frag));"),
    )

    def run(self, ctx):
        if not provider_file(ctx):
            return
        for verdict in ctx.model.provider.ownership_verdicts:
            if verdict.source is None or verdict.site.need != "net_iov":
                continue
            finding = ctx.finding(
                self.rule, verdict.anchor,
                f"{verdict.site.target}{through(list(verdict.trail))} on a netmem from "
                f"{verdict.source} that may be a page: test netmem_is_net_iov() or "
                "skb_frag_is_net_iov() first and send pages down a copy path",
                verdict.function, related=frozenset(verdict.trail), subject=verdict.site.target)
            if finding:
                yield finding
